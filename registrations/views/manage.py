"""The registrant's own pages behind their private link: change the entry, withdraw it, ask for the links
again."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from poltwt.ratelimit import client_ip, link_rate
from registrations import emails, history
from registrations.forms import LostLinkForm, form_class_for
from registrations.models import Registration
from registrations.services.privacy import registration_withdraw
from registrations.services.registration import HandleTaken, UpdateResult, links_request, registration_update
from registrations.views.links import mark_private, registration_link


@registration_link("manage")
def manage(request: HttpRequest, registration: Registration, token: str) -> HttpResponse:
    form_class = form_class_for(registration.kind)
    status = 200
    if request.method == "POST":
        # The form validates a copy: ModelForm writes the typed values onto its instance, and the service
        # must compare them with the stored ones (and the page header must keep showing the stored ones).
        form = form_class(request.POST, instance=copy.copy(registration), edition=registration.edition)
        if form.is_valid():
            try:
                result = registration_update(registration=registration, **form.registrant_data())
            except HandleTaken:
                form.add_error("handle", _("This X account was registered for this edition a moment ago."))
                status = 409
            else:
                _tell_what_happened(request, registration, result)
                return redirect("registrations:manage", token=token)
        else:
            status = 400
    else:
        # A change waiting for review stays in the form: saving other edits must not drop it.
        form = form_class(
            instance=registration, initial=registration.pending_changes, edition=registration.edition
        )
    return render(
        request,
        "registrations/manage.html",
        {
            "registration": registration,
            "form": form,
            "token": token,
            "is_officer": registration.kind == Registration.Kind.OFFICER,
            "edition": registration.edition,
            "history": history.participant_history(registration),
            "pending_changes": registration.proposed_changes(),
            **emails.participant_kit(registration, token),
        },
        status=status,
    )


def _tell_what_happened(request: HttpRequest, registration: Registration, result: UpdateResult) -> None:
    """Say which edits apply now and which wait for an organizer (an approved entry stays up meanwhile)."""
    if not result:
        messages.info(request, _("Nothing was changed."))
        return
    if result.applied:
        if registration.status == Registration.Status.APPROVED:
            messages.success(
                request, _("Your changes are saved and shown at once; your entry stays approved.")
            )
        else:
            messages.success(request, _("Your changes are saved."))
        if "email" in result.applied:
            messages.info(request, _("We sent a confirmation link to your new email address."))
    if result.held:
        messages.info(
            request,
            _(
                "Your change to %(fields)s waits for an organizer’s approval. Until then your entry stays "
                "approved and shows its approved details; we will email you the answer."
            )
            % {
                "fields": ", ".join(
                    str(Registration._meta.get_field(name).verbose_name) for name in result.held
                )
            },
        )


@registration_link("manage")
def withdraw(request: HttpRequest, registration: Registration, token: str) -> HttpResponse:
    if request.method == "POST":
        edition = registration.edition
        registration_withdraw(registration=registration)
        return render(request, "registrations/withdrawn.html", {"edition": edition})
    return render(request, "registrations/withdraw.html", {"registration": registration, "token": token})


@require_http_methods(["GET", "POST"])
@ratelimit(group="lost-link", key=client_ip, rate=link_rate, method="POST", block=False)
def lost_link(request: HttpRequest) -> HttpResponse:
    """Send the private links again. The answer is the same whether or not the address is known."""
    if request.method == "POST":
        form = LostLinkForm(request.POST)
        if getattr(request, "limited", False):
            return render(request, "registrations/too_many.html", status=429)
        if form.is_valid():
            links_request(email=form.cleaned_data["email"])
            # The result names the address typed: private, like the pages the links open.
            request.noindex = True
            sent = render(request, "registrations/lost_link_sent.html", {"email": form.cleaned_data["email"]})
            return mark_private(sent)
    else:
        form = LostLinkForm()
    return render(request, "registrations/lost_link.html", {"form": form})
