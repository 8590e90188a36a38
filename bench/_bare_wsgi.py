"""WSGI entry point used by bench_throughput.py and bench_map_browser.py (a helper, not a benchmark).

    gunicorn --chdir /work/main --pythonpath bench _bare_wsgi:application

Every path goes to the project's own `poltwt.wsgi.application`, unchanged, except two fixed paths that
this module answers itself, so that a bare Django view is measured in the same gunicorn, by the same
workers, in the same run as the pages (the project's urls.py is not touched):

  /__bench_bare__     a view returning `HttpResponse("Hello")` through a minimal Django handler: a
                      `WSGIHandler` whose middleware chain is empty (WSGIRequest, request_started and
                      request_finished signals, URL resolution against this module's urlpatterns, the
                      response). The "bare Django hello" ceiling of shared/NOTES.md.
  /__bench_bare_mw__  the same view through a `WSGIHandler` with the project's full MIDDLEWARE (security,
                      WhiteNoise, sessions, CSRF, auth, messages, clickjacking, CSP): what any of our pages
                      pays before its own work.

Both handlers set `request.urlconf` to this module, which is how Django serves a URLconf other than
ROOT_URLCONF. BENCH_CACHE_KEY_PREFIX, when set, becomes the default cache's KEY_PREFIX (the project's
CACHE_URL parsing has no way to set it), so a bench run in a shared Redis database touches only its own
keys and can delete them afterwards.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poltwt.settings")

from django.conf import settings

if prefix := os.environ.get("BENCH_CACHE_KEY_PREFIX"):
    # Before anything opens the cache: the connection handler reads CACHES once, on first use.
    settings.CACHES["default"]["KEY_PREFIX"] = prefix

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.urls import path

from poltwt.wsgi import application as project_application

BARE_PATH = "/__bench_bare__"
BARE_MIDDLEWARE_PATH = "/__bench_bare_mw__"


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"Hello from a bare Django view\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path(BARE_PATH.lstrip("/"), hello), path(BARE_MIDDLEWARE_PATH.lstrip("/"), hello)]


class BenchHandler(WSGIHandler):
    """Django's WSGI handler, with or without the project's middleware, resolving against this module."""

    def __init__(self, *, middleware: bool) -> None:
        self.with_middleware = middleware
        super().__init__()  # calls load_middleware()

    def load_middleware(self, is_async: bool = False) -> None:
        if self.with_middleware:
            super().load_middleware(is_async)
            return
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response)

    def get_response(self, request):
        request.urlconf = __name__
        return super().get_response(request)


_BARE = {BARE_PATH: BenchHandler(middleware=False), BARE_MIDDLEWARE_PATH: BenchHandler(middleware=True)}


def application(environ, start_response):
    handler = _BARE.get(environ.get("PATH_INFO", ""), project_application)
    return handler(environ, start_response)
