"""Puts the main window and the role windows on the screens the profile says, and again when a screen comes
or goes (hotplug). The feature widgets are moved between the main window's docks and the full-screen role
windows, never rebuilt: the wall's tiles keep playing through a move. Each wall screen gets a window and a wall
of its own (wall 1 is the one the wall dock holds on a desk without a wall screen).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QScreen
from PySide6.QtWidgets import QDockWidget, QMainWindow, QVBoxLayout, QWidget

from commandwall.app.screens import (
    ProfileStore,
    ScreenPlan,
    ScreenRole,
    Size,
    match_profile,
    plan_screens,
    span_area,
    with_roles,
)
from commandwall.i18n import translate
from commandwall.ui.over import give_back_dialogs
from commandwall.ui.text import Banner
from commandwall.ui.view_file import read_view_file, write_view_file

log = logging.getLogger(__name__)

#: The wall dock's share of the height it shares with the incident centre in one window, at first (a desk's
#: own layout, saved at the last run, wins): half.
WALL_SHARE = 0.5
#: Less on a screen under SHORT_SCREEN_PX of height (the 768 and 720 px monitors of older desks): there half
#: left the incident centre two rows of its list and the detail's buttons out of sight; the wall's tiles only
#: get smaller.
SHORT_WALL_SHARE = 0.4
SHORT_SCREEN_PX = 900


def wall_share(height: int) -> float:
    """The wall dock's share of a window (or screen) ``height`` px tall, the incident centre's is the rest."""
    return SHORT_WALL_SHARE if height < SHORT_SCREEN_PX else WALL_SHARE


class RoleWindow(QWidget):
    """A frameless top-level window that fills its screen(s) with one feature's widget (kiosk)."""

    def __init__(self, role: ScreenRole) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self.role = role
        self.setObjectName(f"{role.value}Window")
        self.setWindowTitle(translate("MainWindow", "薛城区一体化综合指挥平台 · {mode}").format(mode=role.title))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        #: the platform banner (an outage, a hanging platform, polling) as the map's window shows it
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.releasing = False

    def show_banner(self, text: str, colour: str) -> None:
        """Show the platform banner (``text`` already made safe to show; "" hides it)."""
        self.banner.say(text, colour)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """A role window stays while the client runs (its screen shows that role); it closes with the client."""
        if self.releasing:
            super().closeEvent(event)
        else:
            event.ignore()

    def hold(self, widget: QWidget) -> None:
        """Take ``widget`` in (it leaves its dock)."""
        self.layout().addWidget(widget)
        widget.show()

    def place(self, screens: list[QScreen]) -> None:
        """Fill ``screens``: full screen on one (the window manager keeps panels off it), or the largest area they
        show whole (:func:`_fill`), frameless, when the role spans several."""
        _fill(self, screens)
        self.raise_()


def sorted_screens() -> list[QScreen]:
    """The present screens left to right, then top to bottom: position is the profile's fallback key.

    A screen that covers another one whole is left out (a display server's automatic screen over all its
    monitors, a wall controller's spanning output: a role there would hide the roles on the monitors under
    it), and of screens in the same place (mirrored) only the first by name is kept."""
    present = sorted(QGuiApplication.screens(), key=lambda s: (s.geometry().x(), s.geometry().y(), s.name()))
    kept: list[QScreen] = []
    for screen in present:
        area = screen.geometry()
        covers = any(other is not screen and area != other.geometry() and area.contains(other.geometry())
                     for other in present)  # fmt: skip
        if not covers and not any(k.geometry() == area for k in kept):
            kept.append(screen)
    if len(kept) < len(present):
        log.info("screens %s left out: they cover others", ", ".join(s.name() for s in present if s not in kept))
    return kept or present


def _fill(window: QWidget, screens: list[QScreen]) -> None:
    """Show ``window`` over ``screens``: full screen when it is one; over several, the largest rectangle that lies
    wholly on them (:func:`span_area`: their bounding box when they line up, else the biggest part they show
    whole — full screen on one of them when that is it)."""
    area = QRect(*span_area([_tuple(s.geometry()) for s in screens]))
    whole = next((s for s in screens if s.geometry() == area), None)
    if len(screens) > 1 and area != _united(screens):
        log.info("%s: screens %s are not one rectangle; shown on %s, the largest part they show whole",
                 window.objectName(), ", ".join(s.name() for s in screens), _rect(area))
    window.setGeometry(area)
    if whole is not None:
        window.setScreen(whole)
        window.showFullScreen()
    else:
        window.showNormal()
        window.setGeometry(area)


