"""The last known state (最后已知状态): incidents, tasks, units and cameras kept in a local SQLite file, so a
client started while the platform is down still shows what it last knew — marked as not live (a camera's status
read back is ``unknown``: nobody knows whether it is online now).

One file per platform and user in the data folder (``lastknown-<platform>-<user>.sqlite3``, the same scope
as the outbox). :class:`LastKnownWriter` follows the stores and writes what changed in one transaction
about once a second on its own thread (a burst of 200 incidents a second is a handful of transactions, never
work on the GUI thread); :func:`load_last_known` reads it back. The file holds each object's JSON as the
platform sent it — but a camera's stream URLs without credentials or secret query parameters (``redact``): a
camera password is never written to this file; a row that no longer parses is skipped and named in the log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, ValidationError

from commandwall.app.store import Coalescer, Stores
from commandwall.backend.http import redact
from commandwall.backoff import Backoff
from commandwall.domain.models import Camera, CameraStatus, Incident, Task, Unit
from commandwall.localdb import connect_local, set_aside_database
from commandwall.localjson import parse_json

log = logging.getLogger(__name__)

#: Seconds between two writes of what changed.
WRITE_INTERVAL_S = 1.0
#: How long a write waits (s) for a file another process holds locked before it tries again at the next write.
LOCK_WAIT_S = 5.0
#: The longest pause (s) between two tries of a write that keeps failing (the file locked, the disk full).
RETRY_MAX_S = 60.0
_KINDS: dict[str, type[BaseModel]] = {"incidents": Incident, "tasks": Task, "units": Unit, "cameras": Camera}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS incidents (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cameras (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
"""


def last_known_path(data_dir: Path, base_url: str, exercise: bool, username: str) -> Path:
    """Where the last known state of ``username`` on the platform at ``base_url`` is kept."""
    scope = "exercise" if exercise else hashlib.sha1(base_url.rstrip("/").encode()).hexdigest()[:12]
    user = hashlib.sha1(username.encode()).hexdigest()[:8]
    return data_dir / f"lastknown-{scope}-{user}.sqlite3"


@dataclass
class LastKnown:
    """What a last-known-state file held: the objects and when they were last written (UTC); the cameras'
    status is ``unknown`` (not live)."""

    saved_at: datetime
    incidents: list[Incident] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    cameras: list[Camera] = field(default_factory=list)
    #: The roles the platform gave the user when it was saved (None: written before roles were kept), so a desk
    #: started during an outage knows what its user may queue; and his display name ("" if not kept).
    roles: list[str] | None = None
    display_name: str = ""


