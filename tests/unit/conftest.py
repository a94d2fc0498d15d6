"""Fixtures shared by the unit tests that talk to a real exercise backend over 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from commandwall.backend.api import PlatformClient
from commandwall.demo import DemoBackend
from commandwall.paths import exercise_clips_dir

#: for the modules that play the exercise streams: they need the clips ``make setup`` encodes
needs_clips = pytest.mark.skipif(
    not (exercise_clips_dir() / "manifest.json").is_file(), reason="no exercise clips: run `make clips`"
)


@pytest.fixture(scope="module")
def backend() -> Iterator[DemoBackend]:
    """One exercise backend for the module (no simulator): its streams for the video tests."""
    with DemoBackend(seed=7, simulate=False) as running:
        yield running


@pytest.fixture()
def demo(tmp_path: Path) -> Iterator[DemoBackend]:
    """A fresh exercise backend (no simulator thread) on a free port with its database in tmp_path."""
    backend = DemoBackend(db_path=tmp_path / "demo.sqlite3", seed=7, simulate=False).start()
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture()
def duty(demo: DemoBackend) -> Iterator[PlatformClient]:
    """A duty officer's client (may change incidents, dispatch, steer cameras)."""
    client = PlatformClient(demo.base_url, "duty", "duty", timeout=5)
    yield client
    client.close()
