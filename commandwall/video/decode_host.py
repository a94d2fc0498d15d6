"""Decoding in a process of its own: the wall's streams are demuxed, decoded and scaled in a decoder process, and
the client's process only receives the finished pictures.

Why: with the decoding threads in the client's own interpreter, every one of them takes the interpreter lock
around each step of each picture (~15 times a picture: reading packets, decoding, scaling, freeing), and the lock
is not fair. With 36 streams the GUI thread waited seconds for it after a preset opened (it used 0.06 s of CPU in
2–3 s) and stalled for up to two seconds. In a decoder process those threads compete among themselves; each
picture costs the client one wake-up (a short message) and no copy: the wall paints the picture where the decoder
wrote it, in shared memory. A decoder that crashes (FFmpeg on a broken stream) takes the pictures with it, not the
client: the readers see their streams end, reconnect, and a new decoder process starts.

Two sides:

- :class:`DecodeHost` (the client): starts the decoder process when the first stream opens (or earlier:
  :meth:`DecodeHost.start_soon`), restarts it when it died, opens streams in it (:meth:`DecodeHost.open`) and
  ends it (:meth:`DecodeHost.close`). It never blocks the GUI thread: streams are opened on reader threads.
- :func:`serve` (the decoder process, ``commandwall decode-host``): accepts one connection per stream, opens the
  stream with :func:`commandwall.video.capture.open_capture` on a thread of its own, and sends each picture.

One stream, one connection (``multiprocessing.connection``: a Unix socket, a named pipe on Windows; a random key
authenticates the client). The client sends ``open`` with the stream's URL and options; the decoder answers
``opened`` (codec, transport, frame rate) or ``failed`` (the reason); then a ``frame`` message per picture, and
``end`` when the stream ended, or ``broken`` with the reason when it failed (a reset by the camera, a timeout). The
picture itself is written into a :class:`Ring` of :data:`RING_SLOTS` slots in a shared-memory file the decoder
creates (and announces in the frame message whenever it needs a larger one), which the client maps and hands out in
place; a slot goes back to the decoder once no frame refers to it. A decoder with no slot to write does not convert
the picture (it still decodes it: later pictures refer to it), as the in-process reader does for a wall that has not
taken the last one. The client asks for another display box, for key frames only (降帧) and for a full-resolution
picture (a snapshot) on the same connection; closing it closes the stream in the decoder. The decoder process ends
when the client's end of its standard input closes (the client ended, however it ended).
"""

from __future__ import annotations

import contextlib
import logging
import math
import mmap
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Connection, Listener, answer_challenge, deliver_challenge
from pathlib import Path

import cv2
import numpy as np

from commandwall.video.capture import (
    FFmpegError,
    Picture,
    PyAvCapture,
    error_text,
    full_image,
    open_capture,
    sane_sar,
)
from commandwall.video.live_edge import LiveEdge
from commandwall.video.x11present import WindowPresenter, X11Error

log = logging.getLogger(__name__)

