"""The outbox: user actions that must reach the platform exactly once, kept in SQLite until they do.

A dispatch (task), a workflow transition, a note or an attachment for an incident's timeline is written to the
``outbox`` table and ``enqueue`` returns its row id at once; a worker thread sends the pending rows in order
(a task before the transition queued after it). What happens to a row:

- sent → ``sent`` with the server's answer (Task / Incident / TimelineEntry JSON) in ``result``;
- no connection, timeout, 5xx, token trouble → stays ``pending``, ``attempts``/``last_error`` updated,
  retried with bounded exponential backoff; it is never dropped;
- 409 (stale version) → ``conflict`` with the current incident in ``result``;
- 400/403/404/422 → ``failed`` with the server's message in ``last_error``, its machine code (``invalid_transition``,
  ``deadline_in_past`` …) in ``error_code`` and the HTTP status in ``error_status``: the desk says the refusal in
  the officer's language by its code, the platform's own words kept as a detail — but a dispatch refused because
  its time limit (督办) passed while it waited out an outage is sent again with the limit the officer gave counted
  from now.

A settled row the platform did not take (``failed`` or ``conflict``) stays listed for the officer
(:meth:`Outbox.undelivered`) until he tries it again (:meth:`Outbox.retry`) or sets it aside
(:meth:`Outbox.dismiss`: the ``dismissed`` flag; the row itself is kept). Neither changes what is sent or in what
order: a dismissed row is settled already.

The order is kept per incident: a row the platform *answers* with a failure it may get over (a 5xx, an answer
of the wrong shape: a bug of the platform's with that one record) holds back only its own incident's later rows,
waiting out a backoff of its own, while the other incidents' rows go on — one note the platform keeps failing held
every dispatch of the desk behind it. A row that gets no answer at all (the platform is down), or a failure
answered right after another incident's, holds the whole queue (it is the platform, not the row).

Rows left ``pending`` by a previous run (a crash, a power cut) are sent on ``start()``; a row this version
cannot read (written by another version, damaged) is marked ``failed`` so that it does not block the rows
after it. The worker is supervised: an unexpected exception (a bug, a locked or damaged database) is
logged with the row it was sending, recorded in that row's ``last_error``, backed off, and the worker
carries on; only ``stop()`` ends it. A task or a note is sent with
the ``Idempotency-Key`` fixed at enqueue time, so a crash between sending and marking makes the server
return the same task or note, never a second one. A transition quotes the version the user saw at enqueue time;
if a resend of a transition that may already have reached the server gets 409, the incident's timeline decides:
it is taken as sent only if the last entry of that step names this user, this desk and this note and was made
after the row was queued (another desk may have made the same step with its own reason; then this row is a
conflict, its reason not lost in silence) — whatever steps were made since (another desk's 核实 right after this
desk's 受理 whose answer was lost: the 受理 went through, and the officer is not told it did not).

An attachment's bytes are not put in the database (a 20 MB blob per row would bloat every read of the queue):
``enqueue_attachment`` copies the file into the outbox's own folder (``<outbox>-files/``, see ``keptfiles``:
written as ``.part``, flushed to disk, then renamed, so a file under its final name is whole) before the row
naming it is inserted, and the file is deleted once the row is ``sent`` (or ``failed``: refused for the user's
rights, the size or a gone incident, sending it again would change nothing). A row held because the platform's data
went back keeps its file, across restarts, until the officer sends it again or dismisses it (the file is deleted
then). A kill between the copy and the insert leaves a file no row names (nothing was queued:
``enqueue_attachment`` had not returned); a kill after the send and before the delete leaves a file whose row is
settled: ``start()`` deletes both kinds. A kill between the insert and the send leaves a pending row with its file,
sent once on the next start (its Idempotency-Key). Only a regular file is sent: anything else under a kept file's
name (a named pipe, whose read would hold the worker for ever) fails its row as :data:`ATTACHMENT_LOST`.

A row that cannot be stored (the data folder's disk is full, or it is read-only) is not queued: ``enqueue`` raises
:class:`OutboxWriteError` saying which, so that the caller tells the user his action was not taken rather than
losing it in silence. :meth:`Outbox.together` stores several rows (one dispatch to several units) all or none.

What is still pending is also kept in memory (this process is the outbox's only writer: the data folder is locked
for it), updated under the database lock with each change: :meth:`Outbox.pending` and :meth:`Outbox.pending_count`
answer from there, so the desk's screens, which ask every second, never read SQLite nor wait on its lock.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from commandwall import localtime
from commandwall.backend.api import PlatformClient
from commandwall.backend.errors import (
    AuthError,
    BackendError,
    BackendUnavailableError,
    StaleVersion,
)
from commandwall.backend.keptfiles import KeptFiles
from commandwall.backoff import Backoff, RetryPacer
from commandwall.domain.models import MAX_ATTACHMENT_BYTES, Incident, Task, TimelineEntry, TimelineKind
from commandwall.domain.workflow import TRANSITIONS
from commandwall.i18n import translate
from commandwall.localdb import UnusableDatabaseError, connect_local
from commandwall.localjson import parse_json

log = logging.getLogger(__name__)

#: How long (s) opening the outbox waits for a file another process holds locked before it gives up (the caller
#: tries again later), and how long the sending worker's writes wait.
LOCK_WAIT_S = 10.0
#: How long (s) opening the outbox waits to be able to write it: the file is in WAL mode, where another program's
#: exclusive transaction (a backup, the ``sqlite3`` shell) lets readers in and only writers wait — an outbox
#: opened so would have held the officer's first action.
OPEN_WRITE_WAIT_S = 2.0
#: How long (s) an action the officer takes (queue, retry, set aside) waits for the file or for the sending worker:
#: these run on the window's thread, which must not stand still while another program holds the file — the
#: action is refused as held instead (:class:`OutboxWriteError`), saying so.
WRITE_WAIT_S = 0.5

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('task', 'transition', 'note', 'attachment')),
    payload         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'failed', 'conflict')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    result          TEXT
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox (state, id);
CREATE TABLE IF NOT EXISTS outbox_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

#: Columns added since the table was first made (name → declaration), added to an older file when it is opened:
#: the refusal's machine code and HTTP status, and whether the officer has set a refused row aside.
ADDED_COLUMNS = {
    "error_code": "TEXT NOT NULL DEFAULT ''",
    "error_status": "INTEGER",
    "dismissed": "INTEGER NOT NULL DEFAULT 0",
    # the platform's data epoch (``X-Platform-Epoch``) the row was queued under ("" unknown: not checked)
    "platform_epoch": "TEXT NOT NULL DEFAULT ''",
}

#: Codes of the desk's own for rows it fails itself (the platform's codes are lower-case words too, never these).
UNREADABLE_ROW = "desk_unreadable_row"
ATTACHMENT_LOST = "desk_attachment_lost"
#: Rows held back because the platform's data went back (reset, restored from a backup) after they were queued: the
#: incident they name may now be another one under the same id (:meth:`Outbox.hold_pending`).
PLATFORM_WENT_BACK = "desk_platform_went_back"


#: What may be queued.
KINDS = ("task", "transition", "note", "attachment")


def _migrate(db: sqlite3.Connection) -> None:
    """Let an outbox file written before notes or attachments existed take them: its CHECK constraint names only
    the kinds of its day, so the table is rebuilt (rows kept, in one transaction)."""
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").fetchone()
    if row is None or "'attachment'" in row[0]:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("ALTER TABLE outbox RENAME TO outbox_before")
        db.execute(SCHEMA.split(";")[0])  # CREATE TABLE outbox (its index comes with SCHEMA afterwards)
        db.execute(f"INSERT INTO outbox SELECT {', '.join(_BASE_COLUMNS)} FROM outbox_before")
        db.execute("DROP TABLE outbox_before")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


#: The columns of the table as first made (``SCHEMA``), in their order.
_BASE_COLUMNS = ("id", "kind", "payload", "idempotency_key", "state", "attempts", "last_error", "created_at",
                 "sent_at", "result")


def _check_shape(db: sqlite3.Connection) -> None:
    """Raise :class:`UnusableDatabaseError` when the file holds an ``outbox`` (or ``outbox_meta``) table without the
    columns every version wrote (a hand-altered or foreign file): no row of it could be read or marked, and the
    table cannot be mended without guessing. A file without them is new (they are made)."""
    wanted = {"outbox": set(_BASE_COLUMNS), "outbox_meta": {"name", "value"}}
    for table, columns in wanted.items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()}
        if have and not columns <= have:
            raise UnusableDatabaseError(f"its {table} table lacks {', '.join(sorted(columns - have))}")


def _add_columns(db: sqlite3.Connection) -> None:
    """Add the :data:`ADDED_COLUMNS` an outbox file written by an earlier version lacks (its rows kept: a refused
    row of its own has no code, and is not dismissed)."""
    have = {row[1] for row in db.execute("PRAGMA table_info(outbox)").fetchall()}
    for name, declaration in ADDED_COLUMNS.items():
        if name not in have:
            db.execute(f"ALTER TABLE outbox ADD COLUMN {name} {declaration}")


#: What each kind of row needs in its payload to be sent (name → type); a task's is the platform's task body.
_PAYLOAD_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "task": {"incident_id": str},
    "note": {"incident_id": str, "text": str},
    "attachment": {"incident_id": str, "name": str, "file": str},
    "transition": {"incident_id": str, "action": str, "version": int},
}


def payload_problem(kind: str, payload: Any) -> str | None:
    """Why a row's payload cannot be sent (a field missing or of the wrong type), or None."""
    if not isinstance(payload, dict):
        return "payload is no object"
    for name, kind_of in _PAYLOAD_FIELDS.get(kind, _PAYLOAD_FIELDS["transition"]).items():
        value = payload.get(name)
        if not isinstance(value, kind_of) or isinstance(value, bool):
            return f"{name} missing or not {getattr(kind_of, '__name__', kind_of)}"
    return None

