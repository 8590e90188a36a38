from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from events import calendar
from pages.cache import public_cache
from pages.selectors import editions as selectors
from pages.selectors.participants import edition_from_request, editions_with_participants
from poltwt import siteurl


@require_safe
@public_cache
def home(request: HttpRequest) -> HttpResponse:
    edition = selectors.featured_edition()
    span = selectors.edition_span(edition) if edition else None
    now = timezone.now()
    event = selectors.edition_event(edition) if edition else None
    return render(
        request,
        "pages/home.html",
        {
            "edition": edition,
            "registration_open": bool(edition and edition.is_open_for_registration()),
            "first_set_for": edition.first_set_for if edition else None,
            "span": span,
            "now": now,
            "live": bool(span and span.contains(now) and edition.status != edition.Status.CANCELLED),
            "calendar": {
                "google_url": calendar.google_url(event),
                "outlook_url": calendar.outlook_url(event),
                "webcal_url": calendar.webcal_url(
                    siteurl.absolute(reverse("pages:edition_ics", args=[edition.ordinal]))
                ),
            }
            if event
            else None,
        },
    )


@require_safe
@public_cache
def edition_list(request: HttpRequest) -> HttpResponse:
    history = selectors.edition_history()
    return render(
        request,
        "pages/edition_list.html",
        {"records": history, "chart": selectors.accounts_chart(history)},
    )


@require_safe
@public_cache
def schedule(request: HttpRequest) -> HttpResponse:
    edition = edition_from_request(request.GET.get("edition"))
    now = timezone.now()
    return render(
        request,
        "pages/schedule.html",
        {
            "edition": edition,
            "editions": editions_with_participants(),
            "plan": selectors.edition_schedule(edition, now),
            "now": now,
        },
    )
