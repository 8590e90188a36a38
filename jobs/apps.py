from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """The machinery below every app: recurring jobs, the worker's heartbeat and recovery, the outbox."""

    name = "jobs"
    verbose_name = _("Background jobs")
