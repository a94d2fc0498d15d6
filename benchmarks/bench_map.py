"""Time from ``MapView.set_cameras(N)`` to the page reporting the cameras painted: canvas vs DOM markers.

Canvas = what the map uses (``L.circleMarker`` on one shared ``L.canvas()`` renderer); DOM = Leaflet's default
``L.marker`` (a DOM element per marker). Each run starts from an empty camera layer; the median of
``--repeat`` runs is printed with the DOM/canvas ratio.

    .venv/bin/python benchmarks/bench_map.py [--sizes 1000 5000] [--repeat 3]

Runs offscreen by default (QT_QPA_PLATFORM=offscreen); as root the Chromium sandbox is turned off.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from commandwall.ui.map.scheme import configure_webengine_environment, register_scheme

configure_webengine_environment()
register_scheme()

from PySide6.QtCore import QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from commandwall import paths  # noqa: E402
from commandwall.domain.models import Camera  # noqa: E402
from commandwall.ui.map.view import MapView  # noqa: E402

DISTRICT = (117.15, 34.63, 117.48, 34.94)


def make_cameras(n: int) -> list[Camera]:
    """``n`` cameras spread over the district on a jittered lattice (deterministic)."""
    side = max(1, int(n**0.5))
    min_lon, min_lat, max_lon, max_lat = DISTRICT
    cams = []
    for i in range(n):
        row, col = divmod(i, side)
        jitter = ((i * 7919) % 97) / 97 / side
        cams.append(
            Camera(
                id=f"CAM-{i:05d}",
                name=f"摄像头{i}",
                lon=min_lon + (max_lon - min_lon) * min(1.0, col / side + jitter),
                lat=min_lat + (max_lat - min_lat) * min(1.0, row / side + jitter),
                status="offline" if i % 9 == 0 else "online",
                heading=(i * 37) % 360,
                streams={"main": "http://127.0.0.1:1/m.mjpg", "sub": "http://127.0.0.1:1/s.mjpg"},
            )
        )
    return cams


class Bench:
    """A shown MapView with the district page loaded; helpers spin Qt's loop until something happens."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.view = MapView()
        self.view.resize(1600, 900)
        self.view.show()
        self.drawn: list[tuple[str, int, float]] = []
        self.view.sig_layer_drawn.connect(lambda kind, n: self.drawn.append((kind, n, time.perf_counter())))
        ready: list[bool] = []
        self.view.sig_ready.connect(lambda: ready.append(True))
        self.view.load_page(self._layers())
        self.spin_until(lambda: bool(ready), 30, "page ready")

    @staticmethod
    def _layers() -> list:
        manifest = paths.layers_dir() / "manifest.json"
        if not manifest.is_file():
            print("(layers/ not found: measuring on an empty page)")
            return []
        from commandwall.geo.layers import load_layers

        return list(load_layers(paths.layers_dir()).layers.values())

    def spin_until(self, condition, timeout_s: float, what: str) -> None:
        """Process Qt events until ``condition()`` or fail after ``timeout_s``."""
        end = time.perf_counter() + timeout_s
        while not condition():
            if time.perf_counter() > end:
                raise TimeoutError(f"timed out waiting for {what}")
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)

    def js(self, code: str) -> object:
        """Run JS in the page and return its result."""
        box: list = []
        self.view.page().runJavaScript(code, 0, box.append)
        self.spin_until(lambda: bool(box), 10, code)
        return box[0]

    def draw(self, cameras: list[Camera]) -> float:
        """Seconds from set_cameras(cameras) to the page reporting them drawn."""
        self.drawn.clear()
        start = time.perf_counter()
        self.view.set_cameras(cameras)
        self.spin_until(
            lambda: any(k == "cameras" and n == len(cameras) for k, n, _ in self.drawn),
            120,
            f"{len(cameras)} cameras drawn",
        )
        return next(t for k, n, t in self.drawn if k == "cameras" and n == len(cameras)) - start

    def measure(self, mode: str, cameras: list[Camera], repeat: int) -> float:
        """Median draw time for a renderer mode ("canvas" or "dom"), each run from an empty layer."""
        self.js(f"CW.options.cameraMarkers = {mode!r}")
        times = []
        for _ in range(repeat):
            self.draw([])
            self.app.processEvents()
            times.append(self.draw(cameras))
            drawn = self.js("CW.stats().cameras")
            assert int(drawn) == len(cameras), (mode, drawn)
        self.draw([])
        return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    bench = Bench(app)
    bench.draw(make_cameras(100))  # warm-up: JIT, renderer creation
    print(
        f"set_cameras(N) -> drawn, median of {args.repeat} (view 1600x900, {os.environ['QT_QPA_PLATFORM']})"
    )
    print(f"{'N':>7} {'canvas circleMarker':>21} {'DOM L.marker':>14} {'DOM/canvas':>11}")
    for n in args.sizes:
        cameras = make_cameras(n)
        canvas = bench.measure("canvas", cameras, args.repeat)
        dom = bench.measure("dom", cameras, args.repeat)
        print(f"{n:>7} {canvas * 1000:>18.0f} ms {dom * 1000:>11.0f} ms {dom / canvas:>10.1f}x", flush=True)
    bench.view.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
