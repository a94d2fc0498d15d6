"""Incidents at 50 and 200 per second into the running client: does the GUI thread keep up?

The exercise backend runs in its own process (``commandwall demo-server``); the client is the real main
window (offscreen), logged in over HTTP as a desk would be, with its event stream, stores, incident list and
map. For each rate an admin asks the backend for a burst (``POST /api/v1/exercise/incident-burst``) of
``--seconds`` seconds, the rates one after another (the 200/s run starts with the 50/s run's incidents
already listed). Measured on the client:

- GUI-thread max stall: the longest gap between two ticks of a 10 ms ``QTimer`` minus 10 ms;
- publish-to-visible latency p50/p95: from the incident's ``reported_at`` (set by the backend when it
  stores and publishes it) to the moment its row is in the incident list's model (what the table paints);
- memory (RSS) before and after the burst.

    .venv/bin/python benchmarks/bench_incidents.py [--rates 50 200] [--seconds 60]

Runs offscreen by default (QT_QPA_PLATFORM=offscreen); as root the Chromium sandbox is turned off.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import requests  # noqa: E402

HEARTBEAT_MS = 10
#: Seconds of heartbeat with no burst, measured first: the stalls the machine causes by itself.
IDLE_S = 10.0
#: How long to wait, after a burst's last incident is published, for the list to show all of them.
DRAIN_TIMEOUT_S = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb() -> float:
    """This process's resident memory in MiB (Linux ``/proc``; 0 where unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def gui_thread_times() -> tuple[float, float]:
    """(seconds on a CPU, seconds runnable but waiting for one) of the calling thread so far (Linux
    ``schedstat``; zeros where unavailable): a stall the machine's other load causes shows as waiting."""
    try:
        cpu_ns, wait_ns, _slices = Path(f"/proc/self/task/{threading.get_native_id()}/schedstat").read_text().split()
        return int(cpu_ns) / 1e9, int(wait_ns) / 1e9
    except (OSError, ValueError):
        return 0.0, 0.0


def start_backend(port: int, workdir: Path, nice: int = 0) -> subprocess.Popen:
    """``commandwall demo-server`` in its own process (``nice``: that much lower a CPU priority, as if the platform
    ran on another machine and took no CPU from the client's); returns once it answers."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COMMANDWALL_DATA_DIR": str(workdir / "server")}
    proc = subprocess.Popen(
        [*(["nice", "-n", str(nice)] if nice else []),
         sys.executable, "-m", "commandwall", "demo-server", "--port", str(port), "--rate", "0",
         "--db", str(workdir / "exercise.sqlite3")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).ok:
                return proc
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"demo-server exited with {proc.returncode}")
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("demo-server did not start within 60 s")


def admin_token(base_url: str) -> str:
    """A bearer token for the exercise's admin account."""
    answer = requests.post(f"{base_url}/api/v1/auth/token", json={"username": "admin", "password": "admin"},
                           timeout=10)
    answer.raise_for_status()
    return answer.json()["access_token"]


def watch_gc() -> dict[int, list[float]]:
    """Durations (ms) of Python's cyclic garbage collections, by generation, from now on."""
    import gc

    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    started: list[float] = [0.0]

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses[info["generation"]].append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(callback)
    return pauses


