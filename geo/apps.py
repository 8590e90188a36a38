from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    """Addresses to points and time zones (geopy), with the cache and the provider's throttle."""

    name = "geo"
    verbose_name = _("Geocoding")
