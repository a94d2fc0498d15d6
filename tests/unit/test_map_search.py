"""The map's search (cameras, incidents, towns, grids, units) and geodesic measures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pyproj import Geod

from commandwall.app.map_search import MapSearch, measure
from commandwall.domain.models import Camera, Incident, Unit

NOW = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
STREAMS = {"main": "http://127.0.0.1:1/m", "sub": "http://127.0.0.1:1/s"}
SQUARE = {"type": "Polygon",
          "coordinates": [[[117.2, 34.7], [117.3, 34.7], [117.3, 34.8], [117.2, 34.8], [117.2, 34.7]]]}


def searcher() -> MapSearch:
    cameras = [Camera(id="CAM-0001", name="临山路口", lon=117.21, lat=34.71, town="临城街道", streams=STREAMS),
               Camera(id="CAM-0012", name="光明大道\u202e东", lon=117.22, lat=34.72, streams=STREAMS)]
    incidents = [Incident(id="INC-0001", title="临街火情", category="xiaofang", lon=117.25, lat=34.75,
                          reported_at=NOW, updated_at=NOW, version=1)]
    units = [Unit(id="U-1", name="临城派出所巡逻一组", department="公安", lon=117.23, lat=34.73, updated_at=NOW)]
    towns = [{"type": "Feature", "properties": {"name": "临城街道"}, "geometry": SQUARE}]
    grids = [{"type": "Feature", "properties": {"id": "G-001", "name": "临城街道第01网格", "town": "临城街道"},
              "geometry": SQUARE}]
    return MapSearch(lambda: cameras, lambda: incidents, lambda: units, towns, grids)


def test_exact_ids_first_then_prefixes_then_the_rest_by_kind() -> None:
    hits = searcher().search("临")
    assert [(h.kind, h.id) for h in hits] == [
        ("camera", "CAM-0001"), ("incident", "INC-0001"), ("town", "临城街道"), ("grid", "G-001"),
        ("unit", "U-1"),
    ]
    assert [h.id for h in searcher().search("cam-0001")] == ["CAM-0001"]  # exact id, any case
    assert [h.id for h in searcher().search("CAM-00")] == ["CAM-0001", "CAM-0012"]
    grid = searcher().search("g-001")[0]
    assert grid.kind == "grid" and grid.bounds == [[34.7, 117.2], [34.8, 117.3]]
    assert grid.detail == "临城街道"


def test_names_are_made_safe_and_empty_or_unknown_text_finds_nothing() -> None:
    (hit,) = searcher().search("光明")
    assert hit.label == "光明大道‹U+202E›东"
    assert searcher().search("   ") == [] and searcher().search("不存在") == []
    assert searcher().search("临" * 1000) == []  # long text is cut, not an error


def test_an_outline_that_crosses_itself_measures_the_area_it_encloses() -> None:
    """测面 drawn as a bow tie (the officer's outline crossing itself): the signed areas of its two lobes cancelled
    out and the page said 0 m². Its area is that of the lobes, each a triangle measured on the ellipsoid."""
    geod = Geod(ellps="GRS80")
    bow_tie = [[117.30, 34.80], [117.31, 34.81], [117.31, 34.80], [117.30, 34.81]]  # crossing at (117.305, 34.805)
    lobes = [([117.30, 117.305, 117.30], [34.80, 34.805, 34.81]), ([117.31, 117.31, 117.305], [34.81, 34.80, 34.805])]
    expected = sum(abs(geod.polygon_area_perimeter(lons, lats)[0]) for lons, lats in lobes)
    measured = measure("area", bow_tie)
    assert measured["area_m2"] == pytest.approx(expected, rel=1e-3) and expected > 400_000
    square = [[117.30, 34.80], [117.31, 34.80], [117.31, 34.81], [117.30, 34.81]]  # the same corners, not crossing
    assert measure("area", square)["area_m2"] == pytest.approx(
        abs(geod.polygon_area_perimeter([p[0] for p in square], [p[1] for p in square])[0]))


def test_measures_match_pyproj_and_bad_input_is_a_clear_error() -> None:
    geod = Geod(ellps="GRS80")
    line = [[117.2, 34.7], [117.3, 34.8]]
    assert measure("line", line)["length_m"] == pytest.approx(geod.line_length([117.2, 117.3], [34.7, 34.8]))
    area = measure("area", [[117.2, 34.7], [117.3, 34.7], [117.3, 34.8]])
    assert area["area_m2"] > 0 and area["perimeter_m"] > 0
    assert measure("line", [[117.2, 34.7]]) == {"length_m": 0.0}
    for kind, points in (("volume", line), ("line", []), ("line", [[200, 0]]), ("area", [["x", 1]])):
        with pytest.raises(ValueError):
            measure(kind, points)
