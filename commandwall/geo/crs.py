"""Coordinate reference systems used by Chinese map data, normalised to WGS84 lon/lat.

Supported (``SUPPORTED_CRS``):

- ``EPSG:4326`` WGS84 lon/lat and ``EPSG:4490`` CGCS2000 lon/lat (metre-level equal to WGS84);
- ``EPSG:4491``–``EPSG:4554`` every CGCS2000 Gauss-Krüger zone, 3° and 6°, with and without the zone prefix
  in the easting (e.g. ``EPSG:4548`` 3° CM 117°E, ``EPSG:4527`` 3° zone 39 with the ``39`` prefix);
- ``EPSG:3857`` Web Mercator (aliases ``EPSG:900913``, ``EPSG:102100``);
- ``GCJ-02`` the obfuscated "Mars" lon/lat of AMap/Tencent (public algorithm);
- ``BD-09`` Baidu's lon/lat, GCJ-02 with a further offset;
- ``BD09MC`` Baidu Mercator metres (:mod:`commandwall.geo.baidu`), BD-09 through Baidu's published polynomials.

pyproj does the EPSG ones (``always_xy=True``: x is always longitude/easting). GCJ-02 and BD-09 have no
closed-form inverse; :func:`gcj02_to_wgs84` and :func:`bd09_to_wgs84` iterate the forward formula until
the residual is below ~1e-9° (≈0.1 mm). Points outside China are not obfuscated (the public algorithm leaves
them unchanged), so both directions return them as they are.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from pyproj import Transformer

from commandwall.geo.baidu import bd09ll_to_bd09mc, bd09mc_to_bd09ll

#: CGCS2000 Gauss-Krüger zones: 4491–4501 6° with zone prefix, 4502–4512 6° without, 4513–4533 3° with zone
#: prefix, 4534–4554 3° without (the prefix is the zone number in front of the easting, e.g. ``39`` in zone 39).
GK_ZONES: tuple[str, ...] = tuple(f"EPSG:{code}" for code in range(4491, 4555))

#: The CRS names a layer may declare, in their canonical spelling.
SUPPORTED_CRS: tuple[str, ...] = (
    "EPSG:4326", "EPSG:4490", *GK_ZONES, "EPSG:3857", "GCJ-02", "BD-09", "BD09MC",
)
_SUPPORTED_SUMMARY = "EPSG:4326, EPSG:4490, EPSG:4491–4554 (CGCS2000 GK), EPSG:3857, GCJ-02, BD-09, BD09MC"

_ALIASES: dict[str, str] = {
    "WGS84": "EPSG:4326",
    "WGS-84": "EPSG:4326",
    "CRS84": "EPSG:4326",
    "OGC:CRS84": "EPSG:4326",
    "URN:OGC:DEF:CRS:OGC:1.3:CRS84": "EPSG:4326",
    "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84": "EPSG:4326",
    "CGCS2000": "EPSG:4490",
    "GCJ02": "GCJ-02",
    "GCJ-02": "GCJ-02",
    "BD09": "BD-09",
    "BD-09": "BD-09",
    "BD09LL": "BD-09",
    "BD-09LL": "BD-09",
    "BD09MC": "BD09MC",
    "BD-09MC": "BD09MC",
    "BAIDU MERCATOR": "BD09MC",
    "EPSG:900913": "EPSG:3857",
    "EPSG:3785": "EPSG:3857",
    "EPSG:102100": "EPSG:3857",
    "EPSG:102113": "EPSG:3857",
    "WEB MERCATOR": "EPSG:3857",
}

# GCJ-02 constants: the Krasovsky 1940 ellipsoid the public algorithm is written against.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
_BD_X_PI = math.pi * 3000.0 / 180.0

_INVERSE_TOLERANCE_DEG = 1e-10
_INVERSE_MAX_ITER = 30

#: How deep ``GeometryCollection``s may nest (GeoJSON advises against nesting them at all).
MAX_COLLECTION_DEPTH = 8

#: Short ``repr`` for error messages: bounded in length and nesting, whatever the input.
_SHORT = reprlib.Repr()
_SHORT.maxstring = 80
_SHORT.maxother = 80
_SHORT.maxlevel = 3


def short_repr(value: Any) -> str:
    """``repr`` of an outside value for an error message: at most 100 characters, 3 levels deep."""
    text = _SHORT.repr(value)
    return text if len(text) <= 100 else text[:97] + "..."


class UnsupportedCRS(ValueError):  # noqa: N818 (name fixed by the contract)
    """A CRS name that is not one of :data:`SUPPORTED_CRS` (or a known alias of one)."""


def canonical_crs(crs: str) -> str:
    """Canonical spelling of ``crs``: ``"epsg:4548"`` → ``"EPSG:4548"``, ``"gcj02"`` → ``"GCJ-02"``.

    Raises :class:`UnsupportedCRS` for anything else.
    """
    if not isinstance(crs, str) or not crs.strip():
        raise UnsupportedCRS(f"CRS must be a non-empty string, got {short_repr(crs)}")
    key = crs.strip().upper()
    if key.startswith("URN:OGC:DEF:CRS:EPSG::"):
        key = "EPSG:" + key.rsplit(":", 1)[1]
    elif key.startswith("HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/"):
        key = "EPSG:" + key.rsplit("/", 1)[1]
    key = _ALIASES.get(key, key)
    if key not in SUPPORTED_CRS:
        raise UnsupportedCRS(f"unsupported CRS {short_repr(crs)}; supported: {_SUPPORTED_SUMMARY}")
    return key


@lru_cache(maxsize=256)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


# --- GCJ-02 / BD-09 (vectorised over numpy arrays) ------------------------------------------------


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The public algorithm's rough China box; points outside it are not obfuscated."""
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _gcj_delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _GCJ_EE * np.sin(radlat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrt_magic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _as_arrays(lons: Any, lats: Any) -> tuple[np.ndarray, np.ndarray]:
    lon = np.asarray(lons, dtype=float)
    lat = np.asarray(lats, dtype=float)
    if lon.shape != lat.shape:
        raise ValueError(f"x and y differ in shape: {lon.shape} vs {lat.shape}")
    return lon, lat


def wgs84_to_gcj02(lons: Any, lats: Any) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 → GCJ-02 with the public forward algorithm (points outside China unchanged)."""
    lon, lat = _as_arrays(lons, lats)
    with np.errstate(all="ignore"):  # NaN/∞ in, NaN/∞ out: callers check the result is finite
        dlon, dlat = _gcj_delta(lon, lat)
    outside = _out_of_china(lon, lat)
    return np.where(outside, lon, lon + dlon), np.where(outside, lat, lat + dlat)


def gcj02_to_bd09(lons: Any, lats: Any) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → BD-09 (Baidu's public formula; applied everywhere, as Baidu does)."""
    x, y = _as_arrays(lons, lats)
    with np.errstate(all="ignore"):
        z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _BD_X_PI)
        theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_X_PI)
        return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_bd09(lons: Any, lats: Any) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 → BD-09 (via GCJ-02). Points outside China are returned unchanged."""
    lon, lat = _as_arrays(lons, lats)
    bx, by = gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    outside = _out_of_china(lon, lat)
    return np.where(outside, lon, bx), np.where(outside, lat, by)


def _invert(
    forward: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]], lons: Any, lats: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``forward(w) == target`` by fixed-point iteration (the Jacobian is ≈ identity)."""
    tx, ty = _as_arrays(lons, lats)
    wx, wy = tx.copy(), ty.copy()
    with np.errstate(all="ignore"):
        for _ in range(_INVERSE_MAX_ITER):
            fx, fy = forward(wx, wy)
            ex, ey = fx - tx, fy - ty
            wx, wy = wx - ex, wy - ey
            if not (
                np.any(np.abs(ex) > _INVERSE_TOLERANCE_DEG) or np.any(np.abs(ey) > _INVERSE_TOLERANCE_DEG)
            ):
                break
    return wx, wy


