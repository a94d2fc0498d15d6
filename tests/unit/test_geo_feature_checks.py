"""Features that are well formed but draw nothing, and a reason that stays readable: `layers check` counted a line of
one position and a ring of two as usable, and a coordinate of 1e308 gave a reason 309 digits long."""

from __future__ import annotations

from commandwall.geo.features import check_features


def feature(kind: str, coordinates: object) -> dict:
    return {"type": "Feature", "properties": {"name": "测试"}, "geometry": {"type": kind, "coordinates": coordinates}}


def test_lines_and_rings_that_draw_nothing_are_left_out_with_the_reason() -> None:
    features = [
        feature("LineString", [[117.30, 34.80]]),
        feature("Polygon", [[[117.30, 34.80], [117.31, 34.80]]]),
        feature("Polygon", [[[117.30, 34.80], [117.31, 34.80], [117.30, 34.80], [117.31, 34.80]]]),
        feature("MultiLineString", [[[117.30, 34.80], [117.31, 34.81]], [[117.32, 34.80]]]),
        feature("LineString", [[117.30, 34.80], [117.31, 34.81]]),
        feature("Polygon", [[[117.30, 34.80], [117.31, 34.80], [117.31, 34.81]]]),  # open ring: Leaflet closes it
        {"type": "Feature", "properties": {}, "geometry": {"type": "GeometryCollection", "geometries": [
            {"type": "Point", "coordinates": [117.3, 34.8]}, {"type": "LineString", "coordinates": [[117.3, 34.8]]}]}},
    ]
    checked = check_features(features, "EPSG:4326")
    assert [i for i, _ in checked.bad] == [0, 1, 2, 3, 6]
    assert dict(checked.bad)[0] == "a line of fewer than 2 positions"
    assert dict(checked.bad)[1] == "a polygon ring of fewer than 3 distinct positions"
    assert len(checked.features) == 2


def test_a_line_whose_positions_are_all_one_point_is_left_out_with_the_reason() -> None:
    """Two (or more) positions at one point: a line of no length, which draws nothing — counted usable before.
    A third coordinate (height) does not make two positions distinct; 34.8 and 34.80000 are one number."""
    features = [
        feature("LineString", [[117.30, 34.80], [117.30, 34.80]]),
        feature("LineString", [[117.30, 34.80, 10.0], [117.30, 34.8, 20.0], [117, 34.8]][:2]),
        feature("MultiLineString", [[[117.30, 34.80], [117.31, 34.81]], [[117.32, 34.80]] * 3]),
        feature("LineString", [[117.30, 34.80], [117.30, 34.80], [117.31, 34.80]]),  # a length after all
    ]
    checked = check_features(features, "EPSG:4326")
    assert checked.bad == [(0, "a line of fewer than 2 distinct positions"),
                           (1, "a line of fewer than 2 distinct positions"),
                           (2, "a line of fewer than 2 distinct positions")]
    assert len(checked.features) == 1


def test_a_huge_coordinate_is_said_in_short_form() -> None:
    checked = check_features([feature("Point", [1e308, 34.8])], "EPSG:4326")
    [(_, reason)] = checked.bad
    assert len(reason) < 200 and "1e+308" in reason, reason
