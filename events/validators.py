"""Rules for what organizers type about an edition: pure functions, no database."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

X_LIST_HOSTS = {"x.com", "twitter.com", "www.x.com", "www.twitter.com", "mobile.x.com", "mobile.twitter.com"}
# https://x.com/i/lists/123456789 (the form X shares today) or https://twitter.com/poltwt/lists/poltwt.
X_LIST_PATH = re.compile(r"^/(i/lists/[0-9]{1,25}|(?!i/)[A-Za-z0-9_]{1,15}/lists/[A-Za-z0-9_-]{1,25})/?$")


def validate_x_list_url(value: str) -> None:
    """An X list's address on x.com or twitter.com, over https; anything else is refused."""
    parts = urlsplit(value or "")
    if (
        parts.scheme != "https"
        or (parts.hostname or "").lower() not in X_LIST_HOSTS
        or parts.port is not None
        or parts.username
        or parts.password
        or not X_LIST_PATH.fullmatch(parts.path)
    ):
        raise ValidationError(
            _("Give the address of an X list, like https://x.com/i/lists/123456789."), code="not_x_list"
        )
