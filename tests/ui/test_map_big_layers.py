"""A big layer and slow base-map tiles on the real map page without holding up the GUI thread: the layer's JSON
is fetched by the page over cw:// (not serialised through the web channel on the GUI thread), and tiles are read
on worker threads, the page's request answered when its tile is in (or let go when the page moved on)."""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl

from commandwall import paths
from commandwall.app.user_layers import UserLayersController
from commandwall.geo.basemaps import BaseMap, BaseMapCatalogue, MBTilesReader
from commandwall.geo.layers import load_layers
from commandwall.geo.sources import LayerSourceSpec
from commandwall.ui.map.layer_tree import INLINE_LAYER_CHARS, LayerTreeFeature
from commandwall.ui.map.view import MapView
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES, run_js

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)


def write_parcels(path: Path, n: int, vertices: int = 60) -> None:
    features = []
    for k in range(n):
        cx, cy = 117.16 + (k % 97) * 0.003, 34.64 + (k // 97) * 0.003
        ring = [[round(cx + 0.001 * math.cos(2 * math.pi * i / vertices), 7),
                 round(cy + 0.001 * math.sin(2 * math.pi * i / vertices), 7)] for i in range(vertices)]
        features.append({"type": "Feature", "properties": {"name": f"地块{k}"},
                         "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")


def open_page(qtbot) -> MapView:
    view = MapView()
    qtbot.addWidget(view)
    view.resize(1000, 800)
    view.show()
    return view


def fetch_status(qtbot, view: MapView, url: str) -> int:
    run_js(qtbot, view, f"(window.__status = 0, fetch({json.dumps(url)}).then(r => window.__status = r.status), 1)")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "window.__status") != 0, timeout=10000)
    return run_js(qtbot, view, "window.__status")


def test_a_big_layer_is_fetched_by_the_page_over_cw_not_sent_through_the_channel(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "parcels.geojson"
    write_parcels(path, 1500)
    spec = LayerSourceSpec(id="parcels", title="地块", kind="geojson", path=path)
    view = open_page(qtbot)
    feature = LayerTreeFeature(UserLayersController([spec]), view, start=False)
    qtbot.addWidget(feature.widget)
    sent: list[str] = []
    feature.bridge.layer_changed.connect(sent.append)
    try:
        with qtbot.waitSignal(view.sig_ready, timeout=20000):
            view.load_page(load_layers(paths.layers_dir()).layers)
        feature.start()
        qtbot.waitUntil(lambda: (run_js(qtbot, view, "CW.userLayers()").get("parcels") or {}).get("count") == 1500,
                        timeout=60000)
        assert len(sent) == 1 and len(sent[0]) < 1000 < INLINE_LAYER_CHARS  # the address, not 2 MB of features
        first = json.loads(sent[0])["href"]
        assert first.startswith("cw://app/data/")
        assert feature.widget.item("parcels").text(1) == "1500"
        # a new version: served under a new name, the old one no longer; the page draws the new one
        write_parcels(path, 1400)
        feature.reload("parcels")
        qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.userLayers().parcels.count") == 1400, timeout=60000)
        second = json.loads(sent[-1])["href"]
        assert second != first
        assert fetch_status(qtbot, view, first) == 404 and fetch_status(qtbot, view, second) == 200
        # a page that (re)connects asks layers(): the address again, not the features
        assert len(feature.bridge.layers()) < 1000 and second in feature.bridge.layers()
        assert run_js(qtbot, view, "CW.userLayers().parcels.onMap") is True
    finally:
        feature.shutdown()


class RecordingReader:
    """The district MBTiles, noting which thread reads each tile; ``gate`` cleared holds reads back."""

    def __init__(self, path: Path) -> None:
        self.reader = MBTilesReader(path)
        self.min_zoom, self.max_zoom = self.reader.min_zoom, self.reader.max_zoom
        self.threads: list[threading.Thread] = []
        self.gate = threading.Event()
        self.gate.set()

    def tile(self, z: int, x: int, y: int):
        self.threads.append(threading.current_thread())
        self.gate.wait(30)
        return self.reader.tile(z, x, y)


@pytest.mark.skipif(not paths.district_base_map().is_file(), reason="make basemap renders the district base map")
def test_tiles_are_read_off_the_gui_thread_and_a_request_the_page_dropped_is_let_go(qtbot, caplog) -> None:
    reader = RecordingReader(paths.district_base_map())
    catalogue = BaseMapCatalogue([BaseMap("district", "区", reader=reader, min_zoom=8, max_zoom=19)],
                                 default="district")
    view = open_page(qtbot)
    view.set_base_maps(catalogue, "district")
    with qtbot.waitSignal(view.sig_ready, timeout=20000):
        view.load_page(load_layers(paths.layers_dir()).layers)
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.stats().tiles")["loaded"] >= 4, timeout=15000)
    assert reader.threads and threading.main_thread() not in reader.threads
    # reads held back; the page leaves while its requests wait: they are let go, nothing is answered to them
    handler = view._handler
    reader.gate.clear()
    try:
        run_js(qtbot, view, "(CW.map.setView([34.85, 117.40], 15, {animate: false}), 1)")
        qtbot.waitUntil(lambda: handler.tiles_waiting > 0, timeout=10000)
        view.setUrl(QUrl("about:blank"))
        qtbot.waitUntil(lambda: handler.tiles_waiting == 0, timeout=15000)
    finally:
        reader.gate.set()
    qtbot.wait(500)  # the held reads finish and find their requests gone
    assert "Traceback" not in caplog.text and "RuntimeError" not in caplog.text
    view.close()
    view.deleteLater()
