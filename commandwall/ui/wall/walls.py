"""One wall per wall screen: a :class:`WallScreen` is one wall's view, its tour runner and the widget a window
shows. Every wall of a desk shares one :class:`ReaderPool` and one stream-choice group, so a camera shown on two
wall screens is decoded once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from commandwall.ui.wall.tour import TourRunner
from commandwall.ui.wall.wall import WallView


@dataclass
class WallScreen:
    """Wall ``number`` (1: the first wall screen, or the console's wall): its ``view``, ``tour_runner`` and
    ``widget`` (what a window holds: the view, and the PTZ pad under it while this is the active wall)."""

    number: int
    view: WallView
    tour_runner: TourRunner
    widget: QWidget

    @property
    def shown(self) -> bool:
        """Whether a screen shows this wall (else it keeps its arrangement and plays nothing)."""
        return not self.view.suspended

    def show_on_screen(self) -> None:
        """Play the wall again (its screen is there) and go on with a paused tour."""
        self.view.resume()
        self.tour_runner.resume()

    def take_off_screen(self) -> None:
        """Its screen is gone: release the streams, hold the tour, keep the arrangement; the widget leaves its
        window (which may be deleted) and waits hidden."""
        self.tour_runner.pause()
        self.view.suspend()
        self.widget.hide()
        self.widget.setParent(None)


#: the walls a screen shows now, wall 1 first
WallsOnScreen = Callable[[], list[WallScreen]]
