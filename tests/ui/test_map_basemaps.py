"""Base maps in the real map page: the district MBTiles through cw://, the switcher, the remembered choice,
a configured XYZ service on 127.0.0.1, and the coordinate readout (WGS84 + EPSG:4548)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pyproj import Transformer

from commandwall import paths
from commandwall.app import map as map_rules
from commandwall.app.map import MapController, base_map_catalogue
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.geo.basemaps import MBTilesReader
from commandwall.geo.layers import load_layers
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.map.feature import MapFeature
from commandwall.ui.map.view import MapView
from commandwall.ui.map.view_state import MapViewState
from tests.geo_servers import FailingTileServer
from tests.wmts_server import LAYER, WmtsServer, capabilities_xml

DISTRICT_MAP = paths.district_base_map()
pytestmark = pytest.mark.skipif(not DISTRICT_MAP.is_file(), reason="make basemap renders the district base map")


def run_js(qtbot, view: MapView, code: str, timeout: int = 5000):
    box: list = []
    view.page().runJavaScript(f"JSON.stringify(({code}))", 0, box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=timeout)
    return json.loads(box[0]) if box[0] else None


def open_map(qtbot, settings: Settings, data_dir: Path) -> MapView:
    """A map view set up as MapFeature sets it up: the desk's catalogue and its remembered choice."""
    catalogue, problems = base_map_catalogue(settings)
    assert problems == []
    state = MapViewState(data_dir)
    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    view.set_base_maps(catalogue, catalogue.choose(state.base_map()))
    view.sig_base_map_chosen.connect(state.save_base_map)
    view.view_state = state  # as the feature does: the state lives as long as the view
    with qtbot.waitSignal(view.sig_ready, timeout=20000):
        view.load_page(load_layers(paths.layers_dir()).layers)
    return view


def map_feature(qtbot, settings: Settings, data_dir: Path) -> tuple[MapFeature, ClientSignals]:
    """The map feature as the window makes it, for a platform that never answers, its view shown; the test emits
    the layers through the returned signals and shuts the feature down."""
    session = ClientSession(settings, PlatformFactory.at_url("http://127.0.0.1:9"))
    signals = ClientSignals()
    feature = MapFeature(MapController(session), signals, data_dir=data_dir)
    qtbot.addWidget(feature.view)
    feature.view.resize(900, 700)
    feature.view.show()
    return feature, signals


def tiles(qtbot, view: MapView) -> dict:
    return run_js(qtbot, view, "CW.stats().tiles")


