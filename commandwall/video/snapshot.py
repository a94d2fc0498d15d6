"""Snapshots (抓拍): where a tile's picture is saved and what is burned into it.

A snapshot is the newest decoded frame of a tile at the stream's own resolution (an anamorphic stream's widened
to its display aspect, as the tile shows it), with the camera's name and the time (display zone, see
:mod:`commandwall.localtime`) burned in along the bottom, saved as PNG in the data folder's ``snapshots/`` as
``<camera name>_<camera id>_<YYYYMMDD-HHMMSS>.png``. The Qt side draws and encodes the picture; the names, the
text and the writing of the file are decided here.

A file name fits the file system as a whole (255 bytes, the ``_99`` and ``.png`` included): a long camera name is
cut first, at a character boundary, so the id and the time stay whole. A snapshot is written to a temporary
file in the same folder and appears under its name only once whole, never over an existing snapshot: a full
disk or any other write error leaves no cut or empty picture behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from datetime import datetime
from pathlib import Path

from commandwall.i18n import translate
from commandwall.textsafe import display_text, safe_file_name


def burn_in_text(camera_name: str, camera_id: str, when: datetime) -> str:
    """The line burned into the picture: name, id and time to the second. A name holding right-to-left text is
    isolated (FSI … PDI): it cannot carry the id and the time after it into its own direction."""
    name = display_text(camera_name, None, isolate=True)
    return translate("wall", "{name}（{id}）  {time}").format(name=name, id=camera_id,
                                                           time=f"{when:%Y-%m-%d %H:%M:%S}")


#: how many numbered alternatives are tried when a name is taken (two snapshots in one second)
MAX_SUFFIX = 99
#: the longest file name in UTF-8 bytes: what ext4, XFS, Btrfs and tmpfs take (NTFS and exFAT take 255 UTF-16
#: units, which a name of 255 UTF-8 bytes never exceeds); a file system reporting less is believed
NAME_MAX_BYTES = 255
EXTENSION = ".png"
#: how much of the camera name a file name keeps before the camera id is cut (only where a file system takes
#: far shorter names than 255 bytes)
NAME_KEPT_BYTES = 30
#: errors of a file system without hard links (FAT, exFAT, some network shares)
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS})
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
#: a temporary file's name: hidden on Linux, never taken for a snapshot (not ``.png``)
_TEMP_PREFIX, _TEMP_SUFFIX = ".snapshot-", ".part"


def _safe(part: str) -> str:
    return safe_file_name(part, "camera")


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, max_bytes: int) -> str:
    """``text`` cut at a character boundary to at most ``max_bytes`` UTF-8 bytes."""
    return text.encode("utf-8")[: max(0, max_bytes)].decode("utf-8", "ignore")


def name_max(folder: Path) -> int:
    """The longest file name ``folder``'s file system takes, in bytes (at most :data:`NAME_MAX_BYTES`)."""
    try:
        reported = os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # Windows has no pathconf
        return NAME_MAX_BYTES
    return min(NAME_MAX_BYTES, reported) if reported > 0 else NAME_MAX_BYTES


def snapshot_names(camera_name: str, camera_id: str, when: datetime, max_bytes: int = NAME_MAX_BYTES) -> list[str]:
    """The file names a snapshot of ``camera_name`` taken at ``when`` may have, in the order they are tried:
    ``<name>_<id>_<YYYYMMDD-HHMMSS>.png``, then ``…_2.png`` to ``…_99.png``; each at most ``max_bytes`` UTF-8
    bytes, the camera name cut first (then, only for a far shorter ``max_bytes``, the id), never the time."""
    time = f"{when:%Y%m%d-%H%M%S}"
    name, ident = _safe(camera_name), _safe(camera_id)
    room = max_bytes - _utf8_len(f"_{MAX_SUFFIX}{EXTENSION}") - len(time) - 2  # for name and id
    ident = _cut(ident, room - min(_utf8_len(name), NAME_KEPT_BYTES))
    name = _cut(name, room - _utf8_len(ident))
    stem = f"{name}_{ident}_{time}"
    return [f"{stem}{EXTENSION}" if n == 1 else f"{stem}_{n}{EXTENSION}" for n in range(1, MAX_SUFFIX + 1)]


class NamesTakenError(ValueError):
    """Every name a snapshot may have (:data:`MAX_SUFFIX` of them) is taken."""


def write_snapshot(folder: Path, camera_name: str, camera_id: str, when: datetime, data: bytes) -> Path:
    """Write ``data`` (the encoded picture) as a new snapshot in ``folder`` (which exists) under the first free
    name of :func:`snapshot_names`; returns its path.

    The bytes go to a temporary file in ``folder`` first (created exclusively, synced), which then takes the
    name without replacing anything there; on any failure the temporary is removed and nothing new is left.
    :class:`NamesTakenError` when every name is taken; the OSError of the file system otherwise (``ENOSPC`` on a
    full disk, ``ENAMETOOLONG`` for a path longer than the system takes …).
    """
    names = snapshot_names(camera_name, camera_id, when, name_max(folder))
    temp = _write_temporary(folder, data)
    try:
        for name in names:
            path = folder / name
            try:
                _place(temp, path)
            except FileExistsError:
                continue
            return path
        raise NamesTakenError(f"too many snapshots named {names[0]} in {folder}")
    finally:
        with contextlib.suppress(OSError):  # gone already when it was renamed into place
            temp.unlink()


def _write_temporary(folder: Path, data: bytes) -> Path:
    """A new file in ``folder`` holding all of ``data``, on disk; nothing left when that fails."""
    for _ in range(10):
        temp = folder / f"{_TEMP_PREFIX}{secrets.token_hex(6)}{_TEMP_SUFFIX}"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o666)
        except FileExistsError:
            continue
        break
    else:
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)  # a network file system may say only here that the data did not fit
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return temp


def _place(temp: Path, path: Path) -> None:
    """Give ``temp``'s file the name ``path``; FileExistsError (and nothing changed) when ``path`` exists."""
    if os.name == "nt":
        os.rename(temp, path)  # never replaces on Windows
        return
    try:
        os.link(temp, path)  # fails when path exists: an exclusive rename
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        # no hard links here: take the name with an empty file of our own, then move the picture onto it
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o666))
        try:
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                path.unlink()
            raise
