"""axe-core finds no accessibility violation on any public page, at desktop and phone width, during an
event (demo data dated on air now), with form errors shown, and on the organizers' registration pages."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from events.models import Edition
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
    expect(page.locator(".timeline-tick--6h").first).to_be_visible()
    assert not wide, f"these pages scroll sideways at 390 px: {wide}"
