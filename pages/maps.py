"""The public participant map: the only module that imports folium.

The page carries no participant data. folium renders a small Leaflet map that loads only our own static
files (allowed by the policy's script-src 'self'). A first inline script, at the top of <head>
(static/js/participant-map-start.js), starts a Web Worker (static/js/participant-map-worker.js) that
fetches the map feed (pages/selectors/map_feed.py) and clusters the participants with supercluster while
the page still loads; static/js/participant-map.js then draws the packaged basemap and builds the markers
in view with DOM APIs.

The two inline scripts (the start, and folium's creating the map) carry no per-response nonce, so that the
page stays the same for every visitor and any cache can keep it. folium's element names are fixed instead
of its random ones, so its script is byte-identical for the same settings; the CSP allows both by their
sha256 (``MapParts.script_hashes``, added to the response's script-src by the view).

Template use (start before the stylesheets, which would hold it back; header in <head>; html before
script)::

    {% block head_start %}{{ map.start }}{% endblock %}
    {% block head %}{{ map.header }}{% endblock %}
    {% block content %}{{ map.html }}{{ map.script }}{% endblock %}
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from dataclasses import dataclass

import folium
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from folium.elements import Element, MacroElement
from folium.template import Template

# Without a tile layer Leaflet has no maximum zoom; the clusters are made down to this one.
MAX_ZOOM = 18
# Zoom 0 shows the world smaller than the map box; 1 is the widest view worth having.
MIN_ZOOM = 1
WORLD_CENTER = (20.0, 0.0)
WORLD_ZOOM = 2

# Shown whenever the map is: participants are placed with Nominatim, whose policy requires it (ODbL).
NOMINATIM_ATTRIBUTION = (
    'Geocoding: <a href="https://nominatim.org/">Nominatim</a>, data &copy; '
    '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors, ODbL'
)

# The height goes into a <style> block, so only a plain CSS length is allowed.
_CSS_LENGTH = re.compile(r"\d{1,4}(\.\d{1,3})?(px|r?em|vh|svh|dvh|%)")
# folium's library tags, written without defer.
_SCRIPT_SRC = re.compile(r"<script src=", re.IGNORECASE)


@dataclass(frozen=True)
class MapParts:
    """Four HTML fragments of one map, already marked safe for templates, and the CSP sources that allow
    its two inline scripts.

    They may be output without escaping because they are our own generated markup: every outside
    value in them passed through an escaper (Jinja's ``|e`` for attributes, ``|tojson`` for JavaScript,
    which turns ``<``, ``>``, ``&`` and ``'`` into ``\\u003c`` etc.), and the tests check it.
    """

    start: SafeString  # the inline <script> starting the worker, carrying its URLs as data-* attributes
    header: SafeString  # <link>/<script src> tags and the map's size, for <head>
    html: SafeString  # the map container, carrying basemap_url as a data-* attribute
    script: SafeString  # the inline <script> that creates the Leaflet map
    script_hashes: tuple[str, str]  # "'sha256-...'" of the start's and the script's texts, for script-src


class _ParticipantMap(folium.Map):
    # Replaces folium.Map's template, whose header would also restyle the whole page (html/body at 100%
    # height without margins), add a zoom-blocking viewport tag, and whose script may call jQuery.
    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                #{{ this.get_name() }} { position: relative; width: 100%; height: {{ this.css_height }}; }
            </style>
            <link rel="stylesheet" href="{{ this.css_url|e }}">
            <script defer src="{{ this.js_url|e }}"></script>
            {# Fetched while the scripts load, instead of after them (participant-map.js asks for it). #}
            <link rel="preload" href="{{ this.basemap_url|e }}" as="fetch" crossorigin="anonymous">
        {% endmacro %}

        {% macro html(this, kwargs) %}
            <div class="folium-map poltwt-map" id="{{ this.get_name() }}" role="region"
                 aria-label="{{ this.label|e }}" data-map-var="{{ this.get_name() }}"
                 data-basemap-url="{{ this.basemap_url|e }}"
                 data-on-air-filter="{{ 'true' if this.on_air_filter else 'false' }}"
                 data-texts='{{ this.texts|tojson }}'></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            window.{{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{ this.options|tojavascript }}
                }
            );
        {% endmacro %}
        """
    )

    def __init__(self, *, basemap_url: str, height: str, on_air_filter: bool) -> None:
        super().__init__(location=WORLD_CENTER, zoom_start=WORLD_ZOOM, tiles=None, world_copy_jump=True)
        # folium.Map passes its min_zoom/max_zoom to its own tile layer only; Leaflet needs them on the map.
        self.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)
        # New lists on the instance: folium's class-level defaults point at four public CDNs.
        self.default_js = [("leaflet", static("vendor/leaflet/leaflet.js"))]
        self.default_css = [("leaflet_css", static("vendor/leaflet/leaflet.css"))]
        self.css_url = static("css/participant-map.css")
        self.js_url = static("js/participant-map.js")
        self.css_height = height
        self.label = gettext("Map of participating police accounts")
        # The script's words, in the page's language (this markup is cached per language).
        self.texts = map_texts()
        self.basemap_url = basemap_url
        self.on_air_filter = on_air_filter


