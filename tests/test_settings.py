"""Settings read from the environment, checked by starting Django in a fresh process as a server would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import environ
import pytest

from poltwt import config

ROOT = Path(__file__).resolve().parent.parent

PROBE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), 'debug': settings.DEBUG, "
    "'cache': settings.CACHES['default']['BACKEND'], 'email': settings.EMAIL_BACKEND, "
    "'cache_dir': settings.CACHES['default'].get('LOCATION'), "
    "'ratelimit_dir': settings.CACHES[settings.RATELIMIT_USE_CACHE].get('LOCATION')}))"
)


def start_django(**overrides: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in overrides}
    # Start from a production-like environment, not the test defaults.
    for key in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "CACHE_URL", "EMAIL_URL"):
        env.pop(key, None)
    env.update({"DJANGO_SETTINGS_MODULE": "poltwt.settings", **overrides})
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_defaults_are_sqlite_console_email_and_a_file_cache_with_debug_off():
    result = start_django(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["engine"] == "django.db.backends.sqlite3"
    assert probe["name"] == str(ROOT / "db.sqlite3")
    assert probe["debug"] is False
    # Shared by the processes of the machine, with rate-limit counts apart from the pages.
    assert probe["cache"] == "poltwt.cache.FileCache"
    assert probe["cache_dir"] == str(ROOT / "var" / "cache" / "default")
    assert probe["ratelimit_dir"] == str(ROOT / "var" / "cache" / "ratelimit")
    assert probe["email"] == "django.core.mail.backends.console.EmailBackend"


def test_cache_dir_moves_the_file_cache(tmp_path):
    result = start_django(SECRET_KEY="x" * 50, CACHE_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cache_dir"] == str(tmp_path / "default")


def test_a_filecache_url_gets_counts_that_hold_across_processes(tmp_path):
    result = start_django(SECRET_KEY="x" * 50, CACHE_URL=f"filecache://{tmp_path}")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cache"] == "poltwt.cache.FileCache"


def test_postgres_url_selects_postgresql():
    result = start_django(SECRET_KEY="x" * 50, DATABASE_URL="postgres://postgres@127.0.0.1:5432/poltwt")
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.postgresql"' in result.stdout
    assert '"name": "poltwt"' in result.stdout


def test_redis_cache_url_selects_redis():
    result = start_django(SECRET_KEY="x" * 50, CACHE_URL="redis://127.0.0.1:6379/1")
    assert result.returncode == 0, result.stderr
    assert "redis.RedisCache" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"SECRET_KEY": "x" * 50, "DATABASE_URL": "mysqlx://nope"}, "DATABASE_URL"),
        ({"SECRET_KEY": "x" * 50, "DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://127.0.0.1:5432/"}, "DATABASE_URL"),
        ({"SECRET_KEY": "x" * 50, "GEOCODER": "nominatim"}, "GEOCODER_USER_AGENT"),
    ],
)
def test_bad_production_configuration_stops_with_one_line_naming_the_variable(overrides, named):
    result = start_django(**overrides)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert named in lines[0]


def run(code: str, **overrides: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY")}
    env.update({"DJANGO_SETTINGS_MODULE": "poltwt.settings", **overrides})
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_web_server_without_a_secret_key_stops_with_one_line():
    result = run("import poltwt.wsgi")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == [f"poltwt configuration error: {config.MISSING_SECRET_KEY}"]
    assert run("import poltwt.wsgi", SECRET_KEY="x" * 50).returncode == 0


def test_without_a_secret_key_nothing_is_signed_but_commands_that_sign_nothing_run():
    signing = run("import django; django.setup(); from django.core import signing; signing.dumps('x')")
    assert signing.returncode != 0
    assert "The SECRET_KEY setting must not be empty" in signing.stderr
    check = run(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('makemigrations', '--check', '--dry-run')"
    )
    assert check.returncode == 0, check.stderr


def test_debug_runs_without_a_secret_key():
    result = start_django(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert '"debug": true' in result.stdout


def test_sqlite_waits_for_the_write_lock_instead_of_failing(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)  # the PostgreSQL run of the suite sets it
    db = config.database(environ.Env(), default="sqlite:////tmp/poltwt-test.sqlite3")
    assert db["OPTIONS"] == {"timeout": 20, "transaction_mode": "IMMEDIATE"}


def test_production_static_files_are_hashed_and_compressed(tmp_path):
    """collectstatic with the production storage: every asset, CDN-free, hashed and precompressed."""
    root = tmp_path / "static"
    env = {key: value for key, value in os.environ.items() if key != "STATICFILES_STORAGE"}
    env.update(DJANGO_SETTINGS_MODULE="poltwt.settings", STATIC_ROOT=str(root))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    for asset in (
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet-markercluster/leaflet.markercluster.js",
        "js/participant-map.js",
        "basemap/countries-110m.geojson",
    ):
        hashed = manifest[asset]
        assert hashed != asset and (root / hashed).exists()
    assert (root / (manifest["css/poltwt.css"] + ".gz")).exists()
    assert (root / (manifest["css/poltwt.css"] + ".br")).exists()
