"""Registrations of X accounts for an edition, their log, the government-domain list, and the emails
sent to registrants (mailings with their deliveries, reminders)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField

from events.models import Edition
from jobs.models import OutboxItem
from registrations import search
from registrations.search import SEARCH_TEXT_LENGTH
from registrations.signals import public_data_changed
from registrations.validators import (
    HASHTAG_LENGTH,
    normalise_domain,
    validate_hashtag,
    validate_trustable_domain,
)

# What a registrant may give and change through their private link: forms, services and the returning
# participant's prefill all use this list.
REGISTRANT_FIELDS = (
    "handle",
    "agency_name",
    "agency_level",
    "officer_name",
    "officer_role",
    "email",
    "street",
    "city",
    "region",
    "postcode",
    "country",
    "participation_model",
    "topic",
    "local_goal",
    "local_hashtag",
    "hours_from",
    "hours_to",
    "consent_public",
    "language",
)
# Registrant fields whose change needs no new review (nothing public or checked depends on them).
NO_REVIEW_FIELDS = ("language",)
ADDRESS_FIELDS = ("street", "city", "region", "postcode", "country")
# Where geocoding puts an entry: written together by the location services, shown together on the desk.
GEO_FIELDS = (
    "latitude",
    "longitude",
    "geo_status",
    "geo_precision",
    "geo_provider",
    "geo_attempts",
    "geo_next_attempt_at",
    "geo_error",
    "time_zone",
    "geo_other_country",
)
# Who the registrant is: on an approved entry a change to these waits for an organizer (kept in
# Registration.pending_changes) while the public keeps seeing the approved values. Every other edit
# (hours, topic, goal, hashtag, language...) applies at once and the entry stays approved.
IDENTITY_FIELDS = ("handle", "agency_name", "officer_name", "email", *ADDRESS_FIELDS)
# Erased on withdrawal and by the retention purge: what identifies a person or where they work.
PERSONAL_FIELDS = ("email", "officer_name", "officer_role", "street", "postcode")
# Also erased on withdrawal, so that what remains counts the entry without identifying it.
WITHDRAWAL_FIELDS = (
    *PERSONAL_FIELDS,
    "handle",
    "agency_name",
    "city",
    "region",
    "topic",
    "local_goal",
    "local_hashtag",
)


class RegistrationQuerySet(models.QuerySet):
    """Bulk writes announce themselves: ``update`` (which ``bulk_update`` uses too) and ``bulk_create``
    send ``public_data_changed`` with the editions and fields they wrote, in their own transaction, so the
    public data version moves with them (pages/signals.py decides whether the public sees those fields)."""

    def update(self, **fields) -> int:
        with transaction.atomic(using=self.db):
            edition_ids = set(self.order_by().values_list("edition_id", flat=True).distinct())
            count = super().update(**fields)
            if count:
                public_data_changed.send(
                    sender=Registration, edition_ids=edition_ids, fields=frozenset(fields)
                )
        return count

    def bulk_create(self, objs, *args, **kwargs) -> list[Registration]:
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            if created:
                edition_ids = {registration.edition_id for registration in created}
                public_data_changed.send(sender=Registration, edition_ids=edition_ids, fields=None)
        return created

    def for_edition(self, edition: Edition) -> RegistrationQuerySet:
        return self.filter(edition=edition)

    def confirmed(self) -> RegistrationQuerySet:
        return self.filter(email_confirmed_at__isnull=False)

    def approved(self) -> RegistrationQuerySet:
        return self.filter(status=Registration.Status.APPROVED)

    def waiting(self) -> RegistrationQuerySet:
        """The review queue: confirmed entries pending review that no organizer has set aside."""
        return self.confirmed().filter(status=Registration.Status.PENDING, set_aside_at__isnull=True)

    def public(self) -> RegistrationQuerySet:
        """What the public may see: approved entries whose registrant consented to be listed."""
        return self.approved().filter(consent_public=True)

    def located(self) -> RegistrationQuerySet:
        return self.filter(latitude__isnull=False, longitude__isnull=False)

    def active(self) -> RegistrationQuerySet:
        """Entries still in play (not withdrawn)."""
        return self.exclude(status=Registration.Status.WITHDRAWN)

    def listing_handles(self, handles: Iterable[str]) -> RegistrationQuerySet:
        """Public entries of these handles, in any letter case (``handles`` given in lower case): where an
        account's count of editions shows."""
        return self.public().annotate(lowered=Lower("handle")).filter(lowered__in=handles)

    def holding_handle(self) -> RegistrationQuerySet:
        """The entries that keep their handle from others: confirmed once, neither rejected nor withdrawn.

        The database guarantees at most one per handle and edition (registration_unique_handle_per_edition).
        """
        return self.filter(handle_held_at__isnull=False).exclude(status__in=Registration.RELEASED_STATUSES)

    def edition_counts(self, handles: Iterable[str] | models.QuerySet | None = None) -> dict[str, int]:
        """How many editions each handle (lower-cased) has an entry in, among these entries.

        ``handles`` narrows the count to those handles (any letter case), or to a query's lower-cased
        ``values("lowered")``; None counts every handle.
        """
        rows = self.exclude(handle="").annotate(lowered=Lower("handle"))
        if isinstance(handles, models.QuerySet):
            rows = rows.filter(lowered__in=handles)
        elif handles is not None:
            rows = rows.filter(lowered__in={handle.lower() for handle in handles})
        counted = rows.order_by().values("lowered").annotate(editions=Count("edition", distinct=True))
        return {row["lowered"]: row["editions"] for row in counted}

    def expired_unconfirmed(self, *, before) -> RegistrationQuerySet:
        """Entries never confirmed whose confirmation link (sent at sign-up) has expired by ``before``."""
        return self.filter(
            handle_held_at__isnull=True, email_confirmed_at__isnull=True, created_at__lt=before
        ).exclude(status=Registration.Status.WITHDRAWN)


