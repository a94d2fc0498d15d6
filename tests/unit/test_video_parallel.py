"""Stream readers on the exercise backend's real H.264/H.265 streams: parallel opens, a black-hole camera
that holds up nobody, bounded stop while playing, and the decoder choice.

Time bounds here are generous (a shared 2-core machine); the tight numbers are in benchmarks/bench_wall.py.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from commandwall.backoff import Backoff
from commandwall.demo.backend import DemoBackend
from commandwall.demo.media import read_index_code
from commandwall.demo.seed import stream_codec
from commandwall.paths import exercise_clips_dir
from commandwall.video.capture import choose_decoder
from commandwall.video.reader import StreamReader, StreamState
from tests.unit.conftest import needs_clips
from tests.unit.test_video_reader import wait_until
from tests.unit.test_video_supervision import SilentServer

pytestmark = needs_clips
H264_CAMERAS = [f"CAM-{i:04d}" for i in range(20, 60) if stream_codec(f"CAM-{i:04d}") == "h264"]


@pytest.fixture
def readers() -> Iterator[list[StreamReader]]:
    """Readers a test started; stopped and joined at the end."""
    started: list[StreamReader] = []
    yield started
    for reader in started:
        reader.stop(timeout_s=0)
    for reader in started:
        assert reader.join(8.0), f"{reader} did not end"


def sub_url(backend: DemoBackend, camera_id: str) -> str:
    """The camera's H.264/H.265 sub stream."""
    return f"{backend.base_url}/streams/{camera_id}/sub.ts"


def test_network_streams_decode_with_pyav_files_with_opencv() -> None:
    assert choose_decoder("http://127.0.0.1/streams/CAM-0001/sub.ts") == "pyav"
    assert choose_decoder("rtsp://user:pw@10.0.0.1/h264") == "pyav"
    assert choose_decoder("/srv/clip.mp4") == "opencv"
    assert choose_decoder("http://127.0.0.1/x.ts", "opencv") == "opencv"
    with pytest.raises(ValueError, match="unknown decoder"):
        choose_decoder("http://127.0.0.1/x.ts", "gstreamer")


@pytest.mark.parametrize(("camera_id", "ext"), [
    ("CAM-0001", "ts"), ("CAM-0003", "ts"),  # H.264, H.265 over MPEG-TS
    ("CAM-0009", "flv"), ("CAM-0003", "flv"),  # HTTP-FLV: H.264, H.265 (enhanced FLV)
    ("CAM-0014", "m3u8"),  # HLS
])  # fmt: skip
def test_h264_and_h265_frames_arrive_and_change(
    backend: DemoBackend, readers: list[StreamReader], camera_id: str, ext: str
) -> None:
    reader = StreamReader(f"{backend.base_url}/streams/{camera_id}/sub.{ext}").start()
    readers.append(reader)
    assert reader.decoder == "pyav"
    assert wait_until(lambda: reader.seq >= 5, 10.0), reader.stats()
    first = reader.latest()
    assert first is not None and (first.width, first.height) == (640, 360)
    assert wait_until(lambda: reader.seq >= first.seq + 10, 5.0)
    later = reader.latest()
    assert later is not None
    a, b = read_index_code(first.image), read_index_code(later.image)
    assert a is not None and b is not None and a != b, "the picture moves on"
    stats = reader.stats()
    assert stats.state is StreamState.LIVE and stats.fps > 15


class GateProxy:
    """Passes stream requests on to ``upstream`` only once ``parties`` of them are in flight at the same time
    (each waits at a barrier, at most ``wait_s``; then 503): readers that open one at a time never get through."""

    def __init__(self, upstream: str, parties: int, wait_s: float = 20.0) -> None:
        self.barrier = threading.Barrier(parties, timeout=wait_s)
        self._closing = threading.Event()
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                try:
                    gate.barrier.wait()
                except threading.BrokenBarrierError:
                    self.send_error(503, "the others never came")
                    return
                with requests.get(upstream + self.path, stream=True, timeout=10) as answer:
                    self.send_response(answer.status_code)
                    self.send_header("Content-Type", answer.headers.get("Content-Type", "video/mp2t"))
                    self.end_headers()
                    with contextlib.suppress(OSError):
                        for chunk in answer.iter_content(65536):
                            if gate._closing.is_set():
                                break
                            self.wfile.write(chunk)

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and end every stream passed on."""
        self._closing.set()
        self.barrier.abort()
        self._server.shutdown()
        self._server.server_close()


def test_sixteen_readers_open_in_parallel(backend: DemoBackend, readers: list[StreamReader]) -> None:
    """A gate answers no open until all sixteen are in flight at once: readers that opened one at a time (as
    OpenCV's reader does, under its process-wide lock) would never get through."""
    gate = GateProxy(backend.base_url, parties=16)
    try:
        readers.extend(StreamReader(f"{gate.base_url}/streams/{cam}/sub.ts", open_timeout_s=25.0).start()
                       for cam in H264_CAMERAS[:16])  # fmt: skip
        assert wait_until(lambda: all(r.state is StreamState.LIVE for r in readers), 30.0), [
            r.stats() for r in readers if r.state is not StreamState.LIVE
        ]
        assert not gate.barrier.broken
        seqs = [r.seq for r in readers]
        assert wait_until(lambda: all(r.seq > s + 5 for r, s in zip(readers, seqs, strict=True)), 10.0)
    finally:
        gate.stop()


def test_a_black_hole_camera_delays_no_other_tile(backend: DemoBackend, readers: list[StreamReader]) -> None:
    """A server that accepts and never answers: its reader waits out its 8 s open timeout alone."""
    silent = SilentServer().start()
    try:
        dead = StreamReader(silent.url("dead.ts"), open_timeout_s=8.0, read_timeout_s=8.0).start()
        readers.append(dead)
        assert wait_until(lambda: silent.accepted >= 1, 5.0), "the dead camera's open should be under way"
        started = time.monotonic()
        live = [StreamReader(sub_url(backend, cam)).start() for cam in H264_CAMERAS[:4]]
        readers.extend(live)
        assert wait_until(lambda: all(r.state is StreamState.LIVE for r in live), 4.0), (
            "the working tiles waited for the dead camera's open"
        )
        assert time.monotonic() - started < 4.0
        assert dead.state is StreamState.CONNECTING and dead.latest() is None
        assert dead.stop(timeout_s=10.0), "stop() is bounded by the open timeout"
    finally:
        silent.stop()


def test_stop_is_bounded_while_a_stream_plays(backend: DemoBackend) -> None:
    reader = StreamReader(sub_url(backend, "CAM-0002"), backoff=Backoff(initial_s=0.1, maximum_s=0.2)).start()
    try:
        assert wait_until(lambda: reader.seq >= 3, 10.0)
        started = time.monotonic()
        assert reader.stop(timeout_s=2.0), "the reading thread should end within a frame or two"
        assert time.monotonic() - started < 2.0
        assert reader.state is StreamState.STOPPED
    finally:
        reader.stop(timeout_s=0)
        reader.join(8.0)


def test_opencv_stays_available_for_files(readers: list[StreamReader]) -> None:
    clip = exercise_clips_dir() / "h264-sub.ts"
    reader = StreamReader(str(clip)).start()
    readers.append(reader)
    assert reader.decoder == "opencv"
    assert wait_until(lambda: reader.seq >= 3, 10.0)
    frame = reader.latest()
    assert frame is not None and read_index_code(frame.image) is not None
