"""Organizer sign-in: lockout after repeated failures (django-axes) and TOTP two-factor (django-otp)."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def organizer_account(settings):
    settings.AXES_FAILURE_LIMIT = 5
    return UserFactory(username="lead", is_staff=True, is_superuser=True)


def sign_in(client: Client, password: str, **extra: str):
    return client.post(
        reverse("admin:login"),
        {"username": "lead", "password": password, "next": reverse("admin:index"), **extra},
    )


def signed_in(client: Client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


def test_wrong_passwords_are_refused_then_the_account_locks_even_for_the_right_one(organizer_account):
    client = Client(REMOTE_ADDR="203.0.113.9")
    accepted = 0
    for attempt in range(5):
        response = sign_in(client, f"guess-{attempt}")
        accepted += response.status_code == 302
        if attempt < 4:
            assert response.status_code == 200, attempt  # the form again, with its error
            assert "Please enter the correct username and password" in response.content.decode()
        else:
            assert response.status_code == 429  # the fifth failure locks the account at this address
    print(f"\nwrong passwords accepted before the lockout: {accepted}")
    assert accepted == 0 and not signed_in(client)

    locked = sign_in(client, PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed sign-ins" in page and "even the right password is refused" in page
    assert not signed_in(client)

    # The same account from another address, and another account from this one, are not locked.
    assert sign_in(Client(REMOTE_ADDR="198.51.100.20"), PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(organizer_account, settings):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for attempt in range(5):
        sign_in(client, f"guess-{attempt}")
    assert sign_in(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(1))
    assert sign_in(client, PASSWORD).status_code == 302
    assert signed_in(client)


def test_lockouts_are_listed_and_reset_in_the_admin(organizer_account):
    for attempt in range(5):
        sign_in(Client(REMOTE_ADDR="203.0.113.9"), f"guess-{attempt}")
    [attempt] = AccessAttempt.objects.all()
    other = UserFactory(username="other", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(other)
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert "203.0.113.9" in listing.content.decode() and "lead" in listing.content.decode()
    admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    assert sign_in(Client(REMOTE_ADDR="203.0.113.9"), PASSWORD).status_code == 302


def test_with_otp_required_the_password_alone_is_not_enough(organizer_account, settings, capsys):
    settings.OTP_REQUIRED = True
    client = Client()
    response = sign_in(client, PASSWORD)
    assert not signed_in(client)
    assert response.status_code == 200
    call_command("add_totp_device", "lead")
    assert "otpauth://totp/" in capsys.readouterr().out
    device = TOTPDevice.objects.get(user=organizer_account)
    assert sign_in(client, PASSWORD, otp_token="000000").status_code == 200
    assert not signed_in(client)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert sign_in(client, PASSWORD, otp_device=device.persistent_id, otp_token=code).status_code == 302
    assert signed_in(client)


def test_without_otp_required_development_sign_in_works(organizer_account, settings):
    settings.OTP_REQUIRED = False
    client = Client()
    assert sign_in(client, PASSWORD).status_code == 302
    assert signed_in(client)


def test_an_ipv6_network_is_locked_out_as_one_client(organizer_account, settings):
    settings.BEHIND_PROXY = True
    for n in range(5):
        for attempt in range(4):
            sign_in(
                Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"2001:db8:1:2::{n + 1}"), f"g{attempt}"
            )
    same_network = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8:1:2::ff")
    assert sign_in(same_network, PASSWORD).status_code == 429
    assert not signed_in(same_network)
    # What is stored is an address (the network's first), valid for PostgreSQL's inet as for SQLite.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"2001:db8:1:2::"}
    other_network = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8:1:3::1")
    assert sign_in(other_network, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("hop", "stored"),
    [
        ("[2001:db8::1]", "2001:db8::"),
        ("[2001:db8::1]:443", "2001:db8::"),
        ("198.51.100.77:40000", "198.51.100.77"),
    ],
)
def test_a_forwarded_hop_with_brackets_or_a_port_is_normalised(organizer_account, settings, hop, stored):
    settings.BEHIND_PROXY = True
    response = sign_in(Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=hop), "wrong")
    assert response.status_code == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [stored]


@pytest.mark.parametrize(
    "hop", ["not-an-address", "999.1.1.1", "[2001:db8::1", "2001:db8::1:99999", "unknown"]
)
def test_a_malformed_forwarded_hop_is_a_bad_request(organizer_account, settings, hop):
    settings.BEHIND_PROXY = True
    response = sign_in(Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=hop), "wrong")
    assert response.status_code == 400
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize("page", ["config", "qrcode"])
def test_an_unknown_totp_device_is_not_found_not_a_server_error(client, page):
    """django-otp's config and QR-code pages looked the device up with .get(): any unknown id gave a 500
    (found by bench/bench_fuzz.py). A known device's configuration still opens."""
    chief = UserFactory(username="otp-chief", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=chief, name="phone")
    client.force_login(chief)
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk + 1}/{page}/").status_code == 404
    assert client.get(f"/admin/otp_totp/totpdevice/{'9' * 30}/{page}/").status_code == 404
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 200
