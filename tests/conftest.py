"""Test-wide settings: headless Qt, Chromium's sandbox off only where it cannot run (as root)."""

from __future__ import annotations

import contextlib
import logging
import os
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-background-networking --disable-component-update")


def _run_folder(variable: str, prefix: str) -> None:
    """``variable`` names a folder of this run's own, removed when the run ends."""
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix=prefix)
    os.environ[variable] = folder
    atexit.register(shutil.rmtree, folder, ignore_errors=True)


if "COMMANDWALL_CONFIG_DIR" not in os.environ:  # screen profiles: never the tester's own settings folder
    _run_folder("COMMANDWALL_CONFIG_DIR", "commandwall-config-")
if "COMMANDWALL_CAP_DIR" not in os.environ and "COMMANDWALL_CAP_URL" not in os.environ:
    # early warnings: none unless a test asks (the exercise feed adds 预警 incidents on its own schedule)
    _run_folder("COMMANDWALL_CAP_DIR", "commandwall-cap-")


_collector = None


def _qt_message_to_stderr(_mode, _context, message: str) -> None:
    """Qt's own output (its message to stderr), as a Python message handler installed for the whole run."""
    with contextlib.suppress(Exception):  # a closed stream at exit: the message is lost, nothing else
        sys.stderr.write(f"{message}\n")


def pytest_configure(config) -> None:
    """One Python Qt message handler for the whole run, so that pytest-qt, which installs its capture around
    every test phase and then puts back the handler it found, never puts back *none*.

    Putting back none is a race in PySide: ``qInstallMessageHandler(None)`` clears its stored callable while a
    Qt thread (QtWebEngine's logs from its own threads) may already be inside PySide's C++ handler waiting for
    the GIL, which then calls a null pointer — a segmentation fault between two tests, seen in the suite with
    a core file (``PySide`` handler → ``_PyObject_Call(callable=0x0)`` under ``QMessageLogger::warning`` on a
    QtWebEngine thread). Replacing one handler by another leaves no such moment."""
    from PySide6.QtCore import qInstallMessageHandler

    qInstallMessageHandler(_qt_message_to_stderr)


def pytest_runtest_call(item) -> None:
    """Once a test has made the QApplication, cyclic garbage is collected on the GUI thread only, as in the
    client (commandwall/ui/collector.py): a Qt object freed on a worker thread crashes the next timer pass."""
    global _collector
    if _collector is None and "PySide6.QtWidgets" in sys.modules:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:
            from commandwall.ui.collector import GuiThreadCollector

            _collector = getattr(app, "_collector", None) or GuiThreadCollector(app)
            _collector.start()


def pytest_runtest_teardown(item, nextitem) -> None:
    """Stop a Qt message capture that pytest-qt left running, and collect what a test left behind on the main
    (GUI) thread, when a collection is due.

    pytest-qt starts its capture at set-up and stops it (putting back the handler it found) only when it reports
    the *call* phase: a test whose set-up fails or skips has none, and its capture stayed installed for the rest
    of the run — every later test's capture then put back that dead one instead of the suite's handler."""
    capture = getattr(item, "qt_log_capture", None)
    if capture is not None:
        capture._stop()
        del item.qt_log_capture
    if _collector is not None:
        _collector.collect_due()


@pytest.fixture(autouse=True)
def _root_logger_put_back():
    """A test that runs the CLI in-process (``cli.main`` → ``setup_logging``) replaces the root logger's handlers
    with one bound to that test's captured stderr; put the handlers and level back after every test, so a
    thread still running later never logs into a closed capture file ("--- Logging error ---")."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


#: ``COMMANDWALL_TEST_NO_SKIPS=1`` (set by .ci/run): a test that skips because something the set-up installs is
#: missing (GStreamer's RTSP server, the encoded clips, the base map, openssl …) fails instead, so a machine that
#: happens to have it cannot hide a missing install step. Only the bundle test may skip (it needs a built bundle),
#: and the interpreter-lock count (below).
#: The interpreter-lock count may skip on an interpreter linked statically (its symbols cannot be interposed): that
#: is how Python was built, not something the set-up can install. Tests that mount a small file system (a full
#: disk, one without hard links: tests/mounts.py) may skip where the machine does not let them mount; the same
#: failures are also tested without mounting (a file size limit). The test of a desk without an audio device skips
#: on a machine that has one (the machine's hardware, not the set-up).
_SKIPS_ALLOWED = ("COMMANDWALL_TEST_BUNDLE", "STATIC_INTERPRETER", "MOUNT_UNAVAILABLE", "AUDIO_PRESENT")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Turn a skip into a failure under ``COMMANDWALL_TEST_NO_SKIPS`` (see above)."""
    outcome = yield
    report = outcome.get_result()
    if (os.environ.get("COMMANDWALL_TEST_NO_SKIPS") == "1" and report.skipped
            and not any(allowed in str(report.longrepr) for allowed in _SKIPS_ALLOWED)):
        report.outcome = "failed"
        report.longrepr = f"skipped, but the set-up should have provided it: {report.longrepr}"
