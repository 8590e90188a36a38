"""The review queue (issue 22, build point 6): "approve and open the next" follows the organizer's list
(its filters, search and order); "set aside" keeps an entry out of the queue until taken back; the
compact dashboard with its official X list panel."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from registrations.models import Registration, RegistrationLogEntry
from registrations.services.common import ReviewError
from registrations.services.review import (
    registration_approve,
    registration_set_aside,
    registration_take_back,
)
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/registrations/registration/"
ALL_COUNTRIES = [
    "AD", "AE", "AF", "AG", "AL", "AM", "AO", "AR", "AT", "AU", "AZ", "BA", "BB", "BD", "BE", "BF", "BG",
    "BH", "BI", "BJ", "BN", "BO", "BR", "BS", "BT", "BW", "BY", "BZ", "CA", "CD", "CF", "CG", "CH", "CI",
    "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "ER", "ES", "ET", "FI", "FJ", "FR", "GA", "GB", "GD", "GE", "GH", "GM", "GN", "GQ", "GR", "GT",
    "GW", "GY", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IN", "IQ", "IR", "IS", "IT", "JM", "JO", "JP",
    "KE", "KG", "KH", "KI", "KM", "KN", "KR", "KW", "KZ", "LA", "LB", "LC",
]  # fmt: skip


@pytest.fixture
def reviewer():
    user = UserFactory(username="volunteer", is_staff=True, email="volunteer@poltwt.example")
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


def entry_links(page: str) -> dict[str, str]:
    """The list's links to entries, by handle, as the organizer clicks them."""
    return {
        handle: unescape(href)
        for href, handle in re.findall(
            r'<a href="([^"]+/change/\?_changelist_filters=[^"]+)">@(\w+)</a>', page
        )
    }


def waiting(edition, handle: str, **fields) -> Registration:
    return RegistrationFactory(edition=edition, handle=handle, email_domain_recognised=True, **fields)


# --- approve and open the next: the list's filter and order -----------------------------------------------


def test_next_follows_the_lists_filter_and_order(client, reviewer, edition):
    for handle, country in [
        ("Alpha", "US"),
        ("Bravo", "GB"),
        ("Charlie", "US"),
        ("Delta", "US"),
        ("Echo", "GB"),
    ]:
        waiting(edition, handle, country=country)
    client.force_login(reviewer)
    # The US entries, by handle from Z to A (column 1 is the handle).
    page = client.get(f"{CHANGELIST}?edition__id__exact={edition.pk}&country=US&o=-1").content.decode()
    links = entry_links(page)
    assert list(links) == ["Delta", "Charlie", "Alpha"]
    opened = client.get(links["Delta"])
    assert "_changelist_filters" in opened.context["next_waiting_url"]
    response = client.post(
        links["Delta"].replace("/change/", "/approve/"), {"next": "1"}
    )  # the form's action keeps the list
    assert Registration.objects.get(pk=response["Location"].split("/")[-3]).handle == "Charlie"
    response = client.post(response["Location"].replace("/change/", "/approve/"), {"next": "1"})
    assert Registration.objects.get(pk=response["Location"].split("/")[-3]).handle == "Alpha"
    response = client.post(response["Location"].replace("/change/", "/approve/"), {"next": "1"}, follow=True)
    # Every US entry approved: back to the same list, never to a GB entry.
    assert response.redirect_chain[-1][0] == f"{CHANGELIST}?edition__id__exact={edition.pk}&country=US&o=-1"
    assert set(Registration.objects.filter(status="pending").values_list("handle", flat=True)) == {
        "Bravo",
        "Echo",
    }


def test_next_from_the_middle_of_the_list_goes_down_then_wraps(client, reviewer, edition):
    for handle in ("Alpha", "Bravo", "Charlie"):
        waiting(edition, handle)
    client.force_login(reviewer)
    links = entry_links(
        client.get(f"{CHANGELIST}?edition__id__exact={edition.pk}&status__exact=pending&o=1").content.decode()
    )
    response = client.post(links["Bravo"].replace("/change/", "/approve/"), {"next": "1"})
    assert Registration.objects.get(pk=response["Location"].split("/")[-3]).handle == "Charlie"
    response = client.post(response["Location"].replace("/change/", "/approve/"), {"next": "1"})
    assert Registration.objects.get(pk=response["Location"].split("/")[-3]).handle == "Alpha"


