"""The incident list filters itself (no proxy model between it and the table): its rows are the incidents the
filters pass, newest first, kept so through batches, updates that cross a filter and filter changes, with
row signals a view can follow and the selection kept."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester

from commandwall.app.incident_filter import IncidentFilter
from commandwall.domain.models import OPEN_STATUSES, Incident, IncidentStatus
from commandwall.ui.incidents.model import IncidentTableModel
from commandwall.ui.incidents.panel import IncidentPanel

T0 = datetime(2026, 7, 14, 3, 0, tzinfo=UTC)
TOWNS = ("临城街道", "沙沟镇", "周营镇")
CATEGORIES = ("yingji", "jiaotong", "zhian")


def make(n: int, version: int = 1, status: IncidentStatus = IncidentStatus.NEW, category: str = "yingji",
         town: str = "临城街道", description: str = "") -> Incident:
    at = T0 + timedelta(seconds=n)
    return Incident(id=f"INC-{n:05d}", title=f"事件 {n}", category=category, lon=117.26, lat=34.8, town=town,
                    grid=f"G-{n % 7:03d}", priority=1 + n % 4, status=status, description=description,
                    reported_at=at, updated_at=at + timedelta(seconds=version), version=version)


def shown(model: IncidentTableModel) -> list[str]:
    return [model.incident_at(row).id for row in range(model.rowCount())]


class Mirror:
    """The ids a view following only the model's row signals would hold."""

    def __init__(self, model: IncidentTableModel) -> None:
        self.model = model
        self.ids = shown(model)
        self.resets = 0
        model.rowsInserted.connect(self._inserted)
        model.rowsRemoved.connect(self._removed)
        model.modelReset.connect(self._reset)
        model.layoutChanged.connect(self._reset)

    def _inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        self.ids[first:first] = [self.model.incident_at(row).id for row in range(first, last + 1)]

    def _removed(self, _parent: QModelIndex, first: int, last: int) -> None:
        del self.ids[first:last + 1]

    def _reset(self, *_args: object) -> None:
        self.resets += 1
        self.ids = shown(self.model)


def test_a_batch_under_a_filter_is_one_insertion_of_the_rows_it_passes_and_hidden_ones_are_still_known(qtbot):
    model = IncidentTableModel()
    model.set_only_open(True)
    model.set_incidents([make(n, status=IncidentStatus.CLOSED if n % 3 == 0 else IncidentStatus.NEW)
                         for n in range(3000)])
    assert model.rowCount() == 2000 and model.total_count() == 3000
    inserts: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserts.append((first, last)))
    batch = [make(n, status=IncidentStatus.RESOLVED if n % 4 == 0 else IncidentStatus.NEW)
             for n in range(3000, 3100)]
    added = model.upsert_many(batch, unseen=True)
    assert inserts == [(0, 74)]  # the 75 open newcomers, one run on top; the 25 resolved ones not shown
    assert len(added) == 100 and model.total_count() == 3100 and model.unseen_count() == 100
    assert shown(model)[:2] == ["INC-03099", "INC-03098"] and model.row_of("INC-03096") is None
    assert model.incident("INC-03096").status is IncidentStatus.RESOLVED  # known, filtered out
    assert [i.id for i in model.incidents()][:4] == ["INC-03099", "INC-03098", "INC-03097", "INC-03096"]
    background = model.data(model.index(0, 3), Qt.ItemDataRole.BackgroundRole)
    assert background is not None  # a newcomer is highlighted
    model.set_only_open(False)  # the hidden newcomer shows, highlighted too
    row = model.row_of("INC-03096")
    assert row == 3 and model.data(model.index(row, 3), Qt.ItemDataRole.BackgroundRole) is not None


