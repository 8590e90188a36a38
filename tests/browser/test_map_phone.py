"""On a phone (390 x 844) the participant map is on the first screen: the explanations come after it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import PHONE, watch
from tests.browser.helpers import wait_for_map
from tests.factories import ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_on_a_phone_the_map_is_on_the_first_screen(browser, live_server, open_edition, page_log):
    ParticipantFactory(edition=open_edition, handle="PaloAltoPolice")
    context = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="UTC")
    try:
        page = context.new_page()
        watch(page, page_log)
        page.goto(live_server.url + reverse("pages:map"))
        wait_for_map(page)
        top, bottom = page.evaluate(
            "(() => { const r = document.querySelector('.poltwt-map').getBoundingClientRect();"
            " return [r.top, r.bottom]; })()"
        )
        # Most of the map shows before any scrolling (it started 553 px down before).
        assert top < 300 and bottom <= PHONE["height"], (top, bottom)
        # The keyboard help is one folded line; opened, it says what it said.
        page.get_by_text("Using the map with a keyboard").click()
        assert page.locator("#map-keys").is_visible()
        # The edition picker is still there, after the map.
        assert page.get_by_label("Edition", exact=True).is_visible()
    finally:
        context.close()
    assert page_log.unexpected() == []
