"""How long the pictures of a tile take to reach the screen, measured where the client can measure it.

The client knows two moments of each picture: when the packet that completed it came off the network
(``Frame.received_at``, PyAV streams) and when it was decoded (``Frame.captured_at``); the tile notes when it
first paints it. So it can say *receive to paint* (接收到显示: network buffer, decoding, the wait for the wall's
refresh tick, painting) and *decode to paint* (解码到显示). What it cannot know is the camera's share (capture,
encoding, the network before the client): that is read off a clock the camera burns into its picture. "Paint"
is the moment the tile draws into the window's back buffer; the compositor and the monitor add their own
frame or two after that.
"""

from __future__ import annotations

from collections import deque
from statistics import fmean

from commandwall.video.reader import Frame


class DisplayLatency:
    """The mean of the last ``samples`` pictures' receive→paint and decode→paint times, in milliseconds."""

    def __init__(self, samples: int = 50) -> None:
        self._receive: deque[float] = deque(maxlen=samples)
        self._decode: deque[float] = deque(maxlen=samples)
        self._last: Frame | None = None

    def painted(self, frame: Frame, at: float) -> None:
        """``frame`` was painted at ``at`` (``time.monotonic()``); only its first paint counts."""
        if frame is self._last:
            return
        self._last = frame
        self._decode.append((at - frame.captured_at) * 1000)
        if frame.received_at is not None:
            self._receive.append((at - frame.received_at) * 1000)

    def reset(self) -> None:
        """Forget the samples (another camera or stream)."""
        self._receive.clear()
        self._decode.clear()
        self._last = None

    @property
    def receive_to_paint_ms(self) -> float | None:
        """Mean receive→paint time; None when no picture carried its arrival time (OpenCV streams)."""
        return fmean(self._receive) if self._receive else None

    @property
    def decode_to_paint_ms(self) -> float | None:
        """Mean decode→paint time; None before the first paint."""
        return fmean(self._decode) if self._decode else None
