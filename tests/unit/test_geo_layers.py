"""Layer loading: the committed district layers, broken layers skipped and reported, bad features left out with
their reasons while the rest of their layer loads; ``layers check FOLDER`` listing them."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from pyproj import Geod
from shapely.geometry import shape

from commandwall.geo.crs import from_wgs84
from commandwall.geo.index import AreaIndex
from commandwall.geo.layers import LayerSet, check_layers, load_layers, normalize_features
from commandwall.paths import layers_dir

GEOD = Geod(ellps="WGS84")
TOWN_NAMES = {
    "临城街道": "街道",
    "常庄街道": "街道",
    "兴城街道": "街道",
    "张范街道": "街道",
    "兴仁街道": "街道",
    "沙沟镇": "镇",
    "周营镇": "镇",
    "邹坞镇": "镇",
    "陶庄镇": "镇",
}
EXPECTED_CRS = {
    "district": "EPSG:4326",
    "towns": "EPSG:4548",
    "grids": "EPSG:4490",
    "roads": "EPSG:4326",
    "cameras": "GCJ-02",
    "resources": "EPSG:4527",
    "units": "EPSG:4326",
}


@pytest.fixture(scope="module")
def committed() -> LayerSet:
    return load_layers(layers_dir())


def area_km2(geometry: dict[str, Any]) -> float:
    return abs(GEOD.geometry_area_perimeter(shape(geometry))[0]) / 1e6


def props(layer_set: LayerSet, layer_id: str) -> list[dict[str, Any]]:
    return [f["properties"] for f in layer_set.layers[layer_id].features]


def test_committed_layers_load_without_errors(committed: LayerSet) -> None:
    assert committed.errors == []
    assert list(committed.layers) == ["district", "towns", "grids", "roads", "resources", "cameras", "units"]
    assert {lid: layer.crs for lid, layer in committed.layers.items()} == EXPECTED_CRS
    for layer in committed.layers.values():
        assert layer.title and isinstance(layer.style, dict) and layer.style.get("color", "").startswith("#")


def test_district_is_one_polygon_of_about_423_km2_in_the_real_extent(committed: LayerSet) -> None:
    (district,) = committed.layers["district"].features
    assert district["properties"] == {"name": "薛城区", "code": "370403"}
    assert district["geometry"]["type"] == "Polygon"
    assert area_km2(district["geometry"]) == pytest.approx(423, rel=0.02)
    min_lon, min_lat, max_lon, max_lat = committed.layers["district"].bounds() or (0, 0, 0, 0)
    assert 117.15 <= min_lon < max_lon <= 117.48
    assert 34.63 <= min_lat < max_lat <= 34.94


def test_nine_towns_partition_the_district(committed: LayerSet) -> None:
    towns = committed.layers["towns"].features
    assert {f["properties"]["name"]: f["properties"]["type"] for f in towns} == TOWN_NAMES
    assert len({f["properties"]["code"] for f in towns}) == 9
    assert all(f["properties"]["code"].startswith("370403") for f in towns)
    district = shape(committed.layers["district"].features[0]["geometry"])
    shapes = [shape(f["geometry"]) for f in towns]
    assert sum(area_km2(f["geometry"]) for f in towns) == pytest.approx(423, rel=0.02)
    for i, a in enumerate(shapes):
        assert a.is_valid
        assert district.buffer(1e-4).contains(a)
        for b in shapes[i + 1 :]:
            assert a.intersection(b).area < 1e-7  # shared borders only (≈ <1000 m² of rounding)


def test_grids_partition_the_towns(committed: LayerSet) -> None:
    grids = committed.layers["grids"].features
    assert 90 <= len(grids) <= 110
    ids = [g["properties"]["id"] for g in grids]
    assert ids == [f"G-{n:03d}" for n in range(1, len(grids) + 1)]
    names = [g["properties"]["name"] for g in grids]
    assert len(set(names)) == len(names)
    towns = AreaIndex(committed.layers["towns"].features)
    for g in grids:
        p = g["properties"]
        assert p["town"] in TOWN_NAMES and p["name"].startswith(p["town"]) and p["name"].endswith("网格")
        inside = shape(g["geometry"]).representative_point()
        assert towns.key_at(inside.x, inside.y) == p["town"]
    assert {g["properties"]["town"] for g in grids} == set(TOWN_NAMES)
    assert sum(area_km2(g["geometry"]) for g in grids) == pytest.approx(423, rel=0.02)


def test_roads_have_names_and_classes(committed: LayerSet) -> None:
    roads = props(committed, "roads")
    assert len(roads) >= 50
    assert {r["class"] for r in roads} == {"主干道", "次干道", "支路"}
    assert {"光明大道", "泰山路"} <= {r["name"] for r in roads}


def test_cameras_are_many_unique_and_placed_in_their_grid(committed: LayerSet) -> None:
    cameras = committed.layers["cameras"].features
    assert len(cameras) >= 1000
    ids = [c["properties"]["id"] for c in cameras]
    assert ids == [f"CAM-{n:04d}" for n in range(1, len(cameras) + 1)]
    grids = AreaIndex(committed.layers["grids"].features, key="id")
    for c in cameras:
        p = c["properties"]
        assert p["kind"] in {"fixed", "dome", "ptz"}
        assert 0 <= p["heading"] < 360 and 0 < p["fov"] <= 120 and 0 < p["range_m"] <= 500
        assert p["name"].startswith(p["town"] + "·") and (
            p["name"].endswith(("路段", "号")) or "口" in p["name"]
        )
        lon, lat = c["geometry"]["coordinates"]
        cell = grids.locate(lon, lat)
        assert cell is not None and (cell["id"], cell["town"]) == (p["grid"], p["town"])
    per_town = {t: sum(c["properties"]["town"] == t for c in cameras) for t in TOWN_NAMES}
    assert per_town["临城街道"] > 3 * per_town["沙沟镇"] > 0  # denser in the urban centre


def test_resources_and_units(committed: LayerSet) -> None:
    resources = props(committed, "resources")
    assert len(resources) >= 50
    assert {r["type"] for r in resources} == {"hospital", "fire_station", "shelter", "depot"}
    assert all(r["town"] in TOWN_NAMES and isinstance(r["capacity"], int) for r in resources)
    assert len({r["id"] for r in resources}) == len(resources)
    statuses = [r["status"] for r in resources]  # every status the resource card knows, mostly 可用
    assert set(statuses) == {"available", "in_use", "maintenance", "unavailable"}
    assert statuses.count("available") > len(statuses) / 2
    units = props(committed, "units")
    assert 25 <= len(units) <= 40
    assert {u["department"] for u in units} == {"公安", "消防", "卫健", "城管", "应急", "交警", "环保"}
    assert {u["kind"] for u in units} == {
        "patrol",
        "fire",
        "ambulance",
        "chengguan",
        "rescue",
        "traffic",
        "env",
    }


def test_stored_files_really_use_the_declared_crs() -> None:
    # Guard against a generator that writes WGS84 everywhere: the raw coordinates must look like their CRS.
    raw = json.loads((layers_dir() / "resources.geojson").read_text(encoding="utf-8"))
    x, y = raw["features"][0]["geometry"]["coordinates"]
    assert 39_400_000 < x < 39_600_000 and 3_800_000 < y < 3_900_000
    raw = json.loads((layers_dir() / "towns.geojson").read_text(encoding="utf-8"))
    x, y = raw["features"][0]["geometry"]["coordinates"][0][0]
    assert 480_000 < x < 560_000
    total = sum(p.stat().st_size for p in layers_dir().iterdir())
    assert total < 3 * 1024 * 1024


def test_check_layers_reports_every_layer(committed: LayerSet) -> None:
    report, code = check_layers(layers_dir())
    assert code == 0
    for layer_id in EXPECTED_CRS:
        assert layer_id in report
    assert "0 error(s)" in report


# --- broken layers ------------------------------------------------------------------------------------


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "layers"
    shutil.copytree(layers_dir(), target)
    return target


def edit_manifest(folder: Path, layer_id: str, **changes: Any) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest["layers"]:
        if entry["id"] == layer_id:
            entry.update(changes)
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def break_missing_file(folder: Path) -> str:
    (folder / "roads.geojson").unlink()
    return "roads"


def break_bad_json(folder: Path) -> str:
    (folder / "units.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    return "units"


def break_unknown_crs(folder: Path) -> str:
    edit_manifest(folder, "resources", crs="EPSG:999999")
    return "resources"


def break_wrong_crs_declared(folder: Path) -> str:
    edit_manifest(folder, "grids", crs="EPSG:4548")  # degrees read as metres: lands near (112.5°E, 0°N)
    return "grids"


def break_no_usable_feature(folder: Path) -> str:
    path = folder / "district.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["geometry"] = {"type": "LineString", "coordinates": [[117.3, 34.8], [117.31, 34.8]]}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return "district"


def break_unknown_kind(folder: Path) -> str:
    edit_manifest(folder, "district", kind="volcano")
    return "district"


def break_path_escape(folder: Path) -> str:
    shutil.copy(folder / "units.geojson", folder.parent / "outside.geojson")
    edit_manifest(folder, "units", file="../outside.geojson")
    return "units"


BREAKERS = [
    (break_missing_file, "not found"),
    (break_bad_json, "bad JSON"),
    (break_unknown_crs, "unsupported CRS"),
    (break_wrong_crs_declared, "outside China"),
    (break_no_usable_feature, "'LineString' is not allowed"),
    (break_unknown_kind, "unknown kind"),
    (break_path_escape, "outside the layers folder"),
]


@pytest.mark.parametrize(("breaker", "message"), BREAKERS, ids=[b.__name__ for b, _ in BREAKERS])
def test_broken_layer_is_skipped_and_reported_others_load(copy: Path, breaker: Any, message: str) -> None:
    broken = breaker(copy)
    result = load_layers(copy)
    assert [e.layer_id for e in result.errors] == [broken]
    assert message in result.errors[0].message
    assert broken not in result.layers
    assert set(result.layers) == set(EXPECTED_CRS) - {broken}
    if broken != "cameras":
        assert len(result.layers["cameras"].features) >= 1000
    report, code = check_layers(copy)
    assert code == 1 and f"ERROR {broken}" in report


def test_several_broken_layers_at_once(copy: Path) -> None:
    broken = {b(copy) for b, _ in BREAKERS[:5]}
    result = load_layers(copy)
    assert {e.layer_id for e in result.errors} == broken
    assert set(result.layers) == set(EXPECTED_CRS) - broken


def test_missing_manifest_is_one_error(tmp_path: Path) -> None:
    result = load_layers(tmp_path)
    assert not result.layers
    assert [e.layer_id for e in result.errors] == ["manifest"]
    assert check_layers(tmp_path)[1] == 1


def test_duplicate_and_anonymous_manifest_entries(copy: Path) -> None:
    path = copy / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["layers"] += [dict(manifest["layers"][0]), {"title": "无名"}]
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    result = load_layers(copy)
    assert [e.layer_id for e in result.errors] == ["district", "#8"]
    assert len(result.layers) == 7


# --- features from the backend --------------------------------------------------------------------------


def test_normalize_features_from_a_bd09_collection() -> None:
    from commandwall.geo.crs import wgs84_to_bd09

    blon, blat = wgs84_to_bd09(117.3, 34.8)
    features = [
        {
            "type": "Feature",
            "id": 7,
            "properties": {"name": "点"},
            "geometry": {"type": "Point", "coordinates": [float(blon), float(blat)]},
        },
        {"type": "Feature", "properties": None, "geometry": None},
    ]
    out = normalize_features(features, "bd09")
    assert out[0]["geometry"]["coordinates"] == pytest.approx([117.3, 34.8], abs=1e-8)
    assert out[0]["id"] == 7 and out[0]["properties"] == {"name": "点"}
    assert out[1]["geometry"] is None and out[1]["properties"] == {}
    assert features[0]["geometry"]["coordinates"][0] == float(blon)  # input untouched


def test_normalize_features_rejects_points_outside_china() -> None:
    features = [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [2.35, 48.85]}}
    ]
    with pytest.raises(ValueError, match="outside China"):
        normalize_features(features, "EPSG:4326")
    assert normalize_features(features, "EPSG:4326", bounds=None)[0]["geometry"]["coordinates"] == [
        2.35,
        48.85,
    ]


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [{"type": "Point", "coordinates": [117.3, 34.8]}],
        [{"type": "Feature", "properties": 3, "geometry": None}],
        [{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": "117,34"}}],
    ],
)
def test_normalize_features_rejects_malformed_input(bad: Any) -> None:
    with pytest.raises(ValueError):
        normalize_features(bad, "EPSG:4326")


# --- bad features in a layer that otherwise loads -------------------------------------------------------------


def edit_features(folder: Path, file: str, edit: Any) -> None:
    path = folder / file
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data["features"])
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def break_some_features(folder: Path) -> None:
    """Town 3 becomes a point, road 5 loses its name, road 7 starts in Paris, camera 10 has text for a number."""

    def towns(features: list) -> None:
        x, y = from_wgs84(117.3, 34.8, "EPSG:4548")
        features[3]["geometry"] = {"type": "Point", "coordinates": [float(x), float(y)]}

    def roads(features: list) -> None:
        del features[5]["properties"]["name"]
        features[7]["geometry"]["coordinates"][0] = [2.35, 48.85]

    def cameras(features: list) -> None:
        features[10]["geometry"]["coordinates"] = ["x", 34.8]

    edit_features(folder, "towns.geojson", towns)
    edit_features(folder, "roads.geojson", roads)
    edit_features(folder, "cameras.geojson", cameras)


def report_blocks(report: str) -> dict[str, list[str]]:
    """The ``layers check`` report of a folder: layer id → its header line and the lines under it."""
    blocks: dict[str, list[str]] = {}
    current: list[str] = []
    for line in report.splitlines()[1:]:
        if line.startswith("  ") and not line.startswith("   "):
            current = blocks.setdefault(line.split()[1], [])
        elif not line.startswith("  "):
            current = []
            continue
        current.append(line.strip())
    return blocks


def test_bad_features_are_left_out_with_their_reasons_and_the_layer_kept(
    copy: Path, committed: LayerSet, caplog: pytest.LogCaptureFixture
) -> None:
    break_some_features(copy)
    with caplog.at_level(logging.WARNING, logger="commandwall.geo.layers"):
        result = load_layers(copy)
    assert result.errors == [] and list(result.layers) == list(committed.layers)
    assert not result.ok
    towns, roads, cameras = (result.layers[k] for k in ("towns", "roads", "cameras"))
    assert [i for i, _ in towns.skipped] == [3]
    assert "geometry 'Point' is not allowed for kind 'towns' (MultiPolygon/Polygon)" in towns.skipped[0][1]
    assert towns.features == [f for i, f in enumerate(committed.layers["towns"].features) if i != 3]
    reasons = dict(roads.skipped)
    assert sorted(reasons) == [5, 7]
    assert reasons[5] == "missing properties name" and "(2.35000, 48.85000) lies outside China" in reasons[7]
    assert roads.features == [f for i, f in enumerate(committed.layers["roads"].features) if i not in (5, 7)]
    assert cameras.skipped == ((10, "geometry: bad position ['x', 34.8]"),)
    assert len(cameras.features) == len(committed.layers["cameras"].features) - 1
    for layer_id in ("district", "grids", "resources", "units"):
        assert result.layers[layer_id].skipped == ()
        assert result.layers[layer_id].features == committed.layers[layer_id].features
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(logged) == 3
    assert any("'towns'" in m and "1 of 9 feature(s) left out, first: feature 3:" in m for m in logged)
    assert any("'roads'" in m and "2 of 110 feature(s) left out" in m for m in logged)


def test_layers_check_lists_each_bad_feature_of_a_folder_layer(copy: Path) -> None:
    break_some_features(copy)
    report, code = check_layers(copy)
    assert code == 0, report  # every layer loads: the bad features are left out, as the client leaves them
    blocks = report_blocks(report)
    towns = blocks["towns"]
    assert towns[0].split()[:2] == ["WARN", "towns"] and "crs=EPSG:4548" in towns[0]
    assert towns[1] == f"source: {copy / 'towns.geojson'} (GeoJSON)"
    assert "pages read: 1; features read: 9; crs: EPSG:4548" in towns
    assert "usable features: 8 (Polygon 8)" in towns
    assert any(line.startswith("bbox (WGS84 lon/lat): 117.1") for line in towns)
    assert towns[-2:] == ["bad features: 1",
                          "feature 3: geometry 'Point' is not allowed for kind 'towns' (MultiPolygon/Polygon)"]
    roads = blocks["roads"]
    assert "usable features: 108 (LineString 108)" in roads and "bad features: 2" in roads
    assert "feature 5: missing properties name" in roads
    assert any(line.startswith("feature 7: (2.35000, 48.85000) lies outside China") for line in roads)
    assert "feature 10: geometry: bad position ['x', 34.8]" in blocks["cameras"]
    assert blocks["district"][0].split()[:2] == ["ok", "district"] and "usable features: 1 (Polygon 1)" in blocks[
        "district"]
    assert not any("bad features" in line for line in blocks["grids"])
    assert report.splitlines()[-2:] == ["7 layer(s) loaded, 0 error(s), 4 bad feature(s) left out", "usable"]


def test_a_folder_layer_with_nothing_usable_says_why_for_each_feature(copy: Path) -> None:
    break_wrong_crs_declared(copy)  # every grid cell lands near the equator

    def drop_ids(features: list) -> None:  # 1 212 of 1 515 cameras without an id: a huge list, cut short
        for i, feature in enumerate(features):
            if i % 5:
                del feature["properties"]["id"]

    edit_features(copy, "cameras.geojson", drop_ids)
    report, code = check_layers(copy)
    assert code == 1
    blocks = report_blocks(report)
    grids = blocks["grids"]
    assert grids[0].startswith("ERROR grids") and "none of 100 feature(s) is usable (first: feature 0: (" in grids[0]
    assert "usable features: 0" in grids and "bad features: 100" in grids
    listed = [line for line in grids if line.startswith("feature ")]
    assert len(listed) == 50 and all("lies outside China after conversion from EPSG:4548" in line for line in listed)
    assert listed[0].startswith("feature 0: ") and listed[-1].startswith("feature 49: ")
    assert grids[-1] == "… and 50 more bad feature(s)"
    cameras = blocks["cameras"]
    assert cameras[0].split()[:2] == ["WARN", "cameras"] and "bad features: 1212" in cameras
    assert "usable features: 303 (Point 303)" in cameras
    assert "feature 1: missing properties id" in cameras and cameras[-1] == "… and 1162 more bad feature(s)"
    assert len(report.splitlines()) < 200
    assert report.splitlines()[-2:] == ["6 layer(s) loaded, 1 error(s), 1212 bad feature(s) left out",
                                        "NOT usable"]


def test_hostile_text_of_bad_features_is_printed_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "layers"
    folder.mkdir()
    name = "\u202eyalp\x1b[2J.geojson"
    manifest = {"layers": [{"id": "r\u202e1\x1b[31m", "title": "路\x07\u2066", "kind": "roads", "crs": "EPSG:4326",
                            "file": name}]}
    forged = "\u202e\x1b[2J\nfeature 0: fine\r"
    features = [
        {"type": "Feature", "properties": {"name": forged},
         "geometry": {"type": "LineString", "coordinates": [[117.3, 34.8], [117.31, 34.81]]}},
        {"type": "Feature", "properties": {"name": "x"}, "geometry": {"type": forged, "coordinates": []}},
        {"type": "Feature", "properties": {forged: 1}, "geometry": {"type": "LineString", "coordinates": [[1e308]]}},
    ]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / name).write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    report, code = check_layers(folder)
    assert code == 0, report
    for raw in ("\u202e", "\x1b", "\x07", "\u2066", "\r"):
        assert raw not in report
    assert "\\u202eyalp\\x1b[2J.geojson" in report
    lines = report.splitlines()
    assert not any(line.strip() == "feature 0: fine" for line in lines)  # a name cannot forge a line
    bad = [line.strip() for line in lines if line.strip().startswith("feature ")]
    assert len(bad) == 2 and bad[0].startswith("feature 1: geometry '\\u202e\\x1b[2J\\nfeature 0: fine\\r' is not")
    assert bad[1].startswith("feature 2: ")


def test_a_layers_english_title_is_read_stripped_and_shown_on_an_english_desk_only(tmp_path: Path) -> None:
    """``title_en``: a non-blank string of at most MAX_TITLE_CHARS, stripped; ``shown_title`` gives it when the
    chosen language is English and the title otherwise, or when the layer has none."""
    from commandwall import i18n
    from commandwall.geo.layers import MAX_TITLE_CHARS, shown_title

    folder = tmp_path / "layers"
    shutil.copytree(layers_dir(), folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    entries = {entry["id"]: entry for entry in manifest["layers"]}
    entries["roads"]["title_en"] = "  Main roads "
    entries["grids"]["title_en"] = "G" * MAX_TITLE_CHARS
    entries["towns"]["title_en"] = "T" * (MAX_TITLE_CHARS + 1)
    del entries["district"]["title_en"]
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    layers = load_layers(folder).layers
    assert [layers[k].title_en for k in ("roads", "grids", "towns", "district")] == [
        "Main roads", "G" * MAX_TITLE_CHARS, None, None]  # fmt: skip
    assert [shown_title(layers[k]) for k in ("roads", "towns")] == ["道路", "镇街"]  # no catalogue: Chinese
    i18n.install(lambda context, text: "en" if (context, text) == ("i18n", "zh") else text)
    try:
        assert i18n.language() == "en"
        assert [shown_title(layers[k]) for k in ("roads", "towns", "district")] == ["Main roads", "镇街", "薛城区界"]
    finally:
        i18n.install(None)
