"""Public pages in Django's cache (pages/cache.py): the same for everyone, keyed by data version and URL."""

from __future__ import annotations

import base64
import hashlib
import re
import time

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pages import cache as page_cache
from pages.models import PublicDataVersion
from registrations.models import Registration
from registrations.services.review import registration_approve
from tests.factories import EditionFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["home", "edition_list", "schedule", "map", "map_embed", "participant_list", "statistics"]
EXPORTS = ["participants_csv", "participants_json", "participant_handles"]
# Kept compressed (pages/precompressed.py): the same for everyone who accepts the same encoding.
ENCODED = ["participants_csv", "participants_json", "participants_geojson", "participants_map_feed"]
# Strings that look like the old page cache's placeholders or like a nonce: user text, shown as text.
LOOKALIKES = [
    "poltwt-page-cache-nonce",
    "poltwt-csp-nonce",
    'nonce="dGVzdC1ub25jZQ=="',
    "'nonce-dGVzdC1ub25jZQ=='",
    "dGVzdC1ub25jZQ==",
]


@pytest.fixture
def edition():
    edition = EditionFactory(ordinal=6)
    RegistrationFactory(edition=edition, handle="First1", status="approved", latitude=1.0, longitude=2.0)
    return edition


def url(name: str) -> str:
    return reverse(f"pages:{name}") + ("" if name in ("home", "edition_list") else "?edition=6")


def directives(response) -> dict[str, str]:
    parts = (part.strip().partition("=") for part in response["Cache-Control"].split(","))
    return {name: value for name, _, value in parts}


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("name", PAGES + EXPORTS)
def test_a_public_response_is_the_same_for_everyone_and_says_so(client, edition, settings, name):
    settings.PUBLIC_PAGE_CACHE_RECHECK = 1
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    first = client.get(url(name))
    second = Client().get(url(name))  # another visitor, served from the cache

    assert first.status_code == second.status_code == 200
    assert directives(first) == {"public": "", "max-age": "1", "s-maxage": "60"}
    assert first["ETag"] and second["ETag"] == first["ETag"]
    body = content(first)
    assert content(second) == body
    assert not first.cookies and not second.cookies
    policy = first["Content-Security-Policy"]
    assert second["Content-Security-Policy"] == policy
    assert "nonce" not in policy
    assert b"nonce" not in body
    assert b"csrfmiddlewaretoken" not in body
    assert first.get("Vary") == ("Accept-Encoding" if name in ENCODED else None)
    revalidated = client.get(url(name), HTTP_IF_NONE_MATCH=first["ETag"])
    assert revalidated.status_code == 304
    assert revalidated["ETag"] == first["ETag"]
    assert revalidated.content == b""


@pytest.mark.parametrize("name", ["map", "map_embed"])
def test_the_map_scripts_are_allowed_by_their_hashes_alone(client, edition, name):
    response = client.get(url(name))
    html = response.content.decode()
    # The worker's start (at the top of <head>, with its URLs as attributes) and folium's map.
    start, script = re.findall(r"<script(?: data-[^>]*)?>(.*?)</script>", html, re.DOTALL)
    assert "new Worker(" in start
    assert html.index(start) < html.index('rel="stylesheet"')
    assert "L.map(" in script
    script_src = re.search(r"script-src ([^;]+)", response["Content-Security-Policy"]).group(1).split()
    hashes = [base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() for code in (start, script)]
    assert script_src == ["'self'", *(f"'sha256-{digest}'" for digest in hashes)]


