"""The organizers' desk in Django admin: list, search, review actions and their permissions, CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registrations.models import GovernmentDomain, Registration, RegistrationLogEntry
from registrations.services.privacy import registration_withdraw
from tests.factories import EditionFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/registrations/registration/"
# Without a filter the list opens on the waiting queue (a redirect); "?all=1" lists everything.
ALL = CHANGELIST + "?all=1"
SCRIPT = "<script>alert(1)</script>"


def staff(*codenames: str):
    user = UserFactory(username="staff-" + "-".join(codenames or ("none",)), is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def superuser():
    return UserFactory(username="chief", is_staff=True, is_superuser=True)


@pytest.fixture
def reviewer():
    return staff("view_registration", "change_registration", "review_registration")


@pytest.fixture
def editor():
    """May change registrations but not review them."""
    return staff("view_registration", "change_registration")


@pytest.fixture
def entries(edition):
    return {
        "confirmed": RegistrationFactory(
            edition=edition, handle="PaloAltoPolice", email_domain_recognised=True
        ),
        "unconfirmed": RegistrationFactory(edition=edition, handle="NYPDnews", email_confirmed_at=None),
    }


def action(client, name: str, registrations, **extra):
    data = {"action": name, "index": 0, "_selected_action": [r.pk for r in registrations], **extra}
    return client.post(CHANGELIST, data)


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# --- list, filters, search --------------------------------------------------------------------------------


def test_changelist_shows_columns_and_filters(client, superuser, entries, other_edition):
    # The edition filter appears once there is more than one edition to choose from.
    RegistrationFactory(edition=other_edition)
    client.force_login(superuser)
    response = client.get(ALL)
    assert response.status_code == 200
    page = response.content.decode()
    for title in (
        "By edition",
        "By account type",
        "By status",
        "By email confirmed",
        "By government domain recognised",
        "By country",
    ):
        assert title in page, title
    change = f"{CHANGELIST}{entries['confirmed'].pk}/change/"
    assert f'<a href="{change}">@PaloAltoPolice</a>' in page
    assert '<a href="https://x.com/PaloAltoPolice" target="_blank" rel="noopener noreferrer"' in page
    assert "United States of America" in page
    assert "7th" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("paloalto", {"PaloAltoPolice"}),
        ("New York", {"NYPDnews"}),
        ("press@nypd.example", {"NYPDnews"}),
        ("cityofpaloalto", {"PaloAltoPolice"}),
        ("nothing-like-it", set()),
    ],
)
def test_search_by_handle_agency_and_email(client, superuser, edition, query, expected):
    RegistrationFactory(edition=edition, handle="PaloAltoPolice")
    RegistrationFactory(
        edition=edition, handle="NYPDnews", agency_name="New York City Police", email="press@nypd.example"
    )
    client.force_login(superuser)
    response = client.get(CHANGELIST, {"q": query})
    assert response.status_code == 200
    assert {r.handle for r in response.context["cl"].result_list} == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"confirmed": "no"}, {"NYPDnews"}),
        ({"confirmed": "yes"}, {"PaloAltoPolice"}),
        ({"status__exact": "pending"}, {"PaloAltoPolice", "NYPDnews"}),
        ({"country": "US", "kind__exact": "agency"}, {"PaloAltoPolice", "NYPDnews"}),
        ({"email_domain_recognised__exact": "0"}, {"NYPDnews"}),
    ],
)
def test_filters(client, superuser, entries, params, expected):
    client.force_login(superuser)
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    assert {r.handle for r in response.context["cl"].result_list} == expected


def test_withdrawn_entry_is_listed_without_a_link(client, superuser, edition):

    registration_withdraw(registration=RegistrationFactory(edition=edition))
    client.force_login(superuser)
    page = client.get(ALL).content.decode()
    assert "https://x.com/" not in page
    assert "Withdrawn" in page


def test_script_in_agency_name_is_escaped_in_list_and_change_page(client, superuser, edition):
    registration = RegistrationFactory(edition=edition, agency_name=SCRIPT, officer=True, officer_name=SCRIPT)
    RegistrationLogEntry.objects.create(registration=registration, action="edited", detail=SCRIPT)
    client.force_login(superuser)
    for url in (ALL, f"{CHANGELIST}{registration.pk}/change/"):
        page = client.get(url).content.decode()
        assert SCRIPT not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url


# --- approve ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["superuser", "reviewer"])
def test_approve_only_confirmed_and_warn_about_the_rest(
    client, entries, who, request, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = action(client, "approve_selected", entries.values())
    assert response.status_code == 302
    confirmed, unconfirmed = entries["confirmed"], entries["unconfirmed"]
    confirmed.refresh_from_db()
    unconfirmed.refresh_from_db()
    assert confirmed.status == Registration.Status.APPROVED
    assert confirmed.reviewed_by == user
    assert confirmed.reviewed_at is not None
    assert unconfirmed.status == Registration.Status.PENDING
    assert unconfirmed.reviewed_by is None

    messages = page_messages(client.get(ALL))
    assert "1 registration approved; the email is on the way." in messages
    assert any("@NYPDnews has not confirmed its email address yet" in m for m in messages)

    [message] = mail.outbox
    assert message.to == [confirmed.email]
    assert message.subject.startswith("Approved: @PaloAltoPolice")
    [log] = LogEntry.objects.filter(action_flag=CHANGE)
    assert (log.object_id, log.user, log.change_message) == (str(confirmed.pk), user, "Approved")
    event = confirmed.log_entries.get(action=RegistrationLogEntry.Action.APPROVED)
    assert event.actor == user
    assert not unconfirmed.log_entries.filter(action=RegistrationLogEntry.Action.APPROVED).exists()


def test_approving_an_approved_entry_sends_nothing_twice(
    client, reviewer, edition, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(edition=edition, status=Registration.Status.APPROVED)
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        action(client, "approve_selected", [registration])
    assert mail.outbox == []
    assert not registration.log_entries.exists()


# --- reject -----------------------------------------------------------------------------------------------


def test_reject_asks_for_a_reason_then_rejects_and_emails_it(
    client, reviewer, entries, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    selected = list(entries.values())
    form = action(client, "reject_selected", selected)
    assert form.status_code == 200
    page = form.content.decode()
    assert "Reject registrations" in page
    assert 'name="reason"' in page
    assert "@PaloAltoPolice" in page and "@NYPDnews" in page
    assert not Registration.objects.filter(status=Registration.Status.REJECTED).exists()
    assert mail.outbox == []

    reason = "Your email is not at a police domain <please> check."
    with django_capture_on_commit_callbacks(execute=True):
        done = action(client, "reject_selected", selected, apply="1", reason=reason)
    assert done.status_code == 302
    for registration in selected:
        registration.refresh_from_db()
        assert registration.status == Registration.Status.REJECTED
        assert registration.review_reason == reason
        assert registration.reviewed_by == reviewer
        assert registration.reviewed_at is not None
        assert registration.log_entries.get(action=RegistrationLogEntry.Action.REJECTED).detail == reason
        log = LogEntry.objects.get(object_id=str(registration.pk))
        assert log.change_message == f"Rejected: {reason}"
        assert log.user == reviewer
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in selected)
    assert all(reason in m.body for m in mail.outbox)
    assert "2 registrations rejected; the reason was emailed." in page_messages(client.get(ALL))


def test_reject_without_a_reason_shows_the_form_again(client, reviewer, entries):
    client.force_login(reviewer)
    response = action(client, "reject_selected", entries.values(), apply="1", reason="   ")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Registration.objects.filter(status=Registration.Status.REJECTED).exists()


def test_reject_form_escapes_agency_names(client, reviewer, edition):
    registration = RegistrationFactory(edition=edition, agency_name=SCRIPT)
    client.force_login(reviewer)
    page = action(client, "reject_selected", [registration]).content.decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;" in page


# --- permissions ------------------------------------------------------------------------------------------


def test_staff_without_review_permission_gets_no_review_actions(client, editor, entries):
    client.force_login(editor)
    response = client.get(ALL)
    assert response.status_code == 200
    choices = dict(response.context["action_form"].fields["action"].choices)
    assert "approve_selected" not in choices
    assert "reject_selected" not in choices
    assert "export_csv" in choices

    for name, extra in (("approve_selected", {}), ("reject_selected", {"apply": "1", "reason": "No"})):
        action(client, name, entries.values(), **extra)
    assert set(Registration.objects.values_list("status", flat=True)) == {Registration.Status.PENDING}
    assert not RegistrationLogEntry.objects.exists()
    assert not LogEntry.objects.exists()


def test_reviewer_sees_review_actions(client, reviewer, entries):
    client.force_login(reviewer)
    choices = dict(client.get(ALL).context["action_form"].fields["action"].choices)
    assert {"approve_selected", "reject_selected", "export_csv"} <= set(choices)


def test_staff_without_registration_permissions_is_kept_out(client, entries):
    client.force_login(staff())
    assert client.get(ALL).status_code == 403
    assert action(client, "export_csv", entries.values()).status_code == 403
    assert action(client, "approve_selected", entries.values()).status_code == 403
    assert not Registration.objects.filter(status=Registration.Status.APPROVED).exists()


def test_review_permission_is_what_allows_review(client, entries, django_capture_on_commit_callbacks):
    """A staff member who may view and review (but not edit) registrations can approve them."""
    user = staff("view_registration", "review_registration")
    client.force_login(user)
    choices = dict(client.get(ALL).context["action_form"].fields["action"].choices)
    assert {"approve_selected", "reject_selected"} <= set(choices)
    with django_capture_on_commit_callbacks(execute=True):
        action(client, "approve_selected", [entries["confirmed"]])
    entries["confirmed"].refresh_from_db()
    assert entries["confirmed"].status == Registration.Status.APPROVED
    assert entries["confirmed"].reviewed_by == user


def test_anonymous_is_sent_to_login(client, entries):
    response = client.get(ALL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- CSV export -------------------------------------------------------------------------------------------


def test_csv_export_of_the_selection_neutralises_formulas(client, superuser, edition):
    formula = '=HYPERLINK("http://evil.example","click")'
    chosen = RegistrationFactory(
        edition=edition,
        handle="PaloAltoPolice",
        agency_name=formula,
        city="+1 Palo Alto",
        street="-2 Forest Ave",
        topic="@SUM(A1)",
    )
    RegistrationFactory(edition=edition, handle="NotChosen")
    client.force_login(superuser)
    response = action(client, "export_csv", [chosen])
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="poltwt-registrations.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 1
    [row] = rows
    assert row["handle"] == "PaloAltoPolice"
    assert row["agency_name"] == "'" + formula
    assert row["city"] == "'+1 Palo Alto"
    assert row["street"] == "'-2 Forest Ave"
    assert row["topic"] == "'@SUM(A1)"
    assert row["email"] == "PaloAltoPolice@cityofpaloalto.org"
    assert row["edition__ordinal"] == "7"
    assert row["country"] == "US"


# --- query count ------------------------------------------------------------------------------------------


def _changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ALL)
        assert response.status_code == 200
    return len(queries)


def _bulk(edition, start: int, count: int) -> None:
    Registration.objects.bulk_create(
        [
            Registration(
                edition=edition,
                kind="agency" if n % 3 else "officer",
                handle=f"bulk{n}",
                agency_name=f"Agency {n}",
                agency_level="local",
                email=f"pio{n}@police.example",
                street="1 Main St",
                city="Springfield",
                country=["US", "GB", "NZ", "EE"][n % 4],
                participation_model="all_calls",
                status=["pending", "approved", "rejected"][n % 3],
            )
            for n in range(start, start + count)
        ],
        batch_size=1000,
    )


@pytest.mark.parametrize(("who", "total"), [("superuser", 10_000), ("reviewer", 2_050)])
def test_changelist_runs_a_fixed_number_of_queries(client, edition, request, who, total):
    other = EditionFactory(ordinal=8)
    client.force_login(request.getfixturevalue(who))
    _bulk(edition, 0, 50)
    client.get(ALL)  # warm up (content types, session)
    small = _changelist_queries(client)
    _bulk(edition, 50, total - 50 - 1_000)
    _bulk(other, total - 1_000, 1_000)
    assert Registration.objects.count() == total
    large = _changelist_queries(client)
    assert small == large
    # Facets cost one counting query per filter: many, but as many with 50 entries as with 10,000.
    assert 5 <= large <= 30
    # Filtered and searched pages do not grow either.
    for params in (
        {"status__exact": "approved", "country": "GB"},
        {"q": "Agency 1"},
        {"edition__id__exact": other.pk},
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CHANGELIST, params).status_code == 200
        assert len(queries) <= large + 1, params


# --- government domains -----------------------------------------------------------------------------------


def test_government_domain_added_in_admin_is_normalised(client, superuser):
    client.force_login(superuser)
    response = client.post(
        "/admin/registrations/governmentdomain/add/", {"domain": "  Police.Example.ORG ", "note": "test"}
    )
    assert response.status_code == 302
    assert GovernmentDomain.objects.filter(domain="police.example.org").exists()


# --- Geocoding in the admin -------------------------------------------------------------------------------


def test_geocode_again_runs_in_the_background_and_keeps_manual_points(
    client, superuser, edition, django_capture_on_commit_callbacks
):
    located_by_hand = RegistrationFactory(
        edition=edition, latitude=10.0, longitude=20.0, geo_precision="manual", geo_status="located"
    )
    pending = RegistrationFactory(
        edition=edition, city="Tallinn", region="", country="EE", geo_status="pending"
    )
    client.force_login(superuser)
    # Queued once the action's changes commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {"action": "geocode_again", "index": 0, "_selected_action": [located_by_hand.pk, pending.pk]},
            follow=True,
        )
    assert "1 address(es) queued to be geocoded again" in " ".join(page_messages(response))
    pending.refresh_from_db()
    located_by_hand.refresh_from_db()
    # ImmediateBackend runs the queued task at once: the offline gazetteer found Tallinn.
    assert (pending.geo_status, pending.time_zone) == ("located", "Europe/Tallinn")
    assert (located_by_hand.latitude, located_by_hand.longitude) == (10.0, 20.0)


def test_the_change_page_links_to_the_location_map(client, superuser, edition):
    registration = RegistrationFactory(edition=edition)
    client.force_login(superuser)
    page = client.get(f"{CHANGELIST}{registration.pk}/change/").content.decode()
    url = f"{CHANGELIST}{registration.pk}/location/"
    assert f'href="{url}"' in page
    location_page = client.get(url)
    assert location_page.status_code == 200
    assert 'name="latitude"' in location_page.content.decode()


def test_location_page_needs_change_permission(client, edition):
    registration = RegistrationFactory(edition=edition)
    client.force_login(staff("view_registration"))
    assert client.get(f"{CHANGELIST}{registration.pk}/location/").status_code == 403


def test_organizer_edits_follow_the_handle_and_email_rules(client, superuser, edition):
    registration = RegistrationFactory(edition=edition, handle="OldHandle")
    client.force_login(superuser)
    page = client.get(f"{CHANGELIST}{registration.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "log_entries-TOTAL_FORMS": 0,
            "log_entries-INITIAL_FORMS": 0,
            "handle": "https://x.com/NewHandle?s=20",
            "email": "Chief@Police.UK",
            "consent_public": "on",
        }
    )
    response = client.post(f"{CHANGELIST}{registration.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    registration.refresh_from_db()
    assert (registration.handle, registration.email) == ("NewHandle", "chief@police.uk")
    data["handle"] = "bad-handle!"
    response = client.post(f"{CHANGELIST}{registration.pk}/change/", data)
    assert response.status_code == 200
    assert "An X handle has 1 to 15 characters" in response.content.decode()


@pytest.mark.parametrize("object_id", ["%C2%B2", "%E2%91%A0", "%E2%82%81", "9" * 40, "-1", "%00"])
def test_odd_object_id_gives_the_admins_does_not_exist_redirect(client, superuser, entries, object_id):
    client.force_login(superuser)
    response = client.get(f"{CHANGELIST}{object_id}/change/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
