from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for development and benchmarks (``manage.py loaddemo``): never needed in production."""

    name = "demo"
    verbose_name = "Demo data"
