"""The wall's pictures scaled by libyuv's exact ratios (3/4, 1/2, the picture itself …) and trimmed to the tile:
which boxes take that path, that the picture is the same one (centred, as sharp as the OpenCV path's), and that
every other box, or a desk without libyuv, still gets its picture."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from commandwall.video import yuv
from commandwall.video.capture import BgrxScaler, i420_planes
from commandwall.video.yuv import YuvScaler, trimmed_scale

CLIPS = Path(__file__).resolve().parents[2] / "resources" / "clips"


def clip_frames(name: str, count: int) -> list[av.VideoFrame]:
    """The first ``count`` pictures of one of the exercise's camera clips (real H.264, as a camera sends it)."""
    frames = []
    with av.open(str(CLIPS / name)) as container:
        for frame in container.decode(video=0):
            frames.append(frame)
            if len(frames) == count:
                break
    return frames


def reference(frame: av.VideoFrame, scaled: tuple[int, int], box: tuple[int, int], left: int, top: int) -> np.ndarray:
    """The picture converted at full size, area-averaged to ``scaled`` and cut to ``box`` at (left, top): what
    a scaler that trims should show."""
    y, u, v = i420_planes(frame)
    i420 = np.concatenate([y.reshape(-1), u.reshape(-1), v.reshape(-1)]).reshape(-1, frame.width)
    full = cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420)
    whole = cv2.resize(full, scaled, interpolation=cv2.INTER_AREA) if scaled != full.shape[1::-1] else full
    return whole[top : top + box[1], left : left + box[0]]


def psnr(image: np.ndarray, expected: np.ndarray) -> float:
    error = np.mean((image[..., :3].astype(np.float64) - expected.astype(np.float64)) ** 2)
    return float(10 * np.log10(255**2 / max(error, 1e-9)))


def test_libyuv_is_there() -> None:
    """The wall's cheap path needs libyuv (scripts/system-deps.sh installs libyuv0; the package carries it)."""
    assert yuv.libyuv() is not None


@pytest.mark.parametrize(("source", "box", "scaled"), [
    ((640, 360), (476, 268), (480, 270)),    # 16 tiles, a full-screen wall on 1080p
    ((640, 360), (468, 262), (480, 270)),    # 16 tiles under the wall's tool bar: 2.5 % and 3.0 % trimmed
    ((640, 360), (636, 356), (640, 360)),    # 9 tiles: the picture itself
    ((640, 360), (316, 178), (320, 180)),    # 36 tiles
    ((1280, 720), (956, 536), (960, 540)),   # 4 tiles of a main stream
    ((1280, 720), (476, 268), None),         # 3/8 of a main stream: libyuv's 3/8 filter is coarser than OpenCV's
    ((1920, 1080), (476, 268), (480, 270)),  # a quarter
    ((640, 360), (160, 90), (160, 90)),      # a quarter, nothing trimmed
    ((640, 360), (380, 214), None),          # 25 tiles: no fast ratio near 0.6
    ((640, 360), (464, 262), None),          # 3.3 % of the width: too much of the picture lost
    ((640, 360), (480, 258), None),          # 4.4 % of the rows of 3/4, far below the picture itself
    ((640, 360), (1916, 1076), None),        # enlarging is never trimmed
    ((640, 362), (316, 178), None),          # 1/2 of 362 is 181 rows, whose chroma (90.5) is not exact
    ((704, 576), (328, 268), None),          # a 4:3 D1 camera in a 16:9 tile
    ((640, 360), (0, 0), None),
])  # fmt: skip
def test_which_boxes_take_a_fast_ratio(source: tuple[int, int], box: tuple[int, int],
                                       scaled: tuple[int, int] | None) -> None:  # fmt: skip
    assert trimmed_scale(source, box) == scaled


