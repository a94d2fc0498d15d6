"""Which screen shows what: screen roles, screen profiles and their files (no Qt here).

A *profile* gives each screen of a desk a :class:`ScreenRole`, keyed by the screen's name (what the window
system calls the monitor, e.g. ``HDMI-1``) with its position as a fallback, so a profile saved on one desk
still fits another desk whose monitors are named differently; the role of a monitor that is gone goes to a new
one of its size. Profiles are JSON files, one per name, in ``<config folder>/profiles/NAME.json``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.localjson import NotJsonError, parse_json
from commandwall.paths import NotARegularFileError, read_small_file, set_aside, write_whole

log = logging.getLogger(__name__)

#: a profile file larger than this is refused unread (a desk has a handful of screens)
MAX_PROFILE_BYTES = 64 * 1024
#: screens one profile may name
MAX_SCREENS = 32
#: a screen's width or height in a profile is at most this (px)
MAX_SCREEN_PX = 100_000
#: a new screen takes the role of one that is gone when each side is within this factor of the old one's
SIMILAR_SIZE = 1.25
#: a profile name: check it with ``fullmatch`` (Python's ``$`` also matches before a final newline); the pattern
#: is also the setting's, checked by pydantic's regex engine, which knows no ``\Z``
PROFILE_NAME = re.compile(r"^[A-Za-z0-9_\u4e00-\u9fff][A-Za-z0-9_.\u4e00-\u9fff-]{0,63}$")
DEFAULT_PROFILE = "default"


class ScreenRole(StrEnum):
    """What one screen shows. ``console``: everything in one window (map, wall, incidents, dashboard as
    docks)."""

    CONSOLE = "console"
    MAP = "map"
    WALL = "wall"
    INCIDENTS = "incidents"
    DASHBOARD = "dashboard"

    @property
    def title(self) -> str:
        """The role's name as the settings dialog shows it."""
        return translate("screens", _ROLE_TITLES[self.value])


_ROLE_TITLES = {
    "console": QT_TRANSLATE_NOOP("screens", "综合（全部）"),
    "map": QT_TRANSLATE_NOOP("screens", "地图"),
    "wall": QT_TRANSLATE_NOOP("screens", "视频墙"),
    "incidents": QT_TRANSLATE_NOOP("screens", "事件中心"),
    "dashboard": QT_TRANSLATE_NOOP("screens", "综合态势"),
}

#: Roles that open a full-screen window of their own on their screen (else they dock in the main window).
KIOSK_ROLES = (ScreenRole.WALL, ScreenRole.INCIDENTS, ScreenRole.DASHBOARD)


class ProfileError(ValueError):
    """A profile file that cannot be used; the message says why (without echoing its content)."""


#: a screen's width and height (px)
Size = tuple[int, int]
#: a rectangle: x, y, width, height (px)
Rect = tuple[int, int, int, int]


@dataclass(frozen=True)
class ScreenSlot:
    """One screen of a profile: its name when saved, its position, its role, and its size when saved (None in
    files written before sizes were kept)."""

    name: str
    index: int
    role: ScreenRole
    size: Size | None = None


