"""The code's dependencies point one way, with no import circle:

    jobs, geo (the machinery) <- events <- registrations <- desk (the organizers) and pages (the public)

demo (demo data) sits on top; poltwt (settings, URLs, WSGI) wires the apps together.

Read from the source with ``ast`` (every import, including those inside functions), so the rule holds for
code that has not run yet.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("poltwt", "jobs", "geo", "events", "registrations", "desk", "pages", "demo")
MACHINERY = {"jobs", "geo"}
# Which of our packages each package may import. poltwt (settings, URLs, WSGI) wires the apps together.
ALLOWED = {
    "jobs": {"jobs"},
    "geo": {"geo"},
    "events": {*MACHINERY, "events"},
    "registrations": {*MACHINERY, "events", "registrations", "poltwt"},
    "desk": {*MACHINERY, "events", "registrations", "desk", "poltwt"},
    "pages": {*MACHINERY, "events", "registrations", "pages", "poltwt"},
    "demo": {*MACHINERY, "events", "registrations", "demo"},
}


def source_files(package: str, *, migrations: bool = False) -> list[Path]:
    return [path for path in (ROOT / package).rglob("*.py") if ("migrations" in path.parts) == migrations]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def our_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in source_files(package):
            modules[module_name(path)] = path
    return modules


def imported_names(path: Path) -> set[str]:
    """Every module name a file imports (``from a.b import c`` gives a.b and a.b.c)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update([node.module, *(f"{node.module}.{alias.name}" for alias in node.names)])
    return found


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of ours that a file imports."""
    return {name for name in imported_names(path) if name in modules}


def import_graph() -> dict[str, set[str]]:
    modules = our_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            # A package's __init__ importing its own submodules is how Django finds admin modules.
            if target.startswith(node + "."):
                continue
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_dependencies_point_one_way(package):
    wrong = {
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if module.split(".")[0] == package
        for target in targets
        if target.split(".")[0] not in ALLOWED[package]
    }
    assert not wrong, f"{package} may import only {sorted(ALLOWED[package])}:\n" + "\n".join(sorted(wrong))


def test_no_import_circle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_checks_see_a_circle_and_a_wrong_direction():
    """The graph reader catches what it is meant to catch (so the tests above can fail)."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert "registrations.models" in import_graph()["pages.signals"]
    assert "events.models" in import_graph()["registrations.models"]


def test_registrations_holds_no_admin():
    """The organizers' desk is desk/: nothing under registrations/ imports Django's admin."""
    wrong = [
        str(path.relative_to(ROOT))
        for path in source_files("registrations")
        if any(name.startswith("django.contrib.admin") for name in imported_names(path))
    ]
    assert not wrong, "registrations/ imports django.contrib.admin in: " + ", ".join(wrong)


def test_migrations_import_no_live_code():
    """A migration must not change when live code does: it may import Django and the standard library, and
    name a field's validator (as Django writes them), nothing else of ours."""
    ours = set(PACKAGES)
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for package in PACKAGES
        for path in source_files(package, migrations=True)
        for name in imported_names(path)
        if name.split(".")[0] in ours and name.split(".")[1:2] != ["validators"]
    }
    assert not wrong, "\n".join(sorted(wrong))
