"""One tile of the video wall: the newest frame of a stream, the camera name and a state badge."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, QRect, QRectF, Qt, Signal
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
    QHideEvent,
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
from commandwall.ui.wall.direct import SURFACE_INSET, ChromeStrip, VideoSurface, display_name
from commandwall.ui.wall.frame_wake import frame_wake
from commandwall.ui.wall.overlay import (
    BADGE_COLORS,
    BADGE_TEXT_COLORS,
    failure_text,
    info_lines,
    paint_info,
    paint_notice,
    tile_badge,
)
from commandwall.video.capture import BGRX_IS_RGB32, display_width
from commandwall.video.dragdrop import CAMERA_IDS_MIME, WALL_TILE_MIME, encode_camera_ids, encode_wall_tile
from commandwall.video.latency import DisplayLatency
from commandwall.video.layout import StreamKind
from commandwall.video.overload import Degrade
from commandwall.video.reader import Frame, FrameSource, StreamState, StreamStats
from commandwall.video.zoom import WHEEL_STEP, DigitalZoom

# Command-centre dark palette
WALL_BG = QColor("#070b12")
TILE_BG = QColor("#000000")
TILE_BORDER = QColor("#1c2636")
SELECTED_BORDER = QColor("#2ea8ff")
DROP_BORDER = QColor("#f5c518")
#: a tile whose window the decoder could not put pictures into (a window made slowly, a transient failure) is
#: painted by Qt, and asked for 直显 again after this many seconds
DIRECT_RETRY_S = 30.0
DIMMED = QColor(0, 0, 0, 120)  # over a picture that is not live
BAR_BG = QColor(6, 10, 18, 215)  # dark enough that a picture's own lines and text do not read through the name
BAR_OPAQUE = QColor(5, 8, 15)  # the bar over black: a name bar above a presented picture (直显) cannot be see-through
TEXT = QColor("#e6edf3")
TEXT_DIM = QColor("#5b6b80")
DEGRADED_TEXT = QColor("#f5b83d")
class TileView(QWidget):
    """A video tile. It holds no thread and no timer: the wall calls :meth:`refresh` ~25 times a second.

    ``refresh`` takes the reader's newest frame and, only when it changed, wraps it as a ``QImage`` and
    schedules a repaint; it also repaints when the badge or fps text changes. The wall has the reader deliver
    frames already scaled to :meth:`display_box` as BGRX (``Format_RGB32``'s bytes), so painting is a 1:1 copy
    (no conversion, no smooth scaling on the GUI thread); a frame of another size — the first frames after a
    resize, a camera shown in a smaller tile too, a zoomed tile — is drawn scaled. The name bar and the corner
    caption are drawn once into images and reused while their text and size stay. Text (camera name) is drawn
    with ``QPainter.drawText``, so it is never read as markup.
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
        #: seconds the GUI thread spent painting this tile, a running total (the overload policy's video share)
        self.paint_s = 0.0
        self._image: QImage | None = None
        #: badge text and level, fps, 降帧 by frame rate, and a slow sender's speed (None: not slow)
        self._overlay: tuple[str, str, int, bool, float | None] = (translate("WallTile", "空闲"), "idle", 0, False,
                                                                   None)  # fmt: skip
        self.frames_painted = 0
        self.wall_id = ""  # set by the wall: a tile dragged onto a tile of the same wall swaps with it
        self._press_at: QPoint | None = None
        self._drop_hover = False
        self.show_info = False  # the 码流信息 overlay
        self.latency = DisplayLatency()  # camera/receive/decode → paint of the pictures shown
        self.degrade = Degrade.NONE  # what the overload policy did to this tile's stream
        self.zoom = DigitalZoom()  # 电子放大: wheel zooms, a drag pans while zoomed
        self._pan_from: QPointF | None = None
        #: the box the picture should arrive at changed (resize, zoom, new stream): the wall re-targets readers
        self.size_dirty = True
        self._bar_cache: tuple[tuple[object, ...], QImage] | None = None  # the top bar as last drawn
        #: the bottom-right captions (fps changes), each with its width in logical pixels
        self._corner_cache: dict[tuple[object, ...], tuple[QImage, int]] = {}
        #: the picture's geometry for the last (frame size, ratio, tile size): see :func:`picture_geometry`
        self._fit: tuple[object, ...] | None = None
        self._font_key_cache: str | None = None
        #: 直显 (see :mod:`commandwall.ui.wall.direct`): the native window the decoder puts the pictures into, the
        #: name bar and fps caption above it (made the first time), and the target the reader was given
        self._surface: VideoSurface | None = None
        self._bar_strip: ChromeStrip | None = None
        self._corner_strip: ChromeStrip | None = None
        self._direct: dict | None = None
        #: the surface's window the decoder could not put pictures into, and when
        self._direct_refused: tuple[int, float] | None = None
        self.frames_presented = 0  # pictures the decoder put into this tile's window
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

    def display_box(self) -> tuple[int, int]:
        """The box (device pixels) this tile wants its frames scaled to fit: the tile, or while zoomed the
        tile times the zoom up to the stream's own resolution (a magnified part keeps its detail)."""
        ratio = self.devicePixelRatioF()
        inset = 2 * SURFACE_INSET if self._direct is not None else 0  # presented into the surface: its size
        width = max(2, round((self.width() - inset) * ratio))
        height = max(2, round((self.height() - inset) * ratio))
        frame = self._frame
        if self.zoom.active and frame is not None:
            stream_w, stream_h = frame.display_size
            width = max(width, min(round(width * self.zoom.zoom), stream_w))
            height = max(height, min(round(height * self.zoom.zoom), stream_h))
        return width, height

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
        self.set_direct(False)
        self.size_dirty = True
        self.latency.reset()
        self.reader = reader
        if hasattr(reader, "on_frame"):  # a new frame wakes the walls (frame_wake); a reader of its own may not
            reader.on_frame = frame_wake().notify
        self.stream_kind = kind
        self.stream_url = url

    def clear(self) -> None:
        """Empty the tile (the wall released its reader)."""
        self.set_direct(False)
        self.camera = None
        self.reader = None
        self.degrade = Degrade.NONE
        self.stream_kind = None
        self.stream_url = None
        self.camera_status = CameraStatus.ONLINE
        self.zoom.reset()
        self._frame = None
        self._image = None
        self.size_dirty = True
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
            if self._direct is not None:
                self._place_chrome()  # the caption above a presented picture says it too
            self.update()

    # ---- 直显: the decoder puts the pictures into a window of this tile -----------------------------------------
    @property
    def badge_level(self) -> str:
        """The badge's level as last refreshed (live, warn, error, idle …)."""
        return self._overlay[1]

    @property
    def direct(self) -> bool:
        """Whether the decoder is asked to put this tile's pictures into its video surface (直显)."""
        return self._direct is not None

    def direct_eligible(self) -> bool:
        """Whether nothing keeps this tile from 直显: a live picture at its box from a stream decoded in the decoder
        process, not zoomed, no stream overlay, and its surface never refused. (The wall checks the rest: the
        platform, and that no other tile shows the stream.)"""
        frame = self._frame
        refused = (self._direct_refused is not None and self._surface is not None
                   and int(self._surface.internalWinId() or 0) == self._direct_refused[0]
                   and time.monotonic() - self._direct_refused[1] < DIRECT_RETRY_S)  # fmt: skip
        return (not refused and self.camera is not None and self.badge_level == "live"
                and not self.zoom.active and not self.show_info and frame is not None and frame.scaled
                and getattr(self.reader, "can_present", False) and self.isVisible())  # fmt: skip

    def set_direct(self, on: bool) -> None:
        """Have the decoder put the pictures into the video surface (on) or send them all to be painted here
        again (off). On a resize while on, the decoder is told the new size."""
        reader = self.reader
        if not on:
            if self._direct is None:
                return
            self._direct = None
            if reader is not None and hasattr(reader, "set_presentation"):
                reader.set_presentation(None)
            for widget in (self._surface, self._bar_strip, self._corner_strip):
                if widget is not None:
                    widget.hide()
            self.size_dirty = True
            self.update()
            return
        if self._direct is not None or reader is None or not hasattr(reader, "set_presentation"):
            return
        self._retarget_direct()

    def _retarget_direct(self) -> None:
        """Place the surface and tell the reader (and so the decoder) where to put the pictures."""
        reader = self.reader
        if reader is None:
            return
        target = self._direct_target()
        if target != self._direct:
            self._direct = target
            self.size_dirty = True
            reader.set_presentation(target)
            self.update()

    def check_direct(self) -> tuple[str, bool] | None:
        """If the decoder stopped putting the pictures into the surface, go back to painting them and say why
        and whether it lasts (the display cannot be used); None while all is well."""
        reader = self.reader
        if self._direct is None or reader is None or getattr(reader, "presentation", None) is not None:
            return None
        error = getattr(reader, "presentation_error", None)
        self.set_direct(False)
        if error is None:
            return None
        if not error[1] and self._surface is not None:
            # this window failed: painted by Qt until the surface has another window, or for DIRECT_RETRY_S
            self._direct_refused = (int(self._surface.internalWinId() or 0), time.monotonic())
        return error

    def _direct_target(self) -> dict:
        """The surface (made the first time) placed inside the border, shown, and what the decoder needs of it."""
        if self._surface is None:
            self._surface = VideoSurface(self, self._exposed, self._window_changed)
            self._bar_strip = ChromeStrip(self, "wallTileBar", self._paint_bar_strip)
            self._corner_strip = ChromeStrip(self, "wallTileCorner", self._paint_corner_strip)
        inset = SURFACE_INSET
        self._surface.setGeometry(inset, inset, max(1, self.width() - 2 * inset), max(1, self.height() - 2 * inset))
        self._surface.show()
        self._place_chrome()
        ratio = self.devicePixelRatioF()
        size = (max(2, round(self._surface.width() * ratio)), max(2, round(self._surface.height() * ratio)))
        return {"display": display_name(), "window": int(self._surface.winId()), "size": size}

    def _window_changed(self) -> None:
        """Qt made the surface a new native window: the decoder is given it (the old one is gone)."""
        if self._direct is not None and self._surface is not None and self._surface.internalWinId():
            self._retarget_direct()

    def _exposed(self) -> None:
        reader = self.reader
        if self._direct is not None and reader is not None and hasattr(reader, "expose"):
            reader.expose()

    def _bar_height(self) -> int:
        return max(16, min(30, self.height() // 10))

    def _place_chrome(self) -> None:
        """Put the name bar and the fps caption above the surface (the caption only while there is one)."""
        bar, corner = self._bar_strip, self._corner_strip
        if bar is None or corner is None:
            return
        inset, bar_h, w, h = SURFACE_INSET, self._bar_height(), self.width(), self.height()
        bar.setGeometry(inset, inset, max(1, w - 2 * inset), max(1, bar_h - inset))
        bar.show()
        bar.raise_()
        bar.update()
        caption = self.corner_caption()
        if not caption:
            corner.hide()
            return
        image = self._corner(bar_h, caption, w - 12)
        ratio = image.devicePixelRatio()
        cw, ch = round(image.width() / ratio), round(image.height() / ratio)
        corner.setGeometry(max(inset, w - 6 - cw), max(inset, h - 4 - ch), min(cw, w - 2 * inset),
                           min(ch, h - 2 * inset))  # fmt: skip
        corner.show()
        corner.raise_()
        corner.update()

    def _paint_bar_strip(self, painter: QPainter) -> None:
        text, level = self._overlay[:2]
        painter.fillRect(0, 0, self.width(), self._bar_height(), BAR_OPAQUE)
        painter.drawImage(-SURFACE_INSET, -SURFACE_INSET, self._top_bar(self._bar_height(), text, level))

    def _paint_corner_strip(self, painter: QPainter) -> None:
        caption = self.corner_caption()
        if not caption:
            return
        image = self._corner(self._bar_height(), caption, self.width() - 12)
        painter.fillRect(0, 0, image.width(), image.height(), TILE_BG)
        painter.drawImage(0, 0, image)

    def corner_text(self, fps: int, reduced_rate: bool | None = None, slow_speed: float | None = None) -> str:
        """The bottom-right caption: fps and stream, and 降帧 while only key frames are decoded — or, for a
        stream whose every picture is a key frame (MJPEG) or a file, while its frame rate is turned down; for a
        sender slower than real time (``slow_speed``: its speed, e.g. 0.1), 画面延迟 and how slow."""
        kind = translate("WallTile", "主码流") if self.stream_kind == "main" else translate("WallTile", "子码流")
        if slow_speed is not None and self.degrade is not Degrade.KEY_FRAMES:
            return translate("WallTile", "{fps} fps · {kind} · 画面延迟（来流仅实时的 ×{speed}）").format(
                fps=fps, kind=kind, speed=f"{slow_speed:.2g}")
        if self.degrade is Degrade.KEY_FRAMES:
            if reduced_rate is None:
                stats = self.stats()
                reduced_rate = stats is not None and stats.reduced_rate
            if reduced_rate:
                return translate("WallTile", "降帧 · 限帧率 {fps} fps · {kind}").format(fps=fps, kind=kind)
            return translate("WallTile", "降帧 · 仅关键帧 {fps} fps · {kind}").format(fps=fps, kind=kind)
        if self.degrade is Degrade.SUB:
            return translate("WallTile", "{fps} fps · {kind}（负载保护）").format(fps=fps, kind=kind)
        return f"{fps} fps · {kind}"

    def corner_caption(self) -> str:
        """The bottom-right caption as the tile paints it now ("" when it paints none)."""
        _text, _level, fps, reduced_rate, slow = self._overlay
        if self.camera is None or not (fps > 0 or self.degrade is Degrade.KEY_FRAMES):
            return ""
        return self.corner_text(fps, reduced_rate, slow)

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
            if on:
                self.set_direct(False)  # the overlay is painted over the picture: Qt paints both
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
        """The badge text as shown now (直播, 5秒后重连 · 画面停在12秒前, 离线 …)."""
        return self.badge()[0]

    def take_frame(self) -> bool:
        """Take the reader's newest frame if it is new and schedule its repaint (the walls' frame wake-up);
        True if there was one. Badge and fps follow at the next :meth:`refresh` — unless the tile is not shown as
        live yet: then it refreshes all (a picture is never painted dimmed under a stale badge)."""
        reader = self.reader
        if reader is None:
            return False
        if self._overlay[1] != "live":  # the first frame after connecting or a stall: badge and dimming with it
            return self.refresh()
        frame = reader.latest()
        if frame is None or frame is self._frame:
            return False
        self._set_frame(frame)
        if self._direct is None:
            self.update()
        return True

    def refresh(self, now: float | None = None) -> bool:
        """Pick up a new frame and state; schedule a repaint if anything visible changed."""
        now = time.monotonic() if now is None else now
        new_frame = False
        stats = None
        if self.reader is not None:
            frame = self.reader.latest()
            # a new seq is a new Frame object (also across a main/sub switch, where seq restarts)
            if frame is not None and frame is not self._frame:
                self._set_frame(frame)
                new_frame = True
            stats = self.reader.stats()
        text, level = tile_badge(self.camera is not None, self.camera_status, stats, now)
        slow = round(stats.sender_speed, 2) if stats is not None and stats.sender_slow else None
        overlay = (text, level, round(stats.fps) if stats else 0, bool(stats and stats.reduced_rate), slow)
        new_overlay = overlay != self._overlay
        if new_overlay:
            self._overlay = overlay
            if self._direct is not None:
                self._place_chrome()
        if new_overlay or (new_frame and self._direct is None):  # presented: the picture is not Qt's to paint
            self.update()
        return new_frame or new_overlay

    def _set_frame(self, frame: Frame) -> None:
        image = frame.image
        height, width = image.shape[:2]
        self._frame = frame
        if frame.presented:
            self.frames_presented += len(frame.presented)
            self.latency.presented(frame.presented)
        if frame.scaled and BGRX_IS_RGB32:
            # already the raster engine's native format at the size it is shown: wrapped, not converted (the
            # QImage refers to the frame's pixels; the frame, never written to, lives as long as it is shown)
            wrapped = QImage(image.data, width, height, image.strides[0], QImage.Format.Format_RGB32)
        else:
            if frame.scaled:  # pragma: no cover - big-endian machines: BGRX is not RGB32 there
                image = frame.image[:, :, :3].copy()
            wrapped = QImage(image.data, width, height, image.strides[0], QImage.Format.Format_BGR888)
            # one conversion per new frame to the native format: drawing it scaled is ~2× cheaper than BGR888
            wrapped = wrapped.convertToFormat(QImage.Format.Format_RGB32)
        ratio = self.devicePixelRatioF()
        if ratio != 1.0:
            wrapped.setDevicePixelRatio(ratio)
        self._image = wrapped

    # ---- painting and input --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """Frame with black bars, then name bar, badge, fps and border (its time counted in ``paint_s``)."""
        started = time.perf_counter()
        try:
            self._paint()
        finally:
            self.paint_s += time.perf_counter() - started

    def _paint(self) -> None:
        # Qt calls that make a value (a QRect, a QColor, a QPen, ``rect()``) or draw give up the interpreter lock
        # and take it back, waiting behind the reader threads each time; a live frame is painted with five such
        # calls (painter, picture, name bar, corner, end), everything else in Python ints or made once
        painter = QPainter(self)
        try:
            w, h = self.width(), self.height()
            if self._direct is not None:  # the picture, bar and caption are the surface's and strips': the border
                painter.fillRect(0, 0, w, h, TILE_BG)
                self._paint_border(painter, w, h)
                return
            text, level, fps, reduced_rate, slow = self._overlay
            image = self._image
            bar_h = max(16, min(30, h // 10))
            if image is None:
                painter.fillRect(0, 0, w, h, TILE_BG)
            else:
                x, y, pw, ph = self._draw_picture(painter, image, w, h)
                if self._frame is not None:
                    self.latency.painted(self._frame, time.monotonic())
                if level != "live":
                    painter.fillRect(x, y, pw, ph, DIMMED)  # dim a picture that is not live
                self.frames_painted += 1
            # the last picture of a stream being retried says why over it, as a tile without one does
            retrying = image is not None and level != "live" and self._retrying()
            if image is None or retrying or self.show_info or self.zoom.active:
                rect = QRect(0, 0, w, h)
                font = self._caption_font(bar_h)
                painter.setFont(font)
                metrics = QFontMetrics(font)
                if image is None:  # wrapped inside the tile (a small tile's sentence ran off both its sides)
                    painter.setPen(TEXT_DIM)
                    wrapped = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
                    painter.drawText(rect.adjusted(6, bar_h, -6, -bar_h), wrapped, self.placeholder(level))
                elif retrying and not self.show_info:
                    paint_notice(painter, rect, self.placeholder(level), metrics)
                if self.show_info and self.camera is not None:
                    paint_info(painter, rect.adjusted(0, bar_h, 0, 0), self.info_lines(), metrics)
                if self.zoom.active:
                    painter.setPen(TEXT)
                    zoom = translate("WallTile", "电子放大 ×{zoom}").format(zoom=f"{self.zoom.zoom:.1f}")
                    painter.drawText(rect.adjusted(6, 0, 0, -4),
                                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, zoom)  # fmt: skip
            painter.drawImage(0, 0, self._top_bar(bar_h, text, level))
            if self.camera is not None and (fps > 0 or self.degrade is Degrade.KEY_FRAMES):
                corner = self._corner(bar_h, self.corner_text(fps, reduced_rate, slow), w - 12)
                ratio = corner.devicePixelRatio()
                painter.drawImage(round(w - 6 - corner.width() / ratio), round(h - 4 - corner.height() / ratio), corner)
            self._paint_border(painter, w, h)
        finally:
            painter.end()

    def _paint_border(self, painter: QPainter, w: int, h: int) -> None:
        """The tile's border: thicker while selected, yellow while something is dragged over it."""
        width = 3 if self._drop_hover else 2 if self._selected else 1
        painter.setPen(_border_pen(DROP_BORDER if self._drop_hover else SELECTED_BORDER if self._selected
                                   else TILE_BORDER, width))  # fmt: skip
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset, outset = width // 2, (width + 1) // 2
        painter.drawRect(inset, inset, w - inset - outset, h - inset - outset)

    def _draw_picture(self, painter: QPainter, image: QImage, w: int, h: int) -> tuple[int, int, int, int]:
        """Draw the frame centred in the tile (``w`` × ``h``) with black bars around it; returns where it went
        (x, y, width, height). A frame of the size it is shown at is copied 1:1 (no smooth transform: that is
        the reader's job); only a zoomed tile or a frame of another size (just after a resize) is scaled here.
        The geometry is worked out once per frame size and tile size."""
        frame = self._frame
        # a picture at the stream's own samples (not scaled by the reader) of an anamorphic stream is laid out
        # at its display aspect: as wide as its samples times their aspect ratio, drawn stretched
        stretch = frame is not None and not frame.scaled and frame.sar != 1
        width = display_width(image.width(), frame.sar) if stretch else image.width()  # type: ignore[union-attr]
        key = (width, image.height(), image.devicePixelRatio(), w, h)
        if self._fit is None or self._fit[0] != key:
            self._fit = (key, *picture_geometry(*key))
        _, one_to_one, placed, target, bars = self._fit
        for bar in bars:
            painter.fillRect(*bar, TILE_BG)
        if one_to_one and not self.zoom.active and not stretch:
            painter.drawImage(placed[0], placed[1], image)
            return placed
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self.zoom.active:
            painter.drawImage(QRectF(*target), image, QRectF(*self.zoom.source_rect(image.width(), image.height())))
        else:
            painter.drawImage(QRectF(*target), image)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        return placed

    def _font_key(self) -> str:
        """The tile font's key, asked of Qt again only after a font change (``font()`` makes a QFont: a round
        trip for the interpreter lock in every paint)."""
        if self._font_key_cache is None:
            self._font_key_cache = self.font().key()
        return self._font_key_cache

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """A font change makes the captions drawn again."""
        if event.type() == QEvent.Type.FontChange:
            self._font_key_cache = None
        super().changeEvent(event)

    def _caption_font(self, bar_h: int) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(max(9, int(bar_h * 0.6)))
        return font

    def _chrome_image(self, width: int, height: int) -> QImage:
        """A transparent image ``width`` × ``height`` (logical pixels) at the screen's pixel ratio."""
        ratio = self.devicePixelRatioF()
        image = QImage(max(1, round(width * ratio)), max(1, round(height * ratio)),
                       QImage.Format.Format_ARGB32_Premultiplied)  # fmt: skip
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        return image

    def _top_bar(self, bar_h: int, text: str, level: str) -> QImage:
        """The name bar with the state badge, drawn again only when what it shows or the tile's width changes."""
        key = (self.width(), bar_h, text, level, self.caption(), self._font_key(), self.devicePixelRatioF())
        if self._bar_cache is not None and self._bar_cache[0] == key:
            return self._bar_cache[1]
        image = self._chrome_image(self.width(), bar_h)
        painter = QPainter(image)
        try:
            font = self._caption_font(bar_h)
            painter.setFont(font)
            self._paint_top_bar(painter, QFontMetrics(font), bar_h, text, level)
        finally:
            painter.end()
        self._bar_cache = (key, image)
        return image

    def _corner(self, bar_h: int, text: str, room: int) -> QImage:
        """The bottom-right caption (fps, stream, 降帧) as an image at most ``room`` px wide (a longer one ends
        with …: a small tile's caption started off the tile), drawn again only when it changes."""
        color = TEXT if self.degrade is Degrade.NONE else DEGRADED_TEXT
        ratio = self.devicePixelRatioF()
        key: tuple = (bar_h, text, color.rgb(), self._font_key(), ratio)
        cached = self._corner_cache.get(key)  # the whole caption, whatever the tile's width
        if cached is not None and cached[1] <= room:
            return cached[0]
        cached = self._corner_cache.get((*key, room))  # cut for a tile this wide
        if cached is not None:
            return cached[0]
        font = self._caption_font(bar_h)
        metrics = QFontMetrics(font)
        if metrics.horizontalAdvance(text) + 2 > room:
            key = (*key, room)
            text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(0, room - 2))
        width, height = metrics.horizontalAdvance(text) + 2, metrics.height()
        image = self._chrome_image(width, height)
        painter = QPainter(image)
        try:
            painter.setFont(font)
            painter.setPen(color)
            painter.drawText(QRect(0, 0, width, height), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                             text)  # fmt: skip
        finally:
            painter.end()
        if len(self._corner_cache) >= 64:
            self._corner_cache.clear()
        self._corner_cache[key] = (image, width)
        return image

    def _retrying(self) -> bool:
        stats = self.stats()
        return stats is not None and stats.state is StreamState.RECONNECTING

    def placeholder(self, level: str | None = None) -> str:
        """What an empty or picture-less tile says in its middle (窗口 n, 摄像机离线, 正在连接…, why its stream is
        being retried …); a tile whose stream is retried says it over its last picture too."""
        level = self._overlay[1] if level is None else level
        if self.camera is None:
            return translate("WallTile", "窗口 {number}").format(number=self._index + 1)
        if level == "error":
            return translate("WallTile", "摄像机离线")
        stats = self.stats()
        if stats is not None and stats.state is StreamState.RECONNECTING:  # why, in the kind of words one acts on
            return translate("WallTile", "{failure}，正在重试…").format(failure=failure_text(stats.failure))
        return translate("WallTile", "正在连接…")

    def _paint_top_bar(
        self, painter: QPainter, metrics: QFontMetrics, bar_h: int, text: str, level: str
    ) -> None:
        rect = QRect(0, 0, self.width(), bar_h)
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
        """Note the time: the wall re-chooses main/sub once the size has settled, and re-targets the size the
        reader scales frames to at its next tick."""
        self.resized_at = time.monotonic()
        self.size_dirty = True
        super().resizeEvent(event)
        if self._direct is not None:
            self._retarget_direct()  # the surface follows; the decoder is told its new size

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        """A hidden tile (another layout, a maximised tile, its window hidden) stops 直显: the wall turns it on
        again once it shows."""
        self.set_direct(False)
        super().hideEvent(event)

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
        self.size_dirty = True  # a magnified picture is asked for at more pixels
        if self.zoom.active:
            self.set_direct(False)  # Qt paints a magnified picture (the wall turns 直显 on again after a reset)
        event.accept()
        self.update()

    def reset_zoom(self) -> None:
        """Show the whole picture again."""
        self.zoom.reset()
        self.size_dirty = True
        self.update()

    def _picture_rect(self) -> QRectF:
        image = self._image
        if image is None:
            return QRectF()
        _, _, target, _ = picture_geometry(image.width(), image.height(), image.devicePixelRatio(), self.width(),
                                           self.height())  # fmt: skip
        return QRectF(*target)

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


def picture_geometry(
    image_w: int, image_h: int, ratio: float, w: int, h: int
) -> tuple[bool, tuple[int, int, int, int], tuple[float, float, float, float], list[tuple[int, int, int, int]]]:
    """Where a picture of ``image_w`` × ``image_h`` device pixels (at pixel ``ratio``) goes in a tile of ``w`` ×
    ``h``: (shown 1:1, the whole pixels it covers (x, y, width, height), the exact fitted rectangle, the black
    bars around it as (x, y, width, height)). In plain numbers: the painting makes no Qt values for it."""
    if image_w <= 0 or image_h <= 0 or w <= 0 or h <= 0:
        return False, (0, 0, 0, 0), (0.0, 0.0, 0.0, 0.0), [(0, 0, max(0, w), max(0, h))]
    scale = min(w / image_w, h / image_h)
    fit_w, fit_h = image_w * scale, image_h * scale
    target = ((w - fit_w) / 2, (h - fit_h) / 2, fit_w, fit_h)
    width, height = image_w / ratio, image_h / ratio
    one_to_one = abs(fit_w - width) <= 1.0 and abs(fit_h - height) <= 1.0
    if one_to_one:
        placed = ((w - round(width)) // 2, (h - round(height)) // 2, round(width), round(height))
    else:  # the smallest whole-pixel rectangle holding the fitted one
        left, top = math.floor(target[0]), math.floor(target[1])
        placed = (left, top, math.ceil(target[0] + fit_w) - left, math.ceil(target[1] + fit_h) - top)
    left, top = max(0, placed[0]), max(0, placed[1])
    right, bottom = min(w, placed[0] + placed[2]), min(h, placed[1] + placed[3])  # exclusive
    if right <= left or bottom <= top:
        return one_to_one, placed, target, [(0, 0, w, h)]
    inner_h = bottom - top
    bars = [(0, 0, w, top), (0, bottom, w, h - bottom), (0, top, left, inner_h), (right, top, w - right, inner_h)]
    return one_to_one, placed, target, [bar for bar in bars if bar[2] > 0 and bar[3] > 0]


_BORDER_PENS: dict[tuple[int, int], QPen] = {}


def _border_pen(color: QColor, width: int) -> QPen:
    """The tile border's pen, made once per colour and width (making one in every paint costs a round trip for
    the interpreter lock)."""
    key = (color.rgba(), width)
    pen = _BORDER_PENS.get(key)
    if pen is None:
        pen = _BORDER_PENS[key] = QPen(color, width)
    return pen
