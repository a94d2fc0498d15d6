"""Errors raised by the platform client, one class per thing a caller reacts to differently.

``BackendUnavailableError`` is the only one worth retrying as it is (no connection, timeout, 5xx, garbage);
the others are the server's considered answer and carry its message.
"""

from __future__ import annotations

from typing import Any

from commandwall.domain.models import Incident
from commandwall.i18n import translate


class BackendError(Exception):
    """The platform refused or failed a request. ``status`` is the HTTP status (``None``: no answer)."""

    def __init__(self, message: str, status: int | None = None, *, code: str = "", body: Any = None,
                 summary: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.body = body
        self._summary = summary

    @property
    def summary(self) -> str:
        """What the officer reads (``平台拒绝连接… · host``); the full text (method, URL, the exception classes) is
        for the log. The same as ``str()`` where no shorter one was given."""
        return self._summary or str(self)

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status})" if self.status else self.message


class BackendUnavailableError(BackendError):
    """No usable answer: connection refused or reset, timeout, 5xx, or a body that is not the API's JSON."""


class MalformedAnswerError(BackendUnavailableError):
    """The platform answered, but not in the contract's shape: not JSON, too large, nested too deep, or JSON
    of the wrong shape (``[1]`` where ``{"incidents": [...]}`` belongs).

    ``resource`` names what was asked for (``cameras``, ``incidents``, ``login`` …) and ``problem`` says
    briefly what was wrong; the message holds both, never the body itself (it may carry secrets). It is a
    ``BackendUnavailableError``: a platform mid-upgrade or behind a misconfigured proxy answers sanely again
    later, so callers retry it like an outage.
    """

    def __init__(self, resource: str, problem: str, status: int | None = None) -> None:
        template = translate("backend", "平台返回格式错误: {resource}: {problem}")
        super().__init__(template.format(resource=resource, problem=problem), status)
        self.resource = resource
        self.problem = problem


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