@pytest.mark.parametrize(("clip", "box"), [
    ("h264-sub.ts", (476, 268)), ("h264-sub.ts", (468, 262)), ("h264-sub.ts", (636, 356)),
    ("h264-sub.ts", (316, 178)), ("h264-main.ts", (956, 536)),
])  # fmt: skip
def test_the_picture_is_scaled_trimmed_at_its_centre_and_kept_sharp(clip: str, box: tuple[int, int]) -> None:
    """Against the picture area-averaged and cut at its centre: as near as the OpenCV path is to the whole picture
    area-averaged into the box, and far nearer than to a cut at the corner (the trim is centred, not a shift)."""
    scaled = trimmed_scale((640, 360) if clip == "h264-sub.ts" else (1280, 720), box)
    assert scaled is not None
    left, top = (scaled[0] - box[0]) // 2 & ~1, (scaled[1] - box[1]) // 2 & ~1
    fast, opencv = YuvScaler(), BgrxScaler(use_libyuv=False)
    for frame in clip_frames(clip, 30)[::10]:
        image = fast.scale(frame, box, None)
        assert image is not None and image.shape == (box[1], box[0], 4) and (image[..., 3] == 255).all()
        centred = psnr(image, reference(frame, scaled, box, left, top))
        cornered = psnr(image, reference(frame, scaled, box, 0, 0))
        through_opencv = psnr(opencv.scale(frame, box), reference(frame, box, box, 0, 0))
        assert centred > 35 and centred > through_opencv - 1.0, (centred, through_opencv)
        if scaled != box:
            assert centred > cornered + 5, (centred, cornered)


def test_the_wall_scaler_writes_the_fast_picture_into_its_ring_slot() -> None:
    """A slot of the decoder process's ring: the picture goes into the array given, rows at its stride, and the
    next picture is the next one (the buffer kept between pictures is not shown twice)."""
    first, later = clip_frames("h264-sub.ts", 50)[::49]
    ring = np.zeros((268, 476 + 24, 4), np.uint8)  # a row stride longer than the picture's
    slot = ring[:, 12 : 12 + 476]
    scaler = BgrxScaler()
    assert scaler.scale(first, (476, 268), slot) is slot
    assert (ring[:, :12] == 0).all() and (ring[:, 12 + 476 :] == 0).all(), "written outside the slot"
    expected = YuvScaler().scale(first, (476, 268), None)
    assert np.array_equal(slot, expected)
    moved = scaler.scale(later, (476, 268))
    assert np.abs(moved.astype(int) - expected.astype(int)).mean() > 1, "a new picture, not the last one kept"


def test_other_boxes_go_through_opencv_unchanged() -> None:
    """A 25-tile box has no fast ratio: the same picture as the OpenCV path, to the byte."""
    frame = clip_frames("h264-sub.ts", 1)[0]
    assert YuvScaler().scale(frame, (380, 214), None) is None
    assert np.array_equal(BgrxScaler().scale(frame, (380, 214)), BgrxScaler(use_libyuv=False).scale(frame, (380, 214)))


def test_a_destination_of_another_shape_is_refused() -> None:
    frame = clip_frames("h264-sub.ts", 1)[0]
    with pytest.raises(ValueError, match="destination"):
        YuvScaler().scale(frame, (476, 268), np.zeros((268, 476, 3), np.uint8))
    with pytest.raises(ValueError, match="destination"):
        YuvScaler().scale(frame, (476, 268), np.zeros((268, 476, 4), np.uint8)[:, ::-1])
    read_only = np.zeros((268, 476, 4), np.uint8)
    read_only.flags.writeable = False  # a client's view of a ring slot: never written through a raw pointer
    with pytest.raises(ValueError, match="destination"):
        YuvScaler().scale(frame, (476, 268), read_only)
    assert not read_only.any()


def test_pictures_not_4_2_0_are_left_to_the_caller() -> None:
    """The colour conversion is I420's: a 4:4:4, 4:2:2, full-range or 10-bit picture is not scaled here."""
    frame = clip_frames("h264-sub.ts", 1)[0]
    for pixel_format in ("yuv444p", "yuv422p", "yuvj420p", "yuv420p10le", "nv12"):
        assert YuvScaler().scale(frame.reformat(format=pixel_format), (476, 268), None) is None, pixel_format


def test_a_desk_can_turn_libyuv_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """COMMANDWALL_LIBYUV=0: pictures scaled by OpenCV (for measuring, or a desk whose libyuv misbehaves)."""
    monkeypatch.setattr(yuv, "_LIBYUV", False)
    monkeypatch.setenv("COMMANDWALL_LIBYUV", "0")
    frame = clip_frames("h264-sub.ts", 1)[0]
    off = YuvScaler()
    assert not off.available and off.scale(frame, (476, 268), None) is None
    monkeypatch.setattr(yuv, "_LIBYUV", False)
    monkeypatch.delenv("COMMANDWALL_LIBYUV")
    assert YuvScaler().scale(frame, (476, 268), None) is not None
