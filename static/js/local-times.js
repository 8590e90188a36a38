// Show each <time data-local datetime="..."> in the visitor's own time zone as well as UTC, formatted in
// the page's language (<html lang>). The sentences come translated in data-* attributes of #local-times-text.
// Each time carries its slot already (pages/templatetags/schedule_tags.py: local_time, local_zone), holding
// its room invisibly, so filling it moves nothing on the page.
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
  function show(slot, content) {
    slot.textContent = " " + content;
    slot.setAttribute("data-filled", "true");
  }
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    var slot = el.querySelector("[data-local-slot]");
    if (isNaN(when) || !slot) return;
    show(slot, fill(texts.yourTime || "({time} your time)", {time: format.format(when)}));
  });
  document.querySelectorAll("[data-local-zone]").forEach(function (el) {
    if (zone) show(el, fill(texts.zone || "and in your time zone ({zone})", {zone: zone}));
  });
})();
