"""Private tokens never reach a log line: a logging filter that redacts them, for every handler.

The confirmation, manage (and its calendar and withdraw pages) and invitation links carry a signed token in
their path; whoever reads it can act as the registrant. Django's ``django.request`` logger writes paths
("Bad Request: /en/manage/<token>/"), gunicorn's error log writes URIs, and any exception text may quote
one. The filter rewrites the message (its arguments merged in), the exception text and the stack text of
each record before any handler formats it. LOGGING puts it on every handler (poltwt/settings.py) and
gunicorn's logger on its own (poltwt/gunicorn.py).
"""

from __future__ import annotations

import logging
import re

# The private routes of registrations/urls.py; the token is the path segment after one of them, under
# any language prefix (or none), wherever a path appears in the text.
PRIVATE_PATH = re.compile(r"(/(?:confirm|manage|return)/)[^/?#\s\"'<>]+")
# A token on its own, as django.core.signing writes it: [.]payload:timestamp:signature (URL-safe base64).
SIGNED_VALUE = re.compile(r"\.?[A-Za-z0-9_-]{8,}:[A-Za-z0-9]{4,}:[A-Za-z0-9_-]{20,}")
REDACTED = "[token]"


def redact(text: str) -> str:
    """/en/manage/<token>/withdraw/ -> /en/manage/[token]/withdraw/; a bare signed token -> [token]."""
    return SIGNED_VALUE.sub(REDACTED, PRIVATE_PATH.sub(rf"\1{REDACTED}", text))


class RedactTokensFilter(logging.Filter):
    """Rewrites a record so that no formatter can print a private token from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging itself reports it when formatting
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
