"""Cameras picked on the map by a drawn rectangle, circle or polygon, without Qt.

The page sends the drawn shape as data; :func:`area_of` makes it a WGS84 polygon (a circle as a geodesic
64-gon from pyproj) and :class:`CameraPicker` returns the cameras standing in it and those whose field of view
reaches into it (shapely, :meth:`commandwall.geo.index.CameraIndex.in_area`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import shapely
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
        if polygon.is_valid:
            return polygon
        # a bow-tie or a pinched outline: every part of it with an area (buffer(0) kept one half)
        parts = [p for p in shapely.get_parts(shapely.make_valid(polygon)) if p.geom_type == "Polygon"]
        if not parts:
            raise ValueError("the drawn polygon encloses no area")
        return shapely.MultiPolygon(parts)
    raise ValueError(f"unknown shape {kind!r}")


class CameraPicker:
    """Cameras in a drawn area, over the session's camera index (built once per connection, not per pick),
    each with its current status from ``current`` (the camera store)."""

    def __init__(self, index: Callable[[], CameraIndex | None],
                 current: Callable[[str], Camera | None] = lambda _id: None) -> None:
        self._index = index
        self._now = current

    @classmethod
    def of(cls, cameras: Sequence[Camera]) -> CameraPicker:
        """A picker over a fixed list of cameras (tools and tests without a session)."""
        index = CameraIndex(cameras)
        return cls(lambda: index)

    def pick(self, shape: Mapping[str, Any]) -> dict[str, Any]:
        """``{"inside": [...], "sees": [...]}`` — cameras in the drawn area and those whose field of view
        reaches into it, each ``{id, name, status, lon, lat}`` (names made safe to show)."""
        area = area_of(shape)
        index = self._index()
        inside, sees = index.in_area(area) if index is not None else ([], [])

        def item(indexed: Camera) -> dict[str, Any]:
            camera = self._now(indexed.id) or indexed
            return {"id": camera.id, "name": display_text(camera.name), "status": str(camera.status),
                    "lon": camera.lon, "lat": camera.lat}

        return {"inside": [item(c) for c in inside], "sees": [item(c) for c in sees]}
