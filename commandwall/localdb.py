"""The desk's own SQLite files (its outboxes, the last known state): what may be opened, and what a failure means.

``sqlite3.connect`` opens whatever bears the name. A named pipe there waits for ever (the start-up thread held,
the desk empty with no word); a folder fails as "unable to open". :func:`connect_local` opens regular files only
(or makes a new one): the database and its journals (``-wal``, ``-shm``, ``-journal``) are looked at first, and
anything else raises :class:`NotARegularDatabaseError` — a ``sqlite3.DatabaseError``, so that a caller's handler
for a file that is no database takes it too.

:func:`trouble` sorts what opening or using such a file raised:

- ``LOCKED``: another process holds it (a backup, the ``sqlite3`` shell): wait and try again;
- ``STORAGE``: the disk or the folder — full, read-only, no permission, an I/O error — nothing is wrong with the
  file itself, and setting it aside would not help (nor work, often);
- ``UNUSABLE``: not a database, damaged, tables of another shape, not a regular file: set it aside
  (:func:`set_aside_database`, its journals with it) and begin again.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from enum import StrEnum
from pathlib import Path
from typing import Any

from commandwall.paths import read_only_sqlite_uri, set_aside

#: The files SQLite keeps beside a database: they belong to it (a new file beside an old ``-wal`` would take the
#: old one's pages in).
JOURNAL_SUFFIXES = ("-wal", "-shm", "-journal")


class UnusableDatabaseError(sqlite3.DatabaseError):
    """A local database the desk cannot use as it is (tables of another shape, not a regular file)."""


class NotARegularDatabaseError(UnusableDatabaseError):
    """The path of a local database (or of one of its journals) names a folder, a named pipe or a device."""


class Trouble(StrEnum):
    """What a failure of a local database means for the desk (see the module docstring)."""

    LOCKED = "locked"
    STORAGE = "storage"
    UNUSABLE = "unusable"


#: SQLite's primary result codes (``sqlite_errorcode & 0xFF``) that say another connection holds the file.
_LOCKED_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
#: Those that say the disk, the folder or the system failed, not the file's content.
_STORAGE_CODES = frozenset({sqlite3.SQLITE_PERM, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR,
                            sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL,
                            sqlite3.SQLITE_NOLFS, sqlite3.SQLITE_AUTH, sqlite3.SQLITE_INTERRUPT})


def check_regular(path: Path) -> None:
    """Raise :class:`NotARegularDatabaseError` when ``path`` or one of its journals exists and is not a regular
    file (a link is followed); what does not exist, or cannot be looked at, is left to SQLite."""
    for candidate in (path, *(path.with_name(path.name + suffix) for suffix in JOURNAL_SUFFIXES)):
        try:
            mode = os.stat(candidate).st_mode
        except OSError:
            continue
        if not stat.S_ISREG(mode):
            raise NotARegularDatabaseError(f"{candidate.name} is not a regular file")


def connect_local(path: Path, *, read_only: bool = False, timeout: float = 5.0, **options: Any) -> sqlite3.Connection:
    """``sqlite3.connect`` to the desk's own database at ``path`` (``read_only``: never written, nor made), once
    :func:`check_regular` has passed; ``options`` go to ``sqlite3.connect``."""
    check_regular(path)
    if read_only:
        return sqlite3.connect(read_only_sqlite_uri(path), uri=True, timeout=timeout, **options)
    return sqlite3.connect(path, timeout=timeout, **options)


def trouble(error: BaseException) -> Trouble:
    """What ``error`` (raised opening or using a local database) means: see :class:`Trouble`."""
    if isinstance(error, UnusableDatabaseError):
        return Trouble.UNUSABLE
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:  # not from SQLite itself
        plain = isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError)
        return Trouble.UNUSABLE if plain else Trouble.STORAGE
    if code & 0xFF in _LOCKED_CODES:
        return Trouble.LOCKED
    if code & 0xFF in _STORAGE_CODES:
        return Trouble.STORAGE
    return Trouble.UNUSABLE


def set_aside_database(path: Path, why: str = "broken") -> Path | None:
    """Rename the database at ``path`` as :func:`paths.set_aside` does, and its journals with it (else a new file
    under the name would read the old one's journal); the new path of the database, or None when it could not be
    renamed (then nothing was)."""
    aside = set_aside(path, why)
    if aside is None:
        return None
    for suffix in JOURNAL_SUFFIXES:
        journal = path.with_name(path.name + suffix)
        if os.path.lexists(journal):
            set_aside(journal, why)
    return aside
