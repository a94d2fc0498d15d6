"""Wall tiles on a real RTSP server (GStreamer's, on 127.0.0.1): RTSP 传输 in a tile's menu switches its camera
to UDP and back, reopening only that camera's stream; camera passwords in the URL never show."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from commandwall.backoff import Backoff
from commandwall.domain.models import Camera, StreamUrls
from commandwall.ui.wall import WallView
from commandwall.video.pool import ReaderPool
from commandwall.video.reader import StreamReader, StreamState
from commandwall.video.transport import RtspTransports
from tests.ui.test_wall import camera
from tests.unit.test_video_mjpeg import MjpegServer
from tests.unit.test_video_rtsp import rtsp, start_rtsp_server, stop_rtsp_server, udp_sockets  # noqa: F401

SECRET = "s3cret-Pw"


def rtsp_camera(camera_id: str, name: str, url: str) -> Camera:
    """A camera whose main and sub stream are ``url``."""
    return Camera(id=camera_id, name=name, lon=117.26, lat=34.79, streams=StreamUrls(main=url, sub=url))


def menu_texts(menu: QMenu) -> list[str]:
    """Every action's text and tooltip in ``menu`` and its submenus."""
    texts = []
    for action in menu.actions():
        texts += [action.text(), action.toolTip()]
        if action.menu() is not None:
            texts += menu_texts(action.menu())
    return texts


def transport_actions(wall: WallView, index: int) -> dict[str, object]:
    """The RTSP 传输 submenu's actions of tile ``index`` by text (empty when the menu has none)."""
    menu = wall.tile_menu(index)
    sub = next((a.menu() for a in menu.actions() if a.text() == "RTSP 传输"), None)
    return {a.text(): a for a in sub.actions()} if sub is not None else {}


@pytest.fixture
def rtsp_wall(qtbot: QtBot, tmp_path: Path) -> Iterator[WallView]:
    """A shown 2×2 wall whose pool keeps the RTSP transports in ``tmp_path``."""
    pool = ReaderPool(lambda url: StreamReader(url, backoff=Backoff(initial_s=0.1, maximum_s=0.5)),
                      transports=RtspTransports.load(tmp_path))  # fmt: skip
    view = WallView(pool, tile_count=4)
    qtbot.addWidget(view)
    view.resize(960, 540)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.shutdown()
    assert pool.stop_all(timeout_s=10.0)


def test_switching_a_tile_to_udp_reopens_only_its_camera_over_udp(
    qtbot: QtBot, rtsp_wall: WallView, rtsp: str, server: MjpegServer, tmp_path: Path,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wall = rtsp_wall
    with_password = rtsp.replace("rtsp://", f"rtsp://admin:{SECRET}@")
    cam_a = rtsp_camera("CAM-0101", "临城街道·光明大道", f"{with_password}/h264")
    cam_b = rtsp_camera("CAM-0102", "常庄街道·常庄路", f"{rtsp}/h265")
    mjpeg = camera("CAM-0103", "沙沟镇·沙沟路", server)
    messages: list[str] = []
    wall.sig_message.connect(lambda text, _ms: messages.append(text))
    for index, cam in enumerate((cam_a, cam_b, mjpeg)):
        wall.play(cam, index)
    for index in range(3):
        qtbot.waitUntil(lambda index=index: wall.tile(index).state_text() == "直播", timeout=20_000)
    tile_a, tile_b = wall.tile(0), wall.tile(1)
    reader_b, reconnects_b = tile_b.reader, tile_b.stats().reconnects  # type: ignore[union-attr]
    assert tile_a.stats().transport == "tcp"  # type: ignore[union-attr]
    assert transport_actions(wall, 2) == {}, "an MJPEG camera has no RTSP transport"
    actions = transport_actions(wall, 0)
    assert list(actions) == ["TCP", "UDP"]
    assert actions["TCP"].isChecked() and not actions["UDP"].isChecked()  # type: ignore[attr-defined]

    sockets_before = udp_sockets()
    actions["UDP"].trigger()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: tile_a.stats().transport == "udp" and tile_a.state_text() == "直播",  # type: ignore[union-attr]
                    timeout=20_000)  # fmt: skip
    seq = tile_a.reader.seq  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: tile_a.reader.seq > seq + 10, timeout=10_000)  # type: ignore[union-attr]
    assert udp_sockets() >= sockets_before + 2, "FFmpeg holds RTP and RTCP ports: the stream runs over UDP"
    assert "RTSP/UDP" in tile_a.info_lines()[0]
    assert transport_actions(wall, 0)["UDP"].isChecked()  # type: ignore[attr-defined]
    assert json.loads((tmp_path / "rtsp_transport.json").read_text()) == {"CAM-0101": "udp"}
    assert RtspTransports.load(tmp_path).transport("CAM-0101") == "udp", "the choice outlives the client"
    assert messages == ["临城街道·光明大道 已改用 RTSP/UDP，正在重新连接"]
    # the other cameras went on undisturbed: same reader, no reconnect, still TCP, frames advancing
    assert tile_b.reader is reader_b and tile_b.stats().reconnects == reconnects_b  # type: ignore[union-attr]
    assert tile_b.stats().transport == "tcp" and tile_b.state_text() == "直播"  # type: ignore[union-attr]

    actions = transport_actions(wall, 0)
    actions["TCP"].trigger()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: tile_a.stats().transport == "tcp" and tile_a.state_text() == "直播",  # type: ignore[union-attr]
                    timeout=20_000)  # fmt: skip
    assert json.loads((tmp_path / "rtsp_transport.json").read_text()) == {}

    # the password in the URL shows nowhere: menus, the overlay, messages, the log
    tile_a.set_show_info(True)
    shown = [*menu_texts(wall.tile_menu(0)), *tile_a.info_lines(), *messages, caplog.text]
    assert not [text for text in shown if SECRET in text]
    assert f"camera CAM-0101 {rtsp}/h264: reopening (RTSP over udp)" in caplog.text, "the log names it, redacted"


