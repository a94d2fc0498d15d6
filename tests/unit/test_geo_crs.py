"""CRS normalisation: GCJ-02/BD-09 against published values and round trips, Gauss-Krüger against geodesy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from commandwall.geo.crs import (
    SUPPORTED_CRS,
    UnsupportedCRS,
    bd09_to_gcj02,
    bd09_to_wgs84,
    canonical_crs,
    convert_point,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    normalize_geometry,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

GEOD = Geod(ellps="WGS84")

# Mainland China, kept clear of the algorithm's out-of-China box edges.
china_lon = st.floats(min_value=75.0, max_value=134.0)
china_lat = st.floats(min_value=18.0, max_value=53.0)
district_lon = st.floats(min_value=117.15, max_value=117.48)
district_lat = st.floats(min_value=34.63, max_value=34.94)


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance between two WGS84 points."""
    return float(GEOD.inv(float(lon1), float(lat1), float(lon2), float(lat2))[2])


# Published test vectors of the widely used coordtransform library (wandergis/coordtransform README).
def test_wgs84_to_gcj02_matches_published_vector() -> None:
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert float(lon) == pytest.approx(116.41024449916938, abs=1e-9)
    assert float(lat) == pytest.approx(39.91640428150164, abs=1e-9)


def test_gcj02_to_bd09_and_wgs84_to_bd09_match_published_vectors() -> None:
    lon, lat = gcj02_to_bd09(116.404, 39.915)
    assert (float(lon), float(lat)) == pytest.approx((116.41036949371029, 39.92133699351021), abs=1e-9)
    lon, lat = wgs84_to_bd09(116.404, 39.915)
    assert (float(lon), float(lat)) == pytest.approx((116.41662724378733, 39.922699552216216), abs=1e-9)


def test_iterative_inverses_agree_with_published_one_step_inverses_to_centimetres() -> None:
    # The library's inverses are single-step approximations; ours iterate, so they differ, but only by cm.
    lon, lat = gcj02_to_wgs84(116.404, 39.915)
    assert metres(lon, lat, 116.39775550083061, 39.91359571849836) < 0.5
    lon, lat = bd09_to_gcj02(116.404, 39.915)
    assert metres(lon, lat, 116.39762729119315, 39.90865673957631) < 0.5


@settings(max_examples=300, deadline=None)
@given(china_lon, china_lat)
def test_gcj02_round_trip_is_sub_centimetre(lon: float, lat: float) -> None:
    glon, glat = wgs84_to_gcj02(lon, lat)
    back = gcj02_to_wgs84(glon, glat)
    assert metres(lon, lat, *back) < 0.01


@settings(max_examples=300, deadline=None)
@given(china_lon, china_lat)
def test_bd09_round_trip_is_sub_centimetre(lon: float, lat: float) -> None:
    blon, blat = wgs84_to_bd09(lon, lat)
    back = bd09_to_wgs84(blon, blat)
    assert metres(lon, lat, *back) < 0.01


@settings(max_examples=200, deadline=None)
@given(district_lon, district_lat)
def test_gcj02_offset_in_the_district_is_a_few_hundred_metres(lon: float, lat: float) -> None:
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert 100.0 < metres(lon, lat, glon, glat) < 700.0
    blon, blat = wgs84_to_bd09(lon, lat)
    assert metres(lon, lat, blon, blat) > metres(lon, lat, glon, glat)  # BD-09 adds a further offset


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(116.391, 39.907), (121.474, 31.230), (113.264, 23.129), (104.066, 30.572), (117.323, 34.810)],
)
def test_gcj02_offset_in_major_cities_is_100_to_700_m(lon: float, lat: float) -> None:
    assert 100.0 < metres(lon, lat, *wgs84_to_gcj02(lon, lat)) < 700.0


@pytest.mark.parametrize(
    ("lon", "lat"), [(2.3522, 48.8566), (-74.006, 40.7128), (139.69, 35.69), (151.2, -33.9)]
)
def test_points_outside_china_are_unchanged(lon: float, lat: float) -> None:
    for forward, inverse in ((wgs84_to_gcj02, gcj02_to_wgs84), (wgs84_to_bd09, bd09_to_wgs84)):
        assert tuple(map(float, forward(lon, lat))) == (lon, lat)
        assert tuple(map(float, inverse(lon, lat))) == (lon, lat)


def test_vectorised_conversion_keeps_shape_and_matches_scalars() -> None:
    lons = np.array([[117.2, 117.3], [117.4, 2.0]])
    lats = np.array([[34.7, 34.8], [34.9, 48.0]])
    glon, _ = wgs84_to_gcj02(lons, lats)
    assert glon.shape == (2, 2)
    assert float(glon[0, 1]) == float(wgs84_to_gcj02(117.3, 34.8)[0])
    assert float(glon[1, 1]) == 2.0


