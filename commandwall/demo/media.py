"""Exercise H.264/H.265 streams: pre-encoded clips looped in real time as MPEG-TS or HTTP-FLV over HTTP, and as
HLS, no re-encoding.

``scripts/make_clips.py`` encodes, once at set-up, a 10 s loop per codec and variant into ``resources/clips``
(``h264-sub.ts`` … ``hevc-main.ts``, listed in ``manifest.json``). Every frame carries its index in the loop
twice: in big digits and as a row of black/white cells (:func:`draw_index_code` / :func:`read_index_code`)
that survives compression and scaling, so a client can tell which frame it shows.

The server behaves like a media server's live stream: each (camera, variant) runs on its own timeline (a
per-camera phase, so cameras differ), frame ``n`` is due at ``t0 + n / fps``. A new viewer gets the current
group of pictures from its key frame at once (as ZLMediaKit's GOP cache does, so the picture starts within a
frame) and then every frame when it is due; packets are copied from the clip into a per-viewer MPEG-TS
muxer with continuous timestamps across loops. The hub records when each clip index was last sent on each
stream (:meth:`ClipLibrary.sent_at`), so latency = time the client shows the frame − time it was sent.

HLS is cut from the same timelines without any state: segment ``k`` of a camera is frames ``k·GOP`` …
``(k+1)·GOP − 1`` (one second, starting on a key frame), muxed into MPEG-TS when asked for; the playlist names
the last :data:`HLS_WINDOW` complete segments, as a live media server's sliding window does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

log = logging.getLogger(__name__)

FPS = 25
CLIP_FRAMES = 250  # 10 s loops
GOP = 25  # a key frame every second
SIZES: dict[str, tuple[int, int]] = {"main": (1280, 720), "sub": (640, 360)}
CODECS = ("h264", "hevc")
TS_MIMETYPE = "video/mp2t"
FLV_MIMETYPE = "video/x-flv"
HLS_MIMETYPE = "application/vnd.apple.mpegurl"
#: Containers a live stream can be sent in (HTTP-TS and HTTP-FLV, as ZLMediaKit names them).
LIVE_FORMATS = {"ts": "mpegts", "flv": "flv"}
#: Complete segments an HLS playlist names.
HLS_WINDOW = 4
#: How far back (segments) an HLS segment can still be fetched.
HLS_KEEP = 30
FRAME_TIME_BASE = Fraction(1, FPS)
#: Cells of the index code: 12 bits of the index (MSB first) and one even-parity bit.
CODE_BITS = 12
CODE_CELLS = CODE_BITS + 1
# the code's box, as shares of the frame: x from CODE_X, each cell CODE_CELL_W wide; y from CODE_Y, CODE_H high
CODE_X, CODE_CELL_W, CODE_Y, CODE_H = 0.03, 0.035, 0.86, 0.08


def clip_name(codec: str, variant: str) -> str:
    """File name of a clip, e.g. ``h264-sub.ts``."""
    return f"{codec}-{variant}.ts"


def _cell_rect(width: int, height: int, cell: int) -> tuple[int, int, int, int]:
    x0 = round(width * (CODE_X + cell * CODE_CELL_W))
    x1 = round(width * (CODE_X + (cell + 1) * CODE_CELL_W))
    y0, y1 = round(height * CODE_Y), round(height * (CODE_Y + CODE_H))
    return x0, y0, x1, y1


def draw_index_code(image: np.ndarray, index: int) -> None:
    """Draw ``index`` (0 … 4095) as cells: white = 1, black = 0, the last cell makes the ones even."""
    if not 0 <= index < 1 << CODE_BITS:
        raise ValueError(f"index {index} does not fit in {CODE_BITS} bits")
    h, w = image.shape[:2]
    bits = [(index >> (CODE_BITS - 1 - i)) & 1 for i in range(CODE_BITS)]
    bits.append(sum(bits) % 2)
    x0, y0, _, _ = _cell_rect(w, h, 0)
    _, _, x1, y1 = _cell_rect(w, h, CODE_CELLS - 1)
    pad = max(2, w // 160)
    cv2.rectangle(image, (x0 - pad, y0 - pad), (x1 + pad, y1 + pad), (40, 40, 40), -1)
    for cell, bit in enumerate(bits):
        a, b, c, d = _cell_rect(w, h, cell)
        cv2.rectangle(image, (a, b), (c - 1, d - 1), (255, 255, 255) if bit else (0, 0, 0), -1)


def read_index_code(image: np.ndarray) -> int | None:
    """The index drawn by :func:`draw_index_code` in a BGR frame of any size, or None if it does not read
    (parity wrong, or no code in this picture)."""
    h, w = image.shape[:2]
    bits = []
    for cell in range(CODE_CELLS):
        x0, y0, x1, y1 = _cell_rect(w, h, cell)
        mx, my = max(1, (x1 - x0) // 4), max(1, (y1 - y0) // 4)
        patch = image[y0 + my : y1 - my, x0 + mx : x1 - mx]
        if patch.size == 0:
            return None
        mean = float(patch.mean())
        if 70 < mean < 185:  # neither black nor white: not our code
            return None
        bits.append(1 if mean >= 128 else 0)
    if sum(bits[:CODE_BITS]) % 2 != bits[CODE_BITS]:
        return None
    value = 0
    for bit in bits[:CODE_BITS]:
        value = (value << 1) | bit
    return value


@dataclass(frozen=True, slots=True)
class ClipPacket:
    """One encoded frame of a clip (Annex B access unit) and whether it is a key frame."""

    data: bytes
    key: bool


class Clip:
    """A clip's packets in memory and the input stream that serves as the output's codec template."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._container = av.open(str(path))
        self.template = self._container.streams.video[0]
        self.packets: list[ClipPacket] = []
        for packet in self._container.demux(self.template):
            if packet.size:
                self.packets.append(ClipPacket(bytes(packet), bool(packet.is_keyframe)))
        if not self.packets or not self.packets[0].key:
            raise ValueError(f"clip {path} is empty or does not start with a key frame")
        self.codec = self.template.codec_context.name

    def __len__(self) -> int:
        return len(self.packets)

    def key_at_or_before(self, index: int) -> int:
        """Index of the nearest key frame at or before ``index``."""
        while index > 0 and not self.packets[index].key:
            index -= 1
        return index

    def close(self) -> None:
        """Close the demuxer."""
        self._container.close()


