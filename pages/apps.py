from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Public pages"

    def ready(self) -> None:
        from pages import signals  # noqa: F401 - connects the receivers