#: Below this many free bytes in the outbox's folder a failed write is put down to a full disk.
NEARLY_FULL_BYTES = 1 << 20
#: What the operating system says when the disk is full (or the user's quota spent), or the folder is read-only.
_FULL_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
_READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


class OutboxWriteError(Exception):
    """An action could not be stored in the outbox, so it is not queued: ``full`` (no space left on the data
    folder's disk), ``read_only`` (the folder or the file cannot be written), ``held`` (another program holds the
    file locked: a backup, the ``sqlite3`` shell), or none of them (another failure of the database or the file
    system, named by ``error``)."""

    def __init__(self, error: BaseException, *, full: bool = False, read_only: bool = False,
                 held: bool = False) -> None:
        why = "disk full" if full else "read-only" if read_only else "held by another program" if held else "failed"
        super().__init__(f"outbox not writable ({why}): {type(error).__name__}: {error}")
        self.error = error
        self.full = full
        self.read_only = read_only and not full
        self.held = held and not (full or read_only)

    @classmethod
    def of(cls, error: BaseException, folder: Path) -> OutboxWriteError:
        """``error`` (sqlite3 or OS) explained: by its code where it says, else by what ``folder`` is now."""
        code = getattr(error, "sqlite_errorcode", None)
        number = getattr(error, "errno", None)
        full = (code is not None and code & 0xFF == sqlite3.SQLITE_FULL) or number in _FULL_ERRNOS
        read_only = (code is not None and code & 0xFF == sqlite3.SQLITE_READONLY) or number in _READ_ONLY_ERRNOS
        if code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return cls(error, held=True)  # another program holds the file: nothing is wrong with the disk
        if not (full or read_only):  # e.g. a disk I/O error: look at the folder
            with contextlib.suppress(OSError):
                stat = os.statvfs(folder) if hasattr(os, "statvfs") else None
                if stat is not None and stat.f_flag & os.ST_RDONLY:
                    read_only = True
                elif stat is not None and stat.f_bavail * stat.f_frsize < NEARLY_FULL_BYTES:
                    full = True
        return cls(error, full=full, read_only=read_only)


