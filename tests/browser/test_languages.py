"""Signing up in another language, in a real browser: Arabic right to left, Spanish with Spanish emails.

Screenshots of the Arabic pages are saved under the test's tmp_path and their paths printed (pytest -s).
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from registrations.models import Registration
from tests.browser.helpers import links_in_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_agency_form(page, *, handle: str, email: str, city: str, country_typed: str) -> None:
    # Fields by id: the labels are in the page's language.
    page.locator("#id_handle").fill(handle)
    page.locator("#id_agency_name").fill("شرطة دبي" if handle == "DubaiPoliceHQ" else "Policía de Sevilla")
    page.locator("#id_agency_level").select_option("local")
    page.locator("#id_email").fill(email)
    page.locator("#id_street").fill("1 Main Street")
    page.locator("#id_city").fill(city)
    # The country box finds a country by part of its (translated) name.
    page.locator("#id_country").fill(country_typed)
    page.locator("ul[role=listbox] li[role=option]").first.click()
    page.locator("#id_participation_model").select_option("all_calls")
    page.locator("#id_consent_public").check()
    page.locator("form.registration-form button[type=submit]").click()


def test_signing_up_in_arabic_reads_right_to_left(page, live_server, site_url, open_edition, tmp_path):
    with translation.override("ar"):
        url = live_server.url + reverse("registrations:register", args=["agency"])
    page.goto(url)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.locator('link[href*="bootstrap.rtl"]')).to_have_count(1)
    # The page's own text flows right to left: the heading starts at the right edge of the main column.
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).direction") == "rtl"
    form_shot = tmp_path / "signup-ar.png"
    page.screenshot(path=str(form_shot), full_page=True)
    print(f"Arabic sign-up form: {form_shot}")

    fill_agency_form(
        page, handle="DubaiPoliceHQ", email="info@dubaipolice.gov.ae", city="دبي", country_typed="الإمارات"
    )
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("main")).to_contain_text("info@dubaipolice.gov.ae")
    done_shot = tmp_path / "signup-ar-done.png"
    page.screenshot(path=str(done_shot), full_page=True)
    print(f"Arabic 'check your email' page: {done_shot}")

    registration = Registration.objects.get()
    assert (registration.language, registration.agency_name, registration.country) == ("ar", "شرطة دبي", "AE")
    [message] = mail.outbox
    assert "/ar/confirm/" in message.body and "Please confirm" not in message.body


def test_signing_up_in_spanish_brings_spanish_emails(page, live_server, site_url, open_edition):
    with translation.override("es"):
        url = live_server.url + reverse("registrations:register", args=["agency"])
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscribir la cuenta de una agencia")
    fill_agency_form(
        page, handle="PoliciaSevilla", email="prensa@sevilla.gob.es", city="Sevilla", country_typed="Españ"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Revise su correo")

    [confirm_url] = links_in_outbox("confirm", base_url=live_server.url)
    assert "/es/confirm/" in confirm_url
    [message] = mail.outbox
    assert message.subject.startswith("Confirme su correo para @PoliciaSevilla")
    assert message.body.startswith("Hola")

    page.goto(confirm_url)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("confirmado")
    registration = Registration.objects.get()
    assert registration.language == "es" and registration.is_confirmed
    # The next email (received for review) is Spanish too.
    assert len(mail.outbox) == 2
    assert mail.outbox[1].body.startswith("Hola") and "/es/manage/" in mail.outbox[1].body
