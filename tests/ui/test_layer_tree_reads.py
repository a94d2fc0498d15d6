"""The layer tree's reads against servers that misbehave, with the real tree widgets and controller: 刷新 pressed
again and again on a layer whose server hangs starts one read, not one per press (the row and the button say it
is being read); a live layer keeps its period while other layers hang; a layer whose server was down at start
loads by itself once the server is up; and a failure is said in Chinese as what happened (a timeout, a refused
connection, a login asked for, an answer that is not GeoJSON), the technical detail kept for the tooltip."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from commandwall.app import user_layers
from commandwall.app.user_layers import UserLayersController
from commandwall.geo.sources import LayerSourceSpec, load_source
from commandwall.ui.map.layer_tree import SOURCE_READERS, LayerTreeFeature
from tests.geo_servers import LiveLayerServer, point_features
from tests.layer_read_servers import MisbehavingLayerServer, refused_url
from tests.ui.test_map_layer_catalogue import shown_page
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)


@pytest.fixture
def server() -> Iterator[MisbehavingLayerServer]:
    srv = MisbehavingLayerServer().start()
    yield srv
    srv.stop()


def spec(layer_id: str, url: str, **extra) -> LayerSourceSpec:
    return LayerSourceSpec(id=layer_id, title=layer_id, kind="geojson", url=url, **extra)


def tree(qtbot, controller: UserLayersController) -> LayerTreeFeature:
    feature = LayerTreeFeature(controller, shown_page(qtbot))
    qtbot.addWidget(feature.widget)
    return feature


def test_refresh_pressed_again_and_again_on_a_hung_layer_starts_one_read(qtbot, server) -> None:
    feature = tree(qtbot, UserLayersController([spec("slow", server.url("/slow.geojson"))]))
    widget = feature.widget
    try:
        qtbot.waitUntil(lambda: widget.item("slow").text(1) == "3", timeout=10000)
        server.hanging.add("/slow.geojson")  # the server hangs from now on
        widget.tree.setCurrentItem(widget.item("slow"))
        assert widget.reload.isEnabled()
        QTest.mouseClick(widget.reload, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: server.hits["/slow.geojson"] == 2, timeout=5000)
        assert widget.item("slow").text(2) == "正在刷新…"
        assert not widget.reload.isEnabled() and widget.reload.text() == "正在刷新…"
        assert "刷新" not in [text for text, _run in widget.context_actions("slow")]
        for _ in range(6):
            QTest.mouseClick(widget.reload, Qt.MouseButton.LeftButton)
            feature.reload("slow")  # the context menu's 刷新, had it been offered
        qtbot.wait(1500)
        assert server.hits["/slow.geojson"] == 2  # one read in flight, nothing queued behind it
    finally:
        feature.shutdown()


def test_a_live_layer_keeps_its_period_while_other_layers_hang(qtbot, server) -> None:
    live = LiveLayerServer({"type": "FeatureCollection", "features": point_features(5)}).start()
    hung = [spec(f"hung{i}", server.url("/hang.geojson")) for i in range(SOURCE_READERS + 2)]
    controller = UserLayersController([spec("live", live.url, refresh_s=10), *hung])
    feature = tree(qtbot, controller)
    widget = feature.widget
    try:
        qtbot.waitUntil(lambda: widget.item("live").text(1) == "5", timeout=10000)
        qtbot.waitUntil(lambda: server.hits["/hang.geojson"] == SOURCE_READERS, timeout=10000)
        widget.tree.setCurrentItem(widget.item("hung0"))
        for _ in range(6):  # an officer pressing 刷新 on a hung layer
            QTest.mouseClick(widget.reload, Qt.MouseButton.LeftButton)
        for reads in (2, 3):  # its period passes (as if 10 s had gone by): it is read at once, twice
            controller.get("live").result.fetched_at -= 60
            qtbot.waitUntil(lambda reads=reads: len(live.requests) == reads, timeout=4000)
        assert server.hits["/hang.geojson"] == SOURCE_READERS
    finally:
        feature.shutdown()
        live.stop()


def test_a_layer_down_at_start_loads_by_itself_once_its_server_is_up(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(user_layers, "FIRST_LOAD_RETRY_S", 1.0)  # 1, 2, 4 … s instead of 10, 20, 40 …
    url = refused_url()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    feature = tree(qtbot, UserLayersController([spec("down", url)]))
    widget = feature.widget
    server = None
    try:
        qtbot.waitUntil(lambda: "已连续失败 2 次" in widget.item("down").text(2), timeout=10000)
        text = widget.item("down").text(2)
        assert text.startswith("无法加载：无法连接服务器") and "再试" in text
        server = MisbehavingLayerServer(port).start()
        qtbot.waitUntil(lambda: widget.item("down").text(1) == "3", timeout=15000)
        assert widget.item("down").text(2) == "正常" and server.hits["/ok.geojson"] == 1
    finally:
        feature.shutdown()
        if server is not None:
            server.stop()


def test_failures_are_said_in_chinese_as_what_happened(qtbot, server) -> None:
    specs = [spec("timeout", server.url("/hang.geojson")), spec("refused", refused_url()),
             spec("login", server.url("/401.geojson")), spec("forbidden", server.url("/403.geojson")),
             spec("down", server.url("/500.geojson")), spec("notjson", server.url("/bad.geojson"))]
    controller = UserLayersController(specs, loader=functools.partial(load_source, timeout_s=1.0))
    feature = tree(qtbot, controller)
    widget = feature.widget
    expected = {"timeout": "连接超时", "refused": "无法连接服务器", "login": "服务要求登录（HTTP 401）",
                "forbidden": "无权访问（HTTP 403）", "down": "服务出错（HTTP 500）", "notjson": "返回的不是 GeoJSON"}
    try:
        qtbot.waitUntil(lambda: all("无法加载" in widget.item(k).text(2) for k in expected), timeout=15000)
        for key, said in expected.items():
            text = widget.item(key).text(2)
            assert text.startswith(f"无法加载：{said}"), text
            assert not any(word in text for word in ("cannot", "from http", "Error", "JSON (")), text
            detail = controller.get(key).result.error
            assert detail in widget.item(key).toolTip(2)  # the technical reason, for whoever mends it
            widget.tree.setCurrentItem(widget.item(key))
            assert widget.details.toPlainText().startswith(f"状态：无法加载：{said}")
        assert "127.0.0.1" in widget.item("login").toolTip(2)
    finally:
        feature.shutdown()
