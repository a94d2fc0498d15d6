"""Offline base maps (MBTiles, tile folders), the base-map catalogue, its settings and the page's CSP hosts."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
from pathlib import Path

import pytest
from PIL import Image
from pydantic import ValidationError

from commandwall.app.map import base_map_catalogue
from commandwall.config import Settings, describe_invalid
from commandwall.geo.basemaps import (
    MAX_TILE_BYTES,
    NO_BASE_MAP,
    BaseMap,
    BaseMapCatalogue,
    MBTilesReader,
    TileFolderReader,
    TileRequestError,
    parse_tile_address,
    redact_url,
)
from commandwall.mapdoc.page import build_map_page, content_security_policy

KEY = "abcdef0123456789abcdef0123456789"


def png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(out, "PNG")
    return out.getvalue()


def make_mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes]) -> Path:
    """An MBTiles file whose rows are in TMS order; ``tiles`` is keyed by XYZ (z, x, y)."""
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE metadata (name TEXT, value TEXT);"
                     "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);")
    db.execute("INSERT INTO metadata VALUES ('bounds', '117.1,34.6,117.5,34.9')")
    for (z, x, y), data in tiles.items():
        db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (1 << z) - 1 - y, data))
    db.commit()
    db.close()
    return path


def test_mbtiles_reader_flips_tms_rows(tmp_path: Path) -> None:
    north, south = png((255, 0, 0)), png((0, 0, 255))
    reader = MBTilesReader(make_mbtiles(tmp_path / "m.mbtiles", {(2, 1, 0): north, (2, 1, 3): south}))
    assert reader.tile(2, 1, 0) == (north, "image/png")  # XYZ y=0 is TMS row 3
    assert reader.tile(2, 1, 3) == (south, "image/png")
    assert (reader.min_zoom, reader.max_zoom) == (2, 2)
    assert reader.bounds() == (117.1, 34.6, 117.5, 34.9)
    assert reader.tile(2, 2, 0) is None  # missing → not found
    assert reader.tile(5, 0, 0) is None


@pytest.mark.parametrize("z, x, y", [(-1, 0, 0), (2, 4, 0), (2, 0, -1), (25, 0, 0), (2, 1.5, 0), (True, 0, 0)])
def test_readers_refuse_addresses_outside_the_grid(tmp_path: Path, z, x, y) -> None:
    reader = MBTilesReader(make_mbtiles(tmp_path / "m.mbtiles", {(2, 1, 0): png((1, 2, 3))}))
    with pytest.raises(TileRequestError):
        reader.tile(z, x, y)


@pytest.mark.parametrize("parts", [("1", "0", "x"), ("..", "0", "0"), ("1", "-1", "0"), ("01e3", "0", "0"),
                                   ("99", "0", "0"), ("1", "2", "0"), ("1", "0", "0/../../etc")])
def test_hostile_path_parts_are_rejected(parts) -> None:
    with pytest.raises(TileRequestError):
        parse_tile_address(*parts)


def test_not_an_mbtiles_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mbtiles"
    bad.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ValueError, match="not an MBTiles file"):
        MBTilesReader(bad)
    with pytest.raises(FileNotFoundError):
        MBTilesReader(tmp_path / "missing.mbtiles")


def test_tile_folder_reader_serves_png_jpeg_webp_and_stays_inside(tmp_path: Path) -> None:
    root = tmp_path / "tiles"
    for (z, x, y), fmt in {(3, 1, 2): "PNG", (3, 1, 3): "JPEG", (4, 2, 2): "WEBP"}.items():
        (root / str(z) / str(x)).mkdir(parents=True, exist_ok=True)
        suffix = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}[fmt]
        Image.new("RGB", (4, 4), (9, 9, 9)).save(root / str(z) / str(x) / f"{y}.{suffix}", fmt)
    (tmp_path / "secret.png").write_bytes(png((0, 0, 0)))
    (root / "3" / "1" / "5.png").symlink_to(tmp_path / "secret.png")  # a link out of the folder
    reader = TileFolderReader(root)
    assert reader.tile(3, 1, 2)[1] == "image/png"
    assert reader.tile(3, 1, 3)[1] == "image/jpeg"
    assert reader.tile(4, 2, 2)[1] == "image/webp"
    assert (reader.min_zoom, reader.max_zoom) == (3, 4)
    assert reader.tile(3, 1, 5) is None
    assert reader.tile(3, 0, 0) is None


def test_catalogue_serves_offline_tiles_and_names_remote_hosts(tmp_path: Path) -> None:
    tile = png((5, 5, 5))
    local = BaseMap("local", "本地", reader=MBTilesReader(make_mbtiles(tmp_path / "m.mbtiles", {(1, 0, 0): tile})))
    city = BaseMap("city", "城市", url="https://tiles.city.example:8443/{z}/{x}/{y}.png")
    abc = BaseMap("abc", "abc", url="http://{s}.t.example/{z}/{x}/{y}", subdomains="ab")
    catalogue = BaseMapCatalogue([local, city, abc], default="city")
    assert catalogue.tile("local", 1, 0, 0) == (tile, "image/png")
    with pytest.raises(TileRequestError):
        catalogue.tile("city", 1, 0, 0)  # a remote map has no offline tiles
    assert catalogue.hosts() == ["http://a.t.example", "http://b.t.example", "https://tiles.city.example:8443"]
    assert catalogue.choose("abc") == "abc" and catalogue.choose("gone") == "city"
    assert catalogue.choose(NO_BASE_MAP) == NO_BASE_MAP
    entries = catalogue.page_payload("local")["items"]
    assert entries[0]["url"] == "cw://app/tiles/local/{z}/{x}/{y}"
    assert entries[0]["bounds"] == [[34.6, 117.1], [34.9, 117.5]]
    assert BaseMapCatalogue([]).default == NO_BASE_MAP


def test_settings_take_base_maps_as_json_and_keep_the_key_secret(monkeypatch, caplog, tmp_path) -> None:
    monkeypatch.setenv("COMMANDWALL_BASE_MAPS", json.dumps([
        {"id": "tdt-vec", "title": "天地图矢量", "kind": "tianditu", "layer": "vec"},
        {"id": "tdt-img", "title": "天地图影像", "kind": "tianditu", "layer": "img"},
        {"id": "city", "title": "城市底图", "kind": "wmts", "url": "https://gis.city.example/wmts",
         "layer": "base", "matrix_set": "EPSG:3857"},
    ]))
    monkeypatch.setenv("COMMANDWALL_TIANDITU_KEY", KEY)
    settings = Settings(data_dir=tmp_path)
    assert KEY not in repr(settings) and KEY not in str(settings.model_dump())
    caplog.set_level(logging.DEBUG)
    catalogue, problems = base_map_catalogue(settings, district_map=tmp_path / "none.mbtiles")
    assert problems == []
    vec = catalogue.page_payload("tdt-vec")["items"][0]
    assert "/vec_w/wmts?" in vec["url"] and "LAYER=vec" in vec["url"] and f"tk={KEY}" in vec["url"]
    assert "/cva_w/wmts?" in vec["overlay"] and "TILEMATRIX={z}" in vec["url"]
    assert catalogue.hosts() == ["https://gis.city.example"] + [f"https://t{i}.tianditu.gov.cn" for i in range(8)]
    assert KEY not in repr(catalogue.base_maps) and KEY not in caplog.text
    assert KEY not in redact_url(vec["url"]) and redact_url(vec["url"]).endswith("tk=***")


@pytest.mark.parametrize("entry, message", [
    ({"id": "t", "title": "t", "kind": "tianditu", "layer": "vec"}, "needs tianditu_key"),
    ({"id": "x", "title": "x", "kind": "xyz", "url": "https://a.example/{z}/{x}.png"}, "needs {z}, {x} and {y}"),
    ({"id": "x", "title": "x", "kind": "xyz", "url": "file:///etc/{z}/{x}/{y}"}, "http:// or https://"),
    ({"id": "x", "title": "x", "kind": "xyz", "url": "https://u:p@a.example/{z}/{x}/{y}"}, "user name or password"),
    ({"id": "x", "title": "x", "kind": "xyz", "url": "https://a.example/{z}/{x}/{y}?tk=SECRETVALUE1"}, "key"),
    ({"id": "x", "title": "x", "kind": "xyz", "url": "https://a.example/{z}/{x}/{y}'; script-src *"}, "quotes"),
    ({"id": "../x", "title": "x", "kind": "mbtiles", "path": "/tmp/a.mbtiles"}, "id"),
    ({"id": "x", "title": "x", "kind": "mbtiles"}, "needs path"),
    ({"id": "x", "title": "x", "kind": "wmts", "url": "https://a.example/wmts", "layer": "a b"}, "layer"),
    ({"id": "x", "title": "x", "kind": "xyz", "url": "http://[::1]:8080/{z}/{x}/{y}.png"}, "IPv6 literal"),
    ({"id": "x", "title": "x", "kind": "xyz", "url": "http://*.example.com/{z}/{x}/{y}.png"}, "wildcard"),
])
def test_bad_base_map_settings_are_refused_without_echoing_them(monkeypatch, entry, message) -> None:
    monkeypatch.setenv("COMMANDWALL_BASE_MAPS", json.dumps([entry]))
    with pytest.raises(ValidationError) as info:
        Settings()
    text = describe_invalid(info.value)
    assert message in text
    assert "SECRETVALUE1" not in text and "u:p@" not in text


def test_a_bad_offline_base_map_is_reported_and_the_rest_still_offered(tmp_path: Path) -> None:
    (tmp_path / "broken.mbtiles").write_bytes(b"x" * 2048)
    settings = Settings(data_dir=tmp_path, base_maps=[
        {"id": "broken", "title": "坏的", "kind": "mbtiles", "path": tmp_path / "broken.mbtiles"},
        {"id": "city", "title": "城市", "kind": "xyz", "url": "http://127.0.0.1:9/{z}/{x}/{y}.png"},
    ])
    district = make_mbtiles(tmp_path / "district.mbtiles", {(10, 0, 0): png((1, 1, 1))})
    catalogue, problems = base_map_catalogue(settings, district_map=district)
    assert [b.id for b in catalogue.base_maps] == ["city", "xuecheng"]
    assert problems == ["底图 坏的 不可用：broken.mbtiles 不是可用的 MBTiles 文件"]
    assert catalogue.default == "city"


def test_csp_allows_exactly_the_configured_tile_hosts() -> None:
    assert "img-src 'self' cw: data:;" in content_security_policy("cw")
    policy = content_security_policy("cw", ["https://t1.tianditu.gov.cn", "http://127.0.0.1:8080"])
    assert "img-src 'self' cw: data: http://127.0.0.1:8080 https://t1.tianditu.gov.cn;" in policy
    assert "connect-src 'self' cw:;" in policy and "script-src 'self' cw:;" in policy
    page = build_map_page(tile_hosts=["https://tiles.city.example"])
    assert "https://tiles.city.example" in page and page.count("tiles.city.example") == 1
    for bad in ["*", "https://*.example", "https://a.example/path", "https://a.example; script-src *", "data:"]:
        with pytest.raises(ValueError):
            content_security_policy("cw", [bad])


def test_a_tile_host_in_capitals_is_one_the_page_may_load_and_one_it_cannot_name_leaves_only_its_base_map_out(
        tmp_path: Path) -> None:
    """A host name in capitals is the same host: the page's policy names it in lower case (it was refused when
    the page was built, and the whole map stayed blank). A base map whose host the policy cannot name (an IPv6
    literal, from a capabilities document) is left out with its reason; the others and the map still work."""
    district = make_mbtiles(tmp_path / "district.mbtiles", {(10, 0, 0): png((1, 1, 1))})
    upper = BaseMap("upper", "大写", url="http://LOCALHOST:28731/ok/{z}/{x}/{y}.png")
    assert upper.hosts() == ["http://localhost:28731"]
    with pytest.raises(ValueError, match="IPv6 literal"):
        BaseMap("v6", "v6", url="http://[::1]:8080/{z}/{x}/{y}.png")
    settings = Settings(data_dir=tmp_path, base_maps=[
        {"id": "upper", "title": "大写", "kind": "xyz", "url": "http://LOCALHOST:28731/ok/{z}/{x}/{y}.png"}])
    catalogue, problems = base_map_catalogue(settings, district_map=district)
    assert problems == [] and [b.id for b in catalogue.base_maps] == ["upper", "xuecheng"]
    page = build_map_page(tile_hosts=catalogue.hosts())  # raised ValueError before
    assert "http://localhost:28731" in page


@pytest.mark.parametrize("bounds", ["nan,34.63,117.48,34.94", "117.1,34.6,inf,34.9", "117.5,34.6,117.1,34.9",
                                    "117.1,34.6,117.5,95", "-200,34.6,117.5,34.9", "117.1,34.6,117.5"])  # fmt: skip
def test_bounds_that_are_no_area_on_the_earth_are_none(tmp_path: Path, bounds: str) -> None:
    """"nan" in an MBTiles file's bounds went into the page's options, which could then not be written as JSON: the
    map page never loaded, blank, with nothing said."""
    path = make_mbtiles(tmp_path / "m.mbtiles", {(2, 1, 0): png((255, 0, 0))})
    with sqlite3.connect(path) as db:
        db.execute("UPDATE metadata SET value = ? WHERE name = 'bounds'", (bounds,))
    db.close()
    reader = MBTilesReader(path)
    try:
        assert reader.bounds() is None
        assert reader.tile(2, 1, 0) is not None  # its tiles are still served
    finally:
        reader.close()


def test_an_mbtiles_without_a_tile_index_is_said_at_open(tmp_path: Path, caplog) -> None:
    plain = make_mbtiles(tmp_path / "plain.mbtiles", {(2, 1, 0): png((1, 2, 3))})
    with caplog.at_level(logging.WARNING, logger="commandwall.geo.basemaps"):
        assert MBTilesReader(plain).indexed is False
    assert "plain.mbtiles has no index" in caplog.text
    indexed = make_mbtiles(tmp_path / "indexed.mbtiles", {(2, 1, 0): png((1, 2, 3))})
    db = sqlite3.connect(indexed)
    db.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
    db.commit()
    db.close()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="commandwall.geo.basemaps"):
        assert MBTilesReader(indexed).indexed is True
    assert "no index" not in caplog.text
    # the usual deduplicated layout: tiles is a view over map (indexed) and images (keyed by id)
    view = tmp_path / "view.mbtiles"
    db = sqlite3.connect(view)
    db.executescript(
        "CREATE TABLE metadata (name TEXT, value TEXT);"
        "CREATE TABLE map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_id TEXT);"
        "CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row);"
        "CREATE TABLE images (tile_data BLOB, tile_id TEXT PRIMARY KEY);"
        "CREATE VIEW tiles AS SELECT zoom_level, tile_column, tile_row, tile_data FROM map "
        "JOIN images ON images.tile_id = map.tile_id;")
    db.execute("INSERT INTO images VALUES (?, 'a')", (png((9, 9, 9)),))
    db.execute("INSERT INTO map VALUES (2, 1, 3, 'a')")
    db.commit()
    db.close()
    reader = MBTilesReader(view)
    assert reader.indexed is True and reader.tile(2, 1, 0) == (png((9, 9, 9)), "image/png")


def test_a_tile_over_the_size_cap_is_not_read(tmp_path: Path) -> None:
    big = png((1, 2, 3)) + b"\0" * MAX_TILE_BYTES
    reader = MBTilesReader(make_mbtiles(tmp_path / "m.mbtiles", {(2, 1, 0): big, (2, 1, 1): png((4, 5, 6))}))
    assert reader.tile(2, 1, 0) is None
    assert reader.tile(2, 1, 1) == (png((4, 5, 6)), "image/png")
    (tmp_path / "f" / "2" / "1").mkdir(parents=True)
    (tmp_path / "f" / "2" / "1" / "0.png").write_bytes(big)
    (tmp_path / "f" / "2" / "1" / "1.png").write_bytes(png((4, 5, 6)))
    folder = TileFolderReader(tmp_path / "f")
    assert folder.tile(2, 1, 0) is None
    assert folder.tile(2, 1, 1) == (png((4, 5, 6)), "image/png")
