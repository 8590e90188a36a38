"""Private pages stay out of search engines in every language: robots.txt and noindex."""

from __future__ import annotations

import pytest
from django.conf import settings

from registrations import tokens
from tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

ROBOTS_META = '<meta name="robots" content="noindex, nofollow">'


def test_robots_txt_covers_every_language_prefix(client):
    robots = client.get("/robots.txt").content.decode()
    for code, _name in settings.LANGUAGES:
        for path in ("confirm", "manage", "return", "register", "lost-link"):
            assert f"Disallow: /{code}/{path}/\n" in robots
    assert "Disallow: /manage/\n" in robots


def assert_noindex(response) -> None:
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert ROBOTS_META in response.content.decode()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_manage_and_confirm_pages_are_noindex(client, edition, language):
    participant = ParticipantFactory(edition=edition)
    assert_noindex(client.get(f"/{language}/manage/{tokens.make_token(participant, 'manage')}/"))
    unconfirmed = RegistrationFactory(edition=edition)
    assert_noindex(client.get(f"/{language}/confirm/{tokens.make_token(unconfirmed, 'confirm')}/"))


def test_the_lost_link_result_is_noindex_and_its_form_is_not(client):
    form = client.get("/es/lost-link/")
    assert "X-Robots-Tag" not in form
    assert ROBOTS_META not in form.content.decode()
    assert_noindex(client.post("/es/lost-link/", {"email": "someone@police.gov"}))


def test_public_pages_are_indexable(client, edition):
    page = client.get("/es/")
    assert "X-Robots-Tag" not in page
    assert ROBOTS_META not in page.content.decode()
