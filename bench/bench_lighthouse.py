"""Lighthouse scores of every public page, with Lighthouse's mobile profile (its default).

    .venv/bin/python bench/bench_lighthouse.py [--port 18500] [--participants 300] [--runs 1]
    .venv/bin/python bench/bench_lighthouse.py --url http://127.0.0.1:18500   # a server already running

Lighthouse 13 comes from npm: installed with `npm install lighthouse@13` into a scratch folder
(LIGHTHOUSE_DIR, default $TMPDIR/poltwt-lighthouse) the first time, then reused. It drives Debian's
Chromium (CHROME_PATH=/usr/bin/chromium, headless, no sandbox). Needs node and npm.

Server: unless --url is given, gunicorn (2 sync workers) on 127.0.0.1:PORT with production settings except
plain HTTP and plain static storage (collectstatic, served by WhiteNoise), MAP_TILES_URL="" (nothing waits
on the network), a throwaway SQLite file seeded with `loaddemo --running-now`, so the schedule and the map
show an edition on air. Goals (issue 14): accessibility 100, best practices and SEO at least 95,
performance at least 90. Prints one row per page, and the lowest score of each category.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import _server

CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GOALS = {"performance": 90, "accessibility": 100, "best-practices": 95, "seo": 95}
# (URL name, args, query): every public page a visitor can reach from the navigation or the home page.
PAGES = [
    ("pages:home", (), ""),
    ("pages:edition_list", (), ""),
    ("pages:schedule", (), ""),
    ("pages:participant_list", (), ""),
    ("pages:statistics", (), ""),
    ("pages:map", (), ""),
    ("pages:map_embed", (), ""),
    ("registrations:register", ("agency",), ""),
    ("registrations:register", ("officer",), ""),
    ("registrations:lost_link", (), ""),
]


def lighthouse_bin() -> Path:
    folder = Path(os.environ.get("LIGHTHOUSE_DIR", Path(tempfile.gettempdir()) / "poltwt-lighthouse"))
    binary = folder / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if not shutil.which("npm"):
            sys.exit("npm is needed to install Lighthouse (apt-get install npm).")
        folder.mkdir(parents=True, exist_ok=True)
        print(f"Installing lighthouse@13 into {folder} ...", flush=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", "lighthouse@13"],
            cwd=folder,
            check=True,
            timeout=600,
        )
    return binary


def paths(env: dict[str, str], language: str = "en") -> list[str]:
    """The pages' paths in `language` from Django's URL configuration (with the language's prefix)."""
    os.environ.update(env)
    sys.path.insert(0, str(_server.ROOT))
    import django

    django.setup()
    from django.urls import reverse
    from django.utils import translation

    with translation.override(language):
        return [reverse(name, args=args) + query for name, args, query in PAGES]


# Lighthouse's own intermittent failures to record a trace ("Please run Lighthouse again"): tried again.
ATTEMPTS = 3


def audit(binary: Path, url: str) -> dict[str, int]:
    for _ in range(ATTEMPTS):
        result = subprocess.run(
            [
                str(binary),
                url,
                "--output=json",
                "--output-path=stdout",
                "--quiet",
                f"--only-categories={','.join(CATEGORIES)}",
                f"--chrome-flags={CHROME_FLAGS}",
            ],
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            capture_output=True,
            check=False,
            timeout=300,
        )
        if result.returncode == 0 or b"run Lighthouse again" not in result.stderr:
            break
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed for {url}:\n{result.stderr.decode()[-2000:]}")
    report = json.loads(result.stdout)
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    failing = [
        audit["id"]
        for audit in report["audits"].values()
        if audit.get("score") is not None and audit["score"] < 1 and audit.get("scoreDisplayMode") == "binary"
    ]
    scores["failing"] = failing
    scores["metrics"] = {
        name: report["audits"][name]["displayValue"]
        for name in (
            "first-contentful-paint",
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
        )
    }
    scores["opportunities"] = [
        f"{a['id']} ({a.get('displayValue', '')})"
        for a in report["audits"].values()
        if a.get("score") is not None
        and a["score"] < 0.9
        and a.get("scoreDisplayMode") in ("metricSavings", "numeric")
        and a["id"]
        not in (
            "first-contentful-paint",
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
            "speed-index",
            "interactive",
            "max-potential-fid",
        )
    ]
    return scores


def run(base: str, page_paths: list[str], runs: int) -> None:
    binary = lighthouse_bin()
    # One request per page first: Lighthouse measures a visitor of a running site, not a cold start.
    for path in page_paths:
        _server.get(base + path)
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False)
    print(
        f"Lighthouse {version.stdout.strip()}, mobile profile, {runs} run(s) a page (median), against {base}"
    )
    header = f"{'page':<34}" + "".join(f"{name:>16}" for name in CATEGORIES)
    print(header)
    lowest = dict.fromkeys(CATEGORIES, 100)
    for path in page_paths:
        results = [audit(binary, base + path) for _ in range(runs)]
        row = {name: sorted(r[name] for r in results)[len(results) // 2] for name in CATEGORIES}
        for name in CATEGORIES:
            lowest[name] = min(lowest[name], row[name])
        print(f"{path:<34}" + "".join(f"{row[name]:>16}" for name in CATEGORIES), flush=True)
        failing = sorted({audit_id for r in results for audit_id in r["failing"]})
        if failing:
            print(f"{'':<34}failing audits: {', '.join(failing)}")
        metrics = results[len(results) // 2]["metrics"]
        print(
            f"{'':<34}FCP {metrics['first-contentful-paint']}, LCP {metrics['largest-contentful-paint']}, "
            f"TBT {metrics['total-blocking-time']}, CLS {metrics['cumulative-layout-shift']}"
        )
        if row["performance"] < GOALS["performance"]:
            print(f"{'':<34}to improve: {', '.join(results[0]['opportunities'])}")
    print(f"{'lowest':<34}" + "".join(f"{lowest[name]:>16}" for name in CATEGORIES))
    missed = [f"{name} {lowest[name]} < {GOALS[name]}" for name in CATEGORIES if lowest[name] < GOALS[name]]
    print("Goals met." if not missed else "Goals missed: " + "; ".join(missed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", help="an already running poltwt (its demo data loaded); no server is started"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="loopback port for gunicorn (default: any free one)"
    )
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (the median is shown)")
    parser.add_argument("--only", default="", help="audit only the pages whose path contains this text")
    parser.add_argument("--lang", default="en", help="the language of the pages audited (en, es, ar, ...)")
    args = parser.parse_args()
    lighthouse_bin()
    with tempfile.TemporaryDirectory(prefix="poltwt-lighthouse-") as workdir:
        cache = "redis" if _server.redis_available() else "locmem"
        # Static files as production serves them: hashed names (cached for a year) and compressed copies.
        env = _server.production_env(
            workdir, cache=cache, MAP_TILES_URL="", STATICFILES_STORAGE="poltwt.storage.StaticFilesStorage"
        )
        page_paths = [path for path in paths(env, args.lang) if args.only in path]
        if args.url:
            run(args.url.rstrip("/"), page_paths, args.runs)
            return
        _server.manage(env, "migrate", "-v0")
        _server.manage(env, "loaddemo", "--running-now", "--participants", str(args.participants))
        _server.manage(env, "collectstatic", "--noinput", "-v0")
        with _server.gunicorn(env, workdir, port=args.port or None) as base:
            run(base, page_paths, args.runs)


if __name__ == "__main__":
    main()
