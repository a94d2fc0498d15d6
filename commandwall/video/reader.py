"""Live stream reader: one daemon thread per stream URL, the newest frame wins.

A :class:`StreamReader` opens a stream (network URLs with PyAV, files with ``cv2.VideoCapture``; see
:mod:`commandwall.video.capture`; open and read timeouts passed at open), decodes frames on its own
thread and keeps only the newest one in a single slot. A consumer that is slower than the stream therefore
always gets a fresh picture; frames that were replaced before anyone took them are counted as ``dropped``
rather than queued (a queue would turn a slow consumer into an ever-growing delay on a live wall); a reader
that cannot even decode as fast as a live stream comes skips what piled up, undecoded, to a key frame near the
live edge (追帧, :mod:`commandwall.video.live_edge`). When the
stream fails or ends the reader reconnects with a bounded, jittered exponential backoff until
:meth:`StreamReader.stop` is called.

The reading thread is supervised: an unexpected Python exception anywhere in opening, decoding or publishing
(not just a failed open or read) is logged with the camera id, the redacted URL and the traceback, then the
reader backs off and starts over, so a stream never dies silently and its tile shows 重连中 meanwhile.
Native calls are bounded by the open and read timeouts (PyAV streams: every network wait, the open's
included, by the read timeout), so :meth:`StreamReader.stop` followed by
:meth:`StreamReader.join` ends the thread within ``max(open_timeout_s, read_timeout_s)`` plus a frame.

Besides the frame rate the reader measures the bitrate (bytes of the video packets over the last
``BITRATE_WINDOW_S`` seconds; PyAV streams only, OpenCV hides its packets) and stamps each frame with when its
packet arrived (``Frame.received_at``) and, for RTSP, when the camera took it by its clock
(``Frame.camera_time``), so the wall can say how long a picture took to the screen.

:meth:`StreamReader.set_display_size` tells the reader the box (device pixels) the widest tile showing the
stream has: from then on each frame is scaled to fit it on this thread, inside the colour conversion, and
delivered as BGRX (Qt's ``Format_RGB32`` byte order), so the GUI thread copies it to the screen 1:1 instead of
converting and scaling every frame of every tile; a new box (a layout switch, a maximised tile) applies from
the next frame, without reopening the stream. :meth:`Frame.full_image` still gives the picture at the
stream's own resolution (snapshots).
:meth:`StreamReader.restart` closes the stream and opens it again at once (a new RTSP transport).

A capture that paces its pictures by their timestamps (PyAV: HLS and DASH, whose segments arrive as bursts, and
local files) says when each is due (``due_at``): the reader waits until then (or until stop) before publishing
it, so such a stream is published at its own rate instead of a segment's burst followed by a frozen picture.
Every picture of any other stream is published as soon as it is decoded — unless its sender runs ahead of its
timestamps for good (a file pushed at ten times its rate): then its capture paces it too. A sender slower than real
time is shown as it comes; ``StreamStats.sender_speed`` says how slow, and the tile says its pictures come late.

Nothing here imports Qt: the wall polls :meth:`StreamReader.latest` from a GUI timer.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Protocol

import cv2
import numpy as np

try:
    from av import FFmpegError
except ImportError:  # pragma: no cover - av is a dependency
    FFmpegError = cv2.error  # type: ignore[assignment,misc]

# One redaction policy for the whole client: user:pass@ and secret query parameters never reach a log.
from commandwall import niceness
from commandwall.backend.http import redact as redact_url
from commandwall.backoff import Backoff
from commandwall.logs import redact_secrets
from commandwall.video.capture import (
    RTSP_TRANSPORTS,
    SQUARE,
    Capture,
    Picture,
    choose_decoder,
    display_width,
    error_text,
    full_image,
    open_capture,
)
from commandwall.video.decode_host import DecodeHost
from commandwall.video.failure import StreamFailure, stream_failure
from commandwall.video.live_edge import LiveEdge

log = logging.getLogger(__name__)

#: How much lower than the window a stream reader runs (Linux niceness, inherited by FFmpeg's own threads): when
#: the desk is short of CPU the window — painting, input, the incident list — goes first, and the wall's overload
#: policy sheds decoding (it watches exactly that: frames dropped, readers falling behind).
READER_NICENESS = 5
#: a sender delivering below this share of real time is slow: its tile says its pictures come late (画面延迟)
SLOW_SENDER = 0.8


def lower_thread_priority(by: int = READER_NICENESS) -> None:
    """Make the calling thread at least ``by`` nicer than the process's main thread (:mod:`commandwall.niceness`).
    Raising niceness needs no privilege on Linux; where threads have no niceness of their own (Windows, macOS)
    this does nothing."""
    if niceness.supported():
        niceness.at_least(threading.get_native_id(), niceness.main_thread_niceness() + by)


class StreamState(StrEnum):
    """Where a stream reader stands (the tile shows it as a badge)."""

    CONNECTING = "connecting"  # first open in progress, no frame yet
    LIVE = "live"  # frames arriving
    STALE = "stale"  # connected, but no new frame for longer than ``stale_after_s``
    RECONNECTING = "reconnecting"  # lost or failed; waiting out the backoff or reopening
    STOPPED = "stopped"  # stop() was called


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded picture, never written to after publication.

    ``image`` is H×W×3 BGR uint8 at the stream's resolution, or — once the consumer set a display size — H×W×4
    BGRX scaled to fit it (:attr:`scaled`). The stream-resolution BGR picture of a scaled frame: ``source``
    when the capture had it as an array (OpenCV), else :meth:`StreamReader.full_image` makes it from the
    decoded frame the reader keeps (PyAV): a decoded frame never reaches the consumer's thread, since freeing
    one gives up the GIL there, and getting it back on the GUI thread waits behind every decoder (~1–2 ms a
    frame at 16 tiles, measured with ``benchmarks/bench_wall.py --profile``).
    """

    image: np.ndarray
    seq: int  # 1, 2, 3 … per reader; a consumer compares it to know whether the picture changed
    captured_at: float  # time.monotonic() when decoded
    received_at: float | None = None  # time.monotonic() when its packet arrived (None: not known, OpenCV)
    camera_time: float | None = None  # Unix time the camera took it, by its clock (RTSP with RTCP), else None
    source_size: tuple[int, int] | None = None  # the stream's (width, height); None: that of ``image``
    source: np.ndarray | None = None  # the full-resolution BGR picture behind a scaled ``image`` (OpenCV)
    sar: Fraction = SQUARE  # the stream's sample aspect ratio: a scaled ``image`` has the display aspect already
    #: 直显: the pictures the decoder put into the tile's window since the frame before, this one's among them, each
    #: (monotonic time put, Unix time put, received_at, camera_time): the tile's latency is measured from them
    presented: tuple[tuple[float, float, float | None, float | None], ...] = ()

    @property
    def scaled(self) -> bool:
        """True when ``image`` is the BGRX display picture (4 channels), not the stream's BGR picture."""
        return self.image.ndim == 3 and self.image.shape[2] == 4

    @property
    def stream_size(self) -> tuple[int, int]:
        """The stream's own (width, height), whatever size ``image`` was scaled to."""
        return self.source_size or (self.width, self.height)

    def full_image(self) -> np.ndarray | None:
        """The picture at the stream's resolution, H×W×3 BGR; None for a scaled PyAV frame (ask the reader:
        :meth:`StreamReader.full_image`)."""
        if self.source is not None:
            return self.source
        return None if self.scaled else self.image

    @property
    def display_size(self) -> tuple[int, int]:
        """The stream's picture as it is shown: its width in samples times :attr:`sar`, its height (720×576 at
        16:11: 1047×576)."""
        width, height = self.stream_size
        return display_width(width, self.sar), height

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.image.shape[0])


