"""factory_boy factories shared by the whole suite. Add new factories; don't change existing defaults."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from events.models import Edition
from registrations.models import Registration


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@poltwt.example")
    password = factory.django.Password("correct-horse-battery-staple")


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition
        django_get_or_create = ("ordinal",)

    ordinal = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda edition: f"Global Police Tweet-a-thon {edition.ordinal}")
    date = dt.date(2026, 12, 4)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """An agency registration in Palo Alto, California (confirmed, pending review, not yet geocoded)."""

    class Meta:
        model = Registration

    edition = factory.SubFactory(EditionFactory)
    kind = Registration.Kind.AGENCY
    handle = factory.Sequence(lambda n: f"agency{n}")
    agency_name = "Palo Alto Police Department"
    agency_level = Registration.AgencyLevel.LOCAL
    email = factory.LazyAttribute(lambda registration: f"{registration.handle}@cityofpaloalto.org")
    email_confirmed_at = factory.LazyFunction(lambda: dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC))
    # A confirmed entry holds its handle from its confirmation on (None when built unconfirmed).
    handle_held_at = factory.LazyAttribute(lambda registration: registration.email_confirmed_at)
    street = "275 Forest Avenue"
    city = "Palo Alto"
    region = "CA"
    postcode = "94301"
    country = "US"
    participation_model = Registration.ParticipationModel.ALL_CALLS
    consent_public = True

    class Params:
        officer = factory.Trait(
            kind=Registration.Kind.OFFICER,
            officer_name="Jane Doe",
            officer_role="Sergeant",
            participation_model=Registration.ParticipationModel.TWEET_THE_BEAT,
        )


class ParticipantFactory(RegistrationFactory):
    """An approved, public agency located at city level in Palo Alto: what the map and the list show."""

    status = Registration.Status.APPROVED
    geo_status = Registration.GeoStatus.LOCATED
    geo_precision = Registration.GeoPrecision.CITY
    latitude = 37.4419
    longitude = -122.1430
    time_zone = "America/Los_Angeles"
