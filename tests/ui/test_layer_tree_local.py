"""The layer tree lists what the map draws when the platform's catalogue is not there: the local layer folder's
layers in their own group (本地图层) with their counts, a broken one with its reason, and why the catalogue is
missing on the 平台图层 row — when the catalogue answers HTTP 500, and when the desk starts from its last known
state with the platform down (then the platform's catalogue takes over once it is back). Through the real
window, the real exercise backend over HTTP and the real map page."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from commandwall.app.lastknown import last_known_path, load_last_known
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from commandwall.geo.layers import load_layers
from tests.layer_folders import folder_with_a_broken_layer
from tests.ui.test_main_window import run_js
from tests.ui.windows import open_main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)

#: What the map draws from the folder (cameras and units come from the platform's stores, not from files).
DRAWN = ("towns", "grids", "roads", "district", "resources")


def counts(folder: Path) -> dict[str, int]:
    return {layer_id: len(layer.features) for layer_id, layer in load_layers(folder).layers.items()}


def children(tree, group: str) -> list[str]:
    head = tree.group(group)
    return [] if head is None else [head.child(i).data(0, Qt.ItemDataRole.UserRole) for i in range(head.childCount())]


def assert_local_group(qtbot, window, folder: Path) -> None:
    """The tree lists the folder's drawn layers with their counts and the broken one with its reason."""
    tree = window.layer_tree_feature.widget
    qtbot.waitUntil(lambda: len(children(tree, "local")) == len(DRAWN) + 1, timeout=30000)
    expected = counts(folder)
    assert set(children(tree, "local")) == {f"local:{i}" for i in (*DRAWN, "wells")}
    for layer_id in DRAWN:
        row = tree.item(f"local:{layer_id}")
        assert row.text(1) == str(expected[layer_id]) and row.text(2) == "正常", layer_id
    assert tree.item("local:wells").text(1) == "—" and "无法加载" in tree.item("local:wells").text(2)
    assert "wells.geojson" in tree.item("local:wells").text(2)
    assert tree.group("local").text(1) == str(len(DRAWN) + 1)
    assert children(tree, "platform") == []


def test_a_failing_catalogue_lists_the_local_folder_and_says_why(qtbot, tmp_path, exercise, monkeypatch):
    def broken() -> list:
        raise RuntimeError("catalogue store unavailable")

    monkeypatch.setattr(exercise.catalogue, "catalogue", broken)  # GET /api/v1/layers answers HTTP 500
    folder = folder_with_a_broken_layer(tmp_path)
    session = ClientSession(Settings(data_dir=tmp_path / "data", layers_dir=folder),
                            PlatformFactory.at_url(exercise.base_url, exercise=True))
    window = open_main_window(qtbot, session)
    assert session.catalogue_problem and session.layers_from_folder
    assert_local_group(qtbot, window, folder)
    platform_row = window.layer_tree_feature.widget.group("platform")
    assert "图层目录不可用" in platform_row.text(2) and "500" in platform_row.text(2)

    # the rows switch and fade what the map draws from the folder
    qtbot.waitUntil(window.map.is_ready, timeout=30000)
    tree = window.layer_tree_feature.widget
    qtbot.waitUntil(lambda: run_js(qtbot, window.map, "CW.map.hasLayer(CW.staticLayer('towns'))") is True,
                    timeout=10000)
    tree.item("local:towns").setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: run_js(qtbot, window.map, "CW.map.hasLayer(CW.staticLayer('towns'))") is False,
                    timeout=10000)
    # and the incidents are placed in the folder's towns
    assert session.incidents.placement(session.incidents.all()[0].id) is not None
    window.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_offline_start_lists_the_local_folder_until_the_platform_is_back(qtbot, tmp_path):
    port, db_path, data_dir = _free_port(), tmp_path / "exercise.sqlite3", tmp_path / "client"
    url = f"http://127.0.0.1:{port}"
    folder = folder_with_a_broken_layer(tmp_path)

    def session() -> ClientSession:
        made = ClientSession(Settings(backend_url=url, data_dir=data_dir, layers_dir=folder),
                             PlatformFactory.at_url(url))
        made.retry_initial_s, made.retry_max_s = 0.2, 0.5
        return made

    backend = DemoBackend(db_path=db_path, port=port, seed=5, simulate=False).start()
    try:
        first = session()
        first.start()  # connects and keeps the last known state
        first.stop()
    finally:
        backend.stop()
    assert load_last_known(last_known_path(data_dir, url, False, "duty")) is not None

    backend = None
    window = open_main_window(qtbot, session(), wait_ready=False)  # the port is closed now
    try:
        qtbot.waitUntil(lambda: window.incidents_feature.offline_banner.isVisible(), timeout=30000)
        assert_local_group(qtbot, window, folder)
        platform_row = window.layer_tree_feature.widget.group("platform")
        assert "图层目录不可用" in platform_row.text(2) and platform_row.toolTip(2)
        some = window.session.incidents.all()[0]
        assert window.session.incidents.placement(some.id) is not None  # placed from the folder's towns

        backend = DemoBackend(db_path=db_path, port=port, seed=5, simulate=False).start()
        tree = window.layer_tree_feature.widget
        qtbot.waitUntil(lambda: tree.item("platform:towns") is not None, timeout=30000)
        assert tree.group("local") is None and not window.session.layers_from_folder
        assert "图层目录不可用" not in tree.group("platform").text(2)
        assert tree.item("platform:towns").text(1) == str(counts(folder)["towns"])
    finally:
        window.close()
        if backend is not None:
            backend.stop()
