"""SQLite storage of the exercise backend: one connection guarded by a lock, WAL journal.

Entities (cameras, units, incidents, tasks) are stored as the JSON of their domain model plus the few
columns that queries need. Every change is written together with a row in the append-only ``events``
table in the same transaction; that row's id is the SSE event id and the source of the incidents cursor.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

#: The platform speaks China Standard Time; timestamps carry their offset.
CST = timezone(timedelta(hours=8), name="CST")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY, salt BLOB NOT NULL, pw_hash BLOB NOT NULL,
    roles TEXT NOT NULL, display_name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS cameras (
    id TEXT PRIMARY KEY, ord INTEGER NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units (id TEXT PRIMARY KEY, ord INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS incidents (
    n INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, status TEXT NOT NULL,
    updated_at TEXT NOT NULL, changed_seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS incidents_changed ON incidents (changed_seq);
CREATE TABLE IF NOT EXISTS timeline (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT NOT NULL, kind TEXT NOT NULL,
    action TEXT NOT NULL DEFAULT '', from_status TEXT, to_status TEXT, text TEXT NOT NULL DEFAULT '',
    ref TEXT NOT NULL DEFAULT '', actor TEXT NOT NULL, desk TEXT NOT NULL DEFAULT '', at TEXT NOT NULL,
    idempotency_key TEXT UNIQUE, body_hash TEXT, size INTEGER, requested_at TEXT);
CREATE INDEX IF NOT EXISTS timeline_incident ON timeline (incident_id, seq);
CREATE TRIGGER IF NOT EXISTS timeline_no_update BEFORE UPDATE ON timeline
    BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;
CREATE TRIGGER IF NOT EXISTS timeline_no_delete BEFORE DELETE ON timeline
    BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;
CREATE TABLE IF NOT EXISTS tasks (
    n INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, incident_id TEXT NOT NULL,
    unit_id TEXT, status TEXT NOT NULL, idempotency_key TEXT UNIQUE, body_hash TEXT, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_incident ON tasks (incident_id);
CREATE TABLE IF NOT EXISTS attachments (
    id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL,
    content_type TEXT NOT NULL, sha256 TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, entity_id TEXT NOT NULL,
    at TEXT NOT NULL, data TEXT NOT NULL);
"""


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Bring a database written by an earlier version up to ``SCHEMA`` (columns added since)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(timeline)")}
    if "size" not in columns:  # attachments (their size in bytes) came after notes
        conn.execute("ALTER TABLE timeline ADD COLUMN size INTEGER")
    if "requested_at" not in columns:  # when the user acted, as the desk said, came after attachments
        conn.execute("ALTER TABLE timeline ADD COLUMN requested_at TEXT")


_clock_skew = timedelta(0)


def set_clock_skew(seconds: float) -> None:
    """Run the exercise platform's clock ``seconds`` ahead of the machine's (negative: behind), for every exercise
    backend of this process: a drill of a desk whose clock is off (``demo-server --clock-skew``)."""
    global _clock_skew
    _clock_skew = timedelta(seconds=seconds)


def now() -> datetime:
    """The current time in China Standard Time (the exercise platform's clock), to the millisecond."""
    t = datetime.now(CST) + _clock_skew
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def iso(t: datetime | None = None) -> str:
    """ISO 8601 text of ``t`` (default: now) with milliseconds and offset."""
    return (t or now()).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class EventRow:
    """One row of the event log: ``id`` is the SSE event id."""

    id: int
    kind: str
    entity_id: str
    data: dict[str, Any]


class Transaction:
    """Writes inside one ``BEGIN IMMEDIATE … COMMIT``; ``event()`` appends to the event log."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.last_event_id: int | None = None

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        """Run one statement."""
        return self._conn.execute(sql, params)

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        """First row of a query, or None."""
        return self._conn.execute(sql, params).fetchone()

    def event(self, kind: str, entity_id: str, data: dict[str, Any]) -> int:
        """Append an event (``incident|task|unit|camera-status``); returns its id."""
        cur = self._conn.execute(
            "INSERT INTO events (kind, entity_id, at, data) VALUES (?, ?, ?, ?)",
            (kind, entity_id, iso(), json.dumps(data, ensure_ascii=False)),
        )
        self.last_event_id = int(cur.lastrowid or 0)
        return self.last_event_id


class Database:
    """The backend's SQLite database. Thread-safe: one connection, one re-entrant lock.

    ``on_event(last_id)`` is called after a commit that appended events (outside the lock), so
    waiting SSE streams can wake up.
    """

    def __init__(self, path: Path, on_event: Callable[[int], None] | None = None) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(self.path), check_same_thread=False, isolation_level=None, timeout=10
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        _add_missing_columns(self._conn)
        self.on_event = on_event
        self._closed = False

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction; commits on success, rolls back on an exception."""
        with self._lock:
            self._check_open()
            self._conn.execute("BEGIN IMMEDIATE")
            tx = Transaction(self._conn)
            try:
                yield tx
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        if tx.last_event_id is not None and self.on_event is not None:
            self.on_event(tx.last_event_id)

    def rows(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        """All rows of a read query."""
        with self._lock:
            self._check_open()
            return self._conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        """First row of a read query, or None."""
        with self._lock:
            self._check_open()
            return self._conn.execute(sql, params).fetchone()

    def meta(self, key: str) -> str | None:
        """A value from the ``meta`` table."""
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        """Store a value in the ``meta`` table."""
        with self.transaction() as tx:
            tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def data_epoch(self) -> str:
        """This database's data epoch (the contract's ``X-Platform-Epoch``): made with the database and kept across
        restarts; a fresh database (a reset) or another file (a restored backup) has another."""
        epoch = self.meta("epoch")
        if not epoch:
            epoch = uuid.uuid4().hex
            self.set_meta("epoch", epoch)
        return epoch

    def max_event_id(self) -> int:
        """Id of the newest event (0 when the log is empty)."""
        row = self.one("SELECT COALESCE(MAX(id), 0) AS m FROM events")
        return int(row["m"]) if row else 0

    def events_after(self, after_id: int, limit: int = 500) -> list[EventRow]:
        """Events with id > ``after_id``, oldest first, at most ``limit``."""
        rows = self.rows(
            "SELECT id, kind, entity_id, data FROM events WHERE id > ? ORDER BY id LIMIT ?",
            (after_id, limit),
        )
        return [EventRow(r["id"], r["kind"], r["entity_id"], json.loads(r["data"])) for r in rows]

    def close(self) -> None:
        """Close the connection (further use raises ``sqlite3.ProgrammingError``)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def _check_open(self) -> None:
        if self._closed:
            raise sqlite3.ProgrammingError("database is closed")
