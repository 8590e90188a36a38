"""Any change to a registration moves its edition's public data version, whoever made it (services, admin)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from registrations.models import Registration
from registrations.selectors import bump_data_version


@receiver(post_save, sender=Registration)
@receiver(post_delete, sender=Registration)
def registration_changed(sender, instance: Registration, **kwargs) -> None:
    edition_id = instance.edition_id
    transaction.on_commit(lambda: bump_data_version(edition_id))
