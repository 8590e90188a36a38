"""Mailings in the admin: organizers write to registrants, review, test, send, and watch the progress.

Saving a message never sends it: the admin saves a draft and opens its review page ("This will email N
registrants", the email one recipient gets in text and HTML, "send a test to me"); only "Send to N
registrants" sends. Schedule notices (desk/admin/edition.py) and invitations use the same page.
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
from django.utils.html import escape
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events.models import Edition
from registrations.forms import VisibleTextMixin
from registrations.models import Delivery, Mailing, Registration
from registrations.services.mailing import (
    AlreadySent,
    MailingError,
    RecipientsChanged,
    mailing_discard,
    mailing_preview,
    mailing_recipients,
    mailing_send,
    mailing_send_test,
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
    """Compose a message: the edition, who among its registrants receives it, subject and text."""

    kinds = forms.MultipleChoiceField(
        label=_("Account types"),
        choices=Registration.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every type."),
    )
    statuses = forms.MultipleChoiceField(
        label=_("Statuses"),
        choices=[c for c in Registration.Status.choices if c[0] != Registration.Status.WITHDRAWN],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every status."),
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=list(countries),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("None selected: every country."),
    )

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


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "status", "edition", "recipients", "sent", "failed", "created_at"]
    list_filter = ["status", "kind", "edition"]
    search_fields = ["subject"]
    list_select_related = ["edition"]
    inlines = [FailedDeliveryInline]
    readonly_fields = [
        "kind",
        "status",
        "edition",
        "target_edition",
        "subject",
        "body",
        "translations",
        "recipient_filter",
        "created_by",
        "created_at",
        "send_started_at",
        "recipients",
        "sent",
        "failed",
        "finished_at",
    ]

    def get_urls(self):
        review = self.admin_site.admin_view(functools.partial(review_view, self))
        return [
            path("<path:object_id>/review/", review, name="registrations_mailing_review"),
            *super().get_urls(),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MessageForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        if obj is None:
            extra = [
                f"{part}_{code}" for code, _name in translated_languages() for part in ("subject", "body")
            ]
            return ["edition", "subject", "body", *extra, "kinds", "statuses", "countries"]
        return self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "edition":
            kwargs["queryset"] = Edition.objects.order_by("-ordinal")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Mailing, form, change: bool) -> None:
        if change:
            return  # a mailing is never edited: discard the draft and write a new one
        mailing = message_create(
            edition=form.cleaned_data["edition"],
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            actor=request.user,
            kinds=form.cleaned_data["kinds"],
            statuses=form.cleaned_data["statuses"],
            countries=form.cleaned_data["countries"],
            translations=form.translations(),
        )
        # The admin redirects to the object it thinks it saved.
        obj.pk = mailing.pk

    def save_related(self, request, form, formsets, change) -> None:
        """Nothing to save: the service created the draft."""

    def response_add(self, request: HttpRequest, obj: Mailing, post_url_continue=None) -> HttpResponse:
        self.message_user(request, gettext("Draft saved; nothing was sent. Review it and send it here."))
        return HttpResponseRedirect(review_url(obj))

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        mailing = self.get_object(request, unquote(object_id))
        if mailing is not None and mailing.is_draft:
            return HttpResponseRedirect(review_url(mailing))
        extra_context = dict(extra_context or {})
        if mailing is not None:
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
    count = mailing_recipients(mailing=mailing).count()
    preview = mailing_preview(mailing=mailing)
    # render_to_string returns SafeStrings: escape both versions explicitly, or the email's text (and an
    # organizer's own "<...>") would be read as markup here. The HTML version goes into the srcdoc attribute.
    text = escape(preview.body) if preview else ""
    html = (
        next((content for content, mimetype in preview.alternatives if mimetype == "text/html"), "")
        if preview
        else ""
    )
    return TemplateResponse(
        request,
        REVIEW_TEMPLATE,
        {
            **model_admin.admin_site.each_context(request),
            "title": gettext("Review before sending: %(subject)s") % {"subject": mailing.subject},
            "opts": model_admin.model._meta,
            "original": mailing,
            "count": count,
            "preview": preview,
            "preview_text": text,
            "preview_html": escape(html),
            "can_send": model_admin.has_add_permission(request),
        },
    )


def _review_post(model_admin: MailingAdmin, request: HttpRequest, mailing: Mailing) -> HttpResponse | None:
    if "test" in request.POST:
        try:
            mailing_send_test(mailing=mailing, to=request.user.email)
        except MailingError as error:
            model_admin.message_user(request, str(error), messages.ERROR)
        else:
            model_admin.message_user(
                request, gettext("A test was sent to %(email)s.") % {"email": request.user.email}
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
