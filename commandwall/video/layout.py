"""Wall layouts (1/4/9/16 tiles) and the choice of main or sub stream by tile size."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from commandwall.domain.models import Camera

StreamKind = Literal["main", "sub"]

#: tile counts the wall offers
TILE_COUNTS: tuple[int, ...] = (1, 4, 9, 16)
#: tiles narrower than this (device pixels) play the sub stream (~640×360)
SUB_STREAM_MAX_WIDTH_PX = 800
#: a tile must cross the threshold by this much before it switches, so a resize that wobbles
#: around 800 px does not reconnect the stream over and over
STREAM_HYSTERESIS_PX = 64


@dataclass(frozen=True, slots=True)
class WallLayout:
    """A square grid of ``tiles`` = ``rows`` × ``cols`` tiles, numbered row by row from 0."""

    tiles: int
    rows: int
    cols: int

    @classmethod
    def for_tiles(cls, tiles: int) -> WallLayout:
        """Layout for 1, 4, 9 or 16 tiles; anything else raises ValueError."""
        if tiles not in TILE_COUNTS:
            raise ValueError(f"a wall has 1, 4, 9 or 16 tiles, not {tiles!r}")
        side = math.isqrt(tiles)
        return cls(tiles=tiles, rows=side, cols=side)

    def cell(self, index: int) -> tuple[int, int]:
        """(row, col) of tile ``index``."""
        if not 0 <= index < self.tiles:
            raise IndexError(f"tile {index} is not on a {self.rows}×{self.cols} wall")
        return divmod(index, self.cols)


def choose_stream(
    camera: Camera,
    tile_width_px: float,
    current: StreamKind | None = None,
    *,
    threshold_px: int = SUB_STREAM_MAX_WIDTH_PX,
    hysteresis_px: int = STREAM_HYSTERESIS_PX,
) -> StreamKind:
    """``"sub"`` for a tile narrower than ~800 px, else ``"main"``.

    With ``current`` given, the stream only changes once the width is ``hysteresis_px`` past the
    threshold (sub → main at ≥ threshold + h, main → sub below threshold − h). A camera whose sub URL is
    missing or the same as its main one always gets ``"main"``.
    """
    if not camera.streams.sub or camera.streams.sub == camera.streams.main:
        return "main"
    if current == "sub":
        return "main" if tile_width_px >= threshold_px + hysteresis_px else "sub"
    if current == "main":
        return "sub" if tile_width_px < threshold_px - hysteresis_px else "main"
    return "sub" if tile_width_px < threshold_px else "main"


def stream_url(camera: Camera, kind: StreamKind) -> str:
    """The play URL of ``camera``'s ``kind`` stream."""
    return camera.streams.sub if kind == "sub" else camera.streams.main
