"""Live video: stream readers (newest frame wins), the shared reader pool, wall layouts and stream choice.

Plain Python (no Qt): the wall in ``commandwall.ui.wall`` polls readers from a GUI timer.
"""

from commandwall.video.layout import (
    SUB_STREAM_MAX_WIDTH_PX,
    TILE_COUNTS,
    StreamKind,
    WallLayout,
    choose_stream,
    stream_url,
)
from commandwall.video.pool import ReaderPool
from commandwall.video.reader import (
    Frame,
    FrameSource,
    StreamReader,
    StreamState,
    StreamStats,
    redact_url,
)

__all__ = [
    "SUB_STREAM_MAX_WIDTH_PX",
    "TILE_COUNTS",
    "Frame",
    "FrameSource",
    "ReaderPool",
    "StreamKind",
    "StreamReader",
    "StreamState",
    "StreamStats",
    "WallLayout",
    "choose_stream",
    "redact_url",
    "stream_url",
]
