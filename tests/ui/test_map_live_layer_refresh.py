"""A live layer (refresh_s) re-read from a real server: when it has not changed (304, or the same bytes) the
tree's status stays fresh but the page is not sent the layer again; a changed layer is sent and drawn. A live
layer that keeps failing is tried less often, and its row says when it is tried next."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from commandwall.app.user_layers import UserLayersController
from commandwall.geo.sources import LayerSourceSpec
from commandwall.localtime import to_display
from commandwall.ui.map.layer_tree import LayerTreeFeature
from tests.geo_servers import LiveLayerServer, point_features
from tests.ui.test_map_layer_catalogue import shown_page
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)


def collection(count: int) -> dict:
    return {"type": "FeatureCollection", "features": point_features(count)}


@pytest.fixture(params=["etag", "none"])
def live(request) -> Iterator[LiveLayerServer]:
    server = LiveLayerServer(collection(40), validators=request.param).start()
    yield server
    server.stop()


def test_an_unchanged_live_layer_is_not_sent_to_the_page_again(qtbot, live: LiveLayerServer) -> None:
    spec = LayerSourceSpec(id="live", title="实时图层", kind="geojson", url=live.url, refresh_s=10)
    feature = LayerTreeFeature(UserLayersController([spec]), shown_page(qtbot))
    qtbot.addWidget(feature.widget)
    sent: list[str] = []
    feature.bridge.layer_changed.connect(sent.append)
    controller = feature.controller
    try:
        qtbot.waitUntil(lambda: len(sent) == 1, timeout=10000)
        first = controller.get("live").result
        assert len(first.features) == 40
        for reads in (2, 3):  # due twice more (as if 10 s had passed each time): the timer reads it again
            controller.get("live").result.fetched_at -= 60
            stamp = controller.get("live").result.fetched_at
            qtbot.waitUntil(lambda reads=reads, stamp=stamp: len(live.requests) == reads
                            and controller.get("live").result.fetched_at > stamp + 59, timeout=10000)
            qtbot.wait(300)  # what a page update would take to be queued
            assert len(sent) == 1  # not sent again
            assert controller.get("live").result.features is first.features  # nor parsed again
            assert feature.widget.item("live").text(1) == "40"
        # the layer changes on the server: read, sent and counted
        live.set(collection(41))
        controller.get("live").result.fetched_at -= 60
        qtbot.waitUntil(lambda: len(sent) == 2, timeout=10000)
        assert '"live"' in sent[1] and controller.get("live").result.features is not first.features
        assert feature.widget.item("live").text(1) == "41"
    finally:
        feature.shutdown()


def test_a_failing_live_layer_says_when_it_is_tried_again(qtbot) -> None:
    server = LiveLayerServer(collection(5)).start()
    server.status = 500
    spec = LayerSourceSpec(id="live", title="实时图层", kind="geojson", url=server.url, refresh_s=10)
    feature = LayerTreeFeature(UserLayersController([spec]), shown_page(qtbot))
    qtbot.addWidget(feature.widget)
    layer = feature.controller.get("live")
    try:
        qtbot.waitUntil(lambda: "再试" in feature.widget.item("live").text(2), timeout=10000)
        when = to_display(datetime.fromtimestamp(layer.retry_at, UTC)).strftime("%H:%M:%S")
        text = feature.widget.item("live").text(2)
        assert "HTTP 500" in text and "已连续失败 1 次" in text and when in text
        assert text in feature.widget.item("live").toolTip(2)
        layer.result.fetched_at -= 60  # its interval passed long ago: still, it waits for its next try
        qtbot.wait(1500)
        assert len(server.requests) == 1
        feature.reload("live")  # asked for by hand: read at once
        qtbot.waitUntil(lambda: "已连续失败 2 次" in feature.widget.item("live").text(2), timeout=10000)
        server.status = 200
        feature.reload("live")
        qtbot.waitUntil(lambda: feature.widget.item("live").text(1) == "5", timeout=10000)
        assert "再试" not in feature.widget.item("live").text(2)
    finally:
        feature.shutdown()
        server.stop()


def test_a_live_layer_whose_server_fails_keeps_its_last_data_on_the_map_and_says_how_old(qtbot) -> None:
    """The server of a live layer answers 500 after a good read: the map goes on drawing the 5 features it had
    (a layer blinking out at each failure reads as "no more alerts"), faded to half its opacity, and the row says
    the read failed and the time of the data shown; a good read again clears both."""
    from tests.ui.test_map_view import run_js

    server = LiveLayerServer(collection(5)).start()
    spec = LayerSourceSpec(id="live", title="实时图层", kind="geojson", url=server.url, refresh_s=10)
    view = shown_page(qtbot)
    feature = LayerTreeFeature(UserLayersController([spec]), view)
    qtbot.addWidget(feature.widget)
    with qtbot.waitSignal(view.sig_ready, timeout=30000):
        view.load_page([])
    sent: list[str] = []
    feature.bridge.layer_changed.connect(sent.append)
    layer = feature.controller.get("live")

    def drawn() -> dict:
        return run_js(qtbot, view, "CW.userLayers()['live'] || {}")

    try:
        qtbot.waitUntil(lambda: drawn().get("count") == 5, timeout=15000)
        before, opacity = len(sent), drawn()["opacity"]
        good_at = to_display(datetime.fromtimestamp(layer.result.fetched_at, UTC)).strftime("%H:%M:%S")
        server.status = 500
        feature.reload("live")
        qtbot.waitUntil(lambda: "读取失败" in feature.widget.item("live").text(2), timeout=10000)
        text = feature.widget.item("live").text(2)
        assert "HTTP 500" in text and f"地图显示 {good_at} 的数据" in text and "已连续失败 1 次" in text, text
        assert layer.status == "stale" and len(layer.result.features) == 5
        assert feature.widget.item("live").text(1) == "5"
        qtbot.waitUntil(lambda: drawn().get("stale") is True, timeout=10000)
        assert drawn()["count"] == 5 and drawn()["opacity"] == pytest.approx(opacity / 2)  # the old data, faded
        assert len(sent) == before  # not sent again: no empty or broken layer reached the page
        payload = feature.controller.layer_payload(layer)
        assert payload["error"] is None and payload["stale"] is True  # what a reconnecting page gets
        server.status = 200
        server.set(collection(6))
        feature.reload("live")
        qtbot.waitUntil(lambda: drawn().get("count") == 6 and drawn().get("stale") is False, timeout=10000)
        assert drawn()["opacity"] == pytest.approx(opacity)
        assert "读取失败" not in feature.widget.item("live").text(2) and layer.status == "ok"
    finally:
        feature.shutdown()
        server.stop()
