"""Domain models shared by the client and the exercise backend.

They are pydantic models so that JSON from the platform is validated once, at the boundary: a malformed
record raises ``pydantic.ValidationError`` and the caller logs and drops it. Coordinates are always WGS84
longitude/latitude in degrees.

Strings from outside are bounded here, per kind of field:

- **ids** (``Identifier``: ``id``, ``incident_id``, ``unit_id``) are 1 to ``MAX_ID_CHARS`` characters without
  control characters or lone surrogates, else the record is *rejected*: a cut or repaired id would name
  another object, and ids end up in URL paths and SQLite.
- **names and labels** (``ShortText``: names, titles, towns, grids, departments, categories …) are
  *truncated* to ``MAX_NAME_CHARS`` (an ellipsis marks the cut) and lone surrogates become U+FFFD: a
  too-long name is still the object's name, and the record stays usable.
- **long text** (``LongText``: description, instructions) is truncated the same way at ``MAX_TEXT_CHARS``.
- **stream URLs** (``UrlText``) longer than ``MAX_URL_CHARS``, with control characters, or of a scheme that is
  no network stream (:data:`STREAM_SCHEMES`) are rejected: a cut URL plays nothing, and a platform's record
  must not have the desk open a local file or one of FFmpeg's local protocols (``file:``, ``pipe:``,
  ``concat:``, ``subfile:``, ``data:``).
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from commandwall.i18n import QT_TRANSLATE_NOOP, translate

#: Longest id accepted (characters).
MAX_ID_CHARS = 128
#: Names, titles and labels are cut to this many characters.
MAX_NAME_CHARS = 200
#: Descriptions and instructions are cut to this many characters.
MAX_TEXT_CHARS = 4000
#: Longest free text a desk may send (a task's instructions, a note, a return reason): what the platform
#: accepts, in characters.
MAX_FREE_TEXT_CHARS = 2000
#: Longest stream URL accepted (characters).
MAX_URL_CHARS = 2048

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _clean_id(value: str) -> str:
    if _CONTROL.search(value) or _SURROGATE.search(value):
        raise ValueError("id contains control characters or lone surrogates")
    return value


def _clip(limit: int) -> AfterValidator:
    def clip(value: str) -> str:
        value = _SURROGATE.sub("\ufffd", value)  # a lone surrogate cannot be encoded (SQLite, URLs, Qt)
        return value if len(value) <= limit else value[: limit - 1] + "…"

    return AfterValidator(clip)


#: Schemes a camera's stream URL may have: network streams. "" (no stream, e.g. a camera without a sub stream)
#: passes; a path or any other scheme is refused.
STREAM_SCHEMES = frozenset({"rtsp", "rtsps", "rtmp", "rtmps", "http", "https", "srt", "tcp", "udp"})


def _clean_url(value: str) -> str:
    if _CONTROL.search(value) or _SURROGATE.search(value):
        raise ValueError("URL contains control characters or lone surrogates")
    if value:
        scheme = urlsplit(value).scheme.lower()  # ValueError for a broken one (a bad IPv6 literal)
        if scheme not in STREAM_SCHEMES:
            raise ValueError(f"not a network stream URL (scheme {scheme or 'none'!r}; "
                             f"one of {', '.join(sorted(STREAM_SCHEMES))} is needed)")
    return value


#: An object id: rejected (not repaired) when empty, too long, or holding control characters.
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_CHARS), AfterValidator(_clean_id)]
#: A name, title or label: cut to ``MAX_NAME_CHARS``.
ShortText = Annotated[str, _clip(MAX_NAME_CHARS)]
#: A description or instructions: cut to ``MAX_TEXT_CHARS``.
LongText = Annotated[str, _clip(MAX_TEXT_CHARS)]
#: A stream URL: rejected when longer than ``MAX_URL_CHARS``, holding control characters, or no network URL.
UrlText = Annotated[str, StringConstraints(max_length=MAX_URL_CHARS), AfterValidator(_clean_url)]

#: Incident categories (source systems) with their Chinese names (translated where shown: :func:`category_label`).
CATEGORIES: dict[str, str] = {
    "zongzhi": QT_TRANSLATE_NOOP("domain", "综治"),
    "yingji": QT_TRANSLATE_NOOP("domain", "应急"),
    "zhifa": QT_TRANSLATE_NOOP("domain", "执法"),
    "jiaotong": QT_TRANSLATE_NOOP("domain", "交通"),
    "huanbao": QT_TRANSLATE_NOOP("domain", "环保"),
    "chengguan": QT_TRANSLATE_NOOP("domain", "城管"),
    "weijian": QT_TRANSLATE_NOOP("domain", "卫健"),
    "wenlv": QT_TRANSLATE_NOOP("domain", "文旅"),
    # early warnings (CAP), shown by the client, not reported to the platform
    "yujing": QT_TRANSLATE_NOOP("domain", "预警"),
}


#: The departments a task may go to, by the Chinese name the platform knows (translated where shown:
#: :func:`department_label`).
DEPARTMENTS = (QT_TRANSLATE_NOOP("DispatchDialog", "公安"), QT_TRANSLATE_NOOP("DispatchDialog", "消防"),
               QT_TRANSLATE_NOOP("DispatchDialog", "卫健"), QT_TRANSLATE_NOOP("DispatchDialog", "城管"),
               QT_TRANSLATE_NOOP("DispatchDialog", "应急"), QT_TRANSLATE_NOOP("DispatchDialog", "交警"),
               QT_TRANSLATE_NOOP("DispatchDialog", "环保"), QT_TRANSLATE_NOOP("DispatchDialog", "住建"),
               QT_TRANSLATE_NOOP("DispatchDialog", "水务"))


#: The department that handles each incident category by default (by its name in :data:`DEPARTMENTS`, what the
#: platform knows): the dispatch dialog offers its units first and names it as the responsible department.
CATEGORY_DEPARTMENTS: dict[str, str] = {
    "jiaotong": QT_TRANSLATE_NOOP("DispatchDialog", "交警"),
    "yingji": QT_TRANSLATE_NOOP("DispatchDialog", "应急"),
    "huanbao": QT_TRANSLATE_NOOP("DispatchDialog", "环保"),
    "chengguan": QT_TRANSLATE_NOOP("DispatchDialog", "城管"),
    "zongzhi": QT_TRANSLATE_NOOP("DispatchDialog", "公安"),
    "zhifa": QT_TRANSLATE_NOOP("DispatchDialog", "城管"),
    "weijian": QT_TRANSLATE_NOOP("DispatchDialog", "卫健"),
    "wenlv": QT_TRANSLATE_NOOP("DispatchDialog", "交警"),
}


def department_label(name: str) -> str:
    """A department's name in the chosen language when it is one of :data:`DEPARTMENTS`, else as the platform
    gave it."""
    return translate("DispatchDialog", name) if name in DEPARTMENTS else name


def category_label(code: str) -> str:
    """The category's name in the chosen language, or the raw code if unknown (platform data, untranslated)."""
    label = CATEGORIES.get(code)
    return code if label is None else translate("domain", label)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


