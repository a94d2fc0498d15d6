"""A platform layer (平台图层) gets a refresh interval in the layer tree's details: kept in layer_view.json, shown
in its state, and honoured by the tree's refresh (reads over real HTTP from the exercise backend, on workers)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from commandwall.app.platform_layers import catalogue_loader, read_catalogue_layer
from commandwall.app.user_layers import UserLayersController
from commandwall.backend.api import PlatformClient
from commandwall.ui.map.layer_tree import LayerTreeFeature
from tests.ui.test_map_layer_catalogue import shown_page
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)


@pytest.fixture
def platform(exercise) -> Iterator[PlatformClient]:
    client = PlatformClient(exercise.base_url, "duty", "duty", timeout=5)
    yield client
    client.close()


def tree_on(qtbot, platform: PlatformClient, config: Path) -> LayerTreeFeature:
    """A layer tree remembering its view in ``config``, with the platform's catalogue and a loader over HTTP."""
    entries = [read_catalogue_layer(platform, info) for info in platform.layers()]
    reads: list[str] = []

    def read_again(layer_id: str):
        reads.append(layer_id)
        info = next((e.info for e in entries if e.info.id == layer_id), None)
        return None if info is None else read_catalogue_layer(platform, info)

    session = type("S", (), {"client": platform, "read_catalogue_layer": lambda self, i: read_again(i)})()
    feature = LayerTreeFeature(UserLayersController([], config_dir=config), shown_page(qtbot))
    feature.reads = reads
    qtbot.addWidget(feature.widget)
    feature.show_platform(entries, platform.base_url, None, catalogue_loader(session))
    qtbot.waitUntil(lambda: feature.widget.item("platform:shelters") is not None, timeout=10000)
    return feature


def test_a_platform_layer_refreshes_at_the_interval_set_in_the_tree(qtbot, platform, tmp_path: Path) -> None:
    feature = tree_on(qtbot, platform, tmp_path)
    tree, controller = feature.widget, feature.controller
    layer = controller.get("platform:shelters")
    assert layer.refresh_interval == 0  # the catalogue gives none
    tree.tree.setCurrentItem(tree.item("platform:shelters"))
    assert tree.refresh.isEnabled() and tree.refresh.value() == 0
    # a static layer the map draws itself is not read by the tree: no interval to set
    tree.tree.setCurrentItem(tree.item("platform:towns"))
    assert not tree.refresh.isEnabled()
    tree.tree.setCurrentItem(tree.item("platform:shelters"))
    before = layer.result.fetched_at
    layer.result.fetched_at -= 60  # long ago: due at once if it were live
    qtbot.wait(1500)
    assert feature.reads == []  # no interval: never read again by itself
    tree.refresh.setValue(5)  # shorter than allowed: raised to 10 s
    assert layer.refresh_interval == 10 and tree.refresh.value() == 10
    assert "每 10 秒刷新" in tree.item("platform:shelters").text(2)
    qtbot.waitUntil(lambda: feature.reads == ["shelters"], timeout=5000)  # the timer read it over HTTP
    qtbot.waitUntil(lambda: controller.get("platform:shelters").result.fetched_at > before, timeout=10000)
    saved = json.loads((tmp_path / "layer_view.json").read_text("utf-8"))
    assert saved["layers"]["platform:shelters"]["refresh_s"] == 10
    feature.shutdown()
    # the next start keeps it
    again = tree_on(qtbot, platform, tmp_path)
    assert again.controller.get("platform:shelters").refresh_interval == 10
    assert "每 10 秒刷新" in again.widget.item("platform:shelters").text(2)
    again.widget.tree.setCurrentItem(again.widget.item("platform:shelters"))
    again.widget.refresh.setValue(0)
    assert again.controller.get("platform:shelters").refresh_interval == 0
    assert json.loads((tmp_path / "layer_view.json").read_text("utf-8"))["layers"]["platform:shelters"][
        "refresh_s"] == 0
    again.shutdown()
