"""How long the pictures of a tile take to reach the screen, measured where the client can measure it.

The client knows two moments of each picture: when the packet that completed it came off the network
(``Frame.received_at``, PyAV streams) and when it was decoded (``Frame.captured_at``); the tile notes when it
first paints it. So it can say *receive to paint* (接收到显示: network buffer, decoding, the wait for the wall's
refresh tick, painting) and *decode to paint* (解码到显示). The camera's share (capture, encoding, the network
before the client) it knows only where the stream carries the camera's clock: an RTSP stream's RTCP sender
reports anchor its timestamps to wall-clock time, so *camera to paint* (摄像机到显示) is the desk's clock at
paint minus the camera's at capture — true only as far as both clocks are set alike (NTP); a camera without
that, or any other stream, gives none, and a clock burned into the picture is the way to read it there. A
camera whose clock is set otherwise (minutes or hours off: a camera without NTP, on the wrong time zone) would read
as a picture an hour old, or from the future: past :data:`CAMERA_CLOCK_TOLERANCE_MS` beyond receive→paint the
camera's clock is said to be off (:attr:`DisplayLatency.camera_clock_off_ms`) instead.
"Paint" is the moment the tile draws into the window's back buffer; the compositor and the monitor add
their own frame or two after that.
"""

from __future__ import annotations

import time
from collections import deque
from statistics import fmean

from commandwall.video.reader import Frame

#: camera→paint more than this off receive→paint (either way) is the camera's clock set otherwise, not latency
CAMERA_CLOCK_TOLERANCE_MS = 60_000.0


class DisplayLatency:
    """The mean of the last ``samples`` pictures' camera→paint, receive→paint and decode→paint times (ms)."""

    def __init__(self, samples: int = 50) -> None:
        self._camera: deque[float] = deque(maxlen=samples)
        self._receive: deque[float] = deque(maxlen=samples)
        self._decode: deque[float] = deque(maxlen=samples)
        self._last: Frame | None = None

    def painted(self, frame: Frame, at: float, wall_clock: float | None = None) -> None:
        """``frame`` was painted at ``at`` (``time.monotonic()``; ``wall_clock``: ``time.time()`` then, read
        now if not given); only its first paint counts."""
        if frame is self._last:
            return
        self._last = frame
        self._decode.append((at - frame.captured_at) * 1000)
        if frame.received_at is not None:
            self._receive.append((at - frame.received_at) * 1000)
        if frame.camera_time is not None:
            self._camera.append(((time.time() if wall_clock is None else wall_clock) - frame.camera_time) * 1000)

    def presented(self, items: tuple) -> None:
        """Pictures the decoder process put into the tile's window (直显), each (monotonic time put, Unix time
        put, received_at, camera_time): there, the put is the paint (decode→paint is not measured: the decoding
        thread puts the picture as soon as it is scaled)."""
        for put_at, put_wall, received_at, camera_time in items:
            if received_at is not None:
                self._receive.append((put_at - received_at) * 1000)
            if camera_time is not None:
                self._camera.append((put_wall - camera_time) * 1000)

    def reset(self) -> None:
        """Forget the samples (another camera or stream)."""
        self._camera.clear()
        self._receive.clear()
        self._decode.clear()
        self._last = None

    @property
    def camera_to_paint_ms(self) -> float | None:
        """Mean camera→paint time by the camera's RTCP clock; None when the stream carries no such clock."""
        return fmean(self._camera) if self._camera else None

    @property
    def camera_clock_off_ms(self) -> float | None:
        """How far the camera's clock runs ahead of this desk's (ms; negative: behind) when camera→paint is more
        than :data:`CAMERA_CLOCK_TOLERANCE_MS` off receive→paint — no latency, a clock set otherwise; else None."""
        camera, receive = self.camera_to_paint_ms, self.receive_to_paint_ms
        if camera is None or receive is None or abs(camera - receive) <= CAMERA_CLOCK_TOLERANCE_MS:
            return None
        return receive - camera

    @property
    def receive_to_paint_ms(self) -> float | None:
        """Mean receive→paint time; None when no picture carried its arrival time (OpenCV streams)."""
        return fmean(self._receive) if self._receive else None

    @property
    def decode_to_paint_ms(self) -> float | None:
        """Mean decode→paint time; None before the first paint."""
        return fmean(self._decode) if self._decode else None
