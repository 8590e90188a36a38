// Show each <time data-local datetime="..."> in the visitor's own time zone as well as UTC, formatted in
// the page's language (<html lang>). The sentences come translated in data-* attributes of #local-times-text.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var texts = (document.getElementById("local-times-text") || {dataset: {}}).dataset;
  var zoneId = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var zone = zoneId ? zoneId.split("/").pop().replace(/_/g, " ") : "";
  var format = new Intl.DateTimeFormat(lang, {weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23"});
  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) return;
    var local = document.createElement("span");
    local.className = "local-time small text-body-secondary";
    local.textContent = " " + fill(texts.yourTime || "({time} your time)", {time: format.format(when)});
    el.appendChild(local);
  });
  document.querySelectorAll("[data-local-zone]").forEach(function (el) {
    if (zone) el.textContent = " " + fill(texts.zone || "and in your time zone ({zone})", {zone: zone});
  });
})();
