"""A real MJPEG-over-HTTP camera on 127.0.0.1 for the video tests, and tests that it behaves like one.

``MjpegServer`` serves ``multipart/x-mixed-replace`` JPEG streams drawn with numpy/cv2. Every frame
carries its index as a row of black/white blocks (``decode_index``), so a test can tell how old the
picture it holds is: the index is ``(now - t0) * fps`` when the frame is drawn. Paths containing
``main`` are 1280×720, others use the server's size (640×360 by default). ``stop()`` closes the listening
socket *and* every open stream (a camera going away); ``restart()`` comes back on the same port;
setting ``stall`` keeps connections open but sends nothing (a frozen encoder); ``garbage_parts = n`` makes
the next ``n`` parts served (over all connections) junk labelled ``image/jpeg`` (:data:`GARBAGE`: random
bytes, a truncated JPEG, an HTML error page) before good frames resume.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np
import pytest

BOUNDARY = "frame"
#: What a broken encoder or a confused proxy sends as "JPEG" parts: noise, a cut-off JPEG, an error page.
GARBAGE: tuple[bytes, ...] = (
    bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8)),
    bytes(cv2.imencode(".jpg", np.full((360, 640, 3), 90, np.uint8))[1])[:700],
    b"<html><body><h1>502 Bad Gateway</h1></body></html>",
)
CODE_BITS = 16
CODE_BLOCK = 16  # px per bit, in the top rows


def encode_index(image: np.ndarray, index: int) -> None:
    """Write ``index`` (mod 2**16) into the top rows of ``image`` as black/white blocks."""
    for bit in range(CODE_BITS):
        value = 255 if (index >> bit) & 1 else 0
        image[0:CODE_BLOCK, bit * CODE_BLOCK : (bit + 1) * CODE_BLOCK] = value


def decode_index(image: np.ndarray) -> int:
    """Read back the index written by :func:`encode_index` (survives JPEG)."""
    index = 0
    inner = slice(4, CODE_BLOCK - 4)
    for bit in range(CODE_BITS):
        block = image[inner, bit * CODE_BLOCK + 4 : (bit + 1) * CODE_BLOCK - 4]
        if float(block.mean()) > 127:
            index |= 1 << bit
    return index


def draw_frame(index: int, width: int, height: int, label: str = "") -> np.ndarray:
    """A test picture: moving background and disc, the frame counter as text and as a code row."""
    image = np.zeros((height, width, 3), np.uint8)
    image[:, :, 0] = np.linspace(40, 120, width, dtype=np.uint8)[None, :]
    image[:, :, 1] = (index * 9) % 200
    cx = int((index * 13) % width)
    cv2.circle(image, (cx, height // 2), max(8, height // 8), (0, 200, 255), -1)
    cv2.putText(image, f"{label} #{index}", (20, height - 30), cv2.FONT_HERSHEY_SIMPLEX, 1.2,
                (255, 255, 255), 2)  # fmt: skip
    image[: CODE_BLOCK + 4] = 0
    encode_index(image, index)
    return image


class MjpegServer:
    """Real MJPEG camera over HTTP on 127.0.0.1 (see the module docstring)."""

    def __init__(self, fps: float = 25.0, size: tuple[int, int] = (640, 360), port: int = 0) -> None:
        self.fps = fps
        self.size = size
        self.port = port
        self.t0 = time.monotonic()
        self.stall = threading.Event()
        self.garbage_parts = 0
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._active: set[socket.socket] = set()
        self.requests = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control ---------------------------------------------------------------------------------------
    def start(self) -> MjpegServer:
        """Listen (on ``port``, or a free one the first time) and serve on a daemon thread."""
        self._closing.clear()
        httpd = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler_class())
        httpd.daemon_threads = True
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="mjpeg-test-server", daemon=True)  # fmt: skip
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut every open stream."""
        self._closing.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        with self._lock:
            conns = list(self._active)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def restart(self) -> MjpegServer:
        """Come back on the same port."""
        return self.start()

    def url(self, path: str = "cam.mjpg", *, userinfo: str = "") -> str:
        """URL of a stream on this server."""
        return f"http://{userinfo}127.0.0.1:{self.port}/{path}"

    @property
    def active_connections(self) -> int:
        """Streams open right now."""
        with self._lock:
            return len(self._active)

    def index_now(self) -> int:
        """Index of the frame the server would draw now."""
        return int((time.monotonic() - self.t0) * self.fps)

    # -- serving ---------------------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

            def do_GET(self) -> None:
                """Serve one endless multipart stream until the client or the server goes away."""
                with server._lock:
                    server.requests += 1
                    server._active.add(self.connection)
                try:
                    server._stream(self)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass
                finally:
                    with server._lock:
                        server._active.discard(self.connection)

        return Handler

    def _stream(self, handler: BaseHTTPRequestHandler) -> None:
        width, height = (1280, 720) if "main" in handler.path else self.size
        label = handler.path.strip("/").split(".")[0]
        handler.send_response(200)
        handler.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
        handler.send_header("Cache-Control", "no-store")
        handler.end_headers()
        period = 1.0 / self.fps
        next_at = time.monotonic()
        for _ in range(100_000):  # bounded: ~1 h at 25 fps
            if self._closing.is_set():
                return
            if not self.stall.is_set():
                with self._lock:
                    junk = self.garbage_parts > 0
                    self.garbage_parts -= junk
                if junk:
                    data = GARBAGE[self.garbage_parts % len(GARBAGE)]
                else:
                    ok, jpg = cv2.imencode(".jpg", draw_frame(self.index_now(), width, height, label))
                    assert ok
                    data = jpg.tobytes()
                head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(data)}\r\n\r\n"
                handler.wfile.write(head.encode("ascii") + data + b"\r\n")
                handler.wfile.flush()
            next_at += period
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at = max(next_at, time.monotonic() - period)  # do not burst after a stall


