"""What every page needs: the public address of the page for its preview card (OpenGraph, Twitter), and the
organizers' contact address for its footer."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from poltwt import querynumbers, siteurl


def preview_card(request: HttpRequest) -> dict[str, str]:
    """``site_url`` and ``canonical_url`` (SITE_URL + path, keeping only ?edition=N). No query, no session:
    public pages stay the same for every visitor."""
    base = siteurl.site_url()
    canonical = base + request.path
    edition = querynumbers.parse(request.GET.get("edition"), maximum=99_999)
    if edition is not None:
        canonical += f"?edition={edition}"
    return {"site_url": base, "canonical_url": canonical}


def contact(request: HttpRequest) -> dict[str, str]:
    """``organizers_email``: the same on every page, so public pages stay cacheable."""
    return {"organizers_email": settings.ORGANIZERS_EMAIL}
