"""Emails to registrants: one template set per message (subject.txt, body.txt, body.html).

Each is written in the registrant's language (Registration.language), links included: reverse() under
translation.override gives that language's URL prefix.
"""

from __future__ import annotations

from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from events.calendar import ics_bytes
from poltwt import siteurl
from registrations import kit, tokens
from registrations.models import Registration

# One registrant each.
MESSAGES = ("confirm", "received", "approved", "rejected", "links", "change_approved", "change_rejected")


def absolute(path: str) -> str:
    return siteurl.absolute(path)


def registration_links(registration: Registration) -> dict[str, str]:
    links = {
        "manage_url": absolute(
            reverse("registrations:manage", args=[tokens.make_token(registration, "manage")])
        )
    }
    if not registration.is_confirmed:
        links["confirm_url"] = absolute(
            reverse("registrations:confirm", args=[tokens.make_token(registration, "confirm")])
        )
    return links


def build_message(template: str, *, to: str, context: dict) -> EmailMultiAlternatives:
    """Every email poltwt sends is built here: answers go to the organizers (Reply-To), not to noreply@."""
    base = f"registrations/email/{template}"
    context = {"organizers_email": settings.ORGANIZERS_EMAIL, **context}
    subject = " ".join(render_to_string(f"{base}/subject.txt", context).split())
    text = render_to_string(f"{base}/body.txt", context)
    html = render_to_string(f"{base}/body.html", context)
    reply_to = [settings.ORGANIZERS_EMAIL] if settings.ORGANIZERS_EMAIL else None
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    return message


def attach_calendar(message: EmailMultiAlternatives, registration: Registration) -> bool:
    """Attach the registrant's own calendar file (text/calendar; method=PUBLISH) when there is one."""
    event = kit.registrant_event(registration)
    if event is None:
        return False
    message.attach(calendar_part(ics_bytes(event), f"poltwt-{registration.edition.ordinal}.ics"))
    return True


def calendar_part(ics: bytes, filename: str) -> MIMEText:
    # Built by hand: Django's attach() would add a second charset to "text/calendar; method=PUBLISH".
    part = MIMEText(ics.decode(), "calendar", "utf-8")
    part.set_param("method", "PUBLISH")
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def participant_kit(registration: Registration, manage_token: str) -> dict:
    """What an approved participant needs to take part and tell others: calendar, ready post, map pin."""
    return {
        "calendar": kit.calendar_links(registration, manage_token),
        "post": kit.ready_post(registration),
        "pin_url": kit.pin_url(registration),
        "my_hours": kit.hours_label(registration),
    }


def send_registration_email(registration: Registration, template: str) -> None:
    if template not in MESSAGES:
        raise ValueError(f"unknown registration email {template!r}")
    if not registration.email:
        return  # withdrawn or purged: nobody to write to
    with translation.override(recipient_language(registration)):
        context = {
            "registration": registration,
            "edition": registration.edition,
            **registration_links(registration),
        }
        if template == "approved":
            context.update(participant_kit(registration, tokens.make_token(registration, "manage")))
        message = build_message(template, to=registration.email, context=context)
        if template == "approved":
            attach_calendar(message, registration)
    message.send()


def recipient_language(registration: Registration) -> str:
    """The registrant's language if the site still speaks it, else the site's default."""
    language = registration.language
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
