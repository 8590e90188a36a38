"""The edition admin: published results inline, the dates an edition was set for, its official X list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from events.models import Edition, Figure, FormerDate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "https://x.com/i/lists/1234567890"


@pytest.fixture
def organizer(client):
    user = UserFactory(username="chief", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def change_form_data(client, edition: Edition, **changes) -> dict[str, str]:
    """The change form as the page fills it (no inline rows), with some fields changed."""
    form = client.get(reverse("admin:events_edition_change", args=[edition.pk])).context["adminform"].form
    data: dict[str, str] = {}
    for name in form.fields:
        value = form.initial.get(name)
        if isinstance(value, dt.datetime):
            data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, dt.time):
            data[name] = value.strftime("%H:%M")
        else:
            data[name] = "" if value is None else str(value)
    for prefix in ("figures", "awards", "former_dates"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


def post(client, edition: Edition, data: dict[str, str]):
    return client.post(reverse("admin:events_edition_change", args=[edition.pk]), data)


@pytest.fixture
def past():
    return Edition.objects.create(
        ordinal=2, title="2nd", date=dt.date(2013, 11, 1), status=Edition.Status.COMPLETED
    )


def test_an_organizer_adds_a_figure_with_its_qualifier_and_source(client, organizer, past):
    data = change_form_data(client, past)
    data.update(
        {
            "figures-TOTAL_FORMS": "1",
            "figures-0-measure": "countries_reached",
            "figures-0-qualifier": "exact",
            "figures-0-value": "68",
            "figures-0-source_name": "Roger Nield",
            "figures-0-source_url": "https://example.org/poltwt",
        }
    )
    response = post(client, past, data)
    assert response.status_code == 302
    figure = Figure.objects.get(edition=past)
    assert (figure.measure, figure.value, figure.display_value) == ("countries_reached", 68, "68")
    assert figure.source_url == "https://example.org/poltwt"


def test_a_number_measure_without_a_number_is_refused_inline(client, organizer, past):
    data = change_form_data(client, past)
    data.update({"figures-TOTAL_FORMS": "1", "figures-0-measure": "tweets", "figures-0-qualifier": "over"})
    response = post(client, past, data)
    assert response.status_code == 200
    assert "Give the number" in response.content.decode()
    assert not Figure.objects.exists()


def test_a_completed_edition_may_be_saved_without_a_date(client, organizer, past):
    response = post(client, past, change_form_data(client, past, date=""))
    assert response.status_code == 302
    past.refresh_from_db()
    assert past.date is None and past.status == Edition.Status.COMPLETED


def test_a_scheduled_edition_still_needs_a_date(client, organizer, past):
    response = post(client, past, change_form_data(client, past, date="", status="scheduled"))
    assert response.status_code == 200
    assert "Give a date" in response.content.decode()


def test_moving_the_date_in_the_admin_keeps_the_former_one(client, organizer, edition):
    first = edition.date
    response = post(client, edition, change_form_data(client, edition, status="tbd", date=""))
    assert response.status_code == 302
    assert list(FormerDate.objects.filter(edition=edition).values_list("date", flat=True)) == [first]


def test_the_x_list_url_must_be_an_x_list(client, organizer, edition):
    response = post(
        client, edition, change_form_data(client, edition, x_list_url="https://example.com/i/lists/1")
    )
    assert response.status_code == 200
    assert "x_list_url" in response.context["adminform"].form.errors
    response = post(client, edition, change_form_data(client, edition, x_list_url=LIST_URL))
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.x_list_url == LIST_URL
