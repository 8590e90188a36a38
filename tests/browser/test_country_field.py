"""The sign-up form's drop-downs: placeholders that say what to choose, and a country field that finds a
country by any part of its name with JavaScript and stays a plain <select> without it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
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


ALIASES = [
    ("UK", "GB"),
    ("U.K.", "GB"),
    ("USA", "US"),
    ("England", "GB"),
    ("Great Britain", "GB"),
    ("Holland", "NL"),
    ("Deutschland", "DE"),
    ("Espana", "ES"),
    ("côte d'ivoire", "CI"),
]


def test_aliases_and_names_in_other_languages_choose_their_country_on_tab(page, live_server, open_edition):
    page.goto(live_server.url + reverse("registrations:register", args=["agency"]))
    country = page.get_by_role("combobox", name="Country")
    select = page.locator("select[name=country]")
    for typed, code in ALIASES:
        country.fill(typed)
        page.keyboard.press("Tab")
        expect(select).to_have_value(code)
        name = select.locator(f"option[value={code}]").text_content()
        expect(page.locator(".poltwt-country-note")).to_have_text(f"Chosen: {name}")


def test_an_exact_alias_comes_before_prefixes_and_enter_takes_it(page, live_server, open_edition):
    page.goto(live_server.url + reverse("registrations:register", args=["agency"]))
    country = page.get_by_role("combobox", name="Country")
    country.fill("UK")
    matches = page.locator("#id_country__listbox").get_by_role("option")
    expect(matches.first).to_have_text("United Kingdom")
    assert "Ukraine" in matches.all_text_contents()  # still offered, after the exact alias
    page.keyboard.press("Enter")
    expect(page.locator("select[name=country]")).to_have_value("GB")
    expect(country).to_have_value("United Kingdom")


def test_tab_never_guesses_between_several_countries(page, live_server, open_edition):
    page.goto(live_server.url + reverse("registrations:register", args=["agency"]))
    country = page.get_by_role("combobox", name="Country")
    select = page.locator("select[name=country]")
    country.fill("Ukraine")
    page.keyboard.press("Tab")
    expect(select).to_have_value("UA")
    # "U" starts a dozen names: leaving the box picks none of them, and says so (no Ukraine left over).
    country.fill("U")
    page.keyboard.press("Tab")
    expect(select).to_have_value("")
    expect(page.locator(".poltwt-country-note")).to_contain_text("matches several countries")
    # Arrowing down to a match and tabbing away is not a choice either.
    country.fill("land")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(select).to_have_value("")


def test_spanish_page_finds_espana_without_its_accent(page, live_server, open_edition):
    with translation.override("es"):
        url = reverse("registrations:register", args=["agency"])
    page.goto(live_server.url + url)
    assert url.startswith("/es/")
    country = page.get_by_role("combobox", name="País")
    country.fill("Espana")
    expect(page.locator("#id_country__listbox").get_by_role("option").first).to_have_text("España")
    page.keyboard.press("Tab")
    expect(page.locator("select[name=country]")).to_have_value("ES")
    for typed, code in [("Reino Unido", "GB"), ("UK", "GB"), ("Alemania", "DE"), ("Deutschland", "DE")]:
        country.fill(typed)
        page.keyboard.press("Tab")
        expect(page.locator("select[name=country]")).to_have_value(code)
