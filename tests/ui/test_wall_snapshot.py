"""抓拍 and the 码流信息 overlay on a real H.264 stream of the exercise backend."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtGui import QFontMetricsF, QImage
from pytestqt.qtbot import QtBot

from commandwall.backoff import Backoff
from commandwall.domain.models import Camera
from commandwall.localtime import CHINA_STANDARD_TIME
from commandwall.textsafe import display_text
from commandwall.ui.wall import WallView
from commandwall.ui.wall.snapshot import SnapshotError, stamp_layout
from commandwall.video.pool import ReaderPool
from commandwall.video.reader import StreamReader
from tests.mounts import tmpfs
from tests.ui.test_wall import to_array
from tests.ui.test_wall_demo import demo as demo_backend
from tests.ui.test_wall_demo import online_cameras as online

demo = demo_backend  # the module-scoped exercise backend and its online cameras, shared with test_wall_demo
online_cameras = online


@pytest.fixture
def wall(qtbot: QtBot, tmp_path: Path) -> Iterator[WallView]:
    """A shown 2×2 wall with its own pool, snapshots going to ``tmp_path/snapshots``."""
    pool = ReaderPool(lambda url: StreamReader(url, backoff=Backoff(initial_s=0.2, maximum_s=1.0)))
    view = WallView(pool, tile_count=4)
    view.snapshot_dir = tmp_path / "snapshots"
    qtbot.addWidget(view)
    view.resize(960, 540)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.shutdown()
    pool.stop_all(timeout_s=6.0)


@pytest.fixture
def h264(online_cameras: list[Camera]) -> Camera:
    """An online exercise camera that sends H.264."""
    return next(c for c in online_cameras if c.streams.sub.endswith(".ts") and int(c.id[-4:]) % 25 != 6)


def test_snapshot_is_the_frame_with_name_and_time(qtbot: QtBot, wall: WallView, h264: Camera, tmp_path: Path) -> None:
    """The PNG has the stream's resolution, the frame's pixels above a dark band with the text, and name, id and
    time in its file name; the status bar gets the path."""
    wall.play(h264, 1)
    tile = wall.tile(1)
    qtbot.waitUntil(lambda: tile.state_text() == "直播" and tile.frame is not None, timeout=20_000)
    wall.select(1)
    frame = tile.frame
    with qtbot.waitSignal(wall.sig_message, timeout=10_000) as said:
        pending = wall.snapshot()
        assert pending is not None
    path = pending.result(timeout=10)
    assert path.parent == tmp_path / "snapshots" and path.is_file()
    assert said.args[0] == f"已抓拍：{path}"
    name = h264.name.replace("/", "_")
    assert re.fullmatch(rf"{re.escape(name)}_{h264.id}_\d{{8}}-\d{{6}}\.png", path.name), path.name
    picture = to_array(QImage(str(path)))
    assert picture.shape[:2] == (360, 640)
    band = picture[-20:]
    assert band.mean() < 90 and (band > 200).any(), "no dark band with white text at the bottom"
    assert frame is not None
    # the picture above the band is a decoded frame of this stream (the one on screen or one just before)
    # (the tile shows it scaled to the tile: compare at that size)
    shown = frame.image[:, :, 2::-1] if frame.scaled else frame.image[:, :, ::-1]
    small = cv2.resize(picture, (shown.shape[1], shown.shape[0]), interpolation=cv2.INTER_AREA)
    rows = shown.shape[0] * 300 // 360
    assert np.abs(small[:rows].astype(int) - shown[:rows].astype(int)).mean() < 40

    again = wall.snapshot(1)
    assert again is not None and again.result(timeout=10) != path  # two in one second get distinct names


def test_snapshot_refusals_say_why(qtbot: QtBot, wall: WallView, h264: Camera, tmp_path: Path) -> None:
    """Nothing selected, an empty tile, a snapshot folder that cannot be made: a message, no file, no crash."""
    with qtbot.waitSignal(wall.sig_message, check_params_cb=lambda text, _ms: "请先选中" in text):
        assert wall.snapshot() is None
    with qtbot.waitSignal(wall.sig_message, check_params_cb=lambda text, _ms: "暂无图像" in text):
        assert wall.snapshot(0) is None
    assert not next(a for a in wall.tile_menu(0).actions() if a.text() == "抓拍").isEnabled()
    blocker = tmp_path / "file"
    blocker.write_text("")
    wall.snapshot_dir = blocker / "snapshots"
    wall.play(h264, 0)
    qtbot.waitUntil(lambda: wall.tile(0).frame is not None, timeout=20_000)
    with qtbot.waitSignal(wall.sig_message, check_params_cb=lambda text, _ms: "抓拍目录不可用" in text,
                          timeout=10_000):
        pending = wall.snapshot(0)
        assert pending is not None
    assert isinstance(pending.exception(timeout=10), SnapshotError)


def test_a_long_camera_name_and_id_are_saved_with_id_and_time_whole(qtbot: QtBot, wall: WallView, h264: Camera,
                                                                     tmp_path: Path) -> None:  # fmt: skip
    """A camera named 300 × 名 with an id of 128 × I: the snapshot is saved under a name the file system takes (at
    most 255 bytes, the name cut, the id and the time whole) and the burned-in line shows the id and the time to
    their last pixel on the picture, the name elided."""
    camera = Camera.model_validate({**h264.model_dump(mode="json"), "name": "名" * 300, "id": "I" * 128})
    wall.play(camera, 0)
    qtbot.waitUntil(lambda: wall.tile(0).frame is not None, timeout=20_000)
    with qtbot.waitSignal(wall.sig_message, timeout=10_000) as said:
        pending = wall.snapshot(0)
        assert pending is not None
    path = pending.result(timeout=10)
    assert said.args[0] == f"已抓拍：{path}"
    assert path.parent == tmp_path / "snapshots" and path.is_file()
    assert len(path.name.encode("utf-8")) <= 255
    taken = re.fullmatch(r"名{50,}_I{60}_(\d{8}-\d{6})\.png", path.name)
    assert taken is not None, path.name
    when = datetime.strptime(taken.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=CHINA_STANDARD_TIME)
    picture = to_array(QImage(str(path)))
    stamp = stamp_layout(640, 360, display_text(camera.name), display_text(camera.id, 64), when, wall.font())
    assert stamp.text.startswith("名") and "…（" + "I" * 63 + "…）" in stamp.text
    assert stamp.text.endswith(f"  {when:%Y-%m-%d %H:%M:%S}")
    metrics = QFontMetricsF(stamp.font)
    end = stamp.box.left() + metrics.horizontalAdvance(stamp.text) - metrics.rightBearing(stamp.text[-1])
    ink = np.flatnonzero((picture[stamp.band.top() :] > 200).all(axis=2).any(axis=0))
    assert abs(ink[-1] + 1 - end) <= 2 and ink[-1] < stamp.box.right(), (ink[-1], end)


def test_a_path_too_long_is_said_as_such(qtbot: QtBot, wall: WallView, h264: Camera, tmp_path: Path) -> None:
    """A snapshot folder so deep that the snapshot's path passes what the system takes: the status bar says the
    name or path is too long (not that the folder is unusable), and nothing is left in the folder."""
    camera = h264.model_copy(update={"name": "临城街道·光明大道与华山路口西"})
    path_max = os.pathconf(tmp_path, "PC_PATH_MAX")
    room = path_max - 60  # the folder's path: a temporary file's fits after it, the snapshot's (~80 bytes) not
    folder = tmp_path
    while len(os.fsencode(folder)) < room:
        folder = folder / ("d" * min(200, room - len(os.fsencode(folder))))
    folder.mkdir(parents=True)
    wall.snapshot_dir = folder
    wall.play(camera, 0)
    qtbot.waitUntil(lambda: wall.tile(0).frame is not None, timeout=20_000)
    with qtbot.waitSignal(wall.sig_message, timeout=10_000) as said:
        pending = wall.snapshot(0)
        assert pending is not None
    assert isinstance(pending.exception(timeout=10), SnapshotError)
    assert said.args[0].startswith(f"抓拍文件的名称或路径过长，未保存：{folder}{os.sep}{camera.name}_"), said.args[0]
    assert list(folder.iterdir()) == []


def test_a_full_disk_leaves_no_snapshot_file_and_is_said(qtbot: QtBot, wall: WallView, h264: Camera,
                                                         tmp_path: Path) -> None:  # fmt: skip
    """Snapshots on a full disk (a 64 kB tmpfs, nearly full): each says 磁盘空间不足 and none leaves a file — no cut
    PNG, no empty ``_2``/``_3``."""
    with tmpfs(tmp_path / "small", 65536) as folder:
        filler = folder / "filler"
        filler.write_bytes(bytes(56 * 1024))
        wall.snapshot_dir = folder
        wall.play(h264, 0)
        qtbot.waitUntil(lambda: wall.tile(0).frame is not None, timeout=20_000)
        for _ in range(3):
            with qtbot.waitSignal(wall.sig_message, timeout=10_000) as said:
                pending = wall.snapshot(0)
                assert pending is not None
            assert isinstance(pending.exception(timeout=10), SnapshotError)
            assert said.args[0] == f"磁盘空间不足，抓拍未保存：{folder}"
        assert list(folder.iterdir()) == [filler]


def test_stream_info_overlay_on_demand(qtbot: QtBot, wall: WallView, h264: Camera) -> None:
    """码流信息 in the tile's menu shows codec, resolution, fps, bitrate, dropped frames and the receive→paint and
    decode→paint times; off again hides it."""
    wall.play(h264, 2)
    tile = wall.tile(2)
    qtbot.waitUntil(lambda: tile.state_text() == "直播", timeout=20_000)
    qtbot.waitUntil(lambda: tile.frames_painted > 3 and tile.stats().fps > 10, timeout=10_000)  # type: ignore[union-attr]
    info = next(a for a in wall.tile_menu(2).actions() if a.text() == "码流信息")
    assert info.isCheckable() and not info.isChecked()
    before = to_array(tile.grab().toImage())
    info.trigger()
    assert tile.show_info
    lines = tile.info_lines()
    assert lines[0] == "H.264 · 640×360 · 子码流"
    assert re.fullmatch(r"\d+\.\d fps · [1-9]\d* kbit/s · 解码 \d+ 帧 · 丢帧 \d+", lines[1]), lines[1]
    assert re.fullmatch(r"接收到显示 \d+ ms · 解码到显示 \d+ ms", lines[2]), lines[2]
    assert lines[3] == "重连 0 次"
    receive, decode = map(int, re.findall(r"\d+", lines[2]))
    assert 0 <= decode <= receive < 1000, "a picture is received before it is decoded, and shown within a second"
    qtbot.waitUntil(lambda: tile.frames_painted > 3)
    after = to_array(tile.grab().toImage())
    corner = (slice(30, 80), slice(6, 200))
    assert after[corner].mean() < before[corner].mean() + 5  # a dark box over the picture
    next(a for a in wall.tile_menu(2).actions() if a.text() == "码流信息").trigger()
    assert not tile.show_info
