"""The map page: local assets only, a fixed skeleton with a strict CSP, the static layers as data."""

from __future__ import annotations

import json
import re

import pytest

from commandwall import paths
from commandwall.geo.layers import Layer
from commandwall.mapdoc.page import (
    asset_urls,
    build_map_page,
    clean_style,
    point_styles,
    static_layers_json,
    static_layers_payload,
    style_function,
    style_tables,
    town_label_points,
)
from commandwall.mapdoc.strings import page_strings

DISTRICT_RING = [
    [117.16, 34.64],
    [117.47, 34.65],
    [117.46, 34.93],
    [117.30, 34.90],
    [117.17, 34.92],
    [117.16, 34.64],
]


def _polygon(ring: list[list[float]], **props: object) -> dict:
    return {
        "type": "Feature",
        "properties": dict(props),
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _box(x0: float, y0: float, x1: float, y1: float, **props: object) -> dict:
    return _polygon([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]], **props)


def sample_layers(town_name: str = "临城街道") -> list[Layer]:
    """Small hand-made layers shaped like the real ones (WGS84): district, 2 towns, 4 grids, 2 roads."""
    district = Layer(
        "district",
        "薛城区",
        "boundary",
        "EPSG:4326",
        {"color": "#00e5ff", "weight": 3},
        [_polygon(DISTRICT_RING, name="薛城区", code="370403")],
    )
    towns = Layer(
        "towns",
        "镇街",
        "towns",
        "EPSG:4548",
        {"color": "#78909c", "fillOpacity": 0.3},
        [
            _box(117.17, 34.66, 117.30, 34.88, code="370403001", name=town_name, type="街道"),
            _box(117.30, 34.66, 117.45, 34.88, code="370403002", name="常庄街道", type="街道"),
        ],
    )
    grids = Layer(
        "grids",
        "网格",
        "grids",
        "EPSG:4490",
        {"weight": 3},
        [
            _box(
                117.17 + i * 0.07,
                34.66,
                117.24 + i * 0.07,
                34.88,
                id=f"G-00{i}",
                name=f"第0{i}网格",
                town=town_name,
            )
            for i in range(4)
        ],
    )
    roads = Layer(
        "roads",
        "道路",
        "roads",
        "EPSG:4326",
        {"color": "#ffb74d"},
        [
            {
                "type": "Feature",
                "properties": {"name": "光明大道", "class": "主干道"},
                "geometry": {"type": "LineString", "coordinates": [[117.18, 34.70], [117.44, 34.80]]},
            },
            {
                "type": "Feature",
                "properties": {"name": "泰山路", "class": "支路"},
                "geometry": {"type": "LineString", "coordinates": [[117.25, 34.67], [117.26, 34.87]]},
            },
        ],
    )
    cameras = Layer(
        "cameras",
        "摄像头",
        "cameras",
        "GCJ-02",
        {},
        [
            {
                "type": "Feature",
                "properties": {"id": "CAM-0001", "name": "x"},
                "geometry": {"type": "Point", "coordinates": [117.3, 34.8]},
            },
        ],
    )
    return [district, towns, grids, roads, cameras]


@pytest.fixture(scope="module")
def page() -> str:
    return build_map_page(sample_layers())


def test_assets_are_local_only(page: str) -> None:
    urls = asset_urls(page)
    assert urls, "the page links no scripts or styles"
    assert all(url.startswith("cw://app/") for url in urls), urls
    assert not re.search(r"https?://", page), "an http(s) URL is left in the page"
    for name in ("bootstrap", "awesome", "fontawesome", "glyphicons", "cdn."):
        assert name not in page.lower()


def test_local_assets_exist_in_web_dir(page: str) -> None:
    for url in asset_urls(page):
        if url.startswith("cw://app/web/"):
            path = paths.web_dir() / url.removeprefix("cw://app/web/")
            assert path.is_file(), f"{url} is not installed (npm ci in resources/web?)"
    assert "cw://app/qwebchannel.js" in asset_urls(page)


