"""The fuzz tests of tests/test_fuzz.py at volume: at least 100,000 hostile requests through Django's test
client (public routes under every language prefix, private links, the admin as staff), counting 5xx.

    .venv/bin/python bench/bench_fuzz.py [--examples 800]

Runs pytest on tests/test_fuzz.py with POLTWT_FUZZ_EXAMPLES examples a test (the suite uses 50); a 5xx
fails the run with the request that caused it. Prints the total number of requests and the time taken.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=800)
    args = parser.parse_args()
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_fuzz.py", "-q", "-s", "-p", "no:cacheprovider", "-x"],
        cwd=ROOT,
        env={**os.environ, "POLTWT_FUZZ_EXAMPLES": str(args.examples), "LOG_LEVEL": "ERROR"},
        capture_output=True,
        text=True,
    )
    took = time.monotonic() - start
    found = re.search(r"fuzz: (\d+) hostile requests", result.stdout)
    failures = re.findall(r"AssertionError: (\d{3} for .*)", result.stdout)
    print(f"examples per test: {args.examples}; pytest exit code {result.returncode}; {took:.0f} s")
    print(f"requests: {found.group(1) if found else 'unknown'}")
    print(f"5xx answers: {len(failures) if result.returncode else 0}")
    for failure in failures[:5]:
        print("  " + failure[:300])
    if result.returncode and not failures:
        print(result.stdout[-3000:])


if __name__ == "__main__":
    main()
