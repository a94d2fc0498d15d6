"""Cameras picked on the map by a drawn rectangle, circle or polygon, without Qt.

The page sends the drawn shape as data; :func:`area_of` makes it a WGS84 polygon (a circle as a geodesic
64-gon from pyproj) and :class:`CameraPicker` returns the cameras standing in it and those whose field of view
reaches into it (shapely, :meth:`commandwall.geo.index.CameraIndex.in_area`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from pyproj import Geod
from shapely.geometry import Polygon, box

from commandwall.domain.models import Camera
from commandwall.geo.index import CameraIndex
from commandwall.textsafe import display_text

_GEOD = Geod(ellps="GRS80")
MAX_POINTS = 500
MAX_RADIUS_M = 50_000.0


def _lonlat(point: Any) -> tuple[float, float]:
    lon, lat = float(point[0]), float(point[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError("a point is outside WGS84 lon/lat")
    return lon, lat


def area_of(shape: Mapping[str, Any]) -> Polygon:
    """The drawn shape as a lon/lat polygon: ``{"type": "rectangle", "points": [[lon, lat], [lon, lat]]}``
    (two corners), ``{"type": "circle", "center": [lon, lat], "radius_m": r}`` or ``{"type": "polygon",
    "points": [[lon, lat], ...]}`` (3 or more). ``ValueError`` for anything else."""
    kind = shape.get("type")
    if kind == "rectangle":
        (w, s), (e, n) = (_lonlat(p) for p in shape["points"][:2])
        return box(min(w, e), min(s, n), max(w, e), max(s, n))
    if kind == "circle":
        lon, lat = _lonlat(shape["center"])
        radius = float(shape["radius_m"])
        if not 0 < radius <= MAX_RADIUS_M:
            raise ValueError("a circle's radius must be 0 to 50 km")
        azimuths = np.linspace(0, 360, 64, endpoint=False)
        lons, lats, _ = _GEOD.fwd(np.full(64, lon), np.full(64, lat), azimuths, np.full(64, radius))
        return Polygon(list(zip(lons.tolist(), lats.tolist(), strict=True)))
    if kind == "polygon":
        points = [_lonlat(p) for p in shape["points"][:MAX_POINTS]]
        if len(points) < 3:
            raise ValueError("a polygon needs 3 points or more")
        polygon = Polygon(points)
        return polygon if polygon.is_valid else polygon.buffer(0)
    raise ValueError(f"unknown shape {kind!r}")


class CameraPicker:
    """Cameras in a drawn area; the camera index is made again only when the cameras change."""

    def __init__(self, cameras: Callable[[], Sequence[Camera]]) -> None:
        self._cameras = cameras
        self._index: CameraIndex | None = None

    def _current(self) -> CameraIndex:
        cameras = self._cameras()
        index = self._index
        if index is None or len(index.cameras) != len(cameras) or any(
                a is not b for a, b in zip(index.cameras, cameras, strict=True)):
            index = self._index = CameraIndex(cameras)
        return index

    def pick(self, shape: Mapping[str, Any]) -> dict[str, Any]:
        """``{"inside": [...], "sees": [...]}`` — cameras in the drawn area and those whose field of view
        reaches into it, each ``{id, name, status, lon, lat}`` (names made safe to show)."""
        inside, sees = self._current().in_area(area_of(shape))

        def item(camera: Camera) -> dict[str, Any]:
            return {"id": camera.id, "name": display_text(camera.name), "status": str(camera.status),
                    "lon": camera.lon, "lat": camera.lat}

        return {"inside": [item(c) for c in inside], "sees": [item(c) for c in sees]}
