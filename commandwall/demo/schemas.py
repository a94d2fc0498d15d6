"""Request bodies of the backend contract, validated with pydantic (422 with a readable message)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TokenRequest(_Body):
    """``POST /api/v1/auth/token``."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(max_length=256)


class TransitionRequest(_Body):
    """``POST /api/v1/incidents/{id}/transitions``: the action and the version the caller saw."""

    action: Literal["accept", "dispatch", "resolve", "close", "reopen"]
    version: int = Field(ge=1)
    note: str = Field(default="", max_length=2000)


class TaskRequest(_Body):
    """``POST /api/v1/tasks``: dispatch a task for an incident to a unit and/or department."""

    incident_id: str = Field(min_length=1, max_length=64)
    unit_id: str | None = Field(default=None, max_length=64)
    department: str = Field(default="", max_length=32)
    instructions: str = Field(default="", max_length=2000)
    priority: int = Field(default=3, ge=1, le=4)


class PtzRequest(_Body):
    """``POST /api/v1/cameras/{id}/ptz``."""

    action: Literal["left", "right", "up", "down", "zoom_in", "zoom_out", "stop"]
    speed: int = Field(default=4, ge=1, le=8)


def describe(error: ValidationError) -> str:
    """One line per problem: ``field: message``."""
    parts = []
    for e in error.errors():
        where = ".".join(str(p) for p in e.get("loc", ())) or "body"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return "; ".join(parts)
