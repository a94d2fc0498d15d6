"""The layer tree's catalogue on the real map page: the platform's layers (平台图层) read over real HTTP from the
exercise backend with counts, a broken entry with its reason while the rest draw, hostile titles as text; and the
add-layer dialog driven against real OGC API Features (pygeoapi) and WFS servers: check, add, remove."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from commandwall.app.platform_layers import catalogue_loader, read_catalogue_layer
from commandwall.app.user_layers import USER_LAYERS_FILE, UserLayersController
from commandwall.backend.api import PlatformClient
from commandwall.geo.layers import Layer
from commandwall.textsafe import display_text
from commandwall.ui.map.layer_tree import LayerTreeFeature
from commandwall.ui.map.view import MapView
from commandwall.ui.text import plain_tooltip
from tests.geo_servers import PygeoapiServer, WfsServer, point_features
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES, run_js

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)

EVIL = '<img src=x onerror="document.title=1">失效图层'


def page_layers(qtbot, view: MapView) -> dict:
    return run_js(qtbot, view, "CW.userLayers()")


def shown_page(qtbot) -> MapView:
    view = MapView()
    qtbot.addWidget(view)
    view.resize(1000, 800)
    view.show()
    return view


@pytest.fixture
def platform(exercise, monkeypatch) -> Iterator[PlatformClient]:
    """A duty officer's client of the exercise backend, whose catalogue also lists an entry that is gone."""
    listed = exercise.catalogue.catalogue
    gone = {"id": "gone", "title": EVIL, "kind": "pois", "crs": "EPSG:4326", "style": {},
            "items_url": "/api/v1/collections/gone/items", "feature_count": 3}
    monkeypatch.setattr(exercise.catalogue, "catalogue", lambda: [*listed(), gone])
    client = PlatformClient(exercise.base_url, "duty", "duty", timeout=5)
    yield client
    client.close()


def test_platform_layers_are_a_group_of_the_tree_and_draw_on_the_page(qtbot, platform, tmp_path: Path) -> None:
    entries = [read_catalogue_layer(platform, info) for info in platform.layers()]  # as the session reads them
    drawn = [Layer(e.info.id, e.info.title, e.info.kind, e.info.crs, e.info.style, e.features)
             for e in entries if e.features is not None]
    view = shown_page(qtbot)
    feature = LayerTreeFeature(UserLayersController([], config_dir=tmp_path), view)
    qtbot.addWidget(feature.widget)
    with qtbot.waitSignal(view.sig_ready, timeout=30000):
        view.load_page(drawn)
    session = type("S", (), {"client": platform, "read_catalogue_layer": lambda self, i: next(
        (read_catalogue_layer(platform, e.info) for e in entries if e.info.id == i), None)})()
    feature.show_platform(entries, platform.base_url, None, catalogue_loader(session))
    tree = feature.widget
    qtbot.waitUntil(lambda: tree.item("platform:shelters") is not None, timeout=10000)
    counts = {e.info.id: e.info.feature_count for e in entries if e.features is not None}
    assert counts["shelters"] > 0 and tree.group("platform").childCount() == len(entries)
    for layer_id, count in counts.items():
        row = tree.item(f"platform:{layer_id}")
        assert row.text(1) == str(count) and row.text(2) == "正常", layer_id
    gone = tree.item("platform:gone")
    assert gone.text(0) == display_text(EVIL) and "无法加载" in gone.text(2) and "404" in gone.text(2)

    # the platform-only layer is drawn by the tree's page script, on the points canvas; the broken one nowhere
    qtbot.waitUntil(lambda: page_layers(qtbot, view).get("platform:shelters", {}).get("count") == counts["shelters"],
                    timeout=15000)
    state = page_layers(qtbot, view)
    assert state["platform:shelters"]["onMap"] and state["platform:shelters"]["canvas"]
    assert state["platform:gone"]["onMap"] is False and "404" in state["platform:gone"]["error"]
    assert state["platform:gone"]["title"] == display_text(EVIL)  # text, never markup
    assert run_js(qtbot, view, "document.querySelectorAll('img[src=x]').length") == 0
    assert run_js(qtbot, view, "document.title") != "1"
    # a layer the map draws itself (towns) is switched and faded from the tree
    assert state["platform:towns"]["mapLayer"] == "towns" and state["platform:towns"]["onMap"]
    tree.item("platform:towns").setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.map.hasLayer(CW.staticLayer('towns'))") is False, timeout=5000)
    tree.tree.setCurrentItem(tree.item("platform:roads"))
    tree.opacity.setValue(50)
    qtbot.waitUntil(lambda: page_layers(qtbot, view)["platform:roads"]["opacity"] == pytest.approx(0.5), timeout=5000)
    # the static layers stack in the tree's order: towns moved above grids and roads is drawn above them
    order = [tree.group("platform").child(i).data(0, Qt.ItemDataRole.UserRole)
             for i in range(tree.group("platform").childCount())]
    assert order.index("platform:roads") < order.index("platform:grids") < order.index("platform:towns")
    tree.item("platform:towns").setCheckState(0, Qt.CheckState.Checked)
    tree.tree.setCurrentItem(tree.item("platform:towns"))
    towns_above = ("(() => { const order = []; const r = CW.staticLayer('towns').getLayers()[0]._renderer; "
                   "for (let o = r._drawFirst; o; o = o.next) order.push(o.layer); "
                   "const at = id => CW.staticLayer(id).getLayers().map(l => order.indexOf(l)); "
                   "return Math.min(...at('towns')) > Math.max(...at('roads'), ...at('grids')); })()")
    # towns drawn after (above) the others on the static layers' canvas
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.map.hasLayer(CW.staticLayer('towns'))") is True, timeout=5000)
    assert run_js(qtbot, view, towns_above) is False
    for _ in range(order.index("platform:towns") - order.index("platform:roads")):
        tree.up.click()
    qtbot.waitUntil(lambda: run_js(qtbot, view, towns_above) is True, timeout=5000)
    # 刷新 reads a platform layer again over HTTP
    tree.tree.setCurrentItem(tree.item("platform:shelters"))
    before = feature.controller.get("platform:shelters").result.fetched_at
    tree.reload.click()
    qtbot.waitUntil(lambda: feature.controller.get("platform:shelters").result.fetched_at > before, timeout=10000)
    assert tree.item("platform:shelters").text(1) == str(counts["shelters"])
    # and the look is kept for the next start
    saved = json.loads((tmp_path / "layer_view.json").read_text("utf-8"))
    assert saved["order"].index("platform:towns") < saved["order"].index("platform:roads")
    assert saved["layers"]["platform:roads"]["opacity"] == pytest.approx(0.5)
    feature.shutdown()


