"""poltwt settings: one module, every value read from the environment (see .env.example)."""

from __future__ import annotations

import datetime as dt
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
    CACHES = config.caches(env, default_dir=BASE_DIR / "var" / "cache")
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
    # Before django.contrib.admin: the desk's admin templates (index, base_site) take the place of Django's.
    "desk",
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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "health_check",
    "poltwt.apps.PoltwtConfig",
    # Ours, from the machinery below every app up to the rooms above: jobs <- geo <- events <-
    # registrations <- desk and pages; demo loads demo data (manage.py loaddemo).
    "jobs",
    "geo",
    "events",
    "registrations",
    "pages",
    "demo",
]

MIDDLEWARE = [
    # A cached public page is answered here, skipping everything below (pages/cache.py). Only a 200 to a
    # request that went through the whole chain is stored, with the headers the security middleware added,
    # under a key holding the scheme and the whole URL: a request the checks below refuse (or redirect to
    # HTTPS) finds nothing.
    "pages.cache.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Malformed query strings and form bodies get a 400 page before anything reads them.
    "poltwt.middleware.MalformedInputMiddleware",
    # In development without SITE_URL: remember the address the site was reached on (poltwt/siteurl.py).
    "poltwt.siteurl.RequestOriginMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session, before CommonMiddleware (Django's order): picks the language from the URL prefix,
    # else the language cookie, else Accept-Language, and redirects "/" to "/<language>/".
    "django.middleware.locale.LocaleMiddleware",
    # Right-to-left pages: hashtags, handles, URLs and times isolated as left-to-right (poltwt/bidi.py).
    "poltwt.bidi.LtrIsolationMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Django's CsrfViewMiddleware, letting the no-referrer private pages post their own forms.
    "poltwt.middleware.PrivatePageCsrfMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "pages.context_processors.preview_card",
                "pages.context_processors.contact",
            ],
        },
    },
]

# Organizer accounts. django-axes counts failed logins per account and client (an IPv4 address or an IPv6
# /64, as the rate limits count) and refuses even the right password during the cool-off; lockouts are
# listed (and deleted to reset) in the admin under Axes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "poltwt.ratelimit.lockout_address"
AXES_VERBOSE = False
# Two-factor sign-in (TOTP, django-otp) for the admin: with OTP_REQUIRED on, every organizer needs a
# confirmed authenticator device (manage.py add_totp_device) and its code to sign in. On in production.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="poltwt")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Every language the site speaks, each named in itself (the language switcher shows these names).
# Adding one: one line here and a poltwt/locale/<code>/LC_MESSAGES/django.po (see the README, "Languages").
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("nl", "Nederlands"),
    ("pt", "Português"),
    ("it", "Italiano"),
    ("ar", "العربية"),
]
LANGUAGES_BIDI = ["ar", "he", "fa", "ur"]
# Inside the package: `pip install .` compiles the catalogues and installs them with the code
# (poltwt/checks.py stops the start when a .mo is missing or older than its .po).
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
# Our English date formats ("Friday 19 March 2027"); every other language uses Django's for it.
FORMAT_MODULE_PATH = ["poltwt.formats"]
# The visitor's choice (language switcher) is kept a year; public pages never read it (their URL names
# the language), only "/" and the other unprefixed addresses do.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
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
    # Not used by the site: bench/bench_map_browser.py compares the map with a bare MarkerCluster page.
    ("vendor/leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": env.str("STATICFILES_STORAGE", default="poltwt.storage.StaticFilesStorage")},
}

# Email
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="poltwt <noreply@poltwt.example>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The organizers' own address: in every page's footer, the Reply-To of every email, and in the messages
# that tell people to write to the organizers.
ORGANIZERS_EMAIL = env.str("ORGANIZERS_EMAIL", default="organizers@poltwt.example")