def test_district_base_map_loads_switches_and_is_remembered(qtbot, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    view = open_map(qtbot, settings, tmp_path)
    assert run_js(qtbot, view, "CW.stats().baseMap") == "xuecheng"
    qtbot.waitUntil(lambda: tiles(qtbot, view)["loaded"] >= 4, timeout=15000)
    qtbot.waitUntil(lambda: tiles(qtbot, view)["loaded"] == tiles(qtbot, view)["started"], timeout=15000)
    assert tiles(qtbot, view)["errors"] == 0
    switcher = run_js(qtbot, view, "document.querySelector('.leaflet-control-layers-base').textContent")
    assert "薛城区离线底图" in switcher and "无底图" in switcher

    with qtbot.waitSignal(view.sig_base_map_chosen, timeout=5000) as chosen:
        assert run_js(qtbot, view, "CW.chooseBaseMap('none')") is True
    assert chosen.args == ["none"]
    assert run_js(qtbot, view, "CW.stats().baseMap") == "none"
    assert run_js(qtbot, view, "document.querySelectorAll('img.leaflet-tile').length") == 0
    view.close()
    view.deleteLater()

    assert MapViewState(tmp_path).base_map() == "none"
    again = open_map(qtbot, settings, tmp_path)  # a restart of the desk: same data folder
    assert run_js(qtbot, again, "CW.stats().baseMap") == "none"
    with qtbot.waitSignal(again.sig_base_map_chosen, timeout=5000):
        run_js(qtbot, again, "CW.chooseBaseMap('xuecheng')")
    assert MapViewState(tmp_path).base_map() == "xuecheng"


class TileServer(ThreadingHTTPServer):
    """The district MBTiles over HTTP at /{z}/{x}/{y}.png, counting every request path."""

    def __init__(self, mbtiles: Path) -> None:
        self.reader = MBTilesReader(mbtiles)
        self.requests: list[str] = []
        self.served = 0  # 200 answers; the others are 404s for tiles beyond the district
        super().__init__(("127.0.0.1", 0), _TileHandler)


class _TileHandler(BaseHTTPRequestHandler):
    server: TileServer

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        match = re.fullmatch(r"/(\d+)/(\d+)/(\d+)\.png", self.path)
        tile = self.server.reader.tile(*map(int, match.groups())) if match else None
        if tile is None:
            self.send_error(404)
            return
        self.server.served += 1
        self.send_response(200)
        self.send_header("Content-Type", tile[1])
        self.send_header("Content-Length", str(len(tile[0])))
        self.end_headers()
        self.wfile.write(tile[0])

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def tile_server() -> Iterator[TileServer]:
    server = TileServer(DISTRICT_MAP)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_configured_xyz_service_loads_tiles_and_nothing_else(qtbot, tmp_path: Path, tile_server) -> None:
    origin = f"http://127.0.0.1:{tile_server.server_address[1]}"
    settings = Settings(data_dir=tmp_path, base_maps=[
        {"id": "city", "title": "城市瓦片服务", "kind": "xyz", "url": origin + "/{z}/{x}/{y}.png",
         "min_zoom": 10, "max_zoom": 16},
    ])
    view = open_map(qtbot, settings, tmp_path)
    assert run_js(qtbot, view, "CW.stats().baseMap") == "city"
    csp = run_js(qtbot, view, "document.querySelector('meta[http-equiv]').content")
    assert f"img-src 'self' cw: data: {origin};" in csp
    qtbot.waitUntil(lambda: tiles(qtbot, view)["loaded"] >= 4, timeout=15000)
    qtbot.waitUntil(lambda: tiles(qtbot, view)["loaded"] + tiles(qtbot, view)["errors"]
                    == tiles(qtbot, view)["started"], timeout=15000)
    counts = tiles(qtbot, view)
    assert counts["loaded"] == tile_server.served  # every tile the server had was drawn
    assert counts["errors"] == len(tile_server.requests) - tile_server.served  # only its 404s failed
    assert tile_server.requests and all(re.fullmatch(r"/1[0-6]/\d+/\d+\.png", p) for p in tile_server.requests)
    assert len(tile_server.requests) == tiles(qtbot, view)["started"]
    # what the page fetched from anywhere: its own cw:// assets and this server's tiles, nothing else
    urls = run_js(qtbot, view, "performance.getEntriesByType('resource').map(e => e.name)")
    assert all(u.startswith(("cw://app/", origin + "/")) for u in urls), urls


def test_coordinate_readout_matches_pyproj_and_click_copies(qtbot, tmp_path: Path) -> None:
    view = open_map(qtbot, Settings(data_dir=tmp_path), tmp_path)
    move = "CW.map.fire('mousemove', {latlng: L.latLng(34.785, 117.315)})"
    text = run_js(qtbot, view, f"({move}, CW.readout.textContent)")
    east, north = Transformer.from_crs(4326, 4548, always_xy=True).transform(117.315, 34.785)
    assert text == f"WGS84 117.315000°E 34.785000°N · CGCS2000 GK 4548 E {east:.1f} N {north:.1f}"
    with qtbot.waitSignal(view.sig_copy_text, timeout=5000) as copied:
        run_js(qtbot, view, "CW.readout.click()")
    assert copied.args == [text]


def test_base_maps_are_opened_off_the_gui_thread_and_the_page_waits_for_them(qtbot, tmp_path: Path,
                                                                           monkeypatch) -> None:
    """Reading the capabilities document is held until the test lets it go. The feature is made (and the window
    could paint) while it is unread; the layers that come meanwhile wait for it; then the page loads with the
    document's base map."""
    wmts = WmtsServer(DISTRICT_MAP).start()
    document = tmp_path / "capabilities.xml"
    document.write_bytes(capabilities_xml(wmts.origin))
    settings = Settings(data_dir=tmp_path / "d", base_maps=[
        {"id": "city", "title": "城市WMTS", "kind": "wmts", "layer": LAYER, "capabilities": document,
         "min_zoom": 10, "max_zoom": 16}])
    feature_made, read = threading.Event(), []
    read_capabilities = map_rules._read_capabilities

    def held_read(path: Path) -> bytes:
        read.append(feature_made.wait(10))  # without a worker the feature waits here: it is let go late
        return read_capabilities(path)

    monkeypatch.setattr(map_rules, "_read_capabilities", held_read)
    feature, signals = map_feature(qtbot, settings, tmp_path / "d")
    view = feature.view
    try:
        layers = load_layers(paths.layers_dir()).layers
        signals.sig_layers.emit(layers, [], MapView.build_page(layers))
        qtbot.wait(300)
        assert view.url().isEmpty() and not view.is_ready()  # no page without its base maps
        feature_made.set()
        with qtbot.waitSignal(view.sig_ready, timeout=20000):
            pass
        assert read == [True]
        assert run_js(qtbot, view, "CW.stats().baseMap") == "city"
        qtbot.waitUntil(lambda: wmts.served >= 4, timeout=15000)
    finally:
        feature_made.set()
        feature.shutdown()
        wmts.stop()


def test_a_base_map_whose_tiles_keep_failing_is_said_once(qtbot, tmp_path: Path) -> None:
    """A tile server that answers 500 (down, or behind a broken proxy): the page says so once, with the base
    map's id and how many tiles failed in a row, instead of a blank base map that reads as still loading."""
    with FailingTileServer() as server:
        settings = Settings(data_dir=tmp_path, base_maps=[
            {"id": "down", "title": "停机的瓦片服务", "kind": "xyz", "url": server.origin + "/{z}/{x}/{y}.png"}])
        said: list[tuple[str, int]] = []
        catalogue, _problems = base_map_catalogue(settings)
        view = MapView()
        qtbot.addWidget(view)
        view.resize(900, 700)
        view.show()
        view.set_base_maps(catalogue, "down")
        view.sig_base_map_failing.connect(lambda base_map, failed: said.append((base_map, failed)))
        with qtbot.waitSignal(view.sig_ready, timeout=20000):
            view.load_page(load_layers(paths.layers_dir()).layers)
        qtbot.waitUntil(lambda: bool(said), timeout=15000)
        qtbot.waitUntil(lambda: tiles(qtbot, view)["errors"] >= 12, timeout=15000)
        assert said == [("down", 6)], said  # once, however many more fail


def test_choosing_a_gcj02_base_map_says_once_that_overlays_are_offset(qtbot, tmp_path: Path, tile_server) -> None:
    """A base map drawn in GCJ-02 (here a local proxy of AMap's tiles, declared so): choosing it in the page's
    switcher says in the status bar, once, that the WGS84 overlays lie ~0.5 km off on it; the plain one says
    nothing. A desk that starts on it is told at start."""
    origin = f"http://127.0.0.1:{tile_server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    settings = Settings(data_dir=tmp_path / "d", base_map="city", base_maps=[
        {"id": "city", "title": "城市底图", "kind": "xyz", "url": origin, "min_zoom": 10, "max_zoom": 16},
        {"id": "gaode", "title": "高德代理", "kind": "xyz", "url": origin, "crs": "GCJ-02", "min_zoom": 10,
         "max_zoom": 16}])

    def open_feature() -> tuple[MapFeature, list[str]]:
        session = ClientSession(settings, PlatformFactory.at_url("http://127.0.0.1:9"))
        signals = ClientSignals()
        feature = MapFeature(MapController(session), signals, data_dir=tmp_path / "d")
        said: list[str] = []
        feature.sig_message.connect(lambda text, _ms: said.append(text))
        qtbot.addWidget(feature.view)
        feature.view.resize(900, 700)
        feature.view.show()
        layers = load_layers(paths.layers_dir()).layers
        with qtbot.waitSignal(feature.view.sig_ready, timeout=20000):
            signals.sig_layers.emit(layers, [], MapView.build_page(layers))
        return feature, said

    def offsets(said: list[str]) -> list[str]:
        return [text for text in said if "偏移约 0.5 公里" in text]

    feature, said = open_feature()
    view = feature.view
    assert run_js(qtbot, view, "CW.stats().baseMap") == "city"
    assert offsets(said) == []
    switcher = run_js(qtbot, view, "document.querySelector('.leaflet-control-layers-base').innerText")
    assert "高德代理（GCJ-02：叠加偏移约0.5公里）" in switcher and "城市底图（" not in switcher  # always there
    with qtbot.waitSignal(view.sig_base_map_chosen, timeout=5000):
        assert run_js(qtbot, view, "CW.chooseBaseMap('gaode')") is True
    assert len(offsets(said)) == 1
    assert "高德代理" in offsets(said)[0] and "GCJ-02" in offsets(said)[0] and "WGS84" in offsets(said)[0]
    for base_map in ("city", "gaode"):  # back and forth: said once
        with qtbot.waitSignal(view.sig_base_map_chosen, timeout=5000):
            run_js(qtbot, view, f"CW.chooseBaseMap('{base_map}')")
    assert len(offsets(said)) == 1
    feature.shutdown()
    view.close()

    again, said_again = open_feature()  # the desk restarts on it: told at start
    assert run_js(qtbot, again.view, "CW.stats().baseMap") == "gaode"
    assert len(offsets(said_again)) == 1
    again.shutdown()


