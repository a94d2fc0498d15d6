"""The incident centre's rules (事件中心), without Qt: what a new incident's notice says and whether it is
urgent, which workflow buttons the user's role may press (and why not), what a transition, a note or a
dispatch answers at once, what an outbox result tells the duty officer, how a timeline entry reads, and
which units the dispatch dialog offers (nearest by road, ``app.dispatch``) and which tasks and incidents are
overdue (督办) and may be escalated in one action.

Actions never block: they go through the session's outbox, and the platform's answer comes back later as an
:class:`OutboxNotice`.
"""

from __future__ import annotations

import contextlib
import heapq
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from commandwall import localtime
from commandwall.app.areas import Placement
from commandwall.app.attachments import AttachmentCentre, describe_size
from commandwall.app.datafolder import NotStored, data_folder_problem, not_stored
from commandwall.app.dispatch import (
    NEARBY_OFFERED,
    DispatchOffer,
    DispatchOrder,
    UnitChoice,
    UnitRanking,
    describe_task,
    task_time,
)
from commandwall.app.incident_filter import NO_FILTER, IncidentFilter
from commandwall.app.refusals import item_refusal, refusal_detail
from commandwall.app.session import ClientSession
from commandwall.backend.errors import BackendError, PermissionDeniedError
from commandwall.backend.outbox import ATTACHMENT_LOST, UNREADABLE_ROW, OutboxItem, OutboxState, OutboxWriteError
from commandwall.domain.models import (
    ACTIVE_TASK_STATUSES,
    OPEN_STATUSES,
    Incident,
    IncidentStatus,
    Task,
    TaskStatus,
    TimelineEntry,
    TimelineKind,
    UnitStatus,
    status_label,
    task_status_label,
    unit_status_label,
)
from commandwall.domain.supervision import ESCALATE, escalation_note, overdue_incident_ids, overdue_tasks
from commandwall.domain.workflow import (
    ACTION_LABELS,
    ATTACH,
    NEEDS_TARGET,
    NOTE,
    PLATFORM_TEXT,
    REASON_REQUIRED,
    TASK,
    TASKABLE,
    TRANSITIONS,
    action_label,
    allowed_actions,
    refusal,
)
from commandwall.geo.routing import straight_metres
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.localtime import to_display
from commandwall.mapdoc.strings import CONTEXT as PAGE_CONTEXT
from commandwall.mapdoc.strings import PAGE_STRINGS
from commandwall.textsafe import display_text

log = logging.getLogger(__name__)

#: Incidents a card's nearest-incident offer measures geodesically, picked first by a flat distance (which
#: ranks the district's points as the geodesic does but for near ties, so a few more than offered).
NEARBY_CANDIDATES = 10

#: 督办 is worked out at most once per this many seconds (the status bar, the list and the detail all ask).
SUPERVISION_TICK_S = 1.0
#: Tasks dispatched this close to a refused one went out with it (one dispatch, several units; each is its own
#: request): done, they mean the incident was seen to, not that it waits for a new dispatch.
REFUSAL_BATCH = timedelta(seconds=60)
#: A timeline line names when the user acted besides when the platform recorded it once they lie this far apart
#: (the action waited in its desk's outbox: an outage; closer, it is the clocks and the network).
ACTED_EARLIER = timedelta(seconds=60)
#: A desk that starts offline holds the tasks of its last known state; saved longer ago than this (a shift), they
#: are no measure of what is news: the refusals the first load brings are then marked, not told.
LAST_KNOWN_HELD_AT_MOST = timedelta(hours=12)

#: An incident's task list shows at most this many of its tasks, the newest; one line before them says how many
#: earlier ones it leaves out (a platform may hold thousands for one incident, and the list follows the clock).
TASK_LINES_SHOWN = 200

#: The detail's timeline shows at most this many entries, the newest, after one line saying how many earlier ones
#: it leaves out (a platform's timeline may hold thousands of long notes: laying them all out took seconds).
TIMELINE_LINES_SHOWN = 500
#: How much earlier than its outbox row was queued (by the platform's clock as the desk reads it) a task on the
#: platform may be dated and still be that row's, come back before the row is marked sent: the two clocks are
#: read a moment apart. An older task with the same unit and instructions is an earlier dispatch, not this one.
QUEUED_TASK_MARGIN = timedelta(seconds=5)

#: Priority levels (级别) as the duty officer reads them (translated where shown: :func:`priority_label`).
PRIORITY_LABELS = {
    1: QT_TRANSLATE_NOOP("incidents", "特急"),
    2: QT_TRANSLATE_NOOP("incidents", "紧急"),
    3: QT_TRANSLATE_NOOP("incidents", "一般"),
    4: QT_TRANSLATE_NOOP("incidents", "提示"),
}
#: Incidents at this priority or more pressing (lower number) flash the task bar when they arrive.
URGENT_PRIORITY = 2
#: Feedback once an action is queued (the source text; what is returned is ``translate("incidents", …)`` of it).
TRANSITION_SENT = QT_TRANSLATE_NOOP("incidents", "已提交，等待平台确认…")
DISPATCH_SENT = QT_TRANSLATE_NOOP("incidents", "派遣任务已提交，等待平台确认…")
NOTE_SENT = QT_TRANSLATE_NOOP("incidents", "备注已提交，等待平台确认…")
ESCALATE_LABEL = QT_TRANSLATE_NOOP("incidents", "超时上报")
#: Task statuses a unit reports (a timeline ``task`` entry with one of these as its action).
_TASK_STATUSES = frozenset(s.value for s in TaskStatus)
REASON_MISSING = QT_TRANSLATE_NOOP("incidents", "请先在备注栏填写退回原因")
NOTE_EMPTY = QT_TRANSLATE_NOOP("incidents", "备注不能为空")
#: Early warnings (预警, from CAP) are shown, not handled here: the platform does not know them.
WARNING_CATEGORY = "yujing"
WARNING_REFUSAL = QT_TRANSLATE_NOOP("incidents", "预警信息由预警发布单位维护，请按预警内容派发或上报事件")
#: Why a map card's 派往所选事件 / 调派至所选事件 is off while no incident is selected.
NO_INCIDENT_SELECTED = QT_TRANSLATE_NOOP("incidents", "未选择事件：先在事件列表或地图上选中一个事件")
# Resource statuses (``payload.RESOURCE_STATUSES``) that take no dispatch: 维护中, 不可用.
RESOURCE_REFUSED = frozenset({"maintenance", "unavailable"})
#: What each kind of queued action is called in feedback.
OUTBOX_KIND_LABELS = {
    "task": QT_TRANSLATE_NOOP("incidents", "派遣任务"),
    "transition": QT_TRANSLATE_NOOP("incidents", "状态变更"),
    "note": QT_TRANSLATE_NOOP("incidents", "备注"),
    "attachment": QT_TRANSLATE_NOOP("incidents", "附件"),
}


def priority_label(priority: int) -> str:
    """The priority level's name in the chosen language (an unknown level as its number)."""
    label = PRIORITY_LABELS.get(priority)
    return str(priority) if label is None else translate("incidents", label)


