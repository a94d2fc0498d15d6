"""Version and build date of the running client — from the checkout, or as written into a frozen bundle.

* Frozen (PyInstaller) build: ``packaging/build.py`` writes :data:`BUILDINFO_FILE` (``_buildinfo.json``) into
  the bundle's data folder (:func:`commandwall.paths.app_root`); its values win.
* Checkout: the package's ``__version__``, the build date reads "development build", and the git revision
  (``git describe --always --dirty``) is added when git answers within a second.

Plain Python (no Qt), so the CLI and the About dialog share it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from commandwall import __version__, paths

BUILDINFO_FILE = "_buildinfo.json"
DEVELOPMENT_BUILD = "development build"


@dataclass(frozen=True)
class BuildInfo:
    """What a build says about itself.

    ``built_at`` is an ISO-8601 UTC time (``2026-11-29T09:10:31Z``) or None for a checkout; ``revision`` is
    the ``git describe`` string or None when unknown; ``frozen`` is True inside a PyInstaller bundle.
    """

    version: str
    built_at: str | None
    revision: str | None
    frozen: bool

    def build_date(self) -> str:
        """Human build date: ``2026-11-29 09:10 UTC``, or ``development build`` in a checkout."""
        if not self.built_at:
            return DEVELOPMENT_BUILD
        try:
            when = dt.datetime.fromisoformat(self.built_at.replace("Z", "+00:00"))
        except ValueError:
            return self.built_at
        return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    def line(self) -> str:
        """One line for ``--version``: ``commandwall 0.1.0 (built 2026-11-29 09:10 UTC, 6e5bf23)``."""
        built = self.build_date()
        details = [built if built == DEVELOPMENT_BUILD else f"built {built}"]
        if self.revision:
            details.append(self.revision)
        return f"commandwall {self.version} ({', '.join(details)})"


def git_revision(repo: Path | None = None, timeout_s: float = 1.0) -> str | None:
    """``git describe --always --dirty --tags`` of ``repo`` (default: the checkout); None if unknown/slow."""
    repo = repo or paths.app_root()
    git = shutil.which("git")
    if git is None or not (repo / ".git").exists():
        return None
    try:
        proc = subprocess.run(
            [git, "-C", str(repo), "describe", "--always", "--dirty", "--tags"],
            capture_output=True, text=True, timeout=timeout_s, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = proc.stdout.strip()
    return out if proc.returncode == 0 and out else None


def make_record(built_at: dt.datetime | None = None, revision: str | None = None) -> dict[str, Any]:
    """The JSON object the build writes into a bundle (version from the checkout, ``built_at`` in UTC)."""
    when = (built_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    info = BuildInfo(
        version=__version__,
        built_at=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        revision=revision,
        frozen=True,
    )
    record = asdict(info)
    del record["frozen"]
    return record


def read_file(path: Path) -> BuildInfo | None:
    """Parse a ``_buildinfo.json``; None if it is missing or unusable (the caller falls back)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        return None
    built_at = data.get("built_at")
    revision = data.get("revision")
    return BuildInfo(
        version=data["version"],
        built_at=built_at if isinstance(built_at, str) else None,
        revision=revision if isinstance(revision, str) else None,
        frozen=paths.is_frozen(),
    )


@functools.cache
def current() -> BuildInfo:
    """The running client's build info (computed once)."""
    if paths.is_frozen():
        info = read_file(paths.app_root() / BUILDINFO_FILE)
        if info is not None:
            return info
        return BuildInfo(version=__version__, built_at=None, revision=None, frozen=True)
    return BuildInfo(version=__version__, built_at=None, revision=git_revision(), frozen=False)


def version() -> str:
    """The client's version (``0.1.0``)."""
    return current().version


def build_date() -> str:
    """The build date (``2026-11-29 09:10 UTC``), or ``development build`` when run from a checkout."""
    return current().build_date()


class VersionAction(argparse.Action):
    """``--version`` that prints :meth:`BuildInfo.line` and exits; computed only when the flag is given."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0,
                         help=help or "print version and build date, then exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        """Print the version line to stdout and exit 0."""
        print(current().line())
        parser.exit(0)
