"""Property-based: no query string and no form body makes any URL answer with a server error.

Every public URL comes from the URLconf (the pages and registrations namespaces, reverse()d with real and
garbage tokens, under every language prefix), and every admin URL from the admin's own registry (each
model's list, add, change, delete and history pages and its extra views, with odd object ids, signed in as
staff), so a new page is fuzzed without anyone listing it here. Hypothesis runs derandomized (the same
examples every run) with POLTWT_FUZZ_EXAMPLES examples a test (50 by default, a few seconds; the bench
bench/bench_fuzz.py runs thousands); the total is printed.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registrations import tokens
from registrations.models import Registration
from tests.factories import EditionFactory, ParticipantFactory, RegistrationFactory, UserFactory
from tests.registrations.helpers import agency_post

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("POLTWT_FUZZ_EXAMPLES", "50"))
LANGUAGES = [code for code, _ in django_settings.LANGUAGES]
PUBLIC_NAMESPACES = ("pages", "registrations")
# Text that has broken parsers before: Unicode digits, NUL, bidi and zero-width characters, surrogates'
# neighbours, lone percent signs, very long numbers.
NASTY = [
    "\u00b2",
    "\u00b3",
    "\u2079",
    "\u2081",
    "\u2460",
    "\u2461",
    "\u0663",
    "\uff11",
    "\ufffe",
    "\x00",
    "\u202e",
    "\u200b",
    "\u2028",
    "\ufffd",
    "%",
    "%zz",
    "9" * 40,
    "9" * 5000,
    "-" + "9" * 30,
    "-1",
    "0",
    "1e309",
    "NaN",
    "../",
    "<script>",
    "'; --",
]
FIELDS = [
    *[
        "edition",
        "kind",
        "country",
        "q",
        "page",
        "size",
        "on_air",
        "new",
        "format",
        "email",
        "handle",
        "website",
    ],
    *["o", "p", "all", "r", "_changelist_filters", "status__exact", "edition__id__exact", "e", "id__exact"],
]
# Percent-escapes that are not UTF-8: a lone continuation byte, an overlong "/", a surrogate, a cut sequence.
INVALID_UTF8 = ["%ff", "%c0%af", "%ed%a0%80", "%e2%82", "%80", "%fe%ff"]

text = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))
pairs = st.lists(st.tuples(st.one_of(st.sampled_from(FIELDS), text), text), max_size=5)
raw_bytes = st.binary(max_size=60).map(lambda raw: quote(raw, safe="=&"))
invalid_utf8 = st.lists(
    st.tuples(st.sampled_from(FIELDS), st.sampled_from(INVALID_UTF8)), min_size=1, max_size=3
).map(lambda items: "&".join(f"{name}={escape}" for name, escape in items))
# The same parameter twice or more, with different values: views read the last, caches must not care.
repeated = st.tuples(st.sampled_from(FIELDS), st.lists(text, min_size=2, max_size=4)).map(
    lambda item: urlencode([(item[0], value) for value in item[1]])
)
query_strings = st.one_of(pairs.map(lambda items: urlencode(items)), raw_bytes, invalid_utf8, repeated)
form_bodies = st.one_of(
    pairs.map(lambda items: urlencode(items).encode()),
    st.fixed_dictionaries({}, optional=dict.fromkeys(agency_post(), text)).map(
        lambda fields: urlencode({**agency_post(), **fields}).encode()
    ),
    st.binary(max_size=80),
)
# Any text a URL can carry (surrogates cannot be encoded in one).
garbage_tokens = st.text(
    alphabet=st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), min_size=1, max_size=40
)


def public_url_names() -> list[tuple[str, list[str]]]:
    """(name, converter names) for every URL of the public namespaces, read from the URLconf."""
    resolver = get_resolver()
    found = []
    for namespace in PUBLIC_NAMESPACES:
        _, included = resolver.namespace_dict[namespace]
        for pattern in included.url_patterns:
            found.append((f"{namespace}:{pattern.name}", list(pattern.pattern.converters)))
    return found


def real_arguments(name: str, registration: Registration, target) -> list[list[str]]:
    if name in ("pages:edition_ics", "pages:share_image"):
        return [[str(target.ordinal)]]
    if name.endswith(":register"):
        return [[kind] for kind in Registration.Kind.values]
    if name.endswith(":confirm"):
        return [[tokens.make_token(registration, "confirm")]]
    if name.endswith(":return"):
        return [[tokens.make_return_token(registration, target)]]
    return [[tokens.make_token(registration, "manage")]]


@pytest.fixture
def site(edition, settings):
    settings.RATE_LIMIT_SIGNUP = settings.RATE_LIMIT_LINKS = "100000/h"
    return build_site(edition)


def build_site(edition) -> dict:
    """Participants of this edition and a past one, one unconfirmed entry, and every public URL under each
    language prefix (with real tokens). bench/bench_fuzz.py builds the same."""
    past = EditionFactory(ordinal=6, title="6th Global Police Tweet-a-thon")
    ParticipantFactory.create_batch(3, edition=edition)
    source = ParticipantFactory(edition=past)
    registration = RegistrationFactory(edition=edition, email_confirmed_at=None, handle_held_at=None)
    urls = {}
    for language in LANGUAGES:
        with translation.override(language):
            urls[language] = []
            for name, converters in public_url_names():
                if not converters:
                    urls[language].append(reverse(name))
                    continue
                owner = source if name.endswith(":return") else registration
                for args in real_arguments(name, owner, edition):
                    urls[language].append(reverse(name, args=args))
    return {"urls": urls, "names": public_url_names(), "registration": registration}


COUNT = {"requests": 0}


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    print(f"\nfuzz: {COUNT['requests']} hostile requests to public and admin URLs, none answered 5xx")


def check(response, what: str) -> None:
    COUNT["requests"] += 1
    assert response.status_code < 500, f"{response.status_code} for {what}"


def test_the_urlconf_gives_every_public_page(site):
    names = {name for name, _ in site["names"]}
    assert {"pages:home", "pages:map", "pages:participant_list", "registrations:register"} <= names
    assert "registrations:lost_link" in names and "registrations:manage" in names


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=query_strings, language=st.sampled_from(LANGUAGES))
def test_no_query_string_breaks_a_public_page(site, query, language):
    client = Client(raise_request_exception=False)
    for url in site["urls"][language]:
        check(client.get(f"{url}?{query}"), f"GET {url}?{query}")


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=form_bodies,
    charset=st.sampled_from(["", "; charset=utf-8", "; charset=latin-1", "; charset=x"]),
    language=st.sampled_from(LANGUAGES),
)
def test_no_form_body_breaks_a_public_page(site, body, charset, language):
    client = Client(raise_request_exception=False)
    for url in site["urls"][language]:
        response = client.generic(
            "POST", url, body, content_type=f"application/x-www-form-urlencoded{charset}"
        )
        check(response, f"POST {url} {body!r}")


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(token=garbage_tokens)
def test_no_malformed_link_breaks_a_private_page(site, token):
    client = Client(raise_request_exception=False)
    for name, converters in site["names"]:
        if converters != ["token"]:
            continue
        try:
            url = reverse(name, args=[token])
        except NoReverseMatch:
            continue
        check(client.get(url), f"GET {url}")
        check(client.post(url, {"handle": token}), f"POST {url}")


# --- The admin, signed in as staff --------------------------------------------------------------------------

# Object ids as they arrive in the path, already percent-encoded where needed (the admin quotes ids with
# its own "_XX" escapes, which are fuzzed too).
ODD_IDS = [
    "%C2%B2",
    "%E2%91%A0",
    "%D9%A3",
    "%EF%BC%91",
    "-1",
    "0",
    "9" * 30,
    "9" * 400,
    "1.5",
    "1e3",
    "_5F",
    "_",
    "%00",
]
object_ids = st.one_of(
    st.sampled_from(ODD_IDS),
    st.text(
        alphabet=st.characters(blacklist_characters="/", blacklist_categories=("Cs",)),
        min_size=1,
        max_size=12,
    ).map(lambda text: quote(text, safe="")),
)


def admin_object_urls(object_id: str) -> list[str]:
    """Every admin URL that takes an object id, for this id: each registered model's own (change,
    delete, history) and the extra views the desk mounts (approve, location, preview, import, ...), read
    from each ModelAdmin's URL patterns so that a new view is fuzzed without anyone listing it here."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        base = f"/{django_settings.ADMIN_URL}{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            route = str(pattern.pattern)
            if "<" in route:
                urls.append(base + re.sub(r"<[^>]+>", lambda _: object_id, route))
    return urls


@pytest.fixture
def staff_client(site):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(username="fuzz-chief", is_staff=True, is_superuser=True))
    return client


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(object_id=object_ids)
def test_no_object_id_breaks_an_admin_page(staff_client, object_id):
    for url in admin_object_urls(object_id):
        check(staff_client.get(url), f"GET {url}")


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=query_strings)
def test_no_query_string_breaks_an_admin_list(staff_client, query):
    for model in admin.site._registry:
        url = f"/{django_settings.ADMIN_URL}{model._meta.app_label}/{model._meta.model_name}/"
        check(staff_client.get(f"{url}?{query}"), f"GET {url}?{query}")
