"""A camera whose sender delivers at a tenth of real time, on the wall: its tile shows the pictures as they come
(it stayed black: the catch-up dropped every packet as lag) and says they come late — 画面延迟, and how slow the
sender is — instead of passing them off as live at full rate. A real H.264 stream paced on 127.0.0.1."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from commandwall.domain.models import Camera, StreamUrls
from commandwall.ui.wall import WallView
from tests.unit.ts_streams import PacedTsServer, encode_ts


def test_a_tenth_of_real_time_plays_and_says_its_pictures_come_late(qtbot: QtBot, wall: WallView) -> None:
    server = PacedTsServer(encode_ts(640, 360, seconds=4.0), speed=0.1)
    try:
        camera = Camera(id="CAM-SLOW", name="慢速转发", lon=117.26, lat=34.79,
                        streams=StreamUrls(main=server.url, sub=server.url))  # fmt: skip
        wall.play(camera, 0)
        tile = wall.tile(0)
        qtbot.waitUntil(lambda: tile.frame is not None, timeout=20_000)
        first = tile.frame.seq  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: tile.frame is not None and tile.frame.seq >= first + 8, timeout=10_000)
        qtbot.waitUntil(lambda: "画面延迟" in tile.corner_caption(), timeout=10_000)
        caption = tile.corner_caption()
        print(f"slow sender's tile: {tile.frames_painted} pictures painted; caption {caption!r}")
        assert "×0.1" in caption and tile.state_text() == "直播"
        stats = tile.stats()
        assert stats is not None and stats.reconnects == 0 and stats.catch_ups == 0, stats
        tile.set_show_info(True)
        assert any(line.startswith("来流速度 ×0.1") for line in tile.info_lines()), tile.info_lines()
    finally:
        server.stop()