def test_updates_that_cross_a_filter_remove_and_insert_their_rows(qtbot):
    model = IncidentTableModel()
    model.set_only_open(True)
    model.set_incidents([make(n) for n in range(10)] + [make(10, status=IncidentStatus.CLOSED)])
    mirror = Mirror(model)
    removed: list[tuple[int, int]] = []
    model.rowsRemoved.connect(lambda _parent, first, last: removed.append((first, last)))
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, *_: changed.append((top.row(), bottom.row())))
    model.upsert_many([make(7, version=2, status=IncidentStatus.RESOLVED),  # leaves
                       make(6, version=2, status=IncidentStatus.RESOLVED),  # leaves
                       make(3, version=2, status=IncidentStatus.ACCEPTED),  # stays, changed in place
                       make(10, version=2, status=IncidentStatus.RETURNED)])  # reopened: comes back on top
    assert removed == [(2, 3)]  # rows of INC-00007 and INC-00006, one run
    assert changed == [(6, 6)]  # INC-00003's row before the removal
    assert shown(model) == ["INC-00010", "INC-00009", "INC-00008", "INC-00005", "INC-00004", "INC-00003",
                            "INC-00002", "INC-00001", "INC-00000"]
    assert mirror.ids == shown(model) and mirror.resets == 0
    assert model.incident("INC-00003").status is IncidentStatus.ACCEPTED


def test_every_filter_of_the_panel_in_the_model_itself(qtbot):
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    assert panel.table.model() is panel.model  # no model in between to map rows and cells
    incidents = [make(1, description="桥下积水 DEEP"), make(2, status=IncidentStatus.CLOSED),
                 make(3, category="jiaotong", town="沙沟镇"), make(4, category="jiaotong", town="周营镇")]
    panel.set_incidents(incidents)
    assert shown(panel.model) == ["INC-00004", "INC-00003", "INC-00001"]  # 仅未办结 by default
    assert "3 / 4" in panel.count_label.text()
    panel.search.setText("  deep ")  # the description, case and spaces aside
    assert shown(panel.model) == ["INC-00001"]
    panel.search.setText("沙沟")  # the town
    assert shown(panel.model) == ["INC-00003"]
    panel.search.setText("inc-00004")  # the id
    assert shown(panel.model) == ["INC-00004"]
    panel.search.clear()
    panel.category.setCurrentIndex(panel.category.findData("jiaotong"))
    assert shown(panel.model) == ["INC-00004", "INC-00003"]
    assert "2 / 4" in panel.count_label.text()
    panel.category.setCurrentIndex(0)
    panel.set_filter(IncidentFilter(town="周营镇"))  # the dashboard's
    assert shown(panel.model) == ["INC-00004"] and panel.filter_chip.isVisibleTo(panel)
    panel.set_filter(IncidentFilter(statuses=frozenset({IncidentStatus.CLOSED})))  # unticks 仅未办结
    assert not panel.only_open.isChecked() and shown(panel.model) == ["INC-00002"]
    panel.filter_chip.click()
    assert shown(panel.model) == ["INC-00004", "INC-00003", "INC-00002", "INC-00001"]
    assert "4 / 4" in panel.count_label.text()


def test_the_selection_stays_on_its_incident_through_batches_and_filter_changes(qtbot):
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 500)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_incidents([make(n, status=IncidentStatus.CLOSED if n % 2 else IncidentStatus.NEW,
                              category=CATEGORIES[n % 3]) for n in range(600)])
    selected: list[str] = []
    panel.sig_incident_selected.connect(selected.append)
    assert panel.select("INC-00300")

    def selected_row() -> int:
        rows = panel.table.selectionModel().selectedRows()
        assert len(rows) == 1
        return rows[0].row()

    assert selected_row() == panel.model.row_of("INC-00300") == 149
    panel.upsert_incidents([make(n) for n in range(600, 700)], unseen=True)  # above it
    assert selected_row() == panel.model.row_of("INC-00300") == 249
    panel.only_open.setChecked(False)  # the closed ones come in around it
    assert selected_row() == panel.model.row_of("INC-00300") == 399
    panel.category.setCurrentIndex(panel.category.findData(CATEGORIES[0]))  # INC-00300 is of the first
    assert selected_row() == panel.model.row_of("INC-00300")
    assert panel.detail.incident.id == "INC-00300" and selected == ["INC-00300"]  # never re-selected
    panel.upsert_incidents([make(300, version=2, status=IncidentStatus.ACCEPTED)])
    assert panel.detail.incident.version == 2 and selected_row() == panel.model.row_of("INC-00300")


