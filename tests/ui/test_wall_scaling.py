"""Frames delivered at the size they are shown: the readers scale on their own threads (inside the colour
conversion) to the box of the widest tile showing the stream, as BGRX, so a tile copies them 1:1; snapshots,
the 码流信息 numbers and digital zoom still see the stream's own resolution. Real streams: the exercise
backend's H.264 and a real MJPEG camera on 127.0.0.1."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from commandwall.demo import DemoBackend
from commandwall.demo.media import read_index_code
from commandwall.domain.models import Camera
from commandwall.ui.wall import WallView
from commandwall.ui.wall.overload import apply_key_frames
from commandwall.ui.wall.tile import TileView
from commandwall.video.overload import Degrade
from tests.ui.test_wall import camera as mjpeg_camera
from tests.ui.test_wall import to_array
from tests.ui.test_wall_demo import demo as demo_backend
from tests.ui.test_wall_demo import online_cameras as online
from tests.unit.test_video_mjpeg import MjpegServer

demo = demo_backend  # the module-scoped exercise backend and its online cameras, shared with test_wall_demo
online_cameras = online


@pytest.fixture
def h264(online_cameras: list[Camera]) -> Camera:
    """An online exercise camera that sends H.264 MPEG-TS (640×360 sub stream)."""
    return next(c for c in online_cameras if c.streams.sub.endswith(".ts") and int(c.id[-4:]) % 25 != 6)


def fit_size(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """The largest size of aspect ``width:height`` inside ``box`` (rounded), its sides even (swscale's fast path
    needs an even width: an odd one costs about three times the CPU; OpenCV's 4:2:0 conversion even sides)."""
    scale = min(box[0] / width, box[1] / height)
    return round(width * scale) // 2 * 2, round(height * scale) // 2 * 2


def shown_at_tile_size(tile: TileView) -> bool:
    """The tile's frame is a BGRX picture of exactly the size the picture takes in the tile."""
    frame = tile.frame
    if frame is None or not frame.scaled:
        return False
    source_w, source_h = frame.stream_size
    return (frame.width, frame.height) == fit_size(source_w, source_h, (tile.width(), tile.height()))


def test_frames_arrive_at_the_tile_size_as_rgb32(qtbot: QtBot, wall: WallView, h264: Camera) -> None:
    """A 640×360 stream in a ~477×267 tile: the reader hands over frames of the tile's size in BGRX (alpha
    255), the tile wraps them as Format_RGB32 without a conversion, and what is painted is the picture; the
    码流信息 overlay still says 640×360."""
    wall.play(h264, 0)
    tile = wall.tile(0)
    qtbot.waitUntil(lambda: tile.state_text() == "直播" and shown_at_tile_size(tile), timeout=20_000)
    frame = tile.frame
    assert frame is not None and frame.width < 640 and frame.image.shape[2] == 4
    assert frame.image.dtype == np.uint8 and int(frame.image[:, :, 3].min()) == 255
    assert frame.stream_size == (640, 360)
    assert read_index_code(frame.image[:, :, :3]) is not None, "the scaled picture is the stream's picture"
    image = tile._image
    assert image is not None and image.format() == QImage.Format.Format_RGB32
    assert (image.width(), image.height()) == (frame.width, frame.height)
    assert tile.stats().resolution == (640, 360)  # type: ignore[union-attr]
    tile.set_show_info(True)
    assert tile.info_lines()[0] == "H.264 · 640×360 · 子码流"
    assert tile.info_lines()[-1].startswith("解码落后直播 ") and tile.info_lines()[-1].endswith(" · 追帧 0 次")
    # the tile shows the frame 1:1: its centre row is the frame's centre row (without the overlay, which now
    # reaches that row on a small tile)
    tile.set_show_info(False)
    qtbot.waitUntil(lambda: tile.frames_painted > 3)
    shown = tile.frame
    assert shown is not None
    pixels = to_array(tile.grab().toImage())
    y0 = (tile.height() - shown.height) // 2
    x0 = (tile.width() - shown.width) // 2
    row = shown.height // 2
    painted = pixels[y0 + row, x0 + 10 : x0 + shown.width - 10].astype(int)
    expected = shown.image[row, 10 : shown.width - 10, 2::-1].astype(int)  # BGRX → RGB
    assert np.abs(painted - expected).mean() < 8, "the painted row is not the frame's row"


def test_layout_switch_retargets_the_size_without_reopening(
    qtbot: QtBot, wall: WallView, demo: DemoBackend, h264: Camera
) -> None:
    """4 → 9 → 16 → 4: each time the frames come at the new tile size, from the same reader, and the backend
    was asked for the stream once."""
    assert demo.streams is not None
    opened = demo.streams.opens(h264.id, "sub")
    wall.play(h264, 0)
    tile = wall.tile(0)
    qtbot.waitUntil(lambda: tile.state_text() == "直播" and shown_at_tile_size(tile), timeout=20_000)
    reader = tile.reader
    widths = [tile.frame.width]  # type: ignore[union-attr]
    for key in ("9", "16", "4"):
        before = tile.width()
        wall.set_layout(key)
        qtbot.waitUntil(lambda b=before: tile.width() != b and shown_at_tile_size(tile), timeout=10_000)
        widths.append(tile.frame.width)  # type: ignore[union-attr]
        assert tile.reader is reader
    assert widths[0] > widths[1] > widths[2] and widths[3] == widths[0], widths
    assert demo.streams.opens(h264.id, "sub") == opened + 1
    assert reader is not None and reader.stats().reconnects == 0


def test_snapshot_is_at_the_stream_resolution_while_the_tile_shows_it_smaller(
    qtbot: QtBot, wall: WallView, h264: Camera, tmp_path
) -> None:
    """The tile's frames are ~477 px wide; the snapshot is the stream's 640×360 picture of the same frame."""
    wall.snapshot_dir = tmp_path / "snapshots"
    wall.play(h264, 3)
    tile = wall.tile(3)
    qtbot.waitUntil(lambda: tile.state_text() == "直播" and shown_at_tile_size(tile), timeout=20_000)
    frame = tile.frame
    assert frame is not None and frame.width < 640 and frame.full_image() is None  # no decoded frame on the GUI
    pending = wall.snapshot(3)
    assert pending is not None
    picture = to_array(QImage(str(pending.result(timeout=10))))
    assert picture.shape[:2] == (360, 640)
    shot, shown = read_index_code(picture[:, :, ::-1].copy()), read_index_code(frame.image[:, :, :3])
    assert shot is not None and shown is not None
    assert 0 <= shot - shown <= 3, f"snapshot of picture {shot}, the tile showed {shown}: not that frame or the next"
    assert tile.reader is not None
    full = tile.reader.full_image(frame)  # type: ignore[attr-defined]
    assert full is not None and full.shape == (360, 640, 3)


def wheel(tile: TileView, notches: int) -> None:
    """Turn the mouse wheel over the tile's centre."""
    centre = QPointF(tile.width() / 2, tile.height() / 2)
    event = QWheelEvent(centre, tile.mapToGlobal(centre), QPoint(0, 0), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)  # fmt: skip
    QApplication.sendEvent(tile, event)


def test_digital_zoom_asks_for_more_pixels_up_to_the_stream_resolution(
    qtbot: QtBot, wall: WallView, h264: Camera
) -> None:
    """Zoomed in, the reader delivers a larger picture (the magnified part keeps its detail), never more than
    the stream has; zoomed out again, the tile size."""
    wall.play(h264, 1)
    tile = wall.tile(1)
    qtbot.waitUntil(lambda: tile.state_text() == "直播" and shown_at_tile_size(tile), timeout=20_000)
    small = tile.frame.width  # type: ignore[union-attr]
    wheel(tile, 1)
    assert tile.zoom.active
    qtbot.waitUntil(lambda: tile.frame is not None and tile.frame.width > small, timeout=10_000)
    wheel(tile, 6)
    qtbot.waitUntil(lambda: tile.frame is not None and tile.frame.width == 640, timeout=10_000)
    qtbot.waitUntil(lambda: tile.frames_painted > 3)
    pixels = to_array(tile.grab().toImage())
    assert pixels[tile.height() // 3 : 2 * tile.height() // 3].mean() > 10, "the zoomed picture is painted"
    tile.reset_zoom()
    qtbot.waitUntil(lambda: shown_at_tile_size(tile), timeout=10_000)


def test_mjpeg_is_turned_down_by_frame_rate_and_says_so(qtbot: QtBot, wall: WallView, server: MjpegServer) -> None:
    """降帧 on an MJPEG camera (every picture a key frame): about one picture a second reaches the tile, and the
    caption says the frame rate was lowered, not that only key frames are decoded."""
    wall.play(mjpeg_camera("CAM-0501", "临城街道·MJPEG", server), 0)
    tile = wall.tile(0)
    qtbot.waitUntil(lambda: tile.state_text() == "直播", timeout=10_000)
    reader = tile.reader
    assert reader is not None
    apply_key_frames(tile, Degrade.KEY_FRAMES)
    qtbot.waitUntil(lambda: reader.stats().reduced_rate, timeout=5_000)
    qtbot.wait(1200)  # pictures decoded before the switch have left the rate window
    seq = reader.stats().frames
    qtbot.wait(3000)
    pictures = reader.stats().frames - seq
    assert 1 <= pictures <= 6, f"{pictures} pictures in 3 s: not turned down to about one a second"
    stats = reader.stats()
    assert not stats.key_frames_only
    assert tile.corner_text(1) == "降帧 · 限帧率 1 fps · 子码流"
    apply_key_frames(tile, Degrade.NONE)
    qtbot.waitUntil(lambda: not reader.stats().reduced_rate and reader.stats().fps > 10, timeout=10_000)
    assert tile.corner_text(25) == "25 fps · 子码流"


def _caption_columns(tile: TileView) -> list[int]:
    """The columns of the tile's bottom strip (the corner caption's) painted in the 降帧 caption's colour."""
    pixels = to_array(tile.grab().toImage()).astype(int)
    strip = pixels[tile.height() - 22 : tile.height() - 2]
    amber = (abs(strip[..., 0] - 0xF5) < 60) & (abs(strip[..., 1] - 0xB8) < 60) & (strip[..., 2] < 0x90)
    return [int(x) for x in np.nonzero(amber.any(axis=0))[0]]


def test_a_small_tiles_corner_caption_ends_with_an_ellipsis_inside_the_tile(qtbot: QtBot, wall: WallView,
                                                                               server: MjpegServer) -> None:
    """A caption wider than its tile (降帧 · 仅关键帧 … · 子码流 in a 16-tile wall of a 1280 px desk) is cut with …
    inside the tile, not pushed off its left edge; a tile wide enough shows it whole."""
    wall.play(mjpeg_camera("CAM-0502", "临城街道·MJPEG", server), 0)
    tile = wall.tile(0)
    qtbot.waitUntil(lambda: tile.state_text() == "直播", timeout=10_000)
    tile.set_degrade(Degrade.KEY_FRAMES)
    whole = tile.corner_caption()
    assert whole.startswith("降帧") and whole.endswith("子码流")
    qtbot.waitUntil(lambda: bool(_caption_columns(tile)), timeout=5_000)
    wide = _caption_columns(tile)
    assert wide[0] > tile.width() // 3 and wide[-1] < tile.width() - 4  # whole, in the bottom-right corner
    wall.resize(200, 160)  # tiles about 100 px wide: the caption does not fit
    qtbot.waitUntil(lambda: tile.width() < 110, timeout=5_000)
    qtbot.waitUntil(lambda: bool(_caption_columns(tile)), timeout=5_000)
    narrow = _caption_columns(tile)
    assert narrow[0] >= 5, f"the caption starts off the tile's left edge ({narrow[0]})"
    assert narrow[-1] < tile.width() - 4
