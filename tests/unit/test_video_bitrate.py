"""The bitrate a reader reports, against the bytes of the clip the exercise backend streams in real time."""

from __future__ import annotations

import statistics
import time

import av

from commandwall.demo import DemoBackend
from commandwall.demo.media import FPS
from commandwall.paths import exercise_clips_dir
from commandwall.video.reader import StreamReader, StreamState
from tests.unit.conftest import needs_clips
from tests.unit.test_video_reader import wait_until

pytestmark = needs_clips


def clip_kbps(name: str) -> float:
    """kbit/s of the clip's video packets played at its frame rate (what the server sends, looped)."""
    with av.open(str(exercise_clips_dir() / name)) as clip:
        sizes = [p.size for p in clip.demux(clip.streams.video[0]) if p.size]
    return sum(sizes) * 8 / 1000 / (len(sizes) / FPS)


STREAMS = [("CAM-0001", "sub", "h264-sub.ts"), ("CAM-0002", "main", "h264-main.ts")]


def test_reported_bitrate_is_the_streams_bytes_per_second(backend: DemoBackend) -> None:
    """A sub and a main stream, read side by side over one whole loop of their clips."""
    expected = {camera_id: clip_kbps(clip) for camera_id, _variant, clip in STREAMS}
    readers = {camera_id: StreamReader(f"{backend.base_url}/streams/{camera_id}/{variant}.ts").start()
               for camera_id, variant, _clip in STREAMS}  # fmt: skip
    samples: dict[str, list[float]] = {camera_id: [] for camera_id in readers}
    try:
        assert wait_until(lambda: all(r.state is StreamState.LIVE for r in readers.values()), 15.0), \
            [r.stats() for r in readers.values()]  # fmt: skip
        time.sleep(StreamReader.BITRATE_WINDOW_S + 1.0)  # the opening burst (one GOP at once) out of the window
        for _ in range(11):  # over a whole 10 s loop of the clip
            for camera_id, reader in readers.items():
                samples[camera_id].append(reader.stats().bitrate_kbps)
            time.sleep(1.0)
    finally:
        for reader in readers.values():
            reader.stop()
        for reader in readers.values():
            assert reader.join(10.0)
    for camera_id, got in samples.items():
        measured, want = statistics.fmean(got), expected[camera_id]
        print(f"{camera_id}: clip {want:.0f} kbit/s, reported {measured:.0f} kbit/s "
              f"(samples {min(got):.0f}–{max(got):.0f})")  # fmt: skip
        assert abs(measured - want) <= 0.2 * want, (camera_id, want, got)
        assert all(abs(s - want) <= 0.35 * want for s in got), (camera_id, want, got)


def test_a_file_through_opencv_has_no_bitrate() -> None:
    """OpenCV hides its packets: the bitrate is not measured (the overlay says —), never a made-up number."""
    reader = StreamReader(str(exercise_clips_dir() / "h264-sub.ts")).start()
    try:
        assert wait_until(lambda: reader.stats().frames > 10, 15.0)
        assert reader.decoder == "opencv" and reader.stats().bitrate_kbps is None
        assert reader.latest() is not None and reader.latest().received_at is None
    finally:
        reader.stop()
        assert reader.join(10.0)


def test_the_bitrate_kept_as_a_running_sum_agrees_with_the_bytes_in_the_window() -> None:
    """Frames counted past the window's length (no one asked for stats for a while) and samples that age out:
    the running sum stays the sum of what is in the window."""
    reader = StreamReader("http://127.0.0.1:9/never-opened.ts")
    reader._measures_bytes = True
    now = time.monotonic()
    sizes = [(now - 60 + k * 0.04, 1000 + k % 7) for k in range(1500)]  # a minute at 25 fps: more than kept
    for at, size in sizes:
        reader._count_bytes(size, at)
    stats = reader.stats()
    window = list(reader._bytes)  # what the window holds now, by stats()'s clock
    assert 0 < len(window) < len(sizes) and all(sizes[-len(window):][k] == window[k] for k in range(len(window)))
    assert reader._bytes_sum == sum(n for _at, n in window)
    later = time.monotonic()
    span_after = max(window[-1][0], later - 0.5) - window[0][0]
    span_before = max(window[-1][0], now - 0.5) - window[0][0]
    bits = sum(n for _at, n in window[1:]) * 8 / 1000
    assert bits / span_after - 1e-6 <= stats.bitrate_kbps <= bits / span_before + 1e-6
