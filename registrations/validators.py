"""X handle and government-email rules: pure functions, no database."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from importlib import resources
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HANDLE_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
# X refuses handles containing these words; its own pages are not accounts.
FORBIDDEN_HANDLE_WORDS = ("twitter", "admin")
X_HOSTS = {"x.com", "twitter.com", "mobile.twitter.com", "mobile.x.com", "m.twitter.com"}
RESERVED_PATHS = {
    "home",
    "explore",
    "search",
    "settings",
    "i",
    "intent",
    "login",
    "logout",
    "signup",
    "messages",
    "notifications",
    "compose",
    "hashtag",
    "share",
    "tos",
    "privacy",
}

HANDLE_RULES = _(
    "An X handle has 1 to 15 characters: letters A–Z, digits and underscores, like @PaloAltoPolice."
)


def normalise_handle(raw: str) -> str:
    """Turn what people paste (@Name, https://twitter.com/Name, x.com/Name?s=20) into Name, or raise."""
    value = (raw or "").strip()
    if not value:
        raise ValidationError(_("Enter the X handle of the account."), code="required")
    looks_like_url = "/" in value or value.lower().startswith(("http:", "https:", "www."))
    if looks_like_url:
        value = _handle_from_url(value)
    elif value.startswith("@"):
        value = value[1:]
    if not HANDLE_RE.fullmatch(value):
        raise ValidationError(HANDLE_RULES, code="invalid")
    lowered = value.lower()
    for word in FORBIDDEN_HANDLE_WORDS:
        if word in lowered:
            raise ValidationError(
                _("X does not allow handles containing “%(word)s”; check the account name.") % {"word": word},
                code="reserved",
            )
    return value


def _handle_from_url(value: str) -> str:
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host not in X_HOSTS:
        raise ValidationError(
            _("That link is not an X profile. Give the handle, like @PaloAltoPolice, or a link to x.com/…"),
            code="not_x",
        )
    segments = [segment for segment in parts.path.split("/") if segment]
    if not segments or segments[0].lower() in RESERVED_PATHS:
        raise ValidationError(
            _("That link does not point to an X profile; give the handle instead."), code="not_x"
        )
    return segments[0].removeprefix("@")


def normalise_domain(value: str) -> str:
    """A domain as stored and compared: trimmed, lower case, without a leading "@" or "." or a trailing
    dot ("Police.UK." and "@police.uk" are police.uk)."""
    return value.strip().lower().lstrip("@.").rstrip(".")


def email_domain(email: str) -> str:
    """The normalised domain of an email address."""
    return normalise_domain(email.rsplit("@", 1)[-1])


def domain_is_recognised(domain: str, recognised: Iterable[str]) -> bool:
    """True when domain is one of the recognised domains or a subdomain of one (wmp.police.uk ~ police.uk).

    A webmail domain is never recognised, whatever the list holds: anyone can open an address there.
    """
    domain = normalise_domain(domain)
    if is_webmail(domain):
        return False
    return any(domain == known or domain.endswith("." + known) for known in recognised)


# Providers newer than the freemail package's list (2018), or missing from it.
WEBMAIL_EXTRA = frozenset(
    {"proton.me", "protonmail.com", "protonmail.ch", "pm.me", "tuta.io", "tutanota.com", "hey.com"}
)


@functools.cache
def webmail_domains() -> frozenset[str]:
    """Free and disposable email providers: the freemail package's maintained lists, read as data.

    Read from its files, not through freemail.is_free(), which parses addresses with tldextract and so
    fetches the public suffix list from the network on first use.
    """
    data = resources.files("freemail") / "data"
    names = set(WEBMAIL_EXTRA)
    for listing in ("free.txt", "disposable.txt"):
        text = (data / listing).read_text(encoding="utf-8")
        names.update(line.strip().lower() for line in text.splitlines() if line.strip())
    return frozenset(names)


@functools.cache
def _webmail_parents() -> frozenset[str]:
    # Every parent of a webmail domain (yahoo.co.uk -> co.uk, uk): trusting one would recognise webmail.
    return frozenset(
        ".".join(labels[i:])
        for labels in (name.split(".") for name in webmail_domains())
        for i in range(1, len(labels))
    )


def is_webmail(domain: str) -> bool:
    """True for a free or disposable email provider's domain or any subdomain of one (mail.yahoo.com)."""
    labels = domain.lower().strip().rstrip(".").split(".")
    return any(".".join(labels[i:]) in webmail_domains() for i in range(len(labels)))


def validate_trustable_domain(domain: str) -> None:
    """A government domain may be neither a webmail provider nor a suffix that covers one (com, co.uk)."""
    domain = domain.lower().strip().rstrip(".")
    if is_webmail(domain):
        raise ValidationError(
            _(
                "%(domain)s is a webmail or free-mail provider: anyone can open an address there, so it can "
                "never be a government domain."
            )
            % {"domain": domain},
            code="webmail",
        )
    if domain in _webmail_parents():
        raise ValidationError(
            _(
                "%(domain)s would also recognise webmail providers under it (like gmail.com or yahoo.co.uk); "
                "add the agency's own domain instead."
            )
            % {"domain": domain},
            code="webmail",
        )


def reject_control_characters(value: str, *, multiline: bool = False) -> None:
    """Text may not hide invisible characters: controls (NUL, escapes), zero-width and other format
    characters, bidi controls, line and paragraph separators, private-use and surrogate code points, and
    the 66 noncharacters (U+FFFE, U+FFFF, U+FDD0..U+FDEF and the last two of every plane), which Unicode
    keeps for a program's internal use and no text should carry.

    Right-to-left scripts themselves are ordinary letters and pass. ``multiline`` allows tab and newlines.
    """
    allowed = _MULTILINE_ALLOWED if multiline else frozenset()
    for char in value:
        if char in allowed:
            continue
        if unicodedata.category(char) in _REFUSED_CATEGORIES or char in _BIDI_CONTROLS or _is_nonchar(char):
            raise ValidationError(
                _(
                    "Remove the invisible characters from this text (control, zero-width, direction or "
                    "line-separator characters, often carried over by copy and paste)."
                ),
                code="control",
            )


# Cc control, Cf format (zero-width space/joiners, word joiner, BOM, soft hyphen, every bidi mark, embedding,
# override and isolate), Cs surrogate, Co private use, Zl and Zp (U+2028, U+2029).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_MULTILINE_ALLOWED = frozenset("\n\r\t")
# Every bidirectional control, named explicitly so the rule does not rest on Unicode categories alone.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _is_nonchar(char: str) -> bool:
    # By code point, not category: "Cn" also holds characters newer than Python's Unicode tables (emoji).
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


HASHTAG_LENGTH = 50


def normalise_hashtag(raw: str) -> str:
    """One hashtag, as X reads one: '#' then letters (any script), digits, marks or underscores.

    A missing '#' is added; spaces, punctuation or a second hashtag are refused, as are digits alone
    (X does not link #2013).
    """
    value = (raw or "").strip()
    if not value:
        return ""
    body = value.removeprefix("#").removeprefix("＃")
    if not body or not all(char == "_" or unicodedata.category(char)[0] in "LNM" for char in body):
        raise ValidationError(
            _("Give one hashtag: # then letters, digits or underscores, no spaces, like #GVCopBeat."),
            code="hashtag",
        )
    if body.isdigit():
        raise ValidationError(_("A hashtag needs at least one letter, like #poltwt2013."), code="hashtag")
    if len(body) + 1 > HASHTAG_LENGTH:
        raise ValidationError(
            _("Keep the hashtag to %(count)d characters.") % {"count": HASHTAG_LENGTH}, code="hashtag"
        )
    return "#" + body


def validate_hashtag(value: str) -> None:
    """Model-level check: the stored value is already one normalised hashtag (or empty)."""
    if value and normalise_hashtag(value) != value:
        raise ValidationError(_("Give one hashtag, like #GVCopBeat."), code="hashtag")
