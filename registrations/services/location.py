"""Writes that put registrations on the map: keyword-only, typed, atomic.

Geocoding runs outside any transaction (the provider may make us wait for our turn and for the network);
the answer is then written under a row lock, and only if it still applies: the registration may have been
withdrawn, corrected by an organizer, or given a new address while the provider was answering.
"""

from __future__ import annotations

import datetime as dt
import logging
import math

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from geo.geocoding import (
    Address,
    GeocodingError,
    GeocodingUnavailable,
    Location,
    city_country,
    countries_in_zone,
    geocode,
    timezone_at,
)
from registrations.models import GEO_FIELDS, Registration, RegistrationLogEntry

logger = logging.getLogger(__name__)

# After the n-th temporary failure in a row, wait RETRY_BASE * 2**(n-1), at most RETRY_CAP.
RETRY_BASE = dt.timedelta(minutes=1)
RETRY_CAP = dt.timedelta(hours=6)
MANUAL_PROVIDER = "manual"

_GEO_FIELDS = [*GEO_FIELDS, "updated_at"]


def registration_geocode(*, registration_id: int, force: bool = False) -> Registration:
    """Geocode a registration's address and store the point, precision, provider and time zone.

    Withdrawn registrations and points set by an organizer are left alone, even with ``force``. Officers
    are located from city, region and country only: never the street (nor the postcode, which in many
    countries is as fine as a street), so nobody is shown more precisely than their city.
    An address the provider does not know becomes geo_status "not_found" for the organizers to fix by
    hand. A provider failure keeps the registration pending and schedules the next attempt with
    exponential backoff (geo_next_attempt_at; see geocode_pending and tasks.geocode_registration_task).
    ``force=True`` asks the provider again instead of using (and then replacing) the cached answer.
    """
    registration = Registration.objects.get(pk=registration_id)
    if not _automatic_geocoding_applies(registration):
        return registration
    address = registration_address(registration=registration)
    try:
        location = geocode(address, refresh=force)
    except GeocodingError as exc:
        if isinstance(exc, GeocodingUnavailable):
            logger.warning("Geocoding registration %s failed for now: %s", registration_id, exc)
        else:
            logger.error("Geocoding registration %s was refused: %s", registration_id, exc)
        return _schedule_retry(registration_id=registration_id, address=address, error=str(exc))
    time_zone = timezone_at(location.latitude, location.longitude) if location else None
    return _store_answer(
        registration_id=registration_id, address=address, location=location, time_zone=time_zone
    )


def other_country(*, address: Address, location: Location | None, time_zone: str) -> str:
    """The country the entry seems to be in when it is not the chosen one, else "".

    The point's time zone belongs to other countries only (a pin or a provider's answer abroad); or the
    city was not found in the chosen country (the point fell back to its capital, or nothing was found)
    while the gazetteer knows it elsewhere: "London" with Ukraine chosen is London, GB.
    """
    if found := zone_elsewhere(country=address.country, time_zone=time_zone):
        return found
    if address.city and (location is None or location.precision == "country"):
        found = city_country(address.city)
        if found and found != address.country:
            return found
    return ""


def zone_elsewhere(*, country: str, time_zone: str) -> str:
    """A country that keeps the time zone when the chosen one does not, else ""."""
    zone_countries = countries_in_zone(time_zone)
    if country and zone_countries and country not in zone_countries:
        return sorted(zone_countries)[0]
    return ""


def registration_address(*, registration: Registration) -> Address:
    """The address a registration is geocoded from (for officers: the city level only)."""
    if registration.kind == Registration.Kind.OFFICER:
        return Address(city=registration.city, region=registration.region, country=registration.country.code)
    return Address(
        street=registration.street,
        city=registration.city,
        region=registration.region,
        postcode=registration.postcode,
        country=registration.country.code,
    )


@transaction.atomic
def registration_set_location(
    *, registration: Registration, latitude: float, longitude: float, actor: AbstractBaseUser
) -> Registration:
    """An organizer places a registration by hand; automatic geocoding never overwrites this point."""
    errors = {}
    if not (math.isfinite(latitude) and -90 <= latitude <= 90):
        errors["latitude"] = _("Latitude must be a number between -90 and 90.")
    if not (math.isfinite(longitude) and -180 <= longitude <= 180):
        errors["longitude"] = _("Longitude must be a number between -180 and 180.")
    if errors:
        raise ValidationError(errors)
    if registration.status == Registration.Status.WITHDRAWN:
        raise ValidationError(_("A withdrawn registration has no place on the map."))
    registration.latitude = float(latitude)
    registration.longitude = float(longitude)
    registration.geo_status = Registration.GeoStatus.LOCATED
    registration.geo_precision = Registration.GeoPrecision.MANUAL
    registration.geo_provider = MANUAL_PROVIDER
    registration.geo_attempts = 0
    registration.geo_next_attempt_at = None
    registration.geo_error = ""
    registration.time_zone = timezone_at(registration.latitude, registration.longitude) or ""
    registration.geo_other_country = zone_elsewhere(
        country=registration.country.code, time_zone=registration.time_zone
    )
    registration.save(update_fields=_GEO_FIELDS)
    RegistrationLogEntry.objects.create(
        registration=registration,
        action=RegistrationLogEntry.Action.LOCATION_SET,
        actor=actor,
        detail=f"{latitude:.5f}, {longitude:.5f} ({registration.time_zone or 'no time zone'})",
    )
    return registration


