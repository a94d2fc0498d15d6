"""The suite's own Qt message handler stays installed for the whole run: pytest-qt puts it back after each
test phase instead of none (putting back none races with QtWebEngine's threads logging; tests/conftest.py)."""

from __future__ import annotations

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
