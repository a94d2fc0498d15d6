"""The PTZ pad: enabled only for online PTZ cameras; hold to move, let go to stop; results shown as text."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from commandwall.app.ptz import PtzController
from commandwall.backend.api import PlatformClient
from commandwall.demo import DemoBackend
from commandwall.domain.models import Camera, CameraStatus, StreamUrls
from commandwall.ui.wall.ptz import PtzPad

LEFT = Qt.MouseButton.LeftButton


def cam(
    cam_id: str = "CAM-0100", kind: str = "ptz", status: str = "online", name: str = "临城街道·光明大道云台"
) -> Camera:
    """A camera (its streams are never opened here)."""
    base = f"http://127.0.0.1:9/streams/{cam_id}"
    return Camera(
        id=cam_id,
        name=name,
        lon=117.26,
        lat=34.79,
        kind=kind,
        status=CameraStatus(status),
        streams=StreamUrls(main=f"{base}/main.mjpg", sub=f"{base}/sub.mjpg"),
    )


@pytest.fixture
def pad(qtbot: QtBot) -> PtzPad:
    """A shown pad and the commands it emits in ``pad.sent``."""
    widget = PtzPad()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.sent = []  # type: ignore[attr-defined]
    widget.sig_ptz.connect(lambda cid, action, speed: widget.sent.append((cid, action, speed)))
    return widget


def enabled(pad: PtzPad) -> bool:
    """Every button and the slider are usable."""
    return all(b.isEnabled() for b in pad.buttons.values()) and pad.speed_slider.isEnabled()


@pytest.mark.parametrize(
    ("camera", "ok", "says"),
    [
        (None, False, "未选择画面"),
        (cam(kind="fixed"), False, "枪机，不支持云台控制"),
        (cam(kind="dome"), True, ""),
        (cam(status="offline"), False, "摄像机离线"),
        (cam(), True, ""),
    ],
)
def test_enabled_only_for_an_online_steerable_camera(pad: PtzPad, camera: Camera | None, ok: bool, says: str) -> None:
    pad.set_camera(camera)
    assert enabled(pad) is ok and pad.controls_enabled is ok
    assert any(b.isEnabled() for b in pad.buttons.values()) is ok
    assert pad.state.text() == says
    assert pad.title.text() == (camera.name if camera else "单击视频墙上的画面进行云台控制")


def test_press_moves_and_release_stops(qtbot: QtBot, pad: PtzPad) -> None:
    pad.set_camera(cam())
    pad.set_speed(6)
    qtbot.mousePress(pad.buttons["left"], LEFT)
    assert pad.sent == [("CAM-0100", "left", 6)]
    qtbot.mouseRelease(pad.buttons["left"], LEFT)
    assert pad.sent[-1] == ("CAM-0100", "stop", 6)
    qtbot.mousePress(pad.buttons["zoom_in"], LEFT)
    qtbot.mouseRelease(pad.buttons["zoom_in"], LEFT)
    qtbot.mouseClick(pad.buttons["stop"], LEFT)
    assert pad.sent[2:] == [("CAM-0100", "zoom_in", 6), ("CAM-0100", "stop", 6), ("CAM-0100", "stop", 6)]


def test_speed_is_clamped_and_shown(pad: PtzPad) -> None:
    pad.set_speed(12)
    assert pad.speed() == 8 and pad.speed_label.text() == "速度 8"
    pad.set_speed(0)
    assert pad.speed() == 1


def test_a_disabled_pad_emits_nothing(qtbot: QtBot, pad: PtzPad) -> None:
    pad.set_camera(cam(kind="fixed"))
    for name in ("up", "zoom_out", "stop"):
        qtbot.mouseClick(pad.buttons[name], LEFT)
    pad.press("left")
    qtbot.keyPress(pad, Qt.Key.Key_Up)
    assert pad.sent == []


def test_switching_camera_while_held_stops_the_old_one(qtbot: QtBot, pad: PtzPad) -> None:
    pad.set_camera(cam("CAM-0100"))
    qtbot.mousePress(pad.buttons["right"], LEFT)
    pad.set_camera(cam("CAM-0200"))  # e.g. another tile was selected
    assert pad.sent == [("CAM-0100", "right", 4), ("CAM-0100", "stop", 4)]
    qtbot.mouseRelease(pad.buttons["right"], LEFT)
    assert len(pad.sent) == 2  # the release after the switch sends nothing more


def test_camera_going_offline_while_held_disables_without_a_stop(qtbot: QtBot, pad: PtzPad) -> None:
    pad.set_camera(cam())
    qtbot.mousePress(pad.buttons["up"], LEFT)
    pad.set_camera(cam(status="offline"))
    assert not enabled(pad) and pad.state.text() == "摄像机离线"
    assert pad.sent == [("CAM-0100", "up", 4)]


def test_hiding_the_pad_stops_a_held_movement(qtbot: QtBot, pad: PtzPad) -> None:
    pad.set_camera(cam())
    qtbot.mousePress(pad.buttons["down"], LEFT)
    pad.hide()
    assert pad.sent == [("CAM-0100", "down", 4), ("CAM-0100", "stop", 4)]


def test_arrow_keys_steer_and_auto_repeat_is_ignored(qtbot: QtBot, pad: PtzPad) -> None:
    pad.set_camera(cam())
    pad.setFocus()
    qtbot.keyPress(pad, Qt.Key.Key_Left)
    for kind in (QEvent.Type.KeyRelease, QEvent.Type.KeyPress):  # what a held key sends while it repeats
        QApplication.sendEvent(pad, QKeyEvent(kind, Qt.Key.Key_Left, Qt.KeyboardModifier.NoModifier, "", True))
    qtbot.keyRelease(pad, Qt.Key.Key_Left)
    qtbot.keyPress(pad, Qt.Key.Key_Plus)
    qtbot.keyRelease(pad, Qt.Key.Key_Plus)
    assert pad.sent == [
        ("CAM-0100", "left", 4),
        ("CAM-0100", "stop", 4),
        ("CAM-0100", "zoom_in", 4),
        ("CAM-0100", "stop", 4),
    ]


def test_results_from_a_worker_thread_are_shown_as_plain_text(qtbot: QtBot, pad: PtzPad) -> None:
    pad.set_camera(cam(name="<b>不是粗体</b>"))
    assert pad.title.textFormat() is Qt.TextFormat.PlainText and pad.title.text() == "<b>不是粗体</b>"
    camera_id = pad.camera.id
    worker = threading.Thread(target=pad.report_result, args=(camera_id, "云台控制失败：摄像机离线"))
    worker.start()
    worker.join(5)
    qtbot.waitUntil(lambda: pad.feedback.text() == "云台控制失败：摄像机离线", timeout=2000)
    pad.report_result(camera_id, None)
    qtbot.waitUntil(lambda: pad.feedback.text() == "", timeout=2000)
    # a late answer about a camera the pad no longer steers is not shown under the new one: sent from the worker
    # before one for the current camera, it has been handled (or not shown) by the time that one shows
    shown: list[str] = []
    pad._sig_result.connect(lambda *_: shown.append(pad.feedback.text()))  # after the pad's own slot, each time
    worker = threading.Thread(
        target=lambda: (
            pad.report_result("CAM-9999", "云台控制失败：旧摄像机离线"),
            pad.report_result(camera_id, "云台控制失败：预置位不存在"),
        )
    )
    worker.start()
    worker.join(5)
    qtbot.waitUntil(lambda: pad.feedback.text() == "云台控制失败：预置位不存在", timeout=2000)
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=2000)
    assert shown == ["", "云台控制失败：预置位不存在"], shown


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DemoBackend]:
    """A fresh exercise backend (no simulator thread) on a free port."""
    backend = DemoBackend(db_path=tmp_path / "demo.sqlite3", seed=7, simulate=False).start()
    yield backend
    backend.stop()


def test_pad_through_the_controller_to_the_exercise_backend(qtbot: QtBot, pad: PtzPad, demo: DemoBackend) -> None:
    client = PlatformClient(demo.base_url, "duty", "duty", timeout=5)
    controller = PtzController(client)
    done: list[tuple[str, str | None]] = []  # appended on the worker thread

    def send(camera_id: str, action: str, speed: int) -> None:
        def on_done(error: str | None) -> None:
            done.append((action, error))
            pad.report_result(camera_id, error)

        controller.send(camera_id, action, speed, on_done)

    pad.sig_ptz.connect(send)
    try:
        ptz = [c for c in client.cameras() if c.kind == "ptz" and c.status is CameraStatus.ONLINE]
        pad.set_camera(ptz[0])
        pad.set_speed(2)
        qtbot.mousePress(pad.buttons["left"], LEFT)
        qtbot.waitUntil(lambda: ("left", None) in done, timeout=10_000)  # held long enough to reach the camera
        qtbot.mouseRelease(pad.buttons["left"], LEFT)
        qtbot.waitUntil(lambda: ("stop", None) in done, timeout=10_000)
        resp = client.request("POST", f"/api/v1/cameras/{ptz[0].id}/ptz", json={"action": "stop", "speed": 1})
        assert resp.json()["position"]["pan"] == pytest.approx(-0.10)
        # the platform refuses an offline camera; the pad (still showing it online) tells the operator
        assert demo.set_camera_status(ptz[1].id, "offline")
        pad.set_camera(ptz[1])
        qtbot.mousePress(pad.buttons["up"], LEFT)
        qtbot.waitUntil(lambda: pad.feedback.text() == "云台控制失败：摄像机离线", timeout=10_000)
        qtbot.mouseRelease(pad.buttons["up"], LEFT)
    finally:
        controller.shutdown()
        client.close()
