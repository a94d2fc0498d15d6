"""One tile of the video wall: the newest frame of a stream, the camera name and a state badge."""

from __future__ import annotations

import time

from PySide6.QtCore import QMimeData, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from commandwall.domain.models import Camera, CameraStatus
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.wall.overlay import BADGE_COLORS, BADGE_TEXT_COLORS, fit_rect, info_lines, paint_info, tile_badge
from commandwall.video.dragdrop import CAMERA_IDS_MIME, WALL_TILE_MIME, encode_camera_ids, encode_wall_tile
from commandwall.video.latency import DisplayLatency
from commandwall.video.layout import StreamKind
from commandwall.video.overload import Degrade
from commandwall.video.reader import Frame, FrameSource, StreamStats
from commandwall.video.zoom import WHEEL_STEP, DigitalZoom

# Command-centre dark palette
WALL_BG = QColor("#070b12")
TILE_BG = QColor("#000000")
TILE_BORDER = QColor("#1c2636")
SELECTED_BORDER = QColor("#2ea8ff")
DROP_BORDER = QColor("#f5c518")
BAR_BG = QColor(6, 10, 18, 170)
TEXT = QColor("#e6edf3")
TEXT_DIM = QColor("#5b6b80")
DEGRADED_TEXT = QColor("#f5b83d")
class TileView(QWidget):
    """A video tile. It holds no thread and no timer: the wall calls :meth:`refresh` ~25 times a second.

    ``refresh`` takes the reader's newest frame and, only when its ``seq`` changed, wraps it as a
    Format_BGR888 ``QImage`` and converts that once to RGB32 for painting, then schedules a repaint; it
    also repaints when the badge or fps text changes. Text (camera name) is drawn with
    ``QPainter.drawText``, so it is never read as markup.
    """

    sig_clicked = Signal(int)
    sig_double_clicked = Signal(int)
    sig_dropped = Signal(int, QMimeData)  # this tile, what was dropped on it
    sig_context_menu = Signal(int, QPoint)  # this tile, where (global)

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._index = index
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(48, 27)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setObjectName(f"wallTile{index}")
        self.camera: Camera | None = None
        self.camera_status = CameraStatus.ONLINE
        self.stream_kind: StreamKind | None = None
        self.stream_url: str | None = None
        self.reader: FrameSource | None = None
        self.resized_at: float | None = None  # set on resize, cleared by the wall once it chose a stream
        self._selected = False
        self._frame: Frame | None = None  # the frame on screen (identity = reader + seq)
        self._image: QImage | None = None
        self._overlay: tuple[str, str, int] = (translate("WallTile", "空闲"), "idle", 0)
        self.frames_painted = 0
        self.wall_id = ""  # set by the wall: a tile dragged onto a tile of the same wall swaps with it
        self._press_at: QPoint | None = None
        self._drop_hover = False
        self.show_info = False  # the 码流信息 overlay
        self.latency = DisplayLatency()  # camera/receive/decode → paint of the pictures shown
        self.degrade = Degrade.NONE  # what the overload policy did to this tile's stream
        self.zoom = DigitalZoom()  # 电子放大: wheel zooms, a drag pans while zoomed
        self._pan_from: QPointF | None = None
        self.setAcceptDrops(True)

    # ---- state set by the wall -----------------------------------------------------------------------
    @property
    def index(self) -> int:
        """Position on the wall (0-based, row by row)."""
        return self._index

    @property
    def is_empty(self) -> bool:
        """True when no camera is assigned."""
        return self.camera is None

    @property
    def selected(self) -> bool:
        """Whether this tile carries the selection highlight."""
        return self._selected

    def width_px(self) -> int:
        """Width in device pixels (what the stream choice compares with ~800)."""
        return int(self.width() * self.devicePixelRatioF())

    def show_stream(
        self,
        camera: Camera,
        reader: FrameSource,
        kind: StreamKind,
        url: str,
        status: CameraStatus = CameraStatus.ONLINE,
    ) -> None:
        """Show ``camera`` from ``reader`` (the wall acquired it); ``status`` is what the platform says."""
        self.camera = camera
        self.camera_status = status
        self.zoom.reset()
        self._frame = None
        self._image = None
        self.switch_stream(reader, kind, url)
        self.refresh()
        self.update()

    def switch_stream(self, reader: FrameSource, kind: StreamKind, url: str) -> None:
        """Change to another stream of the same camera, keeping the last picture until the new one plays."""
        self.latency.reset()
        self.reader = reader
        self.stream_kind = kind
        self.stream_url = url

    def clear(self) -> None:
        """Empty the tile (the wall released its reader)."""
        self.camera = None
        self.reader = None
        self.degrade = Degrade.NONE
        self.stream_kind = None
        self.stream_url = None
        self.camera_status = CameraStatus.ONLINE
        self.zoom.reset()
        self._frame = None
        self._image = None
        self.refresh()
        self.update()

    def set_camera_status(self, status: CameraStatus) -> None:
        """What the platform says about the camera (offline → 离线)."""
        if status is not self.camera_status:
            self.camera_status = status
            self.refresh()
            self.update()

    def set_degrade(self, level: Degrade) -> None:
        """Note what the overload policy did (shown in the bottom-right corner: 降帧 / 负载保护)."""
        if level is not self.degrade:
            self.degrade = level
            self.update()

    def corner_text(self, fps: int) -> str:
        """The bottom-right caption: fps and stream, and 降帧 while only key frames are decoded."""
        kind = translate("WallTile", "主码流") if self.stream_kind == "main" else translate("WallTile", "子码流")
        if self.degrade is Degrade.KEY_FRAMES:
            return translate("WallTile", "降帧 · 仅关键帧 {fps} fps · {kind}").format(fps=fps, kind=kind)
        if self.degrade is Degrade.SUB:
            return translate("WallTile", "{fps} fps · {kind}（负载保护）").format(fps=fps, kind=kind)
        return f"{fps} fps · {kind}"

    def set_selected(self, selected: bool) -> None:
        """Draw or remove the selection highlight."""
        if selected != self._selected:
            self._selected = selected
            self.update()

    # ---- polling -------------------------------------------------------------------------------------
    @property
    def frame(self) -> Frame | None:
        """The frame on screen (None before the first)."""
        return self._frame

    def set_show_info(self, on: bool) -> None:
        """Show or hide the 码流信息 overlay (codec, resolution, fps, dropped frames, picture age)."""
        if on != self.show_info:
            self.show_info = on
            self.update()

    def info_lines(self) -> list[str]:
        """The overlay's lines as they read now."""
        return info_lines(self.stats(), self.stream_kind, self.latency)

    def stats(self) -> StreamStats | None:
        """The reader's stats, or None for an empty tile."""
        return self.reader.stats() if self.reader is not None else None

    def badge(self, now: float | None = None) -> tuple[str, str]:
        """Badge text and level as shown now."""
        return tile_badge(self.camera is not None, self.camera_status, self.stats(), now)

    def caption(self) -> str:
        """The camera name as the tile's top bar shows it (before eliding): platform text through
        ``display_text``; "" for an empty tile."""
        return display_text(self.camera.name) if self.camera is not None else ""

    def state_text(self) -> str:
        """The badge text as shown now (直播, 重连中, 离线 …)."""
        return self.badge()[0]

    def refresh(self, now: float | None = None) -> bool:
        """Pick up a new frame and state; schedule a repaint if anything visible changed."""
        now = time.monotonic() if now is None else now
        changed = False
        stats = None
        if self.reader is not None:
            frame = self.reader.latest()
            # a new seq is a new Frame object (also across a main/sub switch, where seq restarts)
            if frame is not None and frame is not self._frame:
                self._set_frame(frame)
                changed = True
            stats = self.reader.stats()
        text, level = tile_badge(self.camera is not None, self.camera_status, stats, now)
        overlay = (text, level, round(stats.fps) if stats else 0)
        if overlay != self._overlay:
            self._overlay = overlay
            changed = True
        if changed:
            self.update()
        return changed

    def _set_frame(self, frame: Frame) -> None:
        image = frame.image
        height, width = image.shape[:2]
        self._frame = frame
        wrapped = QImage(image.data, width, height, image.strides[0], QImage.Format.Format_BGR888)
        # One conversion per new frame to the raster engine's native format: the scaled, smooth draw in
        # paintEvent is then ~2× cheaper than drawing BGR888 directly (benchmarks/bench_video.py).
        self._image = wrapped.convertToFormat(QImage.Format.Format_RGB32)

    # ---- painting and input --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """Frame with black bars, then name bar, badge, fps and border."""
        painter = QPainter(self)
        try:
            rect = self.rect()
            painter.fillRect(rect, TILE_BG)
            text, level, fps = self._overlay
            if self._image is not None:
                target = fit_rect(self._image.width(), self._image.height(), rect)
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                if self.zoom.active:
                    painter.drawImage(target, self._image, QRectF(*self.zoom.source_rect(self._image.width(),
                                                                                          self._image.height())))
                else:
                    painter.drawImage(target, self._image)
                if self._frame is not None:
                    self.latency.painted(self._frame, time.monotonic())
                if level != "live":
                    painter.fillRect(target, QColor(0, 0, 0, 120))  # dim a picture that is not live
                self.frames_painted += 1
            bar_h = max(16, min(30, rect.height() // 10))
            font = QFont(self.font())
            font.setPixelSize(max(9, int(bar_h * 0.6)))
            painter.setFont(font)
            metrics = QFontMetrics(font)
            if self._image is None:
                painter.setPen(TEXT_DIM)
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._placeholder(level))
            self._paint_top_bar(painter, metrics, bar_h, text, level)
            if self.show_info and self.camera is not None:
                paint_info(painter, rect.adjusted(0, bar_h, 0, 0), self.info_lines(), metrics)
            if self.camera is not None and (fps > 0 or self.degrade is Degrade.KEY_FRAMES):
                painter.setPen(TEXT if self.degrade is Degrade.NONE else DEGRADED_TEXT)
                corner = rect.adjusted(0, 0, -6, -4)
                painter.drawText(corner, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                                 self.corner_text(fps))  # fmt: skip
            if self.zoom.active:
                painter.setPen(TEXT)
                zoom = translate("WallTile", "电子放大 ×{zoom}").format(zoom=f"{self.zoom.zoom:.1f}")
                painter.drawText(rect.adjusted(6, 0, 0, -4), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                                 zoom)  # fmt: skip
            border = DROP_BORDER if self._drop_hover else SELECTED_BORDER if self._selected else TILE_BORDER
            width = 3 if self._drop_hover else 2 if self._selected else 1
            painter.setPen(QPen(border, width))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(width // 2, width // 2, -((width + 1) // 2), -((width + 1) // 2)))
        finally:
            painter.end()

    def _placeholder(self, level: str) -> str:
        if self.camera is None:
            return translate("WallTile", "窗口 {number}").format(number=self._index + 1)
        if level == "error":
            return translate("WallTile", "摄像机离线")
        if self._overlay[0] == translate("WallTile", "重连中"):
            return translate("WallTile", "视频流无法连接，正在重试…")
        return translate("WallTile", "正在连接…")

    def _paint_top_bar(
        self, painter: QPainter, metrics: QFontMetrics, bar_h: int, text: str, level: str
    ) -> None:
        rect = self.rect()
        painter.fillRect(QRect(0, 0, rect.width(), bar_h), BAR_BG)
        pad = max(4, bar_h // 4)
        badge_w = metrics.horizontalAdvance(text) + 2 * pad
        badge = QRect(rect.width() - badge_w - pad, 2, badge_w, bar_h - 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BADGE_COLORS[level])
        painter.drawRoundedRect(badge, 3, 3)
        painter.setPen(BADGE_TEXT_COLORS.get(level, TEXT))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        if self.camera is not None:
            name_w = max(0, badge.left() - 2 * pad)
            name = metrics.elidedText(self.caption(), Qt.TextElideMode.ElideRight, name_w)
            painter.setPen(TEXT)
            painter.drawText(QRect(pad, 0, name_w, bar_h), Qt.AlignmentFlag.AlignVCenter, name)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Note the time: the wall re-chooses main/sub once the size has settled."""
        self.resized_at = time.monotonic()
        super().resizeEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Left click selects the tile (and may start a drag, or a pan while zoomed)."""
        if event.button() == Qt.MouseButton.LeftButton:
            self._press_at = event.position().toPoint()
            self._pan_from = event.position() if self.zoom.active else None
            self.sig_clicked.emit(self._index)
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """End of a click: no drag or pan any more."""
        self._press_at = self._pan_from = None
        super().mouseReleaseEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        """电子放大: the wheel zooms the picture in and out around the cursor (1× … 8×)."""
        target = self._picture_rect()
        steps = event.angleDelta().y() / 120
        if target.isEmpty() or steps == 0:
            event.ignore()
            return
        pos = event.position()
        self.zoom.zoom_at((pos.x() - target.x()) / target.width(), (pos.y() - target.y()) / target.height(),
                          WHEEL_STEP**steps)  # fmt: skip
        event.accept()
        self.update()

    def reset_zoom(self) -> None:
        """Show the whole picture again."""
        self.zoom.reset()
        self.update()

    def _picture_rect(self) -> QRectF:
        image = self._image
        return QRectF() if image is None else fit_rect(image.width(), image.height(), self.rect())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """While zoomed a drag pans the picture; otherwise dragging a playing tile far enough drags its camera
        (onto another tile: a swap)."""
        if self._pan_from is not None and event.buttons() & Qt.MouseButton.LeftButton:
            target = self._picture_rect()
            if not target.isEmpty():
                delta = event.position() - self._pan_from
                self.zoom.pan(delta.x() / target.width(), delta.y() / target.height())
                self.update()
            self._pan_from = event.position()
            return
        start = self._press_at
        if (start is not None and self.camera is not None and event.buttons() & Qt.MouseButton.LeftButton
                and (event.position().toPoint() - start).manhattanLength() >= QApplication.startDragDistance()):
            self._press_at = None
            drag = QDrag(self)
            drag.setMimeData(self.drag_mime())
            drag.setPixmap(self.grab().scaledToWidth(min(160, max(1, self.width()))))
            drag.exec(Qt.DropAction.MoveAction | Qt.DropAction.CopyAction, Qt.DropAction.MoveAction)
            return
        super().mouseMoveEvent(event)

    def drag_mime(self) -> QMimeData:
        """What dragging this tile carries: its camera id and, for a drop within the wall, the tile."""
        mime = QMimeData()
        if self.camera is not None:
            mime.setData(CAMERA_IDS_MIME, encode_camera_ids([self.camera.id]))
            mime.setText(self.camera.id)
        mime.setData(WALL_TILE_MIME, encode_wall_tile(self.wall_id, self._index))
        return mime

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        """Cameras (from the camera list, the map, another tile) may be dropped here."""
        if event.mimeData().hasFormat(CAMERA_IDS_MIME) or event.mimeData().hasFormat(WALL_TILE_MIME):
            event.acceptProposedAction()
            self._set_drop_hover(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        """Keep accepting while the drag moves over the tile."""
        event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802
        """The drag went elsewhere: drop the highlight."""
        self._set_drop_hover(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        """Hand the drop to the wall (it decides: swap, or play the cameras from this tile on)."""
        self._set_drop_hover(False)
        event.acceptProposedAction()
        self.sig_dropped.emit(self._index, event.mimeData())

    def _set_drop_hover(self, on: bool) -> None:
        if on != self._drop_hover:
            self._drop_hover = on
            self.update()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        """Right click: the wall shows the tile's menu."""
        self.sig_context_menu.emit(self._index, event.globalPos())

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Double click fills the wall with this tile (or restores the layout)."""
        if event.button() == Qt.MouseButton.LeftButton:
            self.sig_double_clicked.emit(self._index)
        super().mouseDoubleClickEvent(event)
