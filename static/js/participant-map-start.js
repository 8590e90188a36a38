// Starts the participant map's worker (participant-map-worker.js) from the page's <head>, before the
// stylesheets and the libraries load: the worker fetches the map feed, loads supercluster and clusters
// the participants on another core while this thread still parses the page, so the first clusters can
// be drawn as soon as the Leaflet map exists. pages/maps.py inlines this file (allowed by its hash),
// with the URLs on the script element itself.
//
// window.poltwtMapWorker = {worker, early}: participant-map.js takes the worker over; the answers and
// errors that came before it did wait in `early`, in order. Its first request (id 0) is the load.
(function (script) {
  "use strict";
  if (!script || typeof window.Worker !== "function") return;
  var worker;
  try {
    worker = new Worker(script.dataset.workerUrl);
  } catch (error) {
    return;  // participant-map.js says the map could not be started
  }
  var early = [];
  worker.onmessage = function (event) { early.push(event); };
  worker.onerror = function (event) {
    event.preventDefault();
    early.push(event);
  };
  worker.postMessage({
    id: 0,
    type: "load",
    url: script.dataset.url,
    library: script.dataset.clusterLibraryUrl,
    fold: script.dataset.foldUrl,
    maxZoom: Number(script.dataset.maxZoom)
  });
  window.poltwtMapWorker = {worker: worker, early: early};
})(document.currentScript);
