"""The video wall feature: :class:`WallView`, the PTZ pad and the tour runner bound to their
:class:`WallController`, with the tool-bar actions that belong to the wall."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup, QCursor, QKeySequence
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from commandwall import paths
from commandwall.app.wall import NO_INCIDENT_SELECTED, NOTHING_TO_TOUR, WallController
from commandwall.domain.models import Camera
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.wall.presets import WallPresets
from commandwall.ui.wall.ptz import PtzPad
from commandwall.ui.wall.tour import TourRunner
from commandwall.ui.wall.view_state import WallViewState
from commandwall.ui.wall.wall import WallView
from commandwall.video.layout import LAYOUTS
from commandwall.video.pool import ReaderPool
from commandwall.video.tour import tour_status_text

#: What the wall follows for 轮巡: the selected camera id and the selected incident id (either may be None).
Selection = Callable[[], tuple[str | None, str | None]]


class WallFeature(QObject):
    """视频墙: ``widget`` (the wall with the PTZ pad under it), ``actions`` for the tool bar (None: a
    separator), ``menu`` for the menu bar (layouts, presets, 周边视频, 轮巡), ``on_ready()`` once the session
    is connected.

    Signals: ``sig_message(text, timeout_ms)`` for the status bar (text made safe to show; timeout 0: until
    replaced).
    """

    sig_message = Signal(str, int)

    def __init__(self, controller: WallController, signals: ClientSignals, pool: ReaderPool, *, tiles: int,
                 data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.view = WallView(pool)
        self.view.setObjectName("wall")
        self.view.camera_lookup = controller.camera
        self.view.snapshot_dir = paths.snapshots_dir(data_dir)
        self.view.sig_message.connect(lambda text, ms: self.sig_message.emit(display_text(text), ms))
        self.ptz_pad = PtzPad()
        self.tour_runner = TourRunner(self.view, controller.camera, self)
        self._view_state = WallViewState(data_dir)
        self._selection: Selection = lambda: (None, None)
        self.widget = QWidget()  # the PTZ pad sits under the wall and floats with it to a second screen
        layout = QVBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.ptz_pad)
        self.ptz_pad.hide()  # shown while a tile is selected: the wall keeps its height otherwise
        self.presets = WallPresets(controller, self.view, self.tour_runner, self.widget, self)
        self.actions = self._make_actions(tiles)
        self.view.set_tile_count(tiles)

        signals.sig_camera.connect(self._on_camera)
        self.view.sig_tile_selected.connect(self._sync_ptz_pad)
        self.view.sig_playing_changed.connect(self._sync_ptz_pad)
        self.ptz_pad.sig_ptz.connect(self._send_ptz)
        self.tour_runner.sig_page.connect(self._on_tour_page)
        self.tour_runner.sig_stopped.connect(self._on_tour_stopped)

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
            action.triggered.connect(lambda _=False, key=key: self.view.set_layout(key))
            self.layout_actions[key] = action
            group.addAction(action)
            self.layout_menu.addAction(action)
        self.tile_actions = {n: self.layout_actions[str(n)] for n in (1, 4, 9, 16)}
        for shortcut, action in enumerate(self.tile_actions.values(), start=1):
            action.setShortcut(QKeySequence(f"Ctrl+{shortcut}"))
            action.setToolTip(translate("VideoWall", "视频墙 {layout}（{shortcut}）").format(
                layout=action.text(), shortcut=f"Ctrl+{shortcut}"))
        self.more_layouts_action = QAction(translate("VideoWall", "更多布局"), self)
        self.more_layouts_action.setToolTip(translate("VideoWall", "25、36 画面和大小画面布局（1+5、1+7、2+8、1+12）"))
        self.more_layouts_action.setMenu(self.layout_menu)
        self.more_layouts_action.triggered.connect(lambda: self.layout_menu.popup(QCursor.pos()))
        self.view.sig_layout_changed.connect(lambda key: self.layout_actions[key].setChecked(True))
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
        self.snapshot_action.setToolTip(translate("VideoWall", "把选中画面的当前图像存为图片（Ctrl+Shift+S）"))
        self.snapshot_action.triggered.connect(lambda: self.view.snapshot())
        self.menu.addAction(self.snapshot_action)
        self.menu.addSeparator()
        self.menu.addAction(around)
        self.menu.addAction(self.tour_action)
        self.presets.sig_message.connect(self.sig_message)
        self.presets.sig_tour_started.connect(lambda: self.tour_action.setChecked(True))
        return [*self.tile_actions.values(), self.more_layouts_action, self.presets.menu_action, None, around,
                self.tour_action, self.snapshot_action]

    def follow_selection(self, selection: Selection) -> None:
        """Where 周边视频 and 轮巡 read the selected camera and incident from."""
        self._selection = selection

    # --- start-up and the view left behind ---------------------------------------------------------------
    def on_ready(self) -> None:
        """Put back the wall as it was left on this desk, or on a first start the cameras of the start point."""
        self.apply_rights()
        self.presets.reload()
        saved = self.controller.saved_wall(*self._view_state.load())
        if saved is not None:
            self.view.model.arrange(saved.layout, saved.cameras)
            return
        self._play_all(self.controller.start_cameras(self.view.tile_count()))

    def apply_rights(self) -> None:
        """The PTZ pad only for users who may steer (not viewers, not after logout)."""
        self.ptz_pad.setEnabled(self.controller.can_steer)

    def save_view(self) -> None:
        """Remember the wall (tile count and cameras) for the next start on this desk."""
        self._view_state.save(*self.controller.wall_to_save(self.view.wall_layout.key, self.view.cameras()))

    # --- the user's intent ---------------------------------------------------------------------------------
    def play_camera(self, camera_id: str) -> None:
        """Play a camera in the selected (or next free) tile."""
        camera = self.controller.camera(camera_id)
        if camera is not None:
            self.view.play(camera)

    def play_around_selected_incident(self) -> None:
        """周边视频: fill the wall with the cameras around the selected incident."""
        _camera_id, incident_id = self._selection()
        incident = self.controller.session.incidents.get(incident_id) if incident_id else None
        if incident is None:
            self.sig_message.emit(NO_INCIDENT_SELECTED, 4000)
            return
        self._play_all(self.controller.cameras_around(incident, self.view.tile_count()))

    def _play_all(self, cameras: list[Camera]) -> None:
        if cameras:
            self.view.model.place(cameras)

    def _toggle_tour(self, checked: bool) -> None:
        """轮巡 on: tour the selected camera's grid cell, else the cameras around the selected incident."""
        if not checked:
            self.tour_runner.stop()
            return
        choice = self.controller.tour_for(*self._selection())
        if choice.tour is None:
            self.tour_action.setChecked(False)
            self.sig_message.emit(display_text(choice.message), 4000 if choice.message == NOTHING_TO_TOUR else 6000)
            return
        self.tour_runner.start(choice.tour)

    def _on_tour_page(self, name: str, page: int, pages: int) -> None:
        self.sig_message.emit(display_text(tour_status_text(name, page, pages)), 0)

    def _on_tour_stopped(self) -> None:
        self.tour_action.setChecked(False)
        self.sig_message.emit(translate("VideoWall", "轮巡已停止"), 3000)

    # --- PTZ ------------------------------------------------------------------------------------------------
    def _on_camera(self, camera: Camera) -> None:
        self.view.set_camera_status(camera.id, camera.status)
        pad_camera = self.ptz_pad.camera
        if pad_camera is not None and pad_camera.id == camera.id:
            self.ptz_pad.set_camera(camera)

    def _sync_ptz_pad(self, *_args: object) -> None:
        """The PTZ pad steers the camera of the selected tile (as the store knows it now)."""
        index = self.view.selected_index
        shown = self.view.tile(index).camera if index is not None else None
        self.ptz_pad.set_camera(self.controller.camera(shown.id) if shown is not None else None)
        self.ptz_pad.setVisible(index is not None)

    def _send_ptz(self, camera_id: str, action: str, speed: int) -> None:
        self.controller.send_ptz(camera_id, action, speed,
                                 lambda error: self.ptz_pad.report_result(camera_id, error))

    def shutdown(self, save: bool) -> None:
        """Stop the PTZ pad (a turning camera gets its stop) and the tour, remember the view if ``save``, and
        let the tiles go."""
        self.ptz_pad.release()
        self.tour_runner.stop()
        if save:
            self.save_view()
        self.view.shutdown()
