"""The map's compact feed (/participants.map.json): public fields only, columnar, compressed once per
version, revalidated by an ETag that names the version and the encoding."""

from __future__ import annotations

import json
import re

import brotli
import pytest
from django.core.cache import cache
from django.urls import reverse

from pages import precompressed
from registrations.models import ParticipantResult, Registration
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
    # The country filter's codes, beside the names in the visitor's language.
    assert [data["text"][code] for code in data["code"]] == ["GB", "US"]
    # Nobody has a second edition or results: the sparse columns stay empty.
    assert data["editions"] == {} and data["results"] == {}


def test_country_names_come_in_the_language_of_the_address(client, edition):
    participant(edition, handle="SgtJaneDoe", country="GB")
    response = client.get(URL.replace("/en/", "/es/"), {"edition": 6})
    data = json.loads(response.content)
    assert row(data, 0)["country"] == "Reino Unido"


def test_editions_and_results_only_for_the_rows_that_have_them(client, edition):
    for ordinal in (1, 2):
        participant(EditionFactory(ordinal=ordinal), handle="haltonpolice")
    participant(edition, handle="HaltonPolice", city="Oakville", country="CA")
    participant(edition, handle="NewInTown", city="Palo Alto")
    participant(edition, handle="NoFigures", city="Zurich", country="CH")
    ParticipantResult.objects.create(
        edition=edition, handle="haltonPOLICE", tweets=186, followers=9000, source_name="BrightPlanet",
        source_url="https://brightplanet.com/2013/03/25/final-results-of-poltwt-tweet-a-thon/",
    )  # fmt: skip
    # A result row with no figure at all says nothing: left out.
    ParticipantResult.objects.create(edition=edition, handle="NoFigures", source_name="Somebody")
    # Results of an account that is not on the map (the most mentioned often are not): not in the feed.
    ParticipantResult.objects.create(edition=edition, handle="FBIPressOffice", mentions=316)

    data = feed(client)

    assert data["handle"] == ["HaltonPolice", "NoFigures", "NewInTown"]  # Canada, Switzerland, US
    assert data["editions"] == {"0": 3}
    assert data["measures"] == ["tweets", "retweets", "mentions", "followers"]
    assert list(data["results"]) == ["0"]
    *figures, source_name, source_url = data["results"]["0"]
    assert figures == [186, None, None, 9000]
    assert data["text"][source_name] == "BrightPlanet"
    assert data["text"][source_url].startswith("https://brightplanet.com/")


def test_the_all_editions_feed_has_each_account_once_at_its_latest_place(client, edition):
    first, second = EditionFactory(ordinal=1), EditionFactory(ordinal=2)
    participant(first, handle="haltonpolice", city="Milton", country="CA", latitude=43.5, longitude=-79.9)
    participant(
        second, handle="HaltonPolice", city="Oakville", country="CA", latitude=43.45, longitude=-79.68
    )
    # The latest edition's entry has no point yet: the latest place known wins.
    participant(edition, handle="HALTONPOLICE", latitude=None, longitude=None, geo_status="pending")
    participant(first, handle="OnlyOnce", city="Palo Alto")
    participant(first, handle="NeverPublic", consent_public=False)
    participant(second, handle="NotApproved", status=Registration.Status.PENDING)
    participant(first, handle="NeverLocated", latitude=None, longitude=None, geo_status="pending")
    ParticipantResult.objects.create(edition=second, handle="HaltonPolice", tweets=186)
    # An officer's point stays at city level here too.
    participant(first, handle="SgtJaneDoe", officer=True, country="GB", latitude=52.48621234,
                longitude=-1.89041234, geo_precision=Registration.GeoPrecision.ADDRESS)  # fmt: skip

    response = client.get(URL, {"edition": "all"})
    assert response.status_code == 200
    data = json.loads(response.content)

    assert data["edition"] == "all"
    assert data["handle"] == ["HaltonPolice", "SgtJaneDoe", "OnlyOnce"]
    halton = row(data, 0)
    assert (halton["city"], halton["lat"], halton["lng"]) == ("Oakville", 43.45, -79.68)
    # Three editions with #poltwt (the one without a point counts too), as the participant list says.
    assert data["editions"] == {"0": 3}
    # Hours, goals and results belong to one edition: none here.
    assert halton["local_start"] == "" and halton["starts_at"] is None
    assert data["results"] == {}
    assert (row(data, 1)["lat"], row(data, 1)["lng"]) == (52.5, -1.9)


def test_the_all_editions_feed_is_kept_per_site_version(client, edition, django_assert_num_queries):
    participant(edition, handle="PaloAltoPolice")
    cache.clear()
    first = client.get(URL, {"edition": "all"}, HTTP_ACCEPT_ENCODING="br")
    assert first["ETag"].startswith('"all-') and first["ETag"].endswith('-br"')
    assert (
        client.get(
            URL, {"edition": "all"}, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_ENCODING="br"
        ).status_code
        == 304
    )
    # Warm, in another encoding: only the version is read, nothing is built.
    with django_assert_num_queries(1):
        client.get(URL, {"edition": "all"}, HTTP_ACCEPT_ENCODING="gzip")
    # A new participant in any edition moves the site's version: the feed follows.
    participant(EditionFactory(ordinal=2), handle="SanMateoPD")
    changed = client.get(URL, {"edition": "all"}, HTTP_ACCEPT_ENCODING="br")
    assert changed["ETag"] != first["ETag"]
    assert json.loads(brotli.decompress(changed.content))["count"] == 2


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


@pytest.mark.parametrize("scope", ["6", "all"])
def test_the_page_carries_the_first_view_of_the_feed_it_will_load(client, edition, scope):
    for n in range(3):
        participant(edition, handle=f"PaloAlto{n}")  # one place: one cluster
    participant(edition, handle="Sydney", latitude=-33.8688, longitude=151.2093)
    cache.clear()

    page = client.get(reverse("pages:map"), {"edition": scope})
    first = json.loads(
        re.search(
            r'<script id="poltwt-map-first-view" type="application/json">(.*?)</script>',
            page.content.decode(),
        ).group(1)
    )
    data = json.loads(client.get(URL, {"edition": scope}).content)

    assert first["build"] == data["build"] and len(first["build"]) == 16
    assert first["zoom"] == 2
    cluster, alone = sorted(first["items"], key=lambda item: "i" in item)
    assert (cluster["a"], cluster["o"]) == (3, 0)
    assert alone["h"] == "Sydney" and data["handle"][alone["i"]] == "Sydney"
    # The embed carries the same one.
    embed = client.get(reverse("pages:map_embed"), {"edition": scope}).content.decode()
    assert f'"build": "{first["build"]}"' in embed


def test_a_change_builds_a_new_first_view_with_the_feed(client, edition):
    participant(edition, handle="PaloAltoPolice")
    before = json.loads(client.get(URL, {"edition": 6}).content)["build"]
    participant(edition, handle="Sydney", latitude=-33.8688, longitude=151.2093)
    after = json.loads(client.get(URL, {"edition": 6}).content)
    assert after["build"] != before and after["count"] == 2
