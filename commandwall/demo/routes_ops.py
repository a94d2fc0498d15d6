"""Routes: incidents (list with cursor, one, workflow transitions) and tasks (idempotent dispatch)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, request

from commandwall.demo.app import ApiError, authenticated, ctx, current_user, int_arg, parse_body
from commandwall.demo.schemas import TaskRequest, TransitionRequest

bp = Blueprint("ops", __name__)

DEFAULT_INCIDENTS = 500
MAX_INCIDENTS = 1000
MAX_KEY_LENGTH = 200


@bp.get("/api/v1/incidents")
@authenticated()
def incidents() -> Any:
    """Open and recent incidents, or with ``since`` only those changed after the cursor."""
    raw = request.args.get("since")
    since: int | None = None
    if raw:
        if not raw.isdigit():
            raise ApiError(422, "invalid_cursor", f"cursor {raw!r} was not issued by this server")
        since = int(raw)
    limit = int_arg("limit", DEFAULT_INCIDENTS, minimum=1, maximum=MAX_INCIDENTS) or DEFAULT_INCIDENTS
    found, cursor, has_more = ctx().store.incidents(since, limit)
    return {
        "incidents": [i.model_dump(mode="json") for i in found],
        "cursor": str(cursor),
        "has_more": has_more,
    }


@bp.get("/api/v1/incidents/<incident_id>")
@authenticated()
def incident(incident_id: str) -> Any:
    """One incident."""
    return ctx().store.incident(incident_id).model_dump(mode="json")


@bp.post("/api/v1/incidents/<incident_id>/transitions")
@authenticated(write=True)
def transition(incident_id: str) -> Any:
    """Move an incident along the workflow; 409 with ``current`` if the quoted version is stale."""
    body = parse_body(TransitionRequest)
    moved = ctx().store.transition(incident_id, body.action, body.version, body.note, current_user().username)
    return moved.model_dump(mode="json")


@bp.post("/api/v1/tasks")
@authenticated(write=True)
def create_task() -> Any:
    """Dispatch a task; the ``Idempotency-Key`` header makes a retried POST return the same task."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise ApiError(422, "validation_error", "the Idempotency-Key header is required")
    if len(key) > MAX_KEY_LENGTH:
        raise ApiError(422, "validation_error", f"Idempotency-Key longer than {MAX_KEY_LENGTH} characters")
    body = parse_body(TaskRequest).model_dump()
    body_hash = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    task, created = ctx().store.create_task(body, key, body_hash, current_user().username)
    return task.model_dump(mode="json"), 201 if created else 200


@bp.get("/api/v1/tasks")
@authenticated()
def tasks() -> Any:
    """Tasks, all or of one incident (``incident_id``)."""
    incident_id = request.args.get("incident_id") or None
    if incident_id is not None:
        ctx().store.incident(incident_id)  # 404 for an unknown incident
    return {"tasks": [t.model_dump(mode="json") for t in ctx().store.tasks(incident_id)]}
