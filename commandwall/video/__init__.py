"""Live video: stream readers (newest frame wins), the shared reader pool, the wall model (layouts, tiles →
cameras, lent areas), presets, drag data, snapshots' names, digital zoom and stream choice.

Plain Python (no Qt): the wall in ``commandwall.ui.wall`` polls readers from a GUI timer.
"""

from commandwall.video.layout import (
    LAYOUTS,
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
from commandwall.video.wall_model import WallChange, WallModel

__all__ = [
    "LAYOUTS",
    "SUB_STREAM_MAX_WIDTH_PX",
    "TILE_COUNTS",
    "Frame",
    "FrameSource",
    "ReaderPool",
    "StreamKind",
    "StreamReader",
    "StreamState",
    "StreamStats",
    "WallChange",
    "WallLayout",
    "WallModel",
    "choose_stream",
    "redact_url",
    "stream_url",
]
