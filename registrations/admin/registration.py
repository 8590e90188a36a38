"""The organizers' desk: review registrations, export them, keep the government-domain list."""

from __future__ import annotations

import functools

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from registrations import tasks
from registrations.admin.location import location_view
from registrations.exports import csv_response
from registrations.fields import XHandleField
from registrations.forms import RejectForm, VisibleTextMixin
from registrations.models import GovernmentDomain, Registration, RegistrationLogEntry
from registrations.services.common import ReviewError
from registrations.services.review import registration_approve, registration_reject
from registrations.services.x_list import x_list_mark_added, x_list_mark_removed

EXPORT_FIELDS = [
    "id",
    "edition__ordinal",
    "kind",
    "handle",
    "agency_name",
    "agency_level",
    "officer_name",
    "officer_role",
    "email",
    "email_confirmed_at",
    "email_domain_recognised",
    "street",
    "city",
    "region",
    "postcode",
    "country",
    "participation_model",
    "topic",
    "local_goal",
    "local_hashtag",
    "hours_from",
    "hours_to",
    "consent_public",
    "added_to_x_list_at",
    "status",
    "review_reason",
    "latitude",
    "longitude",
    "geo_status",
    "geo_precision",
    "time_zone",
    "created_at",
]


class XListFilter(admin.SimpleListFilter):
    title = _("official X list")
    parameter_name = "x_list"

    def lookups(self, request, model_admin):
        return [("added", _("Marked as added")), ("new", _("Public, not added yet"))]

    def queryset(self, request, queryset):
        if self.value() == "added":
            return queryset.filter(added_to_x_list_at__isnull=False)
        if self.value() == "new":
            return queryset.public().filter(added_to_x_list_at__isnull=True)
        return queryset


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("email confirmed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(email_confirmed_at__isnull=self.value() == "no")
        return queryset


class RegistrationAdminForm(VisibleTextMixin, forms.ModelForm):
    """Organizers' edits follow the same handle and email rules as the public form."""

    # Optional: a withdrawn entry has no handle left.
    handle = XHandleField(label=_("X handle"), required=False)

    class Meta:
        model = Registration
        exclude: list[str] = []

    def clean_email(self) -> str:
        return self.cleaned_data.get("email", "").strip().lower()


class RegistrationLogInline(admin.TabularInline):
    model = RegistrationLogEntry
    extra = 0
    can_delete = False
    fields = ["at", "action", "actor", "detail"]
    readonly_fields = fields
    verbose_name_plural = _("History")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    form = RegistrationAdminForm
    list_display = [
        "handle_link",
        "kind",
        "agency_name",
        "country",
        "edition_label",
        "confirmed",
        "email_domain_recognised",
        "status",
        "earlier_rejection",
        "geo_status",
    ]
    list_filter = [
        "edition",
        "kind",
        "status",
        ConfirmedFilter,
        "email_domain_recognised",
        ("country", CountryFilter),
        "geo_status",
        "geo_precision",
        "geo_provider",
        "agency_level",
        "participation_model",
        XListFilter,
    ]
    search_fields = ["handle", "agency_name", "email", "officer_name", "city"]
    list_select_related = ["edition"]
    list_per_page = 100
    # Counting 10,000+ rows twice per page is wasted work; one filtered count is enough.
    show_full_result_count = False
    date_hierarchy = "created_at"
    actions = [
        "approve_selected",
        "reject_selected",
        "export_csv",
        "geocode_again",
        "mark_added_to_x_list",
        "mark_not_on_x_list",
    ]
    inlines = [RegistrationLogInline]
    readonly_fields = [
        "status",
        "earlier_rejections",
        "handle_held_at",
        "reviewed_by",
        "reviewed_at",
        "review_reason",
        "email_confirmed_at",
        "email_domain_recognised",
        "location_link",
        "latitude",
        "longitude",
        "geo_status",
        "geo_precision",
        "geo_provider",
        "geo_attempts",
        "geo_next_attempt_at",
        "geo_error",
        "time_zone",
        "added_to_x_list_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["edition", "kind", "handle", "status", "earlier_rejections"]}),
        (
            _("Agency and officer"),
            {"fields": ["agency_name", "agency_level", "officer_name", "officer_role"]},
        ),
        (
            _("Email"),
            {"fields": ["email", "email_confirmed_at", "handle_held_at", "email_domain_recognised"]},
        ),
        (_("Address"), {"fields": ["street", "city", "region", "postcode", "country"]}),
        (
            _("Location"),
            {
                "fields": [
                    "location_link",
                    "geo_status",
                    "geo_precision",
                    "geo_provider",
                    "latitude",
                    "longitude",
                    "time_zone",
                    "geo_attempts",
                    "geo_next_attempt_at",
                    "geo_error",
                ]
            },
        ),
        (
            _("Participation"),
            {
                "fields": [
                    "participation_model",
                    "topic",
                    "local_goal",
                    "local_hashtag",
                    "hours_from",
                    "hours_to",
                    "consent_public",
                    "added_to_x_list_at",
                ]
            },
        ),
        (_("Review"), {"fields": ["reviewed_by", "reviewed_at", "review_reason"]}),
        (_("Dates"), {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("X handle"), ordering="handle")
    def handle_link(self, obj: Registration) -> str:
        if not obj.handle:
            return "—"
        # format_html escapes the handle; handles are validated, but the admin must not rely on that.
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer">@{}</a>', obj.x_url, obj.handle
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Registration]:
        # One subquery for the whole page, not one query per row.
        rejected = Registration.objects.filter(
            edition=OuterRef("edition"),
            handle__iexact=OuterRef("handle"),
            status=Registration.Status.REJECTED,
        ).exclude(pk=OuterRef("pk"))
        return super().get_queryset(request).annotate(has_earlier_rejection=Exists(rejected))

    @admin.display(description=_("rejected before"), boolean=True)
    def earlier_rejection(self, obj: Registration) -> bool:
        return getattr(obj, "has_earlier_rejection", False)

    @admin.display(description=_("earlier rejected entries for this handle"))
    def earlier_rejections(self, obj: Registration) -> str:
        if obj.pk is None or not obj.handle:
            return "—"
        rejected = (
            Registration.objects.filter(
                edition_id=obj.edition_id, handle__iexact=obj.handle, status=Registration.Status.REJECTED
            )
            .exclude(pk=obj.pk)
            .order_by("-reviewed_at")
        )
        if not rejected:
            return _("None")
        # format_html_join escapes the organizer's reason and the email: they are shown as text.
        return format_html_join(
            "",
            '<p><a href="{}">#{}</a> {} ({}), {}: “{}”</p>',
            (
                (
                    reverse("admin:registrations_registration_change", args=[entry.pk]),
                    entry.pk,
                    entry.email or "—",
                    entry.agency_name,
                    entry.reviewed_at.date() if entry.reviewed_at else "",
                    entry.review_reason,
                )
                for entry in rejected
            ),
        )

    @admin.display(description=_("edition"), ordering="edition__ordinal")
    def edition_label(self, obj: Registration) -> str:
        return obj.edition.ordinal_label

    @admin.display(description=_("confirmed"), boolean=True, ordering="email_confirmed_at")
    def confirmed(self, obj: Registration) -> bool:
        return obj.is_confirmed

    def get_urls(self):
        location = self.admin_site.admin_view(functools.partial(location_view, self))
        return [
            path("<path:object_id>/location/", location, name="registrations_registration_location"),
            *super().get_urls(),
        ]

    @admin.display(description=_("place on the map"))
    def location_link(self, obj: Registration) -> str:
        if obj.pk is None or obj.status == Registration.Status.WITHDRAWN:
            return "—"
        url = reverse("admin:registrations_registration_location", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Set or correct the point by hand on a map"))

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("registrations.review_registration")

    @admin.action(
        description=_("Approve selected registrations (confirmed emails only)"), permissions=["review"]
    )
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        approved, refused = 0, []
        for registration in queryset.select_related("edition"):
            try:
                registration_approve(registration=registration, actor=request.user)
            except ReviewError as error:
                refused.append(str(error))
                continue
            self.log_change(request, registration, "Approved")
            approved += 1
        if approved:
            self.message_user(
                request, _("%d registration(s) approved; their emails are on the way.") % approved
            )
        if refused:
            self.message_user(request, _("Not approved: %s") % " ".join(refused), messages.WARNING)

    @admin.action(description=_("Reject selected registrations (with a reason)…"), permissions=["review"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Registration]) -> HttpResponse | None:
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            rejected, refused = 0, []
            for registration in queryset:
                try:
                    registration_reject(
                        registration=registration, actor=request.user, reason=form.cleaned_data["reason"]
                    )
                except ReviewError as error:
                    refused.append(str(error))
                    continue
                self.log_change(request, registration, f"Rejected: {form.cleaned_data['reason']}")
                rejected += 1
            self.message_user(request, _("%d registration(s) rejected; the reason was emailed.") % rejected)
            if refused:
                self.message_user(request, _("Not rejected: %s") % " ".join(refused), messages.WARNING)
            return None
        return TemplateResponse(
            request,
            "admin/registrations/registration/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject registrations"),
                "form": form,
                "registrations": queryset.select_related("edition"),
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Geocode the selected addresses again"), permissions=["change"])
    def geocode_again(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        """Ask the provider afresh (bypassing the cache) in the background; points set by hand are kept."""
        ids = list(
            queryset.exclude(status=Registration.Status.WITHDRAWN)
            .exclude(geo_precision=Registration.GeoPrecision.MANUAL)
            .values_list("pk", flat=True)
        )
        for pk in ids:
            tasks.geocode_registration_task.enqueue(pk, force=True)
        self.message_user(
            request, _("%d address(es) queued to be geocoded again; points set by hand are kept.") % len(ids)
        )

    @admin.action(
        description=_("Mark as added to the official X list (public participants)"), permissions=["change"]
    )
    def mark_added_to_x_list(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        already = queryset.filter(added_to_x_list_at__isnull=False).count()
        marked = x_list_mark_added(registrations=queryset, actor=request.user)
        self.message_user(request, _("%d handle(s) marked as added to the official X list.") % marked)
        skipped = queryset.count() - marked - already
        if skipped > 0:
            self.message_user(
                request,
                _("%d not marked: only approved participants who agreed to be listed go on the X list.")
                % skipped,
                messages.WARNING,
            )

    @admin.action(description=_("Mark as not on the official X list"), permissions=["change"])
    def mark_not_on_x_list(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        unmarked = x_list_mark_removed(registrations=queryset, actor=request.user)
        self.message_user(request, _("%d handle(s) count as not on the official X list again.") % unmarked)

    @admin.action(description=_("Export selected registrations as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Registration]) -> HttpResponse:
        rows = queryset.order_by("pk").values_list(*EXPORT_FIELDS)
        return csv_response(filename="poltwt-registrations.csv", header=EXPORT_FIELDS, rows=rows.iterator())


@admin.register(GovernmentDomain)
class GovernmentDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "note", "created_at"]
    search_fields = ["domain", "note"]
