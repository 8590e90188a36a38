"""The official X list: its link on the list and the map, organizers marking handles as added (a bulk
admin action that records when), and handles.txt?new=1 giving only the public handles not yet added."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from registrations.models import Registration, RegistrationLogEntry
from tests.factories import ParticipantFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "https://x.com/i/lists/1234567890"
CHANGELIST = "registrations_registration_changelist"


@pytest.fixture
def organizer():
    return UserFactory(username="chief", is_staff=True, is_superuser=True)


@pytest.fixture
def people(edition):
    return {
        "a": ParticipantFactory(edition=edition, handle="AlphaPD"),
        "b": ParticipantFactory(edition=edition, handle="BravoPolice"),
        "private": ParticipantFactory(edition=edition, handle="QuietPD", consent_public=False),
        "pending": RegistrationFactory(edition=edition, handle="PendingPD"),
    }


def handles(client, edition, new: bool = False) -> list[str]:
    url = reverse("pages:participant_handles") + f"?edition={edition.ordinal}" + ("&new=1" if new else "")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    return response.content.decode().split()


def mark(client, rows, action: str = "mark_added_to_x_list"):
    return client.post(
        reverse(f"admin:{CHANGELIST}"),
        {"action": action, "_selected_action": [row.pk for row in rows]},
        follow=True,
    )


def test_the_flow_from_paste_to_paste(client, edition, people, organizer, django_capture_on_commit_callbacks):
    assert handles(client, edition, new=True) == ["AlphaPD", "BravoPolice"]

    client.force_login(organizer)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = mark(client, [people["a"], people["private"], people["pending"]])
    page = response.content.decode()
    assert "1 handle(s) marked as added to the official X list." in page
    assert "2 not marked: only approved participants who agreed to be listed go on the X list." in page

    alpha = Registration.objects.get(pk=people["a"].pk)
    assert before <= alpha.added_to_x_list_at <= timezone.now()
    assert RegistrationLogEntry.objects.filter(
        registration=alpha, action=RegistrationLogEntry.Action.X_LISTED, actor=organizer
    ).exists()
    for key in ("private", "pending"):
        assert Registration.objects.get(pk=people[key].pk).added_to_x_list_at is None

    client.logout()
    # The public outputs moved with the change (the data version and the page cache).
    assert handles(client, edition, new=True) == ["BravoPolice"]
    assert handles(client, edition) == ["AlphaPD", "BravoPolice"]


def test_marking_again_keeps_the_first_time(client, edition, people, organizer):
    client.force_login(organizer)
    first = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    Registration.objects.filter(pk=people["a"].pk).update(added_to_x_list_at=first)
    page = mark(client, [people["a"], people["b"]]).content.decode()
    assert "1 handle(s) marked" in page and "not marked" not in page
    assert Registration.objects.get(pk=people["a"].pk).added_to_x_list_at == first


def test_unmarking_makes_a_handle_new_again(
    client, edition, people, organizer, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        mark(client, [people["a"], people["b"]])
        page = mark(client, [people["b"]], action="mark_not_on_x_list").content.decode()
    assert "1 handle(s) count as not on the official X list again." in page
    client.logout()
    assert handles(client, edition, new=True) == ["BravoPolice"]


def test_the_admin_filter_finds_whom_to_add(client, edition, people, organizer):
    client.force_login(organizer)
    mark(client, [people["a"]])
    response = client.get(reverse(f"admin:{CHANGELIST}") + "?x_list=new")
    assert {row.handle for row in response.context["cl"].result_list} == {"BravoPolice"}
    response = client.get(reverse(f"admin:{CHANGELIST}") + "?x_list=added")
    assert {row.handle for row in response.context["cl"].result_list} == {"AlphaPD"}


def test_staff_without_change_permission_cannot_mark(client, edition, people):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_registration"))
    client.force_login(viewer)
    mark(client, [people["a"]])
    assert Registration.objects.get(pk=people["a"].pk).added_to_x_list_at is None


def test_the_list_and_the_map_link_the_official_x_list(client, edition, people):
    for name in ("pages:participant_list", "pages:map"):
        assert "official X list" not in client.get(reverse(name)).content.decode()
    edition.x_list_url = LIST_URL
    edition.save()
    for name in ("pages:participant_list", "pages:map"):
        page = client.get(reverse(name) + f"?edition={edition.ordinal}").content.decode()
        assert f'<a href="{LIST_URL}" rel="noopener noreferrer">Follow the official X list' in page
