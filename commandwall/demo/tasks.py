"""Tasks of the exercise backend (派遣任务): dispatched exactly once per Idempotency-Key, with a deadline (督办),
and their status as the unit reports it, shown on the incident's timeline and on the unit."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from commandwall.demo import timeline
from commandwall.demo.db import Database, Transaction, now
from commandwall.demo.errors import NotFoundError, RefusedError
from commandwall.domain.models import (
    ACTIVE_TASK_STATUSES,
    Incident,
    Task,
    TaskStatus,
    TimelineKind,
    Unit,
    UnitStatus,
)
from commandwall.domain.supervision import default_deadline
from commandwall.domain.workflow import TASKABLE, TRANSITIONS


def _dump(model: Any) -> str:
    return model.model_dump_json()


class TaskRecords:
    """The task half of the store (mixed into ``store.Store``, which provides the incident and unit steps)."""

    db: Database

    if TYPE_CHECKING:
        def _incident_tx(self, tx: Transaction, incident_id: str) -> Incident: ...
        def _move(self, tx: Transaction, current: Incident, action: str, note: str, actor: str, desk: str = "",
                  merged_into: str | None = None) -> Incident: ...
        def save_unit(self, unit: Unit, tx: Transaction | None = None) -> None: ...

    # ---- tasks ---------------------------------------------------------------------------------
    def create_task(
        self, body: dict[str, Any], key: str, body_hash: str, actor: str, desk: str = ""
    ) -> tuple[Task, bool]:
        """Dispatch a task exactly once per Idempotency-Key: (task, created).

        The same key with the same body returns the first task (created=False); with another body it
        raises RefusedError("idempotency_key_reused"). Dispatching moves a new, accepted or verified incident to
        dispatched and marks an available unit busy on this task; the incident's timeline records the task. The
        deadline is the body's (ISO 8601 with offset; one not in the future raises RefusedError
        "deadline_in_past") or the priority's (``supervision.DEADLINE_MINUTES``).
        """
        with self.db.transaction() as tx:
            row = tx.one("SELECT doc, body_hash FROM tasks WHERE idempotency_key = ?", (key,))
            if row is not None:
                if row["body_hash"] != body_hash:
                    raise RefusedError(
                        "idempotency_key_reused",
                        "this Idempotency-Key was already used with a different request body",
                    )
                return Task.model_validate_json(row["doc"]), False
            incident = self._task_incident(tx, body["incident_id"])
            unit = self._task_unit(tx, body.get("unit_id"))
            number = int(tx.one("SELECT COALESCE(MAX(n), 0) + 1 AS n FROM tasks")["n"])
            created = now()
            priority = body.get("priority", incident.priority)
            deadline = datetime.fromisoformat(body["deadline"]) if body.get("deadline") else None
            if deadline is not None and deadline <= created:
                raise RefusedError("deadline_in_past", f"deadline {body['deadline']} is not in the future")
            task = Task(
                id=f"TSK-{number:06d}",
                incident_id=incident.id,
                unit_id=unit.id if unit else None,
                department=body.get("department") or (unit.department if unit else ""),
                instructions=body.get("instructions", ""),
                priority=priority,
                created_at=created,
                created_by=actor,
                deadline=deadline or default_deadline(priority, created),
                updated_at=created,
            )
            if incident.status in TRANSITIONS["dispatch"][0]:
                self._move(tx, incident, "dispatch", f"派遣任务 {task.id}", actor, desk)
            tx.execute(
                "INSERT INTO tasks (id, incident_id, unit_id, status, idempotency_key, body_hash, doc)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (task.id, task.incident_id, task.unit_id, task.status.value, key, body_hash, _dump(task)),
            )
            tx.event("task", task.id, task.model_dump(mode="json"))
            timeline.record(tx, incident.id, TimelineKind.TASK, actor=actor, desk=desk, action="dispatch",
                            text=task.instructions, ref=task.id)
            if unit is not None and unit.status == UnitStatus.AVAILABLE:
                self.save_unit(unit.model_copy(update={"status": UnitStatus.BUSY, "updated_at": now(),
                                                       "task_id": task.id, "task_status": task.status}), tx)
        return task, True

    def _task_incident(self, tx: Transaction, incident_id: str) -> Incident:
        try:
            incident = self._incident_tx(tx, incident_id)
        except NotFoundError:
            raise RefusedError("unknown_incident", f"incident {incident_id} does not exist") from None
        if incident.status not in TASKABLE:
            raise RefusedError(
                "invalid_transition", f"incident {incident_id} is {incident.status.value}: no tasks in this status"
            )
        return incident

    def _task_unit(self, tx: Transaction, unit_id: str | None) -> Unit | None:
        if unit_id is None:
            return None
        row = tx.one("SELECT doc FROM units WHERE id = ?", (unit_id,))
        if row is None:
            raise RefusedError("unknown_unit", f"unit {unit_id} does not exist")
        return Unit.model_validate_json(row["doc"])

    def tasks(self, incident_id: str | None = None) -> list[Task]:
        """Tasks, all or of one incident, oldest first."""
        if incident_id is None:
            rows = self.db.rows("SELECT doc FROM tasks ORDER BY n")
        else:
            rows = self.db.rows("SELECT doc FROM tasks WHERE incident_id = ? ORDER BY n", (incident_id,))
        return [Task.model_validate_json(r["doc"]) for r in rows]

    def task(self, task_id: str) -> Task:
        """One task; raises NotFoundError."""
        row = self.db.one("SELECT doc FROM tasks WHERE id = ?", (task_id,))
        if row is None:
            raise NotFoundError(f"task {task_id} not found")
        return Task.model_validate_json(row["doc"])

    def active_tasks(self) -> list[Task]:
        """Tasks not finished yet (neither done nor rejected), oldest first."""
        placeholders = ",".join("?" * len(ACTIVE_TASK_STATUSES))
        rows = self.db.rows(f"SELECT doc FROM tasks WHERE status IN ({placeholders}) ORDER BY n",
                            tuple(s.value for s in ACTIVE_TASK_STATUSES))
        return [Task.model_validate_json(r["doc"]) for r in rows]

    def set_task_status(self, task_id: str, status: TaskStatus, actor: str, reason: str = "") -> Task:
        """Move a task to ``status`` as its unit reports it (``reason`` for a rejection); writes a ``task``
        event and a timeline entry on the incident, and shows the status on the unit: a unit whose task is done
        or rejected is available again (unless another task holds it). Raises NotFoundError."""
        with self.db.transaction() as tx:
            row = tx.one("SELECT doc FROM tasks WHERE id = ?", (task_id,))
            if row is None:
                raise NotFoundError(f"task {task_id} not found")
            task = Task.model_validate_json(row["doc"]).model_copy(
                update={"status": TaskStatus(status), "reason": reason, "updated_at": now()}
            )
            tx.execute(
                "UPDATE tasks SET status = ?, doc = ? WHERE id = ?", (task.status.value, _dump(task), task.id)
            )
            tx.event("task", task.id, task.model_dump(mode="json"))
            timeline.record(tx, task.incident_id, TimelineKind.TASK, actor=actor, desk="", action=task.status.value,
                            text=reason, ref=task.id)
            if task.unit_id:
                self._unit_follows(tx, task)
        return task

    def _unit_follows(self, tx: Transaction, task: Task) -> None:
        row = tx.one("SELECT doc FROM units WHERE id = ?", (task.unit_id,))
        if row is None:
            return
        unit = Unit.model_validate_json(row["doc"])
        if task.status in ACTIVE_TASK_STATUSES:
            update: dict[str, Any] = {"task_id": task.id, "task_status": task.status}
        elif unit.task_id not in (None, task.id):
            return  # the unit has moved on to another task
        else:
            other = tx.one(
                f"SELECT doc FROM tasks WHERE unit_id = ? AND id != ? AND status IN "
                f"({','.join('?' * len(ACTIVE_TASK_STATUSES))}) ORDER BY n LIMIT 1",
                (unit.id, task.id, *(s.value for s in ACTIVE_TASK_STATUSES)),
            )
            if other is not None:
                nxt = Task.model_validate_json(other["doc"])
                update = {"task_id": nxt.id, "task_status": nxt.status}
            else:
                update = {"task_id": None, "task_status": None}
                if unit.status == UnitStatus.BUSY:
                    update["status"] = UnitStatus.AVAILABLE
        self.save_unit(unit.model_copy(update={**update, "updated_at": now()}), tx)
