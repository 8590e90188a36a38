"""The public participant list: its filter form, used the way a visitor uses it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def participants(open_edition):
    ParticipantFactory(edition=open_edition, handle="PaloAltoPolice")
    ParticipantFactory(edition=open_edition, handle="FremontPD", agency_name="Fremont Police", city="Fremont")
    birmingham = {"agency_name": "West Midlands Police", "city": "Birmingham", "region": "", "country": "GB"}
    ParticipantFactory(edition=open_edition, handle="WMPolice", agency_level="regional", **birmingham)
    ParticipantFactory(edition=open_edition, handle="SgtJaneDoe", officer=True, **birmingham)
    return open_edition


def handles(page) -> list[str]:
    return page.locator("table.participants td.handle").all_inner_texts()


def test_filter_by_country_kind_and_search(page, live_server, participants):
    page.goto(f"{live_server.url}/participants/")
    expect(page.locator("#result-count")).to_have_text("4 participants.")
    assert sorted(handles(page)) == ["@FremontPD", "@PaloAltoPolice", "@SgtJaneDoe", "@WMPolice"]

    page.get_by_label("Country").select_option(label="United Kingdom")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#result-count")).to_contain_text("2 participants match your filter.")
    assert sorted(handles(page)) == ["@SgtJaneDoe", "@WMPolice"]
    expect(page.locator("main h2").first).to_have_text("United Kingdom")
    expect(page.get_by_label("Country")).to_have_value("GB")

    page.get_by_label("Country").select_option(label="All countries")
    page.get_by_label("Account type").select_option(label="Officers")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#result-count")).to_contain_text("1 participant matches your filter.")
    assert handles(page) == ["@SgtJaneDoe"]
    expect(page.locator("table.participants tbody tr td").nth(1)).to_have_text("Officer")

    page.get_by_label("Account type").select_option(label="Agencies and officers")
    page.get_by_label("Search handle, agency or city").fill("@fremontpd")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#result-count")).to_contain_text("1 participant matches your filter.")
    assert handles(page) == ["@FremontPD"]
    expect(page.locator("td.handle a")).to_have_attribute("href", "https://x.com/FremontPD")

    page.get_by_role("link", name="Show all").click()
    expect(page.locator("#result-count")).to_have_text("4 participants.")
