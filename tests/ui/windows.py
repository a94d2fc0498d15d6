"""The main window as the UI tests open it: over a session, handed to qtbot, shown, started, closed after.

One builder instead of a copy per test module; each test says only what is its own (the settings and platform
in its session, the window's size, whether it starts, what it waits for).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pytestqt.qtbot import QtBot

from commandwall.app.session import ClientSession
from commandwall.ui.main_window import MainWindow

#: How long (ms) a test waits for the session to be ready (the exercise backend may be starting) and the map page.
READY_TIMEOUT_MS = 60_000
MAP_TIMEOUT_MS = 30_000


def open_main_window(qtbot: QtBot, session: ClientSession, *, size: tuple[int, int] | None = (1600, 900),
                     show: bool = True, exposed: bool = False, start: bool = True, wait_ready: bool = True,
                     map_ready: bool = False) -> MainWindow:
    """A :class:`MainWindow` over ``session``, handed to qtbot; the caller closes it (or use :func:`main_window`).

    ``size``: resized to it (None: as built); ``show``: shown (``exposed``: and waited until exposed);
    ``start``: the session started, and with ``wait_ready`` waited until it is ready (``sig_ready``);
    ``map_ready``: waited until the map page is ready too.
    """
    window = MainWindow(session)
    qtbot.addWidget(window)
    try:
        if size is not None:
            window.resize(*size)
        if show:
            window.show()
            if exposed:
                qtbot.waitExposed(window)
        if start and wait_ready:
            with qtbot.waitSignal(window.signals.sig_ready, timeout=READY_TIMEOUT_MS):
                window.start_session()
        elif start:
            window.start_session()
        if map_ready:
            qtbot.waitUntil(window.map.is_ready, timeout=MAP_TIMEOUT_MS)
    except BaseException:
        window.close()
        raise
    return window


@contextmanager
def main_window(qtbot: QtBot, session: ClientSession, **options: Any) -> Iterator[MainWindow]:
    """:func:`open_main_window` (same ``options``), closed when the block ends, also when it fails."""
    window = open_main_window(qtbot, session, **options)
    try:
        yield window
    finally:
        window.close()


@contextmanager
def active_main_window(qtbot: QtBot, session: ClientSession, **options: Any) -> Iterator[MainWindow]:
    """:func:`main_window`, activated and waited until it is the active window (keys typed go to it)."""
    from PySide6.QtWidgets import QApplication

    with main_window(qtbot, session, **options) as window:
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        yield window
