"""The incident panel: ordering, filters, plain-text rendering of backend text, workflow buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton

from commandwall.app.incidents import ActionRights
from commandwall.domain.models import Incident, IncidentStatus
from commandwall.ui.incidents.dispatch import DispatchDialog
from commandwall.ui.incidents.panel import IncidentPanel
from tests.ui.test_incident_batches import panel_on_screen

T0 = datetime(2026, 7, 14, 3, 0, tzinfo=UTC)


def make(n: int, status: IncidentStatus = IncidentStatus.NEW, title: str | None = None, version: int = 1,
         category: str = "yingji") -> Incident:
    return Incident(
        id=f"INC-{n:04d}", title=title or f"临城街道光明大道积水 {n}", category=category, lon=117.26, lat=34.8,
        town="临城街道", grid="G-001", priority=2, status=status, reported_at=T0 + timedelta(minutes=n),
        updated_at=T0 + timedelta(minutes=n), version=version,
    )


def test_newest_first_and_upsert_keeps_order(qtbot):
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.set_incidents([make(1), make(3)])
    panel.upsert_incident(make(2))
    ids = [panel.model.incident_at(r).id for r in range(panel.model.rowCount())]
    assert ids == ["INC-0003", "INC-0002", "INC-0001"]
    # an older version never overwrites a newer one
    panel.upsert_incident(make(2, IncidentStatus.ACCEPTED, version=3))
    panel.upsert_incident(make(2, IncidentStatus.NEW, version=2))
    assert panel.model.incident("INC-0002").status is IncidentStatus.ACCEPTED


def test_filters_hide_resolved_and_other_categories(qtbot):
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.set_incidents([make(1), make(2, IncidentStatus.RESOLVED), make(3, category="jiaotong")])
    assert panel.visible_count() == 2  # only open by default
    panel.only_open.setChecked(False)
    assert panel.visible_count() == 3
    panel.category.setCurrentIndex(panel.category.findData("jiaotong"))
    assert panel.visible_count() == 1
    panel.search.setText("不存在的关键词")
    assert panel.visible_count() == 0


def test_selecting_shows_backend_text_as_plain_text(qtbot):
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    evil = "<img src=x onerror=alert(1)><b>粗体</b>"
    panel.set_incidents([make(1, title=evil)])
    with qtbot.waitSignal(panel.sig_incident_selected, timeout=2000) as blocker:
        assert panel.select("INC-0001")
    assert blocker.args == ["INC-0001"]
    assert panel.detail.title.text() == evil
    assert panel.detail.title.textFormat() == Qt.TextFormat.PlainText


def test_action_button_quotes_the_version_seen(qtbot):
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.detail.set_rights(ActionRights(["duty_officer"]))
    panel.set_incidents([make(1, version=7)])
    panel.select("INC-0001")
    button = panel.detail.findChild(QPushButton, "action_accept")
    assert button is not None and button.isEnabled()
    with qtbot.waitSignal(panel.detail.sig_action, timeout=2000) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["INC-0001", "accept", 7, ""]
    panel.detail.set_rights(ActionRights(["viewer"]))  # a viewer sees the buttons disabled
    assert not panel.detail.findChild(QPushButton, "action_accept").isEnabled()


def test_selecting_a_filtered_incident_clears_filters(qtbot):
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.set_incidents([make(1), make(2, IncidentStatus.CLOSED)])
    assert panel.select("INC-0002")
    assert panel.detail.incident.id == "INC-0002"
    assert not panel.select("INC-9999")


def test_dispatch_dialog_requires_instructions_and_builds_payload(qtbot):
    from commandwall.app.dispatch import UnitChoice
    from commandwall.domain.models import Unit, UnitStatus

    units = [
        UnitChoice(Unit(id="U-1", name="临城派出所巡逻一组", department="公安", lon=117.2, lat=34.8, updated_at=T0),
                   900.0, True),
        UnitChoice(Unit(id="U-2", name="消防一组", department="消防", lon=117.2, lat=34.8, status=UnitStatus.OFFLINE,
                        updated_at=T0), 300.0, False),
    ]
    dialog = DispatchDialog(make(1), units)
    qtbot.addWidget(dialog)
    assert dialog.checked_unit_ids() == ["U-1"]  # nearest *available* unit ticked
    assert "道路 0.9 km" in dialog.units.item(0).text() and "直线 0.3 km" in dialog.units.item(1).text()
    assert not dialog.units.item(1).flags() & Qt.ItemFlag.ItemIsUserCheckable  # offline: cannot take a task
    dialog._accept()
    assert dialog.error.text()  # no instructions: refused with a message
    dialog.instructions.setPlainText("立即赶赴现场" * 400)  # 2400 characters: the platform would refuse every task
    dialog._accept()
    assert dialog.result() != DispatchDialog.DialogCode.Accepted and "2000" in dialog.error.text()
    assert "2400" in dialog.error.text()
    dialog.instructions.setPlainText("立即赶赴现场")
    dialog._accept()
    assert dialog.result() == DispatchDialog.DialogCode.Accepted
    assert dialog.order().payloads(T0) == [{"incident_id": "INC-0001", "unit_id": "U-1", "department": "公安",
                                            "instructions": "立即赶赴现场", "priority": 2}]


def test_a_double_click_on_an_action_sends_it_once(qtbot):
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.detail.set_rights(ActionRights(["duty_officer"]))
    panel.set_incidents([make(1)])
    panel.select("INC-0001")
    emitted: list = []
    panel.detail.sig_action.connect(lambda *args: emitted.append(args))
    button = panel.detail.findChild(QPushButton, "action_accept")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert emitted == [("INC-0001", "accept", 1, "")]
    panel.detail.set_feedback("状态变更被平台拒绝：…")  # an answer came: the buttons are back
    assert panel.detail.findChild(QPushButton, "action_accept").isEnabled()


def test_rows_inserted_on_screen_widen_the_columns_that_fit_their_contents(qtbot):
    """New incidents at the top (bold, unseen) with a long town: the 镇街 and time columns grow to show them
    whole, as they did on the first load (Qt measures such columns again on a reset, not on inserted rows)."""
    panel = panel_on_screen(qtbot, [make(n) for n in range(15)], 900, 500)
    newcomer = make(100).model_copy(update={"town": "薛城区西部（临城街道、常庄街道）"})
    panel.upsert_incidents([newcomer], unseen=True)
    header, table = panel.table.horizontalHeader(), panel.table
    town = next(c for c in range(panel.model.columnCount())
                if panel.model.headerData(c, Qt.Orientation.Horizontal) == "镇街")
    qtbot.waitUntil(lambda: header.sectionSize(town) >= table.sizeHintForColumn(town), timeout=2000)
    assert all(header.sectionSize(c) >= table.sizeHintForColumn(c) for c in range(panel.model.columnCount()))


def test_the_dispatch_list_says_whose_position_is_minutes_old(qtbot):
    """Ranked by where each unit last reported: a unit silent for 20 minutes says so beside its distance, so the
    officer does not take 0.5 km for where it is now."""
    from datetime import timedelta

    from commandwall.app.dispatch import UnitRanking
    from commandwall.domain.models import Unit

    units = [Unit(id="U-1", name="巡逻一组", department="公安", lon=117.26, lat=34.801, updated_at=T0),
             Unit(id="U-2", name="巡逻二组", department="公安", lon=117.27, lat=34.8,
                  updated_at=T0 - timedelta(minutes=20))]
    choices = UnitRanking().rank(make(1), units, [], now=T0 + timedelta(minutes=1))
    dialog = DispatchDialog(make(1), choices)
    qtbot.addWidget(dialog)
    lines = {dialog.units.item(i).text().split(" · ")[0]: dialog.units.item(i).text() for i in range(2)}
    assert lines["巡逻二组"].endswith(" · 位置为21分钟前上报"), lines
    assert "上报" not in lines["巡逻一组"], lines


def test_the_selected_incident_leaving_the_list_never_selects_another(qtbot):
    """Another desk merges the incident this officer has open (仅未办结 hides it): the detail stays on it, says it
    left the list, and no other incident is selected in its place (Qt made the next row current and selected:
    the next 派遣 or 受理 went to an incident nobody chose). When a filter lets it in again its row is selected."""
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_incidents([make(n) for n in range(1, 6)])
    assert panel.select("INC-0003")
    chosen: list[str] = []
    panel.sig_incident_selected.connect(chosen.append)
    merged = make(3).model_copy(update={"status": IncidentStatus.MERGED, "merged_into": "INC-0004", "version": 2})
    panel.upsert_incidents([merged])
    assert panel.detail.incident.id == "INC-0003" and panel.detail.incident.status is IncidentStatus.MERGED
    assert not panel.table.selectionModel().hasSelection() and chosen == []
    assert "不在当前列表中" in panel.detail.feedback.text()
    panel.search.setText("INC-0001")  # the officer filters: the rows go, none is selected instead
    panel.search.clear()
    assert panel.detail.incident.id == "INC-0003" and chosen == []
    panel.only_open.setChecked(False)
    rows = panel.table.selectionModel().selectedRows()
    assert [panel.model.incident_at(index.row()).id for index in rows] == ["INC-0003"]
    panel.select("INC-0002")  # the user's own choice still goes through
    assert chosen == ["INC-0002"] and panel.detail.incident.id == "INC-0002"


def test_typing_a_search_that_hides_the_selected_incident_keeps_the_detail_on_it(qtbot):
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_incidents([make(n) for n in range(1, 6)])
    assert panel.select("INC-0002")
    chosen: list[str] = []
    panel.sig_incident_selected.connect(chosen.append)
    panel.search.setText("INC-0004")
    assert panel.detail.incident.id == "INC-0002" and chosen == []
    assert not panel.table.selectionModel().hasSelection()


def test_the_note_and_the_steps_are_in_sight_in_a_short_incident_dock(qtbot):
    """The incident centre docked under the wall on a 1080p console is about 560 px tall, the detail a share of
    that: the note field (a 退回's reason) and the workflow steps must be seen without scrolling (they were at the
    bottom, under the tasks, the timeline and the attachments)."""
    from commandwall.app.incidents import ActionRights

    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.detail.set_rights(ActionRights(["duty_officer"]))
    panel.resize(806, 560)
    panel.show()
    panel.set_incidents([make(n) for n in range(1, 30)])
    assert panel.select("INC-0007")
    qtbot.wait(50)
    steps = [b for b in panel.detail.findChildren(QPushButton) if b.objectName().startswith("action_")]
    assert steps
    for widget in (panel.detail.note, panel.detail.dispatch_button, *steps):
        assert not widget.visibleRegion().isEmpty(), widget.objectName() or widget.text()


def test_on_a_short_desk_the_list_shows_four_rows_and_the_detail_its_buttons(qtbot, themed, language):
    """The incident centre under the wall of a 1366×768 or 1280×720 desk is about 570×350 or 540×320: the list
    shows four rows (three and a half), and an incident with a long title, place and description still shows
    地图定位 and 派遣任务… without scrolling the detail."""
    long = make(7, title="薛城区气象台发布暴雨蓝色预警信号：未来12小时内薛城区西部降雨量将达50毫米以上").model_copy(
        update={"town": "薛城区西部（临城街道、常庄街道）", "description": "预计未来12小时内降雨量将达50毫米。" * 8})
    for width, height, rows in ((573, 350, 4), (537, 320, 3.5)):
        panel = IncidentPanel()
        qtbot.addWidget(panel)
        panel.detail.set_rights(ActionRights(["duty_officer"]))
        panel.resize(width, height)
        panel.show()
        qtbot.waitExposed(panel)
        panel.set_incidents([make(n) for n in range(1, 30) if n != 7] + [long])
        assert panel.select(long.id)
        qtbot.wait(50)
        table = panel.table
        assert table.viewport().height() >= rows * table.rowHeight(0), (width, height)
        for button in (panel.detail.locate_button, panel.detail.dispatch_button):
            assert not button.visibleRegion().isEmpty(), (width, height, button.text())


def test_the_split_the_officer_dragged_stays_when_the_dock_is_resized(qtbot):
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.resize(573, 500)
    panel.show()
    qtbot.waitExposed(panel)
    assert abs(panel.splitter.sizes()[0] - panel.splitter.sizes()[1]) <= 1  # half each at first (LIST_SHARE)
    handle = panel.splitter.handle(1)
    middle = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=middle)
    qtbot.mouseMove(handle, middle + QPoint(0, 100))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=middle + QPoint(0, 100))
    dragged = panel.splitter.sizes()
    assert dragged[0] >= dragged[1] + 150
    panel.resize(573, 560)
    qtbot.waitUntil(lambda: sum(panel.splitter.sizes()) > sum(dragged), timeout=2000)
    assert panel.splitter.sizes()[0] >= panel.splitter.sizes()[1] + 150  # the officer's split, not half again


def _drag_handle(qtbot, panel: IncidentPanel, by: int) -> None:
    handle = panel.splitter.handle(1)
    middle = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=middle)
    qtbot.mouseMove(handle, middle + QPoint(0, by))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=middle + QPoint(0, by))


def test_the_split_dragged_is_kept_in_view_ini_and_given_back_at_any_height(qtbot, tmp_path):
    """The officer's split comes back at the next start (as a share: the dock may be another height), and keeps
    following the dock until the officer drags again."""
    from commandwall.ui.incidents.view_state import IncidentViewState

    first = panel_on_screen(qtbot, [make(n) for n in range(30)], 573, 600)
    assert first.splitter.kept_share() is None  # the rule's split is not kept: the next screen may differ
    _drag_handle(qtbot, first, 120)
    share = first.splitter.kept_share()
    assert share is not None and share > 0.65
    IncidentViewState(tmp_path).save_list_share(share)
    first.close()

    again = IncidentPanel()
    qtbot.addWidget(again)
    assert again.splitter.restore_share(IncidentViewState(tmp_path).list_share())  # before it has a height
    for height in (600, 800):
        again.resize(573, height)
        again.show()
        qtbot.waitUntil(lambda h=height: sum(again.splitter.sizes()) > h - 50, timeout=2000)
        sizes = again.splitter.sizes()
        assert abs(sizes[0] / sum(sizes) - share) < 0.01, (height, sizes, share)
    assert abs(again.splitter.kept_share() - share) < 0.001  # kept again at the next close, not dragged
    _drag_handle(qtbot, again, -150)
    assert again.splitter.kept_share() < share - 0.1  # dragged again: the new split is the one kept


def test_a_hostile_or_stale_kept_split_hides_neither_the_list_nor_the_detail(qtbot, tmp_path):
    """Whatever ``view.ini`` says the split is (nothing, an edge, out of range, not a number, a list, bytes), the
    list shows its filters, header and rows and the detail its title and first buttons."""
    from commandwall.ui.incidents.panel import DETAIL_LEAST_EMS, LIST_LEAST_ROWS
    from commandwall.ui.incidents.view_state import IncidentViewState

    view = tmp_path / "view.ini"
    panel = panel_on_screen(qtbot, [make(n) for n in range(30)], 573, 600)
    ruled = panel.splitter.sizes()
    for raw, taken in ((b"0", True), (b"1", True), (b"0.0001", True), (b"0.9999", True), (b"-0.5", False),
                       (b"7", False), (b"1e309", False), (b"nan", False), (b"inf", False), (b"x", False),
                       (b'"0.5, 0.6"', False), (b'" 0.3 "', True), (b"0.2, 0.7", False), (b"@ByteArray(0.5)", False),
                       (b"@Rect(0 0 1 1)", False), (b"", False)):
        view.write_bytes(b"[incidents]\nlist_share=" + raw + b"\n")
        panel.splitter.user_sized, panel.splitter._restored = False, None  # as at a start
        assert panel.splitter.restore_share(IncidentViewState(tmp_path).list_share()) is taken, raw
        for height in (600, 260):
            panel.resize(573, height)
            qtbot.waitUntil(lambda h=height: abs(sum(panel.splitter.sizes()) - h) < 20, timeout=2000)
            table, detail = panel.table, panel.detail
            assert table.viewport().height() >= LIST_LEAST_ROWS * table.verticalHeader().defaultSectionSize(), \
                (raw, height, panel.splitter.sizes())
            assert panel.splitter.sizes()[1] >= DETAIL_LEAST_EMS * detail.fontMetrics().height(), (raw, height)
            assert not detail.locate_button.visibleRegion().isEmpty() or height < 300, (raw, height)
        panel.resize(573, 600)
        qtbot.waitUntil(lambda: abs(sum(panel.splitter.sizes()) - 600) < 20, timeout=2000)
        if not taken:
            assert panel.splitter.sizes() == ruled, raw  # the rule's split, as with nothing kept
