"""Video tours (轮巡): a named group of cameras the wall steps through page by page, dwelling on each page.

A :class:`Tour` is data (name, camera ids in tour order, seconds per page), validated once when made. A
:class:`TourCursor` walks a tour: each :meth:`TourCursor.next_page` call hands out the next cameras for a
wall of ``tile_count`` tiles, skipping cameras that are offline *now* (they come back into the rotation as
soon as they are online again) and wrapping from the end of the group to its start so the wall stays full.

Plain Python: the Qt side (``commandwall.ui.wall.tour.TourRunner``) owns the timer and the wall.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from commandwall.domain.models import MAX_ID_CHARS, Camera
from commandwall.i18n import translate

#: shortest and longest dwell per page, seconds (below 3 s streams barely open before the page moves on)
MIN_DWELL_S = 3.0
MAX_DWELL_S = 600.0
#: dwell used when none is given
DEFAULT_DWELL_S = 15.0


@dataclass(frozen=True)
class Tour:
    """A video tour (轮巡): ``camera_ids`` in tour order, shown ``dwell_s`` seconds per page.

    Raises ValueError (with a message a duty officer can read) for an empty name, no cameras, a camera
    listed twice, or a dwell outside 3–600 s. ``camera_ids`` may be given as any iterable of ids; it is
    stored as a tuple.
    """

    name: str
    camera_ids: tuple[str, ...]
    dwell_s: float = DEFAULT_DWELL_S

    def __post_init__(self) -> None:
        ids = tuple(self.camera_ids)
        object.__setattr__(self, "camera_ids", ids)  # frozen: normalise a list to a tuple once
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(translate("tour", "轮巡名称不能为空"))
        if not ids:
            raise ValueError(translate("tour", "轮巡「{name}」没有摄像机").format(name=self.name))
        bad = [cid for cid in ids if not isinstance(cid, str) or not cid.strip() or len(cid) > MAX_ID_CHARS]
        if bad:
            invalid = translate("tour", "轮巡「{name}」含无效的摄像机编号 {id}")
            raise ValueError(invalid.format(name=self.name, id=_shown(bad[0])))
        duplicates = [cid for cid, n in Counter(ids).items() if n > 1]
        if duplicates:
            listed = translate("tour", "、").join(duplicates)
            raise ValueError(translate("tour", "轮巡「{name}」中摄像机重复：{ids}").format(name=self.name, ids=listed))
        dwell = self.dwell_s
        if isinstance(dwell, bool) or not isinstance(dwell, int | float) \
                or (isinstance(dwell, float) and not math.isfinite(dwell)):  # an int is finite (and may have no float)
            raise ValueError(translate("tour", "轮巡停留时间无效：{dwell}").format(dwell=_shown(dwell)))
        if not MIN_DWELL_S <= dwell <= MAX_DWELL_S:
            # an int of hundreds of digits has no float (``:g`` would raise OverflowError): its magnitude
            shown = f"{dwell:g}" if abs(dwell) < 1e15 else _shown(dwell)
            raise ValueError(translate("tour", "轮巡停留时间须在 {min}–{max} 秒之间，而不是 {dwell} 秒").format(
                min=f"{MIN_DWELL_S:g}", max=f"{MAX_DWELL_S:g}", dwell=shown))

    def __len__(self) -> int:
        return len(self.camera_ids)


class TourCursor:
    """Where a running tour stands: which camera the next page starts from, and the page number.

    Pages are filled in tour order from the cursor's position, skipping offline cameras and wrapping
    around the end of the group, so every page is full while the group has at least ``tile_count`` online
    cameras (10 cameras on 4 tiles: 0–3, 4–7, 8 9 0 1, 2–5, …). No camera appears twice on one page; with
    fewer online cameras than tiles, a page holds each online camera once (and is shorter than the wall).
    The wall's tile count may change between pages.
    """

    def __init__(self, tour: Tour) -> None:
        self.tour = tour
        self._position = 0  # index into tour.camera_ids of the next page's first candidate
        self._page = 0  # number of the page last returned (1-based); 0 before the first or after an empty one
        self._pages = 0  # pages per round as counted when that page was made

    @property
    def page_number(self) -> int:
        """1-based number of the page last returned by :meth:`next_page` within the current round
        (0 before the first page, or when the last page came out empty: no camera online)."""
        return self._page

    @property
    def page_count(self) -> int:
        """Pages per round as counted when the last page was made (goes with :attr:`page_number`)."""
        return self._pages

    @property
    def position(self) -> int:
        """Index in ``tour.camera_ids`` where the next page starts looking."""
        return self._position

    def pages(self, tile_count: int, is_online: Callable[[str], bool] | None = None) -> int:
        """Pages in one round of the tour on a wall of ``tile_count`` tiles (for "第 2/5 页").

        Counts only the cameras ``is_online`` accepts when it is given, else every camera of the tour.
        """
        _check_tile_count(tile_count)
        ids = self.tour.camera_ids
        cameras = len(ids) if is_online is None else sum(1 for cid in ids if is_online(cid))
        return math.ceil(cameras / tile_count)

    def next_page(self, tile_count: int, is_online: Callable[[str], bool]) -> list[str]:
        """The next page: up to ``tile_count`` camera ids, all online by ``is_online``, none repeated.

        Returns ``[]`` when no camera of the tour is online (the page number then reads 0). The next call
        carries on after the last camera returned.
        """
        _check_tile_count(tile_count)
        ids = self.tour.camera_ids
        count = len(ids)
        online = [is_online(cid) for cid in ids]  # asked once per camera per page: one consistent picture
        page: list[str] = []
        last = None
        for step in range(count):
            index = (self._position + step) % count
            if online[index]:
                page.append(ids[index])
                last = index
                if len(page) == tile_count:
                    break
        if last is None:
            self._page = self._pages = 0
            return []
        self._position = (last + 1) % count
        self._pages = math.ceil(sum(online) / tile_count)
        self._page = self._page + 1 if self._page < self._pages else 1
        return page

    def reset(self) -> None:
        """Start again from the tour's first camera and page 1."""
        self._position = 0
        self._page = self._pages = 0


