from django.apps import AppConfig


class PoltwtConfig(AppConfig):
    """The project itself as an app: only for its system checks (poltwt/checks.py)."""

    name = "poltwt"
    verbose_name = "poltwt"

    def ready(self) -> None:
        from poltwt import checks  # noqa: F401 - registers the checks