def rename_past_the_orm(handle: str, agency_name: str) -> None:
    """Change a listed entry without telling this process (the ORM's writes move the data version)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Registration._meta.db_table} SET agency_name = %s WHERE handle = %s",  # noqa: S608
            [agency_name, handle],
        )


@pytest.mark.parametrize("name", ["home", "map", "participant_list", "participants_json"])
def test_a_repeat_visit_is_answered_from_the_cache_before_the_view(client, edition, name):
    first = client.get(url(name))
    # A change that moves no version (written past the ORM, which would move it): only a render shows it.
    rename_past_the_orm("First1", "Changed quietly")
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url(name))
    assert second.content == first.content
    assert [query["sql"] for query in queries] == [
        query["sql"] for query in queries if "pages_publicdataversion" in query["sql"]
    ]
    assert len(queries) <= 1  # the version (PUBLIC_PAGE_CACHE_RECHECK is 0 in the tests)
    assert int(second["Age"]) >= 0


@pytest.mark.parametrize("name", ENCODED)
def test_a_document_kept_compressed_is_answered_from_the_cache_in_each_encoding(client, edition, name):
    import gzip

    import brotli

    decode = {"identity": bytes, "gzip": gzip.decompress, "br": brotli.decompress}
    asked = {"identity": "", "gzip": "gzip, deflate", "br": "gzip, deflate, br"}
    first = {coding: client.get(url(name), HTTP_ACCEPT_ENCODING=header) for coding, header in asked.items()}
    assert len(stored_keys()) == 3
    rename_past_the_orm("First1", "Changed quietly")  # only a build would show it
    # Browsers spell their choice in many ways: each finds the entry of the encoding it negotiates.
    for coding, header in {"identity": "br;q=0, gzip;q=0", "gzip": "gzip", "br": "br, zstd"}.items():
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url(name), HTTP_ACCEPT_ENCODING=header)
        assert len(queries) <= 1, coding  # the version
        assert again.content == first[coding].content
        assert again.get("Content-Encoding", "identity") == coding
        assert again["ETag"] == first[coding]["ETag"] and again["Vary"] == "Accept-Encoding"
        assert "Age" in again
    assert (
        decode["br"](first["br"].content)
        == decode["gzip"](first["gzip"].content)
        == first["identity"].content
    )
    assert len(stored_keys()) == 3


def test_an_export_over_the_size_cap_is_sent_from_its_compressed_copy(
    client, edition, settings, django_assert_num_queries
):
    settings.PUBLIC_PAGE_CACHE_MAX_ENTRY_BYTES = 300
    client.get(url("participants_csv"), HTTP_ACCEPT_ENCODING="br")
    assert stored_keys() == set()
    # Not built again: the version and the edition are read, the copy of this version is sent.
    with django_assert_num_queries(2):
        again = client.get(url("participants_csv"), HTTP_ACCEPT_ENCODING="gzip")
    assert again["Content-Encoding"] == "gzip"
    assert stored_keys() == set()


def test_cookies_do_not_prevent_caching(client, edition):
    first = client.get(url("participant_list"))
    visitor = Client()
    visitor.cookies["django_language"] = "es"
    visitor.cookies["sessionid"] = "not-a-real-session"
    visitor.cookies["csrftoken"] = "x" * 32
    with CaptureQueriesContext(connection) as queries:
        response = visitor.get(url("participant_list"))
    assert len(queries) <= 1
    assert response.content == first.content
    assert not response.cookies


def test_flash_messages_wait_for_a_private_page(client, edition):
    anonymous = Client().get(url("participant_list"))
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Your changes are saved.")])

    # Rendered for this visitor (the cache is emptied), and still the anonymous page.
    from django.core.cache import cache

    cache.clear()
    response = client.get(url("participant_list"))
    assert "Your changes are saved." not in response.content.decode()
    assert response.content == anonymous.content
    assert not response.cookies  # the message is not consumed: it waits in its cookie
    private = client.get(reverse("registrations:register", args=["agency"]))
    assert "Your changes are saved." in private.content.decode()


def test_the_key_is_the_full_url_under_the_data_version():
    factory = RequestFactory()

    def key(path: str, **extra) -> str:
        return page_cache.cache_key(factory.get(path, **extra))[0]

    assert key("/en/map/") != key("/es/map/")
    assert key("/en/map/?edition=6") != key("/en/map/?edition=7")
    assert key("/en/map/", HTTP_HOST="localhost") != key("/en/map/", HTTP_HOST="127.0.0.1")
    with_cookie = factory.get("/en/map/", HTTP_COOKIE="django_language=es; sessionid=abc")
    assert page_cache.cache_key(with_cookie)[0] == key("/en/map/")
    # A page is the same whatever the client decompresses.
    assert key("/en/map/", HTTP_ACCEPT_ENCODING="gzip, br") == key("/en/map/")
    before = key("/en/map/")
    PublicDataVersion.objects.filter(scope=PublicDataVersion.SITE).update(token="another")
    from pages import versioning

    versioning.forget()  # as after PUBLIC_PAGE_CACHE_RECHECK in another process
    assert key("/en/map/") != before
    assert "another" in key("/en/map/")


def test_a_document_kept_compressed_is_keyed_by_the_encoding_negotiated():
    factory = RequestFactory()
    path = reverse("pages:participants_json") + "?edition=6"

    def key(accept: str | None) -> tuple[str | None, str | None]:
        return page_cache.cache_key(factory.get(path, **({"HTTP_ACCEPT_ENCODING": accept} if accept else {})))

    assert key(None)[1] == key("identity")[1] == key("br;q=0, gzip;q=0")[1] == "identity"
    assert key("gzip")[1] == key("gzip, deflate")[1] == "gzip"
    assert key("gzip, deflate, br, zstd")[1] == key("br")[1] == key("*")[1] == "br"
    # Every spelling of one choice shares its entry; the three choices have three.
    assert key("gzip, deflate, br, zstd")[0] == key("br")[0]
    assert len({key(None)[0], key("gzip")[0], key("br")[0]}) == 3


def test_a_change_shows_at_once_in_this_process(client, edition, django_capture_on_commit_callbacks):
    assert "@Second2" not in client.get(url("participant_list")).content.decode()
    pending = RegistrationFactory(edition=edition, handle="Second2")
    with django_capture_on_commit_callbacks(execute=True):
        registration_approve(registration=pending, actor=UserFactory())
    assert "@Second2" in client.get(url("participant_list")).content.decode()


def test_an_edition_change_shows_at_once(client, edition):
    assert "Renamed edition" not in client.get(url("participant_list")).content.decode()
    edition.title = "Renamed edition"
    edition.save()
    assert "Renamed edition" in client.get(url("participant_list")).content.decode()


def test_another_process_s_change_shows_after_the_recheck_period(client, edition, settings):
    settings.PUBLIC_PAGE_CACHE_RECHECK = 3600
    client.get(url("participant_list"))
    # What another process's approval leaves in the database: new data and a new site version.
    rename_past_the_orm("First1", "Changed elsewhere")
    PublicDataVersion.objects.update(token="moved-by-another-process")
    assert "Changed elsewhere" not in client.get(url("participant_list")).content.decode()
    settings.PUBLIC_PAGE_CACHE_RECHECK = 0  # the period is over
    assert "Changed elsewhere" in client.get(url("participant_list")).content.decode()


@pytest.mark.parametrize("name", LOOKALIKES)
def test_an_agency_named_like_a_placeholder_or_a_nonce_shows_as_text(client, edition, name):
    RegistrationFactory(edition=edition, handle="Lookalike1", status="approved", agency_name=name)
    first = client.get(url("participant_list"))
    second = client.get(url("participant_list"))  # from the cache
    policy = first["Content-Security-Policy"]
    assert "nonce" not in policy
    for response in (first, second):
        html = response.content.decode()
        shown = html.count(escape(name))
        assert shown >= 1
        # No "nonce" on the page but in the agency's own name, exactly as typed.
        assert html.count("nonce") == shown * name.count("nonce")
        assert "dGVzdC1ub25jZQ==" not in policy
        assert response["Content-Security-Policy"] == policy
    assert second.content == first.content


def escape(text: str) -> str:
    from django.utils.html import escape as django_escape

    return str(django_escape(text))


def test_private_pages_and_errors_are_not_stored(client, edition):
    for path in (reverse("registrations:register", args=["agency"]), reverse("pages:map") + "?edition=99"):
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert "public" not in response.get("Cache-Control", "")
        assert len(queries) > 1, path  # rendered again


@pytest.mark.parametrize("query", ["&q=%00", "&q=a%00b"])
def test_a_malformed_query_is_refused_even_when_its_page_is_cached(client, edition, query):
    # The cache answers before the input check (settings.MIDDLEWARE): it must never hold such a URL.
    assert client.get(url("participant_list")).status_code == 200
    for _ in range(2):
        assert client.get(url("participant_list") + query).status_code == 400


def test_a_hit_carries_the_security_headers_and_http_is_still_sent_to_https(client, edition, settings):
    # The cache answers before SecurityMiddleware (settings.MIDDLEWARE): its headers are stored with the page.
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    first = client.get(url("map"), secure=True)
    with CaptureQueriesContext(connection) as queries:
        hit = client.get(url("map"), secure=True)
    assert len(queries) <= 1 and hit.content == first.content  # from the cache
    for header in ("X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"):
        assert hit[header] == first[header]
    assert hit["Strict-Transport-Security"].startswith("max-age=3600")
    plain = client.get(url("map"))
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")


def test_a_response_that_varies_sets_a_cookie_or_is_private_is_not_shareable():
    def response(**headers: str) -> HttpResponse:
        made = HttpResponse("page", headers={"Cache-Control": "public, max-age=1", **headers})
        return made

    assert page_cache.shareable(response())
    assert not page_cache.shareable(response(Vary="Accept-Encoding"))
    assert not page_cache.shareable(response(**{"Cache-Control": "public, no-store"}))
    assert not page_cache.shareable(response(**{"Cache-Control": "private"}))
    with_cookie = response()
    with_cookie.set_cookie("sessionid", "abc")
    assert not page_cache.shareable(with_cookie)
    not_found = response()
    not_found.status_code = 404
    assert not page_cache.shareable(not_found)


def test_a_document_by_encoding_is_shareable_only_in_the_encoding_of_its_key():
    def response(**headers: str) -> HttpResponse:
        return HttpResponse("page", headers={"Cache-Control": "public, max-age=1", **headers})

    packed = response(Vary="Accept-Encoding", **{"Content-Encoding": "br"})
    assert page_cache.shareable(packed, encoding="br")
    assert not page_cache.shareable(packed, encoding="gzip")
    assert not page_cache.shareable(packed)  # a page that does not say it varies
    assert page_cache.shareable(response(Vary="Accept-Encoding"), encoding="identity")
    assert page_cache.shareable(response(), encoding="identity")
    # Any other variation is not the same for everyone who negotiates the same encoding.
    assert not page_cache.shareable(response(Vary="Accept-Encoding, Cookie"), encoding="identity")
    assert not page_cache.shareable(response(Vary="Accept-Language"), encoding="identity")


def test_the_geojson_varies_with_gzip_and_is_left_to_its_own_validators(client, edition):
    plain = client.get(url("participants_geojson"))
    packed = client.get(url("participants_geojson"), HTTP_ACCEPT_ENCODING="gzip")
    assert plain["Vary"] == "Accept-Encoding"
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert "public" in plain["Cache-Control"]
    assert client.get(url("participants_geojson"), HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304


# --- Bounded: keys on the parameters a page reads, a size cap, old versions leave, Redis warned about ------


def stored_keys() -> set[str]:
    return set(page_cache._LOCAL)


def test_every_public_page_declares_the_parameters_it_reads(edition):
    for name in PAGES + EXPORTS + ["participants_geojson"]:
        found = page_cache.rule(reverse(f"pages:{name}"))
        assert found is not None and "edition" in found.params, name
    assert page_cache.rule(reverse("pages:participant_list")).params >= {
        "kind",
        "country",
        "q",
        "size",
        "page",
    }
    assert page_cache.rule("/healthz") is None
    assert page_cache.rule(reverse("registrations:lost_link")) is None


def test_a_cached_view_s_path_is_looked_up_once():
    # Resolving a URL costs as much as the rest of a hit: a cached view's path is remembered.
    page_cache._RULES.clear()
    path = reverse("pages:statistics")
    found = page_cache.rule(path)
    assert found is not None and page_cache._RULES.get(path) is found
    assert page_cache.rule(path) is found
    # Other paths are not (made-up paths could otherwise fill the memory).
    assert page_cache.rule("/en/no-such-page/") is None
    assert page_cache.rule(reverse("registrations:lost_link")) is None
    assert len(page_cache._RULES) == 1


@pytest.mark.parametrize(
    "junk", ["r=1", "r=2&edition=6", "utm_source=x", "edition=6&edition=6", "kind=agency&kind=officer"]
)
def test_a_request_with_other_parameters_is_answered_but_not_stored(client, edition, junk):
    path = reverse("pages:participants_json")
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{path}?{junk}")
        assert response.status_code == 200
        assert len(queries) > 1  # built again: nothing was stored for it
    assert stored_keys() == set()


def test_the_key_is_the_parameters_sorted_without_empty_ones(client, edition):
    path = reverse("pages:participant_list")
    first = client.get(f"{path}?edition=6&kind=agency")
    assert len(stored_keys()) == 1
    for query in ("kind=agency&edition=6", "edition=6&q=&kind=agency&page="):
        with CaptureQueriesContext(connection) as queries:
            again = client.get(f"{path}?{query}")
        assert len(queries) <= 1, query
        assert again.content == first.content
    assert len(stored_keys()) == 1


def test_a_page_over_the_size_cap_is_answered_but_not_stored(client, edition, settings):
    # The cap counts the stored headers too (the CSP alone is about 400 bytes).
    settings.PUBLIC_PAGE_CACHE_MAX_ENTRY_BYTES = 4000
    assert len(client.get(url("participants_json")).content) < 2000  # a small export is kept
    assert len(stored_keys()) == 1
    assert client.get(url("participant_list")).status_code == 200  # a page is larger
    assert len(stored_keys()) == 1


def test_data_built_for_a_version_expires_within_minutes(edition, settings):
    from django.core.cache import cache

    from pages.selectors import participants as selectors

    selectors.participants(edition)
    # The tests' cache is Django's locmem cache: its expiry times are readable.
    expiries = [expiry - time.time() for expiry in cache._expire_info.values()]
    assert expiries and all(0 < left <= settings.PUBLIC_DATA_CACHE_SECONDS <= 600 for left in expiries)


def test_check_deploy_warns_when_redis_has_no_memory_limit(settings):
    import redis
    from django.core import checks

    from tests.ops.test_health import closed_port

    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        },
    }
    limit = redis.Redis(db=15).config_get("maxmemory")["maxmemory"]
    found = [m.id for m in checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.caches])]
    assert ("pages.W001" in found) is (int(limit) == 0)
    down = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
    }
    settings.CACHES = {**settings.CACHES, "default": down}
    found = [m.id for m in checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.caches])]
    assert "pages.W001" not in found  # an unreachable Redis is not this check's to report