def test_gauss_kruger_cm117_northing_is_the_meridian_arc() -> None:
    # On the central meridian a GK projection (scale 1) has x = 500 000 m and y = the meridian arc length,
    # which pyproj.Geod computes by a different route (geodesic on the ellipsoid, not the projection).
    x, y = from_wgs84(117.0, 34.8, "EPSG:4548")
    arc = metres(117.0, 0.0, 117.0, 34.8)
    assert float(x) == pytest.approx(500_000.0, abs=1e-3)
    assert float(y) == pytest.approx(arc, abs=0.01)
    zx, zy = from_wgs84(117.0, 34.8, "EPSG:4527")
    assert float(zx) == pytest.approx(39_500_000.0, abs=1e-3)
    assert float(zy) == pytest.approx(float(y), abs=1e-6)


def test_gauss_kruger_east_of_cm_grows_with_distance() -> None:
    # 0.4° east of CM 117 at 34.8°N: easting offset ≈ the geodesic distance along the parallel (GK distortion
    # there is ~1e-4), and points west of the meridian get x < 500 000.
    x, _ = from_wgs84(117.4, 34.8, "EPSG:4548")
    assert float(x) - 500_000.0 == pytest.approx(metres(117.0, 34.8, 117.4, 34.8), rel=5e-4)
    xw, _ = from_wgs84(116.8, 34.8, "EPSG:4548")
    assert float(xw) < 500_000.0


def test_zone_39_is_cm117_with_the_zone_prefix() -> None:
    x, y = convert_point(523_456.78, 3_851_234.56, "EPSG:4548", "EPSG:4527")
    assert (x, y) == pytest.approx((39_523_456.78, 3_851_234.56), abs=1e-4)


@settings(max_examples=100, deadline=None)
@given(district_lon, district_lat, st.sampled_from(SUPPORTED_CRS))
def test_every_crs_round_trips_through_wgs84(lon: float, lat: float, crs: str) -> None:
    x, y = from_wgs84([lon], [lat], crs)
    back_lon, back_lat = to_wgs84(x, y, crs)
    assert metres(lon, lat, back_lon[0], back_lat[0]) < 0.01


def test_cgcs2000_geographic_equals_wgs84_at_metre_level() -> None:
    lon, lat = to_wgs84([117.3], [34.8], "EPSG:4490")
    assert metres(117.3, 34.8, lon[0], lat[0]) < 1.0


def test_convert_point_between_obfuscated_and_projected() -> None:
    bx, by = convert_point(117.3, 34.8, "EPSG:4326", "BD-09")
    x, y = convert_point(bx, by, "BD-09", "EPSG:4548")
    ex, ey = from_wgs84(117.3, 34.8, "EPSG:4548")
    assert (x, y) == pytest.approx((float(ex), float(ey)), abs=0.01)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("epsg:4548", "EPSG:4548"),
        ("gcj02", "GCJ-02"),
        ("bd09ll", "BD-09"),
        ("WGS84", "EPSG:4326"),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326"),
        ("urn:ogc:def:crs:EPSG::4490", "EPSG:4490"),
        ("http://www.opengis.net/def/crs/EPSG/0/4527", "EPSG:4527"),
    ],
)
def test_canonical_crs_aliases(name: str, expected: str) -> None:
    assert canonical_crs(name) == expected


@pytest.mark.parametrize("name", ["EPSG:3395", "EPSG:99999", "mars", "", None])
def test_unknown_crs_is_refused(name: object) -> None:
    with pytest.raises(UnsupportedCRS):
        canonical_crs(name)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="CRS"):
        to_wgs84([1.0], [2.0], name)  # type: ignore[arg-type]


def test_normalize_geometry_polygon_keeps_structure_and_z() -> None:
    x, y = from_wgs84([117.3, 117.31, 117.31, 117.3], [34.8, 34.8, 34.81, 34.8], "EPSG:4548")
    ring = [[float(a), float(b), 42.0] for a, b in zip(x, y, strict=True)]
    geom = {"type": "Polygon", "coordinates": [ring]}
    out = normalize_geometry(geom, "EPSG:4548")
    assert out["type"] == "Polygon"
    assert len(out["coordinates"]) == 1 and len(out["coordinates"][0]) == 4
    first = out["coordinates"][0][0]
    assert first[:2] == pytest.approx([117.3, 34.8], abs=1e-8)
    assert first[2] == 42.0
    assert geom["coordinates"][0][0][0] == float(x[0])  # the input is not modified


