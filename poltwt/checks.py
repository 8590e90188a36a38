"""System checks of the project: the compiled translation catalogues.

Without a .mo, Django quietly serves English under /es/ and every other prefix; with a .mo older than its
.po, it serves yesterday's words. Both stop the start of a server instead: the WSGI application, which
gunicorn and runserver load, runs this check (poltwt/wsgi.py), and so does `check --deploy`. It is a
deploy check so that commands that serve nothing (makemigrations, makemessages) still run after a .po
was edited.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import checks

from poltwt import catalogues

FIX = "Run `make` or `python -m poltwt.catalogues compile` (`pip install .` does it on install)."


@checks.register(checks.Tags.translation, deploy=True)
def catalogues_compiled(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for locale_dir in map(Path, settings.LOCALE_PATHS):
        for po in catalogues.stale(locale_dir):
            mo = po.with_suffix(".mo")
            state = "is missing" if not mo.exists() else "is older than its .po"
            errors.append(
                checks.Error(f"The translation catalogue {mo} {state}.", hint=FIX, id="poltwt.E001")
            )
    return errors
