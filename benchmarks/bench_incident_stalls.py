"""GUI-thread pauses against the number of incidents held: the client holding 1 000, 5 000 and 15 000 incidents
takes a steady 5 incidents a second, then a 30/s burst. Does the window stay responsive as the district fills?

For each number held (``--held``) the exercise backend (its own process, ``commandwall demo-server``) is filled
first (a 1 000/s burst before the client starts: the client loads them as its snapshot), then the real main
window (offscreen) logs in as a desk would. Optionally a dashboard filter is set (``--filter town``: the
commonest town, or ``open``) and an incident is shown in the detail view (``--select``), as on a duty desk.
Then each phase (``--phases RATE:SECONDS …``) is one burst, measured on the client:

- heartbeat gaps of a 10 ms ``QTimer`` minus 10 ms: p50, p99, max, and how many over 100 ms;
- what the late gaps (over 50 ms) were made of (``StallAnatomy``: on a CPU, waiting for one, blocked);
- CPU seconds of the busiest threads of the client and of the map page's renderer process.

    .venv/bin/python benchmarks/bench_incident_stalls.py [--held 1000 5000 15000] [--phases 5:30 30:10]
        [--filter town|open] [--select]

Each number held is a run of its own (a fresh backend and client, in a child process), one after another.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import bench_incidents as bench  # noqa: E402
import requests  # noqa: E402

PREFILL_RATE_PER_S = 1000.0


def thread_cpu() -> dict[tuple[int, str], float]:
    """CPU seconds so far of each thread of this process, by (id, Python or OS name)."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[tuple[int, str], float] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            stat = (task / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            tid = int(task.name)
            found[(tid, names.get(tid, stat[stat.index("(") + 1:stat.rindex(")")]))] = (
                (int(fields[11]) + int(fields[12])) / tick)
        except (OSError, ValueError):
            continue
    return found


