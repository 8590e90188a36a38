"""Start-up time of a process that loads all eight catalogues versus one (the issue's goal: at most +10%).

Each run is a fresh `python` that sets Django up, imports the URLconf (as a worker does before its first
request) and activates the languages, which loads their catalogues (ours, Django's, the apps').
Prints the median of RUNS runs of each.   .venv/bin/python bench/bench_i18n.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("RUNS", "7"))
CODE = """
import django, sys
django.setup()
from django.conf import settings
from django.urls import get_resolver
from django.utils import translation
get_resolver().url_patterns
languages = [code for code, _ in settings.LANGUAGES] if sys.argv[1] == "all" else [settings.LANGUAGE_CODE]
for code in languages:
    with translation.override(code):
        translation.gettext("Participant map")
"""


def run(which: str) -> float:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "poltwt.settings", "DEBUG": "1"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", CODE, which], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def main() -> None:
    run("all")  # warm the OS file cache
    one, eight = [], []
    for _ in range(RUNS):
        one.append(run("one"))
        eight.append(run("all"))
    one_s, eight_s = statistics.median(one), statistics.median(eight)
    print(f"start-up with one catalogue:    {one_s * 1000:7.1f} ms (median of {RUNS})")
    print(f"start-up with eight catalogues: {eight_s * 1000:7.1f} ms (median of {RUNS})")
    print(f"difference: {(eight_s / one_s - 1) * 100:+.1f}% (goal: at most +10%)")


if __name__ == "__main__":
    main()
