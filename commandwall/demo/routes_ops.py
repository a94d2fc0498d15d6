"""Routes: incidents (list with cursor, one, workflow transitions) and tasks (idempotent dispatch)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, request

from commandwall.demo.app import (
    PATH_ID,
    authenticated,
    ctx,
    current_user,
    parse_body,
    parse_headers,
    parse_query,
)
from commandwall.demo.schemas import IncidentsQuery, TaskHeaders, TaskRequest, TransitionRequest

bp = Blueprint("ops", __name__)


@bp.get("/api/v1/incidents")
@authenticated()
def incidents() -> Any:
    """Open and recent incidents, or with ``since`` only those changed after the cursor."""
    query = parse_query(IncidentsQuery, codes={"since": "invalid_cursor"})
    found, cursor, has_more = ctx().store.incidents(query.since, query.limit)
    return {
        "incidents": [i.model_dump(mode="json") for i in found],
        "cursor": str(cursor),
        "has_more": has_more,
    }


@bp.get(f"/api/v1/incidents/<{PATH_ID}:incident_id>")
@authenticated()
def incident(incident_id: str) -> Any:
    """One incident."""
    return ctx().store.incident(incident_id).model_dump(mode="json")


@bp.post(f"/api/v1/incidents/<{PATH_ID}:incident_id>/transitions")
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
    key = parse_headers(TaskHeaders).idempotency_key
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
