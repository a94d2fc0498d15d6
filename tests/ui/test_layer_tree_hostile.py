"""The hostile corpus through the layer tree's own rows (real widgets): a local layer folder standing in for the
platform's catalogue whose manifest and files are hostile — layer titles and ids, broken layers' file names and
reasons, the catalogue's problem, town names and road classes the map styles by (their legend rows). Every text
shows as ``display_text`` of itself, as plain text: markup as its characters, bidi and invisible controls as
visible marks, long text cut; tooltips escaped."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem, QTreeWidgetItem

from commandwall import paths
from commandwall.app.platform_layers import CatalogueLayer
from commandwall.app.user_layers import UserLayersController
from commandwall.backend.parsing import LayerInfo
from commandwall.geo.layers import load_layers
from commandwall.textsafe import display_text
from commandwall.ui.map.layer_tree import MAX_LEGEND_ROWS, LayerTreeFeature, LayerTreeWidget
from commandwall.ui.map.view import MapView
from tests.hostile import corpus
from tests.ui.test_hostile_text import assert_nothing_hidden, plain_labels, tooltip_text
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)

TEXTS = [text for text in dict.fromkeys(corpus()) if text.strip()]  # names must not be blank
HALF = len(TEXTS) // 2
TOWNS, CLASSES = TEXTS[:HALF], TEXTS[HALF:]  # town names (palette) and road classes (classes), each a legend row


def _box(n: int, name: str) -> dict:
    west, south = 117.16 + 0.04 * (n % 8), 34.64 + 0.04 * (n // 8)
    ring = [[west, south], [west + 0.03, south], [west + 0.03, south + 0.03], [west, south + 0.03], [west, south]]
    return {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _road(n: int, road_class: str) -> dict:
    lon, lat = 117.16 + 0.01 * n, 34.70
    return {"type": "Feature", "properties": {"name": f"路{n}", "class": road_class},
            "geometry": {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.005, lat + 0.02]]}}


def hostile_folder(tmp_path: Path) -> Path:
    """The district's layer folder with hostile towns (one per name, each in the palette), road classes, layer
    titles and, for each text, a layer whose file is missing named by it (its id, and its file name)."""
    folder = tmp_path / "layers"
    shutil.copytree(paths.layers_dir(), folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    entries = {entry["id"]: entry for entry in manifest["layers"]}
    towns, roads, resources = entries["towns"], entries["roads"], entries["resources"]
    towns.update(title=TEXTS[0], crs="EPSG:4326")
    towns["style"]["palette"] = {name: f"#{0x20 + 4 * n:02x}80c0" for n, name in enumerate(TOWNS)}
    (folder / towns["file"]).write_text(json.dumps({"type": "FeatureCollection", "features": [
        _box(n, name) for n, name in enumerate(TOWNS)]}), "utf-8")
    roads["title"] = TEXTS[1]
    roads["style"]["classes"] = {road_class: {"color": "#ff8000", "weight": 2.0} for road_class in CLASSES}
    (folder / roads["file"]).write_text(json.dumps({"type": "FeatureCollection", "features": [
        _road(n, road_class) for n, road_class in enumerate(CLASSES)]}), "utf-8")
    for n, text in enumerate(TEXTS):
        manifest["layers"].append({**resources, "id": f"r{n}", "title": text})  # readable, its title hostile
        manifest["layers"].append({"id": text, "title": text, "file": f"{text[:100]}.geojson", "crs": "EPSG:4326",
                                   "kind": "resources"})  # missing: listed broken, with its reason
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder


def rows(tree: LayerTreeWidget, group: str) -> list[QTreeWidgetItem]:
    head = tree.group(group)
    return [head.child(i) for i in range(head.childCount())]


def legend_rows(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [item.child(i) for i in range(item.childCount())]


def assert_shown_plain(tree: LayerTreeWidget, item: QTreeWidgetItem, column: int, expected: str,
                       tooltip: str | None = None) -> None:
    """The cell holds ``expected`` and is drawn as those characters: as wide as the text itself (markup read as
    such would be narrower), nothing hidden in it; its tooltip shows ``tooltip`` (else the text, if it has one)
    literally."""
    shown = item.text(column)
    assert shown == expected, (shown[:80], expected[:80])
    assert_nothing_hidden(shown)
    index = tree.tree.indexFromItem(item, column)
    option = QStyleOptionViewItem()
    option.initFrom(tree.tree)
    hint = tree.tree.itemDelegate().sizeHint(option, index).width()
    assert hint >= tree.tree.fontMetrics().horizontalAdvance(shown), shown[:80]
    if tooltip is not None or item.toolTip(column):
        assert tooltip_text(item.toolTip(column)) == display_text(expected if tooltip is None else tooltip)


def test_the_local_layers_and_their_legends_show_hostile_text_as_text(qtbot, tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)
    loaded = load_layers(folder)
    errors = [(e.layer_id, e.message) for e in loaded.errors]  # as the session passes them
    assert len(errors) == len(TEXTS)
    problem = TEXTS[2]
    view = MapView()
    qtbot.addWidget(view)
    feature = LayerTreeFeature(UserLayersController([], config_dir=tmp_path / "config"), view)
    tree = feature.widget
    qtbot.addWidget(tree)
    tree.resize(600, 900)
    tree.show()
    feature.show_local(list(loaded.layers.values()), errors, folder, problem)
    qtbot.waitUntil(lambda: tree.group("local") is not None, timeout=20000)

    platform = tree.group("platform")  # why the catalogue is missing: the platform's words, as text
    assert_shown_plain(tree, platform, 2, display_text(f"图层目录不可用：{problem}"))
    local = {item.data(0, Qt.ItemDataRole.UserRole): item for item in rows(tree, "local")}
    assert len(local) == len(loaded.layers) - 2 + len(errors)  # cameras and units are the stores'
    for n, text in enumerate(TEXTS):
        readable, broken = local[f"local:r{n}"], local[f"local:{text}"]
        title = display_text(text, 60)  # a long title is cut, and says so
        assert_shown_plain(tree, readable, 0, title, tooltip=str(folder / "resources.geojson"))
        assert_shown_plain(tree, broken, 0, title, tooltip=str(folder / f"{text[:100]}.geojson"))  # as listed
        assert broken.text(1) == "—"
        reason = dict(errors)[text]
        assert_shown_plain(tree, broken, 2, display_text(f"无法加载：{reason}"))
        tree.tree.setCurrentItem(broken)  # its details: the report, as plain text
        assert tree.details.toPlainText() == display_text(feature.controller.get(f"local:{text}").report, 20000,
                                                          multiline=True)
        for line in tree.details.toPlainText().split("\n"):
            assert_nothing_hidden(line)
    assert_shown_plain(tree, local["local:towns"], 0, display_text(TEXTS[0], 60), str(folder / "towns.geojson"))
    assert_shown_plain(tree, local["local:roads"], 0, display_text(TEXTS[1], 60), str(folder / "roads.geojson"))

    towns = legend_rows(local["local:towns"])  # each town by its name, in the palette's order, at most 30
    assert len(towns) == min(len(TOWNS), MAX_LEGEND_ROWS)
    for item, name in zip(towns, TOWNS, strict=False):
        assert_shown_plain(tree, item, 0, display_text(name, 60))
        assert len(item.text(0)) <= 60 and not item.toolTip(0)
    roads = legend_rows(local["local:roads"])  # each road class (none is a known one: by its text)
    assert [item.text(0) for item in roads] == [display_text(c, 60) for c in sorted(CLASSES)][:MAX_LEGEND_ROWS]
    for item in roads:
        assert_shown_plain(tree, item, 0, item.text(0))
    plain_labels(tree)
    feature.shutdown()


def test_the_platforms_layers_show_hostile_titles_and_errors_as_text(qtbot, tmp_path: Path) -> None:
    """The platform's catalogue: each layer's title (a long one cut, and saying so) and a broken one's error."""
    point = {"type": "Feature", "properties": {"name": "点"},
             "geometry": {"type": "Point", "coordinates": [117.3, 34.8]}}
    entries = [CatalogueLayer(LayerInfo(f"p{n}", text, "pois", "EPSG:4326", {}, f"/collections/p{n}/items"),
                              features=[point], fetched_at=1.0) for n, text in enumerate(TEXTS)]
    entries += [CatalogueLayer(LayerInfo(f"e{n}", text, "pois", "EPSG:4326", {}, f"/collections/e{n}/items"),
                               error=text) for n, text in enumerate(TEXTS)]
    view = MapView()
    qtbot.addWidget(view)
    feature = LayerTreeFeature(UserLayersController([], config_dir=tmp_path), view)
    tree = feature.widget
    qtbot.addWidget(tree)
    feature.show_platform(entries, "http://127.0.0.1:9")
    qtbot.waitUntil(lambda: len(rows(tree, "platform")) == len(entries), timeout=20000)
    for n, text in enumerate(TEXTS):
        title = display_text(text, 60)
        assert_shown_plain(tree, tree.item(f"platform:p{n}"), 0, title, "http://127.0.0.1:9")
        assert_shown_plain(tree, tree.item(f"platform:e{n}"), 0, title, "http://127.0.0.1:9")
        assert_shown_plain(tree, tree.item(f"platform:e{n}"), 2, display_text(f"无法加载：{text}"))
    feature.shutdown()


