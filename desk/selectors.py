"""Reads the organizers' desk needs, each in a fixed number of queries whatever the number of entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django_countries import countries

from events.models import Edition
from registrations.models import Delivery, Registration

# The dashboard names this many countries; the rest are one link away (the list's country filter), so the
# admin index stays short with a hundred countries.
TOP_COUNTRIES = 10


@dataclass
class Dashboard:
    edition: Edition
    waiting: int
    set_aside: int
    unconfirmed: int
    geocoding_pending: int
    geocoding_failed: int
    other_country: int  # located in another country than the one chosen ("UK" became Ukraine)
    failed_deliveries: int
    approved_agencies: int
    approved_officers: int
    x_list_new: int  # public participants not yet marked as added to the official X list
    approved_by_country: list[tuple[str, str, int]] = field(default_factory=list)  # top: code, name, count
    more_countries: int = 0  # countries beyond the top ones
    more_countries_entries: int = 0  # their approved entries


def dashboard_edition() -> Edition | None:
    """The edition the desk is about: the one open for sign-up, else the latest."""
    return Edition.objects.current() or Edition.objects.order_by("-ordinal").first()


def desk_dashboard(*, edition: Edition) -> Dashboard:
    """The figures on the admin index for one edition, in three queries."""
    pending = Q(status=Registration.Status.PENDING)
    approved = Q(status=Registration.Status.APPROVED)
    confirmed = Q(email_confirmed_at__isnull=False)
    counts = (
        Registration.objects.for_edition(edition)
        .active()
        .aggregate(
            waiting=Count("pk", filter=pending & confirmed & Q(set_aside_at__isnull=True)),
            set_aside=Count("pk", filter=pending & Q(set_aside_at__isnull=False)),
            unconfirmed=Count("pk", filter=pending & Q(email_confirmed_at__isnull=True)),
            geocoding_pending=Count("pk", filter=Q(geo_status=Registration.GeoStatus.PENDING)),
            geocoding_failed=Count("pk", filter=Q(geo_status=Registration.GeoStatus.NOT_FOUND)),
            other_country=Count("pk", filter=~Q(geo_other_country="")),
            approved_agencies=Count("pk", filter=approved & Q(kind=Registration.Kind.AGENCY)),
            approved_officers=Count("pk", filter=approved & Q(kind=Registration.Kind.OFFICER)),
            x_list_new=Count("pk", filter=approved & Q(consent_public=True, added_to_x_list_at__isnull=True)),
        )
    )
    by_country = (
        Registration.objects.for_edition(edition)
        .approved()
        .values("country")
        .annotate(count=Count("pk"))
        .order_by("-count", "country")
    )
    rows = list(by_country)
    top = [
        (row["country"], countries.name(row["country"]) or "—", row["count"]) for row in rows[:TOP_COUNTRIES]
    ]
    failed = Delivery.objects.filter(mailing__edition=edition).exclude(error="").count()
    return Dashboard(
        edition=edition,
        failed_deliveries=failed,
        approved_by_country=top,
        more_countries=len(rows[TOP_COUNTRIES:]),
        more_countries_entries=sum(row["count"] for row in rows[TOP_COUNTRIES:]),
        **counts,
    )
