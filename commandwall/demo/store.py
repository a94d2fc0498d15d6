"""The backend's state and rules over SQLite: cameras, units, incidents (workflow, timeline, notes), tasks
(idempotent; in ``tasks``).

Every change appends an event in the same transaction (see ``db.Transaction.event``). Errors that the
HTTP layer turns into responses are raised as ``NotFoundError``, ``StaleVersionError`` and ``RefusedError``.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

from commandwall.demo import timeline
from commandwall.demo.db import Database, Transaction, iso, now
from commandwall.demo.errors import NotFoundError, RefusedError, StaleVersionError
from commandwall.demo.tasks import TaskRecords, _dump
from commandwall.domain.models import (
    OPEN_STATUSES,
    CameraStatus,
    Incident,
    IncidentStatus,
    TimelineEntry,
    TimelineKind,
    Unit,
)
from commandwall.domain.workflow import (
    NEEDS_TARGET,
    REASON_REQUIRED,
    InvalidTransitionError,
    next_status,
)

#: Closed/resolved incidents changed within this window still count as "recent".
RECENT = timedelta(hours=24)


class Store(TaskRecords):
    """All reads and writes of the exercise backend's domain data (tasks: :class:`TaskRecords`)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._status_lock = threading.Lock()
        self._camera_status: dict[str, str] = {
            r["id"]: r["status"] for r in db.rows("SELECT id, status FROM cameras")
        }

    # ---- cameras -------------------------------------------------------------------------------
    def add_cameras(self, docs: list[dict[str, Any]]) -> None:
        """Insert cameras (seeding; no events). ``docs`` hold Camera fields except streams/status."""
        with self.db.transaction() as tx:
            for i, doc in enumerate(docs):
                tx.execute(
                    "INSERT OR REPLACE INTO cameras (id, ord, status, doc) VALUES (?, ?, ?, ?)",
                    (doc["id"], i, CameraStatus.ONLINE.value, json.dumps(doc, ensure_ascii=False)),
                )
        with self._status_lock:
            self._camera_status.update({d["id"]: CameraStatus.ONLINE.value for d in docs})

    def cameras(self) -> list[tuple[dict[str, Any], str]]:
        """All cameras as (fields, status), in layer order."""
        rows = self.db.rows("SELECT doc, status FROM cameras ORDER BY ord")
        return [(json.loads(r["doc"]), r["status"]) for r in rows]

    def camera(self, camera_id: str) -> tuple[dict[str, Any], str]:
        """One camera as (fields, status); raises NotFoundError."""
        row = self.db.one("SELECT doc, status FROM cameras WHERE id = ?", (camera_id,))
        if row is None:
            raise NotFoundError(f"camera {camera_id} not found")
        return json.loads(row["doc"]), row["status"]

    def camera_status(self, camera_id: str) -> str | None:
        """Current status of a camera from memory (cheap; streams ask every frame); None if unknown."""
        with self._status_lock:
            return self._camera_status.get(camera_id)

    def camera_ids(self, status: str | None = None) -> list[str]:
        """Ids of the cameras, optionally only those with ``status``."""
        with self._status_lock:
            return sorted(k for k, v in self._camera_status.items() if status is None or v == status)

    def set_camera_status(self, camera_id: str, status: CameraStatus) -> bool:
        """Mark a camera online/offline; writes a ``camera-status`` event. False if unchanged."""
        status = CameraStatus(status)
        with self.db.transaction() as tx:
            row = tx.one("SELECT status FROM cameras WHERE id = ?", (camera_id,))
            if row is None:
                raise NotFoundError(f"camera {camera_id} not found")
            if row["status"] == status.value:
                return False
            tx.execute("UPDATE cameras SET status = ? WHERE id = ?", (status.value, camera_id))
            tx.event("camera-status", camera_id, {"id": camera_id, "status": status.value})
            with self._status_lock:
                self._camera_status[camera_id] = status.value
        return True

    # ---- units ---------------------------------------------------------------------------------
    def add_units(self, units: list[Unit]) -> None:
        """Insert units (seeding; no events)."""
        with self.db.transaction() as tx:
            for i, unit in enumerate(units):
                tx.execute(
                    "INSERT OR REPLACE INTO units (id, ord, doc) VALUES (?, ?, ?)", (unit.id, i, _dump(unit))
                )

    def units(self) -> list[Unit]:
        """All field units in layer order."""
        return [
            Unit.model_validate_json(r["doc"]) for r in self.db.rows("SELECT doc FROM units ORDER BY ord")
        ]

    def unit(self, unit_id: str) -> Unit:
        """One unit; raises NotFoundError."""
        row = self.db.one("SELECT doc FROM units WHERE id = ?", (unit_id,))
        if row is None:
            raise NotFoundError(f"unit {unit_id} not found")
        return Unit.model_validate_json(row["doc"])

    def save_unit(self, unit: Unit, tx: Transaction | None = None) -> None:
        """Store a changed unit and write a ``unit`` event."""
        if tx is None:
            with self.db.transaction() as own:
                self.save_unit(unit, own)
            return
        tx.execute("UPDATE units SET doc = ? WHERE id = ?", (_dump(unit), unit.id))
        tx.event("unit", unit.id, unit.model_dump(mode="json"))

    # ---- incidents -----------------------------------------------------------------------------
    def add_incident(self, fields: dict[str, Any]) -> Incident:
        """Create an incident (version 1) from its fields; writes an ``incident`` event."""
        with self.db.transaction() as tx:
            row = tx.one("SELECT COALESCE(MAX(n), 0) + 1 AS n FROM incidents")
            number = int(row["n"]) if row else 1
            t = now()
            values = {"reported_at": t, "status": IncidentStatus.NEW, **fields}
            values.update(id=f"INC-{number:06d}", updated_at=t, version=1)
            incident = Incident.model_validate(values)
            seq = tx.event("incident", incident.id, incident.model_dump(mode="json"))
            tx.execute(
                "INSERT INTO incidents (id, status, updated_at, changed_seq, doc) VALUES (?, ?, ?, ?, ?)",
                (incident.id, incident.status.value, iso(t), seq, _dump(incident)),
            )
            timeline.record(tx, incident.id, TimelineKind.REPORTED, actor=incident.source or "system", desk="",
                            to_status=incident.status.value, text=incident.title)
        return incident

    def incident(self, incident_id: str) -> Incident:
        """One incident; raises NotFoundError."""
        row = self.db.one("SELECT doc FROM incidents WHERE id = ?", (incident_id,))
        if row is None:
            raise NotFoundError(f"incident {incident_id} not found")
        return Incident.model_validate_json(row["doc"])

    def incidents(self, since: int | None, limit: int) -> tuple[list[Incident], int, bool]:
        """Incidents for a client: (incidents, cursor, has_more).

        ``since=None``: open incidents and those changed in the last 24 h. Otherwise those changed after
        the cursor (a cursor beyond the log, from a reset database, counts as 0). Ordered by change; at
        most ``limit``; when more remain, the cursor points at the last one returned so the next call
        continues.
        """
        with self.db.transaction() as tx:  # one consistent snapshot under the lock
            top = int(tx.one("SELECT COALESCE(MAX(id), 0) AS m FROM events")["m"])
            if since is not None and since > top:  # a cursor from a reset database: start over
                since = 0
            if since is None:
                placeholders = ",".join("?" * len(OPEN_STATUSES))
                rows = tx.execute(
                    f"SELECT doc, changed_seq FROM incidents WHERE changed_seq <= ? AND "
                    f"(status IN ({placeholders}) OR updated_at >= ?) ORDER BY changed_seq LIMIT ?",
                    (top, *[s.value for s in OPEN_STATUSES], iso(now() - RECENT), limit + 1),
                ).fetchall()
            else:
                rows = tx.execute(
                    "SELECT doc, changed_seq FROM incidents WHERE changed_seq > ? AND changed_seq <= ? "
                    "ORDER BY changed_seq LIMIT ?",
                    (since, top, limit + 1),
                ).fetchall()
        has_more = len(rows) > limit
        rows = rows[:limit]
        cursor = int(rows[-1]["changed_seq"]) if has_more else max(top, since or 0)
        return [Incident.model_validate_json(r["doc"]) for r in rows], cursor, has_more

    def open_incidents(self) -> list[Incident]:
        """Incidents not yet closed (for the simulator)."""
        rows = self.db.rows("SELECT doc FROM incidents WHERE status != ? ORDER BY n", ("closed",))
        return [Incident.model_validate_json(r["doc"]) for r in rows]

    def transition(
        self, incident_id: str, action: str, version: int, note: str, actor: str, desk: str = "",
        into: str | None = None,
    ) -> Incident:
        """Apply a workflow action; raises NotFoundError, StaleVersionError (409) or RefusedError (422).

        ``return`` needs a reason in ``note``; ``merge`` needs ``into``, the surviving incident: the duplicate
        becomes ``merged`` with ``merged_into`` set and the survivor's timeline records it.
        """
        with self.db.transaction() as tx:
            current = self._incident_tx(tx, incident_id)
            if version != current.version:
                raise StaleVersionError(current)
            if action in REASON_REQUIRED and not note.strip():
                raise RefusedError("reason_required", f"{action} needs a reason in note")
            if action in NEEDS_TARGET:
                survivor = self._merge_target(tx, current, into)
                moved = self._move(tx, current, action, note, actor, desk, merged_into=survivor.id)
                timeline.record(tx, survivor.id, TimelineKind.MERGED, actor=actor, desk=desk, action=action,
                                text=note, ref=current.id)
                return moved
            if into is not None:
                raise RefusedError("validation_error", f"into is only for merge, not {action}")
            return self._move(tx, current, action, note, actor, desk)

    def _merge_target(self, tx: Transaction, duplicate: Incident, into: str | None) -> Incident:
        if not into:
            raise RefusedError("merge_target_required", "merge needs into: the id of the surviving incident")
        if into == duplicate.id:
            raise RefusedError("invalid_merge", "an incident cannot be merged into itself")
        try:
            survivor = self._incident_tx(tx, into)
        except NotFoundError:
            raise RefusedError("unknown_incident", f"incident {into} does not exist") from None
        if survivor.status not in OPEN_STATUSES:
            raise RefusedError(
                "invalid_merge", f"incident {into} is {survivor.status.value}; merge into an open one"
            )
        return survivor

    def _incident_tx(self, tx: Transaction, incident_id: str) -> Incident:
        row = tx.one("SELECT doc FROM incidents WHERE id = ?", (incident_id,))
        if row is None:
            raise NotFoundError(f"incident {incident_id} not found")
        return Incident.model_validate_json(row["doc"])

    def _move(
        self, tx: Transaction, current: Incident, action: str, note: str, actor: str, desk: str = "",
        merged_into: str | None = None,
    ) -> Incident:
        try:
            target = next_status(current.status, action)
        except InvalidTransitionError as exc:
            raise RefusedError("invalid_transition", str(exc)) from None
        t = now()
        moved = current.model_copy(update={
            "status": target, "version": current.version + 1, "updated_at": t, "merged_into": merged_into,
        })
        seq = tx.event("incident", moved.id, moved.model_dump(mode="json"))
        tx.execute(
            "UPDATE incidents SET status = ?, updated_at = ?, changed_seq = ?, doc = ? WHERE id = ?",
            (target.value, iso(t), seq, _dump(moved), moved.id),
        )
        timeline.record(tx, moved.id, TimelineKind.TRANSITION, actor=actor, desk=desk, action=action,
                        from_status=current.status.value, to_status=target.value, text=note, ref=merged_into or "")
        return moved

    # ---- timeline ------------------------------------------------------------------------------
    def timeline(self, incident_id: str) -> list[TimelineEntry]:
        """An incident's timeline, oldest first; raises NotFoundError."""
        self.incident(incident_id)
        return timeline.entries(self.db, incident_id)

    def add_note(
        self, incident_id: str, text: str, key: str, body_hash: str, actor: str, desk: str
    ) -> tuple[TimelineEntry, bool]:
        """Add a note exactly once per Idempotency-Key: (entry, created); another body under a used key
        raises RefusedError("idempotency_key_reused")."""
        with self.db.transaction() as tx:
            found = timeline.by_key(tx, key)
            if found is not None:
                entry, first_hash = found
                if first_hash != body_hash or entry.incident_id != incident_id:
                    raise RefusedError(
                        "idempotency_key_reused",
                        "this Idempotency-Key was already used with a different request body",
                    )
                return entry, False
            self._incident_tx(tx, incident_id)
            entry = timeline.record(tx, incident_id, TimelineKind.NOTE, actor=actor, desk=desk, text=text,
                                    key=key, body_hash=body_hash)
        return entry, True


__all__ = ["NotFoundError", "RefusedError", "StaleVersionError", "Store"]
