"""Simulated camera video: MJPEG over HTTP (``multipart/x-mixed-replace; boundary=frame``), and through
:mod:`commandwall.demo.media` the H.264/H.265 streams most exercise cameras send, as MPEG-TS, HTTP-FLV or HLS
(:func:`commandwall.demo.seed.stream_codec` says which camera sends what, :func:`~commandwall.demo.seed.
stream_protocol` which URL its record names).

Each frame is drawn with OpenCV on a numpy canvas — a gradient scene, shapes that move, the camera id,
the wall-clock time to the millisecond and a frame counter — so a frozen or stale picture is obvious.
Frames are rendered only while someone watches: the first viewer of a (camera, variant) creates its
``FrameSource``, the last one leaving drops it. Viewers of the same stream share one rendered frame per
tick of a common 12 fps clock.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from commandwall.demo.db import now
from commandwall.demo.media import ClipLibrary
from commandwall.demo.seed import stream_codec, stream_protocol
from commandwall.paths import exercise_clips_dir

FPS = 12
SIZES: dict[str, tuple[int, int]] = {"main": (1280, 720), "sub": (640, 360)}
BOUNDARY = "frame"
MIMETYPE = f"multipart/x-mixed-replace; boundary={BOUNDARY}"
JPEG_QUALITY = 75
#: Share of the width/height the PTZ can pan/tilt away from the centre.
PTZ_MARGIN = 0.1
PTZ_ACTIONS = ("left", "right", "up", "down", "zoom_in", "zoom_out", "stop")
_FONT = cv2.FONT_HERSHEY_SIMPLEX


@dataclass
class PtzState:
    """Where a PTZ camera points: pan/tilt in [-1, 1] (share of the margin), zoom 1–10."""

    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = 1.0

    def apply(self, action: str, speed: int) -> None:
        """Move by one command; ``speed`` 1–8."""
        step = 0.05 * speed
        if action == "left":
            self.pan = max(-1.0, self.pan - step)
        elif action == "right":
            self.pan = min(1.0, self.pan + step)
        elif action == "up":
            self.tilt = max(-1.0, self.tilt - step)
        elif action == "down":
            self.tilt = min(1.0, self.tilt + step)
        elif action == "zoom_in":
            self.zoom = min(10.0, self.zoom * (1 + step))
        elif action == "zoom_out":
            self.zoom = max(1.0, self.zoom / (1 + step))


def _scene(camera_id: str, width: int, height: int) -> np.ndarray:
    """The static background (larger than the frame by the PTZ margin): a coloured gradient and a grid."""
    mx, my = int(width * PTZ_MARGIN), int(height * PTZ_MARGIN)
    h, w = height + 2 * my, width + 2 * mx
    digest = hashlib.sha256(camera_id.encode()).digest()
    c0 = np.frombuffer(digest[0:3], dtype=np.uint8).astype(np.float32) * 0.6
    c1 = np.frombuffer(digest[3:6], dtype=np.uint8).astype(np.float32) * 0.6 + 40
    fy = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    fx = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :, None]
    img = (c0 * (1 - fy) + c1 * fy) * (0.75 + 0.25 * fx)
    img = np.clip(img, 0, 255).astype(np.uint8)
    step = max(40, width // 16)
    for x in range(0, w, step):
        cv2.line(img, (x, 0), (x, h - 1), (90, 90, 90), 1)
    for y in range(0, h, step):
        cv2.line(img, (0, y), (w - 1, y), (90, 90, 90), 1)
    return img


class FrameSource:
    """Renders and JPEG-encodes the frames of one (camera, variant); shared by its viewers."""

    def __init__(self, camera_id: str, variant: str, ptz: PtzState) -> None:
        self.camera_id = camera_id
        self.variant = variant
        self.width, self.height = SIZES[variant]
        self.ptz = ptz
        self.viewers = 0
        self.frames = 0
        self.render_s = 0.0
        self._scene = _scene(camera_id, self.width, self.height)
        self._lock = threading.Lock()
        self._tick = -1
        self._jpeg = b""

    def frame_for(self, tick: int) -> bytes:
        """The JPEG for a clock tick, rendered once per tick whoever asks first."""
        with self._lock:
            if tick != self._tick:
                start = time.perf_counter()
                self._jpeg = self._render(tick)
                self.render_s += time.perf_counter() - start
                self.frames += 1
                self._tick = tick
            return self._jpeg

    def _render(self, tick: int) -> bytes:
        w, h, s = self.width, self.height, self.width / 640
        mx, my = int(w * PTZ_MARGIN), int(h * PTZ_MARGIN)
        ox, oy = int(mx * (1 + self.ptz.pan)), int(my * (1 + self.ptz.tilt))
        img = self._scene[oy : oy + h, ox : ox + w].copy()
        t = tick / FPS
        # moving shapes: a bouncing ball, a "vehicle" crossing, a sweeping hand
        cx = int(w / 2 + w * 0.35 * np.sin(t * 0.9))
        cy = int(h / 2 + h * 0.3 * np.sin(t * 1.7))
        cv2.circle(img, (cx, cy), int(28 * s), (40, 200, 255), -1, cv2.LINE_AA)
        vx = int((t * 160 * s) % (w + 200 * s) - 100 * s)
        cv2.rectangle(
            img, (vx, int(h * 0.72)), (vx + int(90 * s), int(h * 0.72 + 40 * s)), (255, 255, 255), -1
        )
        centre = (int(w * 0.85), int(h * 0.25))
        hand = (int(centre[0] + 50 * s * np.sin(t * 2)), int(centre[1] - 50 * s * np.cos(t * 2)))
        cv2.circle(img, centre, int(55 * s), (230, 230, 230), max(1, int(2 * s)), cv2.LINE_AA)
        cv2.line(img, centre, hand, (0, 0, 255), max(2, int(3 * s)), cv2.LINE_AA)
        # text: camera, clock with ms, frame counter, PTZ
        clock = now().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        lines = [
            f"{self.camera_id}  {self.variant.upper()} {w}x{h}",
            clock,
            f"#{self.frames + 1:06d}  PTZ P{self.ptz.pan:+.2f} T{self.ptz.tilt:+.2f} Z{self.ptz.zoom:.1f}x",
        ]
        scale, thick, lh = 0.6 * s, max(1, int(1.5 * s)), int(24 * s)
        text_w = max(cv2.getTextSize(text, _FONT, scale, thick)[0][0] for text in lines)
        cv2.rectangle(img, (0, 0), (text_w + int(16 * s), int(lh * len(lines) + 10 * s)), (0, 0, 0), -1)
        for i, text in enumerate(lines):
            org = (int(8 * s), int(lh * (i + 1)))
            cv2.putText(img, text, org, _FONT, scale, (255, 255, 255), thick, cv2.LINE_AA)
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:  # pragma: no cover - imencode of a valid uint8 image does not fail
            raise RuntimeError("JPEG encoding failed")
        return buf.tobytes()


class StreamHub:
    """All simulated streams of the backend: viewers, shared frame sources, PTZ state, stop."""

    def __init__(self, camera_status: Callable[[str], str | None], stop: threading.Event) -> None:
        self._camera_status = camera_status
        self._stop = stop
        self._lock = threading.Lock()
        self._sources: dict[tuple[str, str], FrameSource] = {}
        self._ptz: dict[str, PtzState] = {}
        self.total_frames = 0
        self.total_render_s = 0.0
        self._clips: ClipLibrary | None = None
        self._opens: Counter[tuple[str, str]] = Counter()

    @property
    def clips(self) -> ClipLibrary:
        """The pre-encoded clips (loaded on first use; empty when ``make clips`` has not run)."""
        with self._lock:
            if self._clips is None:
                self._clips = ClipLibrary(exercise_clips_dir(), self._stop)
            return self._clips

    def codec(self, camera_id: str) -> str:
        """What the camera sends: ``h264``, ``hevc`` or ``mjpeg`` (also when its clip is missing)."""
        codec = stream_codec(camera_id)
        return codec if codec == "mjpeg" or self.clips.has(codec, "sub") else "mjpeg"

    def opens(self, camera_id: str, variant: str) -> int:
        """How many times a viewer asked for this camera's ``variant`` stream so far: MPEG-TS, HTTP-FLV or
        MJPEG (HLS is not counted: a player fetches its playlist again every second)."""
        with self._lock:
            return self._opens[(camera_id, variant)]

    def _count_open(self, camera_id: str, variant: str) -> None:
        with self._lock:
            self._opens[(camera_id, variant)] += 1

    def protocol(self, camera_id: str) -> str:
        """The extension of the stream URL the camera's record names (``ts``, ``flv``, ``m3u8`` or ``mjpg``;
        ``mjpg`` also when its clip is missing)."""
        return "mjpg" if self.codec(camera_id) == "mjpeg" else stream_protocol(camera_id)

    def live(self, camera_id: str, variant: str, container: str) -> Iterator[bytes]:
        """The camera's live H.264/H.265 stream as ``ts`` (MPEG-TS) or ``flv`` (HTTP-FLV)."""
        self._count_open(camera_id, variant)
        online = lambda: self.online(camera_id)  # noqa: E731
        return self.clips.live(camera_id, self.codec(camera_id), variant, online, container)

    def hls_playlist(self, camera_id: str, variant: str) -> str:
        """The camera's live HLS playlist (see :meth:`ClipLibrary.hls_playlist`)."""
        return self.clips.hls_playlist(camera_id, variant)

    def hls_segment(self, camera_id: str, variant: str, number: int) -> bytes | None:
        """One HLS segment, None when it is not (or no longer) available."""
        return self.clips.hls_segment(camera_id, self.codec(camera_id), variant, number)

    def ptz(self, camera_id: str, action: str, speed: int) -> PtzState:
        """Apply a PTZ command; the camera's picture shifts accordingly."""
        with self._lock:
            state = self._ptz.setdefault(camera_id, PtzState())
            state.apply(action, speed)
            return state

    def active(self) -> dict[tuple[str, str], int]:
        """(camera, variant) -> number of viewers, for streams being rendered now."""
        with self._lock:
            return {k: s.viewers for k, s in self._sources.items()}

    def _acquire(self, camera_id: str, variant: str) -> FrameSource:
        with self._lock:
            key = (camera_id, variant)
            source = self._sources.get(key)
            if source is None:
                ptz = self._ptz.setdefault(camera_id, PtzState())
                source = self._sources[key] = FrameSource(camera_id, variant, ptz)
            source.viewers += 1
            return source

    def _release(self, source: FrameSource) -> None:
        with self._lock:
            source.viewers -= 1
            if source.viewers <= 0:
                self._sources.pop((source.camera_id, source.variant), None)
                self.total_frames += source.frames
                self.total_render_s += source.render_s

    def online(self, camera_id: str) -> bool:
        """True if the camera is known and online."""
        return self._camera_status(camera_id) == "online"

    def mjpeg(self, camera_id: str, variant: str) -> Iterator[bytes]:
        """Multipart JPEG parts at ~12 fps until the camera goes offline, the server stops or the viewer
        leaves (the server then closes this generator)."""
        self._count_open(camera_id, variant)
        source = self._acquire(camera_id, variant)
        try:
            while not self._stop.is_set() and self.online(camera_id):
                tick = int(time.monotonic() * FPS)
                jpeg = source.frame_for(tick)
                head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                yield head.encode() + jpeg + b"\r\n"
                self._stop.wait(max(0.0, (tick + 1) / FPS - time.monotonic()))
            yield f"--{BOUNDARY}--\r\n".encode()
        finally:
            self._release(source)
