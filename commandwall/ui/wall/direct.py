"""直显: a tile's pictures put straight into a native X window by the decoder process, and the tile's name bar and
fps caption as small native windows above it.

Painting every picture through Qt costs the client a wake-up, a copy into the window's back buffer and a flush
per picture per tile — at 16 tiles more CPU than decoding the streams (``benchmarks/bench_wall.py``). A live tile
that nothing is drawn over instead gets a :class:`VideoSurface`: a native child window that Qt never paints, whose
XID goes to the decoder process, which scales each picture into shared memory and has the X server copy it into
the window (:mod:`commandwall.video.x11present`). The client hears of the pictures twice a second (their times
for fps, latency and staleness; the newest one for its own painting when it stops presenting). What Qt would draw
over the picture — the name bar with the badge, the fps caption — is drawn into :class:`ChromeStrip` windows
stacked above the surface (the X server clips the pictures to what they leave uncovered).

Only where it can work: Qt on X11 (xcb), streams decoded in the decoder process, and the display's MIT-SHM
reachable from it (the decoder tries; a display that refuses is said once in the log and the walls paint as
before). ``COMMANDWALL_DIRECT_VIDEO=0`` turns it off. A tile that is zoomed, shows its stream overlay, is not live
(dimmed, 重连中, 离线) or shares its stream with another tile is painted by Qt as before.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QPaintEngine, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

#: the environment variable that turns 直显 off ("0")
DIRECT_VIDEO_ENV = "COMMANDWALL_DIRECT_VIDEO"
#: the surface is this many pixels inside the tile: the selection border stays the tile's own painting
SURFACE_INSET = 2

_lasting_error: str | None = None  # why the display cannot be used (said once): no tile tries again


def direct_video_possible() -> bool:
    """Whether tiles may ask for 直显 here: Qt on X11 with a display name, not turned off, and no lasting refusal
    from the decoder (no MIT-SHM, memory the server cannot reach) so far."""
    if _lasting_error is not None or os.environ.get(DIRECT_VIDEO_ENV, "1").strip() == "0":
        return False
    app = QGuiApplication.instance()
    return app is not None and QGuiApplication.platformName() == "xcb" and bool(os.environ.get("DISPLAY"))


def display_name() -> str:
    """The X display Qt is on (its ``DISPLAY``)."""
    return os.environ.get("DISPLAY", "")


def note_lasting_error(reason: str) -> None:
    """The decoder cannot put pictures into windows on this display: said once, and no tile asks again."""
    global _lasting_error
    if _lasting_error is None:
        _lasting_error = reason
        log.warning("direct video off: the decoder process cannot put pictures into the windows (%s); the walls "
                    "paint them", reason)  # fmt: skip


def lasting_error() -> str | None:
    """Why 直显 is off for good in this process (None: it is not)."""
    return _lasting_error


class VideoSurface(QWidget):
    """A native child window the decoder process puts a tile's pictures into; Qt never paints it. Mouse events go
    through to the tile. An expose (the window was uncovered) asks ``on_expose`` to have the picture put again."""

    def __init__(self, parent: QWidget, on_expose: Callable[[], None],
                 on_window_changed: Callable[[], None]) -> None:  # fmt: skip
        super().__init__(parent)
        self._on_window_changed = on_window_changed
        for attribute in (Qt.WidgetAttribute.WA_NativeWindow, Qt.WidgetAttribute.WA_DontCreateNativeAncestors,
                          Qt.WidgetAttribute.WA_PaintOnScreen, Qt.WidgetAttribute.WA_NoSystemBackground,
                          Qt.WidgetAttribute.WA_OpaquePaintEvent, Qt.WidgetAttribute.WA_TransparentForMouseEvents):
            self.setAttribute(attribute)  # fmt: skip
        self.setObjectName("videoSurface")
        self._on_expose = on_expose

    def event(self, event: QEvent) -> bool:
        """A new native window (Qt makes one when the tile's window changes: a dock floated, a wall moved to
        another top-level window) is told to the decoder."""
        if event.type() == QEvent.Type.WinIdChange:
            self._on_window_changed()
        return super().event(event)

    def paintEngine(self) -> QPaintEngine | None:  # noqa: N802
        """None: Qt draws nothing into this window (the decoder does)."""
        return None

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """The window was uncovered: the decoder puts the last picture again."""
        self._on_expose()


class ChromeStrip(QWidget):
    """A small native window above a :class:`VideoSurface` that Qt paints with ``paint`` (the tile's name bar, or
    its fps caption): opaque, since a child window of X11 cannot be see-through. Mouse events go through."""

    def __init__(self, parent: QWidget, name: str, paint: Callable[[QPainter], None]) -> None:
        super().__init__(parent)
        for attribute in (Qt.WidgetAttribute.WA_NativeWindow, Qt.WidgetAttribute.WA_DontCreateNativeAncestors,
                          Qt.WidgetAttribute.WA_OpaquePaintEvent, Qt.WidgetAttribute.WA_TransparentForMouseEvents):
            self.setAttribute(attribute)  # fmt: skip
        self.setObjectName(name)
        self._paint = paint

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """Paint what the tile draws here."""
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()