def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mjpeg_server() -> Iterator[MjpegServer]:
    """A running MJPEG server, stopped after the test."""
    server = MjpegServer().start()
    yield server
    server.stop()


# ---- the server itself ---------------------------------------------------------------------------------
def _read_parts(url: str, count: int, timeout_s: float = 5.0) -> tuple[str, list[bytes]]:
    """Read ``count`` JPEG parts from a multipart stream with a plain socket client."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout_s)
    try:
        conn.request("GET", parts.path)
        resp = conn.getresponse()
        ctype = resp.getheader("Content-Type", "")
        jpegs: list[bytes] = []
        for _ in range(count * 10):
            if len(jpegs) >= count:
                break
            line = resp.readline()
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
                resp.readline()  # blank line
                jpegs.append(resp.read(length))
        return ctype, jpegs
    finally:
        conn.close()


def test_index_code_survives_jpeg() -> None:
    """The frame index written into a picture reads back after JPEG compression."""
    for index in (0, 1, 257, 40_000, 65_535):
        ok, jpg = cv2.imencode(".jpg", draw_frame(index, 640, 360))
        assert ok
        assert decode_index(cv2.imdecode(jpg, cv2.IMREAD_COLOR)) == index


def test_server_streams_changing_jpegs(mjpeg_server: MjpegServer) -> None:
    """The server speaks multipart/x-mixed-replace and the pictures move on."""
    ctype, jpegs = _read_parts(mjpeg_server.url(), 4)
    assert ctype.startswith("multipart/x-mixed-replace")
    images = [cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR) for j in jpegs]
    assert all(img.shape == (360, 640, 3) for img in images)
    indexes = [decode_index(img) for img in images]
    assert indexes == sorted(indexes) and indexes[-1] > indexes[0]
    _, main = _read_parts(mjpeg_server.url("main.mjpg"), 1)
    assert cv2.imdecode(np.frombuffer(main[0], np.uint8), cv2.IMREAD_COLOR).shape == (720, 1280, 3)


def test_server_stop_cuts_streams_and_restart_reuses_port(mjpeg_server: MjpegServer) -> None:
    """stop() ends open streams and refuses new ones; restart() serves again on the same port."""
    port = mjpeg_server.port
    mjpeg_server.stop()
    with pytest.raises(OSError):
        _read_parts(mjpeg_server.url(), 1, timeout_s=1.0)
    mjpeg_server.restart()
    assert mjpeg_server.port == port
    _, jpegs = _read_parts(mjpeg_server.url(), 1)
    assert len(jpegs) == 1
