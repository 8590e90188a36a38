"""Editions in the admin: a schedule change tells each confirmed registrant; past participants are invited.

Neither sends on Save: both write a draft mailing and open its review page (desk/admin/mailing.py),
where nothing goes out until the organizer presses "Send to N registrants"; cancelling there sends nothing.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desk.admin.mailing import review_url
from events.models import Edition, Figure, FormerDate
from registrations.forms import VisibleTextMixin
from registrations.services.editions import edition_change
from registrations.services.mailing import MailingError, invitations_create


class HttpsURLField(forms.URLField):
    """A link typed without a scheme is read as https (Django 6's default, without its warning)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class EditionAdminForm(VisibleTextMixin, forms.ModelForm):
    class Meta:
        model = Edition
        exclude: list[str] = []  # every field: the admin's fieldsets decide the layout
        field_classes = {"x_list_url": HttpsURLField, "date_source_url": HttpsURLField}

    def clean(self) -> dict:
        cleaned = super().clean()
        date, status = cleaned.get("date"), cleaned.get("status")
        moved = "date" in self.changed_data
        if moved and date and date < timezone.localdate() and status != Edition.Status.COMPLETED:
            self.add_error(
                "date", _("The new date is in the past. Give a future date, or mark the edition completed.")
            )
        # A completed edition may lack a date: the record of some past editions does not give one.
        if status in (Edition.Status.SCHEDULED, Edition.Status.RESCHEDULED) and not date:
            self.add_error("date", _("Give a date, or set the status to “date to be announced”."))
        return cleaned


class FigureInline(admin.TabularInline):
    """The published results, each with how exact it is and who published it."""

    model = Figure
    extra = 1
    formfield_overrides = {models.URLField: {"form_class": HttpsURLField}}
    fields = ["measure", "qualifier", "value", "details", "source_name", "source_url"]
    verbose_name_plural = _("Results published after the event")


class FormerDateInline(admin.TabularInline):
    """Dates the edition was set for before it moved: recorded on each move, editable for the record."""

    model = FormerDate
    extra = 0
    fields = ["date", "replaced_at"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    form = EditionAdminForm
    list_display = ["ordinal", "title", "date", "status", "registration_opens_at", "registration_closes_at"]
    list_filter = ["status"]
    search_fields = ["title", "theme", "theme_hashtag"]
    ordering = ["-ordinal"]
    actions = ["invite_participants"]
    inlines = [FigureInline, FormerDateInline]
    fieldsets = [
        (None, {"fields": ["ordinal", "title", "hashtag", "status"]}),
        (
            _("When"),
            {"fields": ["date", "date_source_name", "date_source_url", "start_time", "duration_hours"]},
        ),
        (
            _("Sign-up"),
            {"fields": ["registration_opens_at", "registration_closes_at", "auto_approve_returning"]},
        ),
        (_("Theme"), {"fields": ["theme", "theme_hashtag", "theme_description"]}),
        (_("Official X list"), {"fields": ["x_list_url"]}),
        (_("Reminders"), {"fields": ["reminders_enabled"]}),
        (_("Privacy"), {"fields": ["retention_days"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Edition, form, change: bool) -> None:
        change = edition_change(edition=obj, actor=request.user)
        # The draft notice is opened by response_change/response_add, which Django calls next.
        request._schedule_notice = change.notice
        if change.moved and change.notice is None:
            self.message_user(request, _("The schedule changed; no confirmed registrant to tell."))

    def response_change(self, request: HttpRequest, obj: Edition) -> HttpResponse:
        return self._to_notice(request) or super().response_change(request, obj)

    def response_add(self, request: HttpRequest, obj: Edition, post_url_continue=None) -> HttpResponse:
        return self._to_notice(request) or super().response_add(request, obj, post_url_continue)

    def _to_notice(self, request: HttpRequest) -> HttpResponse | None:
        notice = getattr(request, "_schedule_notice", None)
        if notice is None:
            return None
        self.message_user(
            request,
            _(
                "The edition is saved. Its registrants have not been told yet: review the schedule-change "
                "notice and send it, or discard it."
            ),
        )
        return HttpResponseRedirect(review_url(notice))

    @admin.action(description=_("Invite approved participants to the edition open for sign-up…"))
    def invite_participants(self, request: HttpRequest, queryset: QuerySet[Edition]) -> HttpResponse | None:
        """Write one draft invitation per selected edition; each is sent from its review page."""
        target = Edition.objects.current()
        drafts = []
        for source in queryset:
            try:
                drafts.append(invitations_create(source=source, target=target, actor=request.user))
            except MailingError as error:
                self.message_user(request, f"{source}: {error}", messages.ERROR)
        if len(drafts) == 1:
            return HttpResponseRedirect(review_url(drafts[0]))
        if drafts:
            self.message_user(
                request,
                _("%(count)d draft invitations written; nothing was sent. Review and send each in Mailings.")
                % {"count": len(drafts)},
            )
        return None
