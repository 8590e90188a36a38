"""Mailings in the admin: organizers write to registrants, review, test, send, and watch the progress.

Saving a message never sends it: the admin saves a draft and opens its review page ("This will email N
registrants", counted by status and language, the email as it goes out in each language, "send a test to
me"); only "Send to N registrants" sends. A draft stays editable (its change form) until it is sent; a
sent mailing's page shows what was sent, to whom and how far it got. Schedule notices
(desk/admin/edition.py) and invitations use the same pages.
"""

from __future__ import annotations

import functools

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape, format_html, format_html_join, linebreaks
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events.models import Edition
from registrations import emails
from registrations.forms import VisibleTextMixin
from registrations.models import Delivery, Mailing, Registration
from registrations.services.mailing import (
    MAILING_STATUSES,
    AlreadySent,
    MailingError,
    RecipientsChanged,
    mailing_audience,
    mailing_discard,
    mailing_previews,
    mailing_send,
    mailing_send_test,
    mailing_update,
    message_create,
)

REVIEW_TEMPLATE = "admin/registrations/mailing/review.html"
# While a mailing is sending, its page reloads itself this often (seconds) to show the progress.
PROGRESS_REFRESH = 3


def review_url(mailing: Mailing) -> str:
    return reverse("admin:registrations_mailing_review", args=[mailing.pk])


def progress(mailing: Mailing) -> dict[str, int]:
    """Sent, failed and remaining deliveries, counted in one query (the mailing's own counters lag)."""
    counts = Delivery.objects.filter(mailing=mailing).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        failed=Count("pk", filter=~Q(error="")),
    )
    counts["remaining"] = max(counts["total"] - counts["sent"] - counts["failed"], 0)
    return counts