class _Sink:
    """What a muxer writes into: collects bytes until the caller takes them."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


class ClipLibrary:
    """The clips in a folder (``manifest.json`` lists them) and the live streams cut from them."""

    def __init__(self, folder: Path, stop: threading.Event) -> None:
        self.folder = folder
        self._stop = stop
        self._clips: dict[tuple[str, str], Clip] = {}
        self._lock = threading.Lock()
        self._epoch = time.monotonic()
        self._sent: dict[tuple[str, str], np.ndarray] = {}
        self.viewers: dict[tuple[str, str], int] = {}
        manifest = folder / "manifest.json"
        if not manifest.is_file():
            log.warning("no exercise clips in %s (make clips): cameras fall back to MJPEG", folder)
            return
        for entry in json.loads(manifest.read_text(encoding="utf-8"))["clips"]:
            clip = Clip(folder / entry["file"])
            self._clips[(entry["codec"], entry["variant"])] = clip

    def has(self, codec: str, variant: str) -> bool:
        """True if the clip for ``codec`` and ``variant`` is loaded."""
        return (codec, variant) in self._clips

    def close(self) -> None:
        """Close every clip's demuxer."""
        for clip in self._clips.values():
            clip.close()

    def phase_s(self, camera_id: str) -> float:
        """Where in the loop a camera's timeline starts (seconds, fixed per camera id)."""
        digest = hashlib.sha256(camera_id.encode()).digest()
        return int.from_bytes(digest[:4], "big") % (CLIP_FRAMES * 1000 // FPS) / 1000

    def _t0(self, camera_id: str) -> float:
        return self._epoch - self.phase_s(camera_id)

    def sent_at(self, camera_id: str, variant: str) -> list[float]:
        """Per clip index, ``time.time()`` it was last sent on this camera's stream (0.0 = never)."""
        with self._lock:
            sent = self._sent.get((camera_id, variant))
            return [] if sent is None else sent.tolist()

    def _record(self, key: tuple[str, str], index: int) -> None:
        with self._lock:
            self._sent.setdefault(key, np.zeros(CLIP_FRAMES))[index] = time.time()

    def live(
        self, camera_id: str, codec: str, variant: str, online: Callable[[], bool], container: str = "ts"
    ) -> Iterator[bytes]:
        """The camera's live stream in ``container`` (``ts`` or ``flv``, see :data:`LIVE_FORMATS`): the
        current GOP at once, then each frame when due, until the camera goes offline, the server stops or the
        viewer leaves (the server then closes this generator)."""
        clip = self._clips[(codec, variant)]
        key = (camera_id, variant)
        sink = _Sink()
        options = {"flush_packets": "1"}
        if container == "ts":
            options["omit_video_pes_length"] = "0"
        out = av.open(sink, mode="w", format=LIVE_FORMATS[container], options=options)
        stream = out.add_stream_from_template(clip.template)
        with self._lock:
            self.viewers[key] = self.viewers.get(key, 0) + 1
        t0 = self._t0(camera_id)
        now_n = int((time.monotonic() - t0) * FPS)
        n = now_n - (now_n % CLIP_FRAMES - clip.key_at_or_before(now_n % CLIP_FRAMES))
        try:
            while not self._stop.is_set() and online():
                wait = t0 + n / FPS - time.monotonic()
                if wait > 0 and self._stop.wait(wait):
                    break
                index = n % CLIP_FRAMES
                out.mux(_packet(clip, n, stream))
                self._record(key, index)
                data = sink.take()
                if data:
                    yield data
                n += 1
        finally:
            with self._lock:
                self.viewers[key] -= 1
            with contextlib.suppress(av.FFmpegError, ValueError):  # the viewer left mid-write
                out.close()

    # -- HLS ------------------------------------------------------------------------------------------------

    def hls_segments(self, camera_id: str) -> range:
        """Numbers of the HLS segments a playlist names now (the last complete ones)."""
        done = int((time.monotonic() - self._t0(camera_id)) * FPS) // GOP  # segments complete so far
        return range(max(0, done - HLS_WINDOW), done)

    def hls_playlist(self, camera_id: str, variant: str) -> str:
        """A live HLS media playlist (sliding window, no ``#EXT-X-ENDLIST``) for the camera's stream."""
        segments = self.hls_segments(camera_id)
        lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{max(1, round(GOP / FPS))}",
                 f"#EXT-X-MEDIA-SEQUENCE:{segments.start}"]
        for k in segments:
            lines += [f"#EXTINF:{GOP / FPS:.3f},", f"hls/{variant}/{k}.ts"]
        return "\n".join(lines) + "\n"

    def hls_segment(self, camera_id: str, codec: str, variant: str, number: int) -> bytes | None:
        """Segment ``number`` as MPEG-TS, or None when it is not complete yet or has left the window."""
        current = self.hls_segments(camera_id)
        if not current.stop - HLS_KEEP <= number < current.stop:
            return None
        clip = self._clips[(codec, variant)]
        sink = _Sink()
        out = av.open(sink, mode="w", format="mpegts")
        stream = out.add_stream_from_template(clip.template)
        for n in range(number * GOP, (number + 1) * GOP):
            out.mux(_packet(clip, n, stream))
        out.close()
        return sink.take()


def _packet(clip: Clip, n: int, stream: av.video.stream.VideoStream) -> av.Packet:
    """Frame ``n`` of a timeline (clip index ``n`` mod the loop) as a packet of ``stream`` with pts ``n``."""
    source = clip.packets[n % CLIP_FRAMES]
    packet = av.Packet(source.data)
    packet.stream = stream
    packet.time_base = FRAME_TIME_BASE  # the muxer rescales to its own
    packet.pts = packet.dts = n
    packet.is_keyframe = source.key
    return packet
