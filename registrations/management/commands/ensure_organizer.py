"""Create the development organizer account (or reset its password on request) and say how to log in.

For `make run` only: it refuses to run with DEBUG off, so it can never touch a production password.
An existing account keeps its password, so `make run` a second time does not log you out of a password
you wrote down; `--reset-password` makes a new one.
"""

from __future__ import annotations

import secrets

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the 'organizer' superuser for local development (or reset its password) and print it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="organizer")
        parser.add_argument(
            "--reset-password", action="store_true", help="Give an existing account a new password."
        )

    def handle(self, *args, username: str, reset_password: bool = False, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "ensure_organizer is for development (DEBUG=1); use createsuperuser in production."
            )
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@poltwt.example"}
        )
        user.is_staff = user.is_superuser = True
        admin_url = f"/{settings.ADMIN_URL}"
        # Running it means "let me in": lift any lockout of this account (django-axes).
        AccessAttempt.objects.filter(username=username).delete()
        if created or reset_password or not user.has_usable_password():
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Organizer login at {admin_url} (on the address runserver prints): "
                    f"username '{username}', password '{password}'"
                )
            )
            return
        user.save(update_fields=["is_staff", "is_superuser"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Organizer '{username}' exists and keeps its password (log in at {admin_url}). "
                "Forgot it? make reset-organizer (or manage.py ensure_organizer --reset-password)."
            )
        )
