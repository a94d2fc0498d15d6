"""The map's search box and its measuring tool, without Qt.

:class:`MapSearch` finds cameras (name or id), towns and streets (镇街), grid cells (网格, id or name),
incidents (id or title) and units (name or id) for a typed text; :func:`measure` gives the geodesic length
of a line and the area of a polygon (pyproj's ``Geod`` on the CGCS2000/GRS80 ellipsoid).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import shapely
from pyproj import Geod
from shapely.geometry import shape

from commandwall.domain.models import Camera, Incident, Unit
from commandwall.textsafe import display_text

#: Kinds of search result, in the order they are listed.
KINDS = ("camera", "incident", "town", "grid", "unit")
_GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid; WGS84's differs by 0.1 mm in the semi-minor axis
MAX_QUERY_CHARS = 60
MAX_MEASURE_POINTS = 500


@dataclass(frozen=True)
class SearchHit:
    """One result: what it is, its id, the label shown (made safe), where to fly, and its extent if it is an
    area (``[[south, west], [north, east]]``)."""

    kind: str
    id: str  # what the page acts on (the raw id)
    label: str
    detail: str
    lon: float
    lat: float
    bounds: list[list[float]] | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for the page; ``id_text`` is the id as it may be shown (a layer file's grid id is
        outside text too)."""
        return {**asdict(self), "id_text": display_text(self.id, 64)}


@dataclass(frozen=True)
class _Area:
    kind: str
    id: str
    name: str
    detail: str
    lon: float
    lat: float
    bounds: list[list[float]]


def _areas(features: Iterable[Mapping[str, Any]], kind: str, id_key: str) -> list[_Area]:
    out = []
    for feature in features:
        props = feature.get("properties") or {}
        try:
            geom = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        if geom.is_empty:
            continue
        west, south, east, north = geom.bounds
        point = geom.representative_point()
        name = str(props.get("name") or props.get(id_key) or "")
        detail = str(props.get("town") or props.get("type") or "")
        out.append(_Area(kind, str(props.get(id_key) or name), name, detail, point.x, point.y,
                         [[south, west], [north, east]]))
    return out


class MapSearch:
    """Search over the desk's cameras, incidents and units (read when searching) and the towns and grids."""

    def __init__(self, cameras: Callable[[], Sequence[Camera]], incidents: Callable[[], Sequence[Incident]],
                 units: Callable[[], Sequence[Unit]], towns: Iterable[Mapping[str, Any]] = (),
                 grids: Iterable[Mapping[str, Any]] = ()) -> None:
        self._cameras = cameras
        self._incidents = incidents
        self._units = units
        self._areas = _areas(towns, "town", "name") + _areas(grids, "grid", "id")

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Results for ``text`` (case-insensitive, any part of an id or name): exact ids first, then the
        names that start with it, then the rest; by kind in :data:`KINDS` order. Empty text finds nothing."""
        query = str(text).strip().lower()[:MAX_QUERY_CHARS]
        if not query:
            return []
        scored: list[tuple[int, int, str, SearchHit]] = []

        def consider(kind: str, oid: str, name: str, detail: str, lon: float, lat: float,
                     bounds: list[list[float]] | None = None) -> None:
            lid, lname = oid.lower(), name.lower()
            if lid == query:
                rank = 0
            elif lname.startswith(query) or lid.startswith(query):
                rank = 1
            elif query in lname or query in lid:
                rank = 2
            else:
                return
            hit = SearchHit(kind, oid, display_text(name or oid), display_text(detail), lon, lat, bounds)
            scored.append((rank, KINDS.index(kind), name, hit))

        for c in self._cameras():
            consider("camera", c.id, c.name, c.town, c.lon, c.lat)
        for i in self._incidents():
            consider("incident", i.id, i.title, i.town, i.lon, i.lat)
        for a in self._areas:
            consider(a.kind, a.id, a.name, a.detail, a.lon, a.lat, a.bounds)
        for u in self._units():
            consider("unit", u.id, u.name, u.department, u.lon, u.lat)
        scored.sort(key=lambda item: item[:3])
        return [hit for *_, hit in scored[:limit]]


def measure(kind: str, points: Sequence[Sequence[float]]) -> dict[str, float]:
    """Geodesic ``length_m`` of a line (``kind`` "line"), or ``area_m2`` and ``perimeter_m`` of the polygon
    closed by the points (``kind`` "area"); points are [lon, lat] in degrees. ``ValueError`` on bad input."""
    if kind not in ("line", "area"):
        raise ValueError(f"unknown measure {kind!r}")
    if not 0 < len(points) <= MAX_MEASURE_POINTS:
        raise ValueError("a measure takes 1 to 500 points")
    lons, lats = [], []
    for point in points:
        lon, lat = float(point[0]), float(point[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError("a point is outside WGS84 lon/lat")
        lons.append(lon)
        lats.append(lat)
    if kind == "line":
        return {"length_m": float(_GEOD.line_length(lons, lats)) if len(lons) > 1 else 0.0}
    if len(lons) < 3:
        return {"area_m2": 0.0, "perimeter_m": float(_GEOD.line_length(lons, lats)) * 2 if len(lons) > 1 else 0.0}
    area, perimeter = _GEOD.polygon_area_perimeter(lons, lats)
    outline = shapely.Polygon(list(zip(lons, lats, strict=True)))
    if not outline.is_valid:  # an outline that crosses itself (a bow tie): the signed area of its lobes cancelled
        # out (0 m²); its area is that of the parts it encloses, each measured on the ellipsoid
        parts = [p for p in shapely.get_parts(shapely.make_valid(outline)) if p.geom_type == "Polygon"]
        area = sum(abs(float(_GEOD.geometry_area_perimeter(part)[0])) for part in parts)
    return {"area_m2": abs(float(area)), "perimeter_m": float(perimeter)}
