"""督办 supervision: by when a task must be done, which tasks and incidents are overdue, and what escalating
an overdue incident says.

A task's deadline follows its priority (:data:`DEADLINE_MINUTES`) unless the dispatcher sets one. A task is
overdue while it is still active (not done, not rejected) after its deadline; an incident is overdue while it
is open and one of its tasks is overdue. Escalation is the workflow's ``escalate`` (上报上级) transition, so the
role table decides who may do it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from commandwall.domain.models import ACTIVE_TASK_STATUSES, OPEN_STATUSES, Incident, Task
from commandwall.i18n import QT_TRANSLATE_NOOP, translate

#: Minutes to finish a task, by priority: 特急 (1), 紧急 (2), 一般 (3), 提示 (4).
DEADLINE_MINUTES: dict[int, int] = {1: 15, 2: 30, 3: 120, 4: 480}
#: The action an overdue incident is escalated with.
ESCALATE = "escalate"

_TASK_LATE = QT_TRANSLATE_NOOP("supervision", "{task} 超时 {minutes} 分钟")
_SEPARATOR = QT_TRANSLATE_NOOP("supervision", "；")
_SOME_LATE = QT_TRANSLATE_NOOP("supervision", "任务超时")
_NOTE = QT_TRANSLATE_NOOP("supervision", "督办：{tasks}，上报上级")


def default_deadline(priority: int, start: datetime) -> datetime:
    """When a task of ``priority`` dispatched at ``start`` must be done (unknown priorities count as 一般)."""
    return start + timedelta(minutes=DEADLINE_MINUTES.get(priority, DEADLINE_MINUTES[3]))


def overdue_by(task: Task, now: datetime) -> timedelta | None:
    """How long an active task is past its deadline at ``now``; None if it has none, is finished or in time."""
    if task.deadline is None or task.status not in ACTIVE_TASK_STATUSES or now <= task.deadline:
        return None
    return now - task.deadline


def overdue_tasks(tasks: Iterable[Task], now: datetime) -> list[Task]:
    """The tasks among ``tasks`` overdue at ``now``, most overdue first."""
    late = [(lag, t) for t in tasks if (lag := overdue_by(t, now)) is not None]
    return [t for _, t in sorted(late, key=lambda pair: pair[0], reverse=True)]


def overdue_incident_ids(incidents: Iterable[Incident], tasks: Iterable[Task], now: datetime) -> set[str]:
    """Ids of the open incidents with at least one overdue task at ``now``."""
    late = {t.incident_id for t in overdue_tasks(tasks, now)}
    return {i.id for i in incidents if i.id in late and i.status in OPEN_STATUSES}


def minutes_late(lag: timedelta) -> int:
    """Whole minutes of lateness, at least 1 (a task 10 s late is 1 minute late)."""
    return max(1, math.ceil(lag.total_seconds() / 60))


def escalation_note(tasks: Iterable[Task], now: datetime, *, translator: Callable[[str, str], str] = translate) -> str:
    """The note an overdue incident is escalated with: which tasks are how late. The note sent to the platform
    (its timeline, read by every desk) is in the platform's language: pass ``translator=workflow.PLATFORM_TEXT``; the
    default translates it for this desk (the button's tooltip)."""
    late = translator("supervision", _TASK_LATE)
    lags = ((t, overdue_by(t, now)) for t in tasks)
    parts = [late.format(task=t.id, minutes=minutes_late(lag)) for t, lag in lags if lag is not None]
    joined = translator("supervision", _SEPARATOR).join(parts) if parts else translator("supervision", _SOME_LATE)
    return translator("supervision", _NOTE).format(tasks=joined)
