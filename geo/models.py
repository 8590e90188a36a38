"""What geocoding remembers: every provider answer, and when each provider may next be called."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GeocodeCacheEntry(models.Model):
    """A provider's answer for one normalised address, so the same address is never sent twice."""

    key = models.CharField(max_length=64, unique=True, help_text=_("SHA-256 of the normalised query"))
    query = models.TextField()
    found = models.BooleanField()
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    precision = models.CharField(max_length=10, blank=True)
    provider = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("geocode cache entries")

    def __str__(self) -> str:
        return self.query


class GeocoderThrottle(models.Model):
    """The next moment a provider may be called, shared by every process through the database."""

    provider = models.CharField(max_length=50, unique=True)
    next_slot_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.provider}: {self.next_slot_at.isoformat()}"
