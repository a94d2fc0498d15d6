"""Per-feature checking of a fetched GeoJSON feature list: keep what is usable, say why the rest is not.

Unlike :func:`commandwall.geo.layers.normalize_features` (a manifest layer is all or nothing), an outside
source (a GeoJSON URL, an OGC API or WFS service) is drawn with its good features and a list of the bad ones,
each with its reason, so one broken record does not hide a layer of thousands.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from commandwall.geo.crs import canonical_crs, geometry_positions, short_repr, transform_geometries
from commandwall.geo.layers import CHINA_BOUNDS

#: How many bad features a report lists one by one (the rest are counted).
MAX_LISTED_BAD = 50
#: Why a feature with a ``NaN`` or infinite coordinate is left out.
NON_FINITE_REASON = "a coordinate is not a finite number (NaN or Infinity)"


@dataclass
class CheckedFeatures:
    """Usable features in WGS84, and ``(index, reason)`` for each one left out; ``non_finite`` of those for a
    ``NaN`` or infinite coordinate."""

    features: list[dict[str, Any]] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)
    non_finite: int = 0

    def geometry_types(self) -> dict[str, int]:
        """Geometry type → how many usable features have it."""
        counts: dict[str, int] = {}
        for feature in self.features:
            gtype = feature["geometry"]["type"]
            counts[gtype] = counts.get(gtype, 0) + 1
        return counts

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(min_lon, min_lat, max_lon, max_lat) of the usable features, or None when there are none."""
        xs: list[float] = []
        ys: list[float] = []
        for feature in self.features:
            for pos in geometry_positions(feature["geometry"]):
                xs.append(pos[0])
                ys.append(pos[1])
        return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def _swap_axes(geometry: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``geometry`` with every position's first two numbers exchanged (lat,lon → lon,lat)."""
    if geometry.get("type") == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [_swap_axes(g) for g in geometry["geometries"]]}

    def swap(coords: Any) -> Any:
        if coords and not isinstance(coords[0], list | tuple):
            return [coords[1], coords[0], *coords[2:]]
        return [swap(c) for c in coords]

    return {"type": geometry["type"], "coordinates": swap(geometry["coordinates"])}


def check_features(
    raw: Any,
    crs: str,
    *,
    swap_axes: bool = False,
    bounds: tuple[float, float, float, float] | None = CHINA_BOUNDS,
    finite_check: bool = False,
) -> CheckedFeatures:
    """Validate and convert ``raw`` features from ``crs`` to WGS84, one verdict per feature.

    A feature is left out (with its reason) when it is not a GeoJSON Feature, has no geometry, has malformed
    coordinates, or lands outside ``bounds`` (default: China) once converted — the usual sign of a wrong CRS.
    ``swap_axes`` reads each position as (northing/lat, easting/lon) first. ``finite_check`` (the document held
    ``NaN`` or ``Infinity``): a feature with such a coordinate is left out and counted (:data:`NON_FINITE_REASON`,
    ``non_finite``), such a property value becomes ``None``, as GDAL reads them. Raises ``ValueError`` only when
    ``raw`` is not a list or the CRS is unknown (the whole layer is unusable then).
    """
    name = canonical_crs(crs)
    if not isinstance(raw, list):
        raise ValueError(f"features is not a list but {type(raw).__name__}")
    result = CheckedFeatures()
    candidates: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for i, feature in enumerate(raw):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            result.bad.append((i, "not a GeoJSON Feature"))
            continue
        props = feature.get("properties")
        if props is not None and not isinstance(props, dict):
            result.bad.append((i, "properties is not an object"))
            continue
        geometry = feature.get("geometry")
        if geometry is None:
            result.bad.append((i, "no geometry"))
            continue
        try:
            positions = geometry_positions(geometry, "geometry")
            if not positions:
                result.bad.append((i, "empty geometry"))
                continue
            degenerate = _degenerate(geometry)
            if degenerate is not None:
                result.bad.append((i, degenerate))
                continue
            if finite_check and not all(math.isfinite(v) for position in positions for v in position):
                result.bad.append((i, NON_FINITE_REASON))
                result.non_finite += 1
                continue
            if swap_axes:
                geometry = _swap_axes(geometry)
        except (ValueError, TypeError, IndexError, RecursionError) as exc:
            result.bad.append((i, str(exc) if isinstance(exc, ValueError) else f"malformed geometry ({exc})"))
            continue
        candidates.append((i, feature, geometry))
    converted = _convert_each(candidates, name, result)
    for (i, feature, _), geometry in zip(candidates, converted, strict=True):
        if geometry is None:
            continue
        if bounds is not None:
            outside = _first_outside(geometry, bounds)
            if outside is not None:
                result.bad.append((i, f"({_number(outside[0])}, {_number(outside[1])}) lies outside China after "
                                      f"conversion from {name}: wrong CRS or axis order?"))
                continue
        properties = feature.get("properties") or {}
        new: dict[str, Any] = {"type": "Feature", "geometry": geometry,
                               "properties": _finite_values(properties) if finite_check else dict(properties)}
        if "id" in feature and isinstance(feature["id"], str | int) and not isinstance(feature["id"], bool):
            new["id"] = feature["id"]
        result.features.append(new)
    result.bad.sort()
    return result


