// Live countdown to the edition's start in the visitor's own time zone. The edition starts at the same
// wall-clock time everywhere, so the target is the date and start time read as *local* time here.
// Sentences come translated in data-* attributes; numbers, units and dates are formatted by Intl in the
// page's language (<html lang>), not the browser's.
(function () {
  "use strict";
  var box = document.getElementById("countdown");
  if (!box) return;
  var lang = document.documentElement.lang || "en";
  var text = box.querySelector("[data-countdown-text]");
  var d = box.dataset.date.split("-").map(Number);
  var t = box.dataset.start.split(":").map(Number);
  var start = new Date(d[0], d[1] - 1, d[2], t[0], t[1], 0);
  var end = new Date(start.getTime() + Number(box.dataset.hours) * 3600 * 1000);
  var zoneId = Intl.DateTimeFormat().resolvedOptions().timeZone;
  // A zone is named by its place ("Honolulu"), not its IANA id ("Pacific/Honolulu").
  var zone = zoneId ? zoneId.split("/").pop().replace(/_/g, " ") : box.dataset.textZone;

  function amount(n, unit) {
    return new Intl.NumberFormat(lang, {style: "unit", unit: unit, unitDisplay: "long"}).format(n);
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  function render() {
    var now = new Date();
    if (now >= end) { text.textContent = fill(box.dataset.textAfter, {zone: zone}); return false; }
    if (now >= start) { text.textContent = fill(box.dataset.textDuring, {zone: zone}); return true; }
    var s = Math.floor((start - now) / 1000);
    var parts = [amount(Math.floor(s / 86400), "day"), amount(Math.floor(s % 86400 / 3600), "hour"),
      amount(Math.floor(s % 3600 / 60), "minute")];
    var list = Intl.ListFormat ? new Intl.ListFormat(lang, {style: "long", type: "conjunction"}).format(parts)
      : parts.join(", ");
    text.textContent = fill(box.dataset.textBefore, {
      time: list,
      date: start.toLocaleString(lang, {dateStyle: "full", timeStyle: "short"}),
      zone: zone
    });
    return true;
  }
  if (render()) setInterval(render, 30000);
})();
