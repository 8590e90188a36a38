"""Approved entries stay up: everyday edits apply at once, a new identity waits for an organizer, and any new
address or country places the entry again (unless an organizer pinned it by hand)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.urls import reverse

from registrations.models import Registration, RegistrationLogEntry
from registrations.services.common import ReviewError
from registrations.services.location import registration_set_location
from registrations.services.privacy import registration_withdraw
from registrations.services.registration import (
    registration_change_approve,
    registration_change_reject,
    registration_update,
)
from tests.factories import ParticipantFactory, RegistrationFactory, UserFactory
from tests.registrations.test_links import manage_path, manage_post

pytestmark = pytest.mark.django_db


def public_handles(client, edition) -> list[str]:
    response = client.get(reverse("pages:participant_handles") + f"?edition={edition.ordinal}")
    return response.content.decode().split()


def map_features(client, edition) -> int:
    response = client.get(reverse("pages:participants_geojson") + f"?edition={edition.ordinal}")
    return len(json.loads(response.content)["features"])


def test_an_approved_entry_whose_hours_are_edited_stays_on_the_map_and_the_list(client, edition):
    participant = ParticipantFactory(edition=edition, handle="PaloAltoPolice")
    assert map_features(client, edition) == 1
    response = client.post(
        manage_path(participant), manage_post(participant, hours_from="09:00", hours_to="17:00")
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.status == Registration.Status.APPROVED
    assert participant.hours_from == dt.time(9)
    assert map_features(client, edition) == 1
    assert public_handles(client, edition) == ["PaloAltoPolice"]


def test_a_new_handle_or_address_waits_and_the_public_keeps_the_approved_one(
    client, edition, django_capture_on_commit_callbacks
):
    participant = ParticipantFactory(edition=edition, handle="PaloAltoPolice")
    with django_capture_on_commit_callbacks(execute=True):
        result = registration_update(
            registration=participant, handle="PaloAltoPD", city="London", country="GB", street="1 Road"
        )
    assert sorted(result.held) == ["city", "country", "handle", "street"] and result.applied == []
    participant.refresh_from_db()
    assert (participant.handle, participant.city, participant.country.code) == (
        "PaloAltoPolice",
        "Palo Alto",
        "US",
    )
    assert participant.time_zone == "America/Los_Angeles"
    assert participant.status == Registration.Status.APPROVED
    assert public_handles(client, edition) == ["PaloAltoPolice"]
    assert mail.outbox == []  # nothing to tell yet: the manage page said it waits

    with django_capture_on_commit_callbacks(execute=True):
        applied = registration_change_approve(registration=participant, actor=UserFactory())
    assert sorted(applied) == ["city", "country", "handle", "street"]
    participant.refresh_from_db()
    assert (participant.handle, participant.city, participant.country.code) == ("PaloAltoPD", "London", "GB")
    assert participant.pending_changes == {}
    # Placed again, time zone included (the offline gazetteer finds London).
    assert participant.geo_status == Registration.GeoStatus.LOCATED
    assert participant.time_zone == "Europe/London"
    assert round(participant.latitude) == 52
    assert public_handles(client, edition) == ["PaloAltoPD"]
    # A short note, not the whole approval email with its kit and calendar file.
    [message] = mail.outbox
    assert message.subject.startswith("Change approved: your registration of @PaloAltoPD")
    assert not [part for part in message.attachments if "calendar" in str(part)]
    assert "Add to your calendar" not in message.body
    # A second click changes and sends nothing.
    assert registration_change_approve(registration=participant, actor=UserFactory()) == []
    assert len(mail.outbox) == 1


def test_a_rejected_change_leaves_the_approved_details(edition, django_capture_on_commit_callbacks):
    participant = ParticipantFactory(edition=edition, handle="PaloAltoPolice")
    registration_update(registration=participant, agency_name="Someone Else")
    with django_capture_on_commit_callbacks(execute=True):
        assert registration_change_reject(registration=participant, actor=UserFactory())
    participant.refresh_from_db()
    assert participant.agency_name == "Palo Alto Police Department" and participant.pending_changes == {}
    assert participant.log_entries.filter(action=RegistrationLogEntry.Action.CHANGE_REJECTED).exists()
    [message] = mail.outbox
    assert message.subject.startswith("Change not approved")
    assert not registration_change_reject(registration=participant, actor=UserFactory())


def test_going_back_to_the_approved_value_drops_the_waiting_change(edition):
    participant = ParticipantFactory(edition=edition)
    registration_update(registration=participant, city="Menlo Park", topic="Road safety")
    assert participant.pending_changes == {"city": "Menlo Park"}
    result = registration_update(registration=participant, city="Palo Alto")
    assert participant.pending_changes == {} and result.held == []
    participant.refresh_from_db()
    assert participant.pending_changes == {}


def test_a_new_handle_taken_meanwhile_cannot_be_approved(edition):
    participant = ParticipantFactory(edition=edition, handle="PaloAltoPolice")
    registration_update(registration=participant, handle="NYPDnews")
    RegistrationFactory(edition=edition, handle="nypdnews")
    with pytest.raises(ReviewError):
        registration_change_approve(registration=participant, actor=UserFactory())
    participant.refresh_from_db()
    assert participant.handle == "PaloAltoPolice" and participant.pending_changes == {"handle": "NYPDnews"}


def test_a_waiting_email_is_erased_on_withdrawal(edition):
    participant = ParticipantFactory(edition=edition)
    registration_update(registration=participant, email="new@cityofpaloalto.org")
    registration_withdraw(registration=participant)
    participant.refresh_from_db()
    assert participant.pending_changes == {}


def test_the_manage_page_shows_what_waits(client, edition):
    participant = ParticipantFactory(edition=edition)
    client.post(manage_path(participant), manage_post(participant, country="GB", city="London"))
    page = client.get(manage_path(participant)).content.decode()
    assert "Waiting for an organizer’s approval:" in page
    assert "United Kingdom" in page and "London" in page


def test_a_waiting_entry_with_a_new_country_is_placed_again_with_its_time_zone(
    edition, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(edition=edition)
    with django_capture_on_commit_callbacks(execute=True):
        registration_update(registration=registration, city="Palo Alto")  # nothing new: nothing to do
        registration_update(registration=registration, street="", city="Kyiv", country="UA", postcode="")
    registration.refresh_from_db()
    assert registration.geo_status == Registration.GeoStatus.LOCATED
    assert registration.time_zone == "Europe/Kyiv"
    with django_capture_on_commit_callbacks(execute=True):
        registration_update(registration=registration, city="London", country="GB")
    registration.refresh_from_db()
    assert registration.time_zone == "Europe/London"


def test_a_point_pinned_by_hand_stays_when_the_address_changes(edition, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(edition=edition)
    registration_set_location(
        registration=registration, latitude=59.437, longitude=24.754, actor=UserFactory()
    )
    with django_capture_on_commit_callbacks(execute=True):
        registration_update(registration=registration, city="London", country="GB")
    registration.refresh_from_db()
    assert (registration.latitude, registration.geo_precision) == (59.437, Registration.GeoPrecision.MANUAL)
    assert registration.time_zone == "Europe/Tallinn"
