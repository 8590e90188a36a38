from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = _("Public pages")

    def ready(self) -> None:
        from pages import checks, signals  # noqa: F401 - registers the checks, connects the receivers
