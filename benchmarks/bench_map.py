"""The map's speed, side by side with plain Leaflet canvas circle markers in the same engine, in one run.

"map" is what the desk uses: cameras as columns over the bridge (``payload.camera_columns``), drawn by one
``CW.PointLayer`` canvas, clustered below zoom 14; a new urgent incident's ring pulses in steps, 2.5 a second
on one clock for all rings, for 6.4 s. "Leaflet" is the yardstick: the same data as one ``L.circleMarker`` per
camera on Leaflet's canvas renderer, and an endless CSS pulse (1.6 s, ease-out) on each new urgent incident
(the page before the change). Rows:

* 20 000 cameras + 2 000 incidents, and 100 000 cameras: ``set_cameras``/``set_incidents`` → the page reports
  them painted (Python preparation and the bridge included);
* pan/zoom redraw at 100 000: ``setView`` without animation → the next painted frame, at district zoom and at
  zoom 15 (where the map draws points, not clusters);
* one incident update → visible: ``upsert_incident`` → painted, with 20 000 cameras on the map;
* Python preparation of 100 000 cameras: the payload as JSON text, as ``MapView.set_cameras`` makes it
  (``payload.camera_columns_json``; old: one object per camera);
* idle client CPU: the whole process tree (this process and QtWebEngine's) over ``--idle`` seconds, in % of one
  core, with 20 000 cameras and 2 000 incidents drawn; the window opens as the first of ``--urgent`` new 特急
  incidents arrives (the live path, one every ``--urgent-gap`` s; at most 3, more is a storm and nothing
  pulses), so it holds every frame of their marks. The bench prints how many marks animated in each column and
  how many frames the page handed to Qt in the window.

    .venv/bin/python benchmarks/bench_map.py [--repeat 3] [--idle 20] [--urgent 3] [--idle-only] [--xvfb]

Runs offscreen by default (QT_QPA_PLATFORM=offscreen: Qt draws the page's frames in software). ``--xvfb`` runs
it again on an X display of its own (``xvfb-run``, 1920x1080x24, QT_QPA_PLATFORM=xcb), where Qt and Chromium
composite with Mesa's llvmpipe as on a desk without a GPU; ``QT_QPA_PLATFORM=xcb`` with a ``DISPLAY`` uses that
display. As root the Chromium sandbox is turned off. Times and the idle CPU are medians of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from commandwall.ui.map.scheme import configure_webengine_environment, register_scheme

configure_webengine_environment()
register_scheme()

import psutil  # noqa: E402
from PySide6.QtCore import QEventLoop, Qt  # noqa: E402
from PySide6.QtQuickWidgets import QQuickWidget  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from commandwall import paths  # noqa: E402
from commandwall.domain.models import Camera, Incident, IncidentStatus  # noqa: E402
from commandwall.mapdoc import payload  # noqa: E402
from commandwall.ui.map.view import MapView  # noqa: E402

DISTRICT = (117.15, 34.63, 117.48, 34.94)
NOW = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
#: The page as it was: an endless CSS pulse on each new urgent incident (cwBenchRing adds one); the map's own
#: ring is off (pulseMs 0).
ENDLESS_PULSE = """(() => { const s = document.createElement('style'); s.id = 'cw-bench-endless';
    s.textContent = `.cw-bench-pulse { background: none; border: none; pointer-events: none; }
      .cw-bench-pulse::after { content: ""; position: absolute; left: 0; top: 0; width: 18px; height: 18px;
        border-radius: 50%; border: 2px solid #ff3b30; box-sizing: border-box;
        animation: cw-bench-pulse 1.6s ease-out infinite; }
      @keyframes cw-bench-pulse { from { transform: scale(0.6); opacity: 0.9; }
        to { transform: scale(2.2); opacity: 0; } }`;
    document.head.appendChild(s);
    window.cwBenchRings = L.layerGroup().addTo(CW.map);
    window.cwBenchRing = (lat, lon) => { L.marker([lat, lon], {interactive: false, keyboard: false,
      icon: L.divIcon({className: 'cw-bench-pulse', iconSize: [18, 18]})}).addTo(window.cwBenchRings); return true; };
    CW.options.pulseMs = 0; return true; })()"""
BOUNDED_PULSE = """(() => { const s = document.getElementById('cw-bench-endless'); if (s) s.remove();
    if (window.cwBenchRings) window.cwBenchRings.remove(); window.cwBenchRing = null;
    CW.options.pulseMs = 6400; return true; })()"""

def _spread(i: int, n: int) -> tuple[float, float]:
    side = max(1, int(n**0.5))
    min_lon, min_lat, max_lon, max_lat = DISTRICT
    row, col = divmod(i, side)
    jitter = ((i * 7919) % 97) / 97 / side
    return (min_lon + (max_lon - min_lon) * min(1.0, col / side + jitter),
            min_lat + (max_lat - min_lat) * min(1.0, row / side + jitter))


def make_cameras(n: int) -> list[Camera]:
    """``n`` cameras spread over the district on a jittered lattice (deterministic)."""
    cams = []
    for i in range(n):
        lon, lat = _spread(i, n)
        cams.append(Camera(
            id=f"CAM-{i:05d}", name=f"摄像头{i}", lon=lon, lat=lat,
            status="offline" if i % 9 == 0 else "online", heading=(i * 37) % 360,
            streams={"main": "http://127.0.0.1:1/m.mjpg", "sub": "http://127.0.0.1:1/s.mjpg"},
        ))
    return cams


def make_incidents(n: int, urgent_new: int = 10, prefix: str = "INC") -> list[Incident]:
    """``n`` incidents over the district, ids ``{prefix}-00000``…; the first ``urgent_new`` are new and 特急."""
    out = []
    for i in range(n):
        lon, lat = _spread((i * 131) % n, n)
        out.append(Incident(
            id=f"{prefix}-{i:05d}", title=f"事件{i}", category="yingji", lon=lon, lat=lat, town="常庄街道",
            priority=1 if i < urgent_new else 3,
            status=IncidentStatus.NEW if i < urgent_new else IncidentStatus.ACCEPTED,
            reported_at=NOW, updated_at=NOW, version=1,
        ))
    return out


class Bench:
    """A shown MapView with the district page loaded; helpers spin Qt's loop until something happens."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.view = MapView()
        self.view.resize(1600, 900)
        self.view.show()
        self.frames = 0  # frames the page handed to Qt (its QQuickWidget rendered)
        self.drawn: list[tuple[str, int, float]] = []
        self.view.sig_layer_drawn.connect(lambda kind, n: self.drawn.append((kind, n, time.perf_counter())))
        ready: list[bool] = []
        self.view.sig_ready.connect(lambda: ready.append(True))
        self.view.load_page(self._layers())
        self.spin_until(lambda: bool(ready), 30, "page ready")
        quick = self.view.findChild(QQuickWidget)  # QtWebEngine's view of the page, made with it
        if quick is not None:
            quick.quickWindow().afterRendering.connect(self._count_frame, Qt.ConnectionType.DirectConnection)

    def _count_frame(self) -> None:
        self.frames += 1

    @staticmethod
    def _layers() -> list:
        manifest = paths.layers_dir() / "manifest.json"
        if not manifest.is_file():
            print("(layers/ not found: measuring on an empty page)")
            return []
        from commandwall.geo.layers import load_layers

        return list(load_layers(paths.layers_dir()).layers.values())

    def spin_until(self, condition: Callable[[], bool], timeout_s: float, what: str) -> None:
        """Process Qt events until ``condition()`` or fail after ``timeout_s``."""
        end = time.perf_counter() + timeout_s
        while not condition():
            if time.perf_counter() > end:
                raise TimeoutError(f"timed out waiting for {what}")
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)

    def spin_for(self, seconds: float) -> None:
        """Process Qt events for ``seconds``."""
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.01)

    def js(self, code: str) -> object:
        """Run JS in the page and return its result (through JSON)."""
        box: list = []
        self.view.page().runJavaScript(f"JSON.stringify(({code}))", 0, box.append)
        self.spin_until(lambda: bool(box), 30, code)
        return json.loads(box[0]) if box[0] else None

    def _wait_drawn(self, kind: str, n: int, since: int) -> float:
        self.spin_until(lambda: any(k == kind and c == n for k, c, _ in self.drawn[since:]), 180, f"{n} {kind}")
        return next(t for k, c, t in self.drawn[since:] if k == kind and c == n)

    def use(self, mode: str) -> None:
        """Switch the page to "map" or "leaflet" drawing (and pulse) and start from an empty map."""
        self.js(f"CW.options.cameraMarkers = {'canvas' if mode == 'map' else 'leaflet'!r}")
        self.js(BOUNDED_PULSE if mode == "map" else ENDLESS_PULSE)
        self.clear()

    def clear(self) -> None:
        """No cameras, no incidents; the district in view."""
        self.show(cameras=[], incidents=[])
        self.js("(CW.map.fitBounds(CW.staticLayer('district') ? CW.staticLayer('district').getBounds() "
                ": CW.map.getBounds(), {animate: false}), true)")
        self.app.processEvents()

    def show(self, cameras: list[Camera], incidents: list[Incident] | None = None) -> float:
        """Seconds from set_cameras (and set_incidents) to the page reporting them painted."""
        since = len(self.drawn)
        start = time.perf_counter()
        self.view.set_cameras(cameras)
        if incidents is not None:
            self.view.set_incidents(incidents)
        end = self._wait_drawn("cameras", len(cameras), since)
        if incidents is not None:
            end = max(end, self._wait_drawn("incidents", len(incidents), since))
        return end - start

    def redraw_ms(self, lon: float, lat: float, zoom: float) -> float:
        """Milliseconds from setView (no animation) to the next painted frame."""
        self.js("(window.__cwRedraw = null, true)")
        self.js(f"""(() => {{ const t0 = performance.now();
            CW.map.setView([{lat}, {lon}], {zoom}, {{animate: false}});
            requestAnimationFrame(() => setTimeout(() => {{ window.__cwRedraw = performance.now() - t0; }}, 0));
            return true; }})()""")
        self.spin_until(lambda: self.js("window.__cwRedraw") is not None, 30, "redraw")
        return float(self.js("window.__cwRedraw"))  # type: ignore[arg-type]

    def incident_update(self, incident: Incident) -> float:
        """Seconds from upsert_incidents (the live path, a batch of one) to the page reporting it painted."""
        since = len(self.drawn)
        start = time.perf_counter()
        self.view.upsert_incidents([incident])
        return self._wait_drawn("incidents", 1, since) - start

    def idle_cpu(self, seconds: float, arrivals: list[tuple[float, Callable[[], object]]] = ()) -> float:
        """CPU of this process and its children (QtWebEngine) over ``seconds``, in % of one core; each of
        ``arrivals`` (offset in s, what happens) is run at its offset into the window."""
        me = psutil.Process()
        procs = [me, *me.children(recursive=True)]

        def total() -> float:
            out = 0.0
            for p in procs:
                try:
                    t = p.cpu_times()
                    out += t.user + t.system
                except psutil.NoSuchProcess:
                    pass
            return out

        before, start = total(), time.perf_counter()
        for offset, arrive in sorted(arrivals, key=lambda a: a[0]):
            self.spin_for(offset - (time.perf_counter() - start))
            arrive()
        self.spin_for(seconds - (time.perf_counter() - start))
        return 100 * (total() - before) / (time.perf_counter() - start)

    def idle_with_urgent(self, mode: str, tag: str, urgent: int, gap_s: float, seconds: float) -> dict[str, float]:
        """The idle row once: ``urgent`` new 特急 incidents (ids never seen by the page) arrive ``gap_s`` apart
        from the start of the window. Returns the CPU %, the marks that animated and the frames handed to Qt."""
        marks: list[int] = [0]
        news = [inc.model_copy(update=dict(zip(("lon", "lat"), _spread(400 + 600 * k, 2_000), strict=True)))
                for k, inc in enumerate(make_incidents(urgent, urgent_new=urgent, prefix=f"URG-{tag}"))]

        def arrive(inc: Incident) -> None:
            self.view.upsert_incidents([inc])
            if mode == "leaflet":
                self.js(f"cwBenchRing({inc.lat}, {inc.lon})")
            self.spin_for(0.05)
            marks[0] = max(marks[0], int(self.js(  # type: ignore[arg-type]
                "document.querySelectorAll('.cw-bench-pulse').length" if mode == "leaflet"
                else "CW.stats().pulsing")))

        if mode == "leaflet":
            self.js("(cwBenchRings.clearLayers(), true)")
        steps_before = self.js("CW.incidents.pulseFrames ? CW.incidents.pulseFrames() : 0")
        frames_before = self.frames
        cpu = self.idle_cpu(seconds, [(k * gap_s, lambda inc=inc: arrive(inc)) for k, inc in enumerate(news)])
        out = {"idle": cpu, "marks": marks[0], "frames": self.frames - frames_before}
        if mode == "map":
            out["steps"] = self.js("CW.incidents.pulseFrames()") - steps_before  # type: ignore[operator]
            out["still pulsing"] = self.js("CW.stats().pulsing")
        else:
            out["animations"] = self.js("document.getAnimations().length")
        return out


