"""The map's compact feed (/participants.map.json): public fields only, columnar, compressed once per
version, revalidated by an ETag that names the version and the encoding."""

from __future__ import annotations

import gzip
import json

import brotli
import pytest
from django.core.cache import cache
from django.urls import reverse

from pages import precompressed
from registrations.models import Registration
from tests.factories import EditionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

URL = reverse("pages:participants_map_feed")


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


def feed(client, **headers) -> dict:
    response = client.get(URL, {"edition": 6}, **headers)
    assert response.status_code == 200
    return json.loads(response.content)


def row(data: dict, index: int) -> dict:
    text = data["text"]
    local_start, starts_at, ends_at = data["windows"][data["when"][index]]
    return {
        "lat": data["lat"][index],
        "lng": data["lng"][index],
        "kind": data["kinds"][data["kind"][index]],
        "handle": data["handle"][index],
        **{name: text[data[name][index]] for name in ("name", "city", "country", "goal", "hashtag")},
        "local_start": local_start,
        "starts_at": starts_at,
        "ends_at": ends_at,
    }


def test_the_feed_holds_what_the_popup_the_list_and_the_filters_need(client, edition):
    participant(
        edition,
        handle="PaloAltoPolice",
        agency_name="Palo Alto PD",
        city="Palo Alto",
        local_goal="Answer questions live",
        local_hashtag="#PaloAltoLive",
        latitude=37.44191234,
        longitude=-122.14304321,
        geo_precision=Registration.GeoPrecision.ADDRESS,
    )
    participant(
        edition,
        handle="SgtJaneDoe",
        officer=True,
        agency_name="West Midlands Police",
        city="Birmingham",
        country="GB",
        latitude=52.48621234,
        longitude=-1.89041234,
        geo_precision=Registration.GeoPrecision.MANUAL,
        time_zone="Europe/London",
    )
    participant(edition, handle="NotLocated", latitude=None, longitude=None, geo_status="pending")
    participant(edition, handle="StillPending", status=Registration.Status.PENDING)

    data = feed(client)

    assert data["version"] == 1 and data["edition"] == 6 and data["count"] == 2
    # The list's order: by country name (United Kingdom before United States), then city and handle.
    assert data["handle"] == ["SgtJaneDoe", "PaloAltoPolice"]
    assert row(data, 1) == {
        "lat": 37.4419,  # about 11 m
        "lng": -122.143,
        "kind": "agency",
        "handle": "PaloAltoPolice",
        "name": "Palo Alto PD",
        "city": "Palo Alto",
        "country": "United States of America",
        "goal": "Answer questions live",
        "hashtag": "#PaloAltoLive",
        "local_start": "08:00 Los Angeles",
        # 4 December 2026, 08:00 PST is 16:00 UTC; 24 hours later.
        "starts_at": 1796400000,
        "ends_at": 1796486400,
    }
    officer = row(data, 0)
    assert officer["kind"] == "officer"
    # An officer's point is never finer than city level, here as in every public output.
    assert (officer["lat"], officer["lng"]) == (52.5, -1.9)
    assert officer["local_start"] == "08:00 London"
    # Each string is kept once.
    assert len(data["text"]) == len(set(data["text"]))


def test_the_feed_is_compressed_once_and_sent_in_the_encoding_asked_for(client, edition):
    participant(edition, handle="PaloAltoPolice")
    plain = client.get(URL, {"edition": 6})
    packed = client.get(URL, {"edition": 6}, HTTP_ACCEPT_ENCODING="gzip")
    best = client.get(URL, {"edition": 6}, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    refused = client.get(URL, {"edition": 6}, HTTP_ACCEPT_ENCODING="br;q=0, gzip;q=0")

    assert plain["Content-Type"] == "application/json"
    assert "Content-Encoding" not in plain and "Content-Encoding" not in refused
    assert packed["Content-Encoding"] == "gzip" and best["Content-Encoding"] == "br"
    assert gzip.decompress(packed.content) == plain.content == refused.content
    assert brotli.decompress(best.content) == plain.content
    for response in (plain, packed, best):
        assert response["Vary"] == "Accept-Encoding"
        assert "public" in response["Cache-Control"] and "s-maxage" in response["Cache-Control"]
        assert response["Last-Modified"]
    assert len({plain["ETag"], packed["ETag"], best["ETag"]}) == 3
    assert best["ETag"].endswith('-br"')


def test_the_etag_follows_the_data_version_and_answers_304(client, edition):
    participant(edition, handle="PaloAltoPolice")
    first = client.get(URL, {"edition": 6}, HTTP_ACCEPT_ENCODING="br")
    again = client.get(URL, {"edition": 6}, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    # Another encoding is another representation: not answered by the brotli one's ETag.
    other = client.get(URL, {"edition": 6}, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200

    participant(edition, handle="SanMateoPD")
    changed = client.get(URL, {"edition": 6}, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert json.loads(brotli.decompress(changed.content))["count"] == 2


def test_the_feed_shows_user_text_as_data_only(client, edition):
    payload = "<img src=x onerror=alert(1)>${alert(1)}`"
    participant(edition, handle="Evil1", agency_name=payload, city=payload)
    data = feed(client)
    assert row(data, 0)["name"] == payload  # JSON text: the page puts it in the DOM with textContent


def test_each_encoding_is_built_once_per_version(client, edition, django_assert_num_queries):
    participant(edition, handle="PaloAltoPolice")
    cache.clear()
    client.get(URL, {"edition": 6}, HTTP_ACCEPT_ENCODING="br")
    # Warm, in another encoding: the version and the edition, no participant query (nothing is built).
    with django_assert_num_queries(2):
        client.get(URL, {"edition": 6}, HTTP_ACCEPT_ENCODING="gzip")


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("", "identity"),
        ("gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("br;q=0, gzip", "gzip"),
        ("br;q=0.5, gzip;q=0.8", "gzip"),
        ("*", "br"),
        ("gzip;q=0", "identity"),
        ("identity", "identity"),
        ("garbage;;q=x, br", "br"),
    ],
)
def test_negotiation(header, chosen):
    assert precompressed.negotiate(header) == chosen
