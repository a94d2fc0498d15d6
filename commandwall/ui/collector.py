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
collections visit only what came after. What came after still took 57–69 ms, and it landed in bursts: while
the GUI thread is told it is busy (:meth:`GuiThreadCollector.busy`; the client calls it for every batch of
incidents, see ``commandwall.ui.app``) a full collection that falls due waits for a quiet moment (no call for
:data:`FULL_WHEN_QUIET_FOR_S`), or at most :data:`FULL_DEFERRED_AT_MOST_S` so that garbage only a full
collection frees cannot grow without bound. The young generations are collected as before meanwhile: they are
cheap, and they free most cyclic garbage. While a worker makes big data (``commandwall.heap.collector_paused``:
a layer of millions of coordinate lists) no collection runs at all — a young one walked all of them, 100–150 ms —
unless none ran for :data:`FULL_DEFERRED_AT_MOST_S`.
"""

from __future__ import annotations

import gc
import math
import time

from PySide6.QtCore import QObject, QTimer

from commandwall import heap

#: How often the GUI thread looks whether a collection is due.
CHECK_INTERVAL_MS = 500
#: The youngest generation is collected at least this often: CPython's count is allocations minus frees, so
#: threads freeing much (a closed stream, a dropped page of incidents) can keep it under the threshold while
#: cyclic garbage waits.
YOUNG_AT_LEAST_EVERY_S = 5.0
#: A full collection that fell due while the GUI thread was busy runs once nothing has called ``busy`` for this
#: long (seconds)...
FULL_WHEN_QUIET_FOR_S = 2.0
#: ... or once it has waited this long (seconds), busy or not: a burst that goes on does not keep garbage only a
#: full collection frees forever. Two minutes: a minute's burst (benchmarks/bench_incidents.py) passes without one
#: wherever in it one fell due; a burst that goes on longer has one such pause every two minutes.
FULL_DEFERRED_AT_MOST_S = 120.0


def due_generation() -> int | None:
    """The oldest generation CPython would collect now, going by its counts and thresholds (None: none due)."""
    threshold0, threshold1, threshold2 = gc.get_threshold()
    count0, count1, count2 = gc.get_count()
    if count0 <= threshold0:
        return None
    if count1 < threshold1:
        return 0
    return 2 if count2 >= threshold2 else 1


def collect_due() -> int:
    """Run the collections whose generation counts passed their thresholds, as CPython would; returns how
    many unreachable objects were found. Call it on the GUI thread."""
    generation = due_generation()
    return 0 if generation is None else gc.collect(generation)


def freeze_long_lived() -> int:
    """Collect, then leave everything still alive out of later collections (``gc.freeze``): call it once the
    start-up load is in (modules, layers, cameras, the initial incidents live as long as the window). Returns
    how many objects are frozen. Objects frozen are still freed by reference counting; only cycles among them
    that become garbage later stay."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class GuiThreadCollector(QObject):
    """While started, cyclic garbage is collected on the GUI thread only, full collections when it is not busy
    (see the module's docstring)."""

    def __init__(self, parent: QObject | None = None, *, quiet_s: float = FULL_WHEN_QUIET_FOR_S,
                 deferred_at_most_s: float = FULL_DEFERRED_AT_MOST_S) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self._last_collection = time.monotonic()
        self._quiet_s = quiet_s
        self._deferred_at_most_s = deferred_at_most_s
        self._last_busy = -math.inf
        self._full_due_since: float | None = None
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

    def busy(self, *_args: object) -> None:
        """The GUI thread is in a burst of work (a batch of incidents came, say): a full collection due from now
        on waits until no call came for the quiet time, or until it has waited the longest it may. Any
        signal can be connected to it (its arguments are ignored)."""
        self._last_busy = time.monotonic()

    @property
    def last_busy(self) -> float | None:
        """When (``time.monotonic``) :meth:`busy` was last called; None if never."""
        return None if self._last_busy == -math.inf else self._last_busy

    @property
    def full_waiting_since(self) -> float | None:
        """Since when (``time.monotonic``) a full collection that fell due waits for a quiet moment; None if
        none waits."""
        return self._full_due_since

    def collect_due(self) -> int:
        """:func:`collect_due` (a full collection only when not busy, see :meth:`busy`), and the youngest
        generation at least every :data:`YOUNG_AT_LEAST_EVERY_S`; returns how many unreachable objects were
        found."""
        now = time.monotonic()
        if heap.collector_waits() and now - self._last_collection < self._deferred_at_most_s:
            return 0  # a worker is making big data (a layer): a collection now would walk all of it, frozen
        generation = due_generation()
        if generation == 2 and self._full_due_since is None:
            self._full_due_since = now
        if self._full_due_since is not None:
            if (now - self._last_busy >= self._quiet_s
                    or now - self._full_due_since >= self._deferred_at_most_s):
                self._full_due_since = None
                self._last_collection = now
                return gc.collect(2)
            if generation == 2:
                generation = 1  # what CPython would collect short of the full one: the young ones go as usual
        if generation is not None:
            self._last_collection = now
            return gc.collect(generation)
        if now - self._last_collection >= YOUNG_AT_LEAST_EVERY_S:
            self._last_collection = now
            return gc.collect(0)
        return 0