def test_next_follows_a_search(client, reviewer, edition):
    waiting(edition, "SheriffOne", agency_name="Mesa County Sheriff")
    waiting(edition, "PoliceTwo", agency_name="Grand Junction Police")
    waiting(edition, "SheriffThree", agency_name="Larimer County Sheriff")
    client.force_login(reviewer)
    links = entry_links(client.get(f"{CHANGELIST}?all=1&q=sheriff&o=1").content.decode())
    assert set(links) == {"SheriffOne", "SheriffThree"}
    response = client.post(links["SheriffOne"].replace("/change/", "/approve/"), {"next": "1"})
    assert Registration.objects.get(pk=response["Location"].split("/")[-3]).handle == "SheriffThree"


def test_without_a_list_next_is_the_oldest_waiting_entry(client, reviewer, edition):
    first, second = waiting(edition, "First"), waiting(edition, "Second")
    client.force_login(reviewer)
    response = client.post(f"{CHANGELIST}{second.pk}/approve/", {"next": "1"})
    assert response["Location"] == f"{CHANGELIST}{first.pk}/change/"


def test_a_list_query_the_list_would_refuse_falls_back_to_the_oldest(client, reviewer, edition):
    first, second = waiting(edition, "First"), waiting(edition, "Second")
    client.force_login(reviewer)
    response = client.post(
        f"{CHANGELIST}{second.pk}/approve/?_changelist_filters=no_such_field%3D1", {"next": "1"}
    )
    assert response["Location"].startswith(f"{CHANGELIST}{first.pk}/change/")


def test_the_unrecognised_domain_step_keeps_the_list(client, reviewer, edition):
    known = waiting(edition, "Known", country="US")
    unknown = RegistrationFactory(edition=edition, handle="Unknown", email="pio@town.example", country="US")
    waiting(edition, "Other", country="GB")
    client.force_login(reviewer)
    links = entry_links(client.get(f"{CHANGELIST}?country=US&o=-1").content.decode())
    page = client.post(links["Unknown"].replace("/change/", "/approve/"), {"next": "1"}).content.decode()
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', page).group(1))
    assert "_changelist_filters=" in action
    response = client.post(action, {"confirm": "1", "next": "1"})
    assert response["Location"].startswith(f"{CHANGELIST}{known.pk}/change/?_changelist_filters=")
    unknown.refresh_from_db()
    assert unknown.status == "approved"


# --- set aside ----------------------------------------------------------------------------------------------


def test_set_aside_keeps_an_entry_out_of_the_queue_until_taken_back(client, reviewer, edition):
    first, held, last = waiting(edition, "First"), waiting(edition, "Held"), waiting(edition, "Last")
    client.force_login(reviewer)
    page = client.get(f"{CHANGELIST}{held.pk}/change/").content.decode()
    assert "Set aside and open the next waiting entry" in page
    response = client.post(f"{CHANGELIST}{held.pk}/set-aside/", follow=True)
    held.refresh_from_db()
    assert held.set_aside_at is not None and held.set_aside_by == reviewer
    assert response.redirect_chain[0][0] == f"{CHANGELIST}{first.pk}/change/"  # on to the next
    # Out of the queue: the waiting list, the dashboard and approve-and-next.
    queue = client.get(CHANGELIST, follow=True)
    assert {r.handle for r in queue.context["cl"].result_list} == {"First", "Last"}
    dashboard = client.get("/admin/").context["dashboard"]
    assert (dashboard.waiting, dashboard.set_aside) == (2, 1)
    response = client.post(f"{CHANGELIST}{first.pk}/approve/", {"next": "1"})
    assert response["Location"] == f"{CHANGELIST}{last.pk}/change/"
    response = client.post(f"{CHANGELIST}{last.pk}/approve/", {"next": "1"}, follow=True)
    assert "No other entry is waiting for review." in [str(m) for m in response.context["messages"]]
    # Shown and filterable in the list.
    aside = client.get(f"{CHANGELIST}?set_aside=yes")
    assert [r.handle for r in aside.context["cl"].result_list] == ["Held"]
    assert "column-is_set_aside" in aside.content.decode()
    page = client.get(f"{CHANGELIST}{held.pk}/change/").content.decode()
    assert "Set aside by volunteer" in page and "Take back into the queue" in page
    client.post(f"{CHANGELIST}{held.pk}/take-back/")
    held.refresh_from_db()
    assert held.set_aside_at is None and held.set_aside_by is None
    assert list(Registration.objects.waiting()) == [held]
    actions = list(held.log_entries.values_list("action", flat=True))
    assert actions == [RegistrationLogEntry.Action.SET_ASIDE, RegistrationLogEntry.Action.TAKEN_BACK]