#: pictures the ring holds per stream: the one a tile shows, the newest one waiting for the wall, and two the
#: decoder can write meanwhile
RING_SLOTS = 4
#: a slot's state, in the ring's header: the decoder may write it, or it holds a picture the client has (the
#: decoder sets FULL, the client FREE: each side makes one of the two changes, so neither needs a lock)
FREE, FULL = 0, 1
#: bytes of the header: per slot the picture's number and the state (int64 each), rounded up to a cache line
HEADER_BYTES = 64 * ((RING_SLOTS * 16 + 63) // 64)
#: how long the decoder process may take to start and say where it listens (imports FFmpeg, NumPy, OpenCV)
START_TIMEOUT_S = 20.0
#: while a stream's pictures are put into a window by the decoder (直显), how often the client hears of them: the
#: pictures put since the last message (their times: fps, latency, staleness) and the newest one in the ring (for
#: the tile's own painting when it stops presenting, the snapshot's name and the drag picture)
PRESENTED_EVERY_S = 0.5


def shared_memory_dir() -> str:
    """Where the decoder makes its shared-memory files: RAM (``/dev/shm``) where there is such a folder."""
    return "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()


def ring_prefix(pid: int) -> str:
    """How the names of the ring files decoder process ``pid`` makes begin."""
    return f"commandwall-{pid}-"


def remove_rings_of(pid: int) -> int:
    """Remove the ring files of decoder process ``pid``, which has ended or is ending, and say how many there were.

    The client removes a ring's file as soon as it maps it, so a file is left only when one side was killed between
    the decoder making it and the client mapping it (or the client went before it mapped one): nobody can map it
    any more, and it would hold its RAM in ``/dev/shm`` until the machine restarts.
    """
    folder = shared_memory_dir()
    prefix = ring_prefix(pid)
    removed = 0
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            if name.startswith(prefix):
                unlink_quietly(os.path.join(folder, name))
                removed += 1
    if removed:
        log.info("removed %d ring file(s) decoder process %d left", removed, pid)
    return removed


class Ring:
    """The shared-memory ring of one stream's pictures: written by the decoder, shown by the client in place.

    ``create`` (decoder) makes a file of :data:`RING_SLOTS` slots of ``slot_bytes`` each after a small header and
    maps it; ``attach`` (client) maps an existing one by path and removes the file at once (the mapping stays while
    either side uses it, and nothing is left behind if either side is killed later).

    The client does not copy a picture out: :meth:`view` hands out the slot itself as a read-only array, which the
    wall wraps and paints. So the decoder writes only slots the client has handed back: a slot is FULL from
    :meth:`write` (decoder) until :meth:`release` (client, once no frame refers to it any more), and a decoder
    with no FREE slot skips the picture — the wall has not taken the ones before it yet.
    """

    def __init__(self, path: str, slot_bytes: int, mapping: mmap.mmap) -> None:
        self.path = path
        self.slot_bytes = slot_bytes
        self._map = mapping
        self._header = np.ndarray((RING_SLOTS, 2), np.int64, mapping, 0)  # (number, state) per slot

    @staticmethod
    def size(slot_bytes: int) -> int:
        """Bytes of a ring of ``slot_bytes`` slots."""
        return HEADER_BYTES + RING_SLOTS * slot_bytes

    @classmethod
    def create(cls, slot_bytes: int) -> Ring:
        """A new ring file in :func:`shared_memory_dir`, every slot FREE (decoder side)."""
        path = os.path.join(shared_memory_dir(), ring_prefix(os.getpid()) + uuid.uuid4().hex)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.ftruncate(fd, cls.size(slot_bytes))  # a new file reads as zeros: every slot FREE
            mapping = mmap.mmap(fd, cls.size(slot_bytes))
        finally:
            os.close(fd)
        return cls(path, slot_bytes, mapping)

    @classmethod
    def attach(cls, path: str, slot_bytes: int) -> Ring:
        """Map the ring the decoder announced and remove its file (client side)."""
        fd = os.open(path, os.O_RDWR)
        try:
            mapping = mmap.mmap(fd, cls.size(slot_bytes))
        finally:
            os.close(fd)
        unlink_quietly(path)
        return cls(path, slot_bytes, mapping)

    def free_slot(self, after: int) -> int | None:
        """The first FREE slot after ``after`` (round the ring), or None when the client holds them all."""
        for step in range(1, RING_SLOTS + 1):
            slot = (after + step) % RING_SLOTS
            if self._header[slot, 1] == FREE:
                return slot
        return None

    def slot_array(self, slot: int, shape: tuple[int, ...]) -> np.ndarray:
        """A FREE ``slot`` as a writable array of ``shape`` to write the next picture into (decoder side)."""
        if math.prod(shape) > self.slot_bytes:
            raise ValueError(f"a picture of {shape} does not fit a slot of {self.slot_bytes} bytes")
        return np.ndarray(shape, np.uint8, self._map, HEADER_BYTES + slot * self.slot_bytes)

    def commit(self, slot: int, number: int) -> None:
        """Hand the picture written into ``slot`` to the client as picture ``number`` (decoder side)."""
        self._header[slot, 0] = number
        self._header[slot, 1] = FULL

    def write(self, slot: int, number: int, image: np.ndarray) -> None:
        """Put picture ``number`` into a FREE ``slot`` and hand it to the client (decoder side)."""
        self.slot_array(slot, image.shape)[:] = image
        self.commit(slot, number)

    def view(self, slot: int, number: int, shape: tuple[int, ...]) -> np.ndarray | None:
        """Picture ``number`` in ``slot`` as a read-only array of ``shape`` over the ring itself; None if the slot
        does not hold it (client side)."""
        if not 0 <= slot < RING_SLOTS or math.prod(shape) > self.slot_bytes:
            return None
        if self._header[slot, 1] != FULL or self._header[slot, 0] != number:
            return None
        image = np.ndarray(shape, np.uint8, self._map, HEADER_BYTES + slot * self.slot_bytes)
        image.flags.writeable = False
        return image

    def release(self, slot: int) -> None:
        """Give ``slot`` back to the decoder (client side: nothing refers to its picture any more)."""
        self._header[slot, 1] = FREE


def unlink_quietly(path: str) -> None:
    """Remove ``path`` if it is still there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:  # pragma: no cover - a shared-memory folder we cannot write to
        log.debug("could not remove %s: %s", path, exc)


# ---- the client's side ---------------------------------------------------------------------------------------


class StreamBrokenError(OSError):
    """The stream failed in the decoder process (a reset by the camera, a read timeout, bad data); the message is
    the decoder's, e.g. ``ConnectionResetError: [Errno 104] Connection reset by peer``."""


class RemoteFullImage:
    """What a picture from the decoder keeps to give its full-resolution version for a snapshot: asking the
    decoder for the newest decoded picture at the stream's resolution (see :meth:`RemoteCapture.full_image`)."""

    __slots__ = ("_capture",)

    def __init__(self, capture: RemoteCapture) -> None:
        self._capture = capture

    def full_image(self) -> np.ndarray | None:
        """The newest picture at the stream's resolution (BGR), or None when the stream closed or did not answer."""
        return self._capture.full_image()


class RemoteCapture:
    """A stream open in the decoder process, read on the reader thread like a local capture (see
    :class:`commandwall.video.capture.Capture`): :meth:`read_picture` waits for the next picture.

    The counters a reader asks of a capture (``bytes_read``, ``received_at``, ``camera_time``, ``live_edge``,
    ``reduced_rate``) come with each picture. Pictures that queued up while this thread waited are skipped to the
    newest (counted in :attr:`skipped`). A paced stream (HLS, a file) is paced in the decoder: ``due_at`` stays
    None here.
    """

    FULL_IMAGE_TIMEOUT_S = 3.0

    def __init__(self, conn: Connection, opened: dict, read_timeout_s: float,
                 should_stop: Callable[[], bool] = lambda: False) -> None:  # fmt: skip
        self._conn = conn
        self._should_stop = should_stop
        # one poll object for the connection's life: Connection.poll builds a selector on every call
        self._poller = select.poll() if hasattr(select, "poll") else None
        if self._poller is not None:
            self._poller.register(conn.fileno(), select.POLLIN)
        self._send_lock = threading.Lock()  # the reader thread and a snapshot's thread both send
        self._read_timeout_s = read_timeout_s
        self.codec: str = opened.get("codec", "")
        self.transport: str = opened.get("transport", "")
        self.frame_rate: float | None = opened.get("frame_rate")
        self.live_edge: LiveEdge | None = LiveEdge() if opened.get("live_edge") else None
        if opened.get("measures_bytes"):
            self.bytes_read = 0
        self.received_at: float | None = None
        self.camera_time: float | None = None
        self.due_at: float | None = None
        self.reduced_rate = False
        self.skipped = 0  # pictures decoded and sent but never handed out (a newer one came with them, or none fit)
        self._ring: Ring | None = None
        self._views: list[np.ndarray | None] = [None] * RING_SLOTS  # the picture handed out from each slot
        self._box: tuple[int, int] | bool | None = False  # False: none sent yet
        self._key_frames_only: bool = bool(opened.get("key_frames_only"))
        self._full_lock = threading.Lock()
        self._full_wanted: threading.Event | None = None
        self._full_image: np.ndarray | None = None
        self._closed = False
        self._ended = False  # the decoder said the stream ended
        #: 直显: called on the reader thread with the pictures the decoder put into the window since it last said
        #: (see ``_StreamServer._presented``), and with why it stopped putting them, whether that lasts (the display
        #: cannot be used, rather than this window went) and which window it was
        self.on_presented: Callable[[list], None] | None = None
        self.on_present_failed: Callable[[str, bool, int | None], None] | None = None
        #: the picture read last is one the decoder put into the window (told with on_presented already)
        self.presented_picture = False

    def _send(self, message: tuple) -> bool:
        """Send ``message`` to the decoder; False when it could not be (the decoder closed the stream: it said why
        in a message still to read, which the reader thread reads instead of losing it in a broken pipe)."""
        with self._send_lock:
            if self._closed:
                return False
            try:
                self._conn.send(message)
            except OSError:
                return False
            return True

    def set_key_frames_only(self, on: bool) -> None:
        """降帧 on or off, applied by the decoder from its next picture."""
        if bool(on) != self._key_frames_only:
            self._key_frames_only = bool(on)
            self._send(("key_frames_only", self._key_frames_only))

    def set_presentation(self, target: dict | None) -> None:
        """直显: have the decoder put the pictures into ``target``'s window (``display``: the X display's name,
        ``window``: the window's XID, ``size``: its width and height in device pixels) from the next picture on,
        and send only one in :data:`PRESENTED_EVERY_S` here; None: send them all here again. Any thread."""
        self._send(("present", target))

    def expose(self) -> None:
        """The presentation window was uncovered: the decoder puts the last picture into it again. Any thread."""
        self._send(("expose",))

    def read_picture(self, box: tuple[int, int] | None, convert: Callable[[], bool] | None = None) -> Picture | None:
        """The next picture, scaled by the decoder to fit ``box`` (BGRX) or at the stream's resolution (BGR);
        None when the stream ended, failed or sent nothing for the read timeout. ``convert`` is asked for each
        picture: False hands its slot straight back (the decoder has converted it already) and waits for the
        next."""
        if box != self._box:
            self._send(("box", box))  # not sent: the stream ended, and why is read below
            self._box = box
        while True:
            meta = self._next_frame()
            if meta is None:
                return None
            # a picture put into the window is counted as shown already: it is taken whatever the wall holds
            if convert is not None and not meta.get("was_presented") and not convert():
                if "ring" in meta:
                    self._attach(meta)
                self._hand_back(meta)
                continue
            picture = self._take(meta)
            if picture is not None:
                return picture

    def _next_frame(self) -> dict | None:
        """The newest of the frames that queued up (the older ones are skipped); None: the stream ended or sent
        nothing for the read timeout (plus a second: the decoder bounds its own reads by it)."""
        conn = self._conn
        frame: dict | None = None
        while True:
            if self._ended:
                return frame
            if frame is not None and not self._ready(0.0):
                return frame
            if frame is None and not self._wait():
                return None
            try:
                kind, *args = conn.recv()
            except EOFError:
                raise OSError("the decoder process closed the stream without a word (it ended or failed)") from None
            if kind == "frame":
                presented = args[0].pop("presented", None)
                if presented:
                    self._presented(presented)
                    args[0]["was_presented"] = True
                if frame is not None:
                    if not frame.get("was_presented"):  # one put into the window was shown: not dropped
                        self.skipped += 1
                    if "ring" in frame and "ring" not in args[0]:  # a skipped picture announced the ring
                        self._attach(frame)
                    elif "ring" in frame:  # a ring replaced before it was used: never mapped here
                        unlink_quietly(frame.pop("ring"))
                    self._hand_back(frame)
                frame = args[0]
            elif kind == "dropped":  # the decoder had no free slot: the wall may have let some go since
                self.skipped += 1
                self._reclaim()
            elif kind == "presented":  # pictures put into the window, none sent with them (no free slot)
                self._presented(args[0])
                self._reclaim()  # as for "dropped": the wall may have let some go since
            elif kind == "present_failed":
                if self.on_present_failed is not None:
                    self.on_present_failed(str(args[0]), bool(args[1]), args[2])
            elif kind == "end":
                self._ended = True
            elif kind == "broken":  # the stream failed in the decoder (the camera's side): its own words
                raise StreamBrokenError(args[0])
            elif kind == "error":
                raise OSError(f"decoder: {args[0]}")
            elif kind == "full":
                with self._full_lock:
                    self._full_image = args[0]
                    if self._full_wanted is not None:
                        self._full_wanted.set()

    def _presented(self, items: list) -> None:
        if self.on_presented is not None:
            self.on_presented(items)

    def _ready(self, timeout_s: float) -> bool:
        """Whether a message is there to read, waiting at most ``timeout_s``."""
        if self._poller is None:
            return self._conn.poll(timeout_s)
        return bool(self._poller.poll(timeout_s * 1000))

    def _wait(self) -> bool:
        """Wait for the next message: False when none came within the read timeout (plus a second: the decoder
        bounds its own reads by it) or the reader is stopping (asked every quarter second)."""
        deadline = time.monotonic() + self._read_timeout_s + 1.0
        while not self._ready(0.25):
            if self._should_stop() or time.monotonic() >= deadline:
                return False
        return True

    def _attach(self, meta: dict) -> None:
        """Map the new ring a picture announced (the decoder no longer writes the old one; the pictures on screen
        from it keep it mapped until they go)."""
        self._ring = Ring.attach(meta.pop("ring"), meta["slot_bytes"])
        self._views = [None] * RING_SLOTS

    def _hand_back(self, meta: dict) -> None:
        """A picture that is not taken: its slot goes straight back to the decoder."""
        if self._ring is not None and self._ring.view(meta["slot"], meta["number"], meta["shape"]) is not None:
            self._ring.release(meta["slot"])

    def _reclaim(self) -> None:
        """Give the decoder back each slot whose picture nobody holds any more (no frame, tile or view of it)."""
        ring, views = self._ring, self._views
        if ring is None:
            return
        for slot in range(RING_SLOTS):
            # two references left, the list's and getrefcount's argument: nobody else holds the picture
            if views[slot] is not None and sys.getrefcount(views[slot]) <= 2:
                views[slot] = None
                ring.release(slot)

    def _take(self, meta: dict) -> Picture | None:
        """The announced picture, in place in the ring, with its counters noted; None if the slot does not hold
        it."""
        if "ring" in meta:
            self._attach(meta)
        if self._ring is None:
            raise OSError("decoder sent a picture before its ring")
        self._reclaim()
        image = self._ring.view(meta["slot"], meta["number"], meta["shape"])
        if image is None:
            self.skipped += 1
            return None
        self._views[meta["slot"]] = image
        if "bytes_read" in meta and hasattr(self, "bytes_read"):
            self.bytes_read = meta["bytes_read"]
        self.received_at = meta.get("received_at")
        self.camera_time = meta.get("camera_time")
        self.presented_picture = bool(meta.get("was_presented"))
        self.reduced_rate = bool(meta.get("reduced_rate"))
        edge = self.live_edge
        if edge is not None:
            edge.behind_s = meta.get("behind_s", 0.0)
            edge.catch_ups = meta.get("catch_ups", 0)
            edge.sender_speed = meta.get("sender_speed")
        scaled = image.ndim == 3 and image.shape[2] == 4
        return Picture(image, tuple(meta["source_size"]), RemoteFullImage(self) if scaled else None,
                       sane_sar(meta.get("sar")))

    def full_image(self) -> np.ndarray | None:
        """Ask the decoder for the newest picture at the stream's resolution and wait for it (the reader thread
        receives it among the frames); None when the stream closed or the answer did not come in time."""
        wanted = threading.Event()
        with self._full_lock:
            self._full_wanted, self._full_image = wanted, None
        if not self._send(("full",)):
            return None
        if not wanted.wait(self.FULL_IMAGE_TIMEOUT_S):
            return None
        with self._full_lock:
            self._full_wanted = None
            return self._full_image

    def close(self) -> None:
        """Close the stream in the decoder (it closes when the connection does) and unmap the ring."""
        with self._send_lock:
            self._closed = True
            with contextlib.suppress(OSError):
                self._conn.close()
        self._ring, self._views = None, [None] * RING_SLOTS  # unmapped when the last picture from it goes
        with self._full_lock:
            if self._full_wanted is not None:
                self._full_wanted.set()


def decoder_command() -> list[str]:
    """How to run the decoder process: this executable's ``decode-host`` command."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "decode-host"]
    return [sys.executable, "-m", "commandwall", "decode-host"]


class DecodeHost:
    """The client's handle on the decoder process (see the module's docstring). Thread-safe.

    The process starts at the first :meth:`open` (or :meth:`start_soon`) and again after it died or was closed.
    If it cannot be started at all (its executable missing, it never says where it listens), that is logged
    once, :attr:`broken` says why and :meth:`open` raises ``OSError`` with it: a :class:`StreamReader` then
    decodes on its own thread instead, so the wall plays either way.
    """

    def __init__(self, command: list[str] | None = None) -> None:
        self._command = command or decoder_command()
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._address: str | None = None
        self._authkey = b""
        self.starts = 0  # processes started (a restart after a crash counts)
        #: why the decoder process cannot start here ("" while it can): the readers then decode themselves
        self.broken = ""

    @property
    def pid(self) -> int | None:
        """The running decoder process's id, or None."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def start_soon(self) -> None:
        """Start the decoder process on a thread of its own, so that the first stream does not wait for it."""
        threading.Thread(target=self._start_quietly, name="cw-decoder-start", daemon=True).start()

    def start(self) -> None:
        """Start the decoder process now unless it runs (blocks until it listens); OSError when it cannot start."""
        self._ensure()

    def _start_quietly(self) -> None:
        try:
            self._ensure()
        except OSError as exc:
            log.warning("decoder process did not start: %s", exc)

    def _ensure(self) -> tuple[str, bytes]:
        """The running process's address and key, starting it first when there is none."""
        with self._lock:
            proc = self._proc
            if proc is not None and proc.poll() is None and self._address is not None:
                return self._address, self._authkey
            if self.broken:
                raise OSError(self.broken)
            if proc is not None:
                log.warning("decoder process %d ended (exit code %s); starting a new one", proc.pid, proc.returncode)
                self._reap(proc)
            try:
                self._start_locked()
            except OSError as exc:  # it cannot start at all here: the streams decode in the client instead
                self.broken = f"decoder process cannot start: {exc}"
                log.error("%s; the wall decodes on threads of this process instead", self.broken)
                raise OSError(self.broken) from exc
            assert self._address is not None
            return self._address, self._authkey

    def _start_locked(self) -> None:
        authkey = os.urandom(32)
        env = dict(os.environ)
        if not getattr(sys, "frozen", False):  # the package this client runs from, wherever the caller stands
            root = str(Path(__file__).resolve().parents[2])
            env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        started = time.monotonic()
        proc = subprocess.Popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                close_fds=True)  # fmt: skip
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(authkey.hex().encode() + b"\n")
            proc.stdin.flush()
            line = _readline_within(proc, START_TIMEOUT_S)
        except OSError:
            self._reap(proc)
            raise
        if not line.startswith(b"listening "):
            self._reap(proc)
            raise OSError(f"decoder process did not start (exit code {proc.poll()})")
        self._proc, self._address, self._authkey = proc, line[len(b"listening ") :].decode().strip(), authkey
        self.starts += 1
        log.info("decoder process %d started in %.2f s", proc.pid, time.monotonic() - started)

    @staticmethod
    def _reap(proc: subprocess.Popen[bytes], timeout_s: float = 2.0) -> None:
        """Close the process's standard input (which ends it) and output, wait at most ``timeout_s``, then kill."""
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            log.warning("decoder process %d did not end in %.1f s: killed", proc.pid, timeout_s)
            proc.kill()
            proc.wait(5)
        remove_rings_of(proc.pid)  # what a crash left: the process is gone, so nothing else can remove them

    def open(self, url: str, *, decoder: str, open_timeout_s: float, read_timeout_s: float,
             rtsp_transport: str = "tcp", key_frames_only: bool = False, hold_join: bool = False,
             should_stop: Callable[[], bool] = lambda: False) -> RemoteCapture:  # fmt: skip
        """Open ``url`` in the decoder process and return it once it is open; ``OSError`` with the reason when it
        does not open (or the decoder cannot be reached). Blocks: call it on the reader's thread. ``should_stop``
        is asked while waiting for pictures: True ends the wait (the reader is stopping)."""
        address, authkey = self._ensure()
        try:
            conn = Client(address, authkey=authkey)
        except (OSError, EOFError, AuthenticationError) as exc:
            raise OSError(f"decoder process unreachable: {exc}") from exc
        try:
            conn.send(("open", {"url": url, "decoder": decoder, "open_timeout_s": open_timeout_s,
                                "read_timeout_s": read_timeout_s, "rtsp_transport": rtsp_transport,
                                "key_frames_only": key_frames_only, "hold_join": hold_join}))  # fmt: skip
            # the decoder bounds the open itself; the margin covers a decoder busy with other streams
            deadline = time.monotonic() + max(open_timeout_s, read_timeout_s) + 5.0
            while not conn.poll(0.25):
                if should_stop():
                    raise OSError("stopped while opening")
                if time.monotonic() >= deadline:
                    raise OSError("decoder process did not answer the open")
            answer = conn.recv()
        except (OSError, EOFError) as exc:
            conn.close()
            raise OSError(f"decoder process: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        if answer[0] != "opened":
            conn.close()
            raise OSError(answer[1])
        return RemoteCapture(conn, answer[1], read_timeout_s, should_stop)

    def close(self, timeout_s: float = 3.0) -> None:
        """End the decoder process (its streams end with it) and wait at most ``timeout_s`` before killing it. A
        later :meth:`open` starts a new one."""
        with self._lock:
            proc, self._proc, self._address = self._proc, None, None
        if proc is not None:
            self._reap(proc, timeout_s)

    def kill(self) -> None:
        """Kill the decoder process at once, as a crash would (tests; the next open starts a new one)."""
        proc = self._proc
        if proc is not None:
            proc.kill()
            proc.wait(5)


def _readline_within(proc: subprocess.Popen[bytes], timeout_s: float) -> bytes:
    """The first line the process writes, or b"" if it wrote none within ``timeout_s`` (then it is killed)."""
    assert proc.stdout is not None
    result: list[bytes] = []
    reader = threading.Thread(target=lambda: result.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout_s)
    if reader.is_alive():
        proc.kill()
        reader.join(5)
    return result[0] if result else b""


# ---- the decoder process ---------------------------------------------------------------------------------------


def serve() -> int:
    """The decoder process (``commandwall decode-host``): read the key from standard input, listen, say where on
    standard output, then serve streams until standard input closes."""
    authkey = bytes.fromhex(sys.stdin.readline().strip())
    # at the client's priority, not lower as the reader threads in the client are: niced by 5, the decoder fell
    # 0.5–0.9 s behind its streams (p50) at 16 tiles on a saturated desk while the window painted every picture
    # it had; at the same priority the wall's latency stayed at 16–38 ms p50 (bench_wall, alternating runs)
    # no key here: each connection is authenticated on its own thread (_serve_stream), so that 36 streams opening
    # at once do not queue behind one another's handshake, and a client with a wrong key ends only its thread
    listener = Listener()
    try:
        sys.stdout.write(f"listening {listener.address}\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the client went while the decoder started: nobody to serve
        listener.close()
        return 0
    threading.Thread(target=_exit_when_parent_goes, args=(listener,), name="cw-decoder-parent", daemon=True).start()
    while True:
        try:
            conn = listener.accept()
        except OSError as exc:  # pragma: no cover - the socket itself failed: the client's opens fail and say so
            log.warning("decoder: accept failed: %s", exc)
            time.sleep(0.1)
            continue
        threading.Thread(target=_serve_stream, args=(conn, authkey), name="cw-decoder-stream", daemon=True).start()


#: held while a stream makes its ring, and for good once the process ends (so none is made after the clean-up)
_RINGS_MADE = threading.Lock()


def _exit_when_parent_goes(listener: Listener) -> None:
    """Standard input closes when the client closes it or ends: the decoder ends too, streams and all."""
    while sys.stdin.buffer.read(4096):
        pass
    try:
        listener.close()  # removes the socket file
        _RINGS_MADE.acquire(timeout=2.0)  # no stream makes a ring from here on
        remove_rings_of(os.getpid())  # rings the client never mapped (it went first): the streams end here too
    finally:
        os._exit(0)


class _StreamServer:
    """One stream in the decoder process: open, then decode and send each picture until the client closes."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.box: tuple[int, int] | None = None
        self.key_frames_only = False
        self.ring: Ring | None = None
        self.announced = False
        self.number = 0
        self.slot = -1  # the slot written last
        #: the slot the capture was given to write the next picture into, and the array over it
        self._target: tuple[int, np.ndarray] | None = None
        self._new_ring = False  # a ring made since the last picture sent: the next frame message announces it
        #: rings announced to the client and replaced since (by a larger one): their files stay until the client
        #: maps them (and removes the file) or skips them (and removes it), or the stream ends
        self._replaced: list[str] = []
        self.last: Picture | None = None
        #: 直显: the window the pictures are put into (None: they go to the client), and what puts them
        self.present_to: dict | None = None
        self.presenter: WindowPresenter | None = None
        #: per picture put since the client last heard: (monotonic time, Unix time, received_at, camera_time)
        self._presented: list[tuple[float, float, float | None, float | None]] = []
        self._presented_told_at = 0.0
        self._poller = select.poll() if hasattr(select, "poll") else None
        if self._poller is not None:
            self._poller.register(conn.fileno(), select.POLLIN)

    def _asked(self) -> bool:
        """Whether the client sent something (Connection.poll would build a selector for every picture)."""
        if self._poller is None:
            return self.conn.poll(0)
        return bool(self._poller.poll(0))

    def run(self) -> None:
        """Open the stream the client asks for, answer, and play it until it ends or the client closes."""
        kind, request = self.conn.recv()
        if kind != "open":
            return
        self.key_frames_only = bool(request.get("key_frames_only"))
        try:
            cap = open_capture(request["url"], request["decoder"], request["open_timeout_s"],
                               request["read_timeout_s"], rtsp_transport=request["rtsp_transport"],
                               key_frames_only=self.key_frames_only,
                               hold_join=bool(request.get("hold_join")))  # fmt: skip
        except Exception as exc:
            self.conn.send(("failed", f"open failed: {error_text(exc)}"))
            return
        if cap is None:
            self.conn.send(("failed", "open failed"))
            return
        try:
            opened = {
                "codec": str(getattr(cap, "codec", "") or ""),
                "transport": str(getattr(cap, "transport", "") or ""),
                "frame_rate": getattr(cap, "frame_rate", None),
                "live_edge": getattr(cap, "live_edge", None) is not None,
                "measures_bytes": isinstance(cap, PyAvCapture),
                "key_frames_only": self.key_frames_only,
            }
            self.conn.send(("opened", opened))
            self._play(cap)
        finally:
            cap.close()
            if self.presenter is not None:
                self.presenter.close()
                self.presenter = None
            for path in [*self._replaced, *([self.ring.path] if self.ring is not None else [])]:
                unlink_quietly(path)

    def _commands(self) -> None:
        """Apply what the client asked since the last picture."""
        conn = self.conn
        while self._asked():
            kind, *args = conn.recv()
            if kind == "box":
                self.box = args[0]
            elif kind == "key_frames_only":
                self.key_frames_only = bool(args[0])
            elif kind == "full":
                last = self.last
                conn.send(("full", full_image(last.image, last.source) if last is not None else None))
            elif kind == "present":
                self._present_to(args[0])
            elif kind == "expose" and self.present_to is not None and self.presenter is not None:
                try:
                    self.presenter.expose()
                except X11Error as exc:
                    self._stop_presenting(f"window gone: {exc}", lasting=False)

    def _present_to(self, target: dict | None) -> None:
        """Put the pictures into ``target``'s window from the next one on (``display``, ``window``: its XID,
        ``size``: its device pixels), or send them to the client again (None). A display that cannot be used (no
        X, no MIT-SHM, shared memory the server cannot reach) is said once, as lasting: the client stops asking."""
        if target is None:
            if self.present_to is not None:
                self._tell_presented()
            self.present_to = None
            return
        try:
            window, size = int(target["window"]), (int(target["size"][0]), int(target["size"][1]))
            if self.presenter is None:
                self.presenter = WindowPresenter.connect(str(target["display"]))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            self.conn.send(("present_failed", f"bad presentation target: {exc}", True, None))
            return
        except X11Error as exc:
            self.conn.send(("present_failed", str(exc), True, window))
            return
        try:
            self.presenter.target(window, size)
        except X11Error as exc:  # a window that never came (the tile went at once): the pictures go to the client
            self.present_to = None
            self.conn.send(("present_failed", str(exc), False, window))
            return
        log.debug("decoder: putting the pictures into window %#x (%d×%d)", window, *size)
        self.present_to = target
        self._presented_told_at = 0.0  # the first picture put is told at once: the client knows it works

    def _stop_presenting(self, reason: str, *, lasting: bool) -> None:
        """Stop putting pictures into the window (it went, or the display failed) and tell the client why and
        which window it was (the client may have given another since)."""
        self._tell_presented()
        window = self.presenter.window if self.presenter is not None else None
        self.present_to = None
        if lasting and self.presenter is not None:
            self.presenter.close()
            self.presenter = None
        self.conn.send(("present_failed", reason, lasting, window))

    def _tell_presented(self) -> None:
        """Tell the client of the pictures put since it last heard (no picture with them)."""
        if self._presented:
            self.conn.send(("presented", self._presented))
            self._presented = []
            self._presented_told_at = time.monotonic()

    def _present(self, cap: object, picture: Picture) -> bool:
        """Put ``picture`` (scaled into the presenter's shared memory) into the window; True when that is all,
        False when the client is to hear of it now, the picture copied into the ring (every
        :data:`PRESENTED_EVERY_S`, or the window failed: the picture goes to the client instead)."""
        presenter = self.presenter
        assert presenter is not None
        try:
            presenter.put()
        except X11Error as exc:
            self._stop_presenting(f"window gone: {exc}", lasting=False)
            return False
        now = time.monotonic()
        self._presented.append((now, time.time(), getattr(cap, "received_at", None), getattr(cap, "camera_time", None)))
        # a decoded frame to make a snapshot from; the scaled picture itself lives in memory the presenter frees
        self.last = picture if picture.source is not None else None
        return now - self._presented_told_at < PRESENTED_EVERY_S

    def _play(self, cap: object) -> None:
        setter = getattr(cap, "set_key_frames_only", None)
        while True:
            self._commands()
            if setter is not None:
                setter(self.key_frames_only)
            self._target = None
            try:
                picture = cap.read_picture(self.box, self._room, self._destination)  # type: ignore[attr-defined]
            except (OSError, FFmpegError, cv2.error) as exc:  # the camera's side (a reset, a timeout, bad data):
                self.conn.send(("broken", error_text(exc)))  # said as such, not "decoder ended"
                return
            if picture is None:
                self.conn.send(("end",))
                return
            due = getattr(cap, "due_at", None)
            if due is not None and due > time.monotonic():  # a paced stream: the picture waits until it is due
                time.sleep(min(1.0, due - time.monotonic()))
            self._send(cap, picture)

    def _room(self) -> bool:
        """Whether the picture just decoded has a slot to go to (or a window); if not, it is not converted (the
        client is told, so that it hands back what the wall let go)."""
        if self.present_to is not None or self.ring is None or self.ring.free_slot(self.slot) is not None:
            return True
        self.conn.send(("dropped",))
        return False

    def _ring_for(self, nbytes: int) -> Ring:
        """The stream's ring, made (again) when there is none yet or its slots are smaller than ``nbytes``."""
        if self.ring is None or nbytes > self.ring.slot_bytes:
            if self.ring is not None and self._new_ring:
                unlink_quietly(self.ring.path)  # never announced: nobody else knows it
            elif self.ring is not None:
                # announced, maybe not read yet: the client's frame message still names it (removing it here made
                # the client's map fail when a stream's pictures grew before it had read the first of them)
                self._replaced.append(self.ring.path)
            with _RINGS_MADE:
                self.ring = Ring.create(nbytes)
            self.slot = -1
            self._new_ring = True
        return self.ring

    def _destination(self, shape: tuple[int, int, int]) -> np.ndarray | None:
        """Where the capture writes the next scaled picture: the presenter's shared memory while presenting, else a
        free slot of the ring, written in place (no copy after the conversion); None when the client holds every
        slot."""
        if self.present_to is not None and self.presenter is not None:
            try:
                self._target = (-1, self.presenter.buffer(shape))
                return self._target[1]
            except X11Error as exc:  # the server no longer attaches this process's memory: to the client
                self._stop_presenting(str(exc), lasting=True)
        ring = self._ring_for(math.prod(shape))
        slot = ring.free_slot(self.slot)
        if slot is None:
            return None
        self._target = (slot, ring.slot_array(slot, shape))
        return self._target[1]

    def _send(self, cap: object, picture: Picture) -> None:
        target, self._target = self._target, None
        if target is not None and target[0] < 0 and picture.image is target[1] and self.present_to is not None:
            if self._present(cap, picture):
                return  # put into the window; the client hears of it with the next message
            target = None
        if target is not None and target[0] >= 0 and picture.image is target[1]:
            slot = target[0]  # the capture wrote the picture into this (free) slot
        else:  # a picture at full size, from a capture that made its own array or put into a window: copied
            image = np.ascontiguousarray(picture.image)
            ring = self._ring_for(image.nbytes)
            slot = ring.free_slot(self.slot)
            if slot is None:  # a paced stream (converted without asking) whose wall holds every slot
                if self._presented:
                    self._tell_presented()
                else:
                    self.conn.send(("dropped",))
                return
            ring.slot_array(slot, image.shape)[:] = image
        ring = self.ring
        assert ring is not None
        meta: dict = {}
        if self._new_ring:
            meta["ring"], meta["slot_bytes"] = ring.path, ring.slot_bytes
            self._new_ring = False
        self.number += 1
        self.slot = slot
        ring.commit(slot, self.number)
        image = picture.image
        if self.present_to is None:
            self.last = picture
        edge = getattr(cap, "live_edge", None)
        meta.update(slot=slot, number=self.number, shape=image.shape, source_size=picture.source_size,
                    sar=(picture.sar.numerator, picture.sar.denominator),
                    received_at=getattr(cap, "received_at", None), camera_time=getattr(cap, "camera_time", None),
                    reduced_rate=bool(getattr(cap, "reduced_rate", False)))  # fmt: skip
        if isinstance(cap, PyAvCapture):
            meta["bytes_read"] = cap.bytes_read  # type: ignore[attr-defined]
        if edge is not None:
            meta["behind_s"], meta["catch_ups"] = edge.behind_s, edge.catch_ups
            meta["sender_speed"] = edge.sender_speed
        if self._presented:
            meta["presented"], self._presented = self._presented, []
            self._presented_told_at = time.monotonic()
        self.conn.send(("frame", meta))


def _serve_stream(conn: Connection, authkey: bytes) -> None:
    """A stream's thread in the decoder process: the client proves it has the key (and learns that this process
    has it), then the stream plays; any failure ends that stream only (the client reconnects)."""
    try:
        deliver_challenge(conn, authkey)
        answer_challenge(conn, authkey)
    except (AuthenticationError, OSError, EOFError) as exc:
        log.warning("decoder: refused a connection: %s", exc)
        conn.close()
        return
    try:
        _StreamServer(conn).run()
    except (OSError, EOFError):  # the client closed the stream (or went away)
        pass
    except Exception as exc:
        with contextlib.suppress(OSError, EOFError):
            conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        conn.close()
