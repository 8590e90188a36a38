"""The organizers' admin site: Django's, with TOTP two-factor sign-in when OTP_REQUIRED is on."""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django_otp.admin import OTPAdminAuthenticationForm


class OrganizerAdminSite(AdminSite):
    """Read OTP_REQUIRED per request (not at import), so tests and operators can switch it."""

    @property
    def login_form(self):  # type: ignore[override]
        return OTPAdminAuthenticationForm if settings.OTP_REQUIRED else None

    @property
    def login_template(self):  # type: ignore[override]
        return "otp/admin111/login.html" if settings.OTP_REQUIRED else None

    def has_permission(self, request: HttpRequest) -> bool:
        allowed = super().has_permission(request)
        if allowed and settings.OTP_REQUIRED:
            return request.user.is_verified()
        return allowed