def load_last_known(path: Path) -> LastKnown | None:
    """Read a last-known-state file; None if there is none or it cannot be read (logged)."""
    if not path.is_file():
        return None
    try:  # a regular file only (a named pipe in its place is never opened: its read would wait for ever)
        with closing(connect_local(path, read_only=True, timeout=2)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'saved_at'").fetchone()
            if row is None:
                return None
            saved_at = datetime.fromisoformat(row[0])
            if saved_at.tzinfo is None:  # this client writes UTC with its offset; a bare time is read as UTC
                saved_at = saved_at.replace(tzinfo=timezone.utc)  # noqa: UP017
            found = LastKnown(saved_at=saved_at)
            found.roles, found.display_name = _read_user(db)
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for table, model in _KINDS.items():
                if table not in tables:  # written before this kind was kept
                    continue
                items = getattr(found, table)
                for item_id, doc in db.execute(f"SELECT id, doc FROM {table}"):
                    try:
                        items.append(model.model_validate_json(doc))
                    except ValidationError:
                        log.warning("%s: %s row %r unreadable, skipped", path.name, table, item_id)
    except (sqlite3.Error, ValueError, TypeError, RecursionError) as exc:  # TypeError: a saved_at that is not text
        log.warning("last known state %s unreadable: %s", path.name, exc)
        return None
    found.cameras = [camera.model_copy(update={"status": CameraStatus.UNKNOWN}) for camera in found.cameras]
    return found


def _read_user(db: sqlite3.Connection) -> tuple[list[str] | None, str]:
    """The roles (None when not kept, or unreadable) and display name kept in a last-known-state file's meta."""
    kept = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('roles', 'display_name')").fetchall())
    roles: list[str] | None = None
    try:
        value = parse_json(kept["roles"]) if isinstance(kept.get("roles"), str) else None
    except (ValueError, TypeError):  # not JSON (nested past what can be read …), not text
        value = None
    if isinstance(value, list) and all(isinstance(role, str) for role in value):
        roles = value
    name = kept.get("display_name")
    return roles, name if isinstance(name, str) else ""


def _without_secrets(camera: Camera) -> Camera:
    """``camera`` with its stream URLs redacted (no ``user:password@``, no token in the query)."""
    streams = camera.streams.model_copy(update={"main": redact(camera.streams.main), "sub": redact(camera.streams.sub)})
    return camera.model_copy(update={"streams": streams})


class LastKnownWriter:
    """Follows ``stores`` and writes their incidents, tasks, units and cameras to ``path`` in batches.

    ``start()`` subscribes and writes the stores' current contents; after that only what changed is written,
    every ``interval_s``. A snapshot (``replace_all``) rewrites its table. ``stop()`` writes what is left,
    unsubscribes and closes the file.

    A write that fails (another process holds the file locked, the disk is full) loses nothing: what it took goes
    back to the queue — behind anything newer that came meanwhile — and is written at a later try, the pause
    between tries growing up to :data:`RETRY_MAX_S`. The file's ``saved_at`` is written in the same transaction as
    the objects, so it never says a time newer than what the file holds.
    """

    def __init__(self, path: Path, stores: Stores, interval_s: float = WRITE_INTERVAL_S, *,
                 roles: Sequence[str] | None = None, display_name: str = "") -> None:
        self.path = path
        #: The user's roles and display name, kept with each write (read back as ``LastKnown.roles``).
        self.roles = None if roles is None else sorted(roles)
        self.display_name = display_name
        self.stores = stores
        self.interval_s = interval_s
        self._pending = {table: Coalescer() for table in _KINDS}
        self._snapshots: dict[str, list[BaseModel]] = {}
        self._lock = threading.Lock()
        self._unsubscribe: list = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.writes = 0  # transactions written (for tests and the log)
        self._ready = False  # the file's tables exist
        self._said = False  # that it cannot be written now was logged
        #: the pause between the tries of a write that keeps failing, and how many failed in a row
        self._retry = Backoff(initial_s=max(interval_s, 0.5) * 2, maximum_s=max(RETRY_MAX_S, interval_s))
        self.failures = 0

    def start(self) -> LastKnownWriter:
        """Subscribe to the stores, write what they hold now and start the writer thread."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._ready = self._make_schema()
        for table in _KINDS:
            store = getattr(self.stores, table)
            self._unsubscribe.append(store.add_listener(self._pending[table].add))
            self._unsubscribe.append(store.add_reset_listener(lambda items, t=table: self._snapshot(t, items)))
            self._snapshot(table, store.all())
        self._thread = threading.Thread(target=self._run, name="lastknown-writer", daemon=True)
        self._thread.start()
        return self

    def _make_schema(self) -> bool:
        """Create the tables; True when the file can be written. It is only a cache: a file that is no database
        (damaged, cut short, another program's) is set aside as ``*.broken-<time>`` and begun again; one another
        process holds locked is tried again at the next write. Never raises (the desk works without it)."""
        try:  # a named pipe or a folder in its place is no database (never opened): set aside like one
            with closing(connect_local(self.path, timeout=LOCK_WAIT_S)) as db, db:
                db.executescript(_SCHEMA)
            return True
        except sqlite3.OperationalError as exc:  # locked, no room, no permission: maybe better at the next write
            log.log(logging.DEBUG if self._said else logging.WARNING, "last known state %s not writable now: %s",
                    self.path.name, exc)
            self._said = True
            return False
        except sqlite3.DatabaseError as exc:
            aside = set_aside_database(self.path)
            log.warning("last known state %s is no usable database (%s): set aside as %s, begun again",
                        self.path.name, exc, aside.name if aside else "(could not be renamed)")
            try:
                with closing(connect_local(self.path, timeout=LOCK_WAIT_S)) as db, db:
                    db.executescript(_SCHEMA)
                return True
            except sqlite3.Error as again:
                log.warning("last known state not kept this session: %s", again)
                return False

    def _snapshot(self, table: str, items: list[BaseModel]) -> None:
        with self._lock:
            self._snapshots[table] = list(items)
            self._pending[table].take()  # the snapshot already holds them

    def _run(self) -> None:
        delay = self.interval_s
        while not self._stop.wait(delay):
            self.flush()
            failures = self.failures or (0 if self._ready else 1)
            delay = self._retry.delay_s(failures) if failures else self.interval_s

    def flush(self) -> int:
        """Write what changed since the last write, in one transaction; returns how many objects (0 also when the
        file cannot be written now: nothing is lost, the next flush tries again)."""
        with self._lock:
            waiting = bool(self._snapshots) or any(len(pending) for pending in self._pending.values())
        if not waiting:
            return 0
        if not self._ready:  # nothing is taken from the queues until the file can be written
            self._ready = self._make_schema()
            if not self._ready:
                return 0
        with self._lock:
            snapshots, self._snapshots = self._snapshots, {}
            changed = {table: pending.take() for table, pending in self._pending.items()}
        count = sum(len(items) for items in snapshots.values()) + sum(len(items) for items in changed.values())
        if not count:
            return 0
        try:
            with closing(connect_local(self.path, timeout=LOCK_WAIT_S)) as db, db:
                for table, items in snapshots.items():
                    db.execute(f"DELETE FROM {table}")
                    self._write(db, table, items)
                for table, items in changed.items():
                    self._write(db, table, items)
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('saved_at', ?)",
                           (datetime.now(timezone.utc).isoformat(),))  # noqa: UP017
                if self.roles is not None:
                    db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                   [("roles", json.dumps(self.roles)), ("display_name", self.display_name)])
        except sqlite3.Error as exc:
            self._put_back(snapshots, changed)
            log.log(logging.DEBUG if self.failures else logging.WARNING,
                    "last known state not written (%s): %s; tried again later", self.path.name, exc)
            self.failures += 1
            return 0
        if self.failures:
            log.info("last known state %s written again after %d failed tries", self.path.name, self.failures)
            self.failures = 0
        self.writes += 1
        return count

    def _put_back(self, snapshots: dict[str, list[BaseModel]], changed: dict[str, list[BaseModel]]) -> None:
        """What a failed write took goes back to the queues, for the next: a table's snapshot unless a newer one
        came meanwhile (then its changes too are covered by the newer), a changed object unless a newer copy of
        it came meanwhile."""
        with self._lock:
            for table in _KINDS:
                if table in snapshots:
                    if table in self._snapshots:  # a newer snapshot replaces this one and what changed after it
                        continue
                    self._snapshots[table] = snapshots[table]
                elif table in self._snapshots:  # the newer snapshot holds these changes (or newer) already
                    continue
                self._pending[table].put_back(changed.get(table, []))

    def _write(self, db: sqlite3.Connection, table: str, items: list[BaseModel]) -> None:
        if table == "cameras":
            items = [_without_secrets(camera) for camera in items]  # type: ignore[arg-type]
        elif table == "incidents":  # as the platform reported them: placed again when read back
            items = [self.stores.incidents.as_reported(incident) for incident in items]  # type: ignore[arg-type]
        db.executemany(f"INSERT OR REPLACE INTO {table} (id, doc) VALUES (?, ?)",
                       [(item.id, item.model_dump_json()) for item in items])  # type: ignore[attr-defined]

    def stop(self) -> None:
        """Write what is left, stop following the stores and end the thread."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.flush()
