"""WMTS base maps: RESTful templates, prefixed TileMatrix ids, GetCapabilities, and the matrix sets refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from commandwall.app.map import base_map_catalogue
from commandwall.config import Settings, describe_invalid
from commandwall.geo.basemaps import (
    WmtsError,
    read_capabilities,
    wmts_from_capabilities,
    wmts_kvp_template,
    wmts_rest_template,
)
from tests.wmts_server import LAYER, PREFIX, SET, capabilities_xml

ORIGIN = "https://gis.city.example:8443/geoserver/gwc"


def test_rest_template_becomes_the_page_template_in_any_case_of_its_variables() -> None:
    template = "https://{s}.city.example/wmts/base/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png"
    assert wmts_rest_template(template, "EPSG:3857", "night", "EPSG:3857:") == (
        "https://{s}.city.example/wmts/base/night/EPSG:3857/EPSG:3857:{z}/{y}/{x}.png")
    lower = "https://a.example/tiles/{tilematrixset}/{tilematrix}/{tilerow}/{tilecol}"
    assert wmts_rest_template(lower, "GoogleMapsCompatible") == "https://a.example/tiles/GoogleMapsCompatible/{z}/{y}/{x}"


@pytest.mark.parametrize("template, message", [
    ("https://a.example/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}/{Time}.png", "cannot fill: {Time}"),
    ("https://a.example/{TileMatrix}/{TileCol}.png", "needs {TileMatrix}, {TileRow} and {TileCol}"),
])
def test_rest_templates_the_page_cannot_fill_are_refused(template: str, message: str) -> None:
    with pytest.raises(WmtsError, match=message.replace("{", r"\{").replace("}", r"\}")):
        wmts_rest_template(template, "GoogleMapsCompatible")


def test_kvp_template_carries_the_matrix_prefix() -> None:
    url = wmts_kvp_template("https://gis.example/gwc/service/wmts?", "city:base", "EPSG:900913",
                            matrix_prefix="EPSG:900913:")
    assert "TILEMATRIXSET=EPSG:900913&" in url and "TILEMATRIX=EPSG:900913:{z}&TILEROW={y}&TILECOL={x}" in url


@pytest.mark.parametrize("matrix_set", ["c", "EPSG:4326", "EPSG:4490", "CRS84", "GlobalCRS84Quad"])
def test_latlon_matrix_sets_are_refused_with_the_reason(monkeypatch, matrix_set: str) -> None:
    monkeypatch.setenv("COMMANDWALL_BASE_MAPS", json.dumps([
        {"id": "tdt-c", "title": "经纬度", "kind": "wmts", "url": "https://a.example/vec_c/wmts", "layer": "vec",
         "matrix_set": matrix_set}]))
    with pytest.raises(ValidationError) as info:
        Settings()
    assert "latitude/longitude grid" in describe_invalid(info.value)
    assert "Web Mercator" in describe_invalid(info.value)


@pytest.mark.parametrize("entry, message", [
    ({"url": "https://a.example/{TileMatrix}/{TileRow}.png"}, "needs {TileMatrix}, {TileRow} and {TileCol}"),
    ({"url": "https://a.example/{TileRow}/{TileCol}.png", "layer": "a"}, "RESTful template"),
    ({"url": "https://a.example/{S}/wmts", "layer": "a", "subdomains": "ab"}, "RESTful template"),
    ({"url": "https://a.example/{s}{z}/wmts", "layer": "a", "subdomains": "ab"}, "RESTful template"),
    ({"url": "https://t{S}.a.example/{TileMatrix}/{TileRow}/{TileCol}.png"}, "with {s} needs subdomains"),
    ({"url": "https://a.example/wmts"}, "needs layer"),
    ({"url": "https://a.example/wmts", "layer": "a", "capabilities": "/tmp/c.xml"}, "either url or capabilities"),
    ({"capabilities": "/tmp/c.xml"}, "needs layer"),
    ({"url": "https://a.example/wmts", "layer": "a", "matrix_prefix": "EPSG:3857:{z}"}, "matrix_prefix"),
])
def test_bad_wmts_settings_are_refused(monkeypatch, entry: dict, message: str) -> None:
    monkeypatch.setenv("COMMANDWALL_BASE_MAPS", json.dumps([{"id": "w", "title": "w", "kind": "wmts", **entry}]))
    with pytest.raises(ValidationError) as info:
        Settings()
    assert message in describe_invalid(info.value)


def test_a_kvp_url_may_carry_the_subdomain_variable_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, base_maps=[
        {"id": "kvp", "title": "城市KVP", "kind": "wmts", "url": "http://gis{s}.city.example/{s}/wmts",
         "layer": "city:base", "subdomains": "12"}])
    catalogue, problems = base_map_catalogue(settings, district_map=tmp_path / "none.mbtiles")
    assert problems == [] and catalogue.hosts() == ["http://gis1.city.example", "http://gis2.city.example"]


def test_settings_make_rest_and_prefixed_kvp_base_maps(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, base_maps=[
        {"id": "rest", "title": "城市REST", "kind": "wmts", "matrix_set": SET, "matrix_prefix": PREFIX,
         "url": ORIGIN + "/rest/city:base/{style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}?format=image/png"},
        {"id": "kvp", "title": "城市KVP", "kind": "wmts", "url": "http://10.2.3.4:8080/gwc/service/wmts",
         "layer": "city:base", "matrix_set": "EPSG:3857", "matrix_prefix": "EPSG:3857:", "format": "image/jpeg"},
    ])
    catalogue, problems = base_map_catalogue(settings, district_map=tmp_path / "none.mbtiles")
    assert problems == []
    rest, kvp = catalogue.page_payload("rest")["items"]
    assert rest["url"] == ORIGIN + "/rest/city:base/default/EPSG:900913/EPSG:900913:{z}/{y}/{x}?format=image/png"
    assert "TILEMATRIX=EPSG:3857:{z}&" in kvp["url"] and "FORMAT=image/jpeg" in kvp["url"]
    assert catalogue.hosts() == ["http://10.2.3.4:8080", "https://gis.city.example:8443"]


def test_capabilities_pick_the_web_mercator_set_its_prefix_format_and_template() -> None:
    choice = wmts_from_capabilities(capabilities_xml(ORIGIN, zooms=range(3, 19)), LAYER)
    assert choice.matrix_set == SET  # EPSG:4326 is linked first and passed over
    assert choice.image_format == "image/png" and choice.style == "default"
    assert (choice.min_zoom, choice.max_zoom) == (3, 18)
    assert choice.url == f"{ORIGIN}/rest/{LAYER}/default/{SET}/{PREFIX}{{z}}/{{y}}/{{x}}.png"
    kvp = wmts_from_capabilities(capabilities_xml(ORIGIN, rest=False), LAYER, image_format="image/jpeg")
    assert kvp.url.startswith(ORIGIN + "/wmts?SERVICE=WMTS&REQUEST=GetTile")
    assert f"LAYER={LAYER}&" in kvp.url and f"TILEMATRIX={PREFIX}{{z}}&" in kvp.url and "FORMAT=image/jpeg" in kvp.url


@pytest.mark.parametrize("kwargs, message", [
    ({"layer": "nope"}, "no layer 'nope' (it has: other:roads, xuecheng:base)"),
    ({"layer": LAYER, "matrix_set": "w"}, "no tile matrix set 'w'"),
    ({"layer": LAYER, "image_format": "image/webp"}, "no format 'image/webp'"),
    ({"layer": "other:roads"}, "c: its CRS urn:ogc:def:crs:EPSG::4490 is a latitude/longitude grid, not Web Mercator"),
    ({"layer": LAYER, "matrix_set": "EPSG:4326"}, "EPSG:4326: its CRS urn:ogc:def:crs:EPSG::4326 is a latitude"),
])
def test_capabilities_refuse_with_the_reason(kwargs: dict, message: str) -> None:
    layer = kwargs.pop("layer")
    with pytest.raises(WmtsError) as info:
        wmts_from_capabilities(capabilities_xml(ORIGIN), layer, **kwargs)
    assert message in str(info.value)


def test_capabilities_with_ids_that_are_not_zoom_levels_are_refused() -> None:
    document = capabilities_xml(ORIGIN, sets=(SET,)).replace(b">EPSG:900913:7<", b">L07<")
    with pytest.raises(WmtsError, match="TileMatrix ids are not the zoom levels"):
        wmts_from_capabilities(document, LAYER)


def test_capabilities_parser_expands_no_entities_and_loads_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    document = capabilities_xml(ORIGIN).replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'.encode())
    document = document.replace("<ows:Title>薛城底图</ows:Title>".encode(), b"<ows:Title>&x;</ows:Title>")
    root = read_capabilities(document)
    assert b"TOPSECRET" not in __import__("lxml.etree", fromlist=["tostring"]).tostring(root)
    for bad, message in [(b"<html/>", "not a WMTS 1.0.0 Capabilities"), (b"\x00\x01", "not XML"),
                         (b'<ExceptionReport xmlns="http://www.opengis.net/ows/1.1"><Exception><ExceptionText>'
                          b"layer unknown</ExceptionText></Exception></ExceptionReport>", "layer unknown")]:
        with pytest.raises(WmtsError, match=message):
            read_capabilities(bad)


def test_a_capabilities_file_configures_a_base_map_and_a_bad_one_is_reported(tmp_path: Path) -> None:
    good, bad = tmp_path / "city.xml", tmp_path / "tdt.xml"
    good.write_bytes(capabilities_xml(ORIGIN, zooms=range(0, 17)))
    bad.write_bytes(capabilities_xml(ORIGIN, sets=("c",)))
    settings = Settings(data_dir=tmp_path, base_maps=[
        {"id": "city", "title": "城市", "kind": "wmts", "layer": LAYER, "capabilities": good, "min_zoom": 10},
        {"id": "latlon", "title": "经纬度", "kind": "wmts", "layer": LAYER, "capabilities": bad},
        {"id": "gone", "title": "缺文件", "kind": "wmts", "layer": LAYER, "capabilities": tmp_path / "no.xml"},
    ])
    catalogue, problems = base_map_catalogue(settings, district_map=tmp_path / "none.mbtiles")
    assert problems == ["底图 经纬度 不可用：服务说明不适用于本地图（详见日志）", "底图 缺文件 不可用：找不到 no.xml"]
    (city,) = catalogue.page_payload("city")["items"]
    assert city["url"].endswith(f"/{SET}/{PREFIX}{{z}}/{{y}}/{{x}}.png")
    assert (city["minZoom"], city["maxZoom"]) == (10, 16)
    assert catalogue.hosts() == ["https://gis.city.example:8443"]


def test_capabilities_mode_uses_the_documents_default_style_unless_one_is_configured(tmp_path: Path) -> None:
    rest, kvp = tmp_path / "rest.xml", tmp_path / "kvp.xml"
    rest.write_bytes(capabilities_xml(ORIGIN, style="normal"))
    kvp.write_bytes(capabilities_xml(ORIGIN, rest=False, style="normal"))
    spec = {"kind": "wmts", "layer": LAYER}
    settings = Settings(data_dir=tmp_path, base_maps=[
        {"id": "rest", "title": "REST", "capabilities": rest, **spec},
        {"id": "kvp", "title": "KVP", "capabilities": kvp, **spec},
        {"id": "night", "title": "夜间", "capabilities": rest, "style": "night", **spec}])
    catalogue, problems = base_map_catalogue(settings, district_map=tmp_path / "none.mbtiles")
    assert problems == []
    urls = [item["url"] for item in catalogue.page_payload("rest")["items"]]
    assert urls[0] == f"{ORIGIN}/rest/{LAYER}/normal/{SET}/{PREFIX}{{z}}/{{y}}/{{x}}.png"
    assert "&STYLE=normal&" in urls[1]
    assert urls[2] == f"{ORIGIN}/rest/{LAYER}/night/{SET}/{PREFIX}{{z}}/{{y}}/{{x}}.png"


def test_a_label_overlay_of_a_capabilities_base_map_gets_the_documents_matrix_prefix(tmp_path: Path) -> None:
    document = tmp_path / "city.xml"
    document.write_bytes(capabilities_xml(ORIGIN, style="normal"))
    assert wmts_from_capabilities(document.read_bytes(), LAYER).matrix_prefix == PREFIX
    settings = Settings(data_dir=tmp_path, base_maps=[
        {"id": "city", "title": "城市", "kind": "wmts", "layer": LAYER, "capabilities": document,
         "overlay_url": ORIGIN + "/rest/labels/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png"}])
    catalogue, problems = base_map_catalogue(settings, district_map=tmp_path / "none.mbtiles")
    assert problems == []
    (city,) = catalogue.page_payload("city")["items"]
    assert city["overlay"] == f"{ORIGIN}/rest/labels/normal/{SET}/{PREFIX}{{z}}/{{y}}/{{x}}.png"


def test_a_relative_capabilities_path_is_read_in_the_settings_folder(tmp_path: Path, monkeypatch) -> None:
    config, elsewhere = tmp_path / "config", tmp_path / "elsewhere"
    config.mkdir()
    elsewhere.mkdir()
    (config / "city.xml").write_bytes(capabilities_xml(ORIGIN))
    (elsewhere / "city.xml").write_bytes(capabilities_xml("https://wrong.example"))  # in the working folder
    monkeypatch.chdir(elsewhere)
    settings = Settings(data_dir=tmp_path, config_dir=config, base_maps=[
        {"id": "city", "title": "城市", "kind": "wmts", "layer": LAYER, "capabilities": "city.xml"}])
    catalogue, problems = base_map_catalogue(settings, district_map=tmp_path / "none.mbtiles")
    assert problems == [] and catalogue.hosts() == ["https://gis.city.example:8443"]


@pytest.mark.parametrize("change, message", [
    ((b"<ScaleDenominator>559082264.0287178<", b"<ScaleDenominator>inf<"), "no usable scale"),
    ((b"<ScaleDenominator>559082264.0287178<", b"<ScaleDenominator>1e-300<"), "not at a Web Mercator zoom"),
    ((b"<TileWidth>256</TileWidth>", b"<TileWidth>512</TileWidth>"), "the map draws 256"),
    ((b"<TileWidth>256</TileWidth>", b"<TileWidth>" + b"9" * 5000 + b"</TileWidth>"), "not readable"),
    ((b"<TopLeftCorner>", b"<TopLeftCorner>0 0 <!-- -->"), "not readable"),
])
def test_hostile_tile_matrices_are_refused_with_the_reason(change: tuple[bytes, bytes], message: str) -> None:
    document = capabilities_xml(ORIGIN, sets=(SET,)).replace(*change)
    with pytest.raises(WmtsError, match=message):
        wmts_from_capabilities(document, LAYER)


def test_a_document_naming_a_hostile_template_is_reported_not_drawn(tmp_path: Path) -> None:
    document = tmp_path / "evil.xml"
    document.write_bytes(capabilities_xml("javascript:alert(1)//", sets=(SET,)))
    huge = tmp_path / "huge.xml"
    huge.write_bytes(b" " * (20 * 1024 * 1024 + 1))
    settings = Settings(data_dir=tmp_path, base_maps=[
        {"id": "evil", "title": "恶意", "kind": "wmts", "layer": LAYER, "capabilities": document},
        {"id": "huge", "title": "过大", "kind": "wmts", "layer": LAYER, "capabilities": huge}])
    catalogue, problems = base_map_catalogue(settings, district_map=tmp_path / "none.mbtiles")
    assert problems == ["底图 恶意 不可用：设置有误（详见日志）",
                        "底图 过大 不可用：服务说明文件 huge.xml 超过 20 MB，未读取"]
    assert catalogue.base_maps == []
    with pytest.raises(WmtsError, match="larger than 20 MB"):
        read_capabilities(huge.read_bytes())


def test_names_in_a_rest_template_stay_one_path_segment_each() -> None:
    from commandwall.geo.basemaps import wmts_rest_template

    url = wmts_rest_template("https://tiles.example/wmts/{TileMatrixSet}/{Style}/{TileMatrix}/{TileRow}/{TileCol}.png",
                             "Web/Merc?x#y", style="{x}/../night", matrix_prefix="EPSG:900913:")  # fmt: skip
    assert url == ("https://tiles.example/wmts/Web%2FMerc%3Fx%23y/%7Bx%7D%2F..%2Fnight/EPSG:900913:{z}/{y}/{x}.png")
