"""The system check that stops a start without compiled, current translation catalogues (poltwt/checks.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from poltwt import catalogues, checks
from tests.ops.processes import ROOT

PO = b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Map"\nmsgstr "Mapa"\n'


@pytest.fixture
def catalogue(tmp_path, settings):
    po = tmp_path / "es" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(PO)
    settings.LOCALE_PATHS = [tmp_path]
    return po


def ids(errors) -> list[str]:
    return [error.id for error in errors]


def test_a_missing_catalogue_stops_the_start(catalogue):
    errors = checks.catalogues_compiled()
    assert ids(errors) == ["poltwt.E001"]
    assert "django.mo is missing" in errors[0].msg
    with pytest.raises(SystemCheckError, match=r"poltwt\.E001"):
        call_command("check", deploy=True)


def test_a_catalogue_older_than_its_po_stops_the_start(catalogue):
    catalogues.compile_all(catalogue.parents[2])
    assert checks.catalogues_compiled() == []
    mo = catalogue.with_suffix(".mo")
    os.utime(mo, (mo.stat().st_mtime - 60,) * 2)
    (error,) = checks.catalogues_compiled()
    assert "older than its .po" in error.msg


def test_the_project_catalogues_pass_the_check():
    assert checks.catalogues_compiled() == []  # `make test` compiled them


def test_gunicorn_does_not_start_without_the_catalogues(tmp_path):
    """gunicorn runs no system checks: the WSGI module runs this one."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "poltwt.settings",
        "POLTWT_TEST_LOCALE": str(tmp_path),
    }
    (tmp_path / "es" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "es" / "LC_MESSAGES" / "django.po").write_bytes(PO)
    code = (
        "import django.conf, os; from pathlib import Path; import poltwt.settings as s; "
        "s.LOCALE_PATHS = [Path(os.environ['POLTWT_TEST_LOCALE'])]; import poltwt.wsgi"
    )
    done = subprocess.run(  # noqa: S603 - our interpreter
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "django.mo is missing" in done.stderr
