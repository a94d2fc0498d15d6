"""A WMTS base map in the real map page: the district MBTiles served by a small WMTS server on 127.0.0.1
(RESTful, KVP, and as its capabilities document describes it, TileMatrix ids ``EPSG:900913:<z>``, default
style ``normal``); the page
asks it for exactly the tiles it draws, at the right z/x/y, and nothing else; a failing tile request whose URL
carries a key (天地图's ``tk``) leaves no key in the client's log or in the page's console relayed to it."""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from commandwall import paths
from commandwall.app.map import base_map_catalogue
from commandwall.config import Settings
from commandwall.geo.basemaps import BaseMap, BaseMapCatalogue, wmts_kvp_template
from commandwall.geo.layers import load_layers
from commandwall.logs import setup_logging
from commandwall.ui.map.view import MapView
from tests.wmts_server import LABELS, LAYER, PREFIX, SET, WmtsServer, capabilities_xml

DISTRICT_MAP = paths.district_base_map()
pytestmark = pytest.mark.skipif(not DISTRICT_MAP.is_file(), reason="make basemap renders the district base map")
KEY = "f00dfeed0123456789abcdef01234567"


def run_js(qtbot, view: MapView, code: str, timeout: int = 5000):
    box: list = []
    view.page().runJavaScript(f"JSON.stringify(({code}))", 0, box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=timeout)
    return json.loads(box[0]) if box[0] else None


def open_map(qtbot, catalogue: BaseMapCatalogue) -> MapView:
    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    view.set_base_maps(catalogue, catalogue.default)
    with qtbot.waitSignal(view.sig_ready, timeout=20000):
        view.load_page(load_layers(paths.layers_dir()).layers)
    return view


def settled(qtbot, view: MapView) -> dict:
    """Wait until every tile the page started has loaded or failed; the page's tile counts."""
    def counts() -> dict:
        return run_js(qtbot, view, "CW.stats().tiles")
    qtbot.waitUntil(lambda: counts()["started"] >= 4, timeout=15000)
    qtbot.waitUntil(lambda: counts()["loaded"] + counts()["errors"] == counts()["started"], timeout=15000)
    qtbot.wait(300)  # a last request after a zoom animation's end
    qtbot.waitUntil(lambda: counts()["loaded"] + counts()["errors"] == counts()["started"], timeout=15000)
    return counts()


@pytest.fixture
def wmts(request) -> Iterator[WmtsServer]:
    """The test WMTS server; its layer's default style is ``request.param`` if the test gives one."""
    server = WmtsServer(DISTRICT_MAP, style=getattr(request, "param", "default")).start()
    yield server
    server.stop()


def _spec(form: str, server: WmtsServer, tmp_path: Path) -> dict:
    if form == "rest":
        url = server.origin + f"/rest/{LAYER}/{{Style}}/{{TileMatrixSet}}/{{TileMatrix}}/{{TileRow}}/{{TileCol}}.png"
        return {"url": url, "matrix_set": SET, "matrix_prefix": PREFIX}
    if form == "kvp":
        return {"url": server.origin + "/wmts", "layer": LAYER, "matrix_set": SET, "matrix_prefix": PREFIX}
    document = tmp_path / "capabilities.xml"  # what the server answers to GetCapabilities, kept as a file
    document.write_bytes(capabilities_xml(server.origin, rest=form == "capabilities-rest", style=server.style))
    return {"layer": LAYER, "capabilities": document}


# a server whose default style is not called "default" (``normal``): the document says which it is
@pytest.mark.parametrize("form, wmts", [("rest", "default"), ("kvp", "default"), ("capabilities-rest", "normal"),
                                        ("capabilities-kvp", "normal")], indirect=["wmts"])