@dataclass(frozen=True, slots=True)
class StreamStats:
    """A snapshot of a reader's counters. Times are ``time.monotonic()`` seconds."""

    state: StreamState
    fps: float  # over the sliding window
    frames: int  # decoded since start
    dropped: int  # decoded, never taken: replaced in the slot, or not converted while the slot was untaken
    reconnects: int  # times the stream was opened again after a failure or end
    last_frame_at: float | None
    resolution: tuple[int, int] | None  # (width, height) of the newest frame
    last_error: str = ""
    codec: str = ""  # as FFmpeg names it (h264, hevc, mjpeg); "" before the first open or when unknown
    key_frames_only: bool = False  # 降帧: only key frames are decoded
    reduced_rate: bool = False  # 降帧 by frame rate: every picture is a key frame (MJPEG), or OpenCV decodes
    bitrate_kbps: float | None = None  # video packets over the last BITRATE_WINDOW_S; None: not measurable
    transport: str = ""  # "tcp"/"udp" for an open RTSP stream, "" otherwise
    live_since: float | None = None  # the first frame since the stream was last (re)opened; None: none yet
    nominal_fps: float | None = None  # the frame rate the open stream states (container or codec); None: unknown
    behind_s: float | None = None  # how far decoding is behind the sender's live edge; None: not measured
    catch_ups: int = 0  # times the reader skipped to a key frame to catch up with the live edge (追帧)
    retry_at: float | None = None  # RECONNECTING: when the next attempt opens the stream; None: not waiting
    sar: Fraction = SQUARE  # the newest frame's sample aspect ratio (像素宽高比; 1: square pixels)
    #: how fast the sender delivers against its timestamps (1: real time; 0.1: ten times too slow, every picture
    #: shown later than the last; None: not measured)
    sender_speed: float | None = None

    @property
    def sender_slow(self) -> bool:
        """The sender delivers well below real time (under :data:`SLOW_SENDER`): its pictures come late."""
        return self.sender_speed is not None and self.sender_speed < SLOW_SENDER

    @property
    def failure(self) -> StreamFailure | None:
        """While the reader retries (RECONNECTING): the kind of failure that ended the last attempt (None: of no
        known kind); None in any other state."""
        return stream_failure(self.last_error) if self.state is StreamState.RECONNECTING else None

    def age_s(self, now: float | None = None) -> float | None:
        """Seconds since the newest frame, or None before the first one."""
        if self.last_frame_at is None:
            return None
        return (time.monotonic() if now is None else now) - self.last_frame_at


