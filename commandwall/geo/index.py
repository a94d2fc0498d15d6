"""Spatial look-ups over WGS84 data with shapely's STRtree.

- :class:`CameraIndex`: the k nearest cameras to a point (distances in metres on the WGS84 ellipsoid), and
  the cameras whose field-of-view sector (heading, fov, range_m) covers a point;
- :class:`AreaIndex`: which polygon (town 镇街, grid cell 网格) contains a point.

Search geometry is built in a local equirectangular plane (metres) centred on the indexed data, which is
accurate to well under 1 % over a district; reported distances come from :class:`pyproj.Geod`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import Point, Polygon, shape

from commandwall.domain.models import Camera

_GEOD = Geod(ellps="WGS84")
_EARTH_RADIUS_M = 6371008.8
_ARC_STEP_DEG = 5.0


class LocalPlane:
    """Equirectangular projection to metres around (lon0, lat0); good to <1 % within ~50 km."""

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0 = lon0
        self.lat0 = lat0
        self._kx = math.radians(1.0) * _EARTH_RADIUS_M * math.cos(math.radians(lat0))
        self._ky = math.radians(1.0) * _EARTH_RADIUS_M

    def to_xy(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        """WGS84 degrees → local metres (scalars or numpy arrays)."""
        return (np.asarray(lon) - self.lon0) * self._kx, (np.asarray(lat) - self.lat0) * self._ky


def fov_sector(x: float, y: float, heading: float, fov: float, range_m: float) -> Polygon:
    """Field-of-view sector in a metric plane: apex (x, y), centred on ``heading`` (° clockwise from north).

    A ``fov`` of 360° or more gives a disc; a ``range_m`` of zero or less gives an empty polygon.
    """
    if range_m <= 0 or fov <= 0:
        return Polygon()
    if fov >= 360:
        return Point(x, y).buffer(range_m, quad_segs=18)
    steps = max(2, math.ceil(fov / _ARC_STEP_DEG))
    angles = np.radians(heading - fov / 2 + np.arange(steps + 1) * (fov / steps))
    arc = np.column_stack([x + range_m * np.sin(angles), y + range_m * np.cos(angles)])
    return Polygon([(x, y), *map(tuple, arc)])


class CameraIndex:
    """Nearest-camera and field-of-view queries over a fixed list of cameras."""

    def __init__(self, cameras: Sequence[Camera]) -> None:
        self.cameras: list[Camera] = list(cameras)
        if self.cameras:
            lon0 = float(np.mean([c.lon for c in self.cameras]))
            lat0 = float(np.mean([c.lat for c in self.cameras]))
        else:
            lon0, lat0 = 117.3, 34.8
        self.plane = LocalPlane(lon0, lat0)
        xs, ys = self.plane.to_xy([c.lon for c in self.cameras], [c.lat for c in self.cameras])
        self._points = shapely.points(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
        self._sectors = [
            fov_sector(float(x), float(y), c.heading, c.fov, c.range_m)
            for c, x, y in zip(self.cameras, np.atleast_1d(xs), np.atleast_1d(ys), strict=True)
        ]
        self._point_tree = shapely.STRtree(self._points)
        self._sector_tree = shapely.STRtree(self._sectors)
        self._max_reach = max((c.range_m for c in self.cameras), default=0.0)

    def __len__(self) -> int:
        return len(self.cameras)

    def _distances(self, lon: float, lat: float, idx: np.ndarray) -> np.ndarray:
        if len(idx) == 0:
            return np.zeros(0)
        lons = np.array([self.cameras[i].lon for i in idx])
        lats = np.array([self.cameras[i].lat for i in idx])
        _, _, dist = _GEOD.inv(np.full(len(idx), lon), np.full(len(idx), lat), lons, lats)
        return np.asarray(dist, dtype=float)

    def nearest(
        self, lon: float, lat: float, k: int = 5, *, max_distance_m: float | None = None
    ) -> list[tuple[Camera, float]]:
        """The ``k`` cameras nearest to (lon, lat), closest first, with their distance in metres.

        With ``max_distance_m`` only cameras within that distance are returned.
        """
        if k <= 0 or not self.cameras:
            return []
        k = min(k, len(self.cameras))
        x, y = self.plane.to_xy(lon, lat)
        here = Point(float(x), float(y))
        # Grow a search radius until it holds k cameras whose true distance is safely inside it.
        nearest_idx = self._point_tree.query_nearest(here)
        radius = max(50.0, 2.0 * float(shapely.distance(here, self._points[nearest_idx[0]])))
        if max_distance_m is not None:
            radius = min(radius, max_distance_m * 1.02 + 1.0)
        while True:
            idx = self._point_tree.query(here, predicate="dwithin", distance=radius)
            dist = self._distances(lon, lat, idx)
            order = np.argsort(dist, kind="stable")
            enough = len(idx) >= k and dist[order[k - 1]] <= radius * 0.98
            capped = max_distance_m is not None and radius >= max_distance_m * 1.02 + 1.0
            if enough or capped or len(idx) == len(self.cameras):
                break
            radius *= 2.0
            if max_distance_m is not None:
                radius = min(radius, max_distance_m * 1.02 + 1.0)
        result = [(self.cameras[int(idx[i])], float(dist[i])) for i in order[:k]]
        if max_distance_m is not None:
            result = [(cam, d) for cam, d in result if d <= max_distance_m]
        return result

    def covering(self, lon: float, lat: float) -> list[Camera]:
        """Cameras whose field-of-view sector contains (lon, lat), nearest first."""
        if not self.cameras:
            return []
        x, y = self.plane.to_xy(lon, lat)
        idx = self._sector_tree.query(Point(float(x), float(y)), predicate="intersects")
        if len(idx) == 0:
            return []
        dist = self._distances(lon, lat, idx)
        return [self.cameras[int(idx[i])] for i in np.argsort(dist, kind="stable")]

    def for_point(self, lon: float, lat: float, k: int, *, max_distance_m: float | None = None,
                  usable: Callable[[Camera], Camera | None] = lambda camera: camera) -> list[Camera]:
        """Up to ``k`` cameras for a spot (周边视频, alarm linkage): those whose field of view covers it, nearest
        first, then the nearest others (within ``max_distance_m`` when given); each camera once, and only what
        ``usable`` returns for it (the camera as known now, or None to leave it out)."""
        if k <= 0:
            return []
        nearby = [camera for camera, _metres in self.nearest(lon, lat, k=k * 4, max_distance_m=max_distance_m)]
        found: list[Camera] = []
        seen: set[str] = set()
        for camera in [*self.covering(lon, lat), *nearby]:
            if camera.id in seen:
                continue
            seen.add(camera.id)
            current = usable(camera)
            if current is not None:
                found.append(current)
                if len(found) == k:
                    break
        return found

    def in_area(self, area: Polygon) -> tuple[list[Camera], list[Camera]]:
        """The cameras standing in ``area`` (a polygon in WGS84 lon/lat, holes allowed), and the other cameras
        whose field-of-view sector reaches into it; each list in the index's order."""
        if not self.cameras or area.is_empty:
            return [], []

        def local(coords: np.ndarray) -> np.ndarray:
            xs, ys = self.plane.to_xy(coords[:, 0], coords[:, 1])
            return np.column_stack([xs, ys])

        plane_area = shapely.transform(area, local)  # any polygonal geometry: a MultiPolygon too
        inside = np.sort(self._point_tree.query(plane_area, predicate="intersects")).tolist()
        standing = set(inside)
        sees = [i for i in np.sort(self._sector_tree.query(plane_area, predicate="intersects")).tolist()
                if i not in standing]
        return [self.cameras[i] for i in inside], [self.cameras[i] for i in sees]


