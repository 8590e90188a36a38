// Participant map worker: holds the participants and clusters them with supercluster, off the page's
// main thread, so that parsing and clustering 100,000 points never blocks a tap or a key.
//
// The page asks questions by message: {id, type, ...arguments} is answered with {id, result} or
// {id, error}. The first, sent from the page's <head> (participant-map-start.js), is the load; the others
// come from participant-map.js once it has the answer.
//   load     {url, library, fold, maxZoom}  fetch and parse the map feed (pages/selectors/map_feed.py),
//                                  load supercluster from `library` and the folding rule from `fold`
//                                  (static/js/fold.js): {count, counts, edition, build}
//                                  Requests sent before it is done wait for it.
//   filter   {kinds, onAirAt, country}  cluster only these kinds (those on air at onAirAt ms, of that
//                                  country code if any): {counts, bbox of those shown or null}
//   clusters {bbox, zoom}          clusters and points in the box: [{c, lat, lng, a, o} | {i, lat, lng, k, h}]
//   expand   {c}                   the zoom at which cluster c splits
//   leaves   {c, limit}            up to `limit` participants of cluster c: [{i, k, h}]
//   details  {i}                   everything a popup shows about participant i
//   inView   {bbox, limit}         how many shown participants are in the box, and the first `limit`
//   find     {handle | i, zoom}    participant by handle (or number), and the first zoom from `zoom`
//                                  where it stands alone
//   search   {query, limit}        shown participants whose handle, agency, city or country holds every word
//                                  of the query, accents and case ignored: {count, rows (the first `limit`),
//                                  bbox}
// Every string stays data: the page puts it in the DOM with textContent only.
//
// Two supercluster indexes share the zooms: the world's (zooms up to WORLD_MAX_ZOOM) and the close one
// (the zooms past it). The world's is built first: its few levels take about a third of the time of all
// of them, so the page's first view is drawn while the close index is still to come. That one is built
// after the first clusters are answered, or as soon as a request needs it. A cluster of the world's
// index has a negative number (-1 - its supercluster id), so that each question goes to the index that
// made the cluster.
"use strict";

var KINDS = ["agency", "officer"];
// Clusters are made up to the map's deepest zoom (sent with the feed): participants still together there
// share a place, and the page lists them instead of zooming further.
var clusterMaxZoom = 18;
var RADIUS = 60;  // px: about the size of a cluster badge and a half
// The world's index: the map opens at zoom 2 (pages/maps.py) and a phone may fit zoom 1; two zooms more
// are cheap, and spare a wait at the first zoom in.
var WORLD_MAX_ZOOM = 4;

var feed = null;
var points = null;  // the participants shown, as supercluster's input
var world = null;  // supercluster for zooms up to WORLD_MAX_ZOOM
var close = null;  // supercluster for the zooms past it, null until built
var closeSoon = null;  // the timer that will build it
var shown = null;  // Uint8Array: 1 where the participant passes the filter
var byHandle = null;
var folded = null;  // the feed's texts and handles folded for searching, once the first search asks

function column(name, length) {
  var value = feed[name];
  if (!Array.isArray(value) || value.length !== length) throw new Error("map feed: bad column " + name);
  return value;
}

function load(message) {
  // The feed's request goes out first; the libraries load while it is on its way.
  var response = fetch(message.url, {credentials: "same-origin"});
  importScripts(message.library, message.fold);
  if (typeof message.maxZoom === "number" && message.maxZoom >= 0) clusterMaxZoom = message.maxZoom;
  return response.then(function (answer) {
    if (!answer.ok) throw new Error("HTTP " + answer.status + " for the map feed");
    return answer.json();
  }).then(loaded);
}

function loaded(data) {
  if (!data || data.version !== 1 || typeof data.count !== "number") throw new Error("map feed: unknown format");
  feed = data;
  ["lat", "lng", "kind", "handle", "name", "city", "country", "code", "goal", "hashtag", "when"].forEach(function (name) {
    column(name, data.count);
  });
  if (!Array.isArray(data.text) || !Array.isArray(data.windows)) throw new Error("map feed: bad tables");
  // The sparse columns: only the participants they say something about.
  ["editions", "results"].forEach(function (name) {
    if (!data[name] || typeof data[name] !== "object") data[name] = {};
  });
  if (!Array.isArray(data.measures)) data.measures = [];
  return {count: data.count, counts: filter({kinds: [0, 1], onAirAt: null, country: ""}).counts,
    edition: data.edition, build: data.build};
}

function onAir(i, at) {
  var win = feed.windows[feed.when[i]];
  return Boolean(win) && win[1] !== null && win[2] !== null && win[1] * 1000 <= at && at < win[2] * 1000;
}

