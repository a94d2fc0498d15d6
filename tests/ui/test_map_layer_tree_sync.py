"""The layer tree and the map page agree: a static layer switched in the map's own layer control is switched in
the tree (and the saved view), an opacity drag is saved once, and the tree's layers draw below every thematic
pane (density, warnings, view cones, cameras, incidents) however many there are. Real page, real widgets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from commandwall import paths
from commandwall.app import user_layers
from commandwall.app.platform_layers import CatalogueLayer
from commandwall.app.user_layers import UserLayersController
from commandwall.backend.parsing import LayerInfo
from commandwall.geo.layers import load_layers
from commandwall.geo.sources import LayerSourceSpec
from commandwall.ui.map.layer_tree import OPACITY_SAVE_MS, LayerTreeFeature
from commandwall.ui.map.view import MapView
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES, run_js

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)

#: Own polygon layers (reference data): more than fit between the static layers and the density pane before.
OWN_LAYERS = 12


def _square(i: int) -> dict:
    x, y = 117.2 + 0.01 * i, 34.75
    ring = [[x, y], [x + 0.02, y], [x + 0.02, y + 0.02], [x, y + 0.02], [x, y]]
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": {"name": f"区{i}"}}]}


@pytest.fixture
def desk(qtbot, tmp_path: Path):
    specs = []
    for i in range(OWN_LAYERS):
        path = tmp_path / f"ref{i}.geojson"
        path.write_text(json.dumps(_square(i)), "utf-8")
        specs.append(LayerSourceSpec(id=f"ref{i}", title=f"参考{i}", kind="geojson", path=path))
    layers = load_layers(paths.layers_dir()).layers
    view = MapView()
    qtbot.addWidget(view)
    view.resize(1000, 800)
    view.show()
    feature = LayerTreeFeature(UserLayersController(specs, config_dir=tmp_path), view)
    qtbot.addWidget(feature.widget)
    with qtbot.waitSignal(view.sig_ready, timeout=30000):
        view.load_page(layers.values())
    entries = [CatalogueLayer(LayerInfo(la.id, la.title, la.kind, "EPSG:4326", {}, f"/collections/{la.id}/items",
                                        len(la.features)), features=la.features, fetched_at=1.0)
               for la in layers.values() if la.kind in ("towns", "roads")]
    feature.show_platform(entries, "http://127.0.0.1:9")
    qtbot.waitUntil(lambda: feature.widget.item("platform:roads") is not None, timeout=10000)
    qtbot.waitUntil(lambda: len(run_js(qtbot, view, "CW.userLayers()")) == OWN_LAYERS + 2, timeout=20000)
    yield view, feature, tmp_path
    feature.shutdown()


def control_checkbox(layer: str) -> str:
    """JS: the map's layer-control checkbox of a static layer."""
    return (f"Array.from(CW.layerControl.getContainer().querySelectorAll('input.leaflet-control-layers-selector'))"
            f".find(i => i.layerId === L.stamp(CW.staticLayer('{layer}')))")


def saved(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "layer_view.json").read_text("utf-8"))["layers"]


def test_a_static_layer_switched_in_the_map_control_is_switched_in_the_tree(qtbot, desk) -> None:
    view, feature, tmp_path = desk
    row = feature.widget.item("platform:roads")
    assert row.checkState(0) == Qt.CheckState.Checked
    assert run_js(qtbot, view, f"{control_checkbox('roads')}.checked") is True
    run_js(qtbot, view, f"({control_checkbox('roads')}.click(), true)")  # the user unticks it on the map
    assert run_js(qtbot, view, "CW.map.hasLayer(CW.staticLayer('roads'))") is False
    qtbot.waitUntil(lambda: row.checkState(0) == Qt.CheckState.Unchecked, timeout=5000)
    assert feature.controller.get("platform:roads").visible is False
    assert saved(tmp_path)["platform:roads"]["visible"] is False
    run_js(qtbot, view, f"({control_checkbox('roads')}.click(), true)")
    qtbot.waitUntil(lambda: row.checkState(0) == Qt.CheckState.Checked, timeout=5000)
    assert saved(tmp_path)["platform:roads"]["visible"] is True
    # and the other way: unticked in the tree, the map's control shows it off
    feature.widget.item("platform:towns").setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: run_js(qtbot, view, f"{control_checkbox('towns')}.checked") is False, timeout=5000)
    assert feature.widget.item("platform:towns").checkState(0) == Qt.CheckState.Unchecked  # not echoed back on
    assert saved(tmp_path)["platform:towns"]["visible"] is False


def test_an_opacity_drag_fades_live_and_is_saved_once(qtbot, desk, monkeypatch) -> None:
    view, feature, tmp_path = desk
    writes: list[dict] = []
    real_write = user_layers.write_layer_view

    def counted(path, view_):  # the real write, counted
        writes.append(dict(view_.shown))
        return real_write(path, view_)

    monkeypatch.setattr(user_layers, "write_layer_view", counted)
    tree = feature.widget
    tree.tree.setCurrentItem(tree.item("ref3"))
    tree.opacity.setSliderDown(True)  # a drag: the slider is held while its value runs from 90 down to 31
    for value in range(89, 30, -2):
        tree.opacity.setValue(value)
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.userLayers().ref3.opacity") == pytest.approx(0.31),
                    timeout=5000)  # the page follows while dragging
    qtbot.wait(OPACITY_SAVE_MS + 200)
    assert writes == []  # nothing written while the slider is held
    tree.opacity.setSliderDown(False)  # let go
    assert len(writes) == 1 and writes[0]["ref3"][1] == pytest.approx(0.31)
    assert saved(tmp_path)["ref3"]["opacity"] == pytest.approx(0.31)
    # steps from the keyboard (no drag): saved once after they rest
    for value in (35, 40, 45):
        tree.opacity.setValue(value)
    assert len(writes) == 1
    qtbot.waitUntil(lambda: len(writes) == 2, timeout=OPACITY_SAVE_MS * 5)
    qtbot.wait(OPACITY_SAVE_MS + 200)
    assert len(writes) == 2 and saved(tmp_path)["ref3"]["opacity"] == pytest.approx(0.45)


#: JS: the z-index at the map-pane level that a pane's content is painted with (its own, or its root pane's).
STACKED_Z = """(name => { let node = CW.map.getPane(name);
    while (node.parentNode !== CW.map.getPanes().mapPane) node = node.parentNode;
    return Number(getComputedStyle(node).zIndex); })"""


def test_the_trees_layers_and_the_static_layers_draw_below_every_thematic_pane(qtbot, desk) -> None:
    view, _feature, _tmp = desk
    thematic = {name: run_js(qtbot, view, f"{STACKED_Z}('{name}')")
                for name in ("cw-density", "cw-warnings", "cw-fov", "cw-cameras", "cw-incidents")}
    lowest = min(thematic.values())
    own = {f"ref{i}": run_js(qtbot, view, f"{STACKED_Z}('cw-user-ref{i}')") for i in range(OWN_LAYERS)}
    assert max(own.values()) < lowest, (own, thematic)
    static_pane = run_js(qtbot, view, "CW.staticLayer('roads').getLayers()[0].options.pane")
    assert run_js(qtbot, view, f"{STACKED_Z}('{static_pane}')") < min(own.values())
    # the tree's order still holds among them: the first listed is drawn on top
    z = run_js(qtbot, view, "CW.userLayers()")
    order = [f"ref{i}" for i in range(OWN_LAYERS)]
    top = min(order, key=lambda k: [la.key for la in _feature.controller.layers].index(k))
    assert z[top]["z"] == max(z[k]["z"] for k in order)
