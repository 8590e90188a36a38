"""Sign-up in a real browser: the whole life of an agency registration, and a form sent back with errors."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from registrations.models import GovernmentDomain, Registration
from tests.browser.helpers import links_in_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "pio@police.uk"


def test_agency_signup_confirm_approve_edit_withdraw(page, live_server, site_url, open_edition):
    # Transactional tests flush the seeded domain list; police.uk must be recognised (one-step approval).
    GovernmentDomain.objects.get_or_create(domain="police.uk")
    # The visitor picks the agency button (the officer button comes first on the page).
    page.goto(live_server.url + reverse("pages:home"))
    page.get_by_role("link", name="Register an agency account").click()
    expect(page).to_have_url(live_server.url + reverse("registrations:register", args=["agency"]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Register an agency account")

    page.get_by_label("X (Twitter) handle").fill("https://x.com/PaloAltoPolice?s=20")
    page.get_by_label("Agency name").fill("Palo Alto Police Department")
    page.get_by_label("Agency level").select_option(label="Local")
    page.get_by_label("Government email address").fill(EMAIL)
    page.get_by_label("Street address").fill("275 Forest Avenue")
    page.get_by_label("City").fill("Palo Alto")
    page.get_by_label("State, province or region").fill("California")
    # The country box finds a country by any part of its name (static/js/country-autocomplete.js).
    page.get_by_label("Country").fill("states of am")
    page.get_by_role("option", name="United States of America").click()
    page.get_by_label("Participation model").select_option(label="Tweet all calls")
    page.get_by_label("Show this account on the public #poltwt map").check()
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.locator("main")).to_contain_text(EMAIL)

    # locmem backend: the live server thread appended to the same outbox this test reads.
    assert [message.to for message in mail.outbox] == [[EMAIL]]
    [confirm_url] = links_in_outbox("confirm", base_url=live_server.url)

    # Opening the link changes nothing (mail scanners open links); the button confirms.
    page.goto(confirm_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    assert Registration.objects.get().email_confirmed_at is None
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("email is confirmed")

    registration = Registration.objects.get()
    assert registration.handle == "PaloAltoPolice"
    assert registration.kind == Registration.Kind.AGENCY
    assert registration.email == EMAIL
    assert registration.country == "US"
    assert registration.consent_public is True
    assert registration.is_confirmed
    assert registration.status == Registration.Status.PENDING
    sent_before_review = len(mail.outbox)

    # An organizer approves it in the admin, logged in through the browser.
    get_user_model().objects.create_superuser("organizer", "organizer@poltwt.example", "s3cret-Organizer!")
    page.goto(live_server.url + "/admin/login/?next=/admin/registrations/registration/")
    page.get_by_label("Username").fill("organizer")
    page.get_by_label("Password").fill("s3cret-Organizer!")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#result_list")).to_contain_text("@PaloAltoPolice")
    page.locator(f'input[name="_selected_action"][value="{registration.pk}"]').check()
    page.locator('select[name="action"]').select_option(
        label="Approve selected registrations (confirmed emails only)"
    )
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 registration approved")

    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED
    approval_mails = mail.outbox[sent_before_review:]
    assert [message.to for message in approval_mails] == [[EMAIL]]
    assert "approved" in approval_mails[0].body

    # The registrant changes the hours and the city through the private link: the hours apply at once,
    # the city waits for an organizer, and the entry stays approved (and public) meanwhile.
    manage_url = links_in_outbox("manage", base_url=live_server.url)[-1]
    page.goto(manage_url)
    expect(page.get_by_label("City")).to_have_value("Palo Alto")
    page.get_by_label("City").fill("East Palo Alto")
    page.get_by_label("Tweeting from (local time)").fill("09:00")
    page.get_by_label("Tweeting until (local time)").fill("17:00")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="saved and shown at once")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="waits for an organizer’s approval")).to_be_visible()
    expect(page.get_by_label("City")).to_have_value("East Palo Alto")
    expect(page.locator("main dl")).to_contain_text("Approved")
    registration.refresh_from_db()
    assert registration.city == "Palo Alto" and registration.pending_changes == {"city": "East Palo Alto"}
    assert registration.hours_from == dt.time(9)
    assert registration.status == Registration.Status.APPROVED

    # Withdrawal asks first, then erases.
    page.get_by_role("link", name=re.compile("Withdraw this registration")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Withdraw @PaloAltoPolice")
    assert Registration.objects.get().status == Registration.Status.APPROVED
    page.get_by_role("button", name="Yes, withdraw and erase my data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your registration is withdrawn")

    registration.refresh_from_db()
    assert registration.status == Registration.Status.WITHDRAWN
    assert registration.email == ""
    assert registration.handle == ""
    assert registration.street == ""
    # The private link is dead now.
    page.goto(manage_url)
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("Your registration of"))


def test_officer_form_with_errors_keeps_what_was_typed(page, live_server, open_edition):
    page.goto(live_server.url + reverse("registrations:register", args=["officer"]))
    page.get_by_label("X (Twitter) handle").fill("@bad-handle!")
    page.get_by_label("Your name").fill("Jane Doe")
    page.get_by_label("Role or rank").fill("Sergeant")
    page.get_by_label("Agency you serve").fill("West Midlands Police")
    page.get_by_label("Level of that agency").select_option("regional")
    page.get_by_label("Government email address").fill("jane.doe@wmp.police.uk")
    page.get_by_label("Street address").fill("Lloyd House, Colmore Circus")
    # City left empty.
    page.get_by_label("Postcode").fill("B4 6NQ")
    page.get_by_label("Country").fill("kingdom")
    page.get_by_role("option", name="United Kingdom").click()
    page.get_by_label("Participation model").select_option("beat")
    page.get_by_label("Show this account on the public #poltwt map").check()
    page.get_by_role("button", name="Register").click()

    # The summary is announced (role="alert"), takes the focus (so keyboard and screen-reader users start
    # there), counts exactly the two fields at fault and lists each as a link that moves to its field.
    summary = page.locator("#form-errors")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please correct 2 fields below.")
    expect(summary.get_by_role("link")).to_have_text(
        [re.compile(r"^X \(Twitter\) handle: An X handle has 1 to 15"), "City: This field is required."]
    )
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("X (Twitter) handle")).to_be_focused()
    summary.get_by_role("link", name="City: This field is required.").click()
    expect(page.get_by_label("City")).to_be_focused()

    # Each message sits next to its field, and the field points at it.
    handle = page.get_by_label("X (Twitter) handle")
    expect(handle).to_have_attribute("aria-invalid", "true")
    expect(handle).to_have_attribute("aria-describedby", re.compile(r"\bid_handle_error\b"))
    expect(page.locator("#div_id_handle #id_handle_error")).to_contain_text(
        "An X handle has 1 to 15 characters"
    )
    city = page.get_by_label("City")
    expect(city).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#div_id_city #id_city_error")).to_have_text("This field is required.")
    expect(page.locator(".invalid-feedback")).to_have_count(2)

    # What was typed is still there, the bad handle included, so it can be corrected rather than retyped.
    expect(handle).to_have_value("@bad-handle!")
    expect(page.get_by_label("Your name")).to_have_value("Jane Doe")
    expect(page.get_by_label("Role or rank")).to_have_value("Sergeant")
    expect(page.get_by_label("Agency you serve")).to_have_value("West Midlands Police")
    expect(page.get_by_label("Level of that agency")).to_have_value("regional")
    expect(page.get_by_label("Government email address")).to_have_value("jane.doe@wmp.police.uk")
    expect(page.get_by_label("Street address")).to_have_value("Lloyd House, Colmore Circus")
    expect(page.get_by_label("Postcode")).to_have_value("B4 6NQ")
    expect(page.get_by_label("Country")).to_have_value("United Kingdom")
    expect(page.locator("select[name=country]")).to_have_value("GB")
    expect(page.get_by_label("Participation model")).to_have_value("beat")
    expect(page.get_by_label("Show this account on the public #poltwt map")).to_be_checked()
    assert not Registration.objects.exists()
    assert mail.outbox == []