def test_the_transport_file_that_cannot_be_written_is_said_and_the_stream_still_switches(
    qtbot: QtBot, rtsp_wall: WallView, rtsp: str, tmp_path: Path  # noqa: F811
) -> None:
    (tmp_path / "rtsp_transport.json").mkdir()  # a folder where the file goes: saving fails
    messages: list[str] = []
    rtsp_wall.sig_message.connect(lambda text, _ms: messages.append(text))
    rtsp_wall.play(rtsp_camera("CAM-0101", "临城街道·光明大道", f"{rtsp}/h264"), 0)
    tile = rtsp_wall.tile(0)
    qtbot.waitUntil(lambda: tile.state_text() == "直播", timeout=20_000)
    transport_actions(rtsp_wall, 0)["UDP"].trigger()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: tile.stats().transport == "udp" and tile.reader.state is StreamState.LIVE,  # type: ignore[union-attr]
                    timeout=20_000)  # fmt: skip
    assert len(messages) == 1 and messages[0].startswith("临城街道·光明大道 已改用 RTSP/UDP，但设置无法保存")


def test_a_killed_source_says_so_on_its_tile_and_plays_again_by_itself(
    qtbot: QtBot, rtsp_wall: WallView, rtsp: str  # noqa: F811
) -> None:
    """Four tiles, one of them on its own RTSP server process: the process is killed — that tile says 重连中
    within the read timeout while the three others keep advancing — and started again on the same port — the
    tile plays again without anyone touching it."""
    wall = rtsp_wall
    victim_proc, victim_url = start_rtsp_server()
    try:
        cams = [rtsp_camera("CAM-0201", "兴城街道·victim", f"{victim_url}/h264"),
                rtsp_camera("CAM-0202", "常庄街道·常庄路", f"{rtsp}/h264"),
                rtsp_camera("CAM-0203", "张范街道·张范路", f"{rtsp}/h265"),
                rtsp_camera("CAM-0204", "沙沟镇·沙沟路", f"{rtsp}/h264-2")]  # fmt: skip
        for index, cam in enumerate(cams):
            wall.play(cam, index)
        for index in range(4):
            qtbot.waitUntil(lambda index=index: wall.tile(index).state_text() == "直播", timeout=30_000)
        others = [wall.tile(i) for i in (1, 2, 3)]
        decoded = [t.reader.stats().frames for t in others]  # type: ignore[union-attr]

        killed_at = time.monotonic()
        victim_proc.kill()
        stop_rtsp_server(victim_proc)  # reaped, its pipes closed
        qtbot.waitUntil(lambda: "重连" in wall.tile(0).state_text(), timeout=8_000)
        noticed_s = time.monotonic() - killed_at
        qtbot.waitUntil(lambda: wall.tile(0).frames_painted > 0)
        qtbot.wait(1500)  # the outage goes on; the others must not notice
        assert "重连" in wall.tile(0).state_text() and "画面停在" in wall.tile(0).state_text()  # its last picture's age
        for tile, frames in zip(others, decoded, strict=True):
            assert tile.state_text() == "直播" and tile.reader.stats().frames > frames + 25, "the others kept playing"  # type: ignore[union-attr]

        seq_dead = wall.tile(0).reader.seq  # type: ignore[union-attr]
        restarted_at = time.monotonic()
        victim_proc, again = start_rtsp_server(int(victim_url.rsplit(":", 1)[1]))
        assert again == victim_url
        qtbot.waitUntil(lambda: wall.tile(0).state_text() == "直播" and wall.tile(0).reader.seq > seq_dead + 10,  # type: ignore[union-attr]
                        timeout=30_000)  # fmt: skip
        back_s = time.monotonic() - restarted_at
        print(f"killed source: 重连中 after {noticed_s:.2f} s; playing again {back_s:.2f} s after the restart")
        assert noticed_s < 6.0, "within the read timeout (5 s)"
        assert wall.tile(0).stats().reconnects >= 1  # type: ignore[union-attr]
    finally:
        stop_rtsp_server(victim_proc)


