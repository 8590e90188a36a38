"""A new organizer at the desk, in a real browser: log in, dashboard, the waiting list, open an entry and
approve it; an entry on an unrecognised domain, its confirmation, approve and trust the domain; a message,
its review page, a test to themselves, the send, and the progress page at "Done"."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from registrations.models import GovernmentDomain, Mailing, Registration
from tests.factories import RegistrationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "s3cret-Organizer!"


def test_a_new_organizer_reviews_entries_and_writes_to_registrants(page, live_server, site_url, open_edition):
    recognised = RegistrationFactory(
        edition=open_edition,
        handle="PaloAltoPolice",
        email="pio@police.uk",
        email_domain_recognised=True,
        latitude=37.44,
        longitude=-122.14,
        geo_status="located",
        geo_precision="city",
    )
    city_domain = RegistrationFactory(
        edition=open_edition,
        handle="LosGatosPD",
        email="pio@losgatos-example.org",
        agency_name="Los Gatos PD",
    )
    get_user_model().objects.create_superuser("newbie", "newbie@poltwt.example", PASSWORD)

    # Log in; the admin index shows the desk dashboard.
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("newbie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    dashboard = page.locator(".desk-dashboard")
    expect(dashboard).to_contain_text(open_edition.title)
    expect(dashboard.get_by_role("row", name="Waiting for review")).to_contain_text("2")

    # The waiting list; the handle opens the entry.
    dashboard.get_by_role("link", name="Waiting for review").click()
    expect(page.locator("#result_list")).to_contain_text("@LosGatosPD")
    # At 1366 px the status and the email-domain flag are on screen, without scrolling sideways.
    page.set_viewport_size({"width": 1366, "height": 768})
    for column in ("column-status", "column-email_domain_recognised"):
        box = page.locator(f"#result_list thead th.{column}").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1366, (column, box)
    page.locator("#result_list").get_by_role("link", name="@PaloAltoPolice", exact=True).click()
    expect(page.get_by_role("heading", name="Review this entry")).to_be_visible()
    expect(page.locator('#location-map[data-ready="true"]')).to_be_attached()  # the small map drew
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("1 registration approved")
    recognised.refresh_from_db()
    assert recognised.status == Registration.Status.APPROVED

    # The entry on an unrecognised domain: a confirmation page first, then approve and trust the domain.
    page.wait_for_load_state("load")  # leaving a page mid-load aborts its requests (broken resources)
    page.goto(live_server.url + "/admin/registrations/registration/")
    page.locator("#result_list").get_by_role("link", name="@LosGatosPD", exact=True).click()
    page.get_by_role("button", name="Approve and open the next waiting entry").click()
    expect(page.locator(".unrecognised-domain")).to_have_text("losgatos-example.org")
    city_domain.refresh_from_db()
    assert city_domain.status == Registration.Status.PENDING
    page.get_by_label("Also trust these domains from now on").check()
    page.get_by_role("button", name="Yes, approve").click()
    expect(page.locator(".messagelist")).to_contain_text("losgatos-example.org")
    expect(page.locator(".messagelist")).to_contain_text("No other entry is waiting for review.")
    city_domain.refresh_from_db()
    assert city_domain.status == Registration.Status.APPROVED
    assert GovernmentDomain.objects.filter(domain="losgatos-example.org").exists()
    approvals = [m for m in mail.outbox if m.subject.startswith("Approved")]
    assert sorted(m.to[0] for m in approvals) == ["pio@losgatos-example.org", "pio@police.uk"]

    # A message: saved as a draft, reviewed, tested, sent, followed to "Done".
    mail.outbox.clear()
    page.wait_for_load_state("load")  # leaving a page mid-load aborts its requests (broken resources)
    page.goto(live_server.url + "/admin/registrations/mailing/add/")
    page.get_by_label("Edition").select_option(label=str(open_edition))
    page.get_by_label(re.compile(r"^Subject:?$")).fill("Briefing for the tweet-a-thon")
    page.get_by_label(re.compile(r"^Text:?$")).fill("Thank you for joining. <Remember> the hashtag.")
    page.get_by_label("Approved", exact=True).check()  # the audience is ticked, never assumed
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".mailing-count")).to_contain_text("This will email 2 registrants.")
    expect(page.locator(".preview-text")).to_contain_text("<Remember> the hashtag.")
    html_frame = page.frame_locator("iframe.preview-html")
    expect(html_frame.locator("body")).to_contain_text("<Remember> the hashtag.")
    assert mail.outbox == []

    page.get_by_role("button", name="Send a test to me").click()
    expect(page.locator(".messagelist")).to_contain_text("A test was sent to newbie@poltwt.example.")
    assert [m.to for m in mail.outbox] == [["newbie@poltwt.example"]]

    page.get_by_role("button", name="Send to 2 registrants").click()
    expect(page.locator(".mailing-progress h2")).to_have_text("Done")
    expect(page.locator(".progress-sent")).to_have_text("2")
    expect(page.locator(".progress-failed")).to_have_text("0")
    expect(page.locator(".progress-remaining")).to_have_text("0")
    mailing = Mailing.objects.get()
    assert (mailing.status, mailing.sent) == (Mailing.Status.FINISHED, 2)
    sent = sorted(m.to[0] for m in mail.outbox[1:])
    assert sent == ["pio@losgatos-example.org", "pio@police.uk"]


def log_in(page, live_server) -> None:
    get_user_model().objects.create_superuser("desk", "desk@poltwt.example", PASSWORD)
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".desk-dashboard")).to_be_visible()
    page.wait_for_load_state("load")  # leaving a page mid-load aborts its requests (broken resources)


def test_ten_approvals_with_one_set_aside_take_at_most_twelve_clicks(page, live_server, open_edition):
    """The issue's goal, clicked as an organizer would: on the waiting list, open the first entry, then one
    button per entry. The entry held back for checking never comes back."""
    entries = [
        RegistrationFactory(edition=open_edition, handle=f"Agency{n:02d}", email_domain_recognised=True)
        for n in range(11)
    ]
    held_back = entries[6]
    log_in(page, live_server)
    page.locator(".desk-dashboard").get_by_role("link", name="Waiting for review").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(11)
    clicks = 0

    def click(locator) -> None:
        nonlocal clicks
        clicks += 1
        locator.click()
        page.wait_for_load_state("load")

    click(page.locator("#result_list tbody tr").first.locator("th a"))
    for _entry in range(11):
        expect(page.get_by_role("heading", name="Review this entry")).to_be_visible()
        if page.locator("input[name=handle]").input_value() == held_back.handle:
            click(page.get_by_role("button", name="Set aside and open the next waiting entry"))
        else:
            click(page.get_by_role("button", name="Approve and open the next waiting entry"))
    expect(page.locator(".messagelist")).to_contain_text("No other entry is waiting for review.")
    assert Registration.objects.filter(status="approved").count() == 10
    held_back.refresh_from_db()
    assert held_back.status == "pending" and held_back.set_aside_at is not None
    assert clicks <= 12, clicks
    print(f"clicks on the waiting list for 10 approvals with one set aside: {clicks}")


def test_the_admin_index_stays_short_with_97_countries(page, live_server, open_edition):
    from tests.desk.test_queue import ALL_COUNTRIES

    for code in ALL_COUNTRIES[:97]:
        RegistrationFactory(edition=open_edition, status="approved", country=code)
    log_in(page, live_server)
    expect(page.locator(".desk-countries tbody tr")).to_have_count(11)  # ten countries and "87 more"
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2000, height
    print(f"admin index height with 97 countries: {height} px")
    # The official X list panel links the new handles.
    expect(page.locator("#dash-handles-new")).to_have_attribute(
        "href", re.compile(rf"/participants/handles\.txt\?edition={open_edition.ordinal}&new=1$")
    )