// [west, south, east, north] around the participants added to it, or null for none.
function bounds() {
  var box = null;
  return {
    add: function (i) {
      var lat = feed.lat[i], lng = feed.lng[i];
      if (box === null) box = [lng, lat, lng, lat];
      else box = [Math.min(box[0], lng), Math.min(box[1], lat), Math.max(box[2], lng), Math.max(box[3], lat)];
    },
    get: function () { return box; }
  };
}

function filter(message) {
  var wanted = [false, false];
  message.kinds.forEach(function (kind) { wanted[kind] = true; });
  var at = message.onAirAt;
  var country = message.country ? feed.text.indexOf(String(message.country)) : -1;
  var chosen = [];
  var counts = {agency: 0, officer: 0};
  var box = bounds();
  shown = new Uint8Array(feed.count);
  for (var i = 0; i < feed.count; i++) {
    var kind = feed.kind[i];
    if (!wanted[kind] || (at !== null && !onAir(i, at))) continue;
    // A country no participant has (a code from an old link) leaves nobody on the map.
    if (message.country && feed.code[i] !== country) continue;
    var lat = feed.lat[i], lng = feed.lng[i];
    if (typeof lat !== "number" || typeof lng !== "number" || Math.abs(lat) > 90 || Math.abs(lng) > 180) continue;
    shown[i] = 1;
    counts[KINDS[kind]] += 1;
    box.add(i);
    chosen.push({type: "Feature", geometry: {type: "Point", coordinates: [lng, lat]}, properties: {i: i, k: kind}});
  }
  points = chosen;
  world = supercluster(0, Math.min(WORLD_MAX_ZOOM, clusterMaxZoom)).load(points);
  close = null;
  return {counts: counts, bbox: box.get()};
}

function supercluster(minZoom, maxZoom) {
  return new Supercluster({
    radius: RADIUS,
    minZoom: minZoom,
    maxZoom: maxZoom,
    // Each cluster counts its agencies (a) and officers (o): one badge shows both, so neither kind's
    // clusters can hide the other's.
    map: function (props) { return {a: props.k === 0 ? 1 : 0, o: props.k === 1 ? 1 : 0}; },
    reduce: function (into, props) { into.a += props.a; into.o += props.o; }
  });
}

// The index that clusters at this zoom; the close one is built when first needed.
function indexAt(zoom) {
  if (zoom <= WORLD_MAX_ZOOM || clusterMaxZoom <= WORLD_MAX_ZOOM) return world;
  if (close === null) close = supercluster(WORLD_MAX_ZOOM + 1, clusterMaxZoom).load(points);
  return close;
}

// Build the close index in a task of its own once the page has its first view (or its new filter).
function buildCloseSoon() {
  if (close !== null || closeSoon !== null) return;
  closeSoon = setTimeout(function () {
    closeSoon = null;
    indexAt(WORLD_MAX_ZOOM + 1);
  }, 0);
}

// A cluster's number as the page knows it, and back: the world index's are negative.
function clusterNumber(index, id) {
  return index === world ? -1 - id : id;
}

function clusterIndex(c) {
  return c < 0 ? {index: world, id: -1 - c} : {index: indexAt(WORLD_MAX_ZOOM + 1), id: c};
}

function clusters(message) {
  var index = indexAt(message.zoom);
  var found = index.getClusters(message.bbox, message.zoom).map(function (feature) {
    var p = feature.properties, xy = feature.geometry.coordinates;
    if (p.cluster) return {c: clusterNumber(index, p.cluster_id), lat: xy[1], lng: xy[0], a: p.a, o: p.o};
    return {i: p.i, lat: xy[1], lng: xy[0], k: p.k, h: feed.handle[p.i]};
  });
  buildCloseSoon();
  return found;
}

function expand(message) {
  var cluster = clusterIndex(message.c);
  return cluster.index.getClusterExpansionZoom(cluster.id);
}

function leaves(message) {
  var cluster = clusterIndex(message.c);
  return cluster.index.getLeaves(cluster.id, message.limit, 0).map(function (feature) {
    var i = feature.properties.i;
    return {i: i, k: feed.kind[i], h: feed.handle[i]};
  });
}

function text(i, name) {
  var value = feed.text[feed[name][i]];
  return typeof value === "string" ? value : "";
}

function details(message) {
  var i = message.i;
  var win = feed.windows[feed.when[i]] || ["", null, null];
  return {
    i: i,
    handle: String(feed.handle[i]),
    kind: KINDS[feed.kind[i]],
    name: text(i, "name"),
    city: text(i, "city"),
    country: text(i, "country"),
    goal: text(i, "goal"),
    hashtag: text(i, "hashtag"),
    localStart: typeof win[0] === "string" ? win[0] : "",
    startsAt: typeof win[1] === "number" ? win[1] * 1000 : null,
    editions: typeof feed.editions[i] === "number" ? feed.editions[i] : 1,
    results: results(i),
    lat: feed.lat[i],
    lng: feed.lng[i]
  };
}