def renderer_cpu() -> float:
    """CPU seconds so far of this process's QtWebEngine children (the map page's renderer, its GPU process)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, str, float]] = {}  # pid -> (parent, name, CPU seconds)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            stats[int(proc.name)] = (int(fields[1]), stat[stat.index("(") + 1:stat.rindex(")")],
                                     (int(fields[11]) + int(fields[12])) / tick)
        except (OSError, ValueError):
            continue
    mine = {os.getpid()}
    for _ in range(4):  # children, grandchildren (the zygote's renderers) …
        mine |= {pid for pid, (parent, _name, _cpu) in stats.items() if parent in mine}
    return sum(cpu for pid, (_parent, name, cpu) in stats.items() if pid in mine and "WebEngine" in name)


def run_one(held: int, phases: list[tuple[float, float]], incident_filter: str, select: bool) -> list[str]:
    """One client holding ``held`` incidents through ``phases``; returns its summary lines."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    from commandwall.app.platform import PlatformFactory
    from commandwall.config import Settings
    from commandwall.ui.app import _make_app, _make_window

    workdir = Path(tempfile.mkdtemp(prefix="bench-stalls-"))
    port = bench.free_port()
    base_url = f"http://127.0.0.1:{port}"
    backend = bench.start_backend(port, workdir)
    summary: list[str] = []
    try:
        headers = {"Authorization": f"Bearer {bench.admin_token(base_url)}"}
        burst_url = f"{base_url}/api/v1/exercise/incident-burst"
        if held:
            requests.post(burst_url, json={"rate_per_s": PREFILL_RATE_PER_S, "seconds": held / PREFILL_RATE_PER_S},
                          headers=headers, timeout=10).raise_for_status()
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:  # a new burst is refused (409) while the fill runs
                time.sleep(1)
                if requests.post(burst_url, json={"rate_per_s": 1, "seconds": 0.001}, headers=headers,
                                 timeout=10).status_code == 202:
                    break
        _app = _make_app()  # kept alive for the run
        window = _make_window(Settings(backend_url=base_url, data_dir=workdir / "client", username="duty",
                                       wall_tiles=1), PlatformFactory.at_url(base_url))
        window.show()
        window.start_session()
        model = window.incidents.model

        def spin(seconds: float, until=lambda: False) -> None:
            loop = QEventLoop()
            deadline = time.monotonic() + seconds
            poll = QTimer(interval=20, timeout=lambda: (until() or time.monotonic() >= deadline) and loop.quit())
            poll.start()
            loop.exec()
            poll.stop()

        spin(300, lambda: window.desk.session.events is not None and model.total_count() >= held)
        spin(8)  # the map page and the first redraws settle
        if incident_filter:
            from commandwall.app.incident_filter import IncidentFilter
            from commandwall.domain.models import OPEN_STATUSES

            town = Counter(i.town for i in model.incidents()).most_common(1)[0][0]
            chosen = (IncidentFilter(town=town, caption=town) if incident_filter == "town"
                      else IncidentFilter(statuses=frozenset(OPEN_STATUSES)))
            window.dashboard_feature.sig_filter.emit(chosen)
            spin(3)
        if select and model.rowCount():
            window.incidents_feature.panel.select(model.incident_at(model.rowCount() // 2).id)
            spin(2)
        for rate, seconds in phases:
            gaps: list[float] = []
            clock = QElapsedTimer()
            heartbeat = QTimer()
            heartbeat.setInterval(bench.HEARTBEAT_MS)
            anatomy = bench.StallAnatomy()
            heartbeat.timeout.connect(lambda gaps=gaps, clock=clock: (gaps.append(clock.nsecsElapsed() / 1e6),
                                                                      clock.restart()))
            heartbeat.timeout.connect(lambda gaps=gaps, anatomy=anatomy: anatomy.tick(gaps[-1]))
            listed = model.total_count()
            threads_before, renderer_before = thread_cpu(), renderer_cpu()
            answer = requests.post(burst_url, json={"rate_per_s": rate, "seconds": seconds}, headers=headers,
                                   timeout=10)
            answer.raise_for_status()
            planned = int(answer.json()["planned"])
            clock.start()
            heartbeat.start()
            started = time.monotonic()
            spin(seconds + 30, lambda listed=listed, planned=planned, started=started, seconds=seconds:
                 model.total_count() >= listed + planned and time.monotonic() - started >= seconds)
            heartbeat.stop()
            threads = thread_cpu()
            late = [gap - bench.HEARTBEAT_MS for gap in gaps]
            busiest = sorted(((threads[k] - threads_before.get(k, 0.0), k[1]) for k in threads), reverse=True)[:4]
            line = (f"{held:>6} {rate:>5.0f}/s {listed:>7} {bench.percentile(late, 0.5):>5.0f} "
                    f"{bench.percentile(late, 0.99):>5.0f} {max(late):>6.0f} {bench.stalls_over(gaps, 100):>6}")
            summary.append(line)
            print(line, flush=True)
            print(f"        {anatomy.report()}", flush=True)
            print(f"        CPU s: map page renderer {renderer_cpu() - renderer_before:.2f}, "
                  + ", ".join(f"{name[:24]} {cpu:.2f}" for cpu, name in busiest if cpu > 0.05), flush=True)
            spin(2)
        window.close()
        spin(1)
    finally:
        backend.terminate()
        try:
            backend.wait(10)
        except subprocess.TimeoutExpired:
            backend.kill()
    return summary


HEADER = f"{'held':>6} {'rate':>7} {'listed':>7} {'p50':>5} {'p99':>5} {'max':>6} {'>100ms':>6}   (pauses in ms)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--held", type=int, nargs="+", default=[1000, 5000, 15000])
    parser.add_argument("--phases", nargs="+", default=["5:30", "30:10"], metavar="RATE:SECONDS")
    parser.add_argument("--filter", choices=["town", "open"], default="", help="a dashboard filter set")
    parser.add_argument("--select", action="store_true", help="an incident shown in the detail view")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a child: one number held
    args = parser.parse_args()
    phases = [(float(rate), float(seconds)) for rate, seconds in (p.split(":") for p in args.phases)]
    if args.one:
        print("\n".join(["SUMMARY", *run_one(args.held[0], phases, args.filter, args.select)]), flush=True)
        return 0
    lines: list[str] = []
    for held in args.held:
        command = [sys.executable, __file__, "--one", "--held", str(held), "--phases", *args.phases,
                   *(["--filter", args.filter] if args.filter else []), *(["--select"] if args.select else [])]
        print(f"--- {held} held", flush=True)
        out = subprocess.run(command, capture_output=True, text=True, timeout=1800).stdout
        shown = out.split("SUMMARY\n")
        print(shown[0], end="", flush=True)
        lines += shown[1].splitlines() if len(shown) > 1 else [f"{held:>6} (the run failed)"]
    print(f"\nGUI-thread pauses (filter: {args.filter or 'none'}, incident shown: {'yes' if args.select else 'no'}; "
          f"load average {os.getloadavg()[0]:.1f})")
    print(HEADER)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
