"""The version of the public data, kept in the database so that every process of every machine sees it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicDataVersion(models.Model):
    """A random token that changes whenever the public data of one scope changes.

    Scope 0 is the whole site (every public page shows several editions: menus, pickers, the home page);
    any other scope is an edition's primary key (its participant data and exports). The token is new and
    random at every change, so a cache entry keyed by it can never be mistaken for one built from other
    data, even after a database is reset or a transaction rolled back while a cache kept its entries.

    The row is moved by the same transaction as the change (pages/signals.py), so a reader that sees the
    new token also sees the new data. pages/versioning.py reads and moves the rows.
    """

    SITE = 0

    scope = models.PositiveBigIntegerField(primary_key=True)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("public data version")

    def __str__(self) -> str:
        return f"{'site' if self.scope == self.SITE else f'edition #{self.scope}'}: {self.token}"
