"""The map's search and filters in Chromium: accents and case ignored by the same rule as the server's
(static/js/fold.js and geo/text.py), country names in the visitor's language, one result opened and
several listed as buttons, the filters kept in the address and restored by a reload, the popup's editions
and results, and the all-editions map."""

from __future__ import annotations

import unicodedata

import pytest
from django.templatetags.static import static
from django.urls import reverse
from playwright.sync_api import expect

from events.models import Edition
from geo.text import fold
from registrations.models import ParticipantResult, Registration
from tests.browser.helpers import wait_for_map
from tests.factories import EditionFactory, ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MADRID = {"latitude": 40.4168, "longitude": -3.7038}
ZURICH = {"latitude": 47.3769, "longitude": 8.5417}
BIRMINGHAM = {"latitude": 52.4862, "longitude": -1.8904}
LEEDS = {"latitude": 53.8008, "longitude": -1.5491}
TRICKY = ["Policía", "POLICÍA Nacional", "Straße", "STRASSE", "Kandahār", "Zürich", "ΟΔΟΣ", "İstanbul",
          "ﬁnance", "Ꭰꭰ", "Škoda ǅ", "Ærø", "Łódź", "الشرطة", "Nguyễn", "ᲀ"]  # fmt: skip


def map_url(live_server, edition: Edition | str, query: str = "", language: str = "en") -> str:
    scope = edition if isinstance(edition, str) else edition.ordinal
    return f"{live_server.url}/{language}/map/?edition={scope}{query}"


def agency(edition: Edition, handle: str, name: str, city: str, country: str, zone: str, **point) -> None:
    ParticipantFactory(edition=edition, handle=handle, agency_name=name, city=city, region="",
                       country=country, time_zone=zone, **point)  # fmt: skip


@pytest.fixture
def places(open_edition) -> Edition:
    agency(
        open_edition,
        "PoliciaMadrid",
        "Policía Municipal de Madrid",
        "Madrid",
        "ES",
        "Europe/Madrid",
        **MADRID,
    )
    agency(open_edition, "StadtpolizeiZH", "Stadtpolizei Zürich", "Zürich", "CH", "Europe/Zurich", **ZURICH)
    agency(
        open_edition, "WMPolice", "West Midlands Police", "Birmingham", "GB", "Europe/London", **BIRMINGHAM
    )
    ParticipantFactory(edition=open_edition, handle="SgtBrum", officer=True,
                       agency_name="West Midlands Police", city="Birmingham", region="", country="GB",
                       time_zone="Europe/London", latitude=52.45, longitude=-1.93)  # fmt: skip
    agency(open_edition, "WYP_Leeds", "West Yorkshire Police", "Leeds", "GB", "Europe/London", **LEEDS)
    return open_edition


def open_popup(page):
    """The one popup open (the one a new search replaced fades out in 0.2 s before it is removed)."""
    expect(page.locator(".leaflet-popup")).to_have_count(1)
    return page.locator(".leaflet-popup-content")


def search(page, query: str) -> None:
    box = page.get_by_role("searchbox", name="Search the map")
    box.fill(query)
    box.press("Enter")


def test_the_browsers_fold_agrees_with_the_servers(page, live_server, places):
    page.goto(map_url(live_server, places))
    page.add_script_tag(url=static("js/fold.js"))
    assert page.evaluate("(names) => names.map(self.poltwtFold)", TRICKY) == [fold(name) for name in TRICKY]
    assert page.evaluate("() => self.poltwtFold('Policía')") == "policia"
    # Every character of the Basic Multilingual Plane that Python's tables know, one by one.
    codes = [
        code
        for code in range(0x10000)
        if not 0xD800 <= code <= 0xDFFF and unicodedata.category(chr(code)) != "Cn"
    ]
    folded = page.evaluate("(codes) => codes.map((c) => self.poltwtFold(String.fromCharCode(c)))", codes)
    differ = [
        (hex(code), fold(chr(code)), js)
        for code, js in zip(codes, folded, strict=True)
        if js != fold(chr(code))
    ]
    assert differ == []


