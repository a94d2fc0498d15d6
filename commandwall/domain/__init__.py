"""The nouns of the command platform and their rules (Qt-free)."""

from commandwall.domain.models import (
    CATEGORIES,
    Camera,
    CameraStatus,
    Incident,
    IncidentStatus,
    Task,
    TimelineEntry,
    TimelineKind,
    Unit,
    UnitStatus,
)
from commandwall.domain.workflow import ROLE_ACTIONS, TRANSITIONS, InvalidTransitionError, may, next_status, refusal

__all__ = [
    "CATEGORIES",
    "ROLE_ACTIONS",
    "TRANSITIONS",
    "Camera",
    "CameraStatus",
    "Incident",
    "IncidentStatus",
    "InvalidTransitionError",
    "Task",
    "TimelineEntry",
    "TimelineKind",
    "Unit",
    "UnitStatus",
    "may",
    "next_status",
    "refusal",
]
