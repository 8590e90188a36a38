from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The organizers' desk: every ModelAdmin, the review and mailing pages, the dashboard.

    Listed before django.contrib.admin in INSTALLED_APPS so that its admin templates (index, base_site)
    take the place of Django's.
    """

    name = "desk"
    verbose_name = _("Organizers' desk")