#: The longest useful viewing distance a camera may state (a long-range thermal camera sees a few kilometres); a
#: longer one is taken as this.
MAX_CAMERA_RANGE_M = 10_000.0

#: A camera's view direction, any finite number of degrees turned into [0, 360): a platform's 1e20 drew a view cone
#: whose loop never ended in the map page (its angle step no longer changed the angle), and froze it.
Heading = Annotated[float, AfterValidator(lambda degrees: degrees % 360.0)]
#: A camera's field of view, clamped to [0, 360] degrees.
FieldOfView = Annotated[float, AfterValidator(lambda degrees: min(max(degrees, 0.0), 360.0))]
#: A camera's useful viewing distance, clamped to [0, MAX_CAMERA_RANGE_M] metres.
ViewRange = Annotated[float, AfterValidator(lambda metres: min(max(metres, 0.0), MAX_CAMERA_RANGE_M))]


class CameraStatus(StrEnum):
    """Whether the platform reports a camera as reachable."""

    ONLINE = "online"
    OFFLINE = "offline"
    UNKNOWN = "unknown"  # not live: a camera from the last known state while the platform is unreachable


class StreamUrls(_Model):
    """Play URLs of a camera: ``main`` (1080p-class) and ``sub`` (~640×360, for small tiles)."""

    main: UrlText
    sub: UrlText


class Camera(_Model):
    """A public-safety camera (雪亮工程 point) with its position, view direction and streams."""

    id: Identifier
    name: ShortText
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    town: ShortText = ""
    grid: ShortText = ""
    kind: ShortText = "fixed"  # fixed | dome | ptz
    heading: Heading = 0.0  # degrees clockwise from north, in [0, 360)
    fov: FieldOfView = 60.0  # horizontal field of view, degrees, in [0, 360]
    range_m: ViewRange = 150.0  # useful viewing distance, metres, in [0, MAX_CAMERA_RANGE_M]
    status: CameraStatus = CameraStatus.ONLINE
    streams: StreamUrls


