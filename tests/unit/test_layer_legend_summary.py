"""The legend's summary of a layer (no Qt): the shapes and categories its features hold, seen where the layer is
read — by the controller's read, and for the platform's and the local folder's layers as they are listed — so
the layer tree never walks the features itself."""

from __future__ import annotations

import json
from pathlib import Path

from commandwall import paths
from commandwall.app.platform_layers import CatalogueLayer
from commandwall.app.user_layers import UserLayersController, local_tree_layers, platform_tree_layers
from commandwall.backend.parsing import LayerInfo
from commandwall.geo.layers import load_layers
from commandwall.geo.sources import LayerSourceSpec
from commandwall.mapdoc.legend import LegendCategory, LegendSummary, legend_summary
from commandwall.mapdoc.page import style_tables

POINT = {"type": "Point", "coordinates": [117.3, 34.8]}
LINE = {"type": "LineString", "coordinates": [[117.3, 34.8], [117.31, 34.81]]}
POLYGON = {"type": "Polygon", "coordinates": [[[117.3, 34.8], [117.31, 34.8], [117.31, 34.81], [117.3, 34.8]]]}
ROADS = style_tables("roads", {"classes": {"乡道": {"color": "#00ff00"}}})
TOWNS = style_tables("towns", {"palette": {"沙沟镇": "#ffca28", "临城街道": "#29b6f6"}})


def feature(geometry: dict | None, **properties) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def test_the_shapes_of_a_layer_in_legend_order_collections_looked_into() -> None:
    nested = {"type": "GeometryCollection",
              "geometries": [{"type": "GeometryCollection", "geometries": [POLYGON]}, {"type": "Bogus"}]}
    assert legend_summary([feature(LINE), feature(POINT), feature(LINE)]) == LegendSummary(("point", "line"))
    assert legend_summary([feature(nested), feature(None), feature(LINE)]).shapes == ("line", "polygon")
    assert legend_summary([]) == LegendSummary()


def test_categories_follow_the_pages_rule_in_the_styles_order_and_the_rest_is_kept_by_shape() -> None:
    roads = [feature(LINE, **{"class": "支路"}), feature(LINE, **{"class": "乡道"}),
             feature(POLYGON, **{"class": "主干道"}), feature(LINE, **{"class": "主干道"}),
             feature(POINT, **{"class": "小路"}), feature(None, **{"class": "次干道"})]  # no geometry: in no row
    assert legend_summary(roads) == LegendSummary(("point", "line", "polygon"))  # no tables: the shapes only
    summary = legend_summary(roads, ROADS)
    assert summary.categories == (LegendCategory("class", "主干道", "polygon"),  # the shape of its first feature
                                  LegendCategory("class", "支路", "line"),
                                  LegendCategory("class", "乡道", "line"))  # known classes major first, then others
    assert summary.rest == ("point",) and summary.shapes == ("point", "line", "polygon")
    towns = legend_summary([feature(POLYGON, name="临城街道"), feature(POLYGON, name="沙沟镇"),
                            feature(POLYGON, name="无名"), feature(POLYGON, name=7)], TOWNS)
    assert [c.value for c in towns.categories] == ["沙沟镇", "临城街道"]  # as the palette lists them
    assert towns.rest == ("polygon",)


def test_the_controllers_read_makes_the_summary_with_the_report(tmp_path: Path) -> None:
    path = tmp_path / "mixed.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "features": [feature(POLYGON, name="a"), feature(POINT, name="b")]}), "utf-8")
    controller = UserLayersController([LayerSourceSpec(id="mixed", title="混合", kind="geojson", path=path)])
    layer = controller.get("mixed")
    assert layer.legend is None  # nothing read yet
    controller.load("mixed")
    assert layer.legend == LegendSummary(("point", "polygon")) and layer.category_styles is None
    assert "usable features: 2" in layer.report
    path.write_text("{broken", "utf-8")
    controller.load("mixed")  # a failed read: the last good one stays drawn, and so listed
    assert layer.legend == LegendSummary(("point", "polygon")) and layer.result.usable
    assert layer.status == "stale" and "JSON" in (layer.read_error or "")
    failing = UserLayersController([LayerSourceSpec(id="broken", title="坏", kind="geojson", path=path)])
    failing.load("broken")  # never read well: nothing to list
    assert failing.get("broken").legend == LegendSummary() and failing.get("broken").status == "error"


def test_the_local_folder_and_the_platforms_static_layers_come_with_their_categories(tmp_path: Path) -> None:
    layers = load_layers(paths.layers_dir()).layers
    palette = list(layers["towns"].style["palette"])
    local = {la.key: la for la in local_tree_layers(list(layers.values()), [("gone", "missing file")],
                                                    paths.layers_dir())}
    assert [c.value for c in local["local:towns"].legend.categories] == palette
    assert [c.value for c in local["local:roads"].legend.categories] == ["主干道", "次干道", "支路"]
    assert local["local:roads"].category_styles == style_tables("roads", layers["roads"].style)
    assert local["local:resources"].category_styles is None and local["local:resources"].legend.shapes == ("point",)
    assert local["local:gone"].legend == LegendSummary()
    entries = [CatalogueLayer(LayerInfo(la.id, la.title, la.kind, "EPSG:4326", la.style, f"/collections/{la.id}/items",
                                        len(la.features)), features=la.features, fetched_at=1.0)
               for la in layers.values() if la.kind in ("towns", "roads")]
    platform = {la.key: la for la in platform_tree_layers(entries, "http://127.0.0.1:9")}
    assert [c.value for c in platform["platform:towns"].legend.categories] == palette
    assert {c.shape for c in platform["platform:roads"].legend.categories} == {"line"}


def test_garbage_features_are_in_no_row_and_break_nothing() -> None:
    """What a broken source may hold where features should be: not objects, geometries that are strings or
    collections of junk, properties that are lists, categories that are numbers or objects, markup as a town."""
    junk = [None, "Feature", 7, [], {"geometry": "Point"}, {"geometry": {"type": 5}},
            {"geometry": {"type": "GeometryCollection", "geometries": "junk"}},
            {"geometry": {"type": "GeometryCollection", "geometries": [None, {"type": "Nope"}, POINT]}},
            {"geometry": POINT, "properties": ["class", "主干道"]},
            {"geometry": LINE, "properties": {"class": 5, "name": {"临城街道": 1}}},
            feature(POLYGON, name="<b>临城街道</b>{{7*7}}\u202e")]
    for tables in (None, ROADS, TOWNS):
        summary = legend_summary(junk, tables)
        assert summary.shapes == ("point", "line", "polygon")
        assert summary.categories == ()  # no value is one of the style's, however it is spelled