def _number(value: float) -> str:
    """A coordinate for a reason: five decimals, or in short scientific form when huge (1e308 was 309 digits)."""
    return f"{value:.5f}" if abs(value) < 1e9 else f"{value:.6g}"


def _degenerate(geometry: Any) -> str | None:
    """Why a geometry of well-formed positions still draws nothing — a line of fewer than two positions, or of two
    or more all at one point (no length), a polygon ring of fewer than three distinct ones (it encloses nothing) —
    or None. Rings need not be closed (Leaflet closes them; many files leave them open)."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            problem = _degenerate(part)
            if problem is not None:
                return problem
        return None
    lines = [coordinates] if kind == "LineString" else coordinates if kind == "MultiLineString" else []
    for line in lines or []:
        if len(line) < 2:
            return "a line of fewer than 2 positions"
        first = list(line[0][:2])
        if all(list(position[:2]) == first for position in line):  # every position the same: no length to draw
            return "a line of fewer than 2 distinct positions"
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    for polygon in polygons or []:
        for ring in polygon:
            if len({tuple(position[:2]) for position in ring}) < 3:
                return "a polygon ring of fewer than 3 distinct positions"
    return None


def _finite_values(value: Any) -> Any:
    """``value`` (a property value, object or list) with every ``NaN`` or infinite number made ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite_values(v) for v in value]
    return value


def _convert_each(
    candidates: Sequence[tuple[int, dict[str, Any], dict[str, Any]]], crs: str, result: CheckedFeatures
) -> list[dict[str, Any] | None]:
    """Convert all candidates in one batch; if that fails, one by one to find the culprits."""
    geometries = [g for _, _, g in candidates]
    try:
        return transform_geometries(geometries, crs)
    except ValueError:
        pass
    out: list[dict[str, Any] | None] = []
    for i, _, geometry in candidates:
        try:
            out.append(transform_geometries([geometry], crs)[0])
        except ValueError as exc:
            result.bad.append((i, str(exc).replace("feature 0: ", "")))
            out.append(None)
    return out


def _first_outside(geometry: dict[str, Any], bounds: tuple[float, float, float, float]) -> tuple[float, float] | None:
    positions = np.asarray([p[:2] for p in geometry_positions(geometry)], dtype=float)
    if positions.size == 0:
        return None
    min_x, min_y, max_x, max_y = bounds
    bad = (positions[:, 0] < min_x) | (positions[:, 0] > max_x) | (positions[:, 1] < min_y) | (positions[:, 1] > max_y)
    if not bad.any():
        return None
    x, y = positions[int(np.argmax(bad))]
    return float(x), float(y)


def describe_bad(bad: Sequence[tuple[int, str]], limit: int = MAX_LISTED_BAD) -> list[str]:
    """Report lines ``feature 12: reason`` for the first ``limit`` bad features, then a count of the rest."""
    lines = [f"feature {i}: {short_repr(reason) if len(reason) > 300 else reason}" for i, reason in bad[:limit]]
    if len(bad) > limit:
        lines.append(f"… and {len(bad) - limit} more bad feature(s)")
    return lines
