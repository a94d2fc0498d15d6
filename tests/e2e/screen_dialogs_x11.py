"""Child process of test_screen_dialogs_x11: the whole client (embedded exercise backend) on an X display split
into two monitors — the map's window on MON0, the wall's on MON1 — worked with a real mouse and keyboard (XTest):

- a click on the wall's window, then F1 (快捷键) and Ctrl+L (切换用户);
- a click on the map's window, then F1, and 视频墙 → 预案 → 保存当前画面为预案… chosen with the mouse from the
  menu bar (F10 opens its first menu);
- F1 on the wall's screen again, then that monitor unplugged: the open sheet moves over the map's window (the
  wall's window goes, and would take it along).

Prints ``RESULT {json}``: for each dialog the monitor its centre is on, its rectangle and the window it belongs to;
then exits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QWidget

from commandwall.app.screens import ScreenRole
from commandwall.cli import platform_factory
from commandwall.config import Settings
from commandwall.ui.app import _leave, _make_app, _make_window, acquire_desk_lock
from tests.e2e.xinput import XInput

STEP_TIMEOUT_S = 15.0


def pump(seconds: float) -> None:
    """Let the application run for ``seconds``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.005)


def until(predicate: Callable[[], Any], what: str, timeout_s: float = STEP_TIMEOUT_S) -> Any:
    """Run the application until ``predicate()`` is true (returned); TimeoutError naming ``what`` if not."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        pump(0.03)
    raise TimeoutError(f"waited {timeout_s:.0f} s for {what}")


def where(widget: QWidget) -> dict:
    """The monitor a window's centre is on, its rectangle and the window it belongs to."""
    frame = widget.frameGeometry()
    screen = QApplication.screenAt(frame.center())
    parent = widget.parentWidget()
    return {"screen": screen.name() if screen is not None else None,
            "rect": [frame.x(), frame.y(), frame.width(), frame.height()],
            "over": parent.window().objectName() if parent is not None else None}


def main() -> int:
    """Start the client on the monitors, open the dialogs from each screen's window, print where they opened."""
    settings = Settings()
    _app = _make_app(settings.ui_language())  # kept for the run
    lock = acquire_desk_lock(settings.data_dir)
    window = _make_window(settings, platform_factory(settings))
    window.setObjectName("mainWindow")
    window.arrange_on_screens()
    window.start_session()
    keys = XInput()
    result: dict[str, Any] = {}

    def click(widget: QWidget) -> None:
        keys.move(widget.mapToGlobal(widget.rect().center()))
        pump(0.15)
        keys.left_button(True)
        pump(0.05)
        keys.left_button(False)
        pump(0.3)

    def work_in(widget: QWidget, target: QWidget) -> None:
        click(widget)
        until(lambda: QApplication.activeWindow() is target, f"{target.objectName()} to be the active window")

    try:
        until(window.is_ready, "the client to connect", 90)
        wall_window = window.screens.role_windows[ScreenRole.WALL]
        result["screens"] = {s.name(): [s.geometry().x(), s.geometry().y(), s.geometry().width(),
                                        s.geometry().height()] for s in QApplication.screens()}
        result["wall_window"] = where(wall_window)

        work_in(window.wall, wall_window)
        keys.press("F1")
        sheet = until(lambda: window.shortcut_sheet is not None and window.shortcut_sheet.isVisible()
                      and window.shortcut_sheet, "the shortcut sheet")
        pump(0.3)
        result["f1_on_wall"] = where(sheet)
        sheet.close()

        work_in(window.wall, wall_window)
        keys.chord("Control_L", "l")
        login = until(lambda: window.login_feature.dialog is not None and window.login_feature.dialog.isVisible()
                      and window.login_feature.dialog, "the login dialog")
        pump(0.3)
        result["login_on_wall"] = where(login)
        login.reject()
        until(lambda: not login.isVisible(), "the login dialog to close")

        work_in(window.statusBar(), window)
        keys.press("F1")
        until(lambda: sheet.isVisible(), "the shortcut sheet again")
        pump(0.3)
        result["f1_on_map"] = where(sheet)
        sheet.close()

        work_in(window.statusBar(), window)
        asked: list[dict] = []

        def answer() -> None:  # the name dialog runs its own loop: looked at from a timer, then cancelled
            dialog = QApplication.activeModalWidget()
            if isinstance(dialog, QInputDialog) and dialog.isVisible():
                asked.append(where(dialog))
                dialog.reject()
            elif not asked:
                QTimer.singleShot(100, answer)

        QTimer.singleShot(100, answer)
        menu, presets = window.wall_feature.menu, window.wall_feature.presets
        keys.press("F10")
        until(menu.isVisible, "the 视频墙 menu")
        entry = next(a for a in menu.actions() if a.menu() is presets.menu)
        keys.move(menu.mapToGlobal(menu.actionGeometry(entry).center()))
        pump(0.2)
        keys.left_button(True)
        keys.left_button(False)
        until(presets.menu.isVisible, "the 预案 menu")
        pump(0.3)
        keys.move(presets.menu.mapToGlobal(presets.menu.actionGeometry(presets.save_action).center()))
        pump(0.3)
        keys.left_button(True)
        keys.left_button(False)
        until(lambda: asked, "the preset name dialog")
        result["save_preset_on_map"] = asked[0]

        work_in(window.wall, wall_window)
        keys.press("F1")
        until(lambda: sheet.isVisible() and sheet.parentWidget() is wall_window, "the shortcut sheet on the wall")
        subprocess.run(["xrandr", "--delmonitor", "MON1"], check=True, timeout=20)
        until(lambda: ScreenRole.WALL not in window.screens.role_windows, "the wall's window to go")
        pump(1.0)  # the wall's window deleted
        result["f1_open_when_the_wall_screen_went"] = where(window.shortcut_sheet) | {
            "shown": window.shortcut_sheet.isVisible()}
    except Exception:
        result["error"] = traceback.format_exc()
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
    window.close()
    return _leave(window, lock, 0)


if __name__ == "__main__":
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    sys.exit(main())