# Background work: inline in development and tests; the database queue (manage.py worker) in production.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend")
    }
}
# A worker (manage.py worker) writes a heartbeat every WORKER_HEARTBEAT_SECONDS; tasks left running by a
# worker silent for WORKER_TIMEOUT_SECONDS (it died) are queued again. Tasks of a plain db_worker (no
# heartbeat) are queued again after TASK_ORPHAN_SECONDS running.
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=10.0)
WORKER_TIMEOUT_SECONDS = env.float("WORKER_TIMEOUT_SECONDS", default=60.0)
TASK_ORPHAN_SECONDS = env.float("TASK_ORPHAN_SECONDS", default=6 * 3600.0)
# How long the outbox (jobs/outbox.py) holds the emails a run claimed, mailings' and reminders' alike: after
# a crash, the unsent ones are taken over when this runs out. Longer than one email can take (EMAIL_TIMEOUT).
OUTBOX_LEASE_SECONDS = env.float("OUTBOX_LEASE_SECONDS", default=300.0)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# /healthz fails when the oldest task waiting in the queue is older than this (no worker is running).
HEALTH_QUEUE_MAX_AGE_SECONDS = env.float("HEALTH_QUEUE_MAX_AGE_SECONDS", default=600.0)

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
# W003 looks for CsrfViewMiddleware by name; PrivatePageCsrfMiddleware (poltwt/middleware.py) is that
# class with one exception (Origin: null on the no-referrer private pages, token still required).
SILENCED_SYSTEM_CHECKS = ["security.W003"]
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    # Behind a TLS-terminating proxy that sets these headers (and strips them from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# Rate limits per client address (django-ratelimit counts in the default cache, shared by the workers:
# the embedded file cache on one machine, CACHE_URL=redis://... across machines). Behind a proxy, set
# BEHIND_PROXY=1.
RATELIMIT_USE_CACHE = "ratelimit"
RATE_LIMIT_SIGNUP = env.str("RATE_LIMIT_SIGNUP", default="20/h")
RATE_LIMIT_LINKS = env.str("RATE_LIMIT_LINKS", default="60/h")

# Public pages and exports in the default cache (pages/cache.py), keyed by the public data version kept in
# the database (pages/versioning.py): each process reads the version at most once per
# PUBLIC_PAGE_CACHE_RECHECK seconds (how long a change may take to show; browsers' max-age), and a page
# showing the time is at most PUBLIC_PAGE_CACHE_SECONDS old (the entries' lifetime; HTTP caches' s-maxage).
PUBLIC_PAGE_CACHE_SECONDS = env.float("PUBLIC_PAGE_CACHE_SECONDS", default=60.0)
PUBLIC_PAGE_CACHE_RECHECK = env.float("PUBLIC_PAGE_CACHE_RECHECK", default=1.0)
# Data built per public data version (participant lists, GeoJSON, share images) stays this long in the
# shared cache: a version superseded by a change is gone within minutes, not kept a day.
PUBLIC_DATA_CACHE_SECONDS = env.float("PUBLIC_DATA_CACHE_SECONDS", default=600.0)
# A page larger than this is not stored by the page cache (its data is cached behind the view anyway).
PUBLIC_PAGE_CACHE_MAX_ENTRY_BYTES = env.int("PUBLIC_PAGE_CACHE_MAX_ENTRY_BYTES", default=1024 * 1024)

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
        # Public pages load scripts from our static files only ('self'; the map's inline script is added
        # by its hash), so they are the same for everyone; admin pages may still use the nonce.
        "script-src": [SELF, NONCE],
        # Leaflet and folium position elements with inline style attributes.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", *([_tiles_origin] if _tiles_origin else [])],
        "connect-src": [SELF],
        # The map clusters its participants in a Web Worker (static/js/participant-map-worker.js).
        "worker-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Every handler carries the token filter (poltwt/logredact.py): handler filters see the records of every
# logger that reaches them, django.request and django.server included (they propagate to "django").
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "poltwt.logredact.RedactTokensFilter"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

ADMIN_URL = env.str("ADMIN_URL", default="admin/")

# Geocoding (geo/geocoding.py). "offline" needs no network; "nominatim" or any geopy geocoder
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