def map_texts() -> dict[str, str]:
    """Every sentence static/js/participant-map.js shows, translated into the active language."""
    return {
        "agency": gettext("Agency"),
        "agencies": gettext("Agencies"),
        "officer": gettext("Officer"),
        "officers": gettext("Officers"),
        "square": gettext("square"),
        "circle": gettext("circle"),
        "legend": gettext("Legend"),
        "starts": gettext("Starts"),
        "yourTime": gettext("{time} your time"),
        "xProfile": gettext("(X profile, opens in a new tab)"),
        "loading": gettext("Loading the map of participants…"),
        "startFailed": gettext("The map could not be started. Please reload the page."),
        "empty": gettext("No participants are on the map yet."),
        "loadFailed": gettext("Sorry, the list of participants could not be loaded. Please try again later."),
        "onAirOnly": gettext("On air now only"),
        "goal": gettext("Local goal"),
        "editions": gettext("Editions with #poltwt: %(count)s"),
        "results": gettext("Results"),
        "tweets": gettext("Tweets"),
        "retweets": gettext("Retweets"),
        "mentions": gettext("Mentions"),
        "followers": gettext("Followers"),
        "source": gettext("Source"),
        "searchLabel": gettext("Search the map"),
        "search": gettext("Search"),
        "searchResults": gettext("Search results"),
        "searchNone": gettext("No participant on this map matches “{query}”."),
        "searchOne": gettext("1 participant matches “{query}”."),
        "searchMany": gettext("{count} participants match “{query}”."),
        "searchMore": gettext("The first {count} are listed: add a word to narrow the search."),
    }


class _Attribution(MacroElement):
    # Added after the tile layer, so that Leaflet lists the tiles' attribution first.
    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text


def render_map(
    *,
    data_url: str,
    tiles_url: str,
    tiles_attribution: str,
    basemap_url: str,
    height: str = "70vh",
    on_air_filter: bool = False,
    geocoding_attribution: str = NOMINATIM_ATTRIBUTION,
) -> MapParts:
    """Render the participant map (the same markup for the same arguments and language).

    ``tiles_url`` may be empty: the packaged basemap alone is drawn. ``tiles_attribution`` and
    ``geocoding_attribution`` are trusted HTML from settings (Leaflet shows attributions as HTML).
    Raises ValueError for a malformed height.
    """
    if not _CSS_LENGTH.fullmatch(height):
        raise ValueError(f"height must be a CSS length such as 70vh or 480px, not {height!r}")
    return _render(
        data_url,
        tiles_url,
        tiles_attribution,
        basemap_url,
        height,
        on_air_filter,
        geocoding_attribution,
        get_language(),
    )


# folium takes milliseconds per map (a Jinja compile per element) and its markup depends only on these
# arguments, so it is rendered once per configuration and language.
@functools.lru_cache(maxsize=32)
def _render(
    data_url: str,
    tiles_url: str,
    tiles_attribution: str,
    basemap_url: str,
    height: str,
    on_air_filter: bool,
    geocoding_attribution: str,
    language: str | None,
) -> MapParts:
    with translation.override(language):
        m = _ParticipantMap(basemap_url=basemap_url, height=height, on_air_filter=on_air_filter)
    if tiles_url:
        folium.TileLayer(tiles_url, attr=tiles_attribution, name="Street map", max_zoom=MAX_ZOOM).add_to(m)
    if geocoding_attribution:
        _Attribution(geocoding_attribution).add_to(m)
    _name_deterministically(m)
    figure = m.get_root()
    # The site's page already declares its charset; a second declaration is invalid HTML.
    figure.header.add_child(Element(""), name="meta_http")
    m.render()
    # Leaflet loads with `defer`, so it blocks neither parsing nor the first paint; the map is created
    # once it has run (DOMContentLoaded follows the deferred scripts).
    header = _SCRIPT_SRC.sub("<script defer src=", figure.header.render().strip())
    code = 'document.addEventListener("DOMContentLoaded", function () {' + figure.script.render() + "});"
    start_code = _start_code()
    start = format_html(
        '<script data-url="{}" data-worker-url="{}" data-cluster-library-url="{}" data-fold-url="{}"'
        ' data-max-zoom="{}">{}</script>',
        data_url,
        static("js/participant-map-worker.js"),
        # Loaded by the worker, not by the page: supercluster (with kdbush) runs off the main thread.
        static("vendor/supercluster/supercluster.min.js"),
        # The search's folding rule (accents and case), the same as geo/text.py's, for the worker too.
        static("js/fold.js"),
        MAX_ZOOM,
        start_code,
    )
    # Our own generated markup: every outside value in it passed through an escaper (see MapParts).
    return MapParts(
        start=start,
        header=mark_safe(header),  # noqa: S308
        html=mark_safe(figure.html.render().strip()),  # noqa: S308
        script=mark_safe(f"<script>{code}</script>"),  # noqa: S308
        script_hashes=(_csp_hash(start_code), _csp_hash(code)),
    )


@functools.cache
def _start_code() -> SafeString:
    """static/js/participant-map-start.js, to be inlined: our own file, which must not end the element."""
    path = finders.find("js/participant-map-start.js")
    with open(path, encoding="utf-8") as file:
        code = file.read()
    if "</script" in code.lower() or "<!--" in code:
        raise ValueError("participant-map-start.js would end its inline <script> element early")
    return mark_safe(code)  # noqa: S308


def _csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode("ascii") + "'"


def _name_deterministically(root: Element) -> None:
    # folium names each element after a random uuid (map_3f2a...), which would make the script, and so
    # its hash, differ at every render. Numbering the tree in order gives the same names every time.
    elements = [root]
    for index, element in enumerate(elements):
        element._id = f"poltwt{index}"
        elements.extend(element._children.values())