def test_an_rtsp_tile_says_camera_to_screen_time_by_the_cameras_rtcp_clock(
    qtbot: QtBot, rtsp_wall: WallView, rtsp: str  # noqa: F811
) -> None:
    """The server runs on this machine, so its clock is the desk's: camera→paint (by the RTCP-anchored
    timestamps) holds receive→paint plus the server's encoding and sending, and stays within seconds."""
    rtsp_wall.play(rtsp_camera("CAM-0301", "兴仁街道·兴仁路", f"{rtsp}/h264"), 0)
    tile = rtsp_wall.tile(0)
    tile.set_show_info(True)
    qtbot.waitUntil(lambda: tile.latency.camera_to_paint_ms is not None, timeout=20_000)  # first RTCP report
    qtbot.wait(2500)  # the last 50 pictures all carry the camera's clock
    lines = tile.info_lines()
    assert re.fullmatch(r"摄像机到显示 \d+ ms（按摄像机 RTCP 时钟）", lines[3]), lines
    camera_ms, receive_ms = tile.latency.camera_to_paint_ms, tile.latency.receive_to_paint_ms
    print(f"RTSP tile: camera→paint {camera_ms:.0f} ms, receive→paint {receive_ms:.0f} ms, "
          f"decode→paint {tile.latency.decode_to_paint_ms:.0f} ms")  # fmt: skip
    assert receive_ms is not None and camera_ms is not None
    assert camera_ms >= receive_ms - 5  # the camera's clock runs before the receiving: never less than it
    assert camera_ms < 3000  # a second in the main; room for a loaded machine, still not a clock off by hours


def test_a_camera_whose_clock_runs_an_hour_ahead_is_said_so_not_as_a_picture_from_the_future(
    qtbot: QtBot, rtsp_wall: WallView, rtsp: str  # noqa: F811
) -> None:
    """The camera's RTCP sender reports put its clock an hour ahead of the desk's (a camera without NTP, a wrong
    time zone): camera→paint read by it is about −3 600 000 ms — no latency at all, a clock set otherwise. The tile
    says the camera's clock is an hour fast and gives no camera→paint; receive→paint stays as measured here."""
    rtsp_wall.play(rtsp_camera("CAM-0302", "兴仁街道·光明路", f"{rtsp}/h264-ahead"), 0)
    tile = rtsp_wall.tile(0)
    tile.set_show_info(True)
    qtbot.waitUntil(lambda: tile.latency.camera_to_paint_ms is not None, timeout=20_000)  # first RTCP report
    qtbot.wait(2500)  # the last 50 pictures all carry the camera's clock
    ahead_ms = tile.latency.camera_clock_off_ms
    assert ahead_ms is not None and 3590_000 <= ahead_ms <= 3610_000, tile.latency.camera_to_paint_ms
    lines = tile.info_lines()
    said = [line for line in lines if line.startswith("摄像机")]
    fast = r"摄像机时钟比本机快 (59分[0-5]\d秒|1小时00分)（摄像机到显示不计）"
    assert len(said) == 1 and re.fullmatch(fast, said[0]), lines
    assert tile.latency.receive_to_paint_ms is not None and tile.latency.receive_to_paint_ms < 3000
