"""A camera joined mid-GOP: a relay without a GOP cache, or a camera with a long ("smart") GOP, sends its stream
from wherever it is. The pictures before the next key frame cannot be decoded; the reader waits for that key
frame instead of counting the errors as a broken stream (it reconnected, joined mid-GOP again, and never played)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import av
import numpy as np
import pytest

from commandwall.video.reader import StreamReader, StreamState
from tests.unit.test_video_reader import wait_until

FPS, GOP, SECONDS = 25, 100, 6  # key frames at 0 s and 4 s


def long_gop_ts() -> tuple[bytes, int]:
    """Six seconds of 320×180 H.264 with a key frame every 4 s, as MPEG-TS; and the byte offset (on a TS packet
    boundary) of a picture 1 s in, well inside the first GOP."""
    out = io.BytesIO()
    with av.open(out, "w", format="mpegts") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        stream.codec_context.gop_size = GOP
        stream.codec_context.options = {"keyint_min": str(GOP), "sc_threshold": "0", "bf": "0"}
        for n in range(FPS * SECONDS):
            image = np.zeros((180, 320, 3), np.uint8)
            image[:, (n * 3) % 320 :] = (40, 120, 200)  # a picture that moves
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    data = out.getvalue()
    with av.open(io.BytesIO(data), "r") as container:
        video = container.streams.video[0]
        join = next(p.pos for p in container.demux(video)
                    if p.pts is not None and p.pts * video.time_base >= 1.0 and not p.is_keyframe and p.pos)
    return data, join - join % 188


class JoinServer:
    """Serves the stream from the middle of its first GOP (as a relay that joins a camera mid-GOP), then holds
    the connection until stopped; counts the requests."""

    def __init__(self, data: bytes) -> None:
        self.requests = 0
        self._closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "video/mp2t")
                self.end_headers()
                try:
                    self.wfile.write(data)
                    self.wfile.flush()
                    server._closing.wait(20)
                except OSError:
                    pass

            def log_message(self, *_args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_port}/join.ts"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop serving, end the held streams."""
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def joined() -> Iterator[JoinServer]:
    data, join = long_gop_ts()
    assert 0 < join < len(data) // 2
    server = JoinServer(data[join:])
    yield server
    server.stop()


def test_a_stream_joined_mid_gop_plays_from_its_next_key_frame(joined: JoinServer) -> None:
    reader = StreamReader(joined.url, read_timeout_s=8.0).start()
    try:
        assert wait_until(lambda: reader.seq >= 5, 15.0), reader.stats()
        stats = reader.stats()
        assert stats.state is StreamState.LIVE and stats.reconnects == 0, stats
        assert joined.requests == 1, "joined once, played from the next key frame"
    finally:
        reader.stop(timeout_s=5.0)
