"""The map's first view, clustered on the server (pages/clustering.py), in Chromium: it is the worker's own
clustering (the real supercluster, from the real feed), it is drawn before the worker has answered, its
markers stay once the worker takes over, and a first view of other data is replaced."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from events.models import Edition
from tests.browser.helpers import TIMEOUT_MS, wait_for_map
from tests.browser.test_map import crowded_map  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Holds back every answer of the map's worker until window.__poltwtRelease() (and lets the test change
# them on the way): the page can then only draw what came with it. Each held answer goes to the worker's
# handler of the moment it is released, as the browser would deliver it then.
HOLD_THE_WORKER = """
(() => {
  const Real = window.Worker;
  const held = [];
  let released = false;
  window.__poltwtChange = (data) => data;
  window.__poltwtRelease = () => {
    released = true;
    held.splice(0).forEach(([worker, event]) => worker.__handler(event));
  };
  window.Worker = class extends Real {
    set onmessage(handler) {
      this.__handler = handler;
      super.onmessage = (event) => {
        window.__poltwtChange(event.data);
        if (released) this.__handler(event);
        else held.push([this, event]);
      };
    }
    get onmessage() { return this.__handler; }
  };
})();
"""
# The markers on the map now, each marked so that the test can tell later whether it is the same element.
MARK_MARKERS = """
() => Array.from(document.querySelectorAll('.leaflet-marker-pane > *')).map((marker, n) => {
  marker.dataset.testMark = String(n);
  return n;
}).length
"""
CLUSTERS_ON_THE_MAP = "() => document.querySelectorAll('.poltwt-cluster').length >= 10"
MARKED_STILL_THERE = "() => document.querySelectorAll('.leaflet-marker-pane > [data-test-mark]').length"


def map_url(live_server, edition: Edition) -> str:
    return f"{live_server.url}{reverse('pages:map')}?edition={edition.ordinal}"


def first_view(page) -> dict:
    return json.loads(page.locator("#poltwt-map-first-view").text_content())


def key(item: dict) -> tuple[str, int]:
    return ("c", item["c"]) if "c" in item else ("i", item["i"])


def test_the_first_view_is_what_the_worker_answers_for_the_same_view(page, live_server, crowded_map):  # noqa: F811
    page.goto(map_url(live_server, crowded_map))
    wait_for_map(page)
    ours = first_view(page)

    # A worker of its own, as the page's head starts it, asked for the whole world at the same zoom.
    answer = page.evaluate(
        """(zoom) => new Promise((resolve, reject) => {
          const start = document.querySelector('script[data-worker-url]').dataset;
          const worker = new Worker(start.workerUrl);
          worker.onmessage = (event) => {
            if (event.data.error) reject(new Error(event.data.error));
            else if (event.data.id === 1) resolve(event.data.result);
          };
          worker.postMessage({id: 0, type: 'load', url: start.url, library: start.clusterLibraryUrl,
                              fold: start.foldUrl, maxZoom: Number(start.maxZoom)});
          worker.postMessage({id: 1, type: 'clusters', bbox: [-180, -90, 180, 90], zoom});
        })""",
        ours["zoom"],
    )

    clusters = [item for item in ours["items"] if "c" in item]
    assert len(clusters) >= 10 and sum(item["a"] + item["o"] for item in clusters) >= 100
    theirs = {key(item): item for item in answer}
    assert theirs.keys() == {key(item) for item in ours["items"]}
    for item in ours["items"]:
        other = theirs[key(item)]
        assert {name: value for name, value in item.items() if name not in ("lat", "lng")} == {
            name: value for name, value in other.items() if name not in ("lat", "lng")
        }
        assert item["lat"] == pytest.approx(other["lat"], abs=1e-9)
        assert item["lng"] == pytest.approx(other["lng"], abs=1e-9)


def test_the_first_view_is_drawn_before_the_worker_answers_and_its_markers_stay(
    page,
    live_server,
    crowded_map,  # noqa: F811
):
    page.add_init_script(HOLD_THE_WORKER)
    page.goto(map_url(live_server, crowded_map))
    container = page.locator(".poltwt-map")

    # Nothing from the worker has reached the page, and the clusters are on the map already.
    page.wait_for_function(CLUSTERS_ON_THE_MAP, timeout=TIMEOUT_MS)
    assert container.get_attribute("data-ready") is None
    on_map = page.evaluate(MARK_MARKERS)
    in_view = page.evaluate(
        """(items) => {
          const bounds = window.poltwtMap.map.getBounds();
          const west = bounds.getWest(), east = bounds.getEast();
          return items.filter((item) => bounds.getSouth() <= item.lat && item.lat <= bounds.getNorth()
            && (east - west >= 360 || (((item.lng - west) % 360) + 360) % 360 <= east - west)).length;
        }""",
        first_view(page)["items"],
    )
    assert on_map == in_view

    # The worker answers: the same clusters, so the same marker elements stay.
    page.evaluate("() => window.__poltwtRelease()")
    assert wait_for_map(page) == 301
    assert page.evaluate(MARKED_STILL_THERE) == on_map


def test_a_first_view_of_other_data_than_the_feed_is_replaced(page, live_server, crowded_map):  # noqa: F811
    page.add_init_script(HOLD_THE_WORKER)
    # The feed the worker loaded says it was built apart from the page's first view (the data changed
    # between the two requests).
    page.add_init_script(
        "window.__poltwtChange = (data) => { if (data.id === 0 && data.result) data.result.build = 'x'; };"
    )
    page.goto(map_url(live_server, crowded_map))
    page.wait_for_function(CLUSTERS_ON_THE_MAP, timeout=TIMEOUT_MS)
    on_map = page.evaluate(MARK_MARKERS)

    page.evaluate("() => window.__poltwtRelease()")
    wait_for_map(page)
    assert page.evaluate(MARKED_STILL_THERE) == 0
    assert page.locator(".leaflet-marker-pane > *").count() == on_map
