"""The video wall (视频墙): the tiles of a :class:`WallModel` on screen, fed by a shared :class:`ReaderPool`."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QPalette
from PySide6.QtWidgets import QGridLayout, QMenu, QWidget

from commandwall import localtime
from commandwall.domain.models import Camera, CameraStatus
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.wall.direct import direct_video_possible, note_lasting_error
from commandwall.ui.wall.frame_wake import frame_wake
from commandwall.ui.wall.overload import OverloadMonitor, apply_key_frames
from commandwall.ui.wall.snapshot import SnapshotWriter
from commandwall.ui.wall.tile import WALL_BG, TileView
from commandwall.ui.wall.transport_menu import add_transport_menu
from commandwall.video.capture import widened
from commandwall.video.dragdrop import CAMERA_IDS_MIME, WALL_TILE_MIME, decode_camera_ids, decode_wall_tile
from commandwall.video.layout import MAX_TILES, StreamKind, WallLayout, choose_stream, stream_url
from commandwall.video.overload import Degrade
from commandwall.video.pool import ReaderPool
from commandwall.video.reader import StreamReader
from commandwall.video.wall_model import WallChange, WallModel

log = logging.getLogger(__name__)

#: a tile whose pictures the decoder puts into its window (直显) is refreshed (badge, fps, staleness) at every
#: this many ticks of the wall's timer (5: five times a second at 25 Hz), spread over the ticks by tile
DIRECT_REFRESH_EVERY = 5

#: a resized tile re-chooses main/sub once its size has been steady this long
RESIZE_SETTLE_S = 0.3


class WallView(QWidget):
    """The tiles of a :class:`WallModel` (its layout, cameras, selection, maximised tile) on screen.

    The model says which camera each tile shows; this view opens the streams through the pool and lays the
    tiles out. A tile keeps its widget and its reader across layout switches, so a switch reopens nothing.
    A camera shown in several tiles plays one stream in all of them — the one the widest of them needs —,
    so it is decoded once. Each camera plays its sub stream while all its tiles are narrower than ~800
    device pixels and the main stream otherwise; after a resize (or maximising) the stream is re-chosen,
    with hysteresis.

    One GUI-thread ``QTimer`` (~25 Hz) polls every visible tile — no signal per frame crosses threads. Each
    reader scales its frames, on its own thread, to the box of the widest visible tile showing it (re-targeted
    after a resize, a layout switch or a zoom, without reopening the stream), so a tile paints them 1:1.
    Clicks select, double clicks maximise; both go to the model, which the view follows.

    Signals: ``sig_tile_selected(int)`` — a tile was selected (-1: the selection went away);
    ``sig_playing_changed(int, str)`` — tile index and the camera id it now plays ("" when stopped);
    ``sig_layout_changed(str)`` — the layout key after a switch; ``sig_message(text, timeout_ms)`` — for the
    status bar; ``sig_activated()`` — the duty officer turned to this wall (a click on a tile, or focus).

    Several walls (one per wall screen) share one pool and one ``group``: a camera shown on two walls plays
    one stream there too, the one the widest of all its tiles needs. :meth:`suspend` lets a wall whose screen
    is gone release its streams while its model keeps the arrangement; :meth:`resume` plays it again.

    Drag and drop: a drop carrying camera ids (:data:`CAMERA_IDS_MIME`, from the camera list, the map or
    another wall) plays them from the tile it lands on; a tile of this wall dropped on another swaps the two.
    Delete clears the selected tile, Esc brings a maximised tile back into the layout.
    """

    sig_tile_selected = Signal(int)
    sig_playing_changed = Signal(int, str)
    sig_layout_changed = Signal(str)
    sig_message = Signal(str, int)
    sig_activated = Signal()

    def __init__(
        self,
        pool: ReaderPool,
        tile_count: int | str = 4,
        parent: QWidget | None = None,
        *,
        model: WallModel | None = None,
        refresh_hz: float = 25.0,
        group: list[WallView] | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = pool
        #: the walls sharing ``pool`` (this one included): stream choice looks at all their tiles
        self.group = group if group is not None else []
        self.group.append(self)
        self._suspended = False
        self.model = model if model is not None else WallModel(tile_count)
        self._status: dict[str, CameraStatus] = {}
        self.setObjectName("videoWall")
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, WALL_BG)
        self.setPalette(palette)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(2, 2, 2, 2)
        self._grid.setSpacing(2)
        self._tiles = [TileView(i, self) for i in range(MAX_TILES)]
        self.wall_id = uuid.uuid4().hex
        #: camera id → Camera (the feature sets the store's lookup): what dropped camera ids mean
        self.camera_lookup: Callable[[str], Camera | None] = lambda _camera_id: None
        #: where 抓拍 writes (the feature sets the data folder's snapshots/); None: no snapshots
        self.snapshot_dir: Path | None = None
        self._snapshots = SnapshotWriter(self)
        self._snapshots.sig_done.connect(self._say_snapshot)  # a bound method: queued to the GUI thread
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for tile in self._tiles:
            tile.wall_id = self.wall_id
            tile.sig_clicked.connect(self._on_tile_clicked)
            tile.sig_double_clicked.connect(self.toggle_maximized)
            tile.sig_dropped.connect(self.drop)
            tile.sig_context_menu.connect(self._show_tile_menu)
        #: graceful overload (降帧): measured on every refresh tick, decided once a second
        self.overload = OverloadMonitor(max(10, round(1000 / refresh_hz)))
        self._ticks = 0
        self.gui_s = 0.0  # the GUI thread's seconds in this wall's ticks and frame takes (tiles count their paints)
        self.model.subscribe(self._on_model_changed)
        self._sync_tiles(range(MAX_TILES))
        self._relayout()
        self._timer = QTimer(self)
        self._timer.setInterval(max(10, round(1000 / refresh_hz)))
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        frame_wake().sig_frames.connect(self._take_frames)  # a new frame is painted without waiting for the tick

    # ---- read-only views ----------------------------------------------------------------------------
    def tile_count(self) -> int:
        """Tiles on the wall (1 … 36)."""
        return self.model.tile_count

    @property
    def wall_layout(self) -> WallLayout:
        """The layout on screen."""
        return self.model.layout

    @property
    def selected_index(self) -> int | None:
        """The selected tile, or None."""
        return self.model.selected

    @property
    def maximized_index(self) -> int | None:
        """The tile filling the wall, or None when the layout shows."""
        return self.model.maximized

    def tile(self, index: int) -> TileView:
        """Tile ``index`` (0-based: big tiles first, then row by row)."""
        self._check_index(index)
        return self._tiles[index]

    def tiles(self) -> list[TileView]:
        """The tiles of the current layout."""
        return self._tiles[: self.model.tile_count]

    def cameras(self) -> list[Camera | None]:
        """Camera per tile of the current layout (None = empty)."""
        return self.model.cameras()

    # ---- commands (all go through the model) --------------------------------------------------------
    def set_tile_count(self, count: int) -> None:
        """Show a square grid of 1, 4, 9, 16, 25 or 36 tiles (ValueError otherwise)."""
        self.model.set_layout(WallLayout.for_tiles(count))

    def set_layout(self, key: str) -> None:
        """Show the layout ``key`` ("9", "1+5" …). Tiles beyond its count stop playing; the others go on."""
        self.model.set_layout(key)

    def play(self, camera: Camera, tile_index: int | None = None) -> int:
        """Play ``camera`` in ``tile_index``; by default in the selected tile, else the first empty one,
        else the one that started playing longest ago. Returns the tile used."""
        return self.model.assign(tile_index, camera)

    def stop(self, tile_index: int) -> None:
        """Stop tile ``tile_index`` (no-op if it is empty)."""
        self.model.clear(tile_index)

    def stop_all(self) -> None:
        """Stop every tile."""
        self.model.clear_all()

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
        self.model.select(index)

    def toggle_maximized(self, index: int) -> None:
        """Let tile ``index`` fill the wall, or bring the layout back if it already does."""
        self.model.toggle_maximized(index)

    def drop(self, index: int, mime: QMimeData) -> bool:
        """What a drop on tile ``index`` does: a tile of this wall swaps with it; camera ids play from it on
        (cameras the store does not know are left out). False, with a message, if nothing could be used."""
        self._check_index(index)
        if mime.hasFormat(WALL_TILE_MIME):
            source = decode_wall_tile(mime.data(WALL_TILE_MIME).data())
            if source is not None and source[0] == self.wall_id and 0 <= source[1] < self.tile_count():
                self.model.swap(source[1], index)
                return True
        if not mime.hasFormat(CAMERA_IDS_MIME):
            return False
        try:
            ids = decode_camera_ids(mime.data(CAMERA_IDS_MIME).data())
        except ValueError as error:
            self.sig_message.emit(str(error), 5000)
            return False
        cameras = [c for c in map(self.camera_lookup, ids) if c is not None]
        if not cameras:
            self.sig_message.emit(translate("VideoWall", "拖放的摄像机不在本平台的点位中"), 5000)
            return False
        self.model.place(cameras, start=index)
        return True

    def tile_menu(self, index: int) -> QMenu:
        """The right-click menu of tile ``index``: 清除画面, 最大化/还原布局, 抓拍, 码流信息, 还原缩放 and, for an
        RTSP camera, RTSP 传输 (TCP/UDP)."""
        self._check_index(index)
        menu = QMenu(self)
        clear = menu.addAction(translate("VideoWall", "清除画面"))
        clear.setShortcut(Qt.Key.Key_Delete)
        clear.setEnabled(self.model.camera(index) is not None)
        clear.triggered.connect(lambda: self.model.clear(index))
        maximize = menu.addAction(translate("VideoWall", "还原布局") if self.model.maximized == index
                                   else translate("VideoWall", "最大化"))
        maximize.triggered.connect(lambda: self.model.toggle_maximized(index))
        menu.addSeparator()
        tile = self._tiles[index]
        snap = menu.addAction(translate("VideoWall", "抓拍"))
        snap.setEnabled(tile.frame is not None and self.snapshot_dir is not None)
        snap.triggered.connect(lambda: self.snapshot(index))
        info = menu.addAction(translate("VideoWall", "码流信息"))
        info.setCheckable(True)
        info.setChecked(tile.show_info)
        info.setEnabled(tile.camera is not None)
        info.toggled.connect(tile.set_show_info)
        unzoom = menu.addAction(translate("VideoWall", "还原缩放"))
        unzoom.setEnabled(tile.zoom.active)
        unzoom.triggered.connect(tile.reset_zoom)
        add_transport_menu(menu, tile, self._pool, self.sig_message.emit)  # RTSP cameras only
        return menu

    def snapshot(self, index: int | None = None) -> Future[Path] | None:
        """抓拍: tile ``index``'s (default: the selected tile's) newest frame as PNG in :attr:`snapshot_dir`,
        camera name and time burned in and in the file name, written on the snapshot worker; the status bar
        says where, or why not. Returns the pending write (None when refused at once)."""
        index = self.model.selected if index is None else index
        if index is None:
            self.sig_message.emit(translate("VideoWall", "请先选中要抓拍的画面"), 4000)
            return None
        self._check_index(index)
        tile = self._tiles[index]
        frame, camera = tile.frame, tile.camera
        if frame is None or camera is None or self.snapshot_dir is None:
            self.sig_message.emit(translate("VideoWall", "该画面暂无图像，无法抓拍"), 4000)
            return None
        log.info("wall: snapshot of %s", camera.id)
        # the frame at the stream's resolution (tiles show it scaled): made on the snapshot worker, widened to its
        # display aspect where the stream's samples are not square (an analogue encoder's 720×576 at 16:11)
        reader = tile.reader
        full = getattr(reader, "full_image", None)
        source = (lambda: full(frame)) if full is not None else frame.full_image

        def image() -> np.ndarray | None:
            picture = source()
            return widened(picture, frame.sar) if picture is not None else None

        return self._snapshots.take(image, display_text(camera.name), display_text(camera.id, 64),
                                    self.snapshot_dir, localtime.now(), self.font())

    def _say_snapshot(self, text: str) -> None:
        self.sig_message.emit(text, 8000)

    def _show_tile_menu(self, index: int, where: QPoint) -> None:
        self.select(index)
        menu = self.tile_menu(index)
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(where)

    def _on_tile_clicked(self, index: int) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.sig_activated.emit()
        self.select(index)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        """Focus the duty officer moved here (a click, Tab) makes the wall the one the menu acts on; a window
        being shown or raised does not."""
        super().focusInEvent(event)
        if event.reason() in (Qt.FocusReason.MouseFocusReason, Qt.FocusReason.TabFocusReason,
                              Qt.FocusReason.BacktabFocusReason, Qt.FocusReason.ShortcutFocusReason):
            self.sig_activated.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Delete/Backspace clears the selected tile; Esc brings a maximised tile back into the layout."""
        selected, maximized = self.model.selected, self.model.maximized
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and selected is not None:
            self.model.clear(selected)
        elif event.key() == Qt.Key.Key_Escape and maximized is not None:
            self.model.toggle_maximized(maximized)
        else:
            super().keyPressEvent(event)

    @property
    def suspended(self) -> bool:
        """True while the wall keeps its arrangement without playing it (see :meth:`suspend`)."""
        return self._suspended

    def suspend(self) -> None:
        """Release every tile's stream (its screen is gone) and keep the model as it is: the cameras come
        back with :meth:`resume`. Changes to the model meanwhile open nothing."""
        if not self._suspended:
            self._suspended = True
            self._sync_tiles(range(MAX_TILES))
            log.info("wall: suspended, %d camera(s) kept", sum(c is not None for c in self.model.cameras()))

    def resume(self) -> None:
        """Play the model's cameras again after :meth:`suspend`."""
        if self._suspended:
            self._suspended = False
            self._sync_tiles(range(MAX_TILES))

    def shutdown(self) -> None:
        """Stop the refresh timer and every tile (the pool's owner stops the pool); snapshots asked for are
        written first."""
        self._timer.stop()
        self.model.clear_all()  # the listener syncs every tile
        self._snapshots.shutdown()
        if self in self.group:
            self.group.remove(self)

    # ---- following the model ------------------------------------------------------------------------
    def _on_model_changed(self, change: WallChange) -> None:
        if change.layout:
            self.overload.hold()  # the tiles are laid out anew (and may open streams): the GUI stalls a moment
        if change.tiles:
            self._sync_tiles(sorted(change.tiles))
        if change.layout or change.maximized:
            self._relayout()
        if change.selection:
            selected = self.model.selected
            for tile in self._tiles:
                tile.set_selected(tile.index == selected)
            self.sig_tile_selected.emit(-1 if selected is None else selected)
        if change.layout:
            self.sig_layout_changed.emit(self.model.layout.key)

    def _sync_tiles(self, indexes: object) -> None:
        """Make the tiles ``indexes`` play what the model says (starting new streams before releasing old ones,
        so a camera that moves between tiles keeps its reader). Several streams opening at once (the first cameras,
        a preset, a tour page, a wall resumed) hold the overload policy: their start-up is no overload."""
        count = self.model.tile_count
        released: list[str] = []
        opening = 0  # tiles whose stream has no picture yet (not one already playing in another tile)
        for index in indexes:  # type: ignore[attr-defined]
            tile = self._tiles[index]
            camera = self.model.camera(index) if index < count and not self._suspended else None
            if camera is None:
                if tile.camera is not None:
                    released.extend([tile.stream_url] if tile.stream_url else [])
                    tile.clear()
                    self.sig_playing_changed.emit(index, "")
                continue
            if tile.camera is not None and tile.camera.id == camera.id and tile.reader is not None:
                tile.camera = camera
                continue
            if tile.stream_url is not None:
                released.append(tile.stream_url)
            others = [t for t in self._group_tiles_of(camera.id) if t is not tile and t.stream_kind is not None]
            kind = others[0].stream_kind if others else self._stream_kind(camera, extra=tile)
            assert kind is not None
            url = stream_url(camera, kind)
            reader = self._pool.acquire(url, camera.id)  # shown elsewhere already: the same reader
            opening += reader.seq == 0
            status = self._status.get(camera.id, camera.status)
            tile.show_stream(camera, reader, kind, url, status=status)
            apply_key_frames(tile, self.overload.policy.level(camera.id))
            log.info("wall: tile %d plays %s (%s stream)", index, camera.id, kind)
            self.sig_playing_changed.emit(index, camera.id)
            if others:
                self._maybe_switch_stream(camera)  # the new tile may be the widest of them now
        for url in released:
            self._pool.release(url)
        if opening > 1:
            self.overload.hold()

    def _tiles_of(self, camera_id: str) -> list[TileView]:
        return [t for t in self.tiles() if t.camera is not None and t.camera.id == camera_id]

    def _group_tiles_of(self, camera_id: str) -> list[TileView]:
        """The tiles of ``camera_id`` on every wall of the group (this one first)."""
        walls = [self, *(w for w in self.group if w is not self)]
        return [t for wall in walls for t in wall._tiles_of(camera_id)]

    def _stream_kind(self, camera: Camera, extra: TileView | None = None) -> StreamKind:
        """The stream for ``camera``: what its widest tile on any wall of the group needs (``extra``: a tile
        about to show it)."""
        tiles = self._group_tiles_of(camera.id)
        if extra is not None and extra not in tiles:
            tiles.append(extra)
        showing = [t for t in tiles if t.isVisible()] or tiles
        width = max(t.width_px() for t in showing)
        current = next((t.stream_kind for t in tiles if t.stream_kind is not None and t is not extra), None)
        if any(wall.overload.policy.level(camera.id) >= Degrade.SUB for wall in (self, *self.group)):
            width = 0  # turned down by the overload policy (of any wall): the sub stream whatever the size
        return choose_stream(camera, width, current=current)

    # ---- internals ----------------------------------------------------------------------------------
    def _check_index(self, index: int) -> None:
        if not 0 <= index < self.model.tile_count:
            raise IndexError(f"no tile {index} on a wall of {self.model.tile_count}")

    def _relayout(self) -> None:
        while self._grid.count():
            self._grid.takeAt(0)
        layout = self.model.layout
        maximized = self.model.maximized
        if maximized is not None:
            rows = cols = 1
            shown = {maximized}
            self._grid.addWidget(self._tiles[maximized], 0, 0)
        else:
            rows, cols = layout.rows, layout.cols
            shown = set(range(layout.tiles))
            for i, rect in enumerate(layout.rects):
                self._grid.addWidget(self._tiles[i], rect.row, rect.col, rect.rows, rect.cols)
        side = WallLayout.for_tiles(MAX_TILES).rows
        for k in range(side):
            self._grid.setRowStretch(k, 1 if k < rows else 0)
            self._grid.setColumnStretch(k, 1 if k < cols else 0)
        for tile in self._tiles:
            tile.setVisible(tile.index in shown)

    def _take_frames(self) -> None:
        """Frames came in (the readers woke the walls): the visible tiles take theirs and repaint."""
        if not self.isVisible():
            return
        started = time.perf_counter()
        for tile in self.tiles():
            if tile.isVisible():
                tile.take_frame()
        self.gui_s += time.perf_counter() - started

    def video_seconds(self) -> float:
        """The GUI thread's seconds on the walls of this group so far: ticks, taking and painting frames (the
        overload policy compares the GUI's lateness with it)."""
        walls = (self, *(w for w in self.group if w is not self))
        return sum(w.gui_s + sum(tile.paint_s for tile in w._tiles) for w in walls)

    def _tick(self) -> None:
        """Refresh visible tiles; re-choose main/sub for cameras whose tiles' size has settled."""
        if not self.isVisible():
            self.overload.pause()
            return
        now = time.monotonic()
        started = time.perf_counter()
        if self.overload.tick(now):
            self._apply_overload(self.overload.evaluate(self.tiles(), now, self.video_seconds()))
        if any(tile.size_dirty for wall in (self, *self.group) for tile in wall._tiles):
            self.retarget_sizes()
        settled: dict[str, Camera] = {}
        self._ticks += 1
        # which tiles may be 直显 is asked a few times a second (what ends it at once — a zoom, the overlay, a
        # tile hidden or cleared — ends it itself); None: leave each tile as it is
        direct = self._direct_tiles() if self._ticks % DIRECT_REFRESH_EVERY == 0 else None
        for tile in self.tiles():
            if not tile.isVisible():
                continue
            if tile.direct and (direct is None or tile in direct) and (self._ticks + tile.index) % DIRECT_REFRESH_EVERY:
                continue  # presented by the decoder: badge and fps need a few refreshes a second, not every tick
            tile.refresh(now)
            if tile.direct:
                problem = tile.check_direct()
                if problem is not None and problem[1]:
                    note_lasting_error(problem[0])
                    direct = set()
                elif problem is not None:
                    log.warning("wall: tile %d is painted again: %s", tile.index, problem[0])
            if direct is not None:
                tile.set_direct(tile in direct)
            elif tile.direct and tile.badge_level != "live":
                tile.set_direct(False)  # a stream that stopped: its last picture is painted dimmed at once
            if tile.resized_at is not None and now - tile.resized_at >= RESIZE_SETTLE_S:
                tile.resized_at = None
                if tile.camera is not None:
                    settled[tile.camera.id] = tile.camera
        for camera in settled.values():
            self._maybe_switch_stream(camera)
        self.gui_s += time.perf_counter() - started

    def _direct_tiles(self) -> set[TileView]:
        """The visible tiles whose pictures the decoder may put into their windows (直显, see
        :mod:`commandwall.ui.wall.direct`): eligible, and the only visible tile of their stream on the group's
        walls (a stream shown twice is painted by Qt: the decoder puts a stream into one window)."""
        if not direct_video_possible():
            return set()
        shown: dict[int, list[TileView]] = {}
        for wall in (self, *(w for w in self.group if w is not self)):
            for tile in wall._tiles:
                if tile.reader is not None and tile.isVisible():
                    shown.setdefault(id(tile.reader), []).append(tile)
        return {tiles[0] for tiles in shown.values() if len(tiles) == 1 and tiles[0].direct_eligible()}

    def retarget_sizes(self) -> None:
        """Tell each reader of the group's visible tiles the box its widest tile wants frames scaled to (the
        largest width and height among them); a smaller tile of the same camera scales on paint."""
        boxes: dict[int, tuple[object, int, int]] = {}
        for wall in (self, *(w for w in self.group if w is not self)):
            for tile in wall._tiles:
                tile.size_dirty = False
                reader = tile.reader
                if reader is None or not tile.isVisible():
                    continue
                width, height = tile.display_box()
                _reader, w0, h0 = boxes.get(id(reader), (reader, 0, 0))
                boxes[id(reader)] = (reader, max(width, w0), max(height, h0))
        for reader, width, height in boxes.values():
            setter = getattr(reader, "set_display_size", None)
            if setter is not None and getattr(reader, "display_size", None) != (width, height):
                setter((width, height))

    def _apply_overload(self, changes: dict[str, Degrade]) -> None:
        """Move cameras the policy turned down (or up) to their stream, then set their key-frame mode."""
        for camera_id, level in changes.items():
            tiles = self._tiles_of(camera_id)
            if tiles and tiles[0].camera is not None:
                self._maybe_switch_stream(tiles[0].camera)
            for tile in tiles:
                apply_key_frames(tile, level)

    def _maybe_switch_stream(self, camera: Camera) -> None:
        """Move every tile of ``camera`` (on every wall of the group) to the stream its widest visible tile
        needs, if that changed."""
        tiles = [t for t in self._group_tiles_of(camera.id) if t.stream_url is not None]
        if not tiles:
            return
        kind = self._stream_kind(camera)
        if all(t.stream_kind == kind for t in tiles):
            return
        url = stream_url(camera, kind)
        for tile in tiles:
            if tile.stream_kind == kind:
                continue
            old_url = tile.stream_url
            tile.switch_stream(self._pool.acquire(url, camera.id, switching=True), kind, url)
            if old_url is not None:
                self._pool.release(old_url)
        log.info("wall: %s switches to the %s stream (%d tile(s))", camera.id, kind, len(tiles))