class IncidentStatus(StrEnum):
    """Incident workflow states (see ``workflow.TRANSITIONS``); ``new`` is 上报 (reported)."""

    NEW = "new"  # 上报
    ACCEPTED = "accepted"  # 受理
    VERIFIED = "verified"  # 核实
    DISPATCHED = "dispatched"  # 派遣
    IN_PROGRESS = "in_progress"  # 处置
    RESOLVED = "resolved"  # 办结
    CLOSED = "closed"  # 结案
    RETURNED = "returned"  # 退回 (with a reason)
    ESCALATED = "escalated"  # 上报上级
    MERGED = "merged"  # 合并 into another incident (``merged_into``)


#: Statuses of incidents still being handled (未办结).
OPEN_STATUSES: frozenset[IncidentStatus] = frozenset(
    {
        IncidentStatus.NEW,
        IncidentStatus.ACCEPTED,
        IncidentStatus.VERIFIED,
        IncidentStatus.DISPATCHED,
        IncidentStatus.IN_PROGRESS,
        IncidentStatus.RETURNED,
        IncidentStatus.ESCALATED,
    }
)

STATUS_LABELS: dict[IncidentStatus, str] = {
    IncidentStatus.NEW: QT_TRANSLATE_NOOP("domain", "已上报"),
    IncidentStatus.ACCEPTED: QT_TRANSLATE_NOOP("domain", "已受理"),
    IncidentStatus.VERIFIED: QT_TRANSLATE_NOOP("domain", "已核实"),
    IncidentStatus.DISPATCHED: QT_TRANSLATE_NOOP("domain", "已派遣"),
    IncidentStatus.IN_PROGRESS: QT_TRANSLATE_NOOP("domain", "处置中"),
    IncidentStatus.RESOLVED: QT_TRANSLATE_NOOP("domain", "已办结"),
    IncidentStatus.CLOSED: QT_TRANSLATE_NOOP("domain", "已结案"),
    IncidentStatus.RETURNED: QT_TRANSLATE_NOOP("domain", "已退回"),
    IncidentStatus.ESCALATED: QT_TRANSLATE_NOOP("domain", "已上报上级"),
    IncidentStatus.MERGED: QT_TRANSLATE_NOOP("domain", "已合并"),
}


def status_label(status: IncidentStatus) -> str:
    """The incident status's name in the chosen language."""
    return translate("domain", STATUS_LABELS[status])


class Incident(_Model):
    """An incident (事件) reported by one of the district's systems.

    ``version`` increases with every change; a transition must quote the version it saw.
    """

    id: Identifier
    title: ShortText
    category: ShortText
    description: LongText = ""
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    town: ShortText = ""
    grid: ShortText = ""
    priority: int = Field(default=3, ge=1, le=4)  # 1 = most urgent
    status: IncidentStatus = IncidentStatus.NEW
    source: ShortText = ""
    reported_at: AwareDatetime
    updated_at: AwareDatetime
    version: int = Field(ge=1)
    merged_into: Identifier | None = None  # the surviving incident, once this one was merged as a duplicate

    @property
    def category_label(self) -> str:
        """Name of the category in the chosen language, or the raw code if unknown."""
        return category_label(self.category)

    @property
    def status_label(self) -> str:
        """Name of the status in the chosen language."""
        return status_label(self.status)


class TimelineKind(StrEnum):
    """What a timeline entry records."""

    REPORTED = "reported"  # the incident arrived
    TRANSITION = "transition"  # a workflow step (``action``, ``from_status`` → ``to_status``)
    TASK = "task"  # a task dispatched (``ref``: the task id)
    NOTE = "note"  # a note someone added
    MERGED = "merged"  # a duplicate was merged into this incident (``ref``: the duplicate's id)
    ATTACHMENT = "attachment"  # a file attached (``ref``: the attachment's id, ``text``: its file name, ``size``)


#: The largest file attached to an incident (bytes): 20 MiB, the platform's limit and the client's.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


class TimelineEntry(_Model):
    """One line of an incident's timeline (its audit trail): never edited or deleted.

    ``actor`` is the user name, ``desk`` the desk the action came from (its ``X-Desk-Id``), ``seq`` orders
    the entries of all incidents.
    """

    seq: int = Field(ge=1)
    incident_id: Identifier
    kind: TimelineKind
    action: ShortText = ""
    from_status: IncidentStatus | None = None
    to_status: IncidentStatus | None = None
    text: LongText = ""
    ref: ShortText = ""
    actor: ShortText = ""
    desk: ShortText = ""
    at: AwareDatetime
    size: int | None = Field(default=None, ge=0)  # bytes of an attached file (``attachment`` entries)
    #: when the user acted, as the desk said (``X-Requested-At``): earlier than ``at`` by the time the action
    #: waited in the desk's outbox (an outage); None when the desk did not say
    requested_at: AwareDatetime | None = None


