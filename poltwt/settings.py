"""poltwt settings: one module, every value read from the environment (see .env.example)."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
import xstatic.pkg.bootstrap
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from csp.constants import NONCE, NONE, SELF

from poltwt import config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

try:
    SECRET_KEY = config.secret_key(env, debug=DEBUG)
    DATABASES = {"default": config.database(env, default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
    CACHES = {"default": config.cache(env)}
    vars().update(config.email(env))
except config.ConfigError as exc:
    # One line naming the variable, not a traceback (manage.py, gunicorn and pytest alike).
    sys.exit(f"poltwt configuration error: {exc}")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Public address of the site, used in links that leave the request: emails (confirmation, manage,
# invitations), calendar files, preview cards, the sitemap. Set it in production. In development (DEBUG)
# an empty value means "the address the site was reached on" (poltwt/siteurl.py).
SITE_URL = env.str("SITE_URL", default="").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "events",
    "registrations",
    "pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # In development without SITE_URL: remember the address the site was reached on (poltwt/siteurl.py).
    "poltwt.siteurl.RequestOriginMiddleware",
    # Then: a cached public page skips session, CSRF, auth and CSP (pages/pagecache.py).
    "pages.pagecache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "poltwt.urls"
WSGI_APPLICATION = "poltwt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "pages.context_processors.preview_card",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Static files: our own under static/, Bootstrap and Leaflet straight from their PyPI packages.
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
    ("vendor/leaflet", xstatic.pkg.leaflet.BASE_DIR),
    ("vendor/leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": env.str("STATICFILES_STORAGE", default="poltwt.storage.StaticFilesStorage")},
}

# Email
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="poltwt <noreply@poltwt.example>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Background work: inline in development and tests; the database queue (manage.py db_worker) in production.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend")
    }
}

# Security. HTTPS settings default on whenever DEBUG is off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    # Behind a TLS-terminating proxy that sets these headers (and strips them from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# Rate limits per client address (django-ratelimit counts in the default cache, so production needs a
# cache shared by all workers: CACHE_URL=redis://...). Behind a proxy, set BEHIND_PROXY=1.
RATE_LIMIT_SIGNUP = env.str("RATE_LIMIT_SIGNUP", default="20/h")
RATE_LIMIT_LINKS = env.str("RATE_LIMIT_LINKS", default="60/h")

# Whole public pages kept per process for anonymous visitors (pages/pagecache.py): at most this
# many seconds old, and the shared data version checked at most once per PUBLIC_PAGE_CACHE_RECHECK seconds.
PUBLIC_PAGE_CACHE_SECONDS = env.float("PUBLIC_PAGE_CACHE_SECONDS", default=60.0)
PUBLIC_PAGE_CACHE_RECHECK = env.float("PUBLIC_PAGE_CACHE_RECHECK", default=1.0)

# Map tiles: any XYZ tile server; empty means the packaged country outlines alone.
MAP_TILES_URL = env.str("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env.str(
    "MAP_TILES_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
_tiles_origin = "{0.scheme}://{0.netloc}".format(urlsplit(MAP_TILES_URL)) if MAP_TILES_URL else None

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # Leaflet and folium position elements with inline style attributes.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", *([_tiles_origin] if _tiles_origin else [])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

ADMIN_URL = env.str("ADMIN_URL", default="admin/")

# Geocoding (registrations/geocoding.py). "offline" needs no network; "nominatim" or any geopy geocoder
# name switches provider without a code change. Nominatim's policy: one request a second for the whole
# application (GEOCODER_MIN_INTERVAL, shared through the database) and a User-Agent naming the app.
GEOCODER = env.str("GEOCODER", default="offline")
GEOCODER_USER_AGENT = env.str("GEOCODER_USER_AGENT", default="")
GEOCODER_DOMAIN = env.str("GEOCODER_DOMAIN", default="")
GEOCODER_SCHEME = env.str("GEOCODER_SCHEME", default="https")
GEOCODER_TIMEOUT = env.float("GEOCODER_TIMEOUT", default=5.0)
GEOCODER_OPTIONS = env.json("GEOCODER_OPTIONS", default={})
GEOCODER_MIN_INTERVAL = env.float("GEOCODER_MIN_INTERVAL", default=1.0 if GEOCODER == "nominatim" else 0.0)
if GEOCODER == "nominatim" and not GEOCODER_USER_AGENT:
    sys.exit("poltwt configuration error: GEOCODER=nominatim needs GEOCODER_USER_AGENT naming this site.")
