"""sitemap.xml: the public pages, once per edition, and once per language when there are several."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from events.models import Edition
from poltwt import siteurl

# The pages that show one edition (chosen with ?edition=N).
EDITION_PAGES = ("pages:map", "pages:participant_list", "pages:statistics", "pages:schedule")
SITE_PAGES = ("pages:home", "pages:edition_list")


class _PublicSitemap(Sitemap):
    # One URL per language, with hreflang alternates, once i18n_patterns and LANGUAGES give several.
    i18n = True
    alternates = True
    x_default = True

    @property
    def languages(self) -> list[str]:
        # Django's built-in LANGUAGES lists ~100 languages the site does not have: only a configured list
        # counts. Until then, the one language the site speaks.
        if settings.is_overridden("LANGUAGES"):
            return [code for code, _name in settings.LANGUAGES]
        return [settings.LANGUAGE_CODE]

    def get_domain(self, site=None) -> str:
        # Links go to the public address (SITE_URL), not to whatever Host the crawler sent.
        return urlsplit(siteurl.site_url()).netloc

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(siteurl.site_url()).scheme or "https"


class SitePagesSitemap(_PublicSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self) -> list[str]:
        return list(SITE_PAGES)

    def location(self, item: str) -> str:
        return reverse(item)


class EditionPagesSitemap(_PublicSitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self) -> list[tuple[str, int]]:
        ordinals = Edition.objects.exclude(status=Edition.Status.CANCELLED).values_list("ordinal", flat=True)
        return [(name, ordinal) for ordinal in ordinals.order_by("-ordinal") for name in EDITION_PAGES]

    def location(self, item: tuple[str, int]) -> str:
        name, ordinal = item
        return f"{reverse(name)}?edition={ordinal}"


SITEMAPS = {"site": SitePagesSitemap, "editions": EditionPagesSitemap}
