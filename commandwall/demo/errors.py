"""Errors of the exercise backend's store that the HTTP layer turns into responses (404, 409, 422)."""

from __future__ import annotations

from commandwall.domain.models import Incident


class NotFoundError(LookupError):
    """No such camera/incident/…; the HTTP layer answers 404."""


class StaleVersionError(Exception):
    """A transition quoted an old version; ``current`` is the incident as it is now (409)."""

    def __init__(self, current: Incident) -> None:
        super().__init__(f"incident {current.id} is at version {current.version}")
        self.current = current


class RefusedError(ValueError):
    """A request that is well-formed but not allowed (422) with a machine-readable ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
