"""PtzController over real HTTP against the exercise backend: results, error messages, coalescing."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import pytest

from commandwall.app.ptz import PtzController, steerable
from commandwall.backend.api import PlatformClient
from commandwall.demo import DemoBackend
from commandwall.domain.models import Camera, CameraStatus, StreamUrls

WAIT_S = 15.0


@pytest.fixture()
def controller(duty: PlatformClient) -> Iterator[PtzController]:
    """The controller under test, shut down afterwards."""
    ptz = PtzController(duty)
    yield ptz
    ptz.shutdown()


class Results:
    """Collects ``on_done`` calls: (tag, error) in the order they arrive."""

    def __init__(self) -> None:
        self.calls: queue.Queue[tuple[str, str | None]] = queue.Queue()

    def callback(self, tag: str):
        """An ``on_done`` that records ``tag`` with the result."""
        return lambda error: self.calls.put((tag, error))

    def next(self) -> tuple[str, str | None]:
        """The next result (fails the test after WAIT_S)."""
        return self.calls.get(timeout=WAIT_S)


def pick(client: PlatformClient, kind: str, status: CameraStatus = CameraStatus.ONLINE, skip: int = 0) -> Camera:
    """A camera of ``kind`` with ``status`` from the server's list."""
    found = [c for c in client.cameras() if c.kind == kind and c.status is status]
    assert len(found) > skip, f"the demo has no {kind} camera that is {status}"
    return found[skip]


def position(client: PlatformClient, camera_id: str) -> dict[str, float]:
    """Where the simulated camera points now (a ``stop`` does not move it; the answer carries the position)."""
    resp = client.request("POST", f"/api/v1/cameras/{camera_id}/ptz", json={"action": "stop", "speed": 1})
    assert resp.status_code == 202, resp.text
    return resp.json()["position"]


def test_command_to_a_ptz_camera_moves_it(duty: PlatformClient, controller: PtzController) -> None:
    camera = pick(duty, "ptz")
    results = Results()
    assert controller.send(camera.id, "left", 3, results.callback("left"))
    assert results.next() == ("left", None)
    assert position(duty, camera.id)["pan"] == pytest.approx(-0.15)


def test_fixed_camera_is_unsupported(duty: PlatformClient, controller: PtzController) -> None:
    camera = pick(duty, "fixed")
    results = Results()
    controller.send(camera.id, "up", 4, results.callback("up"))
    assert results.next() == ("up", "云台控制失败：该摄像机不支持云台控制")


def test_offline_camera(demo: DemoBackend, duty: PlatformClient, controller: PtzController) -> None:
    camera = pick(duty, "ptz")
    assert demo.set_camera_status(camera.id, "offline")
    results = Results()
    controller.send(camera.id, "zoom_in", 2, results.callback("zoom"))
    assert results.next() == ("zoom", "云台控制失败：摄像机离线")


def test_unknown_camera_and_viewer_role(demo: DemoBackend, duty: PlatformClient, controller: PtzController) -> None:
    results = Results()
    controller.send("CAM-NOPE", "left", 1, results.callback("unknown"))
    assert results.next() == ("unknown", "云台控制失败：平台上没有这台摄像机")
    viewer = PlatformClient(demo.base_url, "viewer", "viewer", timeout=5)
    as_viewer = PtzController(viewer)
    try:
        as_viewer.send(pick(duty, "ptz").id, "left", 1, results.callback("viewer"))
        assert results.next() == ("viewer", "云台控制失败：当前账号无云台控制权限")
    finally:
        as_viewer.shutdown()
        viewer.close()


def test_stopped_server_is_a_transport_error(demo: DemoBackend, duty: PlatformClient) -> None:
    camera = pick(duty, "ptz")
    client = PlatformClient(demo.base_url, "duty", "duty", timeout=2, retries=0)
    client.login()
    demo.stop()
    ptz = PtzController(client)
    results = Results()
    try:
        ptz.send(camera.id, "right", 4, results.callback("right"))
        assert results.next() == ("right", "云台控制失败：无法连接平台，请检查网络")
    finally:
        ptz.shutdown()
        client.close()


def test_newer_command_for_the_same_camera_supersedes_a_waiting_one(
    duty: PlatformClient, controller: PtzController
) -> None:
    first, second = pick(duty, "ptz"), pick(duty, "ptz", skip=1)
    results = Results()
    entered, release = threading.Event(), threading.Event()

    def hold_the_worker(error: str | None) -> None:
        results.calls.put(("hold", error))
        entered.set()
        assert release.wait(WAIT_S)

    controller.send(second.id, "stop", 1, hold_the_worker)
    assert entered.wait(WAIT_S)  # the only worker is now busy: everything below waits in the queue
    controller.send(first.id, "right", 8, results.callback("right 8"))
    controller.send(first.id, "left", 1, results.callback("left 1"))
    controller.send(second.id, "up", 2, results.callback("second up 2"))
    controller.send(first.id, "left", 2, results.callback("left 2"))
    release.set()

    got = [results.next() for _ in range(3)]
    assert got == [("hold", None), ("second up 2", None), ("left 2", None)]
    assert controller.dropped == 2
    assert results.calls.empty()
    # Only "left 2" reached the camera (all three would have left it at pan +0.25).
    assert position(duty, first.id)["pan"] == pytest.approx(-0.10)
    assert position(duty, second.id)["tilt"] == pytest.approx(-0.10)


def test_a_failing_callback_does_not_stop_the_worker(duty: PlatformClient, controller: PtzController) -> None:
    camera = pick(duty, "ptz")
    results = Results()

    def broken(_error: str | None) -> None:
        raise RuntimeError("callback bug")

    controller.send(camera.id, "left", 1, broken)
    controller.send(pick(duty, "ptz", skip=1).id, "right", 1, results.callback("after"))
    assert results.next() == ("after", None)


def test_bad_arguments_and_shutdown(duty: PlatformClient) -> None:
    ptz = PtzController(duty)
    camera = pick(duty, "ptz")
    with pytest.raises(ValueError, match="action"):
        ptz.send(camera.id, "spin", 4, lambda _e: None)
    with pytest.raises(ValueError, match="speed"):
        ptz.send(camera.id, "left", 9, lambda _e: None)
    ptz.shutdown()
    called: list[str | None] = []
    assert ptz.send(camera.id, "left", 4, called.append) is False
    assert called == []


def test_steerable_only_online_ptz_and_dome_cameras() -> None:
    streams = StreamUrls(main="http://127.0.0.1:1/m.mjpg", sub="http://127.0.0.1:1/s.mjpg")
    ptz = Camera(id="C1", name="n", lon=117.2, lat=34.8, kind="ptz", streams=streams)
    assert steerable(ptz)
    assert not steerable(ptz.model_copy(update={"status": CameraStatus.OFFLINE}))
    assert not steerable(ptz.model_copy(update={"kind": "fixed"}))
    assert steerable(ptz.model_copy(update={"kind": "dome"}))
    assert not steerable(None)