@dataclass(frozen=True)
class ScreenProfile:
    """A named list of screen slots."""

    name: str = DEFAULT_PROFILE
    slots: tuple[ScreenSlot, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        """The file content."""
        return json.dumps({"version": 1, "name": self.name,
                           "screens": [{"name": s.name, "index": s.index, "role": s.role.value,
                                        **({"size": list(s.size)} if s.size is not None else {})}
                                       for s in self.slots]}, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str, name: str = DEFAULT_PROFILE) -> ScreenProfile:
        """Parse a profile file's content; :class:`ProfileError` says what is wrong."""
        try:
            data = parse_json(text)
        except NotJsonError as exc:  # not JSON, nested too deep, a number of thousands of digits
            raise ProfileError(f"profile {name}: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("screens"), list):
            raise ProfileError(f"profile {name}: expected an object with a 'screens' list")
        screens = data["screens"]
        if len(screens) > MAX_SCREENS:
            raise ProfileError(f"profile {name}: more than {MAX_SCREENS} screens")
        slots = []
        for i, entry in enumerate(screens):
            if not isinstance(entry, dict):
                raise ProfileError(f"profile {name}: screen {i} is not an object")
            role, screen_name, index = entry.get("role"), entry.get("name", ""), entry.get("index", i)
            try:
                role = ScreenRole(role)
            except ValueError:
                raise ProfileError(f"profile {name}: screen {i} has an unknown role "
                                   f"(one of {', '.join(r.value for r in ScreenRole)})") from None
            if not isinstance(screen_name, str) or len(screen_name) > 200:
                raise ProfileError(f"profile {name}: screen {i} has a bad name")
            if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < MAX_SCREENS:
                raise ProfileError(f"profile {name}: screen {i} has a bad index")
            size = entry.get("size")
            if size is not None and not (isinstance(size, list) and len(size) == 2 and all(
                    isinstance(n, int) and not isinstance(n, bool) and 0 < n <= MAX_SCREEN_PX for n in size)):
                raise ProfileError(f"profile {name}: screen {i} has a bad size (width and height in px)")
            slots.append(ScreenSlot(screen_name, index, role, (size[0], size[1]) if size is not None else None))
        return cls(name, tuple(slots))


def first_run_roles(count: int) -> list[ScreenRole]:
    """Roles for a desk with ``count`` screens that has no profile yet.

    One screen: the console (everything). Two: map, then the wall. Three: map, wall, and the overview dashboard
    (一屏观全区; the incidents stay docked beside the map, where the duty officer works). Four: map, wall,
    incidents, dashboard. More: the wall again on the rest (each of them a wall of its own).
    """
    if count <= 1:
        return [ScreenRole.CONSOLE]
    if count == 3:
        return [ScreenRole.MAP, ScreenRole.WALL, ScreenRole.DASHBOARD]
    order = [ScreenRole.MAP, ScreenRole.WALL, ScreenRole.INCIDENTS, ScreenRole.DASHBOARD]
    return [order[i] if i < len(order) else ScreenRole.WALL for i in range(count)]


def _sizes(screen_names: Sequence[str], sizes: Sequence[Size] | None) -> list[Size | None]:
    return list(sizes) if sizes is not None else [None] * len(screen_names)


def first_run_profile(screen_names: Sequence[str], name: str = DEFAULT_PROFILE,
                      sizes: Sequence[Size] | None = None) -> ScreenProfile:
    """A new profile for the screens present (``sizes``: theirs, in the same order), with
    :func:`first_run_roles`."""
    roles = first_run_roles(len(screen_names))
    slots = (ScreenSlot(n, i, r, size) for i, (n, r, size)
             in enumerate(zip(screen_names, roles, _sizes(screen_names, sizes), strict=False)))
    return ScreenProfile(name, tuple(slots))


def similar_size(saved: Size | None, present: Size | None) -> bool:
    """True when a screen of size ``present`` may take the role of one that was ``saved``: each side within
    :data:`SIMILAR_SIZE` of the other. A size not known (a profile from before sizes were kept, a screen whose
    size was not given) does not keep a role from a screen: the role would otherwise be lost to it."""
    if saved is None or present is None:
        return True
    return all(max(a, b) <= min(a, b) * SIMILAR_SIZE for a, b in zip(saved, present, strict=True))


def _size_distance(saved: Size | None, present: Size | None) -> float:
    if saved is None or present is None:
        return 0.0
    return sum(abs(a - b) / max(a, b, 1) for a, b in zip(saved, present, strict=True))


def match_profile(profile: ScreenProfile, screen_names: Sequence[str],
                  sizes: Sequence[Size] | None = None) -> list[ScreenRole]:
    """The role of each present screen (in order; ``sizes``: theirs, in the same order): by name first, then by
    position; then a role of a screen that is gone and that no screen found so far shows goes to a screen the
    profile does not know, of a similar size (:func:`similar_size`; the closest first) — a wall monitor
    replaced by another placed elsewhere still shows the wall. Each wall screen is a wall of its own, so a wall
    screen that is gone counts even while another shows a wall. A screen left over gets the first-run role for
    its position.

    A role the profile gives to a screen that is absent, and that no new screen takes, is not lost:
    :func:`plan_screens` docks every role no present screen shows in the main window.
    """
    present_sizes = _sizes(screen_names, sizes)
    by_name = {s.name: s for s in profile.slots if s.name}
    used: set[int] = set()
    roles: list[ScreenRole | None] = [None] * len(screen_names)
    for i, screen in enumerate(screen_names):
        slot = by_name.get(screen)
        if slot is not None and id(slot) not in used:
            roles[i] = slot.role
            used.add(id(slot))
    for i in range(len(screen_names)):
        if roles[i] is None:
            slot = next((s for s in profile.slots if s.index == i and id(s) not in used
                         and not (s.name and s.name in screen_names)), None)
            if slot is not None:
                roles[i] = slot.role
                used.add(id(slot))
    shown = {role for role in roles if role is not None}
    gone = [s for s in profile.slots if id(s) not in used and not (s.name and s.name in screen_names)]
    for slot in sorted(gone, key=lambda s: s.index):
        if slot.role in shown and slot.role is not ScreenRole.WALL:
            continue
        free = [i for i, role in enumerate(roles) if role is None and similar_size(slot.size, present_sizes[i])]
        if free:
            i = min(free, key=lambda i: (_size_distance(slot.size, present_sizes[i]), abs(i - slot.index)))
            roles[i] = slot.role
            shown.add(slot.role)
            used.add(id(slot))
    defaults = first_run_roles(len(screen_names))
    return [role if role is not None else defaults[i] for i, role in enumerate(roles)]


@dataclass(frozen=True)
class ScreenPlan:
    """Where each role goes on the screens present (indices into the screen list).

    ``main``: the screens of the main window (the console or map screens; the first screen when the profile
    gives none of them, so the map always has a home); ``kiosks``: a full-screen window per role shown on a
    screen of its own (a role on several screens spans them — except the wall: each wall screen shows a wall
    of its own, see :attr:`wall_screens`); ``docked``: roles no screen shows, docked in the
    main window; ``console``: the main window is the desk's ordinary window rather than a kiosk.
    """

    main: tuple[int, ...]
    kiosks: dict[ScreenRole, tuple[int, ...]]
    docked: tuple[ScreenRole, ...]
    console: bool

    @property
    def wall_screens(self) -> tuple[int, ...]:
        """The wall screens, wall 1's first; each shows a wall of its own (empty: the wall is docked)."""
        return self.kiosks.get(ScreenRole.WALL, ())


def plan_screens(roles: Sequence[ScreenRole]) -> ScreenPlan:
    """Place the roles of the present screens (see :class:`ScreenPlan`)."""
    main = tuple(i for i, r in enumerate(roles) if r in (ScreenRole.CONSOLE, ScreenRole.MAP)) or (0,)
    kiosks: dict[ScreenRole, tuple[int, ...]] = {}
    for role in KIOSK_ROLES:
        screens = tuple(i for i, r in enumerate(roles) if r is role and i not in main)
        if screens:
            kiosks[role] = screens
    docked = tuple(r for r in KIOSK_ROLES if r not in kiosks)
    console = len(roles) <= 1 or any(roles[i] is ScreenRole.CONSOLE for i in main) or not roles
    if roles and roles[main[0]] not in (ScreenRole.CONSOLE, ScreenRole.MAP):
        console = True  # the first screen stands in for a missing map/console screen: an ordinary window
    return ScreenPlan(main, kiosks, docked, console)


def span_area(areas: Sequence[Rect]) -> Rect:
    """Where a window over the monitors ``areas`` goes: the largest rectangle that lies wholly on them.

    Monitors of one height side by side give their bounding box, as before. Monitors of different sizes left
    part of their bounding box on no monitor (a 综合态势 over a 3840×2160 and a 1280×1024 monitor lost its lower
    right part to nowhere); the largest area they show whole keeps everything the role shows in sight, and is
    then the bigger monitor alone, or the band two monitors share when that is larger. A figure board is read at
    a glance: whole on one monitor reads better than a wide short strip that leaves most of the big one empty.
    """
    if not areas:
        raise ValueError("no areas")
    xs = sorted({edge for x, _y, w, _h in areas for edge in (x, x + w)})
    ys = sorted({edge for _x, y, _w, h in areas for edge in (y, y + h)})
    # covered[r][c]: the cell between xs[c], xs[c + 1] and ys[r], ys[r + 1] is on a monitor; as running counts
    counts = []
    for r in range(len(ys) - 1):
        row = [0]
        for c in range(len(xs) - 1):
            on = any(x <= xs[c] and xs[c + 1] <= x + w and y <= ys[r] and ys[r + 1] <= y + h
                     for x, y, w, h in areas)
            row.append(row[-1] + on)
        counts.append(row)
    best, best_area = (areas[0]), -1
    for c0 in range(len(xs) - 1):
        for c1 in range(c0 + 1, len(xs)):
            top = None
            for r in range(len(ys) - 1):
                if counts[r][c1] - counts[r][c0] < c1 - c0:
                    top = None
                    continue
                top = ys[r] if top is None else top
                width, height = xs[c1] - xs[c0], ys[r + 1] - top
                if width * height > best_area:
                    best, best_area = (xs[c0], top, width, height), width * height
    return best


def with_roles(profile: ScreenProfile, screen_names: Sequence[str], roles: Sequence[ScreenRole],
               sizes: Sequence[Size] | None = None) -> ScreenProfile:
    """``profile`` updated with the present screens' roles (and ``sizes``); slots of absent screens are kept."""
    present = [ScreenSlot(n, i, r, size) for i, (n, r, size)
               in enumerate(zip(screen_names, roles, _sizes(screen_names, sizes), strict=True))]
    absent = [s for s in profile.slots if s.name and s.name not in screen_names]
    return ScreenProfile(profile.name, tuple(present + absent))


class ProfileStore:
    """Profile files in ``folder`` (``<config folder>/profiles``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._unusable: set[str] = set()  # profiles whose file could not be used: set aside at the first save

    def path(self, name: str) -> Path:
        """The file of profile ``name``; :class:`ProfileError` for a name that is not a plain file name."""
        if not isinstance(name, str) or not PROFILE_NAME.fullmatch(name):  # "$" alone lets "desk\n" through
            raise ProfileError("a profile name is letters, digits, '_', '-', '.' (up to 64, not starting with '.')")
        return self.folder / f"{name}.json"

    def load(self, name: str) -> ScreenProfile | None:
        """The saved profile, None if there is none; :class:`ProfileError` if the file is unusable."""
        path = self.path(name)
        try:
            text = read_small_file(path, MAX_PROFILE_BYTES).decode("utf-8")
        except FileNotFoundError:
            return None
        except NotARegularFileError as exc:  # a folder, a named pipe (a read would wait for ever), a device
            raise ProfileError(f"profile {name}: {exc}") from exc
        except OSError as exc:
            raise ProfileError(f"profile {name}: cannot read {path}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:  # a ValueError too: before the size's
            raise ProfileError(f"profile {name}: cannot read {path} as UTF-8 text") from exc
        except ValueError as exc:
            raise ProfileError(f"profile {name}: {path} is larger than {MAX_PROFILE_BYTES // 1024} KiB") from exc
        try:
            return ScreenProfile.from_json(text, name)
        except ProfileError as exc:
            raise ProfileError(f"{exc} ({path})") from None

    def save(self, profile: ScreenProfile) -> Path:
        """Write the profile (whole file replaced at once); returns its path. A file this store could not use is
        first kept beside it as ``*.broken-<time>`` (its other screens' roles, a hand edit to mend)."""
        path = self.path(profile.name)
        if profile.name in self._unusable:
            self._unusable.discard(profile.name)
            aside = set_aside(path)
            if aside is not None:
                log.warning("profile %s could not be used: the file is kept as %s", profile.name, aside)
        return write_whole(path, profile.to_json())

    def load_or_first_run(self, name: str, screen_names: Sequence[str],
                          sizes: Sequence[Size] | None = None) -> tuple[ScreenProfile, str | None]:
        """The profile ``name``, or a first-run one (saved at once, with the screens' ``sizes``) when there is
        none or it is unusable.

        Returns the profile and, when the saved file could not be used, why (the defaults are used then and
        the broken file is left as it is for someone to look at).
        """
        try:
            profile = self.load(name)
        except ProfileError as exc:
            log.error("%s; using the default roles for %d screen(s)", exc, len(screen_names))
            self._unusable.add(name)
            return first_run_profile(screen_names, name, sizes), str(exc)
        if profile is None:
            profile = first_run_profile(screen_names, name, sizes)
            try:
                self.save(profile)
            except OSError as exc:
                log.error("cannot save profile %s in %s: %s", name, self.folder, exc.strerror)
        return profile, None
