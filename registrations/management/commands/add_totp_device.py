"""Give an organizer an authenticator (TOTP) device for two-factor sign-in, and print its setup link.

With OTP_REQUIRED on, an organizer without a confirmed device cannot sign in at all: this is how the first
organizers get one (later ones can be given one in the admin, under "TOTP devices").
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Create a TOTP device for a staff user and print the otpauth:// link to scan into an app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--name", default="authenticator", help="Name of the device (default: %(default)s)."
        )

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username, is_staff=True).first()
        if user is None:
            raise CommandError(f"No staff user named {username!r}.")
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        self.stdout.write("Scan this link (as a QR code) or enter its secret in an authenticator app:")
        self.stdout.write(device.config_url)
