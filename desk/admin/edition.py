"""Editions in the admin: a schedule change tells each confirmed registrant; past participants are invited.

Neither sends on Save: both write a draft mailing and open its review page (desk/admin/mailing.py),
where nothing goes out until the organizer presses "Send to N registrants"; cancelling there sends nothing.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from desk.admin.mailing import review_url
from events.models import TRANSLATED_FIELDS, Award, Edition, Figure, FormerDate
from registrations.forms import VisibleTextMixin
from registrations.services.editions import edition_change
from registrations.services.mailing import MailingError, invitations_create


class HttpsURLField(forms.URLField):
    """A link typed without a scheme is read as https (Django 6's default, without its warning)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


def other_languages() -> list[tuple[str, str]]:
    """Every language of the site but English, whose texts are the model's own fields."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def translation_field(field: str, code: str) -> str:
    return f"{field}_{code}"


def _translation_fields() -> dict[str, forms.Field]:
    """A title, theme and description field for each other language (Edition.translations)."""
    labels = {name: Edition._meta.get_field(name).verbose_name for name in TRANSLATED_FIELDS}
    fields: dict[str, forms.Field] = {}
    for code, language in other_languages():
        for name in TRANSLATED_FIELDS:
            model_field = Edition._meta.get_field(name)
            fields[translation_field(name, code)] = forms.CharField(
                label=format_lazy("{} ({})", labels[name], language),
                max_length=model_field.max_length,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}) if name == "theme_description" else None,
            )
    return fields


class _EditionAdminForm(VisibleTextMixin, forms.ModelForm):
    class Meta:
        model = Edition
        # Every field (the fieldsets decide the layout) but translations: one field per language and text.
        exclude: list[str] = ["translations"]
        field_classes = {"x_list_url": HttpsURLField, "date_source_url": HttpsURLField}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.translations or {}
        for code, _language in other_languages():
            for name in TRANSLATED_FIELDS:
                self.fields[translation_field(name, code)].initial = stored.get(code, {}).get(name, "")

    def save(self, commit: bool = True) -> Edition:
        translations = {}
        for code, _language in other_languages():
            texts = {
                name: self.cleaned_data[translation_field(name, code)].strip()
                for name in TRANSLATED_FIELDS
                if self.cleaned_data.get(translation_field(name, code), "").strip()
            }
            if texts:
                translations[code] = texts
        self.instance.translations = translations
        return super().save(commit)

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


# The per-language fields are declared on the form class (not added in __init__) so that the admin's
# fieldsets may name them.
EditionAdminForm = type(_EditionAdminForm)(
    "EditionAdminForm", (_EditionAdminForm,), {"__module__": __name__, **_translation_fields()}
)


class FigureInline(admin.TabularInline):
    """The published results, each with how exact it is and who published it."""

    model = Figure
    extra = 1
    formfield_overrides = {models.URLField: {"form_class": HttpsURLField}}
    fields = ["measure", "qualifier", "value", "details", "source_name", "source_url"]
    verbose_name_plural = _("Results published after the event")


class AwardInline(admin.TabularInline):
    """The prizes of the edition: category, winner (a handle or a name; empty when not on record), source."""

    model = Award
    extra = 0
    formfield_overrides = {models.URLField: {"form_class": HttpsURLField}}
    fields = ["category", "winner", "note", "source_name", "source_url"]


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
    inlines = [FigureInline, AwardInline, FormerDateInline]
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
        *[
            (
                language,
                {
                    "fields": [translation_field(name, code) for name in TRANSLATED_FIELDS],
                    "classes": ["collapse"],
                    "description": _(
                        "The title, theme and description in this language. "
                        "Left empty, the English text is shown."
                    ),
                },
            )
            for code, language in other_languages()
        ],
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
