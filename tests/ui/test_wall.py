"""WallView/TileView against real MJPEG streams on 127.0.0.1 (pytest-qt, offscreen)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from commandwall.domain.models import Camera, StreamUrls
from commandwall.ui.wall import WallView
from commandwall.video.pool import ReaderPool
from tests.unit.test_video_mjpeg import MjpegServer, free_port


def camera(cam_id: str, name: str, server: MjpegServer | None) -> Camera:
    """A camera whose streams live on ``server`` (None: a port where nothing listens)."""
    if server is None:
        base = f"http://127.0.0.1:{free_port()}/{cam_id}"
        main, sub = f"{base}/main.mjpg", f"{base}/sub.mjpg"
    else:
        main, sub = server.url(f"{cam_id}/main.mjpg"), server.url(f"{cam_id}/sub.mjpg")
    return Camera(id=cam_id, name=name, lon=117.26, lat=34.79, streams=StreamUrls(main=main, sub=sub))


def to_array(image: QImage) -> np.ndarray:
    """QImage → H×W×3 uint8 RGB copy."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    buf = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    return buf[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3).copy()


def region(pixels: np.ndarray, rect: QRect) -> np.ndarray:
    """The pixels under ``rect`` (widget coordinates, device pixel ratio 1 offscreen)."""
    return pixels[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1]


