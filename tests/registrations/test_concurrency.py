"""Two simultaneous sign-ups of the same handle: exactly one registration, no server error."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from registrations.models import Registration
from registrations.services.registration import HandleTaken, registration_create
from tests.factories import EditionFactory
from tests.registrations.helpers import REGISTER_AGENCY, agency_post, field_errors

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 2


def run_together(work: Callable[[int], object], count: int = ATTEMPTS) -> list[object]:
    """Run work(i) in `count` threads released at the same moment; return results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as exc:  # recorded and asserted on below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.fixture
def open_edition():
    now = timezone.now()
    return EditionFactory(ordinal=7, registration_opens_at=now - dt.timedelta(days=1))


@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_posts_create_one_registration(open_edition, round_):
    handles = ["@PaloAltoPolice", "paloaltopolice"]

    def post(index: int):
        data = agency_post(handle=handles[index], email=f"person{index}@cityofpaloalto.org")
        return Client().post(REGISTER_AGENCY, data)

    responses = run_together(post)
    assert not [r for r in responses if isinstance(r, Exception)], responses
    statuses = sorted(r.status_code for r in responses)
    assert statuses[0] == 302, statuses
    assert statuses[1] in (400, 409), statuses
    [refused] = [r for r in responses if r.status_code != 302]
    [error] = field_errors(refused.content.decode(), "handle")
    assert "already registered" in error or "registered for this edition a moment ago" in error
    assert Registration.objects.filter(handle__iexact="paloaltopolice").count() == 1


def test_simultaneous_service_calls_raise_handle_taken_for_all_but_one(open_edition):
    count = 4

    handles = ["NYPDnews", "nypdnews", "NYPDNEWS", "nypdNews"]

    def create(index: int):
        return registration_create(
            edition=open_edition,
            kind="agency",
            handle=handles[index],
            agency_name="NYPD",
            agency_level="local",
            email=f"p{index}@nypd.example",
            street="1 Police Plaza",
            city="New York",
            country="US",
            participation_model="all_calls",
        )

    results = run_together(create, count)
    created = [r for r in results if isinstance(r, Registration)]
    taken = [r for r in results if isinstance(r, HandleTaken)]
    assert len(created) == 1, results
    assert len(taken) == count - 1, results
    assert Registration.objects.count() == 1
