"""Python's cyclic garbage collection, run on the GUI thread only.

CPython runs a collection on whichever thread happens to allocate when a generation's threshold is crossed.
In this client that is often a stream reader, the event stream or an HTTP worker. If the garbage then holds a
Qt object (a closed dialog, a window of a logged-out session, a timer in a reference cycle), its C++
destructor runs on that thread: Qt cannot unregister the object's timers from a foreign thread, and the GUI
thread's next timer pass dereferences the freed object (a segmentation fault in
``QTimerInfoList::activateTimers``, reproduced in this project's test suite).

:class:`GuiThreadCollector` turns automatic collection off and runs the same generational collections from a
GUI-thread timer instead (the pattern PyQtGraph and others use), with CPython's own thresholds.

A full collection visits every tracked object: with the layers, the cameras and thousands of incidents loaded
it took ~120–200 ms on the GUI thread, once in a burst of incidents. :func:`freeze_long_lived` (after the
start-up load) moves what is alive then out of the collector's sight (``gc.freeze``), so later full
collections visit only what came after.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks whether a collection is due.
CHECK_INTERVAL_MS = 500
#: The youngest generation is collected at least this often: CPython's count is allocations minus frees, so
#: threads freeing much (a closed stream, a dropped page of incidents) can keep it under the threshold while
#: cyclic garbage waits.
YOUNG_AT_LEAST_EVERY_S = 5.0


def collect_due() -> int:
    """Run the collections whose generation counts passed their thresholds, as CPython would; returns how
    many unreachable objects were found. Call it on the GUI thread."""
    threshold0, threshold1, threshold2 = gc.get_threshold()
    count0, count1, count2 = gc.get_count()
    if count0 <= threshold0:
        return 0
    generation = 0
    if count1 >= threshold1:
        generation = 1
        if count2 >= threshold2:
            generation = 2
    return gc.collect(generation)


def freeze_long_lived() -> int:
    """Collect, then leave everything still alive out of later collections (``gc.freeze``): call it once the
    start-up load is in (modules, layers, cameras, the initial incidents live as long as the window). Returns
    how many objects are frozen. Objects frozen are still freed by reference counting; only cycles among them
    that become garbage later stay."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class GuiThreadCollector(QObject):
    """While started, cyclic garbage is collected on the GUI thread only (see the module's docstring)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self._last_collection = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)

    def start(self) -> None:
        """Turn automatic collection off and collect from the GUI thread's timer."""
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Collect once more and give collection back to CPython as it was."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def collect_due(self) -> int:
        """:func:`collect_due`, and the youngest generation at least every :data:`YOUNG_AT_LEAST_EVERY_S`."""
        now = time.monotonic()
        if gc.get_count()[0] > gc.get_threshold()[0]:
            self._last_collection = now
            return collect_due()
        if now - self._last_collection >= YOUNG_AT_LEAST_EVERY_S:
            self._last_collection = now
            return gc.collect(0)
        return 0