def test_wmts_base_map_requests_exactly_the_tiles_it_draws(qtbot, tmp_path: Path, wmts: WmtsServer, form) -> None:
    settings = Settings(data_dir=tmp_path, base_maps=[
        {"id": "city", "title": "城市WMTS", "kind": "wmts", "min_zoom": 10, "max_zoom": 16,
         **_spec(form, wmts, tmp_path)}])
    catalogue, problems = base_map_catalogue(settings)
    assert problems == []
    view = open_map(qtbot, catalogue)
    assert run_js(qtbot, view, "CW.stats().baseMap") == "city"
    csp = run_js(qtbot, view, "document.querySelector('meta[http-equiv]').content")
    assert f"img-src 'self' cw: data: {wmts.origin};" in csp
    counts = settled(qtbot, view)
    expected_form = "rest" if form in ("rest", "capabilities-rest") else "kvp"
    assert wmts.tiles and {t[0] for t in wmts.tiles} == {expected_form}
    assert counts["started"] == len(wmts.tiles) == len(wmts.requests)  # every request was a tile in EPSG:900913
    assert counts["loaded"] == wmts.served >= 4 and counts["errors"] == len(wmts.tiles) - wmts.served

    # the tiles the page holds now are those of the view at its zoom, each asked for once at its own z/x/y
    view_tiles = run_js(qtbot, view, """(function () {
        var out = null;
        CW.map.eachLayer(function (l) { if (l instanceof L.TileLayer) out = l; });
        var z = Math.max(10, Math.min(16, Math.round(CW.map.getZoom())));  // the tiles' zoom at a fractional one
        var b = CW.map.getBounds(), nw = CW.map.project(b.getNorthWest(), z), se = CW.map.project(b.getSouthEast(), z);
        var held = Object.keys(out._tiles).map(function (k) { return k.split(':').map(Number); })
            .filter(function (t) { return t[2] === z; });
        return {z: z, held: held, range: [Math.floor(nw.x / 256), Math.floor(nw.y / 256),
                Math.floor((se.x - 1) / 256), Math.floor((se.y - 1) / 256)]};
    })()""")
    zoom, (x0, y0, x1, y1) = view_tiles["z"], view_tiles["range"]
    assert 10 <= zoom <= 16
    at_zoom = [(x, y) for _, z, x, y in wmts.tiles if z == zoom]
    assert len(at_zoom) == len(set(at_zoom))
    in_view = {(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}
    near = {(x, y) for x in range(x0 - 1, x1 + 2) for y in range(y0 - 1, y1 + 2)}  # Leaflet's keepBuffer margin
    held = {(x, y) for x, y, _ in view_tiles["held"]}
    assert in_view <= set(at_zoom) <= near, (view_tiles, sorted(at_zoom))  # the view's tiles at their z/x/y …
    assert held == set(at_zoom)  # … each drawn (none asked for in vain)
    # what the page fetched from anywhere: its own cw:// assets and this server's tiles, nothing else
    urls = run_js(qtbot, view, "performance.getEntriesByType('resource').map(e => e.name)")
    assert all(u.startswith(("cw://app/", wmts.origin + "/rest/", wmts.origin + "/wmts?")) for u in urls), urls


def test_a_label_overlay_of_a_capabilities_base_map_asks_for_the_documents_tile_matrices(
        qtbot, tmp_path: Path, wmts: WmtsServer) -> None:
    document = tmp_path / "capabilities.xml"
    document.write_bytes(capabilities_xml(wmts.origin))
    settings = Settings(data_dir=tmp_path, base_maps=[
        {"id": "city", "title": "城市WMTS", "kind": "wmts", "layer": LAYER, "capabilities": document,
         "min_zoom": 10, "max_zoom": 16,
         "overlay_url": wmts.origin + f"/rest/{LABELS}/{{Style}}/{{TileMatrixSet}}/{{TileMatrix}}/{{TileRow}}/"
                                      "{TileCol}.png"}])
    catalogue, problems = base_map_catalogue(settings)
    assert problems == []
    view = open_map(qtbot, catalogue)
    counts = settled(qtbot, view)
    labels = [path for path in wmts.requests if path.startswith(f"/rest/{LABELS}/")]
    assert len(wmts.label_tiles) >= 4 and len(labels) == len(wmts.label_tiles)  # each one at EPSG:900913:<z>
    assert {(z, x) for z, x, _ in wmts.label_tiles} == {(z, x) for _, z, x, _ in wmts.tiles}  # under the base
    asked = len(wmts.tiles) + len(wmts.label_tiles)  # the rest of the requests: none (nothing in vain)
    assert counts["started"] == asked == len(wmts.requests) and wmts.served >= 8
    assert counts["loaded"] == wmts.served and counts["errors"] == asked - wmts.served  # 404: outside the file


@pytest.fixture
def client_log() -> Iterator[io.StringIO]:
    """The client's own logging (``commandwall.logs.setup_logging``: its handler, format and redaction) at
    DEBUG, written into a buffer instead of stderr."""
    root = logging.getLogger()
    handlers, level, hooks = root.handlers[:], root.level, (sys.excepthook, threading.excepthook)
    setup_logging("DEBUG")
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)
    yield buffer
    root.handlers[:] = handlers
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks


def test_failing_tiles_with_a_key_leave_no_key_in_the_logs(qtbot, tmp_path: Path, wmts: WmtsServer,
                                                           client_log: io.StringIO, capfd) -> None:
    wmts.fail_all = True  # the tile store is down: every tile answers 500
    template = wmts_kvp_template(wmts.origin + "/wmts", LAYER, SET, extra={"tk": KEY}, matrix_prefix=PREFIX)
    catalogue = BaseMapCatalogue([BaseMap("tdt", "天地图", url=template, overlay_url=template.replace(
        f"LAYER={LAYER}", f"LAYER={LAYER}&x=label"), min_zoom=10, max_zoom=16)], default="tdt")
    logging.getLogger("tests").info("base maps: %r", catalogue.base_maps)
    view = open_map(qtbot, catalogue)
    counts = settled(qtbot, view)
    assert counts["errors"] == counts["started"] >= 8 and counts["loaded"] == 0
    assert all(f"tk={KEY}" in path for path in wmts.requests)  # the key was in every failing URL …
    # an image from a host outside the CSP: Chromium's console message names the whole URL, and the page relays
    # its console to the log
    run_js(qtbot, view, "(function () { var i = new Image(); i.src = 'http://127.0.0.3:9/t?tk=" + KEY + "'; "
                        "document.body.appendChild(i); console.error('cw test: console relayed'); })()")
    qtbot.waitUntil(lambda: "Refused to load the image" in client_log.getvalue()
                    and "cw test: console relayed" in client_log.getvalue(), timeout=10000)
    out, err = capfd.readouterr()  # what QtWebEngine's Chromium printed itself
    text = client_log.getvalue() + out + err
    assert "http://127.0.0.3:9/t?tk=***" in text  # the message is there, its key is not …
    assert "Logging error" not in text
    assert KEY not in text  # … nor anywhere else in the log (the base-map catalogue, the failing tiles)
