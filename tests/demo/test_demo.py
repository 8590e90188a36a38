"""Demo participants look like real accounts: agency and officer handles of the shapes police use."""

from __future__ import annotations

import random
import re

import pytest

from demo.participants import demo_identity, load_demo_participants
from events.models import Edition
from pages import versioning
from registrations.models import Registration, RegistrationLogEntry
from registrations.validators import normalise_handle, normalise_hashtag
from tests.factories import EditionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

AGENCY = re.compile(r"^(CityOf)?[A-Z][A-Za-z0-9]*(PD|Police|_Police|Sheriff)[0-9]*$")
OFFICER = re.compile(r"^(Sgt|Ofc|PC|Cst|Det|Insp|Cpl)[A-Z][a-z]+(_[A-Z][A-Za-z0-9]*)?[0-9]*$")


def test_generated_handles_look_like_police_accounts_and_are_unique():
    edition = EditionFactory(ordinal=6, status=Edition.Status.SCHEDULED)
    assert load_demo_participants(edition, 400) == 400
    rows = list(Registration.objects.filter(edition=edition).values_list("kind", "handle", "agency_name"))
    handles = [handle for _, handle, _ in rows]
    assert len({handle.lower() for handle in handles}) == 400
    for kind, handle, agency in rows:
        assert normalise_handle(handle) == handle  # X's rules: 1-15 of A-Z a-z 0-9 _
        assert "demo" not in handle.lower()
        pattern = AGENCY if kind == Registration.Kind.AGENCY else OFFICER
        assert pattern.match(handle), handle
        assert "Police" in agency or "Sheriff" in agency
    goals = Registration.objects.filter(edition=edition).exclude(local_goal="")
    assert 100 < goals.count() < 250
    for hashtag in goals.exclude(local_hashtag="").values_list("local_hashtag", flat=True):
        assert normalise_hashtag(hashtag) == hashtag
    # Digits are a last resort for clashes, not the rule.
    assert sum(1 for handle in handles if re.search(r"\d$", handle)) < 20


def test_long_and_non_latin_city_names_still_give_valid_handles():
    rng, taken = random.Random(1), set()
    for index, city in enumerate(
        ["Hudkeshwar Buzurg", "São José dos Campos", "Łódź", "東京", "Springfield"] * 3
    ):
        identity = demo_identity(rng, Registration.Kind.AGENCY, city, taken, index)
        assert normalise_handle(identity["handle"]) == identity["handle"]
    assert any(handle.lower().startswith("springfield") for handle in taken)


def test_loading_again_replaces_the_demo_participants_and_what_points_at_them(
    django_assert_max_num_queries,
):
    edition = EditionFactory(ordinal=6)
    kept = RegistrationFactory(edition=edition, handle="RealAgency")
    load_demo_participants(edition, 30)
    first = set(Registration.objects.filter(edition=edition).values_list("pk", flat=True))
    demo_row = Registration.objects.filter(edition=edition, geo_provider="demo").first()
    RegistrationLogEntry.objects.create(registration=demo_row, action=RegistrationLogEntry.Action.APPROVED)
    returning = RegistrationFactory(edition=EditionFactory(ordinal=7), returning_from=demo_row)
    version = versioning.edition(edition.pk).token

    # The deletion does not grow with the participants (no signal, no version move per row).
    with django_assert_max_num_queries(30):
        assert load_demo_participants(edition, 30) == 30

    again = set(Registration.objects.filter(edition=edition).values_list("pk", flat=True))
    assert len(again) == 31 and first & again == {kept.pk}
    assert not RegistrationLogEntry.objects.filter(registration_id=demo_row.pk).exists()
    returning.refresh_from_db()
    assert returning.returning_from is None
    assert versioning.edition(edition.pk).token != version
