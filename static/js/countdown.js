// Live countdown to the edition's start in the visitor's own time zone. The edition starts at the same
// wall-clock time everywhere, so the target is the date and start time read as *local* time here.
(function () {
  "use strict";
  var box = document.getElementById("countdown");
  if (!box) return;
  var text = box.querySelector("[data-countdown-text]");
  var d = box.dataset.date.split("-").map(Number);
  var t = box.dataset.start.split(":").map(Number);
  var start = new Date(d[0], d[1] - 1, d[2], t[0], t[1], 0);
  var end = new Date(start.getTime() + Number(box.dataset.hours) * 3600 * 1000);
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "your time zone";

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function render() {
    var now = new Date();
    if (now >= end) { text.textContent = "This edition has ended in your time zone (" + zone + ")."; return false; }
    if (now >= start) { text.textContent = "#poltwt is on air now in your time zone (" + zone + ")."; return true; }
    var s = Math.floor((start - now) / 1000);
    var days = Math.floor(s / 86400), hours = Math.floor(s % 86400 / 3600), mins = Math.floor(s % 3600 / 60);
    text.textContent = "Starts in " + plural(days, "day") + ", " + plural(hours, "hour") + " and " +
      plural(mins, "minute") + " at " + start.toLocaleString([], {dateStyle: "full", timeStyle: "short"}) +
      " (" + zone + ").";
    return true;
  }
  if (render()) setInterval(render, 30000);
})();
