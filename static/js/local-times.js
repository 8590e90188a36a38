// Show each <time data-local datetime="..."> in the visitor's own time zone as well as UTC.
(function () {
  "use strict";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var format = new Intl.DateTimeFormat([], {weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"});
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) return;
    var local = document.createElement("span");
    local.className = "local-time small text-body-secondary";
    local.textContent = " (" + format.format(when) + " your time)";
    el.appendChild(local);
  });
  document.querySelectorAll("[data-local-zone]").forEach(function (el) {
    if (zone) el.textContent = " and in your time zone (" + zone + ")";
  });
})();
