"""What one batch of incidents costs, against the number of incidents held: the way a batch is applied now, and
the whole-list way it was applied before, side by side in one run.

For 1 000, 5 000 and 15 000 incidents held (``--held``), a batch of 10 newcomers and 2 updates (``--new``,
``--updates``), ``--batches`` times:

- list: the incident list with an incident in the detail view applies the batch (``IncidentPanel.upsert_incidents``);
  before, the list made its id→row table again over every row after each insertion (the reference here makes that
  table once per batch, the least the old code did);
- map, GUI thread: under a dashboard filter, what the batch sends the page: now the change
  (``MapView.upsert_incidents``), before every incident shown again (``MapView.set_incidents``; here all of them,
  as under a filter that passes them all, such as the open incidents in a burst of new ones); bytes sent too;
- map page: the page applies the batch (``CW.incidents.upsertMany``), against what its upsert did before for any
  batch (:data:`OLD_PAGE_UPSERT`: every point's columns, projection, and two draws).

    .venv/bin/python benchmarks/bench_incident_batches.py [--held 1000 5000 15000] [--batches 20]

Runs offscreen by default (QT_QPA_PLATFORM=offscreen). Times are medians per batch, in ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

T0 = datetime(2026, 7, 14, 3, 0, tzinfo=UTC)


#: What the page did for every batch before, whatever its size (the least of it): the columns of every incident
#: made again, every point projected (``setData``), and a second draw for the highlight.
OLD_PAGE_UPSERT = """(() => { const L_ = CW.incidents.layer, n = L_._n, t = performance.now();
    const lon = new Float64Array(n), lat = new Float64Array(n), style = new Uint8Array(n);
    for (let i = 0; i < n; i++) { lon[i] = L_._lon[i]; lat[i] = L_._lat[i]; style[i] = L_._style[i]; }
    const hl = L_._highlight;
    L_.setData(lon, lat, style);
    L_.setHighlight(hl ? hl.indices : null, "#ffffff");
    return performance.now() - t; })()"""


def make(n: int, version: int = 1, status: str = "new"):
    """Incident ``n``, reported ``n`` seconds after T0, somewhere in the district."""
    from commandwall.domain.models import Incident

    at = T0 + timedelta(seconds=n)
    return Incident(id=f"INC-{n:06d}", title=f"事件 {n}", category="yingji", lon=117.20 + (n % 197) * 0.0009,
                    lat=34.74 + (n % 193) * 0.0006, status=status, reported_at=at,
                    updated_at=at + timedelta(seconds=version), version=version, priority=1 + n % 4)


def ms(work) -> float:
    """Wall time of ``work()`` in ms."""
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--held", type=int, nargs="+", default=[1000, 5000, 15000])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--new", type=int, default=10, help="newcomers per batch")
    parser.add_argument("--updates", type=int, default=2, help="updates of held incidents per batch")
    args = parser.parse_args()

    from commandwall.ui.app import _make_app

    _app = _make_app()  # kept alive for the run
    from PySide6.QtCore import QEventLoop, QTimer

    from commandwall import paths
    from commandwall.geo.layers import load_layers
    from commandwall.ui.incidents.panel import IncidentPanel
    from commandwall.ui.map.view import MapView

    def spin(seconds: float, until=lambda: False) -> None:
        loop = QEventLoop()
        deadline = time.monotonic() + seconds
        poll = QTimer(interval=10, timeout=lambda: (until() or time.monotonic() >= deadline) and loop.quit())
        poll.start()
        loop.exec()
        poll.stop()

    view = MapView()
    view.resize(1200, 800)
    view.show()
    view.load_page(load_layers(paths.layers_dir()).layers)
    spin(60, view.is_ready)

    def js(code: str):
        box: list = []
        view.page().runJavaScript(f"JSON.stringify(({code}))", 0, box.append)
        spin(30, lambda: bool(box))
        return json.loads(box[0]) if box and box[0] else None

    rows = []
    for held in args.held:
        incidents = [make(n) for n in range(held)]
        # the list, with an incident in the detail view
        panel = IncidentPanel()
        panel.resize(900, 600)
        panel.show()
        panel.set_incidents(incidents)
        panel.select(incidents[held // 2].id)
        # the map page, holding them all
        view.set_incidents(incidents)
        spin(30, lambda held=held: js("CW.incidents.count()") == held)
        sent: list[int] = []
        view._bridge.incidents_upserted.connect(lambda text, sent=sent: sent.append(len(text)))
        view._bridge.incidents_changed.connect(lambda text, sent=sent: sent.append(len(text)))
        after = {"list": [], "map": [], "page": [], "bytes": []}
        before = {"list": [], "map": [], "page": [], "bytes": []}
        shown = list(incidents)
        for b in range(args.batches):
            base = held + b * args.new
            newcomers = [make(base + k) for k in range(args.new)]
            updates = [make((b * 7 + k * 31) % held, version=2 + b, status="accepted") for k in range(args.updates)]
            batch = newcomers + updates
            model = panel.model
            after["list"].append(ms(lambda batch=batch, panel=panel: panel.upsert_incidents(batch, unseen=True)))
            before["list"].append(after["list"][-1] + ms(lambda model=model: {inc.id: row for row, inc in
                                                                              enumerate(model._rows)}))
            sent.clear()
            after["map"].append(ms(lambda batch=batch: view.upsert_incidents(batch)))
            after["bytes"].append(sum(sent))
            shown += newcomers
            sent.clear()
            before["map"].append(ms(lambda shown=shown: view.set_incidents(shown)))  # all shown, sent again
            before["bytes"].append(sum(sent))
            spin(0.2)
            payload = json.dumps([{"id": i.id, "lon": i.lon, "lat": i.lat, "priority": i.priority,
                                   "status": str(i.status)} for i in batch])
            after["page"].append(js(f"(() => {{ const t = performance.now(); CW.incidents.upsertMany({payload}); "
                                    f"return performance.now() - t; }})()"))
            before["page"].append(js(OLD_PAGE_UPSERT))
        panel.close()
        panel.deleteLater()
        view._bridge.incidents_upserted.disconnect()
        view._bridge.incidents_changed.disconnect()
        rows.append((held, {k: statistics.median(v) for k, v in before.items()},
                     {k: statistics.median(v) for k, v in after.items()}))
        print(f"held {held}: done", flush=True)

    print(f"\none batch ({args.new} new, {args.updates} updated) against incidents held, median of {args.batches} "
          f"({datetime.now():%Y-%m-%d %H:%M}); before = the whole-list way, after = now")
    print(f"{'held':>6} | {'list ms before/after':>22} | {'map GUI ms before/after':>24} | "
          f"{'page ms before/after':>22} | {'to page kB before/after':>24}")
    for held, b, a in rows:
        cells = []
        for key, unit in (("list", 1), ("map", 1), ("page", 1), ("bytes", 1024)):
            x, y = b[key] / unit, a[key] / unit
            cells.append(f"{x:7.2f} / {y:6.2f} (×{x / y if y else float('inf'):5.1f})")
        print(f"{held:>6} | " + " | ".join(cells))
    view.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
