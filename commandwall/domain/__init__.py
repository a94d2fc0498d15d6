"""The nouns of the command platform and their rules (Qt-free)."""

from commandwall.domain.models import (
    CATEGORIES,
    Camera,
    CameraStatus,
    Incident,
    IncidentStatus,
    Task,
    Unit,
    UnitStatus,
)
from commandwall.domain.workflow import TRANSITIONS, InvalidTransitionError, next_status

__all__ = [
    "CATEGORIES",
    "TRANSITIONS",
    "Camera",
    "CameraStatus",
    "Incident",
    "IncidentStatus",
    "InvalidTransitionError",
    "Task",
    "Unit",
    "UnitStatus",
    "next_status",
]
