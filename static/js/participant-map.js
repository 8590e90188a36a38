// Participant map: draws the packaged basemap and the participants' GeoJSON on the Leaflet map that
// registrations/maps.py renders. Every feature property is untrusted text, so popups are built with DOM
// APIs and textContent only: no innerHTML, no HTML strings.
//
// Hooks for tests and later features, on the map container:
//   data-ready="true" once the markers are drawn ("error" if the data could not be loaded),
//   data-count="N" markers built, data-visible-count="N" markers shown (after the on-air filter),
//   data-basemap="true" once the country outlines are drawn ("error" if they could not be loaded);
// and window.poltwtMap = {map, layers: {agency, officer}, ready} where ready resolves with the count.
(function () {
  "use strict";

  var HANDLE = /^[A-Za-z0-9_]{1,15}$/;
  var KINDS = ["agency", "officer"];
  var LABELS = {
    agency: {one: "Agency", many: "Agencies", shape: "square"},
    officer: {one: "Officer", many: "Officers", shape: "circle"}
  };
  var BASEMAP_PANE = "poltwtBasemap";
  var ON_AIR_RECHECK_MS = 60 * 1000;
  var PIN_ZOOM = 10;  // a pin's permalink opens at about city scale

  function text(value) {
    return typeof value === "string" || typeof value === "number" ? String(value) : "";
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }

  function getJSON(url) {
    var options = {credentials: "same-origin", headers: {Accept: "application/geo+json, application/json"}};
    return fetch(url, options).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return response.json();
    });
  }

  function parseTime(value) {
    var ms = typeof value === "string" ? Date.parse(value) : NaN;
    return isNaN(ms) ? null : ms;
  }

  // A labelled line whose value sits in <bdi>, so right-to-left text cannot reorder the label.
  function line(box, className, label, value) {
    if (!value) return;
    var p = el("p", "poltwt-popup__line " + className);
    if (label) p.appendChild(el("span", "poltwt-popup__label", label + ": "));
    p.appendChild(el("bdi", null, value));
    box.appendChild(p);
  }

  // Labels come from the page (data-label-*), translated on the server; English if a page has none.
  var popupLabels = {goal: "Local goal"};

  function buildPopup(props, kind) {
    var box = el("div", "poltwt-popup");
    var handle = text(props.handle);
    var title = el("p", "poltwt-popup__handle");
    if (HANDLE.test(handle)) {
      var link = el("a", null, "@" + handle);
      link.href = "https://x.com/" + handle;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.appendChild(el("span", "poltwt-visually-hidden", " (X profile, opens in a new tab)"));
      title.appendChild(link);
    } else {
      // Not a valid handle: show what we were given, never as a link.
      title.appendChild(el("bdi", null, handle));
    }
    box.appendChild(title);
    line(box, "poltwt-popup__kind", null, LABELS[kind].one);
    line(box, "poltwt-popup__name", null, text(props.name));
    var place = [text(props.city), text(props.country)].filter(Boolean).join(", ");
    line(box, "poltwt-popup__place", null, place);
    line(box, "poltwt-popup__start", "Starts", text(props.local_start));
    // Registrants' own words: text nodes only, like every other line.
    line(box, "poltwt-popup__goal", popupLabels.goal, text(props.local_goal));
    line(box, "poltwt-popup__hashtag", null, text(props.local_hashtag));
    return box;
  }

  function toMarker(feature, icons) {
    var geometry = feature && feature.geometry;
    var props = (feature && feature.properties) || {};
    var kind = props.kind;
    if (!geometry || geometry.type !== "Point" || !Array.isArray(geometry.coordinates)) return null;
    if (KINDS.indexOf(kind) === -1) return null;
    var lng = geometry.coordinates[0], lat = geometry.coordinates[1];
    if (typeof lng !== "number" || typeof lat !== "number" || !isFinite(lng) || !isFinite(lat) ||
        Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
    var handle = text(props.handle);
    var marker = L.marker([lat, lng], {
      icon: icons[kind],
      // Leaflet assigns the title as a property (text), and it names the focusable marker.
      title: (handle ? "@" + handle + ", " : "") + LABELS[kind].one.toLowerCase()
    });
    // Built on first open only: 10,000 popups up front would cost more than the markers.
    marker.bindPopup(function () { return buildPopup(props, kind); }, {maxWidth: 300, maxHeight: 260});
    marker.poltwtWindow = {start: parseTime(props.starts_at), end: parseTime(props.ends_at)};
    marker.poltwtHandle = handle.toLowerCase();
    marker.poltwtKind = kind;
    return marker;
  }

  function onAir(marker, now) {
    var w = marker.poltwtWindow;
    return w.start !== null && w.end !== null && w.start <= now && now < w.end;
  }

  function clusterIcon(kind) {
    return function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? 30 : count < 100 ? 36 : 44;
      var label = el("span", "poltwt-cluster__count", String(count));
      // The count alone would be read out as a bare number.
      var noun = (count === 1 ? LABELS[kind].one : LABELS[kind].many).toLowerCase();
      label.appendChild(el("span", "poltwt-visually-hidden", " " + noun));
      return L.divIcon({
        html: label, className: "poltwt-cluster poltwt-cluster--" + kind, iconSize: L.point(size, size)
      });
    };
  }

  function legendText(kind, count) {
    return LABELS[kind].many + " (" + LABELS[kind].shape + ")" + (count === null ? "" : ": " + count);
  }

  function control(position, build) {
    var ctl = L.control({position: position});
    ctl.onAdd = function () {
      var box = build();
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return ctl;
  }

  function init(container) {
    if (container.dataset.labelGoal) popupLabels.goal = container.dataset.labelGoal;
    var status = el("div", "poltwt-map-status", "Loading the map of participants…");
    status.setAttribute("role", "status");
    container.appendChild(status);

    function say(message, quiet) {
      status.textContent = message;
      status.classList.toggle("poltwt-visually-hidden", Boolean(quiet));
    }

    var map = window[container.dataset.mapVar];
    if (typeof L === "undefined" || !(map instanceof L.Map) || typeof L.markerClusterGroup !== "function") {
      say("The map could not be started. Please reload the page.");
      container.dataset.ready = "error";
      var failed = Promise.reject(new Error("poltwt: Leaflet map not found"));
      failed.catch(function () {});
      return {map: null, layers: {}, ready: failed};
    }
    L.DomEvent.disableClickPropagation(status);

    // Resolvers of the chunked loads in progress, called once MarkerCluster reports the last chunk.
    var pending = {};
    var layers = {};
    var icons = {};
    var all = {agency: [], officer: []};
    KINDS.forEach(function (kind) {
      icons[kind] = L.divIcon({className: "poltwt-marker poltwt-marker--" + kind, iconSize: [14, 14]});
      layers[kind] = L.markerClusterGroup({
        chunkedLoading: true,
        showCoverageOnHover: false,
        iconCreateFunction: clusterIcon(kind),
        chunkProgress: function (done, total) {
          if (done === total && pending[kind]) {
            var resolve = pending[kind];
            pending[kind] = null;
            resolve();
          }
        }
      }).addTo(map);
    });
    var overlays = {};
    KINDS.forEach(function (kind) { overlays[LABELS[kind].many] = layers[kind]; });
    L.control.layers(null, overlays, {collapsed: false, position: "topright"}).addTo(map);

    var legendLabels = {};
    control("bottomleft", function () {
      var box = el("div", "poltwt-legend leaflet-control");
      box.appendChild(el("p", "poltwt-legend__title", "Legend"));
      var list = el("ul", "poltwt-legend__list");
      KINDS.forEach(function (kind) {
        var item = el("li");
        var swatch = el("span", "poltwt-swatch poltwt-swatch--" + kind);
        swatch.setAttribute("aria-hidden", "true");
        item.appendChild(swatch);
        legendLabels[kind] = el("span", null, legendText(kind, null));
        item.appendChild(legendLabels[kind]);
        list.appendChild(item);
      });
      box.appendChild(list);
      return box;
    }).addTo(map);

    var onAirBox = null;
    var refreshing = Promise.resolve();

    function fill(kind, markers) {
      var group = layers[kind];
      group.clearLayers();
      // A group switched off in the layers control clusters later, when it is switched on again.
      if (!map.hasLayer(group)) {
        group.addLayers(markers);
        return Promise.resolve();
      }
      return new Promise(function (resolve) {
        pending[kind] = resolve;
        group.addLayers(markers);
      });
    }

    // Refreshes run one after another: a chunked load must finish before the groups are cleared again.
    function refresh() {
      refreshing = refreshing.then(function () {
        var now = Date.now();
        var onlyOnAir = onAirBox !== null && onAirBox.checked;
        var visible = 0;
        return Promise.all(KINDS.map(function (kind) {
          var shown = onlyOnAir ? all[kind].filter(function (m) { return onAir(m, now); }) : all[kind];
          visible += shown.length;
          legendLabels[kind].textContent = legendText(kind, shown.length);
          return fill(kind, shown);
        })).then(function () {
          container.dataset.visibleCount = String(visible);
          return visible;
        });
      });
      return refreshing;
    }

    function addOnAirFilter() {
      control("topright", function () {
        var box = el("div", "poltwt-onair leaflet-control");
        var label = el("label");
        onAirBox = el("input");
        onAirBox.type = "checkbox";
        onAirBox.addEventListener("change", refresh);
        label.appendChild(onAirBox);
        label.appendChild(document.createTextNode(" On air now only"));
        box.appendChild(label);
        return box;
      }).addTo(map);
      // "Now" moves: recheck the windows while the filter is on.
      window.setInterval(function () { if (onAirBox.checked) refresh(); }, ON_AIR_RECHECK_MS);
    }

    // Country outlines in a pane under the tiles: hidden by working tiles, the whole map without them.
    var pane = map.createPane(BASEMAP_PANE);
    pane.style.zIndex = 150;
    pane.style.pointerEvents = "none";
    // Both requests start at once; the panes, not the arrival order, keep the outlines beneath.
    getJSON(container.dataset.basemapUrl).then(function (data) {
      L.geoJSON(data, {
        pane: BASEMAP_PANE,
        interactive: false,
        style: function () { return {color: "#9e9e9e", weight: 0.6, fillColor: "#f1f1ee", fillOpacity: 1}; }
      }).addTo(map);
      container.dataset.basemap = "true";
    }).catch(function (error) {
      container.dataset.basemap = "error";
      console.warn("poltwt: basemap not drawn:", error);
    });

    // A pin's permalink (/map/?p=handle): open the map on that participant with its popup. The value is
    // only compared with handles and shown with textContent, so any characters in it are harmless.
    function focusPermalink() {
      var wanted = new URLSearchParams(window.location.search).get("p");
      if (!wanted) return;
      wanted = wanted.replace(/^@/, "").slice(0, 50);
      var needle = wanted.toLowerCase();
      var found = null;
      KINDS.forEach(function (kind) {
        all[kind].forEach(function (m) { if (!found && m.poltwtHandle === needle) found = m; });
      });
      var messages = document.getElementById("pin-messages");
      if (!found) {
        var template = (messages && messages.dataset.notFound) || "@%s is not on this map.";
        say(template.replace("%s", wanted));
        container.dataset.focused = "none";
        return;
      }
      // Close in on the place first (a lone marker is not in a cluster and would not zoom at all).
      map.setView(found.getLatLng(), Math.max(map.getZoom(), PIN_ZOOM), {animate: false});
      layers[found.poltwtKind].zoomToShowLayer(found, function () {
        found.openPopup();
        container.dataset.focused = found.poltwtHandle;
      });
    }

    var ready = getJSON(container.dataset.url).then(function (data) {
      if (!data || data.type !== "FeatureCollection" || !Array.isArray(data.features)) {
        throw new Error("participants: not a GeoJSON FeatureCollection");
      }
      data.features.forEach(function (feature) {
        var marker = toMarker(feature, icons);
        if (marker) all[feature.properties.kind].push(marker);
      });
      return refresh();
    }).then(function () {
      var count = all.agency.length + all.officer.length;
      container.dataset.count = String(count);
      if (container.dataset.onAirFilter === "true") addOnAirFilter();
      if (count === 0) say("No participants are on the map yet.");
      else say(count + (count === 1 ? " participant is" : " participants are") + " on the map.", true);
      container.dataset.ready = "true";
      focusPermalink();
      return count;
    }).catch(function (error) {
      say("Sorry, the list of participants could not be loaded. Please try again later.");
      container.dataset.ready = "error";
      throw error;
    });
    // Callers still see a failure through ready; this only keeps it out of the console as "unhandled".
    ready.catch(function () {});
    return {map: map, layers: {agency: layers.agency, officer: layers.officer}, ready: ready};
  }

  function start() {
    var container = document.querySelector(".poltwt-map[data-map-var]");
    if (container) window.poltwtMap = init(container);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
