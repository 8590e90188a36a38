from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import Edition, FormerDate, ordinal_suffix

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def make(ordinal: int, **fields) -> Edition:
    fields.setdefault("title", f"Edition {ordinal}")
    fields.setdefault("date", dt.date(2026, 12, 4))
    return Edition.objects.create(ordinal=ordinal, **fields)


@pytest.mark.parametrize(
    ("number", "label"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (101, "101st"),
        (111, "111th"),
    ],
)
def test_ordinal_labels(number, label):
    assert ordinal_suffix(number) == label


def test_defaults_follow_the_event_rules():
    edition = make(1)
    assert edition.hashtag == "#poltwt"
    assert edition.start_time == dt.time(8, 0)
    assert edition.duration == dt.timedelta(hours=24)
    assert edition.status == Edition.Status.SCHEDULED


def test_duplicate_ordinal_is_refused_by_the_database():
    make(3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Edition.objects.create(ordinal=3, title="Again", date=dt.date(2027, 1, 1))


def test_duplicate_ordinal_is_refused_by_validation_with_a_message():
    make(3)
    with pytest.raises(ValidationError) as excinfo:
        Edition(ordinal=3, title="Again", date=dt.date(2027, 1, 1)).full_clean()
    assert "ordinal" in excinfo.value.message_dict


def test_closing_before_opening_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make(4, registration_opens_at=NOW, registration_closes_at=NOW - dt.timedelta(days=1))


def test_closing_before_opening_is_refused_by_validation_with_a_message():
    edition = Edition(
        ordinal=4,
        title="x",
        date=dt.date(2027, 1, 1),
        registration_opens_at=NOW,
        registration_closes_at=NOW,
    )
    with pytest.raises(ValidationError) as excinfo:
        edition.full_clean()
    assert "Registration must close after it opens." in str(excinfo.value)


def test_a_scheduled_edition_needs_a_date_but_tbd_does_not():
    with pytest.raises(IntegrityError), transaction.atomic():
        make(5, date=None, status=Edition.Status.SCHEDULED)
    tbd = make(6, date=None, status=Edition.Status.DATE_TBD)
    assert tbd.is_date_tbd


def test_current_is_the_lowest_numbered_edition_open_for_sign_up():
    day = dt.timedelta(days=1)
    make(1, status=Edition.Status.COMPLETED, registration_opens_at=NOW - 9 * day)
    make(2, registration_opens_at=NOW + day)  # not open yet
    make(3, registration_opens_at=NOW - day, registration_closes_at=NOW - dt.timedelta(seconds=1))  # closed
    make(4, status=Edition.Status.CANCELLED, registration_opens_at=NOW - day)
    open_later = make(6, registration_opens_at=NOW - day)
    open_first = make(5, registration_opens_at=NOW - day, registration_closes_at=NOW + day)

    assert Edition.objects.current(NOW) == open_first
    open_first.registration_closes_at = NOW
    open_first.save()
    assert Edition.objects.current(NOW) == open_later
    assert open_later.is_open_for_registration(NOW)
    assert not open_first.is_open_for_registration(NOW)


def test_current_is_none_when_nothing_is_open():
    make(1, registration_opens_at=None)
    assert Edition.objects.current() is None


def test_first_set_for_is_the_earliest_former_date():
    edition = make(1)
    assert edition.first_set_for is None
    FormerDate.objects.create(edition=edition, date=dt.date(2015, 6, 5))
    FormerDate.objects.create(edition=edition, date=dt.date(2015, 7, 10))
    assert edition.first_set_for == dt.date(2015, 6, 5)


def test_open_uses_the_real_clock_by_default():
    edition = make(1, registration_opens_at=timezone.now() - dt.timedelta(minutes=1))
    assert edition.is_open_for_registration()
