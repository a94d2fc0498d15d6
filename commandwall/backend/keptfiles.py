"""The outbox's copies of attachments waiting to be sent (one file per queued row, named by its key).

A copy is written as ``<random>.part``, flushed to disk and only then renamed to its final name (and the rename
flushed), so a file under a final name is always whole; the outbox inserts the row naming it after that and
deletes the file once the row is sent. Whatever a kill leaves behind — a ``.part``, a file no row names, a file
of a sent row — :meth:`KeptFiles.clean` removes at the next start. Names are only ever the ones made here: a
row's ``file`` that is not a plain name in the folder is refused, never followed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import uuid
from collections.abc import Collection
from pathlib import Path
from typing import BinaryIO

from commandwall.paths import NotARegularFileError

log = logging.getLogger(__name__)


class AttachmentTooLargeError(ValueError):
    """The file is larger than the platform takes (``MAX_ATTACHMENT_BYTES``): it is not queued."""


class KeptFiles:
    """The folder of kept attachment copies beside an outbox database."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def name_for(key: str) -> str:
        """The kept file's name for an Idempotency-Key (hashed: a key may hold any printable character)."""
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def copy_in(self, source: Path, max_bytes: int) -> tuple[Path, int, str]:
        """Copy ``source`` to a fresh ``.part`` file, flushed to disk: (its path, size, SHA-256 hex). The caller
        settles or deletes it. ``AttachmentTooLargeError`` above ``max_bytes`` (nothing left behind)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        part = self.folder / f"{uuid.uuid4().hex}.part"
        digest, size = hashlib.sha256(), 0
        try:
            with source.open("rb") as src, part.open("wb") as dst:
                while chunk := src.read(1 << 20):
                    size += len(chunk)
                    if size > max_bytes:
                        raise AttachmentTooLargeError(f"{source.name}: larger than {max_bytes} bytes")
                    digest.update(chunk)
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return part, size, digest.hexdigest()

    def settle(self, part: Path, name: str) -> None:
        """Give a copied ``.part`` its final ``name`` (atomic rename, flushed to disk)."""
        os.replace(part, self.path(name))
        if os.name == "posix":  # Windows has no directory handles and needs none
            fd = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def path(self, name: object) -> Path:
        """The kept file called ``name``; ValueError for anything but a plain name made by :meth:`name_for`."""
        text = str(name or "")
        if not text or text != Path(text).name or text.startswith("."):
            raise ValueError("not a kept file name")
        return self.folder / text

    def open(self, name: object) -> BinaryIO:
        """The kept file called ``name``, open for reading. Only a regular file is opened: a named pipe put there
        (whose read would wait for ever) or a device raises :class:`NotARegularFileError` (an ``OSError``), looked
        at on the open file, never waited on; ValueError as for :meth:`path`; OSError when it cannot be opened."""
        path = self.path(name)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_NOCTTY", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise NotARegularFileError(f"{path.name} is not a regular file")
            if hasattr(os, "set_blocking"):
                os.set_blocking(fd, True)
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise

    def clean(self, wanted: Collection[str]) -> int:
        """Delete everything in the folder but the files named in ``wanted`` (and folders); returns how many."""
        if not self.folder.is_dir():
            return 0
        removed = 0
        for path in self.folder.iterdir():
            if path.name in wanted or (path.is_dir() and not path.is_symlink()):
                continue
            path.unlink(missing_ok=True)  # a named pipe is removed unopened, like a file
            removed += 1
        if removed:
            log.info("outbox: %d kept attachment file(s) no queued row needs were deleted", removed)
        return removed
