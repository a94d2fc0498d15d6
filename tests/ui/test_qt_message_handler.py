"""The suite's own Qt message handler stays installed for the whole run: pytest-qt puts it back after each
test phase instead of none (putting back none races with QtWebEngine's threads logging; tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import qInstallMessageHandler

from tests.conftest import _qt_message_to_stderr


def test_after_each_test_phase_pytest_qt_puts_back_the_suites_handler_not_none(request) -> None:
    capture = request.node.qt_log_capture  # pytest-qt's capture of this test's Qt messages, installed now
    assert capture._previous_handler is _qt_message_to_stderr
    current = qInstallMessageHandler(_qt_message_to_stderr)  # swap (never none) to look at what is installed
    try:
        assert current == capture._handle_with_context  # the capture is what Qt calls during the test
    finally:
        qInstallMessageHandler(current)


def test_a_test_whose_set_up_fails_leaves_the_suites_handler_to_the_next(tmp_path) -> None:
    """pytest-qt stops its capture only after a call phase; the suite stops the one a failed set-up left
    (tests/conftest.py), so the next test's capture still finds the suite's handler to put back."""
    (tmp_path / "conftest.py").write_text("from tests.conftest import *  # noqa: F403 (the suite's hooks)\n")
    (tmp_path / "test_after_a_failed_set_up.py").write_text(
        "import pytest\n"
        "from tests.conftest import _qt_message_to_stderr\n\n"
        "@pytest.fixture\n"
        "def broken():\n"
        "    raise RuntimeError('a set-up that fails')\n\n"
        "def test_set_up_fails(broken):\n"
        "    pass\n\n"
        "def test_the_next_one(request):\n"
        "    assert request.node.qt_log_capture._previous_handler is _qt_message_to_stderr\n")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                          str(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert "1 passed, 1 error" in run.stdout, run.stdout[-3000:]