def test_a_layers_json_entry_under_a_hostile_home_is_refused_with_its_reason_as_text(qtbot, tmp_path: Path) -> None:
    """``layers.json`` (a local file anyone could have written) names ``~<user>/…`` for a user this machine does not
    have, the user name markup, template syntax and bidi controls: the entry is refused, and its reason — which
    quotes that name — reads in the layer tree's problem line as its characters, nothing hidden."""
    from commandwall.app.user_layers import USER_LAYERS_FILE
    from commandwall.config import Settings

    config = tmp_path / "config"
    config.mkdir()
    user = "~\u202egnp<b>粗<i>{{7*7}}${x}\u200b零宽"  # a user name ends at the first slash
    (config / USER_LAYERS_FILE).write_text(json.dumps([
        {"id": "roads", "title": "道路", "kind": "geojson", "path": f"{user}/layers/roads.geojson"},
    ], ensure_ascii=False), "utf-8")
    controller = UserLayersController.from_settings(Settings(data_dir=tmp_path / "data", config_dir=config))
    assert controller.layers == [] and len(controller.problems) == 1
    widget = LayerTreeWidget()
    qtbot.addWidget(widget)
    widget.show_layers(controller.layers, controller.problems)
    shown = widget.problems.text()
    assert "layers.json" in shown and "gnp<b>粗<i>{{7*7}}${x}" in shown, shown
    assert_nothing_hidden(shown)
    assert widget.problems.textFormat() is Qt.TextFormat.PlainText
