"""The folium-built map page: local assets only, the district drawn, text escaped, a strict CSP."""

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
    style_function,
    town_label_points,
)

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
    assert (
        "jquery" in json.loads((paths.web_dir() / "package.json").read_text(encoding="utf-8"))["dependencies"]
    )


def test_asset_base_is_honoured() -> None:
    html = build_map_page(sample_layers(), asset_base="cw://app/assets")
    urls = asset_urls(html)
    assert "cw://app/assets/node_modules/leaflet/dist/leaflet.js" in urls
    assert "cw://app/assets/cw-map.js" in urls
    assert "cw://app/qwebchannel.js" in urls


def _init_config(page: str) -> dict:
    match = re.search(r"CW\.init\((\{.*?\})\);", page, re.DOTALL)
    assert match, "CW.init(config) is not called"
    return json.loads(match.group(1))


def test_district_and_static_layers_are_drawn(page: str) -> None:
    config = _init_config(page)
    kinds = [ref["kind"] for ref in config["layers"]]
    assert kinds == ["towns", "grids", "roads", "boundary"]  # bottom to top; cameras are pushed as data
    assert config["bounds"] == [[34.64, 117.16], [34.93, 117.47]]
    for ref in config["layers"]:
        assert f"var {ref['var']} = L.geoJson(" in page
    assert config["map"] in page
    # the district polygon itself is embedded
    assert "[117.47, 34.65]" in page
    assert "\\u859b\\u57ce\\u533a" in page  # 薛城区, JSON-escaped in the script


def test_town_labels_are_escaped() -> None:
    html = build_map_page(sample_layers(town_name='<img src=x onerror="alert(1)">街道</script>'))
    assert "<img src=x" not in html
    assert "</script>街道" not in html
    # HTML-escaped for the label, then JSON-escaped inside the script
    assert "\\u0026lt;img src=x onerror=\\u0026quot;alert(1)\\u0026quot;\\u0026gt;" in html
    # only the page's own closing tags are left
    assert html.count("</script>") == len(re.findall(r"<script\b", html))


def test_csp_hashes_every_inline_script(page: str) -> None:
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert meta and page.index(meta.group(0)) < page.index("<script")
    inline = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(inline) >= 2
    assert meta.group(1).count("sha256-") == len(inline)
    assert "unsafe-inline&#x27;" not in meta.group(1).split("style-src")[0]  # no inline event handlers


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
    assert "CW.init(" in html
    assert _init_config(html)["bounds"] is None


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
    assert _init_config(build_map_page(layers))["styles"]["cameras"]["offline"] == "#757575"