def _united(screens: list[QScreen]) -> QRect:
    area = screens[0].geometry()
    for screen in screens[1:]:
        area = area.united(screen.geometry())
    return area


class ScreenManager(QObject):
    """Applies a :class:`ScreenProfile` to ``window``; follows screens added and removed at run time.

    ``docks`` maps each movable role to its dock in ``window``; the dock's widget is what a role window shows.
    ``walls(count)`` gives the widgets of walls 1 … ``count`` for that many wall screens (wall 1's is the wall
    dock's widget); without it there is one wall, spanning the wall screens.
    """

    sig_applied = Signal()

    def __init__(self, window: QMainWindow, docks: dict[ScreenRole, QDockWidget], store: ProfileStore,
                 profile_name: str, data_dir: Path,
                 walls: Callable[[int], list[QWidget]] | None = None) -> None:
        super().__init__(window)
        self.window, self.docks, self.store = window, docks, store
        self.widgets = {role: dock.widget() for role, dock in docks.items()}
        self._walls = walls
        self.role_windows: dict[ScreenRole, RoleWindow] = {}
        self._banner = ("", "")  # the platform banner every role window shows (see mirror_banner)
        #: the main window's docks (saveState) as they were with each set of docked roles
        self._layouts: dict[frozenset[ScreenRole], QByteArray] = {}
        #: the windows of walls 2, 3 … (wall 1's is ``role_windows[ScreenRole.WALL]``)
        self.more_wall_windows: list[RoleWindow] = []
        self.profile, self.profile_error = store.load_or_first_run(profile_name, self.screen_names(),
                                                                   self.screen_sizes())
        self.roles: list[ScreenRole] = []
        self.plan: ScreenPlan | None = None
        self._view_path = data_dir / "view.ini"
        self._restored = False
        #: True once this run has taken the window layout saved at the last run
        self.view_restored = False
        app = QGuiApplication.instance()
        app.screenAdded.connect(self._on_screen_added)
        app.screenRemoved.connect(self._on_screen_removed)
        # a monitor that changes size or place (another mode, a rearranged desk) re-places the windows once it
        # settles: frameless role windows cannot be moved by hand, and one left at the old size hangs off screen
        self._replace = QTimer(self)
        self._replace.setSingleShot(True)
        self._replace.setInterval(200)
        self._replace.timeout.connect(self.apply)
        for screen in app.screens():
            screen.geometryChanged.connect(self._on_screen_changed)

    # --- applying ---------------------------------------------------------------------------------------
    @staticmethod
    def screen_names() -> list[str]:
        """The present screens' names, in profile order."""
        return [s.name() for s in sorted_screens()]

    @staticmethod
    def screen_sizes() -> list[Size]:
        """The present screens' sizes (width, height), in profile order."""
        return [(s.geometry().width(), s.geometry().height()) for s in sorted_screens()]

    def apply(self) -> None:
        """Place every role on the present screens as the profile says."""
        screens = sorted_screens()
        starting = self.plan is None
        if self.plan is not None:  # the docks as they are, to come back to when the same roles are docked again
            self._layouts[frozenset(self.plan.docked)] = self.window.saveState()
        self.roles = match_profile(self.profile, [s.name() for s in screens],
                                   [(s.geometry().width(), s.geometry().height()) for s in screens])
        plan = self.plan = plan_screens(self.roles)
        walls = self._walls(len(plan.wall_screens)) if self._walls is not None else []
        redocked = []
        for role, dock in self.docks.items():
            if role in plan.kiosks:
                target = [screens[i] for i in plan.kiosks[role]]
                if role is ScreenRole.WALL and walls:
                    target = target[:1]  # wall 1's screen; the others get walls of their own below
                kiosk = self.role_windows.get(role) or self.role_windows.setdefault(role, self._new_role_window(role))
                if self.widgets[role].parent() is not kiosk:
                    kiosk.hold(self.widgets[role])
                dock.hide()
                kiosk.place(target)
            else:
                kiosk = self.role_windows.pop(role, None)
                if dock.widget() is not self.widgets[role]:
                    dock.setWidget(self.widgets[role])
                    self.widgets[role].show()
                    redocked.append(dock)
                dock.setFloating(False)
                dock.show()
                if kiosk is not None:
                    self._close_role_window(kiosk)
        self._place_more_walls([screens[i] for i in plan.wall_screens[1:]], walls[1:])
        self._place_main(screens, plan)
        known = self._layouts.get(frozenset(plan.docked))
        if known is not None and not redocked:  # a role went back to its screen: the docks as they were before
            self.window.restoreState(known)  # it came (the camera list was left at the share the role had had)
        # A restored layout was saved with other roles docked (the last run's, when the role had a screen of its
        # own): a role docked now is never left hidden, and comes into sight with room.
        shown = self._docks_as_planned(plan)
        if starting and not self.view_restored:
            # The first placement without a layout kept for these screens: a role the profile gives a screen
            # that is not here is docked as when its screen goes at run time, with room (else it came as a strip
            # of the window's right column, tiles 36 px high, and that layout was kept for the next start).
            given = {slot.role for slot in self.profile.slots}
            shown += [self.docks[role] for role in plan.docked if role in given and role in self.docks]
        if redocked or shown:  # a role back from its own screen gets a usable share of the window, not a sliver
            self.give_room(list(dict.fromkeys([*redocked, *shown])))
        log.info("screens %s: roles %s; docked in the main window: %s",
                 ", ".join(s.name() for s in screens), ", ".join(r.value for r in self.roles),
                 ", ".join(r.value for r in plan.docked) or "none")
        self.sig_applied.emit()

    def _docks_as_planned(self, plan: ScreenPlan) -> list[QDockWidget]:
        """After a layout was restored: the dock of each role docked in the main window shown (those that were
        hidden are returned), the dock of each role on a screen of its own hidden."""
        shown = []
        for role, dock in self.docks.items():
            if role in plan.kiosks:
                dock.hide()
            elif dock.isHidden():
                log.info("the restored window layout had the %s dock hidden: shown", role.value)
                dock.show()
                shown.append(dock)
        return shown

    def give_room(self, docks: list[QDockWidget]) -> None:
        """Give ``docks`` (of roles docked in the main window) a usable share of the window, as a role that comes
        back from its own screen gets: the right column ~42% of the width, the wall its upper part
        (:func:`wall_share`) with the incident centre below when it is docked too."""
        area = self.window.geometry()
        self.window.resizeDocks(docks, [int(area.width() * 0.42)] * len(docks), Qt.Orientation.Horizontal)
        wall, incidents = self.docks.get(ScreenRole.WALL), self.docks.get(ScreenRole.INCIDENTS)
        column = list(docks)
        if wall in column and incidents is not None and incidents not in column and self.plan is not None and \
                ScreenRole.INCIDENTS in self.plan.docked:  # the wall's share is of the column it shares with them
            column.append(incidents)
        share = wall_share(area.height())
        self.window.resizeDocks(column, [int(area.height() * (share if dock is wall else 1 - share))
                                         for dock in column], Qt.Orientation.Vertical)

    def mirror_banner(self, text: str, colour: str) -> None:
        """Show the platform banner (``text`` made safe to show, "" when none) on every role window, and on the
        ones made later: an outage is said on every screen, not only on the map's."""
        self._banner = (text, colour)
        for kiosk in (*self.role_windows.values(), *self.more_wall_windows):
            kiosk.show_banner(text, colour)

    def _new_role_window(self, role: ScreenRole) -> RoleWindow:
        kiosk = RoleWindow(role)
        kiosk.show_banner(*self._banner)
        return kiosk

    def _close_role_window(self, kiosk: RoleWindow) -> None:
        """A role window no screen shows any more goes; a dialog open over it (or kept for later) moves over the
        main window rather than going with it."""
        give_back_dialogs(kiosk, self.window)
        kiosk.hide()
        kiosk.deleteLater()

    def _place_more_walls(self, screens: list[QScreen], walls: list[QWidget]) -> None:
        """Walls 2, 3 … full screen on their screens; windows of walls no screen shows any more close (their
        walls left them already)."""
        while len(self.more_wall_windows) > len(walls):
            self._close_role_window(self.more_wall_windows.pop())
        for number, (screen, widget) in enumerate(zip(screens, walls, strict=True), start=2):
            if len(self.more_wall_windows) < number - 1:
                kiosk = self._new_role_window(ScreenRole.WALL)
                kiosk.setObjectName(f"wallWindow{number}")
                kiosk.setWindowTitle(f"{kiosk.windowTitle()} {number}")
                self.more_wall_windows.append(kiosk)
            kiosk = self.more_wall_windows[number - 2]
            if widget.parent() is not kiosk:
                kiosk.hold(widget)
            kiosk.place([screen])

    def _place_main(self, screens: list[QScreen], plan: ScreenPlan) -> None:
        window = self.window
        area = _united([screens[i] for i in plan.main]) if screens else QRect(0, 0, 1600, 900)
        kiosk = not plan.console
        frameless = bool(window.windowFlags() & Qt.WindowType.FramelessWindowHint)
        if frameless != kiosk:
            window.setWindowFlag(Qt.WindowType.FramelessWindowHint, kiosk)
        key = self._view_key()
        geometry_back = False
        if not self._restored:  # the first placement of this run: the layout left last time, if it fits
            self._restored = True
            # a window left maximized is maximized again on its screen below (restoreGeometry alone cannot
            # do that without a window manager); one left at a size of its own gets that size back
            geometry_back = self._restore(key, geometry=not kiosk) and not window.isMaximized()
        if kiosk:
            _fill(window, [screens[i] for i in plan.main])
        elif geometry_back:
            window.show()
        else:
            window.setGeometry(screens[plan.main[0]].availableGeometry() if screens else area)
            window.showMaximized()
        for role, dock in self.docks.items():
            if role in plan.kiosks:
                dock.hide()
        window.raise_()

    # --- the profile -----------------------------------------------------------------------------------
    def set_roles(self, roles: list[ScreenRole]) -> None:
        """New roles for the present screens (the settings dialog): saved in the profile, applied at once."""
        self.profile = with_roles(self.profile, self.screen_names(), roles, self.screen_sizes())
        try:
            self.store.save(self.profile)
        except OSError as exc:
            log.error("cannot save profile %s: %s", self.profile.name, exc.strerror)
        self.apply()

    def describe(self) -> list[dict]:
        """Each window with its role and geometry (global), for ``state.json``."""
        docks = {dock.objectName(): _rect(dock.geometry()) for dock in self.window.findChildren(QDockWidget)
                 if dock.isVisible() and not dock.isFloating() and not dock.visibleRegion().isEmpty()}  # fmt: skip
        windows = [{"role": "console" if self.plan and self.plan.console else "map",
                    "geometry": _rect(self.window.frameGeometry()),
                    "docked": [r.value for r in self.plan.docked] if self.plan else [], "docks": docks}]
        for role, kiosk in self.role_windows.items():
            windows.append({"role": role.value, "geometry": _rect(kiosk.geometry()), "docked": [],
                            "banner": kiosk.banner.text() if kiosk.banner.isVisible() else "",
                            **({"wall": 1} if role is ScreenRole.WALL else {})})  # fmt: skip
        for number, kiosk in enumerate(self.more_wall_windows, start=2):
            windows.append({"role": ScreenRole.WALL.value, "wall": number, "geometry": _rect(kiosk.geometry()),
                            "docked": []})  # fmt: skip
        return windows

    # --- hotplug ---------------------------------------------------------------------------------------
    def _on_screen_added(self, screen: QScreen) -> None:
        log.info("screen added: %s %s", screen.name(), _rect(screen.geometry()))
        screen.geometryChanged.connect(self._on_screen_changed)
        QTimer.singleShot(0, self.apply)

    def _on_screen_changed(self, geometry: QRect) -> None:
        log.info("screen changed: %s", _rect(geometry))
        self._replace.start()  # a mode change may come as several steps: placed once after the last

    def _on_screen_removed(self, screen: QScreen) -> None:
        log.warning("screen removed: %s; its windows are re-homed", screen.name())
        QTimer.singleShot(0, self.apply)  # after Qt has dropped the screen from its list

    # --- window geometry and dock sizes ----------------------------------------------------------------
    def _view_key(self) -> str:
        return f"window/{self.profile.name}-{len(sorted_screens())}"

    def _restore(self, key: str, geometry: bool) -> bool:
        """Dock layout (and, with ``geometry``, window geometry) as saved for ``key``; True when the geometry
        came back. A kiosk's geometry is its screen's, whatever was saved."""
        saved = read_view_file(self._view_path)
        # a hand-edited or damaged file may hold text or a list there: ignored (Qt's restore would raise)
        state, saved_geometry = (QByteArray(v) if isinstance(v, bytes) else None
                                 for v in (saved.get(f"{key}/state"), saved.get(f"{key}/geometry")))
        if state is not None and self.window.restoreState(state):
            log.info("window layout restored from %s [%s]", self._view_path, key)
            self.view_restored = True
        return geometry and saved_geometry is not None and self.window.restoreGeometry(saved_geometry)

    def release(self) -> None:
        """Close the role windows (the application is ending)."""
        for kiosk in [*self.role_windows.values(), *self.more_wall_windows]:
            kiosk.releasing = True
            kiosk.close()

    def save_view(self) -> None:
        """Remember the main window's geometry and dock layout for this profile and screen count."""
        key = self._view_key()
        write_view_file(self._view_path, {f"{key}/geometry": self.window.saveGeometry().data(),
                                          f"{key}/state": self.window.saveState().data()})


def _rect(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def _tuple(r: QRect) -> tuple[int, int, int, int]:
    return (r.x(), r.y(), r.width(), r.height())
