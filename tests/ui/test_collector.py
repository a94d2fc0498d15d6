"""Cyclic garbage is collected on the GUI thread only, however much a worker thread allocates."""

from __future__ import annotations

import gc
import threading
import time
from typing import ClassVar

import shiboken6
from pytestqt.qtbot import QtBot

from commandwall.ui.collector import GuiThreadCollector


class _Cycle:
    """An object in a reference cycle that records on which thread it was freed."""

    freed_on: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.freed_on.append(threading.current_thread().name)


def _allocate_on_a_worker() -> threading.Thread:
    """A worker that allocates far past the first generation's threshold, as a stream reader does."""

    def churn() -> None:
        for _ in range(20):
            junk = [[] for _ in range(gc.get_threshold()[0] * 2)]
            del junk

    worker = threading.Thread(target=churn, name="reader-worker")
    worker.start()
    return worker


def test_garbage_is_collected_on_the_gui_thread_not_on_the_allocating_worker(qtbot: QtBot) -> None:
    was_enabled = gc.isenabled()
    gc.enable()  # as CPython starts: automatic collection on (the suite's own collector may have turned it off)
    collector = GuiThreadCollector()
    collector.start()
    collections: list[str] = []

    def note(phase: str, _info: dict) -> None:
        if phase == "start":
            collections.append(threading.current_thread().name)

    gc.callbacks.append(note)
    try:
        _Cycle.freed_on.clear()
        cycles = 2000  # well past the threshold (and if frees on other threads hide it, the 5 s floor collects)
        for _ in range(cycles):
            _Cycle()
        worker = _allocate_on_a_worker()
        worker.join(30)
        assert not worker.is_alive()
        assert "reader-worker" not in collections, "the worker's allocations ran a collection on its thread"
        qtbot.waitUntil(lambda: len(_Cycle.freed_on) == cycles, timeout=10_000)
        assert set(_Cycle.freed_on) == {threading.main_thread().name}
        assert collections and set(collections) == {threading.main_thread().name}
    finally:
        gc.callbacks.remove(note)
        collector.stop()
        if not was_enabled:
            gc.disable()


def test_without_it_a_worker_collects_which_is_what_it_prevents() -> None:
    """The premise: with CPython's automatic collection a worker's allocations run collections on it."""
    was_enabled = gc.isenabled()
    gc.enable()
    collections: list[str] = []

    def note(phase: str, _info: dict) -> None:
        if phase == "start":
            collections.append(threading.current_thread().name)

    gc.callbacks.append(note)
    try:
        _allocate_on_a_worker().join(30)
    finally:
        gc.callbacks.remove(note)
        if not was_enabled:
            gc.disable()
    assert "reader-worker" in collections


def test_what_start_up_loaded_is_left_out_of_later_collections_and_new_garbage_still_goes() -> None:
    from commandwall.ui.collector import freeze_long_lived

    loaded = [{"incident": i} for i in range(1000)]  # alive since start-up, as the layers and incidents are
    try:
        assert freeze_long_lived() >= len(loaded)
        tracked = {id(o) for o in gc.get_objects()}  # what a full collection visits from now on
        assert not any(id(o) in tracked for o in loaded)
        _Cycle.freed_on.clear()
        for _ in range(10):
            _Cycle()
        gc.collect()
        assert len(_Cycle.freed_on) == 10  # cycles made after the freeze are still collected
    finally:
        gc.unfreeze()


