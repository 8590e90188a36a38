"""The registrant's own calendar file, behind their private manage link."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext

from events.calendar import CONTENT_TYPE, ics_bytes
from registrations import kit
from registrations.models import Registration
from registrations.views.links import registration_link


@registration_link("manage")
def calendar_ics(request: HttpRequest, registration: Registration, token: str) -> HttpResponse:
    event = kit.registrant_event(registration)
    if event is None:
        raise Http404(gettext("No calendar entry yet: the date or your time zone is not known."))
    response = HttpResponse(ics_bytes(event), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="poltwt-{registration.edition.ordinal}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
