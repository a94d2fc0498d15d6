"""Incidents reach the GUI thread in batches: the store's changes are coalesced, the list model applies a
batch with one insertion per run of rows, and a burst from a backend thread arrives in a few batches."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.domain.models import Incident, IncidentStatus
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.incidents.model import IncidentTableModel
from commandwall.ui.incidents.panel import IncidentPanel

T0 = datetime(2026, 7, 14, 3, 0, tzinfo=UTC)


def make(n: int, version: int = 1, status: IncidentStatus = IncidentStatus.NEW, minutes: int | None = None) -> Incident:
    at = T0 + timedelta(seconds=n if minutes is None else minutes * 60)
    return Incident(id=f"INC-{n:05d}", title=f"事件 {n}", category="yingji", lon=117.26, lat=34.8, status=status,
                    reported_at=at, updated_at=at + timedelta(seconds=version), version=version)


def panel_on_screen(qtbot, incidents: list[Incident], width: int = 900, height: int = 600) -> IncidentPanel:
    """An incident panel shown at this size, listing ``incidents``, its columns fitted to the rows on screen."""
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.resize(width, height)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_incidents(incidents)
    qtbot.waitUntil(lambda: not panel._fit_due, timeout=5000)
    return panel


def ids(model: IncidentTableModel) -> list[str]:
    return [model.incident_at(r).id for r in range(model.rowCount())]


def test_a_burst_of_newcomers_is_one_insertion_in_report_order(qtbot) -> None:
    model = IncidentTableModel()
    model.set_incidents([make(n) for n in range(0, 1000, 2)])  # even numbers listed
    inserts: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserts.append((first, last)))
    added = model.upsert_many([make(n) for n in range(1000, 1300)], unseen=True)
    assert inserts == [(0, 299)]  # all newer than anything listed: one run at the top
    assert [i.id for i in added] == [f"INC-{n:05d}" for n in range(1299, 999, -1)]
    assert model.unseen_count() == 300
    inserts.clear()
    model.upsert_many([make(1), make(3), make(501), make(1400)])  # three places in the middle, one on top
    assert inserts == [(799, 799), (798, 798), (549, 549), (0, 0)]  # bottom run first: places above stay valid
    listed = ids(model)
    assert listed == sorted(listed, reverse=True)  # still newest first (ids follow report time here)
    assert model.row_of("INC-00501") == listed.index("INC-00501")


def test_updates_in_a_batch_change_rows_in_runs_and_never_roll_back(qtbot) -> None:
    model = IncidentTableModel()
    model.set_incidents([make(n, version=2) for n in range(100)])
    changes: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, *_: changes.append((top.row(), bottom.row())))
    batch = [make(10, version=3, status=IncidentStatus.ACCEPTED), make(11, version=4),
             make(11, version=3),  # an older copy in the same batch loses
             make(50, version=1, status=IncidentStatus.CLOSED)]  # older than what is listed: ignored
    assert model.upsert_many(batch) == []
    assert changes == [(88, 89)]  # rows of INC-00011 and INC-00010, one run
    assert model.incident("INC-00011").version == 4
    assert model.incident("INC-00010").status is IncidentStatus.ACCEPTED
    assert model.incident("INC-00050").status is IncidentStatus.NEW


def test_the_panel_detail_follows_its_incident_in_a_batch(qtbot) -> None:
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.set_incidents([make(1), make(2)])
    panel.select("INC-00001")
    panel.upsert_incidents([make(3), make(1, version=2, status=IncidentStatus.ACCEPTED)])
    assert panel.detail.incident.version == 2
    assert "3 / 3" in panel.count_label.text() or "3 起" in panel.count_label.text()


def test_in_a_burst_the_list_has_every_row_at_once_and_is_repainted_for_several_batches_together(qtbot) -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    class Paints(QObject):
        count = 0

        def eventFilter(self, _obj, event) -> bool:  # noqa: N802
            Paints.count += event.type() == QEvent.Type.Paint
            return False

    panel = panel_on_screen(qtbot, [make(n) for n in range(2000)], 600, 700)
    panel.select("INC-01990")
    paints = Paints()
    panel.table.viewport().installEventFilter(paints)
    batches = [[make(2000 + 20 * b + k) for k in range(20)] for b in range(10)]
    panel.upsert_incidents(batches[0], unseen=True)  # the first batch is painted at once
    qtbot.waitUntil(lambda: Paints.count > 0, timeout=5000)
    painted = Paints.count
    for batch in batches[1:]:
        panel.upsert_incidents(batch, unseen=True)
        QApplication.processEvents()
        assert panel.model.incident_at(0).id == batch[-1].id  # in the model (and the count) at once
    assert not panel.list_painted()  # held for the next repaint, with the batches after it
    assert Paints.count - painted < len(batches) - 1
    qtbot.waitUntil(panel.list_painted, timeout=5000)
    qtbot.waitUntil(lambda: Paints.count > painted, timeout=5000)
    shown = panel.table.indexAt(panel.table.viewport().rect().topLeft())
    assert shown.data() is not None and panel.model.incident_at(0).id == "INC-02199"
    assert panel.model.unseen_count() == 200 and panel.detail.incident.id == "INC-01990"  # the selection stays


def test_a_burst_from_a_backend_thread_reaches_the_gui_in_a_few_batches(qtbot, tmp_path) -> None:
    session = ClientSession(Settings(data_dir=tmp_path), PlatformFactory.at_url("http://127.0.0.1:9"))
    signals = ClientSignals()
    signals.watch(session)
    batches: list[list[Incident]] = []
    signals.sig_incidents.connect(batches.append)
    on_gui_thread: list[bool] = []
    main = threading.main_thread()
    signals.sig_incidents.connect(lambda _b: on_gui_thread.append(threading.current_thread() is main))

    def burst() -> None:
        for n in range(2000):
            session.incidents.upsert(make(n))
        for n in range(100):
            session.incidents.upsert(make(n, version=2))  # changed again before or after its batch

    worker = threading.Thread(target=burst)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len({i.id for b in batches for i in b}) == 2000 and len(signals._incident_batch) == 0,
                    timeout=5000)
    assert len(batches) <= 3  # not 2100 deliveries: a timer takes what gathered meanwhile
    assert all(on_gui_thread)
    final = {}
    for batch in batches:
        final.update({i.id: i for i in batch})
    assert all(final[f"INC-{n:05d}"].version == 2 for n in range(100))


def test_the_map_takes_a_batch_of_incidents_in_one_message(qtbot) -> None:
    from commandwall import paths
    from commandwall.geo.layers import load_layers
    from commandwall.ui.map.view import MapView
    from tests.ui.test_map_view import run_js

    view = MapView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    with qtbot.waitSignal(view.sig_ready, timeout=60000):
        view.load_page(load_layers(paths.layers_dir()).layers)
    drawn: list[tuple[str, int]] = []
    view.sig_layer_drawn.connect(lambda kind, count: drawn.append((kind, count)))
    view.upsert_incidents([make(n) for n in range(300)])
    qtbot.waitUntil(lambda: ("incidents", 300) in drawn, timeout=10000)
    assert drawn == [("incidents", 300)]  # one page task for the whole batch, not 300
    assert run_js(qtbot, view, "CW.stats().incidents") == 300
    view.upsert_incidents([make(5, version=2, status=IncidentStatus.ACCEPTED), make(300)])
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.stats().incidents") == 301, timeout=10000)


def test_out_of_sight_the_columns_keep_their_widths_and_on_screen_fit_their_contents(qtbot) -> None:
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    window = QWidget()
    qtbot.addWidget(window)
    panel = IncidentPanel()
    QVBoxLayout(window).addWidget(panel)
    window.resize(1400, 700)  # room for every column at its contents (narrower, Town is cut before the title)
    window.show()
    qtbot.waitExposed(window)
    header, table = panel.table.horizontalHeader(), panel.table
    panel.set_incidents([make(n) for n in range(3000)])
    qtbot.waitUntil(lambda: header.sectionSize(2) >= table.sizeHintForColumn(2), timeout=5000)
    panel.hide()  # as when another dock's tab is in front: Qt would measure all 3000 rows to fit a column
    widths = [header.sectionSize(c) for c in range(6)]
    panel.upsert_incidents([make(n).model_copy(update={"town": "很长很长的镇街名称" * 2}) for n in range(3000, 3020)])
    qtbot.wait(50)
    assert [header.sectionSize(c) for c in range(6)] == widths
    panel.show()  # back on screen: the town column grows to the long names now in sight
    qtbot.waitUntil(lambda: header.sectionSize(4) > widths[4], timeout=5000)
    assert header.sectionSize(4) >= table.sizeHintForColumn(4)


def test_a_batch_on_screen_widens_the_columns_from_its_own_texts_without_measuring_the_rows(qtbot, monkeypatch):
    """A burst's batch is fitted from its own incidents' texts: the model is not asked for the cells of the rows
    on screen (Qt's ResizeToContents did, for every batch: a quarter of the GUI thread at 50 incidents/s)."""
    from PySide6.QtCore import Qt

    from commandwall.ui.incidents.model import IncidentTableModel

    asked: list[int] = []
    counting = False
    plain_data = IncidentTableModel.data

    def counted(self, index, role=Qt.ItemDataRole.DisplayRole):
        if counting:
            asked.append(role)
        return plain_data(self, index, role)

    # before the model's first use: the bindings look a Python override up once and keep it
    monkeypatch.setattr(IncidentTableModel, "data", counted)
    panel = panel_on_screen(qtbot, [make(n) for n in range(500)])
    header, table = panel.table.horizontalHeader(), panel.table
    qtbot.wait(300)  # painted
    counting = True
    town = "薛城区西部（临城街道、常庄街道）"
    panel.upsert_incidents([make(n).model_copy(update={"town": town}) for n in range(500, 520)], unseen=True)
    counting = False
    assert asked == []  # the batch itself asked for no cell: only the next repaint will, for the rows it paints
    counting = True
    table.sizeHintForColumn(4)  # the check above can see the model being asked
    counting = False
    assert asked
    assert header.sectionSize(4) >= table.sizeHintForColumn(4)  # the long, bold towns fit whole
    assert all(header.sectionSize(c) >= table.sizeHintForColumn(c) for c in (0, 1, 2, 4, 5))
    hostile = "镇" * 400
    panel.upsert_incidents([make(600).model_copy(update={"town": hostile})], unseen=True)
    assert header.sectionSize(4) < panel.width() // 2  # a hostile name is cut with …, the other columns stay


def map_settled(qtbot, win) -> int:
    """How many incidents the map page shows, once it shows every one the desk has for it and none is on its way.

    A page just ready has been sent the desk's incidents but may not have drawn them yet: a count read at once
    (or after a fixed wait, on a busy machine) could miss them all."""
    from tests.ui.test_map_view import run_js

    feature = win.map_feature

    def settled() -> bool:
        wanted = len(feature.controller.map_incidents())
        return not feature._incident_flush.isActive() and run_js(qtbot, win.map, "CW.stats().incidents") == wanted

    qtbot.waitUntil(settled, timeout=15000)
    return run_js(qtbot, win.map, "CW.stats().incidents")


def test_in_a_burst_the_map_page_gets_incidents_twice_a_second_and_a_lone_one_at_once(qtbot, tmp_path,
                                                                                       exercise_platform) -> None:
    """Each message to the page is a new frame of the web view, composited on the GUI thread: incidents that keep
    coming go to the page together at most every BURST_FLUSH_MS; one after a quiet spell still goes at once."""
    import time

    from commandwall.ui.map.feature import BURST_FLUSH_MS, INCIDENT_FLUSH_MS
    from tests.ui.test_map_view import run_js
    from tests.ui.windows import main_window

    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform), size=None,
                     map_ready=True) as win:
        before = map_settled(qtbot, win)
        sent: list[float] = []
        win.map._bridge.incidents_upserted.connect(lambda _text: sent.append(time.monotonic()))
        started = time.monotonic()
        for n in range(30):  # 1.5 s of one incident every 50 ms
            win.signals.sig_incidents.emit([make(90000 + n)])
            qtbot.wait(50)
        burst_s = time.monotonic() - started
        qtbot.waitUntil(lambda: run_js(qtbot, win.map, "CW.stats().incidents") == before + 30, timeout=10000)
        assert len(sent) <= burst_s * 1000 / BURST_FLUSH_MS + 2, f"{len(sent)} page updates in {burst_s:.1f} s"
        # quiet again: the exercise platform's own incidents may come in the meantime, so wait for a quiet spell
        feature = win.map_feature
        flush = feature._incident_flush
        qtbot.waitUntil(lambda: not flush.isActive()
                        and (time.monotonic() - feature._last_flush) * 1000 >= BURST_FLUSH_MS + 100, timeout=15000)
        lone = len(sent)
        win.signals.sig_incidents.emit([make(91000)])  # no event loop turn since the check: still quiet
        due_ms = flush.interval() if flush.isActive() else None  # read at once: the emit ran the slot
        assert due_ms == INCIDENT_FLUSH_MS, due_ms  # due in the short delay, not held back like a burst
        qtbot.waitUntil(lambda: len(sent) > lone, timeout=BURST_FLUSH_MS)


