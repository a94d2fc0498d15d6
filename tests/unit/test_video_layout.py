"""Wall layouts and main/sub stream choice by tile width."""

from __future__ import annotations

import pytest

from commandwall.domain.models import Camera, StreamUrls
from commandwall.video.layout import (
    LAYOUTS,
    SUB_STREAM_MAX_WIDTH_PX,
    WallLayout,
    choose_stream,
    stream_url,
)


def _camera(sub: str = "http://h/streams/CAM-0001/sub.mjpg") -> Camera:
    return Camera(id="CAM-0001", name="临城街道·光明大道与泰山路口", lon=117.26, lat=34.79,
                  streams=StreamUrls(main="http://h/streams/CAM-0001/main.mjpg", sub=sub))  # fmt: skip


@pytest.mark.parametrize(("tiles", "side"), [(1, 1), (4, 2), (9, 3), (16, 4), (25, 5), (36, 6)])
def test_square_layouts(tiles: int, side: int) -> None:
    """1/4/9/16/25/36 tiles are square grids numbered row by row."""
    layout = WallLayout.for_tiles(tiles)
    assert (layout.rows, layout.cols, layout.tiles) == (side, side, tiles)
    assert layout.cell(0) == (0, 0)
    assert layout.cell(tiles - 1) == (side - 1, side - 1)
    assert layout.big_tiles == ()
    with pytest.raises(IndexError):
        layout.cell(tiles)


@pytest.mark.parametrize("tiles", [0, 2, 6, 49, -4])
def test_other_tile_counts_are_refused(tiles: int) -> None:
    """Only the square grids are offered by count."""
    with pytest.raises(ValueError, match="1, 4, 9, 16, 25 or 36"):
        WallLayout.for_tiles(tiles)


@pytest.mark.parametrize(("key", "tiles", "side", "big"), [
    ("1+5", 6, 3, [(0, 0, 2, 2)]),
    ("1+7", 8, 4, [(0, 0, 3, 3)]),
    ("2+8", 10, 4, [(0, 0, 2, 2), (0, 2, 2, 2)]),
    ("1+12", 13, 4, [(1, 1, 2, 2)]),
])  # fmt: skip
def test_big_tile_layouts(key: str, tiles: int, side: int, big: list[tuple[int, int, int, int]]) -> None:
    """Big tiles come first, then the small ones row by row; together they cover the grid exactly once."""
    layout = WallLayout.named(key)
    assert (layout.tiles, layout.rows, layout.cols, layout.title) == (tiles, side, side, f"{key}画面")
    assert [(r.row, r.col, r.rows, r.cols) for r in layout.rects[: len(big)]] == big
    assert layout.big_tiles == tuple(range(len(big)))
    small = [(r.row, r.col) for r in layout.rects[len(big):]]
    assert small == sorted(small) and all(r.rows == r.cols == 1 for r in layout.rects[len(big):])


@pytest.mark.parametrize("key", list(LAYOUTS))
def test_every_layout_covers_its_grid_once(key: str) -> None:
    """No overlap, no hole."""
    layout = LAYOUTS[key]
    cells = [(r.row + dr, r.col + dc) for r in layout.rects for dr in range(r.rows) for dc in range(r.cols)]
    assert sorted(cells) == [(r, c) for r in range(layout.rows) for c in range(layout.cols)]
    assert WallLayout.named(key) is layout


@pytest.mark.parametrize("key", ["6", "1+4", "", "36 ", "x" * 100])
def test_unknown_layout_names_are_refused(key: str) -> None:
    """A layout name from a file that the wall does not offer: a readable error naming the offered ones."""
    if key.strip() in LAYOUTS:
        assert WallLayout.named(key).key == key.strip()
        return
    with pytest.raises(ValueError, match=r"无此画面布局.*1\+5"):
        WallLayout.named(key)


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