@pytest.fixture(scope="module")
def ogc(tmp_path_factory) -> Iterator[PygeoapiServer]:
    server = PygeoapiServer(tmp_path_factory.mktemp("pygeoapi"),
                            {"points": {"type": "FeatureCollection", "features": point_features(120)}},
                            page_limit=50).start()
    yield server
    server.stop()


@pytest.fixture
def wfs() -> Iterator[WfsServer]:
    server = WfsServer(point_features(40, lon0=117.35, lat0=34.75)).start()
    yield server
    server.stop()


def test_the_add_dialog_checks_adds_and_the_tree_removes(qtbot, ogc: PygeoapiServer, wfs: WfsServer,
                                                          tmp_path: Path) -> None:
    view = shown_page(qtbot)
    feature = LayerTreeFeature(UserLayersController([], config_dir=tmp_path), view)
    qtbot.addWidget(feature.widget)
    with qtbot.waitSignal(view.sig_ready, timeout=30000):
        view.load_page([])
    # a catalogue that could not be had: said on the platform group's row, as text; the user's group works
    feature.show_platform([], "http://127.0.0.1:1", "<b>HTTP 503</b> from the platform")
    qtbot.waitUntil(lambda: "图层目录不可用" in feature.widget.group("platform").text(2), timeout=5000)
    assert "<b>HTTP 503</b>" in feature.widget.group("platform").text(2)
    assert feature.widget.group("platform").childCount() == 0
    dialog = feature.open_add_dialog()
    qtbot.addWidget(dialog)

    # OGC API Features: the whole items URL is understood; 检查 runs off the GUI thread and reports
    dialog.kind.setCurrentIndex(dialog.kind.findData("ogcapi"))
    dialog.location.setText(f"{ogc.url}/collections/points/items")
    dialog.title.setText(EVIL[:40])
    dialog.check.click()
    assert not dialog.check.isEnabled()  # under way; the dialog (and the GUI) stays live
    qtbot.waitUntil(lambda: "usable features: 120 (Point 120)" in dialog.report.toPlainText(), timeout=30000)
    assert "bbox (WGS84 lon/lat)" in dialog.report.toPlainText()
    dialog.add.click()
    assert not dialog.isVisible()
    key = feature.controller.layers[0].key
    qtbot.waitUntil(lambda: page_layers(qtbot, view).get(key, {}).get("count") == 120, timeout=30000)
    assert feature.widget.item(key).text(0) == display_text(EVIL[:40])  # text, never markup
    assert feature.widget.item(key).text(1) == "120"
    assert run_js(qtbot, view, "document.querySelectorAll('img[src=x]').length") == 0

    # WFS 2.0 with lat/lon axis order, and a URL with a key: refused, the key never shown
    dialog = feature.open_add_dialog()
    dialog.kind.setCurrentIndex(dialog.kind.findData("wfs"))
    dialog.location.setText(f"{wfs.url}/wfs?token=SECRET123")
    dialog.name.setText("cw:points")
    dialog.crs.setCurrentText("urn:ogc:def:crs:EPSG::4326")
    dialog.check.click()
    assert "SECRET123" not in dialog.report.toPlainText() and "无法检查" in dialog.report.toPlainText()
    dialog.location.setText(f"{wfs.url}/wfs")
    dialog.title.setText("WFS 点位")
    dialog.check.click()
    qtbot.waitUntil(lambda: "usable features: 40" in dialog.report.toPlainText(), timeout=30000)
    dialog.add.click()
    wfs_key = feature.controller.layers[0].key
    qtbot.waitUntil(lambda: page_layers(qtbot, view).get(wfs_key, {}).get("count") == 40, timeout=30000)
    lat, lng = run_js(qtbot, view, f"CW.userLayerPoint('{wfs_key}', '点位0')")
    assert (lng, lat) == pytest.approx((117.35, 34.75), abs=1e-6)
    listed = json.loads((tmp_path / USER_LAYERS_FILE).read_text("utf-8"))
    assert [e["id"] for e in listed] == [key, wfs_key] and listed[1]["type_name"] == "cw:points"

    # remove from the context menu's action: out of the tree, the page and layers.json
    actions = dict(feature.widget.context_actions(key))
    actions["移除图层"]()
    qtbot.waitUntil(lambda: key not in page_layers(qtbot, view), timeout=5000)
    assert feature.widget.item(key) is None
    assert [e["id"] for e in json.loads((tmp_path / USER_LAYERS_FILE).read_text("utf-8"))] == [wfs_key]
    feature.shutdown()


