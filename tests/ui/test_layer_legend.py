"""The layer tree's legend: each layer's symbol as the map draws it — a round marker for points, a line for
lines, a filled square with its outline for polygons, in the layer's colours — a row per geometry type for a
mixed layer, and a row per category (road class, town) for a layer the map styles by category. Real widgets;
the categories also through the platform catalogue as the desk gets it."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from commandwall import paths
from commandwall.app.platform_layers import CatalogueLayer, catalogue_result
from commandwall.app.user_layers import UserLayer, UserLayersController
from commandwall.backend.parsing import LayerInfo
from commandwall.geo.layers import load_layers
from commandwall.geo.sources import LayerSourceSpec, SourceResult, load_source
from commandwall.mapdoc.page import style_tables
from commandwall.ui.map.layer_tree import LEGEND_ICON_SIZE, LayerTreeFeature, LayerTreeWidget
from commandwall.ui.map.view import MapView
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)

RED, GREEN, BLUE = "#e53935", "#43a047", "#1e88e5"
MIDDLE = LEGEND_ICON_SIZE // 2
POINT = {"type": "Point", "coordinates": [117.3, 34.8]}
LINE = {"type": "LineString", "coordinates": [[117.3, 34.8], [117.31, 34.81]]}
POLYGON = {"type": "Polygon", "coordinates": [[[117.3, 34.8], [117.31, 34.8], [117.31, 34.81], [117.3, 34.8]]]}


def layer(key: str, color: str, *geometries: dict, properties: list[dict] | None = None,
          category_styles: dict | None = None) -> UserLayer:
    """A layer read (as a worker reads it: its report and legend summary made with the read)."""
    spec = LayerSourceSpec(id=key, title=key, kind="geojson", path=Path(f"/tmp/{key}.geojson"), color=color)
    props = properties or [{} for _ in geometries]
    features = [{"type": "Feature", "geometry": g, "properties": p} for g, p in zip(geometries, props, strict=True)]
    read = UserLayer(spec, category_styles=category_styles)
    read.take(SourceResult(spec=spec, features=features))
    return read


def image(icon) -> QImage:
    return icon.pixmap(LEGEND_ICON_SIZE, LEGEND_ICON_SIZE).toImage().convertToFormat(QImage.Format.Format_ARGB32)


def rgba(img: QImage, x: int, y: int) -> tuple[int, int, int, int]:
    c = img.pixelColor(x, y)
    return c.red(), c.green(), c.blue(), c.alpha()


def near(pixel: tuple[int, int, int, int], color: str, alpha: int, slack: int = 12) -> bool:
    """``pixel`` is ``color`` at about ``alpha`` (0–255); colours compared unpremultiplied."""
    want = QColor(color)
    wanted = (want.red(), want.green(), want.blue())
    return abs(pixel[3] - alpha) <= slack and all(abs(a - b) <= slack for a, b in zip(pixel[:3], wanted, strict=True))


def is_transparent(pixel: tuple[int, int, int, int]) -> bool:
    return pixel[3] == 0


@pytest.fixture
def tree(qtbot) -> LayerTreeWidget:
    widget = LayerTreeWidget()
    qtbot.addWidget(widget)
    widget.show_layers([layer("pts", RED, POINT, POINT), layer("lines", GREEN, LINE),
                        layer("areas", BLUE, POLYGON), layer("mixed", RED, POLYGON, POINT, LINE),
                        UserLayer(LayerSourceSpec(id="later", title="later", kind="geojson",
                                                  path=Path("/tmp/later.geojson"), color=GREEN))])
    return widget


def test_a_point_layer_shows_a_round_marker_in_its_colour_with_the_dark_outline(tree) -> None:
    ((label, icon),) = tree.legend("pts")  # one kind of thing: the symbol is the layer row's own icon
    assert label == ""
    img = image(icon)
    assert near(rgba(img, MIDDLE, MIDDLE), RED, round(0.9 * 255))  # filled as the page fills markers
    assert is_transparent(rgba(img, 0, 0)) and is_transparent(rgba(img, LEGEND_ICON_SIZE - 1, 0))  # round
    top = [rgba(img, MIDDLE, y) for y in range(MIDDLE)]
    assert any(p[3] > 80 and max(p[:3]) < 100 for p in top)  # the marker's dark outline #0b1622


def test_a_line_layer_shows_a_line_in_its_colour(tree) -> None:
    ((_, icon),) = tree.legend("lines")
    img = image(icon)
    assert all(near(rgba(img, x, MIDDLE), GREEN, 255, slack=40) or near(rgba(img, x, MIDDLE - 1), GREEN, 255, 40)
               for x in range(2, LEGEND_ICON_SIZE - 2))  # across the symbol …
    assert all(is_transparent(rgba(img, x, 2)) and is_transparent(rgba(img, x, LEGEND_ICON_SIZE - 3))
               for x in range(LEGEND_ICON_SIZE))  # … and nothing above or below: no fill


def test_a_polygon_layer_shows_a_filled_square_with_its_outline(tree) -> None:
    ((_, icon),) = tree.legend("areas")
    img = image(icon)
    assert near(rgba(img, MIDDLE, MIDDLE), BLUE, round(0.25 * 255))  # the page's 25 % fill …
    edge = [rgba(img, x, MIDDLE) for x in range(MIDDLE)]
    assert any(near(p, BLUE, 255, slack=40) for p in edge)  # … inside a solid outline
    assert is_transparent(rgba(img, 0, 0))


def test_a_mixed_layer_lists_a_row_per_geometry_type_and_an_unread_one_its_colour(tree) -> None:
    rows = tree.legend("mixed")
    assert [label for label, _ in rows] == ["点", "线", "面"]
    point, line, polygon = (image(icon) for _, icon in rows)
    assert near(rgba(point, MIDDLE, MIDDLE), RED, round(0.9 * 255))
    assert is_transparent(rgba(line, MIDDLE, 2)) and rgba(line, MIDDLE, MIDDLE)[3] > 200
    assert near(rgba(polygon, MIDDLE, MIDDLE), RED, round(0.25 * 255))
    assert tree.item("mixed").isExpanded()
    ((_, icon),) = tree.legend("later")  # nothing read yet: a plain swatch of its colour
    assert near(rgba(image(icon), 0, 0), GREEN, 255, slack=2)


def test_a_layer_styled_by_category_lists_each_category_in_its_style(tree) -> None:
    roads = layer("roads", "#ffcc80", LINE, LINE, LINE, LINE,
                  properties=[{"class": "支路"}, {"class": "主干道"}, {"class": "支路"}, {"class": "乡道"}],
                  category_styles=style_tables("roads", {
                      "color": "#ffcc80", "weight": 1.5, "classes": {"主干道": {"color": "#ff0000", "weight": 3.5}}}))
    tree.show_layers([roads])
    rows = tree.legend("roads")
    assert [label for label, _ in rows] == ["主干道", "支路", "其他"]  # the style's order; unknown classes last
    main, minor, other = (image(icon) for _, icon in rows)
    assert near(rgba(main, MIDDLE, MIDDLE), "#ff0000", 255, slack=40)
    thickness = [sum(1 for y in range(LEGEND_ICON_SIZE) if rgba(img, MIDDLE, y)[3] > 100) for img in (main, minor)]
    assert thickness[0] > thickness[1]  # 主干道 drawn thicker than 支路, as on the map
    centre = rgba(other, MIDDLE, MIDDLE)  # the base style's 1.5 px line: its colour, partly covering the pixel
    assert near((*centre[:3], 255), "#ffcc80", 255, slack=8) and centre[3] > 100


def test_the_platform_catalogue_gives_the_towns_and_road_classes_their_rows(qtbot, tmp_path: Path) -> None:
    view = MapView()  # the feature registers its bridge on the map's web channel; no page needed here
    qtbot.addWidget(view)
    feature = LayerTreeFeature(UserLayersController([], config_dir=tmp_path), view)
    qtbot.addWidget(feature.widget)
    layers = load_layers(paths.layers_dir()).layers
    entries = [CatalogueLayer(LayerInfo(la.id, la.title, la.kind, "EPSG:4326", la.style, f"/collections/{la.id}/items",
                                        len(la.features)), features=la.features, fetched_at=1.0)
               for la in layers.values() if la.kind in ("towns", "roads")]
    feature.show_platform(entries, "http://127.0.0.1:9")
    qtbot.waitUntil(lambda: feature.widget.item("platform:towns") is not None, timeout=10000)
    towns = feature.widget.legend("platform:towns")
    palette = layers["towns"].style["palette"]
    assert [label for label, _ in towns] == list(palette)  # the nine towns, each in its own fill
    for (label, icon) in towns:
        assert near(rgba(image(icon), MIDDLE, MIDDLE), palette[label], round(0.1 * 255), slack=10)
    roads = feature.widget.legend("platform:roads")
    assert [label for label, _ in roads] == ["主干道", "次干道", "支路"]
    feature.shutdown()


def test_the_local_layer_folder_gives_the_towns_and_road_classes_their_rows(qtbot, tmp_path: Path) -> None:
    """Standing in for the platform's catalogue, the folder's towns and roads are drawn by town and road class:
    their legends say so, as the platform's do."""
    view = MapView()
    qtbot.addWidget(view)
    feature = LayerTreeFeature(UserLayersController([], config_dir=tmp_path), view)
    qtbot.addWidget(feature.widget)
    layers = load_layers(paths.layers_dir()).layers
    feature.show_local(list(layers.values()), [], paths.layers_dir(), "catalogue down")
    qtbot.waitUntil(lambda: feature.widget.item("local:towns") is not None, timeout=10000)
    towns = feature.widget.legend("local:towns")
    palette = layers["towns"].style["palette"]
    assert [label for label, _ in towns] == list(palette)  # the nine towns, each in its own fill
    for (label, icon) in towns:
        assert near(rgba(image(icon), MIDDLE, MIDDLE), palette[label], round(0.1 * 255), slack=10)
    assert [label for label, _ in feature.widget.legend("local:roads")] == ["主干道", "次干道", "支路"]
    feature.shutdown()


