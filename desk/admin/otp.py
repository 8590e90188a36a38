"""TOTP devices in the admin: django-otp's own pages, except that a device that does not exist is "not
found". Its config and QR-code views look the device up with .get(), so any unknown id gave a 500."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django_otp.plugins.otp_totp import admin as otp_totp_admin
from django_otp.plugins.otp_totp.models import TOTPDevice


class TOTPDeviceAdmin(otp_totp_admin.TOTPDeviceAdmin):
    def config_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._exists_or_404(pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._exists_or_404(pk)
        return super().qrcode_view(request, pk)

    @staticmethod
    def _exists_or_404(pk: int) -> None:
        if not TOTPDevice.objects.filter(pk=pk).exists():
            raise Http404(gettext("No TOTP device with id %(id)s.") % {"id": pk})


admin.site.unregister(TOTPDevice)  # registered by django-otp's admin module, imported above
admin.site.register(TOTPDevice, TOTPDeviceAdmin)
