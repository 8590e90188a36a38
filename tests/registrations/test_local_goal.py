"""Each agency's local goal and local hashtag: optional, short, one hashtag, on both forms and the manage
page, kept when the registrant withdraws only as long as the entry is theirs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from registrations import tokens
from registrations.models import REGISTRANT_FIELDS, WITHDRAWAL_FIELDS, Registration
from registrations.services.privacy import registration_withdraw
from registrations.validators import normalise_hashtag
from tests.factories import RegistrationFactory
from tests.registrations.helpers import agency_post, field_errors, form_values, officer_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("#GVCopBeat", "#GVCopBeat"),
        ("GVCopBeat", "#GVCopBeat"),  # the '#' is added
        ("  #poltwt_2013 ", "#poltwt_2013"),
        ("#ÉtéSûr", "#ÉtéSûr"),  # letters of any script
        ("#ПолицияМосквы", "#ПолицияМосквы"),
        ("#पुलिस", "#पुलिस"),  # Devanagari vowel signs are marks, part of the word
        ("＃TimeToUnify", "#TimeToUnify"),  # the full-width sign X also accepts
        ("", ""),
    ],
)
def test_hashtags_accepted(typed, stored):
    assert normalise_hashtag(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["#two words", "#a #b", "#GV-Cop", "#", "##x", "#2013", "#<img>", "#${x}", "#a.b", "#" + "x" * 50],
)
def test_hashtags_refused(typed):
    with pytest.raises(ValidationError):
        normalise_hashtag(typed)


def test_the_fields_are_registrant_fields_erased_on_withdrawal():
    for name in ("local_goal", "local_hashtag"):
        assert name in REGISTRANT_FIELDS and name in WITHDRAWAL_FIELDS


@pytest.mark.parametrize(("kind", "post"), [("agency", agency_post), ("officer", officer_post)])
def test_both_forms_take_a_local_goal_and_hashtag(client, edition, kind, post):
    url = reverse("registrations:register", args=[kind])
    assert 'name="local_goal"' in client.get(url).content.decode()
    data = post(local_goal="Recruit ten volunteers for the <b>night</b> patrol", local_hashtag="GVCopBeat")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    registration = Registration.objects.get()
    assert registration.local_goal == "Recruit ten volunteers for the <b>night</b> patrol"
    assert registration.local_hashtag == "#GVCopBeat"


def test_both_are_optional(client, edition):
    response = client.post(reverse("registrations:register", args=["agency"]), agency_post())
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.local_goal == "" and registration.local_hashtag == ""


def test_a_bad_hashtag_is_refused_next_to_its_field_and_keeps_what_was_typed(client, edition):
    data = agency_post(local_goal="Show our traffic unit", local_hashtag="#two words")
    response = client.post(reverse("registrations:register", args=["agency"]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert field_errors(page, "local_hashtag")
    values = form_values(page)
    assert values["local_goal"] == "Show our traffic unit" and values["local_hashtag"] == "#two words"
    assert not Registration.objects.exists()


def test_a_local_goal_is_short_and_one_line(client, edition):
    url = reverse("registrations:register", args=["agency"])
    response = client.post(url, agency_post(local_goal="x" * 201))
    assert response.status_code == 400 and field_errors(response.content.decode(), "local_goal")
    response = client.post(url, agency_post(local_goal="Safe roads\u202e"))
    assert response.status_code == 400 and field_errors(response.content.decode(), "local_goal")


def test_the_manage_page_shows_and_changes_them(client, edition):
    registration = RegistrationFactory(edition=edition, local_goal="Meet our officers", local_hashtag="#Old")
    path = reverse("registrations:manage", args=[tokens.make_token(registration, "manage")])
    values = form_values(client.get(path).content.decode())
    assert values["local_goal"] == "Meet our officers" and values["local_hashtag"] == "#Old"
    data = {name: values.get(name, "") for name in values if name != "csrfmiddlewaretoken"}
    data.update(local_goal="Recruit volunteers", local_hashtag="NewTag")
    response = client.post(path, data)
    assert response.status_code == 302, response.content.decode()[:300]
    registration.refresh_from_db()
    assert registration.local_goal == "Recruit volunteers" and registration.local_hashtag == "#NewTag"


def test_withdrawal_erases_them(edition):
    registration = RegistrationFactory(edition=edition, local_goal="Goal", local_hashtag="#Tag")
    registration_withdraw(registration=registration)
    registration.refresh_from_db()
    assert registration.local_goal == "" and registration.local_hashtag == ""