def test_leaflet_is_the_pinned_version() -> None:
    lock = json.loads((paths.web_dir() / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/leaflet"]["version"] == "1.9.4"
    # Only what the page loads ships: jQuery went with folium's popups.
    assert "node_modules/jquery" not in lock["packages"]


def test_asset_base_is_honoured() -> None:
    html = build_map_page(sample_layers(), asset_base="cw://app/assets")
    urls = asset_urls(html)
    assert "cw://app/assets/node_modules/leaflet/dist/leaflet.js" in urls
    assert "cw://app/assets/cw-map.js" in urls
    assert "cw://app/qwebchannel.js" in urls


def _page_config(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="cw-config">(.*?)</script>', page, re.DOTALL)
    assert match, "the page has no config block"
    return json.loads(match.group(1))


def test_page_is_a_skeleton_with_numbers_and_its_own_words_only(page: str) -> None:
    config = _page_config(page)
    # the page's own words (mapdoc.strings, Chinese without a translator) and locale; nothing from the layers
    assert config.pop("strings") == page_strings() and config.pop("locale") == "zh-CN"
    assert config == {"center": [34.785, 117.315], "zoom": 11, "bounds": [[34.64, 117.16], [34.93, 117.47]],
                      "unitStaleMinutes": 5}
    body = page.replace("<title>薛城区 一张图</title>", "")  # the window title is ours
    for text in ("薛城区", "临城街道", "光明大道", "主干道", "117.47, 34.65", "镇街"):
        assert text not in body
    # the same skeleton whatever the names
    assert build_map_page(sample_layers(town_name="另一个名字")) == page


def test_static_layers_payload_carries_the_district(page: str) -> None:
    data = static_layers_payload(sample_layers())
    kinds = [ref["kind"] for ref in data["layers"]]
    assert kinds == ["towns", "grids", "roads", "boundary"]  # bottom to top; cameras are pushed as data
    assert [ref["title"] for ref in data["layers"]] == ["镇街", "网格", "道路", "薛城区"]
    assert data["bounds"] == [[34.64, 117.16], [34.93, 117.47]]
    district = data["layers"][-1]["data"]["features"][0]
    assert district["properties"] == {"name": "薛城区"}  # only the names travel
    assert [117.47, 34.65] in district["geometry"]["coordinates"][0]
    roads = data["layers"][2]
    assert [f["properties"] for f in roads["data"]["features"]] == [
        {"name": "光明大道", "class": "主干道"},
        {"name": "泰山路", "class": "支路"},
    ]
    assert roads["classes"]["支路"]["weight"] == pytest.approx(1.2)
    assert data["labels"]["title"] == "镇街名称"
    assert sorted(p["name"] for p in data["labels"]["points"]) == ["临城街道", "常庄街道"]
    text = static_layers_json(sample_layers())
    assert text.isascii() and json.loads(text) == data


def test_town_labels_are_data_not_markup() -> None:
    name = '<img src=x onerror="alert(1)">街道</script>'
    html = build_map_page(sample_layers(town_name=name))
    assert "<img" not in html and "onerror" not in html and "街道" not in html
    assert html.count("</script>") == len(re.findall(r"<script\b", html))
    points = static_layers_payload(sample_layers(town_name=name))["labels"]["points"]
    assert name in [p["name"] for p in points]  # as it is: the page sets it as textContent


def test_csp_allows_no_inline_script(page: str) -> None:
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert meta and page.index(meta.group(0)) < page.index("<script")
    policy = meta.group(1).replace("&#x27;", "'")
    script_src = policy.split("script-src")[1].split(";")[0]
    assert script_src.split() == ["'self'", "cw:"]  # no 'unsafe-inline', no hashes: no inline script runs
    assert re.findall(r"<script>", page) == []  # every script is a file, the config block is JSON data
    assert "default-src 'none'" in policy and "base-uri 'none'" in policy


def test_town_label_points_lie_inside() -> None:
    town = _polygon([[0, 0], [10, 0], [10, 1], [1, 1], [1, 10], [0, 10], [0, 0]], name="L形")
    [(name, lat, lon)] = town_label_points([town])
    assert name == "L形"
    assert (0 <= lon <= 1 and 0 <= lat <= 10) or (0 <= lon <= 10 and 0 <= lat <= 1)


def test_clean_style_rejects_markup_and_keeps_grids_thin() -> None:
    style = clean_style("grids", {"color": "red</script>", "weight": 5, "fillOpacity": 7, "onclick": "x"})
    assert style["color"] == "#546e7a"
    assert style["weight"] == 1.0
    assert style["fillOpacity"] == 1.0
    assert "onclick" not in style
    assert clean_style("boundary", {"color": "#ABCDEF"})["color"] == "#ABCDEF"


def test_layer_features_are_not_mutated() -> None:
    layers = sample_layers()
    before = json.dumps([layer.features for layer in layers], sort_keys=True)
    build_map_page(layers)
    assert json.dumps([layer.features for layer in layers], sort_keys=True) == before


def test_empty_layers_still_give_a_page() -> None:
    html = build_map_page([])
    assert "cw-map.js" in html
    assert _page_config(html)["bounds"] is None
    assert static_layers_payload([]) == {"layers": [], "labels": None, "bounds": None, "styles": {}}


def test_manifest_tables_style_features() -> None:
    towns = style_function(
        "towns", {"fillColor": "#111111", "palette": {"临城街道": "#29b6f6", "坏": "red;x"}}
    )
    assert towns({"properties": {"name": "临城街道"}})["fillColor"] == "#29b6f6"
    assert towns({"properties": {"name": "坏"}})["fillColor"] == "#111111"
    roads = style_function(
        "roads",
        {"weight": 1.5, "dashArray": "6 4", "classes": {"主干道": {"color": "#ffb74d", "weight": 3.5}}},
    )
    main = roads({"properties": {"class": "主干道"}})
    assert (main["color"], main["weight"], main["dashArray"], main["fill"]) == ("#ffb74d", 3.5, "6 4", False)
    assert roads({"properties": {"class": "支路"}})["weight"] == pytest.approx(0.7)
    assert roads({"properties": {}})["weight"] == 1.5
    assert "dashArray" not in clean_style("roads", {"dashArray": "6 4</script>"})


def test_point_styles_from_manifest() -> None:
    layers = [
        Layer(
            "cameras", "摄像头", "cameras", "GCJ-02", {"fillColor": "#00e676", "offlineColor": "#757575"}, []
        ),
        Layer(
            "units",
            "力量",
            "units",
            "EPSG:4326",
            {"departments": {"公安": "#448aff", "消防": "javascript:"}},
            [],
        ),
        Layer("resources", "资源", "resources", "EPSG:4527", {"types": {"hospital": "#ff5252"}}, []),
    ]
    assert point_styles(layers) == {
        "cameras": {"online": "#00e676", "offline": "#757575"},
        "units": {"公安": "#448aff"},
        "resources": {"hospital": "#ff5252"},
    }
    assert static_layers_payload(layers)["styles"]["cameras"]["offline"] == "#757575"


def test_style_tables_are_the_style_function_as_data() -> None:
    raw = {"fillColor": "#111111", "palette": {"临城街道": "#29b6f6", "坏": "red;x", "__proto__": "#222222"}}
    tables = style_tables("towns", raw)
    assert tables["palette"] == {"临城街道": "#29b6f6", "__proto__": "#222222"}
    assert "classes" not in tables and tables["style"] == clean_style("towns", raw)
