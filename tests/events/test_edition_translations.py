"""Edition texts per language: entered in the admin, shown on pages, emails, calendar files, share texts and
preview cards in the visitor's or registrant's language, English where none is given."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from registrations import kit
from registrations.emails import send_registration_email
from tests.factories import EditionFactory, ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

SPANISH = {
    "title": "7.ª Tuitada Policial Global",
    "theme": "Tiempo de unirse",
    "theme_description": "Juntos.",
}
ARABIC = {"title": "الماراثون السابع لتغريدات الشرطة", "theme": "وقت الوحدة"}


@pytest.fixture
def edition():
    return EditionFactory(
        ordinal=7,
        title="7th Global Police Tweet-a-thon",
        theme="Time to Unify",
        theme_hashtag="#TimeToUnify",
        date=dt.date(2026, 12, 27),
        translations={"es": SPANISH, "ar": ARABIC},
    )


def test_each_language_has_its_text_and_english_is_the_fallback(edition):
    assert edition.title_in("es") == SPANISH["title"]
    assert edition.title_in("fr") == "7th Global Police Tweet-a-thon"
    assert edition.text_in("theme_description", "ar") == ""  # none given: the English one (empty)
    with translation.override("ar"):
        assert edition.display_title == ARABIC["title"]
        assert edition.display_theme == ARABIC["theme"]


def test_pages_and_preview_cards_show_the_visitors_language(client, edition):
    page = client.get("/es/editions/").content.decode()
    assert SPANISH["title"] in page and SPANISH["theme"] in page
    assert "7th Global Police Tweet-a-thon" not in page
    home = client.get("/es/schedule/").content.decode()
    assert f'<meta property="og:title" content="{SPANISH["title"]}' in home or SPANISH["title"] in home
    english = client.get("/en/editions/").content.decode()
    assert "7th Global Police Tweet-a-thon" in english and SPANISH["title"] not in english


def test_the_edition_calendar_file_is_in_the_language_of_its_address(client, edition):
    response = client.get(f"/es/editions/{edition.ordinal}/poltwt.ics")
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert SPANISH["title"] in str(event["SUMMARY"])
    assert SPANISH["theme"] in str(event["DESCRIPTION"])


def test_emails_use_the_registrants_language(edition):
    registration = RegistrationFactory(edition=edition, language="es")
    send_registration_email(registration, "received")
    [message] = mail.outbox
    assert SPANISH["title"] in message.subject + message.body
    assert "7th Global Police Tweet-a-thon" not in message.subject + message.body


@pytest.mark.parametrize(
    ("language", "date", "title"),
    [
        ("en", "27 Dec 2026", "7th Global"),
        ("es", "27 dic 2026", SPANISH["title"]),
        ("ar", "27 ديسمبر 2026", ARABIC["title"]),
    ],
)
def test_the_ready_post_is_written_in_the_language_with_its_date(edition, language, date, title):
    registration = ParticipantFactory(edition=edition, time_zone="Europe/Madrid", language=language)
    with translation.override(language):
        post = kit.ready_post(registration)
    text = parse_qs(urlsplit(post.x_intent_url).query)["text"][0]
    assert date in text
    assert title in text


def test_an_officer_asks_people_to_follow_them_not_us(edition):
    officer = ParticipantFactory(edition=edition, kind="officer", officer_name="Ana Ruiz", time_zone="UTC")
    agency = ParticipantFactory(edition=edition, kind="agency", time_zone="UTC")
    with translation.override("es"):
        assert "Sígame" in kit.ready_post(officer).text
        assert "Síganos" in kit.ready_post(agency).text
        assert "nosotros" not in kit.ready_post(agency).text


def test_organizers_enter_the_texts_per_language_in_the_admin(admin_client, edition):
    url = reverse("admin:events_edition_change", args=[edition.pk])
    form = admin_client.get(url).context["adminform"].form
    assert form["title_es"].value() == SPANISH["title"]
    data = {name: form[name].value() or "" for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "title_fr": "7e Tweet-a-thon mondial de la police",
            "title_es": "",
            "theme_es": "",
            "theme_description_es": "",
            "date": "2026-12-27",
            "start_time": "08:00",
            "figures-TOTAL_FORMS": "0",
            "figures-INITIAL_FORMS": "0",
            "awards-TOTAL_FORMS": "0",
            "awards-INITIAL_FORMS": "0",
            "former_dates-TOTAL_FORMS": "0",
            "former_dates-INITIAL_FORMS": "0",
        }
    )
    for name in ("registration_opens_at", "registration_closes_at"):
        data.pop(name, None)
    data = {key: value for key, value in data.items() if value is not False}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    edition.refresh_from_db()
    assert edition.translations == {"fr": {"title": "7e Tweet-a-thon mondial de la police"}, "ar": ARABIC}
