"""The size a picture is scaled to for its tile: the largest of its aspect in the tile's box, with an even width
(swscale converts rows of an odd width on its slow path, about three times the CPU)."""

from __future__ import annotations

import numpy as np

from commandwall.video.capture import fit_size, to_display


def test_scaled_pictures_have_an_even_width_and_fit_their_box() -> None:
    assert fit_size(640, 360, (957, 537)) == (954, 537)  # a 4-tile wall's box on a 1920×1080 screen
    assert fit_size(640, 360, (477, 300)) == (476, 268)
    for box_w in range(40, 1921, 7):
        for box_h in range(30, 1081, 11):
            width, height = fit_size(640, 360, (box_w, box_h))
            assert width % 2 == 0 and width <= box_w and height <= box_h
            assert abs(width / height - 640 / 360) < 2.5 / height  # the aspect, within the pixel rounded off
    assert fit_size(1920, 1080, (1, 1)) == (2, 2)  # never empty


def test_an_opencv_picture_is_scaled_to_an_even_width() -> None:
    picture = np.zeros((360, 640, 3), np.uint8)
    assert to_display(picture, (957, 537)).shape == (537, 954, 4)
