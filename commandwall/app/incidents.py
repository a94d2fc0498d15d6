"""The incident centre's rules (事件中心), without Qt: what a new incident's notice says and whether it is
urgent, what a transition or a dispatch answers at once, what an outbox result tells the duty officer, and
which units the dispatch dialog offers.

Actions never block: they go through the session's outbox, and the platform's answer comes back later as an
:class:`OutboxNotice`.
"""

from __future__ import annotations

from dataclasses import dataclass

from commandwall.app.session import ClientSession
from commandwall.backend.errors import PermissionDeniedError
from commandwall.backend.outbox import OutboxItem, OutboxState
from commandwall.domain.models import Incident, Task, Unit
from commandwall.textsafe import display_text

#: Priority levels (级别) as the duty officer reads them.
PRIORITY_LABELS = {1: "特急", 2: "紧急", 3: "一般", 4: "提示"}
#: Incidents at this priority or more pressing (lower number) flash the task bar when they arrive.
URGENT_PRIORITY = 2
TRANSITION_SENT = "已提交，等待平台确认…"
DISPATCH_SENT = "派遣任务已提交，等待平台确认…"


@dataclass(frozen=True)
class Notice:
    """A line for the status bar; ``urgent`` also asks for the user's attention (the task bar flashes)."""

    text: str
    urgent: bool = False


@dataclass(frozen=True)
class OutboxNotice:
    """Where a queued action stands: a line for everyone, and for the incident it concerns."""

    text: str  # empty: nothing worth saying
    incident_id: str | None
    settled: bool  # the platform has answered (sent, refused or conflict); False while it waits
    pending: int  # actions still waiting in the outbox


def describe_outbox_item(item: OutboxItem) -> str:
    """A line for the duty officer about where a queued action stands (the platform's error, if quoted, is
    passed through ``display_text``)."""
    kind = "派遣任务" if item.kind == "task" else "状态变更"
    error = display_text(item.last_error or "")
    return {
        OutboxState.PENDING: f"{kind}待发送（网络恢复后自动重发，不会丢失）" + (f"：{error}" if error else ""),
        OutboxState.SENT: f"{kind}已送达平台",
        OutboxState.FAILED: f"{kind}被平台拒绝：{error}",
        OutboxState.CONFLICT: f"{kind}未执行：事件已被他人更新，请查看最新状态后重试",
    }.get(item.state, "")


class IncidentsController:
    """The incident workflow as one desk sees it, on top of the session's stores and outbox."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session

    @property
    def can_act(self) -> bool:
        """Whether this desk's user may change incidents and dispatch tasks."""
        return self.session.user.can_act

    def incidents(self) -> list[Incident]:
        """Every incident, newest first."""
        return self.session.incidents.all()

    def incident(self, incident_id: str) -> Incident | None:
        """The current copy of one incident."""
        return self.session.incidents.get(incident_id)

    def open_count(self) -> int:
        """Incidents still being handled (未办结)."""
        return len(self.session.incidents.open())

    def tasks_for(self, incident_id: str) -> list[Task]:
        """Tasks dispatched for an incident, oldest first."""
        return self.session.tasks.for_incident(incident_id)

    @staticmethod
    def arrival_notice(incident: Incident) -> Notice:
        """What the status bar says when a new incident arrives while the desk watches (platform text is
        isolated: a title cannot turn the line around); urgent ones (特急, 紧急) ask for attention."""
        level = PRIORITY_LABELS.get(incident.priority, "")
        category, town, title = (display_text(text, isolate=True)
                                 for text in (incident.category_label, incident.town, incident.title))
        return Notice(f"新事件［{level}·{category}］{town} {title}", urgent=incident.priority <= URGENT_PRIORITY)

    def transition(self, incident_id: str, action: str, version: int) -> str:
        """Queue a workflow step quoting the version the user saw; returns the feedback to show at once (a
        viewer, or a desk where no one is logged in, is told it may not)."""
        try:
            self.session.transition(incident_id, action, version)
        except PermissionDeniedError as exc:
            return exc.message
        return TRANSITION_SENT

    def dispatch_choices(self, incident_id: str) -> tuple[Incident, list[tuple[Unit, float]]] | None:
        """The incident and the units to offer for it, nearest first with metres (None: unknown incident)."""
        incident = self.session.incidents.get(incident_id)
        if incident is None:
            return None
        return incident, self.session.units_by_distance(incident.lon, incident.lat)

    def dispatch(self, payload: dict) -> str:
        """Queue a task (sent exactly once, whenever the platform is reachable); returns the feedback."""
        try:
            self.session.dispatch_task(payload)
        except PermissionDeniedError as exc:
            return exc.message
        return DISPATCH_SENT

    def pending_actions(self) -> int:
        """Actions still waiting in the outbox (0 before the session is connected)."""
        outbox = self.session.outbox
        return outbox.pending_count() if outbox is not None else 0

    def outbox_notice(self, item: OutboxItem) -> OutboxNotice:
        """What an outbox change means for the duty officer."""
        incident_id = item.payload.get("incident_id")
        return OutboxNotice(
            text=describe_outbox_item(item),
            incident_id=incident_id if isinstance(incident_id, str) else None,
            settled=item.state is not OutboxState.PENDING,
            pending=self.pending_actions(),
        )