class FrameSource(Protocol):
    """What a tile needs from a reader: the newest frame and the stats (StreamReader implements it)."""

    def latest(self) -> Frame | None:
        """Newest frame, or None before the first."""
        ...

    def stats(self) -> StreamStats:
        """Counters and state."""
        ...


class _ThreadStarter:
    """Starts the reading threads so that the thread asking (the GUI's, when a preset opens 36 streams) does not
    wait for each of them.

    ``Thread.start`` returns only once the new thread runs, and with dozens of readers decoding, a new thread
    waits for the interpreter lock before it runs: 17–40 ms a reader here, a GUI frozen for 0.6–1.5 s while a
    36-tile wall opened its streams. A starter thread starts them in turn instead (the caller waits for that one
    only) and ends when none is left, so that no thread of ours outlives the streams at shutdown.
    """

    def __init__(self) -> None:
        self._waiting: deque[tuple[threading.Thread, threading.Event]] = deque()
        self._lock = threading.Lock()
        self._running = False

    def start(self, thread: threading.Thread, launched: threading.Event) -> None:
        """Start ``thread`` soon; ``launched`` is set once it runs (or could not be started)."""
        with self._lock:
            self._waiting.append((thread, launched))
            if self._running:
                return  # the running starter takes it before it ends (it looks under the lock)
            self._running = True
        try:
            threading.Thread(target=self._run, name="cw-video-starter", daemon=True).start()
        except RuntimeError:  # the process may start no more threads: those streams stay closed, said here
            log.exception("could not start the video starter")
            self._give_up()

    def _give_up(self) -> None:
        """Release every reader waiting to be started (they stay closed; their join returns at once)."""
        with self._lock:
            waiting, self._waiting, self._running = list(self._waiting), deque(), False
        for _thread, launched in waiting:
            launched.set()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._waiting:
                    self._running = False
                    return
                thread, launched = self._waiting.popleft()
            try:
                thread.start()
            except RuntimeError:  # the process may start no more threads: that stream stays closed, said here
                log.exception("could not start %s", thread.name)
            finally:
                launched.set()


_STARTER = _ThreadStarter()


