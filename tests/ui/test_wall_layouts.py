"""Layouts and shared streams on the real wall, counted where the streams are served: the exercise backend
(H.264/H.265 MPEG-TS and MJPEG on 127.0.0.1) counts every request for a camera's stream."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from commandwall.backoff import Backoff
from commandwall.demo import DemoBackend
from commandwall.domain.models import Camera
from commandwall.ui.wall import WallView
from commandwall.video.pool import ReaderPool
from commandwall.video.reader import StreamReader
from tests.ui.test_wall_demo import demo as demo_backend
from tests.ui.test_wall_demo import online_cameras as online

demo = demo_backend  # the module-scoped exercise backend and its online cameras, shared with test_wall_demo
online_cameras = online


@pytest.fixture
def pool() -> Iterator[ReaderPool]:
    """Readers with a short backoff, all stopped after the test."""
    p = ReaderPool(lambda url: StreamReader(url, backoff=Backoff(initial_s=0.2, maximum_s=1.0)))
    yield p
    p.stop_all(timeout_s=6.0)


@pytest.fixture
def wall(qtbot: QtBot, pool: ReaderPool) -> Iterator[WallView]:
    """A shown 2×2 wall, 960×540: every tile of every layout here is under 800 px (sub streams)."""
    view = WallView(pool, tile_count=4)
    qtbot.addWidget(view)
    view.resize(960, 540)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.shutdown()


def counted(cameras: list[Camera]) -> list[Camera]:
    """The cameras whose stream opens the backend counts (an HLS player fetches its playlist every second)."""
    return [c for c in cameras if not c.streams.sub.endswith(".m3u8")]


def opens(demo: DemoBackend, cameras: list[Camera], variant: str) -> list[int]:
    """How often the backend was asked for each camera's ``variant`` stream."""
    assert demo.streams is not None
    return [demo.streams.opens(c.id, variant) for c in cameras]


def test_layout_switches_reopen_no_stream(
    qtbot: QtBot, wall: WallView, pool: ReaderPool, demo: DemoBackend, online_cameras: list[Camera]
) -> None:
    """4 live tiles through 1+5, 2+8, 9, 1+12, 16 and back to 4: the backend sees one request per stream, the
    tiles keep their readers and keep painting new frames; a tile a layout drops releases its stream."""
    cameras = counted(online_cameras)[10:14]
    wall.model.place(cameras)
    qtbot.waitUntil(lambda: all(t.state_text() == "直播" for t in wall.tiles()), timeout=20_000)
    assert opens(demo, cameras, "sub") == [1, 1, 1, 1]
    readers = [t.reader for t in wall.tiles()]
    for key in ("1+5", "2+8", "9", "1+12", "16", "4"):
        painted = [wall.tile(i).frames_painted for i in range(4)]
        wall.set_layout(key)
        assert wall.wall_layout.key == key and sum(t.isVisible() for t in wall._tiles) == wall.tile_count()
        qtbot.waitUntil(lambda p=painted: all(wall.tile(i).frames_painted > p[i] + 3 for i in range(4)),
                        timeout=10_000)  # fmt: skip
        assert [wall.tile(i).reader for i in range(4)] == readers
        assert all(wall.tile(i).stream_kind == "sub" for i in range(4))
    qtbot.wait(RESIZE_WAIT_MS)  # past the resize settle time: no main/sub switch either
    assert opens(demo, cameras, "sub") == [1, 1, 1, 1]
    assert opens(demo, cameras, "main") == [0, 0, 0, 0]
    wall.set_layout("1")
    assert pool.refcount(cameras[1].streams.sub) == 0 and wall.tile(0).reader is readers[0]


RESIZE_WAIT_MS = 800


def test_a_camera_shown_twice_is_decoded_once(
    qtbot: QtBot, wall: WallView, pool: ReaderPool, demo: DemoBackend, online_cameras: list[Camera]
) -> None:
    """One camera in a small and in the big tile of 1+5 plays one stream — the main one, which the big tile
    needs — from one reader, opened once on the backend; two tiles swapped keep their readers."""
    wall.resize(1500, 800)  # the big tile of 1+5 is ~1000 px wide: main stream
    wall.set_layout("1+5")
    camera, other = counted(online_cameras)[20:22]
    wall.play(camera, 5)
    wall.play(other, 3)
    qtbot.waitUntil(lambda: wall.tile(5).state_text() == "直播", timeout=20_000)
    assert wall.tile(5).stream_kind == "sub"
    wall.play(camera, 0)
    qtbot.waitUntil(lambda: wall.tile(0).stream_kind == "main" and wall.tile(5).stream_kind == "main",
                    timeout=5000)  # fmt: skip
    assert wall.tile(0).reader is wall.tile(5).reader
    assert pool.refcount(camera.streams.main) == 2 and pool.refcount(camera.streams.sub) == 0
    qtbot.waitUntil(lambda: wall.tile(0).state_text() == "直播" and wall.tile(5).state_text() == "直播",
                    timeout=20_000)  # fmt: skip
    assert [demo.streams.opens(camera.id, v) for v in ("sub", "main")] == [1, 1]  # type: ignore[union-attr]
    assert len([u for u in pool.urls() if camera.id in u]) == 1

    reader3, reader5 = wall.tile(3).reader, wall.tile(5).reader
    wall.model.swap(3, 5)
    assert wall.tile(3).reader is reader5 and wall.tile(5).reader is reader3
    qtbot.wait(RESIZE_WAIT_MS)
    assert demo.streams.opens(other.id, "sub") == 1  # type: ignore[union-attr]


def test_an_area_lent_to_alarm_linkage_comes_back(
    qtbot: QtBot, wall: WallView, pool: ReaderPool, online_cameras: list[Camera]
) -> None:
    """show_in_area on a 1+5 wall fills the big tile; restore plays the officer's camera there again, the other
    tiles keep their readers throughout."""
    wall.set_layout("1+5")
    mine, alarm, side = counted(online_cameras)[30:33]
    wall.play(mine, 0)
    wall.play(side, 4)
    side_reader = wall.tile(4).reader
    token = wall.model.show_in_area([alarm])
    assert wall.tile(0).camera == alarm
    qtbot.waitUntil(lambda: wall.tile(0).state_text() == "直播", timeout=20_000)
    assert wall.model.restore(token)
    assert wall.tile(0).camera == mine and pool.refcount(alarm.streams.sub) == 0
    qtbot.waitUntil(lambda: wall.tile(0).state_text() == "直播", timeout=20_000)
    assert wall.tile(4).reader is side_reader
