"""A past edition's pages and share image show its published results, not poltwt's own few demo rows."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from events.models import Edition
from pages import shareimage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db) -> None:
    call_command("loaddemo", "--participants", "5", stdout=None)


@pytest.mark.parametrize("page", ["pages:statistics", "pages:map", "pages:participant_list"])
def test_past_edition_pages_lead_with_the_published_results(client, demo, page):
    first = client.get(reverse(page) + "?edition=1").content.decode()
    assert "published results: over 200 agency accounts, about 10 countries, 48,842 tweets" in first
    assert 'href="/en/editions/#edition-1"' in first
    assert "9 of its accounts are listed on poltwt" in first
    if page == "pages:statistics":
        assert "The charts below count only the accounts listed on poltwt" in first
    assert "9 agency accounts" not in first and "from 1 country" not in first
    second = client.get(reverse(page) + "?edition=2").content.decode()
    assert "published results: over 250 agency accounts, over 75 officer accounts, 12 countries" in second
    assert "0 agency accounts and 0 officer accounts from 0 countries" not in second
    # The edition open for sign-up keeps poltwt's own counts.
    current = client.get(reverse(page) + "?edition=6").content.decode()
    assert "published results" not in current
    assert re.search(r"\d+ agency accounts? and \d+ officer accounts? from \d+ countr", current)


def test_share_images_of_past_editions_carry_the_record(demo):
    lines = {e.ordinal: shareimage.results_line(e) for e in Edition.objects.all()}
    assert lines[1] == "over 200 agency accounts, about 10 countries, 48,842 tweets"
    assert lines[2] == "over 250 agency accounts, over 75 officer accounts, 12 countries"
    assert lines[3] == "over 15,000 original tweets, 1,000 unique users"
    assert lines[4] == "No results have been published."
    assert re.fullmatch(r"\d+ agenc(y|ies) and \d+ officers? from \d+ countr(y|ies)", lines[6])
