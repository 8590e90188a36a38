// "Copy the code" buttons: copy the target field's text and say so to screen readers too.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copyTarget);
      var status = button.parentElement.querySelector("[data-copy-status]");
      field.select();
      // The message comes from the page (data-copied-text on the button, or data-text-copied on the
      // status), so it is translated with it.
      var done = function () {
        if (status) status.textContent = button.dataset.copiedText || status.dataset.textCopied || "Copied.";
      };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
