"""A tile double-clicked to fill the wall moves to its camera's main stream without stepping back in time: every
picture it shows after the switch is the one before it or a later one (tests/unit/test_video_join.py has the
reader's side). The exercise backend's H.264 streams show their index in the loop in every picture."""

from __future__ import annotations

import time
from itertools import pairwise

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from commandwall.demo import DemoBackend
from commandwall.demo.media import read_index_code
from commandwall.domain.models import Camera, StreamUrls
from commandwall.ui.wall import WallView
from tests.loop_index import assert_not_before

CAMERA = "CAM-0863"  # H.264, MPEG-TS over HTTP


def test_a_tile_filling_the_wall_moves_to_the_main_stream_without_stepping_back(
    qtbot: QtBot, wall: WallView, exercise: DemoBackend
) -> None:
    wall.resize(1280, 720)
    base = f"{exercise.base_url}/streams/{CAMERA}"
    camera = Camera(id=CAMERA, name="兴城街道·嵩山路与汉江路口北", lon=117.26, lat=34.79,
                    streams=StreamUrls(main=f"{base}/main.ts", sub=f"{base}/sub.ts"))
    tile = wall.tile(wall.play(camera))
    qtbot.waitUntil(lambda: tile.badge()[0] == "直播" and tile.frame is not None, timeout=15_000)
    assert tile.stream_kind == "sub"
    qtbot.wait(700)  # well into a GOP (one second long), so that the main stream's cache reaches back

    shown: list[tuple[str, int]] = []  # (stream, index) of each picture the tile had, in order
    last = None

    def note() -> None:
        nonlocal last
        frame = tile.frame
        if frame is not None and frame is not last:
            last = frame
            index = read_index_code(frame.image[:, :, :3])
            assert index is not None, "a picture whose index code does not read"
            shown.append((tile.stream_kind or "", index))

    note()
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and sum(kind == "main" for kind, _ in shown) < 25:
        qtbot.wait(5)
        note()
    assert wall.maximized_index is not None and tile.stream_kind == "main"
    assert sum(kind == "main" for kind, _ in shown) >= 25, f"the main stream did not play: {shown[-5:]}"
    for (_, before), (kind, after) in pairwise(shown):
        assert_not_before(before, after, f"the tile ({kind}), shown {shown}")
