"""Decoders behind :class:`commandwall.video.reader.StreamReader`: PyAV for network streams, OpenCV otherwise.

Why two: OpenCV's FFmpeg backend opens one stream at a time in the whole process (a global lock around
``avformat_open_input``), so 16 tiles open one after another and a camera that never answers holds up every
other tile until its open times out. PyAV opens each stream on its reader's own thread without such a lock
(and releases the GIL inside FFmpeg), takes per-stream options (RTSP over TCP or UDP, no input buffering,
a small probe) and can decode key frames only; its pictures are scaled and converted by :class:`BgrxScaler`.
``benchmarks/bench_wall.py`` measures both side by side.

A capture is opened on the reader thread and used only there: ``read()`` returns the next BGR picture or
None when the stream failed, ended or timed out; ``read_picture(box)`` returns it as a :class:`Picture`: with a
``box`` (the pixels the widest tile showing the stream has) already scaled to fit that box at the picture's display
aspect (an analogue encoder's 720×576 samples are not square: their sample aspect ratio, 16:11 or 64:45, which the
stream states and a PyAV frame does not carry, widens them) and in BGRX byte
order (B, G, R, 255: what Qt's ``Format_RGB32`` is on a little-endian machine), so the GUI thread only copies
it to the screen; the full-resolution picture stays reachable for a snapshot (:meth:`Picture.full_image`).
``close()`` releases it. A PyAV capture also counts the bytes
of the video packets it reads (``bytes_read``, for the bitrate) and notes when the packet that completed the
picture arrived (``received_at``, ``time.monotonic()``); OpenCV hides its packets, so those stay 0 and None.
An RTSP stream also says when the camera took the picture by its own clock (``camera_time``, Unix seconds):
FFmpeg anchors the RTP timestamps to wall-clock time with the first RTCP sender report
(``start_time_realtime``), so it is known a second or two after the open, and means something only when the
camera's clock is set (NTP) like this desk's.

Segmented streams (HLS, DASH) hand over a whole segment — a second or more of pictures — in a fraction of a
second and then nothing until the next one; the reader would publish it as one burst and then show a frozen
picture, the wall would count most of its frames as dropped. A PyAV capture of such a stream (and of a local
file) is paced: a :class:`Pacer` gives each picture the time it is due by its timestamp (``due_at``), which the
reader waits for. Streams that arrive in real time (RTSP, MPEG-TS, FLV, MJPEG) are not paced: they get no
delay from it — unless one of them turns out to run ahead of its timestamps, more than any GOP cache (a file pushed
at ten times its rate, :attr:`commandwall.video.live_edge.LiveEdge.running_ahead`): it is then paced a little faster
than its timestamps (``PACE_SPEED``), the sender waiting for the reader instead of the desk decoding ten times the
pictures it can show, until the reader has to wait for the sender again (what was ahead drained): live again.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol
from urllib.parse import urlsplit

import cv2
import numpy as np

from commandwall.domain.models import STREAM_SCHEMES
from commandwall.video.live_edge import JoinHold, LiveEdge, annexb_key_frame
from commandwall.video.yuv import YuvScaler

try:  # PyAV is a dependency; without it (a broken install) every stream falls back to OpenCV
    import av
    from av import FFmpegError
    from av.video.reformatter import VideoReformatter
except ImportError:  # pragma: no cover - av is in pyproject's dependencies
    av = None
    FFmpegError = cv2.error  # type: ignore[assignment,misc]

log = logging.getLogger(__name__)


def error_text(exc: BaseException) -> str:
    """``exc`` as one line for a log and a tile: its class and message. PyAV's errors carry FFmpeg's error code
    as their errno, a negative tag (``[Errno 1482175992]`` for an HTTP 5xx reply) that means nothing to anyone
    reading the log: an ``FFmpegError`` is said by its message and the URL or file it names, without it."""
    strerror = getattr(exc, "strerror", None) if av is not None and isinstance(exc, FFmpegError) else None
    if not strerror:
        return f"{type(exc).__name__}: {exc}"
    filename = getattr(exc, "filename", None)
    return f"{type(exc).__name__}: {strerror}" + (f": '{filename}'" if filename else "")

#: The largest picture a stream may have (8192 × 4608: above 8K UHD); a larger one (a decompression bomb, a
#: broken camera) ends the stream with an error instead of hundreds of megabytes a picture.
MAX_PICTURE_PIXELS = 8192 * 4608
#: The largest single block PyAV's FFmpeg may allocate (``av_max_alloc``): a stream part that claims gigabytes,
#: or a picture past the limit above, fails there instead of growing the process until the system kills it.
FFMPEG_MAX_ALLOC_BYTES = 256 * 1024 * 1024


class PictureTooLargeError(OSError):
    """A stream sent a picture larger than :data:`MAX_PICTURE_PIXELS` (an OSError: the reader reconnects and says
    why, as for any stream that fails)."""


def limit_ffmpeg_allocations(limit: int = FFMPEG_MAX_ALLOC_BYTES) -> bool:
    """Cap any single allocation of the FFmpeg that PyAV loaded (``av_max_alloc`` of its libavutil, through
    ctypes; OpenCV's own FFmpeg is another library). True if it is capped; False where the library is not found
    (it is logged)."""
    if av is None:  # pragma: no cover - av is a dependency
        return False
    import ctypes
    import glob
    import os

    candidates = []
    try:  # Linux: the copy this process loaded with PyAV, wherever a bundle put it
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            candidates = list(dict.fromkeys(line.split(None, 5)[-1].strip() for line in maps if "avutil" in line))
    except OSError:
        pass
    package = os.path.dirname(av.__file__)
    candidates += [path for pattern in ("*avutil*.so*", "*avutil*.dylib", "avutil*.dll")
                   for folder in (package, package + ".libs", os.path.join(os.path.dirname(package), "av.libs"))
                   for path in glob.glob(os.path.join(folder, pattern))]  # fmt: skip
    for path in candidates:
        try:
            library = ctypes.CDLL(path)
            library.av_max_alloc.argtypes = [ctypes.c_size_t]
            library.av_max_alloc(limit)
            return True
        except (OSError, AttributeError):
            continue
    log.warning("PyAV's libavutil not found (%d candidates): FFmpeg's allocations are not capped", len(candidates))
    return False


_ALLOCATIONS_CAPPED = limit_ffmpeg_allocations() if av is not None else False

# Each stream decodes on its own thread already; OpenCV's worker pool under every cvtColor/resize on top of
# that only adds hand-offs between threads: 16 readers cost 50 % CPU with it and 31 % without (measured).
cv2.setNumThreads(1)

#: the scaled pictures are BGRX, which only reads as Qt's Format_RGB32 (0xffRRGGBB words) on little-endian
BGRX_IS_RGB32 = sys.byteorder == "little"
#: key frames only (降帧) means nothing for codecs whose every picture is a key frame (MJPEG): such a stream is
#: turned down to this many pictures a second instead, the packets in between are not decoded
REDUCED_FPS = 1.0
INTRA_ONLY_CODECS = frozenset({"mjpeg", "jpeg2000", "png", "prores", "rawvideo"})
#: What a stream's error says when it holds no video at all (audio or data only): the tile says so
NO_VIDEO = "no video stream"
#: Longest wait (s) for a stream's first key frame before every packet is decoded as it comes (a camera with a
#: 10 s GOP joined just after its key frame waits ~10 s; one whose key frames the bitstream check misses, this)
KEY_FRAME_WAIT_S = 30.0

#: demuxers (FFmpeg's names) of segmented streams, which deliver each segment's pictures in a burst: paced
SEGMENTED_FORMATS = frozenset({"hls", "dash"})
#: how the URLs of such streams end (HLS playlists, DASH manifests)
SEGMENTED_SUFFIXES = (".m3u8", ".mpd")
#: how long one read of a segmented stream may take as a whole (at the live edge it waits for the next segment)
SEGMENTED_READ_S = 20.0
#: a paced live stream plays this much faster than its timestamps, so that a reader behind its live edge (a
#: playlist reload that came late, then two segments at once) catches up instead of staying behind for good
PACE_SPEED = 1.04

NETWORK_SCHEMES = STREAM_SCHEMES
#: what FFmpeg may open for a network stream, nested opens included (an HLS or DASH playlist's segments, RTSP's
#: RTP): network protocols only, never ``file``, ``pipe``, ``fd``, ``concat``, ``subfile`` or ``data``, whatever a
#: playlist served by someone else names
NETWORK_PROTOCOLS = "http,https,httpproxy,tcp,tls,crypto,udp,rtp,srtp,rtsp,rtsps,rtmp,rtmps,rtmpt,rtmpts,srt"
DECODERS = ("auto", "pyav", "opencv")
RTSP_TRANSPORTS = ("tcp", "udp")
#: where a capture may write a scaled picture: given its shape, the array to write into, or None for a new one
Destination = Callable[[tuple[int, int, int]], np.ndarray | None]


#: a sample (pixel) aspect ratio outside this range is a broken stream's, not a camera's: shown as square pixels
SAR_RANGE = (Fraction(1, 4), Fraction(4))
SQUARE = Fraction(1)


def sane_sar(value: object) -> Fraction:
    """``value`` (a Fraction, a number, a (num, den) pair or None) as a plausible sample aspect ratio (像素宽高比); 1
    when it is unknown (FFmpeg says 0/1), broken or absurd."""
    try:
        sar = Fraction(*value) if isinstance(value, tuple) else Fraction(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):  # OverflowError: an infinite float
        return SQUARE
    return sar if SAR_RANGE[0] <= sar <= SAR_RANGE[1] else SQUARE


def display_width(width: int, sar: Fraction) -> int:
    """How wide a picture ``width`` samples wide is shown: its width times its sample aspect ratio (an analogue
    encoder's 720×576 at 16:11 is a 1047×576 picture; at 1:1 the width itself)."""
    return width if sar == SQUARE else max(1, round(width * sar))


def widened(image: np.ndarray, sar: Fraction) -> np.ndarray:
    """``image`` (H×W×C, the stream's own samples) at its display aspect: widened to :func:`display_width` (every
    sample kept; a snapshot of an anamorphic camera looks as the tile showed it). The image itself at 1:1."""
    width = display_width(image.shape[1], sar)
    if width == image.shape[1]:
        return image
    return cv2.resize(image, (width, image.shape[0]), interpolation=cv2.INTER_LINEAR)


def fit_size(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """The largest size of aspect ``width:height`` inside ``box`` (w, h) with even sides, at least 2×2.

    Even: swscale converts and scales rows of an odd width on its slow path, about three times the time (a
    640×360 picture into 957×537: 2.8 ms; into 954×537: 0.7 ms; into 477×268: 1.2 against 0.4 ms), OpenCV's
    4:2:0 conversion (:class:`BgrxScaler`) takes even sides only, and a 4-tile wall's boxes come out odd as often
    as not; a row or a column less is not seen."""
    scale = min(box[0] / width, box[1] / height)
    scaled_width, scaled_height = max(2, round(width * scale)), max(2, round(height * scale))
    return scaled_width - scaled_width % 2, scaled_height - scaled_height % 2


@dataclass(frozen=True, slots=True)
class Picture:
    """One decoded picture as a capture hands it to the reader.

    ``image``: H×W×3 BGR at the stream's resolution when no box was asked for, else H×W×4 BGRX scaled to fit
    the box at the picture's display aspect (its width stretched by ``sar``). ``source_size``: the stream's own
    (width, height) in samples. ``source``: what :meth:`full_image` makes the full-resolution BGR picture from
    (None: ``image`` is it; an array: it is; a PyAV frame: converted on demand — a snapshot, not every frame, pays
    for it). ``sar``: the stream's sample aspect ratio (1: square pixels; an anamorphic camera's 16:11 or 64:45).
    """

    image: np.ndarray
    source_size: tuple[int, int]
    source: object = None
    sar: Fraction = SQUARE

    def full_image(self) -> np.ndarray:
        """The picture at the stream's resolution, H×W×3 BGR."""
        return full_image(self.image, self.source)


def full_image(image: np.ndarray, source: object) -> np.ndarray | None:
    """The full-resolution BGR picture behind a (maybe scaled) ``image`` (see :class:`Picture`)."""
    if source is None:
        return image
    if isinstance(source, np.ndarray):
        return source
    fetch = getattr(source, "full_image", None)
    if fetch is not None:  # a picture decoded in another process: asks it (decode_host.RemoteFullImage)
        return fetch()
    return frame_to_bgr(source)  # type: ignore[arg-type]  # a decoded av.VideoFrame, never written to


def to_display(image: np.ndarray, box: tuple[int, int], into: Destination | None = None,
               sar: Fraction = SQUARE) -> np.ndarray:  # fmt: skip
    """A BGR picture scaled to fit ``box`` (:func:`resize_plane`) at its display aspect (its width stretched by
    ``sar``) as BGRX, written into the array ``into`` gives for its shape, if it gives one."""
    height, width = image.shape[:2]
    size = fit_size(display_width(width, sar), height, box)
    if size != (width, height):
        scaled = np.empty((size[1], size[0], image.shape[2]), np.uint8)
        resize_plane(image, scaled)
        image = scaled
    out = into((size[1], size[0], 4)) if into is not None else None
    if out is None:
        return cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
    cv2.cvtColor(image, cv2.COLOR_BGR2BGRA, dst=out)
    return out


def sane_fps(rate: object) -> float | None:
    """``rate`` (a number or a Fraction) as frames a second if it is a plausible video rate, else None."""
    try:
        fps = float(rate)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return fps if 1.0 <= fps <= 240.0 else None


class Pacer:
    """When each picture of a stream that delivers ahead of time is due, by its timestamp.

    The first picture sets the clock (shown at once); each later one is due when its timestamp says, relative
    to that, run ``speed`` times as fast (a live stream: slightly faster, so that a reader that fell behind its
    live edge catches up; a file: 1). Only pictures that came early are held, and never by more than
    ``max_ahead_s``: a picture due later than that (the timestamps jumped) or late by more than ``slack_s`` (the
    segment came late, the timestamps went back, the desk was busy) restarts the clock at itself and is shown at
    once: a paced stream never rushes through pictures to catch up, nor falls behind by waiting.
    """

    def __init__(self, speed: float = 1.0, *, max_ahead_s: float = 1.0, slack_s: float = 0.1) -> None:
        self.speed = speed
        self.max_ahead_s = max_ahead_s
        self.slack_s = slack_s
        self._anchor: tuple[float, float] | None = None  # (timestamp s, time.monotonic() it was due)
        self.restarts = 0  # times the clock started over (the first picture included)

    def due(self, pts_s: float | None, now: float) -> float:
        """When (``time.monotonic()``) the picture with timestamp ``pts_s`` (seconds; None: unknown, shown at
        once) is due, ``now`` being when it was decoded; ``<= now``: show it at once."""
        if pts_s is None:
            return now
        if self._anchor is not None:
            pts0, t0 = self._anchor
            due = t0 + (pts_s - pts0) / self.speed
            if now - self.slack_s <= due <= now + self.max_ahead_s:
                return due
        self._anchor = (pts_s, now)
        self.restarts += 1
        return now


class Capture(Protocol):
    """An open stream on the reader thread."""

    def read(self) -> np.ndarray | None:
        """The next decoded BGR picture; None when the stream failed, ended or timed out."""
        ...

    def read_picture(self, box: tuple[int, int] | None, convert: Callable[[], bool] | None = None,
                     into: Destination | None = None) -> Picture | None:  # fmt: skip
        """The next picture, scaled to fit ``box`` as BGRX when given (see :class:`Picture`); ``convert`` may be
        asked whether to convert each decoded picture (False: decode the next instead); ``into`` may give the
        array a scaled picture is written into (see :data:`Destination`)."""
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


def is_local_file(url: str) -> bool:
    """True for a path or a ``file:`` URL (a recording, not a live stream)."""
    scheme = urlsplit(url).scheme.lower()
    return scheme in ("", "file") or len(scheme) == 1  # a Windows drive letter reads as a scheme


class OpenCvCapture:
    """``cv2.VideoCapture`` with the FFmpeg backend and open/read timeouts.

    A local file plays at its own frame rate (a file decodes as fast as the CPU goes; a wall tile is not a
    fast-forward): :meth:`read` waits until each picture is due. ``set_key_frames_only`` (降帧) turns the
    stream down to :data:`REDUCED_FPS` pictures a second — the pictures in between are grabbed but not
    converted — since OpenCV cannot skip decoding non-key frames.
    """

    def __init__(self, url: str, open_timeout_s: float, read_timeout_s: float) -> None:
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, int(open_timeout_s * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC, int(read_timeout_s * 1000),
        ]  # fmt: skip
        self._cap = cv2.VideoCapture(url, cv2.CAP_FFMPEG, params)
        self.bytes_read = 0  # OpenCV does not show its packets: no bitrate
        self.received_at: float | None = None
        self.camera_time: float | None = None
        self.transport = ""  # files only
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0) if self._cap.isOpened() else 0.0
        #: seconds between pictures for a local file with a sane frame rate; None: not paced (live)
        self.frame_interval_s = 1.0 / fps if is_local_file(url) and 1.0 <= fps <= 240.0 else None
        #: the stream's nominal frames a second (None: not stated or not plausible)
        self.frame_rate = sane_fps(fps)
        #: the stream's sample aspect ratio (1: square pixels or not stated)
        self.sar = (sane_sar((int(self._cap.get(cv2.CAP_PROP_SAR_NUM)), int(self._cap.get(cv2.CAP_PROP_SAR_DEN))))
                    if self._cap.isOpened() else SQUARE)  # fmt: skip
        self._due: float | None = None  # when the next picture is due (paced files)
        self._reduced = False
        self._last_kept = 0.0

    @property
    def opened(self) -> bool:
        """True if the stream opened."""
        return bool(self._cap.isOpened())

    @property
    def reduced_rate(self) -> bool:
        """True while turned down to :data:`REDUCED_FPS` (降帧)."""
        return self._reduced

    def set_key_frames_only(self, on: bool) -> None:
        """降帧: at most :data:`REDUCED_FPS` pictures a second (OpenCV decodes every frame regardless)."""
        self._reduced = bool(on)

    def _pace(self) -> None:
        """Wait until the next picture of a file is due (at most one frame interval); a reader far behind
        (the CPU could not keep up) starts the clock again rather than rushing to catch up."""
        if self.frame_interval_s is None:
            return
        now = time.monotonic()
        if self._due is None or now - self._due > 1.0:
            self._due = now
        elif self._due > now:
            time.sleep(min(self._due - now, self.frame_interval_s))
        self._due += self.frame_interval_s

    def read(self) -> np.ndarray | None:
        """The next picture (blocks at most the read timeout, or one frame interval for a file)."""
        while True:
            self._pace()
            if not self._cap.grab():
                return None
            now = time.monotonic()
            if self._reduced and now - self._last_kept < 1.0 / REDUCED_FPS:
                continue  # 降帧: decoded by OpenCV, but neither converted nor shown
            ok, image = self._cap.retrieve()
            if not ok or image is None:
                return None
            self._last_kept = now
            return image

    def read_picture(self, box: tuple[int, int] | None, convert: Callable[[], bool] | None = None,
                     into: Destination | None = None) -> Picture | None:  # fmt: skip
        """The next picture; with ``box`` scaled on this thread (:func:`to_display`) as BGRX, into what ``into``
        gives. ``convert`` is not asked: OpenCV converts every picture it reads (the files it plays are paced)."""
        image = self.read()
        if image is None:
            return None
        size = (int(image.shape[1]), int(image.shape[0]))
        if box is None:
            return Picture(image, size, sar=self.sar)
        return Picture(to_display(image, box, into, self.sar), size, image, self.sar)

    def close(self) -> None:
        """Release the capture."""
        self._cap.release()


class PyAvCapture:
    """A stream opened with PyAV: low-delay options, one decoding thread, frames as BGR arrays.

    ``key_frames_only`` decodes only key frames (a fraction of the CPU, one picture per GOP);
    ``size`` = (width, height) scales inside the colour conversion instead of in a separate resize.
    Every network wait — connect, the answer, each read — is bounded by ``io_timeout_s``, and so is the open as
    a whole and each packet's read as a whole (a camera trickling bytes, or sending a part that never ends,
    does not hold a reader for ever: ``TimeoutError``). A picture larger than :data:`MAX_PICTURE_PIXELS` ends
    the stream (:class:`PictureTooLargeError`). Raises ``av.FFmpegError`` (or OSError) when the stream does not open or
    has no video.

    ``hold_join``: the pictures a live stream starts with — the server's cache of the current GOP, sent at once and
    decoded faster than real time, up to a GOP in the past — are decoded but not given out until the reader reaches
    the live edge (:class:`~commandwall.video.live_edge.JoinHold`). For a tile that already shows this camera (a
    switch between its streams, a reopen): without it the new stream starts up to a GOP *before* the picture on
    screen and runs fast-forward to it.
    """

    def __init__(
        self,
        url: str,
        io_timeout_s: float,
        *,
        rtsp_transport: str = "tcp",
        key_frames_only: bool = False,
        size: tuple[int, int] | None = None,
        hold_join: bool = False,
    ) -> None:
        if rtsp_transport not in RTSP_TRANSPORTS:
            raise ValueError(f"unknown RTSP transport {rtsp_transport!r}; use one of {', '.join(RTSP_TRANSPORTS)}")
        # a small probe: the first frame decodes as soon as the key frame is in (a big one waits for ~32 KB)
        options = {"flags": "low_delay", "probesize": "4096", "analyzeduration": "0"}
        scheme = urlsplit(url).scheme.lower()
        if scheme in ("rtsp", "rtsps"):
            options["rtsp_transport"] = rtsp_transport
        elif scheme in ("http", "https"):
            # MPEG-TS, FLV and MJPEG over HTTP carry one whole picture per PES/tag/part: no parser, which
            # would hold each picture until the next one starts (40 ms at 25 fps). An MPEG-TS video PES whose
            # length is left open (FFmpeg's muxer's default) is still held so by the demuxer: its end is known
            # only when the next PES starts
            options["fflags"] = "noparse"
        # FFmpeg's own I/O timeout (µs) bounds every network wait, connect and open included; PyAV's timeout=
        # bounds the open and each packet's read as a whole (bytes that trickle in, a part that never ends),
        # through a callback FFmpeg calls while it waits, which takes the interpreter lock
        options["rw_timeout"] = str(int(io_timeout_s * 1_000_000))
        if scheme in NETWORK_SCHEMES:
            options["protocol_whitelist"] = NETWORK_PROTOCOLS
        self.io_timeout_s = io_timeout_s
        # a playlist at its live edge waits inside one read for the next segment (up to a segment's length,
        # 6 s and more on some servers): such a read is given longer
        segmented = urlsplit(url).path.lower().endswith(SEGMENTED_SUFFIXES)
        self.read_bound_s = max(io_timeout_s, SEGMENTED_READ_S) if segmented else io_timeout_s
        began = time.monotonic()
        try:
            self._container = av.open(url, options=options, timeout=(io_timeout_s, self.read_bound_s))
        except av.ExitError:
            raise TimeoutError(f"not open within {io_timeout_s:g} s") from None
        except av.InvalidDataError:
            if time.monotonic() - began < io_timeout_s:
                raise
            # FFmpeg's RTSP client turns its aborted wait for an answer into "invalid data": a server that took
            # the connection and never answered is a timeout, and is said as one
            raise TimeoutError(f"no answer within {io_timeout_s:g} s") from None
        try:
            if not self._container.streams.video:
                raise av.InvalidDataError(0, f"{NO_VIDEO} in {urlsplit(url).scheme} stream")
            self._stream = self._container.streams.video[0]
            ctx = self._stream.codec_context
            ctx.thread_count = 1  # frame threads add a frame of delay each; N streams already use the cores
            ctx.flags |= av.codec.context.Flags.low_delay
            self._key_frames_only = False
            self._await_key = False
            self._intra_only = str(ctx.name) in INTRA_ONLY_CODECS
            self._last_kept = 0.0
            self.set_key_frames_only(key_frames_only)
            self._packets = self._container.demux(self._stream)
        except BaseException:
            self._container.close()
            raise
        self._size = size
        self.transport = rtsp_transport if scheme in ("rtsp", "rtsps") else ""
        #: ``time.monotonic()`` when the last picture is due (a paced stream: see :class:`Pacer`); None: at once
        self.due_at: float | None = None
        segmented = bool(SEGMENTED_FORMATS & set(str(self._container.format.name).split(",")))
        self.pacer = Pacer(PACE_SPEED) if segmented else Pacer() if is_local_file(url) else None
        #: a live stream's lag behind its sender, which skips to a key frame when the reader falls behind (追帧);
        #: None for paced streams (segments and files deliver ahead of time by design) and intra-only codecs
        self.live_edge = LiveEdge() if self.pacer is None and not self._intra_only else None
        self._paced_ahead = False  # paced since its live edge found it running ahead (no longer when it is not)
        self._time_base = float(self._stream.time_base or 0) or 1 / 90_000
        self._codec_name = str(self._stream.codec_context.name)
        #: bytes of the video packets read so far (the reader turns it into a bitrate)
        self.bytes_read = 0
        #: when the packet that completed the last picture returned from the network (``time.monotonic()``)
        self.received_at: float | None = None
        #: when the camera took the last picture, by its clock (Unix seconds; RTSP after the first RTCP report)
        self.camera_time: float | None = None
        self._rtcp_clock = bool(self.transport)
        self._decoded: deque[tuple[av.VideoFrame, float]] = deque()
        self._scaler = BgrxScaler()
        #: joined mid-GOP (a relay without a GOP cache, a camera's long "smart" GOP): until the first picture,
        #: packets before a key frame are skipped and a decoding error is no broken stream (it was a reconnect,
        #: joining mid-GOP again: such a camera never played); after KEY_FRAME_WAIT_S every packet is tried
        self._first_picture = False
        self._key_wait_until = time.monotonic() + KEY_FRAME_WAIT_S
        #: packets skipped or refused while waiting for the first key frame
        self.skipped_before_key = 0
        #: the join's burst, held (see the class doc) until the live edge; paced streams are shown by their
        #: timestamps anyway, and a stream of key frames only starts at its newest picture
        self.join_hold = JoinHold() if hold_join and self.live_edge is not None else None

    def _next_frame(self) -> tuple[av.VideoFrame, float] | None:
        """The next decoded picture and when its packet arrived; None at the end of the stream."""
        while not self._decoded:
            asked = time.monotonic()
            try:
                packet = next(self._packets, None)
            except av.ExitError:  # the read's timeout: bytes came, but no whole packet
                raise TimeoutError(f"no whole picture within {self.read_bound_s:g} s") from None
            if packet is None:
                return None
            arrived = time.monotonic()
            if arrived - asked >= self.read_bound_s:
                # the read's timeout fired: a demuxer that was holding a picture whose end it had not seen (MPEG-TS
                # with unbounded video PES, FFmpeg's default) gives it out as the read aborts — the last picture
                # before the sender went quiet, not a new one: shown, it would say the stream was live just now
                raise TimeoutError(f"no whole picture within {self.read_bound_s:g} s")
            self.bytes_read += packet.size
            hold = self.join_hold
            if hold is not None and hold.holding:
                stamp = packet.dts if packet.dts is not None else packet.pts
                hold.packet(None if stamp is None else stamp * self._time_base, arrived, self._first_picture)
            edge = self.live_edge
            if edge is not None:
                pts = packet.pts
                key = packet.is_keyframe or (edge.catching_up and annexb_key_frame(bytes(packet), self._codec_name))
                if not edge.keep(None if pts is None else pts * self._time_base, asked, arrived, key):
                    continue  # 追帧: behind the live edge, this packet is skipped undecoded
                if edge.running_ahead and self.pacer is None:  # a sender far ahead of its timestamps: shown at
                    # its own rate, a little faster so what it has sent ahead drains (the sender waits), not decoded
                    # as fast as it comes
                    self.pacer, self._paced_ahead = Pacer(PACE_SPEED), True
                    log.info("stream arrives %.1f× faster than its timestamps, %.0f s ahead: paced",
                             edge.sender_speed or 0.0, edge.lead_s)  # fmt: skip
                elif self._paced_ahead and not edge.running_ahead:  # drained: the reader waits for it, live again
                    self.pacer, self.due_at, self._paced_ahead = None, None, False
                    log.info("stream arrives in real time again: no longer paced")
            if self._key_frames_only and self._intra_only:
                if arrived - self._last_kept < 1.0 / REDUCED_FPS:
                    continue  # 降帧 of an all-key-frame stream: by frame rate, this packet is not decoded
                self._last_kept = arrived
            if not self._first_picture and self._awaiting_key_frame():
                if not (packet.is_keyframe or annexb_key_frame(bytes(packet), self._codec_name)):
                    self.skipped_before_key += 1
                    continue
                try:
                    frames = packet.decode()
                except av.InvalidDataError:  # a picture whose references never came: wait for the next
                    self.skipped_before_key += 1
                    continue
            else:
                frames = packet.decode()
            self._first_picture = self._first_picture or bool(frames)
            for frame in frames:
                if frame.width * frame.height > MAX_PICTURE_PIXELS:
                    raise PictureTooLargeError(f"a picture of {frame.width}×{frame.height} is larger than "
                                          f"{MAX_PICTURE_PIXELS // 1_000_000} megapixels")  # fmt: skip
                self._decoded.append((frame, arrived))
        return self._decoded.popleft()

    def _awaiting_key_frame(self) -> bool:
        """Whether an H.264/H.265 stream still waits for the key frame it can start at (packets before it are
        skipped; MPEG-TS read without a parser flags none, so the bitstream says): at most KEY_FRAME_WAIT_S.
        Other codecs decode from any packet, and a junk one is a broken stream as ever."""
        return self._codec_name in ("h264", "hevc") and time.monotonic() <= self._key_wait_until

    def _camera_time(self, frame: av.VideoFrame) -> float | None:
        """The picture's capture time by the camera's clock (RTCP-anchored PTS), or None when not known."""
        if not self._rtcp_clock or frame.pts is None or frame.time_base is None:
            return None
        anchor = self._container.start_time_realtime  # µs since 1970 at PTS 0; set by the first RTCP report
        if not anchor or anchor <= 0:
            return None
        return anchor / 1_000_000 + float(frame.pts * frame.time_base)

    @property
    def codec(self) -> str:
        """Codec name as FFmpeg says it (``h264``, ``hevc``, ``mjpeg`` …)."""
        return str(self._stream.codec_context.name)

    @property
    def sar(self) -> Fraction:
        """The stream's sample aspect ratio (像素宽高比) as the decoder has it now (the bitstream's, else the
        container's; 1 when neither states one): a decoded picture carries none in PyAV."""
        return sane_sar(self._stream.codec_context.sample_aspect_ratio or self._stream.sample_aspect_ratio)

    @property
    def frame_rate(self) -> float | None:
        """The stream's nominal frames a second as the container or the codec states it; None: not stated.
        (Not FFmpeg's guessed rate: for H.264 that is often the field rate, twice the frame rate.)"""
        return sane_fps(self._stream.average_rate) or sane_fps(self._stream.codec_context.framerate)

    @property
    def reduced_rate(self) -> bool:
        """True while 降帧 turns the stream down by frame rate (:data:`REDUCED_FPS`), not to its key frames:
        a codec whose every picture is a key frame (MJPEG)."""
        return self._key_frames_only and self._intra_only

    def set_key_frames_only(self, on: bool) -> None:
        """Decode key frames only (降帧), or every frame again. Back to every frame, pictures are withheld
        until the next key frame: the frames in between would refer to pictures that were never decoded.
        A stream of key frames only (MJPEG) is turned down to :data:`REDUCED_FPS` pictures a second instead."""
        if on == self._key_frames_only:
            return
        if not self._intra_only:
            self._stream.codec_context.skip_frame = "NONKEY" if on else "DEFAULT"
            self._await_key = not on
        self._key_frames_only = on

    def _take(self) -> av.VideoFrame | None:
        """The next picture to show, its arrival and camera time noted; None at the end of the stream."""
        item = self._next_frame()
        while item is not None and self._await_key and not item[0].key_frame:
            item = self._next_frame()
        if item is None:
            return None
        frame, self.received_at = item
        self.camera_time = self._camera_time(frame)
        self._await_key = False
        if self.pacer is not None:
            self.due_at = self.pacer.due(frame.time, time.monotonic())
        return frame

    def read(self) -> np.ndarray | None:
        """The next picture (blocks at most the read timeout); None at the end of the stream.

        A decoding error on one packet is an ``av.FFmpegError`` for the reader to log and reconnect on."""
        frame = self._take()
        if frame is None:
            return None
        if self._size is not None:
            return frame.to_ndarray(width=self._size[0], height=self._size[1], format="bgr24")
        return frame_to_bgr(frame)

    def read_picture(self, box: tuple[int, int] | None, convert: Callable[[], bool] | None = None,
                     into: Destination | None = None) -> Picture | None:  # fmt: skip
        """The next picture; with ``box`` scaled to fit it as BGRX (:class:`BgrxScaler`), the decoded frame kept
        for a full-resolution snapshot. ``convert``, asked after each picture of a live (unpaced) stream is
        decoded: False skips its conversion and decodes the next. ``into``, given the scaled picture's shape, may
        return the array to write it into (the decoder process's ring slot), or None for a new one."""
        frame = self._take()
        hold = self.join_hold
        while frame is not None and ((hold is not None and hold.holding and hold.hold(time.monotonic()))
                                     or (convert is not None and self.pacer is None and not convert())):  # fmt: skip
            frame = self._take()
        if frame is None:
            return None
        size = (frame.width, frame.height)
        sar = self.sar
        if box is None:
            return Picture(frame_to_bgr(frame), size, sar=sar)
        width, height = fit_size(display_width(frame.width, sar), frame.height, box)  # the display aspect
        out = into((height, width, 4)) if into is not None else None
        return Picture(self._scaler.scale(frame, (width, height), out), size, frame, sar)

    def close(self) -> None:
        """Close the container (and the connection)."""
        self._container.close()


#: colour matrices OpenCV's 4:2:0 conversion implements (BT.601), as FFmpeg numbers them: unspecified (which
#: swscale also takes as BT.601), BT470BG and SMPTE170M; other matrices (BT.709 …) go through swscale
OPENCV_COLORSPACES = frozenset({2, 5, 6})
#: FFmpeg's number for full-range ("JPEG") samples, which OpenCV's conversion does not read
FULL_RANGE = 2


def opencv_convertible(frame: av.VideoFrame) -> bool:
    """Whether OpenCV converts ``frame`` as swscale would: 4:2:0, even sides, BT.601, limited range (what cameras
    send, stored top-down); anything else (MJPEG's full range, HD streams flagged BT.709, 10-bit, a picture stored
    bottom-up …) goes through swscale."""
    return (frame.format.name == "yuv420p" and not frame.width % 2 and not frame.height % 2
            and int(frame.colorspace) in OPENCV_COLORSPACES and int(frame.color_range) != FULL_RANGE
            and all(plane.line_size > 0 for plane in frame.planes))  # fmt: skip


def i420_planes(frame: av.VideoFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Y, U and V planes of a 4:2:0 ``frame`` as arrays over the frame's own memory (no copy; the rows'
    padding cut off)."""
    width, height = frame.width, frame.height
    sizes = ((width, height), (width // 2, height // 2), (width // 2, height // 2))
    y, u, v = (np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[:h, :w]
               for plane, (w, h) in zip(frame.planes, sizes, strict=True))  # fmt: skip
    return y, u, v


def i420_buffer(width: int, height: int) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """A contiguous I420 buffer for a ``width`` × ``height`` picture (what OpenCV converts) and its Y, U and V
    planes as arrays over it."""
    i420 = np.empty((height * 3 // 2, width), np.uint8)
    flat = i420.reshape(-1)
    luma, chroma = width * height, (width // 2) * (height // 2)
    return i420, (flat[:luma].reshape(height, width),
                  flat[luma : luma + chroma].reshape(height // 2, width // 2),
                  flat[luma + chroma :].reshape(height // 2, width // 2))  # fmt: skip


def resize_plane(plane: np.ndarray, out: np.ndarray) -> None:
    """Scale one plane (or an image of several channels) into ``out``: halved by area averaging (OpenCV's fast
    path for a factor of two) while it is at least twice as large, then bilinear to the exact size (bilinear alone
    would alias below half; OpenCV's area averaging by other factors costs ten times as much, measured)."""
    height, width = out.shape[:2]
    while plane.shape[1] >= 2 * width and plane.shape[0] >= 2 * height:
        plane = cv2.resize(plane, (plane.shape[1] // 2, plane.shape[0] // 2), interpolation=cv2.INTER_AREA)
    if plane.shape == out.shape:
        out[:] = plane
    else:
        cv2.resize(plane, (width, height), dst=out, interpolation=cv2.INTER_LINEAR)


class BgrxScaler:
    """A stream's pictures scaled to a display size and converted to BGRX, into an array the caller may give (the
    decoder process gives a slot of its shared-memory ring: nothing is copied after the conversion).

    Camera pictures (:func:`opencv_convertible`) into a box libyuv reaches by one of its fast ratios
    (:mod:`commandwall.video.yuv`: 3/4, 1/2 … with at most 3 % trimmed) go through libyuv, two to five times
    cheaper; ``use_libyuv=False`` keeps them on OpenCV (for measuring). Other camera pictures are scaled plane by
    plane, then converted by OpenCV's SIMD code:
    0.29 ms a picture at 640×360 → 476×268, against 0.50 ms for swscale's area scaling to BGRA and the copy after
    it (measured; a 16-tile wall converts 400 pictures a second). Anything else goes through one swscale context
    kept for the stream (``frame.reformat`` sets a new one up for every picture: twice the cost).
    """

    def __init__(self, *, use_libyuv: bool = True) -> None:
        self._swscale = VideoReformatter()
        self._yuv = YuvScaler() if use_libyuv else None
        self._scratch: dict[tuple[int, int], tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}

    def scale(self, frame: av.VideoFrame, size: tuple[int, int], out: np.ndarray | None = None) -> np.ndarray:
        """``frame`` scaled to ``size`` (w, h) as an H×W×4 BGRX array: ``out`` when given (it must have that
        shape), else a new array that refers to no frame."""
        width, height = size
        shape = (height, width, 4)
        if out is not None and out.shape != shape:
            raise ValueError(f"the destination is {out.shape}, the picture {shape}")
        if not (opencv_convertible(frame) and not width % 2 and not height % 2):
            # to_ndarray's array is a view into the converted frame: copied, so that freeing that frame (PyAV gives
            # up the GIL to free one) happens here and not on the GUI thread when the tile lets the picture go
            scaled = self._swscale.reformat(frame, width=width, height=height, format="bgra", interpolation="AREA")
            if out is None:
                return scaled.to_ndarray().copy()
            out[:] = scaled.to_ndarray()
            return out
        if self._yuv is not None:
            fast = self._yuv.scale(frame, size, out)
            if fast is not None:
                return fast
        scratch = self._scratch.get(size)
        if scratch is None:
            scratch = i420_buffer(width, height)
            self._scratch = {size: scratch}  # one size at a time: a tile's box changes rarely
        i420, targets = scratch
        for plane, target in zip(i420_planes(frame), targets, strict=True):
            resize_plane(plane, target)
        if out is None:
            return cv2.cvtColor(i420, cv2.COLOR_YUV2BGRA_I420)
        cv2.cvtColor(i420, cv2.COLOR_YUV2BGRA_I420, dst=out)
        return out


def frame_to_bgr(frame: av.VideoFrame) -> np.ndarray:
    """A decoded picture as H×W×3 BGR. Camera pictures (:func:`opencv_convertible`) go through OpenCV's SIMD
    conversion (~0.3 ms at 640×360, a third of swscale's bgr24 path); anything else through swscale."""
    if not opencv_convertible(frame):
        return frame.to_ndarray(format="bgr24").copy()  # a view into a converted frame: see BgrxScaler.scale
    i420, targets = i420_buffer(frame.width, frame.height)
    for plane, target in zip(i420_planes(frame), targets, strict=True):
        target[:] = plane
    return cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420)


def open_capture(
    url: str,
    decoder: str,
    open_timeout_s: float,
    read_timeout_s: float,
    *,
    rtsp_transport: str = "tcp",
    key_frames_only: bool = False,
    hold_join: bool = False,
) -> Capture | None:
    """Open ``url`` with the chosen decoder; None when OpenCV could not open it (PyAV raises instead).

    ``rtsp_transport`` (``tcp``/``udp``), ``key_frames_only`` and ``hold_join`` (:class:`PyAvCapture`) apply to
    PyAV; OpenCV decodes every frame."""
    if choose_decoder(url, decoder) == "pyav":
        # every wait, the open's included, bounded by the read timeout
        return PyAvCapture(url, read_timeout_s, rtsp_transport=rtsp_transport, key_frames_only=key_frames_only,
                           hold_join=hold_join)
    cap = OpenCvCapture(url, open_timeout_s, read_timeout_s)
    if cap.opened:
        return cap
    cap.close()
    return None
