"""pages.maps.render_map: local assets only, an inline script allowed by its hash, escaped configuration."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import folium
import pytest
from django.contrib.staticfiles import finders
from django.template import engines
from django.templatetags.static import static
from django.urls import reverse

from pages.maps import MAX_ZOOM, MapParts, _render, render_map

TILES = "https://tiles.example.org/{z}/{x}/{y}.png"
TILES_ATTRIBUTION = '&copy; <a href="https://tiles.example.org/about">Example tiles</a>'
DATA_URL = reverse("pages:participants_map_feed") + "?edition=7"
BASEMAP_URL = "/static/basemap/countries-110m.geojson"
HOSTILE = '"></script><script>alert(1)</script>'


class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser would decode them."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]


def render(**overrides: object) -> MapParts:
    options: dict[str, object] = {
        "data_url": DATA_URL,
        "tiles_url": TILES,
        "tiles_attribution": TILES_ATTRIBUTION,
        "basemap_url": BASEMAP_URL,
    }
    return render_map(**(options | overrides))  # type: ignore[arg-type]


def whole(parts: MapParts) -> str:
    return parts.start + parts.header + parts.html + parts.script


def container(parts: MapParts) -> dict[str, str | None]:
    (div,) = Tags(parts.html).all("div")
    return div


def start(parts: MapParts) -> dict[str, str | None]:
    (script,) = Tags(parts.start).all("script")
    return script


def csp_hash(code: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()}'"


def test_assets_are_our_local_static_files_and_exist() -> None:
    tags = Tags(render().header)

    scripts = [s["src"] for s in tags.all("script")]
    styles = [link["href"] for link in tags.all("link") if link.get("rel") == "stylesheet"]
    # Clustering is supercluster's, in the worker: Leaflet.markercluster is not loaded.
    assert scripts == [static("vendor/leaflet/leaflet.js"), static("js/participant-map.js")]
    assert styles == [static("vendor/leaflet/leaflet.css"), static("css/participant-map.css")]
    worker = start(render())
    assert worker["data-worker-url"] == static("js/participant-map-worker.js")
    assert worker["data-cluster-library-url"] == static("vendor/supercluster/supercluster.min.js")
    assert worker["data-fold-url"] == static("js/fold.js")
    assert worker["data-max-zoom"] == str(MAX_ZOOM)
    for path in [
        "js/participant-map-start.js",
        "js/fold.js",
        "vendor/leaflet/leaflet.js",
        "js/participant-map.js",
        "js/participant-map-worker.js",
        "vendor/supercluster/supercluster.min.js",
        "vendor/supercluster/LICENSE.txt",
        "vendor/leaflet/leaflet.css",
        "css/participant-map.css",
        "basemap/countries-110m.geojson",
    ]:
        assert finders.find(path), path


def test_our_script_waits_for_the_page_so_the_inline_map_exists_first() -> None:
    (ours,) = [s for s in Tags(render().header).all("script") if s["src"] == static("js/participant-map.js")]
    assert "defer" in ours


@pytest.mark.parametrize("tiles_url", [TILES, ""])
def test_no_cdn_and_no_outside_host_but_the_tile_server(tiles_url: str) -> None:
    markup = whole(render(tiles_url=tiles_url, geocoding_attribution="Geocoding: Nominatim, ODbL")).lower()

    for cdn in ["cdn", "jsdelivr", "unpkg", "cdnjs", "code.jquery", "bootstrapcdn", "googleapis"]:
        assert cdn not in markup
    for library in ["jquery", "bootstrap", "font-awesome", "fontawesome", "awesome-markers", "glyphicons"]:
        assert library not in markup
    hosts = {urlsplit(url).hostname for url in re.findall(r"https?://[^\s\"'\\<>]+", markup)}
    assert hosts == ({"tiles.example.org"} if tiles_url else set())


def test_folium_class_defaults_are_left_alone() -> None:
    render(data_url="/not-rendered-before.geojson")
    assert any("jsdelivr" in url for _, url in folium.Map.default_js)


def test_no_script_carries_a_nonce_and_the_inline_ones_are_allowed_by_their_hashes() -> None:
    parts = render()

    for markup in [parts.start, parts.header, parts.html, parts.script]:
        assert markup.lower().count("<script") == len(Tags(markup).all("script"))
    scripts = Tags(whole(parts)).all("script")
    assert len(scripts) == 4  # the worker's start, Leaflet, ours, the inline map
    assert not any("nonce" in s for s in scripts)
    assert parts.script.startswith("<script>")
    assert parts.script.endswith("</script>")
    code = parts.script.removeprefix("<script>").removesuffix("</script>")
    start_code = re.fullmatch(r"<script [^>]*>(.*)</script>", parts.start, re.DOTALL).group(1)
    assert start_code == (Path(finders.find("js/participant-map-start.js")).read_text())
    assert parts.script_hashes == (csp_hash(start_code), csp_hash(code))


def test_the_script_is_byte_identical_at_every_render() -> None:
    first = render()
    _render.cache_clear()  # folium renders again, with new elements
    second = render()

    assert second.script == first.script
    assert second.start == first.start
    assert second.script_hashes == first.script_hashes
    assert not re.search(r"[0-9a-f]{32}", whole(second))  # none of folium's random element names


def test_the_hash_follows_the_settings_in_the_script() -> None:
    assert render(tiles_url="").script_hashes[1] != render().script_hashes[1]
    assert render(geocoding_attribution="").script_hashes[1] != render().script_hashes[1]
    # The start's text is the same file whatever the settings: its URLs are attributes.
    assert render(data_url="/elsewhere.json").script_hashes[0] == render().script_hashes[0]


@pytest.mark.parametrize("height", ["70vh", "480px", "32.5rem", "100%"])
def test_height_sizes_the_map(height: str) -> None:
    parts = render(height=height)
    assert (
        f"#{container(parts)['id']} {{ position: relative; width: 100%; height: {height}; }}" in parts.header
    )


@pytest.mark.parametrize("height", ["70", "1px; background: url(//evil)", "}</style><script>", "calc(1px)"])
def test_height_that_is_not_a_plain_length_is_refused(height: str) -> None:
    with pytest.raises(ValueError, match="height"):
        render(height=height)


def test_tile_layer_and_its_attribution_only_with_a_tile_url() -> None:
    with_tiles = render().script
    without = render(tiles_url="").script

    assert "L.tileLayer(" in with_tiles
    assert json.dumps(TILES) in with_tiles
    # The attribution reaches Leaflet as JSON with its markup escaped for the HTML parser.
    assert (
        '"attribution": "\\u0026copy; \\u003ca href=\\"https://tiles.example.org/about\\"\\u003e'
        in with_tiles
    )
    assert "<a href" not in with_tiles
    assert "L.tileLayer" not in without
    assert "tiles.example.org" not in without


def test_zoom_limits_are_on_the_map_itself_for_clusters_without_tiles() -> None:
    script = render(tiles_url="").script
    assert f'"maxZoom": {MAX_ZOOM},' in script
    assert '"minZoom": 1,' in script
    assert '"worldCopyJump": true,' in script
    assert "center: [20.0, 0.0]" in script


def test_geocoding_attribution_is_added_escaped() -> None:
    default = render().script
    assert ".attributionControl.addAttribution(" in default
    assert "Nominatim" in default and "OpenStreetMap" in default and "ODbL" in default
    # Leaflet lists attributions in the order they arrive: the tiles' first.
    assert default.index("L.tileLayer(") < default.index("addAttribution(")

    hostile = render(geocoding_attribution="</script><b>x</b>").script
    assert "</script><b>" not in hostile
    assert "\\u003c/script\\u003e\\u003cb\\u003ex" in hostile
    assert "addAttribution" not in render(geocoding_attribution="").script


def test_urls_reach_the_browser_as_data_attributes() -> None:
    parts = render(on_air_filter=True)
    div = container(parts)

    assert div["data-map-var"] == div["id"]
    assert f"window.{div['id']} = L.map(" in parts.script
    assert start(parts)["data-url"] == DATA_URL
    assert div["data-basemap-url"] == BASEMAP_URL
    assert div["data-on-air-filter"] == "true"
    assert container(render())["data-on-air-filter"] == "false"
    assert "poltwt-map" in (div["class"] or "").split()


@pytest.mark.parametrize(
    ("field", "part", "attribute"),
    [("data_url", "start", "data-url"), ("basemap_url", "html", "data-basemap-url")],
)
def test_hostile_urls_stay_inside_their_attribute(field: str, part: str, attribute: str) -> None:
    parts = render(**{field: HOSTILE})
    markup = whole(parts)

    assert HOSTILE not in markup
    assert "&gt;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in getattr(parts, part)
    (tag,) = [attrs for attrs in Tags(markup).all("div") + Tags(markup).all("script") if attribute in attrs]
    assert tag[attribute] == HOSTILE
    assert len(Tags(markup).all("script")) == 4


def test_parts_render_unescaped_in_a_django_template() -> None:
    parts = render()
    page = (
        engines["django"]
        .from_string("{{ map.start }}{{ map.header }}{{ map.html }}{{ map.script }}")
        .render({"map": parts})
    )
    assert page == whole(parts)
    assert '<div class="folium-map poltwt-map"' in page


def test_no_page_wide_styles_or_zoom_lock_from_folium() -> None:
    header = render().header
    assert "html, body" not in header
    assert "#map {" not in header
    assert "user-scalable" not in header
    assert "http-equiv" not in header
