"""Segmented streams (HLS) are published at their own rate, not a segment's burst at a time; live streams that
arrive in real time (MPEG-TS) are not held at all.

Real exercise backend on 127.0.0.1: its HLS playlists name one-second segments, each about 25 pictures that the
reader gets in a fraction of a second and then nothing until the next one. A consumer polling at 25 Hz (the
wall's refresh) took about one picture in ten of them before the reader paced them.
"""

from __future__ import annotations

import collections
import itertools
import time

import pytest

from commandwall.demo.backend import DemoBackend
from commandwall.demo.media import CLIP_FRAMES, FPS, read_index_code
from commandwall.video.capture import Pacer, PyAvCapture
from commandwall.video.reader import StreamReader, StreamState
from tests.unit.conftest import needs_clips


def consume(reader: StreamReader, seconds: float, hz: float = 25.0) -> tuple[list[float], int, int]:
    """Poll ``reader`` at ``hz`` like the wall's refresh for ``seconds`` after its first segment; returns when
    each picture was published (seconds into the polling) and the frames and drops counted over it."""
    published: list[float] = []
    reader.on_frame = lambda: published.append(time.monotonic())
    reader.start()
    deadline = time.monotonic() + 10
    while reader.state is not StreamState.LIVE and time.monotonic() < deadline:
        time.sleep(0.01)
    assert reader.state is StreamState.LIVE, reader.stats().last_error
    time.sleep(1.2)  # the first segment: its first picture sets the clock
    before = reader.stats()
    start = time.monotonic()
    while time.monotonic() < start + seconds:
        reader.latest()
        time.sleep(1 / hz)
    after = reader.stats()
    times = [t - start for t in published if start <= t < start + seconds]
    return times, after.frames - before.frames, after.dropped - before.dropped


@needs_clips
@pytest.mark.parametrize("camera_id", ["CAM-0014", "CAM-0003"])  # H.264, H.265
def test_an_hls_stream_is_published_at_its_own_rate(backend: DemoBackend, camera_id: str) -> None:
    reader = StreamReader(f"{backend.base_url}/streams/{camera_id}/sub.m3u8")
    try:
        published, frames, dropped = consume(reader, 4.0)
        stats = reader.stats()
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(6.0)
    per_second = collections.Counter(int(t) for t in published)
    counts = [per_second[i] for i in range(4)]
    print(f"{camera_id} HLS: published per second {counts}, {dropped} of {frames} dropped at 25 Hz")
    assert stats.nominal_fps == FPS
    assert max(counts) <= 1.5 * FPS, f"no burst of a segment at once: {counts}"
    assert sum(counts) >= 0.8 * FPS * 4, f"and no slower than the stream: {counts}"
    # unpaced, a 25 Hz consumer missed about nine pictures in ten; the consumer's own polling on a loaded machine
    # misses some of a paced stream too, so the rate above (the reader's publish times) is what judges the pacing
    assert dropped <= 0.5 * frames, f"{dropped} of {frames} pictures replaced before a 25 Hz consumer took them"
    quarter = max(sum(1 for u in published if t <= u < t + 0.25) for t in published)
    assert quarter <= 1.5 * FPS / 4 + 1, f"{quarter} pictures within a quarter of a second: a burst"


@needs_clips
def test_hls_pictures_follow_each_other_while_paced(backend: DemoBackend) -> None:
    """Every picture of consecutive segments is published in order, none skipped by the pacing."""
    capture = PyAvCapture(f"{backend.base_url}/streams/CAM-0014/sub.m3u8", 5.0)
    try:
        assert capture.pacer is not None, "an HLS stream is paced"
        started = time.monotonic()
        indices = []
        for _ in range(2 * FPS):
            image = capture.read()
            assert image is not None and capture.due_at is not None
            indices.append(read_index_code(image))
            wait = capture.due_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        elapsed = time.monotonic() - started
    finally:
        capture.close()
    assert None not in indices
    assert {(b - a) % CLIP_FRAMES for a, b in itertools.pairwise(indices)} == {1}, indices
    assert 1.2 < elapsed < 3.5, f"two segments over about two seconds, not at once: {elapsed:.2f} s"


@needs_clips
def test_a_live_ts_stream_is_not_held(backend: DemoBackend) -> None:
    """MPEG-TS arrives in real time: no pacer, so no picture waits; it stays within a frame or two of the
    server's clock (the server records when it sent each picture)."""
    capture = PyAvCapture(f"{backend.base_url}/streams/CAM-0004/sub.ts", 5.0)
    assert capture.pacer is None and capture.frame_rate == FPS
    capture.close()
    reader = StreamReader(f"{backend.base_url}/streams/CAM-0004/sub.ts")
    try:
        consume(reader, 2.0)
        lags = []
        for _ in range(25):
            frame = reader.latest()
            assert frame is not None
            index = read_index_code(frame.image)
            sent = backend.streams.clips.sent_at("CAM-0004", "sub")  # type: ignore[union-attr]
            if index is not None and sent[index]:
                lags.append(time.time() - sent[index])
            time.sleep(0.04)
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(6.0)
    lags.sort()
    print(f"TS: newest picture {1000 * lags[len(lags) // 2]:.0f} ms after the server sent it (median)")
    assert lags and lags[len(lags) // 2] < 0.15, lags


def test_the_pacer_holds_early_pictures_only_and_never_falls_behind() -> None:
    pacer = Pacer(max_ahead_s=1.0, slack_s=0.1)
    assert pacer.due(None, 5.0) == 5.0, "no timestamp: at once"
    assert pacer.due(10.0, 100.0) == 100.0, "the first picture sets the clock"
    # a segment's burst: all decoded at once, each due a frame after the one before
    assert [pacer.due(10.0 + k * 0.04, 100.001) for k in (1, 2, 3)] == pytest.approx([100.04, 100.08, 100.12])
    # on time (a real-time stream): due when it came or just before, shown at once
    assert pacer.due(10.2, 100.2) == pytest.approx(100.2)
    assert pacer.due(10.24, 100.25) == pytest.approx(100.24), "a little late: at once, the clock stays"
    assert pacer.restarts == 1
    # the next segment came 0.4 s late: shown at once and the clock starts at it (no rush through 10 pictures)
    assert pacer.due(10.28, 100.68) == 100.68 and pacer.restarts == 2
    assert pacer.due(10.32, 100.69) == pytest.approx(100.72)
    # the timestamps jumped ahead (a discontinuity): not held for seconds
    assert pacer.due(30.0, 100.8) == 100.8 and pacer.restarts == 3
    # … or went back (a stream that loops its timestamps)
    assert pacer.due(0.0, 100.9) == 100.9 and pacer.restarts == 4
    fast = Pacer(1.04)
    fast.due(0.0, 0.0)
    assert fast.due(1.04, 0.5) == pytest.approx(1.0), "a live stream plays a little fast, to catch up with its edge"


@needs_clips
def test_a_playlist_waiting_at_its_live_edge_is_not_a_stalled_read(backend: DemoBackend) -> None:
    """At its live edge an HLS read waits inside FFmpeg for the next segment (one second here): longer than a
    short read timeout, which bounds any other stream's read as a whole. Read as fast as it comes (not paced),
    the playlist reaches its edge, waits there for new segments, and goes on."""
    capture = PyAvCapture(f"{backend.base_url}/streams/CAM-0014/sub.m3u8", 0.6)
    try:
        started = time.monotonic()
        for _ in range(6 * FPS):  # more pictures than the playlist holds: new segments must be waited for
            assert capture.read() is not None
        assert time.monotonic() - started > 1.5, "it waited at the live edge"
    finally:
        capture.close()
