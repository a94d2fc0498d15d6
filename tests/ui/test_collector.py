"""Cyclic garbage is collected on the GUI thread only, however much a worker thread allocates."""

from __future__ import annotations

import gc
import threading
from typing import ClassVar

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