@dataclass(frozen=True)
class ActionChoice:
    """One workflow button: its action, label, whether the user may press it, and the tooltip saying why not
    (plain text)."""

    action: str
    label: str
    enabled: bool
    tooltip: str


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
    note_back: str = ""  # the officer's note or reason of a step that did not happen: for his note field again
    detail: str = ""  # the platform's own words on a refusal (a tooltip, the message log), never the line itself


@dataclass(frozen=True)
class PendingSteps:
    """What of an incident's own actions still waits in the outbox (not yet on the platform): a line for each
    workflow step, note and attachment, and while a step is among them why the incident's other steps wait
    (``hold``, "" when they need not)."""

    lines: tuple[str, ...] = ()
    hold: str = ""
    #: its actions the platform refused or another desk overtook, not set aside (listed in 未送达的操作 too)
    undelivered: tuple[str, ...] = ()


@dataclass(frozen=True)
class UndeliveredAction:
    """An action of this desk the platform did not take (refused, or overtaken by another desk), as 未送达的操作
    lists it: all plain text, the platform's made safe to show."""

    row_id: int
    incident_id: str
    incident: str  # the incident's id and title as the list shows them
    what: str  # 派遣任务（unit）, 「受理」, 备注, 附件
    when: str  # when the officer did it
    why: str  # the refusal in the officer's language
    detail: str  # the platform's own words (a tooltip)
    content: str  # what the officer wrote: a dispatch's instructions, a note, a step's reason, a file's name
    can_retry: bool  # 重试 may help (Outbox.retry puts it back in the queue as it was)
    retry_hint: str  # why 重试 is off, or what it does
    redispatch: bool  # a refused dispatch the incident still takes: made again in a new dispatch dialog


class ActionRights:
    """Which workflow buttons a user's roles may press, from the domain's role table; ``roles`` None: no one
    is logged in (everything disabled, 未登录)."""

    def __init__(self, roles: Sequence[str] | None) -> None:
        self.roles = None if roles is None else tuple(roles)

    def refusal(self, action: str) -> str | None:
        """Why the user may not take ``action`` (names the role and the action), or None if he may."""
        return translate("incidents", "未登录") if self.roles is None else refusal(self.roles, action)

    def refusal_for(self, incident: Incident | None, action: str) -> str | None:
        """:meth:`refusal`, and for an early warning kept by this desk alone (预警, not on the platform) the
        reason no platform action applies to it: the one place that rule lives."""
        if incident is not None and is_local_warning(incident):
            return translate("incidents", WARNING_REFUSAL)
        return self.refusal(action)

    def choices(self, incident: Incident) -> list[ActionChoice]:
        """The workflow buttons for ``incident``'s status (dispatch has its own button), each enabled only if
        the role may take it; a disabled one's tooltip names the role and the action."""
        found = []
        for action in allowed_actions(incident.status):
            if action == TASK:
                continue
            reason = self.refusal_for(incident, action)
            hint = {"return": translate("incidents", "退回原因写在备注栏"),
                    "merge": translate("incidents", "选择保留的事件")}.get(action, "")
            found.append(ActionChoice(action, action_label(action), reason is None, reason or hint))
        return found

    def dispatch_choice(self, incident: Incident) -> ActionChoice:
        """The 派遣任务 button: enabled if the incident's status takes tasks (``TASKABLE``: not returned,
        escalated or finished) and the role may dispatch."""
        reason = self.refusal_for(incident, TASK)
        if reason is None and incident.status not in TASKABLE:
            reason = translate("incidents", "事件{status}，不能派遣").format(status=status_label(incident.status))
        return ActionChoice(TASK, translate("incidents", "派遣任务…"), reason is None, reason or "")

    def attach_choice(self, incident: Incident | None = None) -> ActionChoice:
        """The 附件… button (and dropping a file on the detail): the role's 添加附件 right; a local warning takes
        no platform attachment."""
        reason = self.refusal_for(incident, ATTACH)
        return ActionChoice(ATTACH, translate("incidents", "附件…"), reason is None, reason or "")

    def note_choice(self, incident: Incident | None = None) -> ActionChoice:
        """The 添加备注 field and button (for ``incident``: a local warning takes no platform note, a merged one
        sends the officer to the incident it was merged into)."""
        reason = self.refusal_for(incident, NOTE) or (merged_refusal(incident) if incident is not None else None)
        return ActionChoice(NOTE, action_label(NOTE), reason is None, reason or "")


def merged_refusal(incident: Incident) -> str | None:
    """Why no note goes on a merged incident (its timeline is the duplicate's; the work goes on in the incident it
    was merged into, which the reason names), or None."""
    if incident.status is not IncidentStatus.MERGED:
        return None
    return translate("incidents", "该事件已合并到 {survivor}，请在该事件上备注").format(
        survivor=display_text(incident.merged_into or "?", isolate=True))


def is_local_warning(incident: Incident) -> bool:
    """An early warning this desk made from a CAP feed (category 预警): the platform does not know it."""
    return incident.category == WARNING_CATEGORY


#: Where an incident's town or grid cell came from, as the detail's tooltip says it.
FROM_POINT = QT_TRANSLATE_NOOP("incidents", "按位置计算")
FROM_PLATFORM = QT_TRANSLATE_NOOP("incidents", "平台上报")


def describe_place(incident: Incident, placement: Placement | None) -> tuple[str, str]:
    """The detail's 位置 line and its tooltip (plain text, platform text made safe): town, grid cell and point.
    The tooltip, in the window's own words only, says whether each was computed from the point (按位置计算) or
    is the platform's (平台上报: the point lies outside every town or cell, or no areas are known). The line
    notes a platform value that the point contradicts, and marks a town that is only the platform's."""
    town, grid = (display_text(text, isolate=True) for text in (incident.town, incident.grid))
    text = f"{' '.join(part for part in (town, grid) if part)}  {incident.lon:.5f}, {incident.lat:.5f}".strip()
    computed, reported = translate("incidents", FROM_POINT), translate("incidents", FROM_PLATFORM)
    if placement is None:
        return text, translate("incidents", "镇街、网格：{source}").format(source=reported)
    notes = []
    if placement.town_differs:
        notes.append(translate("incidents", "平台上报镇街：{town}").format(
            town=display_text(placement.reported_town, isolate=True)))
    if placement.grid_differs:
        notes.append(translate("incidents", "平台上报网格：{grid}").format(
            grid=display_text(placement.reported_grid, isolate=True)))
    if not placement.town_from_point and incident.town:
        notes.append(translate("incidents", "镇街为平台上报"))
    if notes:
        text += translate("incidents", "（{notes}）").format(notes=translate("incidents", "；").join(notes))
    town_source = computed if placement.town_from_point else reported
    grid_source = computed if placement.grid_from_point else reported
    lines = [translate("incidents", "镇街：{source}").format(source=town_source),
             translate("incidents", "网格：{source}").format(source=grid_source)]
    if placement.town_differs or placement.grid_differs:
        lines.append(translate("incidents", "平台上报的位置与坐标不符，以坐标为准"))
    elif not (placement.town_from_point and placement.grid_from_point):
        lines.append(translate("incidents", "坐标不在任何镇街或网格内，沿用平台上报"))
    return text, "\n".join(lines)


