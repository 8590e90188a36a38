from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "poltwt organizers"
admin.site.site_title = "poltwt admin"
admin.site.index_title = "Global Police Tweet-a-thon"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("pages.site_urls")),
    path("", include("pages.urls")),
    path("", include("registrations.urls")),
]
