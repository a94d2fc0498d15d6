"""Graceful overload (降帧) on the real wall with the exercise backend's H.264/H.265 streams: a policy made
touchy on purpose sees every full-rate stream as behind; the big tile goes to its sub stream first, then the
smallest tiles decode key frames only and say 降帧; with the load gone everything comes back by itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from commandwall.backoff import Backoff
from commandwall.demo.media import GOP, read_index_code
from commandwall.domain.models import Camera
from commandwall.ui.wall import WallView
from commandwall.video.overload import Degrade, OverloadThresholds
from commandwall.video.pool import ReaderPool
from commandwall.video.reader import StreamReader
from tests.ui.test_wall_demo import demo as demo_backend
from tests.ui.test_wall_demo import online_cameras as online

demo = demo_backend
online_cameras = online


@pytest.fixture
def wall(qtbot: QtBot) -> Iterator[WallView]:
    """A shown 1+5 wall, 1800×1000: the big tile (~1200 px) plays main, the five small ones sub."""
    pool = ReaderPool(lambda url: StreamReader(url, backoff=Backoff(initial_s=0.2, maximum_s=1.0)))
    view = WallView(pool, tile_count="1+5")
    qtbot.addWidget(view)
    view.resize(1800, 1000)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.shutdown()
    pool.stop_all(timeout_s=6.0)


def test_overload_turns_down_smallest_first_says_so_and_recovers(
    qtbot: QtBot, wall: WallView, online_cameras: list[Camera]
) -> None:
    cameras = [c for c in online_cameras if c.streams.sub.endswith(".ts") and c.streams.main != c.streams.sub][:6]
    wall.model.place(cameras)
    qtbot.waitUntil(lambda: all(t.state_text() == "直播" for t in wall.tiles()), timeout=20_000)
    big, small = wall.tile(0), wall.tiles()[1:]
    assert big.stream_kind == "main" and all(t.stream_kind == "sub" for t in small)

    policy = wall.overload.policy
    # every stream counts as behind (below 10× its own best rate): overload that does not go away
    policy.thresholds = OverloadThresholds(behind_ratio=10.0, degrade_after=1, min_interval_s=0.0)
    qtbot.waitUntil(lambda: big.degrade is Degrade.SUB and big.stream_kind == "sub", timeout=10_000)
    assert all(t.degrade is Degrade.NONE for t in small), "main streams go to sub before any frame rate drops"
    qtbot.waitUntil(lambda: any(t.degrade is Degrade.KEY_FRAMES for t in small), timeout=10_000)
    keyed = next(t for t in small if t.degrade is Degrade.KEY_FRAMES)
    assert keyed.corner_text(1).startswith("降帧")
    assert keyed.reader is not None and keyed.reader.stats().key_frames_only
    seen: list[int] = []

    def key_frame_shown() -> bool:
        frame = keyed.frame
        index = read_index_code(frame.image[:, :, :3]) if frame is not None else None  # BGRX when scaled
        if index is not None and index not in seen:
            seen.append(index)
        return len(seen) >= 4

    qtbot.waitUntil(key_frame_shown, timeout=10_000)
    assert all(i % GOP == 0 for i in seen[2:]), f"only key frames reach the tile (after those in flight): {seen}"

    policy.thresholds = OverloadThresholds(recover_after=1, min_interval_s=0.0, tick_budget_ms=1e9,
                                           drop_ratio=1e9, behind_share=1e9)  # fmt: skip
    qtbot.waitUntil(lambda: all(t.degrade is Degrade.NONE for t in wall.tiles()), timeout=20_000)
    qtbot.waitUntil(lambda: big.stream_kind == "main", timeout=5_000)
    assert not any(t.reader is not None and t.reader.stats().key_frames_only for t in wall.tiles())
    assert all(t.corner_text(25).startswith("25 fps") for t in small)
