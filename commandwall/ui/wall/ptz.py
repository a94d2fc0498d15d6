"""云台控制: a compact PTZ pad for the camera of the selected wall tile.

It works like a PTZ keyboard: holding a direction (or zoom) button moves the camera, letting go sends
``stop``. The pad only emits ``sig_ptz``; sending is ``commandwall.app.ptz.PtzController``'s job, and its result
comes back through ``report_result`` (callable from any thread).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QHideEvent, QKeyEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QSlider, QToolButton, QVBoxLayout, QWidget

from commandwall.app.ptz import MAX_SPEED, MIN_SPEED, PTZ_KINDS, steerable
from commandwall.domain.models import Camera, CameraStatus
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.textsafe import display_text
from commandwall.ui.cameras.model import kind_label
from commandwall.ui.text import plain_label

#: An error from the platform stays on the pad this long.
ERROR_SHOWN_MS = 5000
DEFAULT_SPEED = 4

# action -> (grid row, column, arrow or text, tooltip)
_PAD: dict[str, tuple[int, int, Qt.ArrowType | str, str]] = {
    "up": (0, 1, Qt.ArrowType.UpArrow, QT_TRANSLATE_NOOP("PtzPad", "上")),
    "left": (1, 0, Qt.ArrowType.LeftArrow, QT_TRANSLATE_NOOP("PtzPad", "左")),
    "right": (1, 2, Qt.ArrowType.RightArrow, QT_TRANSLATE_NOOP("PtzPad", "右")),
    "down": (2, 1, Qt.ArrowType.DownArrow, QT_TRANSLATE_NOOP("PtzPad", "下")),
    "zoom_in": (0, 3, "＋", QT_TRANSLATE_NOOP("PtzPad", "放大（变倍+）")),
    "zoom_out": (2, 3, "－", QT_TRANSLATE_NOOP("PtzPad", "缩小（变倍-）")),
}
_KEYS: dict[int, str] = {
    Qt.Key.Key_Up: "up",
    Qt.Key.Key_Down: "down",
    Qt.Key.Key_Left: "left",
    Qt.Key.Key_Right: "right",
    Qt.Key.Key_Plus: "zoom_in",
    Qt.Key.Key_Equal: "zoom_in",
    Qt.Key.Key_Minus: "zoom_out",
}


def ptz_unavailable_reason(camera: Camera | None) -> str:
    """Why the pad cannot steer ``camera`` ("" when it can)."""
    if camera is None:
        return translate("PtzPad", "未选择画面")
    if camera.kind not in PTZ_KINDS:
        return translate("PtzPad", "{kind}，不支持云台控制").format(kind=kind_label(camera.kind))
    if camera.status != CameraStatus.ONLINE:
        return translate("PtzPad", "摄像机离线")
    return ""


class PtzPad(QWidget):
    """Direction pad, zoom, stop and speed 1–8 for one camera; enabled only for an online PTZ camera.

    ``sig_ptz(camera_id, action, speed)``: a direction or zoom button pressed (``left|right|up|down|zoom_in|
    zoom_out``), released (``stop``), or the stop button clicked. Arrow keys and +/- do the same while the
    pad has focus. A held movement is stopped when the pad switches to another camera or is hidden.
    """

    sig_ptz = Signal(str, str, int)
    _sig_result = Signal(str, str)  # camera id, error ("" = done)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ptzPad")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._camera: Camera | None = None
        self._held: tuple[str, str] | None = None  # (camera id, action) while a button or key is held
        self.buttons: dict[str, QToolButton] = {}

        grid = QGridLayout()
        grid.setSpacing(2)
        for action, (row, col, face, tip) in _PAD.items():
            button = QToolButton()
            button.setObjectName(f"ptz_{action}")
            if isinstance(face, Qt.ArrowType):
                button.setArrowType(face)
            else:
                button.setText(face)
            button.setToolTip(translate("PtzPad", tip))
            button.setFixedSize(28, 28)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.pressed.connect(lambda action=action: self.press(action))
            button.released.connect(self.release)
            self.buttons[action] = button
            grid.addWidget(button, row, col)
        stop = QToolButton()
        stop.setObjectName("ptz_stop")
        stop.setText(translate("PtzPad", "停"))
        stop.setToolTip(translate("PtzPad", "停止"))
        stop.setFixedSize(28, 28)
        stop.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        stop.clicked.connect(self.stop)
        self.buttons["stop"] = stop
        grid.addWidget(stop, 1, 1)
        zoom_label = plain_label(translate("PtzPad", "变倍"))
        zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(zoom_label, 1, 3)

        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setObjectName("ptzSpeed")
        self.speed_slider.setRange(MIN_SPEED, MAX_SPEED)
        self.speed_slider.setValue(DEFAULT_SPEED)
        self.speed_slider.setPageStep(1)
        self.speed_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.speed_slider.setTickInterval(1)
        self.speed_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speed_label = plain_label()
        self.speed_slider.valueChanged.connect(lambda value: self.speed_label.setText(
            translate("PtzPad", "速度 {speed}").format(speed=value)))
        self.speed_label.setText(translate("PtzPad", "速度 {speed}").format(speed=DEFAULT_SPEED))

        self.title = QLabel()
        self.title.setObjectName("ptzTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # camera names are data, never markup
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.state = QLabel()
        self.state.setObjectName("ptzState")
        self.state.setTextFormat(Qt.TextFormat.PlainText)  # may quote a camera kind from the platform
        self.state.setStyleSheet("color: #e8a317;")
        self.feedback = QLabel()
        self.feedback.setObjectName("ptzFeedback")
        self.feedback.setTextFormat(Qt.TextFormat.PlainText)
        self.feedback.setStyleSheet("color: #ff7875;")
        self.feedback.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._feedback_timer = QTimer(self)
        self._feedback_timer.setSingleShot(True)
        self._feedback_timer.setInterval(ERROR_SHOWN_MS)
        self._feedback_timer.timeout.connect(self.feedback.clear)
        self._sig_result.connect(self._show_result)

        side = QVBoxLayout()
        header = QHBoxLayout()
        header.addWidget(plain_label(translate("PtzPad", "云台控制")))
        header.addWidget(self.state)
        header.addStretch(1)
        side.addLayout(header)
        side.addWidget(self.title)
        speed_row = QHBoxLayout()
        speed_row.addWidget(self.speed_label)
        speed_row.addWidget(self.speed_slider, 1)
        side.addLayout(speed_row)
        side.addWidget(self.feedback)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(grid)
        layout.addLayout(side, 1)
        self.set_camera(None)

    # ---- state ----------------------------------------------------------------------------------------
    @property
    def camera(self) -> Camera | None:
        """The camera the pad steers (as last set)."""
        return self._camera

    @property
    def controls_enabled(self) -> bool:
        """Whether the buttons work: the camera is a PTZ camera and online."""
        return steerable(self._camera)

    def speed(self) -> int:
        """Speed 1–8 sent with each command."""
        return self.speed_slider.value()

    def set_speed(self, speed: int) -> None:
        """Set the speed (clamped to 1–8)."""
        self.speed_slider.setValue(max(MIN_SPEED, min(MAX_SPEED, speed)))

    def set_camera(self, camera: Camera | None) -> None:
        """Steer ``camera`` (None: nothing); call again with the new copy when its status changes."""
        if self._held is not None:
            held_id = self._held[0]
            if camera is None or camera.id != held_id:
                self.release()  # the old camera must not keep turning
            elif not steerable(camera):
                self._held = None  # it went offline: a stop could not reach it either
        if camera is None or self._camera is None or camera.id != self._camera.id:
            self.feedback.clear()
        self._camera = camera
        enabled = steerable(camera)
        for button in self.buttons.values():
            button.setEnabled(enabled)
        self.speed_slider.setEnabled(enabled)
        self.state.setText(ptz_unavailable_reason(camera))
        self.title.setText(display_text(camera.name) if camera is not None
                           else translate("PtzPad", "单击视频墙上的画面进行云台控制"))
        self.title.setStyleSheet("" if enabled else "color: #7f8c99;")

    # ---- commands -------------------------------------------------------------------------------------
    def press(self, action: str) -> None:
        """Start moving (``left|right|up|down|zoom_in|zoom_out``) until ``release``."""
        camera = self._camera
        if camera is None or not steerable(camera):
            return
        if self._held is not None:
            self.release()
        self._held = (camera.id, action)
        self.sig_ptz.emit(camera.id, action, self.speed())

    def release(self) -> None:
        """Stop the movement started by ``press`` (no-op when nothing is held)."""
        if self._held is None:
            return
        camera_id, _action = self._held
        self._held = None
        self.sig_ptz.emit(camera_id, "stop", self.speed())

    def stop(self) -> None:
        """The stop button: stop the camera whatever it is doing."""
        camera = self._camera
        self._held = None
        if camera is not None and steerable(camera):
            self.sig_ptz.emit(camera.id, "stop", self.speed())

    def report_result(self, camera_id: str, error: str | None) -> None:
        """Show a ``PtzController`` result for ``camera_id`` (``None`` = done); a result for a camera the pad
        no longer steers is not shown. Safe to call from the controller's thread."""
        self._sig_result.emit(camera_id, error or "")

    # ---- internals ------------------------------------------------------------------------------------
    def _show_result(self, camera_id: str, error: str) -> None:
        if self._camera is None or self._camera.id != camera_id:
            return
        self.feedback.setText(display_text(error))  # the platform's answer, shown as text
        if error:
            self._feedback_timer.start()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Arrow keys and +/- steer while held (auto-repeat is ignored: one press, one release)."""
        action = _KEYS.get(event.key())
        if action is None:
            super().keyPressEvent(event)
            return
        if not event.isAutoRepeat():
            self.press(action)
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Letting go of the key stops the camera."""
        action = _KEYS.get(event.key())
        if action is None:
            super().keyReleaseEvent(event)
            return
        if not event.isAutoRepeat() and self._held is not None and self._held[1] == action:
            self.release()
        event.accept()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        """A key held while focus leaves would never be released: stop now."""
        if self._held is not None and not any(b.isDown() for b in self.buttons.values()):
            self.release()
        super().focusOutEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        """A hidden pad cannot be let go of: stop any movement."""
        self.release()
        super().hideEvent(event)
