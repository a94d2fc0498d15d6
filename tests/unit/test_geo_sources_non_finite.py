"""A GeoJSON file with ``NaN`` or ``Infinity`` in it (GDAL and pandas write them for missing numbers) is read
as GIS software reads it: the features whose coordinates are not finite are left out and counted, non-finite
property values become null; the nesting cap and the other guards stand. Real files on disk."""

from __future__ import annotations

import json
import math
from pathlib import Path

from commandwall.geo.features import NON_FINITE_REASON
from commandwall.geo.sources import LayerSourceSpec, load_source
from tests.geo_servers import point_features


def write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, allow_nan=True), "utf-8")
    return path


def spec(path: Path) -> LayerSourceSpec:
    return LayerSourceSpec(id="file", title="文件", kind="geojson", path=path)


def test_features_with_non_finite_coordinates_are_left_out_and_counted(tmp_path: Path) -> None:
    good = point_features(4)
    good[1]["properties"].update(height=math.nan, readings=[1.5, math.inf, {"min": -math.inf}])
    square = [[117.2, 34.7], [117.21, 34.7], [117.21, math.inf], [117.2, 34.7]]
    broken = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [math.nan, 34.7]}, "properties": {}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [square]}, "properties": {}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[117.2, 34.7], [-math.inf, 34.71]]},
         "properties": {"name": "线"}},
    ]
    path = write(tmp_path / "nan.geojson", {"type": "FeatureCollection", "features": [*good[:2], *broken, *good[2:]]})
    assert b"NaN" in path.read_bytes() and b"-Infinity" in path.read_bytes()
    result = load_source(spec(path))
    assert result.error is None and len(result.features) == 4
    assert result.non_finite == 3 and result.bad == [(2, NON_FINITE_REASON), (3, NON_FINITE_REASON),
                                                      (4, NON_FINITE_REASON)]
    assert result.features[1]["properties"] == {"id": 1, "name": "点位1", "height": None,
                                                "readings": [1.5, None, {"min": None}]}
    json.dumps(result.features, allow_nan=False)  # nothing non-finite is left to reach the page


def test_a_file_of_only_non_finite_coordinates_says_why(tmp_path: Path) -> None:
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [math.nan, math.nan]}}
    result = load_source(spec(write(tmp_path / "all.geojson", {"type": "FeatureCollection", "features": [feature]})))
    assert result.error and NON_FINITE_REASON in result.error and result.non_finite == 1


def test_the_other_guards_stand(tmp_path: Path) -> None:
    deep = tmp_path / "deep.geojson"
    deep.write_text('{"type": "FeatureCollection", "x": NaN, "features": ' + "[" * 5000 + "]" * 5000 + "}", "utf-8")
    assert "nested deeper" in (load_source(spec(deep)).error or "")
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [NaNa]}', "utf-8")
    assert "not JSON" in (load_source(spec(broken)).error or "")
    # a document without any NaN is not walked for them: its numbers are kept as they are
    plain = load_source(spec(write(tmp_path / "plain.geojson", {"type": "FeatureCollection",
                                                                "features": point_features(2)})))
    assert plain.usable and plain.non_finite == 0 and plain.bad == []


def test_numbers_too_large_for_a_float_are_taken_as_the_literals_are(tmp_path: Path) -> None:
    """``1e400`` reads as infinite without any NaN literal in the file: its feature is left out and counted the
    same way, and such a property value becomes null (it reached the page as Infinity)."""
    text = ('{"type": "FeatureCollection", "features": ['
            '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [117.26, 34.8]},'
            ' "properties": {"name": "好", "depth": 1E+400, "small": 2.5e-3}},'
            '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1e400, 34.8]}, "properties": {}}]}')
    path = tmp_path / "huge.geojson"
    path.write_text(text, "utf-8")
    result = load_source(spec(path))
    assert result.error is None and len(result.features) == 1 and result.bad == [(1, NON_FINITE_REASON)]
    assert result.features[0]["properties"] == {"name": "好", "depth": None, "small": 0.0025}
    json.dumps(result.features, allow_nan=False)


def test_a_huge_exponent_is_found_wherever_the_search_slices_the_body() -> None:
    """The search for numbers too large for a float goes a slice at a time (one search over 33 MB held the
    interpreter lock ~300 ms: the window froze); a number across a slice boundary is still found."""
    from commandwall.geo.sources import EXPONENT_SLICE, _has_huge_exponent

    for offset in (-8, -3, -1, 0, 1):
        body = b" " * (EXPONENT_SLICE + offset) + b"[1.5e+0400, 34.8]" + b" " * 100
        assert _has_huge_exponent(body), offset
    assert not _has_huge_exponent(b" " * (3 * EXPONENT_SLICE) + b"[1.5e+299, 34.8]")


def test_reading_a_big_layer_leaves_the_garbage_collector_as_it_found_it(tmp_path) -> None:
    """The collector is paused while a big answer is parsed and checked (its full collections over a big layer's
    heap froze the window again and again) — not while waiting for the network, so live layers reading at once do
    not keep it off; it is as it was afterwards, whether the read worked or failed."""
    import gc
    import json

    from commandwall.geo.sources import PAUSE_COLLECTOR_BYTES, LayerSourceSpec, load_source

    point = {"type": "Feature", "properties": {"name": "点" * 40}, "geometry": {"type": "Point",
                                                                              "coordinates": [117.3, 34.8]}}
    good = tmp_path / "big.geojson"
    good.write_text(json.dumps({"type": "FeatureCollection", "features": [point] * 12_000}), "utf-8")
    assert good.stat().st_size > PAUSE_COLLECTOR_BYTES
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(good.read_bytes()[:-5])  # cut short: not JSON
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            for path in (good, bad):
                result = load_source(LayerSourceSpec(id="x", title="x", kind="geojson", path=str(path)))
                assert gc.isenabled() is enabled, (path.name, result.error)
        finally:
            gc.enable()
