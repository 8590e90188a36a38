"""Simultaneous confirmations of the same handle: exactly one holds it, no server error."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registrations import tokens
from registrations.models import Registration
from registrations.services.registration import HandleTaken, registration_confirm_email, registration_create
from tests.factories import EditionFactory
from tests.registrations.helpers import REGISTER_AGENCY, agency_post

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
def test_simultaneous_confirmations_leave_one_holder(open_edition, round_):
    """Two people sign up the same handle (both kept, unconfirmed); both confirm at once: the database lets
    exactly one hold the handle, and the other is told plainly."""
    handles = ["@PaloAltoPolice", "paloaltopolice"]
    for index in range(ATTEMPTS):
        data = agency_post(handle=handles[index], email=f"person{index}@cityofpaloalto.org")
        assert Client().post(REGISTER_AGENCY, data).status_code == 302
    entries = list(Registration.objects.order_by("pk"))
    assert len(entries) == 2

    def confirm(index: int):
        token = tokens.make_token(entries[index], "confirm")
        return Client().post(reverse("registrations:confirm", args=[token]))

    responses = run_together(confirm)
    assert not [r for r in responses if isinstance(r, Exception)], responses
    assert sorted(r.status_code for r in responses) == [200, 409]
    [refused] = [r for r in responses if r.status_code == 409]
    assert "is already registered" in refused.content.decode()
    assert Registration.objects.holding_handle().filter(handle__iexact="paloaltopolice").count() == 1


def test_simultaneous_service_confirmations_raise_handle_taken_for_all_but_one(open_edition):
    count = 4
    handles = ["NYPDnews", "nypdnews", "NYPDNEWS", "nypdNews"]
    entries = [
        registration_create(
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
        for index in range(count)
    ]

    results = run_together(lambda index: registration_confirm_email(registration=entries[index]), count)
    assert [r for r in results if r is True] == [True], results
    assert len([r for r in results if isinstance(r, HandleTaken)]) == count - 1, results
    assert Registration.objects.count() == count
    assert Registration.objects.holding_handle().count() == 1
