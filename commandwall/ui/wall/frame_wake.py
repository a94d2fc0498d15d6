"""New frames wake the walls: readers tell the GUI thread a frame is in, and the walls take it then.

The walls' refresh timer polls every 40 ms (25 Hz): a frame waited up to a whole period for it, ~20 ms on
average — most of what the wall added to a stream's latency. Each reader now calls :meth:`FrameWake.notify`
after a new frame (from its thread); one queued signal reaches the GUI thread however many frames arrived
meanwhile, and the walls take their new frames at most every :data:`MIN_INTERVAL_MS`, so sixteen streams do
not make four hundred wake-ups a second. The timer still refreshes badges, fps and the overload policy.
"""

from __future__ import annotations

import contextlib
import time

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from shiboken6 import isValid

#: Shortest time between two takes of new frames (what a frame may still wait, at most, once it is in).
MIN_INTERVAL_MS = 10


class FrameWake(QObject):
    """One coalesced "frames are in" for the application's walls; ``sig_frames`` on the GUI thread."""

    sig_frames = Signal()
    _sig_arrived = Signal()  # emitted by reader threads: queued to the GUI thread

    def __init__(self, parent: QObject | None = None, min_interval_ms: int = MIN_INTERVAL_MS) -> None:
        super().__init__(parent)
        self.min_interval_s = min_interval_ms / 1000
        self._pending = False  # a wake is on its way or waiting: readers need not send another
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire)
        self._sig_arrived.connect(self._arrived)  # a method of a GUI-thread object: queued from other threads
        #: wake-ups that reached the walls (for tests and the benchmark)
        self.wakes = 0

    def notify(self) -> None:
        """A reader has a new frame (any thread; a flag test when a wake is already pending)."""
        if self._pending:
            return
        self._pending = True
        with contextlib.suppress(RuntimeError):  # the application is going, under a reader finishing a frame
            self._sig_arrived.emit()

    def _arrived(self) -> None:
        wait_s = self._last + self.min_interval_s - time.monotonic()
        if wait_s > 0:
            self._timer.start(max(1, round(wait_s * 1000)))  # still pending: readers do not send more
            return
        self._fire()

    def _fire(self) -> None:
        self._pending = False  # frames from now on send a new wake
        self._last = time.monotonic()
        self.wakes += 1
        self.sig_frames.emit()


_WAKE: FrameWake | None = None


def frame_wake() -> FrameWake:
    """The application's :class:`FrameWake` (made on first use, owned by the QApplication)."""
    global _WAKE
    app = QCoreApplication.instance()
    if _WAKE is None or not isValid(_WAKE) or _WAKE.parent() is not app:
        _WAKE = FrameWake(app)
    return _WAKE
