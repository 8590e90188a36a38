"""Property-based: no query string and no form body makes any public URL answer with a server error.

Every public URL comes from the URLconf (the pages and registrations namespaces, reverse()d with real and
garbage tokens), so a new page is fuzzed without anyone listing it here. Hypothesis runs derandomized
(the same examples every run) with a bounded number of examples; the total is printed.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registrations import tokens
from registrations.models import Registration
from tests.factories import EditionFactory, ParticipantFactory, RegistrationFactory
from tests.registrations.helpers import agency_post

pytestmark = pytest.mark.django_db

EXAMPLES = 50
PUBLIC_NAMESPACES = ("pages", "registrations")
# Text that has broken parsers before: Unicode digits, NUL, bidi and zero-width characters, surrogates'
# neighbours, lone percent signs, very long numbers.
NASTY = [
    "\u00b2",
    "\u2460",
    "\u0663",
    "\x00",
    "\u202e",
    "\u200b",
    "\u2028",
    "\ufffd",
    "%",
    "%zz",
    "9" * 40,
    "-1",
    "0",
    "1e309",
    "NaN",
    "../",
    "<script>",
    "'; --",
]
FIELDS = ["edition", "kind", "country", "q", "page", "on_air", "format", "email", "handle", "website"]

text = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))
pairs = st.lists(st.tuples(st.one_of(st.sampled_from(FIELDS), text), text), max_size=5)
raw_bytes = st.binary(max_size=60).map(lambda raw: quote(raw, safe="=&"))
query_strings = st.one_of(pairs.map(lambda items: urlencode(items)), raw_bytes)
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
    past = EditionFactory(ordinal=6, title="6th Global Police Tweet-a-thon")
    ParticipantFactory.create_batch(3, edition=edition)
    source = ParticipantFactory(edition=past)
    registration = RegistrationFactory(edition=edition, email_confirmed_at=None, handle_held_at=None)
    urls = []
    for name, converters in public_url_names():
        if not converters:
            urls.append(reverse(name))
            continue
        for args in real_arguments(name, source if name.endswith(":return") else registration, edition):
            urls.append(reverse(name, args=args))
    return {"urls": urls, "names": public_url_names()}


COUNT = {"requests": 0}


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    print(f"\nfuzz: {COUNT['requests']} hostile requests to public URLs, none answered 5xx")


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
@given(query=query_strings)
def test_no_query_string_breaks_a_public_page(site, query):
    client = Client(raise_request_exception=False)
    for url in site["urls"]:
        check(client.get(f"{url}?{query}"), f"GET {url}?{query}")


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=form_bodies, charset=st.sampled_from(["", "; charset=utf-8", "; charset=latin-1", "; charset=x"]))
def test_no_form_body_breaks_a_public_page(site, body, charset):
    client = Client(raise_request_exception=False)
    for url in site["urls"]:
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
