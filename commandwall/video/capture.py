"""Decoders behind :class:`commandwall.video.reader.StreamReader`: PyAV for network streams, OpenCV otherwise.

Why two: OpenCV's FFmpeg backend opens one stream at a time in the whole process (a global lock around
``avformat_open_input``), so 16 tiles open one after another and a camera that never answers holds up every
other tile until its open times out. PyAV opens each stream on its reader's own thread without such a lock
(and releases the GIL inside FFmpeg), takes per-stream options (RTSP over TCP or UDP, no input buffering,
a small probe), can decode key frames only and scales inside the colour conversion.
``benchmarks/bench_wall.py`` measures both side by side.

A capture is opened on the reader thread and used only there: ``read()`` returns the next BGR picture or
None when the stream failed, ended or timed out; ``close()`` releases it.
"""

from __future__ import annotations

import logging
from typing import Protocol
from urllib.parse import urlsplit

import cv2
import numpy as np

try:  # PyAV is a dependency; without it (a broken install) every stream falls back to OpenCV
    import av
except ImportError:  # pragma: no cover - av is in pyproject's dependencies
    av = None

log = logging.getLogger(__name__)

NETWORK_SCHEMES = frozenset({"rtsp", "rtsps", "rtmp", "http", "https", "tcp", "udp", "srt"})
DECODERS = ("auto", "pyav", "opencv")


class Capture(Protocol):
    """An open stream on the reader thread."""

    def read(self) -> np.ndarray | None:
        """The next decoded BGR picture; None when the stream failed, ended or timed out."""
        ...

    def close(self) -> None:
        """Release the stream."""
        ...


def choose_decoder(url: str, decoder: str = "auto") -> str:
    """``"pyav"`` or ``"opencv"`` for ``url``: ``auto`` takes PyAV for network URLs, OpenCV for files."""
    if decoder not in DECODERS:
        raise ValueError(f"unknown decoder {decoder!r}; use one of {', '.join(DECODERS)}")
    if decoder == "auto":
        decoder = "pyav" if urlsplit(url).scheme.lower() in NETWORK_SCHEMES else "opencv"
    if decoder == "pyav" and av is None:  # pragma: no cover - see the import
        return "opencv"
    return decoder


class OpenCvCapture:
    """``cv2.VideoCapture`` with the FFmpeg backend and open/read timeouts."""

    def __init__(self, url: str, open_timeout_s: float, read_timeout_s: float) -> None:
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, int(open_timeout_s * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC, int(read_timeout_s * 1000),
        ]  # fmt: skip
        self._cap = cv2.VideoCapture(url, cv2.CAP_FFMPEG, params)

    @property
    def opened(self) -> bool:
        """True if the stream opened."""
        return bool(self._cap.isOpened())

    def read(self) -> np.ndarray | None:
        """The next picture (blocks at most the read timeout)."""
        ok, image = self._cap.read()
        return image if ok and image is not None else None

    def close(self) -> None:
        """Release the capture."""
        self._cap.release()


class PyAvCapture:
    """A stream opened with PyAV: low-delay options, one decoding thread, frames as BGR arrays.

    ``key_frames_only`` decodes only key frames (a fraction of the CPU, one picture per GOP);
    ``size`` = (width, height) scales inside the colour conversion instead of in a separate resize.
    Raises ``av.FFmpegError`` (or OSError) when the stream does not open or has no video.
    """

    def __init__(
        self,
        url: str,
        open_timeout_s: float,
        read_timeout_s: float,
        *,
        rtsp_transport: str = "tcp",
        key_frames_only: bool = False,
        size: tuple[int, int] | None = None,
    ) -> None:
        options = {"flags": "low_delay", "probesize": "4096", "analyzeduration": "0"}
        if urlsplit(url).scheme.lower() in ("rtsp", "rtsps"):
            options["rtsp_transport"] = rtsp_transport
        self._container = av.open(url, options=options, timeout=(open_timeout_s, read_timeout_s))
        try:
            if not self._container.streams.video:
                raise av.InvalidDataError(0, f"no video stream in {urlsplit(url).scheme} stream")
            self._stream = self._container.streams.video[0]
            ctx = self._stream.codec_context
            ctx.thread_count = 1  # frame threads add a frame of delay each; N streams already use the cores
            ctx.flags |= av.codec.context.Flags.low_delay
            if key_frames_only:
                ctx.skip_frame = "NONKEY"
            self._frames = self._container.decode(self._stream)
        except BaseException:
            self._container.close()
            raise
        self._size = size

    @property
    def codec(self) -> str:
        """Codec name as FFmpeg says it (``h264``, ``hevc``, ``mjpeg`` …)."""
        return str(self._stream.codec_context.name)

    def read(self) -> np.ndarray | None:
        """The next picture (blocks at most the read timeout); None at the end of the stream.

        A decoding error on one packet is an ``av.FFmpegError`` for the reader to log and reconnect on."""
        frame = next(self._frames, None)
        if frame is None:
            return None
        if self._size is None:
            return frame.to_ndarray(format="bgr24")
        return frame.to_ndarray(width=self._size[0], height=self._size[1], format="bgr24")

    def close(self) -> None:
        """Close the container (and the connection)."""
        self._container.close()


def open_capture(url: str, decoder: str, open_timeout_s: float, read_timeout_s: float) -> Capture | None:
    """Open ``url`` with the chosen decoder; None when OpenCV could not open it (PyAV raises instead)."""
    if choose_decoder(url, decoder) == "pyav":
        return PyAvCapture(url, open_timeout_s, read_timeout_s)
    cap = OpenCvCapture(url, open_timeout_s, read_timeout_s)
    if cap.opened:
        return cap
    cap.close()
    return None
