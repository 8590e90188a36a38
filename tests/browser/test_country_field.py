"""The sign-up form's drop-downs: placeholders that say what to choose, and a country field that finds a
country by any part of its name with JavaScript and stays a plain <select> without it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_placeholders_say_what_to_choose(page, live_server, open_edition):
    page.goto(live_server.url + reverse("registrations:register", args=["agency"]))
    options = page.locator("select option").all_text_contents()
    assert "---------" not in options
    expect(page.locator("select[name=agency_level] option").first).to_have_text("Choose the agency’s level")
    expect(page.locator("select[name=participation_model] option").first).to_have_text(
        "Choose how you take part"
    )
    expect(page.locator("select[name=country] option").first).to_have_text("Choose a country")


def test_country_found_by_any_part_of_its_name(page, live_server, open_edition):
    page.goto(live_server.url + reverse("registrations:register", args=["agency"]))
    country = page.get_by_role("combobox", name="Country")
    expect(country).to_have_value("")  # not "Choose a country"
    matches = page.locator("#id_country__listbox").get_by_role("option")
    country.fill("zeal")
    expect(matches).to_have_text(["New Zealand"])
    country.fill("guinea")
    expect(matches.first).to_be_visible()
    names = matches.all_text_contents()
    assert {"Guinea", "Guinea-Bissau", "Equatorial Guinea", "Papua New Guinea"} <= set(names)
    # Keyboard only: down to the third match, Enter chooses it, and the hidden select carries its code.
    country.fill("land")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    chosen = page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    expect(country).to_have_value(chosen)
    code = page.locator("select[name=country]").input_value()
    assert code and page.locator(f"select[name=country] option[value={code}]").text_content() == chosen
    # Nothing found: said in words.
    country.fill("xyzzy")
    expect(page.locator(".autocomplete__option--no-results")).to_have_text("No country matches")


def test_without_javascript_the_country_is_a_plain_select(browser, live_server, open_edition, page_log):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        watch(page, page_log)
        page.goto(live_server.url + reverse("registrations:register", args=["agency"]))
        select = page.get_by_label("Country")
        expect(select).to_have_js_property("tagName", "SELECT")
        select.select_option(label="Iceland")
        expect(select).to_have_value("IS")
    finally:
        context.close()
    assert page_log.unexpected() == []