def test_policia_finds_policia_and_opens_it(page, live_server, places):
    page.goto(map_url(live_server, places))
    assert wait_for_map(page) == 5
    search(page, "policia")
    status = page.locator(".poltwt-search__status")
    expect(status).to_have_text("1 participant matches “policia”.")
    expect(status).to_have_attribute("role", "status")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Policía Municipal de Madrid")
    expect(popup).to_contain_text("@PoliciaMadrid")
    assert page.evaluate("() => window.poltwtMap.map.getZoom()") >= 10
    expect(page).to_have_url(map_url(live_server, places, "&q=policia"))

    # A city with its accent left out, in capitals.
    search(page, "ZURICH")
    expect(status).to_have_text("1 participant matches “ZURICH”.")
    expect(page.locator(".leaflet-popup-content").last).to_contain_text("@StadtpolizeiZH")
    expect(open_popup(page)).to_contain_text("@StadtpolizeiZH")

    search(page, "nobody here")
    expect(status).to_have_text("No participant on this map matches “nobody here”.")


def test_several_results_are_buttons_that_open_each_participant(page, live_server, places):
    page.goto(map_url(live_server, places))
    wait_for_map(page)
    # Every word must match: the agency's "West" and the city.
    search(page, "west birmingham")
    status = page.locator(".poltwt-search__status")
    expect(status).to_have_text("2 participants match “west birmingham”.")
    results = page.get_by_role("list", name="Search results").get_by_role("button")
    expect(results).to_have_count(2)
    expect(results.first).to_contain_text("@SgtBrum")
    # The map shows both.
    bounds = page.evaluate("() => window.poltwtMap.map.getBounds().toBBoxString()").split(",")
    west, south, east, north = map(float, bounds)
    assert west < -1.93 < east and west < -1.8904 < east and south < 52.45 < north

    # With the keyboard: Tab to the second result, Enter opens it, the focus goes into its popup.
    results.nth(1).focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("@WMPolice")
    expect(popup.get_by_role("link", name="@WMPolice")).to_be_focused()


def test_country_names_are_searched_in_the_visitors_language(page, live_server, places):
    page.goto(map_url(live_server, places, language="es"))
    wait_for_map(page)
    page.get_by_role("searchbox").fill("reino unido")
    page.get_by_role("searchbox").press("Enter")
    expect(page.locator(".poltwt-map")).to_have_attribute("data-search-count", "3")
    page.get_by_role("searchbox").fill("suiza")
    page.get_by_role("searchbox").press("Enter")
    expect(page.locator(".leaflet-popup-content").last).to_contain_text("Zürich, Suiza")
    expect(open_popup(page)).to_contain_text("Zürich, Suiza")


def test_filters_live_in_the_address_and_a_reload_restores_them(page, live_server, places):
    page.goto(map_url(live_server, places))
    wait_for_map(page)
    container = page.locator(".poltwt-map")
    page.get_by_label("Country").select_option("GB")
    expect(container).to_have_attribute("data-visible-count", "3")
    page.locator(".leaflet-control-layers").get_by_role("checkbox", name="Officers").uncheck()
    expect(container).to_have_attribute("data-visible-count", "2")
    search(page, "police")
    expect(page.locator(".poltwt-search__status")).to_have_text("2 participants match “police”.")
    expect(page).to_have_url(map_url(live_server, places, "&country=GB&kind=agency&q=police"))

    page.reload()
    wait_for_map(page)
    expect(page.get_by_label("Country")).to_have_value("GB")
    expect(page.get_by_role("searchbox", name="Search the map")).to_have_value("police")
    layers = page.locator(".leaflet-control-layers")
    expect(layers.get_by_role("checkbox", name="Officers")).not_to_be_checked()
    expect(layers.get_by_role("checkbox", name="Agencies")).to_be_checked()
    expect(container).to_have_attribute("data-visible-count", "2")
    expect(page.locator(".poltwt-search__status")).to_have_text("2 participants match “police”.")
    expect(page.get_by_role("list", name="Search results").get_by_role("button")).to_have_count(2)

    # Back to every country and kind: the address says nothing more than the edition and the query.
    page.get_by_label("Country").select_option("")
    layers.get_by_role("checkbox", name="Officers").check()
    expect(container).to_have_attribute("data-visible-count", "5")
    expect(page).to_have_url(map_url(live_server, places, "&q=police"))


