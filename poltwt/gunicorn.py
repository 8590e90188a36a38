"""gunicorn settings for production (`gunicorn -c python:poltwt.gunicorn poltwt.wsgi`, as the Procfile).

gthread workers: a client that sends its request slowly (or never finishes its body) holds one thread, not
a whole worker, so the site keeps answering everyone else. Access-log lines never carry the private tokens
of /confirm/, /manage/ and /return/ links.
"""

from __future__ import annotations

import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A request (headers and body) that takes longer than this is dropped; its thread is freed.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
logger_class = "poltwt.gunicorn.TokenRedactingLogger"

# The private links: their last path segment is a secret (a signed token).
PRIVATE_PATH = re.compile(r"^(/(?:[a-z]{2}(?:-[a-z]+)?/)?(?:confirm|manage|return)/)[^/?]+")


def redact(path: str) -> str:
    """/manage/<token>/withdraw/ -> /manage/[token]/withdraw/ (also under a language prefix)."""
    return PRIVATE_PATH.sub(r"\1[token]", path)


class TokenRedactingLogger(Logger):
    """gunicorn's access log, with the tokens of private links replaced by [token]."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            if key in atoms:
                atoms[key] = redact(atoms[key]) if key == "U" else _redact_request_line(atoms[key])
        return atoms


def _redact_request_line(line: str) -> str:
    method, _, rest = line.partition(" ")
    target, _, protocol = rest.partition(" ")
    return f"{method} {redact(target)} {protocol}".rstrip()
