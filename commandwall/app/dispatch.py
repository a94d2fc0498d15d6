"""Dispatch and supervision as one desk sees them (Qt-free): which units to offer for an incident (nearest by
road over the roads layer, their status and whether the distance is by road), the tasks a dispatch sends (one
per unit), how a task reads, and which tasks and incidents are overdue (督办).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from commandwall import localtime
from commandwall.domain.models import (
    CATEGORY_DEPARTMENTS,
    MAX_FREE_TEXT_CHARS,
    UNIT_REPORT_STALE_S,
    Incident,
    Task,
    Unit,
    UnitStatus,
    department_label,
    report_age_text,
    task_status_label,
    unit_status_label,
)
from commandwall.domain.supervision import DEADLINE_MINUTES, minutes_late, overdue_by
from commandwall.geo.routing import RoadNetwork, roads_of, straight_metres
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.localtime import to_display
from commandwall.textsafe import display_text

#: Units offered per dispatch at most (a district has a few dozen; more would only scroll).
MAX_OFFERED = 50
NO_UNIT_NO_DEPARTMENT = QT_TRANSLATE_NOOP("dispatch", "请选择处置单元或责任部门")
INSTRUCTIONS_MISSING = QT_TRANSLATE_NOOP("dispatch", "请填写处置要求")
INSTRUCTIONS_TOO_LONG = QT_TRANSLATE_NOOP("dispatch", "处置要求最多 {limit} 字，现有 {count} 字")


@dataclass(frozen=True)
class UnitChoice:
    """A unit the dispatch dialog offers: its distance to the incident, whether that is by road, how long ago
    the unit last reported (its position), and whether it already has an active task for this incident
    (``sent_here``: sent by any desk, or queued here and not yet on the platform)."""

    unit: Unit
    metres: float
    by_road: bool
    report_age_s: float = 0.0
    sent_here: bool = False

    @property
    def selectable(self) -> bool:
        """Only available units can take a task."""
        return self.unit.status is UnitStatus.AVAILABLE

    def label(self) -> str:
        """Name · department · status (and the task it is on) · distance (道路 by road, 直线 where the roads do
        not reach), and for a unit silent over ``UNIT_REPORT_STALE_S`` how long (its distance is from where it
        was then); 已派往本事件 for a unit already sent to this incident. Platform text is isolated so it cannot
        pull the separators around."""
        name = display_text(self.unit.name, isolate=True)
        department = display_text(department_label(self.unit.department), isolate=True)
        status = unit_status_label(self.unit.status)
        if self.unit.task_status is not None:
            status = translate("dispatch", "{status}（{task}）").format(
                status=status, task=task_status_label(self.unit.task_status))
        if self.by_road:
            template = translate("dispatch", "{name} · {department} · {status} · 道路 {km} km")
        else:
            template = translate("dispatch", "{name} · {department} · {status} · 直线 {km} km")
        line = template.format(name=name, department=department, status=status, km=f"{self.metres / 1000:.1f}")
        if self.report_age_s > UNIT_REPORT_STALE_S:
            line += translate("dispatch", " · 位置为{age}上报").format(age=report_age_text(self.report_age_s))
        if self.sent_here:
            line += translate("dispatch", " · 已派往本事件")
        return line


@dataclass(frozen=True)
class DispatchOrder:
    """What the duty officer filled in: the units (none: to the department only), the department, the
    priority, the deadline in minutes (None: the priority's default, computed by the platform) and the
    instructions."""

    incident_id: str
    unit_ids: tuple[str, ...]
    department: str
    priority: int
    instructions: str
    deadline_minutes: int | None = None

    def problem(self) -> str | None:
        """Why the order cannot be sent yet (in the chosen language), or None."""
        if not self.instructions.strip():
            return translate("dispatch", INSTRUCTIONS_MISSING)
        if len(self.instructions.strip()) > MAX_FREE_TEXT_CHARS:  # the platform would refuse every task of it
            return translate("dispatch", INSTRUCTIONS_TOO_LONG).format(limit=MAX_FREE_TEXT_CHARS,
                                                                       count=len(self.instructions.strip()))
        if not self.unit_ids and not self.department:
            return translate("dispatch", NO_UNIT_NO_DEPARTMENT)
        return None

    def payloads(self, now: datetime) -> list[dict[str, Any]]:
        """The tasks to send (``POST /api/v1/tasks``): one per unit, or one for the department."""
        base: dict[str, Any] = {
            "incident_id": self.incident_id,
            "department": self.department,
            "instructions": self.instructions.strip(),
            "priority": self.priority,
        }
        if self.deadline_minutes is not None:
            base["deadline"] = (now + timedelta(minutes=self.deadline_minutes)).isoformat()
        if not self.unit_ids:
            return [{**base, "unit_id": None}]
        return [{**base, "unit_id": unit_id} for unit_id in self.unit_ids]


# Open incidents a map card offers when none is selected (nearest first).
NEARBY_OFFERED = 3
# Longest incident title a map card shows (the whole title is in the incident centre).
CARD_TITLE_MAX = 60


@dataclass(frozen=True)
class DispatchOffer:
    """What a unit's or resource's map card offers: ``incident`` (the selected one, which its button sends
    to) or, when none is selected, the ``nearby`` open incidents (each with its straight-line metres);
    ``reason`` says why the button is off (None: on). With a reason from the role or the unit itself nothing
    else is offered."""

    reason: str | None
    incident: Incident | None = None
    nearby: tuple[tuple[Incident, float], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """For the page: ``{enabled, reason, incident: {id, title} | None, nearby: [{id, title, metres}]}``
        (titles through ``display_text``)."""
        def brief(incident: Incident) -> dict[str, Any]:
            return {"id": incident.id, "title": display_text(incident.title, CARD_TITLE_MAX)}

        return {
            "enabled": self.reason is None,
            "reason": self.reason or "",
            "incident": None if self.incident is None else brief(self.incident),
            "nearby": [{**brief(i), "metres": round(metres)} for i, metres in self.nearby],
        }


def resource_instructions(resource: Mapping[str, Any]) -> str:
    """The 处置要求 a dispatch from a resource's card starts with: the resource named, with its type, town, id
    and position (``resource`` as the map has it, ``payload.resource_payload``: its text already safe to show)."""
    return translate("dispatch", "调用应急资源：{name}（{type}，{town}，编号 {id}，位置 {lon:.5f}, {lat:.5f}）").format(
        name=resource.get("name") or "", type=resource.get("type_label") or "", town=resource.get("town") or "",
        id=resource.get("id_text") or "", lon=float(resource.get("lon") or 0), lat=float(resource.get("lat") or 0))


def default_deadline_minutes(priority: int) -> int:
    """Minutes a task of ``priority`` has by default (督办 table)."""
    return DEADLINE_MINUTES.get(priority, DEADLINE_MINUTES[3])


class UnitRanking:
    """Ranks units for an incident by road distance; the road graph is built from the session's roads layer on
    first use, and again when the session's layers are replaced (the cached offline layers, then the live ones)
    (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._network: RoadNetwork | None = None
        self._built_from: object = None

    def network(self, layers: Iterable[Any]) -> RoadNetwork | None:
        """The road graph of ``layers`` (None when there is no roads layer), built on the first call with these
        layers (the same list object: the session replaces its list when the layers change); before the layers
        are loaded nothing is kept."""
        with self._lock:
            if layers is not self._built_from:
                listed = list(layers)
                if listed:
                    self._network, self._built_from = roads_of(listed), layers
            return self._network

    def rank(self, incident: Incident, units: Sequence[Unit], layers: Iterable[Any],
             now: datetime | None = None) -> list[UnitChoice]:
        """Units nearest first by road (straight line, marked, where the network does not reach); available
        ones first, then busy, then offline, and in each the units of the department that handles the incident's
        category (:data:`CATEGORY_DEPARTMENTS`) before the others; at most ``MAX_OFFERED``. Each knows its last
        report's age at ``now`` (default now)."""
        now = now or localtime.now()
        target = (incident.lon, incident.lat)
        network = self.network(layers)
        points = [(u.lon, u.lat) for u in units]
        if network is not None:
            found = [(d.metres, d.by_road) for d in network.distances(target, points)]
        else:
            found = [(straight_metres(p, target), False) for p in points]
        order = {UnitStatus.AVAILABLE: 0, UnitStatus.BUSY: 1, UnitStatus.OFFLINE: 2}
        choices = [UnitChoice(u, m, r, u.report_age_s(now)) for u, (m, r) in zip(units, found, strict=True)]
        handles = CATEGORY_DEPARTMENTS.get(incident.category)
        choices.sort(
            key=lambda c: (order[c.unit.status], handles is not None and c.unit.department != handles, c.metres)
        )
        return choices[:MAX_OFFERED]


def task_time(moment: datetime, now: datetime) -> str:
    """A task's time as its line shows it: the hour and minute today, with the day on another day, with the year
    in another year (a deadline of tomorrow, or one years off in broken data, never reads as today's)."""
    local, today = to_display(moment), to_display(now)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    return f"{local:%m-%d %H:%M}" if local.year == today.year else f"{local.year:04d}-{local:%m-%d %H:%M}"


def describe_task(task: Task, now: datetime, unit_name: str | None = None) -> str:
    """A task as the incident's task list shows it: time, unit or department, status (with the rejection
    reason), deadline and how late it is."""
    who = display_text(unit_name or task.unit_id or task.department, isolate=True)
    status = task_status_label(task.status)
    if task.reason:
        status = translate("dispatch", "{status}：{reason}").format(
            status=status, reason=display_text(task.reason, isolate=True))
    line = f"{task_time(task.created_at, now)} {who} · {status}"
    if task.deadline is not None:
        line += translate("dispatch", " · 时限 {time}").format(time=task_time(task.deadline, now))
        lag = overdue_by(task, now)
        if lag is not None and lag >= timedelta(days=2):
            line += translate("dispatch", " · 超时 {days} 天").format(days=lag.days)
        elif lag is not None:
            line += translate("dispatch", " · 超时 {minutes} 分钟").format(minutes=minutes_late(lag))
    if task.instructions:
        line += f" · {display_text(task.instructions, isolate=True)}"
    return line
