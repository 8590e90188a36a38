from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from health_check.views import HealthCheckView

from poltwt.adminsite import OrganizerAdminSite

# Every ModelAdmin registers on admin.site; giving it our class adds two-factor sign-in (django-otp's way).
admin.site.__class__ = OrganizerAdminSite
admin.site.site_header = "poltwt organizers"
admin.site.site_title = "poltwt admin"
admin.site.index_title = "Global Police Tweet-a-thon"

urlpatterns = [
    # For load balancers and monitoring; outside any language prefix. Answers 500 when a check fails.
    path(
        "healthz",
        HealthCheckView.as_view(
            checks=["health_check.checks.Database", "health_check.checks.Cache", "poltwt.health.QueueAge"]
        ),
        name="healthz",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("pages.urls")),
    path("", include("registrations.urls")),
]

handler400 = "poltwt.views.bad_request"
