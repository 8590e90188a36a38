from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from pages.views import language
from poltwt.adminsite import OrganizerAdminSite
from poltwt.health import HealthView

# Every ModelAdmin registers on admin.site; giving it our class adds two-factor sign-in (django-otp's way).
admin.site.__class__ = OrganizerAdminSite

admin.site.site_header = _("poltwt organizers")
admin.site.site_title = _("poltwt admin")
admin.site.index_title = _("Global Police Tweet-a-thon")

# The admin follows the organizer's language (cookie, else Accept-Language) without a prefix. Every page
# a visitor or registrant reads, and the exports, live under /<language>/ (/en/map/, /es/participants.csv):
# each URL has one language, so responses are the same for everyone and can be cached by URL. An address
# without a prefix ("/", "/map/") redirects to the visitor's language (LocaleMiddleware).
urlpatterns = [
    # For load balancers and monitoring; outside any language prefix. Answers 500 when a check fails.
    path("healthz", HealthView.as_view(), name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("pages.site_urls")),
    path("language/<str:code>/", language.switch_language, name="switch_language"),
    *i18n_patterns(
        path("", include("pages.urls")),
        path("", include("registrations.urls")),
        prefix_default_language=True,
    ),
]

handler400 = "poltwt.views.bad_request"