def test_a_base_map_with_nan_bounds_still_lets_the_map_load(qtbot, tmp_path: Path) -> None:
    """An offline base map whose metadata says its bounds are "nan,…": the page's options could not be written
    as JSON, the page was never loaded and the map stayed blank, nothing said. It loads, with that base map."""
    import sqlite3

    from tests.unit.test_geo_basemaps import make_mbtiles, png

    path = make_mbtiles(tmp_path / "nan.mbtiles", {(10, 843, 408): png((200, 0, 0))})
    with sqlite3.connect(path) as db:
        db.execute("UPDATE metadata SET value = 'nan,34.63,117.48,34.94' WHERE name = 'bounds'")
    db.close()
    settings = Settings(data_dir=tmp_path / "d", base_maps=[
        {"id": "odd", "title": "离线（坏边界）", "kind": "mbtiles", "path": path}])
    feature, signals = map_feature(qtbot, settings, tmp_path / "d")
    view = feature.view
    try:
        layers = load_layers(paths.layers_dir()).layers
        with qtbot.waitSignal(view.sig_ready, timeout=20000):
            signals.sig_layers.emit(layers, [], MapView.build_page(layers))
        assert run_js(qtbot, view, "CW.stats().baseMap") == "odd"
    finally:
        feature.shutdown()
