"""A new frame wakes the walls: tiles take it when it is in, not at the next refresh tick; the wake-ups
from many reader threads are coalesced and spaced. A real MJPEG camera (25 fps) on 127.0.0.1."""

from __future__ import annotations

import itertools
import threading
import time

from pytestqt.qtbot import QtBot

from commandwall.ui.wall import WallView
from commandwall.ui.wall.frame_wake import FrameWake, frame_wake
from commandwall.video.pool import ReaderPool
from tests.ui.test_wall import camera
from tests.unit.test_video_mjpeg import MjpegServer


def test_a_tile_paints_each_frame_as_it_arrives_even_with_a_slow_refresh_tick(qtbot: QtBot, pool: ReaderPool,
                                                                              server: MjpegServer) -> None:
    """The wall's timer ticks once a second here: a tile that waited for it would paint ~1 frame a second."""
    wall = WallView(pool, tile_count=4, refresh_hz=1.0)
    qtbot.addWidget(wall)
    wall.resize(960, 540)
    wall.show()
    qtbot.waitExposed(wall)
    try:
        wall.play(camera("CAM-0001", "文化路口", server), 0)
        tile = wall.tile(0)
        qtbot.waitUntil(lambda: tile.frames_painted >= 3, timeout=20_000)
        before, wakes_before, started = tile.frames_painted, frame_wake().wakes, time.monotonic()
        qtbot.wait(1000)
        painted, spent_s = tile.frames_painted - before, time.monotonic() - started
        # the 1 s tick alone would paint 1 or 2; 10 of 25 leaves room for a loaded machine
        assert painted >= 10, f"{painted} frames painted in {spent_s:.1f} s of a 25 fps stream"
        assert frame_wake().wakes - wakes_before <= spent_s / frame_wake().min_interval_s + 5  # spaced, not per frame
    finally:
        wall.shutdown()


def test_wake_ups_from_many_threads_are_coalesced_and_spaced(qtbot: QtBot) -> None:
    """Eight threads notify every millisecond for 0.6 s: the GUI thread is woken at most once per interval,
    and still woken while they go on."""
    wake = FrameWake(min_interval_ms=20)
    fired: list[float] = []
    wake.sig_frames.connect(lambda: fired.append(time.monotonic()))
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            wake.notify()
            time.sleep(0.001)

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    try:
        qtbot.wait(600)
    finally:
        stop.set()
        for thread in threads:
            thread.join(5)
    assert 10 <= len(fired) <= 600 / 20 + 2, len(fired)
    gaps = [b - a for a, b in itertools.pairwise(fired)]
    assert min(gaps) >= 0.017  # never sooner than the interval (a coarse timer may fire ~5 % early)
    qtbot.wait(100)
    settled = len(fired)
    qtbot.wait(200)
    assert len(fired) == settled  # no notify, no wake