def test_approving_an_entry_set_aside_ends_the_hold(edition, reviewer):
    held = waiting(edition, "Held")
    assert registration_set_aside(registration=held, actor=reviewer)
    assert not registration_set_aside(registration=held, actor=reviewer)  # a double click
    registration_approve(registration=held, actor=reviewer)
    held.refresh_from_db()
    assert held.status == "approved" and held.set_aside_at is None
    with pytest.raises(ReviewError, match="Only an entry waiting for review"):
        registration_set_aside(registration=held, actor=reviewer)
    assert not registration_take_back(registration=held, actor=reviewer)


def test_setting_aside_needs_the_review_permission(client, edition):
    held = waiting(edition, "Held")
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename="view_registration"))
    client.force_login(viewer)
    assert client.post(f"{CHANGELIST}{held.pk}/set-aside/").status_code == 403
    held.refresh_from_db()
    assert held.set_aside_at is None


def test_goal_ten_approvals_one_set_aside_in_at_most_twelve_clicks(client, reviewer, edition):
    """The issue's goal, counted as the organizer's clicks: open the first entry of the list, then one
    button per entry (approve and open the next, or set aside and open the next)."""
    entries = [waiting(edition, f"Agency{n:02d}") for n in range(11)]
    held_back = entries[4]
    client.force_login(reviewer)
    links = entry_links(client.get(CHANGELIST, follow=True).content.decode())
    clicks, url = 1, next(iter(links.values()))  # click 1: the first handle of the list
    while url:
        current = Registration.objects.get(pk=url.split("/")[-3])
        action = "set-aside" if current == held_back else "approve"
        response = client.post(url.replace("/change/", f"/{action}/"), {"next": "1"})
        clicks += 1
        url = response["Location"] if "/change/" in response["Location"] else None
    assert Registration.objects.filter(status="approved").count() == 10
    held_back.refresh_from_db()
    assert held_back.status == "pending" and held_back.set_aside_at is not None
    assert clicks <= 12, clicks
    print(f"clicks for 10 approvals with one set aside: {clicks}")


# --- the dashboard ---------------------------------------------------------------------------------------


def test_dashboard_names_the_top_ten_countries_and_links_the_rest(client, reviewer, edition):
    for index, code in enumerate(ALL_COUNTRIES[:97]):
        for _n in range(1 + (index < 10)):  # the first ten have two entries each
            RegistrationFactory(edition=edition, status="approved", country=code)
    client.force_login(reviewer)
    response = client.get("/admin/")
    dashboard = response.context["dashboard"]
    assert len(dashboard.approved_by_country) == 10
    assert {code for code, _name, _count in dashboard.approved_by_country} == set(ALL_COUNTRIES[:10])
    assert (dashboard.more_countries, dashboard.more_countries_entries) == (87, 87)
    page = response.content.decode()
    assert "87 more countries" in page
    link = unescape(re.search(r'<a href="([^"]+)" id="dash-more-countries"', page).group(1))
    assert link == f"{CHANGELIST}?edition__id__exact={edition.pk}&status__exact=approved&_facets=True"
    assert client.get(link).context["cl"].result_count == 107


def test_dashboard_links_the_new_handles_for_the_official_x_list(client, reviewer, edition):
    RegistrationFactory(edition=edition, handle="NotYetAdded", status="approved")
    RegistrationFactory(edition=edition, handle="Added", status="approved", added_to_x_list_at=timezone.now())
    RegistrationFactory(edition=edition, handle="Private", status="approved", consent_public=False)
    RegistrationFactory(edition=edition, handle="Waiting")
    client.force_login(reviewer)
    response = client.get("/admin/")
    assert response.context["dashboard"].x_list_new == 1
    page = response.content.decode()
    handles_url = unescape(re.search(r'<a href="([^"]+)" id="dash-handles-new"', page).group(1))
    assert handles_url.endswith(f"/participants/handles.txt?edition={edition.ordinal}&new=1")
    client.logout()
    assert client.get(handles_url).content.decode() == "NotYetAdded\n"
    client.force_login(reviewer)
    listed = unescape(re.search(r'<a href="([^"]+)" id="dash-x-list-new"', page).group(1))
    assert [r.handle for r in client.get(listed).context["cl"].result_list] == ["NotYetAdded"]
