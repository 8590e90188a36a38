"""Refuse malformed input with 400 before any view sees it, instead of failing deep inside with a 500."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

FORM = "application/x-www-form-urlencoded"


class MalformedInputMiddleware:
    """A 400 page for what no form or filter can use:

    - NUL characters in the query string (PostgreSQL refuses them in any query: the admin's filters and
      searches would fail with a server error);
    - a url-encoded body that is not valid text in its declared encoding (UTF-8 unless it says otherwise).
    NUL in form fields is left to the forms, which say so next to the field and keep what was typed;
    multipart bodies are checked by Django's own parser, which already answers 400.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "%00" in request.META.get("QUERY_STRING", "") or _has_nul(request.GET.lists()):
            raise BadRequest("NUL character in the query string.")
        if request.method == "POST" and request.content_type == FORM:
            _check_form_body(request)
        return self.get_response(request)


def _has_nul(pairs) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in pairs)


def _check_form_body(request: HttpRequest) -> None:
    encoding = request.encoding or "utf-8"
    body = request.body  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (larger: RequestDataTooBig, also a 400)
    for pair in body.split(b"&"):
        for part in pair.split(b"=", 1):
            raw = unquote_to_bytes(part.replace(b"+", b" "))
            try:
                raw.decode(encoding)
            except (UnicodeDecodeError, LookupError) as exc:
                raise BadRequest("The form data is not valid text.") from exc


class PrivatePageCsrfMiddleware(CsrfViewMiddleware):
    """Django's CSRF protection, accepting ``Origin: null`` on views marked ``csrf_accepts_null_origin``.

    The private pages send ``Referrer-Policy: no-referrer`` so that their secret URLs never leave in a
    Referer; browsers then send ``Origin: null`` with those pages' own form posts. For those views only,
    that origin passes, and the CSRF token (cookie and form field) is still required.
    """

    def process_view(self, request, callback, callback_args, callback_kwargs):
        request._csrf_accepts_null_origin = getattr(callback, "csrf_accepts_null_origin", False)
        return super().process_view(request, callback, callback_args, callback_kwargs)

    def _origin_verified(self, request: HttpRequest) -> bool:
        if request.META.get("HTTP_ORIGIN") == "null" and getattr(request, "_csrf_accepts_null_origin", False):
            return True
        return super()._origin_verified(request)
