"""Explicit audiences and editable drafts (issue 22, build points 4 and 6): the schedule notice reaches the
approved and the waiting only, with words for each; a message's audience is ticked, never assumed; the
review page counts by status and language and previews each language; drafts are edited until sent, and
sent mailings read as text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from registrations.models import Mailing, Registration
from registrations.services.delivery import mailing_deliver
from registrations.services.mailing import (
    MailingError,
    mailing_recipients,
    mailing_send,
    message_create,
    schedule_notice_create,
)
from tests.factories import RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

MAILINGS = "/admin/registrations/mailing/"


@pytest.fixture
def chief():
    return UserFactory(username="chief", is_staff=True, is_superuser=True, email="chief@poltwt.example")


@pytest.fixture
def reviewer():
    user = UserFactory(username="volunteer", is_staff=True, email="volunteer@poltwt.example")
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.fixture
def everyone(edition):
    """One registrant in each situation a notice must tell apart."""
    return {
        "approved": RegistrationFactory(edition=edition, handle="ApprovedPD", status="approved"),
        "waiting": RegistrationFactory(edition=edition, handle="WaitingPD", language="es"),
        "rejected": RegistrationFactory(edition=edition, handle="TorontoPoliceX", status="rejected"),
        "unconfirmed": RegistrationFactory(edition=edition, handle="LaterPD", email_confirmed_at=None),
        "withdrawn": RegistrationFactory(edition=edition, handle="", status="withdrawn", email=""),
    }


def move(edition, chief) -> Mailing:
    before = {"date": edition.date, "start_time": edition.start_time}
    edition.date = timezone.localdate() + dt.timedelta(days=40)
    edition.status = "rescheduled"
    edition.save()
    return schedule_notice_create(edition=edition, before=before, actor=chief)


# --- the schedule notice ----------------------------------------------------------------------------------


def test_schedule_notice_goes_to_the_approved_and_the_waiting_only(edition, chief, everyone):
    notice = move(edition, chief)
    reached = set(mailing_recipients(mailing=notice).values_list("handle", flat=True))
    assert reached == {"ApprovedPD", "WaitingPD"}
    mailing_send(mailing=notice, expected=2)
    mailing_deliver(mailing_id=notice.pk)
    by_address = {message.to[0]: message for message in mail.outbox}
    # The goal: 0 rejected registrants in a schedule notice.
    assert everyone["rejected"].email not in by_address
    assert set(by_address) == {everyone["approved"].email, everyone["waiting"].email}
    approved = by_address[everyone["approved"].email]
    assert "Your registration stays valid" in approved.body
    assert "still being reviewed" not in approved.body
    waiting = by_address[everyone["waiting"].email]  # written in Spanish, their language
    assert "stays valid" not in waiting.body and "sigue en revisión" in waiting.body
    assert "sigue en revisión" in waiting.alternatives[0][0]


def test_no_notice_when_only_rejected_registrants_remain(edition, chief):
    RegistrationFactory(edition=edition, status="rejected")
    assert move(edition, chief) is None


def test_a_cancelled_edition_tells_nobody_their_entry_stays_valid(edition, chief, everyone):
    before = {"date": edition.date, "start_time": edition.start_time}
    edition.status = "cancelled"
    edition.save()
    notice = schedule_notice_create(edition=edition, before=before, actor=chief)
    mailing_send(mailing=notice, expected=2)
    mailing_deliver(mailing_id=notice.pk)
    assert len(mail.outbox) == 2
    assert not any("stays valid" in m.body or "sigue" in m.body for m in mail.outbox)


# --- a message's audience ---------------------------------------------------------------------------------


def test_a_message_with_no_status_ticked_is_a_form_error(client, chief, edition, everyone):
    client.force_login(chief)
    data = {"edition": edition.pk, "subject": "Hello", "body": "Text", "kinds": ["agency", "officer"]}
    response = client.post(f"{MAILINGS}add/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["statuses"] == ["Tick at least one status: a mailing never goes to everyone unasked."]
    response = client.post(f"{MAILINGS}add/", {**data, "statuses": ["approved"], "kinds": []})
    assert "kinds" in response.context["adminform"].form.errors
    assert not Mailing.objects.exists()


def test_the_service_refuses_an_empty_audience(edition, chief):
    with pytest.raises(MailingError, match="status"):
        message_create(edition=edition, subject="Hi", body="Text", actor=chief, statuses=[])
    with pytest.raises(MailingError, match="account type"):
        message_create(
            edition=edition, subject="Hi", body="Text", actor=chief, statuses=["approved"], kinds=[]
        )
    assert not Mailing.objects.exists()


def test_a_message_reaches_exactly_the_ticked_statuses_and_kinds(client, chief, edition, everyone):
    officer = RegistrationFactory(edition=edition, officer=True, status="rejected")
    client.force_login(chief)
    client.post(
        f"{MAILINGS}add/",
        {
            "edition": edition.pk,
            "subject": "Hi",
            "body": "Text",
            "statuses": ["rejected"],
            "kinds": ["officer"],
        },
    )
    assert list(mailing_recipients(mailing=Mailing.objects.get())) == [officer]


def test_the_add_form_ticks_both_kinds_and_no_status(client, chief):
    client.force_login(chief)
    form = client.get(f"{MAILINGS}add/").context["adminform"].form
    assert form["kinds"].value() == ["agency", "officer"]
    assert not form["statuses"].value()
    assert [value for value, _label in form.fields["statuses"].choices] == ["pending", "approved", "rejected"]


# --- the review page --------------------------------------------------------------------------------------


def test_review_page_counts_by_status_and_language_and_previews_each_language(
    client, chief, edition, everyone
):
    RegistrationFactory(edition=edition, handle="ArabicPD", status="approved", language="ar")
    draft = message_create(
        edition=edition,
        subject="Briefing",
        body="See you soon",
        actor=chief,
        statuses=["pending", "approved"],
        translations={"es": {"subject": "Reunión", "body": "Hasta pronto"}},
    )
    client.force_login(chief)
    response = client.get(f"{MAILINGS}{draft.pk}/review/")
    page = response.content.decode()
    assert response.context["by_status"] == [("Pending review", 1), ("Approved", 2)]
    assert [(code, n) for code, _name, n in response.context["by_language"]] == [
        ("en", 1),
        ("es", 1),
        ("ar", 1),
    ]
    previews = response.context["previews"]
    assert [p["language"] for p in previews] == ["en", "es", "ar"]
    assert "In Español" in page and "In العربية" in page
    spanish = previews[1]["message"]
    assert spanish.subject == "Reunión" and spanish.body.startswith("Hola") and "Hasta pronto" in spanish.body
    assert previews[2]["message"].body.startswith("مرحبًا")
    # The test goes out in each language too.
    client.post(f"{MAILINGS}{draft.pk}/review/", {"test": "1"})
    assert sorted(m.subject for m in mail.outbox) == ["[Test] Briefing", "[Test] Briefing", "[Test] Reunión"]
    assert {m.to[0] for m in mail.outbox} == {"chief@poltwt.example"}


def test_schedule_notice_review_previews_each_status(client, chief, edition, everyone):
    notice = move(edition, chief)
    client.force_login(chief)
    response = client.get(f"{MAILINGS}{notice.pk}/review/")
    previews = response.context["previews"]
    assert [(p["language"], p["status"]) for p in previews] == [("en", "Approved"), ("es", "Pending review")]
    assert "Your registration stays valid" in previews[0]["message"].body
    assert response.context["by_status"] == [("Pending review", 1), ("Approved", 1)]


# --- drafts are edited until sent; sent mailings are readable ---------------------------------------------


def edit_data(edition, **changes) -> dict:
    data = {
        "edition": edition.pk,
        "subject": "Briefing, corrected",
        "body": "New text",
        "subject_es": "Reunión",
        "body_es": "Texto nuevo",
        "statuses": ["approved"],
        "kinds": ["agency"],
    }
    return {**data, **changes}


@pytest.mark.parametrize("who", ["chief", "reviewer"])
def test_a_draft_opens_its_change_form_and_can_be_edited(client, request, edition, everyone, who):
    user = request.getfixturevalue(who)
    draft = message_create(edition=edition, subject="Briefing", body="Old", actor=user, statuses=["pending"])
    client.force_login(user)
    form_page = client.get(f"{MAILINGS}{draft.pk}/change/")
    assert form_page.status_code == 200
    page = form_page.content.decode()
    assert f'href="{MAILINGS}{draft.pk}/review/"' in page and 'name="body"' in page
    assert form_page.context["adminform"].form["statuses"].value() == ["pending"]
    response = client.post(f"{MAILINGS}{draft.pk}/change/", edit_data(edition))
    assert response["Location"] == f"{MAILINGS}{draft.pk}/review/"
    draft.refresh_from_db()
    assert (draft.subject, draft.body, draft.is_draft) == ("Briefing, corrected", "New text", True)
    assert draft.translations == {"es": {"subject": "Reunión", "body": "Texto nuevo"}}
    assert draft.recipient_filter == {"statuses": ["approved"], "kinds": ["agency"], "countries": []}
    assert list(mailing_recipients(mailing=draft)) == [everyone["approved"]]
    assert mail.outbox == []


def test_an_edit_with_no_status_ticked_is_refused(client, chief, edition):
    draft = message_create(edition=edition, subject="Briefing", body="Old", actor=chief, statuses=["pending"])
    client.force_login(chief)
    response = client.post(f"{MAILINGS}{draft.pk}/change/", edit_data(edition, statuses=[]))
    assert response.status_code == 200 and "statuses" in response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.subject == "Briefing"


def test_a_schedule_notice_draft_edits_its_text_not_its_audience(client, chief, edition, everyone):
    notice = move(edition, chief)
    client.force_login(chief)
    form = client.get(f"{MAILINGS}{notice.pk}/change/").context["adminform"].form
    assert "statuses" not in form.fields and "body" in form.fields
    client.post(
        f"{MAILINGS}{notice.pk}/change/",
        {"subject": "New date", "body": "We moved.", "body_es": "Nos movimos."},
    )
    notice.refresh_from_db()
    assert notice.body == "We moved." and notice.recipient_filter["statuses"] == ["approved", "pending"]
    assert set(mailing_recipients(mailing=notice).values_list("handle", flat=True)) == {
        "ApprovedPD",
        "WaitingPD",
    }


def test_a_sent_mailing_is_read_only_and_readable(client, chief, edition, everyone):
    draft = message_create(
        edition=edition,
        subject="Briefing",
        body="See <you>",
        actor=chief,
        statuses=["pending", "approved"],
        countries=["US"],
        translations={"es": {"subject": "Reunión <b>", "body": "Hasta pronto"}},
    )
    mailing_send(mailing=draft, expected=2)
    client.force_login(chief)
    response = client.get(f"{MAILINGS}{draft.pk}/change/")
    page = response.content.decode()
    assert 'name="subject"' not in page  # nothing to edit
    assert "statuses" not in page and "&quot;es&quot;" not in page and '"es":' not in page  # no raw JSON
    assert "Pending review, Approved" in page and "Agency account, Individual officer account" in page
    assert "United States of America" in page
    assert "Español" in page and "Reunión &lt;b&gt;" in page and "Hasta pronto" in page
    response = client.post(f"{MAILINGS}{draft.pk}/change/", edit_data(edition))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.subject == "Briefing"


def test_a_draft_sent_meanwhile_is_not_changed(client, chief, edition, everyone):
    draft = message_create(
        edition=edition, subject="Briefing", body="Old", actor=chief, statuses=["approved"]
    )
    client.force_login(chief)
    client.get(f"{MAILINGS}{draft.pk}/change/")  # the organizer opened the form...
    mailing_send(mailing=draft, expected=1)  # ...and someone sent it in another tab
    response = client.post(f"{MAILINGS}{draft.pk}/change/", edit_data(edition))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.body == "Old"


def test_the_waiting_are_confirmed_pending_entries(edition, chief):
    set_aside = RegistrationFactory(edition=edition, set_aside_at=timezone.now())
    RegistrationFactory(edition=edition, email_confirmed_at=None)
    draft = message_create(edition=edition, subject="Hi", body="Text", actor=chief, statuses=["pending"])
    assert list(mailing_recipients(mailing=draft)) == [set_aside]
    assert Registration.objects.waiting().count() == 0
