"""The translation catalogues: extract the marked strings (pyside6-lupdate) and compile them (pyside6-lrelease).

Usage::

    python scripts/i18n.py update    # make i18n: re-extract both .ts catalogues from the sources (translations kept)
    python scripts/i18n.py release   # set-up, packaging: compile them into resources/i18n/commandwall_en.qm
    python scripts/i18n.py check     # CI: the committed catalogues are current and every message is translated

Two catalogues, so the window and the Qt-free layers can be translated side by side:

* ``commandwall_ui_en.ts``: ``commandwall/ui/``, ``cli.py`` and ``config.py`` (contexts start upper-case);
* ``commandwall_core_en.ts``: the rest of ``commandwall/``, the map page's words included (lower-case contexts).

Both are compiled into one ``commandwall_en.qm``, the file the client loads for English. Source texts are the
Simplified Chinese strings in the code.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N_DIR = ROOT / "resources" / "i18n"
UI_CATALOGUE = I18N_DIR / "commandwall_ui_en.ts"
CORE_CATALOGUE = I18N_DIR / "commandwall_core_en.ts"
COMPILED = I18N_DIR / "commandwall_en.qm"
#: lupdate's options per catalogue: the window's keeps no line numbers (it changes only when a string does);
#: the core's keeps its file and line locations, as it was made
UI_FLAGS = ("-no-obsolete", "-locations", "none", "-source-language", "zh_CN", "-target-language", "en")
CORE_FLAGS = ("-no-obsolete", "-locations", "absolute")


def ui_sources(root: Path = ROOT) -> list[Path]:
    """The files of the window's catalogue: ``commandwall/ui/`` with ``cli.py`` and ``config.py``."""
    package = root / "commandwall"
    return [*sorted((package / "ui").rglob("*.py")), package / "cli.py", package / "config.py"]


def core_sources(root: Path = ROOT) -> list[Path]:
    """The files of the core catalogue: the rest of ``commandwall/`` (the map page's words are a table in
    ``commandwall/mapdoc``; its scripts spell none)."""
    package = root / "commandwall"
    window = set(ui_sources(root))
    return [p for p in sorted(package.rglob("*.py")) if p not in window]


CATALOGUES = {UI_CATALOGUE: ui_sources, CORE_CATALOGUE: core_sources}
FLAGS = {UI_CATALOGUE: UI_FLAGS, CORE_CATALOGUE: CORE_FLAGS}


def tool(name: str) -> str:
    """``pyside6-lupdate``/``pyside6-lrelease`` beside this Python (the venv's), else on the PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found (it comes with PySide6: make setup)")
    return found


def extract(sources: list[Path], catalogue: Path, flags: tuple[str, ...] = UI_FLAGS) -> None:
    """Run lupdate over ``sources`` into ``catalogue`` (created or updated; its translations are kept)."""
    catalogue.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([tool("pyside6-lupdate"), *flags, *map(str, sources), "-ts", str(catalogue)],
                   check=True, capture_output=True, text=True)


def messages(catalogue: Path) -> dict[tuple[str, str], tuple[str, str | None]]:
    """``(context, source) -> (translation, type)`` of every message in a .ts file (type None: finished)."""
    found = {}
    for context in ET.parse(catalogue).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            text = "" if translation is None else (translation.text or "")
            kind = None if translation is None else translation.get("type")
            found[(name, message.findtext("source", ""))] = (text, kind)
    return found


def problems(root: Path = ROOT) -> list[str]:
    """What is wrong with the committed catalogues: stale (sources added or gone) or untranslated messages."""
    found: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for catalogue, sources in CATALOGUES.items():
            committed = root / catalogue.relative_to(ROOT)
            fresh = Path(tmp) / catalogue.name
            extract(sources(root), fresh, FLAGS[catalogue])
            wanted = set(messages(fresh)) if fresh.is_file() else set()
            have = messages(committed) if committed.is_file() else {}
            name = committed.relative_to(root)
            found += [f"{name}: not in the catalogue: {c} {s!r}" for c, s in sorted(wanted - set(have))]
            found += [f"{name}: no longer in the sources: {c} {s!r}" for c, s in sorted(set(have) - wanted)]
            found += [f"{name}: untranslated: {c} {s!r}" for (c, s), (text, kind) in sorted(have.items())
                      if (c, s) in wanted and (kind is not None or not text.strip())]
    return found


def update() -> None:
    """Re-extract both catalogues (``make i18n``); a catalogue with nothing to hold is not created."""
    for catalogue, sources in CATALOGUES.items():
        extract(sources(), catalogue, FLAGS[catalogue])
        if catalogue.is_file() and not messages(catalogue):
            catalogue.unlink()
        print(f"{catalogue.relative_to(ROOT)}: {len(messages(catalogue)) if catalogue.is_file() else 0} messages")


def release() -> None:
    """Compile the catalogues there are into :data:`COMPILED`: written beside it and renamed over it, so that a
    running client that has the old file mapped keeps reading it whole (rewritten in place, its pages change or
    vanish under it: a bus error)."""
    catalogues = [str(c) for c in CATALOGUES if c.is_file()]
    if not catalogues:
        raise SystemExit(f"no catalogue in {I18N_DIR}")
    fresh = COMPILED.with_name(f".{COMPILED.name}.{os.getpid()}.tmp")
    try:
        subprocess.run([tool("pyside6-lrelease"), "-silent", *catalogues, "-qm", str(fresh)], check=True)
        os.replace(fresh, COMPILED)
    finally:
        fresh.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Command line: update, release or check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("update", "release", "check"))
    command = parser.parse_args(argv).command
    if command == "update":
        update()
    elif command == "release":
        release()
    else:
        found = problems()
        for line in found:
            print(line)
        if found:
            print("the catalogues are not current or not fully translated: make i18n, then translate")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
