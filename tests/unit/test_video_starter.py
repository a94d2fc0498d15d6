"""Reading threads are started by the shared starter: ``start`` never waits for a new thread to run (with dozens
of readers decoding, that wait froze the GUI for over a second when a 36-tile preset opened), and ``join``,
``stop`` and ``running`` count a reader whose thread is still waiting to be started."""

from __future__ import annotations

import threading

from commandwall.video import reader as reader_module
from commandwall.video.reader import StreamReader, StreamState

NOWHERE = "http://127.0.0.1:9/streams/none/sub.ts"  # port 9 (discard): refused at once


class HeldThread(threading.Thread):
    """A thread whose ``start`` waits until ``release`` (as a start waiting for the interpreter lock would)."""

    def __init__(self) -> None:
        super().__init__(target=lambda: None, daemon=True)
        self.release = threading.Event()
        self.starting = threading.Event()

    def start(self) -> None:
        self.starting.set()
        self.release.wait(10)
        super().start()


def hold_the_starter() -> HeldThread:
    held = HeldThread()
    reader_module._STARTER.start(held, threading.Event())
    assert held.starting.wait(5), "the starter took the held thread"
    return held


def test_start_returns_while_the_thread_waits_and_join_waits_for_it() -> None:
    held = hold_the_starter()
    reader = StreamReader(NOWHERE)
    try:
        assert reader.start() is reader  # returned although the starter is stuck on another thread
        assert reader.running, "a reader waiting to be started counts as running"
        reader.stop(timeout_s=0)
        assert not reader.join(0.2), "not ended: it has not even started"
    finally:
        held.release.set()
    assert reader.join(10.0)
    assert not reader.running and reader.state is StreamState.STOPPED
    assert reader.stats().reconnects == 0 and not reader.stats().last_error  # stopped before it ran: no open


def test_a_reader_started_through_the_starter_reads_and_stops() -> None:
    reader = StreamReader(NOWHERE).start()
    try:
        assert reader.running
        deadline = threading.Event()
        for _ in range(100):  # refused at once: it goes to reconnecting within a few tries
            if reader.state is StreamState.RECONNECTING:
                break
            deadline.wait(0.05)
        assert reader.state is StreamState.RECONNECTING, reader.stats()
    finally:
        assert reader.stop(timeout_s=10.0)
    assert not reader.running


def test_the_starter_ends_when_no_reader_waits() -> None:
    """No thread of ours outlives the streams at shutdown (the application checks): the starter ends once it has
    started what was waiting, and a later start makes a new one."""
    readers = [StreamReader(NOWHERE).start() for _ in range(3)]
    try:
        for reader in readers:
            assert reader._launched.wait(10.0)
        assert wait_for(lambda: not starters())
        late = StreamReader(NOWHERE).start()
        readers.append(late)
        assert late._launched.wait(10.0) and late.running
        assert wait_for(lambda: not starters())
    finally:
        for reader in readers:
            reader.stop(timeout_s=0)
        assert all(reader.join(10.0) for reader in readers)


def starters() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "cw-video-starter"]


def wait_for(predicate, timeout_s: float = 10.0) -> bool:
    done = threading.Event()
    for _ in range(int(timeout_s / 0.02)):
        if predicate():
            return True
        done.wait(0.02)
    return predicate()
