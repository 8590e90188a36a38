"""Editions of the Global Police Tweet-a-thon."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_HASHTAG = "#poltwt"


def ordinal_suffix(number: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


class EditionQuerySet(models.QuerySet):
    def open_for_registration(self, now: dt.datetime | None = None) -> EditionQuerySet:
        now = now or timezone.now()
        return self.exclude(status__in=[Edition.Status.COMPLETED, Edition.Status.CANCELLED]).filter(
            Q(registration_opens_at__lte=now),
            Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gt=now),
        )

    def current(self, now: dt.datetime | None = None) -> Edition | None:
        """The next edition open for sign-up (lowest ordinal first), or None."""
        return self.open_for_registration(now).order_by("ordinal").first()

    def upcoming(self) -> EditionQuerySet:
        return self.exclude(status__in=[Edition.Status.COMPLETED, Edition.Status.CANCELLED]).order_by(
            "ordinal"
        )

    def past(self) -> EditionQuerySet:
        return self.filter(status=Edition.Status.COMPLETED).order_by("-ordinal")


class Edition(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        DATE_TBD = "tbd", _("Date to be announced")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    ordinal = models.PositiveSmallIntegerField(
        _("number"), unique=True, help_text=_("1 for the 1st Global Police Tweet-a-thon, 2 for the 2nd, ...")
    )
    title = models.CharField(_("title"), max_length=200)
    hashtag = models.CharField(_("hashtag"), max_length=50, default=DEFAULT_HASHTAG)
    theme = models.CharField(
        _("theme"), max_length=200, blank=True, help_text=_("For example: Time to Unify")
    )
    theme_hashtag = models.CharField(_("theme hashtag"), max_length=50, blank=True)
    theme_description = models.TextField(_("theme description"), blank=True)
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("Leave empty while the date is TBD.")
    )
    start_time = models.TimeField(
        _("local start time"), default=dt.time(8, 0), help_text=_("Local time in each time zone.")
    )
    duration_hours = models.PositiveSmallIntegerField(_("duration (hours)"), default=24)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)

    auto_approve_returning = models.BooleanField(
        _("approve returning participants automatically"),
        default=False,
        help_text=_("Invited participants of a past edition who re-register without changes skip review."),
    )
    retention_days = models.PositiveIntegerField(
        _("keep personal data for (days)"),
        default=365,
        help_text=_(
            "After the edition's date plus this many days, purge_personal_data erases emails, "
            "officer names and street addresses."
        ),
    )

    # Results published after the event.
    result_agency_accounts = models.PositiveIntegerField(_("agency accounts"), null=True, blank=True)
    result_officer_accounts = models.PositiveIntegerField(_("officer accounts"), null=True, blank=True)
    result_countries = models.PositiveIntegerField(_("countries"), null=True, blank=True)
    result_tweets = models.PositiveIntegerField(_("tweets"), null=True, blank=True)
    result_languages = models.PositiveIntegerField(_("languages"), null=True, blank=True)
    result_people_reached = models.PositiveBigIntegerField(_("people reached"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-ordinal"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="edition_closes_after_opens",
                violation_error_message=_("Registration must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(date__isnull=False) | Q(status__in=["tbd", "cancelled"]),
                name="edition_dated_unless_tbd",
                violation_error_message=_("Give a date, or set the status to “date to be announced”."),
            ),
            models.CheckConstraint(
                condition=Q(duration_hours__gte=1, duration_hours__lte=72),
                name="edition_duration_range",
                violation_error_message=_("The duration must be between 1 and 72 hours."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pages:edition_list") + f"#edition-{self.ordinal}"

    @property
    def ordinal_label(self) -> str:
        return ordinal_suffix(self.ordinal)

    @property
    def is_date_tbd(self) -> bool:
        return self.date is None

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(hours=self.duration_hours)

    @property
    def has_results(self) -> bool:
        return any(
            value is not None
            for value in (
                self.result_agency_accounts,
                self.result_officer_accounts,
                self.result_countries,
                self.result_tweets,
                self.result_languages,
                self.result_people_reached,
            )
        )

    def is_open_for_registration(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        if (
            self.status in (self.Status.COMPLETED, self.Status.CANCELLED)
            or self.registration_opens_at is None
        ):
            return False
        return self.registration_opens_at <= now and (
            self.registration_closes_at is None or now < self.registration_closes_at
        )