class TaskStatus(StrEnum):
    """Where a dispatched task (派遣任务) stands: assigned → accepted → en route → on scene → done, or rejected
    by the unit (with a reason)."""

    ASSIGNED = "assigned"  # 已派发
    ACCEPTED = "accepted"  # 已接收
    EN_ROUTE = "en_route"  # 途中
    ON_SCENE = "on_scene"  # 已到场
    DONE = "done"  # 已完成
    REJECTED = "rejected"  # 已拒绝 (``reason``)


#: Tasks still to be carried out (the others are finished: done or rejected).
ACTIVE_TASK_STATUSES: frozenset[TaskStatus] = frozenset(
    {TaskStatus.ASSIGNED, TaskStatus.ACCEPTED, TaskStatus.EN_ROUTE, TaskStatus.ON_SCENE}
)

TASK_STATUS_LABELS: dict[TaskStatus, str] = {
    TaskStatus.ASSIGNED: QT_TRANSLATE_NOOP("domain", "已派发"),
    TaskStatus.ACCEPTED: QT_TRANSLATE_NOOP("domain", "已接收"),
    TaskStatus.EN_ROUTE: QT_TRANSLATE_NOOP("domain", "途中"),
    TaskStatus.ON_SCENE: QT_TRANSLATE_NOOP("domain", "已到场"),
    TaskStatus.DONE: QT_TRANSLATE_NOOP("domain", "已完成"),
    TaskStatus.REJECTED: QT_TRANSLATE_NOOP("domain", "已拒绝"),
}


def task_status_label(status: TaskStatus) -> str:
    """The task status's name in the chosen language."""
    return translate("domain", TASK_STATUS_LABELS[status])


class Task(_Model):
    """A task dispatched to a unit or department for an incident.

    ``deadline`` is when it must be done (督办: by default ``supervision.DEADLINE_MINUTES`` of its priority
    after ``created_at``); ``reason`` says why a unit rejected it; ``updated_at`` is its last status change.
    """

    id: Identifier
    incident_id: Identifier
    unit_id: Identifier | None = None
    department: ShortText = ""
    instructions: LongText = ""
    priority: int = Field(default=3, ge=1, le=4)
    status: TaskStatus = TaskStatus.ASSIGNED
    created_at: AwareDatetime
    created_by: ShortText = ""
    deadline: AwareDatetime | None = None
    reason: LongText = ""
    updated_at: AwareDatetime | None = None

    @property
    def status_label(self) -> str:
        """Name of the status in the chosen language."""
        return task_status_label(self.status)


class UnitStatus(StrEnum):
    """Availability of a field unit."""

    AVAILABLE = "available"
    BUSY = "busy"
    OFFLINE = "offline"


class Unit(_Model):
    """A department's field unit (patrol car, fire engine, ambulance, 城管 team …), with the task it is on."""

    id: Identifier
    name: ShortText
    department: ShortText
    kind: ShortText = "patrol"
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    status: UnitStatus = UnitStatus.AVAILABLE
    updated_at: AwareDatetime
    task_id: Identifier | None = None  # the task the unit is on, while it has one
    task_status: TaskStatus | None = None  # that task's status (shown on the unit's map marker)

    def report_age_s(self, now: datetime) -> float:
        """Seconds since the unit last reported (its position or its status); 0 for a time ahead of ``now``."""
        return max(0.0, (now - self.updated_at).total_seconds())

    def report_stale(self, now: datetime) -> bool:
        """Whether the unit has reported nothing for over :data:`UNIT_REPORT_STALE_S`: where it is shown may no
        longer be where it is (a dead radio, a tunnel, a terminal switched off)."""
        return self.report_age_s(now) > UNIT_REPORT_STALE_S


#: A unit silent for longer is shown as not current (faded on the map, its last report's age in the 派遣 list):
#: vehicles' and terminals' positions come every 10–60 s, so five minutes of nothing is no gap between reports.
UNIT_REPORT_STALE_S = 300


def report_age_text(seconds: float) -> str:
    """How old a last report is, as the map card and the 派遣 list say it: 12分钟前, 3小时前, 2天前."""
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return translate("domain", "{n}分钟前").format(n=minutes)
    if minutes < 48 * 60:
        return translate("domain", "{n}小时前").format(n=minutes // 60)
    return translate("domain", "{n}天前").format(n=minutes // (24 * 60))


UNIT_STATUS_LABELS: dict[UnitStatus, str] = {
    UnitStatus.AVAILABLE: QT_TRANSLATE_NOOP("domain", "待命"),
    UnitStatus.BUSY: QT_TRANSLATE_NOOP("domain", "出勤"),
    UnitStatus.OFFLINE: QT_TRANSLATE_NOOP("domain", "离线"),
}


def unit_status_label(status: UnitStatus) -> str:
    """The unit status's name in the chosen language."""
    return translate("domain", UNIT_STATUS_LABELS[status])
