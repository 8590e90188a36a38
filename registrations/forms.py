"""Sign-up and self-service forms: validation and layout only; views call the services."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from events.models import Edition
from registrations.countries import country_terms_json
from registrations.fields import XHandleField
from registrations.models import REGISTRANT_FIELDS, Registration
from registrations.validators import normalise_hashtag, reject_control_characters

# The officer's own name and role are asked on the officer form only; everything else on both.
OFFICER_ONLY_FIELDS = ("officer_name", "officer_role")
AGENCY_FIELDS = [name for name in REGISTRANT_FIELDS if name not in OFFICER_ONLY_FIELDS]
OFFICER_FIELDS = [*AGENCY_FIELDS[:1], *OFFICER_ONLY_FIELDS, *AGENCY_FIELDS[1:]]
# What each drop-down asks for, instead of Django's "---------".
SELECT_PLACEHOLDERS = {
    "agency_level": _("Choose the agency’s level"),
    "participation_model": _("Choose how you take part"),
    "country": _("Choose a country"),
}
TIME_ATTRS = {"inputmode": "numeric", "placeholder": "18:00", "pattern": "[0-2]?[0-9]:[0-5][0-9]", "size": 5}


class VisibleTextMixin:
    """Every text field refuses invisible characters (zero-width, bidi controls, U+2028/U+2029, controls).

    Multi-line fields (textareas) keep their newlines and tabs. Mixed into every form people type into.
    """

    def clean(self) -> dict:
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and value and name not in self.errors:
                multiline = isinstance(self.fields[name].widget, forms.Textarea)
                try:
                    reject_control_characters(value, multiline=multiline)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned


class RegistrationForm(VisibleTextMixin, forms.ModelForm):
    """The agency form; OfficerRegistrationForm adds the officer's name and role."""

    kind = Registration.Kind.AGENCY

    handle = XHandleField(
        label=_("X (Twitter) handle"),
        help_text=_("For example @PaloAltoPolice or https://x.com/PaloAltoPolice. Only X accounts."),
    )
    language = forms.ChoiceField(
        label=_("Language of our emails to you"),
        choices=settings.LANGUAGES,
        required=False,  # left out (an old form, a script): the page's language, or the one kept
        help_text=_("Confirmations, reviews and the organizers’ messages come in this language."),
    )
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by naive bots.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    class Meta:
        model = Registration
        fields = AGENCY_FIELDS
        labels = {
            "email": _("Government email address"),
            "consent_public": _(
                "Show this account on the public #poltwt map and participant list, "
                "and add it to the official X list"
            ),
        }
        help_texts = {
            "email": _("Your work address at the agency. We send a link to confirm it."),
            "street": _("The station or headquarters address, never a home address."),
            "topic": _("Needed if you tweet about one topic, e.g. “road safety”."),
            "local_goal": _(
                "Optional, shown on the map and the list: what you want the day to achieve where you are, "
                "e.g. “Recruit ten volunteers”."
            ),
            "local_hashtag": _("Optional: one hashtag you use beside #poltwt, e.g. #GVCopBeat."),
            "hours_from": _("Leave both times empty if you tweet the whole 24 hours."),
            "hours_to": _("Local time, 24-hour clock (e.g. 18:00)."),
        }
        widgets = {
            # Text, not type="time": browsers show that in 12-hour form in some locales, and the help
            # text promises the 24-hour clock.
            "hours_from": forms.TimeInput(attrs=TIME_ATTRS, format="%H:%M"),
            "hours_to": forms.TimeInput(attrs=TIME_ATTRS, format="%H:%M"),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, edition: Edition, **kwargs) -> None:
        self.edition = edition
        super().__init__(*args, **kwargs)
        # Blank in the model only so withdrawal can erase it; every registrant must give one to confirm.
        self.fields["email"].required = True
        for name in ("street", "city", "country"):
            self.fields[name].required = True
        self.fields["consent_public"].required = False
        if not self.instance.pk and "language" not in self.initial:
            self.initial["language"] = get_language()
        self.fields["country"].widget.attrs["autocomplete"] = "country"
        # static/js/country-autocomplete.js turns the <select> into a type-to-search box; without
        # JavaScript the plain <select> stays. Its messages come from here so they can be translated.
        self.fields["country"].widget.attrs.update(
            {
                "data-autocomplete": "true",
                # The names and aliases each country answers to ("UK", "Deutschland", "Espana").
                "data-country-terms": country_terms_json(),
                "data-no-results": _("No country matches"),
                "data-hint": _(
                    "Type any part of the country’s name, then use the up and down arrows to choose."
                ),
                "data-status-results": _("{count} countries match. {selected}"),
                "data-status-one-result": _("1 country matches. {selected}"),
                "data-status-selected": _("{option}, {index} of {count}, is highlighted."),
                "data-chosen": _("Chosen: {country}"),
                "data-ambiguous": _("“{query}” matches several countries: choose one from the list."),
            }
        )
        for name, placeholder in SELECT_PLACEHOLDERS.items():
            if name in self.fields:
                field = self.fields[name]
                field.choices = [("", placeholder), *(c for c in field.choices if c[0] != "")]
        self.fields["street"].widget.attrs["autocomplete"] = "street-address"
        self.fields["postcode"].widget.attrs["autocomplete"] = "postal-code"
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.helper = self._helper()

    def _helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(*self.layout_sections())
        return helper

    def account_fields(self) -> list[str]:
        return ["handle", "agency_name", "agency_level"]

    def layout_sections(self) -> list:
        return [
            Fieldset(_("The X account"), *self.account_fields()),
            Fieldset(_("Government email"), "email", "language"),
            Fieldset(
                _("Physical address (shown on the map)"),
                "street",
                Div(Div("city", css_class="col-md-6"), Div("region", css_class="col-md-6"), css_class="row"),
                Div(
                    Div("postcode", css_class="col-md-4"),
                    Div("country", css_class="col-md-8"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("How you take part"),
                "participation_model",
                "topic",
                "local_goal",
                "local_hashtag",
                Div(
                    Div("hours_from", css_class="col-6"), Div("hours_to", css_class="col-6"), css_class="row"
                ),
            ),
            Fieldset(_("Consent"), "consent_public"),
            Div("website", css_class="poltwt-hp", aria_hidden="true"),
        ]

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"]
        # Only a confirmed entry holds a handle: an unconfirmed sign-up (perhaps by someone else) never
        # keeps the account's owner out; whoever confirms first holds it.
        taken = Registration.objects.holding_handle().filter(edition=self.edition, handle__iexact=handle)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _(
                    "@%(handle)s is already registered and confirmed for the %(edition)s. If it is yours, "
                    "use the private link in the email you received, or ask for it again; if you did not "
                    "register it, write to the organizers at %(contact)s."
                ),
                code="taken",
                params={
                    "handle": handle,
                    "edition": self.edition.display_title,
                    "contact": settings.ORGANIZERS_EMAIL,
                },
            )
        return handle

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or (
            self.instance.language if self.instance.pk else get_language() or settings.LANGUAGE_CODE
        )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_local_hashtag(self) -> str:
        return normalise_hashtag(self.cleaned_data.get("local_hashtag", ""))

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get(
            "participation_model"
        ) == Registration.ParticipationModel.ONE_TOPIC and not cleaned.get("topic"):
            self.add_error("topic", _("Say which topic you will tweet about."))
        hours = (cleaned.get("hours_from"), cleaned.get("hours_to"))
        if (hours[0] is None) != (hours[1] is None):
            self.add_error(
                "hours_to" if hours[1] is None else "hours_from",
                _("Give both times, or leave both empty to tweet the whole 24 hours."),
            )
        return cleaned

    def registrant_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class OfficerRegistrationForm(RegistrationForm):
    kind = Registration.Kind.OFFICER

    class Meta(RegistrationForm.Meta):
        fields = OFFICER_FIELDS
        labels = {
            **RegistrationForm.Meta.labels,
            "agency_name": _("Agency you serve"),
            "agency_level": _("Level of that agency"),
            "officer_name": _("Your name"),
        }
        help_texts = {
            **RegistrationForm.Meta.help_texts,
            "street": _(
                "Your station’s address, never a home address. The public map shows officers at city level."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer_name"].required = True
        self.fields["officer_role"].required = True

    def account_fields(self) -> list[str]:
        return ["handle", "officer_name", "officer_role", "agency_name", "agency_level"]


FORMS = {Registration.Kind.AGENCY: RegistrationForm, Registration.Kind.OFFICER: OfficerRegistrationForm}


def form_class_for(kind: str) -> type[RegistrationForm]:
    return FORMS[kind]


class LostLinkForm(VisibleTextMixin, forms.Form):
    email = forms.EmailField(label=_("The government email address you registered with"))


class RejectForm(VisibleTextMixin, forms.Form):
    """The reason an organizer gives when rejecting; it goes to the registrant."""

    reason = forms.CharField(
        label=_("Reason sent to the registrant"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )
