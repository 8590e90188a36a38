"""What the public sees: the participant list, its exports and the statistics.

Each response is built from the cached public data of one edition and is the same for every visitor
(pages/cache.py keeps it, and says so to HTTP caches). The exports carry an ETag and Last-Modified from
that edition's public data version, so browsers and proxies revalidate without the data being built; they
are kept built and compressed per version (pages/selectors/exports.py, pages/precompressed.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from csp.decorators import csp_replace, csp_update
from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import condition, require_safe

from events.models import Edition
from pages import maps, precompressed, versioning
from pages.cache import public_cache
from pages.selectors import editions as event_selectors
from pages.selectors import exports, map_feed
from pages.selectors import participants as selectors
from poltwt import querynumbers
from registrations.models import Registration

PAGE_SIZE = 100
# ?on_air=1 draws the map's "on air now" box outside the event too; ?on_air=now also ticks it.
ON_AIR_FILTER_SHOWN = ("1", "now")
# The page sizes a visitor may choose; "all" shows (and prints) the whole filtered list on one page.
PAGE_SIZES = (25, 50, 100, 250)
ALL = "all"
# Credit for the places on the map, by geocoder (Nominatim's policy and GeoNames' licence require it).
GEOCODING_ATTRIBUTION = {
    "nominatim": maps.NOMINATIM_ATTRIBUTION,
    "offline": 'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0)',
}


def _edition(request: HttpRequest):
    # Asked for by the ETag, the Last-Modified and the view itself: look it up once per request.
    if not hasattr(request, "_poltwt_edition"):
        request._poltwt_edition = selectors.edition_from_request(request.GET.get("edition"))
    return request._poltwt_edition


def _etag(request: HttpRequest, *args, **kwargs) -> str:
    edition = _edition(request)
    return f'"{edition.pk}-{versioning.edition(edition.pk).token}"'


def _last_modified(request: HttpRequest, *args, **kwargs) -> dt.datetime:
    return versioning.edition(_edition(request).pk).changed_at


def _encoded_etag(request: HttpRequest, *args, **kwargs) -> str:
    # Each encoding is its own representation (RFC 9110 8.8.3): a cache must not answer a client that
    # accepts only gzip with the brotli bytes another one revalidated.
    return _etag(request)[:-1] + f'-{precompressed.chosen_encoding(request)}"'


# The exports show one edition's data and nothing else: their validators come from its version, so a
# revalidation is answered without building them. Pages (menus, other editions, the time) get the hash of
# their content from public_cache instead.
public_data = condition(etag_func=_etag, last_modified_func=_last_modified)
# The same for documents kept compressed (pages/precompressed.py), whose ETag also names the encoding.
public_encoded_data = condition(etag_func=_encoded_etag, last_modified_func=_last_modified)


@require_safe
@public_cache(params=("kind", "country", "q", "size", "page"))
def participant_list(request: HttpRequest) -> HttpResponse:
    edition = _edition(request)
    rows = selectors.participants(edition)
    kind = request.GET.get("kind", "")
    country = request.GET.get("country", "").upper()
    query = request.GET.get("q", "")[:100]
    # Garbage filter values match nothing rather than failing.
    if kind and kind not in Registration.Kind.values:
        kind = "none"
    shown = selectors.filter_participants(rows, kind=kind, country=country, query=query)
    size = _page_size(request.GET.get("size", ""))
    paginator = Paginator(shown, (len(shown) or 1) if size == ALL else size)
    try:
        # Paginator's own int() accepts "٣" and " 3": only ASCII digits name a page.
        page = paginator.page(querynumbers.parse(request.GET.get("page") or "1") or 0)
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404(_("No such page.")) from exc
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    query_without_size = query_without_page.copy()
    query_without_size.pop("size", None)
    return render(
        request,
        "pages/participant_list.html",
        {
            "edition": edition,
            "editions": selectors.editions_with_participants(),
            "headline": selectors.headline(edition),
            "record_line": event_selectors.published_line(edition),
            "shown_count": len(shown),
            "page": page,
            "kind": kind if kind != "none" else request.GET.get("kind", ""),
            "country": country,
            "query": query,
            "countries": selectors.country_choices(edition),
            "filtered": bool(kind or country or query),
            "query_without_page": query_without_page.urlencode(),
            "query_without_size": query_without_size.urlencode(),
            "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            "ellipsis": Paginator.ELLIPSIS,
            "size": size,
            "page_sizes": PAGE_SIZES,
        },
    )


def _page_size(value: str) -> int | str:
    """The page size asked for, if it is one of the offered choices; the default otherwise."""
    if value == ALL:
        return ALL
    size = querynumbers.parse(value)
    return size if size in PAGE_SIZES else PAGE_SIZE


@require_safe
@public_cache(by_encoding=True)
@public_encoded_data
def participants_csv(request: HttpRequest) -> HttpResponse:
    edition = _edition(request)
    return precompressed.response(
        request,
        exports.participants_csv(edition),
        content_type="text/csv; charset=utf-8",
        filename=f"poltwt-{edition.ordinal}-participants.csv",
    )


@require_safe
@public_cache(by_encoding=True)
@public_encoded_data
def participants_json(request: HttpRequest) -> HttpResponse:
    encoded = exports.participants_json(_edition(request))
    return precompressed.response(request, encoded, content_type="application/json")


@require_safe
@public_cache(by_encoding=True)
@public_encoded_data
def participants_geojson(request: HttpRequest) -> HttpResponse:
    encoded = selectors.map_geojson_encoded(_edition(request))
    return precompressed.response(request, encoded, content_type="application/geo+json; charset=utf-8")


def _all_editions(request: HttpRequest) -> bool:
    """?edition=all: the map of every account that ever took part (the map, its embed and its feed)."""
    return request.GET.get("edition") == map_feed.ALL_EDITIONS


def _map_version(request: HttpRequest) -> tuple[str, versioning.Version]:
    if _all_editions(request):
        return map_feed.ALL_EDITIONS, versioning.site()
    edition = _edition(request)
    return str(edition.pk), versioning.edition(edition.pk)


def _map_feed_etag(request: HttpRequest, *args, **kwargs) -> str:
    scope, version = _map_version(request)
    return f'"{scope}-{version.token}-{precompressed.chosen_encoding(request)}"'


def _map_feed_last_modified(request: HttpRequest, *args, **kwargs) -> dt.datetime:
    return _map_version(request)[1].changed_at


@require_safe
@public_cache(by_encoding=True)
@condition(etag_func=_map_feed_etag, last_modified_func=_map_feed_last_modified)
def participants_map_feed(request: HttpRequest) -> HttpResponse:
    """The map's compact data (pages/selectors/map_feed.py): not an export, its shape may change."""
    edition = None if _all_editions(request) else _edition(request)
    return precompressed.response(request, map_feed.map_data(edition).feed, content_type="application/json")


