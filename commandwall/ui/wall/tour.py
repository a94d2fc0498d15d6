"""Running a video tour (轮巡) on the wall: a GUI-thread timer that puts the next page up every dwell."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from commandwall.domain.models import Camera, CameraStatus
from commandwall.ui.wall.wall import WallView
from commandwall.video.tour import Tour, TourCursor

log = logging.getLogger(__name__)


class TourRunner(QObject):
    """Steps a :class:`WallView` through a :class:`Tour`, page by page.

    ``camera_lookup(id)`` gives the camera as the platform knows it now (``CameraStore.get``): a camera it
    does not know, or reports offline, is skipped on the next page. Each page plays camera *k* in tile *k*
    (a tile that already plays that camera is left alone, so its stream does not blink); tiles left over
    on a short page are stopped. A page with no camera online leaves the wall as it is.

    Playing a camera by hand does not stop the tour — the next page replaces it; :meth:`pause` holds the
    current page. :meth:`stop` leaves the current cameras playing.

    Signals: ``sig_page(tour_name, page, pages)`` after each page (``page`` 0: no camera online);
    ``sig_stopped()`` when a running tour stops.

    ``interval_ms`` overrides the tour's dwell (for tests and demos: a :class:`Tour` insists on 3–600 s).
    Lives on the GUI thread; the parent defaults to the wall.
    """

    sig_page = Signal(str, int, int)
    sig_stopped = Signal()

    def __init__(
        self,
        wall: WallView,
        camera_lookup: Callable[[str], Camera | None],
        parent: QObject | None = None,
        *,
        interval_ms: int | None = None,
    ) -> None:
        super().__init__(parent if parent is not None else wall)
        if interval_ms is not None and interval_ms < 1:
            raise ValueError(f"interval_ms must be at least 1, not {interval_ms!r}")
        self._wall = wall
        self._lookup = camera_lookup
        self._interval_override = interval_ms
        self._cursor: TourCursor | None = None
        self._paused = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.advance)

    # ---- state ---------------------------------------------------------------------------------------
    @property
    def current_tour(self) -> Tour | None:
        """The tour started and not stopped (also while paused), or None."""
        return self._cursor.tour if self._cursor is not None else None

    @property
    def cursor(self) -> TourCursor | None:
        """Where the current tour stands (page number, page count), or None."""
        return self._cursor

    def is_running(self) -> bool:
        """True from :meth:`start` until :meth:`stop`, paused or not."""
        return self._cursor is not None

    def is_paused(self) -> bool:
        """True while a running tour holds its page."""
        return self._cursor is not None and self._paused

    @property
    def interval_ms(self) -> int:
        """Milliseconds per page of the current tour (0 when none runs)."""
        return self._timer.interval() if self._cursor is not None else 0

    # ---- commands ------------------------------------------------------------------------------------
    def start(self, tour: Tour) -> None:
        """Show the first page of ``tour`` now and a new page every dwell.

        Starting while another tour runs replaces it (no ``sig_stopped`` in between).
        """
        self._timer.stop()
        self._cursor = TourCursor(tour)
        self._paused = False
        interval = self._interval_override or round(tour.dwell_s * 1000)
        self._timer.setInterval(interval)
        log.info("tour %r: %d cameras, %d ms per page", tour.name, len(tour.camera_ids), interval)
        self.advance()
        self._timer.start()

    def stop(self) -> None:
        """End the tour; the cameras of the current page keep playing. No-op when none runs."""
        if self._cursor is None:
            return
        self._timer.stop()
        log.info("tour %r stopped", self._cursor.tour.name)
        self._cursor = None
        self._paused = False
        self.sig_stopped.emit()

    def pause(self) -> None:
        """Hold the current page until :meth:`resume`."""
        if self._cursor is not None and not self._paused:
            self._paused = True
            self._timer.stop()

    def resume(self) -> None:
        """Go on after :meth:`pause`: the next page comes one full dwell from now."""
        if self._cursor is not None and self._paused:
            self._paused = False
            self._timer.start()

    def advance(self) -> None:
        """Put the next page on the wall now (the timer calls this every dwell)."""
        cursor = self._cursor
        if cursor is None:
            return
        tiles = self._wall.tile_count()
        page = cursor.next_page(tiles, self._is_online)
        if page:
            for index, camera_id in enumerate(page):
                camera = self._lookup(camera_id)
                if camera is None:  # vanished between the online check and now
                    self._wall.stop(index)
                    continue
                shown = self._wall.tile(index).camera
                if shown is None or shown.id != camera.id:
                    self._wall.play(camera, index)
            for index in range(len(page), tiles):
                self._wall.stop(index)
        log.debug("tour %r: page %d/%d %s", cursor.tour.name, cursor.page_number, cursor.page_count, page)
        self.sig_page.emit(cursor.tour.name, cursor.page_number, cursor.page_count)

    # ---- internals -----------------------------------------------------------------------------------
    def _is_online(self, camera_id: str) -> bool:
        camera = self._lookup(camera_id)
        return camera is not None and camera.status == CameraStatus.ONLINE
