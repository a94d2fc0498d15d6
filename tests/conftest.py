"""Test-wide settings: headless Qt, Chromium's sandbox off only where it cannot run (as root)."""

from __future__ import annotations

import os

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
