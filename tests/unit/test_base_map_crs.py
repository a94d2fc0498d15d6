"""Base maps drawn in GCJ-02 / BD-09 (高德, 腾讯, 百度): a configured ``crs`` is read in the spellings the
geo tools know, AMap / Tencent / Baidu tile hosts imply it, anything else stays Web Mercator on WGS84."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from commandwall import paths
from commandwall.app.map import base_map_catalogue
from commandwall.config import Settings

AMAP = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
AMAP_SATELLITE = "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}"
TENCENT = "https://rt{s}.map.gtimg.com/tile?z={z}&x={x}&y={y}&styleid=1000&scene=0"
BAIDU = "https://maponline{s}.bdimg.com/tile/?qt=vtile&x={x}&y={y}&z={z}&styles=pl"


def xyz(base_map_id: str, url: str, **kw) -> dict:
    return {"id": base_map_id, "title": base_map_id, "kind": "xyz", "url": url, "subdomains": "1234", **kw}


def crs_of(tmp_path: Path, *entries: dict) -> dict[str, str]:
    settings = Settings(data_dir=tmp_path, base_maps=list(entries))
    catalogue, problems = base_map_catalogue(settings, district_map=tmp_path / "none.mbtiles")
    assert problems == []
    return {b.id: b.crs for b in catalogue.base_maps}


def test_known_tile_hosts_imply_their_crs(tmp_path: Path) -> None:
    assert crs_of(tmp_path, xyz("amap", AMAP), xyz("amap-sat", AMAP_SATELLITE), xyz("qq", TENCENT),
                  xyz("baidu", BAIDU), xyz("osm", "https://tile.example.org/{z}/{x}/{y}.png"),
                  xyz("lookalike", "https://tiles.notautonavi.com/{z}/{x}/{y}.png"),
                  xyz("labels", "https://tile.example.org/{z}/{x}/{y}.png", overlay_url=AMAP)) == {
        "amap": "GCJ-02", "amap-sat": "GCJ-02", "qq": "GCJ-02", "baidu": "BD-09", "osm": "EPSG:3857",
        "lookalike": "EPSG:3857", "labels": "GCJ-02"}


def test_a_configured_crs_is_read_in_any_known_spelling_and_wins(tmp_path: Path) -> None:
    local = "http://127.0.0.1:8080/{z}/{x}/{y}.png"
    district = paths.district_base_map()
    entries = [xyz("proxy", local, crs="gcj02"), xyz("bd", local, crs="bd09mc"), xyz("merc", local, crs="epsg:3857"),
               xyz("amap-fixed", AMAP, crs="EPSG:3857")]
    if district.is_file():
        entries.append({"id": "offline", "title": "离线高德", "kind": "mbtiles", "path": district, "crs": "GCJ-02"})
    found = crs_of(tmp_path, *entries)
    assert {k: v for k, v in found.items() if k != "offline"} == {
        "proxy": "GCJ-02", "bd": "BD-09", "merc": "EPSG:3857", "amap-fixed": "EPSG:3857"}
    assert found.get("offline", "GCJ-02") == "GCJ-02"


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:4548", "WGS84-ish", ""])
def test_a_crs_the_map_cannot_take_is_refused_with_the_choices(tmp_path: Path, crs: str) -> None:
    with pytest.raises(ValidationError, match="EPSG:3857, GCJ-02, BD-09"):
        Settings(data_dir=tmp_path, base_maps=[xyz("x", "http://127.0.0.1:8080/{z}/{x}/{y}.png", crs=crs)])


def test_a_shifted_base_map_says_so_in_its_switcher_title_for_as_long_as_it_is_offered() -> None:
    from commandwall.geo.basemaps import BaseMap

    gaode = BaseMap("gaode", "高德", url="https://webrd0{s}.is.autonavi.com/{z}/{x}/{y}", subdomains="1234",
                    crs="GCJ-02")
    baidu = BaseMap("baidu", "百度", url=BAIDU, subdomains="0123", crs="BD-09")
    plain = BaseMap("osm", "OSM", url="https://tile.example.org/{z}/{x}/{y}.png")
    assert gaode.page_entry()["title"] == "高德（GCJ-02：叠加偏移约0.5公里）"
    assert baidu.page_entry()["title"] == "百度（BD-09：百度网格，叠加无法对齐）"
    assert plain.page_entry()["title"] == "OSM"