def picture_area(wall: WallView, index: int) -> QRect:
    """Inner part of a tile, below the name bar and above the fps line."""
    geo = wall.tile(index).geometry()
    return geo.adjusted(4, geo.height() // 6, -4, -geo.height() // 6)


def test_two_streams_show_changing_pixels(qtbot: QtBot, wall: WallView, server: MjpegServer) -> None:
    """A 2×2 wall playing two cameras: their tiles' pixels change between two grabs, the idle ones don't."""
    with qtbot.waitSignals([wall.sig_playing_changed] * 2, timeout=2000):
        assert wall.play(camera("CAM-0001", "临城街道·光明大道与泰山路口", server)) == 0
        assert wall.play(camera("CAM-0002", "常庄街道·常庄路", server)) == 1
    qtbot.waitUntil(lambda: all(wall.tile(i).badge()[0] == "直播" for i in (0, 1)), timeout=10_000)
    qtbot.waitUntil(lambda: all(wall.tile(i).frames_painted >= 3 for i in (0, 1)), timeout=10_000)
    assert wall.tile(0).stream_kind == "sub" and wall.tile(0).width_px() < 800
    assert [c.id if c else None for c in wall.cameras()] == ["CAM-0001", "CAM-0002", None, None]

    first = to_array(wall.grab().toImage())
    painted = [wall.tile(i).frames_painted for i in (0, 1)]
    qtbot.waitUntil(lambda: all(wall.tile(i).frames_painted > painted[i] + 2 for i in (0, 1)), timeout=10_000)
    second = to_array(wall.grab().toImage())
    for i in (0, 1):
        before, after = region(first, picture_area(wall, i)), region(second, picture_area(wall, i))
        assert before.mean() > 20, "the tile shows a picture, not black"
        diff = np.abs(before.astype(int) - after.astype(int)).mean()
        assert diff > 2.0, f"tile {i} did not change ({diff:.2f})"
    for i in (2, 3):
        before, after = region(first, picture_area(wall, i)), region(second, picture_area(wall, i))
        assert np.array_equal(before, after), f"idle tile {i} changed"
    assert wall.tile(2).badge() == ("空闲", "idle")


def test_dead_url_shows_reconnecting_badge(qtbot: QtBot, wall: WallView) -> None:
    """A camera whose stream cannot be reached reads 重连中 on an amber badge, with no picture."""
    index = wall.play(camera("CAM-0404", "沙沟镇·无信号", None))
    tile = wall.tile(index)
    qtbot.waitUntil(lambda: "重连" in tile.badge()[0], timeout=5000)
    assert "画面停在" not in tile.badge()[0], "no picture ever came: no age to tell"
    qtbot.wait(100)
    pixels = to_array(wall.grab().toImage())
    geo = tile.geometry()
    badge_area = region(pixels, QRect(geo.right() - 120, geo.top(), 120, 30)).reshape(-1, 3).astype(int)
    amber = np.abs(badge_area - np.array([0xE8, 0xA3, 0x17])).sum(axis=1) < 40
    assert amber.sum() > 50, "no amber badge drawn"
    assert tile.frames_painted == 0


def test_offline_report_wins_and_clears(qtbot: QtBot, wall: WallView, server: MjpegServer) -> None:
    """set_camera_status(offline) turns the tile to 离线; online brings 直播 back."""
    cam = camera("CAM-0003", "兴城街道·兴城路", server)
    index = wall.play(cam)
    tile = wall.tile(index)
    qtbot.waitUntil(lambda: tile.badge()[0] == "直播", timeout=10_000)
    wall.set_camera_status("CAM-0003", "offline")
    assert tile.badge() == ("离线", "error")
    server.stop()  # the platform cut the stream as well
    qtbot.wait(500)
    assert tile.badge()[0] == "离线"
    server.restart()
    wall.set_camera_status("CAM-0003", "online")
    qtbot.waitUntil(lambda: tile.badge()[0] == "直播", timeout=10_000)


def test_set_tile_count_changes_grid(
    qtbot: QtBot, wall: WallView, pool: ReaderPool, server: MjpegServer
) -> None:
    """9 tiles make a 3×3 grid; shrinking to 1 stops the tiles that no longer exist."""
    cam = camera("CAM-0009", "邹坞镇·邹坞路", server)
    wall.play(cam, tile_index=3)
    assert pool.refcount(cam.streams.sub) == 1

    wall.set_tile_count(9)
    qtbot.wait(50)
    assert (wall.wall_layout.rows, wall.wall_layout.cols) == (3, 3)
    visible = [t for t in wall.tiles() if t.isVisible()]
    assert len(visible) == 9
    assert len({t.geometry().x() for t in visible}) == 3 and len({t.geometry().y() for t in visible}) == 3
    assert all(not wall._tiles[i].isVisible() for i in range(9, 16))
    assert wall.tile(3).camera == cam

    with qtbot.waitSignal(wall.sig_playing_changed, check_params_cb=lambda i, cid: (i, cid) == (3, "")):
        wall.set_tile_count(1)
    qtbot.wait(50)
    assert wall.tile_count() == 1 and wall.tile(0).isVisible()
    assert wall.tile(0).geometry().width() > 900
    assert pool.refcount(cam.streams.sub) == 0
    with pytest.raises(ValueError):
        wall.set_tile_count(6)
    with pytest.raises(IndexError):
        wall.tile(1)


def test_click_selects_and_play_goes_to_selected_then_empty_then_oldest(qtbot: QtBot, wall: WallView) -> None:
    """Without a selection play() fills empty tiles, then replaces the oldest; a click redirects it."""
    cams = [camera(f"CAM-01{i:02d}", f"陶庄镇·{i}号点", None) for i in range(6)]
    assert [wall.play(c) for c in cams[:4]] == [0, 1, 2, 3]
    assert wall.play(cams[4]) == 0  # all busy: the oldest goes
    assert wall.play(cams[5]) == 1

    with qtbot.waitSignal(wall.sig_tile_selected, check_params_cb=lambda i: i == 2):
        qtbot.mouseClick(wall.tile(2), Qt.MouseButton.LeftButton)
    assert wall.selected_index == 2 and wall.tile(2).selected and not wall.tile(0).selected
    assert wall.play(cams[0]) == 2
    assert wall.tile(2).camera == cams[0]

    wall.stop(2)
    assert wall.tile(2).is_empty and wall.tile(2).state_text() == "空闲"


def test_double_click_fills_wall_and_switches_to_main_stream(
    qtbot: QtBot, wall: WallView, pool: ReaderPool, server: MjpegServer
) -> None:
    """A maximised tile is wider than 800 px and moves to the main stream; restoring goes back to sub."""
    wall.resize(1280, 720)
    cam = camera("CAM-0010", "张范街道·张范路", server)
    index = wall.play(cam)
    tile = wall.tile(index)
    qtbot.waitUntil(lambda: tile.badge()[0] == "直播", timeout=10_000)
    assert tile.stream_kind == "sub"

    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    assert wall.maximized_index == index
    assert not wall.tile(1).isVisible()
    qtbot.waitUntil(lambda: tile.stream_kind == "main", timeout=3000)
    assert pool.refcount(cam.streams.main) == 1 and pool.refcount(cam.streams.sub) == 0
    qtbot.waitUntil(lambda: (tile.stats() or None) is not None and tile.stats().resolution == (1280, 720),
                    timeout=10_000)  # fmt: skip

    wall.toggle_maximized(index)
    assert wall.maximized_index is None and wall.tile(3).isVisible()
    qtbot.waitUntil(lambda: tile.stream_kind == "sub", timeout=3000)
    assert pool.refcount(cam.streams.sub) == 1 and pool.refcount(cam.streams.main) == 0


def test_two_tiles_on_one_camera_share_one_reader(
    qtbot: QtBot, wall: WallView, pool: ReaderPool, server: MjpegServer
) -> None:
    """The same camera in two tiles opens one stream."""
    cam = camera("CAM-0020", "兴仁街道·兴仁路", server)
    wall.play(cam, tile_index=0)
    wall.play(cam, tile_index=3)
    assert wall.tile(0).reader is wall.tile(3).reader
    assert pool.refcount(cam.streams.sub) == 2
    qtbot.waitUntil(lambda: all(wall.tile(i).badge()[0] == "直播" for i in (0, 3)), timeout=10_000)
    assert server.active_connections == 1
    wall.stop(0)
    assert pool.refcount(cam.streams.sub) == 1 and wall.tile(3).reader.running  # type: ignore[union-attr]
    reader = wall.tile(3).reader
    wall.play(cam, tile_index=3)  # playing it again where it already plays keeps the stream open
    assert wall.tile(3).reader is reader and pool.refcount(cam.streams.sub) == 1


def test_a_tile_counts_down_to_its_next_attempt_and_says_how_old_its_picture_is(qtbot: QtBot, server) -> None:
    """A camera that played and went away: while its reader waits out the backoff the badge counts down to the
    next attempt (5秒后重连 … 4秒后重连) and says how old the picture under it is (画面停在…前): a frozen picture
    never reads as live."""
    import re

    from commandwall.backoff import Backoff
    from commandwall.video.reader import StreamReader

    pool = ReaderPool(lambda url: StreamReader(url, read_timeout_s=1.0,
                                               backoff=Backoff(initial_s=6.0, maximum_s=6.0, jitter=0.0)))
    view = WallView(pool, tile_count=1)
    qtbot.addWidget(view)
    view.resize(640, 400)
    view.show()
    try:
        tile = view.tile(view.play(camera("CAM-0007", "临城街道·将断", server)))
        qtbot.waitUntil(lambda: tile.badge()[0] == "直播", timeout=10000)
        server.stop()  # the camera goes away
        qtbot.waitUntil(lambda: "秒后重连" in tile.badge()[0], timeout=10000)
        first = tile.badge()[0]

        def count(text: str) -> int | None:
            found = re.match(r"(\d+)秒后重连", text)
            return int(found.group(1)) if found else None

        start = count(first)
        assert start is not None and 3 <= start <= 6, first
        # the countdown goes down (two steps: over a second on the clock, whatever the machine's load)
        qtbot.waitUntil(lambda: (count(tile.badge()[0]) or 99) <= start - 2, timeout=8000)
        later = tile.badge()[0]
        assert 1 <= (count(later) or 0) <= start - 2, (first, later)
        ages = [int(re.search(r"画面停在(\d+)秒前", text).group(1)) for text in (first, later)]  # type: ignore[union-attr]
        assert ages[1] >= ages[0] + 1, (first, later)
    finally:
        view.shutdown()
        pool.stop_all(timeout_s=6.0)


def test_a_stream_with_no_video_says_so_not_that_it_cannot_connect(qtbot: QtBot, wall: WallView) -> None:
    """A camera URL that serves audio only (a talkback channel, a misconfigured encoder) connects fine: the tile
    says the stream has no video, not that it cannot be reached."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from tests.unit.test_video_failure import audio_only_ts

    audio = audio_only_ts()

    class Audio(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "video/mp2t")
            self.send_header("Content-Length", str(len(audio)))
            self.end_headers()
            self.wfile.write(audio)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Audio)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/CAM-0800"
        tile = wall.tile(wall.play(Camera(id="CAM-0800", name="对讲通道", lon=117.26, lat=34.79,
                                          streams=StreamUrls(main=f"{url}/main.ts", sub=f"{url}/sub.ts"))))
        qtbot.waitUntil(lambda: tile.placeholder() == "该码流没有视频（只有音频或数据），正在重试…", timeout=15000)
        assert tile.frames_painted == 0
    finally:
        server.shutdown()
        server.server_close()