@require_safe
@public_cache(params=("new",))
@public_data
def participant_handles(request: HttpRequest) -> HttpResponse:
    """One handle a line, for adding the participants to the official X list.

    ``?new=1`` gives only those an organizer has not yet marked as added, so catching up is one paste.
    Public participants only, like every list here: which of them are on the X list is public on X too.
    """
    edition = _edition(request)
    rows = selectors.participants(edition)
    if request.GET.get("new") == "1":
        rows = [row for row in rows if row["added_to_x_list_at"] is None]
    handles = "".join(f"{row['handle']}\n" for row in rows)
    return HttpResponse(handles, content_type="text/plain; charset=utf-8")


@require_safe
@public_cache
def statistics(request: HttpRequest) -> HttpResponse:
    edition = _edition(request)
    return render(
        request,
        "pages/statistics.html",
        {
            "edition": edition,
            "editions": selectors.editions_with_participants(),
            "headline": selectors.headline(edition),
            "record_line": event_selectors.published_line(edition),
            "charts": selectors.statistics(edition),
        },
    )


def _map_parts(request: HttpRequest, edition: Edition | None, *, height: str) -> maps.MapParts:
    """The map of one edition, or of all editions when ``edition`` is None."""
    scope = edition.ordinal if edition else map_feed.ALL_EDITIONS
    return maps.render_map(
        data_url=reverse("pages:participants_map_feed") + f"?edition={scope}",
        tiles_url=settings.MAP_TILES_URL,
        tiles_attribution=settings.MAP_TILES_ATTRIBUTION,
        basemap_url=static("basemap/countries-110m.geojson"),
        height=height,
        on_air_filter=bool(edition)
        and (event_is_running(edition) or request.GET.get("on_air") in ON_AIR_FILTER_SHOWN),
        geocoding_attribution=GEOCODING_ATTRIBUTION.get(settings.GEOCODER, ""),
    )


def event_is_running(edition) -> bool:
    span = event_selectors.edition_span(edition)
    return bool(span and span.contains(timezone.now()))


def _render_map_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    # The map's inline scripts are allowed by their hashes, which depend on the map settings: django-csp's
    # decorator is applied to this one rendering rather than to the view once at import.
    allow_map_script = csp_update({"script-src": list(context["map"].script_hashes)})
    return allow_map_script(render)(request, template, context)


def _map_context(request: HttpRequest, *, height: str) -> dict[str, Any]:
    """What the map page and its embed show: one edition's map, or the all-editions one."""
    if _all_editions(request):
        return {
            "edition": None,
            "all_editions": True,
            "map_title": _("All editions"),
            "map_scope": map_feed.ALL_EDITIONS,
            "map": _map_parts(request, None, height=height),
            "map_first_view": map_feed.map_data(None).first_view,
        }
    edition = _edition(request)
    return {
        "edition": edition,
        "all_editions": False,
        "map_title": edition.display_title,
        "map_scope": edition.ordinal,
        "map": _map_parts(request, edition, height=height),
        "map_first_view": map_feed.map_data(edition).first_view,
    }


# The map reads these itself (static/js/participant-map.js): the page is the same whatever they say, so
# the page cache keys on none of them but on_air, which decides whether the "on air now" box is drawn.
@require_safe
@public_cache(params=("on_air",))
def participant_map(request: HttpRequest) -> HttpResponse:
    context = _map_context(request, height="70vh")
    edition = context["edition"]
    embed_url = request.build_absolute_uri(reverse("pages:map_embed") + f"?edition={context['map_scope']}")
    if edition is None:
        headline = selectors.every_account_headline()
        countries = selectors.every_account_countries()
    else:
        headline = selectors.headline(edition)
        countries = selectors.country_choices(edition)
    return _render_map_page(
        request,
        "pages/map.html",
        {
            **context,
            "editions": selectors.editions_with_participants(),
            "headline": headline,
            "countries": countries,
            "record_line": event_selectors.published_line(edition) if edition else "",
            "embed_url": embed_url,
            "live": bool(edition) and event_is_running(edition),
        },
    )


@require_safe
@public_cache(params=("on_air",))
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def participant_map_embed(request: HttpRequest) -> HttpResponse:
    """The map alone, for agencies to put in an iframe on their own sites."""
    return _render_map_page(request, "pages/map_embed.html", _map_context(request, height="100vh"))
