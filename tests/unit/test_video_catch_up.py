"""A reader that cannot decode a live stream in time stays near the live edge (追帧); one that can never skips.

Real exercise backend on 127.0.0.1 (H.264 MPEG-TS at 25 fps, each picture's index burned in; the server records
when it sent each index). The slow reader spends 60 ms on each picture it publishes — a desk whose cores the
wall shares with everything else — so without skipping it would lose 0.36 s a second, about 3 s over this test.
"""

from __future__ import annotations

import time

from commandwall.demo.backend import DemoBackend
from commandwall.demo.media import read_index_code
from commandwall.video.live_edge import CATCH_UP_S
from commandwall.video.reader import StreamReader, StreamState
from tests.unit.conftest import needs_clips

pytestmark = needs_clips


def lag_s(backend: DemoBackend, reader: StreamReader, camera_id: str) -> float | None:
    """Seconds from the server sending the reader's newest picture until now (None: not readable yet)."""
    frame = reader.latest()
    if frame is None:
        return None
    index = read_index_code(frame.image)
    sent = backend.streams.clips.sent_at(camera_id, "sub")  # type: ignore[union-attr]
    if index is None or not sent[index]:
        return None
    return time.time() - sent[index]


def test_a_reader_behind_a_live_stream_skips_to_the_live_edge_and_one_in_time_never_does(
    backend: DemoBackend,
) -> None:
    slow = StreamReader(f"{backend.base_url}/streams/CAM-0004/sub.ts")
    # called on the reading thread after each picture: taken at once (a consumer that keeps up, so every picture
    # is converted), then 60 ms lost
    slow.on_frame = lambda: (slow.latest(), time.sleep(0.06))
    steady = StreamReader(f"{backend.base_url}/streams/CAM-0005/sub.ts")
    lags: dict[str, list[tuple[float, float]]] = {"CAM-0004": [], "CAM-0005": []}
    try:
        for reader in (slow, steady):
            reader.start()
        deadline = time.monotonic() + 10
        while not (slow.state is steady.state is StreamState.LIVE) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert slow.state is steady.state is StreamState.LIVE, (slow.stats().last_error, steady.stats().last_error)
        start = time.monotonic()
        while time.monotonic() - start < 9.0:
            for camera_id, reader in (("CAM-0004", slow), ("CAM-0005", steady)):
                lag = lag_s(backend, reader, camera_id)
                if lag is not None:
                    lags[camera_id].append((time.monotonic() - start, lag))
            time.sleep(0.1)
        slow_stats, steady_stats = slow.stats(), steady.stats()
    finally:
        for reader in (slow, steady):
            reader.stop(timeout_s=0)
        assert slow.join(6.0) and steady.join(6.0)
    late = [lag for at, lag in lags["CAM-0004"] if at >= 4.0]
    print(f"slow reader: {slow_stats.catch_ups} catch-ups, {max(late):.2f} s behind at most after 4 s; "
          f"steady: {max(lag for _, lag in lags['CAM-0005']):.2f} s at most")  # fmt: skip
    assert slow_stats.catch_ups >= 2
    assert late and max(late) < 2 * CATCH_UP_S, lags["CAM-0004"]
    assert slow_stats.behind_s is not None and slow_stats.behind_s <= CATCH_UP_S + 0.2
    # the steady reader keeps up: at most one skip (a stall of the loaded machine, not of its own decoding; the
    # slow reader makes two or more), and in the main less than the catch-up threshold behind
    assert steady_stats.catch_ups <= 1, steady_stats
    assert steady_stats.behind_s is not None and steady_stats.behind_s < CATCH_UP_S
    steady_lags = sorted(lag for _, lag in lags["CAM-0005"])
    assert steady_lags and steady_lags[len(steady_lags) // 2] < CATCH_UP_S, steady_lags
