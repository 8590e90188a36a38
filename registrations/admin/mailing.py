"""Mailings in the admin: organizers write to registrants and see how many emails went out or failed."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events.models import Edition
from registrations.forms import VisibleTextMixin
from registrations.models import Delivery, Mailing, Registration
from registrations.services.mailing import message_send


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

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write the text of the message; it is empty."))
        return body


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
    list_display = ["subject", "kind", "edition", "recipients", "sent", "failed", "created_at", "finished_at"]
    list_filter = ["kind", "edition"]
    search_fields = ["subject"]
    list_select_related = ["edition"]
    inlines = [FailedDeliveryInline]
    readonly_fields = [
        "kind",
        "edition",
        "target_edition",
        "subject",
        "body",
        "recipient_filter",
        "created_by",
        "created_at",
        "recipients",
        "sent",
        "failed",
        "finished_at",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MessageForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["edition", "subject", "body", "kinds", "statuses", "countries"]
        return self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "edition":
            kwargs["queryset"] = Edition.objects.order_by("-ordinal")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Mailing, form, change: bool) -> None:
        if change:
            return  # a mailing is never edited after it is sent
        mailing = message_send(
            edition=form.cleaned_data["edition"],
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            actor=request.user,
            kinds=form.cleaned_data["kinds"],
            statuses=form.cleaned_data["statuses"],
            countries=form.cleaned_data["countries"],
        )
        # The admin redirects to the object it thinks it saved.
        obj.pk = mailing.pk

    def save_related(self, request, form, formsets, change) -> None:
        """Nothing to save: the service created the mailing and its deliveries."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
