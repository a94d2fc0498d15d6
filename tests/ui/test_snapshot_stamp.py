"""The line burned into a snapshot (抓拍): the camera id and the time are always whole on the picture."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from PySide6.QtGui import QFont, QFontMetricsF

from commandwall.localtime import CHINA_STANDARD_TIME
from commandwall.ui.wall.snapshot import burned_in_image, stamp_layout
from tests.ui.test_wall import to_array

WHEN = datetime(2026, 12, 2, 3, 4, 5, tzinfo=CHINA_STANDARD_TIME)
TIME = "2026-12-02 03:04:05"
SIZES = [(320, 180), (480, 270), (640, 360), (720, 576), (1280, 720), (1920, 1080), (3840, 2160)]
NAMES = [
    "临城街道·光明大道与华山路口西",
    "W" * 48,  # the tester's: 48 characters push the id off a 640 px picture
    "临城街道光明大道华山路口西北角" * 3,  # 45 CJK characters: off a 1080p one
    "名" * 200,
]
IDS = ["CAM-0047", "34020000001320000001", "I" * 63 + "…", "W" * 63 + "…"]  # 64: the most a tile passes


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("camera_id", IDS)
def test_the_id_and_the_time_are_always_whole_in_the_line(qapp, width: int, height: int, name: str,
                                                          camera_id: str) -> None:  # fmt: skip
    """At any width from 320 px, the line fits its box inside the picture with the time whole, and the id whole
    unless it is too long for the line by itself; the name is kept whole or elided with … (at least the … is left),
    never cut silently."""
    stamp = stamp_layout(width, height, name, camera_id, WHEN, QFont())
    metrics = QFontMetricsF(stamp.font)
    assert stamp.box.left() > 0 and stamp.box.left() + stamp.box.width() < width
    assert stamp.band.bottom() == height - 1 and stamp.box.bottom() == height - 1
    assert metrics.horizontalAdvance(stamp.text) <= stamp.box.width(), stamp.text
    assert stamp.text.endswith(f"）  {TIME}")
    shown_name, _, rest = stamp.text.partition("（")
    shown_id = rest.removesuffix(f"）  {TIME}")
    # whole, or cut with … (down to … alone): a name never vanishes from the line without a sign
    assert shown_name == name or (shown_name.endswith("…") and name.startswith(shown_name[:-1])), shown_name
    if camera_id in IDS[:2]:  # ids of real platforms: whole, at the usual size
        assert shown_id == camera_id
        assert stamp.font.pixelSize() == max(10, int(max(18, height // 18) * 0.62))
    else:  # the longest id a tile passes: smaller text where it does not fit, at 8 px the id's middle elided
        assert stamp.font.pixelSize() >= 8
        assert shown_id == camera_id or stamp.font.pixelSize() == 8
        head, _, tail = shown_id[:-1].partition("…")
        assert camera_id.startswith(head) and camera_id[:-1].endswith(tail)


def test_a_name_that_fits_is_not_touched(qapp) -> None:
    stamp = stamp_layout(640, 360, "常庄街道·常庄路", "CAM-0681", WHEN, QFont())
    assert stamp.text == f"常庄街道·常庄路（CAM-0681）  {TIME}"


def test_a_camera_without_a_name_gets_no_ellipsis(qapp) -> None:
    """… stands for a name cut: a camera with no name shows none, also with the longest id."""
    for camera_id in ("CAM-0681", IDS[3]):
        stamp = stamp_layout(1920, 1080, "", camera_id, WHEN, QFont())
        assert stamp.text.startswith("（") and stamp.text.endswith(f"）  {TIME}"), stamp.text


def ink_columns(picture: np.ndarray, top: int) -> np.ndarray:
    """Columns of the band (rows from ``top``) holding white text pixels."""
    return np.flatnonzero((picture[top:] > 200).all(axis=2).any(axis=0))


@pytest.mark.parametrize(("width", "height"), [(320, 180), (640, 360), (1920, 1080)])
@pytest.mark.parametrize("name", NAMES[1:])
def test_the_end_of_the_line_is_drawn_on_the_picture(qapp, width: int, height: int, name: str) -> None:
    """The burned-in pixels: the text starts at the box's left and its last glyph (the time's last digit) is drawn
    where the laid-out line ends, inside the picture, not clipped at the box."""
    picture = to_array(burned_in_image(np.zeros((height, width, 3), np.uint8), name, "CAM-0047", WHEN, QFont()))
    stamp = stamp_layout(width, height, name, "CAM-0047", WHEN, QFont())
    metrics = QFontMetricsF(stamp.font)
    # where the last digit's ink ends: the end of the laid-out line less the digit's own right bearing
    end = stamp.box.left() + metrics.horizontalAdvance(stamp.text) - metrics.rightBearing(stamp.text[-1])
    ink = ink_columns(picture, stamp.band.top())
    assert ink.size and abs(ink[0] - stamp.box.left()) <= 3
    assert abs(ink[-1] + 1 - end) <= 2, (ink[-1], end)
    assert ink[-1] < stamp.box.right() < width
    assert (picture[: stamp.band.top()] == 0).all(), "nothing drawn above the band"
