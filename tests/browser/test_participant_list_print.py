"""Printing the participant list: the whole filtered list, without the site's navigation and forms."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from registrations.models import Registration
from tests.factories import RegistrationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_print_the_whole_filtered_list(page, live_server, open_edition):
    Registration.objects.bulk_create(
        RegistrationFactory.build(
            edition=open_edition,
            handle=f"Agency{n:03d}",
            status=Registration.Status.APPROVED,
            country="GB" if n % 3 else "FR",
            latitude=1.0,
            longitude=1.0,
        )
        for n in range(150)
    )
    page.goto(
        live_server.url + reverse("pages:participant_list") + f"?edition={open_edition.ordinal}&size=25"
    )
    page.get_by_label("Country").select_option(label="United Kingdom")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.participants tbody tr")).to_have_count(25)
    page.get_by_role("link", name="The whole filtered list on one page, for printing").click()
    rows = page.locator("table.participants tbody tr")
    expect(rows).to_have_count(100)  # every United Kingdom participant, no other country

    page.emulate_media(media="print")
    for hidden in ("header", "footer", "main form", ".list-controls", "#edition-picker"):
        for element in page.locator(hidden).all():
            expect(element).to_be_hidden()
    expect(page.locator(".print-only")).to_be_visible()
    expect(page.locator(".print-only")).to_contain_text("100 matching the filter")
    expect(rows.last).to_be_visible()
    # Rows are not cut in half between printed pages, and the header row repeats on each.
    assert rows.first.evaluate("(tr) => getComputedStyle(tr).breakInside") == "avoid"
    assert (
        page.locator("table.participants thead").first.evaluate("(el) => getComputedStyle(el).display")
        == "table-header-group"
    )
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
