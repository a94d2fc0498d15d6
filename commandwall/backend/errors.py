"""Errors raised by the platform client, one class per thing a caller reacts to differently.

``BackendUnavailableError`` is the only one worth retrying as it is (no connection, timeout, 5xx, garbage);
the others are the server's considered answer and carry its message.
"""

from __future__ import annotations

from typing import Any

from commandwall.domain.models import Incident


class BackendError(Exception):
    """The platform refused or failed a request. ``status`` is the HTTP status (``None``: no answer)."""

    def __init__(self, message: str, status: int | None = None, *, code: str = "", body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.body = body

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status})" if self.status else self.message


class BackendUnavailableError(BackendError):
    """No usable answer: connection refused or reset, timeout, 5xx, or a body that is not the API's JSON."""


class AuthError(BackendError):
    """Login refused, or the token was refused again right after logging in afresh (401)."""


class PermissionDeniedError(BackendError):
    """The user's role lacks the right for this action (403)."""


class NotFoundError(BackendError):
    """No such object (404)."""


class RejectedError(BackendError):
    """The request was understood and refused as invalid (400/422); resending it will not help."""


class TransitionRefused(RejectedError):  # noqa: N818 - name agreed in the contract
    """The action is not allowed from the incident's current status (422 ``invalid_transition``)."""


class ConflictError(BackendError):
    """The request conflicts with the server's current state (409)."""


class StaleVersion(ConflictError):  # noqa: N818 - name agreed in the contract
    """A transition quoted an old version; ``current`` is the incident as the server holds it now."""

    def __init__(self, message: str, current: Incident | None, *, body: Any = None) -> None:
        super().__init__(message, 409, code="stale_version", body=body)
        self.current = current
