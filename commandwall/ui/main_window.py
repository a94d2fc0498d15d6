"""The main window: it only assembles. The map in the centre; the wall, the incident centre and the camera list
in docks (on several screens the wall and the incidents can have full-screen windows of their own, see
``ui/screens``); the status bar below. Each feature (``ui/map``, ``ui/wall``, ``ui/incidents``, ``ui/cameras``) brings
its widgets bound to its controller in ``commandwall.app``; here they are placed and told about each other.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QRect, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMessageBox, QVBoxLayout, QWidget

from commandwall.app.desk import Desk
from commandwall.app.platform_layers import catalogue_loader
from commandwall.app.screens import ProfileStore, ScreenRole
from commandwall.app.session import ClientSession
from commandwall.app.settings_folder import settings_folder_problem
from commandwall.app.user_layers import UserLayersController
from commandwall.config import save_language
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.about import show_about
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.alarm.feature import AlarmFeature
from commandwall.ui.cameras.feature import CamerasFeature
from commandwall.ui.collector import freeze_long_lived
from commandwall.ui.dashboard.feature import DashboardFeature
from commandwall.ui.incidents.feature import IncidentsFeature
from commandwall.ui.language import LANGUAGE_NAMES, current_language
from commandwall.ui.login.feature import LoginFeature
from commandwall.ui.map.feature import MapFeature
from commandwall.ui.map.layer_tree import LayerTreeFeature
from commandwall.ui.messages import MessageLog
from commandwall.ui.over import asking_window, put_over
from commandwall.ui.screens import ScreenManager, ScreenSettingsDialog
from commandwall.ui.screens.manager import sorted_screens, wall_share
from commandwall.ui.shortcuts import ShortcutSheet
from commandwall.ui.status import PlatformStatus
from commandwall.ui.text import plain_tooltip, plain_warning
from commandwall.ui.waiting import WaitingElsewhere
from commandwall.ui.wall.feature import WallFeature
from commandwall.video.decode_host import DecodeHost
from commandwall.video.pool import ReaderPool
from commandwall.video.transport import RtspTransports

log = logging.getLogger(__name__)

#: A dock layout saved with the map narrower than this share of the window is not what an officer chose (one saved
#: while a long text had pushed the docks wide, say): restored, the docks get their default shares instead.
MIN_MAP_SHARE = 0.25
#: Nor is one with the docked wall lower than this share of the window (a start that gave a wall without its own
#: screen no room left it a strip of tiles 36 px high, and kept that for the next start).
MIN_WALL_SHARE = 0.15


class MainWindow(QMainWindow):
    """One window that puts the map, the wall and the incidents together for a duty officer."""

    def __init__(self, session: ClientSession) -> None:
        super().__init__()
        self.session = session
        self.desk = Desk.of(session)
        mode = translate("MainWindow", "演练模式") if session.user.exercise else translate("MainWindow", "实战模式")
        self.setWindowTitle(translate("MainWindow", "薛城区一体化综合指挥平台 · {mode}").format(mode=mode))
        self.signals = ClientSignals(self)
        decode_host = DecodeHost() if session.settings.video_decode_process else None
        if decode_host is not None:
            decode_host.start_soon()  # ready by the time the wall opens its first stream
        self.pool = ReaderPool(transports=RtspTransports.load(session.settings.data_dir), decode_host=decode_host)
        self._ready = False
        self.map_feature = MapFeature(self.desk.map, self.signals, self, data_dir=session.settings.data_dir)
        self.layer_tree_feature = LayerTreeFeature(UserLayersController.from_settings(session.settings),
                                                   self.map_feature.view, self)
        self.wall_feature = WallFeature(self.desk.wall, self.signals, self.pool, tiles=session.settings.wall_tiles,
                                        data_dir=session.settings.data_dir, parent=self)
        self.incidents_feature = IncidentsFeature(self.desk.incidents, self.signals, self, self.desk.warnings,
                                                  data_dir=session.settings.data_dir)
        alarm_wall = session.settings.alarm_wall
        linkage_wall = lambda: self.wall_feature.linkage_wall(alarm_wall)  # noqa: E731 - asked at each alarm
        self.alarm_feature = AlarmFeature(self.desk.alarm, self.signals, lambda: linkage_wall().view.model,
                                          self.map_feature.widget, self,
                                          touring=lambda: linkage_wall().tour_runner.is_running())
        self.cameras_feature = CamerasFeature(self.desk.cameras, self.signals, self)
        self.login_feature = LoginFeature(self.desk.login, self)
        self.dashboard_feature = DashboardFeature(self.desk.dashboard, self)
        self.dashboard = self.dashboard_feature.view
        # The parts tests and the screenshot mode look at:
        self.map, self.wall = self.map_feature.view, self.wall_feature.view
        self.incidents, self.camera_tree = self.incidents_feature.panel, self.cameras_feature.tree
        self.ptz_pad, self.tour_runner = self.wall_feature.ptz_pad, self.wall_feature.tour_runner
        self.tour_action = self.wall_feature.tour_action

        self.status = PlatformStatus(self.statusBar(), self)
        self.status.follow(self.signals, self._counts, self.desk.incidents.pending_actions)
        self.status.follow_overdue(self.desk.incidents.overdue_counts)
        self.status.follow_quiet(session.live_stream_quiet_for, session.unanswered_since_heard)
        self.messages = MessageLog(self.statusBar(), self)  # what the status bar said, kept after it moved on
        # another user's (or another platform address's) actions still waiting on this desk, and their list
        self.waiting_elsewhere = WaitingElsewhere(self.statusBar(), self, lambda: session.waiting)
        self.banner, self.connection_label = self.status.banner, self.status.connection_label
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.map_feature.widget, 1)
        self.setCentralWidget(central)
        self.wall_dock = self._dock(translate("MainWindow", "视频墙"), self.wall_feature.widget, "wallDock")
        self.incident_dock = self._dock(translate("MainWindow", "事件中心"), self.incidents_feature.widget,
                                        "incidentDock")
        self.camera_dock = self._dock(translate("MainWindow", "视频点位"), self.cameras_feature.widget, "cameraDock")
        self.layer_dock = self._dock(translate("MainWindow", "图层"), self.layer_tree_feature.widget, "layerDock")
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.wall_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.incident_dock)
        self.dashboard_dock = self._dock(translate("MainWindow", "综合态势"), self.dashboard_feature.widget,
                                         "dashboardDock")
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dashboard_dock)
        self.tabifyDockWidget(self.incident_dock, self.camera_dock)
        self.tabifyDockWidget(self.camera_dock, self.layer_dock)
        self.tabifyDockWidget(self.incident_dock, self.dashboard_dock)
        self.incident_dock.raise_()
        self.screens = ScreenManager(
            self, {ScreenRole.WALL: self.wall_dock, ScreenRole.INCIDENTS: self.incident_dock,
                   ScreenRole.DASHBOARD: self.dashboard_dock},
            ProfileStore(session.settings.config_dir / "profiles"), session.settings.profile,
            session.settings.data_dir, walls=self.wall_feature.walls_on_screens)
        self.status.sig_banner.connect(self.screens.mirror_banner)  # an outage is said on every screen
        self.screens.mirror_banner(*self.status.banner_now())
        self._build_toolbar()
        self._build_menu()
        self._connect()
        if self.screens.profile_error:  # the defaults are in use: say so, not only in the log
            text = translate("MainWindow", "屏幕方案无法使用，已按默认角色显示：{error}")
            self.statusBar().showMessage(display_text(text.format(error=self.screens.profile_error)), 30000)
        self._say_settings_folder(settings_folder_problem(session.settings.config_dir))

    def _say_settings_folder(self, problem: str | None) -> None:
        """The settings folder cannot keep this desk's settings (a file of that name, no rights): said once in
        the log and the status bar, plainly, and a note stays in the status bar (the start's own messages soon
        cover the first)."""
        self.settings_note = QLabel(translate("MainWindow", "界面设置不会保存"))
        self.settings_note.setObjectName("settingsNotKept")
        self.settings_note.setTextFormat(Qt.TextFormat.PlainText)
        self.settings_note.setStyleSheet("color: #faad14;")
        self.settings_note.setVisible(problem is not None)
        if problem is None:
            return
        log.warning("%s", problem)
        self.settings_note.setToolTip(plain_tooltip(problem))
        self.statusBar().addPermanentWidget(self.settings_note)
        self.statusBar().showMessage(display_text(problem), 60000)

    def _show_notice(self, text: str) -> None:
        """Something the duty officer must know: in the status bar for a minute (and in the log)."""
        self.statusBar().showMessage(display_text(text), 60000)
        self._show_waiting_elsewhere()

    def _show_waiting_elsewhere(self, *_args: object) -> None:
        """The status bar's count of actions waiting in the desk's other outboxes, as the session last read them."""
        self.waiting_elsewhere.refresh()

    def _dock(self, title: str, widget: QWidget, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        return dock

    def _build_toolbar(self) -> None:
        bar = self.addToolBar(translate("MainWindow", "主工具栏"))
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        title = QLabel(translate("MainWindow", "薛城区一体化综合指挥平台"))
        title.setObjectName("titleLabel")
        bar.addWidget(title)
        bar.addSeparator()
        for action in self.wall_feature.actions:
            bar.addAction(action) if action is not None else bar.addSeparator()
        bar.addSeparator()
        for action in self.alarm_feature.actions:
            bar.addAction(action)
        self.full_screen_action = QAction(translate("MainWindow", "全屏"), self, checkable=True)
        self.full_screen_action.setShortcut(QKeySequence(Qt.Key.Key_F11))
        self.full_screen_action.setToolTip(translate("MainWindow", "全屏显示（F11）"))
        self.full_screen_action.toggled.connect(self._full_screen)
        self._state_before_full_screen = Qt.WindowState.WindowMaximized
        bar.addAction(self.full_screen_action)
        self.about_action = QAction(translate("MainWindow", "关于"), self)
        self.about_action.triggered.connect(lambda: show_about(self, self.session.user.base_url))
        bar.addAction(self.about_action)

    def _build_menu(self) -> None:
        """The menu bar, every menu with its Alt letter (F10 opens the first): what the tool bar offers is in a
        menu too, so a keyboard reaches all of it."""
        self.wall_feature.menu.setTitle(translate("MainWindow", "视频墙(&V)"))
        self.menuBar().addMenu(self.wall_feature.menu)
        alarm = self.menuBar().addMenu(translate("MainWindow", "告警联动(&A)"))
        alarm.addActions(self.alarm_feature.actions)
        view = self.menuBar().addMenu(translate("MainWindow", "设置(&S)"))
        self.screen_settings_action = view.addAction(translate("MainWindow", "屏幕设置(&D)…"))
        self.screen_settings_action.triggered.connect(self.show_screen_settings)
        view.addAction(self.full_screen_action)  # what a narrow tool bar folds away is in a menu too
        self.language_menu = view.addMenu(translate("MainWindow", "语言(&L)"))
        self.language_actions = QActionGroup(self)
        current = current_language()
        for code, name in LANGUAGE_NAMES.items():
            action = self.language_menu.addAction(name)  # each language by its own name
            action.setCheckable(True)
            action.setChecked(code == current)
            action.setData(code)
            self.language_actions.addAction(action)
        self.language_actions.triggered.connect(lambda action: self.choose_language(action.data()))
        account = self.menuBar().addMenu(translate("MainWindow", "账户(&U)"))
        self.switch_user_action = account.addAction(translate("MainWindow", "切换用户(&W)…"))
        self.switch_user_action.setShortcut(QKeySequence("Ctrl+L"))
        self.switch_user_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.switch_user_action.triggered.connect(self.login_feature.switch_user)
        self.logout_action = account.addAction(translate("MainWindow", "注销"))
        self.logout_action.triggered.connect(self.login_feature.log_out)
        help_menu = self.menuBar().addMenu(translate("MainWindow", "帮助(&H)"))
        self.shortcuts_action = help_menu.addAction(translate("MainWindow", "快捷键(&K)…"))
        self.shortcuts_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        self.shortcuts_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)  # any screen's window
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.shortcut_sheet: ShortcutSheet | None = None
        help_menu.addAction(self.about_action)
        # F10: the menu bar, its first menu open (as on other desktops); named for the 快捷键 sheet
        self.menu_key_action = QAction(translate("MainWindow", "打开菜单栏"), self)
        self.menu_key_action.setShortcut(QKeySequence(Qt.Key.Key_F10))
        self.menu_key_action.triggered.connect(self._open_first_menu)
        self.addAction(self.menu_key_action)
        self._no_preset_actions = [self._no_preset_action(recall, number)
                                   for number, recall in enumerate(self.wall_feature.presets.recall_actions, 1)]

    def _full_screen(self, on: bool) -> None:
        """全屏 (F11) on: the window full screen; off: back as it was before (maximized, or at its own size and
        place; a window that was full screen already — the map's on a screen of its own — stays so)."""
        if on:
            if not self.isFullScreen():
                self._state_before_full_screen = self.windowState()
            self.showFullScreen()
        elif self._state_before_full_screen & Qt.WindowState.WindowFullScreen:
            return
        elif self._state_before_full_screen & Qt.WindowState.WindowMaximized:
            self.showMaximized()
        else:
            self.showNormal()

    def show_shortcuts(self) -> None:
        """帮助 → 快捷键 (F1): the sheet of every shortcut, modeless, read anew from the actions each time; over the
        window F1 was pressed in (the wall's own screen, say)."""
        over = asking_window(self)
        if self.shortcut_sheet is None:
            self.shortcut_sheet = ShortcutSheet(self, over)
        else:
            put_over(self.shortcut_sheet, over)
        self.shortcut_sheet.show_over()

    def _open_first_menu(self) -> None:
        bar = self.menuBar()
        first = next((action for action in bar.actions() if action.isVisible() and action.menu()), None)
        if first is not None:
            bar.setFocus(Qt.FocusReason.ShortcutFocusReason)
            bar.setActiveAction(first)

    def _no_preset_action(self, recall: QAction, number: int) -> QAction:
        """Alt+N while there is no N-th preset (its recall action is off): said in the status bar instead of
        nothing at all. On only while ``recall`` is off, so the two never share the key."""
        action = QAction(self)
        action.setShortcut(recall.shortcut())
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)  # like the recall: any screen's window
        action.setEnabled(not recall.isEnabled())
        recall.enabledChanged.connect(lambda on: action.setEnabled(not on))
        action.triggered.connect(lambda: self.statusBar().showMessage(translate(
            "MainWindow", "没有预案 {number}：视频墙 → 预案 → 保存当前画面为预案…").format(number=number), 8000))
        self.addAction(action)
        return action

    def _connect(self) -> None:
        """Tell the features about each other, and let each speak in the status bar."""
        self.signals.sig_progress.connect(self._show_progress)  # a method: queued to the GUI thread
        self.signals.sig_ready.connect(self._on_ready)
        self.signals.sig_notice.connect(self._show_notice)
        self.signals.sig_ready.connect(self._show_waiting_elsewhere)
        self.signals.sig_offline_data.connect(self._show_waiting_elsewhere)
        # started during an outage: the configured user queues offline, his rights from the last known state
        self.signals.sig_offline_data.connect(self._on_user_changed)
        self.signals.sig_reloaded.connect(self._on_reloaded)
        self.signals.sig_layers.connect(self._on_layers)
        self.signals.sig_login_needed.connect(self.login_feature.ask)
        self.login_feature.sig_logged_out.connect(self._on_user_changed)
        features = (self.map_feature, self.wall_feature, self.incidents_feature, self.cameras_feature,
                    self.login_feature, self.dashboard_feature, self.alarm_feature)
        for feature in features:
            feature.sig_message.connect(self.statusBar().showMessage)
        self.map.sig_camera_clicked.connect(self.wall_feature.play_camera)
        self.map.sig_camera_clicked.connect(self.cameras_feature.select)
        self.map.sig_incident_clicked.connect(self.incidents_feature.select)
        self.map_feature.sig_cameras_to_wall.connect(self._cameras_to_wall)
        self.incidents_feature.sig_cameras_to_wall.connect(self._cameras_to_wall)  # an early warning's area
        self.map_feature.set_dispatch_offers(self.incidents_feature.unit_offer, self.incidents_feature.resource_offer)
        self.map_feature.sig_dispatch_unit.connect(self.incidents_feature.dispatch_unit)
        self.map_feature.sig_dispatch_resource.connect(self.incidents_feature.dispatch_resource)
        self.camera_tree.sig_play_requested.connect(self.wall_feature.play_camera)
        self.camera_tree.sig_locate_requested.connect(self.map_feature.locate_camera)
        self.incidents.sig_incident_selected.connect(self.map_feature.select_incident)
        self.incidents.sig_incident_selected.connect(self.alarm_feature.acknowledge)
        self.map.sig_incident_clicked.connect(self.alarm_feature.acknowledge)
        self.alarm_feature.sig_fly_to.connect(self.map.fly_to)
        self.alarm_feature.sig_select_incident.connect(self.map_feature.select_incident)
        self.alarm_feature.sig_alarm.connect(
            lambda _alarm: self.wall_feature.linkage_wall(self.session.settings.alarm_wall).tour_runner.stop())
        self.incidents.detail.sig_locate.connect(self.map_feature.select_incident)
        self.dashboard_feature.sig_filter.connect(self.incidents_feature.apply_filter)
        self.dashboard_feature.sig_filter.connect(self.map_feature.apply_filter)
        self.incidents_feature.sig_filter_cleared.connect(self.map_feature.clear_filter)
        self.incidents_feature.sig_filter_cleared.connect(self.dashboard_feature.filter_cleared)
        self.wall_feature.follow_selection(
            lambda: (self.cameras_feature.selected_camera_id(), self.incidents_feature.selected_incident_id()))

    def _cameras_to_wall(self, camera_ids: list) -> None:
        """上墙 from the map (a drawn selection) or of an early warning's area: the cameras fill the active
        wall's tiles in order (as many as it has)."""
        wall, view = self.wall_feature, self.wall_feature.active.view
        cameras = [c for c in map(wall.controller.camera, camera_ids) if c is not None]
        for index, camera in enumerate(cameras[: view.tile_count()]):
            view.play(camera, index)

    def _counts(self) -> tuple[int, int, int]:
        cameras = self.desk.cameras.count()
        return self.desk.incidents.open_count(), cameras.online, cameras.total

    # --- screens --------------------------------------------------------------------------------------
    def arrange_on_screens(self) -> None:
        """Place the map, the wall and the incidents on the screens as the screen profile says: on one screen
        all in this window; on several, each role full screen on its own (see ``ui/screens``)."""
        self.screens.apply()
        if self.screens.view_restored:
            QTimer.singleShot(0, self, self._unsqueeze_map)  # once laid out (not at all if the window is gone)
            return
        if len(sorted_screens()) > 1:
            return  # the screens' manager gave each role docked here its room
        self.share_docks(QGuiApplication.primaryScreen().availableGeometry())

    def _unsqueeze_map(self) -> None:
        """A restored layout that left the map under :data:`MIN_MAP_SHARE` of the window, or the docked wall under
        :data:`MIN_WALL_SHARE` of its height, gets the default shares (:meth:`share_docks`; on several screens
        the docked roles get the room the screens' manager gives them)."""
        central = self.centralWidget()
        if not self.isVisible() or central is None or not central.isVisible():
            return
        wall = self.wall_dock
        wall_docked = wall.isVisible() and not wall.isFloating() and wall.widget() is self.wall_feature.widget
        if self.map_width() >= self.width() * MIN_MAP_SHARE and not (
                wall_docked and wall.height() < self.height() * MIN_WALL_SHARE):
            return
        log.warning("the restored window layout left the map %d of %d px wide, the wall %d of %d px high: the "
                    "docks get their default shares", self.map_width(), self.width(),
                    wall.height() if wall_docked else 0, self.height())
        if len(sorted_screens()) > 1 and self.screens.plan is not None:
            self.screens.give_room([d for role, d in self.screens.docks.items() if role in self.screens.plan.docked])
        else:
            self.share_docks(self.screen().availableGeometry())

    def map_width(self) -> int:
        """How wide the map shows in the window (0 when the docks leave it no room: Qt then moves it out of
        the window rather than shrinking it)."""
        central = self.centralWidget()
        return 0 if central is None else central.geometry().intersected(self.rect()).width()

    def share_docks(self, area: QRect) -> None:
        """The docks as a desk with one screen (``area`` available) and no layout saved gets them: the right
        column ~42% of the width, the wall its upper part (:func:`wall_share`: half, less on a short screen),
        the incident centre the rest."""
        self.resizeDocks([self.wall_dock], [int(area.width() * 0.42)], Qt.Orientation.Horizontal)
        share = wall_share(area.height())
        self.resizeDocks([self.wall_dock, self.incident_dock],
                         [int(area.height() * share), int(area.height() * (1 - share))], Qt.Orientation.Vertical)

    def show_screen_settings(self) -> None:
        """屏幕设置…: a role for each screen, applied at once."""
        ScreenSettingsDialog(self.screens, self).exec()

    def choose_language(self, language: str) -> None:
        """语言: remember ``language`` for the next start (the window keeps its language until then)."""
        settings = self.session.settings
        try:
            save_language(settings.config_dir, language)
        except OSError as error:
            plain_warning(self, translate("MainWindow", "语言"), translate(
                "MainWindow", "无法保存语言设置：{error}").format(error=display_text(str(error.strerror or error))))
            return
        text = translate("MainWindow", "下次启动时界面语言为 {language}。").format(language=LANGUAGE_NAMES[language])
        if settings.language is not None and settings.language != language:
            text += translate("MainWindow", "（当前由 --lang 或 COMMANDWALL_LANGUAGE 指定为 {language}，该设置优先。）"
                              ).format(language=LANGUAGE_NAMES[settings.language])
        self.language_note = QMessageBox(QMessageBox.Icon.Information, translate("MainWindow", "语言"), text,
                                         parent=self)
        self.language_note.setTextFormat(Qt.TextFormat.PlainText)
        self.language_note.open()  # window-modal, and the window's loop keeps running (the wall keeps playing)

    # --- start-up and shutdown ------------------------------------------------------------------------
    def start_session(self) -> None:
        """Connect the session's callbacks and start it on a worker thread (the window stays live)."""
        self.session.listener = self.signals.listener()
        self.signals.watch(self.session)
        self.signals.watch_warnings(self.desk.warnings)
        self.session.start_in_background()

    def _show_progress(self, text: str) -> None:
        self.statusBar().showMessage(display_text(text), 5000)

    def _on_ready(self) -> None:
        if self._ready:  # another login: the same window, map and wall; the new user's data and rights
            self._on_user_changed()
            self._say_failed_starts(self._start_features(self.map_feature, self.incidents_feature,
                                                         self.dashboard_feature, self.login_feature))
            return
        self.status.set_user(self.session.user)
        failed = self._start_features(self.cameras_feature, self.map_feature, self.incidents_feature,
                                      self.wall_feature, self.dashboard_feature, self.alarm_feature)
        self._ready = True
        freeze_long_lived()  # what start-up loaded stays out of later full collections (GC pauses)
        self.desk.warnings.start()  # early warnings (CAP), polled from now on
        self.status.start_counting()
        failed += self._start_features(self.login_feature)  # after the features: its note is the last message
        self._say_failed_starts(failed)

    def _on_reloaded(self) -> None:
        """The platform's data went back and the stores were loaded again as a whole: the camera list, the map,
        the incident centre and the overview show them afresh (the notice saying so follows), and the alarm
        linkage takes what they hold as known."""
        self.desk.alarm.reloaded()
        if self._ready:
            self._say_failed_starts(self._start_features(self.cameras_feature, self.map_feature,
                                                         self.incidents_feature, self.dashboard_feature))

    def _start_features(self, *features: QObject) -> list[str]:
        """Tell each feature the session is ready (``on_ready``), in order; one that fails (logged with its
        traceback) does not keep the others from starting. Returns what failed, one line per feature."""
        names = {id(self.cameras_feature): translate("MainWindow", "视频点位"),
                 id(self.map_feature): translate("MainWindow", "地图"),
                 id(self.incidents_feature): translate("MainWindow", "事件中心"),
                 id(self.wall_feature): translate("MainWindow", "视频墙"),
                 id(self.dashboard_feature): translate("MainWindow", "综合态势"),
                 id(self.alarm_feature): translate("MainWindow", "告警联动"),
                 id(self.login_feature): translate("MainWindow", "登录")}  # fmt: skip
        failed = []
        for feature in features:
            try:
                feature.on_ready()  # type: ignore[attr-defined]
            except Exception as error:
                log.exception("%s could not start; the other features go on", type(feature).__name__)
                failed.append(translate("MainWindow", "{feature}未能启动（{error}）").format(
                    feature=names.get(id(feature), type(feature).__name__),
                    error=display_text(str(error) or type(error).__name__, 120)))
        return failed

    def _say_failed_starts(self, failed: list[str]) -> None:
        """Features that could not start, said in the status bar after everything else start-up says."""
        if failed:
            text = translate("MainWindow", "{failed}；其余功能照常，详情见日志").format(failed="；".join(failed))
            self.statusBar().showMessage(text, 60_000)

    def _on_layers(self, *_args: object) -> None:
        """The platform's catalogue was read: its layers go in the tree's 平台图层 group. When it could not be had
        (or the desk started offline) the map draws the local layer folder: the tree lists that in 本地图层, with
        the reason on the 平台图层 row."""
        session, client = self.session, self.session.client
        if session.layers_from_folder:
            self.layer_tree_feature.show_local(session.layers, session.local_layer_errors,
                                               session.settings.layers_dir,
                                               session.catalogue_problem or translate("MainWindow", "平台不可达"))
        elif client is not None and (session.catalogue or session.catalogue_problem):
            self.layer_tree_feature.show_platform(session.catalogue, client.base_url, session.catalogue_problem,
                                                  catalogue_loader(session))

    def _on_user_changed(self, *_args: object) -> None:
        self.status.set_user(self.session.user)
        self.incidents_feature.apply_rights()
        self.wall_feature.apply_rights()

    def is_ready(self) -> bool:
        """True once the session has connected and the window shows the platform's data."""
        return self._ready

    def save_view(self) -> None:
        """Remember the wall (tile count and cameras) for the next start on this desk."""
        if self._ready:
            self.wall_feature.save_view()
        self.screens.save_view()
        self.incidents_feature.save_view()

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
            self.screens.save_view()
            self.incidents_feature.save_view()
            self.wall_feature.shutdown(save=self._ready)
            self.map_feature.shutdown()
            self.layer_tree_feature.shutdown()
            self.dashboard_feature.shutdown()
            self.alarm_feature.shutdown()
            self.screens.release()
        self.pool.stop_all(video_timeout_s)
        self.desk.warnings.stop()
        self.session.stop()
        self.signals.detach()
        return [reader.context for reader in self.pool.running()]
