"""No leak over 100 layout switches of a wall that open and close streams (4 tiles → 1 → 4 again), against
the exercise backend's H.264 streams served by a separate process."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from commandwall.domain.models import Camera, StreamUrls
from commandwall.ui.wall import WallView
from commandwall.video.pool import ReaderPool
from tests.unit.test_video_leaks import CYCLES, Usage, exercise_streams, pytestmark  # noqa: F401 (fixture, skip)


@pytest.fixture
def leak_wall(qtbot: QtBot) -> Iterator[tuple[WallView, ReaderPool]]:
    """A shown 2×2 wall on its own pool."""
    pool = ReaderPool()
    view = WallView(pool, tile_count=4)
    qtbot.addWidget(view)
    view.resize(960, 540)
    view.show()
    qtbot.waitExposed(view)
    yield view, pool
    view.shutdown()
    assert pool.stop_all(timeout_s=10.0)


def test_hundred_layout_switches_leak_no_thread_fd_or_memory(
    qtbot: QtBot, leak_wall: tuple[WallView, ReaderPool], exercise_streams: str  # noqa: F811
) -> None:
    wall, pool = leak_wall
    cams = []
    for number in (1, 2, 4, 5):  # H.264 over MPEG-TS on the exercise backend
        base = f"{exercise_streams}/streams/CAM-{number:04d}"
        cams.append(Camera(id=f"CAM-{number:04d}", name=f"路口{number}", lon=117.26, lat=34.79,
                           streams=StreamUrls(main=f"{base}/main.ts", sub=f"{base}/sub.ts")))  # fmt: skip

    def cycle() -> None:
        wall.set_layout("4")
        wall.model.place(cams)
        qtbot.waitUntil(lambda: all(t.frame is not None and t.state_text() == "直播" for t in wall.tiles()),
                        timeout=10_000)  # fmt: skip
        wall.set_layout("1")  # tiles 1–3 close their streams; tile 0 plays on
        qtbot.waitUntil(lambda: len(pool.running()) == 1, timeout=10_000)

    for _ in range(3):
        cycle()
    before = Usage.settled()
    started = time.monotonic()
    for _ in range(CYCLES):
        cycle()
    elapsed = time.monotonic() - started
    after = Usage.settled()
    print(f"{CYCLES} layout switches (3 streams opened and closed each) in {elapsed:.1f} s: {before} → {after}")
    assert len(pool) == 1 and pool.refcount(wall.tile(0).stream_url or "") == 1
    assert after.video_threads == before.video_threads, "every reading thread ended"
    assert after.threads <= before.threads, "no thread left behind"  # others' threads may end meanwhile
    assert after.os_threads <= before.os_threads + 2
    assert after.fds <= before.fds + 4
    assert after.rss_mib - before.rss_mib < 60
