"""An anamorphic camera (720×576, SAR 16:11: a 4:3 picture from an analogue encoder) on the wall: the tile shows
the picture at its display aspect — 1047:576, not squeezed to 720:576 — and 码流信息 says why. A real H.264 stream
with its SAR in the bitstream, served on 127.0.0.1 at real time."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from commandwall.domain.models import Camera, StreamUrls
from commandwall.ui.wall import WallView
from commandwall.ui.wall import tile as tile_module
from commandwall.ui.wall.tile import TileView
from commandwall.video.reader import StreamReader
from tests.ui.test_wall import to_array
from tests.unit.ts_streams import PacedTsServer, encode_ts


@pytest.fixture(scope="module")
def anamorphic_server() -> Iterator[PacedTsServer]:
    server = PacedTsServer(encode_ts(720, 576, seconds=20.0, sar=Fraction(16, 11)))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def see_through_name_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    """The name bar drawn clear: the picture's rows under it count as picture (the bar's own dark fill would
    read as a black band of the letterbox)."""
    monkeypatch.setattr(tile_module, "BAR_BG", QColor(0, 0, 0, 0))


def picture_box(pixels: np.ndarray) -> tuple[int, int]:
    """Width and height of the picture in a tile grab: the columns and rows brighter than the black bars (the
    stream's background is grey 30; the name bar and captions are left out by looking at the middle rows and
    columns only)."""
    grey = pixels.astype(int).sum(axis=2)
    height, width = grey.shape
    row = grey[height // 2] > 45
    column = grey[:, width // 4] > 45
    return int(row.sum()), int(column.sum())


def test_a_16_11_camera_is_shown_at_its_display_aspect(qtbot: QtBot, wall: WallView,
                                                      anamorphic_server: PacedTsServer) -> None:  # fmt: skip
    camera = Camera(id="CAM-PAL", name="模拟编码器 PAL", lon=117.26, lat=34.79,
                    streams=StreamUrls(main=anamorphic_server.url, sub=anamorphic_server.url))  # fmt: skip
    wall.set_layout("1")
    wall.play(camera, 0)
    tile = wall.tile(0)
    qtbot.waitUntil(lambda: tile.state_text() == "直播" and tile.frame is not None and tile.frame.scaled
                    and tile.frame.width >= tile.width() - 2, timeout=20_000)  # fmt: skip
    tile.repaint()
    width, height = picture_box(to_array(tile.grab().toImage()))
    print(f"tile {tile.width()}×{tile.height()}: picture {width}×{height} ({width / height:.3f})")
    assert abs(width / height - 1047 / 576) < 0.03, (width, height)
    tile.set_show_info(True)
    assert "720×576（像素宽高比 16:11，显示为 1047×576）" in tile.info_lines()[0]


def test_a_snapshot_of_a_16_11_camera_is_at_its_display_aspect(qtbot: QtBot, wall: WallView, tmp_path,
                                                               anamorphic_server: PacedTsServer) -> None:  # fmt: skip
    camera = Camera(id="CAM-PAL", name="模拟编码器 PAL", lon=117.26, lat=34.79,
                    streams=StreamUrls(main=anamorphic_server.url, sub=anamorphic_server.url))  # fmt: skip
    wall.snapshot_dir = tmp_path / "snapshots"
    wall.play(camera, 0)
    tile = wall.tile(0)
    qtbot.waitUntil(lambda: tile.state_text() == "直播" and tile.frame is not None, timeout=20_000)
    pending = wall.snapshot(0)
    assert pending is not None
    picture = QImage(str(pending.result(timeout=10)))
    assert (picture.width(), picture.height()) == (1047, 576), "every sample kept, widened as the tile shows it"


def test_a_tile_lays_out_an_unscaled_anamorphic_picture_at_its_display_aspect(
    qtbot: QtBot, anamorphic_server: PacedTsServer
) -> None:
    """Before a reader is told its tile's box (or for a reader of its own) a tile gets the stream's own 720×576
    samples and scales them itself: to 1047:576 too."""
    camera = Camera(id="CAM-PAL", name="模拟编码器 PAL", lon=117.26, lat=34.79,
                    streams=StreamUrls(main=anamorphic_server.url, sub=anamorphic_server.url))  # fmt: skip
    tile = TileView(0)
    qtbot.addWidget(tile)
    tile.resize(800, 400)
    tile.show()
    qtbot.waitExposed(tile)
    reader = StreamReader(anamorphic_server.url).start()
    try:
        tile.show_stream(camera, reader, "main", anamorphic_server.url)
        qtbot.waitUntil(lambda: tile.refresh() is not None and tile.frame is not None
                        and tile.state_text() == "直播", timeout=20_000)  # fmt: skip
        assert not tile.frame.scaled and (tile.frame.width, tile.frame.height) == (720, 576)  # type: ignore[union-attr]
        tile.repaint()
        width, height = picture_box(to_array(tile.grab().toImage()))
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(6.0)
    print(f"unscaled 720×576 at 16:11 in an 800×400 tile: {width}×{height}")
    assert abs(width / height - 1047 / 576) < 0.03, (width, height)
