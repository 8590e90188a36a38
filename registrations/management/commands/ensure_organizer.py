"""Create (or reset) the development organizer account and print its password.

For `make run` only: it refuses to run with DEBUG off, so it can never reset a production password.
"""

from __future__ import annotations

import secrets

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create or reset the 'organizer' superuser for local development and print its password."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="organizer")

    def handle(self, *args, username: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "ensure_organizer is for development (DEBUG=1); use createsuperuser in production."
            )
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@poltwt.example"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        # A fresh password starts with a clean slate: lift any lockout of this account (django-axes).
        AccessAttempt.objects.filter(username=username).delete()
        self.stdout.write(
            self.style.SUCCESS(
                f"Organizer login for http://127.0.0.1:8000/{settings.ADMIN_URL}: "
                f"username '{username}', password '{password}'"
            )
        )
