"""What one dashboard refresh costs: counting the overview from the stores (on the dashboard's worker thread)
and drawing it (tiles, Qt Charts, town table: on the GUI thread), for N incidents, 1,515 cameras, 60 units and
21 sensors. The GUI-thread part is printed against a 60 Hz frame (16.7 ms). Counting is measured both ways:
every incident counted afresh (after the store was replaced), and a kept tally brought up to date after 100
incidents changed (what the controller does in a burst).

    .venv/bin/python benchmarks/bench_dashboard.py [--sizes 100 1000 10000] [--repeat 7]

Runs offscreen by default (QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from commandwall import (
    localtime,
    paths,
)
from commandwall.app.dashboard import IncidentTally, count_overview, overview_of
from commandwall.demo.geography import Geography
from commandwall.demo.layerdata import LayerCatalogue
from commandwall.demo.sensors import SensorField
from commandwall.domain.models import CATEGORIES, Camera, Incident, IncidentStatus, StreamUrls, Unit
from commandwall.ui.dashboard.view import DashboardView
from commandwall.ui.theme import apply_theme

TOWNS = ["临城街道", "常庄街道", "兴城街道", "张范街道", "兴仁街道", "沙沟镇", "周营镇", "邹坞镇", "陶庄镇"]
FRAME_MS = 1000 / 60
STATUSES = list(IncidentStatus)


def make_incidents(n: int, rng: random.Random) -> list[Incident]:
    """``n`` incidents over the last 30 hours, in every town, category and status."""
    now = localtime.now()
    found = []
    for k in range(n):
        at = now - timedelta(seconds=rng.uniform(0, 30 * 3600))
        found.append(Incident(id=f"INC-{k:06d}", title="事件", category=rng.choice(list(CATEGORIES)), lon=117.3,
                              lat=34.8, town=rng.choice(TOWNS), status=rng.choice(list(IncidentStatus)),
                              priority=rng.randint(1, 4), reported_at=at, updated_at=at, version=1))
    return found


def make_cameras(n: int, rng: random.Random) -> list[Camera]:
    streams = StreamUrls(main="http://127.0.0.1/main", sub="http://127.0.0.1/sub")
    return [Camera(id=f"CAM-{k:04d}", name="camera", lon=117.3, lat=34.8, town=rng.choice(TOWNS), streams=streams,
                   status="online" if rng.random() > 0.02 else "offline") for k in range(n)]


def median_ms(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    app = QApplication([])
    apply_theme(app)
    rng = random.Random(1)
    cameras = make_cameras(1515, rng)
    now = localtime.now()
    units = [Unit(id=f"U-{k}", name="unit", department="公安", lon=117.3, lat=34.8, updated_at=now) for k in range(60)]
    geo = Geography(list(LayerCatalogue(paths.layers_dir()).layers.values()))
    sensors = SensorField(geo, seed=1).sensors()
    view = DashboardView()
    view.resize(1920, 1080)
    view.show()
    print("| incidents | count afresh ms | count after 100 changed ms | afresh / changed | draw (GUI thread) ms "
          "| draw / 60 Hz frame |")
    print("| --- | --- | --- | --- | --- | --- |")
    for n in args.sizes:
        incidents = make_incidents(n, rng)
        overview = count_overview(incidents, cameras, units, [], localtime.now(), TOWNS)
        overview = replace(overview, sensors=sensors)
        count = median_ms(lambda incidents=incidents: count_overview(incidents, cameras, units, [], localtime.now(),
                                                                     TOWNS), args.repeat)
        tally = IncidentTally(incidents)
        picked = rng.sample(incidents, min(100, len(incidents)))
        # each round puts 100 changed copies (made beforehand): a status change, then back again
        rounds = [[i.model_copy(update={"status": rng.choice(STATUSES)}) for i in picked], picked]

        def after_changes(tally=tally, rounds=rounds) -> None:
            rounds.reverse()
            for incident in rounds[0]:
                tally.put(incident)
            overview_of(tally, cameras, units, [], localtime.now(), TOWNS)

        changed = median_ms(after_changes, args.repeat)

        def draw(overview=overview) -> None:
            view.show_overview(overview)
            app.processEvents()

        draw()
        drawn = median_ms(draw, args.repeat)
        print(f"| {n} | {count:.1f} | {changed:.1f} | {count / changed:.0f}× | {drawn:.1f} | {drawn / FRAME_MS:.2f} |")
    view.close()


if __name__ == "__main__":
    main()