def median(fn: Callable[[], float], repeat: int) -> float:
    """Median of ``repeat`` calls."""
    return statistics.median(fn() for _ in range(repeat))


def python_prep(cameras: list[Camera], repeat: int) -> tuple[float, float]:
    """Seconds to make the cameras' JSON text, best of ``repeat`` (CPU-bound: the least disturbed run):
    columns (now) and one object per camera (before)."""
    now = min(_timed(lambda: payload.camera_columns_json(cameras)) for _ in range(repeat))
    before = min(_timed(lambda: payload.to_json(payload.cameras_payload(cameras))) for _ in range(repeat))
    return now, before


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure_idle(bench: Bench, mode: str, args: argparse.Namespace) -> dict[str, float]:
    """The idle row for one way of drawing: median CPU of ``args.repeat`` windows; the marks and frames of the
    run with the median CPU."""
    cams20 = make_cameras(20_000)
    runs = []
    for run in range(args.repeat):
        bench.clear()
        bench.show(cams20, make_incidents(2_000, urgent_new=0))
        bench.spin_for(1)
        runs.append(bench.idle_with_urgent(mode, f"{mode}{run}", args.urgent, args.urgent_gap, args.idle))
        print(f"  idle {mode} run {run + 1}: " + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                                                      for k, v in runs[-1].items()), flush=True)
    return sorted(runs, key=lambda r: r["idle"])[len(runs) // 2]


def measure(bench: Bench, mode: str, args: argparse.Namespace) -> dict[str, float]:
    """Every row of the table for one way of drawing."""
    repeat = args.repeat
    bench.use(mode)
    out: dict[str, float] = dict(measure_idle(bench, mode, args))
    if args.idle_only:
        bench.clear()
        return out
    cams20, cams100 = make_cameras(20_000), make_cameras(100_000)
    incidents = make_incidents(2_000)
    runs = []
    for _ in range(repeat):
        bench.clear()
        runs.append(bench.show(cams20, incidents))
    out["20k+2k"] = statistics.median(runs) * 1000
    out["upsert"] = median(lambda: bench.incident_update(incidents[500]), repeat) * 1000
    runs = []
    for _ in range(repeat):
        bench.clear()
        runs.append(bench.show(cams100))
    out["100k"] = statistics.median(runs) * 1000
    out["pan district"] = median(lambda: bench.redraw_ms(117.30, 34.78, 11.5), repeat)
    out["pan z15"] = statistics.median(
        [bench.redraw_ms(117.30 + 0.01 * k, 34.78, 15) for k in range(repeat)]
    )
    if mode == "map":  # counts of work, steadier than times on a shared machine
        stats = bench.js("CW.stats()")
        out["z15 visited"], out["z15 drawn"] = stats["camerasVisited"], stats["camerasDrawn"]
    if mode == "map":
        bench.js("(CW.options.clustering = false, true)")
        runs = []
        for _ in range(repeat):
            bench.clear()
            runs.append(bench.show(cams100))
        out["100k flat"] = statistics.median(runs) * 1000
        out["pan district flat"] = median(lambda: bench.redraw_ms(117.30, 34.78, 11.5), repeat)
        bench.js("(CW.options.clustering = true, true)")
    bench.clear()
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of idle CPU measurement")
    parser.add_argument("--urgent", type=int, default=3, choices=range(0, 4),
                        help="new urgent incidents arriving in the idle window (0-3; more is a storm)")
    parser.add_argument("--urgent-gap", type=float, default=1.5, help="seconds between their arrivals")
    parser.add_argument("--idle-only", action="store_true", help="only the idle row")
    parser.add_argument("--xvfb", action="store_true",
                        help="run on an X display of its own (xvfb-run, xcb, llvmpipe) instead of offscreen")
    args = parser.parse_args(argv)
    if args.xvfb:
        return _under_xvfb(argv if argv is not None else sys.argv[1:])

    app = QApplication.instance() or QApplication(sys.argv[:1])
    bench = Bench(app)
    bench.show(make_cameras(100))  # warm-up: JIT, renderer creation
    load_before = os.getloadavg()[0]
    prep_now, prep_before = (0.0, 0.0) if args.idle_only else python_prep(make_cameras(100_000), args.repeat)
    new = measure(bench, "map", args)
    old = measure(bench, "leaflet", args)
    bench.view.close()

    print(f"map page, median of {args.repeat} (view 1600x900, {app.platformName()}, {psutil.cpu_count()} cores, "
          f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f})")
    print(f"idle window {args.idle:.0f} s from the first of {args.urgent} new urgent incidents "
          f"({args.urgent_gap:g} s apart): map {new['marks']:.0f} marks animated, {new['steps']:.0f} steps, "
          f"{new['frames']:.0f} frames to Qt, {new['still pulsing']:.0f} still pulsing at the end; "
          f"Leaflet {old['marks']:.0f} marks animated, {old['frames']:.0f} frames to Qt, "
          f"{old['animations']:.0f} animations still running at the end")
    rows = [
        ("20 000 cameras + 2 000 incidents → painted", "20k+2k", "ms", 500),
        ("100 000 cameras → painted (clusters at district zoom)", "100k", "ms", 1500),
        ("100 000 cameras → painted, clustering off", "100k flat", "ms", 1500),
        ("pan/zoom redraw at 100 000, district zoom", "pan district", "ms", 100),
        ("pan/zoom redraw at 100 000, district zoom, clustering off", "pan district flat", "ms", 100),
        ("pan/zoom redraw at 100 000, zoom 15", "pan z15", "ms", 100),
        ("one incident update → visible (20 000 cameras)", "upsert", "ms", 100),
        ("idle client CPU, process tree (% of a core)", "idle", "%", 5),
    ]
    print(f"| {'what':<58} | {'map':>9} | {'Leaflet':>9} | {'Leaflet/map':>11} | {'target':>7} |")
    print(f"|{'-' * 60}|{'-' * 11}|{'-' * 11}|{'-' * 13}|{'-' * 9}|")
    for label, key, unit, target in rows:
        a = new.get(key)
        b = old.get(key, old.get(key.replace(" flat", "")))
        if a is None or b is None:
            continue
        ratio = f"{b / a:.1f}x" if a > 0 else "-"
        print(f"| {label:<58} | {a:>6.0f} {unit:<2}| {b:>6.0f} {unit:<2}| {ratio:>11} | ≤{target:>4} {unit:<2}|")
    if args.idle_only:
        return 0
    label = "Python prep of 100 000 cameras, best run (old: object each)"
    print(f"| {label:<58} | {prep_now * 1000:>6.0f} ms| {prep_before * 1000:>6.0f} ms| "
          f"{prep_before / prep_now:>10.1f}x | ≤ 150 ms|")
    if "z15 visited" in new:
        print(f"zoom-15 redraw at 100 000 cameras: {new['z15 visited']:.0f} points visited, "
              f"{new['z15 drawn']:.0f} drawn")
    return 0


def _under_xvfb(argv: list[str]) -> int:
    """Run this bench again under ``xvfb-run`` on the xcb platform (Mesa's llvmpipe does the GL)."""
    if shutil.which("xvfb-run") is None:
        print("--xvfb needs xvfb-run (package xvfb)", file=sys.stderr)
        return 2
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, str(Path(__file__).resolve()),
           *(a for a in argv if a != "--xvfb")]
    return subprocess.run(cmd, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
