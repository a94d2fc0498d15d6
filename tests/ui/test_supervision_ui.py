"""督办 and dispatch in real widgets against a real exercise backend: several units dispatched from the dialog
make one task each; an overdue task highlights its incident, is counted in the status bar and the incident is
escalated in one action by a duty officer, while a viewer sees why he may not."""

from __future__ import annotations

import uuid
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStatusBar

from commandwall import localtime
from commandwall.domain.models import IncidentStatus
from commandwall.ui.incidents.dispatch import DispatchDialog
from commandwall.ui.incidents.model import OVERDUE_BACKGROUND
from commandwall.ui.status import PlatformStatus
from tests.ui.test_incident_workflow_ui import desk_as  # noqa: F401  (fixture)


def _new_incident(desk):
    return next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)


def test_ticking_two_units_dispatches_one_task_each(qtbot, desk_as) -> None:  # noqa: F811
    desk = desk_as("duty")
    incident = _new_incident(desk)
    assert desk.feature.panel.select(incident.id)
    found = desk.controller.dispatch_choices(incident.id)
    assert found is not None
    dialog = DispatchDialog(*found)
    qtbot.addWidget(dialog)
    assert "道路" in dialog.units.item(0).text() or "直线" in dialog.units.item(0).text()
    first = dialog.checked_unit_ids()
    assert len(first) == 1  # the nearest available one, ticked
    second = next(dialog.units.item(i) for i in range(1, dialog.units.count())
                  if dialog.units.item(i).flags() & Qt.ItemFlag.ItemIsUserCheckable)
    second.setCheckState(Qt.CheckState.Checked)
    assert "已选 2 个处置单元" in dialog.summary.text()
    dialog.instructions.setPlainText("两组力量同时赶赴现场")
    wanted = set(dialog.checked_unit_ids())
    desk.feature.send_dispatch(dialog.order())
    assert "2 项派遣任务已提交" in desk.detail.feedback.text()
    qtbot.waitUntil(lambda: len(desk.session.client.tasks(incident.id)) == 2, timeout=15000)
    tasks = desk.session.client.tasks(incident.id)
    assert {t.unit_id for t in tasks} == wanted
    assert all(t.deadline is not None and t.instructions == "两组力量同时赶赴现场" for t in tasks)
    qtbot.waitUntil(lambda: desk.detail.tasks.count() == 2 and not any(  # the platform's tasks, not the queued
        "待发送" in desk.detail.tasks.item(i).text() for i in range(2)), timeout=10000)
    assert all("时限" in desk.detail.tasks.item(i).text() for i in range(2))


def _overdue_task(exercise, incident_id: str) -> None:
    """A department task (no unit: it cannot be rejected) due in a second, dispatched on the platform."""
    deadline = (localtime.now() + timedelta(seconds=1)).isoformat()
    body = {"incident_id": incident_id, "unit_id": None, "department": "城管", "instructions": "核实",
            "priority": 3, "deadline": deadline}
    exercise.store.create_task(body, str(uuid.uuid4()), uuid.uuid4().hex, "duty")


def test_an_overdue_incident_is_highlighted_counted_and_escalated_in_one_action(
    qtbot, desk_as, exercise  # noqa: F811
) -> None:
    desk = desk_as("duty")
    bar = QStatusBar()
    qtbot.addWidget(bar)
    status = PlatformStatus(bar, bar)
    status.follow_overdue(desk.controller.overdue_counts)
    status.start_counting()
    incident = _new_incident(desk)
    assert desk.feature.panel.select(incident.id)
    assert not desk.detail.escalate_button.isVisibleTo(desk.window)
    _overdue_task(exercise, incident.id)
    model = desk.feature.panel.model
    qtbot.waitUntil(lambda: model.is_overdue(incident.id), timeout=10000)
    row = model.row_of(incident.id)
    assert model.data(model.index(row, 3), Qt.ItemDataRole.BackgroundRole).color().name() == OVERDUE_BACKGROUND
    qtbot.waitUntil(lambda: "超时任务 1 项 · 超时事件 1 起" in status.overdue_label.text(), timeout=5000)
    button = desk.detail.escalate_button
    qtbot.waitUntil(lambda: button.isVisibleTo(desk.window) and button.isEnabled(), timeout=5000)
    assert desk.detail.overdue.text() == "督办：1 项任务超过办结时限"
    assert any("超时" in desk.detail.tasks.item(i).text() for i in range(desk.detail.tasks.count()))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.session.client.incident(incident.id).status is IncidentStatus.ESCALATED,
                    timeout=15000)
    last = desk.session.client.timeline(incident.id)[-1]
    assert last.action == "escalate" and last.text.startswith("督办：TSK-") and "超时" in last.text
    assert last.actor == "duty"
    # Escalated is still late (and still counted) but cannot be escalated again: the button says so.
    qtbot.waitUntil(lambda: not button.isEnabled() and "已上报上级" in button.toolTip(), timeout=10000)
    assert model.is_overdue(incident.id) and "超时事件 1 起" in status.overdue_label.text()


def test_a_viewer_sees_the_overdue_incident_but_may_not_escalate(qtbot, desk_as, exercise) -> None:  # noqa: F811
    desk = desk_as("viewer")
    incident = _new_incident(desk)
    assert desk.feature.panel.select(incident.id)
    _overdue_task(exercise, incident.id)
    button = desk.detail.escalate_button
    qtbot.waitUntil(lambda: button.isVisibleTo(desk.window), timeout=10000)
    assert not button.isEnabled()
    assert "当前角色（观察员）无权执行「上报上级」" in button.toolTip()
    # waited for, as in the duty officer's test: the button on screen does not prove the highlight is there yet
    qtbot.waitUntil(lambda: desk.feature.panel.model.is_overdue(incident.id), timeout=5000)
