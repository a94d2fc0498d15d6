"""A tile that moves to another stream of its camera (sub ↔ main) never steps back in time: the new stream's join
burst — the server's cache of the current GOP, sent at once, up to a GOP before the picture on screen and decoded
faster than real time — is held until the reader reaches the live edge (``PyAvCapture``'s ``hold_join``).

Real streams: the exercise backend's H.264 sub and main streams of one camera, on one timeline, each picture
showing its index in the loop (``read_index_code``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from commandwall.demo import DemoBackend
from commandwall.demo.media import read_index_code
from commandwall.video.decode_host import DecodeHost
from commandwall.video.pool import ReaderPool
from commandwall.video.reader import StreamReader, StreamState
from tests.loop_index import assert_not_before

CAMERA = "CAM-0863"  # an H.264 camera of the exercise (MPEG-TS over HTTP)


@pytest.fixture(scope="module")
def exercise() -> Iterator[DemoBackend]:
    """The exercise backend, its simulator off (the camera stays online)."""
    backend = DemoBackend(incident_rate_per_min=0, simulate=False).start()
    yield backend
    backend.stop()


def index_of(reader: StreamReader) -> int:
    """The loop index the reader's newest picture shows."""
    frame = reader.latest()
    assert frame is not None
    index = read_index_code(frame.image[:, :, :3])
    assert index is not None, "the picture's index code does not read"
    return index


def first_picture(reader: StreamReader, reopens: int = 0, timeout_s: float = 10.0) -> int:
    """The index of the first picture ``reader`` gives out once it has reopened ``reopens`` times in all (noted on
    its own thread as it is published)."""
    seen: list[int] = []
    published = threading.Event()

    def note() -> None:
        if not seen and reader.stats().reconnects >= reopens:
            seen.append(index_of(reader))
            published.set()

    reader.on_frame = note
    try:
        if reopens == 0 and reader.latest() is not None:  # published before the callback was in place
            return index_of(reader)
        assert published.wait(timeout_s), "the stream gave no picture"
        return seen[0]
    finally:
        reader.on_frame = None


@pytest.mark.parametrize("decoded_in", ["reader thread", "decoder process"])
def test_a_tile_switching_streams_starts_the_new_one_at_the_picture_on_screen_not_before(
    exercise: DemoBackend, decoded_in: str
) -> None:
    host = DecodeHost() if decoded_in == "decoder process" else None
    pool = ReaderPool(decode_host=host)
    base = f"{exercise.base_url}/streams/{CAMERA}"
    try:
        for attempt in range(4):  # a different place in the GOP each time (it is one second long)
            sub = pool.acquire(f"{base}/sub.ts", CAMERA)
            sub.set_display_size((640, 360))
            deadline = time.monotonic() + 15
            while sub.state is not StreamState.LIVE and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.6 + 0.23 * attempt)
            on_screen = index_of(sub)
            main = pool.acquire(f"{base}/main.ts", CAMERA, switching=True)
            main.set_display_size((640, 360))
            assert_not_before(on_screen, first_picture(main), f"switch {attempt}")
            pool.release(f"{base}/main.ts")
            pool.release(f"{base}/sub.ts")
    finally:
        pool.stop_all(timeout_s=6.0)
        if host is not None:
            host.close()


@pytest.mark.parametrize("decoded_in", ["reader thread", "decoder process"])
def test_a_stream_reopened_in_place_starts_at_the_picture_on_screen_not_before(
    exercise: DemoBackend, decoded_in: str
) -> None:
    """A reader reopened while its tile shows a picture (a new RTSP transport chosen from the tile's menu) starts
    the new stream at that picture or later: the server's GOP cache is not replayed over it."""
    host = DecodeHost() if decoded_in == "decoder process" else None
    reader = StreamReader(f"{exercise.base_url}/streams/{CAMERA}/sub.ts", camera_id=CAMERA, decode_host=host)
    reader.set_display_size((640, 360))
    reader.start()
    try:
        deadline = time.monotonic() + 15
        while reader.state is not StreamState.LIVE and time.monotonic() < deadline:
            time.sleep(0.02)
        assert reader.state is StreamState.LIVE
        for attempt in range(4):  # a different place in the GOP each time (it is one second long)
            time.sleep(0.6 + 0.23 * attempt)
            on_screen = index_of(reader)
            reader.restart()
            assert_not_before(on_screen, first_picture(reader, reopens=attempt + 1), f"reopen {attempt}")
        assert reader.stats().reconnects == 4
    finally:
        reader.stop(timeout_s=6.0)
        if host is not None:
            host.close()
