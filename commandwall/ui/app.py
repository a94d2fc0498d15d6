"""Starting the GUI: environment, QApplication, the main window, and the screenshot mode."""

from __future__ import annotations

import json
import logging
import signal
import sys
from pathlib import Path

from commandwall.config import Settings
from commandwall.session import ClientSession

log = logging.getLogger(__name__)


def _make_app():
    """Set up QtWebEngine's environment and scheme, then create the QApplication (order matters)."""
    from commandwall.ui.map.scheme import configure_webengine_environment, register_scheme

    configure_webengine_environment()
    register_scheme()
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("commandwall")
    app.setApplicationDisplayName("薛城区一体化综合指挥平台")
    app.setOrganizationName("Xuecheng")
    from commandwall.ui.theme import apply_theme

    apply_theme(app)
    return app


def _make_window(settings: Settings):
    from commandwall.ui.main_window import MainWindow

    window = MainWindow(ClientSession(settings))
    window.resize(1600, 900)
    return window


def run_gui(settings: Settings) -> int:
    """Run the client until its window closes; returns the exit code."""
    app = _make_app()
    window = _make_window(settings)
    window.arrange_on_screens()
    window.start_session()
    signal.signal(signal.SIGINT, lambda *_: window.close())
    from PySide6.QtCore import QTimer

    keepalive = QTimer()  # lets Python see Ctrl+C while Qt's loop runs
    keepalive.start(300)
    keepalive.timeout.connect(lambda: None)
    return app.exec()


def run_screenshot(settings: Settings, out_dir: Path, after_s: float, count: int = 1,
                   interval_s: float = 1.0) -> int:
    """Start the client, wait ``after_s`` seconds, save one PNG per screen (``count`` times), exit 0.

    Exits non-zero if the client had not connected by then. Beside the PNGs, ``state.json`` records where
    the map, the wall tiles and the incident list are on screen and what they show, so tests can check the
    pictures region by region.
    """
    from PySide6.QtCore import QTimer

    app = _make_app()
    window = _make_window(settings)
    window.arrange_on_screens()
    window.start_session()
    out_dir.mkdir(parents=True, exist_ok=True)
    result = {"code": 1}
    shots: list[dict] = []

    def grab(k: int) -> None:
        try:
            from commandwall.ui.screenshot import grab_screens, window_state

            files = grab_screens(app, window, out_dir, suffix="" if count == 1 else f"-{k}")
            shots.append({"files": [str(f) for f in files], "state": window_state(window)})
            if k + 1 < count:
                QTimer.singleShot(int(interval_s * 1000), lambda: grab(k + 1))
                return
            (out_dir / "state.json").write_text(json.dumps(shots, ensure_ascii=False, indent=2), "utf-8")
            if window.is_ready():
                result["code"] = 0
            else:  # the pictures are written, but they show a client that never connected
                log.error("screenshot taken before the client had connected to the platform")
        except Exception:
            log.exception("screenshot failed")
        window.close()
        app.quit()

    QTimer.singleShot(int(after_s * 1000), lambda: grab(0))
    app.exec()
    for shot in shots:
        for f in shot["files"]:
            print(f)
    return result["code"]