def tour_for_town(cameras: Iterable[Camera], town: str, dwell_s: float = DEFAULT_DWELL_S) -> Tour:
    """A tour named after ``town`` (e.g. 临城街道) over its cameras, in the order given.

    Offline cameras are included: the cursor skips them while they are down. Raises ValueError if the town
    has no cameras.
    """
    ids = list(dict.fromkeys(camera.id for camera in cameras if camera.town == town))
    if not ids:
        place = town or translate("tour", "（未知街镇）")
        raise ValueError(translate("tour", "{place} 没有摄像机，无法轮巡").format(place=place))
    return Tour(name=town, camera_ids=tuple(ids), dwell_s=dwell_s)


def tour_for_grid(
    cameras: Iterable[Camera], grid: str, name: str | None = None, dwell_s: float = DEFAULT_DWELL_S
) -> Tour:
    """A tour over the cameras of one grid cell (网格: a dozen or so cameras, a few pages), named ``name``
    (e.g. 临城街道第03网格) or the grid id. Raises ValueError if the grid has no cameras."""
    ids = list(dict.fromkeys(camera.id for camera in cameras if camera.grid == grid))
    if not ids:
        place = name or grid or translate("tour", "（未知网格）")
        raise ValueError(translate("tour", "{place} 没有摄像机，无法轮巡").format(place=place))
    return Tour(name=name or grid, camera_ids=tuple(ids), dwell_s=dwell_s)


def tour_around(camera_index_result: Iterable[Camera], name: str, dwell_s: float = DEFAULT_DWELL_S) -> Tour:
    """A tour over cameras found around a spot (e.g. ``ClientSession.cameras_near(lon, lat, 32)``), keeping
    their order (best first). A camera listed twice is kept once. Raises ValueError if there is none."""
    ids = list(dict.fromkeys(camera.id for camera in camera_index_result))
    if not ids:
        raise ValueError(translate("tour", "「{name}」没有可轮巡的摄像机").format(name=name))
    return Tour(name=name, camera_ids=tuple(ids), dwell_s=dwell_s)


def tour_status_text(name: str, page: int, pages: int, *, paused: bool = False) -> str:
    """Status-bar text of a running tour: "轮巡：临城街道 第 2/9 页" (or 暂无在线摄像机 for page 0)."""
    if page > 0:
        text = translate("tour", "轮巡：{name} 第 {page}/{pages} 页").format(name=name, page=page, pages=pages)
    else:
        text = translate("tour", "轮巡：{name} 暂无在线摄像机").format(name=name)
    return translate("tour", "{status}（已暂停）").format(status=text) if paused else text


def _shown(value: object) -> str:
    """``value`` as a message shows it: at most about 20 characters (a long id is cut; an int of hundreds of
    digits, which has neither a float nor, past 4300 digits, a decimal text, is given by its magnitude; a list
    or an object by its kind)."""
    if isinstance(value, str):
        return repr(value if len(value) <= 20 else value[:20] + "…")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"{'-' if value < 0 else ''}~1e+{int(math.log10(abs(value)))}"
    if value is None or isinstance(value, int | float):
        return repr(value)
    return type(value).__name__


def _check_tile_count(tile_count: int) -> None:
    if isinstance(tile_count, bool) or not isinstance(tile_count, int) or tile_count < 1:
        raise ValueError(f"tile_count must be a positive int, not {tile_count!r}")
