"""Signals registrations sends for the layers above it.

Saving or deleting a Registration sends Django's own post_save/post_delete; writes that bypass them
(bulk_create, queryset.update) and may change what the public sees send ``public_data_changed`` with the
edition's id instead, inside their transaction, so that the public pages (pages/versioning.py) know
their data moved.
"""

from django.dispatch import Signal

public_data_changed = Signal()  # keyword argument: edition_id
