"""A past participant's invitation link: re-register for the new edition in one step, details prefilled."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from events.models import Edition
from registrations import tokens
from registrations.forms import form_class_for
from registrations.models import REGISTRANT_FIELDS, Registration
from registrations.services.registration import HandleTaken, InvitationUsed, registration_create
from registrations.views.links import private_link


@private_link(tokens.read_return_token)
def accept_invitation(
    request: HttpRequest, invitation: tuple[Registration, Edition], token: str
) -> HttpResponse:
    source, target = invitation
    if not target.is_open_for_registration():
        return render(request, "registrations/returning_closed.html", {"edition": target}, status=410)
    if _already_back(source, target):
        # The link was used already (or the account holds its handle another way): nothing to do twice.
        return render(request, "registrations/returning_already.html", {"edition": target, "source": source})

    form_class = form_class_for(source.kind)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, edition=target)
        if form.is_valid():
            try:
                registration = registration_create(
                    edition=target, kind=source.kind, returning_from=source, **form.registrant_data()
                )
            except (HandleTaken, InvitationUsed):
                return render(
                    request, "registrations/returning_already.html", {"edition": target, "source": source}
                )
            request.session["registered_email"] = registration.email
            if registration.is_confirmed:
                return render(request, "registrations/returning_done.html", {"registration": registration})
            return redirect("registrations:register_done")
        status = 400
    else:
        form = form_class(initial={name: getattr(source, name) for name in REGISTRANT_FIELDS}, edition=target)
    return render(
        request,
        "registrations/returning.html",
        {
            "form": form,
            "edition": target,
            "source": source,
            "is_officer": source.kind == "officer",
            "intro": _("Your details from the %(edition)s are filled in.")
            % {"edition": source.edition.display_title},
        },
        status=status,
    )


def _already_back(source: Registration, target: Edition) -> bool:
    """One invitation creates at most one entry (whatever handle it was sent with)."""
    entries = Registration.objects.for_edition(target)
    return (
        entries.filter(returning_from=source).exists()
        or entries.holding_handle().filter(handle__iexact=source.handle).exists()
    )
