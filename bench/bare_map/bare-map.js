// The bare comparison page: fetch the GeoJSON (?data=URL), one L.marker per point, one
// L.markerClusterGroup with chunked loading (the library's advice for many markers), data-ready when the
// last chunk is clustered.
(function () {
  "use strict";
  var container = document.getElementById("map");
  var map = L.map(container, {center: [20, 0], zoom: 2, minZoom: 1, maxZoom: 18, worldCopyJump: true});
  var url = new URLSearchParams(window.location.search).get("data");
  fetch(url).then(function (response) { return response.json(); }).then(function (data) {
    var markers = L.markerClusterGroup({
      chunkedLoading: true,
      chunkProgress: function (done, total) {
        if (done === total) container.dataset.ready = "true";
      }
    });
    map.addLayer(markers);
    var list = data.features.map(function (feature) {
      var xy = feature.geometry.coordinates;
      return L.marker([xy[1], xy[0]], {title: feature.properties.handle});
    });
    container.dataset.count = String(list.length);
    markers.addLayers(list);
    if (list.length === 0) container.dataset.ready = "true";
  });
})();
