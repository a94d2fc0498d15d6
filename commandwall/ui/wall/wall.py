"""The video wall (视频墙): a 1/4/9/16 grid of tiles fed by a shared :class:`ReaderPool`."""

from __future__ import annotations

import itertools
import logging
import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QGridLayout, QWidget

from commandwall.domain.models import Camera, CameraStatus
from commandwall.ui.wall.tile import WALL_BG, TileView
from commandwall.video.layout import TILE_COUNTS, WallLayout, choose_stream, stream_url
from commandwall.video.pool import ReaderPool
from commandwall.video.reader import StreamReader

log = logging.getLogger(__name__)

#: a resized tile re-chooses main/sub once its size has been steady this long
RESIZE_SETTLE_S = 0.3


class WallView(QWidget):
    """A grid of :class:`TileView` s playing cameras through a shared :class:`ReaderPool`.

    One GUI-thread ``QTimer`` (~25 Hz) polls every visible tile — no signal per frame crosses threads.
    Each tile plays the camera's sub stream when narrower than ~800 device pixels and the main stream
    otherwise; after a resize (or maximising a tile) the stream is switched, with hysteresis.

    Signals: ``sig_tile_selected(int)`` — a tile was selected (-1: the selection went away);
    ``sig_playing_changed(int, str)`` — tile index and the camera id it now plays ("" when stopped).
    """

    sig_tile_selected = Signal(int)
    sig_playing_changed = Signal(int, str)

    def __init__(
        self,
        pool: ReaderPool,
        tile_count: int = 4,
        parent: QWidget | None = None,
        *,
        refresh_hz: float = 25.0,
    ) -> None:
        super().__init__(parent)
        self._pool = pool
        self._layout = WallLayout.for_tiles(tile_count)
        self._selected: int | None = None
        self._maximized: int | None = None
        self._status: dict[str, CameraStatus] = {}
        self._order = itertools.count(1)
        self.setObjectName("videoWall")
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, WALL_BG)
        self.setPalette(palette)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(2, 2, 2, 2)
        self._grid.setSpacing(2)
        self._tiles = [TileView(i, self) for i in range(max(TILE_COUNTS))]
        for tile in self._tiles:
            tile.sig_clicked.connect(self.select)
            tile.sig_double_clicked.connect(self.toggle_maximized)
        self._relayout()
        self._timer = QTimer(self)
        self._timer.setInterval(max(10, round(1000 / refresh_hz)))
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    # ---- read-only views ----------------------------------------------------------------------------
    def tile_count(self) -> int:
        """Tiles on the wall: 1, 4, 9 or 16."""
        return self._layout.tiles

    @property
    def wall_layout(self) -> WallLayout:
        """Rows and columns of the grid."""
        return self._layout

    @property
    def selected_index(self) -> int | None:
        """The selected tile, or None."""
        return self._selected

    @property
    def maximized_index(self) -> int | None:
        """The tile filling the wall, or None when the grid shows."""
        return self._maximized

    def tile(self, index: int) -> TileView:
        """Tile ``index`` (0-based, row by row)."""
        self._check_index(index)
        return self._tiles[index]

    def tiles(self) -> list[TileView]:
        """The tiles of the current layout."""
        return self._tiles[: self._layout.tiles]

    def cameras(self) -> list[Camera | None]:
        """Camera per tile of the current layout (None = empty)."""
        return [tile.camera for tile in self.tiles()]

    # ---- commands -----------------------------------------------------------------------------------
    def set_tile_count(self, count: int) -> None:
        """Show 1, 4, 9 or 16 tiles. Tiles beyond the new count stop playing."""
        layout = WallLayout.for_tiles(count)
        for tile in self._tiles[count:]:
            self._stop_tile(tile)
        self._layout = layout
        self._maximized = None
        if self._selected is not None and self._selected >= count:
            self._tiles[self._selected].set_selected(False)
            self._selected = None
            self.sig_tile_selected.emit(-1)
        self._relayout()

    def play(self, camera: Camera, tile_index: int | None = None) -> int:
        """Play ``camera`` in ``tile_index``; by default in the selected tile, else the first empty one,
        else the one that started playing longest ago. Returns the tile used."""
        index = self._target_tile(tile_index)
        tile = self._tiles[index]
        old_url = tile.stream_url if tile.camera is not None else None
        kind = choose_stream(camera, tile.width_px())
        url = stream_url(camera, kind)
        reader = self._pool.acquire(url, camera.id)  # before releasing the old one: replaying a URL keeps its reader
        status = self._status.get(camera.id, camera.status)
        tile.show_stream(camera, reader, kind, url, order=next(self._order), status=status)
        if old_url is not None:
            self._pool.release(old_url)
        log.info("wall: tile %d plays %s (%s stream)", index, camera.id, kind)
        self.sig_playing_changed.emit(index, camera.id)
        return index

    def stop(self, tile_index: int) -> None:
        """Stop tile ``tile_index`` (no-op if it is empty)."""
        self._check_index(tile_index)
        self._stop_tile(self._tiles[tile_index])

    def stop_all(self) -> None:
        """Stop every tile."""
        for tile in self._tiles:
            self._stop_tile(tile)

    def set_camera_status(self, camera_id: str, status: CameraStatus | str) -> None:
        """Record what the platform says about a camera; its tiles show 离线 while it is offline."""
        status = CameraStatus(status)
        self._status[camera_id] = status
        for tile in self._tiles:
            if tile.camera is not None and tile.camera.id == camera_id:
                tile.set_camera_status(status)
                if status is CameraStatus.ONLINE and isinstance(tile.reader, StreamReader):
                    tile.reader.reconnect_now()

    def select(self, index: int) -> None:
        """Select tile ``index`` (highlight border; ``play()`` without an index goes there)."""
        self._check_index(index)
        if self._selected == index:
            return
        if self._selected is not None:
            self._tiles[self._selected].set_selected(False)
        self._selected = index
        self._tiles[index].set_selected(True)
        self.sig_tile_selected.emit(index)

    def toggle_maximized(self, index: int) -> None:
        """Let tile ``index`` fill the wall, or bring the grid back if it already does."""
        self._check_index(index)
        self._maximized = None if self._maximized == index else index
        self._relayout()

    def shutdown(self) -> None:
        """Stop the refresh timer and every tile (the pool's owner stops the pool)."""
        self._timer.stop()
        self.stop_all()

    # ---- internals ----------------------------------------------------------------------------------
    def _check_index(self, index: int) -> None:
        if not 0 <= index < self._layout.tiles:
            raise IndexError(f"no tile {index} on a wall of {self._layout.tiles}")

    def _target_tile(self, tile_index: int | None) -> int:
        if tile_index is not None:
            self._check_index(tile_index)
            return tile_index
        if self._selected is not None:
            return self._selected
        tiles = self.tiles()
        empty = [t.index for t in tiles if t.camera is None]
        if empty:
            return empty[0]
        return min(tiles, key=lambda t: t.play_order).index

    def _stop_tile(self, tile: TileView) -> None:
        if tile.camera is None:
            return
        self._release(tile)
        tile.clear()
        self.sig_playing_changed.emit(tile.index, "")

    def _release(self, tile: TileView) -> None:
        if tile.stream_url is not None:
            self._pool.release(tile.stream_url)

    def _relayout(self) -> None:
        while self._grid.count():
            self._grid.takeAt(0)
        if self._maximized is not None:
            rows = cols = 1
            shown = {self._maximized}
            self._grid.addWidget(self._tiles[self._maximized], 0, 0)
        else:
            rows, cols = self._layout.rows, self._layout.cols
            shown = set(range(self._layout.tiles))
            for i in sorted(shown):
                row, col = self._layout.cell(i)
                self._grid.addWidget(self._tiles[i], row, col)
        for k in range(WallLayout.for_tiles(max(TILE_COUNTS)).rows):
            self._grid.setRowStretch(k, 1 if k < rows else 0)
            self._grid.setColumnStretch(k, 1 if k < cols else 0)
        for tile in self._tiles:
            tile.setVisible(tile.index in shown)

    def _tick(self) -> None:
        """Refresh visible tiles; re-choose main/sub for tiles whose size has settled."""
        if not self.isVisible():
            return
        now = time.monotonic()
        for tile in self.tiles():
            if not tile.isVisible():
                continue
            tile.refresh(now)
            if tile.resized_at is not None and now - tile.resized_at >= RESIZE_SETTLE_S:
                tile.resized_at = None
                self._maybe_switch_stream(tile)

    def _maybe_switch_stream(self, tile: TileView) -> None:
        camera = tile.camera
        if camera is None or tile.stream_kind is None or tile.stream_url is None:
            return
        kind = choose_stream(camera, tile.width_px(), current=tile.stream_kind)
        if kind == tile.stream_kind:
            return
        url = stream_url(camera, kind)
        old_url = tile.stream_url
        tile.switch_stream(self._pool.acquire(url, camera.id), kind, url)
        self._pool.release(old_url)
        log.info("wall: tile %d switches %s to the %s stream (%d px)", tile.index, camera.id, kind,
                 tile.width_px())  # fmt: skip
