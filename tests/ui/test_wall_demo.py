"""The wall on the exercise backend's own MJPEG camera streams (DemoBackend on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import requests
from pytestqt.qtbot import QtBot

from commandwall.backoff import Backoff
from commandwall.demo import DemoBackend
from commandwall.domain.models import Camera, CameraStatus
from commandwall.ui.wall import WallView
from commandwall.video.pool import ReaderPool
from commandwall.video.reader import StreamReader, StreamState
from tests.ui.test_wall import picture_area, region, to_array


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoBackend]:
    """A seeded exercise backend, simulator off (cameras change only when a test says so)."""
    with DemoBackend(seed=11, simulate=False) as backend:
        yield backend


@pytest.fixture(scope="module")
def online_cameras(demo: DemoBackend) -> list[Camera]:
    """Online cameras as the platform lists them (GET /api/v1/cameras)."""
    with requests.Session() as http:
        login = {"username": "viewer", "password": "viewer"}
        token = http.post(f"{demo.base_url}/api/v1/auth/token", json=login, timeout=10).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        body = http.get(f"{demo.base_url}/api/v1/cameras", headers=auth, timeout=10).json()
    cameras = [Camera.model_validate(c) for c in body["cameras"]]
    return [c for c in cameras if c.status is CameraStatus.ONLINE]


@pytest.fixture
def wall(qtbot: QtBot) -> Iterator[WallView]:
    """A shown 2×2 wall with its own pool."""
    pool = ReaderPool(lambda url: StreamReader(url, backoff=Backoff(initial_s=0.2, maximum_s=1.0)))
    view = WallView(pool, tile_count=4)
    qtbot.addWidget(view)
    view.resize(960, 540)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.shutdown()
    pool.stop_all(timeout_s=6.0)


def test_demo_cameras_play_live_on_the_wall(
    qtbot: QtBot, wall: WallView, online_cameras: list[Camera]
) -> None:
    """Two demo cameras: 直播 badges, sub streams at 640×360, pictures that move."""
    first, second = online_cameras[:2]
    wall.play(first)
    wall.play(second)
    qtbot.waitUntil(lambda: all(wall.tile(i).state_text() == "直播" for i in (0, 1)), timeout=15_000)
    qtbot.waitUntil(lambda: all(wall.tile(i).frames_painted >= 2 for i in (0, 1)), timeout=10_000)
    for i in (0, 1):
        stats = wall.tile(i).stats()
        assert stats is not None and stats.resolution == (640, 360)
        assert wall.tile(i).stream_url == online_cameras[i].streams.sub  # H.264/H.265 over MPEG-TS or MJPEG
    before = to_array(wall.grab().toImage())
    painted = [wall.tile(i).frames_painted for i in (0, 1)]
    qtbot.waitUntil(lambda: all(wall.tile(i).frames_painted > painted[i] + 2 for i in (0, 1)), timeout=10_000)
    after = to_array(wall.grab().toImage())
    for i in (0, 1):
        a, b = region(before, picture_area(wall, i)), region(after, picture_area(wall, i))
        assert np.abs(a.astype(int) - b.astype(int)).mean() > 0.5, f"tile {i} froze"


def test_camera_dropped_by_the_platform_shows_offline_then_returns(
    qtbot: QtBot, wall: WallView, demo: DemoBackend, online_cameras: list[Camera]
) -> None:
    """The platform takes a camera offline (its stream ends, reopening gets 503): the tile reads 离线,
    and plays again when the camera is back."""
    camera = online_cameras[2]
    index = wall.play(camera)
    tile = wall.tile(index)
    qtbot.waitUntil(lambda: tile.state_text() == "直播", timeout=15_000)

    assert demo.set_camera_status(camera.id, "offline")
    wall.set_camera_status(camera.id, "offline")  # what the event stream delivers
    assert tile.state_text() == "离线"
    qtbot.waitUntil(lambda: tile.stats() is not None and tile.stats().state is StreamState.RECONNECTING,
                    timeout=10_000)  # fmt: skip
    assert tile.state_text() == "离线"

    assert demo.set_camera_status(camera.id, "online")
    wall.set_camera_status(camera.id, "online")
    qtbot.waitUntil(lambda: tile.state_text() == "直播", timeout=15_000)
