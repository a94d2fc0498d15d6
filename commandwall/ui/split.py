"""A splitter whose panes share its length by a rule until the user moves a handle."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget


class ShareSplitter(QSplitter):
    """A :class:`QSplitter` whose panes get ``share(length)`` (their sizes for the length the panes have in all)
    each time that length changes: when the window is placed on its screen, when the dock it is in is resized.
    Qt's own splitter sets sizes once and then hands a change of length to the panes by their stretch factors,
    so a default chosen at the first show drifted as soon as the docks were arranged.

    Once the user drags a handle, the user's sizes stay (and follow a resize as in any splitter).
    """

    def __init__(self, orientation: Qt.Orientation, share: Callable[[int], list[int]],
                 parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self._share = share
        #: True once the user has moved a handle: the rule no longer applies
        self.user_sized = False
        self.splitterMoved.connect(self._on_moved)

    def _on_moved(self, _position: int, _index: int) -> None:
        self.user_sized = True

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Another length: the panes share it by the rule, unless the user has sized them."""
        super().resizeEvent(event)
        if not self.user_sized:
            self.apply_share()

    def apply_share(self) -> None:
        """Size the panes by the rule for the length they have now."""
        length = sum(self.sizes())
        if length > 0:
            self.setSizes(self._share(length))
