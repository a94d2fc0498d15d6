"""Layer sources against real servers on 127.0.0.1: pygeoapi (OGC API Features), a WFS 2.0 endpoint, GeoJSON URLs
and files; ``commandwall layers check FOLDER_OR_URL``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from pyproj import CRS, Geod, Transformer

from commandwall.geo import sources
from commandwall.geo.check import check_target
from commandwall.geo.sources import LayerSourceSpec, load_source, spec_for_target
from tests.geo_servers import PygeoapiServer, WfsServer, point_features

POINTS = point_features(250)
BBOX = (117.25, 34.70, 117.30, 34.71)
WFS_POINTS = point_features(45, lon0=117.35, lat0=34.75)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ogc(tmp_path_factory) -> Iterator[PygeoapiServer]:
    server = PygeoapiServer(tmp_path_factory.mktemp("pygeoapi"),
                            {"points": {"type": "FeatureCollection", "features": POINTS}}, page_limit=100).start()
    yield server
    server.stop()


@pytest.fixture
def wfs() -> Iterator[WfsServer]:
    bad = {"type": "FeatureCollection", "features": [
        POINTS[0],
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.35, 48.85]}, "properties": {}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": ["x", 1]}, "properties": {}},
        {"type": "Feature", "geometry": None, "properties": {}},
        {"type": "Polygon", "coordinates": []},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": []}, "properties": {}},
    ]}
    deep: object = [117.3, 34.8]
    for _ in range(200):
        deep = [deep]
    files = {
        "mixed.geojson": json.dumps(bad).encode(),
        "deep.geojson": json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": deep}}]}).encode(),
        "not-json.geojson": b"<html>login page</html>",
        "list.json": b"[1, 2, 3]",
    }
    server = WfsServer(WFS_POINTS, files=files).start()
    yield server
    server.stop()


def ogc_spec(server: PygeoapiServer, **kw) -> LayerSourceSpec:
    return LayerSourceSpec(id="pts", title="点位", kind="ogcapi", url=server.url, collection="points", **kw)


def test_ogc_api_follows_rel_next_over_every_page(ogc: PygeoapiServer) -> None:
    result = load_source(ogc_spec(ogc))
    assert result.error is None and not result.bad
    assert result.pages == 3 and result.matched == len(POINTS)
    assert sorted(f["id"] for f in result.features) == list(range(len(POINTS)))
    assert result.features[17]["geometry"]["coordinates"] == POINTS[17]["geometry"]["coordinates"]


def test_ogc_api_bbox_query_returns_what_lies_inside(ogc: PygeoapiServer) -> None:
    w, s, e, n = BBOX
    inside = sorted(f["id"] for f in POINTS if w <= f["geometry"]["coordinates"][0] <= e
                    and s <= f["geometry"]["coordinates"][1] <= n)
    result = load_source(ogc_spec(ogc, bbox=BBOX))
    assert 0 < len(inside) < len(POINTS)
    assert sorted(f["id"] for f in result.features) == inside


def test_ogc_api_paging_is_bounded_by_max_features(ogc: PygeoapiServer) -> None:
    result = load_source(ogc_spec(ogc, max_features=120, page_size=100))
    assert len(result.features) == 120 and result.truncated and result.pages == 2


def test_unknown_collection_is_a_clear_error(ogc: PygeoapiServer) -> None:
    result = load_source(LayerSourceSpec(id="x", title="x", kind="ogcapi", url=ogc.url, collection="nope"))
    assert not result.usable and result.error == f"HTTP 404 from {ogc.url}/collections/nope/items"


@pytest.mark.parametrize("srs", ["urn:ogc:def:crs:EPSG::4326", "EPSG:4326",
                                 "http://www.opengis.net/def/crs/EPSG/0/4326"])
def test_wfs_axis_order_follows_the_crs_name(wfs: WfsServer, srs: str) -> None:
    spec = LayerSourceSpec(id="w", title="w", kind="wfs", url=f"{wfs.url}/wfs", type_name="cw:points", crs=srs,
                           page_size=20, bbox=(117.0, 34.5, 117.6, 35.0))
    result = load_source(spec)
    assert result.error is None and not result.bad
    assert [f["geometry"]["coordinates"] for f in result.features] == [
        f["geometry"]["coordinates"] for f in WFS_POINTS]
    assert result.pages == 3  # 20 + 20 + 5 with count/startIndex
    first = wfs.requests[0]
    assert first["typenames"] == "cw:points" and first["outputformat"] == "application/json"
    assert first["bbox"] == "34.5,117.0,35.0,117.6,urn:ogc:def:crs:EPSG::4326"  # lat/lon, as the URN says


class ProjectedWfsServer(WfsServer):
    """The WFS endpoint answering in the projected CRS asked for (pyproj from the WGS84 truth), in the axis order
    its name implies: the EPSG registry's for the URN and URI forms (northing first for the CGCS2000 GK zones,
    as GeoServer answers), easting first for the short ``EPSG:4548`` (the common convention)."""

    def answer(self, query: dict[str, str]) -> dict:
        srs = query.get("srsname", "EPSG:4326")
        page = super().answer({**query, "srsname": "EPSG:4326"})  # lon/lat
        code = int(re.split(r"[:/]", srs)[-1])
        to_srs = Transformer.from_crs("EPSG:4326", f"EPSG:{code}", always_xy=True)
        northing_first = srs.lower().startswith(("urn:ogc:def:crs:epsg:", "http://www.opengis.net/def/crs/epsg/"))
        for feature in page["features"]:
            easting, northing = to_srs.transform(*feature["geometry"]["coordinates"])
            feature["geometry"]["coordinates"] = [northing, easting] if northing_first else [easting, northing]
        page["crs"]["properties"]["name"] = srs
        return page


GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize("wfs_format", ["json", "gml32"])
@pytest.mark.parametrize("srs", ["urn:ogc:def:crs:EPSG::4548", "http://www.opengis.net/def/crs/EPSG/0/4548",
                                 "EPSG:4548", "urn:ogc:def:crs:EPSG::4527", "EPSG:4527"])
def test_wfs_in_a_projected_crs_lands_within_half_a_metre(srs: str, wfs_format: str) -> None:
    """CGCS2000 GK (3° CM 117°E; zone 39 with its prefix): northing first when named the OGC way, easting first
    for the short name; either way every point lands within 0.5 m of its WGS84 truth."""
    code = int(re.split(r"[:/]", srs)[-1])
    assert CRS.from_epsg(code).axis_info[0].direction == "north"  # what the server's URN answers rely on
    truth = point_features(45, lon0=117.35, lat0=34.75)
    server = ProjectedWfsServer(truth, gml_only=wfs_format == "gml32").start()
    try:
        assert sources.authority_axis_is_northing_first(srs) == (not srs.startswith("EPSG:"))
        spec = LayerSourceSpec(id="w", title="w", kind="wfs", url=f"{server.url}/wfs", type_name="cw:points",
                               crs=srs, wfs_format=wfs_format, page_size=20)
        result = load_source(spec)
        assert result.error is None and not result.bad, result.bad[:3]
        assert result.crs == f"EPSG:{code}" and len(result.features) == 45 and result.pages == 3
        assert server.requests[0]["srsname"] == srs
        landed = [f["geometry"]["coordinates"] for f in result.features]
        expected = [f["geometry"]["coordinates"] for f in truth]
        _, _, metres = GEOD.inv([p[0] for p in landed], [p[1] for p in landed],
                                [p[0] for p in expected], [p[1] for p in expected])
        assert max(metres) < 0.5, max(metres)
        other_way = "yx" if srs.startswith("EPSG:") else "xy"
        flipped = load_source(spec.model_copy(update={"axis_order": other_way}))
        assert not flipped.usable and not flipped.features  # read the other way round: nowhere near China
        if wfs_format == "json" and srs.startswith("urn"):  # the command line says the same
            report, code_ = check_target(f"{server.url}/wfs?service=WFS&typeNames=cw:points&srsName={srs}")
            assert code_ == 0 and f"crs: EPSG:{code}" in report and "usable features: 45 (Point 45)" in report
            assert "bbox (WGS84 lon/lat): 117.350000, 34.750000 – 117.438000, 34.750000" in report
    finally:
        server.stop()


def test_wfs_axis_order_can_be_forced(wfs: WfsServer) -> None:
    spec = LayerSourceSpec(id="w", title="w", kind="wfs", url=f"{wfs.url}/wfs", type_name="cw:points",
                           crs="urn:ogc:def:crs:EPSG::4326", axis_order="xy")
    result = load_source(spec)  # read lon/lat where the server put lat/lon: nothing lands in China
    assert not result.usable and "outside China" in result.error


def test_bad_features_are_listed_with_reasons_and_the_rest_kept(wfs: WfsServer) -> None:
    result = load_source(LayerSourceSpec(id="m", title="m", kind="geojson", url=f"{wfs.url}/files/mixed.geojson"))
    assert result.usable and len(result.features) == 1
    reasons = dict(result.bad)
    assert sorted(reasons) == [1, 2, 3, 4, 5]
    assert "outside China" in reasons[1]
    assert "bad position" in reasons[2]
    assert reasons[3] == "no geometry"
    assert reasons[4] == "not a GeoJSON Feature"
    assert reasons[5] == "empty geometry"


@pytest.mark.parametrize(("name", "message"), [
    ("deep.geojson", "JSON nested deeper than"),
    ("not-json.geojson", "not JSON"),
    ("list.json", "not a GeoJSON FeatureCollection"),
    ("missing.geojson", "HTTP 404"),
])
def test_unusable_answers_give_one_clear_error(wfs: WfsServer, name: str, message: str) -> None:
    result = load_source(LayerSourceSpec(id="b", title="b", kind="geojson", url=f"{wfs.url}/files/{name}"))
    assert not result.usable and message in result.error


def test_answers_are_size_capped(wfs: WfsServer, monkeypatch) -> None:
    monkeypatch.setattr(sources, "MAX_RESPONSE_BYTES", 200)
    result = load_source(LayerSourceSpec(id="m", title="m", kind="geojson", url=f"{wfs.url}/files/mixed.geojson"))
    assert not result.usable and "larger than 200 bytes" in result.error


def test_a_wfs_server_that_ignores_paging_is_read_once(wfs: WfsServer, monkeypatch) -> None:
    """Every request answered with the whole layer: the first answer is taken, not repeated page after page."""
    monkeypatch.setattr(wfs, "answer", lambda query, whole=wfs.answer: whole({**query, "count": "100000",
                                                                               "startindex": "0"}))
    result = load_source(LayerSourceSpec(id="w", title="w", kind="wfs", url=f"{wfs.url}/wfs",
                                         type_name=wfs.type_name, page_size=40))
    assert len(result.features) == len(wfs.features) and result.pages == 1


def test_specs_refuse_what_would_leak_or_cannot_work() -> None:
    for bad in (
        {"kind": "geojson", "url": "http://u:p@127.0.0.1/x.json"},
        {"kind": "geojson", "url": "http://127.0.0.1/x.json?tk=abc"},
        {"kind": "geojson", "url": "file:///etc/passwd"},
        {"kind": "ogcapi", "url": "http://127.0.0.1"},
        {"kind": "wfs", "url": "http://127.0.0.1/wfs"},
        {"kind": "geojson", "path": "/x.json", "crs": "EPSG:99999"},
        {"kind": "geojson", "path": "/x.json", "bbox": [118, 34, 117, 35]},
        {"kind": "geojson", "path": "/x.json", "refresh_s": 3},
    ):
        with pytest.raises(ValidationError):
            LayerSourceSpec(id="x", title="x", **bad)


def test_targets_are_recognised() -> None:
    ogc = spec_for_target("http://127.0.0.1:5000/collections/roads/items?limit=5")
    assert (ogc.kind, ogc.url, ogc.collection) == ("ogcapi", "http://127.0.0.1:5000", "roads")
    wfs = spec_for_target("http://127.0.0.1/geoserver/wfs?SERVICE=WFS&REQUEST=GetFeature&typeNames=a:b"
                          "&srsName=urn:ogc:def:crs:EPSG::4548")
    assert (wfs.kind, wfs.type_name, wfs.crs) == ("wfs", "a:b", "urn:ogc:def:crs:EPSG::4548")
    assert spec_for_target("/tmp/x.geojson", "EPSG:4548").crs == "EPSG:4548"
    assert spec_for_target("https://example.org/a.json").kind == "geojson"


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "commandwall", *args], capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT)


def test_layers_check_an_ogc_api_url(ogc: PygeoapiServer) -> None:
    proc = cli("layers", "check", f"{ogc.url}/collections/points/items")
    assert proc.returncode == 0, proc.stderr
    assert "pages read: 3; features read: 250, the server has 250" in proc.stdout
    assert "usable features: 250 (Point 250)" in proc.stdout
    assert "bbox (WGS84 lon/lat): 117.200000, 34.700000 – 117.318000, 34.708000" in proc.stdout
    assert proc.stdout.rstrip().endswith("usable")


def test_layers_check_lists_bad_features_and_fails_when_nothing_is_usable(wfs: WfsServer, tmp_path: Path) -> None:
    proc = cli("layers", "check", f"{wfs.url}/files/mixed.geojson")
    assert proc.returncode == 0  # one usable feature: the layer draws
    assert "bad features: 5" in proc.stdout and "feature 3: no geometry" in proc.stdout
    gk = tmp_path / "gk.geojson"
    gk.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [523456.78, 3851234.56]}}]}))
    assert cli("layers", "check", str(gk)).returncode == 1  # metres read as degrees: nothing usable
    proc = cli("layers", "check", str(gk), "--crs", "EPSG:4548")
    assert proc.returncode == 0 and "crs: EPSG:4548" in proc.stdout
    proc = cli("layers", "check", str(gk), "--crs", "EPSG:3395")
    assert proc.returncode == 2 and "unsupported CRS" in proc.stdout and "Traceback" not in proc.stderr
    proc = cli("layers", "check", f"{wfs.url}/files/deep.geojson")
    assert proc.returncode == 1 and "nested deeper" in proc.stdout and "Traceback" not in proc.stderr


@pytest.mark.parametrize("srs", ["urn:ogc:def:crs:EPSG::4326", "EPSG:4326"])
def test_wfs_in_gml_32_for_a_server_without_json(srs: str) -> None:
    """A GML-only WFS (it refuses JSON): read with pygml, paged, the same axis-order rule as the JSON path."""
    points = point_features(45, lon0=117.35, lat0=34.75)
    points[3]["properties"]["name"] = "<b>&amp;点</b>"
    server = WfsServer(points, gml_only=True).start()
    try:
        base = {"id": "w", "title": "w", "kind": "wfs", "url": f"{server.url}/wfs", "type_name": "cw:points",
                "crs": srs, "page_size": 20}
        refused = load_source(LayerSourceSpec(**base))
        assert not refused.usable and "HTTP 400" in refused.error
        result = load_source(LayerSourceSpec(**base, wfs_format="gml32"))
        assert result.error is None and not result.bad and result.pages == 3 and result.matched == 45
        assert [f["geometry"]["coordinates"] for f in result.features] == [
            f["geometry"]["coordinates"] for f in points]  # lat/lon for the URN, lon/lat for EPSG:4326
        assert result.features[3]["properties"]["name"] == "<b>&amp;点</b>"
        assert server.requests[-1]["outputformat"].startswith("application/gml+xml")
        report, code = check_target(f"{server.url}/wfs?service=WFS&typeNames=cw:points&srsName={srs}"
                                    "&outputFormat=application/gml%2Bxml;version=3.2")
        assert code == 0 and "WFS 2.0 GML 3.2, type cw:points" in report and "usable features: 45" in report
    finally:
        server.stop()


def test_gml_that_is_not_a_feature_collection_is_one_clear_error() -> None:
    from commandwall.geo.gml import GmlError, read_feature_collection

    bomb = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b'<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0"><wfs:member>&b;</wfs:member>'
            b"</wfs:FeatureCollection>")
    features, _declared, _matched = read_feature_collection(bomb)  # entities are not expanded
    assert features == []
    for body, message in ((b"not xml", "not XML"), (b"<a/>", "not a WFS 2.0 FeatureCollection"),
                          (b'<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Exception>'
                           b"<ows:ExceptionText>no such type</ows:ExceptionText></ows:Exception>"
                           b"</ows:ExceptionReport>", "exception: no such type")):
        with pytest.raises(GmlError, match=message):
            read_feature_collection(body)


def test_ogc_api_paging_is_bounded_by_the_layers_byte_budget(ogc: PygeoapiServer, monkeypatch, caplog) -> None:
    """Past its byte budget a layer stops paging and keeps what it read (page after page of large features
    would grow the desk until memory ran out); the first page alone is over this budget."""
    monkeypatch.setattr(sources, "MAX_LAYER_BYTES", 1)
    result = load_source(ogc_spec(ogc, page_size=100))
    assert result.error is None and result.pages == 1 and len(result.features) == 100
    assert "cut after 1 page(s)" in caplog.text


@pytest.mark.parametrize("wfs_format", ["json", "gml32"])
def test_a_layer_cut_at_the_page_limit_says_so_when_the_server_does_not_count(monkeypatch, wfs_format: str) -> None:
    """A server that does not say how many features match (WFS numberMatched="unknown", OGC API leaving it out):
    a layer cut at the page limit was shown as whole (正常), 20 of 45 features with nothing said."""
    monkeypatch.setattr(sources, "MAX_PAGES", 2)
    server = WfsServer(point_features(45, lon0=117.35, lat0=34.75), matched=False,
                       gml_only=wfs_format == "gml32").start()
    try:
        result = load_source(LayerSourceSpec(id="w", title="w", kind="wfs", url=f"{server.url}/wfs",
                                             type_name="cw:points", page_size=10, wfs_format=wfs_format))
    finally:
        server.stop()
    assert result.error is None and result.pages == 2 and len(result.features) == 20
    assert result.matched is None and result.truncated


def test_gml_pages_are_bounded_by_the_layers_byte_budget(monkeypatch) -> None:
    """The JSON pages of a WFS layer stopped at the layer's byte budget; its GML 3.2 pages did not (200 MB of
    property text were kept from one layer)."""
    monkeypatch.setattr(sources, "MAX_LAYER_BYTES", 1)
    server = WfsServer(point_features(45, lon0=117.35, lat0=34.75), gml_only=True).start()
    try:
        result = load_source(LayerSourceSpec(id="w", title="w", kind="wfs", url=f"{server.url}/wfs",
                                             type_name="cw:points", page_size=10, wfs_format="gml32"))
    finally:
        server.stop()
    assert result.error is None and result.pages == 1 and len(result.features) == 10 and result.truncated
