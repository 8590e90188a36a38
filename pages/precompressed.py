"""Public data compressed once per data version, and served in the encoding the client accepts.

The exports and the map feed are megabytes at tens of thousands of participants. Compressing them on every
request (or letting a middleware do it) costs more CPU than the rest of the request, so each is kept, per
public data version (pages/selectors/participants.py's ``cached``), as plain bytes, gzip and brotli at
once, and a request only picks one. The response varies with Accept-Encoding (``Vary``), and its ETag
names the encoding, so a cache never hands one client's encoding to another.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass

import brotli
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

# Preferred first: brotli is about a fifth smaller than gzip on JSON.
ENCODINGS = ("br", "gzip")
IDENTITY = "identity"
# gzip's usual level and a middle brotli quality: a 100,000-participant feed (about 8 MB) compresses in
# about a second, once per version, which a top quality (11) would make ten times slower.
GZIP_LEVEL = 6
BROTLI_QUALITY = 6
_CODING = re.compile(r"^\s*([a-z*-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Encoded:
    """One document in every encoding we serve."""

    identity: bytes
    gzip: bytes
    br: bytes

    def get(self, encoding: str) -> bytes:
        return {IDENTITY: self.identity, "gzip": self.gzip, "br": self.br}[encoding]


def compress(content: bytes) -> Encoded:
    return Encoded(
        identity=content,
        gzip=gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0),
        br=brotli.compress(content, quality=BROTLI_QUALITY),
    )


def negotiate(accept_encoding: str) -> str:
    """The encoding to send: brotli, else gzip, else the plain bytes (RFC 9110 12.5.3, q=0 refuses)."""
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        match = _CODING.match(part)
        if not match:
            continue
        try:
            weight = float(match.group(2)) if match.group(2) is not None else 1.0
        except ValueError:
            continue
        weights[match.group(1).lower()] = weight
    wildcard = weights.get("*", 0.0)
    accepted = [(weights.get(name, wildcard), -rank, name) for rank, name in enumerate(ENCODINGS)]
    weight, _, name = max(accepted)
    return name if weight > 0 else IDENTITY


def chosen_encoding(request: HttpRequest) -> str:
    return negotiate(request.headers.get("Accept-Encoding", ""))


def response(
    request: HttpRequest, encoded: Encoded, *, content_type: str, filename: str = ""
) -> HttpResponse:
    """The document in the request's encoding, with Content-Encoding and Vary: Accept-Encoding."""
    encoding = chosen_encoding(request)
    result = HttpResponse(encoded.get(encoding), content_type=content_type)
    if encoding != IDENTITY:
        result["Content-Encoding"] = encoding
    if filename:
        result["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_vary_headers(result, ["Accept-Encoding"])
    return result
