"""Real H.264 MPEG-TS streams for the video tests: encoded here with PyAV's libx264 and served over HTTP on
127.0.0.1 at a chosen speed against their timestamps (1: live, 0.1: a sender ten times too slow, 10: ten times too
fast), each packet sent when it is due."""

from __future__ import annotations

import io
import threading
import time
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import av
import numpy as np


def encode_ts(width: int = 320, height: int = 180, *, seconds: float = 4.0, fps: int = 25, gop: int = 25,
              sar: Fraction | None = None) -> bytes:  # fmt: skip
    """``seconds`` of moving H.264 ``width`` × ``height`` at ``fps`` as MPEG-TS, a key frame every ``gop``
    pictures, the sample aspect ratio ``sar`` stated in the bitstream when given."""
    out = io.BytesIO()
    with av.open(out, "w", format="mpegts") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = gop
        stream.codec_context.options = {"keyint_min": str(gop), "sc_threshold": "0", "bf": "0",
                                        "preset": "ultrafast", "tune": "zerolatency"}  # fmt: skip
        if sar is not None:
            stream.codec_context.sample_aspect_ratio = sar
        for n in range(round(fps * seconds)):
            image = np.full((height, width, 3), 30, np.uint8)
            left = (n * 4) % width
            image[:, left : left + width // 8] = (220, 180, 40)  # a bar that moves
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def packet_times(data: bytes) -> list[tuple[int, float]]:
    """(byte offset where each video packet starts, its timestamp in seconds from the first), in stream order."""
    times: list[tuple[int, float]] = []
    with av.open(io.BytesIO(data), "r") as container:
        video = container.streams.video[0]
        for packet in container.demux(video):
            if packet.pts is not None and packet.pos is not None and packet.pos >= 0:
                times.append((packet.pos - packet.pos % 188, float(packet.pts * video.time_base)))
    first = times[0][1]
    return [(pos, pts - first) for pos, pts in times]


class PacedTsServer:
    """Serves one MPEG-TS stream per request, each video packet's bytes sent when its timestamp is due at
    ``speed`` times real time; then holds the connection until stopped (a live sender that went quiet).
    ``sent`` counts the packets sent, ``last_sent_at`` is when the last one was (``time.monotonic()``)."""

    def __init__(self, data: bytes, speed: float = 1.0) -> None:
        self.speed = speed
        self.sent = 0
        self.last_sent_at: float | None = None
        self._closing = threading.Event()
        chunks: list[tuple[float, bytes]] = []
        times = packet_times(data)
        ends = [pos for pos, _ in times[1:]] + [len(data)]
        start = 0
        for (_, pts), end in zip(times, ends, strict=True):
            chunks.append((pts, data[start:end]))
            start = end
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "video/mp2t")
                self.end_headers()
                began = time.monotonic()
                try:
                    for pts, chunk in chunks:
                        wait = began + pts / server.speed - time.monotonic()
                        if wait > 0 and server._closing.wait(wait):
                            return
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        server.sent += 1
                        server.last_sent_at = time.monotonic()
                    server._closing.wait(30)
                except OSError:
                    pass

            def log_message(self, *_args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_port}/live.ts"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop serving and end the streams being sent."""
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