def describe_outbox_item(item: OutboxItem, *, live: bool = False) -> str:
    """A line for the duty officer about where a queued action stands (the platform's error, if quoted, is
    passed through ``display_text``). ``live``: the platform is heard now, so an action not yet sent and never
    failed is on its way (发送中…); otherwise, or once a try has failed, it waits for the network."""
    label = OUTBOX_KIND_LABELS.get(item.kind)
    kind = item.kind if label is None else translate("incidents", label)
    if item.kind == "transition" and isinstance(item.payload.get("action"), str):
        kind = translate("incidents", "「{action}」").format(action=action_label(item.payload["action"]))
    error = display_text(item.last_error or "")
    if item.state is OutboxState.CONFLICT:
        return _conflict_text(item, kind)
    if item.state is OutboxState.PENDING:
        if error:
            return translate("incidents", "{kind}待发送（网络恢复后自动重发，不会丢失）：{error}").format(
                kind=kind, error=error)
        if live:
            return translate("incidents", "{kind}发送中…").format(kind=kind)
        return translate("incidents", "{kind}待发送（网络恢复后自动重发，不会丢失）").format(kind=kind)
    if item.state is OutboxState.FAILED:  # by the refusal's code: the platform's own words are only a detail
        return translate("incidents", "{kind}被平台拒绝：{error}").format(kind=kind, error=item_refusal(item))
    if item.state is OutboxState.SENT:
        return translate("incidents", "{kind}已送达平台").format(kind=kind)
    return ""


def _conflict_text(item: OutboxItem, kind: str) -> str:
    """A step another desk overtook: what it was, what the incident is now (the platform's copy in the row), and
    the officer's own note, so that nothing he wrote is lost with the step."""
    text = translate("incidents", "{kind}未执行：事件已被他人更新，请查看最新状态后重试").format(kind=kind)
    try:
        current = item.result_model()
    except ValueError:
        current = None
    if isinstance(current, Incident):
        text += translate("incidents", "（现为{status}，v{version}）").format(status=current.status_label,
                                                                      version=current.version)
    note = item.payload.get("note")
    if isinstance(note, str) and note.strip():
        text += translate("incidents", "。你的说明：{note}").format(note=display_text(note, 200, isolate=True))
    return text


