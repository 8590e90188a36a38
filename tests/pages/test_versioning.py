"""The public data version (pages/versioning.py, pages/signals.py): in the database, moved in the change's
transaction, and only when something the public sees changes."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from demo.participants import load_demo_participants
from pages import versioning
from pages.models import PublicDataVersion
from registrations.models import Registration
from registrations.services.location import registration_set_location
from registrations.services.privacy import personal_data_purge, registration_withdraw
from registrations.services.registration import registration_confirm_email, registration_update
from registrations.services.review import registration_approve, registration_reject
from registrations.services.x_list import x_list_mark_added
from registrations.signals import public_data_changed
from tests.factories import EditionFactory, RegistrationFactory, UserFactory
from tests.registrations.helpers import agency_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(edition) -> Registration:
    return RegistrationFactory(
        edition=edition, handle="Listed1", status="approved", latitude=1.0, longitude=2.0
    )


def tokens(edition) -> tuple[str, str]:
    versioning.forget()  # read what is in the database now
    return versioning.site().token, versioning.edition(edition.pk).token


def etags(client, edition) -> tuple[str, str]:
    query = {"edition": edition.ordinal}
    return (
        client.get(reverse("pages:participants_json"), query)["ETag"],
        client.get(reverse("pages:participant_list"), query)["ETag"],
    )


def test_an_unconfirmed_sign_up_moves_neither_the_version_nor_the_etags(client, edition, listed):
    before, pages_before = tokens(edition), etags(client, edition)
    response = client.post(
        reverse("registrations:register", args=["agency"]), agency_post(handle="Newcomer1")
    )
    assert response.status_code == 302
    newcomer = Registration.objects.get(handle="Newcomer1")
    assert newcomer.email_confirmed_at is None and newcomer.status == Registration.Status.PENDING
    assert tokens(edition) == before
    assert etags(client, edition) == pages_before


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r: registration_confirm_email(registration=r), id="confirming the email"),
        pytest.param(lambda r: registration_update(registration=r, agency_name="Renamed"), id="editing"),
        pytest.param(
            lambda r: registration_reject(registration=r, actor=UserFactory(), reason="Not police"),
            id="rejecting",
        ),
        pytest.param(lambda r: registration_withdraw(registration=r), id="withdrawing"),
        pytest.param(
            lambda r: registration_set_location(
                registration=r, latitude=5.0, longitude=6.0, actor=UserFactory()
            ),
            id="placing it on the map",
        ),
    ],
)
def test_changes_to_an_entry_no_one_sees_move_nothing(edition, listed, change):
    pending = RegistrationFactory(edition=edition, handle="Pending1", email_confirmed_at=None)
    before = tokens(edition)
    change(pending)
    assert tokens(edition) == before


def test_a_private_field_of_a_listed_entry_moves_nothing(edition, listed):
    before = tokens(edition)
    listed.email = "new-address@cityofpaloalto.org"
    listed.street = "1 Other Street"
    listed.officer_name = "Someone"
    listed.save()
    listed.email_confirmed_at = None
    listed.save(update_fields=["email_confirmed_at"])
    assert tokens(edition) == before


def test_a_purge_of_personal_data_moves_nothing(edition, listed):
    before = tokens(edition)
    assert personal_data_purge(edition=edition) == 1
    assert tokens(edition) == before


def save_over_a_quiet_update(registration: Registration) -> None:
    # Compared with the row, not with the instance: the save brings the entry back to the public.
    Registration.objects.filter(pk=registration.pk).update(consent_public=False)
    registration.save()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda r: registration_approve(
                registration=RegistrationFactory(edition=r.edition, handle="Pending2"), actor=UserFactory()
            ),
            id="approving",
        ),
        pytest.param(lambda r: registration_withdraw(registration=r), id="withdrawing a listed entry"),
        pytest.param(
            lambda r: registration_update(
                registration=r, participation_model="one_topic", topic="Road safety"
            ),
            id="its registrant edits",
        ),
        pytest.param(
            lambda r: registration_set_location(
                registration=r, latitude=5.0, longitude=6.0, actor=UserFactory()
            ),
            id="moving it on the map",
        ),
        pytest.param(lambda r: r.delete(), id="deleting it"),
        pytest.param(lambda r: save_over_a_quiet_update(r), id="a save undoing a quiet update"),
    ],
)
def test_changes_the_public_sees_move_the_edition_and_the_site(edition, listed, change):
    site, own = tokens(edition)
    change(listed)
    new_site, new_own = tokens(edition)
    assert new_site != site and new_own != own


def test_withdrawing_consent_moves_it_and_counting_fields_of_an_unlisted_entry_too(edition, listed):
    first = tokens(edition)
    listed.consent_public = False
    listed.save()
    second = tokens(edition)
    assert second != first
    listed.country = "CA"  # past editions count the approved accounts' countries, listed or not
    listed.save()
    assert tokens(edition) != second


def test_the_other_editions_keep_their_version(edition, other_edition, listed):
    other = tokens(other_edition)[1]
    registration_withdraw(registration=listed)
    assert tokens(other_edition)[1] == other


@pytest.mark.parametrize(
    ("field", "value", "moves"),
    [
        ("title", "A new title", True),
        ("theme", "Time to Unify", True),
        ("start_time", "09:00", True),
        ("hashtag", "#poltwt2", True),
        ("retention_days", 30, False),
        ("auto_approve_returning", True, False),
    ],
)
def test_an_edition_moves_it_by_its_public_fields_only(edition, field, value, moves):
    before = tokens(edition)
    setattr(edition, field, value)
    edition.save()
    edition.refresh_from_db()
    assert (tokens(edition) != before) is moves


def test_the_bulk_signal_moves_it_for_public_fields_only(edition):
    before = tokens(edition)
    public_data_changed.send(sender=Registration, edition_ids={edition.pk}, fields=frozenset({"email"}))
    assert tokens(edition) == before
    public_data_changed.send(sender=Registration, edition_ids={edition.pk}, fields=frozenset({"city"}))
    assert tokens(edition) != before


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda rows: rows.update(city="Elsewhere"), id="queryset.update"),
        pytest.param(
            lambda rows: Registration.objects.bulk_update(
                [Registration(pk=pk, agency_name="Renamed") for pk in rows.values_list("pk", flat=True)],
                ["agency_name"],
            ),
            id="bulk_update",
        ),
        pytest.param(
            lambda rows: x_list_mark_added(registrations=rows, actor=UserFactory()), id="x_list_mark_added"
        ),
        pytest.param(lambda rows: load_demo_participants(rows.first().edition, 3), id="bulk_create (demo)"),
    ],
)
def test_every_bulk_write_of_public_data_moves_it_in_its_own_transaction(edition, listed, write):
    before = tokens(edition)
    with pytest.raises(RuntimeError), transaction.atomic():
        write(Registration.objects.filter(pk=listed.pk))
        moved = tokens(edition)
        raise RuntimeError("roll back")
    assert moved[0] != before[0] and moved[1] != before[1]  # site and edition, before any commit
    assert tokens(edition) == before  # and undone with the change


def test_a_bulk_write_of_private_fields_moves_nothing(edition, listed):
    before = tokens(edition)
    Registration.objects.filter(pk=listed.pk).update(email="new@police.example.gov")
    assert tokens(edition) == before


@pytest.mark.parametrize(
    "action", ["approve_selected", "reject_selected", "mark_added_to_x_list", "mark_not_on_x_list"]
)
def test_every_bulk_action_of_the_desk_moves_it(client, edition, action):
    organizer = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(organizer)
    status = "pending" if action == "approve_selected" else "approved"
    entries = [
        RegistrationFactory(
            edition=edition,
            handle=f"Bulk{n}",
            status=status,
            email=f"bulk{n}@police.gov",
            email_domain_recognised=True,
            added_to_x_list_at=timezone.now() if action == "mark_not_on_x_list" else None,
        )
        for n in range(3)
    ]
    before = tokens(edition)
    post = {"action": action, "index": 0, "_selected_action": [entry.pk for entry in entries]}
    if action == "reject_selected":
        post.update(apply="1", reason="Not a police account")
    response = client.post(reverse("admin:registrations_registration_changelist"), post)
    assert response.status_code == 302
    assert tokens(edition)[1] != before[1]


def test_the_version_moves_in_the_transaction_of_the_change(edition):
    pending = RegistrationFactory(edition=edition, handle="Pending3")
    before = tokens(edition)
    with pytest.raises(RuntimeError), transaction.atomic():
        registration_approve(registration=pending, actor=UserFactory())
        assert tokens(edition) != before  # this transaction sees its own new version
        raise RuntimeError("roll back")
    assert tokens(edition) == before  # undone with the change


@pytest.mark.django_db(transaction=True)
def test_other_connections_see_the_new_version_only_with_the_change():
    edition = EditionFactory(ordinal=11)
    pending = RegistrationFactory(edition=edition, handle="Pending4")
    old_token = tokens(edition)[0]
    seen: dict[str, object] = {}
    approved = threading.Event()
    looked = threading.Event()

    def other_process() -> None:
        # Another connection, as another worker would have: it reads while the approval is uncommitted.
        try:
            approved.wait(10)
            seen["token"] = PublicDataVersion.objects.get(scope=PublicDataVersion.SITE).token
            seen["public"] = Registration.objects.public().filter(pk=pending.pk).exists()
        finally:
            looked.set()
            connections.close_all()

    reader = threading.Thread(target=other_process)
    reader.start()
    with transaction.atomic():
        registration_approve(registration=pending, actor=UserFactory())
        new_token = PublicDataVersion.objects.get(scope=PublicDataVersion.SITE).token
        approved.set()
        looked.wait(10)
    reader.join(10)
    assert new_token != old_token
    assert seen == {"token": old_token, "public": False}
    assert tokens(edition)[0] == new_token


def test_an_edition_without_changes_of_its_own_follows_the_site(edition, other_edition, listed):
    PublicDataVersion.objects.exclude(scope=PublicDataVersion.SITE).delete()
    site, own = tokens(other_edition)
    assert own == site
    registration_withdraw(registration=listed)  # another edition's change
    site_after, own_after = tokens(other_edition)
    assert own_after == site_after != site
