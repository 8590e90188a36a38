"""The organizers' desk (issue 9): the list, the entry page, the government-email rule, the dashboard,
mailings that send only after review, the location search, roles, and every error path."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Edition
from registrations.models import CsvImport, Delivery, GovernmentDomain, Mailing, Registration
from registrations.services.common import ReviewError
from registrations.services.domains import domains_import_run, domains_trust
from registrations.services.imports import domains_import_create
from registrations.services.mailing import (
    AlreadySent,
    MailingError,
    RecipientsChanged,
    invitations_create,
    mailing_recipients,
    mailing_send,
    message_create,
)
from registrations.services.review import is_government_email
from tests.factories import EditionFactory, RegistrationFactory, UserFactory
from tests.registrations.helpers import REGISTER_AGENCY, agency_post
from tests.registrations.smtp_stub import SMTPStub

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/registrations/registration/"
INDEX = "/admin/"


def staff(name: str, *codenames: str):
    user = UserFactory(username=name, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def chief():
    return UserFactory(username="chief", is_staff=True, is_superuser=True, email="chief@poltwt.example")


@pytest.fixture
def reviewer():
    user = UserFactory(username="volunteer", is_staff=True, email="volunteer@poltwt.example")
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


def change_url(registration: Registration) -> str:
    return f"{CHANGELIST}{registration.pk}/change/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- 1. the list -------------------------------------------------------------------------------------------


def test_list_opens_on_the_current_editions_waiting_entries(client, reviewer, edition, other_edition):
    waiting = RegistrationFactory(edition=edition, handle="Waiting")
    RegistrationFactory(edition=edition, handle="Unconfirmed", email_confirmed_at=None)
    RegistrationFactory(edition=edition, handle="Done", status=Registration.Status.APPROVED)
    RegistrationFactory(edition=other_edition, handle="Elsewhere")
    client.force_login(reviewer)
    response = client.get(CHANGELIST, follow=True)
    assert response.redirect_chain[0][0].endswith(
        f"?edition__id__exact={edition.pk}&status__exact=pending&confirmed=yes&set_aside=no"
    )
    assert [r.handle for r in response.context["cl"].result_list] == ["Waiting"]
    page = response.content.decode()
    # The handle opens the entry; the X profile has its own column with an accessible name.
    # The link keeps the list (filters, order) so that "approve and open the next" follows it.
    assert re.search(rf'<a href="{change_url(waiting)}\?_changelist_filters=[^"]+">@Waiting</a>', page)
    assert 'aria-label="@Waiting on X (opens in a new tab)"' in page
    # Django's facets: counts beside the filter choices, one click away.
    assert "_facets=True" in page
    counted = client.get(response.redirect_chain[0][0] + "&_facets=True").content.decode()
    assert re.search(r"Pending review\s*\(\d+\)", counted)
    # One click shows everything.
    everything = client.get(CHANGELIST + "?all=1")
    assert {r.handle for r in everything.context["cl"].result_list} == {
        "Waiting",
        "Unconfirmed",
        "Done",
        "Elsewhere",
    }
    assert 'href="?all=1"' in page


def test_status_and_domain_flag_come_right_after_the_handle(client, chief, edition):
    from desk.admin.registration import RegistrationAdmin

    assert RegistrationAdmin.list_display[:4] == [
        "handle_link",
        "status",
        "confirmed",
        "email_domain_recognised",
    ]


def test_bulk_delete_is_for_superusers_only_and_comes_last(client, chief, reviewer, edition):
    RegistrationFactory(edition=edition)
    client.force_login(reviewer)
    choices = [
        c[0] for c in client.get(CHANGELIST + "?all=1").context["action_form"].fields["action"].choices
    ]
    assert "delete_selected" not in choices
    assert choices[1] == "approve_selected"
    client.force_login(chief)
    choices = [
        c[0] for c in client.get(CHANGELIST + "?all=1").context["action_form"].fields["action"].choices
    ]
    assert choices[-1] == "delete_selected"


# --- 2. the entry page -------------------------------------------------------------------------------------


def test_entry_page_has_review_buttons_history_and_map(client, reviewer, edition):
    registration = RegistrationFactory(
        edition=edition, email_domain_recognised=True, latitude=37.44, longitude=-122.14, geo_status="located"
    )
    client.force_login(reviewer)
    page = client.get(change_url(registration)).content.decode()
    assert f'action="{CHANGELIST}{registration.pk}/approve/"' in page
    assert "Approve and open the next waiting entry" in page
    assert f'action="{CHANGELIST}{registration.pk}/reject/"' in page
    assert 'id="location-map"' in page and 'data-lat="37.440000"' in page
    assert "History" in page


def test_approve_button_approves_once_and_logs_once(
    client, reviewer, edition, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(edition=edition, email_domain_recognised=True)
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{CHANGELIST}{registration.pk}/approve/", follow=True)
        again = client.post(f"{CHANGELIST}{registration.pk}/approve/", follow=True)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED
    assert "1 registration approved; the email is on the way." in messages_of(response)
    assert "Already approved: nothing changed." in messages_of(again)
    assert LogEntry.objects.filter(action_flag=CHANGE, object_id=str(registration.pk)).count() == 1
    assert len(mail.outbox) == 1


def test_approve_and_open_the_next_waiting_entry(client, reviewer, edition):
    first = RegistrationFactory(edition=edition, email_domain_recognised=True)
    second = RegistrationFactory(edition=edition, email_domain_recognised=True)
    RegistrationFactory(edition=edition, email_confirmed_at=None)  # not waiting: unconfirmed
    client.force_login(reviewer)
    response = client.post(f"{CHANGELIST}{first.pk}/approve/", {"next": "1"})
    assert response["Location"] == change_url(second)
    response = client.post(f"{CHANGELIST}{second.pk}/approve/", {"next": "1"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(CHANGELIST + "?")
    assert "No other entry is waiting for review." in messages_of(response)


def test_approving_an_unconfirmed_entry_says_so_and_changes_nothing(client, reviewer, edition):
    registration = RegistrationFactory(edition=edition, email_confirmed_at=None)
    client.force_login(reviewer)
    response = client.post(f"{CHANGELIST}{registration.pk}/approve/", follow=True)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert any("has not confirmed its email address yet" in m for m in messages_of(response))
    assert not LogEntry.objects.exists()


def test_reject_with_an_empty_reason_keeps_the_page_and_changes_nothing(client, reviewer, edition):
    registration = RegistrationFactory(edition=edition)
    client.force_login(reviewer)
    response = client.post(f"{CHANGELIST}{registration.pk}/reject/", {"reason": "   "})
    assert response.status_code == 200
    assert "Write the reason the registrant will receive; it is empty." in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert mail.outbox == []


def test_reject_with_a_reason(client, reviewer, edition, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(edition=edition)
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{CHANGELIST}{registration.pk}/reject/", {"reason": "Not a police account"})
    assert response["Location"] == change_url(registration)
    registration.refresh_from_db()
    assert (registration.status, registration.review_reason) == ("rejected", "Not a police account")
    [message] = mail.outbox
    assert "Not a police account" in message.body


def test_review_needs_the_review_permission(client, edition):
    registration = RegistrationFactory(edition=edition, email_domain_recognised=True)
    client.force_login(staff("editor", "view_registration", "change_registration"))
    assert client.post(f"{CHANGELIST}{registration.pk}/approve/").status_code == 403
    assert client.post(f"{CHANGELIST}{registration.pk}/reject/", {"reason": "x"}).status_code == 403
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING


def test_view_only_staff_sees_the_entry_without_an_error(client, edition):
    registration = RegistrationFactory(edition=edition)
    client.force_login(staff("viewer", "view_registration"))
    response = client.get(change_url(registration))
    assert response.status_code == 200
    assert "@" + registration.handle in response.content.decode()
    assert client.get(CHANGELIST, follow=True).status_code == 200


# --- 3. the government-email rule --------------------------------------------------------------------------


def test_seeded_domains_cover_the_participating_countries():
    for email in (
        "prensa@sevilla.gob.es",
        "info@police.be",
        "pio@police.govt.nz",
        "media@saps.gov.za",
        "info@police.go.ke",
        "ppa@politsei.ee",
        "woordvoering@politie.nl",
        "presse@polizei.de",
        "media@rcmp-grc.gc.ca",
        "media@afp.gov.au",
        "logreglan@logreglan.is",
        "pio@cityofpaloalto.gov",
        "press@wmp.police.uk",
    ):
        assert is_government_email(email), email
    assert not is_government_email("jane.doe@gmail.com")


@pytest.mark.parametrize(("email", "told"), [("jane.doe@gmail.com", True), ("pio@police.uk", False)])
def test_sign_up_with_an_unrecognised_domain_is_accepted_and_told(client, edition, email, told):
    response = client.post(REGISTER_AGENCY, agency_post(email=email), follow=True)
    assert Registration.objects.get().email == email
    page = response.content.decode()
    assert ("A government email address is expected" in page) is told


def test_unrecognised_domain_goes_through_a_confirmation_and_can_be_trusted(
    client, chief, edition, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(edition=edition, email="prensa@ayto-ejemplo.es")
    later = RegistrationFactory(edition=edition, email="otro@ayto-ejemplo.es", email_confirmed_at=None)
    client.force_login(chief)
    response = client.post(f"{CHANGELIST}{registration.pk}/approve/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "ayto-ejemplo.es" in page and "Also trust these domains from now on" in page
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING  # nothing happened yet
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{CHANGELIST}{registration.pk}/approve/", {"confirm": "1", "trust": "1"})
    registration.refresh_from_db()
    later.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED
    assert GovernmentDomain.objects.filter(domain="ayto-ejemplo.es").exists()
    assert later.email_domain_recognised  # others on the domain are recognised too
    assert is_government_email("new@ayto-ejemplo.es")


def test_bulk_approve_confirms_unrecognised_ones_and_approves_recognised_at_once(
    client, reviewer, edition, django_capture_on_commit_callbacks
):
    known = RegistrationFactory(edition=edition, email="a@police.uk", email_domain_recognised=True)
    unknown = RegistrationFactory(edition=edition, email="b@gmail.com")
    client.force_login(reviewer)
    data = {"action": "approve_selected", "index": 0, "_selected_action": [known.pk, unknown.pk]}
    response = client.post(CHANGELIST + "?all=1", data)
    assert response.status_code == 200 and "gmail.com" in response.content.decode()
    assert not Registration.objects.filter(status="approved").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST + "?all=1", {**data, "confirm": "1"})
    assert Registration.objects.filter(status="approved").count() == 2
    assert not GovernmentDomain.objects.filter(domain="gmail.com").exists()  # not trusted unless ticked
    # Recognised entries alone approve in one step.
    one_step = RegistrationFactory(edition=edition, email="c@police.uk", email_domain_recognised=True)
    client.post(
        CHANGELIST + "?all=1", {"action": "approve_selected", "index": 0, "_selected_action": [one_step.pk]}
    )
    one_step.refresh_from_db()
    assert one_step.status == Registration.Status.APPROVED


def test_domains_trust_refuses_invalid_names_and_adds_nothing():
    before = GovernmentDomain.objects.count()
    with pytest.raises(ReviewError, match="Not a domain name"):
        domains_trust(domains=["good.example", "not a domain"])
    assert GovernmentDomain.objects.count() == before
    assert domains_trust(domains=["@Good.Example.", "good.example"]) == ["good.example"]
    assert domains_trust(domains=["good.example"]) == []


def test_csv_import_in_the_admin(client, chief, django_capture_on_commit_callbacks):
    client.force_login(chief)
    listing = client.get("/admin/registrations/governmentdomain/").content.decode()
    assert 'href="/admin/registrations/governmentdomain/import/"' in listing
    upload = io.BytesIO(b"domain,note\npolice.example.org,a\n Sheriff.Example.COM ,b\n\n")
    upload.name = "domains.csv"
    with django_capture_on_commit_callbacks(execute=True):  # the import is queued once the upload commits
        response = client.post("/admin/registrations/governmentdomain/import/", {"file": upload})
    assert "Done: 2 new domains imported." in client.get(response["Location"]).content.decode()
    assert (
        GovernmentDomain.objects.filter(domain__in=["police.example.org", "sheriff.example.com"]).count() == 2
    )


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"\n\n", "no domains"),
    ],
)
def test_csv_import_refuses_bad_files_and_adds_nothing(client, chief, content, error):
    before = GovernmentDomain.objects.count()
    client.force_login(chief)
    upload = io.BytesIO(content)
    upload.name = "domains.csv"
    response = client.post("/admin/registrations/governmentdomain/import/", {"file": upload})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert GovernmentDomain.objects.count() == before
    assert not CsvImport.objects.exists()


def test_csv_import_without_a_header_uses_the_first_column():
    draft = domains_import_create(data=b"first.example,note\nsecond.example\n", filename="x.csv", actor=None)
    assert domains_import_run(import_id=draft.pk).imported_rows == 2
    assert GovernmentDomain.objects.filter(domain__in=["first.example", "second.example"]).count() == 2


# --- 4. the dashboard --------------------------------------------------------------------------------------


def test_dashboard_counts_and_links(client, reviewer, edition):
    RegistrationFactory(edition=edition)  # waiting
    RegistrationFactory(edition=edition, email_confirmed_at=None)
    RegistrationFactory(edition=edition, status="approved", country="EE", geo_status="located")
    RegistrationFactory(edition=edition, status="approved", officer=True, geo_status="not_found")
    client.force_login(reviewer)
    response = client.get(INDEX)
    dashboard = response.context["dashboard"]
    assert (dashboard.waiting, dashboard.unconfirmed) == (1, 1)
    assert (dashboard.approved_agencies, dashboard.approved_officers) == (1, 1)
    assert (dashboard.geocoding_pending, dashboard.geocoding_failed) == (2, 1)
    assert {code for code, _name, _count in dashboard.approved_by_country} == {"EE", "US"}
    page = response.content.decode()
    assert f"?edition__id__exact={edition.pk}&amp;status__exact=pending&amp;confirmed=yes" in page
    assert "Estonia" in page


def _bulk(edition: Edition, start: int, count: int) -> None:
    Registration.objects.bulk_create(
        [
            Registration(
                edition=edition,
                kind="agency" if n % 3 else "officer",
                handle=f"bulk{n}",
                agency_name=f"Agency {n}",
                agency_level="local",
                email=f"pio{n}@police.example",
                email_confirmed_at=timezone.now() if n % 5 else None,
                country=["US", "GB", "NZ", "EE", "ES"][n % 5],
                participation_model="all_calls",
                status=["pending", "approved", "rejected"][n % 3],
            )
            for n in range(start, start + count)
        ],
        batch_size=1000,
    )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dashboard_and_waiting_list_run_a_fixed_number_of_queries(client, reviewer, edition):
    client.force_login(reviewer)
    waiting = f"{CHANGELIST}?edition__id__exact={edition.pk}&status__exact=pending&confirmed=yes"
    _bulk(edition, 0, 30)
    client.get(INDEX)
    client.get(waiting)
    small = (_queries(client, INDEX), _queries(client, waiting))
    _bulk(edition, 30, 3_000)
    large = (_queries(client, INDEX), _queries(client, waiting))
    assert small == large
    assert large[0] <= 12


# --- 5. nothing reaches many people by accident ------------------------------------------------------------


@pytest.fixture
def draft(edition, chief):
    RegistrationFactory(edition=edition, handle="One")
    RegistrationFactory(edition=edition, handle="Two")
    RegistrationFactory(edition=edition, handle="Unconfirmed", email_confirmed_at=None)
    return message_create(
        edition=edition,
        subject="Briefing",
        body="See you <b>soon</b>",
        actor=chief,
        statuses=["pending", "approved"],
    )


def review(mailing: Mailing) -> str:
    return f"/admin/registrations/mailing/{mailing.pk}/review/"


def test_review_page_shows_count_text_and_html_and_sends_nothing(client, chief, draft):
    client.force_login(chief)
    response = client.get(review(draft))
    page = response.content.decode()
    assert "This will email 2 registrants." in page
    assert "Send to 2 registrants" in page
    assert "Send a test to me (chief@poltwt.example)" in page
    # The text version as text; the HTML version escaped into a sandboxed frame's srcdoc (there, the
    # email's own escaping shows "<b>" as text again: &amp;lt; in the attribute).
    assert '<pre class="preview-text"' in page and "See you &lt;b&gt;soon&lt;/b&gt;" in page
    assert "<b>soon" not in page
    assert 'sandbox="" srcdoc="&lt;!doctype html&gt;' in page and "See you &amp;lt;b&amp;gt;soon" in page
    assert mail.outbox == [] and not Delivery.objects.exists()
    # The draft's change page is its edit form, with a link to this review page.
    edit = client.get(f"/admin/registrations/mailing/{draft.pk}/change/").content.decode()
    assert 'name="subject"' in edit and f'href="{review(draft)}"' in edit


def test_a_test_goes_to_the_organizer_only(client, chief, draft):
    client.force_login(chief)
    response = client.post(review(draft), {"test": "1"}, follow=True)
    assert "A test was sent to chief@poltwt.example." in messages_of(response)
    [message] = mail.outbox
    assert message.to == ["chief@poltwt.example"] and message.subject == "[Test] Briefing"
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_test_to_an_organizer_without_email_says_so(client, draft):
    nobody = UserFactory(username="noemail", is_staff=True, is_superuser=True, email="")
    client.force_login(nobody)
    response = client.post(review(draft), {"test": "1"}, follow=True)
    assert any("has no email address" in m for m in messages_of(response))
    assert mail.outbox == []


def test_a_test_address_that_bounces_says_so_and_changes_nothing(client, chief, draft, settings):
    with SMTPStub(refuse={"chief@poltwt.example"}) as stub:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", stub.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        client.force_login(chief)
        response = client.post(review(draft), {"test": "1"}, follow=True)
        assert "The mail server refused chief@poltwt.example; no test was sent." in messages_of(response)
        assert stub.messages == []
        # The same page works with an address the server accepts: the stub is a real server.
        chief.email = "other@poltwt.example"
        chief.save()
        client.post(review(draft), {"test": "1"})
        assert [recipients for recipients, _data in stub.messages] == [["other@poltwt.example"]]
    draft.refresh_from_db()
    assert draft.is_draft and not Delivery.objects.exists()


def test_send_pressed_twice_sends_once(client, chief, draft, django_capture_on_commit_callbacks):
    client.force_login(chief)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(review(draft), {"send": "1", "expected": "2"}, follow=True)
        second = client.post(review(draft), {"send": "1", "expected": "2"}, follow=True)
    assert "Sending to 2 registrants." in messages_of(first)
    # The second press finds the mailing sent: it lands on the progress page, sending nothing more.
    assert second.redirect_chain[-1][0] == f"/admin/registrations/mailing/{draft.pk}/change/"
    assert len(mail.outbox) == 2 and Delivery.objects.count() == 2
    with pytest.raises(AlreadySent):
        mailing_send(mailing=draft, expected=2)
    assert Delivery.objects.count() == 2


def test_send_after_the_recipients_changed_sends_nothing(client, chief, draft, edition):
    RegistrationFactory(edition=edition, handle="Three")
    client.force_login(chief)
    response = client.post(review(draft), {"send": "1", "expected": "2"}, follow=True)
    assert any("changed from 2 to 3" in m for m in messages_of(response))
    draft.refresh_from_db()
    assert draft.is_draft and mail.outbox == [] and not Delivery.objects.exists()
    with pytest.raises(RecipientsChanged):
        mailing_send(mailing=draft, expected=2)


def test_send_without_a_number_is_refused(client, chief, draft):
    client.force_login(chief)
    response = client.post(review(draft), {"send": "1"}, follow=True)
    assert "Review the number of recipients, then send." in messages_of(response)
    draft.refresh_from_db()
    assert draft.is_draft


def test_discarding_a_draft_sends_nothing(client, chief, draft):
    client.force_login(chief)
    client.post(review(draft), {"discard": "1"})
    assert not Mailing.objects.exists() and mail.outbox == []


def test_progress_page_shows_sent_failed_remaining_and_refreshes_while_sending(client, chief, draft):
    mailing_send(mailing=draft, expected=2)  # no on_commit here: the worker has not run yet
    client.force_login(chief)
    page = client.get(f"/admin/registrations/mailing/{draft.pk}/change/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert re.search(r'class="progress-remaining">2<', page)
    from registrations.services.delivery import mailing_deliver

    mailing_deliver(mailing_id=draft.pk)
    page = client.get(f"/admin/registrations/mailing/{draft.pk}/change/").content.decode()
    assert re.search(r'class="progress-sent">2<', page) and re.search(r'class="progress-remaining">0<', page)
    assert 'http-equiv="refresh"' not in page


def test_a_mailing_to_nobody_cannot_be_sent(chief, edition):
    mailing = message_create(
        edition=edition, subject="Hello", body="Nobody", actor=chief, statuses=["pending", "approved"]
    )
    with pytest.raises(MailingError, match="nobody"):
        mailing_send(mailing=mailing, expected=0)


def test_saving_a_new_date_opens_the_notice_review_and_cancelling_sends_nothing(client, chief, edition):
    from tests.registrations.test_mailings import edition_form

    edition.date = timezone.localdate() + dt.timedelta(days=30)
    edition.save()
    RegistrationFactory(edition=edition)
    client.force_login(chief)
    new_date = edition.date + dt.timedelta(days=7)
    response = client.post(
        f"/admin/events/edition/{edition.pk}/change/",
        edition_form(edition, date=new_date.isoformat(), status="rescheduled"),
        follow=True,
    )
    notice = Mailing.objects.get(kind=Mailing.Kind.SCHEDULE)
    assert response.redirect_chain[-1][0] == review(notice)
    assert "This will email 1 registrant." in response.content.decode()
    edition.refresh_from_db()
    assert edition.date == new_date  # the edition is saved
    client.post(review(notice), {"discard": "1"})
    assert mail.outbox == [] and not Mailing.objects.exists()


def test_an_invitation_to_nobody_says_so_and_creates_nothing(client, chief, edition):
    past = EditionFactory(ordinal=3, status=Edition.Status.COMPLETED)
    client.force_login(chief)
    response = client.post(
        "/admin/events/edition/",
        {"action": "invite_participants", "index": 0, "_selected_action": [past.pk]},
        follow=True,
    )
    assert any("Nobody to invite" in m for m in messages_of(response))
    assert not Mailing.objects.exists()
    with pytest.raises(MailingError):
        invitations_create(source=past, target=edition, actor=chief)


def test_an_invitation_opens_its_review_page(client, chief, edition):
    past = EditionFactory(ordinal=3, status=Edition.Status.COMPLETED)
    RegistrationFactory(edition=past, status="approved")
    client.force_login(chief)
    response = client.post(
        "/admin/events/edition/", {"action": "invite_participants", "index": 0, "_selected_action": [past.pk]}
    )
    mailing = Mailing.objects.get()
    assert response["Location"] == review(mailing)
    assert mail.outbox == [] and mailing.is_draft


# --- 6. the location page ----------------------------------------------------------------------------------


def test_location_search_moves_the_marker_with_the_offline_gazetteer(client, chief, edition):
    registration = RegistrationFactory(edition=edition, country="EE", city="Tallinn", region="")
    client.force_login(chief)
    response = client.get(f"{CHANGELIST}{registration.pk}/location/", {"q": "Tallinn"})
    form = response.context["form"]
    assert round(form.initial["latitude"]) == 59 and round(form.initial["longitude"]) == 25
    assert any("check the marker" in m for m in messages_of(response))
    registration.refresh_from_db()
    assert registration.latitude is None  # searching saves nothing


def test_location_search_that_finds_nothing_says_so(client, chief, edition):
    # No country: the gazetteer cannot fall back to the country's capital.
    registration = RegistrationFactory(edition=edition, country="")
    client.force_login(chief)
    page = client.get(f"{CHANGELIST}{registration.pk}/location/", {"q": "Nowhereville Xyz"}).content.decode()
    assert "No place found for this search" in page
    assert 'value="Nowhereville Xyz"' in page


def test_location_search_with_the_geocoder_down_says_so(client, chief, edition, settings, nominatim):
    # geopy's Nominatim client, as configured by the fixture, but pointed at a port where nothing listens.
    settings.GEOCODER_DOMAIN = "127.0.0.1:9"
    registration = RegistrationFactory(edition=edition)
    client.force_login(chief)
    page = client.get(f"{CHANGELIST}{registration.pk}/location/", {"q": "Palo Alto"}).content.decode()
    assert "The geocoder could not answer" in page


def test_location_page_has_the_packaged_basemap_and_a_labelled_search(client, chief, edition):
    registration = RegistrationFactory(edition=edition)
    client.force_login(chief)
    page = client.get(f"{CHANGELIST}{registration.pk}/location/").content.decode()
    assert "basemap/countries-110m.geojson" in page
    assert '<label for="id_q">Search for a place</label>' in page


# --- 7. roles ----------------------------------------------------------------------------------------------


def test_reviewers_group_has_exactly_what_reviewing_needs():
    codenames = set(Group.objects.get(name="Reviewers").permissions.values_list("codename", flat=True))
    assert {"view_registration", "review_registration", "add_mailing", "view_mailing"} <= codenames
    assert not any(codename.startswith("delete_") for codename in codenames)


# --- 8. concurrency and the approval email -----------------------------------------------------------------


def test_approval_email_gives_the_registrants_own_hours(edition, chief, django_capture_on_commit_callbacks):
    from registrations.services.review import registration_approve

    registration = RegistrationFactory(edition=edition, hours_from=dt.time(14, 0), hours_to=dt.time(18, 30))
    with django_capture_on_commit_callbacks(execute=True):
        registration_approve(registration=registration, actor=chief)
    [message] = mail.outbox
    assert "You chose to tweet from 2:00 p.m. to 6:30 p.m. your local time." in message.body
    assert "2:00 p.m." in message.alternatives[0][0]


@pytest.mark.django_db(transaction=True)
def test_parallel_approvals_write_one_log_entry_and_one_message():
    from tests.registrations.test_concurrency import run_together

    now = timezone.now()
    edition = EditionFactory(ordinal=7, registration_opens_at=now - dt.timedelta(days=1))
    registration = RegistrationFactory(edition=edition, email_domain_recognised=True)
    users = [UserFactory(username=f"organizer{i}", is_staff=True, is_superuser=True) for i in range(4)]

    clients = [Client() for _ in users]
    for client, user in zip(clients, users, strict=True):
        client.force_login(user)

    def approve(index: int):
        return clients[index].post(f"{CHANGELIST}{registration.pk}/approve/").status_code

    results = run_together(approve, count=4)
    assert results == [302] * 4, results
    # The test client collects template contexts through a global signal: read the messages one by one.
    shown = [messages_of(client.get(f"{CHANGELIST}{registration.pk}/change/")) for client in clients]
    approvals = [m for messages in shown for m in messages if "approved; the email" in m]
    assert len(approvals) == 1, shown
    assert LogEntry.objects.filter(object_id=str(registration.pk), action_flag=CHANGE).count() == 1
    assert registration.log_entries.filter(action="approved").count() == 1
    assert len(mail.outbox) == 1


def test_review_page_runs_a_fixed_number_of_queries(client, chief, edition):
    client.force_login(chief)
    _bulk(edition, 0, 20)
    mailing = message_create(
        edition=edition, subject="Hello", body="Text", actor=chief, statuses=["pending", "approved"]
    )
    client.get(review(mailing))
    small = _queries(client, review(mailing))
    _bulk(edition, 20, 2_000)
    assert mailing_recipients(mailing=mailing).count() > 1_000
    assert _queries(client, review(mailing)) == small


def test_an_invalid_entry_id_is_not_a_server_error(client, reviewer, edition):
    client.force_login(reviewer)
    assert client.get(f"{CHANGELIST}not-a-number/change/").status_code == 302
    assert client.post(f"{CHANGELIST}999999/approve/").status_code == 404


def upload_csv(client, content: bytes):
    upload = io.BytesIO(content)
    upload.name = "domains.csv"
    return client.post("/admin/registrations/governmentdomain/import/", {"file": upload})


def test_csv_import_of_a_field_over_the_csv_limit_says_so(client, chief):
    client.force_login(chief)
    before = GovernmentDomain.objects.count()
    response = upload_csv(client, b"domain\n" + b'"' + b"a" * 140_000 + b'"\n')
    assert response.status_code == 200
    assert "Line 2 is not a CSV row this import can read" in response.content.decode()
    assert GovernmentDomain.objects.count() == before


def test_csv_import_of_thousands_of_domains_works_and_recognises_their_entries(
    client, chief, edition, django_capture_on_commit_callbacks
):
    waiting = RegistrationFactory(
        edition=edition, email="pio@wmp.force1200.example", email_domain_recognised=False
    )
    other = RegistrationFactory(
        edition=edition, email="pio@force1200.example.net", email_domain_recognised=False
    )
    client.force_login(chief)
    domains = "".join(f"force{n}.example\n" for n in range(1500)).encode()
    with django_capture_on_commit_callbacks(execute=True):  # the import, then the entries, after the commit
        response = upload_csv(client, b"domain\n" + domains)
    assert response.status_code == 302
    assert GovernmentDomain.objects.filter(domain__startswith="force").count() == 1500
    waiting.refresh_from_db()
    other.refresh_from_db()
    assert waiting.email_domain_recognised and not other.email_domain_recognised


@pytest.mark.parametrize("domain", ["com", "org", "net", "uk", "de", "co.uk", "com.au", "org.uk"])
def test_a_top_level_or_generic_second_level_domain_alone_is_refused(domain):
    with pytest.raises(ReviewError, match="too broad"):
        domains_trust(domains=[domain])
    assert not GovernmentDomain.objects.filter(domain=domain).exists()


def test_the_government_only_top_level_domains_are_accepted():
    # .gov and .mil are registered to governments alone (gov is seeded by migration 0002).
    GovernmentDomain.objects.filter(domain__in=["gov", "mil"]).delete()
    assert domains_trust(domains=["gov", "mil"]) == ["gov", "mil"]
    assert set(
        GovernmentDomain.objects.filter(domain__in=["gov", "mil"]).values_list("domain", flat=True)
    ) == {
        "gov",
        "mil",
    }