class IncidentsController:
    """The incident workflow as one desk sees it, on top of the session's stores and outbox."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session
        #: Attaching files and fetching attached ones (附件).
        self.attachments = AttachmentCentre(session)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="commandwall-timeline")
        self._ranking = UnitRanking()
        self._timeline_lock = threading.Lock()
        self._timeline_queued: set[tuple[str, Callable]] = set()  # (incident, answer) fetches waiting
        #: ranks units for the dispatch dialog: the road graph of a large roads layer takes seconds to build, and
        #: ranking tens of thousands of units takes seconds too, which the window must not wait for
        self._ranker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="commandwall-dispatch")
        self._overdue_cache: tuple[float, list[Task], set[str]] | None = None
        self._refused_cache: tuple[float, set[str]] | None = None
        self._refusals_told: set[str] = set()  # refused tasks the officer has been told of
        # The tasks as the desk last held them (id -> status) and the newest one's dispatch time: what a reload
        # of the whole task list (a login after an outage) is told against.
        self._tasks_held: dict[str, TaskStatus] = {}
        self._tasks_held_until: datetime | None = None
        #: What the list shows beyond its own filters (set from the overview dashboard; ``NO_FILTER``: all).
        self.incident_filter: IncidentFilter = NO_FILTER

    def set_filter(self, incident_filter: IncidentFilter) -> None:
        """Show only the incidents ``incident_filter`` passes (``NO_FILTER`` shows all again)."""
        self.incident_filter = incident_filter

    @property
    def can_act(self) -> bool:
        """Whether this desk's user may change incidents and dispatch tasks."""
        return self.session.user.can_act

    @property
    def rights(self) -> ActionRights:
        """What the logged-in user may do (nothing while no one is logged in)."""
        user = self.session.user
        return ActionRights(user.roles if user.signed_in else None)

    def merge_targets(self, incident_id: str) -> list[Incident]:
        """Incidents a duplicate may be merged into: the other open ones, newest first."""
        return [i for i in self.session.incidents.open() if i.id != incident_id]

    def incidents(self) -> list[Incident]:
        """Every incident, newest first."""
        return self.session.incidents.all()

    def incident(self, incident_id: str) -> Incident | None:
        """The current copy of one incident."""
        return self.session.incidents.get(incident_id)

    def open_count(self) -> int:
        """Incidents still being handled (未办结)."""
        return self.session.incidents.open_count()

    def placement(self, incident_id: str) -> Placement | None:
        """Where the incident's town and grid cell came from (``IncidentStore.placement``)."""
        return self.session.incidents.placement(incident_id)

    def tasks_for(self, incident_id: str) -> list[Task]:
        """Tasks dispatched for an incident, oldest first."""
        return self.session.tasks.for_incident(incident_id)

    @staticmethod
    def arrival_notice(incident: Incident) -> Notice:
        """What the status bar says when a new incident arrives while the desk watches (platform text is
        isolated: a title cannot turn the line around); urgent ones (特急, 紧急) ask for attention."""
        level = priority_label(incident.priority) if incident.priority in PRIORITY_LABELS else ""
        category, town, title = (display_text(text, isolate=True)
                                 for text in (incident.category_label, incident.town, incident.title))
        text = translate("incidents", "新事件［{level}·{category}］{town} {title}").format(
            level=level, category=category, town=town, title=title)
        return Notice(text, urgent=incident.priority <= URGENT_PRIORITY)

    def transition(self, incident_id: str, action: str, version: int, note: str = "", into: str | None = None) -> str:
        """Queue a workflow step quoting the version the user saw; returns the feedback to show at once (a role
        that may not, or a desk where no one is logged in, is told so; 退回 without a reason is not sent)."""
        if action in REASON_REQUIRED and not note.strip():
            return translate("incidents", REASON_MISSING)
        if action in NEEDS_TARGET and not into:
            return translate("incidents", "请选择保留的事件")
        hold = self.pending_steps(incident_id).hold
        if hold:  # it quotes the version that step moves on from: the platform would refuse it as overtaken
            return hold
        try:
            self.session.transition(incident_id, action, version, note.strip(), into)
        except PermissionDeniedError as exc:
            return exc.message
        except OutboxWriteError as exc:
            what = translate("incidents", "「{action}」").format(action=action_label(action))
            return self._not_stored(what, exc)
        return translate("incidents", TRANSITION_SENT)

    def add_note(self, incident_id: str, text: str) -> str:
        """Queue a note for the incident's timeline (sent exactly once); returns the feedback."""
        if not text.strip():
            return translate("incidents", NOTE_EMPTY)
        incident = self.session.incidents.get(incident_id)
        merged = merged_refusal(incident) if incident is not None else None
        if merged is not None:  # merged since the button was offered: a note there is read by no one
            return merged
        try:
            self.session.add_note(incident_id, text.strip())
        except PermissionDeniedError as exc:
            return exc.message
        except OutboxWriteError as exc:
            return self._not_stored(translate("incidents", OUTBOX_KIND_LABELS["note"]), exc)
        return translate("incidents", NOTE_SENT)

    def _not_stored(self, what: str, error: OutboxWriteError) -> NotStored:
        """An action the outbox could not store: logged (with the cause), and the feedback saying so."""
        log.error("%s not queued: %s", what, error)
        return not_stored(what, error)

    def data_folder_warning(self) -> str | None:
        """What to say at start when the data folder (where the outbox keeps the officer's actions) cannot be
        written or is nearly full; None when it is fine."""
        outbox = self.session.outbox
        folder = outbox.db_path.parent if outbox is not None else self.session.settings.data_dir
        return data_folder_problem(folder)

    def fetch_timeline(self, incident_id: str, done: Callable[[str, list[TimelineEntry] | None, str], None]) -> None:
        """Fetch the incident's timeline off the caller's thread; ``done(incident_id, entries, error)`` is
        called on a worker thread (entries None and an error to show when the platform cannot be asked). Asked
        again (by the same ``done``) while a fetch of it still waits, nothing more is queued: a burst of changes
        to an incident is one fetch, not one each."""

        incident = self.session.incidents.get(incident_id)
        if incident is not None and is_local_warning(incident):
            # nothing to ask the platform for
            done(incident_id, None, translate("incidents", "预警信息不在平台上，没有处置时间线"))
            return

        asked = (incident_id, done)
        with self._timeline_lock:
            if asked in self._timeline_queued:  # one is waiting already: it fetches what this one would
                return
            self._timeline_queued.add(asked)

        def fetch() -> None:
            with self._timeline_lock:
                self._timeline_queued.discard(asked)  # from now on a new ask is a new fetch
            try:
                entries, error = self.session.timeline(incident_id), ""
            except BackendError as exc:
                error = translate("incidents", "无法获取时间线：{error}").format(error=exc.message or exc)
                entries = None
            done(incident_id, entries, error)

        try:
            self._executor.submit(fetch)
        except RuntimeError:  # closed: the window is going away, and an event still asked for a timeline
            log.debug("timeline of %s not fetched: the incident centre is closed", incident_id)

    def timeline_lines(self, entries: Sequence[TimelineEntry]) -> list[str]:
        """The timeline as the detail shows it: the newest :data:`TIMELINE_LINES_SHOWN` entries as lines, after a
        line saying how many earlier ones are left out. Made off the window's thread (thousands of long notes
        are seconds of text work)."""
        lines = []
        if len(entries) > TIMELINE_LINES_SHOWN:
            lines.append(translate("incidents", "（较早的 {count} 条记录未显示）").format(
                count=len(entries) - TIMELINE_LINES_SHOWN))
            entries = entries[-TIMELINE_LINES_SHOWN:]
        lines.extend(self.describe_entry(e) for e in entries)
        return lines

    @staticmethod
    def describe_entry(entry: TimelineEntry) -> str:
        """One timeline line, plain text: time, what happened, who from which desk, and the text (platform
        text passes through ``display_text``)."""
        when = f"{to_display(entry.at):%m-%d %H:%M:%S}"
        acted = entry.requested_at
        if acted is not None and entry.at - acted >= ACTED_EARLIER:  # it waited out an outage at its desk
            when += translate("incidents", "（{time} 操作，离线排队后送达）").format(
                time=f"{to_display(acted):%m-%d %H:%M:%S}")
        ref = display_text(entry.ref, isolate=True)
        if entry.kind is TimelineKind.TRANSITION:
            what = action_label(entry.action) if entry.action in ACTION_LABELS else display_text(entry.action)
            if entry.from_status and entry.to_status:
                what += translate("incidents", "（{before}→{after}）").format(
                    before=status_label(entry.from_status), after=status_label(entry.to_status))
            if ref:
                what += translate("incidents", " 并入 {ref}").format(ref=ref)
        elif entry.kind is TimelineKind.TASK and entry.action in _TASK_STATUSES:
            what = translate("incidents", "任务 {ref} {status}").format(
                ref=ref, status=task_status_label(TaskStatus(entry.action)))
        elif entry.kind is TimelineKind.ATTACHMENT:  # the file name is outside text: isolated, bounded
            what = translate("incidents", "附件 {name}（{size}）").format(
                name=display_text(entry.text, 120, isolate=True), size=describe_size(entry.size))
        else:
            what = {TimelineKind.REPORTED: translate("incidents", "上报"),
                    TimelineKind.TASK: translate("incidents", "派遣任务 {ref}"),
                    TimelineKind.NOTE: translate("incidents", "备注"),
                    TimelineKind.MERGED: translate("incidents", "合并重复事件 {ref}")}[entry.kind].format(ref=ref)
        who = display_text(entry.actor, isolate=True)
        if entry.desk:
            who += f"@{display_text(entry.desk, isolate=True)}"
        if entry.text and entry.kind is not TimelineKind.ATTACHMENT:
            return translate("incidents", "{when} {what} · {who}：{text}").format(
                when=when, what=what, who=who, text=display_text(entry.text, isolate=True))
        return translate("incidents", "{when} {what} · {who}").format(when=when, what=what, who=who)

    def close(self) -> None:
        """Stop the timeline, dispatch and attachment workers (work in flight finishes on its own)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._ranker.shutdown(wait=False, cancel_futures=True)
        self.attachments.close()

    def dispatch_choices(self, incident_id: str) -> tuple[Incident, list[UnitChoice]] | None:
        """The incident and the units to offer for it: available first, each group nearest first by road (the
        straight line, marked, where the roads do not reach); None for an unknown incident. The first call builds
        the road graph from the roads layer (about 0.1 s for the district)."""
        incident = self.session.incidents.get(incident_id)
        if incident is None:
            return None
        choices = self._ranking.rank(incident, self.session.units.all(), self.session.layers)
        sent = self.units_sent_to(incident_id)
        return incident, [replace(c, sent_here=True) if c.unit.id in sent else c for c in choices]

    def units_sent_to(self, incident_id: str) -> set[str]:
        """The units with an active task for the incident: on the platform (sent from any desk, as this desk's
        task store knows) or queued here and not yet sent. Another task for one of them is a duplicate unless
        the officer means it."""
        sent = {task.unit_id for task in self.session.tasks.for_incident(incident_id)
                if task.unit_id and task.status in ACTIVE_TASK_STATUSES}
        outbox = self.session.outbox
        queued = [] if outbox is None else [item.payload.get("unit_id") for item in outbox.pending("task")
                                            if item.payload.get("incident_id") == incident_id]
        return sent | {unit_id for unit_id in queued if isinstance(unit_id, str)}

    def units_caveat(self) -> str:
        """What the dispatch dialog says above the units when they may not be current ("" when they are): the
        platform is not heard, so their places and states are the last known."""
        if self.session.hears_platform():
            return ""
        return translate("incidents", "与平台断开：处置力量的位置和状态为最后已知；派遣任务连上平台后发出")

    def dispatch_choices_later(self, incident_id: str,
                               then: Callable[[tuple[Incident, list[UnitChoice]] | None], None]) -> None:
        """:meth:`dispatch_choices` on the dispatch worker; ``then`` gets the answer there (a failure is logged and
        answered with None)."""
        def rank() -> None:
            try:
                found = self.dispatch_choices(incident_id)
            except Exception:  # a fault of ours: the dialog does not open, the desk goes on
                log.exception("ranking units for %s failed", incident_id)
                found = None
            then(found)

        with contextlib.suppress(RuntimeError):  # closed: the desk is going away
            self._ranker.submit(rank)

    def prepare_dispatch(self) -> None:
        """Build the road graph on the dispatch worker now (after the layers came), not at the first dispatch."""
        with contextlib.suppress(RuntimeError):  # closed
            self._ranker.submit(self._ranking.network, self.session.layers)

    def unit_dispatch_refusal(self, incident_id: str | None, unit_id: str) -> str | None:
        """Why the unit ``unit_id`` may not be sent to the incident ``incident_id`` from its map card (派往所选
        事件): no incident selected, the role or the incident's status forbids dispatch, or the unit is not
        available; None when it may."""
        incident = self.session.incidents.get(incident_id) if incident_id else None
        if incident is None:
            return translate("incidents", NO_INCIDENT_SELECTED)
        choice = self.rights.dispatch_choice(incident)
        if not choice.enabled:
            return choice.tooltip
        return self._unit_refusal(unit_id)

    def _unit_refusal(self, unit_id: str) -> str | None:
        """Why the unit ``unit_id`` cannot take a task whatever the incident: gone from the platform, or not
        available (None: it can)."""
        unit = self.session.units.get(unit_id)
        if unit is None:
            return translate("incidents", "该力量已不在平台上")
        if unit.status is not UnitStatus.AVAILABLE:
            return translate("incidents", "该力量{status}，不能派遣").format(status=unit_status_label(unit.status))
        return None

    def unit_offer(self, selected_id: str | None, unit_id: str) -> DispatchOffer:
        """What the unit's map card offers: 派往所选事件 for the selected incident (off, with the reason, as
        :meth:`unit_dispatch_refusal` says), or with none selected the open incidents nearest the unit; nothing
        when the role may not dispatch or the unit cannot take a task."""
        reason = self.rights.refusal(TASK) or self._unit_refusal(unit_id)
        unit = self.session.units.get(unit_id)
        if reason is not None or unit is None:
            return DispatchOffer(reason or self._unit_refusal(unit_id))
        return self._offer(selected_id, unit.lon, unit.lat, self.unit_dispatch_refusal(selected_id, unit_id))

    def resource_offer(self, selected_id: str | None, resource: Mapping[str, Any]) -> DispatchOffer:
        """What an emergency resource's map card offers (调派至所选事件): a dispatch to the selected incident
        naming the resource, or with none selected the open incidents nearest it; nothing when the role may
        not dispatch or the resource is under maintenance or out of service. ``resource`` is the map's
        (``payload.resource_payload``)."""
        reason = self.rights.refusal(TASK) or self._resource_refusal(resource)
        if reason is not None:
            return DispatchOffer(reason)
        return self._offer(selected_id, float(resource["lon"]), float(resource["lat"]),
                           self.resource_dispatch_refusal(selected_id, resource))

    def resource_dispatch_refusal(self, incident_id: str | None, resource: Mapping[str, Any]) -> str | None:
        """Why a dispatch naming ``resource`` may not go to the incident ``incident_id`` (None: it may)."""
        incident = self.session.incidents.get(incident_id) if incident_id else None
        if incident is None:
            return translate("incidents", NO_INCIDENT_SELECTED)
        choice = self.rights.dispatch_choice(incident)
        return (None if choice.enabled else choice.tooltip) or self._resource_refusal(resource)

    @staticmethod
    def _resource_refusal(resource: Mapping[str, Any]) -> str | None:
        status = str(resource.get("status") or "")
        if status not in RESOURCE_REFUSED:
            return None  # 可用, 使用中 and 状态未知: the officer sees the status on the card and decides
        label = translate(PAGE_CONTEXT, PAGE_STRINGS[f"resource_status_{status}"])
        return translate("incidents", "该资源{status}，不能调派").format(status=label)

    def _offer(self, selected_id: str | None, lon: float, lat: float, reason: str | None) -> DispatchOffer:
        """The selected incident with ``reason`` (its refusal), or with none selected the nearest open ones."""
        selected = self.session.incidents.get(selected_id) if selected_id else None
        if selected is not None:
            return DispatchOffer(reason, selected)
        return DispatchOffer(reason, None, tuple(self.nearby_incidents(lon, lat)))

    def nearby_incidents(self, lon: float, lat: float, limit: int = NEARBY_OFFERED) -> list[tuple[Incident, float]]:
        """The open incidents that take tasks nearest (lon, lat), with their straight-line metres, nearest
        first (early warnings this desk keeps alone are not the platform's, so not offered).

        Asked on the GUI thread each time a card opens: the :data:`NEARBY_CANDIDATES` nearest by a flat
        distance (degrees, the longitude scaled by cos(lat)) are picked without sorting the store, and only
        those get a geodesic distance (one per open incident took ~31 ms for 15 000)."""
        if limit <= 0:
            return []
        scale = math.cos(math.radians(lat))

        def flat(incident: Incident) -> float:
            return ((incident.lon - lon) * scale) ** 2 + (incident.lat - lat) ** 2

        offered = (i for i in self.session.incidents.values() if i.status in TASKABLE and not is_local_warning(i))
        candidates = heapq.nsmallest(max(limit, NEARBY_CANDIDATES), offered, key=flat)
        found = [(i, straight_metres((lon, lat), (i.lon, i.lat))) for i in candidates]
        found.sort(key=lambda pair: (pair[1], pair[0].id))
        return found[:limit]

    def dispatch(self, payload: dict) -> str:
        """Queue a task (sent exactly once, whenever the platform is reachable); returns the feedback."""
        try:
            self.session.dispatch_task(payload)
        except PermissionDeniedError as exc:
            return exc.message
        except OutboxWriteError as exc:
            return self._not_stored(translate("incidents", OUTBOX_KIND_LABELS["task"]), exc)
        return translate("incidents", DISPATCH_SENT)

    def dispatch_order(self, order: DispatchOrder) -> str:
        """Queue the tasks of a dispatch: one per unit (or one for the department); returns the feedback (what
        is missing, a refusal, or how many were queued). The tasks are stored together or none of them: a dispatch
        to three units is never two of them queued and one lost (:class:`NotStored` says none was)."""
        problem = order.problem()
        if problem is not None:
            return problem
        payloads = order.payloads(localtime.now())
        outbox = self.session.outbox
        try:
            with outbox.together() if outbox is not None else contextlib.nullcontext():
                for payload in payloads:
                    self.session.dispatch_task(payload)
        except PermissionDeniedError as exc:
            return exc.message
        except OutboxWriteError as exc:
            what = translate("incidents", OUTBOX_KIND_LABELS["task"]) if len(payloads) == 1 else translate(
                "incidents", "{count} 项派遣任务").format(count=len(payloads))
            return self._not_stored(what, exc)
        if len(payloads) == 1:
            return translate("incidents", DISPATCH_SENT)
        return translate("incidents", "{count} 项派遣任务已提交，等待平台确认…").format(count=len(payloads))

    # ---- 督办 ------------------------------------------------------------------------------------------
    def overdue_tasks(self, now: datetime | None = None) -> list[Task]:
        """Tasks still active after their deadline, most overdue first."""
        return self._overdue(now)[0]

    def overdue_incident_ids(self, now: datetime | None = None) -> set[str]:
        """Open incidents with an overdue task."""
        return self._overdue(now)[1]

    def overdue_counts(self, now: datetime | None = None) -> tuple[int, int]:
        """(overdue tasks, overdue incidents) for the status bar."""
        tasks, incidents = self._overdue(now)
        return len(tasks), len(incidents)

    def _overdue(self, now: datetime | None) -> tuple[list[Task], set[str]]:
        """The late tasks and their open incidents: worked out once per clock tick for the status bar, the
        list's highlight and the detail (each asks every second); only the late tasks' incidents are looked up."""
        key = time.monotonic() // SUPERVISION_TICK_S if now is None else None
        if key is not None and self._overdue_cache is not None and self._overdue_cache[0] == key:
            return self._overdue_cache[1], self._overdue_cache[2]
        at = now or localtime.now()
        late = overdue_tasks(self.session.tasks.all(), at)
        concerned = (self.session.incidents.get(i) for i in {t.incident_id for t in late})
        ids = overdue_incident_ids([i for i in concerned if i is not None], late, at)
        if key is not None:
            self._overdue_cache = (key, late, ids)
        return late, ids

    # ---- 任务被拒绝 --------------------------------------------------------------------------------------
    def refusal_notice(self, task: Task) -> str:
        """What the duty officer is told once when a unit refuses a task (the unit, the task, the incident and
        the reason); empty for any other change, and for a refusal already told."""
        self._hold(task)
        if task.status is not TaskStatus.REJECTED or task.id in self._refusals_told:
            return ""
        self._refusals_told.add(task.id)
        told = translate("incidents", "任务被拒绝：{who} 拒绝了任务 {task}（事件 {incident}）")
        return self._refusal_text(task, told)

    def _refusal_text(self, task: Task, template: str) -> str:
        unit = self.session.units.get(task.unit_id) if task.unit_id else None
        who = unit.name if unit is not None else (task.unit_id or task.department)
        text = template.format(
            who=display_text(who, isolate=True),
            task=display_text(task.id, isolate=True),
            incident=display_text(task.incident_id, isolate=True),
        )
        if task.reason:
            text += translate("incidents", "：{reason}").format(reason=display_text(task.reason, isolate=True))
        return text + translate("incidents", "，请重新派遣")

    def note_refusals_known(self) -> None:
        """Refusals already held (the list as loaded at start or after a reconnect) are not news: only those
        reported from now on are told."""
        tasks = self.session.tasks.all()
        self._refusals_told.update(t.id for t in tasks if t.status is TaskStatus.REJECTED)
        self._tasks_held.clear()
        for task in tasks:
            self._hold(task)

    def hold_last_known_tasks(self, saved_at: datetime) -> bool:
        """The desk starts offline with the last known state saved at ``saved_at`` (its tasks in the session's
        store): hold them as the tasks the desk knew, so that the first load from the platform tells what was
        refused since (:meth:`reload_refusal_notices`), as a reload after an outage does. Not done (False) for a
        state older than :data:`LAST_KNOWN_HELD_AT_MOST` or one that holds no task."""
        if localtime.now() - saved_at > LAST_KNOWN_HELD_AT_MOST or not len(self.session.tasks):
            return False
        self.note_refusals_known()
        return True

    def _hold(self, task: Task) -> None:
        self._tasks_held[task.id] = task.status
        if self._tasks_held_until is None or task.created_at > self._tasks_held_until:
            self._tasks_held_until = task.created_at

    def reload_refusals(self) -> list[Task]:
        """The refusals a reload of the whole task list (a login again, after an outage) brings that are news,
        oldest first, each returned once: a task the desk held as not refused and now refused, or one it never
        held, refused, and dispatched after the newest task it held (older ones are history, e.g. of another
        account: marked, not told). Every refusal held from now on counts as told."""
        held, until = dict(self._tasks_held), self._tasks_held_until
        news = []
        for task in self.session.tasks.all():
            if task.status is not TaskStatus.REJECTED or task.id in self._refusals_told:
                continue
            before = held.get(task.id)
            if before is not None or (until is not None and task.created_at >= until):
                news.append(task)
        self.note_refusals_known()
        news.sort(key=lambda t: (t.updated_at or t.created_at, t.id))
        return news

    def reload_refusal_notices(self) -> list[str]:
        """What the duty officer is told of the refusals a reload brought (:meth:`reload_refusals`), in the
        order to be said: each one, and last (to stay in the status bar) the oldest with how many in all."""
        news = self.reload_refusals()
        if not news:
            return []
        told = translate("incidents", "任务被拒绝：{who} 拒绝了任务 {task}（事件 {incident}）")
        lines = [self._refusal_text(task, told) for task in news[1:]]
        first = self._refusal_text(news[0], told)
        if len(news) > 1:
            first += translate("incidents", "（共 {count} 项被拒绝）").format(count=len(news))
        return [*lines, first]

    def refused_incident_ids(self, *, fresh: bool = False) -> set[str]:
        """Open incidents a unit refused a task of and nobody else is on (to be dispatched again): a refused
        task, and no other task still under way nor dispatched with it or since (:meth:`_open_refusals`). Worked
        out once per clock tick (``fresh``: now)."""
        key = time.monotonic() // SUPERVISION_TICK_S
        if not fresh and self._refused_cache is not None and self._refused_cache[0] == key:
            return self._refused_cache[1]
        ids = {task.incident_id for task in self._open_refusals()}
        self._refused_cache = (key, ids)
        return ids

    def _open_refusals(self, incident_id: str | None = None) -> list[Task]:
        """Refused tasks still wanting a new dispatch (of one incident, or of all), oldest first: of an open
        incident, with no other task of it under way, nor one done that was dispatched with the refused one
        (within :data:`REFUSAL_BATCH`) or after it."""
        tasks = self.session.tasks.for_incident(incident_id) if incident_id else self.session.tasks.values()
        refused = [t for t in tasks if t.status is TaskStatus.REJECTED]
        found = []
        for task in refused:
            incident = self.session.incidents.get(task.incident_id)
            if incident is None or incident.status not in OPEN_STATUSES:
                continue
            siblings = self.session.tasks.for_incident(task.incident_id) if incident_id is None else tasks
            try:
                since = task.created_at - REFUSAL_BATCH
            except OverflowError:  # dated in year 1 (broken data): every sibling is "since"
                since = datetime.min.replace(tzinfo=UTC)
            taken = (
                t.status in ACTIVE_TASK_STATUSES or (t.status is not TaskStatus.REJECTED and t.created_at >= since)
                for t in siblings
            )
            if not any(taken):
                found.append(task)
        return found

    def refusal_line(self, incident_id: str) -> str:
        """The detail's line for an incident whose dispatch was refused (empty when it is not): the latest
        refusal, and how many more."""
        refused = self._open_refusals(incident_id)
        if not refused:
            return ""
        text = self._refusal_text(refused[-1], translate("incidents", "任务被拒绝：{who} 拒绝了任务 {task}"))
        if len(refused) > 1:
            text += translate("incidents", "（共 {count} 项被拒绝）").format(count=len(refused))
        return text

    def escalate_choice(self, incident: Incident, now: datetime | None = None) -> ActionChoice | None:
        """The 超时上报 button for an overdue incident (None when it is not overdue): enabled if the role may
        escalate and the status allows it; the tooltip says which tasks are late, or why not."""
        now = now or localtime.now()
        late = overdue_tasks(self.session.tasks.for_incident(incident.id), now)
        if not late or incident.status not in OPEN_STATUSES:
            return None
        reason = self.rights.refusal_for(incident, ESCALATE)
        if reason is None and incident.status not in TRANSITIONS[ESCALATE][0]:
            reason = translate("incidents", "事件{status}，不能上报上级").format(status=status_label(incident.status))
        label = translate("incidents", ESCALATE_LABEL)
        return ActionChoice(ESCALATE, label, reason is None, reason or escalation_note(late, now))

    def escalate_overdue(self, incident_id: str) -> str:
        """Escalate an overdue incident (上报上级) in one action, the note naming the late tasks; returns the
        feedback."""
        incident = self.session.incidents.get(incident_id)
        if incident is None:
            return translate("incidents", "事件不存在")
        now = localtime.now()
        late = overdue_tasks(self.session.tasks.for_incident(incident_id), now)
        note = escalation_note(late, now, translator=PLATFORM_TEXT)  # the platform's timeline: its language
        return self.transition(incident_id, ESCALATE, incident.version, note)

    def describe_tasks(self, incident_id: str, now: datetime | None = None) -> list[tuple[str, bool]]:
        """The incident's tasks as (line, overdue), oldest first, units by name: the newest
        :data:`TASK_LINES_SHOWN`, after a line saying how many earlier ones are left out (overdue if any is)."""
        now = now or localtime.now()
        tasks = self.session.tasks.for_incident(incident_id)
        lines = []
        if len(tasks) > TASK_LINES_SHOWN:
            earlier = tasks[:-TASK_LINES_SHOWN]
            late = len(overdue_tasks(earlier, now))
            lines.append((translate("incidents", "较早的 {count} 项任务未列出（其中 {late} 项超时）").format(
                count=len(earlier), late=late), late > 0))
            tasks = tasks[-TASK_LINES_SHOWN:]
        for task in tasks:
            unit = self.session.units.get(task.unit_id) if task.unit_id else None
            late = bool(overdue_tasks([task], now))
            lines.append((describe_task(task, now, unit.name if unit else None), late))
        for item in self._unsent_tasks(incident_id, tasks):  # dispatched here, not yet on the platform
            unit_id = item.payload.get("unit_id")
            line = translate("incidents", "{time} {who} · 待发送（连上平台后自动发出）").format(
                time=task_time(item.created_at, now),
                who=self._dispatched_to(unit_id if isinstance(unit_id, str) else "", item.payload.get("department")))
            deadline = _moment(item.payload.get("deadline"))
            if deadline is not None:
                line += translate("dispatch", " · 时限 {time}").format(time=task_time(deadline, now))
            lines.append((_with_instructions(line, item.payload.get("instructions")), False))
        lines += [(line, False) for line in self._waiting_task_lines(incident_id, now)]
        return lines

    def _waiting_task_lines(self, incident_id: str, now: datetime) -> list[str]:
        """Dispatches of this incident another user queued on this desk, still waiting for him to log in (他人待发送,
        never sent under the present login): listed, so that the officer does not dispatch the same unit again
        unaware — read-only."""
        platform = self.session.platform
        here = platform.base_url if platform is not None else ""
        lines = []
        for outbox in self.session.waiting:
            if not outbox.on_platform(here, self.session.user.exercise):
                continue
            for action in outbox.actions:
                if action.kind != "task" or action.incident_id != incident_id:
                    continue
                when = task_time(action.created_at, now) if action.created_at is not None else "--"
                line = translate("incidents", "{time} {who} · {user} 的派遣待发送（需其本人登录后发出）").format(
                    time=when, who=self._dispatched_to(action.unit_id, action.department),
                    user=display_text(outbox.username, 64, isolate=True))
                lines.append(_with_instructions(line, action.instructions))
        return lines

    def _dispatched_to(self, unit_id: str, department: object) -> str:
        """Whom a queued dispatch goes to, as a task line says it: the unit by name, else its id or the
        department (made safe to show)."""
        unit = self.session.units.get(unit_id) if unit_id else None
        return display_text(unit.name if unit else str(unit_id or department or ""), isolate=True)

    def _unsent_tasks(self, incident_id: str, tasks: Sequence[Task]) -> list[OutboxItem]:
        """The incident's tasks still in the outbox, oldest first (at most :data:`TASK_LINES_SHOWN`), each its own
        row: a second dispatch of the same unit and instructions is listed as well. The platform's answer may
        reach the desk (its event stream) a moment before the row is marked sent: a row is left out while one of
        ``tasks`` (the platform's), made no earlier than the row was queued and no sent row's answer, has its unit
        and instructions — each such task stands for one row only; an earlier dispatch's task (its own sent row
        names it, or it was made before the row) for none."""
        outbox = self.session.outbox
        if outbox is None:
            return []
        unsent = [item for item in outbox.pending("task") if item.payload.get("incident_id") == incident_id]
        if not unsent:
            return []
        offset = timedelta(seconds=localtime.platform_offset_s())
        sent = outbox.sent_task_ids(incident_id)  # an earlier dispatch's task is its own row's, never this one's
        unclaimed = [task for task in tasks if task.id not in sent]
        listed = []
        for item in unsent:
            queued = item.created_at + offset - QUEUED_TASK_MARGIN
            unit_id, instructions = item.payload.get("unit_id"), str(item.payload.get("instructions", ""))
            answer = next((task for task in unclaimed if task.unit_id == unit_id and task.instructions == instructions
                           and task.created_at >= queued), None)
            if answer is not None:
                unclaimed.remove(answer)  # the platform has it: its own line says so
                continue
            listed.append(item)
        return listed[:TASK_LINES_SHOWN]

    def pending_steps(self, incident_id: str) -> PendingSteps:
        """The incident's workflow steps, notes and attachments still in the outbox, for its detail (queued
        tasks are listed with its tasks); read from memory, as often as the detail is shown. While a step waits,
        the incident's next one would quote the version that step moves on from: it waits too (``hold``)."""
        outbox = self.session.outbox
        if outbox is None:
            return PendingSteps()
        mine = [item for item in outbox.pending() if item.kind != "task"
                and item.payload.get("incident_id") == incident_id]
        undelivered = tuple(self._undelivered_line(item) for item in outbox.undelivered(incident_id))
        if not mine:
            return PendingSteps(undelivered=undelivered)
        live = self.session.answers_now()
        lines = []
        for item in mine:
            line = describe_outbox_item(item, live=live)
            text = item.payload.get("text") if item.kind == "note" else item.payload.get("name")
            if item.kind in ("note", "attachment") and isinstance(text, str) and text:
                line += f" · {display_text(text, 80, isolate=True)}"
            lines.append(line)
        steps = [item for item in mine if item.kind == "transition"]
        hold = ""
        if steps:
            action = steps[0].payload.get("action")
            label = action_label(action) if isinstance(action, str) and action in ACTION_LABELS else str(action)
            hold = translate("incidents", "「{action}」尚未送达平台：送达后才能进行下一步").format(action=label)
        return PendingSteps(tuple(lines), hold, undelivered)

    # ---- 未送达的操作 ------------------------------------------------------------------------------------
    def undelivered_count(self) -> int:
        """How many of this desk's actions the platform refused or another desk overtook, not set aside (from
        memory: asked whenever the outbox changes)."""
        outbox = self.session.outbox
        return outbox.undelivered_count() if outbox is not None else 0

    def undelivered_actions(self, now: datetime | None = None) -> list[UndeliveredAction]:
        """The actions :meth:`undelivered_count` counts, newest first, as 未送达的操作 lists them: kept in the
        outbox's database, so a restart does not lose them, until the officer tries one again or sets it
        aside."""
        outbox = self.session.outbox
        if outbox is None:
            return []
        now = now or localtime.now()
        return [self._undelivered(item, now) for item in reversed(outbox.undelivered())]

    def retry_undelivered(self, row_id: int) -> str:
        """重试: put a refused action back in the queue as it was (:meth:`Outbox.retry`); returns the feedback."""
        outbox = self.session.outbox
        item = outbox.get(row_id) if outbox is not None else None
        if outbox is None or item is None or not item.undelivered:
            return translate("incidents", "该操作已不在未送达列表中")
        allowed, hint = self._retry_choice(item)
        if not allowed:
            return hint
        try:
            if not outbox.retry(row_id):
                return translate("incidents", "该操作已不在未送达列表中")
        except OutboxWriteError as exc:  # the file held by another program, the disk full: not queued again
            return not_stored(self._what(item), exc)
        return translate("incidents", "{what}已重新排队，连上平台后发出").format(what=self._what(item))

    def dismiss_undelivered(self, row_id: int) -> bool:
        """忽略: the officer has seen the refusal and sets the action aside (kept in the outbox, listed no more)."""
        outbox = self.session.outbox
        try:
            return outbox.dismiss(row_id) if outbox is not None else False
        except OutboxWriteError as exc:  # kept in the list: it can be set aside once the file can be written
            log.warning("undelivered row %d not set aside: %s", row_id, exc)
            return False

    def _undelivered(self, item: OutboxItem, now: datetime) -> UndeliveredAction:
        incident_id = str(item.payload.get("incident_id") or "")
        incident = self.session.incidents.get(incident_id) if incident_id else None
        title = display_text(incident.title, 60, isolate=True) if incident is not None else ""
        allowed, hint = self._retry_choice(item)
        return UndeliveredAction(
            row_id=item.id, incident_id=incident_id,
            incident=f"{display_text(incident_id, isolate=True)} {title}".strip(),
            what=self._what(item), when=task_time(item.created_at, now), why=self._why(item),
            detail=refusal_detail(item), content=_content(item), can_retry=allowed, retry_hint=hint,
            redispatch=item.kind == "task" and incident is not None and self.rights.dispatch_choice(incident).enabled,
        )

    def _undelivered_line(self, item: OutboxItem) -> str:
        """A refused or overtaken action as the incident's detail lists it."""
        line = translate("incidents", "未送达：{what} · {why}").format(what=self._what(item), why=self._why(item))
        content = _content(item)
        if content:
            line += f" · {display_text(content, 80, isolate=True)}"
        return line

    def _what(self, item: OutboxItem) -> str:
        """The action in a few words: 派遣任务（the unit or department）, 「受理」, 备注, 附件."""
        if item.kind == "transition" and isinstance(item.payload.get("action"), str):
            return translate("incidents", "「{action}」").format(action=action_label(item.payload["action"]))
        label = OUTBOX_KIND_LABELS.get(item.kind)
        what = item.kind if label is None else translate("incidents", label)
        if item.kind == "task":
            unit_id = item.payload.get("unit_id")
            unit = self.session.units.get(unit_id) if isinstance(unit_id, str) else None
            who = unit.name if unit is not None else str(unit_id or item.payload.get("department") or "")
            if who:
                what += translate("incidents", "（{who}）").format(who=display_text(who, 40, isolate=True))
        return what

    def _why(self, item: OutboxItem) -> str:
        """The refusal in the officer's language, with the incident's status where it is the reason."""
        why = item_refusal(item)
        incident_id = item.payload.get("incident_id")
        incident = self.session.incidents.get(incident_id) if isinstance(incident_id, str) else None
        if incident is not None and (item.error_code == "invalid_transition" or item.state is OutboxState.CONFLICT):
            why += translate("incidents", "（事件现为{status}）").format(status=incident.status_label)
        return why

    @staticmethod
    def _retry_choice(item: OutboxItem) -> tuple[bool, str]:
        """Whether 重试 (the same action, sent again as it was) may help, and why not / what it does."""
        if item.state is OutboxState.CONFLICT:
            return False, translate("incidents", "事件已被他人更新：请在事件详情中按最新状态重新操作")
        if item.error_code == ATTACHMENT_LOST or item.kind == "attachment":
            return False, translate("incidents", "附件的本机副本已删除：请在事件详情中重新添加附件")
        if item.error_code == UNREADABLE_ROW:
            return False, translate("incidents", "记录已损坏，无法重试")
        if item.error_code == "deadline_in_past":
            return False, translate("incidents", "时限已过：请重新派遣并设定时限")
        return True, translate("incidents", "按原内容再次发送（例如权限或平台数据已更正后）")

    def late_tasks(self, incident_id: str, now: datetime | None = None) -> int:
        """How many of the incident's tasks are past their deadline (督办)."""
        return len(overdue_tasks(self.session.tasks.for_incident(incident_id), now or localtime.now()))

    def pending_actions(self) -> int:
        """Actions still waiting in the outbox (0 before the session is connected)."""
        outbox = self.session.outbox
        return outbox.pending_count() if outbox is not None else 0

    def outbox_notice(self, item: OutboxItem) -> OutboxNotice:
        """What an outbox change means for the duty officer."""
        incident_id = item.payload.get("incident_id")
        note = item.payload.get("note") if item.kind == "transition" else item.payload.get("text")
        undone = item.state in (OutboxState.CONFLICT, OutboxState.FAILED) and item.kind in ("transition", "note")
        return OutboxNotice(
            text=describe_outbox_item(item, live=self.session.answers_now()),
            incident_id=incident_id if isinstance(incident_id, str) else None,
            settled=item.state is not OutboxState.PENDING,
            pending=self.pending_actions(),
            note_back=note if undone and isinstance(note, str) else "",
            detail=refusal_detail(item) if item.state is OutboxState.FAILED else "",
        )


def _content(item: OutboxItem) -> str:
    """What the officer wrote into an action (raw, for copying): a dispatch's instructions, a note's text, a
    step's reason, an attachment's file name; "" for none."""
    key = {"task": "instructions", "note": "text", "transition": "note", "attachment": "name"}.get(item.kind, "")
    value = item.payload.get(key) if key else None
    return value if isinstance(value, str) else ""


def _with_instructions(line: str, instructions: object) -> str:
    """A task line with the dispatch's instructions after it, when it has any (made safe to show)."""
    if isinstance(instructions, str) and instructions:
        return f"{line} · {display_text(instructions, isolate=True)}"
    return line


def _moment(value: object) -> datetime | None:
    """An aware time from an ISO 8601 text (a queued task's deadline), or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