def heartbeat_gaps(spin, seconds: float) -> list[float]:
    """Gaps (ms) between the ticks of a 10 ms ``QTimer`` while the event loop runs for ``seconds``."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    gaps: list[float] = []
    clock = QElapsedTimer()
    heartbeat = QTimer()
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(lambda: (gaps.append(clock.nsecsElapsed() / 1e6), clock.restart()))
    clock.start()
    heartbeat.start()
    spin(seconds)
    heartbeat.stop()
    return gaps or [float("nan")]


def stalls_over(gaps: list[float], ms: float) -> int:
    """How many heartbeat gaps were longer than ``ms`` beyond the 10 ms interval."""
    return sum(1 for gap in gaps if gap - HEARTBEAT_MS > ms)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` (nearest rank); NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class StallAnatomy:
    """What the heartbeat's late gaps (over 50 ms) were made of, from the GUI thread's own clocks: time on a CPU
    (work), time runnable but waiting for a CPU (the machine's other load), and the rest, blocked (waiting for
    the interpreter lock or another lock, or I/O)."""

    LATE_MS = 50.0

    def __init__(self) -> None:
        self.last = self._clocks()
        self.gap_ms = self.cpu_ms = self.wait_ms = 0.0
        self.count = 0

    @staticmethod
    def _clocks() -> tuple[float, float]:
        _cpu, wait = gui_thread_times()
        return time.thread_time(), wait

    def tick(self, gap_ms: float) -> None:
        """The heartbeat ticked after ``gap_ms``: add the gap to the sums if it was late."""
        now = self._clocks()
        if gap_ms - HEARTBEAT_MS > self.LATE_MS:
            self.count += 1
            self.gap_ms += gap_ms
            self.cpu_ms += (now[0] - self.last[0]) * 1000
            self.wait_ms += (now[1] - self.last[1]) * 1000
        self.last = now

    def report(self) -> str:
        """One line: the late gaps' total and its shares."""
        if not self.count:
            return "no heartbeat gap over 50 ms"
        blocked = max(0.0, self.gap_ms - self.cpu_ms - self.wait_ms)
        return (f"{self.count} gaps over {self.LATE_MS:.0f} ms, {self.gap_ms:.0f} ms in all: on a CPU "
                f"{self.cpu_ms / self.gap_ms:.0%}, waiting for a CPU {self.wait_ms / self.gap_ms:.0%}, blocked "
                f"(interpreter lock, other locks, I/O) {blocked / self.gap_ms:.0%}")


