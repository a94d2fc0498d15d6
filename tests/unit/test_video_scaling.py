"""The size a picture is scaled to for its tile: the largest of its aspect in the tile's box, with even sides
(swscale converts rows of an odd width on its slow path, about three times the CPU; OpenCV's 4:2:0 conversion
takes even sides only)."""

from __future__ import annotations

import av
import numpy as np
import pytest

from commandwall.video.capture import BgrxScaler, fit_size, frame_to_bgr, opencv_convertible, to_display
from commandwall.video.yuv import YuvScaler


def test_scaled_pictures_have_even_sides_and_fit_their_box() -> None:
    assert fit_size(640, 360, (957, 537)) == (954, 536)  # a 4-tile wall's box on a 1920×1080 screen
    assert fit_size(640, 360, (477, 300)) == (476, 268)
    for box_w in range(40, 1921, 7):
        for box_h in range(30, 1081, 11):
            width, height = fit_size(640, 360, (box_w, box_h))
            assert width % 2 == 0 and height % 2 == 0 and width <= box_w and height <= box_h
            assert abs(width / height - 640 / 360) < 2.5 / height  # the aspect, within the pixel rounded off
    assert fit_size(1920, 1080, (1, 1)) == (2, 2)  # never empty


def test_an_opencv_picture_is_scaled_to_even_sides() -> None:
    picture = np.zeros((360, 640, 3), np.uint8)
    assert to_display(picture, (957, 537)).shape == (536, 954, 4)


def camera_frame(width: int = 640, height: int = 360, seed: int = 1) -> av.VideoFrame:
    """A 4:2:0 picture as a camera sends it (limited range, no colour matrix stated): smooth colours with edges."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 255 // width, y * 255 // height, (x + y) % 256], axis=-1).astype(np.uint8)
    for _ in range(12):  # boxes of one colour: edges for the scaling to keep
        x0, y0 = int(rng.integers(0, width - 40)), int(rng.integers(0, height - 40))
        rgb[y0 : y0 + 40, x0 : x0 + 60] = rng.integers(0, 256, 3)
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")


def swscale_bgrx(frame: av.VideoFrame, size: tuple[int, int]) -> np.ndarray:
    """The same picture through swscale's area scaling (what the scaler is measured against)."""
    return frame.reformat(width=size[0], height=size[1], format="bgra", interpolation="AREA").to_ndarray()


@pytest.mark.parametrize("size", [(476, 268), (316, 178), (954, 536), (640, 360), (160, 90)])
def test_camera_pictures_scale_through_opencv_as_swscale_would(size: tuple[int, int]) -> None:
    """A 16-, 36- and 4-tile box, the stream's own size and a thumbnail: within three grey levels of swscale on
    average, opaque, and written into the array given (a ring slot) when one is."""
    frame = camera_frame()
    assert opencv_convertible(frame)
    scaler = BgrxScaler(use_libyuv=False)  # libyuv's trimmed ratios: tests/unit/test_yuv_scale.py
    image = scaler.scale(frame, size)
    assert image.shape == (size[1], size[0], 4) and image.dtype == np.uint8
    assert (image[..., 3] == 255).all()
    assert np.abs(image[..., :3].astype(int) - swscale_bgrx(frame, size)[..., :3].astype(int)).mean() < 3.0
    out = np.zeros_like(image)
    assert scaler.scale(frame, size, out) is out and np.array_equal(out, image)
    moved = scaler.scale(camera_frame(seed=2), size)
    assert np.abs(moved.astype(int) - image.astype(int)).mean() > 5, "a new picture, not the last one kept"


def test_a_destination_of_another_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="destination"):
        BgrxScaler().scale(camera_frame(), (476, 268), np.zeros((268, 476, 3), np.uint8))


def test_fine_detail_is_averaged_when_shrunk_below_half_not_aliased() -> None:
    """One-pixel stripes shrunk to 0.49 (a 36-tile box): area averaging makes them an even grey; bilinear alone
    would pick rows of one colour and show coarse stripes (moiré)."""
    rgb = np.zeros((360, 640, 3), np.uint8)
    rgb[::2] = 255
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    image = BgrxScaler().scale(frame, (316, 178))
    rows = image[2:-2, 2:-2, 1].astype(int).mean(axis=1)
    assert rows.min() > 100 and rows.max() < 160, (rows.min(), rows.max())


@pytest.mark.parametrize("kind", ["bt709", "full range", "odd size", "4:2:2"])
def test_pictures_opencv_would_convert_differently_go_through_swscale(kind: str) -> None:
    """HD streams flagged BT.709, MJPEG's full range, odd sizes and other chroma layouts: swscale's own result."""
    frame = camera_frame(642, 362) if kind != "odd size" else camera_frame(641, 361)
    if kind == "bt709":
        frame.colorspace = 1
    elif kind == "full range":
        frame.color_range = 2
    elif kind == "4:2:2":
        frame = frame.reformat(format="yuv422p")
    assert not opencv_convertible(frame)
    size = (476, 268)
    # not array_equal: swscale itself now and then gives one pixel at the edge of such a picture another value
    # (the same call twice); a BT.709 picture through OpenCV's BT.601 would be 5 levels off on average
    difference = np.abs(BgrxScaler().scale(frame, size).astype(int) - swscale_bgrx(frame, size).astype(int))
    assert difference.mean() < 0.2


def test_a_full_picture_for_a_snapshot_matches_swscale() -> None:
    frame = camera_frame()
    full = frame_to_bgr(frame)
    assert full.shape == (360, 640, 3)
    assert np.abs(full.astype(int) - frame.to_ndarray(format="bgr24").astype(int)).mean() < 2.0


def test_a_picture_stored_bottom_up_is_scaled_the_right_way_up() -> None:
    """A filter such as vflip hands out planes with negative strides: swscale scales them (the OpenCV and libyuv
    paths take top-down planes only; the plane arrays could not even be made)."""
    from fractions import Fraction

    from av.filter import Graph

    source = camera_frame()
    source.pts, source.time_base = 0, Fraction(1, 25)
    np.frombuffer(source.planes[0], np.uint8).reshape(-1, source.planes[0].line_size)[:10] = 235  # a white top
    graph = Graph()
    head = graph.add_buffer(width=640, height=360, format="yuv420p", time_base=Fraction(1, 25))
    flip, sink = graph.add("vflip"), graph.add("buffersink")
    head.link_to(flip)
    flip.link_to(sink)
    graph.configure()
    graph.push(source)
    flipped = graph.pull()
    assert any(plane.line_size < 0 for plane in flipped.planes)
    assert not opencv_convertible(flipped)
    assert YuvScaler().scale(flipped, (476, 268), None) is None  # nor libyuv's, asked directly
    image = BgrxScaler().scale(flipped, (476, 268))
    assert image[-3:, :, :3].mean() > 200 and image[:3, :, :3].mean() < 200, "the white rows at the bottom now"
