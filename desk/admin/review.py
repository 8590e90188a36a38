"""Every review action of the desk, on the change page and in the list: approve (with a second step for
unrecognised domains) and reject, one entry or many.

RegistrationAdmin mounts approve_view at <id>/approve/ and reject_view at <id>/reject/; its bulk actions
call approve_many (through the same confirmation page when any selected entry's email domain is not on the
recognised list) and reject_selected_view. One admin log entry and one message per approval that actually
happened: the service says whether this call changed the entry (concurrent clicks queue on a row lock).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from registrations.forms import RejectForm
from registrations.models import Registration
from registrations.services.common import ReviewError
from registrations.services.domains import domains_trust, domains_untrustable
from registrations.services.review import (
    registration_approve,
    registration_reject,
    registration_set_aside,
    registration_take_back,
)
from registrations.validators import email_domain

CONFIRM_TEMPLATE = "admin/registrations/registration/approve_confirmation.html"
REJECT_TEMPLATE = "admin/registrations/registration/reject_one.html"
REJECT_MANY_TEMPLATE = "admin/registrations/registration/reject.html"


def change_url(registration: Registration, filters: str = "") -> str:
    """The entry's page; ``filters`` (the list's query string) keeps the organizer's list with it."""
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    return f"{url}?{urlencode({'_changelist_filters': filters})}" if filters else url


def list_url(filters: str = "") -> str:
    url = reverse("admin:registrations_registration_changelist")
    return f"{url}?{filters}" if filters else url


def next_waiting(
    registration: Registration, listing: QuerySet[Registration] | None = None
) -> Registration | None:
    """The entry to open after this one.

    With the organizer's list (``listing``: its filters, search and order, see
    RegistrationAdmin.listing), the next waiting entry below this one in that list, else the first one
    above it. Without a list, the oldest waiting entry of the edition. Entries set aside never come up.
    """
    if listing is None:
        return (
            Registration.objects.for_edition(registration.edition_id)
            .waiting()
            .exclude(pk=registration.pk)
            .order_by("created_at", "pk")
            .only("pk")
            .first()
        )
    # This entry keeps its place in the order even when it no longer matches the filter (just approved).
    ordered = list(
        Registration.objects.filter(Q(pk__in=listing.waiting().values("pk")) | Q(pk=registration.pk))
        .order_by(*listing.query.order_by)
        .values_list("pk", flat=True)
    )
    here = ordered.index(registration.pk)
    following = ordered[here + 1 :] + ordered[:here]
    return Registration.objects.filter(pk=following[0]).only("pk").first() if following else None


def unrecognised_domains(registrations: Iterable[Registration]) -> list[str]:
    return sorted(
        {
            email_domain(r.email)
            for r in registrations
            if r.email and not r.email_domain_recognised and r.status != Registration.Status.APPROVED
        }
    )


def can_trust_domains(request: HttpRequest) -> bool:
    """Trusting a domain changes the government-domain list: a Reviewer, who may only view it, cannot."""
    return request.user.has_perms(
        ["registrations.add_governmentdomain", "registrations.change_governmentdomain"]
    )


def trustable_domains(registrations: Iterable[Registration]) -> list[str]:
    """The unrecognised domains that could be trusted: never a webmail provider."""
    domains = unrecognised_domains(registrations)
    refused = domains_untrustable(domains)
    return [domain for domain in domains if domain not in refused]


def approve_many(
    model_admin: admin.ModelAdmin, request: HttpRequest, registrations: list[Registration], *, trust: bool
) -> int:
    """Trust the domains if asked, approve each entry, log and report; returns how many were approved now.

    Only the trustable domains are trusted (webmail never is), and only by an organizer who may change
    the domain list; anyone else asking is refused before anything is approved.
    """
    if trust and not can_trust_domains(request):
        raise PermissionDenied
    if trust and (domains := trustable_domains(registrations)):
        new = domains_trust(
            domains=domains, note=gettext("Trusted by %(user)s on approval") % {"user": request.user}
        )
        if new:
            model_admin.message_user(
                request, gettext("Now recognised from now on: %(domains)s") % {"domains": ", ".join(new)}
            )
    approved, refused = 0, []
    for registration in registrations:
        try:
            changed = registration_approve(registration=registration, actor=request.user)
        except ReviewError as error:
            refused.append(str(error))
            continue
        if changed:
            model_admin.log_change(request, registration, "Approved")
            approved += 1
    if approved:
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d registration approved; the email is on the way.",
                "%(count)d registrations approved; their emails are on the way.",
                approved,
            )
            % {"count": approved},
        )
    elif not refused:
        model_admin.message_user(request, gettext("Already approved: nothing changed."), messages.INFO)
    if refused:
        model_admin.message_user(
            request, gettext("Not approved: %(reasons)s") % {"reasons": " ".join(refused)}, messages.WARNING
        )
    return approved


