// Participant map: draws the packaged basemap and the participants on the Leaflet map that pages/maps.py
// renders. The participants (the compact feed, pages/selectors/map_feed.py) are parsed and clustered by
// supercluster in a Web Worker (participant-map-worker.js); this page asks it for the clusters and points
// inside the view after every move, and only those become Leaflet markers. Every participant's text is
// untrusted, so popups and lists are built with DOM APIs and textContent only: no innerHTML.
//
// Hooks for tests and later features, on the map container:
//   data-ready="true" once the first clusters are drawn ("error" if the data could not be loaded),
//   data-count="N" participants on the map, data-visible-count="N" shown (after the kind and on-air
//   filters), data-drawn="N" views drawn so far, data-tab-stops, data-focused="handle" after a permalink,
//   data-basemap="true" once the country outlines are drawn ("error" if they could not be loaded);
// and window.poltwtMap = {map, layers: {agency, officer}, ready} where ready resolves with the count
// (layers are the overlays of the layers control: a kind is shown while its layer is on the map).
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
  var LEAVES_LIMIT = 100;  // participants listed in a group that no zoom can split (one place)
  var REDUCED_MOTION = Boolean(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  var PIN_ZOOM = 10;  // a pin's permalink opens at about city scale
  var SEARCH_LIMIT = 50;  // search results listed as buttons; the map is fitted to all of them
  // Whether the map shows every edition's accounts (the feed says so): set once it is loaded.
  var ALL_EDITIONS = {shown: false};
  // The country outlines are read in slices of about this many milliseconds, each its own task: a slow
  // phone (four times slower than this machine, as Lighthouse counts it) keeps answering taps meanwhile.
  var SLICE_MS = 5;
  var PAINT_WAIT_MS = 200;

  function text(value) {
    return typeof value === "string" || typeof value === "number" ? String(value) : "";
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }

  function fetchOk(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return response;
    });
  }

  // A task at background priority where the browser has them (scheduler.postTask): the worker's answers
  // (the clusters) and every tap and key go first.
  function backgroundTask() {
    if (window.scheduler && typeof window.scheduler.postTask === "function") {
      return window.scheduler.postTask(function () {}, {priority: "background"});
    }
    return new Promise(function (resolve) { window.setTimeout(resolve, 0); });
  }

  // The page's first view ({build, zoom, items}: pages/selectors/map_feed.py), or null.
  function readFirstView() {
    var script = document.getElementById("poltwt-map-first-view");
    try {
      var view = script ? JSON.parse(script.textContent) : null;
      return view && typeof view.zoom === "number" && Array.isArray(view.items) ? view : null;
    } catch (error) {
      return null;
    }
  }

  // Resolves once the next frame is painted (or after PAINT_WAIT_MS where no frame comes: a hidden tab).
  function painted() {
    return new Promise(function (resolve) {
      var timer = window.setTimeout(resolve, PAINT_WAIT_MS);
      window.requestAnimationFrame(function () {
        window.clearTimeout(timer);
        window.setTimeout(resolve, 0);
      });
    });
  }

  // work(item) for every item, SLICE_MS at a time, each slice a background task; resolves when all are
  // done.
  function inSlices(items, work) {
    var next = 0;
    function slice() {
      var deadline = performance.now() + SLICE_MS;
      while (next < items.length && performance.now() < deadline) work(items[next++]);
      return next < items.length ? backgroundTask().then(slice) : undefined;
    }
    return backgroundTask().then(slice);
  }

  // The worker the page's <head> started (participant-map-start.js), asked questions by message (see
  // participant-map-worker.js). Returns {ask, loaded}: each answer is a promise; loaded is the load's,
  // the request the head sent with id 0.
  function clusterWorker(started) {
    var worker = started.worker;
    var calls = {};
    var next = 1;
    var broken = null;
    var loaded = new Promise(function (resolve, reject) { calls[0] = {resolve: resolve, reject: reject}; });
    function failAll(error) {
      broken = error;
      Object.keys(calls).forEach(function (id) { calls[id].reject(error); });
      calls = {};
    }
    function answer(event) {
      var call = calls[event.data.id];
      if (!call) return;
      delete calls[event.data.id];
      if (event.data.error) call.reject(new Error("map worker: " + event.data.error));
      else call.resolve(event.data.result);
    }
    function failed(event) {
      event.preventDefault();
      failAll(new Error("map worker failed: " + (event.message || "unknown error")));
    }
    // What the worker said before this script ran, in order; then what it says from now on.
    started.early.forEach(function (event) { (event.type === "error" ? failed : answer)(event); });
    worker.onmessage = answer;
    worker.onerror = failed;
    function ask(type, args) {
      if (broken) return Promise.reject(broken);
      return new Promise(function (resolve, reject) {
        var id = next++;
        calls[id] = {resolve: resolve, reject: reject};
        worker.postMessage(Object.assign({id: id, type: type}, args));
      });
    }
    return {ask: ask, loaded: loaded};
  }

  // A labelled line whose value sits in <bdi>, so right-to-left text cannot reorder the label.
  function line(box, className, label, value) {
    if (!value) return;
    var p = el("p", "poltwt-popup__line " + className);
    if (label) p.appendChild(el("span", "poltwt-popup__label", label + ": "));
    p.appendChild(el("bdi", null, value));
    box.appendChild(p);
  }

  function buildPopup(props) {
    var box = el("div", "poltwt-popup");
    var handle = text(props.handle);
    var kind = KINDS.indexOf(props.kind) === -1 ? "agency" : props.kind;
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
    line(box, "poltwt-popup__place", null, [text(props.city), text(props.country)].filter(Boolean).join(", "));
    // The participant's own start ("08:00 Honolulu") and, when known, the same moment in the visitor's zone.
    var start = text(props.localStart);
    if (start && typeof props.startsAt === "number") {
      start += " · " + (T.yourTime || "{time} your time").replace("{time}", localTime(props.startsAt));
    }
    line(box, "poltwt-popup__start", T.starts || "Starts", start);
    // Registrants' own words: text nodes only, like every other line.
    line(box, "poltwt-popup__goal", T.goal || "Local goal", text(props.goal));
    line(box, "poltwt-popup__hashtag", null, text(props.hashtag));
    // "Editions with #poltwt: 3" as the participant list says it (there only from the second edition on);
    // on the all-editions map every account's count is the point.
    if (props.editions > 1 || ALL_EDITIONS.shown) {
      line(box, "poltwt-popup__editions", null,
        (T.editions || "Editions with #poltwt: %(count)s").replace("%(count)s", number(props.editions)));
    }
    addResults(box, props.results);
    return box;
  }

  function number(value) {
    return new Intl.NumberFormat(LANG).format(value);
  }

  // The edition's published figures for the account ("Tweets 568 · Mentions 662") and their source, a
  // link only when it is a web address.
  function addResults(box, results) {
    if (!results || !results.figures.length) return;
    line(box, "poltwt-popup__results", T.results || "Results", results.figures.map(function (figure) {
      return (T[figure[0]] || figure[0]) + " " + number(figure[1]);
    }).join(" · "));
    var name = text(results.sourceName), url = text(results.sourceUrl);
    if (!name && !url) return;
    var p = el("p", "poltwt-popup__line poltwt-popup__source");
    p.appendChild(el("span", "poltwt-popup__label", (T.source || "Source") + ": "));
    if (/^https?:\/\//i.test(url)) {
      var link = el("a", null, name || url);
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      p.appendChild(link);
    } else {
      p.appendChild(el("bdi", null, name || url));
    }
    box.appendChild(p);
  }

  function pointTitle(handle, kind) {
    return (handle ? "@" + handle + ", " : "") + LABELS[kind].one.toLowerCase();
  }

  // One badge per cluster, with a count per kind it holds: agencies and officers at one place are never
  // drawn on top of each other.
  function clusterIcon(item) {
    var parts = [["agency", item.a], ["officer", item.o]].filter(function (part) { return part[1] > 0; });
    var total = item.a + item.o;
    var badge = el("span", "poltwt-cluster__counts");
    parts.forEach(function (part) {
      var kind = part[0], count = part[1];
      var label = el("span", "poltwt-cluster__count poltwt-cluster__count--" + kind, String(count));
      // The count alone would be read out as a bare number.
      var noun = (count === 1 ? LABELS[kind].one : LABELS[kind].many).toLowerCase();
      label.appendChild(el("span", "poltwt-visually-hidden", " " + noun));
      badge.appendChild(label);
    });
    var size = total < 10 ? 30 : total < 100 ? 36 : 44;
    var classes = "poltwt-cluster" + parts.map(function (part) { return " poltwt-cluster--" + part[0]; }).join("");
    if (parts.length > 1) classes += " poltwt-cluster--mixed";
    return L.divIcon({html: badge, className: classes, iconSize: L.point(parts.length > 1 ? size + 22 : size, size)});
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

  // Whether a point of the first view lies in the box [west, south, east, north] (west may be below
  // -180 and east above 180: the map repeats sideways).
  function inBox(item, box) {
    if (item.lat < box[1] || item.lat > box[3]) return false;
    if (box[2] - box[0] >= 360) return true;
    return (((item.lng - box[0]) % 360) + 360) % 360 <= box[2] - box[0];
  }

  // The view as supercluster's box [west, south, east, north], latitudes within the Mercator limits.
  function viewBox(map) {
    var b = map.getBounds();
    return [b.getWest(), Math.max(-85.06, b.getSouth()), b.getEast(), Math.min(85.06, b.getNorth())];
  }

  // Keyboard access to the points. Leaflet makes every marker a Tab stop, so a keyboard user would walk
  // through all of them before reaching the rest of the page. Here the points form one Tab stop (a roving
  // tabindex): Tab enters at one point, the arrow keys move between points (left to right, top to bottom),
  // Home/End jump to the first/last, Enter or Space zooms into a cluster or opens a participant's popup,
  // and Escape closes the popup and puts the focus back on its marker. After Enter on a cluster the focus
  // goes to the point of the new view nearest to where the cluster was.
  function keyboardAccess(map, container, activate) {
    var current = null;
    var focusNear = null;  // a LatLng: focus the point nearest to it at the next update
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
      });
    }

    function setCurrent(icon, focus) {
      current = icon;
      if (icon) {
        icon.setAttribute("tabindex", "0");
        if (focus) icon.focus({preventScroll: true});
      }
    }

    function nearest(placed, latlng) {
      var target = map.latLngToContainerPoint(latlng);
      var box = container.getBoundingClientRect();
      var best = null, bestDistance = Infinity;
      placed.forEach(function (p) {
        var dx = p.rect.left + p.rect.width / 2 - box.left - target.x;
        var dy = p.rect.top + p.rect.height / 2 - box.top - target.y;
        var distance = dx * dx + dy * dy;
        if (distance < bestDistance) { best = p.icon; bestDistance = distance; }
      });
      return best;
    }

    // After each drawing of the view: exactly one point is the Tab stop.
    function update() {
      var placed = icons();
      var all = placed.map(function (p) { return p.icon; });
      var pane = map.getPane("markerPane");
      Array.prototype.forEach.call(pane.querySelectorAll(".poltwt-marker, .poltwt-cluster"), function (icon) {
        icon.setAttribute("tabindex", "-1");
      });
      var keep = current && all.indexOf(current) !== -1 ? current : all[0] || null;
      var focus = focusNear !== null;
      if (focus) keep = nearest(placed, focusNear) || keep;
      focusNear = null;
      setCurrent(keep, focus);
      container.dataset.tabStops = String(pane.querySelectorAll('[tabindex="0"]').length);
    }

    container.addEventListener("keydown", function (event) {
      var icon = event.target.closest && event.target.closest(".poltwt-marker, .poltwt-cluster");
      if (event.key === "Escape" && lastOpened && lastOpened.isPopupOpen && lastOpened.isPopupOpen()) {
        event.preventDefault();
        event.stopPropagation();
        var source = lastOpened;
        map.closePopup();
        var element = source.getElement && source.getElement();
        if (element) setCurrent(element, true);
        return;
      }
      if (!icon) return;
      var all = icons().map(function (p) { return p.icon; });
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
      // Keyboard users land in the popup; its first link or button (or the close button) takes the focus.
      var opener = lastOpened && lastOpened.getElement && lastOpened.getElement();
      if (opener && document.activeElement === opener) {
        var target = event.popup.getElement().querySelector(
          ".leaflet-popup-content a, .leaflet-popup-content button, .leaflet-popup-close-button");
        if (target) target.focus({preventScroll: true});
      }
    });
    map.on("popupclose", function (event) {
      var source = event.popup._source;
      var element = source && source.getElement && source.getElement();
      // Closed with the close button or Escape while inside the popup: back to the marker.
      if (element && event.popup.getElement().contains(document.activeElement)) setCurrent(element, true);
    });

    return {update: update, focusNear: function (latlng) { focusNear = latlng; }};
  }

  // The text alternative: below the map, the participants inside its current view, updated as it moves.
  function participantsInView(map, ask) {
    var box = document.querySelector("[data-map-list]");
    var timer = null;
    var asked = 0;
    if (!box) return {schedule: function () {}};
    var heading = box.querySelector("[data-map-list-heading]");
    var list = box.querySelector("[data-map-list-items]");
    var more = box.querySelector("[data-map-list-more]");
    var texts = box.dataset;

    function fill(template, count) {
      return template.replace("{count}", String(count));
    }

    function show(found) {
      heading.textContent = fill(found.count === 1 ? texts.headingOne : texts.heading, found.count);
      var items = document.createDocumentFragment();
      found.rows.forEach(function (row) {
        var item = el("li");
        item.appendChild(el("bdi", "fw-bold", "@" + text(row.handle)));
        var details = [
          row.kind === "agency" ? texts.agency : texts.officer,
          text(row.name),
          [text(row.city), text(row.country)].filter(Boolean).join(", ")
        ].filter(Boolean).join(" · ");
        item.appendChild(document.createTextNode(" – "));
        item.appendChild(el("bdi", null, details));
        items.appendChild(item);
      });
      list.replaceChildren(items);
      more.textContent = found.count > LIST_LIMIT ? fill(texts.more, found.count - LIST_LIMIT) : "";
      box.dataset.count = String(found.count);
    }

    function update() {
      timer = null;
      var mine = ++asked;
      ask("inView", {bbox: viewBox(map), limit: LIST_LIMIT}).then(function (found) {
        if (mine === asked) show(found);
      }).catch(function (error) { console.warn("poltwt: list in view not updated:", error); });
    }

    function schedule() {
      if (timer !== null) window.clearTimeout(timer);
      timer = window.setTimeout(update, 150);
    }

    return {schedule: schedule};
  }

  // The filters and search a link asks for: /map/?kind=agency&country=GB&q=policia&on_air=now. A kind
  // other than agency or officer ("none", garbage) shows no kind, as the participant list does.
  function readState() {
    var params = new URLSearchParams(window.location.search);
    var kind = params.get("kind") || "";
    return {
      q: (params.get("q") || "").trim().slice(0, 100),
      country: (params.get("country") || "").trim().toUpperCase().slice(0, 2),
      kinds: {agency: !kind || kind === "agency", officer: !kind || kind === "officer"},
      onAir: params.get("on_air") === "now"
    };
  }

  // The map's search: a query (handle, agency, city or country, accents and case ignored: fold.js) finds
  // participants among those shown; one is opened on the map, several are listed as buttons (under the
  // map) and the map is fitted to them all; the result is announced (role="status"). The page's own form
  // (templates/pages/map.html, with the country filter) drives it; the embed, which has none, gets a
  // small form and the answer on the map.
  function searchPanel(map, container, hooks) {
    var current = hooks.current;
    var form = document.querySelector("[data-map-filters]");
    var box = el("div", "poltwt-search leaflet-control");
    var input, country = null;
    if (form) {
      input = form.querySelector('input[name="q"]');
      country = form.querySelector('select[name="country"]');
    } else {
      form = el("form", "poltwt-search__form");
      form.setAttribute("role", "search");
      input = el("input", "poltwt-search__input");
      input.type = "search";
      input.name = "q";
      input.maxLength = 100;
      input.autocomplete = "off";
      input.id = container.id + "-search";
      var label = el("label", "poltwt-search__label", T.searchLabel || "Search the map");
      label.htmlFor = input.id;
      var button = el("button", "poltwt-search__button", T.search || "Search");
      button.type = "submit";
      form.append(label, input, button);
      box.appendChild(form);
    }
    var status = el("p", "poltwt-search__status");
    status.setAttribute("role", "status");
    var list = el("ul", "poltwt-search__list");
    list.setAttribute("aria-label", T.searchResults || "Search results");
    list.hidden = true;
    box.append(status, list);
    // On the page, right under the map: a panel over the map would hide the points under it (on a phone,
    // most of them). The embed has no room but the map's.
    var place = document.querySelector("[data-map-search-results]");
    if (place) place.appendChild(box);
    else control("topleft", function () { return box; }).addTo(map);

    input.value = current.q;
    if (country) {
      // A code no participant of this map has (an old link) is no filter.
      var known = Array.prototype.some.call(country.options, function (o) { return o.value === current.country; });
      if (!known) current.country = "";
      country.value = current.country;
    }

    function fill(template, count, query) {
      return String(template || "").replace("{count}", String(count)).replace("{query}", query);
    }

    function idle() {
      box.classList.toggle("poltwt-search--idle", !status.textContent && !box.contains(form));
    }

    function clear() {
      status.textContent = "";
      list.replaceChildren();
      list.hidden = true;
      delete container.dataset.searchCount;
      idle();
    }

    function resultButton(row) {
      var button = el("button", "poltwt-search__result");
      button.type = "button";
      button.appendChild(el("bdi", "poltwt-search__handle", "@" + text(row.handle)));
      var details = [
        LABELS[row.kind] ? LABELS[row.kind].one : "",
        text(row.name),
        [text(row.city), text(row.country)].filter(Boolean).join(", ")
      ].filter(Boolean).join(" · ");
      button.appendChild(document.createTextNode(" – "));
      button.appendChild(el("bdi", null, details));
      button.addEventListener("click", function () {
        hooks.focusOn({i: row.i}).then(function (props) {
          // Into the popup, as from a group's list; Escape then goes back to the participant's marker.
          var target = props && map.getContainer().querySelector(".leaflet-popup-content a");
          if (target) target.focus({preventScroll: true});
        });
      });
      var item = el("li");
      item.appendChild(button);
      return item;
    }

    function show(found, query) {
      var template = found.count === 0 ? T.searchNone : found.count === 1 ? T.searchOne : T.searchMany;
      var message = fill(template || "{count} participants match “{query}”.", found.count, query);
      if (found.count > found.rows.length) message += " " + fill(T.searchMore, found.rows.length, query);
      status.textContent = message;
      list.replaceChildren();
      if (found.count > 1) found.rows.forEach(function (row) { list.appendChild(resultButton(row)); });
      list.hidden = found.count < 2;
      container.dataset.searchCount = String(found.count);
      idle();
    }

    // Search the participants shown for the current query; `zoom` moves the map to what it finds.
    var asked = 0;
    function run(zoom) {
      var mine = ++asked;
      var query = current.q;
      return hooks.ask("search", {query: query, limit: SEARCH_LIMIT}).then(function (found) {
        if (mine !== asked) return null;
        show(found, query);
        if (!zoom) return null;
        if (found.count === 1) return hooks.focusOn({i: found.rows[0].i});
        hooks.fitBox(found.bbox);
        return null;
      });
    }

    function apply() {
      var query = input.value.trim().slice(0, 100);
      var code = country ? country.value : current.country;
      var countryChanged = code !== current.country;
      current.q = query;
      // Before the map is loaded, the first drawing applies what was chosen meanwhile.
      if (container.dataset.ready !== "true") return;
      hooks.saved(true);
      var filtering = countryChanged ? hooks.changeCountry(code) : Promise.resolve(null);
      filtering.then(function (shownBox) {
        if (query) return run(true);
        clear();
        if (countryChanged) hooks.fitBox(shownBox);
        return null;
      }).catch(function (error) { console.warn("poltwt: search failed:", error); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply();
    });
    if (country) country.addEventListener("change", apply);
    // The clear button of a search field.
    input.addEventListener("search", function () { if (!input.value) apply(); });
    idle();
    return {run: run};
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
    var started = window.poltwtMapWorker;
    if (typeof L === "undefined" || !(map instanceof L.Map) || !started) {
      say(T.startFailed || "The map could not be started. Please reload the page.");
      container.dataset.ready = "error";
      var failed = Promise.reject(new Error("poltwt: Leaflet map or map worker not available"));
      failed.catch(function () {});
      return {map: null, layers: {}, ready: failed};
    }
    L.DomEvent.disableClickPropagation(status);

    var worker = clusterWorker(started);
    var ask = worker.ask;
    var loaded = worker.loaded;

    // The overlays of the layers control: empty groups whose presence on the map says a kind is shown.
    var layers = {};
    var overlays = {};
    KINDS.forEach(function (kind) {
      layers[kind] = L.layerGroup().addTo(map);
      overlays[LABELS[kind].many] = layers[kind];
    });
    // The filters a link or a reload asks for (/map/?kind=agency&country=GB&q=...): the kinds are the
    // layers control's boxes, so they are set before it is drawn.
    var current = readState();
    KINDS.forEach(function (kind) { if (!current.kinds[kind]) map.removeLayer(layers[kind]); });
    L.control.layers(null, overlays, {collapsed: false, position: "topright"}).addTo(map);
    var points = L.layerGroup().addTo(map);

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

    var icons = {};
    KINDS.forEach(function (kind) {
      icons[kind] = L.divIcon({className: "poltwt-marker poltwt-marker--" + kind, iconSize: [14, 14]});
    });

    // The markers on the map, by key ("c<cluster id>" or "p<participant>"): kept across redraws while
    // they stay in view, so that the focused one and an open popup survive a pan.
    var drawn = new Map();
    var byElement = new WeakMap();
    var drawing = 0;
    var drawCount = 0;
    // The opening view, clustered on the server as the worker clusters it (pages/clustering.py), came
    // with the page: it is drawn at once, before the worker has loaded the feed.
    var firstView = readFirstView();
    var firstBuild = firstView && firstView.build;

    function markerFor(item) {
      var cluster = item.c !== undefined;
      var key = cluster ? "c" + item.c : "p" + item.i;
      var marker = drawn.get(key);
      if (marker) return {key: key, marker: marker};
      if (cluster) {
        marker = L.marker([item.lat, item.lng], {icon: clusterIcon(item), title: ""});
      } else {
        var kind = KINDS[item.k];
        marker = L.marker([item.lat, item.lng], {icon: icons[kind], title: pointTitle(text(item.h), kind)});
      }
      marker.poltwtItem = item;
      // Once a popup is bound, Leaflet's own click handler opens and closes it.
      marker.on("click", function () { if (!marker.getPopup()) activateMarker(marker); });
      marker.on("add", function () { byElement.set(marker.getElement(), marker); });
      return {key: key, marker: marker};
    }

    function draw() {
      var mine = ++drawing;
      var zoom = map.getZoom();
      var box = viewBox(map);
      var first = firstView;
      firstView = null;  // only for the opening view: every later one is the worker's
      var answer = first && first.zoom === zoom
        ? Promise.resolve(first.items.filter(function (item) { return inBox(item, box); }))
        : ask("clusters", {bbox: box, zoom: zoom});
      return answer.then(function (items) {
        if (mine !== drawing) return;  // the view moved on meanwhile
        var west = box[0], east = box[2];
        var keep = new Map();
        items.forEach(function (item) {
          // A point in the world copy being looked at (the map repeats sideways).
          var lng = item.lng;
          while (lng < west) lng += 360;
          while (lng > east) lng -= 360;
          if (lng < west) lng = item.lng;
          item.lng = lng;
          var found = markerFor(item);
          var position = found.marker.getLatLng();
          if (position.lng !== lng || position.lat !== item.lat) found.marker.setLatLng([item.lat, lng]);
          keep.set(found.key, found.marker);
        });
        drawn.forEach(function (marker, key) {
          if (keep.has(key)) return;
          // The focused point leaves the view (a cluster splitting, a participant joining one): the point
          // drawn nearest to it takes the focus.
          if (document.activeElement === marker.getElement()) keyboard.focusNear(marker.getLatLng());
          points.removeLayer(marker);
        });
        keep.forEach(function (marker, key) {
          if (!drawn.has(key)) points.addLayer(marker);
        });
        drawn = keep;
        // The Tab stop is chosen by where the icons are laid out: read once the new frame is painted,
        // rather than forcing a layout of the whole page before the clusters can show.
        return painted().then(function () {
          if (mine !== drawing) return;  // the next drawing updates the Tab stop
          drawCount += 1;
          container.dataset.drawn = String(drawCount);
          keyboard.update();
        });
      });
    }

    function openParticipant(marker, i) {
      return ask("details", {i: i}).then(function (props) {
        marker.bindPopup(buildPopup(props), {maxWidth: 300, maxHeight: 260}).openPopup();
        return props;
      });
    }

    // A group no zoom can split (the same place): its participants, each a button opening their details.
    function openLeaves(marker) {
      var item = marker.poltwtItem;
      return ask("leaves", {c: item.c, limit: LEAVES_LIMIT}).then(function (rows) {
        var box = el("div", "poltwt-popup poltwt-popup--group");
        var list = el("ul", "poltwt-popup__group");
        rows.forEach(function (row) {
          var kind = KINDS[row.k];
          var button = el("button", "poltwt-popup__member", pointTitle(text(row.h), kind));
          button.type = "button";
          button.addEventListener("click", function () {
            ask("details", {i: row.i}).then(function (props) {
              marker.getPopup().setContent(buildPopup(props));
              var link = marker.getPopup().getElement().querySelector(".leaflet-popup-content a");
              if (link) link.focus({preventScroll: true});
            });
          });
          var entry = el("li");
          entry.appendChild(button);
          list.appendChild(entry);
        });
        box.appendChild(list);
        var total = item.a + item.o;
        if (total > rows.length) box.appendChild(el("p", "poltwt-popup__line", "+" + (total - rows.length)));
        marker.bindPopup(box, {maxWidth: 300, maxHeight: 260}).openPopup();
      });
    }

    function activateMarker(marker) {
      var item = marker.poltwtItem;
      if (item.c === undefined) {
        if (marker.getPopup()) marker.openPopup();  // its details were fetched before
        else openParticipant(marker, item.i);
        return;
      }
      ask("expand", {c: item.c}).then(function (zoom) {
        if (zoom > map.getMaxZoom() || map.getZoom() >= map.getMaxZoom()) {
          openLeaves(marker);
          return;
        }
        keyboard.focusNear(marker.getLatLng());
        map.setView(marker.getLatLng(), Math.min(zoom, map.getMaxZoom()), {animate: !REDUCED_MOTION});
      });
    }

    var keyboard = keyboardAccess(map, container, function (icon) {
      var marker = byElement.get(icon);
      if (marker) activateMarker(marker);
    });
    var inView = participantsInView(map, ask);
    map.on("moveend", function () {
      draw().catch(function (error) { console.warn("poltwt: map not redrawn:", error); });
      inView.schedule();
    });

    var onAirBox = null;
    function shownKinds() {
      return KINDS.map(function (kind, index) { return map.hasLayer(layers[kind]) ? index : -1; })
        .filter(function (index) { return index !== -1; });
    }

    // The filters changed (a kind switched in the layers control, "on air now", the country, the time):
    // the worker clusters again the participants now shown, then the view is drawn from the new
    // clusters. Resolves with the box around those shown (null if none), or null if overtaken.
    var refreshing = null;
    function refresh() {
      var onlyOnAir = onAirBox !== null && onAirBox.checked;
      refreshing = ask("filter", {kinds: shownKinds(), onAirAt: onlyOnAir ? Date.now() : null,
        country: current.country});
      var mine = refreshing;
      saveState(false);
      return refreshing.then(function (result) {
        if (mine !== refreshing) return null;
        showCounts(result.counts);
        inView.schedule();
        return draw().then(function () { return result.bbox; });
      });
    }

    // The filters in the page's address, so that a reload or a shared link shows the same map. Kept with
    // replaceState: changing a filter is not a new page to go back from.
    function saveState(dropPin) {
      var params = new URLSearchParams(window.location.search);
      // The pin of a permalink was where the map opened; a new search replaces it.
      if (dropPin) params.delete("p");
      function put(name, value) {
        if (value) params.set(name, value);
        else params.delete(name);
      }
      put("q", current.q);
      put("country", current.country);
      var kinds = shownKinds();
      put("kind", kinds.length === KINDS.length ? "" : kinds.length === 1 ? KINDS[kinds[0]] : "none");
      if (onAirBox !== null) put("on_air", onAirBox.checked ? "now" : params.has("on_air") ? "1" : "");
      var query = params.toString();
      window.history.replaceState(window.history.state, "",
        window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    }

    function fitBox(box) {
      if (!box) return;
      map.fitBounds([[box[1], box[0]], [box[3], box[2]]],
        {maxZoom: PIN_ZOOM, padding: [24, 24], animate: !REDUCED_MOTION});
    }

    function showCounts(counts) {
      KINDS.forEach(function (kind) { legendLabels[kind].textContent = legendText(kind, counts[kind]); });
      container.dataset.visibleCount = String(counts.agency + counts.officer);
    }

    function addOnAirFilter() {
      control("topright", function () {
        var box = el("div", "poltwt-onair leaflet-control");
        var label = el("label");
        onAirBox = el("input");
        onAirBox.type = "checkbox";
        onAirBox.checked = current.onAir;
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
    fetchOk(container.dataset.basemapUrl).then(function (response) {
      return response.json();
    }).then(function (data) {
      var outlines = L.geoJSON(null, {
        pane: BASEMAP_PANE,
        // One canvas instead of ~180 SVG paths: less to lay out and to redraw while panning.
        renderer: L.canvas({pane: BASEMAP_PANE}),
        interactive: false,
        style: function () { return {color: "#9e9e9e", weight: 0.6, fillColor: "#f1f1ee", fillOpacity: 1}; }
      });
      // Built off the map and added once: on the map, each slice would have the canvas redraw every
      // outline added so far.
      return inSlices(data.features || [], function (country) { outlines.addData(country); }).then(function () {
        outlines.addTo(map);
      });
    }).then(function () {
      container.dataset.basemap = "true";
    }).catch(function (error) {
      container.dataset.basemap = "error";
      console.warn("poltwt: basemap not drawn:", error);
    });

    // Open the map on one participant ({handle} or {i}, the feed's number) with its popup. Resolves with
    // its details, or null when it is not among the participants shown.
    function focusOn(request) {
      var zoom = Math.max(map.getZoom(), PIN_ZOOM);
      return ask("find", Object.assign({zoom: zoom}, request)).then(function (found) {
        if (!found || !found.shown) return null;
        // Close enough that the participant stands alone (or, sharing a place with others, at the
        // deepest zoom, where its popup opens on the group).
        map.setView([found.lat, found.lng], found.zoom === null ? map.getMaxZoom() : found.zoom, {animate: false});
        return draw().then(function () {
          var marker = drawn.get("p" + found.i) || nearestCluster(found);
          return marker ? openParticipant(marker, found.i) : null;
        });
      });
    }

    // A pin's permalink (/map/?p=handle): open the map on that participant with its popup. The value is
    // only compared with handles and shown with textContent, so any characters in it are harmless.
    function focusPermalink(wanted) {
      wanted = wanted.replace(/^@/, "").slice(0, 50);
      return focusOn({handle: wanted}).then(function (props) {
        if (props) {
          container.dataset.focused = props.handle.toLowerCase();
          return;
        }
        var messages = document.getElementById("pin-messages");
        var template = (messages && messages.dataset.notFound) || "@%s is not on this map.";
        say(template.replace("%s", wanted));
        container.dataset.focused = "none";
      });
    }

    var search = searchPanel(map, container, {
      current: current,
      ask: ask,
      focusOn: focusOn,
      fitBox: fitBox,
      // A new country: cluster again, then show its participants (or what the query finds among them).
      changeCountry: function (country) {
        current.country = country;
        return refresh();
      },
      saved: saveState
    });

    function nearestCluster(found) {
      var target = L.latLng(found.lat, found.lng), best = null, distance = Infinity;
      drawn.forEach(function (marker) {
        var d = marker.getLatLng().distanceTo(target);
        if (marker.poltwtItem.c !== undefined && d < distance) { best = marker; distance = d; }
      });
      return best;
    }

    // After the first drawing: the filters of the address, then its pin (?p=) or its search (?q=).
    function restoreState() {
      var pin = new URLSearchParams(window.location.search).get("p");
      var filtered = current.country || current.onAir || shownKinds().length !== KINDS.length;
      var filtering = filtered ? refresh() : Promise.resolve(null);
      return filtering.then(function (box) {
        if (pin) return focusPermalink(pin);
        if (current.q) return search.run(true);
        if (current.country) fitBox(box);
        return null;
      });
    }

    // In a task of its own: the page's own setting up is one already.
    if (firstView) window.setTimeout(draw, 0);
    var ready = loaded.then(function (result) {
      ALL_EDITIONS.shown = result.edition === "all";
      showCounts(result.counts);
      firstView = null;  // from now on the worker answers
      if (firstBuild && result.build !== firstBuild) {
        // The page's first view is of other data than the feed (it changed between the two requests):
        // none of its markers may stay, even one whose number the worker gives to another cluster.
        drawn.forEach(function (marker) { points.removeLayer(marker); });
        drawn = new Map();
      }
      return draw().then(function () { return result.count; });
    }).then(function (count) {
      container.dataset.count = String(count);
      if (container.dataset.onAirFilter === "true") addOnAirFilter();
      map.on("overlayadd overlayremove", function () {
        refresh().then(function () { if (current.q) search.run(false); });
      });
      if (count === 0) say(T.empty || "No participants are on the map yet.");
      else say(count + (count === 1 ? " participant is" : " participants are") + " on the map.", true);
      container.dataset.ready = "true";
      inView.schedule();
      return restoreState().then(function () { return count; });
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

  // The page creates the Leaflet map on DOMContentLoaded (pages/maps.py), after the deferred libraries
  // have run; this listener, added later, runs after that one, and sets the map up in a task of its own
  // (each of the two is a long task on a slow phone; together they would keep it from a tap twice as
  // long).
  if (document.readyState === "complete") start();
  else document.addEventListener("DOMContentLoaded", function () { window.setTimeout(start, 0); });
})();
