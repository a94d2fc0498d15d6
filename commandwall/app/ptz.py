"""PTZ (云台) commands to the platform, off the GUI thread, newest command per camera wins.

``PtzController.send`` returns at once; one worker thread sends the commands in order. A command that is
still waiting when a newer one for the same camera arrives is dropped: a camera only needs to do what the
operator wants *now* (pressing ◀ then ▶ quickly sends ▶; a press and release that both wait send only the
stop). The result reaches ``on_done`` on the worker thread — ``None`` on success, otherwise a
message for the duty officer in the chosen language. Plain Python, no Qt.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from commandwall.backend.errors import (
    AuthError,
    BackendError,
    BackendUnavailableError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RejectedError,
)
from commandwall.domain.models import Camera, CameraStatus
from commandwall.i18n import QT_TRANSLATE_NOOP, translate

log = logging.getLogger(__name__)

#: Actions of ``POST /api/v1/cameras/{id}/ptz``.
PTZ_ACTIONS = frozenset({"left", "right", "up", "down", "zoom_in", "zoom_out", "stop"})
#: Speed range of a PTZ command.
MIN_SPEED, MAX_SPEED = 1, 8
#: Camera kinds the client offers PTZ control for (the platform also accepts ``dome``).
PTZ_KINDS = frozenset({"ptz", "dome"})  # 云台枪机 and 球机: domes are PTZ in the field

_FAILED = QT_TRANSLATE_NOOP("ptz", "云台控制失败：{reason}")


class PtzClient(Protocol):
    """What the controller needs from ``PlatformClient``."""

    def ptz(self, camera_id: str, action: str, speed: int = 4) -> None:
        """Send one PTZ command; raises ``BackendError`` on failure."""


def steerable(camera: Camera | None) -> bool:
    """Whether the operator may steer ``camera`` now: a PTZ camera that the platform reports online."""
    return camera is not None and camera.kind in PTZ_KINDS and camera.status == CameraStatus.ONLINE


def _failed(reason: str) -> str:
    return translate("ptz", _FAILED).format(reason=translate("ptz", reason))


def ptz_error_message(exc: BaseException) -> str:
    """The duty officer's message for a failed PTZ command (``云台控制失败：…``)."""
    code = getattr(exc, "code", "")
    if isinstance(exc, ConflictError) and code == "camera_offline":
        return _failed(QT_TRANSLATE_NOOP("ptz", "摄像机离线"))
    if isinstance(exc, RejectedError) and code == "ptz_unsupported":
        return _failed(QT_TRANSLATE_NOOP("ptz", "该摄像机不支持云台控制"))
    if isinstance(exc, RejectedError):
        return _failed(QT_TRANSLATE_NOOP("ptz", "指令无效"))
    if isinstance(exc, PermissionDeniedError):
        return _failed(QT_TRANSLATE_NOOP("ptz", "当前账号无云台控制权限"))
    if isinstance(exc, NotFoundError):
        return _failed(QT_TRANSLATE_NOOP("ptz", "平台上没有这台摄像机"))
    if isinstance(exc, AuthError):
        return _failed(QT_TRANSLATE_NOOP("ptz", "登录已失效，平台拒绝了账号"))
    if isinstance(exc, BackendUnavailableError):
        return _failed(QT_TRANSLATE_NOOP("ptz", "无法连接平台，请检查网络"))
    if isinstance(exc, ConflictError):
        return _failed(QT_TRANSLATE_NOOP("ptz", "摄像机当前无法执行该指令"))
    return _failed(QT_TRANSLATE_NOOP("ptz", "平台返回错误"))


@dataclass(frozen=True)
class _Command:
    camera_id: str
    action: str
    speed: int
    on_done: Callable[[str | None], None]
    seq: int


class PtzController:
    """Sends PTZ commands through ``client.ptz`` on one worker thread, coalescing per camera.

    ``send`` may be called from any thread. ``on_done`` is called exactly once for every command that is
    sent (on the worker thread: a GUI must hand the result over to its own thread) and not at all for a
    command that was superseded before it ran or was still waiting at ``shutdown``. ``dropped`` counts the
    superseded commands.
    """

    def __init__(self, client: PtzClient) -> None:
        self._client = client
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ptz")
        self._lock = threading.Lock()
        self._latest: dict[str, int] = {}  # camera id -> seq of the newest command not yet run
        self._seq = 0
        self._closed = False
        self.dropped = 0

    def send(self, camera_id: str, action: str, speed: int, on_done: Callable[[str | None], None]) -> bool:
        """Queue a command; returns False (and never calls ``on_done``) after ``shutdown``.

        Raises ``ValueError`` for an action outside ``PTZ_ACTIONS`` or a speed outside 1..8.
        """
        if action not in PTZ_ACTIONS:
            raise ValueError(f"unknown PTZ action {action!r}")
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"PTZ speed {speed} is outside {MIN_SPEED}..{MAX_SPEED}")
        with self._lock:
            if self._closed:
                log.debug("ptz %s %s after shutdown ignored", camera_id, action)
                return False
            self._seq += 1
            command = _Command(camera_id, action, int(speed), on_done, self._seq)
            self._latest[camera_id] = command.seq
            self._executor.submit(self._run, command)
        return True

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking commands; those already queued still go out (superseded ones are skipped as usual), so
        a ``stop`` sent as the window closes reaches the camera. ``wait`` blocks until they have."""
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=wait)

    def _run(self, command: _Command) -> None:
        with self._lock:
            if self._latest.get(command.camera_id) != command.seq:
                self.dropped += 1
                log.debug("ptz %s %s superseded", command.camera_id, command.action)
                return
        error: str | None = None
        try:
            self._client.ptz(command.camera_id, command.action, command.speed)
        except BackendError as exc:
            error = ptz_error_message(exc)
            log.warning("ptz %s %s failed: %s", command.camera_id, command.action, exc)
        except Exception:
            error = _failed(QT_TRANSLATE_NOOP("ptz", "客户端内部错误"))
            log.exception("ptz %s %s failed", command.camera_id, command.action)
        with self._lock:
            if self._latest.get(command.camera_id) == command.seq:
                del self._latest[command.camera_id]
        try:
            command.on_done(error)
        except Exception:
            log.exception("ptz result callback %r failed", command.on_done)
