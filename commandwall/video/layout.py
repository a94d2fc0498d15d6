"""Wall layouts as data — square grids (1/4/9/16/25/36) and big-tile ones (1+5, 1+7, 2+8, 1+12) — and the
choice of main or sub stream by tile size."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from commandwall.domain.models import Camera
from commandwall.i18n import translate

StreamKind = Literal["main", "sub"]

#: tile counts of the square grids the wall offers
TILE_COUNTS: tuple[int, ...] = (1, 4, 9, 16, 25, 36)
#: the most tiles any layout has
MAX_TILES = 36
#: tiles narrower than this (device pixels) play the sub stream (~640×360)
SUB_STREAM_MAX_WIDTH_PX = 800
#: a tile must cross the threshold by this much before it switches, so a resize that wobbles
#: around 800 px does not reconnect the stream over and over
STREAM_HYSTERESIS_PX = 64


@dataclass(frozen=True, slots=True)
class TileRect:
    """Where a tile sits, in grid cells: top-left ``row``/``col`` and its span."""

    row: int
    col: int
    rows: int = 1
    cols: int = 1


@dataclass(frozen=True, slots=True)
class WallLayout:
    """A wall layout: a ``rows`` × ``cols`` grid cut into tiles, tile *i* covering ``rects[i]``.

    ``key`` names it in files and menus ("4", "1+5"). Big tiles come first, then the small ones row by row,
    so tile 0 is always the biggest and a switch between layouts keeps a camera in the tile of the same number.
    """

    key: str
    rows: int
    cols: int
    rects: tuple[TileRect, ...]

    @property
    def tiles(self) -> int:
        """How many tiles the layout has."""
        return len(self.rects)

    @property
    def title(self) -> str:
        """The menu text, e.g. 9画面, 1+5画面."""
        return translate("wall", "{key}画面").format(key=self.key)

    @property
    def big_tiles(self) -> tuple[int, ...]:
        """The tiles spanning more than one cell (empty for a square grid)."""
        return tuple(i for i, r in enumerate(self.rects) if r.rows > 1 or r.cols > 1)

    @classmethod
    def for_tiles(cls, tiles: int) -> WallLayout:
        """The square grid of 1, 4, 9, 16, 25 or 36 tiles; anything else raises ValueError."""
        if tiles not in TILE_COUNTS:
            raise ValueError(f"a square wall has 1, 4, 9, 16, 25 or 36 tiles, not {tiles!r}")
        return LAYOUTS[str(tiles)]

    @classmethod
    def named(cls, key: object) -> WallLayout:
        """The layout called ``key`` ("9", 9, "1+5" …); ValueError (naming the offered ones) otherwise."""
        layout = LAYOUTS.get(str(key).strip())
        if layout is None:
            offered = translate("wall", "、").join(LAYOUTS)
            raise ValueError(translate("wall", "无此画面布局：{layout}（可选 {offered}）").format(
                layout=repr(str(key)[:20]), offered=offered))
        return layout

    def cell(self, index: int) -> tuple[int, int]:
        """(row, col) of the top-left cell of tile ``index``."""
        if not 0 <= index < self.tiles:
            raise IndexError(f"tile {index} is not on a {self.key} wall")
        rect = self.rects[index]
        return rect.row, rect.col


def _grid(side: int) -> WallLayout:
    rects = tuple(TileRect(r, c) for r in range(side) for c in range(side))
    return WallLayout(str(side * side), side, side, rects)


def _big(key: str, side: int, *big: TileRect) -> WallLayout:
    covered = {(b.row + dr, b.col + dc) for b in big for dr in range(b.rows) for dc in range(b.cols)}
    small = tuple(TileRect(r, c) for r in range(side) for c in range(side) if (r, c) not in covered)
    return WallLayout(key, side, side, (*big, *small))


#: every layout the wall offers, in menu order
LAYOUTS: dict[str, WallLayout] = {
    layout.key: layout
    for layout in (
        *(_grid(math.isqrt(n)) for n in TILE_COUNTS),
        _big("1+5", 3, TileRect(0, 0, 2, 2)),
        _big("1+7", 4, TileRect(0, 0, 3, 3)),
        _big("2+8", 4, TileRect(0, 0, 2, 2), TileRect(0, 2, 2, 2)),
        _big("1+12", 4, TileRect(1, 1, 2, 2)),
    )
}


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
