"""WSGI entry point for gunicorn: `gunicorn poltwt.wsgi`."""

import os
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from poltwt import checks, config

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poltwt.settings")

try:
    # Django raises on reading an empty key. A server must not start without it: one line, no traceback.
    settings.SECRET_KEY  # noqa: B018
except ImproperlyConfigured:
    sys.exit(f"poltwt configuration error: {config.MISSING_SECRET_KEY}")

application = get_wsgi_application()

# gunicorn runs no system checks: a server without its compiled catalogues would answer every language in
# English, so it does not start.
for error in checks.catalogues_compiled():
    sys.exit(f"poltwt configuration error: {error.msg} {error.hint}")
