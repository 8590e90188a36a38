"""No private token in any log line: every token route's answers, as the configured handlers write them.

The handlers are the ones LOGGING configured (their stream pointed at a buffer for the test), so the
filter, the formatter and the loggers' propagation are all the real ones.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.test import Client
from django.urls import reverse

from poltwt.logredact import RedactTokensFilter, redact
from registrations import tokens
from tests.factories import EditionFactory, ParticipantFactory, RegistrationFactory
from tests.registrations.helpers import agency_post

pytestmark = pytest.mark.django_db


def configured_handlers() -> list[logging.Handler]:
    """Every handler of every logger that writes somewhere (pytest's own capture handlers aside)."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]
    return [
        handler
        for logger in loggers
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest") and not isinstance(handler, logging.NullHandler)
    ]


@pytest.fixture
def log() -> io.StringIO:
    buffer = io.StringIO()
    streams = [handler for handler in configured_handlers() if isinstance(handler, logging.StreamHandler)]
    assert streams, "LOGGING configured no stream handler"
    previous = [(handler, handler.setStream(buffer)) for handler in streams]
    yield buffer
    for handler, stream in previous:
        if stream is not None:
            handler.setStream(stream)


def test_every_configured_handler_redacts():
    handlers = configured_handlers()
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, RedactTokensFilter) for f in handler.filters), handler


@pytest.fixture
def links(edition, settings):
    settings.RATE_LIMIT_LINKS = "100000/h"
    closed = EditionFactory(ordinal=9, title="9th Global Police Tweet-a-thon")
    past = EditionFactory(ordinal=5, title="5th Global Police Tweet-a-thon", date=dt.date(2025, 6, 5))
    source = ParticipantFactory(edition=past, handle="ReturningPD")
    unconfirmed = RegistrationFactory(edition=edition, handle="SharedHandle", email_confirmed_at=None)
    holder = RegistrationFactory(edition=edition, handle="HolderPD")
    return {
        "confirm": tokens.make_token(unconfirmed, "confirm"),
        "manage": tokens.make_token(holder, "manage"),
        "return": tokens.make_return_token(source, edition),
        "return_closed": tokens.make_return_token(source, closed),
        "unconfirmed": unconfirmed,
        "holder": holder,
    }


def url(name: str, token: str) -> str:
    return reverse(f"registrations:{name}", args=[token])


def test_no_token_reaches_the_log_from_any_token_route(client, links, log, settings, monkeypatch):
    manage, confirm, invitation = links["manage"], links["confirm"], links["return"]
    statuses = set()

    def hit(method: str, path: str, data=None, expect: int | None = None, who: Client = client) -> None:
        response = getattr(who, method)(path, data or {})
        statuses.add(response.status_code)
        if expect is not None:
            assert response.status_code == expect, (method, path)

    # Successes.
    hit("get", url("confirm", confirm), expect=200)
    hit("get", url("manage", manage), expect=200)
    hit("get", url("calendar", manage))
    hit("get", url("withdraw", manage), expect=200)
    hit("get", url("return", invitation), expect=200)
    hit(
        "post", url("manage", manage), agency_post(handle="HolderPD", email=links["holder"].email), expect=302
    )
    # 400: a form with an error.
    hit("post", url("manage", manage), {"handle": ""}, expect=400)
    hit("post", url("return", invitation), {"handle": ""}, expect=400)
    # 405: a method the routes do not take.
    hit("put", url("manage", manage), expect=405)
    # 404: tokens that name nothing (a garbage one, and one for the wrong purpose).
    hit("get", url("manage", confirm), expect=404)
    hit("get", url("confirm", "not-a-token"), expect=404)
    # 409: the handle is held by another entry.
    RegistrationFactory(edition=links["unconfirmed"].edition, handle="sharedhandle")
    hit("get", url("confirm", confirm), expect=409)
    hit("post", url("confirm", confirm), expect=409)
    # 410: an invitation to a closed edition, and expired links.
    hit("get", url("return", links["return_closed"]), expect=410)
    monkeypatch.setitem(tokens.MAX_AGE, "manage", dt.timedelta(seconds=-1))
    hit("get", url("manage", manage), expect=410)
    monkeypatch.undo()
    # 429: the links' rate limit.
    settings.RATE_LIMIT_LINKS = "1/h"
    limited = Client(REMOTE_ADDR="198.51.100.9")
    hit("get", url("return", invitation), who=limited)
    hit("get", url("return", invitation), expect=429, who=limited)
    hit("get", url("confirm", confirm), expect=429, who=limited)
    hit("post", url("withdraw", manage), expect=429, who=limited)

    assert {200, 302, 400, 404, 405, 409, 410, 429} <= statuses
    text = log.getvalue()
    # The log did receive django.request's lines for these paths, with the token cut out.
    for line in (
        "Bad Request: /en/manage/[token]/",
        "Conflict: /en/confirm/[token]/",
        "Gone: /en/return/[token]/",
    ):
        assert line in text, line
    assert "Too Many Requests: /en/" in text and "Method Not Allowed (PUT): /en/manage/[token]/" in text
    for token in (manage, confirm, invitation, links["return_closed"], "not-a-token"):
        assert token not in text


def test_the_development_servers_request_lines_are_redacted(log):
    token = "eyJyIjoxLCJ2IjoxfQ:1vS0w2:Zm9vYmFyYmF6cXV4cXV1eA"
    logging.getLogger("django.server").info('"%s" %s %s', f"GET /it/return/{token}/ HTTP/1.1", 200, 512)
    assert '"GET /it/return/[token]/ HTTP/1.1" 200 512' in log.getvalue()
    assert token not in log.getvalue()


def test_a_token_in_an_exception_or_alone_is_redacted(log):
    token = tokens.signing.dumps({"r": 1, "v": 1}, salt="poltwt.manage", compress=True)
    try:
        raise ValueError(f"could not read /fr/manage/{token}/withdraw/ ({token})")
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error: %s", f"/fr/manage/{token}/")
    text = log.getvalue()
    assert "Internal Server Error: /fr/manage/[token]/" in text
    assert "could not read /fr/manage/[token]/withdraw/ ([token])" in text
    assert token not in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /manage/abc:1:xyz/withdraw/ HTTP/1.1", "GET /manage/[token]/withdraw/ HTTP/1.1"),
        ("/pt/confirm/abc/", "/pt/confirm/[token]/"),
        ("/en/participants/?page=2", "/en/participants/?page=2"),
        ("12:30:45 ok", "12:30:45 ok"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def test_gunicorns_error_and_access_logs_redact():
    from gunicorn.config import Config

    from poltwt.gunicorn import TokenRedactingLogger

    config = Config()
    config.set("accesslog", "-")
    logger = TokenRedactingLogger(config)
    buffer = io.StringIO()
    for handler in (*logger.error_log.handlers, *logger.access_log.handlers):
        handler.setStream(buffer)
    logger.error("Error handling request %s", "/nl/manage/eyJyIjoxfQ:1vS0w2:Zm9vYmFyYmF6cXV4cXV1eA/")
    logger.access_log.info("%(r)s", {"r": "GET /confirm/eyJyIjoxfQ:1vS0w2:Zm9vYmFyYmF6cXV4cXV1eA/ HTTP/1.1"})
    text = buffer.getvalue()
    assert "Error handling request /nl/manage/[token]/" in text
    assert "GET /confirm/[token]/ HTTP/1.1" in text
    assert "Zm9vYmFy" not in text