def test_selecting_an_incident_hidden_by_a_panel_filter_clears_them_and_selects_its_row(qtbot):
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.set_incidents([make(1), make(2, status=IncidentStatus.CLOSED, category="jiaotong")])
    panel.search.setText("事件 1")
    assert panel.model.row_of("INC-00002") is None
    assert panel.select("INC-00002")
    assert panel.search.text() == "" and not panel.only_open.isChecked()
    rows = panel.table.selectionModel().selectedRows()
    assert [panel.model.incident_at(index.row()).id for index in rows] == ["INC-00002"]


@pytest.mark.parametrize(("seed", "ids", "steps", "tested"), [(1, 200, 60, True), (2, 2000, 150, False),
                                                        (3, 2000, 150, False)])
def test_random_batches_updates_and_filter_changes_keep_the_rows_exactly_what_the_filters_pass(
        qtbot, seed, ids, steps, tested):
    """The rows are what a plain filter over all incidents gives, and a mirror following only the row signals
    ends where the model is. With ``tested`` Qt's model tester checks the whole model after every signal (a
    warning fails the test): slow, so on a small list."""
    rng = random.Random(seed)
    model = IncidentTableModel()
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning) if tested else None
    statuses = list(IncidentStatus)
    latest: dict[str, Incident] = {}

    def some(n: int, version: int = 1) -> Incident:
        return make(n, version=version, status=rng.choice(statuses), category=rng.choice(CATEGORIES),
                    town=rng.choice(TOWNS))

    first = [some(n) for n in rng.sample(range(ids), ids // 6)]
    model.set_incidents(first)
    latest.update({i.id: i for i in first})
    mirror = Mirror(model)
    only_open, category, text, town = False, "", "", ""

    def passes(inc: Incident, only_open: bool, category: str, text: str, town: str) -> bool:
        hay = f"{inc.id} {inc.title} {inc.town} {inc.grid} {inc.description}".lower()
        return ((not only_open or inc.status in OPEN_STATUSES) and (not category or inc.category == category)
                and (not town or inc.town == town) and text.lower() in hay)

    for step in range(steps):
        action = rng.random()
        if action < 0.5:  # a batch: newcomers anywhere in time, updates of listed ones (some stale)
            batch = [some(rng.randrange(ids)) for _ in range(rng.randrange(1, 30))]
            for known in rng.sample(sorted(latest), min(len(latest), rng.randrange(0, 10))):
                n = int(known[4:])
                batch.append(some(n, version=max(1, latest[known].version + rng.choice((-1, 0, 1, 2)))))
            model.upsert_many(batch, unseen=rng.random() < 0.5)
            for inc in batch:
                if inc.id not in latest or inc.version >= latest[inc.id].version:
                    latest[inc.id] = inc
        elif action < 0.65:
            only_open = not only_open
            model.set_only_open(only_open)
        elif action < 0.8:
            category = rng.choice(("", *CATEGORIES))
            model.set_category(category)
        elif action < 0.9:
            text = rng.choice(("", "事件 1", "G-003", "inc-0", "沙沟"))
            model.set_text(text)
        else:
            town = rng.choice(("", *TOWNS))
            model.set_extra_filter(IncidentFilter(town=town).matches if town else None)
        expected = [inc.id for inc in sorted(latest.values(), key=lambda i: i.reported_at, reverse=True)
                    if passes(inc, only_open, category, text, town)]
        assert shown(model) == expected, f"step {step}"
        assert mirror.ids == expected, f"step {step}"
        assert all(model.incident(i).version == latest[i].version for i in latest)
        assert model.total_count() == len(latest)
    assert mirror.resets == 0  # filter changes and batches move rows, they never reset the list
    del tester
