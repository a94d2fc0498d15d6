"""User layers from real servers (pygeoapi, a WFS endpoint) drawn on the real map page, and the layer tree."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from commandwall import paths
from commandwall.app.user_layers import UserLayersController
from commandwall.geo.layers import load_layers
from commandwall.geo.sources import LayerSourceSpec
from commandwall.textsafe import display_text
from commandwall.ui.map.layer_tree import LayerTreeFeature
from commandwall.ui.map.view import MapView
from tests.geo_servers import PygeoapiServer, WfsServer, point_features
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES, run_js

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)

POINTS = point_features(250)  # pygeoapi pages of 100: three pages, two rel=next links
BBOX = (117.25, 34.70, 117.30, 34.71)


@pytest.fixture(scope="module")
def ogc(tmp_path_factory) -> Iterator[PygeoapiServer]:
    server = PygeoapiServer(tmp_path_factory.mktemp("pygeoapi"),
                            {"points": {"type": "FeatureCollection", "features": POINTS}}, page_limit=100).start()
    yield server
    server.stop()


@pytest.fixture
def wfs() -> Iterator[WfsServer]:
    server = WfsServer(point_features(40, lon0=117.35, lat0=34.75)).start()
    yield server
    server.stop()


def in_bbox(features: list[dict]) -> int:
    w, s, e, n = BBOX
    return sum(1 for f in features if w <= f["geometry"]["coordinates"][0] <= e
               and s <= f["geometry"]["coordinates"][1] <= n)


@pytest.fixture
def setup(qtbot, ogc: PygeoapiServer, wfs: WfsServer) -> tuple[MapView, LayerTreeFeature]:
    specs = [
        LayerSourceSpec(id="points", title="巡逻点位", kind="ogcapi", url=ogc.url, collection="points",
                        color="#ff9f0a"),
        LayerSourceSpec(id="near", title="框选点位", kind="ogcapi", url=ogc.url, collection="points",
                        bbox=BBOX, color="#64d2ff"),
        LayerSourceSpec(id="wfs", title="WFS 点位", kind="wfs", url=f"{wfs.url}/wfs", type_name="cw:points",
                        crs="urn:ogc:def:crs:EPSG::4326", color="#bf5af2", refresh_s=10),
        LayerSourceSpec(id="broken", title="失效图层", kind="geojson", url=f"{wfs.url}/files/missing.geojson"),
    ]
    view = MapView()
    qtbot.addWidget(view)
    view.resize(1000, 800)
    view.show()
    feature = LayerTreeFeature(UserLayersController(specs), view)
    qtbot.addWidget(feature.widget)
    with qtbot.waitSignal(view.sig_ready, timeout=30000):
        view.load_page(load_layers(paths.layers_dir()).layers)
    yield view, feature
    feature.shutdown()


def user_layers(qtbot, view: MapView) -> dict:
    return run_js(qtbot, view, "CW.userLayers()")


def test_every_feature_of_every_source_is_on_the_page(qtbot, setup) -> None:
    view, feature = setup
    expected = {"points": len(POINTS), "near": in_bbox(POINTS), "wfs": 40}
    assert 0 < expected["near"] < len(POINTS)
    qtbot.waitUntil(lambda: {k: v["count"] for k, v in user_layers(qtbot, view).items() if k in expected}
                    == expected, timeout=30000)
    state = user_layers(qtbot, view)
    assert all(state[k]["onMap"] for k in expected)
    # the broken layer is listed with its reason, drawn nowhere, and the others still draw
    qtbot.waitUntil(lambda: "broken" in user_layers(qtbot, view), timeout=10000)
    assert user_layers(qtbot, view)["broken"]["onMap"] is False
    assert "HTTP 404" in user_layers(qtbot, view)["broken"]["error"]
    row = feature.widget.item("broken")
    assert "无法加载" in row.text(2) and "HTTP 404" in row.text(2)
    feature.widget.tree.setCurrentItem(row)
    assert "ERROR HTTP 404" in feature.widget.details.toPlainText()
    assert feature.widget.item("points").text(1) == str(len(POINTS))
    # WFS answered lat/lon (urn:ogc:def:crs:EPSG::4326): drawn where the features are, not mirrored
    lat, lng = run_js(qtbot, view, "CW.userLayerPoint('wfs', '点位0')")
    assert (lng, lat) == pytest.approx((117.35, 34.75), abs=1e-6)
    assert state["wfs"]["canvas"] and state["points"]["canvas"]  # point layers: on the points canvas


def test_layer_tree_switches_fades_and_orders(qtbot, setup) -> None:
    view, feature = setup
    tree = feature.widget
    qtbot.waitUntil(lambda: user_layers(qtbot, view).get("points", {}).get("count") == len(POINTS), timeout=30000)
    tree.item("points").setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: user_layers(qtbot, view)["points"]["onMap"] is False, timeout=5000)
    tree.item("points").setCheckState(0, Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: user_layers(qtbot, view)["points"]["onMap"] is True, timeout=5000)

    tree.tree.setCurrentItem(tree.item("near"))
    tree.opacity.setValue(40)
    qtbot.waitUntil(lambda: user_layers(qtbot, view)["near"]["opacity"] == pytest.approx(0.4), timeout=5000)

    z = user_layers(qtbot, view)
    assert z["points"]["z"] > z["near"]["z"]  # first in the tree = drawn on top
    tree.up.click()  # "near" above "points"
    qtbot.waitUntil(lambda: user_layers(qtbot, view)["near"]["z"] > user_layers(qtbot, view)["points"]["z"],
                    timeout=5000)
    assert tree.group("user").child(0).data(0, Qt.ItemDataRole.UserRole) == "near"


def test_a_reloaded_page_gets_the_layers_and_their_current_look_again(qtbot, setup) -> None:
    view, feature = setup
    qtbot.waitUntil(lambda: user_layers(qtbot, view).get("wfs", {}).get("count") == 40, timeout=30000)
    feature.widget.tree.setCurrentItem(feature.widget.item("wfs"))
    feature.widget.opacity.setValue(30)  # changed after the layer's JSON was made
    feature.widget.item("near").setCheckState(0, Qt.CheckState.Unchecked)
    with qtbot.waitSignal(view.sig_ready, timeout=30000):
        view.reload()
    qtbot.waitUntil(lambda: user_layers(qtbot, view).get("wfs", {}).get("count") == 40, timeout=10000)
    qtbot.waitUntil(lambda: user_layers(qtbot, view)["wfs"]["opacity"] == pytest.approx(0.3), timeout=5000)
    assert user_layers(qtbot, view)["near"]["onMap"] is False
    assert user_layers(qtbot, view)["points"]["count"] == len(POINTS)



def test_a_live_layer_is_read_again_when_its_interval_has_passed(qtbot, setup, wfs: WfsServer) -> None:
    view, feature = setup
    qtbot.waitUntil(lambda: user_layers(qtbot, view).get("wfs", {}).get("count") == 40, timeout=30000)
    wfs.features = point_features(55, lon0=117.35, lat0=34.75)  # the service now has more
    feature.controller.get("wfs").result.fetched_at -= 10  # as if 10 s (its refresh_s) had passed
    qtbot.waitUntil(lambda: user_layers(qtbot, view)["wfs"]["count"] == 55, timeout=10000)
    assert feature.widget.item("wfs").text(1) == "55" and "每 10 秒刷新" in feature.widget.item("wfs").text(2)
    assert user_layers(qtbot, view)["points"]["count"] == len(POINTS)  # the others still drawn
    feature.controller.get("wfs").result.fetched_at -= 10  # and once more: still one canvas in its pane
    wfs.features = point_features(60, lon0=117.35, lat0=34.75)
    qtbot.waitUntil(lambda: user_layers(qtbot, view)["wfs"]["count"] == 60, timeout=10000)
    assert run_js(qtbot, view, "document.querySelectorAll('.leaflet-cw-user-wfs-pane canvas').length") == 1


def test_hostile_names_stay_text(qtbot, tmp_path) -> None:
    evil = '<img src=x onerror="document.title=1">\u202egnp.exe'
    path = tmp_path / "evil.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [117.3, 34.8]}, "properties": {"name": evil}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [117.31, 34.8]},
         "properties": {"name": "__proto__"}}]}), "utf-8")
    view = MapView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    feature = LayerTreeFeature(UserLayersController([
        LayerSourceSpec(id="evil", title=evil, kind="geojson", path=path)]), view)
    qtbot.addWidget(feature.widget)
    with qtbot.waitSignal(view.sig_ready, timeout=30000):
        view.load_page(load_layers(paths.layers_dir()).layers)
    qtbot.waitUntil(lambda: user_layers(qtbot, view).get("evil", {}).get("count") == 2, timeout=20000)
    assert feature.widget.item("evil").text(0) == display_text(evil)
    shown = run_js(qtbot, view, "[[34.8, 117.3], [34.8, 117.31]].map(ll => { const p = "
                   "CW.map.latLngToContainerPoint(ll); CW.map.fire('mousemove', {containerPoint: p, latlng: "
                   "L.latLng(ll)}); const t = document.querySelector('.leaflet-tooltip .cw-tip-title'); "
                   "return t ? t.textContent : null; })")
    assert sorted(shown) == sorted([display_text(evil), "__proto__"])
    assert run_js(qtbot, view, "document.querySelectorAll('img[src=x]').length") == 0
    assert run_js(qtbot, view, "document.title") != "1"
    feature.shutdown()


def test_two_slow_layer_servers_hold_up_no_other_layer(qtbot, tmp_path) -> None:
    """Two layers on servers that send a byte a second (each page may take two minutes): the other layers are
    read meanwhile (two readers in all used to wait for the slow ones, and nothing else was read)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    closing = threading.Event()

    class Trickle(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/geo+json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(120):  # bounded: two minutes at most
                if closing.wait(1.0):
                    return
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return

        def log_message(self, *_args: object) -> None:
            pass

    slow = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    slow.daemon_threads = True
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{slow.server_port}"
    path = tmp_path / "quick.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [117.3, 34.8]}, "properties": {}}]}),
        "utf-8")
    view = MapView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    feature = LayerTreeFeature(UserLayersController([
        LayerSourceSpec(id="slow-a", title="慢图层一", kind="geojson", url=f"{base}/a.geojson"),
        LayerSourceSpec(id="slow-b", title="慢图层二", kind="geojson", url=f"{base}/b.geojson"),
        LayerSourceSpec(id="quick", title="本地图层", kind="geojson", path=path)]), view)
    qtbot.addWidget(feature.widget)
    try:
        with qtbot.waitSignal(view.sig_ready, timeout=30000):
            view.load_page(load_layers(paths.layers_dir()).layers)
        qtbot.waitUntil(lambda: user_layers(qtbot, view).get("quick", {}).get("count") == 1, timeout=20000)
        shown = user_layers(qtbot, view)
        assert all(shown[k]["count"] == 0 and shown[k]["error"] is None for k in ("slow-a", "slow-b")), shown
    finally:
        closing.set()
        feature.shutdown()
        slow.shutdown()
        slow.server_close()
