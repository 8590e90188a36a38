// Admin "set location" page: a Leaflet map whose draggable marker writes the latitude and longitude inputs,
// and follows them when they are typed. The inputs are the form: without JavaScript (or without Leaflet)
// the map stays hidden and the page still works.
//
// The container's data attributes: data-tiles-url (empty: no tile layer), data-tiles-attribution,
// data-basemap-url (packaged country outlines, drawn under the tiles so the map stays readable without a
// tile server), data-precision (how far to zoom in on the current point). data-ready="true" once drawn.
(function () {
  "use strict";
  var ZOOM = {address: 16, manual: 16, city: 11, country: 5};
  var WORLD = {center: [20, 0], zoom: 2};

  var container = document.getElementById("location-map");
  if (!container || typeof L === "undefined") return;
  // The change page shows the point read-only (data-readonly, data-lat, data-lng): no inputs there.
  var readonly = container.dataset.readonly === "true";
  var latInput = readonly ? {value: container.dataset.lat} : document.getElementById("id_latitude");
  var lngInput = readonly ? {value: container.dataset.lng} : document.getElementById("id_longitude");
  if (!latInput || !lngInput) return;

  function typedPoint() {
    var lat = parseFloat(latInput.value);
    var lng = parseFloat(lngInput.value);
    if (!isFinite(lat) || !isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
    return L.latLng(lat, lng);
  }

  function writePoint(latlng) {
    // Dragging across the antimeridian gives longitudes beyond +-180: bring them back into range.
    var wrapped = latlng.wrap();
    latInput.value = wrapped.lat.toFixed(5);
    lngInput.value = wrapped.lng.toFixed(5);
  }

  container.hidden = false;
  var map = L.map(container, {worldCopyJump: true, minZoom: 1, maxZoom: 18});
  var data = container.dataset;
  if (data.tilesUrl) {
    L.tileLayer(data.tilesUrl, {attribution: data.tilesAttribution || "", maxZoom: 19}).addTo(map);
  }

  if (data.basemapUrl && window.fetch) {
    var pane = map.createPane("basemap");
    pane.style.zIndex = 150;  // under the tile pane (200): working tiles cover the outlines
    pane.style.pointerEvents = "none";
    fetch(data.basemapUrl, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (geojson) {
      L.geoJSON(geojson, {
        pane: "basemap",
        interactive: false,
        style: function () { return {color: "#9e9e9e", weight: 0.6, fillColor: "#f1f1ee", fillOpacity: 1}; }
      }).addTo(map);
    }).catch(function (error) {
      console.warn("poltwt: basemap not drawn:", error);
    });
  }

  var start = typedPoint();
  var marker = L.marker(start || WORLD.center, {
    draggable: !readonly, autoPan: true, title: data.markerTitle || "", alt: data.markerTitle || ""
  });
  if (start) {
    marker.addTo(map);
    map.setView(start, ZOOM[data.precision] || ZOOM.city);
  } else {
    map.setView(WORLD.center, WORLD.zoom);
  }

  if (readonly) {
    data.ready = "true";
    return;
  }
  marker.on("dragend", function () { writePoint(marker.getLatLng()); });
  map.on("click", function (event) {
    marker.setLatLng(event.latlng).addTo(map);
    writePoint(event.latlng);
  });

  function followInputs() {
    var point = typedPoint();
    if (point === null) return;
    marker.setLatLng(point).addTo(map);
    map.panTo(point);
  }
  latInput.addEventListener("change", followInputs);
  lngInput.addEventListener("change", followInputs);
  data.ready = "true";
})();
