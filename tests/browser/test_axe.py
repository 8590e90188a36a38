"""axe-core finds no accessibility violation on any public page, at desktop and phone width, during an
event (demo data dated on air now), with form errors shown, and on the organizers' registration pages."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from events.models import Edition
from registrations import tokens
from registrations.models import Registration
from tests.browser.axe import axe_violations
from tests.browser.helpers import wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = {"1366": WIDE, "390": PHONE}
PUBLIC_PAGES = [
    ("pages:home", ()),
    ("pages:edition_list", ()),
    ("pages:schedule", ()),
    ("pages:participant_list", ()),
    ("pages:statistics", ()),
    ("pages:map", ()),
    ("pages:map_embed", ()),
    ("registrations:register", ("agency",)),
    ("registrations:register", ("officer",)),
    ("registrations:lost_link", ()),
]
PASSWORD = "s3cret-Organizer!"


@pytest.fixture
def running_event(transactional_db) -> Edition:
    """The demo data with the open edition on air now: every page at its fullest."""
    call_command("loaddemo", running_now=True, participants=80, stdout=StringIO())
    return Edition.objects.get(ordinal=6)


def audit(page, url: str) -> list[str]:
    page.goto(url)
    if page.locator(".poltwt-map").count():
        wait_for_map(page)
    return axe_violations(page)


@pytest.mark.parametrize("size", SIZES)
def test_no_violation_on_any_public_page(page, live_server, running_event, size):
    page.set_viewport_size(SIZES[size])
    found = {}
    for name, args in PUBLIC_PAGES:
        url = reverse(name, args=args)
        if violations := audit(page, live_server.url + url):
            found[url] = violations
    assert not found, "\n".join(f"{url} at {size} px:\n  " + "\n  ".join(v) for url, v in found.items())


@pytest.mark.parametrize("size", SIZES)
def test_no_violation_with_form_errors_shown(page, live_server, running_event, size):
    page.set_viewport_size(SIZES[size])
    page.goto(live_server.url + reverse("registrations:register", args=["officer"]))
    page.get_by_label("X (Twitter) handle").fill("@bad-handle!")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#form-errors li").first).to_be_visible()
    assert page.locator("#form-errors li").count() > 3
    assert axe_violations(page) == []


@pytest.mark.parametrize("size", SIZES)
def test_no_violation_on_the_organizers_registration_pages(page, live_server, running_event, size):
    get_user_model().objects.create_superuser("organizer", "organizer@poltwt.example", PASSWORD)
    page.set_viewport_size(SIZES[size])
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Username").fill("organizer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_be_visible()

    found = {}
    registration = Registration.objects.filter(edition=running_event).first()
    for url in (
        reverse("admin:registrations_registration_changelist"),
        reverse("admin:registrations_registration_change", args=[registration.pk]),
    ):
        if violations := audit(page, live_server.url + url):
            found[url] = violations
    assert not found, "\n".join(f"{url} at {size} px:\n  " + "\n  ".join(v) for url, v in found.items())


OVERFLOWING = """
() => Array.from(document.querySelectorAll("body *"))
  .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + el.className)
