"""The GUI thread while a big user layer loads: a 10 ms heartbeat's gaps, and the garbage collections of 20 ms
and more (which thread, how long), for a GeoJSON of ``--polygons`` polygons of 200 positions each (6 000: ~33 MB)
read through the layer tree as the desk does it (file read, parse, check, page JSON on a worker thread, the page).
The client's own collector runs as in the client (on the GUI thread, from a timer), after the start-up freeze.

    .venv/bin/python benchmarks/bench_layer_stalls.py [--polygons 6000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from commandwall.ui.map.scheme import configure_webengine_environment, register_scheme

configure_webengine_environment()
register_scheme()

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from commandwall import paths  # noqa: E402
from commandwall.app.user_layers import UserLayersController  # noqa: E402
from commandwall.geo.layers import load_layers  # noqa: E402
from commandwall.geo.sources import LayerSourceSpec  # noqa: E402
from commandwall.ui.collector import GuiThreadCollector, freeze_long_lived  # noqa: E402
from commandwall.ui.map.layer_tree import LayerTreeFeature  # noqa: E402
from commandwall.ui.map.view import MapView  # noqa: E402

HEARTBEAT_MS = 10


def write_polygons(path: Path, count: int, seed: int = 1) -> None:
    """``count`` round polygons of 200 positions around Xuecheng (another ``seed``, other places: a layer that
    changed, read and drawn again)."""
    rnd = random.Random(seed)
    features = []
    for i in range(count):
        cx, cy = 117.2 + rnd.random() * 0.3, 34.7 + rnd.random() * 0.2
        ring = [[round(cx + 0.002 * math.cos(a / 200 * 2 * math.pi), 7),
                 round(cy + 0.002 * math.sin(a / 200 * 2 * math.pi), 7)] for a in range(200)]
        ring.append(ring[0])
        features.append({"type": "Feature", "properties": {"name": f"地块{i}", "id": i},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polygons", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-layer-stalls-"))
    source = folder / "big.geojson"
    write_polygons(source, args.polygons)
    spec = LayerSourceSpec(id="big", title="big", kind="geojson", path=source, max_features=200000)
    view = MapView()
    view.resize(1280, 800)
    view.show()
    feature = LayerTreeFeature(UserLayersController([spec]), view, start=False)
    drawn: list[int] = []
    feature.sig_layer_drawn.connect(lambda _id, count: drawn.append(count))
    ready: list[bool] = []
    view.sig_ready.connect(lambda: ready.append(True))
    view.load_page(load_layers(paths.layers_dir()).layers)
    deadline = time.monotonic() + 120
    while not ready and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    collector = GuiThreadCollector(app)
    collector.start()
    freeze_long_lived()
    collections: list[tuple[str, float]] = []
    started: dict[str, float] = {}

    def note(phase: str, _info: dict) -> None:
        if phase == "start":
            started["t"] = time.perf_counter()
        else:
            collections.append((threading.current_thread().name, (time.perf_counter() - started["t"]) * 1000))

    gc.callbacks.append(note)
    print(f"{source.stat().st_size / 1e6:.1f} MB, {args.polygons} polygons; heartbeat {HEARTBEAT_MS} ms")
    for run in range(args.repeat):
        if run:
            write_polygons(source, args.polygons, seed=run + 1)
        drawn.clear()
        collections.clear()
        gaps: list[float] = []
        last = [time.perf_counter()]

        def beat(gaps: list[float] = gaps, last: list[float] = last) -> None:
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1000 - HEARTBEAT_MS)
            last[0] = now

        heartbeat = QTimer(interval=HEARTBEAT_MS, timeout=beat)
        heartbeat.start()
        t0 = time.perf_counter()
        feature.reload("big")
        while not (drawn and drawn[-1] == args.polygons) and time.perf_counter() - t0 < 180:
            app.processEvents()
            time.sleep(0.002)
        heartbeat.stop()
        took = time.perf_counter() - t0
        worst = sorted(gaps)[-3:]
        long_gc = [(name, round(ms)) for name, ms in collections if ms >= 20]
        print(f"run {run + 1}: drawn in {took:.1f} s; longest gaps {[round(g) for g in reversed(worst)]} ms, "
              f"{sum(g > 50 for g in gaps)} over 50 ms; collections ≥ 20 ms: {long_gc or 'none'}")
    gc.callbacks.remove(note)
    feature.shutdown()
    collector.stop()
    view.close()
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
