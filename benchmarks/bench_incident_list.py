"""The incident list's GUI-thread cost per batch, without the backend or the rest of the window.

An incident panel (offscreen, shown, one row selected) holds ``--sizes`` incidents, a third of them closed and
so hidden by 仅未办结; batches of ``--batch`` new incidents, each newer than anything listed, go in as a burst
delivers them. Measured per batch, in milliseconds of the GUI thread's CPU time (``time.thread_time``: what
other processes on a busy machine take is left out):

- insert: ``IncidentPanel.upsert_incidents`` (the model, what listens to its rows, the count);
- paint: one synchronous repaint of the list's viewport afterwards (the cells of a screenful);
- and, once per size, ticking 仅未办结 off and on again (every hidden row shown, then hidden).

    .venv/bin/python benchmarks/bench_incident_list.py [--sizes 3000 15000] [--batch 100] [--batches 40]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

T0 = datetime(2026, 7, 14, 3, 0, tzinfo=UTC)
CATEGORIES = ("yingji", "jiaotong", "zhian", "huanbao")


def make(n: int):
    """Incident ``n``: reported ``n`` seconds after T0, every third one closed."""
    from commandwall.domain.models import Incident, IncidentStatus

    status = IncidentStatus.CLOSED if n % 3 == 0 else IncidentStatus.NEW
    at = T0 + timedelta(seconds=n)
    return Incident(id=f"INC-{n:06d}", title=f"临城街道光明大道积水 {n}", category=CATEGORIES[n % 4], lon=117.26,
                    lat=34.8, town="临城街道", grid="G-001", priority=1 + n % 4, status=status, reported_at=at,
                    updated_at=at, version=1)


def summary(values: list[float]) -> str:
    """Median, 90th percentile and maximum of ``values`` (ms)."""
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"median {statistics.median(ordered):6.2f}  p90 {p90:6.2f}  max {ordered[-1]:6.2f}"


def measure(size: int, batch: int, batches: int) -> None:
    """Fill a panel with ``size`` incidents and time ``batches`` batches of ``batch`` newcomers."""
    from PySide6.QtWidgets import QApplication

    from commandwall.ui.incidents.panel import IncidentPanel

    app = QApplication.instance()
    panel = IncidentPanel()
    panel.resize(900, 700)
    panel.show()
    panel.set_incidents([make(n) for n in range(size)])
    panel.select(make(size - 2).id)
    for _ in range(20):
        app.processEvents()
    viewport = panel.table.viewport()
    inserts: list[float] = []
    paints: list[float] = []
    gc.collect()
    gc.disable()
    try:
        for b in range(batches):
            incidents = [make(size + b * batch + k) for k in range(batch)]
            started = time.thread_time()
            panel.upsert_incidents(incidents, unseen=True)
            inserts.append((time.thread_time() - started) * 1000)
            viewport.setUpdatesEnabled(True)  # the repaint hold aside: paint this batch now
            started = time.thread_time()
            viewport.repaint()
            paints.append((time.thread_time() - started) * 1000)
            app.processEvents()
        started = time.thread_time()
        panel.only_open.setChecked(False)
        shown_all = (time.thread_time() - started) * 1000
        started = time.thread_time()
        panel.only_open.setChecked(True)
        hidden_again = (time.thread_time() - started) * 1000
    finally:
        gc.enable()
    assert panel.detail.incident is not None and panel.detail.incident.id == make(size - 2).id
    print(f"{size:>6} listed, batches of {batch}: insert {summary(inserts)} | paint {summary(paints)}")
    print(f"{size:>6} listed: 仅未办结 off {shown_all:7.1f} ms, on again {hidden_again:7.1f} ms "
          f"({panel.visible_count()} shown of {size + batches * batch})")
    panel.close()
    panel.deleteLater()
    app.processEvents()


def main() -> None:
    """Parse the arguments and measure each size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 15000], help="incidents listed before")
    parser.add_argument("--batch", type=int, default=100, help="newcomers per batch")
    parser.add_argument("--batches", type=int, default=40, help="batches per size")
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    _app = QApplication(sys.argv[:1])
    for size in args.sizes:
        measure(size, args.batch, args.batches)


if __name__ == "__main__":
    main()
