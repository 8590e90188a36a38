"""Shared by the benches that need a real server (a helper, not a benchmark): a throwaway SQLite database
seeded with `manage.py loaddemo`, and gunicorn on loopback, stopped whatever happens.

The server runs as production does (DEBUG off, the whole middleware stack, a cache shared by the workers:
Redis, or the embedded default, files in the run's directory) except for plain HTTP and plain static
storage. Redis keys carry a per-run prefix and are deleted when the server stops; the Redis database (15)
is never flushed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
GUNICORN = Path(sys.executable).with_name("gunicorn")
REDIS_URL = "redis://127.0.0.1:6379/15"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def production_env(workdir: str, *, cache: str = "redis", **extra: str) -> dict[str, str]:
    """Environment for manage.py and gunicorn. cache: "redis", "default" (the embedded file cache, no
    CACHE_URL; its files in workdir) or "locmem" (one per worker)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "poltwt.settings",
            "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "STATIC_ROOT": f"{workdir}/static",
            "EMAIL_URL": "consolemail://",
            "GEOCODER": "offline",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.pop("BENCH_CACHE_KEY_PREFIX", None)
    env.pop("PUBLIC_PAGE_CACHE_RECHECK", None)
    if cache == "redis":
        env["CACHE_URL"] = REDIS_URL
        env["BENCH_CACHE_KEY_PREFIX"] = f"poltwt-bench-{uuid.uuid4().hex[:12]}"
    elif cache == "default":
        env.pop("CACHE_URL", None)
        env["CACHE_DIR"] = f"{workdir}/cache"
    else:
        env["CACHE_URL"] = "locmemcache://"
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    # Seeding and migrating use a private locmem cache: nothing of theirs lands in Redis.
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**env, "CACHE_URL": "locmemcache://"},
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=600,
    )


def seed(env: dict[str, str], participants: int, *, collectstatic: bool = False) -> None:
    manage(env, "migrate", "-v0")
    manage(env, "loaddemo", "--participants", str(participants))
    if collectstatic:
        manage(env, "collectstatic", "--noinput", "-v0")


def paths(env: dict[str, str], *names: str) -> list[str]:
    """The paths of these URL names (reverse(), so that a language prefix is included when there is one)."""
    code = (
        "import django, sys; django.setup(); from django.urls import reverse; "
        "print('\\n'.join(reverse(name) for name in sys.argv[1:]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=ROOT,
        env={**env, "CACHE_URL": "locmemcache://"},
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.split()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our loopback URL
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextmanager
def gunicorn(
    env: dict[str, str], workdir: str, *, workers: int = 2, port: int | None = None, threads: int = 0
) -> Iterator[str]:
    """Run gunicorn on a loopback port (any free one if none is given); yield its base URL. Sync workers,
    or with ``threads`` gthread workers of that many threads each, as production (poltwt/gunicorn.py).

    Always stopped at the end."""
    port = port or free_port()
    log_path = Path(workdir) / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "_bare_wsgi:application",
                "--chdir",
                str(ROOT),
                "--pythonpath",
                str(BENCH),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--graceful-timeout",
                "5",
                *(["--worker-class", "gthread", "--threads", str(threads)] if threads else []),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{log_path.read_text()[-3000:]}")
            try:
                if get(base + "/__bench_bare__", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        if process.poll() is None:
            # Only the arbiter we started, by its id; it stops its own workers.
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: the arbiter and its workers
                process.wait(STOP_TIMEOUT)
        clear_redis_keys(env)


def clear_redis_keys(env: dict[str, str]) -> int:
    prefix = env.get("BENCH_CACHE_KEY_PREFIX")
    if not prefix or not env.get("CACHE_URL", "").startswith("redis"):
        return 0
    import redis

    client = redis.Redis.from_url(env["CACHE_URL"])
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)
