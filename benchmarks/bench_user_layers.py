"""A large user point layer on the map: one points canvas (columns) against one L.circleMarker per point.

A GeoJSON file of ``--points`` points (default 50 000) is added as a user layer and read through the layer tree
as the desk does it (file read, per-feature check, page JSON on a worker thread, the web channel, the page).
Rows, medians of ``--repeat`` runs:

* read → painted: ``LayerTreeFeature.reload`` → the page reports the layer painted (``layerDrawn``);
* page share: from the layer's JSON reaching the GUI thread → painted (bridge + page only);
* pan redraw: the page's own time for ``setView`` without animation to a nearby centre (the layers redraw in
  it, on ``moveend``).

"canvas" is what the page does now (``points: {lon, lat, names}`` drawn by ``CW.PointLayer``); "leaflet" is the
page before (a FeatureCollection drawn with ``L.geoJSON`` + ``L.circleMarker`` on Leaflet's canvas renderer).

    .venv/bin/python benchmarks/bench_user_layers.py [--points 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from commandwall.ui.map.scheme import configure_webengine_environment, register_scheme

configure_webengine_environment()
register_scheme()

from PySide6.QtWidgets import QApplication  # noqa: E402

from commandwall import paths  # noqa: E402
from commandwall.app import user_layers  # noqa: E402
from commandwall.app.user_layers import UserLayersController  # noqa: E402
from commandwall.geo.layers import load_layers  # noqa: E402
from commandwall.geo.sources import LayerSourceSpec  # noqa: E402
from commandwall.ui.map.layer_tree import LayerTreeFeature  # noqa: E402
from commandwall.ui.map.view import MapView  # noqa: E402


def wait_until(app: QApplication, done: Callable[[], bool], timeout_s: float = 180.0) -> None:
    end = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > end:
            raise TimeoutError("the page did not answer in time")
        app.processEvents()
        time.sleep(0.002)


def run_js(app: QApplication, view: MapView, code: str) -> object:
    box: list = []
    view.page().runJavaScript(f"JSON.stringify(({code}))", 0, box.append)
    wait_until(app, lambda: bool(box))
    return json.loads(box[0]) if box[0] else None


def write_points(path: Path, n: int) -> None:
    r = random.Random(7)
    features = [{"type": "Feature", "properties": {"name": f"点{i}"},
                 "geometry": {"type": "Point", "coordinates": [117.16 + r.random() * 0.3, 34.64 + r.random() * 0.28]}}
                for i in range(n)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-user-layers-"))
    write_points(folder / "points.geojson", args.points)
    spec = LayerSourceSpec(id="big", title="big", kind="geojson", path=folder / "points.geojson", max_features=200000)
    view = MapView()
    view.resize(1280, 800)
    view.show()
    feature = LayerTreeFeature(UserLayersController([spec]), view, start=False)
    drawn: list[tuple[float, int]] = []
    loaded: list[float] = []
    feature.sig_layer_drawn.connect(lambda _id, count: drawn.append((time.perf_counter(), count)))
    feature._sig_loaded.connect(lambda *_a: loaded.append(time.perf_counter()))
    ready: list[bool] = []
    view.sig_ready.connect(lambda: ready.append(True))
    view.load_page(load_layers(paths.layers_dir()).layers)
    wait_until(app, lambda: bool(ready))
    results: dict[str, dict[str, float]] = {}
    for mode, minimum in (("leaflet", 10**12), ("canvas", 1)):
        user_layers.POINT_COLUMNS_MIN = minimum
        total, page, pan = [], [], []
        for _ in range(args.repeat):
            drawn.clear()
            loaded.clear()
            t0 = time.perf_counter()
            feature.reload("big")
            wait_until(app, lambda: bool(drawn) and drawn[-1][1] == args.points)
            total.append(drawn[-1][0] - t0)
            page.append(drawn[-1][0] - loaded[-1])
            for center in ("[34.80, 117.30]", "[34.78, 117.28]"):  # the redraw runs inside setView (moveend)
                pan.append(run_js(app, view, f"(() => {{ const t = performance.now(); CW.map.setView({center}, 13, "
                                             "{animate: false}); return (performance.now() - t) / 1000; })()"))
        canvas = run_js(app, view, "CW.userLayers().big.canvas")
        results[mode] = {"read_to_painted_s": statistics.median(total), "page_s": statistics.median(page),
                         "pan_s": statistics.median(pan)}
        print(f"{mode:8s} points canvas={canvas}: read→painted {results[mode]['read_to_painted_s']:.2f} s, "
              f"page share {results[mode]['page_s']:.2f} s, pan redraw {results[mode]['pan_s'] * 1000:.0f} ms")
    old, new = results["leaflet"], results["canvas"]
    print(f"ratio leaflet/canvas: read→painted {old['read_to_painted_s'] / new['read_to_painted_s']:.1f}×, "
          f"page {old['page_s'] / new['page_s']:.1f}×, pan {old['pan_s'] / new['pan_s']:.1f}×")
    feature.shutdown()
    view.close()
    view.deleteLater()
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
