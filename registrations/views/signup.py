"""Sign-up and email confirmation: the forms for agencies and officers, and the link that confirms."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from events.models import Edition
from poltwt.ratelimit import client_ip, signup_rate
from registrations import emails, tokens
from registrations.forms import form_class_for
from registrations.models import Registration
from registrations.services.registration import (
    HandleTaken,
    registration_confirm_email,
    registration_create,
)
from registrations.views.links import private_page, registration_link

logger = logging.getLogger(__name__)

# Lazy: translated per request, not once at import in whatever language was active then.
TOO_MANY = gettext_lazy(
    "Too many submissions from your network in a short time. Nothing was lost: your entries are still below. "
    "Please wait a few minutes and send again."
)


@require_http_methods(["GET", "POST"])
@ratelimit(group="signup", key=client_ip, rate=signup_rate, method="POST", block=False)
def register(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in Registration.Kind.values:
        raise Http404
    edition = Edition.objects.current()
    if edition is None:
        return render(
            request, "registrations/register_closed.html", {"next": Edition.objects.upcoming().first()}
        )
    form_class = form_class_for(kind)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, edition=edition)
        if getattr(request, "limited", False):
            messages.error(request, TOO_MANY)
            status = 429
        elif request.POST.get("website"):
            # A bot filled the honeypot: answer as if it worked, store nothing.
            logger.info("Honeypot sign-up dropped from %s", client_ip("signup", request))
            return redirect("registrations:register_done")
        elif form.is_valid():
            try:
                registration = registration_create(
                    edition=edition, kind=form_class.kind, **form.registrant_data()
                )
            except HandleTaken:
                form.add_error("handle", _("This X account was registered for this edition a moment ago."))
                status = 409
            else:
                request.session["registered_email"] = registration.email
                request.session["registered_domain_unrecognised"] = not registration.email_domain_recognised
                return redirect("registrations:register_done")
        else:
            status = 400
    else:
        form = form_class(edition=edition)
    return render(
        request,
        "registrations/register.html",
        {"form": form, "edition": edition, "kind": kind, "is_officer": kind == Registration.Kind.OFFICER},
        status=status,
    )


@private_page
def register_done(request: HttpRequest) -> HttpResponse:
    context = {
        "email": request.session.pop("registered_email", ""),
        # Accepted, not refused: many agencies use city .org/.com domains; an organizer checks it.
        "domain_unrecognised": request.session.pop("registered_domain_unrecognised", False),
    }
    return render(request, "registrations/register_done.html", context)


@registration_link("confirm")
def confirm(request: HttpRequest, registration: Registration, token: str) -> HttpResponse:
    """GET shows a button; POST confirms. Mail scanners that open links must not confirm on their own."""
    if registration.email_confirmed_at is None and _held_by_another(registration):
        return _handle_taken(request, registration)
    if request.method == "POST":
        try:
            first_time = registration_confirm_email(registration=registration)
        except HandleTaken:
            return _handle_taken(request, registration)  # the other confirmed since this page was shown
        manage_token = tokens.make_token(registration, "manage")
        return render(
            request,
            "registrations/confirmed.html",
            {
                "registration": registration,
                "edition": registration.edition,
                "first_time": first_time,
                "manage_url": reverse("registrations:manage", args=[manage_token]),
                **emails.participant_kit(registration, manage_token),
            },
        )
    return render(request, "registrations/confirm.html", {"registration": registration})


def _handle_taken(request: HttpRequest, registration: Registration) -> HttpResponse:
    return render(request, "registrations/confirm_taken.html", {"registration": registration}, status=409)


def _held_by_another(registration: Registration) -> bool:
    return (
        Registration.objects.holding_handle()
        .filter(edition=registration.edition, handle__iexact=registration.handle)
        .exclude(pk=registration.pk)
        .exists()
    )
