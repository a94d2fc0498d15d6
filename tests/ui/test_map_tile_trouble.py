"""Remote base maps that fail in the ways real tile servers do: a server that accepts and never answers, one that
comes back after an outage, a label overlay that fails while its base map loads, and base maps whose opening
takes longer than the page waits (an MBTiles file whose queries never end). Real servers on 127.0.0.1, real files,
the real page."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from commandwall import paths
from commandwall.app.map import base_map_catalogue
from commandwall.geo import basemaps
from commandwall.geo.layers import load_layers
from commandwall.ui.map import feature as feature_module
from commandwall.ui.map.view import MapView
from tests.ui.test_map_basemaps import DISTRICT_MAP, map_feature, run_js, tiles
from tests.unit.test_base_map_files import endless_mbtiles
from tests.unit.test_geo_basemaps import png
from tests.wmts_server import LAYER, WmtsServer, capabilities_xml

pytestmark = pytest.mark.skipif(not DISTRICT_MAP.is_file(), reason="make basemap renders the district base map")

TILE = png((60, 160, 60))
BANNER = "(() => { const b = document.querySelector('.cw-tile-banner'); " \
         "return b && b.style.display !== 'none' ? b.textContent : ''; })()"


class ModeTileServer:
    """A tile server whose answer is switched while it runs: ``hang`` (accepts, reads the request, never answers
    until the server stops), ``500``, or ``ok`` (a PNG). Paths under /labels/ follow ``labels_mode`` instead.
    ``requests`` lists (time, path) of every request."""

    def __init__(self, mode: str, labels_mode: str | None = None) -> None:
        self.mode, self.labels_mode = mode, labels_mode or mode
        self.requests: list[tuple[float, str]] = []
        self.stopping = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append((time.monotonic(), self.path))
                mode = outer.labels_mode if self.path.startswith("/labels/") else outer.mode
                if mode == "hang":
                    outer.stopping.wait(120)
                    return
                if mode == "500":
                    self.send_error(500)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(TILE)))
                self.end_headers()
                self.wfile.write(TILE)

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"

    def since(self, moment: float, prefix: str = "/") -> int:
        """Requests for paths under ``prefix`` that came after ``moment`` (time.monotonic)."""
        return sum(1 for t, path in list(self.requests) if t > moment and path.startswith(prefix))

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


@pytest.fixture
def hanging() -> Iterator[ModeTileServer]:
    server = ModeTileServer("hang")
    yield server
    server.stop()


def page_with_base_map(qtbot, tmp_path: Path, base_maps: list[dict], messages: list[str]):
    feature, signals = map_feature(qtbot, _settings(tmp_path, base_maps), tmp_path)
    feature.sig_message.connect(lambda text, _ms: messages.append(text))
    layers = load_layers(paths.layers_dir()).layers
    with qtbot.waitSignal(feature.view.sig_ready, timeout=20000):
        signals.sig_layers.emit(layers, [], MapView.build_page(layers))
    return feature


def _settings(tmp_path: Path, base_maps: list[dict]):
    from commandwall.config import Settings

    return Settings(data_dir=tmp_path, base_maps=base_maps)


def test_a_server_that_never_answers_is_shown_on_the_map_and_retried_until_it_comes_back(
        qtbot, tmp_path: Path, hanging: ModeTileServer) -> None:
    """The server accepts every tile request and never answers (Chromium would wait for ever): within the tile
    time limit the map shows a warning naming the base map, the desk is told once; the page keeps asking; when
    the server answers again the tiles load, the warning goes and the recovery is said once."""
    messages: list[str] = []
    feature = page_with_base_map(qtbot, tmp_path, [
        {"id": "city", "title": "城市瓦片<b>服务</b>", "kind": "xyz", "url": hanging.origin + "/{z}/{x}/{y}.png"}],
        messages)
    view = feature.view
    try:
        started = time.monotonic()
        qtbot.waitUntil(lambda: run_js(qtbot, view, BANNER) != "", timeout=25000)
        assert time.monotonic() - started < 22  # the 15 s tile time limit, not Chromium's (none)
        banner = run_js(qtbot, view, BANNER)
        assert "底图「城市瓦片<b>服务</b>」无法加载" in banner and "正在重试" in banner  # the title as text
        assert run_js(qtbot, view, "document.querySelectorAll('.cw-tile-banner b').length") == 0
        assert run_js(qtbot, view, "CW.stats().failingTiles") == ["city:tiles"]
        failing = [m for m in messages if "无法加载" in m]
        assert len(failing) == 1 and "城市瓦片" in failing[0]

        hanging.mode = "ok"  # the server is back
        back = time.monotonic()
        qtbot.waitUntil(lambda: run_js(qtbot, view, BANNER) == "", timeout=30000)
        assert hanging.since(back) > 0  # asked again by itself, without the officer switching base maps
        assert tiles(qtbot, view)["loaded"] > 0
        assert run_js(qtbot, view, "CW.stats().failingTiles") == []
        qtbot.wait(500)
        assert [m for m in messages if "已恢复" in m] == ["底图「城市瓦片<b>服务</b>」已恢复"]
        assert len([m for m in messages if "无法加载" in m]) == 1
    finally:
        feature.shutdown()


def test_a_failing_label_overlay_is_counted_apart_from_its_base_map(qtbot, tmp_path: Path) -> None:
    """The base map's tiles load, its label overlay's all fail: the overlay is said failing (a shared count was
    reset by every base tile that loaded, so nothing was said)."""
    server = ModeTileServer("ok", labels_mode="500")
    messages: list[str] = []
    feature = None
    try:
        feature = page_with_base_map(qtbot, tmp_path, [
            {"id": "tdt", "title": "天地图影像", "kind": "xyz", "url": server.origin + "/base/{z}/{x}/{y}.png",
             "overlay_url": server.origin + "/labels/{z}/{x}/{y}.png"}], messages)
        view = feature.view
        qtbot.waitUntil(lambda: run_js(qtbot, view, BANNER) != "", timeout=20000)
        assert run_js(qtbot, view, "CW.stats().failingTiles") == ["tdt:labels"]
        assert "注记" in run_js(qtbot, view, BANNER)
        assert tiles(qtbot, view)["loaded"] > 0
        assert len([m for m in messages if "注记无法加载" in m]) == 1
    finally:
        if feature is not None:
            feature.shutdown()
        server.stop()


def test_the_map_comes_up_without_base_maps_that_block_and_gets_them_when_they_come(qtbot, tmp_path: Path) -> None:
    """Opening the base maps takes longer than the page waits: the first is an MBTiles file whose every query is a
    scan of a billion rows (given up after ``OPEN_QUERY_SECONDS``, 10 s, past ``BASE_MAPS_WAIT_MS``). The page with
    the district comes up within the wait and says so; once the catalogue is open the WMTS base map after it is on
    the page (loaded again for its tile server) and its tiles are fetched."""
    assert basemaps.OPEN_QUERY_SECONDS * 1000 > feature_module.BASE_MAPS_WAIT_MS + 1000
    wmts = WmtsServer(DISTRICT_MAP).start()
    document = tmp_path / "capabilities.xml"
    document.write_bytes(capabilities_xml(wmts.origin))
    endless = endless_mbtiles(tmp_path / "view.mbtiles", {})
    base_maps = [{"id": "slow", "title": "无尽", "kind": "mbtiles", "path": endless},
                 {"id": "city", "title": "城市WMTS", "kind": "wmts", "layer": LAYER, "capabilities": document,
                  "min_zoom": 10, "max_zoom": 16}]
    messages: list[str] = []
    feature, signals = map_feature(qtbot, _settings(tmp_path / "d", base_maps), tmp_path / "d")
    feature.sig_message.connect(lambda text, _ms: messages.append(text))
    view = feature.view
    try:
        made = time.monotonic()
        layers = load_layers(paths.layers_dir()).layers
        with qtbot.waitSignal(view.sig_ready, timeout=feature_module.BASE_MAPS_WAIT_MS + 12000):
            signals.sig_layers.emit(layers, [], MapView.build_page(layers))
        assert time.monotonic() - made < basemaps.OPEN_QUERY_SECONDS  # before the catalogue could be open
        assert run_js(qtbot, view, "CW.stats().static.length") > 0  # the district is drawn
        assert run_js(qtbot, view, "CW.stats().baseMaps") == ["none"]
        assert any("底图仍在打开" in m for m in messages)
        qtbot.waitUntil(lambda: view.is_ready() and run_js(qtbot, view, "CW.stats().baseMap") == "city",
                        timeout=30000)
        qtbot.waitUntil(lambda: wmts.served >= 4, timeout=15000)
        assert any("无尽" in m and "读取超时" in m for m in messages), messages
    finally:
        feature.shutdown()
        wmts.stop()


def test_base_maps_opened_late_without_new_hosts_are_given_to_the_loaded_page(qtbot, tmp_path: Path) -> None:
    """Base maps that need no new tile server (the district's own MBTiles over cw://) reach a page already
    loaded without a reload: the switcher lists them."""
    from commandwall.config import Settings

    catalogue, _problems = base_map_catalogue(Settings(data_dir=tmp_path))
    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    with qtbot.waitSignal(view.sig_ready, timeout=20000):
        view.load_page(load_layers(paths.layers_dir()).layers)
    assert run_js(qtbot, view, "CW.stats().baseMaps") == ["none"]
    view.set_base_maps(catalogue, catalogue.ids()[0])
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.stats().baseMap") == catalogue.ids()[0], timeout=10000)
    switcher = run_js(qtbot, view, "document.querySelector('.leaflet-control-layers-base').textContent")
    assert "无底图" in switcher and run_js(qtbot, view, "CW.stats().baseMaps") == catalogue.ids()
