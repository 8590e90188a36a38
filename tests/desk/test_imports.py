"""CSV imports in the admin: upload, preview with the columns mapped, confirm once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Edition
from registrations.models import CsvImport, ParticipantResult, Registration, RegistrationLogEntry
from tests.factories import EditionFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:registrations_csvimport_add")


@pytest.fixture
def organizer(client):
    user = UserFactory(username="chief", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def first():
    return EditionFactory(ordinal=1, date=dt.date(2013, 3, 22), status=Edition.Status.COMPLETED)


def upload(client, edition, content: bytes, kind="results", name="export.csv", **extra):
    data = {
        "kind": kind,
        "edition": edition.pk,
        "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        "source_name": extra.pop("source_name", "BrightPlanet"),
        "source_url": extra.pop("source_url", "https://brightplanet.com/final"),
        "account_kind": extra.pop("account_kind", "agency"),
    }
    return client.post(ADD_URL, data)


def preview_url(draft: CsvImport) -> str:
    return reverse("admin:registrations_csvimport_preview", args=[draft.pk])


def mapping_data(draft: CsvImport, **changes) -> dict[str, str]:
    data = {name: "" if column is None else str(column) for name, column in draft.mapping.items()}
    data.update(changes)
    return data


ANALYTICS = (
    "\ufeffScreen Name;Tweets sent;Retweets;Times mentioned;Followers\r\n"
    "@NYorksPolice;568;1,204;662;45 000\r\n"
    "https://twitter.com/CalgaryPolice;209;;918;\r\n"
    "FBIPressOffice;;;316;\r\n"
    "Grand total;1,000;;;\r\n"
).encode()


def test_results_import_guesses_columns_lists_strangers_and_imports_once(client, organizer, first):
    ParticipantFactory(edition=first, handle="nyorkspolice")
    response = upload(client, first, ANALYTICS)
    draft = CsvImport.objects.get()
    assert response.status_code == 302 and response["Location"] == preview_url(draft)
    assert draft.mapping == {"handle": 0, "tweets": 1, "retweets": 2, "mentions": 3, "followers": 4}

    page = client.get(preview_url(draft)).content.decode()
    assert "3 of 4 lines will be imported." in page
    assert "Nothing has been imported yet." in page
    unmatched = re.search(r'class="unmatched-handles">(.*?)</p>', page, re.S).group(1)
    assert "@CalgaryPolice" in unmatched and "@FBIPressOffice" in unmatched and "NYorks" not in unmatched
    assert "“Grand total” is not an X handle" in page
    assert ParticipantResult.objects.count() == 0  # a preview writes nothing

    response = client.post(preview_url(draft), mapping_data(draft, confirm="1"))
    assert response.status_code == 302
    results = {r.handle: r for r in ParticipantResult.objects.select_related("registration")}
    assert set(results) == {"NYorksPolice", "CalgaryPolice", "FBIPressOffice"}
    york = results["NYorksPolice"]
    assert (york.tweets, york.retweets, york.mentions, york.followers) == (568, 1204, 662, 45000)
    assert york.registration.handle == "nyorkspolice"  # linked by handle, any letter case
    assert results["FBIPressOffice"].registration is None and results["FBIPressOffice"].tweets is None
    assert york.source_url == "https://brightplanet.com/final"

    # Pressed again (a double click, a second tab): nothing more.
    client.post(preview_url(draft), mapping_data(draft, confirm="1"))
    assert ParticipantResult.objects.count() == 3
    draft.refresh_from_db()
    assert draft.imported_rows == 3 and draft.imported_at is not None


def test_a_corrected_export_updates_the_figures_it_has(client, organizer, first):
    ParticipantResult.objects.create(edition=first, handle="NYorksPolice", tweets=500, followers=10)
    upload(client, first, b"handle,tweets\nnyorkspolice,568\n")
    draft = CsvImport.objects.get()
    client.post(preview_url(draft), mapping_data(draft, confirm="1"))
    result = ParticipantResult.objects.get()
    assert (result.handle, result.tweets, result.followers) == ("nyorkspolice", 568, 10)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("handle,tweets\nCalgaryPolice,209\n".encode("utf-16"), "not UTF-8"),
        ("handle,tweets\nPolicía,5\n".encode("latin-1"), "not UTF-8"),
        (b"account id;tweet count\n12;209\n", None),  # no handle-like header... "account" is one
        (b"agency,tweets\nCalgary,209\n", "No column of this file is headed as X handles"),
        (b"", "The submitted file is empty."),
        (b"\n\n", "The file is empty."),
        (b"handle,tweets\n", "no rows"),
    ],
)
def test_bad_files_are_refused_with_a_reason(client, organizer, first, content, message):
    response = upload(client, first, content)
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CsvImport.objects.exists()


def test_non_numbers_and_twice_given_handles_block_the_import(client, organizer, first):
    upload(
        client, first, b"handle,tweets,followers\nCalgaryPolice,209,12k\ngmpolice,n/a,5\ncalgarypolice,1,1\n"
    )
    draft = CsvImport.objects.get()
    page = client.get(preview_url(draft)).content.decode()
    assert "Line 2: Followers “12k” is not a whole number." in page
    assert "Line 3: Tweets “n/a” is not a whole number." in page
    assert "@calgarypolice is on lines 2 and 4" in page
    assert 'name="confirm"' not in page
    refused = client.post(preview_url(draft), mapping_data(draft, confirm="1"), follow=True)
    assert "is not a whole number" in refused.content.decode()
    assert not ParticipantResult.objects.exists()
    # Reading the followers from no column clears that error, not the others.
    client.post(preview_url(draft), mapping_data(draft, followers="", remap="1"))
    page = client.get(preview_url(draft)).content.decode()
    assert "12k" not in page and "n/a" in page


def test_changing_a_column_and_confirming_at_once_shows_the_new_preview_first(client, organizer, first):
    upload(client, first, b"handle,tweets,mentions\nCalgaryPolice,209,918\n")
    draft = CsvImport.objects.get()
    response = client.post(preview_url(draft), mapping_data(draft, tweets="2", confirm="1"), follow=True)
    assert "The columns changed: check the preview below, then import." in response.content.decode()
    assert not ParticipantResult.objects.exists()
    client.post(preview_url(draft), mapping_data(CsvImport.objects.get(), confirm="1"))
    assert ParticipantResult.objects.get().tweets == 918


PAST = (
    "handle,name,city,country\n"
    "HaltonPolice,Halton Regional Police Service,Oakville,Canada\n"
    "@GMPBlackley,GMP Blackley,Manchester,UK\n"
    "haltonpolice,Halton again,Oakville,CA\n"
    "PaloAltoPolice,Palo Alto Police Department,Palo Alto,USA\n"
    "ReykjavikPolice,Lögreglan,Reykjavík,Atlantis\n"
).encode()


def test_past_participants_become_approved_imported_entries_placed_in_the_background(
    client, organizer, django_capture_on_commit_callbacks
):
    third = EditionFactory(ordinal=3, date=None, status=Edition.Status.COMPLETED)
    ParticipantFactory(edition=third, handle="paloaltopolice")
    ParticipantResult.objects.create(edition=third, handle="gmpblackley", tweets=205)
    upload(client, third, PAST, kind="participants")
    draft = CsvImport.objects.get()
    page = client.get(preview_url(draft)).content.decode()
    assert "3 of 5 lines will be imported." in page
    assert "Line 4: @haltonpolice is on an earlier line; skipped." in page
    assert "Line 5: @PaloAltoPolice is registered for this edition already; skipped." in page
    assert "country “Atlantis” is not known" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(preview_url(draft), mapping_data(draft, confirm="1"))
    imported = {r.handle: r for r in Registration.objects.filter(imported_at__isnull=False)}
    assert set(imported) == {"HaltonPolice", "GMPBlackley", "ReykjavikPolice"}
    halton = imported["HaltonPolice"]
    assert (halton.status, halton.kind, halton.email, halton.consent_public) == (
        "approved",
        "agency",
        "",
        True,
    )
    assert (halton.agency_name, halton.city, str(halton.country)) == (
        "Halton Regional Police Service",
        "Oakville",
        "CA",
    )
    assert str(imported["GMPBlackley"].country) == "GB" and str(imported["ReykjavikPolice"].country) == ""
    assert halton.search_text  # kept for search although bulk_create skips save()
    # Placed by the geocoding task (inline here: the immediate backend) with the offline gazetteer.
    assert halton.geo_status == Registration.GeoStatus.LOCATED and halton.time_zone == "America/Toronto"
    assert mail.outbox == []
    assert RegistrationLogEntry.objects.filter(action="imported").count() == 3
    assert ParticipantResult.objects.get().registration == imported["GMPBlackley"]
    # On the past edition's public list, straight away.
    listed = client.get(reverse("pages:participant_list"), {"edition": 3}).content.decode()
    assert "@HaltonPolice" in listed and "Lögreglan" in listed


def test_officer_accounts_and_the_upload_form_offered_from_the_lists(client, organizer):
    past = EditionFactory(ordinal=2, date=dt.date(2013, 11, 1), status=Edition.Status.COMPLETED)
    registrations = client.get(reverse("admin:registrations_registration_changelist"), follow=True)
    registrations = registrations.content.decode()
    assert f"{ADD_URL}?kind=participants" in registrations
    results = client.get(reverse("admin:registrations_participantresult_changelist")).content.decode()
    assert f"{ADD_URL}?kind=results" in results
    upload(
        client, past, b"handle,name\nSgtGarcia_LIM,Sgt Garcia\n", kind="participants", account_kind="officer"
    )
    draft = CsvImport.objects.get()
    client.post(preview_url(draft), mapping_data(draft, confirm="1"))
    assert Registration.objects.get().kind == Registration.Kind.OFFICER


@pytest.mark.parametrize("object_id", ["%C2%B2", "%E2%91%A0", "abc", "9" * 40, "-1"])
def test_an_odd_import_id_is_not_found_not_a_server_error(client, organizer, object_id):
    """The preview filtered on the raw id: "²" gave a 500 (ValueError), found by bench/bench_fuzz.py."""
    response = client.get(f"/admin/registrations/csvimport/{object_id}/preview/")
    assert response.status_code == 404
