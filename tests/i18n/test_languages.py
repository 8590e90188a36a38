"""Every public page and every email speaks the visitor's or the registrant's language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from pages.selectors import participants as selectors
from registrations.emails import send_registration_email
from registrations.models import Mailing, Registration
from tests.factories import ParticipantFactory, RegistrationFactory
from tests.registrations.helpers import agency_post, html_body

pytestmark = pytest.mark.django_db

# Sentences a visitor meets on the pages; none may be left in English in a translated page.
# Every language the site speaks but English (settings.LANGUAGES).
TRANSLATED = ["es", "fr", "de", "nl", "pt", "it", "ar"]
ENGLISH_PAGE_SENTENCES = [
    "Skip to main content",
    "Editions of the Global Police Tweet-a-thon",
    "Skip the map",
    "Participants in this view of the map",
    "Download the list",
    "When each time zone is on air",
    "The one rule",
    "Register an agency account",
    "Official participant list",
    "Search handle, agency or city",
    "The schedule follows the sun",
    "Participant map",
    "Accounts by country",
    "Fields marked * are required.",
    "Get your private link again",
    "agency account",
    "poltwt only lists X (Twitter) accounts that organizers have approved.",
]
ENGLISH_EMAIL_SENTENCES = [
    "Hello",
    "Your private link to view, change or withdraw this registration",
    "The Global Police Tweet-a-thon (#poltwt) organizers",
    "Please confirm that this address is yours",
    "is with the organizers for review",
    "Good news",
    "could not approve",
    "You asked for the private link",
]
PUBLIC_PAGES = [
    ("pages:home", []),
    ("pages:edition_list", []),
    ("pages:schedule", []),
    ("pages:participant_list", []),
    ("pages:statistics", []),
    ("pages:map", []),
    ("registrations:register", ["agency"]),
    ("registrations:register", ["officer"]),
    ("registrations:lost_link", []),
]


@pytest.fixture
def participants(edition):
    ParticipantFactory(edition=edition, handle="PaloAltoPolice", country="US", city="Palo Alto")
    ParticipantFactory(edition=edition, handle="PoliciaMedellin", country="CO", city="Valle de Aburrá")


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize(("name", "args"), PUBLIC_PAGES)
def test_every_public_page_is_translated(client, edition, participants, language, name, args):
    with translation.override(language):
        url = reverse(name, args=args)
    assert url.startswith(f"/{language}/")
    html = client.get(url).content.decode()
    assert f'<html lang="{language}"' in html
    assert (' dir="rtl"' in html) == (language == "ar")
    assert ("bootstrap.rtl.min.css" in html) == (language == "ar")
    left = [sentence for sentence in ENGLISH_PAGE_SENTENCES if sentence in html]
    assert left == [], f"{url} still says {left}"


def test_the_switcher_names_each_language_in_itself_and_links_the_same_page(client, edition):
    html = client.get(reverse("pages:map")).content.decode()
    for name in (
        "English",
        "Español",
        "Français",
        "Deutsch",
        "Nederlands",
        "Português",
        "Italiano",
        "العربية",
    ):
        assert f">{name}</a>" in html
    assert 'href="/language/es/?next=/en/map/"' in html
    response = client.get("/language/es/", {"next": "/en/map/?edition=7"})
    assert response.status_code == 302
    assert response["Location"] == "/es/map/?edition=7"
    assert response.cookies["django_language"].value == "es"
    # The choice sticks: an address without a prefix now goes to Spanish.
    assert client.get("/map/")["Location"] == "/es/map/"


def test_accept_language_chooses_the_first_time_and_other_sites_are_refused(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5")["Location"] == "/ar/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="xx")["Location"] == "/en/"
    assert client.get("/language/de/", {"next": "https://evil.example/"})["Location"] == "/"
    assert client.get("/language/xx/").status_code == 404


def test_cached_data_is_kept_per_language(edition, participants):
    with translation.override("es"):
        spanish = {row["country_code"]: row["country_name"] for row in selectors.participants(edition)}
    with translation.override("en"):
        english = {row["country_code"]: row["country_name"] for row in selectors.participants(edition)}
    assert spanish["US"] == "Estados Unidos"
    assert english["US"] == "United States of America"


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("template", ["confirm", "received", "approved", "rejected", "links"])
def test_every_registrant_email_comes_in_their_language(edition, language, template):
    registration = RegistrationFactory(edition=edition, language=language, review_reason="Motivo")
    if template != "confirm":
        registration.email_confirmed_at = edition.created_at if hasattr(edition, "created_at") else None
    send_registration_email(registration, template)
    [message] = mail.outbox
    for part in (message.subject, message.body, html_body(message)):
        left = [sentence for sentence in ENGLISH_EMAIL_SENTENCES if sentence in part]
        assert left == [], f"{template} in {language} still says {left}"
    assert f"http://testserver/{language}/manage/" in message.body
    assert f'<html lang="{language}"' in html_body(message)


def test_sign_up_in_spanish_stores_the_language_and_writes_in_spanish(
    client, edition, django_capture_on_commit_callbacks
):
    with translation.override("es"):
        url = reverse("registrations:register", args=["agency"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, agency_post())
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.language == "es"
    [message] = mail.outbox
    assert message.subject.startswith("Confirme su correo para @PaloAltoPolice")
    assert "/es/confirm/" in message.body


def test_search_ignores_accents_and_case(edition):
    ParticipantFactory(edition=edition, handle="AburraPolice", city="Valle de Aburrá")
    ParticipantFactory(edition=edition, handle="Policia1", agency_name="Policía Nacional")
    ParticipantFactory(edition=edition, handle="KandaharPD", city="Kandahār")
    rows = selectors.participants(edition)
    for query, handle in (("aburra", "AburraPolice"), ("POLICIA", "Policia1"), ("kandahar", "KandaharPD")):
        assert [row["handle"] for row in selectors.filter_participants(rows, query=query)] == [handle]
    folded = Registration.objects.filter(search_text__contains="kandahar")
    assert list(folded.values_list("handle", flat=True)) == ["KandaharPD"]


def test_search_on_the_public_list_and_in_the_admin(client, admin_client, edition):
    ParticipantFactory(edition=edition, handle="KandaharPD", city="Kandahār")
    ParticipantFactory(edition=edition, handle="Other", city="Nairobi")
    html = client.get(reverse("pages:participant_list"), {"q": "kandahar"}).content.decode()
    assert "@KandaharPD" in html and "@Other" not in html
    page = admin_client.get("/admin/registrations/registration/", {"q": "KANDAHAR"}).content.decode()
    assert "KandaharPD" in page and "@Other" not in page


def test_organizers_message_in_each_recipients_language(
    admin_client, edition, django_capture_on_commit_callbacks
):
    RegistrationFactory(edition=edition, language="es", email="es@police.example")
    RegistrationFactory(edition=edition, language="ar", email="ar@police.example")
    RegistrationFactory(edition=edition, language="en", email="en@police.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/registrations/mailing/add/",
            {
                "edition": edition.pk,
                "subject": "Bring your photos",
                "body": "Please bring photos.",
                "subject_es": "Traed vuestras fotos",
                "body_es": "Por favor, traed fotos.",
                "statuses": ["pending", "approved"],
                "kinds": ["agency", "officer"],
            },
        )
    assert response.status_code == 302
    # Saving writes a draft; it goes out from its review page.
    draft = Mailing.objects.get(subject="Bring your photos")
    with django_capture_on_commit_callbacks(execute=True):
        sent = admin_client.post(
            f"/admin/registrations/mailing/{draft.pk}/review/", {"send": "1", "expected": "3"}
        )
    assert sent.status_code == 302
    by_address = {message.to[0]: message for message in mail.outbox}
    spanish, arabic, english = (by_address[f"{code}@police.example"] for code in ("es", "ar", "en"))
    assert spanish.subject == "Traed vuestras fotos" and "Por favor, traed fotos." in spanish.body
    assert spanish.body.startswith("Hola") and "/es/manage/" in spanish.body
    # No Arabic text given: the original, with greeting, link and footer in Arabic.
    assert arabic.subject == "Bring your photos" and "Please bring photos." in arabic.body
    assert arabic.body.startswith("مرحبًا") and "/ar/manage/" in arabic.body
    assert english.body.startswith("Hello") and "Please bring photos." in english.body
