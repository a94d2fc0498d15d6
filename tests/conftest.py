"""Test-wide settings: headless Qt, Chromium's sandbox off only where it cannot run (as root)."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-background-networking --disable-component-update")
if "COMMANDWALL_CONFIG_DIR" not in os.environ:  # screen profiles: never the tester's own settings folder
    import tempfile

    os.environ["COMMANDWALL_CONFIG_DIR"] = tempfile.mkdtemp(prefix="commandwall-config-")
if "COMMANDWALL_CAP_DIR" not in os.environ and "COMMANDWALL_CAP_URL" not in os.environ:
    # early warnings: none unless a test asks (the exercise feed adds 预警 incidents on its own schedule)
    import tempfile

    os.environ["COMMANDWALL_CAP_DIR"] = tempfile.mkdtemp(prefix="commandwall-cap-")


_collector = None


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
    """Collect what a test left behind on the main (GUI) thread, when a collection is due."""
    if _collector is not None:
        _collector.collect_due()
