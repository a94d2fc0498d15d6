"""Every CGCS2000 Gauss-Krüger zone, Web Mercator and Baidu Mercator; layers in them land on their WGS84 truth.

The layer files are written with coordinates made independently of the code under test: Gauss-Krüger and Web
Mercator from explicit PROJ strings (not the EPSG codes the loader uses), GCJ-02 and BD-09 with the public
forward formulas written out here, Baidu Mercator from Baidu's published reference point.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from pyproj import CRS, Geod, Transformer

from commandwall.geo.baidu import bd09ll_to_bd09mc, bd09mc_to_bd09ll
from commandwall.geo.crs import GK_ZONES, canonical_crs, from_wgs84, to_wgs84
from commandwall.geo.sources import LayerSourceSpec, load_source

GEOD = Geod(ellps="WGS84")
#: WGS84 truth: places in and around Xuecheng District (lon, lat).
TRUTH = [(117.2632, 34.7955), (117.3135, 34.7421), (117.1902, 34.6633), (117.4017, 34.8917), (117.2500, 34.7000)]


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def tmerc(lon_0: float, false_easting: float) -> str:
    return f"+proj=tmerc +lat_0=0 +lon_0={lon_0} +k=1 +x_0={false_easting} +y_0=0 +ellps=GRS80 +units=m +no_defs"


def gcj02(lon: float, lat: float) -> tuple[float, float]:
    """The public WGS84 → GCJ-02 formula, written out independently of commandwall.geo.crs."""
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * math.sqrt(magic)) * math.pi)
    dlon = (dlon * 180.0) / (a / math.sqrt(magic) * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


def bd09(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 → BD-09: GCJ-02, then Baidu's public formula."""
    x, y = gcj02(lon, lat)
    x_pi = math.pi * 3000.0 / 180.0
    z = math.sqrt(x * x + y * y) + 0.00002 * math.sin(y * x_pi)
    theta = math.atan2(y, x) + 0.000003 * math.cos(x * x_pi)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def projected(proj: str):
    t = Transformer.from_crs("EPSG:4326", proj, always_xy=True)
    return lambda lon, lat: t.transform(lon, lat)


CASES = {
    "EPSG:4548": projected(tmerc(117, 500000)),  # 3°, CM 117°E, no prefix
    "EPSG:4527": projected(tmerc(117, 39500000)),  # 3°, zone 39 with its prefix
    "EPSG:4498": projected(tmerc(117, 20500000)),  # 6°, zone 20 with its prefix
    "EPSG:4509": projected(tmerc(117, 500000)),  # 6°, CM 117°E, no prefix
    "EPSG:4526": projected(tmerc(114, 38500000)),  # 3°, zone 38 (a neighbouring zone, still valid here)
    "EPSG:3857": projected("+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m "
                           "+nadgrids=@null +no_defs"),
    "GCJ-02": gcj02,
    "BD-09": bd09,
}


