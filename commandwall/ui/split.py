"""A splitter whose panes share its length by a rule until the user moves a handle."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget


class ShareSplitter(QSplitter):
    """A :class:`QSplitter` of two panes that get ``share(length)`` (their sizes for the length the panes have
    in all) each time that length changes: when the window is placed on its screen, when the dock it is in is
    resized. Qt's own splitter sets sizes once and then hands a change of length to the panes by their stretch
    factors, so a default chosen at the first show drifted as soon as the docks were arranged.

    Once the user drags a handle, the user's sizes stay (and follow a resize as in any splitter). The first
    pane's share of the length as the user left it (:meth:`kept_share`) can be kept for the next run and given
    back (:meth:`restore_share`); given back, it is applied at every length until the user drags again, each
    pane keeping at least ``least()`` (the first pane's and the second's least lengths), whatever the share.
    """

    def __init__(
        self,
        orientation: Qt.Orientation,
        share: Callable[[int], list[int]],
        parent: QWidget | None = None,
        least: Callable[[], tuple[int, int]] | None = None,
    ) -> None:
        super().__init__(orientation, parent)
        self._share = share
        self._least = least
        #: True once the user has moved a handle: the rule no longer applies
        self.user_sized = False
        #: the first pane's share given back from an earlier run (see restore_share); None: none, or dragged since
        self._restored: float | None = None
        self.splitterMoved.connect(self._on_moved)

    def _on_moved(self, _position: int, _index: int) -> None:
        self.user_sized = True
        self._restored = None

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Another length: the panes share it by the rule (or the share given back), unless the user has sized
        them."""
        super().resizeEvent(event)
        if not self.user_sized:
            self.apply_share()

    def apply_share(self) -> None:
        """Size the panes by the rule (or the share given back) for the length they have now."""
        length = sum(self.sizes())
        if length > 0:
            self.setSizes(self._share(length) if self._restored is None else self._bounded(self._restored, length))

    def kept_share(self) -> float | None:
        """The first pane's share of the length, as the user dragged it (or as given back and not dragged
        since); None while the rule sizes the panes, or before the panes have a length."""
        if self.user_sized:
            sizes = self.sizes()
            return sizes[0] / sum(sizes) if sum(sizes) > 0 else None
        return self._restored

    def restore_share(self, value: object) -> bool:
        """Give the panes the first pane's share ``value`` as kept at an earlier run (a number, or its text, from
        0 to 1), now and at every length until the user drags a handle; True when taken. Anything else (other
        text, a list, bytes, not a finite number, out of range) is not taken: the rule stays. A share that would
        leave either pane less than its least length is bounded: a stale or hand-edited value never hides one.
        """
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                return False
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not 0 <= value <= 1
        ):
            return False
        self._restored = float(value)
        self.user_sized = False
        self.apply_share()
        return True

    def _bounded(self, share: float, length: int) -> list[int]:
        """The sizes for the first pane's ``share`` of ``length``, each pane at least its least length (the
        rule's sizes where the length is too short for both)."""
        least_first, least_second = (
            self._least()
            if self._least is not None
            else (self._along(self.widget(0).minimumSizeHint()), self._along(self.widget(1).minimumSizeHint()))
        )
        if least_first + least_second > length:
            return self._share(length)
        first = min(max(round(share * length), least_first), length - least_second)
        return [first, length - first]

    def _along(self, size: QSize) -> int:
        return size.height() if self.orientation() is Qt.Orientation.Vertical else size.width()