class OutboxState(StrEnum):
    """Where an outbox row stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # refused by the server (validation, rights); will not be resent
    CONFLICT = "conflict"  # the incident changed meanwhile (409); ``result`` holds the current one


@dataclass(frozen=True)
class OutboxItem:
    """One row of the outbox."""

    id: int
    kind: str  # "task" | "transition" | "note" | "attachment"
    payload: dict[str, Any]
    idempotency_key: str
    state: OutboxState
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    result: dict[str, Any] | None
    #: the platform's machine code of a refusal or conflict (``invalid_transition``, ``stale_version`` …; one of
    #: the desk's own, :data:`UNREADABLE_ROW` or :data:`ATTACHMENT_LOST`, for a row it failed itself), else ""
    error_code: str = ""
    #: the HTTP status of that refusal (None: no answer, or a row the desk failed itself)
    error_status: int | None = None
    #: the officer has set this refused or conflicted row aside (no longer listed as not delivered)
    dismissed: bool = False
    #: the platform's data epoch the row was queued under ("": unknown, sent under any); see ``epoch``
    platform_epoch: str = ""

    @property
    def undelivered(self) -> bool:
        """Settled without reaching the platform (refused or overtaken), and not set aside by the officer."""
        return self.state in (OutboxState.FAILED, OutboxState.CONFLICT) and not self.dismissed

    def result_model(self) -> Task | Incident | TimelineEntry | None:
        """The server's answer as a model: Task (task sent), TimelineEntry (note or attachment sent) or Incident
        (transition sent, conflict)."""
        if self.result is None:
            return None
        if self.kind == "task" and self.state == OutboxState.SENT:
            return Task.model_validate(self.result)
        if self.kind in ("note", "attachment"):
            return TimelineEntry.model_validate(self.result)
        return Incident.model_validate(self.result)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _row_to_item(row: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        kind=row["kind"],
        payload=parse_json(row["payload"]),  # NotJsonError (a ValueError) for any text it cannot read
        idempotency_key=row["idempotency_key"],
        state=OutboxState(row["state"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
        created_at=datetime.fromisoformat(row["created_at"]),
        sent_at=datetime.fromisoformat(row["sent_at"]) if row["sent_at"] else None,
        result=parse_json(row["result"]) if row["result"] else None,
        error_code=str(row["error_code"] or ""),
        error_status=int(row["error_status"]) if row["error_status"] is not None else None,
        dismissed=bool(row["dismissed"]),
        platform_epoch=str(row["platform_epoch"] or ""),
    )


class Outbox:
    """SQLite-backed queue of tasks and transitions with a sending thread (see the module docstring)."""

    def __init__(
        self,
        db_path: Path | str,
        client: PlatformClient,
        *,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        may_send: Callable[[], bool] | None = None,
    ) -> None:
        self.db_path = Path(db_path)
        #: asked before each send: False holds the queue (the desk does not hear the platform yet — after an outage
        #: its event stream first catches up, and sees whether the platform's data went back, before any queued
        #: action goes to it); :meth:`retry_soon` wakes the worker when it may. None: always.
        self._may_send = may_send
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        #: Where queued attachments wait for their send (one file per row, named by its Idempotency-Key).
        self.files_dir = self.db_path.with_name(f"{self.db_path.stem}-files")
        self._kept = KeptFiles(self.files_dir)
        self._client = client
        self._backoff = RetryPacer(Backoff(initial_s=backoff_initial, maximum_s=backoff_max))
        #: incidents whose next row the platform failed while it answered others: incident id → (failures in a row,
        #: ``time.monotonic()`` when it is tried again); their rows wait, the others' go on (worker thread only)
        self._held: dict[str, tuple[int, float]] = {}
        self._answered_failure = False  # the last row sent got a failure the platform answered (worker thread only)
        self._renewed: dict[int, int] = {}  # row id → times its dispatch's time limit was counted again (worker)
        self._db_lock = threading.RLock()  # held across several enqueues by ``together``
        self._pending_lock = threading.Lock()  # taken alone by readers; with the database lock by writers
        self._pending: dict[int, OutboxItem] = {}
        #: the rows refused or overtaken and not set aside (``undelivered``), kept like the pending ones
        self._undelivered: dict[int, OutboxItem] = {}
        # a named pipe, a folder there: UnusableDatabaseError, never opened (a pipe's read would wait for ever)
        self._db = connect_local(self.db_path, check_same_thread=False, isolation_level=None, timeout=LOCK_WAIT_S)
        try:
            self._open_tables()
            with self._db_lock, self._waiting_at_most(OPEN_WRITE_WAIT_S):  # held by another program: raises
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("ROLLBACK")
            with self._db_lock:
                for (row_id,) in self._db.execute(
                        "SELECT id FROM outbox WHERE state = 'pending' OR (state IN ('failed', 'conflict') "
                        "AND dismissed = 0)").fetchall():
                    self._reread(row_id)
        except BaseException:  # not left open: the caller may set the file aside, or try again
            self._db.close()
            raise
        self._note_epoch("", client.epoch.current)
        self._unlisten_epoch = client.epoch.add_listener(self._note_epoch)
        self._listeners: list[Callable[[OutboxItem], None]] = []
        self._wake = threading.Event()
        self._retry_now = threading.Event()  # the platform answers again: the backoff's wait ends
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None
        self._batch: list[int] | None = None  # rows enqueued inside ``together`` (under the database lock)

    def _open_tables(self) -> None:
        """Make or bring up to date the tables of the file just opened (see :func:`_check_shape`) and read the data
        epoch kept in it."""
        self._db.row_factory = sqlite3.Row
        with self._db_lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")  # a queued dispatch survives a power cut
            _check_shape(self._db)
            _migrate(self._db)
            self._db.executescript(SCHEMA)
            _add_columns(self._db)
            known = self._db.execute("SELECT value FROM outbox_meta WHERE name = 'platform_epoch'").fetchone()
        #: the platform's data epoch heard last, kept across runs: what a row queued before the desk hears the
        #: platform (an outage at start) is queued under
        self._epoch = str(known[0]) if known is not None else ""

    @contextlib.contextmanager
    def _waiting_at_most(self, seconds: float) -> Iterator[None]:
        """SQLite waits at most ``seconds`` for a lock another process holds in the block (under the database
        lock; nests: the wait before is put back)."""
        before = self._db.execute("PRAGMA busy_timeout").fetchone()[0]
        self._db.execute(f"PRAGMA busy_timeout = {max(0, round(seconds * 1000))}")
        try:
            yield
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {int(before)}")

    @contextlib.contextmanager
    def _officers_write(self) -> Iterator[None]:
        """The database lock and the file for an action the officer takes, each waited for at most
        :data:`WRITE_WAIT_S`: the sending worker may be waiting for a file another program holds (it holds the
        lock meanwhile), and the window's thread must not. :class:`OutboxWriteError` (held) when either is busy."""
        if not self._db_lock.acquire(timeout=WRITE_WAIT_S):
            raise OutboxWriteError(sqlite3.OperationalError("the outbox is busy (its file held by another program)"),
                                   held=True)
        try:
            with self._waiting_at_most(WRITE_WAIT_S):
                yield
        finally:
            self._db_lock.release()

    # -- queueing -----------------------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: Mapping[str, Any], idempotency_key: str | None = None) -> int:
        """Store an action and return its row id at once; the worker sends it.

        ``kind`` is ``"task"`` (payload as for ``POST /tasks``), ``"transition"`` (``incident_id``,
        ``action``, ``version`` quoted by the user, ``note``, for a merge ``into``) or ``"note"``
        (``incident_id``, ``text``). A row gets a fresh UUID key unless given;
        enqueueing the same key and action again returns the existing row (another action: ValueError).
        """
        if kind not in KINDS:
            raise ValueError(f"unknown outbox kind {kind!r}")
        required = {"transition": {"incident_id", "action", "version"}, "note": {"incident_id", "text"},
                    "attachment": {"incident_id", "name", "size", "sha256", "file"}}
        missing = required.get(kind, set()) - set(payload)
        if missing:
            raise ValueError(f"{kind} payload lacks {sorted(missing)}")
        key = idempotency_key or str(uuid.uuid4())
        body = json.dumps(dict(payload), ensure_ascii=False, sort_keys=True)
        with self._officers_write():
            try:
                existing = self._db.execute(
                    "SELECT id, kind, payload FROM outbox WHERE idempotency_key = ?", (key,)
                ).fetchone()
                if existing is not None:  # the same action queued twice (a double click): one row
                    if existing["kind"] != kind or parse_json(existing["payload"]) != json.loads(body):
                        raise ValueError(f"idempotency key {key!r} is already used for another action")
                    return int(existing["id"])
                cursor = self._db.execute(
                    "INSERT INTO outbox (kind, payload, idempotency_key, created_at, platform_epoch) "
                    "VALUES (?, ?, ?, ?, ?)", (kind, body, key, _now(), self._client.epoch.current or self._epoch),
                )
            except sqlite3.Error as exc:  # the disk is full or read-only: not queued, and the caller says so
                raise OutboxWriteError.of(exc, self.db_path.parent) from exc
            row_id = int(cursor.lastrowid or 0)
            self._idle.clear()
            item = self._reread(row_id)
            if self._batch is not None:  # told when the batch is stored (it may yet be undone)
                self._batch.append(row_id)
                return row_id
        self._wake.set()
        if item is not None:
            self._notify(item)
        return row_id

    @contextlib.contextmanager
    def together(self) -> Iterator[None]:
        """Store the rows enqueued in the block (on this thread) all or none: one transaction, committed when the
        block ends; an exception in it (a refusal, :class:`OutboxWriteError` for a row) undoes them all, and a
        failed commit raises :class:`OutboxWriteError`. The worker waits meanwhile (keep the block short); the
        rows are told to the listeners once stored. Not nested."""
        with self._officers_write():
            if self._batch is not None:
                raise RuntimeError("Outbox.together() is not nested")
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise OutboxWriteError.of(exc, self.db_path.parent) from exc
            self._batch = added = []
            try:
                try:
                    yield
                finally:
                    self._batch = None
                try:
                    self._db.execute("COMMIT")
                except sqlite3.Error as exc:
                    raise OutboxWriteError.of(exc, self.db_path.parent) from exc
            except BaseException:
                with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already (a full disk)
                    self._db.execute("ROLLBACK")
                for row_id in added:
                    self._reread(row_id)  # gone again: out of the pending ones in memory
                raise
            items = [self._reread(row_id) for row_id in added]
        if items:
            self._wake.set()
        for item in items:
            if item is not None:
                self._notify(item)

    def enqueue_task(self, payload: Mapping[str, Any], idempotency_key: str | None = None) -> int:
        """Queue a dispatch (``incident_id, unit_id|None, department, instructions, priority``)."""
        return self.enqueue("task", payload, idempotency_key)

    def enqueue_transition(
        self, incident_id: str, action: str, version: int, note: str = "", into: str | None = None
    ) -> int:
        """Queue a workflow action quoting the ``version`` the user saw (``into``: the survivor of a merge)."""
        payload: dict[str, Any] = {"incident_id": incident_id, "action": action, "version": version, "note": note}
        if into is not None:
            payload["into"] = into
        return self.enqueue("transition", payload)

    def enqueue_note(self, incident_id: str, text: str, idempotency_key: str | None = None) -> int:
        """Queue a note for an incident's timeline (added exactly once: its key is fixed here)."""
        return self.enqueue("note", {"incident_id": incident_id, "text": text}, idempotency_key)

    def enqueue_attachment(self, incident_id: str, source: Path | str, name: str | None = None,
                           idempotency_key: str | None = None) -> int:
        """Queue a file for the incident's timeline (``name``: as shown, default the file's own name): a copy
        is kept in :attr:`files_dir` until the platform has it (see the module docstring), so the user may
        move or delete the original at once. ``AttachmentTooLargeError`` above ``MAX_ATTACHMENT_BYTES``;
        ``OSError`` if the file cannot be read or copied."""
        source = Path(source)
        key = idempotency_key or str(uuid.uuid4())
        try:
            part, size, digest = self._kept.copy_in(source, MAX_ATTACHMENT_BYTES)
        except OSError as exc:  # a full or read-only data folder is the outbox's failure, not the file's
            if exc.errno in _FULL_ERRNOS or exc.errno == errno.EROFS:
                raise OutboxWriteError.of(exc, self.files_dir) from exc
            raise
        try:
            payload = {"incident_id": incident_id, "name": name or source.name, "size": size, "sha256": digest,
                       "file": KeptFiles.name_for(key)}
            with self._db_lock:
                taken = self._db.execute("SELECT 1 FROM outbox WHERE idempotency_key = ?", (key,)).fetchone()
            if taken is None:
                self._kept.settle(part, payload["file"])
            return self.enqueue("attachment", payload, key)  # a used key: the same row, or ValueError
        finally:
            part.unlink(missing_ok=True)

    def _clean_files(self) -> int:
        """Delete the kept files no row may still send (see ``keptfiles``). A row may still be sent while it is
        pending, and while it is held because the platform's data went back (:data:`PLATFORM_WENT_BACK`, not
        dismissed): the officer is to check it and send it again (:meth:`retry`), so its file stays across restarts.
        Every other settled row let its file go when it was settled — sent, refused by the platform (its rights, the
        size, a gone incident: sending it again changes nothing), unreadable — or dismissed; what a failed delete
        left is deleted here."""
        with self._db_lock:
            rows = self._db.execute(
                "SELECT payload FROM outbox WHERE kind = 'attachment' AND (state = 'pending' OR (state = 'failed' "
                "AND error_code = ? AND dismissed = 0))", (PLATFORM_WENT_BACK,)).fetchall()
        wanted = set()
        for (payload,) in rows:
            try:
                wanted.add(str(parse_json(payload).get("file")))
            except (ValueError, AttributeError):  # unreadable, or no object: no file of its own is named
                continue
        return self._kept.clean(wanted)

    def retry(self, row_id: int) -> bool:
        """Put a failed or conflicted row back to pending (the user chose to try again); :class:`OutboxWriteError`
        when the file cannot be written now."""
        with self._officers_write():
            try:
                cursor = self._db.execute(  # sent as it is to the platform as it is now: the officer decided
                    "UPDATE outbox SET state = 'pending', last_error = NULL, error_code = '', error_status = NULL, "
                    "dismissed = 0, platform_epoch = ? WHERE id = ? AND state != 'sent'",
                    (self._client.epoch.current or self._epoch, row_id),
                )
            except sqlite3.Error as exc:
                raise OutboxWriteError.of(exc, self.db_path.parent) from exc
            if cursor.rowcount:
                self._idle.clear()
            item = self._reread(row_id)
        if cursor.rowcount:
            self._wake.set()
            if item is not None:
                self._notify(item)
        return bool(cursor.rowcount)

    def hold_pending(self, reason: str) -> int:
        """The platform's data went back (reset, restored from a backup) after the pending rows were queued: an
        incident id they name may now be another incident (a fresh database numbers its incidents from 1 again),
        so none is sent unseen — each is failed with :data:`PLATFORM_WENT_BACK` and listed as not delivered, for
        the officer to check and send again (:meth:`retry`) or set aside. ``reason`` is kept as the detail. Returns
        how many were held (a row being sent just now may still go through: it is then marked sent)."""
        with self._db_lock:
            ids = [row_id for (row_id,) in self._db.execute("SELECT id FROM outbox WHERE state = 'pending'")]
            self._db.execute(
                "UPDATE outbox SET state = 'failed', last_error = ?, error_code = ?, error_status = NULL "
                "WHERE state = 'pending'", (reason, PLATFORM_WENT_BACK))
            items = [self._reread(row_id) for row_id in ids]
        for item in items:
            if item is not None:
                self._notify(item)
        if ids:
            log.warning("outbox: %d pending row(s) held, the platform's data went back (%s)", len(ids), reason)
        return len(ids)

    def dismiss(self, row_id: int) -> bool:
        """Set a refused or conflicted row aside (the officer has seen it and will not try it again): it is no
        longer :meth:`undelivered`; the row is kept, an attachment's kept copy deleted. False for a row that is not
        refused or conflicted; :class:`OutboxWriteError` when the file cannot be written now."""
        with self._officers_write():
            try:
                cursor = self._db.execute(
                    "UPDATE outbox SET dismissed = 1 WHERE id = ? AND state IN ('failed', 'conflict') "
                    "AND dismissed = 0", (row_id,))
            except sqlite3.Error as exc:
                raise OutboxWriteError.of(exc, self.db_path.parent) from exc
            item = self._reread(row_id)
        if cursor.rowcount and item is not None:
            self._drop_kept(item)  # a held attachment kept its copy for a retry that will not come
            self._notify(item)
        return bool(cursor.rowcount)

    # -- reading ------------------------------------------------------------------------------------------

    def undelivered(self, incident_id: str | None = None) -> list[OutboxItem]:
        """The rows the platform refused or that another desk overtook (``failed``, ``conflict``) and the officer
        has not set aside (of one incident), oldest first, from memory (no database read)."""
        with self._pending_lock:
            rows = [item for item in self._undelivered.values()
                    if incident_id is None or _incident_of(item) == incident_id]
        return sorted(rows, key=lambda item: item.id)

    def sent_task_ids(self, incident_id: str) -> set[str]:
        """The ids of the platform's tasks this outbox's sent dispatches for ``incident_id`` made (each row's answer
        names its task): what tells a queued dispatch from an earlier one of the same unit and instructions. Reads
        the database: ask it only while a dispatch of the incident waits."""
        try:
            with self._db_lock:
                rows = self._db.execute(
                    "SELECT result FROM outbox WHERE kind = 'task' AND state = 'sent' AND result IS NOT NULL "
                    "AND json_extract(payload, '$.incident_id') = ?", (incident_id,)).fetchall()
        except sqlite3.Error as exc:  # a payload SQLite cannot parse (nested past its limit): none is known
            log.warning("outbox: sent dispatches of %s not read (%s)", incident_id, exc)
            return set()
        found = set()
        for (result,) in rows:
            with contextlib.suppress(ValueError, AttributeError):
                task_id = parse_json(result).get("id")
                if isinstance(task_id, str):
                    found.add(task_id)
        return found

    def undelivered_count(self) -> int:
        """How many rows :meth:`undelivered` lists, from memory."""
        with self._pending_lock:
            return len(self._undelivered)

    def get(self, row_id: int) -> OutboxItem | None:
        """One row by id."""
        with self._db_lock:
            row = self._db.execute("SELECT * FROM outbox WHERE id = ?", (row_id,)).fetchone()
        return _row_to_item(row) if row else None

    def items(self, state: OutboxState | str | None = None) -> list[OutboxItem]:
        """All rows (or those in one state), oldest first."""
        with self._db_lock:
            if state is None:
                rows = self._db.execute("SELECT * FROM outbox ORDER BY id").fetchall()
            else:
                rows = self._db.execute(
                    "SELECT * FROM outbox WHERE state = ? ORDER BY id", (OutboxState(state).value,)
                ).fetchall()
        return [_row_to_item(r) for r in rows]

    def pending(self, kind: str | None = None) -> list[OutboxItem]:
        """The rows still waiting to be sent (of one ``kind``), oldest first, from memory (no database read)."""
        with self._pending_lock:
            rows = [item for item in self._pending.values() if kind is None or item.kind == kind]
        return sorted(rows, key=lambda item: item.id)

    def pending_count(self) -> int:
        """How many rows still wait to be sent, from memory (no database read)."""
        with self._pending_lock:
            return len(self._pending)

    def add_listener(self, listener: Callable[[OutboxItem], None]) -> Callable[[], None]:
        """Call ``listener(item)`` (on the caller's or the worker's thread) whenever a row is added or
        changes; returns a function that unsubscribes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # -- worker -------------------------------------------------------------------------------------------

    def start(self) -> Outbox:
        """Start the sending thread; rows left pending by a previous run are sent first."""
        if self._thread is not None:
            raise RuntimeError("Outbox already started")
        try:
            self._clean_files()
        except (OSError, sqlite3.Error) as exc:
            log.warning("outbox: kept attachment files not cleaned (%s)", exc)
        self._wake.set()
        self._thread = threading.Thread(target=self._run, name="commandwall-outbox", daemon=True)
        self._thread.start()
        return self

    def retry_soon(self) -> None:
        """The platform answers again (its event stream is live): rows waiting out a retry's backoff are tried now,
        and the backoff starts over — after a long outage it had grown to its maximum (30 s)."""
        self._backoff.reset()
        self._retry_now.set()
        self._wake.set()  # an incident's held rows are due again too (the worker reads the flag)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker (a send in flight finishes or times out first) and close the database."""
        self._unlisten_epoch()
        self._stop.set()
        self._wake.set()
        self._retry_now.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("outbox worker did not stop within %.1f s", timeout)
                return  # it still uses the connection; leave it open
        with self._db_lock:
            self._db.close()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no row is pending (True) or ``timeout`` s pass (False)."""
        return self._idle.wait(timeout)

    def _note_epoch(self, _old: str, new: str) -> None:
        """The platform answered under data epoch ``new``: kept, so that what is queued before it is heard next
        time (a desk started during an outage) is queued under it (best effort: the disk may be full)."""
        if not new or new == self._epoch:
            return
        try:
            with self._db_lock:
                self._db.execute("INSERT OR REPLACE INTO outbox_meta (name, value) VALUES ('platform_epoch', ?)",
                                 (new,))
        except sqlite3.Error as exc:
            log.warning("outbox: the platform's data epoch not kept (%s)", exc)
        self._epoch = new

    def _went_back(self, item: OutboxItem) -> bool:
        """``item`` was queued under another data epoch than the platform answers with now (its data was reset or
        restored since, even across a restart of this desk): failed with :data:`PLATFORM_WENT_BACK` instead of
        sent, for the officer to check (the incident it names may now be another). A row queued under an epoch
        while this run has heard none yet asks the platform's health first (``BackendError`` when it cannot)."""
        if not item.platform_epoch:
            return False
        if not self._client.epoch.current:
            self._client.health()  # the answer's header says which epoch the platform is in
        now = self._client.epoch.current
        if not now or item.platform_epoch == now:
            return False
        log.warning("outbox row %s was queued under the platform's data epoch %s, which now is %s: held",
                    item.id, item.platform_epoch[:16], now[:16])
        self._finish(item.id, OutboxState.FAILED, code=PLATFORM_WENT_BACK,
                     error=f"held: queued under data epoch {item.platform_epoch[:16]}, the platform's is {now[:16]}")
        return True  # an attachment's kept copy stays: the officer may send it after all

    def _next_pending(self) -> OutboxItem | None:
        """Oldest pending row of an incident not held (see the module docstring); None when there is none. With
        no pending row at all, marks the outbox idle (under the lock enqueue takes).

        A pending row that cannot be read is marked ``failed`` (logged) and the next one is taken.
        """
        now = time.monotonic()
        held = {incident for incident, (_failures, due) in self._held.items() if due > now}
        with self._db_lock:
            rows = self._db.execute("SELECT * FROM outbox WHERE state = 'pending' ORDER BY id").fetchall()
            if not rows:
                self._idle.set()
                return None
            for row in rows:
                try:
                    item = _row_to_item(row)
                except (ValueError, TypeError, KeyError) as exc:
                    log.error("outbox row %s cannot be read (%s); marking it failed", row["id"], type(exc).__name__)
                    self._db.execute(
                        "UPDATE outbox SET state = 'failed', last_error = ?, error_code = ? WHERE id = ?",
                        (translate("backend", "无法读取的记录 ({error})").format(error=type(exc).__name__),
                         UNREADABLE_ROW, row["id"]),
                    )
                    self._reread(row["id"])
                    continue
                if _incident_of(item) not in held:
                    return item
            return None

    def _held_wait_s(self) -> float:
        """Seconds until the first held incident's row is due again (1 s at most: the worker looks again)."""
        now = time.monotonic()
        return min([1.0, *(due - now for _failures, due in self._held.values() if due > now)])

    def _hold(self, item: OutboxItem) -> float:
        """Hold ``item``'s incident for a backoff of its own; returns how long."""
        incident = _incident_of(item)
        failures = self._held.get(incident, (0, 0.0))[0] + 1
        delay = self._backoff.policy.delay_s(failures)
        self._held[incident] = (failures, time.monotonic() + delay)
        return delay

    def _run(self) -> None:
        """The worker: sends pending rows in order until ``stop()``; nothing else ends it."""
        while not self._stop.is_set():
            item: OutboxItem | None = None
            if self._retry_now.is_set():  # the platform answers again: held incidents are tried again too
                self._held.clear()
                self._retry_now.clear()
            try:
                if self._may_send is not None and not self._may_send() and self.pending_count():
                    self._retry_now.wait(1.0)  # retry_soon says when the platform is heard again
                    continue
                item = self._next_pending()
                if item is None:
                    self._wake.wait(self._held_wait_s())
                    self._wake.clear()
                    continue
                outcome = self._send(item)
            except Exception as exc:  # a bug or a database problem must not kill the worker and strand the queue
                where = f"sending row {item.id} ({item.kind})" if item is not None else "reading the queue"
                log.exception("outbox: unexpected error while %s", where)
                if item is not None:
                    error = translate("backend", "内部错误: {error}").format(error=type(exc).__name__)
                    self._record_error(item.id, error)
                outcome = _Outcome.RETRY_ALL
            if outcome is _Outcome.RETRY_ROW and item is not None:
                # the platform answers, and failed this row: its incident waits, the others' rows go on — unless
                # the row sent before failed so too: then the platform fails, and the whole queue waits as well
                delay = self._hold(item)
                log.info("outbox row %s not delivered; %s's rows wait %.1f s, the others go on", item.id,
                         _incident_of(item) or "-", delay)  # fmt: skip
                if not self._answered_failure:
                    self._answered_failure = True
                    continue
            if outcome is not _Outcome.DONE:
                self._answered_failure = outcome is _Outcome.RETRY_ROW
                delay = self._backoff.next_delay()
                log.info("outbox row %s not delivered, retrying in %.1f s", item.id if item else "-", delay)
                if self._retry_now.wait(delay) and not self._stop.is_set():
                    log.info("outbox: the platform answers again, retrying now")
            else:
                self._answered_failure = False
                self._backoff.reset()
                self._held.pop(_incident_of(item), None)

    def _record_error(self, row_id: int, error: str) -> None:
        """Note an unexpected failure on a row that stays pending (best effort: the database may be the
        problem)."""
        try:
            with self._db_lock:
                self._db.execute("UPDATE outbox SET last_error = ? WHERE id = ? AND state = 'pending'",
                                 (error, row_id))
                item = self._reread(row_id)
        except Exception:
            log.warning("outbox: could not record the error on row %s", row_id, exc_info=True)
            return
        if item is not None:
            self._notify(item)

    def _send(self, item: OutboxItem) -> _Outcome:
        """Send one row and record the outcome; says whether and how it is tried again."""
        problem = payload_problem(item.kind, item.payload)
        if problem is not None:  # written by another version, or damaged: sending can never work, and retrying
            log.error("outbox row %s cannot be sent: %s; marking it failed", item.id, problem)  # would block
            self._finish(item.id, OutboxState.FAILED,  # every row after it
                         error=translate("backend", "无法读取的记录 ({error})").format(error=problem),
                         code=UNREADABLE_ROW)
            self._drop_kept(item)
            return _Outcome.DONE
        try:
            if self._went_back(item):
                return _Outcome.DONE
        except BackendError as exc:  # the platform's health cannot be read: nor would the row be sent now
            log.info("outbox row %s: %s", item.id, exc)
            self._finish(item.id, OutboxState.PENDING, error=exc.summary)
            return _Outcome.RETRY_ALL
        with self._db_lock:  # counted before sending: a crash mid-send leaves attempts > 0
            self._db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (item.id,))
        # when the officer acted, by the platform's clock as the desk reads it: the timeline keeps it beside the
        # time the action arrived (they differ by the time it waited out an outage here)
        acted = item.created_at + timedelta(seconds=localtime.platform_offset_s())
        try:
            p = item.payload
            if item.kind == "task":
                task = self._client.create_task(p, item.idempotency_key, acted)
                result = task.model_dump(mode="json")
            elif item.kind == "note":
                entry = self._client.add_note(p["incident_id"], p["text"], item.idempotency_key, acted)
                result = entry.model_dump(mode="json")
            elif item.kind == "attachment":
                try:  # a regular file only: a named pipe there would hold the worker for ever
                    kept = self._kept.open(p.get("file"))
                except (OSError, ValueError) as exc:
                    lost = translate("backend", "附件文件已丢失 ({error})").format(error=type(exc).__name__)
                    self._finish(item.id, OutboxState.FAILED, error=lost, code=ATTACHMENT_LOST)
                    return _Outcome.DONE
                with kept:
                    entry = self._client.add_attachment(p["incident_id"], str(p["name"]), kept, item.idempotency_key,
                                                        acted)  # fmt: skip
                result = entry.model_dump(mode="json")
            else:
                incident = self._client.transition(
                    p["incident_id"], p["action"], int(p["version"]), p.get("note", ""), p.get("into"), acted
                )
                result = incident.model_dump(mode="json")
        except (BackendUnavailableError, AuthError) as exc:
            log.info("outbox row %s: %s", item.id, exc)  # the request and the classes; the row keeps the summary
            self._finish(item.id, OutboxState.PENDING, error=exc.summary)
            answered = exc.status is not None and not isinstance(exc, AuthError)
            return _Outcome.RETRY_ROW if answered else _Outcome.RETRY_ALL
        except StaleVersion as exc:
            current = exc.current.model_dump(mode="json") if exc.current else None
            # a resend (its answer lost, or the send cut): the timeline says whether the step went through, even
            # when other steps were made on the incident since (it is then past the step this row made)
            ours = item.attempts > 0 and self._made_here(item)
            if ours is None:  # the timeline cannot be read now: ask again later
                self._finish(item.id, OutboxState.PENDING, error=exc.message)
                return _Outcome.RETRY_ALL
            if ours:
                log.info("outbox row %s: transition had reached the server before; marking sent", item.id)
                self._finish(item.id, OutboxState.SENT, result=current)
            else:
                self._finish(item.id, OutboxState.CONFLICT, error=exc.message, result=current,
                             code=exc.code or "stale_version", status=exc.status)
            return _Outcome.DONE
        except BackendError as exc:
            if item.kind == "task" and exc.code == "deadline_in_past" and self._renew_deadline(item):
                return _Outcome.DONE  # sent again at once, the officer's time limit counted from now
            self._finish(item.id, OutboxState.FAILED, error=exc.message or str(exc), code=exc.code,
                         status=exc.status)
            self._drop_kept(item)  # refused (rights, size, a gone incident): sending it again changes nothing
            return _Outcome.DONE
        self._finish(item.id, OutboxState.SENT, result=result)
        self._drop_kept(item)  # the platform has it: the kept copy has done its job
        return _Outcome.DONE

    def _renew_deadline(self, item: OutboxItem) -> bool:
        """A dispatch the platform refused because its time limit (督办) had passed: it waited out an outage longer
        than the limit the officer gave. The limit is counted again from now — as long as the officer gave, from
        when it was queued — and the row is sent again under its Idempotency-Key: a refusal of this key and body
        means no earlier send made a task (one would have been returned). At most :data:`DEADLINE_RENEWALS` times
        a row, this process; False when the row has no deadline to renew (then it fails as refused)."""
        renewed = self._renewed.get(item.id, 0)
        deadline = item.payload.get("deadline")
        if renewed >= DEADLINE_RENEWALS or not isinstance(deadline, str):
            return False
        try:
            due = datetime.fromisoformat(deadline)
        except ValueError:
            return False
        if due.tzinfo is None:
            return False
        queued = item.created_at + timedelta(seconds=localtime.platform_offset_s())
        window = max(due - queued, MIN_DEADLINE_WINDOW)
        payload = {**item.payload, "deadline": (localtime.now() + window).isoformat()}
        with self._db_lock:
            self._db.execute("UPDATE outbox SET payload = ? WHERE id = ? AND state = 'pending'",
                             (json.dumps(payload, ensure_ascii=False, sort_keys=True), item.id))
            self._reread(item.id)
        self._renewed[item.id] = renewed + 1
        log.warning("outbox row %s: its time limit %s passed before it reached the platform; sent again with %s "
                    "(the %d s the officer gave, from now)", item.id, deadline, payload["deadline"],
                    window.total_seconds())  # fmt: skip
        return True

    def _made_here(self, item: OutboxItem) -> bool | None:
        """Whether the incident's timeline records this row's transition as made by this user from this desk
        with this note: the last entry of that action into its status. Another desk may have made the same
        step meanwhile (a 退回 with its own reason): then this row's action never happened, and taking it as
        sent would lose the officer's reason. None when the timeline cannot be read now."""
        p = item.payload
        target = TRANSITIONS[str(p["action"])][1]
        try:
            entries = self._client.timeline(str(p["incident_id"]))
        except BackendUnavailableError as exc:
            log.info("outbox row %s: timeline unavailable to check a lost answer (%s)", item.id, exc)
            return None
        except BackendError as exc:
            log.warning("outbox row %s: timeline refused (%s); taken as a conflict", item.id, exc)
            return False
        moves = [e for e in entries if e.kind is TimelineKind.TRANSITION and e.action == p["action"]
                 and e.to_status == target]  # fmt: skip
        if not moves:
            return False
        last = moves[-1]
        # made after this row was queued, by the platform's clock (an earlier round of the same step by this desk
        # — accepted, returned, accepted again — is not this row's)
        queued = item.created_at + timedelta(seconds=localtime.platform_offset_s()) - MADE_HERE_CLOCK_MARGIN
        return (last.actor == self._client.username and last.desk == self._client.desk_id
                and last.text == str(p.get("note", "")) and last.at >= queued)

    def _drop_kept(self, item: OutboxItem) -> None:
        """Delete an attachment row's kept copy once the row is settled (sent or refused)."""
        if item.kind != "attachment":
            return
        try:
            self._kept.path(item.payload.get("file")).unlink(missing_ok=True)
        except (OSError, ValueError) as exc:
            log.warning("outbox row %s: kept file not deleted (%s); the next start does", item.id, exc)

    def _finish(self, row_id: int, state: OutboxState, *, error: str | None = None, result: Any = None,
                code: str = "", status: int | None = None) -> None:
        with self._db_lock:
            self._db.execute(
                "UPDATE outbox SET state = ?, last_error = ?, result = ?, sent_at = ?, error_code = ?, "
                "error_status = ? WHERE id = ?",
                (
                    state.value,
                    error,
                    json.dumps(result, ensure_ascii=False) if result is not None else None,
                    _now() if state == OutboxState.SENT else None,
                    code or "",
                    status,
                    row_id,
                ),
            )
            item = self._reread(row_id)
        if item is not None:
            self._notify(item)

    def _reread(self, row_id: int) -> OutboxItem | None:
        """The row as it is now, the pending rows in memory kept in step with it (called under the database
        lock, right after the change). A row that cannot be read is left out of them (the worker fails it)."""
        row = self._db.execute("SELECT * FROM outbox WHERE id = ?", (row_id,)).fetchone()
        try:
            item = _row_to_item(row) if row is not None else None
        except (ValueError, TypeError, KeyError):
            item = None
        with self._pending_lock:
            if item is not None and item.state is OutboxState.PENDING:
                self._pending[row_id] = item
            else:
                self._pending.pop(row_id, None)
            if item is not None and item.undelivered:
                self._undelivered[row_id] = item
            else:
                self._undelivered.pop(row_id, None)
        return item

    def _notify(self, item: OutboxItem) -> None:
        for listener in list(self._listeners):
            try:
                listener(item)
            except Exception:
                log.exception("outbox listener %r failed", listener)


#: Times a dispatch's time limit is counted again from now after the platform refused it as past (see
#: ``Outbox._renew_deadline``), per row and process.
DEADLINE_RENEWALS = 3
#: The shortest time limit a renewed dispatch is given.
MIN_DEADLINE_WINDOW = timedelta(minutes=1)

#: How much earlier than its row was queued (by the platform's clock as the desk reads it) a timeline entry may be
#: dated and still be that row's step: the two clocks are read a few seconds apart.
MADE_HERE_CLOCK_MARGIN = timedelta(minutes=2)


class _Outcome(StrEnum):
    """What a send leaves to do."""

    DONE = "done"  # settled: sent, refused, a conflict
    RETRY_ROW = "retry_row"  # the platform answered with a failure it may get over (5xx, a wrong-shaped answer)
    RETRY_ALL = "retry_all"  # no answer (the platform is down), the token refused, a fault of the worker's own


def _incident_of(item: OutboxItem) -> str:
    """The incident a row acts on (the order kept between rows is per incident); "" for none."""
    incident = item.payload.get("incident_id") if isinstance(item.payload, Mapping) else None
    return incident if isinstance(incident, str) else ""
