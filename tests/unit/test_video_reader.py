"""StreamReader against real MJPEG streams over HTTP on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import http.server
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from commandwall.backoff import Backoff
from commandwall.video.reader import READER_NICENESS, StreamReader, StreamState, redact_url
from tests.unit.test_video_mjpeg import MjpegServer, decode_index, free_port

FAST = Backoff(initial_s=0.1, factor=2.0, maximum_s=0.4, jitter=0.1)


def wait_until(predicate: Callable[[], bool], timeout_s: float = 10.0, step_s: float = 0.02) -> bool:
    """Poll ``predicate`` until it holds or ``timeout_s`` passes (bounded)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step_s)
    return predicate()


@pytest.fixture
def server() -> Iterator[MjpegServer]:
    """A real MJPEG camera at 25 fps."""
    srv = MjpegServer(fps=25).start()
    yield srv
    srv.stop()


@pytest.fixture
def readers() -> Iterator[list[StreamReader]]:
    """Readers made by a test; all stopped afterwards."""
    made: list[StreamReader] = []
    yield made
    for reader in made:
        reader.stop(timeout_s=0)
    for reader in made:
        reader.join(6.0)


def test_frames_arrive_and_change(server: MjpegServer, readers: list[StreamReader]) -> None:
    """Decoded frames arrive, their seq and picture move on, and the stats say so."""
    reader = StreamReader(server.url()).start()
    readers.append(reader)
    assert wait_until(lambda: reader.seq >= 5)
    first = reader.latest()
    assert first is not None
    assert wait_until(lambda: reader.seq >= first.seq + 3)
    second = reader.latest()
    assert second is not None and second.seq > first.seq
    assert decode_index(second.image) > decode_index(first.image)
    assert not np.array_equal(first.image, second.image)
    assert first.image.shape == (360, 640, 3) and first.image.dtype == np.uint8
    assert wait_until(lambda: reader.stats().frames >= 30)
    stats = reader.stats()
    assert stats.state is StreamState.LIVE
    assert stats.resolution == (640, 360)
    assert 15 <= stats.fps <= 35, stats.fps
    assert stats.reconnects == 0
    assert stats.age_s() is not None and stats.age_s() < 1.0


def test_slow_consumer_gets_newest_frame_and_drops_are_counted(
    server: MjpegServer, readers: list[StreamReader]
) -> None:
    """A consumer taking 4 frames/s from a 25 fps stream always sees a fresh picture; the rest are dropped."""
    reader = StreamReader(server.url()).start()
    readers.append(reader)
    assert wait_until(lambda: reader.seq >= 3)
    lags: list[int] = []
    taken: set[int] = set()
    for _ in range(10):
        time.sleep(0.25)  # "slow work" per frame
        frame = reader.latest()
        assert frame is not None
        taken.add(frame.seq)
        lags.append(server.index_now() - decode_index(frame.image))
    stats = reader.stats()
    # latency stays a few frames (not growing like a queue's would: 10 × 0.25 s = 2.5 s of backlog)
    assert max(lags) <= 6, lags
    assert lags[-1] <= lags[0] + 3, lags
    # every decoded frame was either taken or dropped (the newest may still wait in the slot)
    untaken = stats.frames - len(taken) - (stats.dropped)
    assert untaken in (0, 1, 2), (stats, len(taken))
    assert stats.dropped >= 30


def test_stop_is_prompt_when_live(server: MjpegServer) -> None:
    """stop() on a playing stream returns within a fraction of a second and the thread ends."""
    reader = StreamReader(server.url()).start()
    assert wait_until(lambda: reader.state is StreamState.LIVE)
    started = time.monotonic()
    assert reader.stop(timeout_s=2.0)
    assert time.monotonic() - started < 1.0
    assert reader.state is StreamState.STOPPED and not reader.running
    assert wait_until(lambda: server.active_connections == 0, 3.0)


