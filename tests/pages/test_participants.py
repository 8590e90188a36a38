"""The public list, its exports and the statistics: public data only, escaped, cached, fixed query counts."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations.models import Registration
from registrations.services.review import registration_approve
from tests.factories import EditionFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PUBLIC_URLS = [
    reverse("pages:map"),
    reverse("pages:map_embed"),
    reverse("pages:schedule"),
    reverse("pages:participant_list"),
    reverse("pages:participants_csv"),
    reverse("pages:participants_json"),
    reverse("pages:participants_geojson"),
    reverse("pages:participants_map_feed"),
    reverse("pages:participant_handles"),
    reverse("pages:statistics"),
]


def participant(edition, **fields) -> Registration:
    defaults = {
        "status": Registration.Status.APPROVED,
        "latitude": 37.4419,
        "longitude": -122.143,
        "geo_status": Registration.GeoStatus.LOCATED,
        "geo_precision": Registration.GeoPrecision.CITY,
        "time_zone": "America/Los_Angeles",
    }
    return RegistrationFactory(edition=edition, **{**defaults, **fields})


@pytest.fixture
def edition():
    return EditionFactory(ordinal=6)


def body(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


def test_only_approved_consenting_entries_are_listed(client, edition):
    participant(edition, handle="Approved1")
    participant(edition, handle="Pending1", status=Registration.Status.PENDING)
    participant(edition, handle="Rejected1", status=Registration.Status.REJECTED)
    participant(edition, handle="NoConsent1", consent_public=False)
    participant(EditionFactory(ordinal=5), handle="OtherEdition")
    html = body(client, reverse("pages:participant_list"), edition=6)
    assert "@Approved1" in html
    for hidden in ("Pending1", "Rejected1", "NoConsent1", "OtherEdition"):
        assert hidden not in html
    assert body(client, reverse("pages:participant_handles"), edition=6) == "Approved1\n"


def test_headline_counts_and_grouping_by_country(client, edition):
    participant(edition, handle="PaloAltoPolice", country="US")
    participant(edition, handle="Officer1", country="US", officer=True)
    participant(edition, handle="WMPolice", country="GB", city="Birmingham")
    html = body(client, reverse("pages:participant_list"), edition=6)
    assert "2 agency accounts and 1 officer account from 2 countries" in html
    assert html.index(">United Kingdom<") < html.index(">United States of America<")
    assert 'href="https://x.com/PaloAltoPolice"' in html


def test_filters_by_kind_country_and_search(client, edition):
    participant(edition, handle="PaloAltoPolice", country="US")
    participant(edition, handle="Officer1", country="US", officer=True)
    participant(
        edition, handle="WMPolice", country="GB", agency_name="West Midlands Police", city="Birmingham"
    )
    assert "@Officer1" in body(client, reverse("pages:participant_list"), edition=6, kind="officer")
    assert "@PaloAltoPolice" not in body(client, reverse("pages:participant_list"), edition=6, kind="officer")
    html = body(client, reverse("pages:participant_list"), edition=6, country="gb")
    assert "@WMPolice" in html and "@PaloAltoPolice" not in html
    html = body(client, reverse("pages:participant_list"), edition=6, q="midlands")
    assert "@WMPolice" in html and "@Officer1" not in html
    assert "1 participant matches your filter." in html


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "robot"},
        {"country": "ZZ"},
        {"q": "<script>"},
        {"country": "'; DROP TABLE"},
        {"q": "x" * 5000},
    ],
)
def test_garbage_filters_give_an_empty_result_not_an_error(client, edition, params):
    participant(edition, handle="PaloAltoPolice")
    html = body(client, reverse("pages:participant_list"), edition=6, **params)
    assert "@PaloAltoPolice" not in html
    assert "No participant to show for this filter." in html


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (reverse("pages:participant_list"), {"edition": "99"}),
        (reverse("pages:participant_list"), {"edition": "abc"}),
        (reverse("pages:participant_list"), {"edition": "6", "page": "2"}),
        (reverse("pages:participant_list"), {"edition": "6", "page": "abc"}),
        (reverse("pages:participants_csv"), {"edition": "-1"}),
        (reverse("pages:participants_geojson"), {"edition": "1e9"}),
        (reverse("pages:statistics"), {"edition": "99999999999"}),
    ],
)
def test_unknown_edition_or_page_is_a_404(client, edition, url, params):
    participant(edition)
    assert client.get(url, params).status_code == 404


def test_pagination_past_the_first_hundred(client, edition):
    RegistrationFactory.create_batch(
        130, edition=edition, status=Registration.Status.APPROVED, country="US", latitude=1.0, longitude=1.0
    )
    first = body(client, reverse("pages:participant_list"), edition=6)
    second = body(client, reverse("pages:participant_list"), edition=6, page=2)
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert first.count('rel="noopener noreferrer">@') == 100
    assert second.count('rel="noopener noreferrer">@') == 30


def test_no_public_page_or_export_contains_an_email_or_street(client, edition):
    participant(
        edition, handle="PaloAltoPolice", email="chief@cityofpaloalto.org", street="275 Forest Avenue"
    )
    participant(
        edition,
        handle="Officer1",
        officer=True,
        email="jane.doe@police.govt.nz",
        street="1 Secret Lane",
        officer_name="Jane Secret-Name",
    )
    for url in PUBLIC_URLS:
        text = body(client, url, edition=6)
        # The organizers' own contact address is in every page's footer, on purpose.
        assert set(EMAIL_RE.findall(text)) <= {settings.ORGANIZERS_EMAIL}, url
        for private in ("Forest Avenue", "Secret Lane", "Jane Secret-Name", "94301"):
            assert private not in text, (url, private)


def test_officer_points_are_never_finer_than_city_level(client, edition):
    participant(
        edition,
        handle="Officer1",
        officer=True,
        latitude=37.44191234,
        longitude=-122.14304321,
        geo_precision=Registration.GeoPrecision.MANUAL,
    )
    participant(
        edition,
        handle="PaloAltoPolice",
        latitude=37.44191234,
        longitude=-122.14304321,
        geo_precision=Registration.GeoPrecision.ADDRESS,
    )
    features = json.loads(body(client, reverse("pages:participants_geojson"), edition=6))["features"]
    points = {f["properties"]["handle"]: f["geometry"]["coordinates"] for f in features}
    assert points["Officer1"] == [-122.1, 37.4]
    assert points["PaloAltoPolice"] == [-122.14304321, 37.44191234]


def test_geojson_carries_the_popup_fields_and_the_local_window(client, edition):
    participant(edition, handle="PaloAltoPolice", agency_name="Palo Alto PD", city="Palo Alto")
    participant(
        edition, handle="NotLocated", latitude=None, longitude=None, geo_status="pending", time_zone=""
    )
    data = json.loads(body(client, reverse("pages:participants_geojson"), edition=6))
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["handle"] for f in data["features"]] == ["PaloAltoPolice"]
    props = data["features"][0]["properties"]
    assert props == {
        "handle": "PaloAltoPolice",
        "kind": "agency",
        "name": "Palo Alto PD",
        "city": "Palo Alto",
        "country": "United States of America",
        "country_code": "US",
        "local_goal": "",
        "local_hashtag": "",
        # The zone named by its place, in the language of the URL (/en/...).
        "local_start": "08:00 Los Angeles",
        # 4 December 2026, 08:00 PST (UTC-8) is 16:00 UTC; 24 hours later.
        "starts_at": "2026-12-04T16:00:00Z",
        "ends_at": "2026-12-05T16:00:00Z",
    }


def test_csv_export_neutralises_formulas_and_keeps_public_fields(client, edition):
    participant(edition, handle="Formula1", agency_name='=HYPERLINK("http://evil","x")', city="+1-555")
    participant(edition, handle="Arabic1", agency_name="شرطة دبي", city="@home")
    response = client.get(reverse("pages:participants_csv"), {"edition": 6})
    assert response["Content-Disposition"] == 'attachment; filename="poltwt-6-participants.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_handle = {row["handle"]: row for row in rows}
    assert by_handle["Formula1"]["agency_name"] == '\'=HYPERLINK("http://evil","x")'
    assert by_handle["Formula1"]["city"] == "'+1-555"
    assert by_handle["Arabic1"]["agency_name"] == "شرطة دبي"
    assert by_handle["Arabic1"]["city"] == "'@home"
    assert set(rows[0]) == {
        "handle",
        "kind",
        "agency_name",
        "agency_level",
        "city",
        "region",
        "country_code",
        "country_name",
        "participation_model",
        "local_goal",
        "local_hashtag",
        "x_url",
    }


def test_json_export(client, edition):
    participant(edition, handle="PaloAltoPolice")
    data = json.loads(body(client, reverse("pages:participants_json"), edition=6))
    assert data["count"] == 1 and data["edition"] == 6
    assert data["participants"][0]["x_url"] == "https://x.com/PaloAltoPolice"


@pytest.mark.parametrize("name", ["participants_csv", "participants_json"])
def test_exports_are_sent_compressed_from_one_copy_per_version(
    client, edition, name, django_assert_num_queries, django_capture_on_commit_callbacks
):
    import gzip

    import brotli

    participant(edition, handle="PaloAltoPolice", agency_name="شرطة دبي")
    url = reverse(f"pages:{name}")
    plain = client.get(url, {"edition": 6})
    # Another encoding of the same version: the version and the edition read, nothing built again.
    with django_assert_num_queries(2):
        packed = client.get(url, {"edition": 6}, HTTP_ACCEPT_ENCODING="gzip, deflate")
    best = client.get(url, {"edition": 6}, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip" and best["Content-Encoding"] == "br"
    assert gzip.decompress(packed.content) == brotli.decompress(best.content) == plain.content
    assert "شرطة دبي" in plain.content.decode("utf-8-sig")
    for response in (plain, packed, best):
        assert response["Vary"] == "Accept-Encoding"
        assert response["Content-Type"] == plain["Content-Type"]
        assert response.get("Content-Disposition") == plain.get("Content-Disposition")
    assert len({plain["ETag"], packed["ETag"], best["ETag"]}) == 3
    again = client.get(url, {"edition": 6}, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=best["ETag"])
    assert again.status_code == 304

    # A new version is a new copy.
    with django_capture_on_commit_callbacks(execute=True):
        participant(edition, handle="SanMateoPD")
    changed = client.get(url, {"edition": 6}, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=best["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != best["ETag"]
    assert "SanMateoPD" in brotli.decompress(changed.content).decode("utf-8-sig")


def test_user_text_is_escaped_on_the_list_and_stats(client, edition):
    payload = "<img src=x onerror=alert(1)>${alert(1)}`"
    participant(edition, handle="Evil1", agency_name=payload, city=payload, country="US")
    for url in (reverse("pages:participant_list"),):
        html = body(client, url, edition=6)
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;${alert(1)}`" in html


def test_statistics_show_counts_as_charts_and_tables(client, edition):
    participant(edition, handle="A1", country="US", agency_level="local", participation_model="all_calls")
    participant(edition, handle="A2", country="US", agency_level="national", participation_model="one_topic")
    participant(edition, handle="O1", country="GB", officer=True)
    html = body(client, reverse("pages:statistics"), edition=6)
    assert html.count("<svg") == 5
    assert re.search(
        r"<td class=\"user-text\">United States of America</td><td class=\"text-end\">2</td>", html
    )
    assert re.search(r"<td class=\"user-text\">Agency account</td><td class=\"text-end\">2</td>", html)
    assert re.search(
        r"<td class=\"user-text\">Individual officer account</td><td class=\"text-end\">1</td>", html
    )


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_query_count_does_not_grow_with_participants(
    client, edition, url, django_capture_on_commit_callbacks
):
    def count_queries() -> int:
        from django.core.cache import cache

        cache.clear()  # measure the uncached path: the cached one runs no participant query at all
        with CaptureQueriesContext(connection) as queries:
            body(client, url, edition=6)
        return len(queries)

    RegistrationFactory.create_batch(3, edition=edition, status="approved", latitude=1.0, longitude=2.0)
    few = count_queries()
    RegistrationFactory.create_batch(150, edition=edition, status="approved", latitude=1.0, longitude=2.0)
    many = count_queries()
    assert few == many
    # One of them reads the public data version; two read the editions per account and the results.
    assert many <= 9


def test_changes_invalidate_the_cache_and_the_etag(client, edition, django_capture_on_commit_callbacks):
    participant(edition, handle="First1")
    pending = RegistrationFactory(edition=edition, handle="Second2")
    first = client.get(reverse("pages:participant_list"), {"edition": 6})
    etag = first["ETag"]
    assert (
        client.get(reverse("pages:participant_list"), {"edition": 6}, HTTP_IF_NONE_MATCH=etag).status_code
        == 304
    )
    with django_capture_on_commit_callbacks(execute=True):
        registration_approve(registration=pending, actor=UserFactory())
    after = client.get(reverse("pages:participant_list"), {"edition": 6}, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert "@Second2" in after.content.decode()
    assert after["ETag"] != etag


def test_geojson_is_sent_compressed_to_clients_that_accept_it(client, edition):
    import gzip

    import brotli

    participant(edition, handle="PaloAltoPolice")
    url = reverse("pages:participants_geojson")
    plain = client.get(url, {"edition": 6})
    packed = client.get(url, {"edition": 6}, HTTP_ACCEPT_ENCODING="gzip, deflate")
    best = client.get(url, {"edition": 6}, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert best["Content-Encoding"] == "br"
    for response in (plain, packed, best):
        assert "Accept-Encoding" in response["Vary"]
    assert len({plain["ETag"], packed["ETag"], best["ETag"]}) == 3
    assert gzip.decompress(packed.content) == plain.content
    assert brotli.decompress(best.content) == plain.content
    assert json.loads(plain.content)["features"][0]["properties"]["handle"] == "PaloAltoPolice"


def test_the_all_editions_map_and_its_embed(client, edition):
    participant(
        EditionFactory(ordinal=1), handle="HaltonPolice", agency_name="Halton <b>Police</b>", country="CA"
    )
    participant(edition, handle="haltonpolice", country="CA")
    participant(edition, handle="SgtJaneDoe", officer=True, country="GB")

    page = body(client, reverse("pages:map"), edition="all")
    assert '<option value="all" selected>All editions</option>' in page
    assert f'data-url="{reverse("pages:participants_map_feed")}?edition=all"' in page
    # Two accounts, once each: one agency, one officer, in two countries.
    assert "All editions: 1 agency account and 1 officer account from 2 countries" in page
    assert (
        '<option value="CA">Canada</option>' in page and '<option value="GB">United Kingdom</option>' in page
    )
    assert "/map/embed/?edition=all" in page
    assert "Halton <b>" not in page
    embed = body(client, reverse("pages:map_embed"), edition="all")
    assert "?edition=all" in embed and "All editions" in embed
    # An edition's page offers the all-editions map in its picker, not selected.
    assert '<option value="all">All editions</option>' in body(client, reverse("pages:map"), edition=6)


@pytest.mark.parametrize(
    "name",
    ["participant_list", "participants_csv", "participants_json", "participants_geojson", "statistics"],
)
def test_all_editions_is_the_maps_alone(client, edition, name):
    assert client.get(reverse(f"pages:{name}"), {"edition": "all"}).status_code == 404
