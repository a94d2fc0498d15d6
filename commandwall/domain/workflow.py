"""The incident workflow: which action moves an incident from which status to which."""

from __future__ import annotations

from commandwall.domain.models import IncidentStatus

S = IncidentStatus

#: action -> (allowed source statuses, target status)
TRANSITIONS: dict[str, tuple[frozenset[IncidentStatus], IncidentStatus]] = {
    "accept": (frozenset({S.NEW}), S.ACCEPTED),
    "dispatch": (frozenset({S.NEW, S.ACCEPTED}), S.DISPATCHED),
    "resolve": (frozenset({S.ACCEPTED, S.DISPATCHED}), S.RESOLVED),
    "close": (frozenset({S.RESOLVED}), S.CLOSED),
    "reopen": (frozenset({S.RESOLVED, S.CLOSED}), S.ACCEPTED),
}

ACTION_LABELS: dict[str, str] = {
    "accept": "受理",
    "dispatch": "派遣",
    "resolve": "办结",
    "close": "归档",
    "reopen": "重新打开",
}


class InvalidTransitionError(ValueError):
    """The action is unknown or not allowed from the incident's current status."""


def next_status(current: IncidentStatus, action: str) -> IncidentStatus:
    """Status an incident in ``current`` moves to under ``action``; raises ``InvalidTransitionError``."""
    try:
        sources, target = TRANSITIONS[action]
    except KeyError:
        raise InvalidTransitionError(f"unknown action {action!r}") from None
    if current not in sources:
        raise InvalidTransitionError(f"cannot {action} an incident that is {current.value}")
    return target


def allowed_actions(current: IncidentStatus) -> list[str]:
    """Actions allowed from ``current``, in workflow order."""
    return [a for a, (sources, _) in TRANSITIONS.items() if current in sources]
