"""Helpers for reading what the pages and emails say: form values, field errors, private links."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

REGISTER_AGENCY = reverse("registrations:register", args=["agency"])
REGISTER_OFFICER = reverse("registrations:register", args=["officer"])


def agency_post(**overrides: str) -> dict[str, str]:
    """A valid agency sign-up as a browser would POST it."""
    data = {
        "handle": "@PaloAltoPolice",
        "agency_name": "Palo Alto Police Department",
        "agency_level": "local",
        "email": "Comms@CityOfPaloAlto.org",
        "street": "275 Forest Avenue",
        "city": "Palo Alto",
        "region": "California",
        "postcode": "94301",
        "country": "US",
        "participation_model": "all_calls",
        "topic": "",
        "hours_from": "",
        "hours_to": "",
        "consent_public": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def officer_post(**overrides: str) -> dict[str, str]:
    """A valid officer sign-up."""
    data = agency_post(
        handle="SgtJaneDoe",
        officer_name="Jane Doe",
        officer_role="Sergeant",
        email="jane.doe@wmp.police.uk",
        agency_name="West Midlands Police",
        agency_level="regional",
        street="Lloyd House, Colmore Circus",
        city="Birmingham",
        region="West Midlands",
        postcode="B4 6NQ",
        country="GB",
        participation_model="beat",
    )
    data.update(overrides)
    return data


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        name = attr.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if attr.get("type") == "checkbox":
                self.values[name] = "on" if "checked" in attr else ""
            else:
                self.values[name] = attr.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attr:
            self.values[self._select] = attr.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(page: str) -> dict[str, str]:
    """What each form field of the page holds, as the browser would show it (entities decoded)."""
    reader = _FormReader()
    reader.feed(page)
    return reader.values


def field_errors(page: str, name: str) -> list[str]:
    """The error messages crispy-forms renders inside the field's own block (id_<name>_error)."""
    block = re.search(rf'<div id="id_{name}_error" class="invalid-feedback">(.*?)</div>', page, re.S)
    if not block:
        return []
    return [html.unescape(message) for message in re.findall(r"<strong>(.*?)</strong>", block.group(1), re.S)]


def all_field_errors(page: str) -> dict[str, list[str]]:
    names = re.findall(r'<div id="id_(\w+)_error" class="invalid-feedback">', page)
    return {name: field_errors(page, name) for name in names}


def link_paths(message: EmailMultiAlternatives, kind: str) -> list[str]:
    """The /<lang>/confirm/<token>/ or /<lang>/manage/<token>/ paths in the text body of an email (site
    http://testserver)."""
    return re.findall(rf"http://testserver(/[a-z]{{2}}/{kind}/[^/\s\"'<>]+/)", message.body)


def html_body(message: EmailMultiAlternatives) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content
