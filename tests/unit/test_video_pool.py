"""ReaderPool: one reader (and one network connection) per stream URL, refcounted."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from commandwall.video.pool import ReaderPool
from commandwall.video.reader import StreamReader, StreamState
from tests.unit.test_video_mjpeg import MjpegServer
from tests.unit.test_video_reader import wait_until


@pytest.fixture
def server() -> Iterator[MjpegServer]:
    """A real MJPEG camera."""
    srv = MjpegServer(fps=25).start()
    yield srv
    srv.stop()


@pytest.fixture
def pool() -> Iterator[ReaderPool]:
    """A pool stopped after the test."""
    p = ReaderPool()
    yield p
    p.stop_all(timeout_s=6.0)


def test_two_holders_share_one_reader_and_one_connection(server: MjpegServer, pool: ReaderPool) -> None:
    """Acquiring a URL twice gives the same running reader; the camera sees a single stream."""
    url = server.url("a.mjpg")
    first = pool.acquire(url)
    second = pool.acquire(url)
    assert first is second and pool.refcount(url) == 2 and len(pool) == 1
    assert wait_until(lambda: first.state is StreamState.LIVE)
    time.sleep(0.2)
    assert server.active_connections == 1

    pool.release(url)
    assert pool.refcount(url) == 1 and first.running
    seq = first.seq
    assert wait_until(lambda: first.seq > seq + 2), "still playing for the remaining holder"

    pool.release(url)
    assert pool.refcount(url) == 0 and len(pool) == 0 and pool.get(url) is None
    assert first.join(3.0) and first.state is StreamState.STOPPED
    assert wait_until(lambda: server.active_connections == 0, 3.0)
    with pytest.raises(KeyError):
        pool.release(url)


def test_reacquire_after_last_release_starts_a_fresh_reader(server: MjpegServer, pool: ReaderPool) -> None:
    """A stopped reader is never handed out again."""
    url = server.url("b.mjpg")
    old = pool.acquire(url)
    pool.release(url)
    new = pool.acquire(url)
    assert new is not old and new.running
    assert wait_until(lambda: new.state is StreamState.LIVE)


def test_stop_all_ends_every_reader(server: MjpegServer, pool: ReaderPool) -> None:
    """Shutdown stops all readers quickly and forgets them."""
    readers = [pool.acquire(server.url(f"cam{i}.mjpg")) for i in range(3)]
    pool.acquire(server.url("cam0.mjpg"))
    assert pool.refcount(server.url("cam0.mjpg")) == 2 and len(pool) == 3
    assert wait_until(lambda: all(r.state is StreamState.LIVE for r in readers))
    started = time.monotonic()
    assert pool.stop_all(timeout_s=3.0)
    assert time.monotonic() - started < 1.5
    assert len(pool) == 0 and pool.urls() == []
    assert all(not r.running and r.state is StreamState.STOPPED for r in readers)


def test_stop_all_waits_for_readers_released_earlier(server: MjpegServer) -> None:
    """A reader released while its camera hangs is still inside a read: stop_all() waits for that thread too
    (at exit no stream thread may be left inside OpenCV), and running() lists it until it has ended."""
    pool = ReaderPool(lambda url: StreamReader(url, read_timeout_s=1.5))
    url = server.url("hung.mjpg")
    reader = pool.acquire(url, camera_id="CAM-0003")
    assert reader.camera_id == "CAM-0003" and "CAM-0003" in reader.context
    assert wait_until(lambda: reader.state is StreamState.LIVE)
    server.stall.set()
    time.sleep(0.2)  # inside cap.read(), which returns only on data or the read timeout
    pool.release(url)
    assert len(pool) == 0 and reader.running
    assert pool.running() == [reader]
    started = time.monotonic()
    assert pool.stop_all(timeout_s=5.0)
    assert not reader.running, "stop_all returned while a released reader was still inside a read"
    assert time.monotonic() - started < 3.0
    assert pool.running() == []


def test_stop_all_reports_and_keeps_a_thread_it_could_not_wait_out(server: MjpegServer) -> None:
    """A wait shorter than the read timeout: stop_all() says False, running() still lists the reader, and the
    next stop_all() waits for it."""
    pool = ReaderPool(lambda url: StreamReader(url, read_timeout_s=1.5))
    reader = pool.acquire(server.url("slow.mjpg"))
    assert wait_until(lambda: reader.state is StreamState.LIVE)
    server.stall.set()
    time.sleep(0.2)
    assert not pool.stop_all(timeout_s=0.1)
    assert pool.running() == [reader]
    assert pool.stop_all(timeout_s=5.0)
    assert pool.running() == [] and not reader.running
