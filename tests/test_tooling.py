"""The install habits hold: pyproject.toml bounds every dependency, requirements/lock.txt (make lock) pins
every one of them, and the pre-commit hooks run the ruff of the lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = (ROOT / "requirements" / "lock.txt").read_text()


def declared() -> list[Requirement]:
    project = PYPROJECT["project"]
    return [
        Requirement(text) for text in [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    ]


def locked() -> dict[str, set[str]]:
    """Package name -> the versions pinned for it (one per Python version range where they differ)."""
    pins: dict[str, set[str]] = {}
    for name, version in re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", LOCK, re.MULTILINE):
        pins.setdefault(canonicalize_name(name), set()).add(version)
    return pins


def test_every_dependency_has_an_upper_bound():
    requirements = [*declared(), *map(Requirement, PYPROJECT["build-system"]["requires"])]
    unbounded = [
        str(r)
        for r in requirements
        if not any(spec.operator in ("<", "<=", "==", "~=") for spec in r.specifier)
    ]
    assert unbounded == []


def test_the_lock_pins_every_dependency_within_its_range():
    pins = locked()
    problems = []
    for requirement in declared():
        versions = pins.get(canonicalize_name(requirement.name), set())
        if not versions:
            problems.append(f"{requirement.name} is not in requirements/lock.txt")
        problems += [
            f"{requirement.name}=={version} is outside {requirement}"
            for version in sorted(versions)
            if not requirement.specifier.contains(version, prereleases=True)
        ]
    assert problems == [], "run make lock"


def test_pre_commit_runs_the_ruff_of_the_lock():
    hooks = (ROOT / ".pre-commit-config.yaml").read_text()
    assert set(re.findall(r"ruff==([0-9][^\"'\s]*)", hooks)) == locked()["ruff"]