def test_stop_is_prompt_during_backoff_and_inside_a_blocked_read(server: MjpegServer) -> None:
    """stop() never waits out a backoff; in a stalled read it returns at once and the thread ends later."""
    dead = StreamReader(f"http://127.0.0.1:{free_port()}/x.mjpg", backoff=Backoff(initial_s=30)).start()
    assert wait_until(lambda: dead.state is StreamState.RECONNECTING)
    started = time.monotonic()
    assert dead.stop(timeout_s=2.0)
    assert time.monotonic() - started < 1.5  # not the 30 s backoff (bounds with room for a loaded machine)

    blocked = StreamReader(server.url(), read_timeout_s=5.0).start()
    assert wait_until(lambda: blocked.state is StreamState.LIVE)
    server.stall.set()
    time.sleep(0.3)  # now inside cap.read(), which only returns on data or the read timeout
    started = time.monotonic()
    blocked.stop(timeout_s=0.2)
    assert time.monotonic() - started < 1.5  # not the rest of the 5 s read timeout
    assert blocked.state is StreamState.STOPPED
    assert blocked.join(7.0), "the thread ends once the read times out"


def test_closed_port_reconnects_with_backoff(readers: list[StreamReader]) -> None:
    """Nothing listening: the reader reports RECONNECTING, keeps retrying, and never shows a frame."""
    reader = StreamReader(f"http://127.0.0.1:{free_port()}/cam.mjpg", backoff=FAST).start()
    readers.append(reader)
    assert wait_until(lambda: reader.stats().reconnects >= 3, 8.0)
    stats = reader.stats()
    assert stats.state is StreamState.RECONNECTING
    assert stats.frames == 0 and reader.latest() is None
    assert "open failed" in stats.last_error


def test_server_gone_mid_stream_then_back(server: MjpegServer, readers: list[StreamReader]) -> None:
    """Camera goes away while playing → RECONNECTING; comes back on the same port → LIVE again. ``live_since``
    (what the overload policy's grace counts from) is the first frame of each time it played."""
    opened = time.monotonic()
    reader = StreamReader(server.url(), backoff=FAST).start()
    readers.append(reader)
    assert wait_until(lambda: reader.state is StreamState.LIVE)
    first = reader.stats()
    assert first.live_since is not None and opened < first.live_since <= time.monotonic()
    assert first.last_frame_at is not None and first.live_since <= first.last_frame_at
    time.sleep(0.3)
    assert reader.stats().live_since == first.live_since, "later frames do not move it"
    server.stop()
    assert wait_until(lambda: reader.state is StreamState.RECONNECTING, 5.0)
    seq_while_down = reader.seq
    time.sleep(0.5)
    assert reader.seq == seq_while_down
    back = time.monotonic()
    server.restart()
    assert wait_until(lambda: reader.state is StreamState.LIVE and reader.seq > seq_while_down + 5, 10.0)
    assert reader.stats().reconnects >= 1
    again = reader.stats().live_since
    assert again is not None and again > back, "live again: the grace starts over"


def test_stalled_stream_goes_stale_then_reconnects(server: MjpegServer, readers: list[StreamReader]) -> None:
    """Connected but silent: STALE after ``stale_after_s``, RECONNECTING after the read timeout, then LIVE."""
    reader = StreamReader(server.url(), stale_after_s=0.5, read_timeout_s=2.0, backoff=FAST).start()
    readers.append(reader)
    assert wait_until(lambda: reader.state is StreamState.LIVE)
    server.stall.set()
    assert wait_until(lambda: reader.state is StreamState.STALE, 2.0)
    age = reader.stats().age_s()
    assert age is not None and age > 0.5
    assert wait_until(lambda: reader.state is StreamState.RECONNECTING, 5.0)
    server.stall.clear()
    assert wait_until(lambda: reader.state is StreamState.LIVE, 10.0)