def confirmation_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    registrations: list[Registration],
    *,
    action_url: str,
    hidden: dict[str, object],
) -> TemplateResponse:
    """Like Django's delete confirmation: the entries on unrecognised domains, and a deliberate button."""
    return TemplateResponse(
        request,
        CONFIRM_TEMPLATE,
        {
            **model_admin.admin_site.each_context(request),
            "title": gettext("Approve entries whose email domain is not recognised?"),
            "opts": model_admin.model._meta,
            "registrations": registrations,
            "unrecognised": [
                (r, email_domain(r.email))
                for r in registrations
                if r.email and not r.email_domain_recognised and r.status != Registration.Status.APPROVED
            ],
            "domains": unrecognised_domains(registrations),
            "trustable": trustable_domains(registrations),
            "webmail": domains_untrustable(unrecognised_domains(registrations)),
            "can_trust": can_trust_domains(request),
            "action_url": action_url,
            "hidden": hidden,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


def _registration_or_404(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> Registration:
    registration = model_admin.get_object(request, unquote(object_id))
    if registration is None:
        raise Http404(gettext("No registration with id %(id)s.") % {"id": object_id})
    if not model_admin.has_review_permission(request):
        raise PermissionDenied
    return registration


def _list_filters(request: HttpRequest) -> str:
    """The organizer's list as a query string, carried from the list through every review step."""
    return request.GET.get("_changelist_filters", "")


def _open_next(
    model_admin: admin.ModelAdmin, request: HttpRequest, registration: Registration
) -> HttpResponse:
    """Open the next waiting entry of the organizer's list, or go back to the list when none is left."""
    filters = _list_filters(request)
    following = next_waiting(registration, model_admin.listing(request, filters))
    if following is not None:
        return HttpResponseRedirect(change_url(following, filters))
    model_admin.message_user(request, gettext("No other entry is waiting for review."), messages.INFO)
    return HttpResponseRedirect(list_url(filters))


def approve_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Approve from the change page (after the confirmation step if needed); then back, or to the next."""
    registration = _registration_or_404(model_admin, request, object_id)
    filters = _list_filters(request)
    if request.method != "POST":
        return HttpResponseRedirect(change_url(registration, filters))
    go_next = "next" in request.POST
    if unrecognised_domains([registration]) and registration.is_confirmed and "confirm" not in request.POST:
        hidden = {"confirm": "1", **({"next": "1"} if go_next else {})}
        action_url = reverse("admin:registrations_registration_approve", args=[registration.pk])
        if filters:
            action_url += "?" + urlencode({"_changelist_filters": filters})
        return confirmation_page(model_admin, request, [registration], action_url=action_url, hidden=hidden)
    approve_many(model_admin, request, [registration], trust="trust" in request.POST)
    if go_next:
        return _open_next(model_admin, request, registration)
    return HttpResponseRedirect(change_url(registration, filters))


def set_aside_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Hold the entry back for checking, then open the next waiting entry of the list."""
    registration = _registration_or_404(model_admin, request, object_id)
    if request.method != "POST":
        return HttpResponseRedirect(change_url(registration, _list_filters(request)))
    try:
        changed = registration_set_aside(registration=registration, actor=request.user)
    except ReviewError as error:
        model_admin.message_user(request, str(error), messages.WARNING)
        return HttpResponseRedirect(change_url(registration, _list_filters(request)))
    if changed:
        model_admin.log_change(request, registration, "Set aside")
    model_admin.message_user(
        request,
        gettext("%(registration)s is set aside: it stays out of the review queue until taken back.")
        % {"registration": registration},
    )
    return _open_next(model_admin, request, registration)


def take_back_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Put an entry set aside back into the review queue, and stay on it."""
    registration = _registration_or_404(model_admin, request, object_id)
    if request.method == "POST" and registration_take_back(registration=registration, actor=request.user):
        model_admin.log_change(request, registration, "Taken back into the review queue")
        model_admin.message_user(
            request, gettext("%(registration)s is back in the review queue.") % {"registration": registration}
        )
    return HttpResponseRedirect(change_url(registration, _list_filters(request)))


def reject_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Reject one entry with a reason; an empty reason shows the form again with what was typed."""
    registration = _registration_or_404(model_admin, request, object_id)
    filters = _list_filters(request)
    form = RejectForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            changed = registration_reject(
                registration=registration, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ReviewError as error:
            form.add_error(None, str(error))
        else:
            if changed:
                model_admin.log_change(request, registration, f"Rejected: {form.cleaned_data['reason']}")
                model_admin.message_user(
                    request,
                    gettext("%(registration)s rejected; the reason was emailed.")
                    % {"registration": registration},
                )
            else:
                model_admin.message_user(
                    request, gettext("Already rejected: nothing changed."), messages.INFO
                )
            if "next" in request.POST:
                return _open_next(model_admin, request, registration)
            return HttpResponseRedirect(change_url(registration, filters))
    return TemplateResponse(
        request,
        REJECT_TEMPLATE,
        {
            **model_admin.admin_site.each_context(request),
            "title": _("Reject %(registration)s") % {"registration": registration},
            "opts": model_admin.model._meta,
            "original": registration,
            "form": form,
            "change_url": change_url(registration, filters),
        },
    )


def reject_selected_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Registration]
) -> TemplateResponse | None:
    """The bulk action: ask for one reason, then reject each selected entry with it.

    Returns the reason form, or None when done (Django then shows the list with the messages)."""
    form = RejectForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return TemplateResponse(
            request,
            REJECT_MANY_TEMPLATE,
            {
                **model_admin.admin_site.each_context(request),
                "title": _("Reject registrations"),
                "form": form,
                "registrations": queryset.select_related("edition"),
                "opts": model_admin.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
    reason = form.cleaned_data["reason"]
    rejected, refused = 0, []
    for registration in queryset:
        try:
            registration_reject(registration=registration, actor=request.user, reason=reason)
        except ReviewError as error:
            refused.append(str(error))
            continue
        model_admin.log_change(request, registration, f"Rejected: {reason}")
        rejected += 1
    model_admin.message_user(
        request,
        ngettext(
            "%(count)d registration rejected; the reason was emailed.",
            "%(count)d registrations rejected; the reason was emailed.",
            rejected,
        )
        % {"count": rejected},
    )
    if refused:
        model_admin.message_user(request, gettext("Not rejected: %s") % " ".join(refused), messages.WARNING)
    return None