def test_normalize_geometry_collection_and_multipoint() -> None:
    glon, glat = wgs84_to_gcj02(117.3, 34.8)
    geom = {
        "type": "GeometryCollection",
        "geometries": [
            {"type": "Point", "coordinates": [float(glon), float(glat)]},
            {"type": "MultiPoint", "coordinates": [[float(glon), float(glat)]]},
        ],
    }
    out = normalize_geometry(geom, "GCJ-02")
    assert out["geometries"][0]["coordinates"] == pytest.approx([117.3, 34.8], abs=1e-8)
    assert out["geometries"][1]["coordinates"][0] == pytest.approx([117.3, 34.8], abs=1e-8)


@pytest.mark.parametrize(
    "geom",
    [
        {"type": "Point", "coordinates": ["117", 34.8]},
        {"type": "Point", "coordinates": [117.3]},
        {"type": "LineString", "coordinates": [117.3, 34.8]},
        {"type": "Hexagon", "coordinates": []},
        {"type": "Point", "coordinates": [float("nan"), 34.8]},
        "POINT (117 34)",
    ],
)
def test_malformed_geometry_raises_value_error(geom: object) -> None:
    with pytest.raises(ValueError):
        normalize_geometry(geom, "EPSG:4326")  # type: ignore[arg-type]


# --- fuzzing: whatever a layer file or the platform declares, the answer is a result or a ValueError ---------

#: JSON-ish values: what ``json.loads`` can give, plus huge integers and non-finite floats.
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=30,
)
geometry_types = st.sampled_from(
    ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"]
)
coordinate_numbers = st.integers(min_value=-(10**400), max_value=10**400) | st.floats()
#: Geometries that are often nearly right: a real type, positions nested 0–4 deep.
near_geometries = st.fixed_dictionaries(
    {
        "type": geometry_types | json_values,
        "coordinates": st.recursive(
            st.lists(coordinate_numbers | json_scalars, min_size=0, max_size=4),
            lambda inner: st.lists(inner, max_size=3),
            max_leaves=12,
        )
        | json_values,
    },
    optional={"geometries": st.lists(json_values, max_size=3)},
)
crs_texts = st.sampled_from([*SUPPORTED_CRS, "urn:ogc:def:crs:EPSG::4548", "gcj02", "EPSG:3857"]) | st.text(
    max_size=40
)


@settings(max_examples=300, deadline=None)
@given(crs=st.text(max_size=60) | json_values)
def test_canonical_crs_fuzz_gives_a_name_or_unsupported_crs(crs: object) -> None:
    try:
        name = canonical_crs(crs)  # type: ignore[arg-type]
    except UnsupportedCRS as exc:
        assert len(str(exc)) < 400  # a clear, bounded message, whatever the input
    else:
        assert name in SUPPORTED_CRS


@settings(max_examples=300, deadline=None)
@given(geometry=near_geometries | json_values, crs=crs_texts)
def test_normalize_geometry_fuzz_gives_a_geometry_or_value_error(geometry: object, crs: str) -> None:
    try:
        out = normalize_geometry(geometry, crs)  # type: ignore[arg-type]
    except ValueError:
        return
    assert out["type"] == geometry["type"]  # type: ignore[index]


def test_nested_geometry_collections_are_refused_not_recursed() -> None:
    geom: dict = {"type": "Point", "coordinates": [117.3, 34.8]}
    for _ in range(5000):
        geom = {"type": "GeometryCollection", "geometries": [geom]}
    with pytest.raises(ValueError, match="nested more than"):
        normalize_geometry(geom, "EPSG:4326")
    deep: list = [117.3, 34.8]
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ValueError, match="bad position"):
        normalize_geometry({"type": "Point", "coordinates": deep}, "EPSG:4326")


@settings(max_examples=200, deadline=None)
@given(x=coordinate_numbers, y=coordinate_numbers, src=crs_texts, dst=crs_texts)
def test_convert_point_fuzz_gives_finite_numbers_or_value_error(x: float, y: float, src: str, dst: str) -> None:
    try:
        ox, oy = convert_point(x, y, src, dst)
    except ValueError:
        return
    assert np.isfinite(ox) and np.isfinite(oy)


@pytest.mark.parametrize("name", ["CGCS2000", "cgcs2000", " CGCS2000 "])
def test_a_layer_declaring_cgcs2000_by_name_is_read_as_geographic_degrees(name: str) -> None:
    """Chinese data often names its CRS "CGCS2000": the geographic one (EPSG:4490, degrees, within a metre of
    WGS 84), not one of its projected zones (metres) — read so, every feature would land far outside China."""
    assert canonical_crs(name) == "EPSG:4490"
    lon, lat = to_wgs84([117.3], [34.8], name)
    assert metres(117.3, 34.8, lon[0], lat[0]) < 1.0
