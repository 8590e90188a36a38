"""Move the public data version when, and only when, public data changes, in the same transaction.

What is public about a registration is its footprint: nothing while it is pending, rejected or withdrawn;
its edition, kind and country once approved (past editions count approved accounts and countries, listed
or not); and every field the public pages show once it is approved and its registrant consented to be
listed. A save or delete moves the version of the edition(s) concerned, and the site's, exactly when the
footprint before differs from the footprint after. So a sign-up, a confirmation, an edit of a pending
entry or of a private field (email, street, officer name) moves nothing; an approval, the withdrawal of
an approved entry, or a change to a shown field of a listed entry does.

An edition's public fields are all but the organizers' settings (PRIVATE_EDITION_FIELDS); its record
(figures, former dates, awards, participants' results) is public throughout. A public entry shows how many
editions its account took part in, so a change of footprint also moves every edition the handle is
public in.

"Before" is read from the database in pre_save (one query, only when a save may touch these fields),
not from the instance, which may be older than the row. Writes that bypass save() (bulk_create,
bulk_update, queryset.update) send registrations.signals.public_data_changed instead, inside their
transaction, naming the fields they wrote: a bulk write of a field the public may see moves the versions.
"""

from __future__ import annotations

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from events.models import Award, Edition, Figure, FormerDate
from pages import versioning
from pages.selectors.participants import PUBLIC_FIELDS
from registrations.models import ParticipantResult, Registration
from registrations.signals import public_data_changed

LISTED_FIELDS = ("edition", *(field for field in PUBLIC_FIELDS if field != "pk"))
COUNTED_FIELDS = ("edition", "kind", "country")
REGISTRATION_FIELDS = frozenset({*LISTED_FIELDS, "status", "consent_public"})
PRIVATE_EDITION_FIELDS = frozenset({"auto_approve_returning", "retention_days", "created_at", "updated_at"})
EDITION_FIELDS = frozenset(
    field.name for field in Edition._meta.concrete_fields if field.name not in PRIVATE_EDITION_FIELDS
)
_BEFORE = "_poltwt_public_values_before_save"

Values = dict[str, str] | None


def registration_footprint(values: Values) -> tuple[str, ...] | None:
    """What the public sees of a registration with these field values (None: nothing)."""
    if values is None or values["status"] != Registration.Status.APPROVED:
        return None
    if values["consent_public"] != "True":
        return ("counted", *(values[field] for field in COUNTED_FIELDS))
    return ("listed", *(values[field] for field in LISTED_FIELDS))


def _saved_values(instance: models.Model, fields: frozenset[str]) -> Values:
    if instance._state.adding:
        return None
    row = type(instance)._base_manager.filter(pk=instance.pk).values(*fields).first()
    # Compared as text: the database's values and the instance's may differ in type (a country code and
    # a Country object), never in their text.
    return None if row is None else {field: str(value) for field, value in row.items()}


def _instance_values(instance: models.Model, fields: frozenset[str]) -> dict[str, str]:
    meta = instance._meta
    return {field: str(getattr(instance, meta.get_field(field).attname)) for field in fields}


def _remember_before(instance: models.Model, fields: frozenset[str], update_fields) -> None:
    if update_fields is None or fields.intersection(update_fields):
        setattr(instance, _BEFORE, _saved_values(instance, fields))


def _before(instance: models.Model) -> tuple[bool, Values]:
    if _BEFORE not in instance.__dict__:
        return False, None  # the save touched none of the fields that matter
    return True, instance.__dict__.pop(_BEFORE)


@receiver(pre_save, sender=Registration)
def registration_before_save(sender, instance: Registration, update_fields=None, **kwargs) -> None:
    _remember_before(instance, REGISTRATION_FIELDS, update_fields)


@receiver(post_save, sender=Registration)
def registration_saved(sender, instance: Registration, **kwargs) -> None:
    remembered, before = _before(instance)
    if remembered:
        _registration_changed(before, _instance_values(instance, REGISTRATION_FIELDS))


@receiver(post_delete, sender=Registration)
def registration_deleted(sender, instance: Registration, **kwargs) -> None:
    _registration_changed(_instance_values(instance, REGISTRATION_FIELDS), None)


def _registration_changed(before: Values, after: Values) -> None:
    if registration_footprint(before) != registration_footprint(after):
        changed = [values for values in (before, after) if values is not None]
        # Every edition the account took part in shows its count of editions, which this may move.
        handles = {values["handle"].lower() for values in changed if values["handle"]}
        sharing = (
            Registration.objects.listing_handles(handles).values_list("edition_id", flat=True).distinct()
            if handles
            else []
        )
        versioning.bump({*(int(values["edition"]) for values in changed), *sharing})


@receiver(pre_save, sender=Edition)
def edition_before_save(sender, instance: Edition, update_fields=None, **kwargs) -> None:
    _remember_before(instance, EDITION_FIELDS, update_fields)


@receiver(post_save, sender=Edition)
def edition_saved(sender, instance: Edition, **kwargs) -> None:
    remembered, before = _before(instance)
    if remembered and before != _instance_values(instance, EDITION_FIELDS):
        versioning.bump({instance.pk})


@receiver(post_delete, sender=Edition)
def edition_deleted(sender, instance: Edition, **kwargs) -> None:
    versioning.bump({instance.pk})


@receiver(post_save, sender=Figure)
@receiver(post_delete, sender=Figure)
@receiver(post_save, sender=Award)
@receiver(post_delete, sender=Award)
@receiver(post_save, sender=ParticipantResult)
@receiver(post_delete, sender=ParticipantResult)
@receiver(post_save, sender=FormerDate)
@receiver(post_delete, sender=FormerDate)
def edition_record_changed(
    sender, instance: Figure | FormerDate | Award | ParticipantResult, **kwargs
) -> None:
    versioning.bump({instance.edition_id})


@receiver(public_data_changed)
def public_data_changed_in_bulk(
    sender, edition_ids: set[int], fields: frozenset[str] | None, **kwargs
) -> None:
    if fields is None or REGISTRATION_FIELDS.intersection(fields):
        versioning.bump(edition_ids)
