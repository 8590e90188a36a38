"""A point outside the chosen country is flagged on the entry and counted on the desk's dashboard: the
Metropolitan Police typed "UK", took Ukraine, and were placed in Kyiv without anyone being warned."""

from __future__ import annotations

import pytest

from registrations.models import Registration
from registrations.services.location import registration_geocode, registration_set_location
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def geocoded(**fields) -> Registration:
    registration = RegistrationFactory(street="", postcode="", region="", **fields)
    return registration_geocode(registration_id=registration.pk)


def test_london_with_ukraine_chosen_is_flagged_as_british():
    registration = geocoded(handle="metpoliceuk", city="London", country="UA")
    # The offline gazetteer knows no London in Ukraine: the point falls back to Kyiv...
    assert registration.time_zone == "Europe/Kyiv"
    # ...and the entry says where the address really seems to be.
    assert registration.geo_other_country.code == "GB"
    assert "seems to be in GB" in registration.log_entries.get().detail


@pytest.mark.parametrize(
    ("city", "country"), [("London", "GB"), ("Kyiv", "UA"), ("Paris", "US"), ("Palo Alto", "US")]
)
def test_an_address_in_its_own_country_is_not_flagged(city, country):
    assert geocoded(city=city, country=country).geo_other_country == ""


def test_a_point_pinned_abroad_is_flagged_and_a_new_point_clears_it():
    registration = RegistrationFactory(country="GB")
    registration_set_location(
        registration=registration, latitude=48.857, longitude=2.352, actor=UserFactory()
    )
    registration.refresh_from_db()
    assert registration.geo_other_country.code == "FR"
    registration_set_location(
        registration=registration, latitude=51.507, longitude=-0.128, actor=UserFactory()
    )
    registration.refresh_from_db()
    assert registration.geo_other_country == ""


def test_the_dashboard_counts_them_and_links_the_list(client, edition):
    flagged = geocoded(edition=edition, handle="metpoliceuk", city="London", country="UA")
    geocoded(edition=edition, handle="kyivpolice", city="Kyiv", country="UA")
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    response = client.get("/admin/")
    assert response.context["dashboard"].other_country == 1
    link = f"/admin/registrations/registration/?edition__id__exact={edition.pk}&amp;other_country=yes"
    assert f'<a href="{link}" id="dash-other-country">' in response.content.decode()
    listed = client.get(link.replace("&amp;", "&"))
    assert [entry.pk for entry in listed.context["cl"].result_list] == [flagged.pk]
    page = client.get(f"/admin/registrations/registration/{flagged.pk}/change/").content.decode()
    assert "address seems to be in" in page.lower() and "United Kingdom" in page