class Registration(models.Model):
    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agency account")
        OFFICER = "officer", _("Individual officer account")

    class AgencyLevel(models.TextChoices):
        LOCAL = "local", _("Local")
        REGIONAL = "regional", _("County / regional")
        STATE = "state", _("State / provincial")
        NATIONAL = "national", _("National")
        INTERNATIONAL = "international", _("International")

    class ParticipationModel(models.TextChoices):
        ALL_CALLS = "all_calls", _("Tweet all calls")
        ONE_TOPIC = "one_topic", _("Tweet about one topic")
        TWEET_THE_BEAT = "beat", _("Officers tweet-the-beat")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Statuses that give the handle back: another entry may then confirm and hold it.
    RELEASED_STATUSES = ("rejected", "withdrawn")

    class GeoStatus(models.TextChoices):
        PENDING = "pending", _("Geocoding pending")
        LOCATED = "located", _("Located")
        NOT_FOUND = "not_found", _("Address not found")
        REMOVED = "removed", _("No address (withdrawn)")

    class GeoPrecision(models.TextChoices):
        ADDRESS = "address", _("Street address")
        CITY = "city", _("City")
        REGION = "region", _("State or region")
        COUNTRY = "country", _("Country")
        MANUAL = "manual", _("Set by an organizer")

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="registrations")
    kind = models.CharField(_("account type"), max_length=10, choices=Kind.choices)
    handle = models.CharField(_("X handle"), max_length=15)

    agency_name = models.CharField(_("agency name"), max_length=200)
    agency_level = models.CharField(_("agency level"), max_length=15, choices=AgencyLevel.choices)
    officer_name = models.CharField(_("officer name"), max_length=200, blank=True)
    officer_role = models.CharField(_("role or rank"), max_length=100, blank=True)

    email = models.EmailField(_("government email"), blank=True)
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    # Set when an email is first confirmed and kept when the registrant later changes the address: from then
    # on this entry holds its handle for the edition (unless rejected or withdrawn). Unconfirmed entries
    # hold nothing, so nobody can squat a handle by signing up with an address they never confirm.
    handle_held_at = models.DateTimeField(_("holds the handle since"), null=True, blank=True, editable=False)
    email_domain_recognised = models.BooleanField(_("government domain recognised"), default=False)

    street = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state, province or region"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    country = CountryField(_("country"), blank=True)

    participation_model = models.CharField(
        _("participation model"), max_length=10, choices=ParticipationModel.choices
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    # Seed 001: "each agency sets its own local goal"; many promoted a local hashtag beside #poltwt.
    local_goal = models.CharField(_("local goal"), max_length=200, blank=True)
    local_hashtag = models.CharField(
        _("local hashtag"), max_length=HASHTAG_LENGTH, blank=True, validators=[validate_hashtag]
    )
    hours_from = models.TimeField(_("tweeting from (local time)"), null=True, blank=True)
    hours_to = models.TimeField(_("tweeting until (local time)"), null=True, blank=True)
    consent_public = models.BooleanField(_("consents to appear on the public map and lists"), default=False)
    added_to_x_list_at = models.DateTimeField(
        _("added to the official X list"),
        null=True,
        blank=True,
        help_text=_("When an organizer marked the handle as added to the edition's official X list."),
    )

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_reason = models.TextField(_("reason given to the registrant"), blank=True)
    # An organizer holding an entry back for checking (a call to the agency, say): out of the review
    # queue and of "approve and open the next" until taken back, approved or rejected.
    set_aside_at = models.DateTimeField(_("set aside"), null=True, blank=True)
    set_aside_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set aside by"),
    )

    # Geocoding (filled in the background after the registration commits).
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    geo_status = models.CharField(
        _("geocoding"), max_length=10, choices=GeoStatus.choices, default=GeoStatus.PENDING
    )
    geo_precision = models.CharField(_("precision"), max_length=10, choices=GeoPrecision.choices, blank=True)
    geo_provider = models.CharField(_("geocoder"), max_length=50, blank=True)
    geo_attempts = models.PositiveSmallIntegerField(default=0)
    geo_next_attempt_at = models.DateTimeField(null=True, blank=True)
    geo_error = models.CharField(max_length=300, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    # Set when the point or the city lies in another country than the one chosen ("UK" typed, Ukraine
    # taken: London placed in Kyiv). A flag for the desk, never acted on by itself.
    geo_other_country = CountryField(
        _("address seems to be in"),
        blank=True,
        help_text=_("The country where the point or the city lies, when it is not the country chosen."),
    )

    returning_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The past registration whose invitation brought this one back."),
    )

    # The language the registrant reads: every email to them is written in it (chosen at sign-up). No
    # choices here: the forms offer settings.LANGUAGES, so adding a language needs no migration.
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    # Handle, agency, city and region folded (no accents, no case) for search; kept by save() from the
    # fields, so every write path (services, admin, migrations) keeps it right.
    search_text = models.CharField(max_length=SEARCH_TEXT_LENGTH, blank=True, editable=False, db_index=True)

    # Set on entries an organizer imported from the record of a past edition (registrations/services/
    # past_participants.py): approved without review, with no email, never written to.
    imported_at = models.DateTimeField(_("imported from the record"), null=True, blank=True, editable=False)
    # An approved entry's proposed change to IDENTITY_FIELDS, {field: new value}, until an organizer
    # approves it (services.registration.registration_change_approve) or rejects it.
    pending_changes = models.JSONField(_("change awaiting review"), default=dict, blank=True, editable=False)

    # Bumped to invalidate every private link sent so far (after withdrawal, or on request).
    link_version = models.PositiveIntegerField(default=1)

    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("review_registration", _("Can approve or reject registrations"))]
        constraints = [
            models.UniqueConstraint(
                Lower("handle"),
                "edition",
                condition=Q(handle_held_at__isnull=False) & ~Q(status__in=("rejected", "withdrawn")),
                name="registration_unique_handle_per_edition",
                violation_error_message=_("This X account is already registered for this edition."),
            ),
            models.UniqueConstraint(
                fields=["returning_from", "edition"],
                condition=Q(returning_from__isnull=False),
                name="registration_one_per_invitation",
                violation_error_message=_("This invitation has been used already."),
            ),
            models.CheckConstraint(
                condition=Q(hours_from__isnull=True, hours_to__isnull=True)
                | Q(hours_from__isnull=False, hours_to__isnull=False),
                name="registration_hours_both_or_neither",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="registration_point_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["edition", "status"]),
            models.Index(fields=["geo_status", "geo_next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return (
            f"@{self.handle} ({self.get_kind_display()}, {self.edition.ordinal_label})"
            if self.handle
            else (_("Withdrawn registration #%(id)s") % {"id": self.pk})
        )

    def save(self, *args, **kwargs) -> None:
        self.search_text = search.search_text(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(search.SEARCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def x_url(self) -> str:
        return f"https://x.com/{self.handle}"

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def display_name(self) -> str:
        return self.officer_name if self.kind == self.Kind.OFFICER and self.officer_name else self.agency_name

    def proposed_changes(self) -> list[tuple[str, str, str]]:
        """(field label, approved value, proposed value) for each change waiting for an organizer."""
        rows = []
        for name, value in self.pending_changes.items():
            field = self._meta.get_field(name)
            if name == "country":
                rows.append((str(field.verbose_name), str(self.country.name), str(countries.name(value))))
            else:
                rows.append((str(field.verbose_name), str(getattr(self, name)), str(value)))
        return rows


class RegistrationLogEntry(models.Model):
    """Audit trail: who did what to a registration, and when (registrants and organizers alike)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Registered")
        CONFIRMED = "confirmed", _("Email confirmed")
        EDITED = "edited", _("Edited by the registrant")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        GEOCODED = "geocoded", _("Geocoded")
        LOCATION_SET = "location_set", _("Location set by an organizer")
        PURGED = "purged", _("Personal data erased")
        X_LISTED = "x_listed", _("Marked as added to the official X list")
        X_UNLISTED = "x_unlisted", _("Marked as not on the official X list")
        SET_ASIDE = "set_aside", _("Set aside (out of the review queue)")
        TAKEN_BACK = "taken_back", _("Taken back into the review queue")
        IMPORTED = "imported", _("Imported from the record of a past edition")
        CHANGE_HELD = "change_held", _("Change proposed by the registrant")
        CHANGE_APPROVED = "change_approved", _("Change approved")
        CHANGE_REJECTED = "change_rejected", _("Change rejected")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="log_entries")
    action = models.CharField(max_length=15, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    detail = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"


class GovernmentDomain(models.Model):
    """An email domain organizers recognise as governmental; it also matches its subdomains."""

    domain = models.CharField(
        _("domain"),
        max_length=253,
        unique=True,
        help_text=_("For example police.uk: it also matches wmp.police.uk and pnn.police.uk."),
        validators=[validate_trustable_domain],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("government email domain")

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs) -> None:
        self.domain = normalise_domain(self.domain)
        super().save(*args, **kwargs)


class Mailing(models.Model):
    """One email sent to many registrants in the background: a message, a schedule notice, invitations.

    Recipients are fixed when the mailing is created (one Delivery each); sending claims each delivery
    once, so a retried task never writes to the same person twice.
    """

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message from the organizers")
        SCHEDULE = "schedule", _("Schedule change notice")
        INVITATION = "invitation", _("Invitation to a new edition")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft: awaiting review and send")
        SENDING = "sending", _("Sending")
        FINISHED = "finished", _("Finished")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.MESSAGE)
    # A mailing is written as a draft and sent only by an explicit "Send" (services.mailing.mailing_send),
    # which moves it out of draft with one conditional UPDATE: a send pressed twice sends once.
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    send_started_at = models.DateTimeField(_("sent on"), null=True, blank=True)
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="mailings")
    target_edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For invitations: the edition the participants are invited to."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    recipient_filter = models.JSONField(_("recipients"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The message in more languages: {"es": {"subject": ..., "body": ...}}. A recipient whose language
    # is here reads that version; everyone else reads subject and body.
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", send_started_at__isnull=True)
                | Q(~Q(status="draft"), send_started_at__isnull=False),
                name="mailing_sent_only_out_of_draft",
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def text_for(self, language: str) -> tuple[str, str]:
        """(subject, body) in the language if the organizers wrote it, else the original."""
        version = self.translations.get(language) or {}
        if version.get("body", "").strip():
            return version.get("subject", "").strip() or self.subject, version["body"]
        return self.subject, self.body


class Delivery(OutboxItem):
    """A mailing's email to one registrant, sent by the outbox."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="deliveries")

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["mailing", "registration"], name="delivery_once_per_registration")
        ]

    def __str__(self) -> str:
        return f"{self.mailing} → {self.registration_id}"


class Reminder(OutboxItem):
    """One reminder email planned for an approved participant, before their own start.

    Planned per schedule revision of the edition (``sequence``): when the edition moves, the unsent plans
    are replaced and a participant hears again before the new date. The unique constraint and the outbox's
    lease make each reminder go out once, however many jobs run at the same time, and a job killed
    mid-run loses none.
    """

    class Kind(models.TextChoices):
        WEEK = "7d", _("7 days before")
        DAY = "1d", _("1 day before")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=2, choices=Kind.choices)
    sequence = models.PositiveIntegerField(_("schedule revision"))
    starts_at = models.DateTimeField(_("participant starts"))
    due_at = models.DateTimeField(_("due"))

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "kind", "sequence"], name="reminder_once_per_schedule"
            )
        ]
        indexes = [models.Index(fields=["claimed_at", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.registration_id} (due {self.due_at:%Y-%m-%d %H:%M})"


class ParticipantResult(models.Model):
    """What one X account did during an edition, as an analytics export or a published result says.

    Keyed by handle (in any letter case, once per edition), so that accounts that never registered on
    poltwt (the 1st edition's @FBIPressOffice) have their figures too; ``registration`` links the entry
    of that edition holding the same handle, when there is one. Each figure is empty when not given.
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="participant_results")
    handle = models.CharField(_("X handle"), max_length=15)
    registration = models.ForeignKey(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="results"
    )
    tweets = models.PositiveIntegerField(_("tweets"), null=True, blank=True)
    retweets = models.PositiveIntegerField(_("retweets"), null=True, blank=True)
    mentions = models.PositiveIntegerField(_("mentions"), null=True, blank=True)
    followers = models.PositiveBigIntegerField(_("followers"), null=True, blank=True)
    source_name = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.URLField(_("source link"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["edition", Lower("handle")]
        verbose_name = _("participant's result")
        verbose_name_plural = _("participants' results")
        constraints = [
            models.UniqueConstraint(
                Lower("handle"),
                "edition",
                name="participant_result_one_per_handle",
                violation_error_message=_("This edition already has results for this handle."),
            )
        ]

    def __str__(self) -> str:
        return f"@{self.handle} ({self.edition})"

    @property
    def figures(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in RESULT_MEASURES}


# The figures a participant's result may carry, in the order pages show them.
RESULT_MEASURES = ("tweets", "retweets", "mentions", "followers")


class CsvImport(models.Model):
    """An uploaded CSV file waiting for the organizer's check of its columns, then imported once.

    The file is kept here (bounded by desk's upload form) so that the preview, a change of the column
    mapping and the confirmation all read the same data, and nothing is lost between the requests.

    Government domains (kind DOMAINS, no edition) are imported by a background task in batches: the
    progress fields say how far it got, so the admin shows it and a task run again after a dead worker
    carries on from there. Their note goes in source_name; imported_rows counts the new domains.
    """

    class Kind(models.TextChoices):
        RESULTS = "results", _("Participants' results")
        PARTICIPANTS = "participants", _("Past participants")
        DOMAINS = "domains", _("Government email domains")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    filename = models.CharField(_("file"), max_length=200)
    content = models.TextField(editable=False)
    # {"handle": 0, "tweets": 3, ...}: the column (by position) each field is read from.
    mapping = models.JSONField(_("columns"), default=dict, blank=True)
    source_name = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.URLField(_("source link"), blank=True)
    account_kind = models.CharField(
        _("account type"), max_length=10, choices=Registration.Kind.choices, default=Registration.Kind.AGENCY
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    imported_rows = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_total = models.PositiveIntegerField(_("rows to process"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    refused_count = models.PositiveIntegerField(_("rows refused"), default=0)
    # [[value, reason], ...]: the first refused rows (REFUSED_LISTED), for the organizer to correct.
    refused = models.JSONField(_("refused rows"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("CSV import")
        verbose_name_plural = _("CSV imports")

    def __str__(self) -> str:
        if self.edition_id is None:
            return f"{self.get_kind_display()}: {self.filename}"
        return f"{self.get_kind_display()}: {self.filename} ({self.edition})"
