"""Addresses fixed by convention (robots.txt, sitemap.xml, favicon.ico): at the root, in no language."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from pages.sitemaps import SITEMAPS
from pages.views import site

urlpatterns = [
    path("robots.txt", site.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("favicon.ico", site.favicon, name="favicon"),
    path("site.webmanifest", site.web_manifest, name="web_manifest"),
]
