"""Incident timelines of the exercise backend: the append-only audit trail in the ``timeline`` table.

Every transition, task, merge, note and attachment of an incident becomes one row, written in the same transaction
as the change it records and published as a ``timeline`` event; SQLite triggers refuse any UPDATE or
DELETE of a row. A note is added at most once per ``Idempotency-Key`` (the same key with another body is
refused). A request's ``X-Requested-At`` (when the user acted, by the desk: an action that waited out an outage in
its outbox reaches the platform later) is kept with the entries it makes (:data:`REQUESTED_AT`, set per request).
"""

from __future__ import annotations

import sqlite3
from contextvars import ContextVar
from typing import Any

from commandwall.demo.db import Database, Transaction, iso, now
from commandwall.domain.models import TimelineEntry, TimelineKind

_COLUMNS = "seq, incident_id, kind, action, from_status, to_status, text, ref, actor, desk, at, size, requested_at"
#: When the user acted, as the request being answered says (ISO 8601; None: it did not say, or not plausibly): set
#: by the routes for each request, read by :func:`record`.
REQUESTED_AT: ContextVar[str | None] = ContextVar("requested_at", default=None)


def _entry(row: sqlite3.Row) -> TimelineEntry:
    return TimelineEntry.model_validate({k: row[k] for k in TimelineEntry.model_fields})


def record(
    tx: Transaction,
    incident_id: str,
    kind: TimelineKind,
    *,
    actor: str,
    desk: str,
    action: str = "",
    from_status: str | None = None,
    to_status: str | None = None,
    text: str = "",
    ref: str = "",
    key: str | None = None,
    body_hash: str | None = None,
    size: int | None = None,
) -> TimelineEntry:
    """Append one entry inside ``tx`` and return it."""
    cursor = tx.execute(
        "INSERT INTO timeline (incident_id, kind, action, from_status, to_status, text, ref, actor, desk, at,"
        " idempotency_key, body_hash, size, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (incident_id, kind.value, action, from_status, to_status, text, ref, actor, desk, iso(now()), key,
         body_hash, size, REQUESTED_AT.get()),
    )
    row = tx.one(f"SELECT {_COLUMNS} FROM timeline WHERE seq = ?", (cursor.lastrowid,))
    assert row is not None
    entry = _entry(row)
    tx.event("timeline", incident_id, as_json(entry))
    return entry


def by_key(tx: Transaction, key: str) -> tuple[TimelineEntry, str] | None:
    """The entry an Idempotency-Key created, with the hash of the body it was created from."""
    row = tx.one(f"SELECT {_COLUMNS}, body_hash FROM timeline WHERE idempotency_key = ?", (key,))
    return None if row is None else (_entry(row), str(row["body_hash"]))


def entries(db: Database, incident_id: str) -> list[TimelineEntry]:
    """An incident's timeline, oldest first."""
    rows = db.rows(f"SELECT {_COLUMNS} FROM timeline WHERE incident_id = ? ORDER BY seq", (incident_id,))
    return [_entry(r) for r in rows]


def as_json(entry: TimelineEntry) -> dict[str, Any]:
    """The wire form of an entry."""
    return entry.model_dump(mode="json")
