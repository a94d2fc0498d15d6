"""Supervised stream readers and bounded stops, against real servers on 127.0.0.1.

A reader that meets junk or an unexpected exception logs it with context, shows 重连中 on its tile, backs off
and plays again; ``stop()`` plus ``join()`` end the thread within bounds whether the camera streams on or
hangs without sending a byte.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from commandwall.backoff import Backoff
from commandwall.domain.models import CameraStatus
from commandwall.ui.wall.tile import tile_badge
from commandwall.video.reader import StreamReader, StreamState
from tests.unit.test_video_mjpeg import GARBAGE, MjpegServer
from tests.unit.test_video_reader import wait_until

#: Long enough that the RECONNECTING state is seen by a 20 ms poll, short enough to keep the tests quick.
VISIBLE = Backoff(initial_s=0.6, factor=1.0, maximum_s=0.6, jitter=0.0)


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never sends a byte (a camera whose encoder hung)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = int(self._listener.getsockname()[1])
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, name="silent-test-server", daemon=True)

    def start(self) -> SilentServer:
        """Accept on a daemon thread."""
        self._thread.start()
        return self

    @property
    def accepted(self) -> int:
        """Connections accepted so far."""
        with self._lock:
            return len(self._conns)

    def url(self, path: str = "cam.mjpg") -> str:
        """A stream URL on this server."""
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self) -> None:
        """Stop accepting and close every held connection."""
        self._closing.set()
        self._thread.join(5.0)
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            conn.close()
        self._listener.close()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._conns.append(conn)


class FaultyDecoder(StreamReader):
    """A reader whose decode step raises once, on its ``fail_at``-th picture (then decodes normally)."""

    def __init__(self, url: str, fail_at: int, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self.fail_at = fail_at
        self.decoded = 0

    def _decode(self, cap: cv2.VideoCapture) -> np.ndarray | None:
        image = super()._decode(cap)
        self.decoded += 1
        if self.decoded == self.fail_at:
            raise RuntimeError(f"decoder fault in {self.url}")
        return image


@pytest.fixture
def server() -> Iterator[MjpegServer]:
    """A real MJPEG camera at 25 fps."""
    srv = MjpegServer(fps=25).start()
    yield srv
    srv.stop()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    """A server that accepts and stays silent."""
    srv = SilentServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def readers() -> Iterator[list[StreamReader]]:
    """Readers made by a test; stopped and joined afterwards."""
    made: list[StreamReader] = []
    yield made
    for reader in made:
        reader.stop(timeout_s=0)
    for reader in made:
        assert reader.join(8.0)


def _badge(reader: StreamReader) -> str:
    return tile_badge(True, CameraStatus.ONLINE, reader.stats())[0]


def test_decode_fault_is_logged_with_context_shown_and_survived(
    server: MjpegServer, readers: list[StreamReader], caplog: pytest.LogCaptureFixture
) -> None:
    """An exception in the decode step: one ERROR with camera id, redacted URL and traceback; the tile reads
    重连中 during the backoff; then the same thread plays again."""
    url = server.url("cam.mjpg?token=t0kenXYZ", userinfo="admin:s3cretPW@")
    with caplog.at_level(logging.INFO, logger="commandwall.video"):
        reader = FaultyDecoder(url, fail_at=5, backoff=VISIBLE, camera_id="CAM-0042").start()
        readers.append(reader)
        assert wait_until(lambda: reader.state is StreamState.RECONNECTING, 10.0)
        assert "重连" in _badge(reader) and "画面停在" in _badge(reader)  # it had played: its picture's age
        assert reader.running
        seq = reader.seq
        assert wait_until(lambda: reader.state is StreamState.LIVE and reader.seq > seq + 5, 10.0)
    assert reader.crashes == 1 and reader.stats().reconnects >= 1
    assert "RuntimeError" in reader.stats().last_error
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    message = errors[0].getMessage()
    assert "CAM-0042" in message and f"127.0.0.1:{server.port}/cam.mjpg" in message
    assert "Traceback" in message and "decoder fault" in message and "_decode" in message
    assert "s3cretPW" not in caplog.text and "t0kenXYZ" not in caplog.text and "admin" not in caplog.text


def test_publish_fault_is_survived(
    server: MjpegServer, readers: list[StreamReader], caplog: pytest.LogCaptureFixture
) -> None:
    """A picture the reader cannot publish (not an image array) is an unexpected error: logged, backed off,
    restarted, never the end of the thread."""

    class OddPicture(StreamReader):
        sent = 0

        def _decode(self, cap: cv2.VideoCapture) -> np.ndarray | None:
            image = super()._decode(cap)
            self.sent += 1
            return [1, 2, 3] if self.sent == 3 else image  # type: ignore[return-value]  # no .flags: AttributeError

    with caplog.at_level(logging.ERROR, logger="commandwall.video"):
        reader = OddPicture(server.url(), backoff=VISIBLE, camera_id="CAM-7").start()
        readers.append(reader)
        assert wait_until(lambda: reader.crashes == 1, 10.0)
        assert wait_until(lambda: reader.state is StreamState.LIVE and reader.seq > 5, 10.0)
    assert reader.running
    assert any("AttributeError" in r.getMessage() and "CAM-7" in r.getMessage() for r in caplog.records)


def test_garbage_then_good_frames(server: MjpegServer, readers: list[StreamReader]) -> None:
    """Junk parts (noise, a cut-off JPEG, an HTML page) first: the reader reports 重连中, keeps going, and
    shows the good pictures once they come; junk is an ordinary failure, not a crash."""
    server.garbage_parts = 4 * len(GARBAGE)
    reader = StreamReader(server.url(), backoff=VISIBLE, camera_id="CAM-9").start()
    readers.append(reader)
    assert wait_until(lambda: reader.state is StreamState.RECONNECTING, 10.0)
    assert "重连" in _badge(reader)
    assert wait_until(lambda: reader.state is StreamState.LIVE and reader.seq >= 5, 15.0)
    assert server.garbage_parts == 0
    frame = reader.latest()
    assert frame is not None and frame.image.shape == (360, 640, 3) and frame.image.dtype == np.uint8
    assert _badge(reader) == "直播"
    assert reader.crashes == 0 and reader.running


def test_stop_is_bounded_while_the_camera_keeps_streaming(server: MjpegServer) -> None:
    """A fast, never-ending stream: stop() returns with the thread ended, well within a second."""
    fast = MjpegServer(fps=60).start()
    try:
        reader = StreamReader(fast.url(), camera_id="CAM-1").start()
        assert wait_until(lambda: reader.state is StreamState.LIVE and reader.seq > 10)
        started = time.monotonic()
        assert reader.stop(timeout_s=3.0), "thread still running"
        assert time.monotonic() - started < 1.0
        assert not reader.running and reader.state is StreamState.STOPPED
    finally:
        fast.stop()


def test_stop_is_bounded_when_the_camera_never_sends_a_byte(silent: SilentServer) -> None:
    """Connected, no answer at all: the timeouts bound the native call, so stop()+join() end the thread within
    them (plus a margin), and stop() alone returns at once: well before them (5 s, so that a stop() waiting for
    the native call could not pass for prompt on a loaded machine)."""
    reader = StreamReader(silent.url(), open_timeout_s=5.0, read_timeout_s=5.0, backoff=VISIBLE).start()
    assert wait_until(lambda: silent.accepted >= 1, 5.0), "the reader never connected"
    time.sleep(0.2)  # now inside FFmpeg's open, waiting for an HTTP answer that never comes
    started = time.monotonic()
    reader.stop(timeout_s=0)
    assert time.monotonic() - started <= 1.0
    assert reader.join(6.5), "the thread stayed inside the native open past its timeout"
    assert time.monotonic() - started <= 6.5
    assert reader.state is StreamState.STOPPED


EXIT_SCRIPT = """
import sys, threading, time
import cv2
from commandwall.ui import app

