"""Editions of the Global Police Tweet-a-thon."""

from __future__ import annotations

import datetime as dt
import re

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.validators import validate_x_list_url

DEFAULT_HASHTAG = "#poltwt"
# The edition's texts that organizers give per language (Edition.translations).
TRANSLATED_FIELDS = ("title", "theme", "theme_description")
# An award winner written as an X handle: "@HaltonPolice" (X's own rule: 1 to 15 of A-Z, 0-9, _).
WINNER_HANDLE = re.compile(r"@([A-Za-z0-9_]{1,15})")


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
    # The title, theme and description in the other languages: {"es": {"title": ..., "theme": ...,
    # "theme_description": ...}, "ar": {...}}. The fields above are the English text, and every language
    # without its own falls back to them. One JSON field, not a column per language and text: adding a
    # language needs no migration (the same holds for the catalogues and Registration.language).
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("Leave empty while the date is TBD.")
    )
    # For an edition of the record: who says it took place on that date (a past edition's date is a fact
    # with a source, like its figures).
    date_source_name = models.CharField(_("source of the date"), max_length=200, blank=True)
    date_source_url = models.URLField(_("link to the source of the date"), blank=True)
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
    reminders_enabled = models.BooleanField(
        _("send reminders"),
        default=True,
        help_text=_("Email approved participants 7 days and 1 day before their own start."),
    )
    # Bumped by events.services.edition_update whenever the schedule moves: calendar files carry it as
    # their SEQUENCE (RFC 5545), so calendars replace the old event instead of adding a second one.
    schedule_sequence = models.PositiveIntegerField(_("schedule revision"), default=0, editable=False)
    retention_days = models.PositiveIntegerField(
        _("keep personal data for (days)"),
        default=365,
        help_text=_(
            "After the edition's date plus this many days, purge_personal_data erases emails, "
            "officer names and street addresses."
        ),
    )

    x_list_url = models.URLField(
        _("official X list"),
        blank=True,
        validators=[validate_x_list_url],
        help_text=_("For example https://x.com/i/lists/123456789. Linked from the map and the list."),
    )

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
                # A completed edition may be one from the record whose exact date nobody kept.
                condition=Q(date__isnull=False) | Q(status__in=["tbd", "cancelled", "completed"]),
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

    def text_in(self, field: str, language: str | None = None) -> str:
        """`field` (title, theme or theme_description) in `language` (default: the active one) or English."""
        language = (language or translation.get_language() or "").split("-")[0]
        own = (self.translations or {}).get(language, {}).get(field, "")
        return own.strip() or getattr(self, field)

    def title_in(self, language: str | None = None) -> str:
        return self.text_in("title", language)

    @property
    def display_title(self) -> str:
        """The title in the active language (what pages, emails, calendar files and share texts show)."""
        return self.text_in("title")

    @property
    def display_theme(self) -> str:
        return self.text_in("theme")

    @property
    def display_description(self) -> str:
        return self.text_in("theme_description")

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
    def first_set_for(self) -> dt.date | None:
        """The first date the edition was announced for, when it has moved since (else None).

        Reads ``former_dates``: prefetch them where several editions are shown.
        """
        former = sorted(self.former_dates.all(), key=lambda row: (row.replaced_at, row.pk))
        return former[0].date if former else None

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


class FormerDate(models.Model):
    """A date an edition was once set for, kept when it moved (recorded by ``services.edition_update``)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="former_dates")
    date = models.DateField(_("date it was set for"))
    replaced_at = models.DateTimeField(_("moved on"), default=timezone.now)

    class Meta:
        ordering = ["replaced_at", "pk"]
        verbose_name = _("former date")
        verbose_name_plural = _("former dates")

    def __str__(self) -> str:
        return f"{self.edition}: {self.date:%Y-%m-%d}"


class Figure(models.Model):
    """One published result of an edition: what it measures, how exact it is, and who said so."""

    class Measure(models.TextChoices):
        # In the order the editions page lists them.
        AGENCIES = "agencies", _("Agency accounts")
        OFFICERS = "officers", _("Officer accounts")
        PARTICIPATING_COUNTRIES = "participating_countries", _("Participating countries")
        COUNTRIES_REACHED = "countries_reached", _("Countries reached")
        PEOPLE_REACHED = "people_reached", _("People reached")
        TWEETS = "tweets", _("Tweets")
        ORIGINAL_TWEETS = "original_tweets", _("Original tweets")
        RETWEETS = "retweets", _("Retweets")
        UNIQUE_USERS = "unique_users", _("Unique users")
        LANGUAGES = "languages", _("Languages")
        TRENDED = "trended", _("Where it trended")

    class Qualifier(models.TextChoices):
        EXACT = "exact", _("exactly")
        OVER = "over", _("over")
        ABOUT = "about", _("about")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="figures")
    measure = models.CharField(_("measure"), max_length=30, choices=Measure.choices)
    qualifier = models.CharField(
        _("how exact"),
        max_length=5,
        choices=Qualifier.choices,
        default=Qualifier.EXACT,
        help_text=_("As the source says it: “over 200” is over, “about 10” is about."),
    )
    value = models.PositiveBigIntegerField(_("number"), null=True, blank=True)
    details = models.CharField(
        _("details"),
        max_length=500,
        blank=True,
        help_text=_("Where it trended, or which countries took part."),
    )
    source_name = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.URLField(_("source link"), blank=True)

    class Meta:
        ordering = ["edition", "pk"]
        verbose_name = _("published result")
        verbose_name_plural = _("published results")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "measure"],
                name="figure_one_per_measure",
                violation_error_message=_("This edition already has a figure for this measure."),
            ),
            models.CheckConstraint(
                # Every measure is a number, except where it trended, which is a place.
                condition=Q(value__isnull=False) | Q(measure="trended", details__gt=""),
                name="figure_has_a_value",
                violation_error_message=_("Give the number (or, for where it trended, the place)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition}: {self.get_measure_display()} {self.display_value}"

    @property
    def display_value(self) -> str:
        """The figure as the source gave it: “over 18,000”, “about 10”, “48,842”, or the place."""
        if self.value is None:
            return self.details
        number = number_format(self.value, force_grouping=True)
        if self.qualifier == self.Qualifier.OVER:
            return gettext("over %(number)s") % {"number": number}
        if self.qualifier == self.Qualifier.ABOUT:
            return gettext("about %(number)s") % {"number": number}
        return number


class Award(models.Model):
    """A prize given at an edition: its category, who won it (a handle or a name), and who said so.

    The winner may be left empty where the record names the category but not who won it.
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="awards")
    category = models.CharField(_("category"), max_length=200)
    winner = models.CharField(
        _("winner"),
        max_length=200,
        blank=True,
        help_text=_("An X handle (@HaltonPolice) or a name; leave empty when the record does not say."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    source_name = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.URLField(_("source link"), blank=True)

    class Meta:
        ordering = ["edition", "pk"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self) -> str:
        return f"{self.edition}: {self.category}"

    @property
    def winner_handle(self) -> str:
        """The winner's handle without the @ when the winner is written as one (@Name), else ''."""
        match = WINNER_HANDLE.fullmatch(self.winner.strip())
        return match.group(1) if match else ""
