"""What people type for a country: its name in every language the site speaks, and the common short forms.

The sign-up form's country box (static/js/country-autocomplete.js) searches these terms, folded the same
way on both sides (no accents, no case, no dots: "U.K." is "uk", "España" is "espana"). Names come from
CLDR through Babel (every country in every site language) and from django-countries (the labels the form
shows); CLDR has no entry for the everyday names below, so they are kept here.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata

from babel import Locale
from django.conf import settings
from django.utils import translation
from django_countries import countries

# Everyday names CLDR does not give as a country's name (parts of a country, old names, short forms).
ALIASES: dict[str, tuple[str, ...]] = {
    "GB": (
        "UK",
        "U.K.",
        "Great Britain",
        "Britain",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "Inglaterra",
        "Escocia",
        "Angleterre",
        "Écosse",
        "Inghilterra",
        "Grande-Bretagne",
        "Gran Bretaña",
        "Großbritannien",
        "Engeland",
        "Schotland",
    ),
    "US": ("USA", "U.S.A.", "US", "U.S.", "United States of America", "America", "EEUU", "EE. UU.", "EUA"),
    "NL": ("Holland", "Holanda", "Hollande", "Olanda"),
    "DE": ("Deutschland", "Alemania", "Allemagne"),
    "ES": ("España", "Espana", "Spanien"),
    "AE": ("UAE", "Emirates"),
    "CD": ("DRC", "DR Congo", "Congo-Kinshasa", "Zaire"),
    "CG": ("Congo-Brazzaville",),
    "CZ": ("Czech Republic",),
    "CI": ("Ivory Coast",),
    "MM": ("Burma",),
    "SZ": ("Swaziland",),
    "MK": ("Macedonia",),
    "TR": ("Turkey", "Türkiye"),
    "KR": ("South Korea", "Korea"),
    "KP": ("North Korea",),
    "RU": ("Russia",),
    "VA": ("Vatican",),
    "TL": ("East Timor",),
    "CV": ("Cape Verde",),
    "BA": ("Bosnia",),
    "NZ": ("Aotearoa",),
}

_DOTS = re.compile(r"[.\u00b7]")
_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """'U.K.' -> 'uk', 'España' -> 'espana', 'Côte d'Ivoire' -> 'cote d ivoire' (as the script folds it)."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", _DOTS.sub("", stripped.lower())).strip()


@functools.lru_cache(maxsize=1)
def country_terms() -> dict[str, tuple[str, ...]]:
    """Country code -> every folded name and alias, without repeats (the same in every page language)."""
    terms: dict[str, list[str]] = {code: [] for code, _name in countries}
    names: list[dict[str, str]] = [Locale.parse(code).territories for code, _label in settings.LANGUAGES]
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            names.append({country_code: str(name) for country_code, name in countries})
    for code, found in terms.items():
        for table in names:
            if name := table.get(code):
                found.append(fold(name))
        found.extend(fold(alias) for alias in ALIASES.get(code, ()))
    return {code: tuple(dict.fromkeys(term for term in found if term)) for code, found in terms.items()}


@functools.lru_cache(maxsize=1)
def country_terms_json() -> str:
    """{"GB": "united kingdom|uk|england|...", ...}: one attribute on the select, not one per option (a
    template-rendered attribute on each of 250 options tripled the page's rendering time)."""
    return json.dumps({code: "|".join(terms) for code, terms in country_terms().items()}, ensure_ascii=False)


@functools.lru_cache(maxsize=1)
def _codes_by_term() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for code, terms in country_terms().items():
        for term in terms:
            found.setdefault(term, set()).add(code)
    return {term: frozenset(codes) for term, codes in found.items()}


def country_code(text: str) -> str | None:
    """The country a text names exactly, by code (GB, GBR), name in any site language or alias ("UK",
    "Deutschland"); "" for an empty text, None when it names no country or several."""
    text = text.strip()
    if not text:
        return ""
    if len(text) in (2, 3) and text.isalpha() and (code := countries.alpha2(text)):
        return code
    codes = _codes_by_term().get(fold(text), frozenset())
    return next(iter(codes)) if len(codes) == 1 else None
