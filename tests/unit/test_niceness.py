"""Niceness of work that can wait for the GUI thread (``commandwall.niceness``), on real processes and threads."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from commandwall import niceness

pytestmark = pytest.mark.skipif(not niceness.supported(), reason="threads have no niceness of their own here")


def nice_of(thread_id: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, thread_id)


def test_every_thread_of_a_process_is_made_nicer_once_and_never_less_nice() -> None:
    """A child with three threads, one of them already very nice: all end at least 5 nicer than this process,
    the very nice one stays as nice, and a second call changes nothing."""
    script = textwrap.dedent("""
        import os, sys, threading, time
        def spin(nice):
            if nice:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
            time.sleep(30)
        for nice in (0, 15):
            threading.Thread(target=spin, args=(nice,), daemon=True).start()
        time.sleep(0.3)
        print("ready", flush=True)
        time.sleep(30)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        threads = niceness.threads_of(child.pid)
        assert len(threads) == 3
        base = nice_of(os.getpid())
        before = {t: nice_of(t) for t in threads}
        assert sorted(before.values()) == sorted([base, base, 15])
        assert niceness.lower_process(child.pid) == 2, "the two at the base niceness"
        after = {t: nice_of(t) for t in threads}
        assert all(after[t] == max(before[t], base + niceness.MAP_NICENESS) for t in threads), (before, after)
        assert niceness.lower_process(child.pid) == 0, "again: nothing to change"
        assert nice_of(os.getpid()) == base, "this process is left as it is"
    finally:
        child.kill()
        child.wait(10)
        child.stdout.close()  # type: ignore[union-attr]
    assert niceness.lower_process(child.pid) == 0, "a process that is gone: nothing, no error"


def test_own_threads_are_made_nicer_by_name_only() -> None:
    """Only this process's threads with the compositor's names; the GUI (main) thread and others stay."""
    named, other = threading.Event(), threading.Event()
    release = threading.Event()
    ids: dict[str, int] = {}

    def run(name: bytes, ready: threading.Event) -> None:
        ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name), 0, 0, 0)  # PR_SET_NAME, as Chromium names its threads
        ids[name.decode()] = threading.get_native_id()
        ready.set()
        release.wait(10)

    threads = [threading.Thread(target=run, args=(b"VizCompositorTh", named), daemon=True),
               threading.Thread(target=run, args=(b"cw-other", other), daemon=True)]  # fmt: skip
    for thread in threads:
        thread.start()
    try:
        assert named.wait(5) and other.wait(5)
        base = nice_of(os.getpid())
        assert niceness.thread_name(os.getpid(), ids["VizCompositorTh"]) == "VizCompositorTh"
        assert niceness.lower_own_threads(niceness.CHROMIUM_COMPOSITING_THREADS) == 1
        assert nice_of(ids["VizCompositorTh"]) == base + niceness.MAP_NICENESS
        assert nice_of(ids["cw-other"]) == base and nice_of(os.getpid()) == base
    finally:
        release.set()
        for thread in threads:
            thread.join(5)


def test_a_reader_thread_is_made_nicer_once_however_often_asked() -> None:
    """Video reader threads (``lower_thread_priority``) end 5 nicer than the main thread, not 5 more each call."""
    from commandwall.video.reader import READER_NICENESS, lower_thread_priority

    seen: list[int] = []

    def run() -> None:
        lower_thread_priority()
        lower_thread_priority()
        seen.append(nice_of(threading.get_native_id()))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(5)
    assert seen == [nice_of(os.getpid()) + READER_NICENESS]
