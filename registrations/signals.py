"""Signals registrations sends for the layers above it.

Saving or deleting a Registration sends Django's own post_save/post_delete. Writes that bypass them
(``bulk_create``, ``bulk_update``, ``queryset.update``) send ``public_data_changed`` from the Registration
queryset itself (registrations/models.py), inside their transaction, so that no bulk write can forget to
tell the public pages (pages/versioning.py) their data may have moved.
"""

from django.dispatch import Signal

# Keyword arguments: edition_ids (set of int); fields (frozenset of the field names written, or None for
# new rows). Sent inside the writing transaction.
public_data_changed = Signal()
