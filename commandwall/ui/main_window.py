"""The main window: map in the centre, the video wall and the incident panel in docks, status bar below."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from commandwall.app.session import ClientSession
from commandwall.backend.outbox import OutboxItem, OutboxState
from commandwall.domain.models import Camera, Incident
from commandwall.textsafe import display_text
from commandwall.ui.about import show_about
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.cameras import CameraTree
from commandwall.ui.incidents.dispatch import DispatchDialog
from commandwall.ui.incidents.model import PRIORITY_LABELS
from commandwall.ui.incidents.panel import IncidentPanel
from commandwall.ui.map.view import MapView
from commandwall.ui.status import PlatformStatus, describe_outbox_item
from commandwall.ui.wall.ptz import PtzPad
from commandwall.ui.wall.tour import TourRunner
from commandwall.ui.wall.view_state import WallViewState
from commandwall.ui.wall.wall import WallView
from commandwall.video.pool import ReaderPool
from commandwall.video.tour import Tour, tour_around, tour_for_grid, tour_status_text

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """One window that puts the map, the wall and the incidents together for a duty officer."""

    def __init__(self, session: ClientSession) -> None:
        super().__init__()
        self.session = session
        mode = "演练模式" if session.user.exercise else "实战模式"
        self.setWindowTitle(f"薛城区一体化综合指挥平台 · {mode}")
        self.signals = ClientSignals(self)
        self.pool = ReaderPool()
        self.map = MapView()
        self.wall = WallView(self.pool)
        self.wall.setObjectName("wall")
        self.incidents = IncidentPanel()
        self.camera_tree = CameraTree()
        self.ptz_pad = PtzPad()
        self.tour_runner = TourRunner(self.wall, self.session.cameras.get, self)
        self._ready = False
        self._tile_actions: dict[int, QAction] = {}
        self._view_state = WallViewState(session.settings.data_dir)
        self._camera_dirty = False
        self._units_dirty = False

        self.status = PlatformStatus(self.statusBar(), self)
        self.banner = self.status.banner
        self.connection_label = self.status.connection_label
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.map, 1)
        self.setCentralWidget(central)

        wall_box = QWidget()  # the PTZ pad sits under the wall and floats with it to a second screen
        wall_layout = QVBoxLayout(wall_box)
        wall_layout.setContentsMargins(0, 0, 0, 0)
        wall_layout.setSpacing(0)
        wall_layout.addWidget(self.wall, 1)
        wall_layout.addWidget(self.ptz_pad)
        self.ptz_pad.hide()  # shown while a tile is selected: the wall keeps its height otherwise
        self.wall_dock = self._dock("视频墙", wall_box, "wallDock")
        self.incident_dock = self._dock("事件中心", self.incidents, "incidentDock")
        self.camera_dock = self._dock("视频点位", self.camera_tree, "cameraDock")
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.wall_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.incident_dock)
        self.tabifyDockWidget(self.incident_dock, self.camera_dock)
        self.incident_dock.raise_()
        self._build_toolbar()
        self._connect()

        self._throttle = QTimer(self)
        self._throttle.setInterval(1000)
        self._throttle.timeout.connect(self._flush_throttled)
        self._throttle.start()

    # --- construction -------------------------------------------------------------------------------
    def _dock(self, title: str, widget: QWidget, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        return dock

    def _build_toolbar(self) -> None:
        bar = self.addToolBar("主工具栏")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        title = QLabel("薛城区一体化综合指挥平台")
        title.setObjectName("titleLabel")
        bar.addWidget(title)
        bar.addSeparator()
        group = QActionGroup(self)
        for key, n in enumerate((1, 4, 9, 16), start=1):
            action = QAction(f"{n}画面", self, checkable=True)
            action.setShortcut(QKeySequence(f"Ctrl+{key}"))
            action.setToolTip(f"视频墙 {n} 画面（Ctrl+{key}）")
            action.setChecked(n == self.session.settings.wall_tiles)
            action.triggered.connect(lambda _=False, n=n: self.wall.set_tile_count(n))
            self._tile_actions[n] = action
            group.addAction(action)
            bar.addAction(action)
        bar.addSeparator()
        around = QAction("周边视频", self)
        around.setToolTip("把选中事件周边的摄像机调上视频墙")
        around.triggered.connect(self._play_around_selected)
        bar.addAction(around)
        self.tour_action = QAction("轮巡", self, checkable=True)
        self.tour_action.setToolTip("按页轮巡选中摄像机所在街镇的视频；未选摄像机时轮巡选中事件周边的视频")
        self.tour_action.triggered.connect(self._toggle_tour)
        bar.addAction(self.tour_action)
        full_screen = QAction("全屏", self, checkable=True)
        full_screen.setShortcut(QKeySequence(Qt.Key.Key_F11))
        full_screen.setToolTip("全屏显示（F11）")
        full_screen.toggled.connect(lambda on: self.showFullScreen() if on else self.showMaximized())
        bar.addAction(full_screen)
        about = QAction("关于", self)
        about.triggered.connect(self._about)
        bar.addAction(about)
        self.wall.set_tile_count(self.session.settings.wall_tiles)

    def _connect(self) -> None:
        s = self.signals
        s.sig_progress.connect(lambda text: self.statusBar().showMessage(display_text(text), 5000))
        s.sig_failed.connect(self.status.set_failed)
        s.sig_layers.connect(self._on_layers)
        s.sig_ready.connect(self._on_ready)
        s.sig_connection.connect(self.status.set_connection)
        s.sig_incident.connect(self._on_incident)
        s.sig_unit.connect(lambda _u: setattr(self, "_units_dirty", True))
        s.sig_camera.connect(self._on_camera)
        s.sig_task.connect(self._on_task)
        for live in (s.sig_incident, s.sig_unit, s.sig_camera, s.sig_task):
            live.connect(self.status.stamp_sync)
        s.sig_outbox.connect(self._on_outbox)
        self.map.sig_camera_clicked.connect(self._play_camera)
        self.map.sig_camera_clicked.connect(self.camera_tree.select_camera)
        self.camera_tree.sig_play_requested.connect(self._play_camera)
        self.camera_tree.sig_locate_requested.connect(self._locate_camera)
        self.wall.sig_tile_selected.connect(self._sync_ptz_pad)
        self.wall.sig_playing_changed.connect(self._sync_ptz_pad)
        self.ptz_pad.sig_ptz.connect(self._send_ptz)
        self.tour_runner.sig_page.connect(self._on_tour_page)
        self.tour_runner.sig_stopped.connect(self._on_tour_stopped)
        self.map.sig_incident_clicked.connect(self.incidents.select)
        self.incidents.sig_incident_selected.connect(self._on_incident_selected)
        self.incidents.detail.sig_locate.connect(self._locate_incident)
        self.incidents.detail.sig_action.connect(self._request_transition)
        self.incidents.detail.sig_dispatch.connect(self._open_dispatch)

    # --- screens --------------------------------------------------------------------------------------
    def arrange_on_screens(self) -> None:
        """One monitor: everything in this window. Several: the map window on the first, the video wall
        floated full-size onto the second (the usual desk layout of a command centre)."""
        screens = QGuiApplication.screens()
        primary = QGuiApplication.primaryScreen()
        area = primary.availableGeometry()
        self.setGeometry(area)
        self.showMaximized()
        others = [s for s in screens if s is not primary]
        if others:
            self.wall_dock.setFloating(True)
            self.wall_dock.setGeometry(others[0].availableGeometry())
            self.wall_dock.show()
            self.resizeDocks([self.incident_dock], [int(area.width() * 0.36)], Qt.Orientation.Horizontal)
            return
        # One screen: the right column takes ~42% of the width, the wall its upper half.
        self.resizeDocks([self.wall_dock], [int(area.width() * 0.42)], Qt.Orientation.Horizontal)
        self.resizeDocks([self.wall_dock, self.incident_dock], [int(area.height() * 0.5)] * 2,
                         Qt.Orientation.Vertical)

    # --- start-up -----------------------------------------------------------------------------------
    def start_session(self) -> None:
        """Connect the session's callbacks and start it on a worker thread (the window stays live)."""
        self.session.listener = self.signals.listener()
        self.signals.watch(self.session)
        self.session.start_in_background()

    def _on_layers(self, layers: list, errors: list[str], page_html: str) -> None:
        self.map.load_built_page(page_html)
        if errors:
            self.statusBar().showMessage(display_text("部分图层未加载：" + "；".join(errors)), 15000)

    def _on_ready(self) -> None:
        info = self.session.user
        self.status.set_user(info.username, info.roles)
        self.incidents.detail.set_can_act(info.can_act)
        self.ptz_pad.setEnabled(info.can_act)
        self.camera_tree.set_cameras(self.session.cameras.all())
        self.map.set_cameras(self.session.cameras.all())
        self.map.set_units(self.session.units.all())
        self.map.set_incidents(self.session.incidents.all())
        resources = next((layer for layer in self.session.layers if layer.kind == "resources"), None)
        if resources is not None:
            self.map.set_resources(resources.features)
        self.incidents.set_incidents(self.session.incidents.all())
        if self.session.outbox is not None:
            self.session.outbox.add_listener(self.signals.sig_outbox.emit)
            self.status.set_outbox_pending(self.session.outbox.pending_count())  # left from the last run
        if not self._restore_wall():
            self._fill_wall_at_start()
        self._ready = True
        self._update_counts()

    def is_ready(self) -> bool:
        """True once the session has connected and the window shows the platform's data."""
        return self._ready

    # --- the view a duty officer left behind ---------------------------------------------------------
    def save_view(self) -> None:
        """Remember the wall (tile count and cameras) for the next start on this desk."""
        if self._ready:
            self._view_state.save(self.wall)

    def _restore_wall(self) -> bool:
        """Put back the wall as it was left; False if nothing was saved (first start on this desk)."""
        tiles = self._view_state.restore(self.wall, self.session.cameras.get)
        if tiles is None:
            return False
        self._tile_actions[tiles].setChecked(True)
        return True

    def _fill_wall_at_start(self) -> None:
        """First view: the cameras nearest the district's centre of activity (the newest open incident)."""
        open_incidents = self.session.incidents.open()
        if open_incidents:
            lon, lat = open_incidents[0].lon, open_incidents[0].lat
        else:
            lon, lat = 117.263, 34.795  # 临城街道
        for index, camera in enumerate(self.session.cameras_near(lon, lat, self.wall.tile_count())):
            self.wall.play(camera, index)

    # --- live updates -------------------------------------------------------------------------------
    def _on_incident(self, incident: Incident) -> None:
        is_new = self.incidents.upsert_incident(incident, unseen=self._ready)
        self.map.upsert_incident(incident)
        if is_new and self._ready:
            level = PRIORITY_LABELS.get(incident.priority, "")
            category, town, title = (display_text(text, isolate=True)
                                     for text in (incident.category_label, incident.town, incident.title))
            self.statusBar().showMessage(f"新事件［{level}·{category}］{town} {title}", 20000)
            if incident.priority <= 2:
                QApplication.alert(self)  # flashes the task bar entry until the window is looked at
        self._update_counts()

    def _on_camera(self, camera: Camera) -> None:
        self.wall.set_camera_status(camera.id, camera.status)
        self.camera_tree.update_camera(camera)
        pad_camera = self.ptz_pad.camera
        if pad_camera is not None and pad_camera.id == camera.id:
            self.ptz_pad.set_camera(camera)
        self._camera_dirty = True

    def _on_task(self, task) -> None:
        shown = self.incidents.detail.incident
        if shown is not None and shown.id == task.incident_id:
            self.incidents.detail.show_tasks(self.session.tasks.for_incident(task.incident_id))

    def _flush_throttled(self) -> None:
        """Redraw many-point layers at most once a second, however often units move."""
        if self._camera_dirty:
            self._camera_dirty = False
            self.map.set_cameras(self.session.cameras.all())
            self._update_counts()
        if self._units_dirty:
            self._units_dirty = False
            self.map.set_units(self.session.units.all())

    def _update_counts(self) -> None:
        open_count = len(self.session.incidents.open())
        cams = self.session.cameras.all()
        online = sum(1 for c in cams if c.status.value == "online")
        self.status.set_counts(open_count, online, len(cams))

    # --- user actions ---------------------------------------------------------------------------------
    def _play_camera(self, camera_id: str) -> None:
        camera = self.session.cameras.get(camera_id)
        if camera is not None:
            self.wall.play(camera)

    def _locate_camera(self, camera_id: str) -> None:
        camera = self.session.cameras.get(camera_id)
        if camera is not None:
            self.map.fly_to(camera.lon, camera.lat)

    def _sync_ptz_pad(self, *_args: object) -> None:
        """The PTZ pad steers the camera of the selected tile (as the store knows it now)."""
        index = self.wall.selected_index
        shown = self.wall.tile(index).camera if index is not None else None
        self.ptz_pad.set_camera(self.session.cameras.get(shown.id) if shown is not None else None)
        self.ptz_pad.setVisible(index is not None)

    def _send_ptz(self, camera_id: str, action: str, speed: int) -> None:
        if self.session.ptz is not None:
            self.session.ptz.send(
                camera_id, action, speed, lambda error: self.ptz_pad.report_result(camera_id, error)
            )

    def _on_incident_selected(self, incident_id: str) -> None:
        self.map.select_incident(incident_id)
        self.incidents.detail.show_tasks(self.session.tasks.for_incident(incident_id))

    def _locate_incident(self, incident_id: str) -> None:
        self.map.select_incident(incident_id)

    def _play_around_selected(self) -> None:
        incident = self.incidents.detail.incident
        if incident is None:
            self.statusBar().showMessage("请先在事件中心选择一个事件", 4000)
            return
        for index, camera in enumerate(self.session.cameras_near(incident.lon, incident.lat,
                                                                 self.wall.tile_count())):
            self.wall.play(camera, index)

    def _toggle_tour(self, checked: bool) -> None:
        """轮巡 on: tour the selected camera's town, else the cameras around the selected incident."""
        if not checked:
            self.tour_runner.stop()
            return
        tour = self._tour_for_selection()
        if tour is None:
            self.tour_action.setChecked(False)
            return
        self.tour_runner.start(tour)

    def _tour_for_selection(self) -> Tour | None:
        camera_id = self.camera_tree.current_camera_id()
        camera = self.session.cameras.get(camera_id) if camera_id else None
        incident = self.incidents.detail.incident
        try:
            if camera is not None:  # the camera's grid cell (网格): a few pages, not a whole town's
                return tour_for_grid(self.session.cameras.all(), camera.grid, self._grid_names().get(camera.grid))
            if incident is not None:
                return tour_around(self.session.cameras_near(incident.lon, incident.lat, 32),
                                   f"{incident.title} 周边")
        except ValueError as error:
            self.statusBar().showMessage(display_text(str(error)), 6000)
            return None
        self.statusBar().showMessage("请先在视频点位中选择摄像机，或在事件中心选择一个事件", 4000)
        return None

    def _grid_names(self) -> dict[str, str]:
        """Grid cell id → its name (临城街道第03网格), from the grids layer."""
        grids = next((layer for layer in self.session.layers if layer.kind == "grids"), None)
        if grids is None:
            return {}
        return {str(f["properties"].get("id")): str(f["properties"].get("name")) for f in grids.features}

    def _on_tour_page(self, name: str, page: int, pages: int) -> None:
        self.statusBar().showMessage(display_text(tour_status_text(name, page, pages)))

    def _on_tour_stopped(self) -> None:
        self.tour_action.setChecked(False)
        self.statusBar().showMessage("轮巡已停止", 3000)

    def _request_transition(self, incident_id: str, action: str, version: int) -> None:
        self.session.transition(incident_id, action, version)
        self.incidents.detail.set_feedback("已提交，等待平台确认…", settled=False)

    def _open_dispatch(self, incident_id: str) -> None:
        incident = self.session.incidents.get(incident_id)
        if incident is None:
            return
        dialog = DispatchDialog(incident, self.session.units_by_distance(incident.lon, incident.lat), self)
        if dialog.exec():
            self.session.dispatch_task(dialog.payload())
            self.incidents.detail.set_feedback("派遣任务已提交，等待平台确认…", settled=False)

    def _on_outbox(self, item: OutboxItem) -> None:
        shown = self.incidents.detail.incident
        text = describe_outbox_item(item)
        if text:
            if shown is not None and item.payload.get("incident_id") == shown.id:
                self.incidents.detail.set_feedback(text, settled=item.state is not OutboxState.PENDING)
            self.statusBar().showMessage(display_text(text), 6000)
        pending = self.session.outbox.pending_count() if self.session.outbox else 0
        self.status.set_outbox_pending(pending)

    def _about(self) -> None:
        show_about(self, self.session.user.base_url)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Remember the view, then stop video readers and the session before the window goes."""
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self, video_timeout_s: float = 6.0) -> list[str]:
        """Stop everything the window started and wait for its threads, within bounds; safe to call again.

        The view is saved and the tiles let go once. Then every stream reader (held, or released earlier and
        still finishing a read) is stopped and joined within ``video_timeout_s`` (longer than a reader's open
        and read timeouts), and the session stops its own threads with their bounded joins. Returns the
        streams whose reader thread is still running (empty when all ended): the caller must not let the
        interpreter finalise under them.
        """
        if not getattr(self, "_shut_down", False):
            self._shut_down = True
            self.ptz_pad.release()  # a camera turning under a held button must get its stop
            self.tour_runner.stop()
            self.save_view()
            self._throttle.stop()
            self.wall.shutdown()
        self.pool.stop_all(video_timeout_s)
        self.session.stop()
        return [reader.context for reader in self.pool.running()]

