"""告警联动 in the window: a severe incident sounds the alarm, shows a toast, flies the map there and lends the
wall's linkage area to the cameras that cover it; 恢复画面 gives the wall back in one action.

What raises the alarm and which cameras is decided by :class:`commandwall.app.alarm.AlarmController`; this
feature only acts on it. The linkage is display only: every role gets it, a viewer too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from commandwall.app.alarm import Alarm, AlarmController
from commandwall.domain.models import Incident
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
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



def sound_effect_class() -> type | None:
    """Qt Multimedia's ``QSoundEffect``, or None where it cannot load (the alarm then beeps)."""
    try:
        from PySide6.QtMultimedia import QSoundEffect
    except ImportError:
        return None
    return QSoundEffect

class AlarmToast(WrappingLabel):
    """A plain-text banner over the top of ``parent`` (the map), red, until hidden; a long unbroken run in an
    incident's title wraps within its width."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__("", parent)
        self.setObjectName("alarmToast")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("QLabel#alarmToast { background: rgba(168, 7, 26, 230); color: white; font-size: 18px;"
                           " font-weight: bold; padding: 10px 18px; border-radius: 6px; }")
        self.hide()

    def show_text(self, text: str) -> None:
        """Show ``text`` centred near the top of the parent."""
        self.setText(text)
        parent = self.parentWidget()
        width = min(900, max(320, parent.width() - 40)) if parent is not None else 600
        self.setFixedWidth(width)
        self.adjustSize()
        if parent is not None:
            self.move((parent.width() - width) // 2, 16)
        self.show()
        self.raise_()


class AlarmFeature(QObject):
    """告警联动: ``actions`` (恢复画面, 静音告警) for the tool bar and menu, ``on_ready()`` once connected,
    ``acknowledge(incident_id)`` when the officer selects an incident.

    Signals: ``sig_message(text, timeout_ms)`` for the status bar (after 恢复画面); ``sig_fly_to(lon, lat)`` and
    ``sig_select_incident(id)`` for the map; ``sig_alarm(Alarm)`` when one is raised, before the wall switches
    (a running tour stops on it, so its next page does not cover the linked cameras).
    """

    sig_message = Signal(str, int)
    sig_fly_to = Signal(float, float)
    sig_select_incident = Signal(str)
    sig_alarm = Signal(object)

    def __init__(self, controller: AlarmController, signals: ClientSignals, wall: Callable[[], WallModel],
                 toast_parent: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.linkage_wall = wall  # asked at each alarm: walls come and go with their screens
        self.toast = AlarmToast(toast_parent)
        self._toast_timer = QTimer(self, singleShot=True, interval=TOAST_MS, timeout=self.toast.hide)
        self._waiting_timer = QTimer(self, interval=WAITING_CHECK_MS, timeout=self._raise_due)
        self._ready = False
        self._tokens: list[tuple[WallModel, str]] = []  # wall loans, oldest first
        self._ringing: str | None = None  # the incident whose alarm sounds until acknowledged
        self.last_alarm: Alarm | None = None
        # made a few seconds after connecting (not on the first alarm: loading Qt Multimedia and the tone then
        # held up the GUI thread at the worst moment); a desk with the linkage off never loads audio
        self._sound: QObject | None = None
        self._sound_made = False
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

    # --- the session ---------------------------------------------------------------------------------------
    def on_ready(self) -> None:
        """Connected: what the desk holds now is known; from now on a severe arrival raises the alarm."""
        self.controller.prime()
        self._ready = True
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
        """Switch the wall area, fly the map there, show the toast and sound the alarm."""
        self.last_alarm = alarm
        incident = alarm.incident
        self.sig_alarm.emit(alarm)
        if alarm.cameras:  # an earlier alarm's cameras go first: tiles the new one does not fill show the wall's own
            self._give_back()
            wall = self.linkage_wall()
            self._tokens.append((wall, wall.show_in_area(alarm.cameras)))
            self.restore_action.setEnabled(True)
        self.sig_fly_to.emit(incident.lon, incident.lat)
        QTimer.singleShot(SELECT_DELAY_MS, self, lambda: self.sig_select_incident.emit(incident.id))
        text = alarm.message  # made safe to show piece by piece
        self.toast.show_text(text)
        self._toast_timer.start()  # the status line keeps the incident centre's 新事件 line, which names it too
        log.info("alarm for incident %s (priority %s): %d camera(s) on the wall", incident.id,
                 incident.priority, len(alarm.cameras))
        if not self.mute_action.isChecked():
            self._ringing = incident.id
            self._play_sound()

    # --- the officer ---------------------------------------------------------------------------------------
    def acknowledge(self, incident_id: str) -> None:
        """The officer selected ``incident_id``: if it raised the last alarm, the sound stops and the toast goes."""
        if incident_id and self.last_alarm is not None and incident_id == self.last_alarm.incident.id:
            self._stop_sound()
            self.toast.hide()

    def restore(self) -> bool:
        """恢复画面: give the wall back as it was before the linkage (all loans, newest first)."""
        if not self._tokens:
            return False
        restored = self._give_back()
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
        """The tone failed to load after it was asked to play (no audio device): beep for that alarm."""
        if self._sound is not None and self._sound.status() == self._sound.Status.Error and self._ringing:
            QApplication.beep()

    def _prepare_sound(self) -> None:
        if not self._sound_made:
            self._sound_made = True
            self._sound = self._make_sound()

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