def write_layer(path: Path, crs: str, convert) -> Path:
    features = []
    for i, (lon, lat) in enumerate(TRUTH):
        x, y = convert(lon, lat)
        features.append({"type": "Feature", "id": i, "geometry": {"type": "Point", "coordinates": [x, y]},
                         "properties": {"name": f"p{i}"}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


@pytest.mark.parametrize("crs", sorted(CASES))
def test_layer_lands_within_half_a_metre_of_its_wgs84_truth(tmp_path: Path, crs: str) -> None:
    path = write_layer(tmp_path / "layer.geojson", crs, CASES[crs])
    result = load_source(LayerSourceSpec(id="t", title="t", kind="geojson", path=path, crs=crs))
    assert result.error is None and not result.bad
    for feature, truth in zip(result.features, TRUTH, strict=True):
        assert metres(tuple(feature["geometry"]["coordinates"]), truth) < 0.5


def test_a_geojson_crs_member_is_honoured(tmp_path: Path) -> None:
    path = write_layer(tmp_path / "layer.geojson", "EPSG:4548", CASES["EPSG:4548"])
    data = json.loads(path.read_text())
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4548"}}
    path.write_text(json.dumps(data))
    result = load_source(LayerSourceSpec(id="t", title="t", kind="geojson", path=path))
    assert result.crs == "EPSG:4548"
    assert metres(tuple(result.features[0]["geometry"]["coordinates"]), TRUTH[0]) < 0.5


def test_every_cgcs2000_gk_zone_is_supported_and_named_as_pyproj_names_it() -> None:
    assert len(GK_ZONES) == 64
    for code in GK_ZONES:
        assert canonical_crs(code.lower()) == code
        assert canonical_crs(f"urn:ogc:def:crs:EPSG::{code[5:]}") == code
        crs = CRS.from_user_input(code)
        assert crs.name.startswith("CGCS2000 / ") and "Gauss-Kruger" in crs.name


@pytest.mark.parametrize("code", GK_ZONES)
def test_each_zone_round_trips_at_its_own_central_meridian(code: str) -> None:
    crs = CRS.from_user_input(code)
    lon0 = next(p.value for p in crs.coordinate_operation.params if "longitude" in p.name.lower())
    x, y = from_wgs84([lon0 + 0.4], [34.8], code)
    lon, lat = to_wgs84(x, y, code)
    assert metres((float(lon[0]), float(lat[0])), (lon0 + 0.4, 34.8)) < 0.01
    false_easting = next(p.value for p in crs.coordinate_operation.params if "easting" in p.name.lower())
    assert float(x[0]) == pytest.approx(false_easting + 36_600, abs=600)  # 0.4° east of the CM at 34.8°N


def test_baidu_mercator_matches_baidus_published_reference_point() -> None:
    # Baidu Map's own example (Tian'anmen): bd09ll (116.403874, 39.914889) <-> bd09mc (12958160.97, 4825907.72)
    x, y = bd09ll_to_bd09mc([116.403874], [39.914889])
    assert (float(x[0]), float(y[0])) == pytest.approx((12958160.97, 4825907.72), abs=0.02)
    for exact in (True, False):  # refined, and Baidu's own inverse table
        lon, lat = bd09mc_to_bd09ll([12958160.97], [4825907.72], exact=exact)
        assert (float(lon[0]), float(lat[0])) == pytest.approx((116.403874, 39.914889), abs=5e-7)


def test_baidu_mercator_round_trips_to_a_millimetre_across_china() -> None:
    lon, lat = np.meshgrid(np.linspace(73.5, 135.0, 120), np.linspace(3.5, 53.5, 120))
    back_lon, back_lat = bd09mc_to_bd09ll(*bd09ll_to_bd09mc(lon, lat))
    assert np.abs(back_lon - lon).max() < 1e-8 and np.abs(back_lat - lat).max() < 1e-8  # ≈ 1 mm
    _, table_lat = bd09mc_to_bd09ll(*bd09ll_to_bd09mc(lon, lat), exact=False)
    assert np.abs(table_lat - lat).max() > 1e-7  # Baidu's inverse table alone is off by decimetres


def test_a_baidu_mercator_layer_lands_on_its_truth(tmp_path: Path) -> None:
    def to_bd09mc(lon: float, lat: float) -> tuple[float, float]:
        x, y = bd09ll_to_bd09mc([bd09(lon, lat)[0]], [bd09(lon, lat)[1]])
        return float(x[0]), float(y[0])

    path = write_layer(tmp_path / "layer.geojson", "BD09MC", to_bd09mc)
    result = load_source(LayerSourceSpec(id="t", title="t", kind="geojson", path=path, crs="bd09mc"))
    assert result.error is None
    for feature, truth in zip(result.features, TRUTH, strict=True):
        assert metres(tuple(feature["geometry"]["coordinates"]), truth) < 0.5


def test_baidu_mercator_bands_cover_both_hemispheres_and_wrap() -> None:
    lons = np.array([-170.0, -10.0, 10.0, 117.3, 190.0])
    lats = np.array([-70.0, -20.0, 5.0, 34.8, 80.0])
    x, y = bd09ll_to_bd09mc(lons, lats)
    assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))
    assert np.sign(x).tolist() == [-1, -1, 1, 1, -1]  # 190°E wraps to -170°
    _, back_lat = bd09mc_to_bd09ll(x, y)
    assert back_lat[:4] == pytest.approx(lats[:4], abs=1e-8)
    assert back_lat[4] == pytest.approx(74.0, abs=1e-4)  # Baidu clamps latitudes to ±74°