class StreamReader:
    """Reads one stream URL on a daemon thread and keeps the newest decoded frame.

    ``latest()`` returns the newest :class:`Frame` (and marks it as taken); ``stats()`` returns a
    :class:`StreamStats`. ``stop()`` sets an event and joins the thread with a timeout, so it returns
    promptly even while FFmpeg is blocked inside a read (bounded by ``read_timeout_s``); the daemon thread
    then releases the capture and ends by itself, and :meth:`join` waits for that (at exit the owner must,
    see ``ReaderPool.stop_all``: a daemon thread still inside OpenCV when the interpreter finalises aborts
    the process). The URL may hold credentials: it is only ever logged through :func:`redact_url`
    (``commandwall.backend.http.redact``). ``camera_id`` (may be set later) only labels log lines.
    ``decoder``: ``auto`` (PyAV for network URLs — they open in parallel —, OpenCV for files), ``pyav`` or
    ``opencv``. ``rtsp_transport``: ``tcp`` (default) or ``udp`` for RTSP URLs. :meth:`set_key_frames_only`
    turns a PyAV stream down to its key frames (降帧) and back while it plays. ``decode_host``: decode in that
    decoder process (:mod:`commandwall.video.decode_host`) instead of on this reader's thread; the reader then
    receives the finished pictures, and a decoder that dies is a stream that ended (reconnected as any other); a
    decoder process that cannot start at all (``DecodeHost.broken``) leaves the reader decoding itself.
    """

    FPS_WINDOW_S = 2.0
    BITRATE_WINDOW_S = 4.0  # several GOPs of a camera sending a key frame every 1–2 s
    #: a picture nobody has taken for ``UNTAKEN_AFTER_S`` (the consumer is behind; two pictures that arrive
    #: together are not that) holds the slot until ``UNTAKEN_HOLD_S`` old: the pictures decoded meanwhile are not
    #: converted (a slow consumer gets one at most that much older than the newest; the reader saves the work)
    UNTAKEN_AFTER_S = 0.02
    UNTAKEN_HOLD_S = 0.1

    def __init__(
        self,
        url: str,
        *,
        open_timeout_s: float = 5.0,
        read_timeout_s: float = 5.0,
        stale_after_s: float = 2.0,
        backoff: Backoff | None = None,
        camera_id: str = "",
        decoder: str = "auto",
        rtsp_transport: str = "tcp",
        decode_host: DecodeHost | None = None,
    ) -> None:
        self.decoder = choose_decoder(url, decoder)
        #: the decoder process the stream is decoded in (None: on this reader's thread, in this process)
        self.decode_host = decode_host
        self.rtsp_transport = "tcp"
        self.set_rtsp_transport(rtsp_transport)
        self._key_frames_only = False  # asked for; the reading thread applies it to the open capture
        #: the next open holds the stream's join burst until the live edge (``PyAvCapture``'s ``hold_join``): set
        #: before :meth:`start` for a tile that already shows the camera (a switch between its streams), and by
        #: :meth:`restart` while a picture is on screen
        self.hold_next_join = False
        self._reduced_rate = False  # 降帧 applied by frame rate (MJPEG, OpenCV) rather than to key frames
        self._display_box: tuple[int, int] | None = None  # set by the consumer; read once per frame
        self.url = url
        self.safe_url = redact_url(url)
        self.camera_id = camera_id
        self.open_timeout_s = open_timeout_s
        self.read_timeout_s = read_timeout_s
        self.stale_after_s = stale_after_s
        self.backoff = backoff or Backoff()
        self._rng = random.Random()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()  # cuts a backoff wait short (stop, or reconnect_now)
        self._slot: Frame | None = None
        self._slot_taken = True
        self._seq = 0
        #: called (on the reading thread, without the lock) after each new frame: lets the consumer take it at
        #: once instead of at its next poll; must be cheap and thread-safe (the wall's is a coalesced wake-up)
        self.on_frame: Callable[[], None] | None = None
        self._dropped = 0
        self._unconverted = 0  # decoded, not converted: the picture before them was still waiting to be taken
        self._reconnects = 0
        self._state = StreamState.CONNECTING
        self._live_since: float | None = None
        self._last_error = ""
        self._retry_at: float | None = None  # the backoff's end while RECONNECTING (the tile counts down to it)
        self._codec = ""
        self._transport = ""
        self._nominal_fps: float | None = None
        self._live_edge: LiveEdge | None = None  # the open capture's, when it measures one
        self._catch_ups_closed = 0  # catch-ups of the captures closed so far
        self._crashes = 0
        self._restart = threading.Event()  # restart(): close and open again at once
        self._frame_times: deque[float] = deque(maxlen=512)
        # the decoded frame behind the newest scaled one (PyAV), for full_image(): kept and freed on this thread
        self._full: tuple[int, object] | None = None
        self._bytes: deque[tuple[float, int]] = deque(maxlen=1024)  # (arrival, bytes) per frame read
        self._bytes_sum = 0  # of the sizes in _bytes (the bitrate is asked for every tile several times a second)
        self._measures_bytes = False
        #: 直显 (decoder process only): the window the decoder is asked to put the pictures into, the capture that
        #: is open (to tell it at once), and why the decoder stopped putting them (reason, lasting)
        self._presentation: dict | None = None
        #: held from reading the presentation to sending it (GUI thread and reading thread): the decoder is told the
        #: last one asked for, never an older one after it
        self._presentation_lock = threading.Lock()
        self._capture: object | None = None
        self._presentation_error: tuple[str, bool] | None = None
        self._presented_only = 0  # pictures put into the window and never published here
        self._presented_at: float | None = None  # when the decoder put the newest picture into the window
        self._pending_presented: deque[tuple] = deque(maxlen=64)  # put since the last frame published
        self._thread = threading.Thread(target=self._run, name=f"cw-video {self.safe_url}", daemon=True)
        self._start_asked = False
        self._launched = threading.Event()  # the starter has started the thread (or failed to)

    def __repr__(self) -> str:
        return f"<StreamReader {self.safe_url} {self.state.value}>"

    @property
    def context(self) -> str:
        """How log lines name this stream: camera id (when known) and the redacted URL."""
        return f"camera {self.camera_id} {self.safe_url}" if self.camera_id else self.safe_url

    @property
    def crashes(self) -> int:
        """Unexpected exceptions the reading thread has survived (each logged with its traceback)."""
        return self._crashes

    # ---- consumer side -------------------------------------------------------------------------------
    def start(self) -> StreamReader:
        """Have the reading thread started (once; by the shared starter, see ``_ThreadStarter``) and return
        self at once."""
        with self._lock:
            if self._start_asked or self._stop.is_set():
                return self
            self._start_asked = True
        _STARTER.start(self._thread, self._launched)
        return self

    def latest(self) -> Frame | None:
        """The newest frame (None before the first). Taking it means it no longer counts as dropped."""
        with self._lock:
            self._slot_taken = True
            return self._slot

    def full_image(self, frame: Frame) -> np.ndarray | None:
        """``frame`` (one of this reader's) at the stream's resolution as BGR, for a snapshot: the frame itself,
        or for a scaled PyAV frame the decoded frame behind it — or, if a newer one was decoded meanwhile, the
        newest (a frame or two later); None if there is none any more (the stream closed). Converting a 1080p
        frame takes a few ms: call it off the GUI thread (the snapshot worker does)."""
        image = frame.full_image()
        if image is not None:
            return image
        with self._lock:
            kept = self._full
        if kept is None:
            return None
        return full_image(frame.image, kept[1])

    @property
    def seq(self) -> int:
        """Sequence number of the newest frame (0 before the first)."""
        return self._seq

    @property
    def state(self) -> StreamState:
        """Current state; LIVE turns into STALE when the newest frame is older than ``stale_after_s``."""
        with self._lock:
            return self._state_locked(time.monotonic())

    def stats(self) -> StreamStats:
        """A consistent snapshot of state and counters."""
        now = time.monotonic()
        with self._lock:
            # the times are in order: drop those the windows left behind rather than filter all each call (the
            # wall asks every tile several times a second)
            frame_times, sizes = self._frame_times, self._bytes
            while frame_times and now - frame_times[0] > self.FPS_WINDOW_S:
                frame_times.popleft()
            while sizes and now - sizes[0][0] > self.BITRATE_WINDOW_S:
                self._bytes_sum -= sizes.popleft()[1]
            fps = 0.0
            if len(frame_times) >= 2 and frame_times[-1] > frame_times[0]:
                fps = (len(frame_times) - 1) / (frame_times[-1] - frame_times[0])
            slot = self._slot
            edge = self._live_edge
            return StreamStats(
                state=self._state_locked(now),
                fps=fps,
                frames=self._seq + self._unconverted + self._presented_only,
                dropped=self._dropped + self._unconverted,
                reconnects=self._reconnects,
                # 直显: the newest picture put into the window, which the client hears of twice a second
                last_frame_at=max(slot.captured_at, self._presented_at or 0.0) if slot else None,
                resolution=slot.stream_size if slot else None,
                last_error=self._last_error,
                codec=self._codec,
                key_frames_only=self._key_frames_only and self.decoder == "pyav" and not self._reduced_rate,
                reduced_rate=self._reduced_rate,
                bitrate_kbps=self._bitrate_locked(now),
                transport=self._transport,
                live_since=self._live_since,
                nominal_fps=self._nominal_fps,
                behind_s=edge.behind_s if edge is not None else None,
                catch_ups=self._catch_ups_closed + (edge.catch_ups if edge is not None else 0),
                retry_at=self._retry_at if self._state is StreamState.RECONNECTING else None,
                sar=slot.sar if slot else SQUARE,
                sender_speed=edge.sender_speed if edge is not None else None,
            )

    def _count_bytes(self, size: int, at: float | None = None) -> None:
        """A frame's packets of ``size`` bytes arrived (``at``: monotonic time, default now)."""
        with self._lock:
            if len(self._bytes) == self._bytes.maxlen:
                self._bytes_sum -= self._bytes[0][1]
            self._bytes.append((time.monotonic() if at is None else at, size))
            self._bytes_sum += size

    def _bitrate_locked(self, now: float) -> float | None:
        """kbit/s of the video packets read over the last ``BITRATE_WINDOW_S`` (None: OpenCV, no packets)."""
        if not self._measures_bytes:
            return None
        window = self._bytes  # pruned to the window by stats()
        if len(window) < 2 or now <= window[0][0]:
            return 0.0
        # the first sample's bytes arrived before the window opened: count what came after it
        span = max(window[-1][0], now - 0.5) - window[0][0]  # a stream that stalls falls towards 0
        return (self._bytes_sum - window[0][1]) * 8 / 1000 / span if span > 0 else 0.0

    def set_rtsp_transport(self, transport: str) -> None:
        """``tcp`` or ``udp`` for RTSP (ValueError otherwise); applies from the next open."""
        if transport not in RTSP_TRANSPORTS:
            raise ValueError(f"unknown RTSP transport {transport!r}; use one of {', '.join(RTSP_TRANSPORTS)}")
        self.rtsp_transport = transport

    def set_key_frames_only(self, on: bool) -> None:
        """Decode key frames only (降帧: about one picture a GOP) or every frame again; takes effect at the
        next frame. A stream whose every picture is a key frame (MJPEG), or one OpenCV decodes (files), is turned
        down by frame rate instead (``capture.REDUCED_FPS``; ``StreamStats.reduced_rate`` says so)."""
        self._key_frames_only = bool(on)

    def set_display_size(self, box: tuple[int, int] | None) -> None:
        """Deliver frames scaled to fit ``box`` (width, height in pixels) as BGRX from the next frame on; None:
        the stream's resolution as BGR. The stream is not reopened."""
        if box is not None:
            box = (max(2, int(box[0])), max(2, int(box[1])))
        self._display_box = box  # one reference swap: the reading thread reads it once per frame

    @property
    def display_size(self) -> tuple[int, int] | None:
        """The box frames are scaled to fit (None: not scaled)."""
        return self._display_box

    def restart(self) -> None:
        """Close the stream and open it again at once, without a backoff (after :meth:`set_rtsp_transport`:
        the new transport applies). The frame on screen stays until the new stream delivers, and the new stream
        starts at it, not before (its join burst is held: ``hold_next_join``)."""
        with self._lock:  # with the flag, so that an open ending now does not take the request for itself
            if self._slot is not None:
                self.hold_next_join = True
            self._restart.set()
        self._wake.set()

    # ---- 直显: the decoder puts the pictures into a window -------------------------------------------------
    def set_presentation(self, target: dict | None) -> None:
        """Have the decoder process put this stream's pictures straight into an X window (``target``: see
        :meth:`commandwall.video.decode_host.RemoteCapture.set_presentation`), or send them here again (None).
        Only a stream decoded in a decoder process can (:attr:`can_present`); the open stream is told at once,
        a stream opened later when it opens. Frames still come here, a couple a second (:attr:`Frame.presented`
        counts the pictures put), and the stats count every picture put."""
        with self._presentation_lock:
            with self._lock:
                if target == self._presentation:
                    return
                self._presentation = target
                if target is not None:
                    self._presentation_error = None
                capture = self._capture
                self._pending_presented.clear()  # pictures put into another window, or before: not this one's
            setter = getattr(capture, "set_presentation", None)
            if setter is not None:
                setter(target)

    @property
    def can_present(self) -> bool:
        """Whether this stream is decoded in a decoder process (only such a stream can be put into a window)."""
        return self.decode_host is not None and not self.decode_host.broken

    @property
    def presentation(self) -> dict | None:
        """The window the decoder is asked to put the pictures into (None: not asked, or it stopped)."""
        return self._presentation

    @property
    def presentation_error(self) -> tuple[str, bool] | None:
        """Why the decoder stopped putting the pictures into the window, and whether that lasts (the display
        cannot be used) rather than concerns that window only; None while it puts them or was never asked."""
        return self._presentation_error

    def expose(self) -> None:
        """The window was uncovered: the decoder puts the last picture into it again."""
        expose = getattr(self._capture, "expose", None)
        if expose is not None and self._presentation is not None:
            expose()

    def _note_presented(self, items: list) -> None:
        """The decoder put ``items`` pictures into the window (reading thread): counted, timed, kept for the
        next frame's :attr:`Frame.presented`."""
        if not items:
            return
        with self._lock:
            self._presented_only += len(items)
            self._frame_times.extend(item[0] for item in items)
            self._pending_presented.extend(items)
            self._presented_at = items[-1][0]
            if self._state is not StreamState.LIVE and not self._stop.is_set():
                self._state = StreamState.LIVE
                self._live_since = time.monotonic()
                log.info("stream %s: live", self.context)

    def _present_failed(self, reason: str, lasting: bool, window: int | None = None) -> None:
        """The decoder stopped putting the pictures into ``window`` (reading thread). A window given up since (Qt
        made the surface a new one, and the old one went under the decoder) is no news: the new one is told."""
        with self._lock:
            asked = self._presentation
            if not lasting and asked is not None and window is not None and asked.get("window") != window:
                return
            self._presentation = None
            self._presentation_error = (reason, lasting)
        # a display that cannot be used is said once, by the wall; a window that failed, here
        log.log(logging.INFO if lasting else logging.WARNING,
                "stream %s: the decoder stopped putting pictures into the window (%s): the wall paints them",
                self.context, reason)  # fmt: skip

    def reconnect_now(self) -> None:
        """Skip the rest of the current backoff wait (e.g. the platform says the camera is back online)."""
        self._wake.set()

    def stop(self, timeout_s: float = 1.0) -> bool:
        """Ask the thread to end and wait at most ``timeout_s`` (0 = do not wait). True if it has ended."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            self._state = StreamState.STOPPED
        if timeout_s > 0 and threading.current_thread() is not self._thread:
            return self.join(timeout_s)
        return not self.running

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for the thread to end (after stop()), its start first if it is still waiting for the starter.
        True if it has ended."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        if self._start_asked and not self._launched.wait(timeout_s):
            return False
        if self._thread.is_alive():
            self._thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not self.running

    @property
    def running(self) -> bool:
        """True from ``start`` until the reading thread has ended."""
        return (self._start_asked and not self._launched.is_set()) or self._thread.is_alive()

    # ---- reading thread ------------------------------------------------------------------------------
    def _state_locked(self, now: float) -> StreamState:
        slot = self._slot
        newest = max(slot.captured_at, self._presented_at or 0.0) if slot is not None else None
        stale = newest is not None and now - newest > self.stale_after_s
        return StreamState.STALE if self._state is StreamState.LIVE and stale else self._state

    def _set_state(self, state: StreamState, error: str = "") -> None:
        with self._lock:
            if self._stop.is_set():
                return
            changed = self._state is not state
            self._state = state
            if error:
                self._last_error = error
        if changed:
            log.info("stream %s: %s%s", self.context, state.value, f" ({error})" if error else "")

    def _publish(self, picture: Picture | np.ndarray, received_at: float | None = None,
                 camera_time: float | None = None, presented: bool = False) -> None:  # fmt: skip
        """Make ``picture`` the newest frame. ``presented``: it is one the decoder put into the window, counted and
        timed already by :meth:`_note_presented`."""
        now = time.monotonic()
        if isinstance(picture, np.ndarray):
            image, source_size, source, sar = picture, None, None, SQUARE
        else:
            image, source_size, source, sar = picture.image, picture.source_size, picture.source, picture.sar
        if not image.flags.c_contiguous:
            image = np.ascontiguousarray(image)
        full = None
        if source is not None and not isinstance(source, np.ndarray):
            full, source = source, None  # a decoded frame: kept by the reader only (see Frame)
        with self._lock:
            if self._slot is not None and not self._slot_taken:
                self._dropped += 1
            self._seq += 1
            shown: tuple = ()
            if presented:
                shown, self._presented_only = tuple(self._pending_presented), self._presented_only - 1
            self._pending_presented.clear()  # a picture sent here after them (the window given up) takes none
            self._slot = Frame(image=image, seq=self._seq, captured_at=now, received_at=received_at,
                               camera_time=camera_time, source_size=source_size, source=source, sar=sar,
                               presented=shown)  # fmt: skip
            previous = self._full
            self._full = (self._seq, full) if full is not None else None
            self._slot_taken = False
            if not presented:
                self._frame_times.append(now)
            if self._state is not StreamState.LIVE and not self._stop.is_set():
                self._state = StreamState.LIVE
                self._live_since = now
                log.info("stream %s: live", self.context)
        del previous  # the decoded frame it replaces is freed here, on the reading thread
        notify = self.on_frame
        if notify is not None:
            notify()

    def _open(self) -> Capture | None:
        """Open the stream (blocks at most ``open_timeout_s``); None or an exception when it fails."""
        with self._lock:
            hold_join = self.hold_next_join
        if self.decode_host is not None and not self.decode_host.broken:
            cap = self.decode_host.open(self.url, decoder=self.decoder, open_timeout_s=self.open_timeout_s,
                                        read_timeout_s=self.read_timeout_s, rtsp_transport=self.rtsp_transport,
                                        key_frames_only=self._key_frames_only, hold_join=hold_join,
                                        should_stop=lambda: self._stop.is_set() or self._restart.is_set())  # fmt: skip
        else:
            cap = open_capture(self.url, self.decoder, self.open_timeout_s, self.read_timeout_s,
                               rtsp_transport=self.rtsp_transport, key_frames_only=self._key_frames_only,
                               hold_join=hold_join)  # fmt: skip
        with self._lock:
            # a reconnect shows what it gets (newer than the picture left on screen); a restart asked for while this
            # opened keeps its request for the open that follows
            if cap is not None and not self._restart.is_set():
                self.hold_next_join = False
        return cap

    def _convert_next(self) -> bool:
        """Whether to convert the picture just decoded: not while nobody has taken the newest one, published
        between :attr:`UNTAKEN_AFTER_S` and :attr:`UNTAKEN_HOLD_S` ago (then it is counted decoded and dropped)."""
        now = time.monotonic()
        with self._lock:
            slot = self._slot
            if slot is None or self._slot_taken:
                return True
            if not self.UNTAKEN_AFTER_S <= now - slot.captured_at < self.UNTAKEN_HOLD_S:
                return True
            self._unconverted += 1
            self._frame_times.append(now)  # decoded: the stream's rate counts it
            return False

    def _decode(self, cap: Capture) -> Picture | None:
        """Grab and decode the next picture, scaled to the display size if one is set (blocks at most
        ``read_timeout_s``); None when the stream failed, ended or timed out."""
        # a consumer that has not taken the last picture yet (the GUI is behind) needs the next ones decoded
        # (later pictures refer to them), not converted: each would only replace an untaken one, at the cost of
        # the CPU and a round trip for the interpreter lock the GUI thread is waiting for
        return cap.read_picture(self._display_box, self._convert_next)

    def _read_until_failure(self, cap: Capture) -> int:
        """Decode into the slot until the stream fails or stop is asked; return frames read."""
        count = 0
        setter = getattr(cap, "set_key_frames_only", None)
        read_before = skipped_before = 0
        while not self._stop.is_set() and not self._restart.is_set():
            if setter is not None:
                setter(self._key_frames_only)
                self._reduced_rate = bool(getattr(cap, "reduced_rate", False))
            image = self._decode(cap)
            if image is None:
                break
            due = getattr(cap, "due_at", None)
            if due is not None:  # a paced stream (a segment's burst, a file): hold the picture until it is due
                hold = due - time.monotonic()
                if hold > 0 and self._stop.wait(hold):
                    break
            skipped = getattr(cap, "skipped", 0)
            if skipped != skipped_before:  # decoded in the decoder process, never handed out here: dropped
                with self._lock:
                    self._unconverted += skipped - skipped_before
                skipped_before = skipped
            read = getattr(cap, "bytes_read", 0)
            if read:
                self._count_bytes(read - read_before)
                read_before = read
            self._publish(image, getattr(cap, "received_at", None), getattr(cap, "camera_time", None),
                          bool(getattr(cap, "presented_picture", False)))  # fmt: skip
            count += 1
        return count

    def _play_once(self) -> tuple[int, str]:
        """Open, read until failure, release; returns (frames read, why it ended)."""
        try:
            cap = self._open()
        except (FFmpegError, OSError) as exc:  # refused, timed out, not a stream: ordinary, say why
            return 0, f"open failed: {self._redacted(error_text(exc))}"
        if cap is None:
            return 0, "open failed"
        if hasattr(cap, "set_presentation"):  # decoded in the decoder process: it may put pictures into a window
            cap.on_presented = self._note_presented  # type: ignore[attr-defined]
            cap.on_present_failed = self._present_failed  # type: ignore[attr-defined]
        with self._presentation_lock:
            with self._lock:
                self._capture = cap
                presentation = self._presentation
                self._pending_presented.clear()  # pictures of a stream closed since: not this one's
            if presentation is not None:
                cap.set_presentation(presentation)  # type: ignore[attr-defined]
        codec, transport = getattr(cap, "codec", ""), getattr(cap, "transport", "")
        rate = getattr(cap, "frame_rate", None)
        with self._lock:
            self._codec = codec if isinstance(codec, str) else ""
            self._transport = transport if isinstance(transport, str) else ""
            self._nominal_fps = float(rate) if isinstance(rate, (int, float)) and rate > 0 else None
            self._measures_bytes = hasattr(cap, "bytes_read") and self.decoder == "pyav"
            edge = getattr(cap, "live_edge", None)
            self._live_edge = edge if isinstance(edge, LiveEdge) else None
        try:
            return self._read_until_failure(cap), "stream ended or read timed out"
        finally:
            self._reduced_rate = False
            with self._lock:
                self._capture = None
                if self._live_edge is not None:
                    self._catch_ups_closed += self._live_edge.catch_ups
                self._live_edge = None
            cap.close()

    def _redacted(self, text: str) -> str:
        """``text`` (an error from FFmpeg, OpenCV or the decoder process) without the stream's credentials: the URL
        as given, and any other spelling of it (an error quoting it with its quotes escaped, say)."""
        return redact_secrets(text.replace(self.url, self.safe_url))

    def _describe_failure(self, exc: Exception) -> str:
        """One line for the state and the tile; unexpected exceptions are logged in full, once each."""
        summary = self._redacted(error_text(exc))
        if isinstance(exc, (cv2.error, FFmpegError, OSError)):  # the URL or stream refused: ordinary
            log.warning("stream %s: %s", self.context, summary)
            return summary
        self._crashes += 1
        trace = self._redacted("".join(traceback.format_exception(exc)))
        log.error("stream %s: reader hit an unexpected error (%d so far), restarting after a backoff\n%s",
                  self.context, self._crashes, trace.rstrip())  # fmt: skip
        return summary

    def _run(self) -> None:
        lower_thread_priority()
        try:
            self._supervise()
        except BaseException:  # only a fault in the loop's own bookkeeping gets here: never end silently
            trace = self._redacted(traceback.format_exc())
            log.critical("stream %s: reading thread ended by an error\n%s", self.context, trace.rstrip())
            raise
        finally:
            self._full = None
            with self._lock:
                self._state = StreamState.STOPPED
            log.info("stream %s: stopped", self.context)

    def _supervise(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            self._restart.clear()
            try:
                frames, error = self._play_once()
            except Exception as exc:  # supervision: log with context, back off, start over; never die
                frames, error = 0, self._describe_failure(exc)
            if frames > 0:
                attempt = 0  # it played: start the backoff over
            if self._stop.is_set():
                break
            if self._restart.is_set():  # asked for: open again at once
                log.info("stream %s: reopening (RTSP over %s)", self.context, self.rtsp_transport)
                self._set_state(StreamState.CONNECTING)
                with self._lock:
                    self._reconnects += 1
                continue
            attempt += 1
            delay = self.backoff.delay_s(attempt, self._rng)
            with self._lock:
                self._retry_at = time.monotonic() + delay
            self._set_state(StreamState.RECONNECTING, f"{error}; retry {attempt} in {delay:.1f} s")
            self._wake.clear()
            if not self._stop.is_set():  # stop() sets _stop before _wake: no lost wake-up
                self._wake.wait(delay)
            if self._stop.is_set():
                break
            with self._lock:
                self._reconnects += 1
