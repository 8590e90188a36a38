"""Translation catalogues without GNU gettext: compile poltwt/locale/*/LC_MESSAGES/django.po with Babel.

    python -m poltwt.catalogues compile   # what `make` runs on install: only Python is needed
    python -m poltwt.catalogues check     # CI: fails on a string missing from a .po, untranslated or fuzzy

Django's compilemessages and makemessages call GNU gettext (msgfmt, xgettext), which a newcomer's
machine may lack; Babel (pure Python) writes the same .mo files, so a fresh clone works with Python,
make and git alone. `check` does need xgettext, through makemessages (CI installs gettext).
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CHECK_LOCALE = "zz"  # a throwaway catalogue that makemessages fills with every string it finds


def po_files(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=path.parent.parent.name.replace("-", "_"))


def stale(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """The .po files whose .mo is missing or older than the .po."""
    return [po for po in po_files(locale_dir) if not _fresh(po)]


def _fresh(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    return mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime


def compile_all(locale_dir: Path = LOCALE_DIR, *, force: bool = False) -> list[Path]:
    """Write each .po's .mo when it is missing or older than the .po; returns the .mo files written.

    Fuzzy entries are left out, as msgfmt does.
    """
    written = []
    for po in po_files(locale_dir):
        mo = po.with_suffix(".mo")
        if not force and _fresh(po):
            continue
        catalog = _read(po)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        tmp.replace(mo)  # atomic: a test run or server reading it never sees half a file
        written.append(mo)
    return written


def _key(message) -> tuple:
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return (message.context or "", msgid)


def problems(locale_dir: Path = LOCALE_DIR, *, expected: Catalog | None = None) -> list[str]:
    """Untranslated and fuzzy entries of every .po, and strings of `expected` that a .po lacks."""
    found = []
    wanted = {_key(m) for m in expected if m.id} if expected is not None else set()
    for po in po_files(locale_dir):
        if po.parent.parent.name == CHECK_LOCALE:
            continue
        catalog = _read(po)
        have = set()
        for message in catalog:
            if not message.id:
                continue
            have.add(_key(message))
            strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
            label = f"{po.relative_to(locale_dir)}: {_key(message)[1][:70]!r}"
            if message.fuzzy:
                found.append(f"{label} is fuzzy")
            elif not all(strings):
                found.append(f"{label} is untranslated")
        found += [
            f"{po.relative_to(locale_dir)}: {msgid[:70]!r} is missing" for _, msgid in sorted(wanted - have)
        ]
    return found


def extracted_strings() -> Catalog:
    """Every string makemessages finds now (runs it into a throwaway catalogue and removes that)."""
    import django
    from django.core.management import call_command

    django.setup()
    target = LOCALE_DIR / CHECK_LOCALE
    try:
        call_command("makemessages", locale=[CHECK_LOCALE], verbosity=0, add_location="file")
        text = (target / "LC_MESSAGES" / "django.po").read_bytes()
        # An unknown locale gets xgettext's placeholder plural rule, which Babel cannot parse.
        text = text.replace(b"nplurals=INTEGER; plural=EXPRESSION;", b"nplurals=2; plural=(n != 1);")
        return read_po(io.BytesIO(text))
    finally:
        shutil.rmtree(target, ignore_errors=True)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "compile"
    if command == "compile":
        for mo in compile_all(force="--force" in argv):
            print(f"compiled {mo.relative_to(LOCALE_DIR.parent.parent)}")
        return 0
    if command == "check":
        found = problems(expected=extracted_strings())
        for line in found:
            print(line)
        print(f"{len(found)} problem(s) in {len(po_files())} catalogue(s).")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poltwt.settings")
    sys.exit(main(sys.argv))
