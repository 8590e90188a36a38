// "Copy the code" buttons: copy the target field's text and say so to screen readers too.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copyTarget);
      var status = button.parentElement.querySelector("[data-copy-status]");
      field.select();
      // The message comes from the page (data-copied-text), so it is translated with it.
      var done = function () { if (status) status.textContent = button.dataset.copiedText || "Copied."; };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