def test_a_new_read_of_a_layer_gives_its_new_legend(tree) -> None:
    pts = layer("pts", RED, POINT)
    tree.show_layers([pts])
    assert [label for label, _ in tree.legend("pts")] == [""]
    fresh = layer("pts", RED, POINT, POLYGON)  # the source now has areas too
    pts.take(fresh.result)
    tree.update_layer(pts)
    assert [label for label, _ in tree.legend("pts")] == ["点", "面"]
    tree.show_layers([pts])  # drawn again (an order change): the same rows, from the kept legend
    assert [label for label, _ in tree.legend("pts")] == ["点", "面"]


class WatchedFeatures(list):
    """A read layer's features that note the thread of every walk over them."""

    def __init__(self, features: list) -> None:
        super().__init__(features)
        self.walked_on: list[int] = []

    def __iter__(self):
        self.walked_on.append(threading.get_ident())
        return super().__iter__()


def test_the_tree_shows_a_read_layers_legend_without_walking_its_features_on_the_gui_thread(
        qtbot, tmp_path: Path) -> None:
    """A city's layer has 100 000 features: seeing its shapes and categories is the reading worker's job (with
    the report), and the tree only draws the rows. A user layer read from its file, and the platform's roads read
    again through the catalogue's loader, each get their legend; their features are walked on workers only."""
    path = tmp_path / "mixed.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": g, "properties": {"name": n}} for g, n in ((POLYGON, "a"), (POINT, "b"),
                                                                                   (LINE, "c"))]}), "utf-8")
    read: list[WatchedFeatures] = []

    def watched(result: SourceResult) -> SourceResult:
        result.features = WatchedFeatures(result.features)
        read.append(result.features)
        return result

    spec = LayerSourceSpec(id="mixed", title="混合", kind="geojson", path=path, color=RED)
    controller = UserLayersController([spec], config_dir=tmp_path,
                                      loader=lambda s, previous=None: watched(load_source(s)))
    view = MapView()
    qtbot.addWidget(view)
    feature = LayerTreeFeature(controller, view)
    qtbot.addWidget(feature.widget)
    qtbot.waitUntil(lambda: [label for label, _ in feature.widget.legend("mixed")] == ["点", "线", "面"],
                    timeout=10000)

    roads = load_layers(paths.layers_dir()).layers["roads"]
    entry = CatalogueLayer(LayerInfo(roads.id, roads.title, roads.kind, "EPSG:4326", roads.style,
                                     "/collections/roads/items", len(roads.features)), features=roads.features,
                           fetched_at=1.0)
    feature.show_platform([entry], "http://127.0.0.1:9",
                          loader=lambda _key: watched(catalogue_result(entry, "http://127.0.0.1:9")))
    qtbot.waitUntil(lambda: feature.widget.item("platform:roads") is not None, timeout=10000)
    with qtbot.waitSignal(feature.bridge.layer_changed, timeout=10000):
        feature.reload("platform:roads")
    assert controller.get("platform:roads").result.features is read[-1]
    assert [label for label, _ in feature.widget.legend("platform:roads")] == ["主干道", "次干道", "支路"]
    gui = threading.get_ident()
    assert len(read) == 2 and all(features.walked_on for features in read)  # the workers saw them …
    assert [gui in features.walked_on for features in read] == [False, False]  # … the GUI thread never
    feature.shutdown()
