"""Reading settings from the environment, with one clear line for each mistake.

A misconfigured production server should say which variable is wrong and stop, not print a
traceback that hides the cause. settings.py turns a ConfigError into SystemExit with that line.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import environ

SUPPORTED_DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


class ConfigError(Exception):
    """A setting read from the environment is missing or malformed."""


def database(env: environ.Env, *, default: str) -> dict[str, Any]:
    raw = env.str("DATABASE_URL", default=default)
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in SUPPORTED_DATABASE_SCHEMES:
        raise ConfigError(
            "DATABASE_URL must be sqlite:////path/to/db.sqlite3 or postgres://user@host:5432/name"
            + (f" (got a {scheme}:// URL)." if scheme else " (got something that is not a URL).")
        )
    try:
        with warnings.catch_warnings():
            # django-environ warns instead of failing on some malformed URLs; we fail with one line instead.
            warnings.simplefilter("ignore")
            config = environ.Env.db_url_config(raw)
    except Exception as exc:  # django-environ raises several types for bad URLs
        raise ConfigError(f"DATABASE_URL is not a valid database URL ({exc}).") from exc
    engine = config.get("ENGINE", "")
    if engine.endswith("sqlite3"):
        if not config.get("NAME"):
            raise ConfigError("DATABASE_URL names no SQLite file (expected sqlite:////path/to/db.sqlite3).")
        # IMMEDIATE makes concurrent writers queue for the lock instead of failing on upgrade;
        # the timeout lets them wait for it.
        config.setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    elif engine.endswith("postgresql"):
        if not config.get("NAME"):
            raise ConfigError("DATABASE_URL names no PostgreSQL database (postgres://user@host:5432/NAME).")
        config.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
        config.setdefault("CONN_HEALTH_CHECKS", True)
        # A server that accepts the connection and never answers would hold the request (and /healthz)
        # for ever: libpq gives up connecting after this many seconds.
        config.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
        )
    return config


MISSING_SECRET_KEY = "SECRET_KEY is not set; production needs a long random value (see .env.example)."  # noqa: S105 - a message, not a key


def secret_key(env: environ.Env, *, debug: bool) -> str:
    """The signing key. Only DEBUG may fall back to a throwaway one; production gets an empty key.

    An empty key fails closed: Django refuses to sign or check anything (sessions, CSRF, links) rather than
    use a guessable key. Commands that sign nothing (migrate, makemigrations) still run, and the web
    server stops at start-up with one line (poltwt/wsgi.py).
    """
    key = env.str("SECRET_KEY", default="")
    if key or not debug:
        return key
    return "insecure-development-key-only-for-debug"


FILE_CACHE = "poltwt.cache.FileCache"
# Django's file cache lists its directory before each write and, past MAX_ENTRIES, deletes a third of the
# entries at random. Pages and data: enough for every page in every language and edition.
FILE_CACHE_MAX_ENTRIES = 5000


def caches(env: environ.Env, *, default_dir: Path) -> dict[str, dict[str, Any]]:
    """The default cache, and the one rate limits count in (settings.RATELIMIT_USE_CACHE).

    CACHE_URL serves both; without it, both are files under CACHE_DIR, shared by the processes of this
    machine (poltwt/cache.py). The counts get a directory of their own so that pages stored for made-up
    URLs (any query string is a new URL) never push a count out of the cache.
    """
    raw = env.str("CACHE_URL", default="")
    if not raw:
        location = Path(env.str("CACHE_DIR", default=str(default_dir)))
        return {
            alias: {
                "BACKEND": FILE_CACHE,
                "LOCATION": str(location / alias),
                "OPTIONS": {"MAX_ENTRIES": FILE_CACHE_MAX_ENTRIES},
            }
            for alias in ("default", "ratelimit")
        }
    try:
        config = environ.Env.cache_url_config(raw)
    except Exception as exc:
        raise ConfigError(f"CACHE_URL is not a valid cache URL ({exc}).") from exc
    if config["BACKEND"].endswith("filebased.FileBasedCache"):
        config["BACKEND"] = FILE_CACHE  # the same files, with counts that hold across processes
    if config["BACKEND"].endswith("redis.RedisCache"):
        # redis-py waits for ever by default: a Redis that accepts connections and never answers would
        # hold every page (and /healthz). These bound connecting and each command.
        timeout = env.float("CACHE_TIMEOUT_SECONDS", default=2.0)
        config.setdefault("OPTIONS", {}).update(socket_connect_timeout=timeout, socket_timeout=timeout)
    return {"default": config, "ratelimit": dict(config)}


def email(env: environ.Env) -> dict[str, Any]:
    raw = env.str("EMAIL_URL", default="consolemail://")
    try:
        return environ.Env.email_url_config(raw)
    except Exception as exc:
        raise ConfigError(f"EMAIL_URL is not a valid email URL ({exc}).") from exc