def test_a_pin_permalink_still_opens_with_filters_in_the_address(page, live_server, places):
    page.goto(map_url(live_server, places, "&country=GB&kind=officer&p=SgtBrum"))
    wait_for_map(page)
    expect(page.locator(".poltwt-map")).to_have_attribute("data-focused", "sgtbrum")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("@SgtBrum")
    expect(page.locator(".poltwt-map")).to_have_attribute("data-visible-count", "1")


def test_the_popup_shows_editions_and_results(page, live_server, places):
    for ordinal in (1, 2):
        ParticipantFactory(edition=EditionFactory(ordinal=ordinal), handle="wmpolice", city="Birmingham",
                           country="GB", **BIRMINGHAM)  # fmt: skip
    source = "https://brightplanet.com/2013/03/25/final-results/"
    ParticipantResult.objects.create(edition=places, handle="WMPOLICE", tweets=568, mentions=662,
                                     source_name="BrightPlanet", source_url=source)  # fmt: skip
    page.goto(map_url(live_server, places, "&p=WMPolice"))
    wait_for_map(page)
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator(".poltwt-popup__editions")).to_have_text("Editions with #poltwt: 3")
    expect(popup.locator(".poltwt-popup__results")).to_have_text("Results: Tweets 568 · Mentions 662")
    source = popup.locator(".poltwt-popup__source").get_by_role("link", name="BrightPlanet")
    expect(source).to_have_attribute("href", "https://brightplanet.com/2013/03/25/final-results/")
    expect(source).to_have_attribute("rel", "noopener noreferrer")
    # A first-timer without results: neither line.
    page.goto(map_url(live_server, places, "&p=WYP_Leeds"))
    wait_for_map(page)
    expect(popup).to_contain_text("@WYP_Leeds")
    expect(popup.locator(".poltwt-popup__editions, .poltwt-popup__results")).to_have_count(0)


def test_the_all_editions_map_shows_each_account_once_at_its_latest_place(page, live_server, places):
    first = EditionFactory(ordinal=1)
    # In the 1st edition at Leeds; in the 9th (places) at Birmingham: the latest place wins.
    ParticipantFactory(edition=first, handle="wmpolice", city="Leeds", country="GB", **LEEDS)
    ParticipantFactory(edition=first, handle="GoneSince2013", city="Madrid", country="ES", **MADRID)
    ParticipantFactory(edition=first, handle="NeverPublic", consent_public=False, **MADRID)
    ParticipantFactory(edition=first, handle="Pending", status=Registration.Status.PENDING, **MADRID)

    page.goto(map_url(live_server, "all"))
    assert wait_for_map(page) == 6  # the 9th's five, and one of the 1st's
    expect(page.locator("h1 + p.lead")).to_contain_text("All editions")
    expect(page.get_by_label("Edition", exact=True)).to_have_value("all")
    search(page, "wmpolice")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Birmingham, United Kingdom")
    expect(popup.locator(".poltwt-popup__editions")).to_have_text("Editions with #poltwt: 2")
    search(page, "gonesince")
    expect(page.locator(".leaflet-popup-content").last).to_contain_text("@GoneSince2013")
    expect(open_popup(page).locator(".poltwt-popup__editions")).to_have_text("Editions with #poltwt: 1")

    # The edition picker offers it, and the embed shows it too.
    embed = f"{live_server.url}{reverse('pages:map_embed')}?edition=all"
    page.goto(embed)
    assert wait_for_map(page) == 6
