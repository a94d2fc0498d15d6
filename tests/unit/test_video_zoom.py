"""Digital zoom arithmetic: the point under the cursor stays put, the view never leaves the picture."""

from __future__ import annotations

import pytest

from commandwall.video.zoom import MAX_ZOOM, DigitalZoom


def test_zoom_keeps_the_point_under_the_cursor() -> None:
    """Zooming 2× at the top-left quarter point shows the picture's top-left quarter … centre region."""
    zoom = DigitalZoom()
    zoom.zoom_at(0.25, 0.25, 2.0)
    assert zoom.zoom == 2.0 and (zoom.cx, zoom.cy) == (0.375, 0.375)
    x, y, w, h = zoom.source_rect(640, 360)
    assert (x, y, w, h) == (80.0, 45.0, 320.0, 180.0)
    assert x + 0.25 * w == pytest.approx(0.25 * 640)  # the cursor's picture point is where it was


def test_limits_and_pan_clamped_to_the_picture() -> None:
    """1× … 8×; a pan stops at the edge; zooming out to 1× shows everything again."""
    zoom = DigitalZoom()
    zoom.zoom_at(0.5, 0.5, 0.5)
    assert not zoom.active and zoom.zoom == 1.0
    for _ in range(20):
        zoom.zoom_at(1.0, 1.0, 1.25)
    assert zoom.zoom == MAX_ZOOM
    x, y, w, h = zoom.source_rect(800, 400)
    assert x + w == pytest.approx(800) and y + h == pytest.approx(400)  # zoomed at the corner: the corner
    zoom.pan(-10.0, -10.0)  # far past the edge
    assert zoom.source_rect(800, 400)[:2] == pytest.approx((700.0, 350.0))
    zoom.pan(10.0, 10.0)
    assert zoom.source_rect(800, 400)[:2] == pytest.approx((0.0, 0.0))
    zoom.zoom_at(0.3, 0.7, 1 / 100)
    assert zoom.source_rect(800, 400) == (0.0, 0.0, 800.0, 400.0)
    zoom.zoom_at(0.5, 0.5, 3)
    zoom.reset()
    assert (zoom.zoom, zoom.cx, zoom.cy) == (1.0, 0.5, 0.5)
