"""Wall layouts and main/sub stream choice by tile width."""

from __future__ import annotations

import pytest

from commandwall.domain.models import Camera, StreamUrls
from commandwall.video.layout import (
    SUB_STREAM_MAX_WIDTH_PX,
    WallLayout,
    choose_stream,
    stream_url,
)


def _camera(sub: str = "http://h/streams/CAM-0001/sub.mjpg") -> Camera:
    return Camera(id="CAM-0001", name="临城街道·光明大道与泰山路口", lon=117.26, lat=34.79,
                  streams=StreamUrls(main="http://h/streams/CAM-0001/main.mjpg", sub=sub))  # fmt: skip


@pytest.mark.parametrize(("tiles", "side"), [(1, 1), (4, 2), (9, 3), (16, 4)])
def test_layouts(tiles: int, side: int) -> None:
    """1/4/9/16 tiles are square grids numbered row by row."""
    layout = WallLayout.for_tiles(tiles)
    assert (layout.rows, layout.cols, layout.tiles) == (side, side, tiles)
    assert layout.cell(0) == (0, 0)
    assert layout.cell(tiles - 1) == (side - 1, side - 1)
    with pytest.raises(IndexError):
        layout.cell(tiles)


@pytest.mark.parametrize("tiles", [0, 2, 6, 25, -4])
def test_other_tile_counts_are_refused(tiles: int) -> None:
    """Only 1, 4, 9 and 16 are offered."""
    with pytest.raises(ValueError, match="1, 4, 9 or 16"):
        WallLayout.for_tiles(tiles)


def test_choose_stream_by_width() -> None:
    """Small tiles use the sub stream, big ones the main stream."""
    cam = _camera()
    assert SUB_STREAM_MAX_WIDTH_PX == 800
    assert choose_stream(cam, 480) == "sub"
    assert choose_stream(cam, 799) == "sub"
    assert choose_stream(cam, 800) == "main"
    assert choose_stream(cam, 1920) == "main"
    assert stream_url(cam, "sub").endswith("/sub.mjpg")
    assert stream_url(cam, "main").endswith("/main.mjpg")


def test_choose_stream_hysteresis() -> None:
    """Once playing, a tile only switches when it is clearly past the threshold."""
    cam = _camera()
    assert choose_stream(cam, 820, current="sub") == "sub"
    assert choose_stream(cam, 870, current="sub") == "main"
    assert choose_stream(cam, 780, current="main") == "main"
    assert choose_stream(cam, 730, current="main") == "sub"
    # wobbling around the threshold never flips
    kind = choose_stream(cam, 790)
    for width in (790, 810, 795, 805, 800, 799) * 3:
        kind = choose_stream(cam, width, current=kind)
        assert kind == "sub"


def test_camera_without_distinct_sub_stream_plays_main() -> None:
    """No sub stream (or the same URL) → main, whatever the size."""
    assert choose_stream(_camera(sub=""), 320) == "main"
    assert choose_stream(_camera(sub="http://h/streams/CAM-0001/main.mjpg"), 320) == "main"