url, accepted_file = sys.argv[1], sys.argv[2]
params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 60000, cv2.CAP_PROP_READ_TIMEOUT_MSEC, 60000]
stuck = threading.Thread(target=lambda: cv2.VideoCapture(url, cv2.CAP_FFMPEG, params),
                         name="cw-video stuck", daemon=True)
stuck.start()
for _ in range(500):  # until the silent server has the connection: the thread is inside FFmpeg's open
    if open(accepted_file).read().strip() == "1":
        break
    time.sleep(0.01)

class Window:
    def shutdown(self):
        return ["camera CAM-0099 " + url]

class Lock:
    def unlock(self):
        print("unlocked", flush=True)

code = app._leave(Window(), Lock(), 3)
print("returned", code, flush=True)
"""


def test_exit_with_a_stream_thread_stuck_in_native_code(silent: SilentServer, tmp_path: Path) -> None:
    """The last resort: a thread still inside OpenCV after the bounded joins is named in the log and the
    process leaves with the intended status through os._exit, without finalising under that thread."""
    flag = tmp_path / "accepted"
    flag.write_text("0")
    watcher = threading.Thread(
        target=lambda: wait_until(lambda: silent.accepted >= 1, 20.0) and flag.write_text("1"), daemon=True
    )
    watcher.start()
    proc = subprocess.run([sys.executable, "-c", EXIT_SCRIPT, silent.url(), str(flag)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    watcher.join(20.0)
    assert silent.accepted >= 1
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "unlocked" in proc.stdout, "the desk lock must be freed before leaving"
    assert "returned" not in proc.stdout, "it went on to finalise the interpreter under the stuck thread"
    assert "still running after shutdown: cw-video stuck" in proc.stderr
    assert "CAM-0099" in proc.stderr