class AreaIndex:
    """Point → containing polygon (grid cell 网格, town 镇街) over GeoJSON features in WGS84.

    ``key`` names the property that identifies a feature (``"name"`` for towns, ``"id"`` for grids).
    A point on a shared border belongs to the feature listed first.
    """

    def __init__(self, features: Sequence[dict[str, Any]], key: str = "name") -> None:
        self.key = key
        self._props: list[dict[str, Any]] = []
        geoms = []
        for feature in features:
            geom = feature.get("geometry")
            if not geom or geom.get("type") not in ("Polygon", "MultiPolygon"):
                continue
            poly = shape(geom)
            if not poly.is_valid:
                poly = shapely.make_valid(poly)
            geoms.append(poly)
            self._props.append(dict(feature.get("properties") or {}))
        self._geoms = np.array(geoms, dtype=object)
        self._tree = shapely.STRtree(self._geoms)
        self._by_key = {p.get(key): p for p in reversed(self._props) if p.get(key) is not None}

    def __len__(self) -> int:
        return len(self._props)

    def locate(self, lon: float, lat: float) -> dict[str, Any] | None:
        """Properties of the feature containing (lon, lat) (border included), or None."""
        idx = self._tree.query(Point(lon, lat), predicate="intersects")
        if len(idx) == 0:
            return None
        return dict(self._props[int(np.min(idx))])

    def key_at(self, lon: float, lat: float) -> Any | None:
        """The ``key`` property of the feature containing (lon, lat), or None."""
        props = self.locate(lon, lat)
        return None if props is None else props.get(self.key)

    def keys_at(self, lons: Sequence[float], lats: Sequence[float]) -> list[Any | None]:
        """:meth:`key_at` of many points in one query of the tree (a burst's incidents at once)."""
        if len(lons) == 0:
            return []
        inputs, found = self._tree.query(shapely.points(np.asarray(lons, float), np.asarray(lats, float)),
                                         predicate="intersects")
        first: dict[int, int] = {}
        for point, feature in zip(inputs.tolist(), found.tolist(), strict=True):
            if feature < first.get(point, len(self._props)):  # the feature listed first wins, as in locate
                first[point] = feature
        return [self._props[first[i]].get(self.key) if i in first else None for i in range(len(lons))]

    def get(self, key_value: Any) -> dict[str, Any] | None:
        """Properties of the feature whose ``key`` equals ``key_value``, or None."""
        props = self._by_key.get(key_value)
        return None if props is None else dict(props)