def translated_languages() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class MessageForm(VisibleTextMixin, forms.ModelForm):
    """Compose or edit a message: the edition, who among its registrants receives it (by status and account
    type, both chosen explicitly), subject and text, and the text in more languages."""

    statuses = forms.MultipleChoiceField(
        label=_("Statuses"),
        choices=[(s, Registration.Status(s).label) for s in MAILING_STATUSES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Who receives it. “Pending review” means confirmed entries still waiting for review."),
        error_messages={"required": _("Tick at least one status: a mailing never goes to everyone unasked.")},
    )
    kinds = forms.MultipleChoiceField(
        label=_("Account types"),
        choices=Registration.Kind.choices,
        initial=list(Registration.Kind.values),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one account type.")},
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=list(countries),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("None selected: every country."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        mailing = self.instance
        if mailing.pk and mailing.kind != Mailing.Kind.MESSAGE:
            # A notice's audience follows from what it is (the approved and the waiting; the invitees).
            for name in ("statuses", "kinds", "countries"):
                del self.fields[name]
        if mailing.pk:  # editing a draft: its audience and its other languages as saved
            chosen = mailing.recipient_filter or {}
            for name in ("statuses", "kinds", "countries"):
                if name in self.fields and name in chosen:
                    self.initial[name] = chosen[name]
            for code, version in (mailing.translations or {}).items():
                for part in ("subject", "body"):
                    if f"{part}_{code}" in self.fields:
                        self.initial[f"{part}_{code}"] = version.get(part, "")

    class Meta:
        model = Mailing
        fields = ["edition", "subject", "body"]
        help_texts = {
            "body": _(
                "Plain text. Each registrant's email starts with a greeting and ends with their private link."
            )
        }

    def translations(self) -> dict[str, dict[str, str]]:
        return {
            code: {"subject": self.cleaned_data[f"subject_{code}"], "body": self.cleaned_data[f"body_{code}"]}
            for code, _name in translated_languages()
            if self.cleaned_data.get(f"body_{code}", "").strip()
        }

    def audience(self) -> dict[str, list[str]]:
        return {name: self.cleaned_data.get(name, []) for name in ("statuses", "kinds", "countries")}

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write the text of the message; it is empty."))
        return body


def _add_translation_fields(form: type[forms.ModelForm]) -> None:
    # The same message in more languages, all optional: a recipient reads their language's text when it
    # is given, else the original (greeting, links and footer are always in theirs). Declared on the class
    # so that the admin's form factory knows them.
    for code, name in translated_languages():
        extra = {
            f"subject_{code}": forms.CharField(
                label=format_lazy(_("Subject in {language}"), language=name), max_length=200, required=False
            ),
            f"body_{code}": forms.CharField(
                label=format_lazy(_("Text in {language}"), language=name),
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
            ),
        }
        form.base_fields.update(extra)
        form.declared_fields.update(extra)


_add_translation_fields(MessageForm)


class FailedDeliveryInline(admin.TabularInline):
    model = Delivery
    verbose_name_plural = _("Failed deliveries")
    fields = ["registration", "claimed_at", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(error="").select_related("registration__edition")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


# What a sent mailing's page shows, all read-only: the text in each language and the audience as words.
SENT_FIELDS = [
    "kind",
    "status",
    "edition",
    "target_edition",
    "subject",
    "body",
    "other_languages",
    "audience",
    "created_by",
    "created_at",
    "send_started_at",
    "recipients",
    "sent",
    "failed",
    "finished_at",
]
AUDIENCE_FIELDS = ["statuses", "kinds", "countries"]


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "status", "edition", "recipients", "sent", "failed", "created_at"]
    list_filter = ["status", "kind", "edition"]
    search_fields = ["subject"]
    list_select_related = ["edition"]
    inlines = [FailedDeliveryInline]
    form = MessageForm

    def get_urls(self):
        review = self.admin_site.admin_view(functools.partial(review_view, self))
        return [
            path("<path:object_id>/review/", review, name="registrations_mailing_review"),
            *super().get_urls(),
        ]

    def has_change_permission(self, request, obj=None) -> bool:
        # A draft is edited by whoever may write mailings (Reviewers too); what was sent stays as sent.
        if obj is not None:
            return obj.is_draft and self.has_add_permission(request)
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if not obj.is_draft:
            return SENT_FIELDS
        fixed = ["kind", "created_by", "created_at"]
        if obj.kind != Mailing.Kind.MESSAGE:  # a notice's edition and audience follow from what it is
            fixed += ["edition", "audience"]
        return fixed + (["target_edition"] if obj.kind == Mailing.Kind.INVITATION else [])

    def get_fields(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return SENT_FIELDS
        languages = [
            f"{part}_{code}" for code, _name in translated_languages() for part in ("subject", "body")
        ]
        if obj is None or obj.kind == Mailing.Kind.MESSAGE:
            fields = ["edition", "subject", "body", *languages, *AUDIENCE_FIELDS]
        else:
            fields = ["edition", "subject", "body", *languages, "audience"]
        if obj is not None:
            fields = ["kind", *fields, *(["target_edition"] if obj.kind == Mailing.Kind.INVITATION else [])]
        return fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None and not obj.is_draft else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "edition":
            kwargs["queryset"] = Edition.objects.order_by("-ordinal")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("other languages"))
    def other_languages(self, obj: Mailing) -> str:
        """Each version in another language, as text (the organizers' words, escaped)."""
        names = dict(settings.LANGUAGES)
        versions = [
            (code, v) for code, v in (obj.translations or {}).items() if code != settings.LANGUAGE_CODE
        ]
        if not versions:
            return gettext("None: every recipient reads the text above.")
        return format_html_join(
            "",
            '<div class="mailing-version" lang="{}"><h4>{}</h4><p><strong>{}</strong></p>{}</div>',
            (
                (
                    code,
                    names.get(code, code),
                    version.get("subject", ""),
                    linebreaks(escape(version.get("body", ""))),
                )
                for code, version in versions
            ),
        )

    @admin.display(description=_("audience"))
    def audience(self, obj: Mailing) -> str:
        """Who it was written to, in words: statuses, account types, countries; a notice says what it is."""
        chosen = obj.recipient_filter or {}
        if obj.kind == Mailing.Kind.INVITATION:
            return gettext("Approved participants of %(source)s not yet registered for %(target)s") % {
                "source": obj.edition,
                "target": obj.target_edition,
            }
        statuses = chosen.get("statuses") or (
            [Registration.Status.APPROVED, Registration.Status.PENDING]
            if obj.kind == Mailing.Kind.SCHEDULE
            else []
        )
        rows = [
            (gettext("Statuses"), ", ".join(str(Registration.Status(s).label) for s in statuses) or "—"),
            (
                gettext("Account types"),
                ", ".join(
                    str(Registration.Kind(k).label) for k in chosen.get("kinds", Registration.Kind.values)
                ),
            ),
            (
                gettext("Countries"),
                ", ".join(countries.name(c) for c in chosen.get("countries", [])) or gettext("every country"),
            ),
        ]
        if before := chosen.get("before"):
            rows.append((gettext("Date before the change"), before.get("date") or gettext("to be announced")))
        return format_html(
            '<dl class="mailing-audience">{}</dl>', format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows)
        )

    def save_model(self, request: HttpRequest, obj: Mailing, form, change: bool) -> None:
        if change:
            try:
                mailing_update(
                    mailing=obj,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    translations=form.translations(),
                    edition=form.cleaned_data.get("edition"),
                    **(form.audience() if obj.kind == Mailing.Kind.MESSAGE else {}),
                )
            except AlreadySent as error:
                request._mailing_not_saved = str(error)
            return
        mailing = message_create(
            edition=form.cleaned_data["edition"],
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            actor=request.user,
            translations=form.translations(),
            **form.audience(),
        )
        # The admin redirects to the object it thinks it saved.
        obj.pk = mailing.pk

    def save_related(self, request, form, formsets, change) -> None:
        """Nothing to save: the service wrote the draft."""

    def response_add(self, request: HttpRequest, obj: Mailing, post_url_continue=None) -> HttpResponse:
        self.message_user(request, gettext("Draft saved; nothing was sent. Review it and send it here."))
        return HttpResponseRedirect(review_url(obj))

    def response_change(self, request: HttpRequest, obj: Mailing) -> HttpResponse:
        if error := getattr(request, "_mailing_not_saved", None):
            self.message_user(request, error, messages.WARNING)
            return HttpResponseRedirect(reverse("admin:registrations_mailing_change", args=[obj.pk]))
        self.message_user(request, gettext("Draft saved; nothing was sent. Review it and send it here."))
        return HttpResponseRedirect(review_url(obj))

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        mailing = self.get_object(request, unquote(object_id))
        extra_context = dict(extra_context or {})
        if mailing is not None and mailing.is_draft:
            extra_context["review_url"] = review_url(mailing)
        elif mailing is not None:
            extra_context["progress"] = progress(mailing)
            extra_context["refresh"] = PROGRESS_REFRESH if mailing.finished_at is None else None
        return super().change_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def review_view(model_admin: MailingAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Review a draft: count, preview, test; then send it to exactly the reviewed number, or discard it."""
    mailing = model_admin.get_object(request, unquote(object_id))
    if mailing is None:
        raise Http404(gettext("No mailing with id %(id)s.") % {"id": object_id})
    if not model_admin.has_view_permission(request, mailing):
        raise PermissionDenied
    if not mailing.is_draft:
        return HttpResponseRedirect(reverse("admin:registrations_mailing_change", args=[mailing.pk]))
    if request.method == "POST":
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        response = _review_post(model_admin, request, mailing)
        if response is not None:
            return response
    audience = mailing_audience(mailing=mailing)
    names = dict(settings.LANGUAGES)
    return TemplateResponse(
        request,
        REVIEW_TEMPLATE,
        {
            **model_admin.admin_site.each_context(request),
            "title": gettext("Review before sending: %(subject)s") % {"subject": mailing.subject},
            "opts": model_admin.model._meta,
            "original": mailing,
            "count": audience.total,
            "by_status": audience.by_status,
            "by_language": [(code, names.get(code, code), count) for code, count in audience.by_language],
            "previews": [
                preview_context(sample, message, by_status=mailing.kind == Mailing.Kind.SCHEDULE)
                for sample, message in mailing_previews(mailing=mailing, audience=audience)
            ],
            "can_send": model_admin.has_add_permission(request),
            "change_url": reverse("admin:registrations_mailing_change", args=[mailing.pk]),
        },
    )


def preview_context(sample: Registration, message, *, by_status: bool) -> dict[str, object]:
    """One preview for the page. render_to_string returns SafeStrings: escape both versions explicitly, or
    the email's text (and an organizer's own "<...>") would be read as markup here. The HTML version goes
    into a sandboxed frame's srcdoc attribute."""
    html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
    language = emails.recipient_language(sample)
    return {
        "language": language,
        "language_name": dict(settings.LANGUAGES).get(language, language),
        "status": sample.get_status_display() if by_status else "",
        "message": message,
        "text": escape(message.body),
        "html": escape(html),
    }


def _review_post(model_admin: MailingAdmin, request: HttpRequest, mailing: Mailing) -> HttpResponse | None:
    if "test" in request.POST:
        try:
            tests = mailing_send_test(mailing=mailing, to=request.user.email)
        except MailingError as error:
            model_admin.message_user(request, str(error), messages.ERROR)
        else:
            model_admin.message_user(
                request,
                ngettext(
                    "A test was sent to %(email)s.",
                    "%(count)d tests, one in each language, were sent to %(email)s.",
                    tests,
                )
                % {"email": request.user.email, "count": tests},
            )
        return HttpResponseRedirect(review_url(mailing))
    if "discard" in request.POST:
        try:
            mailing_discard(mailing=mailing)
        except AlreadySent as error:
            model_admin.message_user(request, str(error), messages.WARNING)
            return HttpResponseRedirect(reverse("admin:registrations_mailing_change", args=[mailing.pk]))
        model_admin.message_user(request, gettext("The draft was discarded; nothing was sent."))
        return HttpResponseRedirect(reverse("admin:registrations_mailing_changelist"))
    if "send" in request.POST:
        try:
            expected = int(request.POST.get("expected", ""))
        except ValueError:
            model_admin.message_user(
                request, gettext("Review the number of recipients, then send."), messages.ERROR
            )
            return HttpResponseRedirect(review_url(mailing))
        try:
            sent = mailing_send(mailing=mailing, expected=expected)
        except AlreadySent as error:
            model_admin.message_user(request, str(error), messages.WARNING)
            return HttpResponseRedirect(reverse("admin:registrations_mailing_change", args=[mailing.pk]))
        except RecipientsChanged as error:
            model_admin.message_user(
                request,
                gettext(
                    "Not sent: the number of recipients changed from %(reviewed)d to %(now)d. "
                    "Check it and send again."
                )
                % {"reviewed": error.reviewed, "now": error.now},
                messages.ERROR,
            )
            return HttpResponseRedirect(review_url(mailing))
        except MailingError as error:
            model_admin.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(review_url(mailing))
        model_admin.log_change(request, sent, f"Sent to {sent.recipients} registrants")
        model_admin.message_user(
            request,
            ngettext("Sending to %(count)d registrant.", "Sending to %(count)d registrants.", sent.recipients)
            % {"count": sent.recipients},
        )
        return HttpResponseRedirect(reverse("admin:registrations_mailing_change", args=[mailing.pk]))
    return None