class _Old:
    """Garbage only a full collection frees: a reference cycle that reached the oldest generation alive."""

    freed: ClassVar[list[float]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Old.freed.append(time.monotonic())


def _old_garbage(count: int) -> None:
    """``count`` cycles moved to the oldest generation while referenced, then dropped."""
    held = [_Old() for _ in range(count)]
    gc.collect(1)  # survivors of a generation-1 collection go to generation 2
    del held


def test_a_full_collection_waits_while_busy_is_signalled_and_runs_when_quiet_or_at_the_cap(qtbot: QtBot) -> None:
    """Incident batches (the signal the client connects to ``busy``) keep coming every 100 ms while a timer
    makes cyclic garbage: the young generations are collected, a full collection falls due and waits; it
    runs once the batches stop for the quiet time, and in a burst that goes on once it has waited its most."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from commandwall.ui.adapters import ClientSignals

    others = [c for c in QApplication.instance().findChildren(GuiThreadCollector)]
    for other in others:  # the suite's own collector: its full collections would not wait
        other.stop()
    thresholds = gc.get_threshold()
    gc.set_threshold(1000, 2, 2)  # CPython's rule with smaller steps: a full collection is due every ~2 s here
    quiet_s, cap_s = 0.5, 2.5  # FULL_WHEN_QUIET_FOR_S and FULL_DEFERRED_AT_MOST_S on the desk
    collector = GuiThreadCollector(quiet_s=quiet_s, deferred_at_most_s=cap_s)
    signals = ClientSignals()
    signals.sig_incidents.connect(collector.busy)
    sent: list[float] = []
    batches = QTimer(interval=100, timeout=lambda: (sent.append(time.monotonic()), signals.sig_incidents.emit([])))
    churn = QTimer(interval=50, timeout=lambda: [_Cycle() for _ in range(300)])
    collections: list[tuple[int, float]] = []

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append((info["generation"], time.monotonic()))

    def fulls() -> list[float]:
        return [at for generation, at in collections if generation == 2]

    gc.callbacks.append(note)
    try:
        collector.start()
        churn.start()
        batches.start()
        _Old.freed.clear()
        _old_garbage(100)
        qtbot.waitUntil(lambda: collector.full_waiting_since is not None, timeout=10_000)
        waiting_since = collector.full_waiting_since
        qtbot.wait(int(2 * quiet_s * 1000))  # busy: twice the quiet time, well short of the cap
        assert not fulls() and not _Old.freed, "a full collection ran in the burst"
        assert collector.full_waiting_since == waiting_since
        young = [at for generation, at in collections if generation in (0, 1) and at > waiting_since]
        assert len(young) >= 2, "the young generations wait too"
        batches.stop()
        qtbot.waitUntil(lambda: len(_Old.freed) == 100, timeout=5000)  # quiet: the full collection runs
        assert len(fulls()) == 1 and fulls()[0] >= sent[-1] + quiet_s
        assert collector.full_waiting_since is None

        collections.clear()
        _Old.freed.clear()
        batches.start()  # a burst that does not stop
        _old_garbage(100)
        qtbot.waitUntil(lambda: collector.full_waiting_since is not None, timeout=10_000)
        waiting_since = collector.full_waiting_since
        qtbot.waitUntil(lambda: len(_Old.freed) == 100, timeout=10_000)  # at the cap, busy as it is
        assert batches.isActive() and len(fulls()) == 1
        assert any(0 <= fulls()[0] - at < 0.5 for at in sent), "the burst went on meanwhile"
        assert cap_s <= fulls()[0] - waiting_since <= cap_s + 2.5
    finally:
        batches.stop()
        churn.stop()
        gc.callbacks.remove(note)
        collector.stop()
        gc.set_threshold(*thresholds)
        for other in others:
            other.start()


def test_the_window_the_application_makes_tells_its_collector_of_each_incident_batch(qtbot: QtBot, tmp_path) -> None:
    from PySide6.QtWidgets import QApplication

    from commandwall.app.platform import PlatformFactory
    from commandwall.config import Settings
    from commandwall.ui.app import _make_window

    app = QApplication.instance()
    collector = GuiThreadCollector(app)  # not started: only whether it hears of the batches matters here
    missing = object()
    before = getattr(app, "_collector", missing)
    app._collector = collector  # as _make_app leaves it
    try:
        window = _make_window(Settings(data_dir=tmp_path), PlatformFactory.at_url("http://127.0.0.1:9"))
        qtbot.addWidget(window)
        assert collector.last_busy is None
        window.signals.sig_incidents.emit([])
        assert collector.last_busy is not None and time.monotonic() - collector.last_busy < 1.0
        window.close()
    finally:
        if before is missing:
            del app._collector
        else:
            app._collector = before
        collector.deleteLater()


def test_no_collection_runs_on_the_gui_thread_while_a_worker_makes_a_big_layer(qtbot: QtBot) -> None:
    """A worker parsing a big layer (millions of lists) under ``heap.collector_paused``: the GUI thread's timer
    collected the young generation over all of it (100–150 ms, the window frozen). It now waits until the work is
    done (and its result frozen out of sight), then collects as usual."""
    from PySide6.QtWidgets import QApplication

    from commandwall import heap

    others = [c for c in QApplication.instance().findChildren(GuiThreadCollector)]
    for other in others:
        other.stop()
    collector = GuiThreadCollector()
    collections: list[tuple[str, float]] = []

    def note(phase: str, _info: dict) -> None:
        if phase == "start":
            collections.append((threading.current_thread().name, time.monotonic()))

    working, done = threading.Event(), threading.Event()
    made: list = []

    def make_layer() -> None:
        with heap.collector_paused():
            working.set()
            for _ in range(30):  # about 1.5 s of making lists, far past every threshold
                made.extend([[float(i), float(i)] for i in range(20_000)])
                time.sleep(0.05)
            heap.freeze_big()
        done.set()

    gc.callbacks.append(note)
    try:
        collector.start()
        worker = threading.Thread(target=make_layer, name="layer-source")
        worker.start()
        working.wait(5)
        qtbot.waitUntil(done.is_set, timeout=20_000)
        finished = time.monotonic()
        worker.join(5)
        assert collections == [], f"collections ran while the layer was made: {collections[:3]}"
        assert len(made) == 600_000
        for _ in range(3):  # and afterwards the young generations are collected again, on the GUI thread
            [_Cycle() for _ in range(gc.get_threshold()[0] * 2)]
            qtbot.wait(600)
        assert collections and all(name == "MainThread" and at > finished for name, at in collections)
    finally:
        gc.callbacks.remove(note)
        collector.stop()
        gc.unfreeze()
        for other in others:
            if shiboken6.isValid(other):  # a window of an earlier test (and its collector) may be gone meanwhile
                other.start()
