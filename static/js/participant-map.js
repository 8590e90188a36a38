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
  // Words come translated from the page (data-texts on the map container, see pages/maps.py); dates and
  // times are formatted by Intl in the page's language (<html lang>), not the browser's.
  var T = {};
  var LANG = document.documentElement.lang || "en";
  var LABELS = {};
  function setTexts(container) {
    try { T = JSON.parse(container.dataset.texts || "{}"); } catch (e) { T = {}; }
    LABELS = {
      agency: {one: T.agency || "Agency", many: T.agencies || "Agencies", shape: T.square || "square"},
      officer: {one: T.officer || "Officer", many: T.officers || "Officers", shape: T.circle || "circle"}
    };
  }
  function localTime(ms) {
    if (ms === null) return "";
    return new Intl.DateTimeFormat(LANG, {weekday: "short", day: "numeric", month: "short", hour: "2-digit",
      minute: "2-digit", hourCycle: "h23"}).format(new Date(ms));
  }
  var BASEMAP_PANE = "poltwtBasemap";
  var ON_AIR_RECHECK_MS = 60 * 1000;
  var LIST_LIMIT = 200;
  var REDUCED_MOTION = Boolean(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  var PIN_ZOOM = 10;  // a pin's permalink opens at about city scale
  // Long lists (country outlines, thousands of participants) are worked through in slices of about this
  // many milliseconds, each its own task: a slow phone keeps answering taps while the map fills.
  var SLICE_MS = 10;

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

  function nextTask() {
    if (window.scheduler && typeof window.scheduler.yield === "function") return window.scheduler.yield();
    return new Promise(function (resolve) { window.setTimeout(resolve, 0); });
  }

  // work(item) for every item, SLICE_MS at a time; resolves when all are done.
  function inSlices(items, work) {
    var next = 0;
    function slice() {
      var deadline = performance.now() + SLICE_MS;
      while (next < items.length && performance.now() < deadline) work(items[next++]);
      return next < items.length ? nextTask().then(slice) : undefined;
    }
    return Promise.resolve().then(slice);
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

  function buildPopup(props, kind) {
    var box = el("div", "poltwt-popup");
    var handle = text(props.handle);
    var title = el("p", "poltwt-popup__handle");
    if (HANDLE.test(handle)) {
      var link = el("a", null, "@" + handle);
      link.href = "https://x.com/" + handle;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.appendChild(el("span", "poltwt-visually-hidden", " " + (T.xProfile || "(X profile, opens in a new tab)")));
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
    // The participant's own start ("08:00 Honolulu") and, when known, the same moment in the visitor's zone.
    var start = text(props.local_start);
    var startsAt = parseTime(props.starts_at);
    if (start && startsAt !== null) {
      start += " · " + (T.yourTime || "{time} your time").replace("{time}", localTime(startsAt));
    }
    line(box, "poltwt-popup__start", T.starts || "Starts", start);
    // Registrants' own words: text nodes only, like every other line.
    line(box, "poltwt-popup__goal", T.goal || "Local goal", text(props.local_goal));
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
    marker.poltwtProps = props;
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

  // Keyboard access to the points. Leaflet makes every marker and cluster a Tab stop, so a keyboard user
  // would walk through all of them before reaching the rest of the page. Here the points form one Tab
  // stop (a roving tabindex): Tab enters at one point, the arrow keys move between points (left to right,
  // top to bottom), Home/End jump to the first/last, Enter or Space zooms into a cluster or opens a
  // participant's popup, and Escape closes the popup and puts the focus back on its marker.
  function keyboardAccess(map, container) {
    var current = null;
    var pendingFocus = false;
    var timer = null;
    var lastOpened = null;

    function icons() {
      var pane = map.getPane("markerPane");
      var bounds = container.getBoundingClientRect();
      // Layout is read once per icon, all reads before any write (no forced reflow per comparison).
      var placed = Array.prototype.map.call(
        pane.querySelectorAll(".poltwt-marker, .poltwt-cluster"),
        function (icon) { return {icon: icon, rect: icon.getBoundingClientRect()}; }
      );
      return placed.filter(function (p) {
        var r = p.rect;
        // Only points inside the visible map: a focus stop off-screen would scroll the page sideways.
        return r.right > bounds.left && r.left < bounds.right && r.bottom > bounds.top && r.top < bounds.bottom;
      }).sort(function (a, b) {
        return (a.rect.left - b.rect.left) || (a.rect.top - b.rect.top);
      }).map(function (p) { return p.icon; });
    }

    function setCurrent(icon, focus) {
      current = icon;
      if (icon) {
        icon.setAttribute("tabindex", "0");
        if (focus) icon.focus({preventScroll: true});
      }
    }

    function update() {
      timer = null;
      var all = icons();
      var pane = map.getPane("markerPane");
      Array.prototype.forEach.call(pane.querySelectorAll(".poltwt-marker, .poltwt-cluster"), function (icon) {
        icon.setAttribute("tabindex", "-1");
      });
      var keep = current && all.indexOf(current) !== -1 ? current : all[0] || null;
      setCurrent(keep, pendingFocus || (keep !== current && document.activeElement === current));
      pendingFocus = false;
      container.dataset.tabStops = String(pane.querySelectorAll('[tabindex="0"]').length);
    }

    function schedule() {
      if (timer === null) timer = window.setTimeout(update, 50);
    }

    function layerOf(icon) {
      var found = null;
      map.eachLayer(function (layer) {
        if (!found && typeof layer.getElement === "function" && layer.getElement() === icon) found = layer;
      });
      return found;
    }

    function activate(icon) {
      var layer = layerOf(icon);
      if (!layer) return;
      if (typeof layer.zoomToBounds === "function") {
        // A cluster: zoom in until it splits (spiderfy when it cannot, at the deepest zoom).
        pendingFocus = true;
        current = null;
        if (map.getZoom() >= map.getMaxZoom()) {
          layer.spiderfy();
          schedule();
        } else {
          layer.zoomToBounds({padding: [40, 40], animate: !REDUCED_MOTION});
        }
      } else if (typeof layer.openPopup === "function") {
        layer.openPopup();
      }
    }

    container.addEventListener("keydown", function (event) {
      var icon = event.target.closest && event.target.closest(".poltwt-marker, .poltwt-cluster");
      if (event.key === "Escape" && lastOpened && lastOpened.isPopupOpen && lastOpened.isPopupOpen()) {
        event.preventDefault();
        event.stopPropagation();
        var source = lastOpened;
        map.closePopup();
        var element = source.getElement && source.getElement();
        if (element) {
          setCurrent(element, true);
          schedule();
        }
        return;
      }
      if (!icon) return;
      var all = icons();
      var index = all.indexOf(icon);
      var next = null;
      switch (event.key) {
        case "ArrowRight": case "ArrowDown": next = all[(index + 1) % all.length]; break;
        case "ArrowLeft": case "ArrowUp": next = all[(index - 1 + all.length) % all.length]; break;
        case "Home": next = all[0]; break;
        case "End": next = all[all.length - 1]; break;
        case "Enter": case " ": case "Spacebar":
          event.preventDefault();  // also stops Leaflet's own keypress handling
          event.stopPropagation();
          activate(icon);
          return;
        default: return;
      }
      event.preventDefault();
      event.stopPropagation();
      if (next) {
        icon.setAttribute("tabindex", "-1");
        setCurrent(next, true);
      }
    }, true);

    map.on("popupopen", function (event) {
      lastOpened = event.popup._source || null;
      // Keyboard users land in the popup; its first link (or the close button) takes the focus.
      var opener = lastOpened && lastOpened.getElement && lastOpened.getElement();
      if (opener && document.activeElement === opener) {
        var target = event.popup.getElement().querySelector(".leaflet-popup-content a, .leaflet-popup-close-button");
        if (target) target.focus({preventScroll: true});
      }
    });
    map.on("popupclose", function (event) {
      var source = event.popup._source;
      var element = source && source.getElement && source.getElement();
      // Closed with the close button or Escape while inside the popup: back to the marker.
      if (element && event.popup.getElement().contains(document.activeElement)) setCurrent(element, true);
    });

    return {update: update, schedule: schedule};
  }

  // The text alternative: below the map, the participants inside its current view, updated as it moves.
  function participantsInView(map, container, shownMarkers) {
    var box = document.querySelector("[data-map-list]");
    var timer = null;
    if (!box) return {update: function () {}, schedule: function () {}};
    var heading = box.querySelector("[data-map-list-heading]");
    var list = box.querySelector("[data-map-list-items]");
    var more = box.querySelector("[data-map-list-more]");
    var texts = box.dataset;

    function fill(template, count) {
      return template.replace("{count}", String(count));
    }

    function update() {
      timer = null;
      var bounds = map.getBounds();
      var inside = shownMarkers().filter(function (marker) { return bounds.contains(marker.getLatLng()); });
      inside.sort(function (a, b) {
        var pa = a.poltwtProps, pb = b.poltwtProps;
        return (text(pa.country) + text(pa.city) + text(pa.handle)).localeCompare(
          text(pb.country) + text(pb.city) + text(pb.handle));
      });
      heading.textContent = fill(inside.length === 1 ? texts.headingOne : texts.heading, inside.length);
      var items = document.createDocumentFragment();
      inside.slice(0, LIST_LIMIT).forEach(function (marker) {
        var props = marker.poltwtProps;
        var item = el("li");
        item.appendChild(el("bdi", "fw-bold", "@" + text(props.handle)));
        var details = [
          marker.poltwtKind === "agency" ? texts.agency : texts.officer,
          text(props.name),
          [text(props.city), text(props.country)].filter(Boolean).join(", ")
        ].filter(Boolean).join(" · ");
        item.appendChild(document.createTextNode(" – "));
        item.appendChild(el("bdi", null, details));
        items.appendChild(item);
      });
      list.replaceChildren(items);
      more.textContent = inside.length > LIST_LIMIT ? fill(texts.more, inside.length - LIST_LIMIT) : "";
      box.dataset.count = String(inside.length);
    }

    function schedule() {
      if (timer !== null) window.clearTimeout(timer);
      timer = window.setTimeout(update, 150);
    }

    return {update: update, schedule: schedule};
  }

  function init(container) {
    setTexts(container);
    var status = el("div", "poltwt-map-status", T.loading || "Loading the map of participants…");
    status.setAttribute("role", "status");
    container.appendChild(status);

    function say(message, quiet) {
      status.textContent = message;
      status.classList.toggle("poltwt-visually-hidden", Boolean(quiet));
    }

    var map = window[container.dataset.mapVar];
    if (typeof L === "undefined" || !(map instanceof L.Map) || typeof L.markerClusterGroup !== "function") {
      say(T.startFailed || "The map could not be started. Please reload the page.");
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
        // MarkerCluster's own slices: at most 50 ms of work each (a "long task" beyond that), and no idle
        // time between them (its defaults: 200 ms of work, then 50 ms of nothing).
        chunkedLoading: true,
        chunkInterval: 50,
        chunkDelay: 0,
        showCoverageOnHover: false,
        animate: !REDUCED_MOTION,
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
      box.appendChild(el("p", "poltwt-legend__title", T.legend || "Legend"));
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
    var keyboard = keyboardAccess(map, container);
    var inView = participantsInView(map, container, function () {
      return KINDS.reduce(function (shown, kind) {
        return map.hasLayer(layers[kind]) ? shown.concat(layers[kind].getLayers()) : shown;
      }, []);
    });
    KINDS.forEach(function (kind) {
      layers[kind].on("animationend", keyboard.update);
    });
    map.on("moveend zoomend", keyboard.schedule);
    map.on("moveend overlayadd overlayremove", inView.schedule);

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
          keyboard.schedule();
          inView.schedule();
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
        label.appendChild(document.createTextNode(" " + (T.onAirOnly || "On air now only")));
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
      var outlines = L.geoJSON(null, {
        pane: BASEMAP_PANE,
        // One canvas instead of ~180 SVG paths: less to lay out and to redraw while panning.
        renderer: L.canvas({pane: BASEMAP_PANE}),
        interactive: false,
        style: function () { return {color: "#9e9e9e", weight: 0.6, fillColor: "#f1f1ee", fillOpacity: 1}; }
      }).addTo(map);
      return inSlices(data.features || [], function (country) { outlines.addData(country); });
    }).then(function () {
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
      return inSlices(data.features, function (feature) {
        var marker = toMarker(feature, icons);
        if (marker) all[feature.properties.kind].push(marker);
      });
    }).then(refresh).then(function () {
      var count = all.agency.length + all.officer.length;
      container.dataset.count = String(count);
      if (container.dataset.onAirFilter === "true") addOnAirFilter();
      if (count === 0) say(T.empty || "No participants are on the map yet.");
      else say(count + (count === 1 ? " participant is" : " participants are") + " on the map.", true);
      container.dataset.ready = "true";
      keyboard.update();
      inView.update();
      focusPermalink();
      return count;
    }).catch(function (error) {
      say(T.loadFailed || "Sorry, the list of participants could not be loaded. Please try again later.");
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

  // The page creates the Leaflet map on DOMContentLoaded (registrations/maps.py), after the deferred
  // libraries have run; this listener, added later, runs after that one.
  if (document.readyState === "complete") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
