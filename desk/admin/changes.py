"""An approved entry's waiting change (a new handle, name, email or address its registrant proposed): the
change page shows it beside the approved values, with "Approve the change" and "Reject the change".

RegistrationAdmin mounts change_decision_view at <id>/change-decision/. Deciding needs the review
permission, as approving does; the services apply it and write to the registrant.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext

from desk.admin.review import _registration_or_404, change_url
from registrations.services.common import ReviewError
from registrations.services.registration import registration_change_approve, registration_change_reject


def change_decision_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    registration = _registration_or_404(model_admin, request, object_id)
    if request.method != "POST":
        return HttpResponseRedirect(change_url(registration))
    if "approve" in request.POST:
        try:
            applied = registration_change_approve(registration=registration, actor=request.user)
        except ReviewError as error:
            model_admin.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(change_url(registration))
        if applied:
            model_admin.log_change(request, registration, f"Change approved: {', '.join(applied)}")
            model_admin.message_user(
                request, gettext("The change is applied; the registrant was told by email.")
            )
        else:
            model_admin.message_user(request, gettext("No change was waiting."), messages.INFO)
    elif registration_change_reject(registration=registration, actor=request.user):
        model_admin.log_change(request, registration, "Change rejected")
        model_admin.message_user(
            request,
            gettext("The change was turned down; the approved details stay. The registrant was told."),
        )
    else:
        model_admin.message_user(request, gettext("No change was waiting."), messages.INFO)
    return HttpResponseRedirect(change_url(registration))
