"""A tile says why its stream is being retried, in words a duty officer acts on — a refused password (call the
platform's administrators) is not a camera that does not answer (call the field) — over its last picture too, and
the overlay (码流信息) gives the failure's own line. Real streams and servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from commandwall.domain.models import Camera, StreamUrls
from commandwall.ui.wall import WallView
from tests.ui.test_wall import camera
from tests.unit.test_video_failure import server  # noqa: F401 - a fixture
from tests.unit.ts_streams import PacedTsServer, encode_ts


def at(url: str, cam_id: str) -> Camera:
    return Camera(id=cam_id, name="薛城区·测试点位", lon=117.26, lat=34.79, streams=StreamUrls(main=url, sub=url))


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/401.ts", "视频流鉴权失败（账号或密码不对，或无权访问），正在重试…"),
        ("/404.ts", "视频流地址不存在（404），正在重试…"),
        ("/500.ts", "视频服务器出错（5xx），正在重试…"),
        ("/garbage.ts", "视频数据无法解码，正在重试…"),
    ],
)
def test_a_tile_says_what_the_server_answered(qtbot: QtBot, wall: WallView, server: str, path: str,  # noqa: F811
                                              says: str) -> None:  # fmt: skip
    tile = wall.tile(wall.play(at(server + path, "CAM-0901")))
    qtbot.waitUntil(lambda: tile.placeholder() == says, timeout=10_000)
    assert "重连" in tile.badge()[0]


def test_a_tile_says_nothing_listens_there(qtbot: QtBot, wall: WallView) -> None:
    tile = wall.tile(wall.play(camera("CAM-0902", "沙沟镇·无服务", None)))
    qtbot.waitUntil(lambda: tile.placeholder() == "视频服务器拒绝连接（地址或端口无服务），正在重试…", timeout=10_000)


@pytest.fixture
def quiet() -> Iterator[PacedTsServer]:
    """Two seconds of live H.264 over HTTP, then nothing (the connection held open)."""
    sender = PacedTsServer(encode_ts(320, 180, seconds=2.0))
    yield sender
    sender.stop()


def test_a_tile_whose_camera_went_quiet_says_so_over_its_last_picture(qtbot: QtBot, wall: WallView,
                                                                      quiet: PacedTsServer) -> None:  # fmt: skip
    tile = wall.tile(wall.play(at(quiet.url, "CAM-0903")))
    qtbot.waitUntil(lambda: tile.badge()[0] == "直播", timeout=10_000)
    assert tile.placeholder() == "正在连接…" and not tile.info_lines()[-1].startswith("上次失败")
    # the read times out after the reader's timeout (5 s): the tile keeps its last picture, dimmed, and says why
    qtbot.waitUntil(lambda: "重连" in tile.badge()[0], timeout=15_000)
    assert tile.frames_painted > 0
    assert tile.placeholder() == "视频服务器无响应（超时），正在重试…"
    lines = tile.info_lines()
    assert "上次失败：视频服务器无响应（超时）" in lines
    assert any(line.startswith("TimeoutError: no whole picture within") for line in lines), lines
    wall.grab()  # painted with its notice over the dimmed picture


def test_a_hostile_stream_address_in_the_failure_line_is_shown_as_characters(qtbot: QtBot, wall: WallView,
                                                                             server: str) -> None:  # noqa: F811
    """The failure line 码流信息 adds quotes the stream's address, which comes from the platform: markup, template
    syntax and a right-to-left override in it are characters on the tile, the override shown, not obeyed."""
    hostile = "/<b>粗</b>{{7*7}}\u202egnp.404"
    tile = wall.tile(wall.play(at(server + hostile, "CAM-0904")))
    tile.show_info = True
    qtbot.waitUntil(lambda: tile.placeholder() == "视频流地址不存在（404），正在重试…", timeout=10_000)
    line = tile.info_lines()[-1]
    assert "<b>粗</b>{{7*7}}" in line and "\u202e" not in line, line
    wall.grab()  # painted (QPainter.drawText: plain text)
