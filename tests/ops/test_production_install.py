"""The README's production steps, from a copy of the checkout without any compiled catalogue: `pip install .`
into a new virtual environment, `migrate` and `collectstatic` on SQLite, gunicorn as the Procfile runs it.
A Spanish visitor must be answered in Spanish, and the wheel must carry the compiled catalogues.

Slow (a real install, about a minute), and needs the package index that `make` uses.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

from tests.ops.processes import ROOT, stop

LANGUAGES = ("ar", "de", "es", "fr", "it", "nl", "pt")


def checkout_copy(target: Path) -> Path:
    """The files git knows (committed or new, not ignored): what a fresh clone of this tree holds."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "install-test-secret-key-not-for-production-use-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "CACHE_URL": "locmemcache://",
            "EMAIL_URL": "consolemail://",
            "SECURE_SSL_REDIRECT": "0",
            "SITE_URL": "http://127.0.0.1",
            "LOG_LEVEL": "WARNING",
            **extra,
        }
    )
    return env


def run(args: list[str], *, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert done.returncode == 0, f"{args}: {done.stdout[-3000:]}{done.stderr[-3000:]}"


def wait_for(url: str, server: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise AssertionError(log.read_text()) from None
            time.sleep(0.2)


def test_the_readme_production_steps_answer_a_spanish_visitor_in_spanish(tmp_path):
    source = checkout_copy(tmp_path / "poltwt")
    assert not list(source.glob("poltwt/locale/*/LC_MESSAGES/*.mo"))  # nothing compiled beforehand
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path, env=dict(os.environ))
    python = str(venv / "bin" / "python")
    env = production_env(tmp_path)
    # As the Makefile does: the pip that a venv brings may predate --build-constraint.
    run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], cwd=tmp_path, env=env)
    # The README's step 2, with the Makefile's build constraint (the XStatic sdists need setuptools < 81).
    run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--build-constraint",
            "requirements/build-constraints.txt",
            ".",
        ],
        cwd=source,
        env=env,
    )
    run([python, "manage.py", "migrate", "--noinput"], cwd=source, env=env)
    run([python, "manage.py", "collectstatic", "--noinput"], cwd=source, env=env)

    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 - the Procfile's web process
            [str(venv / "bin" / "gunicorn"), "-c", "python:poltwt.gunicorn", "poltwt.wsgi"],
            cwd=source,
            env=production_env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1"),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            page = wait_for(f"http://127.0.0.1:{port}/es/register/agency/", server, log)
        finally:
            stop(server)
    # A fresh database has no edition open for sign-up: the page says so, in Spanish.
    assert 'lang="es"' in page
    assert "La inscripción está cerrada" in page, page[:3000]
    assert "Estadísticas" in page
    assert "Sign-up is closed" not in page

    # The installed package, away from the checkout, carries every compiled catalogue too.
    installed = subprocess.run(  # noqa: S603
        [python, "-c", "import poltwt, pathlib; print(pathlib.Path(poltwt.__file__).parent)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert "site-packages" in installed
    for language in LANGUAGES:
        assert (Path(installed) / "locale" / language / "LC_MESSAGES" / "django.mo").stat().st_size > 1000


def test_a_wheel_built_from_the_repository_carries_the_compiled_catalogues(tmp_path):
    source = checkout_copy(tmp_path / "poltwt")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--build-constraint",
            "requirements/build-constraints.txt",
            "--wheel-dir",
            str(tmp_path / "dist"),
            ".",
        ],
        cwd=source,
        env=dict(os.environ),
    )
    (wheel,) = (tmp_path / "dist").glob("poltwt-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for language in LANGUAGES:
        assert f"poltwt/locale/{language}/LC_MESSAGES/django.mo" in names
