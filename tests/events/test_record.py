"""An edition's record: published figures with qualifier and source, the dates it was set for, its X list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events.models import Edition, Figure, FormerDate
from events.services import edition_update
from events.validators import validate_x_list_url

pytestmark = pytest.mark.django_db


def make(ordinal: int, **fields) -> Edition:
    fields.setdefault("title", f"Edition {ordinal}")
    fields.setdefault("date", dt.date(2026, 12, 4))
    return Edition.objects.create(ordinal=ordinal, **fields)


@pytest.mark.parametrize(
    ("qualifier", "value", "shown"),
    [("over", 18_000, "over 18,000"), ("about", 10, "about 10"), ("exact", 48_842, "48,842")],
)
def test_a_figure_says_how_exact_it_is(qualifier, value, shown):
    figure = Figure.objects.create(edition=make(1), measure="tweets", qualifier=qualifier, value=value)
    assert figure.display_value == shown


def test_where_it_trended_is_a_place_not_a_number():
    figure = Figure.objects.create(
        edition=make(1), measure="trended", details="across the western hemisphere"
    )
    assert figure.display_value == "across the western hemisphere"


def test_a_number_measure_needs_a_number():
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.create(edition=make(1), measure="tweets", details="lots")


def test_one_figure_per_measure_and_edition():
    edition = make(1)
    Figure.objects.create(edition=edition, measure="agencies", value=200)
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.create(edition=edition, measure="agencies", value=250)


def test_a_completed_edition_may_lack_its_exact_date_but_a_scheduled_one_may_not():
    past = make(3, date=None, status=Edition.Status.COMPLETED)
    past.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        make(7, date=None, status=Edition.Status.RESCHEDULED)
    with pytest.raises(IntegrityError), transaction.atomic():
        make(8, date=None, status=Edition.Status.SCHEDULED)


def test_edition_update_keeps_the_date_it_moved_from():
    edition = make(5, date=dt.date(2015, 6, 5))
    edition.date, edition.status = None, Edition.Status.DATE_TBD
    assert edition_update(edition=edition) is not None
    assert list(FormerDate.objects.filter(edition=edition).values_list("date", flat=True)) == [
        dt.date(2015, 6, 5)
    ]
    edition.date, edition.status = dt.date(2015, 8, 14), Edition.Status.RESCHEDULED
    edition_update(edition=edition)  # from TBD: no date to keep
    edition.date = dt.date(2015, 8, 21)
    edition_update(edition=edition)
    assert list(edition.former_dates.values_list("date", flat=True)) == [
        dt.date(2015, 6, 5),
        dt.date(2015, 8, 14),
    ]
    assert Edition.objects.get(pk=edition.pk).first_set_for == dt.date(2015, 6, 5)


def test_edition_update_without_a_move_keeps_no_former_date():
    edition = make(6)
    edition.theme = "Time to Unify"
    assert edition_update(edition=edition) is None
    assert not edition.former_dates.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://x.com/i/lists/1234567890",
        "https://twitter.com/poltwt/lists/poltwt-2013",
        "https://www.twitter.com/LAwS_Comm/lists/poltwt/",
        "https://mobile.x.com/i/lists/42",
    ],
)
def test_x_list_urls_accepted(url):
    validate_x_list_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://x.com/i/lists/1234567890",  # not https
        "https://x.com/poltwt",  # a profile, not a list
        "https://x.com.evil.example/i/lists/1",
        "https://evil.example/x.com/i/lists/1",
        "https://user@x.com/i/lists/1",
        "https://x.com:8443/i/lists/1",
        "https://x.com/i/lists/abc",
        "javascript:alert(1)//x.com/i/lists/1",
        "https://x.com/i/lists/1/members",
    ],
)
def test_x_list_urls_refused(url):
    with pytest.raises(ValidationError):
        validate_x_list_url(url)


def test_x_list_url_is_checked_by_the_model():
    edition = make(1, x_list_url="https://example.com/list")
    with pytest.raises(ValidationError) as excinfo:
        edition.full_clean()
    assert "x_list_url" in excinfo.value.message_dict