def test_the_desk_lists_the_platform_catalogue_and_hostile_own_layers_as_text(qtbot, tmp_path: Path,
                                                                              exercise_platform) -> None:
    """The whole window: the session's catalogue reaches the tree; a hostile layers.json entry is text."""
    from commandwall.app.session import ClientSession
    from commandwall.config import Settings
    from tests.ui.windows import open_main_window

    config = tmp_path / "config"
    config.mkdir()
    (config / USER_LAYERS_FILE).write_text(json.dumps([
        {"id": "evil", "title": EVIL, "kind": "geojson", "url": "http://127.0.0.1:9/<script>alert(1)</script>.json"},
    ]), "utf-8")
    (config / "layer_view.json").write_text("{not json", "utf-8")  # reported, never fatal
    window = open_main_window(qtbot, ClientSession(Settings(data_dir=tmp_path / "data", config_dir=config),
                                                   exercise_platform))
    tree = window.layer_tree_feature.widget
    qtbot.waitUntil(lambda: tree.item("platform:shelters") is not None, timeout=30000)
    shelters = next(e for e in window.session.catalogue if e.info.id == "shelters")
    assert tree.item("platform:shelters").text(1) == str(len(shelters.features)) == str(shelters.info.feature_count)
    assert tree.group("platform").childCount() == len(window.session.catalogue)
    qtbot.waitUntil(lambda: "无法加载" in tree.item("evil").text(2), timeout=20000)
    assert tree.item("evil").text(0) == display_text(EVIL)
    assert tree.item("evil").toolTip(0) == plain_tooltip("http://127.0.0.1:9/<script>alert(1)</script>.json")
    assert "&lt;script&gt;" in tree.item("evil").toolTip(2)  # the reason names the URL: escaped, never markup
    assert "layer_view.json" in tree.problems.text() and tree.problems.isVisible()
    view = window.map_feature.view
    qtbot.waitUntil(window.map.is_ready, timeout=30000)
    qtbot.waitUntil(lambda: page_layers(qtbot, view).get("platform:shelters", {}).get("onMap") is True,
                    timeout=30000)
    assert page_layers(qtbot, view)["evil"]["title"] == display_text(EVIL)
    assert run_js(qtbot, view, "document.querySelectorAll('img[src=x]').length") == 0
    assert run_js(qtbot, view, "document.title") != "1"
    window.close()
