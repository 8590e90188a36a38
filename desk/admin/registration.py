"""The organizers' desk: review registrations, export them, keep the government-domain list."""

from __future__ import annotations

import copy
import functools

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import SuspiciousOperation
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from desk.admin.changes import change_decision_view
from desk.admin.location import location_view
from desk.admin.review import (
    approve_many,
    approve_view,
    change_url,
    confirmation_page,
    next_waiting,
    reject_selected_view,
    reject_view,
    set_aside_view,
    take_back_view,
    unrecognised_domains,
)
from events.models import Edition
from poltwt import querynumbers
from registrations import search
from registrations.exports import csv_response
from registrations.fields import XHandleField
from registrations.forms import VisibleTextMixin
from registrations.models import GEO_FIELDS, REGISTRANT_FIELDS, Registration, RegistrationLogEntry
from registrations.services.common import geocode_again
from registrations.services.registration import registration_organizer_edit
from registrations.services.x_list import x_list_mark_added, x_list_mark_removed

# Everything the registrant gave, then what poltwt and the organizers made of it.
EXPORT_FIELDS = [
    "id",
    "edition__ordinal",
    "kind",
    *REGISTRANT_FIELDS,
    "email_confirmed_at",
    "email_domain_recognised",
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


def waiting_query(edition: Edition) -> str:
    """The list's query string for an edition's review queue: confirmed, pending, not set aside."""
    return (
        f"edition__id__exact={edition.pk}&status__exact={Registration.Status.PENDING}&confirmed=yes"
        "&set_aside=no"
    )


class SetAsideFilter(admin.SimpleListFilter):
    title = _("set aside")
    parameter_name = "set_aside"

    def lookups(self, request, model_admin):
        return [("yes", _("Set aside")), ("no", _("Not set aside"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(set_aside_at__isnull=self.value() == "no")
        return queryset


class OtherCountryFilter(admin.SimpleListFilter):
    """Entries whose point or city lies in another country than the one chosen (see geo_other_country)."""

    title = _("address in another country")
    parameter_name = "other_country"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(geo_other_country="")
        if self.value() == "no":
            return queryset.filter(geo_other_country="")
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
    template = "admin/edit_inline/tabular_named_headers.html"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    form = RegistrationAdminForm
    # Status and the domain flag come right after the handle so they stay on screen at 1366 px.
    list_display = [
        "handle_link",
        "status",
        "confirmed",
        "email_domain_recognised",
        "is_set_aside",
        "kind",
        "agency_name",
        "country_name",
        "earlier_rejection",
        "geo_status",
        "edition_label",
        "x_profile",
    ]
    # Django's own link keeps the list's filters and order (_changelist_filters) on the entry's page, so
    # "approve and open the next" follows this list.
    list_display_links = ["handle_link"]
    list_filter = [
        "edition",
        "kind",
        "status",
        ConfirmedFilter,
        SetAsideFilter,
        "email_domain_recognised",
        ("country", CountryFilter),
        "geo_status",
        OtherCountryFilter,
        "agency_level",
        "participation_model",
        XListFilter,
    ]
    # Names are searched through the folded column (accents and case ignored, see registrations/search.py);
    # email and officer name as typed.
    search_fields = ["email", "officer_name"]
    list_select_related = ["edition"]
    # 50 rows: a review queue page; rendering each row dominates the page time with 10,000 entries.
    list_per_page = 50
    # Counting 10,000+ rows twice per page is wasted work; one filtered count is enough.
    show_full_result_count = False
    # Filter counts one click away ("Show counts"): always on, their counting queries cost ~40% of the
    # page with 10,000 entries (bench/bench_desk.py).
    show_facets = admin.ShowFacets.ALLOW
    actions = [
        "approve_selected",
        "reject_selected",
        "export_csv",
        "geocode_again",
        "mark_added_to_x_list",
        "mark_not_on_x_list",
    ]
    inlines = [RegistrationLogInline]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        words = [search.fold(word).lstrip("@") for word in search_term.split()]
        if words := [word for word in words if word]:
            folded = queryset
            for word in words:
                folded = folded.filter(search_text__contains=word)
            results = results | folded
        return results, may_have_duplicates

    readonly_fields = [
        "status",
        "earlier_rejections",
        "handle_held_at",
        "reviewed_by",
        "reviewed_at",
        "review_reason",
        "set_aside_at",
        "set_aside_by",
        "email_confirmed_at",
        "email_domain_recognised",
        "location_link",
        *GEO_FIELDS,
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
        (_("Location"), {"fields": ["location_link", *GEO_FIELDS]}),
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
        (
            _("Review"),
            {"fields": ["reviewed_by", "reviewed_at", "review_reason", "set_aside_at", "set_aside_by"]},
        ),
        (_("Dates"), {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("X handle"), ordering="handle")
    def handle_link(self, obj: Registration) -> str:
        """The handle opens the entry; a withdrawn entry (no handle left) still opens by its number."""
        # Returned as text: Django escapes it and wraps it in the entry's link (list_display_links).
        if not obj.handle:
            return _("Withdrawn #%(id)s") % {"id": obj.pk}
        return f"@{obj.handle}"

    @admin.display(description=_("set aside"), boolean=True, ordering="set_aside_at")
    def is_set_aside(self, obj: Registration) -> bool:
        return obj.set_aside_at is not None

    @admin.display(description=_("X profile"))
    def x_profile(self, obj: Registration) -> str:
        if not obj.handle:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer" aria-label="{}">x.com ↗</a>',
            obj.x_url,
            _("@%(handle)s on X (opens in a new tab)") % {"handle": obj.handle},
        )

    @admin.display(description=_("country"), ordering="country")
    def country_name(self, obj: Registration) -> str:
        # Not the field itself: the admin would rebuild the 250 country choices for every row (2 s a page).
        return obj.country.name or "—"

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
        def view(function):
            return self.admin_site.admin_view(functools.partial(function, self))

        return [
            path(
                "<path:object_id>/location/", view(location_view), name="registrations_registration_location"
            ),
            path("<path:object_id>/approve/", view(approve_view), name="registrations_registration_approve"),
            path("<path:object_id>/reject/", view(reject_view), name="registrations_registration_reject"),
            path(
                "<path:object_id>/set-aside/",
                view(set_aside_view),
                name="registrations_registration_set_aside",
            ),
            path(
                "<path:object_id>/take-back/",
                view(take_back_view),
                name="registrations_registration_take_back",
            ),
            path(
                "<path:object_id>/change-decision/",
                view(change_decision_view),
                name="registrations_registration_change_decision",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        """Without any filter, open on the current edition's confirmed entries waiting for review."""
        if not request.GET and request.method == "GET":
            edition = Edition.objects.current() or Edition.objects.order_by("-ordinal").first()
            if edition is not None:
                return HttpResponseRedirect(f"{request.path}?{waiting_query(edition)}")
        if "all" in request.GET:
            # "See all entries": an explicit request for no filter at all, which Django knows no name for.
            request.GET = request.GET.copy()
            del request.GET["all"]
        return super().changelist_view(request, extra_context)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_review": self.has_review_permission(request),
            "next_waiting_url": self._next_waiting_url(request, object_id),
            "tiles_url": settings.MAP_TILES_URL,
            "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _next_waiting_url(self, request: HttpRequest, object_id: str) -> str:
        pk = querynumbers.parse(unquote(str(object_id)))
        if pk is None:
            return ""  # Django's change view answers an invalid id itself
        registration = Registration.objects.filter(pk=pk).only("pk", "edition_id").first()
        filters = request.GET.get("_changelist_filters", "")
        following = next_waiting(registration, self.listing(request, filters)) if registration else None
        return change_url(following, filters) if following else ""

    def listing(self, request: HttpRequest, filters: str) -> QuerySet[Registration] | None:
        """The list as the organizer left it: the changelist's own queryset for its query string (filters,
        search, order), so that the next entry is the next one on their screen. None without a list, or
        for a query string the list itself would refuse."""
        if not filters:
            return None
        params = QueryDict(filters, mutable=True)
        params.pop("all", None)  # "See all entries": no filter (see changelist_view)
        list_request = copy.copy(request)
        list_request.GET = params
        try:
            changelist = self.get_changelist_instance(list_request)
            return changelist.queryset
        except (IncorrectLookupParameters, SuspiciousOperation):
            return None

    def save_model(self, request: HttpRequest, obj: Registration, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            # A new address or country places the entry again, as a registrant's edit does.
            registration_organizer_edit(registration=obj, changed=form.changed_data)

    def get_form(self, request, obj=None, change=False, **kwargs):
        # A view-only organizer gets every field read-only: the custom form's declared handle field would
        # then be missing from the generated form (KeyError: 'handle'), so use the plain model form.
        if obj is not None and not self.has_change_permission(request, obj):
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        # Organizers reject or withdraw (which keeps the history); deleting is for superusers only.
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)
        elif "delete_selected" in actions:
            actions["delete_selected"] = actions.pop("delete_selected")  # last, not first
        return actions

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
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Registration]) -> HttpResponse | None:
        """Recognised domains approve at once; any unrecognised one first shows the confirmation page."""
        registrations = list(queryset.select_related("edition"))
        confirmable = [r for r in registrations if r.is_confirmed]
        if unrecognised_domains(confirmable) and "confirm" not in request.POST:
            return confirmation_page(
                self,
                request,
                registrations,
                action_url=request.get_full_path(),
                hidden={"action": "approve_selected", "confirm": "1"},
            )
        approve_many(self, request, registrations, trust="trust" in request.POST)
        return None

    @admin.action(description=_("Reject selected registrations (with a reason)…"), permissions=["review"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Registration]) -> HttpResponse | None:
        return reject_selected_view(self, request, queryset)

    @admin.action(description=_("Geocode the selected addresses again"), permissions=["change"])
    def geocode_again(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        """Ask the provider afresh (bypassing the cache) in the background; points set by hand are kept."""
        queued = geocode_again(registrations=queryset)
        self.message_user(
            request, _("%d address(es) queued to be geocoded again; points set by hand are kept.") % queued
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
