from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from events import selectors


def home(request: HttpRequest) -> HttpResponse:
    edition = selectors.featured_edition()
    return render(
        request,
        "events/home.html",
        {
            "edition": edition,
            "registration_open": bool(edition and edition.is_open_for_registration()),
            "now": timezone.now(),
        },
    )


def edition_list(request: HttpRequest) -> HttpResponse:
    return render(request, "events/edition_list.html", {"editions": selectors.past_editions()})
