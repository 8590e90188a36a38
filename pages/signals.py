"""Any change to an edition or a registration moves the public data version, whoever made it.

An edition's own fields count too: its date and start time shape every participant's window on the map.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from events.models import Edition, Figure, FormerDate
from pages.selectors.participants import bump_data_version
from registrations.models import Registration
from registrations.signals import public_data_changed


@receiver(post_save, sender=Registration)
@receiver(post_delete, sender=Registration)
def registration_changed(sender, instance: Registration, **kwargs) -> None:
    edition_id = instance.edition_id
    transaction.on_commit(lambda: bump_data_version(edition_id))


@receiver(post_save, sender=Edition)
@receiver(post_delete, sender=Edition)
def edition_changed(sender, instance: Edition, **kwargs) -> None:
    edition_id = instance.pk
    transaction.on_commit(lambda: bump_data_version(edition_id))


@receiver(public_data_changed)
def public_data_changed_in_bulk(sender, edition_id: int, **kwargs) -> None:
    bump_data_version(edition_id)


@receiver(post_save, sender=Figure)
@receiver(post_delete, sender=Figure)
@receiver(post_save, sender=FormerDate)
@receiver(post_delete, sender=FormerDate)
def edition_record_changed(sender, instance: Figure | FormerDate, **kwargs) -> None:
    edition_id = instance.edition_id
    transaction.on_commit(lambda: bump_data_version(edition_id))
