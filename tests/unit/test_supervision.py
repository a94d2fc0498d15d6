"""督办 rules and dispatch orders, without Qt: deadlines by priority, what is overdue, the escalation note, one
task per unit, and how a task reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commandwall.app.dispatch import (
    INSTRUCTIONS_MISSING,
    INSTRUCTIONS_TOO_LONG,
    NO_UNIT_NO_DEPARTMENT,
    DispatchOrder,
    describe_task,
)
from commandwall.domain.models import Incident, IncidentStatus, Task, TaskStatus
from commandwall.domain.supervision import (
    DEADLINE_MINUTES,
    default_deadline,
    escalation_note,
    overdue_by,
    overdue_incident_ids,
    overdue_tasks,
)
from commandwall.localtime import to_display

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def task(n: int, minutes: float, status: TaskStatus = TaskStatus.ASSIGNED, incident: str = "INC-1") -> Task:
    return Task(id=f"TSK-{n}", incident_id=incident, created_at=T0, deadline=T0 + timedelta(minutes=minutes),
                status=status)


def incident(n: int, status: IncidentStatus = IncidentStatus.DISPATCHED) -> Incident:
    return Incident(id=f"INC-{n}", title="t", category="zongzhi", lon=117.2, lat=34.8, reported_at=T0,
                    updated_at=T0, version=1, status=status)


def test_deadlines_follow_the_priority_table() -> None:
    assert DEADLINE_MINUTES[1] < DEADLINE_MINUTES[2] < DEADLINE_MINUTES[3] < DEADLINE_MINUTES[4]
    assert default_deadline(1, T0) == T0 + timedelta(minutes=15)
    assert default_deadline(9, T0) == T0 + timedelta(minutes=DEADLINE_MINUTES[3])  # unknown: 一般


def test_only_active_tasks_past_their_deadline_are_overdue() -> None:
    now = T0 + timedelta(minutes=20)
    assert overdue_by(task(1, 15), now) == timedelta(minutes=5)
    assert overdue_by(task(2, 30), now) is None  # in time
    assert overdue_by(task(3, 15, TaskStatus.DONE), now) is None
    assert overdue_by(task(4, 15, TaskStatus.REJECTED), now) is None
    assert overdue_by(task(5, 20), now) is None  # at the deadline exactly: not yet late
    no_deadline = task(6, 1).model_copy(update={"deadline": None})
    assert overdue_by(no_deadline, now) is None
    assert [t.id for t in overdue_tasks([task(1, 15), task(7, 5, TaskStatus.EN_ROUTE)], now)] == ["TSK-7", "TSK-1"]


def test_an_incident_is_overdue_while_open_with_an_overdue_task() -> None:
    now = T0 + timedelta(minutes=20)
    tasks = [task(1, 15, incident="INC-1"), task(2, 15, incident="INC-2"), task(3, 60, incident="INC-3")]
    incidents = [incident(1), incident(2, IncidentStatus.RESOLVED), incident(3)]
    assert overdue_incident_ids(incidents, tasks, now) == {"INC-1"}


def test_the_escalation_note_names_the_late_tasks() -> None:
    now = T0 + timedelta(minutes=20, seconds=10)
    note = escalation_note([task(1, 15), task(2, 19), task(3, 60)], now)
    assert note == "督办：TSK-1 超时 6 分钟；TSK-2 超时 2 分钟，上报上级"


def test_an_order_sends_one_task_per_unit_or_one_for_the_department() -> None:
    order = DispatchOrder("INC-1", ("U-1", "U-2"), "公安", 2, "  到场  ", deadline_minutes=10)
    payloads = order.payloads(T0)
    assert [p["unit_id"] for p in payloads] == ["U-1", "U-2"]
    assert all(p["deadline"] == (T0 + timedelta(minutes=10)).isoformat() and p["instructions"] == "到场"
               for p in payloads)
    to_department = DispatchOrder("INC-1", (), "城管", 3, "核实").payloads(T0)
    assert to_department == [{"incident_id": "INC-1", "department": "城管", "instructions": "核实", "priority": 3,
                              "unit_id": None}]  # no deadline: the platform's, by priority


@pytest.mark.parametrize(("units", "department", "text", "problem"), [
    ((), "", "核实", NO_UNIT_NO_DEPARTMENT),
    (("U-1",), "公安", "   ", INSTRUCTIONS_MISSING),
    (("U-1",), "", "核实", None),
    (("U-1",), "", "核" * 2000 + "  ", None),  # the platform's limit, the blanks around it not counted
    (("U-1",), "", "核" * 2001, INSTRUCTIONS_TOO_LONG.format(limit=2000, count=2001)),
])
def test_an_order_says_what_is_missing(units, department, text, problem) -> None:
    assert DispatchOrder("INC-1", units, department, 3, text).problem() == problem


def test_a_task_line_shows_status_reason_deadline_and_lateness() -> None:
    late = describe_task(task(1, 15), T0 + timedelta(minutes=21), unit_name="巡逻一组")
    assert "巡逻一组" in late and "已派发" in late and "时限" in late and "超时 6 分钟" in late
    rejected = task(2, 15, TaskStatus.REJECTED).model_copy(update={"reason": "车辆故障"})
    line = describe_task(rejected, T0 + timedelta(minutes=21))
    assert "已拒绝：" in line and "车辆故障" in line and "超时" not in line


def test_a_task_line_names_the_day_of_a_time_not_today_and_days_of_long_lateness() -> None:
    """A deadline tomorrow, or years off in broken data, never reads as a time today; lateness of days reads in
    days, not as a ten-digit count of minutes."""
    now = T0 + timedelta(minutes=21)
    tomorrow = task(3, 15).model_copy(update={"deadline": now + timedelta(days=1)})
    assert f"时限 {to_display(now + timedelta(days=1)):%m-%d %H:%M}" in describe_task(tomorrow, now)
    far = task(4, 15).model_copy(update={"deadline": datetime(9999, 12, 31, 15, 59, tzinfo=UTC)})
    assert "时限 9999-12-31 23:59" in describe_task(far, now)
    ancient = task(5, 15).model_copy(update={"deadline": datetime(1, 1, 1, tzinfo=UTC)})
    line = describe_task(ancient, now)
    assert "时限 0001-01-01" in line and f"超时 {(now - datetime(1, 1, 1, tzinfo=UTC)).days} 天" in line
    assert describe_task(task(6, 15), now).startswith(f"{to_display(T0):%H:%M} ")  # today: the time alone


def test_the_unit_marker_and_the_timeline_say_where_a_task_stands() -> None:
    from commandwall.app.incidents import IncidentsController
    from commandwall.domain.models import TimelineEntry, TimelineKind, Unit
    from commandwall.mapdoc.payload import unit_payload

    unit = Unit(id="U-1", name="巡逻一组", department="公安", lon=117.2, lat=34.8, updated_at=T0, status="busy",
                task_id="TSK-1", task_status=TaskStatus.EN_ROUTE)
    assert unit_payload(unit)["status_label"] == "出勤 · 任务途中"
    assert unit_payload(unit)["task_status"] == "en_route"
    idle = unit_payload(unit.model_copy(update={"task_id": None, "task_status": None, "status": "available"}))
    assert (idle["status_label"], idle["task_status"]) == ("待命", None)
    entry = TimelineEntry(seq=1, incident_id="INC-1", kind=TimelineKind.TASK, action="rejected", ref="TSK-1",
                          text="车辆故障，无法出动", actor="巡逻一组", at=T0)
    line = IncidentsController.describe_entry(entry)
    assert "任务 TSK-1 已拒绝" in line and "车辆故障，无法出动" in line and "巡逻一组" in line
    dispatched = entry.model_copy(update={"action": "dispatch", "text": "到场"})
    assert "派遣任务 TSK-1" in IncidentsController.describe_entry(dispatched)
