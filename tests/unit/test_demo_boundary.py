"""Only the command line and the exercise backend itself may import ``commandwall.demo``.

The client works against whatever platform ``cli.py`` hands it; if the session or the UI imported the exercise
backend, the desk client would depend on a server it must not need. A static scan of every import statement
(top level and inside functions, absolute and relative) keeps it that way — the imports the Qt-boundary test
cannot see, because they only run when a function is called.
"""

from __future__ import annotations

import ast
from pathlib import Path

import commandwall

ROOT = Path(commandwall.__file__).parent
DEMO = "commandwall.demo"
#: Modules allowed to import the exercise backend (besides ``commandwall.demo`` itself).
ALLOWED = {"commandwall.cli"}


def module_name(path: Path, root: Path = ROOT) -> str:
    """``commandwall.app.session`` for ``…/commandwall/app/session.py``."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Every module an import statement in ``path`` names (``from a import b`` counts ``a`` and ``a.b``)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def demo_imports_outside_cli(root: Path = ROOT) -> dict[str, list[str]]:
    """Module → the ``commandwall.demo`` modules it imports, for every module not allowed to."""
    offenders: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        name = module_name(path, root)
        if name in ALLOWED or name == DEMO or name.startswith(DEMO + "."):
            continue
        bad = sorted(m for m in imported_modules(path, root) if m == DEMO or m.startswith(DEMO + "."))
        if bad:
            offenders[name] = bad
    return offenders


def test_nothing_outside_cli_and_demo_imports_the_exercise_backend():
    assert demo_imports_outside_cli() == {}


def test_the_command_line_is_where_the_exercise_backend_is_chosen():
    assert any(m.startswith(DEMO) for m in imported_modules(ROOT / "cli.py"))


def test_the_scan_catches_every_form_of_import(tmp_path):
    """The check above can fail: absolute, ``from``, relative and function-level imports are all found."""
    package = tmp_path / "commandwall"
    (package / "demo").mkdir(parents=True)
    (package / "ui").mkdir()
    for init in (package / "__init__.py", package / "demo" / "__init__.py", package / "ui" / "__init__.py"):
        init.write_text("")
    (package / "plain.py").write_text("import commandwall.demo.backend\n")
    (package / "named.py").write_text("from commandwall import demo\n")
    (package / "ui" / "late.py").write_text("def start():\n    from ..demo import DemoBackend\n")
    (package / "ui" / "fine.py").write_text("from . import late\nimport commandwall.demography\n")
    assert demo_imports_outside_cli(package) == {
        "commandwall.plain": ["commandwall.demo.backend"],
        "commandwall.named": ["commandwall.demo"],
        "commandwall.ui.late": ["commandwall.demo", "commandwall.demo.DemoBackend"],
    }