def test_credentials_never_reach_the_log(
    caplog: pytest.LogCaptureFixture, readers: list[StreamReader]
) -> None:
    """A URL with user:pass and a token is only ever logged redacted."""
    url = f"http://admin:s3cretPW@127.0.0.1:{free_port()}/cam.mjpg?token=t0kenXYZ"
    with caplog.at_level(logging.DEBUG, logger="commandwall.video"):
        reader = StreamReader(url, backoff=FAST).start()
        readers.append(reader)
        assert wait_until(lambda: reader.stats().reconnects >= 2, 8.0)
        reader.stop()
    text = caplog.text + repr(reader) + reader._thread.name
    assert "127.0.0.1" in caplog.text
    assert "s3cretPW" not in text and "admin" not in text and "t0kenXYZ" not in text


def test_redact_url() -> None:
    """user:pass and secret query values are gone; host, port, path and harmless parameters stay."""
    rtsp = redact_url("rtsp://admin:12345@10.0.0.7:554/Streaming/Channels/101")
    assert "admin" not in rtsp and "12345" not in rtsp
    assert rtsp.startswith("rtsp://") and "10.0.0.7:554/Streaming/Channels/101" in rtsp
    flv = redact_url("http://h:8080/live.flv?app=live&token=abc123&Password=pw9")
    assert "abc123" not in flv and "pw9" not in flv and "app=live" in flv
    odd = redact_url("rtsp://u:p@ss@cam/1")
    assert "p@ss" not in odd and ":p" not in odd and "cam/1" in odd
    plain = "http://127.0.0.1:9/streams/CAM-0001/sub.mjpg"
    assert redact_url(plain) == plain


def test_backoff_grows_is_bounded_and_jittered() -> None:
    """Delays double from ``initial_s``, stop at ``maximum_s`` and spread by ± jitter."""
    backoff = Backoff(initial_s=0.5, factor=2.0, maximum_s=10.0, jitter=0.2)
    rng = random.Random(7)
    delays = [backoff.delay_s(n, rng) for n in range(1, 12)]
    assert 0.4 <= delays[0] <= 0.6 and 0.8 <= delays[1] <= 1.2
    assert all(d <= 12.0 for d in delays) and delays[-1] >= 8.0
    assert backoff.delay_s(10_000, rng) <= 12.0
    assert len({round(backoff.delay_s(9, rng), 4) for _ in range(20)}) > 1


def _niceness(native_id: int) -> int:
    stat = Path(f"/proc/self/task/{native_id}/stat").read_text()
    return int(stat[stat.rindex(")") + 2:].split()[16])  # field 19 of stat(5), "nice"


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="per-thread niceness is Linux's")
def test_a_reader_runs_nicer_than_the_window(server: MjpegServer, readers: list[StreamReader]) -> None:
    """Short of CPU, the window goes first: the reading thread (and what FFmpeg starts from it) is niced."""
    window = _niceness(threading.get_native_id())
    reader = StreamReader(server.url()).start()
    readers.append(reader)
    assert wait_until(lambda: reader.seq >= 3)
    assert _niceness(reader._thread.native_id) == min(19, window + READER_NICENESS)
    assert _niceness(threading.get_native_id()) == window  # the caller's own thread is left alone


class _Failing(http.server.BaseHTTPRequestHandler):
    """A stream server that answers every request with 503 (a relay overloaded or restarting)."""

    def do_GET(self) -> None:
        self.send_error(503)

    def log_message(self, *_args: object) -> None:
        pass


def test_a_server_error_is_said_without_ffmpegs_error_code(readers: list[StreamReader]) -> None:
    """PyAV puts FFmpeg's error tag in errno: the line read "[Errno 1482175992] Server returned 5XX Server Error
    reply", a number that means nothing to the officer or the support desk. The message says what happened."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        reader = StreamReader(f"http://127.0.0.1:{server.server_port}/cam.ts", backoff=FAST).start()
        readers.append(reader)
        assert wait_until(lambda: reader.stats().reconnects >= 1, 8.0)
        error = reader.stats().last_error
        assert "5XX" in error and "Errno" not in error, error
    finally:
        server.shutdown()
        server.server_close()
