"""Numbers read from query strings: only ASCII digits count, bounded, whatever Unicode calls a digit."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

# str.isdigit() is True for all of these, and int() refuses every one but the Arabic-Indic three.
UNICODE_DIGITS = ["\u00b2", "\u00b3", "\u2079", "\u2081", "\u2460", "\u2461", "\u0663", "\uff11"]
LANGUAGES = ["en", "es", "fr", "de", "nl", "pt", "it", "ar"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("digit", UNICODE_DIGITS)
def test_unicode_digit_page_size_gives_the_default_size(client, edition, language, digit):
    ParticipantFactory(edition=edition)
    with translation.override(language):
        url = reverse("pages:participant_list")
    response = client.get(url, {"size": digit})
    assert response.status_code == 200
    assert response.context["size"] == 100


@pytest.mark.parametrize("value", [*UNICODE_DIGITS, "-1", "9" * 5000, "0", "1" * 20])
def test_odd_page_number_is_not_found(client, edition, value):
    ParticipantFactory(edition=edition)
    response = client.get(reverse("pages:participant_list"), {"page": value})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["25", "250"])
def test_offered_page_sizes_still_apply(client, edition, value):
    ParticipantFactory(edition=edition)
    assert client.get(reverse("pages:participant_list"), {"size": value}).context["size"] == int(value)


@pytest.mark.parametrize("value", [*UNICODE_DIGITS, "9" * 5000])
def test_odd_edition_keeps_the_canonical_address_plain(client, edition, value):
    response = client.get(reverse("pages:home"), {"edition": value})
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "?edition=" not in response.context["canonical_url"]
