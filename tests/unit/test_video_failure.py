"""Why a stream failed, told from what really fails: PyAV opening streams from servers on 127.0.0.1 that refuse the
password, have no such stream, fail, take the connection and never answer, listen on no port, send bytes that are
no video or a stream with no video — read on the reader's thread and in the decoder process, where only the error's
text crosses."""

from __future__ import annotations

import contextlib
import io
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import av
import numpy as np
import pytest

from commandwall.video.capture import PyAvCapture, error_text
from commandwall.video.decode_host import DecodeHost
from commandwall.video.failure import StreamFailure, stream_failure
from commandwall.video.reader import StreamReader, StreamState
from tests.unit.test_video_mjpeg import free_port
from tests.unit.test_video_quiet_sender import host, mute_server  # noqa: F401 - fixtures
from tests.unit.test_video_reader import wait_until

TIMEOUT_S = 2.0


def audio_only_ts() -> bytes:
    """A second of silence in MPEG-TS, no video track."""
    out = io.BytesIO()
    with av.open(out, "w", format="mpegts") as container:
        stream = container.add_stream("aac", rate=16000)
        samples = np.zeros((1, 1024), np.float32)
        for n in range(16):
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 16000, n * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 answering by path: /401 /403 /404 /500 /503 /400 with that status, /garbage
    with bytes that are no stream, /audio with a stream that has no video. Yields its base URL."""
    bodies = {"garbage": os.urandom(256 * 1024), "audio": audio_only_ts()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.split("?")[0].strip("/").split(".")[0]  # /401 and /401.ts alike
            body = bodies.get(name)
            if body is None:
                code = int(name) if name.isdigit() else 404
                self.send_response(code)
                if code == 401:
                    self.send_header("WWW-Authenticate", 'Basic realm="camera"')
                body = b"no\n"
            else:
                self.send_response(200)
            self.send_header("Content-Type", "video/mp2t")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


CASES = [
    ("/401", StreamFailure.AUTH),
    ("/403", StreamFailure.AUTH),
    ("/404", StreamFailure.NOT_FOUND),
    ("/400", StreamFailure.REQUEST_REFUSED),
    ("/500", StreamFailure.SERVER),
    ("/503", StreamFailure.SERVER),
    ("/garbage", StreamFailure.UNDECODABLE),
    ("/audio", StreamFailure.NO_VIDEO),
]


@pytest.mark.parametrize(("path", "kind"), CASES, ids=[path.strip("/") for path, _ in CASES])
def test_what_the_server_answered_is_told_apart(server: str, path: str, kind: StreamFailure) -> None:
    with pytest.raises((av.FFmpegError, OSError)) as caught:
        PyAvCapture(server + path, TIMEOUT_S).close()
    assert stream_failure(f"open failed: {error_text(caught.value)}") is kind, error_text(caught.value)


def test_a_port_where_nothing_listens_is_a_refused_connection() -> None:
    for url in (f"http://127.0.0.1:{free_port()}/live.ts", f"rtsp://127.0.0.1:{free_port()}/live"):
        with pytest.raises((av.FFmpegError, OSError)) as caught:
            PyAvCapture(url, TIMEOUT_S).close()
        assert stream_failure(error_text(caught.value)) is StreamFailure.REFUSED, error_text(caught.value)


@pytest.mark.parametrize("scheme", ["rtsp", "http"])
def test_a_server_that_never_answers_is_a_timeout(mute_server: str, scheme: str) -> None:  # noqa: F811
    with pytest.raises((av.FFmpegError, OSError)) as caught:
        PyAvCapture(f"{scheme}://{mute_server}/live", TIMEOUT_S).close()
    assert stream_failure(error_text(caught.value)) is StreamFailure.TIMEOUT, error_text(caught.value)


def test_a_failure_of_no_known_kind_and_the_decoders_own_are_not_given_a_kind() -> None:
    assert stream_failure("") is None
    assert stream_failure("open failed") is None  # OpenCV says no more
    assert stream_failure("OSError: decoder: RuntimeError: boom") is None  # the decoder process, not the stream
    assert stream_failure("stream ended or read timed out; retry 2 in 1.0 s") is StreamFailure.ENDED


@pytest.mark.parametrize("in_decoder", [False, True], ids=["reader-thread", "decoder-process"])
def test_a_retrying_reader_tells_the_kind_of_its_failure(server: str, host: DecodeHost,  # noqa: F811
                                                         in_decoder: bool) -> None:
    decoder = host if in_decoder else None
    readers = {path: StreamReader(server + path + ".ts", read_timeout_s=TIMEOUT_S, decode_host=decoder)
               for path in ("/401", "/404", "/audio")}  # fmt: skip
    for reader in readers.values():
        reader.start()
    try:
        expected = {"/401": StreamFailure.AUTH, "/404": StreamFailure.NOT_FOUND, "/audio": StreamFailure.NO_VIDEO}
        for path, kind in expected.items():
            reader = readers[path]
            assert wait_until(lambda r=reader: r.stats().failure is not None, 10.0), reader.stats()
            stats = reader.stats()
            assert stats.state is StreamState.RECONNECTING and stats.failure is kind, stats
    finally:
        for reader in readers.values():
            reader.stop(timeout_s=0)
        for reader in readers.values():
            assert reader.join(6.0)
