"""Domain models shared by the client and the exercise backend.

They are pydantic models so that JSON from the platform is validated once, at the boundary: a malformed
record raises ``pydantic.ValidationError`` and the caller logs and drops it. Coordinates are always WGS84
longitude/latitude in degrees.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

#: Incident categories (source systems) with their Chinese names.
CATEGORIES: dict[str, str] = {
    "zongzhi": "综治",
    "yingji": "应急",
    "zhifa": "执法",
    "jiaotong": "交通",
    "huanbao": "环保",
    "chengguan": "城管",
    "weijian": "卫健",
    "wenlv": "文旅",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CameraStatus(StrEnum):
    """Whether the platform reports a camera as reachable."""

    ONLINE = "online"
    OFFLINE = "offline"


class StreamUrls(_Model):
    """Play URLs of a camera: ``main`` (1080p-class) and ``sub`` (~640×360, for small tiles)."""

    main: str
    sub: str


class Camera(_Model):
    """A public-safety camera (雪亮工程 point) with its position, view direction and streams."""

    id: str
    name: str
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    town: str = ""
    grid: str = ""
    kind: str = "fixed"  # fixed | dome | ptz
    heading: float = 0.0  # degrees clockwise from north
    fov: float = 60.0  # horizontal field of view, degrees
    range_m: float = 150.0  # useful viewing distance, metres
    status: CameraStatus = CameraStatus.ONLINE
    streams: StreamUrls


class IncidentStatus(StrEnum):
    """Incident workflow states (see ``workflow.TRANSITIONS``)."""

    NEW = "new"  # 待受理
    ACCEPTED = "accepted"  # 已受理
    DISPATCHED = "dispatched"  # 处置中
    RESOLVED = "resolved"  # 已办结
    CLOSED = "closed"  # 已归档


#: Statuses of incidents still being handled (未办结).
OPEN_STATUSES: frozenset[IncidentStatus] = frozenset(
    {IncidentStatus.NEW, IncidentStatus.ACCEPTED, IncidentStatus.DISPATCHED}
)

STATUS_LABELS: dict[IncidentStatus, str] = {
    IncidentStatus.NEW: "待受理",
    IncidentStatus.ACCEPTED: "已受理",
    IncidentStatus.DISPATCHED: "处置中",
    IncidentStatus.RESOLVED: "已办结",
    IncidentStatus.CLOSED: "已归档",
}


class Incident(_Model):
    """An incident (事件) reported by one of the district's systems.

    ``version`` increases with every change; a transition must quote the version it saw.
    """

    id: str
    title: str
    category: str
    description: str = ""
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    town: str = ""
    grid: str = ""
    priority: int = Field(default=3, ge=1, le=4)  # 1 = most urgent
    status: IncidentStatus = IncidentStatus.NEW
    source: str = ""
    reported_at: AwareDatetime
    updated_at: AwareDatetime
    version: int = Field(ge=1)

    @property
    def category_label(self) -> str:
        """Chinese name of the category, or the raw code if unknown."""
        return CATEGORIES.get(self.category, self.category)

    @property
    def status_label(self) -> str:
        """Chinese name of the status."""
        return STATUS_LABELS[self.status]


class TaskStatus(StrEnum):
    """Where a dispatched task (派遣任务) stands."""

    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    ON_SCENE = "on_scene"
    DONE = "done"


class Task(_Model):
    """A task dispatched to a unit or department for an incident."""

    id: str
    incident_id: str
    unit_id: str | None = None
    department: str = ""
    instructions: str = ""
    priority: int = Field(default=3, ge=1, le=4)
    status: TaskStatus = TaskStatus.ASSIGNED
    created_at: AwareDatetime
    created_by: str = ""


class UnitStatus(StrEnum):
    """Availability of a field unit."""

    AVAILABLE = "available"
    BUSY = "busy"
    OFFLINE = "offline"


class Unit(_Model):
    """A department's field unit (patrol car, fire engine, ambulance, 城管 team …)."""

    id: str
    name: str
    department: str
    kind: str = "patrol"
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    status: UnitStatus = UnitStatus.AVAILABLE
    updated_at: AwareDatetime


UNIT_STATUS_LABELS: dict[UnitStatus, str] = {
    UnitStatus.AVAILABLE: "待命",
    UnitStatus.BUSY: "出勤",
    UnitStatus.OFFLINE: "离线",
}