// The participant's published figures ([[measure, number], ...], in the feed's order) and their source.
function results(i) {
  var row = feed.results[i];
  if (!Array.isArray(row)) return null;
  var figures = [];
  feed.measures.forEach(function (measure, n) {
    if (typeof row[n] === "number") figures.push([String(measure), row[n]]);
  });
  var n = feed.measures.length;
  var name = feed.text[row[n]], url = feed.text[row[n + 1]];
  return {
    figures: figures,
    sourceName: typeof name === "string" ? name : "",
    sourceUrl: typeof url === "string" ? url : ""
  };
}

// Whether longitude lng lies in [west, east], the box possibly spanning the antimeridian or the world.
function inLongitudes(lng, west, east) {
  if (east - west >= 360) return true;
  return (((lng - west) % 360) + 360) % 360 <= east - west;
}

function inView(message) {
  var box = message.bbox, rows = [], count = 0;
  for (var i = 0; i < feed.count; i++) {
    if (!shown[i]) continue;
    var lat = feed.lat[i];
    if (lat < box[1] || lat > box[3] || !inLongitudes(feed.lng[i], box[0], box[2])) continue;
    count += 1;
    // The feed is in the list's order already (country, city, handle).
    if (rows.length < message.limit) {
      rows.push({handle: String(feed.handle[i]), kind: KINDS[feed.kind[i]], name: text(i, "name"),
        city: text(i, "city"), country: text(i, "country")});
    }
  }
  return {count: count, rows: rows};
}

function find(message) {
  if (byHandle === null) {
    byHandle = new Map();
    feed.handle.forEach(function (handle, i) { byHandle.set(String(handle).toLowerCase(), i); });
  }
  var i = typeof message.i === "number" ? message.i : byHandle.get(String(message.handle).toLowerCase());
  if (i === undefined || i < 0 || i >= feed.count) return null;
  var found = {i: i, lat: feed.lat[i], lng: feed.lng[i], k: feed.kind[i], shown: Boolean(shown[i]), zoom: null};
  if (!found.shown) return found;
  var pad = 1e-6;
  var box = [found.lng - pad, found.lat - pad, found.lng + pad, found.lat + pad];
  for (var zoom = message.zoom; zoom <= clusterMaxZoom; zoom++) {
    var alone = indexAt(zoom).getClusters(box, zoom).some(function (f) { return !f.properties.cluster && f.properties.i === i; });
    if (alone) {
      found.zoom = zoom;
      break;
    }
  }
  return found;
}

function foldedColumn(name) {
  if (folded === null) folded = {text: new Array(feed.text.length), handle: new Array(feed.count)};
  return name === "handle" ? folded.handle : folded.text;
}

function foldedAt(name, i) {
  var cache = foldedColumn(name);
  var at = name === "handle" ? i : feed[name][i];
  if (cache[at] === undefined) {
    cache[at] = poltwtFold(name === "handle" ? feed.handle[i] : feed.text[at]);
  }
  return cache[at];
}

var SEARCHED = ["handle", "name", "city", "country"];

function search(message) {
  // "@PaloAltoPolice" is a handle too: the @ is not part of it.
  var words = poltwtFold(String(message.query).slice(0, 100)).split(/\s+/).map(function (word) {
    return word.replace(/^@/, "");
  }).filter(Boolean);
  var rows = [], count = 0, box = bounds();
  if (words.length === 0) return {count: 0, rows: rows, bbox: null};
  for (var i = 0; i < feed.count; i++) {
    if (!shown[i]) continue;
    var all = words.every(function (word) {
      return SEARCHED.some(function (name) { return foldedAt(name, i).indexOf(word) !== -1; });
    });
    if (!all) continue;
    count += 1;
    box.add(i);
    if (rows.length < message.limit) {
      rows.push({i: i, handle: String(feed.handle[i]), kind: KINDS[feed.kind[i]], name: text(i, "name"),
        city: text(i, "city"), country: text(i, "country")});
    }
  }
  return {count: count, rows: rows, bbox: box.get()};
}

var HANDLERS = {
  load: load,
  filter: filter,
  clusters: clusters,
  expand: expand,
  leaves: leaves,
  details: details,
  inView: inView,
  find: find,
  search: search
};

var loading = Promise.resolve();  // the load: the page may ask (a click on its first view) before it is done

self.onmessage = function (event) {
  var message = event.data || {};
  var handler = HANDLERS[message.type];
  var answer = (message.type === "load" ? Promise.resolve() : loading).then(function () {
    if (!handler) throw new Error("unknown request " + message.type);
    if (message.type !== "load" && feed === null) throw new Error("map feed not loaded");
    return handler(message);
  });
  if (message.type === "load") loading = answer;
  answer.then(function (result) {
    self.postMessage({id: message.id, result: result});
  }, function (error) {
    self.postMessage({id: message.id, error: String((error && error.message) || error)});
  });
};
