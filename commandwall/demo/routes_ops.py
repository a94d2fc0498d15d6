"""Routes: incidents (list with cursor, one, workflow transitions, timeline, notes, attachments) and tasks
(idempotent dispatch). What a role may do is ``domain.workflow.ROLE_ACTIONS``: anything else is 403
``forbidden_for_role``."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, request, send_file
from werkzeug.http import parse_options_header

from commandwall.demo import attachments, timeline
from commandwall.demo.app import (
    PATH_ID,
    ApiError,
    authenticated,
    ctx,
    current_user,
    parse_body,
    parse_headers,
    parse_query,
)
from commandwall.demo.db import now
from commandwall.demo.schemas import (
    DeskHeaders,
    IncidentsQuery,
    NoteRequest,
    TaskHeaders,
    TaskRequest,
    TransitionRequest,
)
from commandwall.domain.workflow import ATTACH, NOTE, PLATFORM_TEXT, TASK, refusal, role_label
from commandwall.textsafe import safe_file_name

log = logging.getLogger(__name__)

bp = Blueprint("ops", __name__)


def _require(action: str) -> None:
    """403 ``forbidden_for_role`` (message in Chinese naming the role and the action) unless the caller's
    role may take ``action``."""
    user = current_user()
    reason = refusal(user.roles, action, translator=PLATFORM_TEXT)
    if reason is not None:
        role = role_label(user.roles, translator=PLATFORM_TEXT)
        raise ApiError(403, "forbidden_for_role", reason, role=role, action=action)


def _desk() -> str:
    return parse_headers(DeskHeaders).desk_id


#: How far from the platform's clock a desk's ``X-Requested-At`` may lie and be kept: up to this much ahead (the
#: two clocks), and back as long as an action may wait out an outage in a desk's outbox.
REQUESTED_AHEAD = timedelta(minutes=2)
REQUESTED_BEHIND = timedelta(days=30)


@bp.before_request
def _note_requested_at() -> None:
    """Keep the request's ``X-Requested-At`` (when the user acted, by the desk) for the timeline entries it makes:
    an ISO 8601 time with an offset within :data:`REQUESTED_AHEAD` / :data:`REQUESTED_BEHIND` of now. It only
    informs: one that is not such a time is ignored (logged), the action is not refused for it."""
    value = request.headers.get("X-Requested-At")
    kept = None
    if value is not None:
        try:
            moment = datetime.fromisoformat(value.strip()[:64])
        except ValueError:
            moment = None
        current = now()
        if moment is not None and moment.tzinfo is not None and \
                current - REQUESTED_BEHIND <= moment <= current + REQUESTED_AHEAD:
            kept = moment.isoformat(timespec="milliseconds")
        else:
            log.info("X-Requested-At %r ignored: not a time with an offset near now", value[:64])
    timeline.REQUESTED_AT.set(kept)


def _hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


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
@authenticated()
def transition(incident_id: str) -> Any:
    """Move an incident along the workflow; 403 if the role may not, 409 with ``current`` if the quoted
    version is stale."""
    body = parse_body(TransitionRequest)
    _require(body.action)
    moved = ctx().store.transition(
        incident_id, body.action, body.version, body.note, current_user().username, _desk(), body.into
    )
    return moved.model_dump(mode="json")


@bp.get(f"/api/v1/incidents/<{PATH_ID}:incident_id>/timeline")
@authenticated()
def incident_timeline(incident_id: str) -> Any:
    """The incident's timeline (audit trail), oldest first."""
    return {"entries": [timeline.as_json(e) for e in ctx().store.timeline(incident_id)]}


