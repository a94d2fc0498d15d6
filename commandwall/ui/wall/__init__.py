"""The video wall (视频墙): :class:`WallView` (grid, selection, maximise, stream choice) and its tiles."""

from commandwall.ui.wall.tile import TileView, tile_badge
from commandwall.ui.wall.wall import WallView

__all__ = ["TileView", "WallView", "tile_badge"]
