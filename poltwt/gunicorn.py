"""gunicorn settings for production (`gunicorn -c python:poltwt.gunicorn poltwt.wsgi`, as the Procfile).

gthread workers: a client that sends its request slowly (or never finishes its body) holds one thread, not
a whole worker, so the site keeps answering everyone else. Access-log lines never carry the private tokens
of /confirm/, /manage/ and /return/ links.
"""

from __future__ import annotations

import os

from gunicorn.glogging import Logger

from poltwt.logredact import RedactTokensFilter

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A request (headers and body) that takes longer than this is dropped; its thread is freed.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
logger_class = "poltwt.gunicorn.TokenRedactingLogger"


class TokenRedactingLogger(Logger):
    """gunicorn's logs, with the tokens of private links replaced by [token]: the access log's request
    lines, and every line of its error log ("Error handling request /en/manage/<token>/")."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(RedactTokensFilter())
