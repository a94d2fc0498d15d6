"""The video wall as a model (no Qt): which camera each tile shows, the layout, the selection, the maximised
tile, and the wall areas other features borrow (alarm linkage) and give back.

The Qt view (``commandwall.ui.wall.WallView``) renders a :class:`WallModel` — it opens and shares the streams —
and turns clicks, drops and menu choices into calls here. Every change is announced to the listeners as one
:class:`WallChange`, after the model is consistent again.

A tile keeps its number across layouts: switching from 4 to 1+5 tiles leaves the cameras of tiles 0–3 where
they are (tile 0 becomes the big one), so their streams stay open; tiles the new layout does not have are
emptied.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from commandwall.domain.models import Camera
from commandwall.video.layout import WallLayout


@dataclass(frozen=True)
class WallChange:
    """What one model operation changed: ``tiles`` whose camera changed, and flags for the rest."""

    tiles: frozenset[int] = frozenset()
    layout: bool = False
    selection: bool = False
    maximized: bool = False


@dataclass(frozen=True)
class AreaLoan:
    """What :meth:`WallModel.show_in_area` put up and what it replaced, tile by tile."""

    layout_key: str
    shown: dict[int, str | None]
    replaced: dict[int, Camera | None] = field(default_factory=dict)


Listener = Callable[[WallChange], None]


class WallModel:
    """Tiles → cameras on a :class:`WallLayout`, with selection and one maximised tile at most.

    Cameras are :class:`Camera` objects (the view needs their streams and names); a tile without one is
    empty. Operations check their tile numbers and raise IndexError for a tile the layout does not have.
    """

    def __init__(self, layout: WallLayout | str | int = "4") -> None:
        self._layout = layout if isinstance(layout, WallLayout) else WallLayout.named(layout)
        self._cameras: list[Camera | None] = [None] * self._layout.tiles
        self._order: list[int] = [0] * self._layout.tiles  # when each tile got its camera (0: never)
        self._clock = itertools.count(1)
        self._selected: int | None = None
        self._maximized: int | None = None
        self._listeners: list[Listener] = []
        self._loans: dict[str, AreaLoan] = {}
        self._tokens = itertools.count(1)

    # ---- reading -------------------------------------------------------------------------------------
    @property
    def layout(self) -> WallLayout:
        """The current layout."""
        return self._layout

    @property
    def tile_count(self) -> int:
        """Tiles of the current layout."""
        return self._layout.tiles

    @property
    def selected(self) -> int | None:
        """The selected tile, or None."""
        return self._selected

    @property
    def maximized(self) -> int | None:
        """The tile filling the wall, or None."""
        return self._maximized

    def camera(self, index: int) -> Camera | None:
        """The camera of tile ``index`` (None: empty)."""
        self._check(index)
        return self._cameras[index]

    def cameras(self) -> list[Camera | None]:
        """Camera per tile, in tile order."""
        return list(self._cameras)

    def tiles_showing(self, camera_id: str) -> list[int]:
        """The tiles that show ``camera_id``."""
        return [i for i, c in enumerate(self._cameras) if c is not None and c.id == camera_id]

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(change)`` after every change."""
        self._listeners.append(listener)

    # ---- changing ------------------------------------------------------------------------------------
    def set_layout(self, layout: WallLayout | str | int) -> None:
        """Switch layout. Tiles that exist in both keep their cameras; the others are emptied."""
        new = layout if isinstance(layout, WallLayout) else WallLayout.named(layout)
        if new == self._layout:
            return
        old_count, count = self._layout.tiles, new.tiles
        gone = frozenset(i for i in range(count, old_count) if self._cameras[i] is not None)
        self._cameras = (self._cameras + [None] * count)[:count]
        self._order = (self._order + [0] * count)[:count]
        self._layout = new
        selection = self._selected is not None and self._selected >= count
        if selection:
            self._selected = None
        maximized = self._maximized is not None
        self._maximized = None
        self._emit(WallChange(tiles=gone, layout=True, selection=selection, maximized=maximized))

    def target_tile(self, index: int | None = None) -> int:
        """Where a camera played without a tile goes: ``index`` if given, else the selected tile, else the
        first empty one, else the one that got its camera longest ago."""
        if index is not None:
            self._check(index)
            return index
        if self._selected is not None:
            return self._selected
        for i, camera in enumerate(self._cameras):
            if camera is None:
                return i
        return min(range(self.tile_count), key=lambda i: self._order[i])

    def assign(self, index: int | None, camera: Camera | None) -> int:
        """Show ``camera`` in tile ``index`` (None: see :meth:`target_tile`); None empties it. Returns the tile."""
        index = self.target_tile(index)
        self._cameras[index] = camera
        self._order[index] = next(self._clock) if camera is not None else 0
        self._emit(WallChange(tiles=frozenset({index})))
        return index

    def clear(self, index: int) -> None:
        """Empty tile ``index``."""
        self._check(index)
        if self._cameras[index] is not None:
            self.assign(index, None)

    def clear_all(self) -> None:
        """Empty every tile."""
        changed = frozenset(i for i, c in enumerate(self._cameras) if c is not None)
        self._cameras = [None] * self.tile_count
        self._order = [0] * self.tile_count
        if changed:
            self._emit(WallChange(tiles=changed))

    def swap(self, a: int, b: int) -> None:
        """Swap the cameras of tiles ``a`` and ``b`` (their streams move with them)."""
        self._check(a)
        self._check(b)
        if a == b:
            return
        self._cameras[a], self._cameras[b] = self._cameras[b], self._cameras[a]
        self._order[a], self._order[b] = self._order[b], self._order[a]
        self._emit(WallChange(tiles=frozenset({a, b})))

    def place(self, cameras: Sequence[Camera | None], start: int = 0) -> list[int]:
        """Show ``cameras`` in the tiles from ``start`` on (what does not fit is left out); returns the tiles."""
        self._check(start)
        tiles = list(range(start, min(self.tile_count, start + len(cameras))))
        self._put(dict(zip(tiles, cameras, strict=False)))
        return tiles

    def arrange(self, layout: WallLayout | str | int, cameras: Sequence[Camera | None]) -> None:
        """A whole arrangement at once (a preset): the layout, then ``cameras`` tile by tile, the rest empty; a
        maximised tile goes back into the layout."""
        self.set_layout(layout)
        if self._maximized is not None:
            self._maximized = None
            self._emit(WallChange(maximized=True))
        count = self.tile_count
        wanted = (list(cameras) + [None] * count)[:count]
        self._put(dict(enumerate(wanted)))

    def select(self, index: int | None) -> None:
        """Select tile ``index`` (None: no selection)."""
        if index is not None:
            self._check(index)
        if index != self._selected:
            self._selected = index
            self._emit(WallChange(selection=True))

    def toggle_maximized(self, index: int) -> None:
        """Let tile ``index`` fill the wall, or bring the layout back if it already does."""
        self._check(index)
        self._maximized = None if self._maximized == index else index
        self._emit(WallChange(maximized=True))

    # ---- areas lent to other features ------------------------------------------------------------------
    def area(self) -> list[int]:
        """The wall area a linked feature (alarm linkage) fills: the big tiles of a big-tile layout, else the
        whole wall."""
        return list(self._layout.big_tiles) or list(range(self.tile_count))

    def show_in_area(self, cameras: Iterable[Camera], area: Sequence[int] | None = None) -> str:
        """Put ``cameras`` into ``area`` (default :meth:`area`), one per tile in order, and return a token
        for :meth:`restore`. Cameras beyond the area's size are left out."""
        tiles = list(self.area() if area is None else area)
        for index in tiles:
            self._check(index)
        wanted = dict(zip(tiles, cameras, strict=False))
        loan = AreaLoan(self._layout.key, {i: c.id for i, c in wanted.items()},
                        {i: self._cameras[i] for i in wanted})  # fmt: skip
        self._put(dict(wanted))
        token = f"area-{next(self._tokens)}"
        self._loans[token] = loan
        return token

    def restore(self, token: str) -> bool:
        """Give back what :meth:`show_in_area` replaced, in the tiles that still show what it put there (a
        tile the duty officer changed since keeps the officer's choice). False for an unknown or used token;
        also False (nothing restored) once the layout changed."""
        loan = self._loans.pop(token, None)
        if loan is None or loan.layout_key != self._layout.key:
            return False
        back: dict[int, Camera | None] = {}
        for index, shown in loan.shown.items():
            current = self._cameras[index]
            if (current.id if current is not None else None) == shown:
                back[index] = loan.replaced.get(index)
        self._put(back)
        return True

    # ---- internals ----------------------------------------------------------------------------------
    def _put(self, wanted: dict[int, Camera | None]) -> None:
        changed: set[int] = set()
        for index, camera in wanted.items():
            old = self._cameras[index]
            self._order[index] = next(self._clock) if camera is not None else 0
            if old is camera or (old is not None and camera is not None and old.id == camera.id):
                self._cameras[index] = camera
                continue
            self._cameras[index] = camera
            changed.add(index)
        if changed:
            self._emit(WallChange(tiles=frozenset(changed)))

    def _check(self, index: int) -> None:
        if not isinstance(index, int) or not 0 <= index < self.tile_count:
            raise IndexError(f"no tile {index!r} on a {self._layout.key} wall")

    def _emit(self, change: WallChange) -> None:
        for listener in list(self._listeners):
            listener(change)