def gcj02_to_wgs84(lons: Any, lats: Any) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → WGS84 by iterating the forward algorithm (error ≪ 1 mm inside China)."""
    return _invert(wgs84_to_gcj02, lons, lats)


def bd09_to_gcj02(lons: Any, lats: Any) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → GCJ-02 by iterating :func:`gcj02_to_bd09` (the usual closed form is off by centimetres)."""
    return _invert(gcj02_to_bd09, lons, lats)


def bd09_to_wgs84(lons: Any, lats: Any) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 → WGS84 by iterating the forward chain WGS84 → GCJ-02 → BD-09."""
    return _invert(wgs84_to_bd09, lons, lats)


# --- generic entry points ----------------------------------------------------------------------------


def to_wgs84(xs: Any, ys: Any, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinates in ``crs`` to WGS84 ``(lons, lats)`` numpy arrays (same shape as the input).

    ``xs`` is longitude or easting, ``ys`` latitude or northing. Raises :class:`UnsupportedCRS`.
    """
    name = canonical_crs(crs)
    x, y = _as_arrays(xs, ys)
    if name == "EPSG:4326":
        return x.copy(), y.copy()
    if name == "GCJ-02":
        return gcj02_to_wgs84(x, y)
    if name == "BD-09":
        return bd09_to_wgs84(x, y)
    if name == "BD09MC":
        return bd09_to_wgs84(*bd09mc_to_bd09ll(x, y))
    lon, lat = _transformer(name, "EPSG:4326").transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def from_wgs84(lons: Any, lats: Any, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Transform WGS84 lon/lat to ``crs`` (x = longitude/easting). Raises :class:`UnsupportedCRS`."""
    name = canonical_crs(crs)
    lon, lat = _as_arrays(lons, lats)
    if name == "EPSG:4326":
        return lon.copy(), lat.copy()
    if name == "GCJ-02":
        return wgs84_to_gcj02(lon, lat)
    if name == "BD-09":
        return wgs84_to_bd09(lon, lat)
    if name == "BD09MC":
        return bd09ll_to_bd09mc(*wgs84_to_bd09(lon, lat))
    x, y = _transformer("EPSG:4326", name).transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def convert_point(x: float, y: float, from_crs: str, to_crs: str) -> tuple[float, float]:
    """Convert one point between two supported CRSs (via WGS84); used by ``commandwall geo convert``.

    Raises ``ValueError`` (:class:`UnsupportedCRS` for an unknown CRS) for coordinates that are not finite
    numbers or that the target CRS cannot represent.
    """
    try:
        fx, fy = float(x), float(y)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"coordinates must be numbers, got {short_repr(x)}, {short_repr(y)}") from exc
    if not (math.isfinite(fx) and math.isfinite(fy)):
        raise ValueError(f"coordinates must be finite numbers, got {fx}, {fy}")
    lon, lat = to_wgs84([fx], [fy], from_crs)
    ox, oy = from_wgs84(lon, lat, to_crs)
    out = float(ox[0]), float(oy[0])
    if not (math.isfinite(out[0]) and math.isfinite(out[1])):
        raise ValueError(f"({fx}, {fy}) in {from_crs} has no finite position in {to_crs}")
    return out


# --- GeoJSON geometries ----------------------------------------------------------------------------------

_POSITION_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


#: Positions made into an array by one ``np.fromiter`` call: it holds the interpreter lock throughout (a layer of
#: 540 000 positions held it, and the GUI thread, 190 ms per axis); in pieces other threads run in between.
AXIS_SLICE = 20000


def _axis(positions: list[Sequence[float]], axis: int) -> np.ndarray:
    """One coordinate of every position as a float array, made :data:`AXIS_SLICE` positions at a time."""
    out = np.empty(len(positions), dtype=float)
    for start in range(0, len(positions), AXIS_SLICE):
        part = positions[start : start + AXIS_SLICE]
        out[start : start + len(part)] = np.fromiter((p[axis] for p in part), dtype=float, count=len(part))
    return out


def _collect_positions(coords: Any, depth: int, out: list[Sequence[float]], where: str) -> None:
    if depth == 0:
        if (
            not isinstance(coords, list | tuple)
            or len(coords) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in coords)
        ):
            raise ValueError(f"{where}: bad position {short_repr(coords)}")
        out.append(coords)
        return
    if not isinstance(coords, list | tuple):
        raise ValueError(f"{where}: coordinates nesting is wrong")
    for item in coords:
        _collect_positions(item, depth - 1, out, where)


def _rebuild(coords: Any, depth: int, it: Any) -> list[Any]:
    if depth == 0:
        x, y = next(it)
        return [x, y, *list(coords[2:])]
    return [_rebuild(item, depth - 1, it) for item in coords]


def geometry_positions(
    geometry: dict[str, Any], where: str = "geometry", *, _nesting: int = 0
) -> list[Sequence[float]]:
    """All positions of a GeoJSON geometry, in order (checks the nesting and the numbers).

    Raises ``ValueError`` for anything that is not a well-formed geometry, including ``GeometryCollection``s
    nested deeper than :data:`MAX_COLLECTION_DEPTH`.
    """
    if not isinstance(geometry, dict):
        raise ValueError(f"{where}: geometry is not an object")
    gtype = geometry.get("type")
    out: list[Sequence[float]] = []
    if gtype == "GeometryCollection":
        if _nesting >= MAX_COLLECTION_DEPTH:
            raise ValueError(f"{where}: GeometryCollections nested more than {MAX_COLLECTION_DEPTH} deep")
        parts = geometry.get("geometries")
        if not isinstance(parts, list):
            raise ValueError(f"{where}: GeometryCollection without 'geometries'")
        for i, part in enumerate(parts):
            out.extend(geometry_positions(part, f"{where}.geometries[{i}]", _nesting=_nesting + 1))
        return out
    if not isinstance(gtype, str) or gtype not in _POSITION_DEPTH:
        raise ValueError(f"{where}: unknown geometry type {short_repr(gtype)}")
    _collect_positions(geometry.get("coordinates"), _POSITION_DEPTH[gtype], out, where)
    return out


def _replace_positions(geometry: dict[str, Any], it: Any) -> dict[str, Any]:
    gtype = geometry["type"]
    if gtype == "GeometryCollection":
        return {"type": gtype, "geometries": [_replace_positions(g, it) for g in geometry["geometries"]]}
    return {"type": gtype, "coordinates": _rebuild(geometry["coordinates"], _POSITION_DEPTH[gtype], it)}


def transform_geometries(
    geometries: Sequence[dict[str, Any] | None], crs: str, *, to_wgs: bool = True
) -> list[dict[str, Any] | None]:
    """Transform many GeoJSON geometries in one batch (``None`` stays ``None``).

    ``to_wgs=True`` converts from ``crs`` to WGS84, ``False`` from WGS84 to ``crs``. Raises ``ValueError``
    (or :class:`UnsupportedCRS`) on malformed geometry or an unknown CRS.
    """
    canonical_crs(crs)
    positions: list[Sequence[float]] = []
    counts: list[int] = []
    for i, geom in enumerate(geometries):
        if geom is None:
            counts.append(0)
            continue
        pts = geometry_positions(geom, f"feature {i}")
        positions.extend(pts)
        counts.append(len(pts))
    if positions:
        try:
            xs, ys = _axis(positions, 0), _axis(positions, 1)
        except OverflowError as exc:  # an integer too large for a float
            raise ValueError("coordinates contain a number too large for a float") from exc
        if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
            raise ValueError("coordinates contain NaN or infinity")
        ox, oy = to_wgs84(xs, ys, crs) if to_wgs else from_wgs84(xs, ys, crs)
        if not (np.all(np.isfinite(ox)) and np.all(np.isfinite(oy))):
            raise ValueError(f"coordinates have no finite position {'in WGS84' if to_wgs else 'in ' + crs}")
        pairs = list(zip(ox.tolist(), oy.tolist(), strict=True))
    else:
        pairs = []
    it = iter(pairs)
    return [None if geom is None else _replace_positions(geom, it) for geom in geometries]


def normalize_geometry(geometry: dict[str, Any], crs: str) -> dict[str, Any]:
    """Return a copy of a GeoJSON geometry with its coordinates converted from ``crs`` to WGS84."""
    if geometry is None:
        raise ValueError("geometry is null")
    result = transform_geometries([geometry], crs)[0]
    if result is None:  # pragma: no cover - only a null geometry gives None
        raise ValueError("geometry is null")
    return result
