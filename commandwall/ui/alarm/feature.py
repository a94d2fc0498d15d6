"""告警联动 in the window: a severe incident sounds the alarm, shows a toast, flies the map there and lends the
wall's linkage area to the cameras that cover it; 恢复画面 gives the wall back in one action.

What raises the alarm and which cameras is decided by :class:`commandwall.app.alarm.AlarmController`; this
feature only acts on it. The linkage is display only: every role gets it, a viewer too.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QPushButton, QToolButton, QWidget

from commandwall.app.alarm import Alarm, AlarmController
from commandwall.app.incidents import priority_label
from commandwall.domain.models import Incident
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.textsafe import display_text
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.text import WrappingLabel
from commandwall.video.wall_model import WallModel

log = logging.getLogger(__name__)

#: How long the toast stays up unless the officer acknowledges the alarm first.
TOAST_MS = 12000
#: How long after connecting the alarm sound is loaded (the window is drawn and quiet by then).
PREPARE_SOUND_MS = 3000
#: How often alarms that wait for the wall (an alarm storm, see ``app.alarm``) are looked at.
WAITING_CHECK_MS = 1000
#: The map is told to select the incident this long after flying there: by then it has drawn the batch.
SELECT_DELAY_MS = 250
RESTORED = QT_TRANSLATE_NOOP("AlarmLinkage", "已恢复告警前的视频墙画面")
NOT_RESTORED = QT_TRANSLATE_NOOP("AlarmLinkage", "视频墙布局已改变，告警前的画面无法恢复")
NO_SOUND = QT_TRANSLATE_NOOP("AlarmLinkage", "告警声音无法播放：{reason}")
NO_AUDIO_DEVICE = QT_TRANSLATE_NOOP("AlarmLinkage", "无音频设备")
NO_TONE = QT_TRANSLATE_NOOP("AlarmLinkage", "提示音无法加载")
#: An alarm takes the wall, or flies the map, only if the officer has not acted on it for this long (a preset
#: recalled, cameras put up, a box drawn on the map): otherwise the toast offers 上墙 / 查看 and leaves his work be.
TAKEOVER_GRACE_S = 30.0
#: 特急 (priority 1 and more urgent) takes the wall even from an officer at work — 恢复画面 gives it back and the
#: status bar says what was replaced — but it does not fly a map in use (that cannot be undone).
OVERRIDE_PRIORITY = 1
#: The officer's input on the map: his clicks, wheel and keys (the page moving by itself is not his work).
INPUT_EVENTS = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.Wheel,
                          QEvent.Type.KeyPress})


def sound_effect_class() -> type | None:
    """Qt Multimedia's ``QSoundEffect``, or None where it cannot load (the alarm then beeps)."""
    try:
        from PySide6.QtMultimedia import QSoundEffect
    except ImportError:
        return None
    return QSoundEffect

#: Where the map's own controls sit (zoom, search, tools on the left; base maps and layers on the right), in the
#: page's CSS pixels: the toast goes in the gap between them, or below them when the gap is too narrow.
CONTROLS_JS = """(function () {
  var left = 0, right = window.innerWidth, bottom = 0;
  document.querySelectorAll('.leaflet-top .leaflet-control').forEach(function (e) {
    var b = e.getBoundingClientRect();
    if (b.width === 0 || b.height === 0) { return; }
    if (e.closest('.leaflet-left')) { left = Math.max(left, b.right); } else { right = Math.min(right, b.left); }
    bottom = Math.max(bottom, b.bottom);
  });
  return JSON.stringify([left, right, bottom]);
})()"""
#: Space kept free for the map's controls until the page has said where they are (the usual desk's sizes).
DEFAULT_CONTROLS = (330.0, 190.0, 400.0)  # left controls' right edge, layer box width, lowest control's bottom
#: The narrowest toast placed in the gap between the controls; in a narrower gap it goes below them.
TOAST_MIN_WIDTH = 320
TOAST_MAX_WIDTH = 900
TOAST_MARGIN = 12