def registration_clear_location(*, registration: Registration) -> Registration:
    """Take a registration off the map (on withdrawal): no point, no time zone, geo_status "removed"."""
    registration.latitude = registration.longitude = None
    registration.geo_status = Registration.GeoStatus.REMOVED
    registration.geo_precision = registration.geo_provider = ""
    registration.geo_error = registration.time_zone = registration.geo_other_country = ""
    registration.geo_attempts = 0
    registration.geo_next_attempt_at = None
    registration.save(update_fields=_GEO_FIELDS)
    return registration


def geocode_pending(
    *,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    limit: int | None = None,
    settled: dt.timedelta | None = None,
) -> list[int]:
    """Geocode the registrations waiting for it (never tried, or due for another attempt).

    Returns the ids processed (never tried first, then the longest overdue); with ``dry_run``, the ids that
    would be, changing nothing. ``settled``: skip never-tried entries changed more recently than that (their
    own background task is probably still queued); the recurring job uses it.
    """
    now = now or timezone.now()
    never_tried = Q(geo_next_attempt_at__isnull=True)
    if settled is not None:
        never_tried &= Q(updated_at__lte=now - settled)
    due = (
        Registration.objects.active()
        .filter(geo_status=Registration.GeoStatus.PENDING)
        .filter(never_tried | Q(geo_next_attempt_at__lte=now))
        .exclude(geo_precision=Registration.GeoPrecision.MANUAL)
        .order_by(F("geo_next_attempt_at").asc(nulls_first=True), "pk")
    )
    ids = list(due.values_list("pk", flat=True)[:limit])
    if not dry_run:
        for registration_id in ids:
            registration_geocode(registration_id=registration_id)
    return ids


def _automatic_geocoding_applies(registration: Registration) -> bool:
    return (
        registration.status != Registration.Status.WITHDRAWN
        and registration.geo_precision != Registration.GeoPrecision.MANUAL
    )


def _locked_if_still_applies(*, registration_id: int, address: Address) -> tuple[Registration, bool]:
    registration = Registration.objects.select_for_update().get(pk=registration_id)
    # An edited address is geocoded again by its own task (services.registration_update): this answer is old.
    applies = (
        _automatic_geocoding_applies(registration)
        and registration_address(registration=registration) == address
    )
    return registration, applies


@transaction.atomic
def _store_answer(
    *, registration_id: int, address: Address, location: Location | None, time_zone: str | None
) -> Registration:
    registration, applies = _locked_if_still_applies(registration_id=registration_id, address=address)
    if not applies:
        return registration
    if location is None:
        # A point found for an earlier address must not stay on the map.
        registration.latitude = registration.longitude = None
        registration.geo_status = Registration.GeoStatus.NOT_FOUND
        registration.geo_precision = registration.time_zone = ""
        registration.geo_provider = settings.GEOCODER
        detail = f"Address not found by {settings.GEOCODER}"
    else:
        precision = location.precision
        if registration.kind == Registration.Kind.OFFICER and precision == Registration.GeoPrecision.ADDRESS:
            # The query had no street; a provider that still matched a building must not label it so.
            precision = Registration.GeoPrecision.CITY
        registration.latitude = location.latitude
        registration.longitude = location.longitude
        registration.geo_status = Registration.GeoStatus.LOCATED
        registration.geo_precision = precision
        registration.geo_provider = location.provider
        registration.time_zone = time_zone or ""
        detail = (
            f"{precision} precision by {location.provider}, time zone {registration.time_zone or 'unknown'}"
        )
    registration.geo_other_country = other_country(
        address=address, location=location, time_zone=registration.time_zone
    )
    if registration.geo_other_country:
        detail += f"; the address seems to be in {registration.geo_other_country}"
    registration.geo_attempts = 0
    registration.geo_next_attempt_at = None
    registration.geo_error = ""
    registration.save(update_fields=_GEO_FIELDS)
    RegistrationLogEntry.objects.create(
        registration=registration, action=RegistrationLogEntry.Action.GEOCODED, detail=detail
    )
    return registration


@transaction.atomic
def _schedule_retry(*, registration_id: int, address: Address, error: str) -> Registration:
    registration, applies = _locked_if_still_applies(registration_id=registration_id, address=address)
    if not applies:
        return registration
    # min() on the exponent too: a long outage must not overflow timedelta.
    delay = min(RETRY_BASE * 2 ** min(registration.geo_attempts, 20), RETRY_CAP)
    registration.geo_attempts += 1
    registration.geo_next_attempt_at = timezone.now() + delay
    registration.geo_status = Registration.GeoStatus.PENDING
    registration.geo_error = error[: Registration._meta.get_field("geo_error").max_length]
    registration.save(
        update_fields=["geo_attempts", "geo_next_attempt_at", "geo_status", "geo_error", "updated_at"]
    )
    return registration
