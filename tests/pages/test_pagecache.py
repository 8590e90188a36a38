"""The whole-page cache of the public pages: served before the middleware, fresh nonce, never stale."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations.models import Registration
from registrations.services.review import registration_approve
from tests.factories import EditionFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def nonces(response) -> tuple[str, set[str]]:
    header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    return header, set(re.findall(r'nonce="([^"]+)"', response.content.decode()))


@pytest.fixture
def edition():
    edition = EditionFactory(ordinal=6)
    RegistrationFactory(edition=edition, handle="First1", status="approved", latitude=1.0, longitude=2.0)
    return edition


@pytest.mark.parametrize(
    "url",
    [
        reverse("pages:map"),
        reverse("pages:map_embed"),
        reverse("pages:participant_list"),
        reverse("pages:statistics"),
        reverse("pages:schedule"),
    ],
)
def test_a_second_anonymous_visit_is_served_without_queries_and_with_a_fresh_nonce(client, edition, url):
    first = client.get(url, {"edition": 6})
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url, {"edition": 6})
    assert second.status_code == 200
    assert len(queries) <= 1  # at most the shared data version, never the page's own queries
    first_nonce, first_in_body = nonces(first)
    second_nonce, second_in_body = nonces(second)
    assert first_nonce != second_nonce
    assert first_in_body == {first_nonce} and second_in_body == {second_nonce}
    # Apart from the nonce, the very same page.
    assert second.content.decode().replace(second_nonce, "N") == first.content.decode().replace(
        first_nonce, "N"
    )
    assert second["X-Frame-Options" if url != reverse("pages:map_embed") else "Content-Type"]


def test_a_change_shows_at_once(client, edition, django_capture_on_commit_callbacks):
    assert "@Second2" not in client.get(reverse("pages:participant_list"), {"edition": 6}).content.decode()
    pending = RegistrationFactory(edition=edition, handle="Second2")
    with django_capture_on_commit_callbacks(execute=True):
        registration_approve(registration=pending, actor=UserFactory())
    assert "@Second2" in client.get(reverse("pages:participant_list"), {"edition": 6}).content.decode()


def test_an_edition_change_shows_at_once(client, edition, django_capture_on_commit_callbacks):
    assert (
        "Renamed edition"
        not in client.get(reverse("pages:participant_list"), {"edition": 6}).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        edition.title = "Renamed edition"
        edition.save()
    assert "Renamed edition" in client.get(reverse("pages:participant_list"), {"edition": 6}).content.decode()


def test_the_version_is_checked_at_most_once_per_recheck_period(
    edition, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_PAGE_CACHE_RECHECK = 3600
    client = Client()
    client.get(reverse("pages:participant_list"), {"edition": 6})
    with django_capture_on_commit_callbacks(execute=True):
        Registration.objects.filter(handle="First1").update(agency_name="Changed quietly")
        registration_approve(registration=RegistrationFactory(edition=edition), actor=UserFactory())
    # Within the recheck period the process keeps the page it has (this is the delay the setting buys).
    assert (
        "Changed quietly"
        not in client.get(reverse("pages:participant_list"), {"edition": 6}).content.decode()
    )


def test_visitors_with_cookies_get_their_own_page(client, edition):
    client.get(reverse("pages:participant_list"), {"edition": 6})
    client.cookies["sessionid"] = "abc"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("pages:participant_list"), {"edition": 6})
    assert response.status_code == 200
    assert len(queries) > 1  # rendered for this visitor


def test_other_pages_and_methods_are_not_cached(client, edition):
    client.get(reverse("registrations:register", args=["agency"]))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("registrations:register", args=["agency"]))
    assert len(queries) > 1


def test_errors_are_not_cached(client, edition):
    assert client.get(reverse("pages:participant_list"), {"edition": 99}).status_code == 404
    EditionFactory(ordinal=99)
    assert client.get(reverse("pages:participant_list"), {"edition": 99}).status_code == 200