"""


def test_no_public_page_scrolls_sideways_on_a_phone(page, live_server, running_event):
    page.set_viewport_size(PHONE)
    wide = {}
    for name, args in [*PUBLIC_PAGES, ("pages:participant_list", ())]:
        url = reverse(name, args=args)
        page.goto(live_server.url + url + ("?size=all" if name == "pages:participant_list" else ""))
        if page.locator(".poltwt-map").count():
            wait_for_map(page)
        scroll_width, inner_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll_width > inner_width:
            wide[url] = (scroll_width, page.evaluate(OVERFLOWING))
    # The schedule during the event: its windows are stacked blocks, not a 967 px table.
    page.goto(live_server.url + reverse("pages:schedule"))
    expect(page.locator(".schedule-window.live").first).to_be_visible()
    expect(page.locator(".timeline-now")).to_be_visible()
    expect(page.locator(".timeline-tick--12h").first).to_be_visible()
    assert not wide, f"these pages scroll sideways at 390 px: {wide}"


LANGUAGES = [code for code, _name in settings.LANGUAGES]
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def registrant_pages(edition: Edition) -> list[str]:
    """The private pages a registrant opens from their emails (language prefix added by the caller)."""
    participant = Registration.objects.filter(edition=edition, status="approved").first()
    manage = tokens.make_token(participant, "manage")
    return [f"/manage/{manage}/", f"/manage/{manage}/withdraw/"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_no_violation_and_no_sideways_scroll(
    page, live_server, running_event, language, size
):
    """Every public and registrant page in every language: axe finds nothing and nothing is wider than
    the screen (a right-to-left page once grew 10,000 px wide)."""
    page.set_viewport_size(SIZES[size])
    with translation.override(language):
        paths = [reverse(name, args=args) for name, args in PUBLIC_PAGES]
    paths += [f"/{language}{path}" for path in registrant_pages(running_event)]
    found, wide = {}, []
    for path in paths:
        if violations := audit(page, live_server.url + path):
            found[path] = violations
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            wide.append(f"{path}: {page.evaluate('document.documentElement.scrollWidth')} px")
    assert not wide, f"wider than {size} px: {wide}"
    assert not found, "\n".join(f"{url} at {size} px:\n  " + "\n  ".join(v) for url, v in found.items())


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_sign_up_opens_at_the_form_on_a_phone(page, live_server, running_event, language):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/{language}/register/agency/")
    assert page.evaluate("window.scrollX") == 0
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    box = page.locator("#id_handle").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    submit = page.locator("form.registration-form button[type=submit]").bounding_box()
    assert submit["x"] >= 0 and submit["x"] + submit["width"] <= PHONE["width"]


def test_the_schedule_hour_labels_do_not_overlap_on_a_phone(page, live_server, running_event):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("pages:schedule"))
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.timeline-tick')]
            .filter((tick) => parseFloat(getComputedStyle(tick).fontSize) > 0)
            .map((tick) => { const r = tick.getBoundingClientRect(); return [r.left, r.right]; })"""
    )
    assert len(boxes) >= 3
    for (_, right), (left, _) in itertools.pairwise(sorted(boxes)):
        assert right <= left, boxes
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["en", "es", "ar"])
def test_the_map_with_its_search_results_filters_and_popup(page, live_server, running_event, language, size):
    """The map's states that only a visitor's actions (or a link) bring: several search results listed,
    a country filter, the layers control changed, a popup; the all-editions map; the embed's
    own search form."""
    page.set_viewport_size(SIZES[size])
    # The map jumps to what a search finds instead of gliding: axe judges a still page.
    page.emulate_media(reduced_motion="reduce")
    listed = Registration.objects.for_edition(running_event).public().located().order_by("pk")
    country, handle = listed.values_list("country", "handle")[0]
    urls = {
        "search": f"/{language}/map/?edition=6&q=a&kind=agency",
        "country": f"/{language}/map/?edition=6&country={country}",
        "popup": f"/{language}/map/?edition=all&p={handle}",
        "embed": f"/{language}/map/embed/?edition=6&q=police",
    }
    found = {}
    for name, path in urls.items():
        page.goto(live_server.url + path)
        wait_for_map(page)
        if name == "search":
            expect(page.locator(".poltwt-search__result").first).to_be_visible()
        if name == "popup":
            expect(page.locator(".leaflet-popup-content")).to_be_visible()
            # Leaflet fades popups in: colours are judged once it is opaque.
            page.wait_for_function(
                "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
            )
        if name == "embed":
            expect(page.locator(".poltwt-search__status")).not_to_be_empty()
        if violations := axe_violations(page):
            found[path] = violations
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            found[path] = [f"{page.evaluate('document.documentElement.scrollWidth')} px wide"]
    assert not found, "\n".join(f"{url} at {size} px:\n  " + "\n  ".join(v) for url, v in found.items())
