"""The video wall feature: one :class:`WallView` and tour runner per wall screen, the PTZ pad, bound to their
:class:`WallController`, with the tool-bar actions that belong to the wall."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCursor, QKeySequence
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from commandwall import paths
from commandwall.app.wall import NO_INCIDENT_SELECTED, NOTHING_TO_TOUR, SavedWall, WallController
from commandwall.domain.models import Camera
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.wall.presets import WallPresets
from commandwall.ui.wall.ptz import PtzPad
from commandwall.ui.wall.tour import TourRunner
from commandwall.ui.wall.view_state import WallViewState
from commandwall.ui.wall.wall import WallView
from commandwall.ui.wall.walls import WallScreen
from commandwall.video.layout import LAYOUTS
from commandwall.video.pool import ReaderPool
from commandwall.video.tour import tour_status_text

#: What the wall follows for 轮巡: the selected camera id and the selected incident id (either may be None).
Selection = Callable[[], tuple[str | None, str | None]]


class WallFeature(QObject):
    """视频墙: ``widget`` (wall 1, what the wall dock holds), ``actions`` for the tool bar (None: a
    separator), ``menu`` for the menu bar (layouts, presets, 周边视频, 轮巡), ``on_ready()`` once the session
    is connected.

    A desk whose profile gives the wall role to several screens has one wall per wall screen
    (:meth:`walls_on_screens`), each with its own layout, cameras and tour, all from one stream pool. The
    menu, the tool bar, a camera played from the list or the map and the PTZ pad act on the *active* wall —
    the one last clicked or focused (wall 1 until then); presets arrange and save every wall on screen;
    ``view`` is wall 1, the one alarm linkage borrows. A wall whose screen goes away keeps its arrangement
    (and in ``view.ini``) and releases its streams until its screen is back.

    Signals: ``sig_message(text, timeout_ms)`` for the status bar (text made safe to show; timeout 0: until
    replaced).
    """

    sig_message = Signal(str, int)

    def __init__(self, controller: WallController, signals: ClientSignals, pool: ReaderPool, *, tiles: int,
                 data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._pool = pool
        self._group: list[WallView] = []  # the walls' stream-choice group
        self._snapshot_dir = paths.snapshots_dir(data_dir)
        self._tiles = tiles
        self._view_state = WallViewState(data_dir)
        self._saved: list[SavedWall | None] = []
        self._ready = False
        self._selection: Selection = lambda: (None, None)
        self.ptz_pad = PtzPad()
        self.walls: list[WallScreen] = []
        first = self._new_wall()
        self._active = first
        self.view, self.tour_runner = first.view, first.tour_runner
        self.widget = first.widget  # the dock's widget: wall 1 (on a screen of its own when one has the role)
        first.widget.layout().addWidget(self.ptz_pad)  # under the active wall, on that wall's screen
        self.ptz_pad.hide()  # shown while a tile is selected: the wall keeps its height otherwise
        self.presets = WallPresets(controller, self.walls_shown, self.widget, self)
        self.actions = self._make_actions(tiles)

        signals.sig_camera.connect(self._on_camera)
        self.ptz_pad.sig_ptz.connect(self._send_ptz)

    # --- one wall per wall screen ----------------------------------------------------------------------
    def _new_wall(self) -> WallScreen:
        """Wall ``len(walls) + 1``: a view in the shared group, its tour runner, its widget."""
        number = len(self.walls) + 1
        view = WallView(self._pool, self._tiles, group=self._group)
        view.camera_lookup = self.controller.camera
        view.snapshot_dir = self._snapshot_dir
        view.sig_message.connect(lambda text, ms: self.sig_message.emit(display_text(text), ms))
        tour_runner = TourRunner(view, self.controller.camera, self)
        view.setObjectName("wall" if number == 1 else f"wall{number}")
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(view, 1)
        wall = WallScreen(number, view, tour_runner, widget)
        self.walls.append(wall)
        view.sig_activated.connect(lambda w=wall: self._activate(w))
        view.sig_tile_selected.connect(lambda _i, w=wall: self._sync_ptz_pad() if w is self._active else None)
        view.sig_playing_changed.connect(lambda _i, _c, w=wall: self._sync_ptz_pad() if w is self._active else None)
        view.sig_layout_changed.connect(lambda key, w=wall: self._on_layout_changed(w, key))
        tour_runner.sig_page.connect(lambda name, page, pages, w=wall: self._on_tour_page(w, name, page, pages))
        tour_runner.sig_stopped.connect(lambda w=wall: self._on_tour_stopped(w))
        if self._ready:
            self._restore(wall)
        return wall

    def walls_on_screens(self, count: int) -> list[QWidget]:
        """The widgets of walls 1 … ``count`` (made as needed) for the wall screens present (1 when the wall is
        docked). Walls beyond ``count`` keep their arrangement, release their streams and leave their window."""
        count = max(1, count)
        while len(self.walls) < count:
            self._new_wall()
        for wall in self.walls[count:]:
            if wall.shown:
                wall.take_off_screen()
        for wall in self.walls[:count]:
            wall.show_on_screen()
        if not self._active.shown:
            self._activate(self.walls[0])
        return [wall.widget for wall in self.walls[:count]]

    def linkage_wall(self, number: int) -> WallScreen:
        """The wall alarm linkage (告警联动) takes: wall ``number`` while a screen shows it, else wall 1."""
        shown = self.walls_shown()
        return next((wall for wall in shown if wall.number == number), self.walls[0])

    def walls_shown(self) -> list[WallScreen]:
        """The walls a screen shows now, wall 1 first."""
        return [wall for wall in self.walls if wall.shown]

    @property
    def active(self) -> WallScreen:
        """The wall the menu, the tool bar and a played camera act on: the last one clicked (wall 1 at first)."""
        return self._active

    def _activate(self, wall: WallScreen) -> None:
        if wall is self._active or not wall.shown:
            return
        self._active = wall
        wall.widget.layout().addWidget(self.ptz_pad)  # the pad follows the wall it steers
        self.layout_actions[wall.view.wall_layout.key].setChecked(True)
        self.tour_action.setChecked(wall.tour_runner.is_running())
        self._sync_ptz_pad()
        if len(self.walls_shown()) > 1:
            self.sig_message.emit(translate("WallFeature", "视频墙 {number}：布局、轮巡、抓拍等命令作用于此墙")
                                  .format(number=wall.number), 4000)

    def _on_layout_changed(self, wall: WallScreen, key: str) -> None:
        if wall is self._active:
            self.layout_actions[key].setChecked(True)

    def _make_actions(self, tiles: int) -> list[QAction | None]:
        """Every layout in the 视频墙 menu's 画面布局 (1/4/9/16 also on the tool bar, Ctrl+1…4, as before),
        周边视频 and 轮巡."""
        group = QActionGroup(self)
        self.menu = QMenu(translate("VideoWall", "视频墙"))
        self.menu.setObjectName("wallMenu")
        self.layout_menu = self.menu.addMenu(translate("VideoWall", "画面布局"))
        self.layout_actions: dict[str, QAction] = {}
        for key, layout in LAYOUTS.items():
            action = QAction(layout.title, self, checkable=True)
            action.setChecked(layout.tiles == tiles and not layout.big_tiles)
            action.triggered.connect(lambda _=False, key=key: self.active.view.set_layout(key))
            self.layout_actions[key] = action
            group.addAction(action)
            self.layout_menu.addAction(action)
        self.tile_actions = {n: self.layout_actions[str(n)] for n in (1, 4, 9, 16)}
        for shortcut, action in enumerate(self.tile_actions.values(), start=1):
            action.setShortcut(QKeySequence(f"Ctrl+{shortcut}"))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)  # also on a wall screen of its own
            action.setToolTip(translate("VideoWall", "视频墙 {layout}（{shortcut}）").format(
                layout=action.text(), shortcut=f"Ctrl+{shortcut}"))
        self.more_layouts_action = QAction(translate("VideoWall", "更多布局"), self)
        self.more_layouts_action.setToolTip(translate("VideoWall", "25、36 画面和大小画面布局（1+5、1+7、2+8、1+12）"))
        self.more_layouts_action.setMenu(self.layout_menu)
        self.more_layouts_action.triggered.connect(lambda: self.layout_menu.popup(QCursor.pos()))
        around = QAction(translate("VideoWall", "周边视频"), self)
        around.setToolTip(translate("VideoWall", "把选中事件周边的摄像机调上视频墙"))
        around.triggered.connect(self.play_around_selected_incident)
        self.tour_action = QAction(translate("VideoWall", "轮巡"), self, checkable=True)
        self.tour_action.setToolTip(
            translate("VideoWall", "按页轮巡选中摄像机所在街镇的视频；未选摄像机时轮巡选中事件周边的视频"))
        self.tour_action.triggered.connect(self._toggle_tour)
        self.menu.addMenu(self.presets.menu)
        self.snapshot_action = QAction(translate("VideoWall", "抓拍"), self)
        self.snapshot_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.snapshot_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.snapshot_action.setToolTip(translate("VideoWall", "把选中画面的当前图像存为图片（Ctrl+Shift+S）"))
        self.snapshot_action.triggered.connect(lambda: self.active.view.snapshot())
        self.menu.addAction(self.snapshot_action)
        self.menu.addSeparator()
        self.menu.addAction(around)
        self.menu.addAction(self.tour_action)
        self.presets.sig_message.connect(self.sig_message)
        self.presets.sig_tour_started.connect(lambda: self.tour_action.setChecked(self.active.tour_runner.is_running()))
        return [*self.tile_actions.values(), self.more_layouts_action, self.presets.menu_action, None, around,
                self.tour_action, self.snapshot_action]

    def follow_selection(self, selection: Selection) -> None:
        """Where 周边视频 and 轮巡 read the selected camera and incident from."""
        self._selection = selection

    # --- start-up and the view left behind ---------------------------------------------------------------
    def on_ready(self) -> None:
        """Put back every wall as it was left on this desk, or on a first start the cameras of the start point
        on wall 1 (the other walls start empty)."""
        self._ready = True  # first: a wall added later is restored (as saved, or empty) even if a step below fails
        self.apply_rights()
        self.presets.reload()
        self._saved = [self.controller.saved_wall(*entry) for entry in self._view_state.load_walls()]
        for wall in self.walls:
            self._restore(wall)
        if not self._saved or self._saved[0] is None:
            self.view.model.place(self.controller.start_cameras(self.view.tile_count()))

    def _restore(self, wall: WallScreen) -> None:
        """Wall ``wall`` as saved, if anything was."""
        saved = self._saved[wall.number - 1] if wall.number <= len(self._saved) else None
        if saved is not None:
            wall.view.model.arrange(saved.layout, saved.cameras)

    def apply_rights(self) -> None:
        """The PTZ pad only for users who may steer (not viewers, not after logout)."""
        self.ptz_pad.setEnabled(self.controller.can_steer)

    def save_view(self) -> None:
        """Remember every wall (layout and cameras; also those whose screen is gone) for the next start."""
        self._view_state.save_walls([self.controller.wall_to_save(wall.view.wall_layout.key, wall.view.cameras())
                                     for wall in self.walls])  # fmt: skip

    # --- the user's intent ---------------------------------------------------------------------------------
    def play_camera(self, camera_id: str) -> None:
        """Play a camera in the active wall's selected (or next free) tile."""
        camera = self.controller.camera(camera_id)
        if camera is not None:
            self.active.view.play(camera)

    def play_around_selected_incident(self) -> None:
        """周边视频: fill the active wall with the cameras around the selected incident."""
        _camera_id, incident_id = self._selection()
        incident = self.controller.session.incidents.get(incident_id) if incident_id else None
        if incident is None:
            self.sig_message.emit(translate("wall", NO_INCIDENT_SELECTED), 4000)
            return
        view = self.active.view
        cameras = self.controller.cameras_around(incident, view.tile_count())
        if cameras:
            view.model.place(cameras)

    def _toggle_tour(self, checked: bool) -> None:
        """轮巡 on: tour the selected camera's grid cell, else the cameras around the selected incident."""
        runner = self.active.tour_runner
        if not checked:
            runner.stop()
            return
        choice = self.controller.tour_for(*self._selection())
        if choice.tour is None:
            self.tour_action.setChecked(False)
            nothing = choice.message == translate("wall", NOTHING_TO_TOUR)
            self.sig_message.emit(display_text(choice.message), 4000 if nothing else 6000)
            return
        runner.start(choice.tour)

    def _on_tour_page(self, wall: WallScreen, name: str, page: int, pages: int) -> None:
        text = display_text(tour_status_text(name, page, pages))
        if len(self.walls_shown()) > 1:  # which wall's tour, when several may run
            text = translate("WallFeature", "视频墙 {number}：{text}").format(number=wall.number, text=text)
        self.sig_message.emit(text, 0)

    def _on_tour_stopped(self, wall: WallScreen) -> None:
        if wall is self._active:
            self.tour_action.setChecked(False)
        self.sig_message.emit(translate("VideoWall", "轮巡已停止"), 3000)

    # --- PTZ ------------------------------------------------------------------------------------------------
    def _on_camera(self, camera: Camera) -> None:
        for wall in self.walls:
            wall.view.set_camera_status(camera.id, camera.status)
        pad_camera = self.ptz_pad.camera
        if pad_camera is not None and pad_camera.id == camera.id:
            self.ptz_pad.set_camera(camera)

    def _sync_ptz_pad(self, *_args: object) -> None:
        """The PTZ pad steers the camera of the active wall's selected tile (as the store knows it now)."""
        view = self.active.view
        index = view.selected_index
        shown = view.tile(index).camera if index is not None else None
        self.ptz_pad.set_camera(self.controller.camera(shown.id) if shown is not None else None)
        self.ptz_pad.setVisible(index is not None)

    def _send_ptz(self, camera_id: str, action: str, speed: int) -> None:
        self.controller.send_ptz(camera_id, action, speed,
                                 lambda error: self.ptz_pad.report_result(camera_id, error))

    def shutdown(self, save: bool) -> None:
        """Stop the PTZ pad (a turning camera gets its stop) and the tour, remember the view if ``save``, and
        let the tiles go."""
        self.ptz_pad.release()
        for wall in self.walls:
            wall.tour_runner.stop()
        if save:
            self.save_view()
        for wall in self.walls:
            wall.view.shutdown()
