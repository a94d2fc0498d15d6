"""No leak over 100 open/close cycles of a stream reader against a real stream: the exercise backend's
H.264 MPEG-TS over HTTP, served by a separate ``commandwall demo-server`` process (so its sockets and threads
are not counted here). Threads come back to the baseline, open file descriptors and RSS stay bounded."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import psutil
import pytest
import requests

from commandwall.paths import exercise_clips_dir
from commandwall.video.reader import StreamReader
from tests.unit.test_video_mjpeg import free_port
from tests.unit.test_video_reader import wait_until

pytestmark = pytest.mark.skipif(
    not (exercise_clips_dir() / "manifest.json").is_file(), reason="no exercise clips: run `make clips`"
)
CYCLES = 100


#: Threads that end by themselves a moment after their work: a reader's starter, once it has started the reading
#: thread (the reader is running by then), and the decoder host's.
PASSING_THREADS = ("cw-video-starter", "cw-decoder-start")


@dataclass(frozen=True)
class Usage:
    """What this process holds: Python threads, the readers' threads among them, OS threads, open file descriptors,
    resident memory (MiB)."""

    threads: int
    video_threads: int
    os_threads: int
    fds: int
    rss_mib: float

    @classmethod
    def now(cls) -> Usage:
        """The process's usage at this moment."""
        me = psutil.Process()
        video = sum(t.name.startswith("cw-video") for t in threading.enumerate())
        return cls(threading.active_count(), video, me.num_threads(), me.num_fds(), me.memory_info().rss / 2**20)

    @classmethod
    def settled(cls, within_s: float = 5.0) -> Usage:
        """The process's usage once the passing threads have ended (at most ``within_s`` later): one sample could
        catch a starter that has just started its reader and is about to end."""
        wait_until(lambda: not any(t.name in PASSING_THREADS for t in threading.enumerate()), within_s, 0.01)
        return cls.now()


@pytest.fixture(scope="module")
def exercise_streams() -> Iterator[str]:
    """Base URL of an exercise backend running as its own process (ended by its PID afterwards)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "commandwall", "demo-server", "--port", str(port), "--rate", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{base}/streams/CAM-0001/sub.sent", timeout=1).ok
        except requests.RequestException:
            return False

    try:
        assert wait_until(up, 60.0, 0.2), "the exercise backend did not start"
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def open_and_close(url: str) -> None:
    """One cycle: start a reader, wait for its first picture, stop it and wait for its thread."""
    reader = StreamReader(url).start()
    assert wait_until(lambda: reader.stats().frames > 0, 10.0, 0.005), reader.stats()
    reader.stop(timeout_s=0)
    assert reader.join(10.0), "the reading thread ended"


def test_hundred_reader_cycles_leak_no_thread_fd_or_memory(exercise_streams: str) -> None:
    url = f"{exercise_streams}/streams/CAM-0001/sub.ts"
    for _ in range(3):  # FFmpeg's and PyAV's one-time set-up out of the way
        open_and_close(url)
    before = Usage.settled()
    started = time.monotonic()
    for _ in range(CYCLES):
        open_and_close(url)
    elapsed = time.monotonic() - started
    after = Usage.settled()
    print(f"{CYCLES} reader cycles in {elapsed:.1f} s: {before} → {after}")
    assert after.video_threads == before.video_threads, "every reading thread ended"
    assert after.threads <= before.threads, "no thread left behind"  # others' threads may end meanwhile
    assert after.os_threads <= before.os_threads + 2, "no native (FFmpeg) thread left behind"
    assert after.fds <= before.fds + 4, "sockets and files closed"
    assert after.rss_mib - before.rss_mib < 40, "memory bounded"
