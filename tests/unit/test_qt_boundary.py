"""Only commandwall/ui may import Qt: every other module must import with Qt made unimportable."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import commandwall

ROOT = Path(commandwall.__file__).parent


def non_ui_modules() -> list[str]:
    """Every module of the package outside commandwall.ui."""
    names = ["commandwall"]
    for info in pkgutil.walk_packages([str(ROOT)], prefix="commandwall."):
        if info.name == "commandwall.ui" or info.name.startswith("commandwall.ui."):
            continue
        if info.name == "commandwall.__main__":
            continue
        names.append(info.name)
    return names


BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6'):
            raise ImportError('Qt is not allowed outside commandwall.ui: ' + name)
        return None
sys.meta_path.insert(0, Block())
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
print('imported', len(sys.argv) - 1)
"""


def test_package_has_the_expected_layers():
    names = set(non_ui_modules())
    for part in ("app", "domain", "geo", "backend", "video", "mapdoc", "demo"):
        assert f"commandwall.{part}" in names


def test_no_module_outside_ui_imports_qt():
    modules = non_ui_modules()
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKER, *modules], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"imported {len(modules)}" in proc.stdout


def test_the_blocker_catches_a_qt_import(tmp_path):
    """The check above can fail: a module that imports Qt is refused."""
    bad = tmp_path / "leaky.py"
    bad.write_text("import PySide6.QtCore\n")
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKER, "leaky"], capture_output=True, text=True, timeout=60,
        cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)},
    )
    assert proc.returncode != 0
    assert "Qt is not allowed" in proc.stderr
