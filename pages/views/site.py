"""What every site is expected to have: calendar files, preview images, icons, manifest, robots.txt."""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from events import calendar
from events.models import Edition
from pages import shareimage
from pages.selectors import editions as edition_selectors
from poltwt import siteurl


def _edition_or_404(ordinal: int) -> Edition:
    edition = Edition.objects.filter(ordinal=ordinal).first()
    if edition is None:
        raise Http404(_("There is no such edition."))
    return edition


@require_safe
@cache_control(public=True, max_age=300)
def edition_ics(request: HttpRequest, ordinal: int) -> HttpResponse:
    edition = _edition_or_404(ordinal)
    event = edition_selectors.edition_event(edition)
    if event is None:
        raise Http404(_("This edition has no date yet, so it has no calendar entry."))
    response = HttpResponse(calendar.ics_bytes(event), content_type=calendar.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="poltwt-{edition.ordinal}.ics"'
    return response


@require_safe
@cache_control(public=True, max_age=300)
def share_image(request: HttpRequest, ordinal: int) -> HttpResponse:
    return HttpResponse(shareimage.share_image(_edition_or_404(ordinal)), content_type="image/png")


@require_safe
@cache_control(public=True, max_age=86400)
def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/robots.txt",
        {
            "sitemap_url": siteurl.absolute(reverse("sitemap")),
            # The private and sign-up pages under every language prefix, and without one (redirects).
            "prefixes": ["", *(f"/{code}" for code, _name in settings.LANGUAGES)],
        },
        content_type="text/plain; charset=utf-8",
    )


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> FileResponse:
    # Browsers ask for /favicon.ico whatever the page says; the file itself is a static one.
    path = finders.find("img/favicon.ico")
    if path is None:
        raise Http404
    return FileResponse(open(path, "rb"), content_type="image/x-icon")


@require_safe
@cache_control(public=True, max_age=86400)
def web_manifest(request: HttpRequest) -> JsonResponse:
    manifest = {
        "name": _("Global Police Tweet-a-thon"),
        "short_name": "#poltwt",
        "description": _("Police agencies and officers worldwide tweet about their work for 24 hours."),
        "start_url": reverse("pages:home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d6efd",
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