def _lines_run(files: tuple[str, ...], work) -> int:
    """How many lines of Python in ``files`` ``work()`` runs (each turn of a loop counts): work done, untimed."""
    import sys

    count = 0

    def trace(frame, _event, _arg):
        if frame.f_code.co_filename.endswith(files):
            def lines(_frame, event, _arg):
                nonlocal count
                if event == "line":
                    count += 1
                return lines
            return lines
        return None

    sys.settrace(trace)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def test_a_batch_costs_the_list_the_same_with_a_thousand_or_ten_thousand_listed(qtbot) -> None:
    """With an incident in the detail view, a batch of newcomers and updates finds rows by binary search: it no
    longer walks every listed row (the id→row table made again after each insertion)."""
    files = ("incidents/model.py", "incidents/panel.py")

    def batch_work(listed: int) -> int:
        panel = IncidentPanel()
        qtbot.addWidget(panel)
        panel.set_incidents([make(n) for n in range(listed)])
        panel.select(f"INC-{listed // 2:05d}")
        assert panel.detail.incident.id == f"INC-{listed // 2:05d}"
        counts = []
        for step in range(3):
            newcomers = [make(listed + 10 * step + k) for k in range(10)]
            updates = [make(n, version=2 + step, status=IncidentStatus.ACCEPTED) for n in (3, listed // 2, listed - 5)]
            counts.append(_lines_run(files, lambda batch=newcomers + updates: panel.upsert_incidents(batch)))
        model = panel.model
        assert model.row_of(f"INC-{listed // 2:05d}") == 30 + listed - 1 - listed // 2  # rows still found
        assert panel.detail.incident.version == 4
        return max(counts)

    small, large = batch_work(1_000), batch_work(10_000)
    assert large < small * 1.5 + 50, f"{small} lines with 1 000 listed, {large} with 10 000"


def test_with_a_filter_set_the_map_page_gets_only_what_changed(qtbot, tmp_path, exercise_platform) -> None:
    """Under the dashboard's filter, a batch sends the page its newcomers that pass and the ids of incidents that
    left the filter, never every incident shown again (that cost a batch as much as the incidents held)."""
    import json

    from commandwall.app.incident_filter import IncidentFilter
    from tests.ui.test_map_view import run_js
    from tests.ui.windows import main_window

    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform), size=None,
                     map_ready=True) as win:
        store = win.session.incidents
        before = map_settled(qtbot, win)
        store.upsert_many([make(80000 + n, status=IncidentStatus.NEW if n % 2 else IncidentStatus.ACCEPTED)
                           for n in range(2000)])
        qtbot.waitUntil(lambda: run_js(qtbot, win.map, "CW.stats().incidents") == before + 2000, timeout=10000)
        win.map_feature.apply_filter(IncidentFilter(statuses=frozenset({IncidentStatus.NEW})))
        wanted = len(win.map_feature.controller.map_incidents())
        assert wanted >= 1000
        qtbot.waitUntil(lambda: run_js(qtbot, win.map, "CW.stats().incidents") == wanted, timeout=10000)
        feature = win.map_feature
        qtbot.waitUntil(lambda: not feature._incident_flush.isActive() and not feature._incidents_due,
                        timeout=5000)  # nothing left on its way to the page
        changed: list[str] = []
        upserted: list[str] = []
        win.map._bridge.incidents_changed.connect(changed.append)
        win.map._bridge.incidents_upserted.connect(upserted.append)
        leaving = make(80001, version=2, status=IncidentStatus.ACCEPTED)  # was NEW: leaves the filter
        store.upsert_many([make(83000 + n, status=IncidentStatus.ACCEPTED) for n in range(50)]  # never pass
                          + [make(84000), leaving])
        qtbot.waitUntil(lambda: run_js(qtbot, win.map, "CW.stats().incidents") == wanted, timeout=10000)
        qtbot.waitUntil(lambda: run_js(qtbot, win.map, "CW.incidents.get('INC-84000') !== null"), timeout=10000)
        assert run_js(qtbot, win.map, "CW.incidents.get('INC-80001')") is None
        assert changed == []  # nothing sent again
        messages = [json.loads(text) for text in upserted]
        sent = [item["id"] for m in messages for item in (m if isinstance(m, list) else m["upsert"])]
        removed = [item_id for m in messages if isinstance(m, dict) for item_id in m["remove"]]
        assert sent == ["INC-84000"] and removed == ["INC-80001"]


def test_a_reload_after_the_platform_went_back_drops_the_batch_of_before_and_tells_the_window(qtbot, tmp_path) -> None:
    """The platform's data went back and the stores were loaded again: changes gathered before (v2 of the data as
    it was) would arrive after the reloaded list and put the old copies back in the views; they are dropped, and
    the window is told to show the stores afresh."""
    session = ClientSession(Settings(data_dir=tmp_path), PlatformFactory.at_url("http://127.0.0.1:9"))
    signals = ClientSignals()
    signals.watch(session)
    session.listener = signals.listener()
    batches: list[list[Incident]] = []
    reloaded: list[bool] = []
    signals.sig_incidents.connect(batches.append)
    signals.sig_reloaded.connect(lambda: reloaded.append(True))
    try:
        signals._incident_timer.stop()  # the batch is taken by hand here
        session.incidents.upsert(make(1, version=2, status=IncidentStatus.ACCEPTED))
        session.incidents.replace_all([make(1)], authoritative=True)
        session.listener.on_reloaded()
        qtbot.waitUntil(lambda: reloaded == [True], timeout=5000)
        assert signals.flush_incidents() == 0 and batches == []
        assert session.incidents.get("INC-00001").version == 1
    finally:
        signals.detach()
