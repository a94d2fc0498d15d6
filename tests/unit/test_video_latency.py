"""What the tile's latency figures mean: first paint of each picture, means of the last pictures."""

from __future__ import annotations

import numpy as np
import pytest

from commandwall.video.latency import DisplayLatency
from commandwall.video.reader import Frame

IMAGE = np.zeros((2, 2, 3), np.uint8)


def test_each_picture_counts_once_at_its_first_paint() -> None:
    latency = DisplayLatency(samples=3)
    assert latency.decode_to_paint_ms is None and latency.receive_to_paint_ms is None
    first = Frame(IMAGE, 1, captured_at=10.000, received_at=9.990, camera_time=1000.000)
    latency.painted(first, 10.020, wall_clock=1000.100)
    latency.painted(first, 10.500, wall_clock=1000.600)  # painted again (a resize): not a new sample
    assert latency.decode_to_paint_ms == pytest.approx(20)
    assert latency.receive_to_paint_ms == pytest.approx(30)
    assert latency.camera_to_paint_ms == pytest.approx(100)
    for seq in range(2, 6):  # the mean of the last three
        latency.painted(Frame(IMAGE, seq, captured_at=20.0), 20.010)
    assert latency.decode_to_paint_ms == pytest.approx(10)
    assert latency.receive_to_paint_ms == pytest.approx(30), "pictures without an arrival time add nothing"
    latency.reset()
    assert latency.decode_to_paint_ms is None and latency.camera_to_paint_ms is None
