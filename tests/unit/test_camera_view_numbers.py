"""A camera's view — heading, field of view, range — as the platform states it, made usable: a heading of 1e20
froze the map page (its view cone never ended), a range of 1e39 became infinity in the page's float32 column."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from commandwall.domain.models import MAX_CAMERA_RANGE_M, Camera

BASE = {"id": "CAM-0001", "name": "临城街道·光明大道", "lon": 117.26, "lat": 34.79,
        "streams": {"main": "rtsp://127.0.0.1/main", "sub": "rtsp://127.0.0.1/sub"}}  # fmt: skip


@pytest.mark.parametrize(("heading", "expected"), [(0, 0), (359.5, 359.5), (360, 0), (-90, 270), (725, 5),
                                                   (1e20, 1e20 % 360), (-1e300, -1e300 % 360)])  # fmt: skip
def test_a_heading_is_turned_into_a_bearing(heading: float, expected: float) -> None:
    camera = Camera.model_validate({**BASE, "heading": heading})
    assert 0 <= camera.heading < 360 and math.isclose(camera.heading, expected, abs_tol=1e-9)


@pytest.mark.parametrize(("fov", "range_m", "expected"), [
    (60, 150, (60, 150)), (400, 1e39, (360, MAX_CAMERA_RANGE_M)), (-5, -10, (0, 0)), (360, 10_000, (360, 10_000)),
])  # fmt: skip
def test_field_of_view_and_range_are_clamped(fov: float, range_m: float, expected: tuple[float, float]) -> None:
    camera = Camera.model_validate({**BASE, "fov": fov, "range_m": range_m})
    assert (camera.fov, camera.range_m) == expected


@pytest.mark.parametrize("field", ["heading", "fov", "range_m"])
def test_a_view_number_that_is_no_number_is_refused(field: str) -> None:
    for bad in (math.nan, math.inf, "北"):
        with pytest.raises(ValidationError):
            Camera.model_validate({**BASE, field: bad})
