"""Talking to the platform: HTTP layer, API client, live event stream and the outbox (no Qt here)."""

from commandwall.backend.api import LayerInfo, Login, PlatformClient
from commandwall.backend.errors import (
    AuthError,
    BackendError,
    BackendUnavailableError,
    ConflictError,
    MalformedAnswerError,
    NotFoundError,
    PermissionDeniedError,
    RejectedError,
    StaleVersion,
    TransitionRefused,
)
from commandwall.backend.events import CameraStatusChange, ConnectionState, EventStream
from commandwall.backend.http import make_http, redact
from commandwall.backend.outbox import Outbox, OutboxItem, OutboxState

__all__ = [
    "AuthError",
    "BackendError",
    "BackendUnavailableError",
    "CameraStatusChange",
    "ConflictError",
    "ConnectionState",
    "EventStream",
    "LayerInfo",
    "Login",
    "MalformedAnswerError",
    "NotFoundError",
    "Outbox",
    "OutboxItem",
    "OutboxState",
    "PermissionDeniedError",
    "PlatformClient",
    "RejectedError",
    "StaleVersion",
    "TransitionRefused",
    "make_http",
    "redact",
]