@bp.post(f"/api/v1/incidents/<{PATH_ID}:incident_id>/notes")
@authenticated()
def add_note(incident_id: str) -> Any:
    """Add a note to the timeline; the ``Idempotency-Key`` makes a retried POST return the same entry."""
    key = parse_headers(TaskHeaders).idempotency_key
    body = parse_body(NoteRequest).model_dump()
    _require(NOTE)
    entry, created = ctx().store.add_note(incident_id, body["text"], key, _hash(body), current_user().username,
                                          _desk())
    return timeline.as_json(entry), 201 if created else 200


@bp.post(f"/api/v1/incidents/<{PATH_ID}:incident_id>/attachments")
@authenticated()
def add_attachment(incident_id: str) -> Any:
    """Attach a file (the raw body; its name in ``Content-Disposition``) to the incident's timeline; the
    ``Idempotency-Key`` makes a retried POST return the same entry. 413 above ``MAX_ATTACHMENT_BYTES``."""
    key = parse_headers(TaskHeaders).idempotency_key
    _require(ATTACH)
    _, options = parse_options_header(request.headers.get("Content-Disposition", ""))
    name = options.get("filename", "").strip()
    if not name or len(name) > attachments.MAX_ATTACHMENT_NAME:
        raise ApiError(422, "validation_error", "Content-Disposition must name the file (filename*=UTF-8''…, "
                       f"1 to {attachments.MAX_ATTACHMENT_NAME} characters)")
    data = _attachment_body()
    entry, created = attachments.add(ctx().db, ctx().store.incident(incident_id), name, data, key,
                                     current_user().username, _desk())
    return timeline.as_json(entry), 201 if created else 200


def _attachment_body() -> bytes:
    """The request body, refused with 413 ``attachment_too_large`` above ``MAX_ATTACHMENT_BYTES`` (werkzeug's
    server reads what is left after answering, so the client hears the 413 rather than a reset connection)."""
    limit = attachments.MAX_ATTACHMENT_BYTES
    request.max_content_length = limit + 1  # this route's own limit (the app's is for JSON bodies)
    data = bytearray()
    if (request.content_length or 0) <= limit:  # a chunked body is read up to one byte past the limit
        while len(data) <= limit and (chunk := request.stream.read(min(1 << 16, limit + 1 - len(data)))):
            data += chunk
    if len(data) > limit or (request.content_length or 0) > limit:
        size = request.content_length or len(data)
        raise ApiError(413, "attachment_too_large",
                       f"附件超过 {limit // (1024 * 1024)} MB 上限（{size} 字节）", limit_bytes=limit)
    return bytes(data)


@bp.get(f"/api/v1/incidents/<{PATH_ID}:incident_id>/attachments/<{PATH_ID}:attachment_id>")
@authenticated()
def attachment(incident_id: str, attachment_id: str) -> Any:
    """An attached file as a download, never rendered: ``Content-Disposition: attachment``, ``nosniff`` and a
    content type from a short harmless list."""
    stored = attachments.get(ctx().db, incident_id, attachment_id)
    response = send_file(io.BytesIO(stored.data), mimetype=stored.content_type, as_attachment=True,
                         download_name=safe_file_name(stored.name, "attachment", max_chars=200, max_bytes=240),
                         etag=stored.sha256, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@bp.post("/api/v1/tasks")
@authenticated()
def create_task() -> Any:
    """Dispatch a task; the ``Idempotency-Key`` header makes a retried POST return the same task."""
    key = parse_headers(TaskHeaders).idempotency_key
    body = parse_body(TaskRequest).model_dump(mode="json")
    _require(TASK)
    task, created = ctx().store.create_task(body, key, _hash(body), current_user().username, _desk())
    return task.model_dump(mode="json"), 201 if created else 200


@bp.get("/api/v1/tasks")
@authenticated()
def tasks() -> Any:
    """Tasks, all or of one incident (``incident_id``)."""
    incident_id = request.args.get("incident_id") or None
    if incident_id is not None:
        ctx().store.incident(incident_id)  # 404 for an unknown incident
    return {"tasks": [t.model_dump(mode="json") for t in ctx().store.tasks(incident_id)]}