class StallSampler:
    """What the GUI thread's stalls are made of: its Python stack, sampled every few ms while the heartbeat is late.

    Time spent inside Qt (painting, the web engine's IPC) shows as the innermost Python frame that called into it.
    """

    def __init__(self, late_ms: float = 30.0, every_ms: float = 5.0, depth: int = 8) -> None:
        self.late_s, self.every_s, self.depth = late_ms / 1000, every_ms / 1000, depth
        self.last_tick = time.monotonic()
        self.samples: Counter[tuple[str, ...]] = Counter()
        self._done = threading.Event()
        self._gui = threading.main_thread().ident
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)

    def tick(self) -> None:
        """The heartbeat ticked: the GUI thread is not stalled now."""
        self.last_tick = time.monotonic()

    def start(self) -> None:
        """Start sampling."""
        self.last_tick = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling and wait for the sampler."""
        self._done.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._done.wait(self.every_s):
            if time.monotonic() - self.last_tick < self.late_s:
                continue
            frame = sys._current_frames().get(self._gui)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)[-self.depth:]
            self.samples[tuple(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack)] += 1

    def print_report(self, top: int = 10) -> None:
        """The commonest stacks during stalls, with their share of the stalled samples."""
        total = sum(self.samples.values())
        print(f"stalled samples: {total} (every {self.every_s * 1000:.0f} ms while the heartbeat was "
              f"{self.late_s * 1000:.0f} ms late)")
        for stack, count in self.samples.most_common(top):
            print(f"  {count / max(total, 1):5.1%}  " + " > ".join(stack[-5:]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=float, nargs="+", default=[50.0, 200.0], help="incidents per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each burst")
    parser.add_argument("--tiles", type=int, default=4, help="video wall tiles playing meanwhile (1/4/9/16)")
    parser.add_argument("--dashboard", action="store_true",
                        help="bring the 综合态势 tab to the front (it is counted only while it can be seen)")
    parser.add_argument("--hide", nargs="*", default=[], choices=["map", "wall", "incidents"],
                        help="hide parts of the window (to see what costs what)")
    parser.add_argument("--backend-nice", type=int, default=0, metavar="N",
                        help="run the exercise backend N nicer (19: as if the platform were another machine)")
    parser.add_argument("--profile", action="store_true",
                        help="profile the GUI thread's CPU time, print the top functions")
    parser.add_argument("--stalls", action="store_true",
                        help="sample the GUI thread's stack while the heartbeat is late, print the commonest stacks")
    args = parser.parse_args()

    from commandwall.ui.app import _make_app, _make_window

    workdir = Path(tempfile.mkdtemp(prefix="bench-incidents-"))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    backend = start_backend(port, workdir, args.backend_nice)
    try:
        from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

        from commandwall.app.platform import PlatformFactory
        from commandwall.config import Settings

        _app = _make_app()  # kept alive for the run
        settings = Settings(backend_url=base_url, data_dir=workdir / "client", username="duty",
                            wall_tiles=args.tiles)
        window = _make_window(settings, PlatformFactory.at_url(base_url))
        window.show()
        widgets = {"map": window.map_feature.widget, "wall": window.wall_feature.widget,
                   "incidents": window.incidents_feature.widget}
        for part in args.hide:
            widgets[part].hide()
        window.start_session()
        if args.dashboard:
            window.dashboard_dock.raise_()
        model = window.incidents.model
        dashboard = window.desk.dashboard

        def spin(seconds: float, until=lambda: False) -> None:
            """Run the event loop as the application does (blocked in ``exec`` between events, not polling),
            looking at ``until`` every 20 ms, for at most ``seconds``."""
            loop = QEventLoop()
            deadline = time.monotonic() + seconds

            def look() -> None:
                if until() or time.monotonic() >= deadline:
                    loop.quit()

            poll = QTimer(interval=20, timeout=look)
            poll.start()
            loop.exec()
            poll.stop()

        spin(90, lambda: window.desk.session.events is not None and model.rowCount() > 0)
        if window.desk.session.events is None:
            raise SystemExit("the client did not connect within 90 s")
        spin(3)  # let the map page and the first redraws settle

        seen: set[str] = {incident.id for incident in model.incidents()}  # shown or not: a reopened one is no newcomer
        latencies: list[float] = []

        def on_rows(_parent, first: int, last: int) -> None:
            now = time.time()
            for row in range(first, last + 1):
                incident = model.incident_at(row)
                if incident.id not in seen:
                    seen.add(incident.id)
                    latencies.append((now - incident.reported_at.timestamp()) * 1000)

        model.rowsInserted.connect(on_rows)
        bridge = window.map_feature.view.bridge  # what crosses into the map page, by signal
        sent: Counter[str] = Counter()
        for name in ("density_changed", "incidents_upserted", "incidents_changed", "units_changed", "units_upserted",
                     "cameras_changed"):
            getattr(bridge, name).connect(lambda text, name=name: sent.update({name: 1, f"{name} bytes": len(text)}))
        gc_pauses = watch_gc()
        token = admin_token(base_url)
        idle = heartbeat_gaps(spin, IDLE_S)  # the same window with no burst: what the machine itself costs
        print(f"idle: max stall {max(idle) - HEARTBEAT_MS:.0f} ms, stalls > 50 ms: {stalls_over(idle, 50)}",
              flush=True)
        results = []
        for rate in args.rates:
            latencies.clear()
            gaps: list[float] = []
            clock = QElapsedTimer()
            heartbeat = QTimer()
            heartbeat.setInterval(HEARTBEAT_MS)
            heartbeat.timeout.connect(lambda gaps=gaps, clock=clock: (gaps.append(clock.nsecsElapsed() / 1e6),
                                                                      clock.restart()))
            anatomy = StallAnatomy()
            heartbeat.timeout.connect(lambda gaps=gaps, anatomy=anatomy: anatomy.tick(gaps[-1]))
            sampler = StallSampler() if args.stalls else None
            if sampler is not None:
                heartbeat.timeout.connect(sampler.tick)
            spin(1)
            mem_before = rss_mb()
            sent.clear()
            rows_before = model.total_count()  # listed, shown or not
            answer = requests.post(f"{base_url}/api/v1/exercise/incident-burst",
                                   json={"rate_per_s": rate, "seconds": args.seconds},
                                   headers={"Authorization": f"Bearer {token}"}, timeout=10)
            answer.raise_for_status()
            planned = int(answer.json()["planned"])
            print(f"{rate:.0f}/s: {planned} incidents over {args.seconds:.0f} s", flush=True)
            if args.profile:
                import cProfile

                profiler = cProfile.Profile(time.thread_time)  # CPU time: what the GUI thread did, not its waits
                profiler.enable()
            clock.start()
            heartbeat.start()
            times_before = gui_thread_times()
            recounts_before = dashboard.recounts
            if sampler is not None:
                sampler.start()
            spin(args.seconds + DRAIN_TIMEOUT_S, lambda planned=planned: len(latencies) >= planned)
            heartbeat.stop()
            cpu_s, wait_s = (after - before for after, before in zip(gui_thread_times(), times_before, strict=True))
            if sampler is not None:
                sampler.stop()
                sampler.print_report()
            if args.profile:
                import pstats

                profiler.disable()
                stats = pstats.Stats(profiler)
                stats.sort_stats("cumulative").print_stats(35)
                stats.sort_stats("tottime").print_stats(25)
            mem_after = rss_mb()
            stall = max(gaps) - HEARTBEAT_MS if gaps else float("nan")
            results.append((rate, planned, len(latencies), stalls_over(gaps, 50), stall,
                            percentile(latencies, 0.5), percentile(latencies, 0.95), rows_before,
                            mem_before, mem_after))
            print(f"{rate:.0f}/s: {anatomy.report()}", flush=True)
            print(f"{rate:.0f}/s done: {len(latencies)}/{planned} shown, max stall {stall:.0f} ms; "
                  f"full garbage collections: {len(gc_pauses[2])}, longest {max(gc_pauses[2], default=0):.0f} ms; "
                  f"GUI thread on a CPU {cpu_s:.1f} s, waiting for one {wait_s:.1f} s; "
                  f"dashboard counted {dashboard.recounts - recounts_before}×", flush=True)
            print("  to the map page: " + ", ".join(
                f"{name.removesuffix('_changed')} {sent[name]}× {sent[name + ' bytes'] / 1024:.0f} kB"
                for name in sorted(k for k in sent if not k.endswith(" bytes"))), flush=True)
            sent.clear()
            for pauses in gc_pauses.values():
                pauses.clear()
            spin(2)

        import gc

        started = time.perf_counter()
        gc.collect()
        print(f"a full garbage collection now takes {(time.perf_counter() - started) * 1000:.0f} ms "
              f"({len(gc.get_objects())} objects tracked, {gc.get_freeze_count()} frozen)", flush=True)
        print(f"\nincident bursts into the running client ({datetime.now():%Y-%m-%d %H:%M}, {args.seconds:.0f} s each, "
              f"heartbeat {HEARTBEAT_MS} ms)")
        print(f"idle (no burst, {IDLE_S:.0f} s): max stall {max(idle) - HEARTBEAT_MS:.0f} ms, "
              f"stalls > 50 ms: {stalls_over(idle, 50)}; load average {os.getloadavg()[0]:.1f}")
        print(f"{'rate/s':>7} {'listed before':>13} {'shown/planned':>14} {'max stall ms':>12} {'stalls>50ms':>11} "
              f"{'p50 ms':>8} {'p95 ms':>8} {'RSS before→after MiB':>21}")
        for rate, planned, shown, over, stall, p50, p95, before, m0, m1 in results:
            print(f"{rate:>7.0f} {before:>13d} {f'{shown}/{planned}':>14} {stall:>12.0f} {over:>11d} {p50:>8.0f} "
                  f"{p95:>8.0f} {f'{m0:.0f} → {m1:.0f}':>21}")
        window.close()
        spin(1)
        return 0
    finally:
        backend.terminate()
        try:
            backend.wait(10)
        except subprocess.TimeoutExpired:
            backend.kill()


if __name__ == "__main__":
    sys.exit(main())