def has_audio_output() -> bool:
    """True if Qt Multimedia sees an audio output device (False also without Qt Multimedia)."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:
        return False
    return bool(QMediaDevices.audioOutputs())


class AlarmToast(QFrame):
    """A red banner over the map (``parent``): the alarm's plain text, an optional action button (上墙 / 查看,
    when the linkage left the wall or map to the officer) and ×. A click on the text dismisses it.

    It sits in the gap between the map's left controls and its base-map / layer box (asked of the page when the
    parent is a web view), so it never covers a control; in a gap too narrow, below all of them. Signals:
    ``sig_action()`` when the action button is pressed, ``sig_dismissed()`` when the officer closes it.
    """

    sig_action = Signal()
    sig_dismissed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("alarmToast")
        self.setStyleSheet("QFrame#alarmToast { background: rgba(168, 7, 26, 230); border-radius: 6px; }"
                           " QFrame#alarmToast QLabel { color: white; font-size: 18px; font-weight: bold; }"
                           " QFrame#alarmToast QPushButton { color: white; background: rgba(255, 255, 255, 40);"
                           " border: 1px solid white; border-radius: 4px; padding: 4px 12px; font-weight: bold; }"
                           " QFrame#alarmToast QToolButton { color: white; border: none; font-size: 18px; }")
        self.label = WrappingLabel("", self)  # a long unbroken run in an incident's title wraps within the width
        self.label.setObjectName("alarmToastText")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.label.setToolTip(translate("AlarmLinkage", "点击关闭"))
        self.label.mousePressEvent = self._clicked  # a click on the text dismisses the banner
        self.action_button = QPushButton(self)
        self.action_button.setObjectName("alarmToastAction")
        self.action_button.clicked.connect(self.sig_action)
        self.action_button.hide()
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("alarmToastClose")
        self.close_button.setText("×")
        self.close_button.setToolTip(translate("AlarmLinkage", "关闭"))
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(18, 8, 8, 8)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._controls = DEFAULT_CONTROLS
        self.hide()

    def text(self) -> str:
        """The alarm text shown."""
        return self.label.text()

    def textFormat(self) -> Qt.TextFormat:  # noqa: N802 - QLabel's name
        """Plain text, always (the title comes from outside)."""
        return self.label.textFormat()

    def show_text(self, text: str, action: str = "") -> None:
        """Show ``text`` (and a button reading ``action``, if given) in the free band at the top of the map."""
        self.label.setText(text)
        self.action_button.setText(action)
        self.action_button.setVisible(bool(action))
        self._place()
        self.show()
        self.raise_()
        self._ask_controls()

    def dismiss(self) -> None:
        """× or a click on the text: the banner goes (the alarm stays in the incident list)."""
        self.hide()
        self.sig_dismissed.emit()

    def _clicked(self, _event: object) -> None:
        self.dismiss()

    def _ask_controls(self) -> None:
        """Ask the map page where its controls are; place the toast again when it answers."""
        page = getattr(self.parentWidget(), "page", None)
        if page is None:
            return
        page().runJavaScript(CONTROLS_JS, 0, self._on_controls)

    def _on_controls(self, answer: object) -> None:
        try:
            left, right, bottom = (float(v) for v in json.loads(str(answer)))
            parent = self.parentWidget()  # the page may answer as the window goes
        except (TypeError, ValueError, RuntimeError):
            return
        zoom = parent.zoomFactor() if hasattr(parent, "zoomFactor") else 1.0
        self._controls = (left * zoom, parent.width() - right * zoom, bottom * zoom)
        if self.isVisible():
            self._place()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        left_edge, right_width, bottom = self._controls
        gap_left, gap_right = left_edge + TOAST_MARGIN, parent.width() - right_width - TOAST_MARGIN
        if gap_right - gap_left >= TOAST_MIN_WIDTH:
            width = min(TOAST_MAX_WIDTH, gap_right - gap_left)
            x, y = gap_left + (gap_right - gap_left - width) / 2, 16
        else:  # a narrow map: below every control, across the map
            width = min(TOAST_MAX_WIDTH, max(TOAST_MIN_WIDTH, parent.width() - 2 * TOAST_MARGIN))
            x, y = (parent.width() - width) / 2, bottom + TOAST_MARGIN
        self.setFixedWidth(int(width))
        height = self.layout().heightForWidth(int(width))
        self.setFixedHeight(height if height > 0 else self.sizeHint().height())
        self.move(int(x), int(y))


class AlarmFeature(QObject):
    """告警联动: ``actions`` (恢复画面, 静音告警) for the tool bar and menu, ``on_ready()`` once connected,
    ``acknowledge(incident_id)`` when the officer selects an incident.

    Every alarm is announced (toast, sound, the incident list). It takes the linkage wall and flies the map only
    where the officer is not at work: a wall he changed in the last :data:`TAKEOVER_GRACE_S` seconds, or one
    running a tour (``touring()``), keeps its cameras unless the alarm is 特急 (:data:`OVERRIDE_PRIORITY`); a map he
    used in that time stays where it is. What is left to him the toast offers as one click (上墙 / 查看 /
    上墙并查看, :meth:`take_over`). When the wall is taken the status bar says so and how many tiles changed.

    Signals: ``sig_message(text, timeout_ms)`` for the status bar; ``sig_fly_to(lon, lat)`` and
    ``sig_select_incident(id)`` for the map; ``sig_alarm(Alarm)`` just before the linkage switches the wall
    (a running tour stops on it, so its next page does not cover the linked cameras).
    """

    sig_message = Signal(str, int)
    sig_fly_to = Signal(float, float)
    sig_select_incident = Signal(str)
    sig_alarm = Signal(object)

    def __init__(self, controller: AlarmController, signals: ClientSignals, wall: Callable[[], WallModel],
                 toast_parent: QWidget, parent: QObject | None = None, *,
                 touring: Callable[[], bool] | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.linkage_wall = wall  # asked at each alarm: walls come and go with their screens
        self.touring = touring or (lambda: False)
        self.grace_s = TAKEOVER_GRACE_S
        self.clock: Callable[[], float] = time.monotonic
        self.toast = AlarmToast(toast_parent)
        self.toast.sig_action.connect(self.take_over)
        self.toast.sig_dismissed.connect(self._stop_sound)
        self._toast_timer = QTimer(self, singleShot=True, interval=TOAST_MS, timeout=self.toast.hide)
        self._waiting_timer = QTimer(self, interval=WAITING_CHECK_MS, timeout=self._raise_due)
        self._ready = False
        self._tokens: list[tuple[WallModel, str]] = []  # wall loans, oldest first
        self._ringing: str | None = None  # the incident whose alarm sounds until acknowledged
        self.last_alarm: Alarm | None = None
        # the officer's work: when he last changed each wall and used the map; what the last alarm left to him
        self._watched: set[int] = set()
        self._wall_touched: dict[int, float] = {}
        self._map_touched = float("-inf")
        self._linking = False  # the linkage's own wall changes are not the officer's
        self._pending: Alarm | None = None
        self._pending_wall = self._pending_map = False
        self._map = toast_parent
        self._watch_input(toast_parent)
        # made a few seconds after connecting (not on the first alarm: loading Qt Multimedia and the tone then
        # held up the GUI thread at the worst moment); a desk with the linkage off never loads audio
        self._sound: QObject | None = None
        self._sound_made = False
        self._sound_failure_said = False
        self.restore_action = QAction(translate("AlarmLinkage", "恢复画面"), self)
        self.restore_action.setObjectName("restoreWallAction")
        self.restore_action.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.restore_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)  # from any screen's window
        self.restore_action.setToolTip(translate("AlarmLinkage", "把视频墙恢复到告警联动之前的画面（Ctrl+Shift+Z）"))
        self.restore_action.setEnabled(False)
        self.restore_action.triggered.connect(self.restore)
        self.mute_action = QAction(translate("AlarmLinkage", "静音告警"), self, checkable=True)
        self.mute_action.setObjectName("muteAlarmAction")
        self.mute_action.setToolTip(translate("AlarmLinkage", "告警联动（{level}）不响铃；画面照常切换").format(
            level=controller.level_label))
        self.mute_action.toggled.connect(lambda on: self._stop_sound() if on else None)
        self.actions = [self.restore_action, self.mute_action]
        signals.sig_incidents.connect(self._on_incidents)

    # --- state tests and the window read ---------------------------------------------------------------------
    @property
    def ringing(self) -> str | None:
        """The incident whose alarm sounds now (None: silent)."""
        return self._ringing

    @property
    def can_restore(self) -> bool:
        """True while the wall shows cameras the linkage put up."""
        return bool(self._tokens)

    @property
    def pending(self) -> tuple[bool, bool]:
        """What the last alarm left to the officer: (its cameras not put on the wall, the map not flown there)."""
        return self._pending_wall, self._pending_map

    # --- the officer at work ---------------------------------------------------------------------------------
    def _watch_input(self, widget: QObject) -> None:
        """Note the officer's clicks, wheel and keys on the map (its web view draws in child widgets made later)."""
        widget.installEventFilter(self)
        for child in widget.findChildren(QWidget):
            child.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """The map's input: the officer is using it now. A child widget added later (the web view's, once made
        and polished) is watched too."""
        kind = event.type()
        if kind in INPUT_EVENTS:
            if not (watched is self.toast or (isinstance(watched, QWidget) and self.toast.isAncestorOf(watched))):
                self._map_touched = self.clock()
        elif kind in (QEvent.Type.ChildAdded, QEvent.Type.ChildPolished) and isinstance(event.child(), QWidget):
            self._watch_input(event.child())
        return False

    def _watch(self, wall: WallModel) -> None:
        """Note each change of ``wall`` the linkage did not make (a preset, cameras put up, a layout, a tour)."""
        if id(wall) not in self._watched:
            self._watched.add(id(wall))
            key = id(wall)
            wall.subscribe(lambda _change: self._wall_changed(key))

    def _wall_changed(self, key: int) -> None:
        if not self._linking:
            self._wall_touched[key] = self.clock()

    def _wall_busy(self, wall: WallModel, now: float) -> bool:
        """True if the officer changed ``wall`` within the grace time or a tour runs on it."""
        return self.touring() or now - self._wall_touched.get(id(wall), float("-inf")) < self.grace_s

    def _map_busy(self, now: float) -> bool:
        return now - self._map_touched < self.grace_s

    # --- the session ---------------------------------------------------------------------------------------
    def on_ready(self) -> None:
        """Connected: what the desk holds now is known; from now on a severe arrival raises the alarm."""
        self.controller.prime()
        self._ready = True
        self._watch(self.linkage_wall())  # the wall as put back at start-up is not the officer's work
        if self.controller.linkage.min_priority != 0:
            QTimer.singleShot(PREPARE_SOUND_MS, self, self._prepare_sound)

    def _on_incidents(self, incidents: list[Incident]) -> None:
        if not self._ready:
            return
        alarm = self.controller.on_incidents(incidents, len(self.linkage_wall().area()))
        if alarm is not None:
            self.raise_alarm(alarm)
        if self.controller.waiting and not self._waiting_timer.isActive():
            self._waiting_timer.start()

    def _raise_due(self) -> None:
        alarm = self.controller.due(len(self.linkage_wall().area()))
        if alarm is not None:
            self.raise_alarm(alarm)
        if not self.controller.waiting:
            self._waiting_timer.stop()

    def raise_alarm(self, alarm: Alarm) -> None:
        """Announce the alarm (toast, sound); switch the wall area and fly the map there where the officer is not
        at work, else offer it on the toast."""
        self.last_alarm = alarm
        incident = alarm.incident
        if not self.mute_action.isChecked():
            self._prepare_sound()  # a desk that cannot sound says so before the alarm's own status line
        now = self.clock()
        wall = self.linkage_wall()
        self._watch(wall)
        urgent = incident.priority <= OVERRIDE_PRIORITY
        take_wall = bool(alarm.cameras) and (urgent or not self._wall_busy(wall, now))
        take_map = not self._map_busy(now)
        self._pending = alarm
        self._pending_wall, self._pending_map = bool(alarm.cameras) and not take_wall, not take_map
        said = self._put_on_wall(alarm) if take_wall else ""
        if take_map:
            self._show_on_map(incident)
        action = self._action_text()
        self.toast.show_text(alarm.text(on_wall=take_wall), action)
        self._toast_timer.start()  # the status line keeps the incident centre's 新事件 line, which names it too
        if action:  # what the linkage left to the officer, and the one click that does it
            if self._pending_wall and self._pending_map:
                left = translate("AlarmLinkage", "视频墙和地图")
            else:
                left = translate("AlarmLinkage", "视频墙") if self._pending_wall else translate("AlarmLinkage", "地图")
            offer = translate("AlarmLinkage", "您正在操作的{what}未切换，可点告警横幅上的「{action}」")
            said = (said + translate("AlarmLinkage", "；") if said else self._headline(alarm)) + offer.format(
                what=left, action=action)
        if said:
            self.sig_message.emit(said, 10000)
        log.info("alarm for incident %s (priority %s): %d camera(s), wall %s, map %s", incident.id,
                 incident.priority, len(alarm.cameras), "switched" if take_wall else "left to the officer",
                 "flown" if take_map else "left to the officer")
        if not self.mute_action.isChecked():
            self._ringing = incident.id
            self._play_sound()

    def _action_text(self) -> str:
        if self._pending_wall and self._pending_map:
            return translate("AlarmLinkage", "上墙并查看")
        if self._pending_wall:
            return translate("AlarmLinkage", "上墙")
        return translate("AlarmLinkage", "查看") if self._pending_map else ""

    def _put_on_wall(self, alarm: Alarm) -> str:
        """Lend the wall area to the alarm's cameras (an earlier loan goes first); the status line saying what
        changed."""
        touring = self.touring()
        self.sig_alarm.emit(alarm)  # a running tour stops
        self._linking = True
        try:  # an earlier alarm's cameras go first: tiles the new one does not fill show the wall's own
            self._give_back()
            wall = self.linkage_wall()
            own = [c.id if c is not None else None for c in wall.cameras()]  # the officer's, 恢复画面 gives back
            self._tokens.append((wall, wall.show_in_area(alarm.cameras)))
        finally:
            self._linking = False
        after = [c.id if c is not None else None for c in wall.cameras()]
        replaced = sum(1 for i, camera_id in enumerate(after)  # his tiles the alarm's cameras now show on
                       if i < len(own) and own[i] is not None and own[i] != camera_id)
        self.restore_action.setEnabled(True)
        text = self._headline(alarm) + translate("AlarmLinkage", "视频墙已替换 {count} 个画面，恢复画面可还原").format(
            count=replaced)
        return translate("AlarmLinkage", "轮巡已停止；") + text if touring else text

    def _headline(self, alarm: Alarm) -> str:
        """The start of the status line about an alarm: 告警联动（level）：title，"""
        return translate("AlarmLinkage", "告警联动（{level}）：{title}，").format(
            level=priority_label(alarm.incident.priority), title=display_text(alarm.incident.title, 60, isolate=True))

    def _show_on_map(self, incident: Incident) -> None:
        self.sig_fly_to.emit(incident.lon, incident.lat)
        QTimer.singleShot(SELECT_DELAY_MS, self, lambda: self.sig_select_incident.emit(incident.id))

    # --- the officer ---------------------------------------------------------------------------------------
    def take_over(self) -> None:
        """上墙 / 查看 on the toast: do for the last alarm what it left to the officer; the alarm is answered."""
        alarm = self._pending
        if alarm is None:
            return
        wall, fly = self._pending_wall, self._pending_map
        self._pending_wall = self._pending_map = False
        if wall:
            self.sig_message.emit(self._put_on_wall(alarm), 10000)
        if fly:
            self._show_on_map(alarm.incident)
        self._stop_sound()
        self.toast.hide()

    def acknowledge(self, incident_id: str) -> None:
        """The officer selected ``incident_id``: if it raised the last alarm, the sound stops and the toast goes."""
        if incident_id and self.last_alarm is not None and incident_id == self.last_alarm.incident.id:
            self._stop_sound()
            self.toast.hide()

    def restore(self) -> bool:
        """恢复画面: give the wall back as it was before the linkage (all loans, newest first)."""
        if not self._tokens:
            return False
        self._linking = True
        try:
            restored = self._give_back()
        finally:
            self._linking = False
        for wall, _token in self._tokens:
            self._wall_touched[id(wall)] = self.clock()
        self._wall_touched[id(self.linkage_wall())] = self.clock()  # the officer took his wall back
        self._stop_sound()
        self.toast.hide()
        self.sig_message.emit(translate("AlarmLinkage", RESTORED if restored else NOT_RESTORED), 5000)
        return restored

    def _give_back(self) -> bool:
        """Return every wall loan, newest first; False if the layout changed since (nothing to return)."""
        tokens, self._tokens = self._tokens, []
        self.restore_action.setEnabled(False)
        return all([wall.restore(token) for wall, token in reversed(tokens)])

    # --- sound ---------------------------------------------------------------------------------------------
    def _make_sound(self) -> QObject | None:
        """A looping QSoundEffect on the configured (or generated) WAV, or None without Qt Multimedia."""
        QSoundEffect = sound_effect_class()  # noqa: N806 - a Qt class
        if QSoundEffect is None:  # a build without Qt Multimedia: the system beep instead
            return None
        try:
            path = self.controller.tone_file()
        except OSError as error:
            log.warning("alarm tone not written: %s", error)
            return None
        sound = QSoundEffect(self)
        sound.setSource(QUrl.fromLocalFile(str(path)))
        sound.setLoopCount(QSoundEffect.Loop.Infinite.value)
        sound.statusChanged.connect(self._on_sound_status)
        return sound

    def _on_sound_status(self) -> None:
        """The tone failed to load (no audio device): say so once, and beep for an alarm ringing now."""
        if self._sound is not None and self._sound.status() == self._sound.Status.Error:
            self._say_no_sound()
            if self._ringing:
                QApplication.beep()

    def _prepare_sound(self) -> None:
        if not self._sound_made:
            self._sound_made = True
            self._sound = self._make_sound()
            if self._sound is None or not has_audio_output():
                self._say_no_sound()

    def _say_no_sound(self) -> None:
        """Once a session: the alarm cannot be heard (the system beep it falls back to is silent on most
        desktops), in the log and the status bar (so in the 消息 history too)."""
        if self._sound_failure_said:
            return
        self._sound_failure_said = True
        reason = translate("AlarmLinkage", NO_AUDIO_DEVICE if not has_audio_output() else NO_TONE)
        log.warning("the alarm sound cannot play: %s", "no audio output device" if not has_audio_output()
                    else "the tone did not load")  # fmt: skip
        self.sig_message.emit(translate("AlarmLinkage", NO_SOUND).format(reason=reason), 10000)

    def _play_sound(self) -> None:
        self._prepare_sound()  # an alarm before the sound was prepared
        sound = self._sound
        if sound is None or sound.status() == sound.Status.Error:  # no audio device: the system beep
            QApplication.beep()
            return
        sound.play()

    def _stop_sound(self) -> None:
        self._ringing = None
        if self._sound is not None:
            self._sound.stop()

    def shutdown(self) -> None:
        """Silence the alarm (the window is going)."""
        self._waiting_timer.stop()
        self._stop_sound()
