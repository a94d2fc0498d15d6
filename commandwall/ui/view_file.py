"""``view.ini``, the desk's view (walls, base map, window layout) in the data folder — read and written here.

The file keeps the INI layout Qt's settings write, so an older client's file reads here and this one's reads in
an older client; but Qt's reader never opens it (:mod:`commandwall.ui.ini_text` says why: a value written
``@Variant(…)`` would run code). Checking the file before Qt read it would not do: desks may share a data folder,
and Qt reads the file again at every save, after any check. A file that holds such a value, however it is
escaped, is set aside as ``view.ini.refused-<time>`` (an older client sharing the folder would run it) and said
once in the log; the desk starts with a fresh view.

Only a regular file is read or written: a named pipe in its place held the start for ever, and a link to a device
had the device replaced by a file when run with the rights to. Such a path is left alone: the session keeps its
view in a file of its own in the temporary folder, and says why once in the log. A save replaces the file whole
(a link in its place is replaced, not followed); the other values in it (other walls, other screen profiles'
layouts) are kept.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from commandwall.paths import read_small_file, set_aside, write_whole
from commandwall.ui.ini_text import (
    IniValue,
    decode_value,
    encode_value,
    holds_serialised_value,
    read_entries,
    write_entries,
)

log = logging.getLogger(__name__)
_said: set[tuple[str, Path]] = set()
#: far more than any view file holds (a few window layouts); a larger file is set aside, not read
MAX_VIEW_FILE_BYTES = 1 << 20


def read_view_file(path: Path) -> dict[str, IniValue]:
    """Every value kept in the view file ``path`` by its ``section/key``: text, a list of texts (commas outside
    quotes, as in Qt) or bytes — None for any other form. Empty when there is no usable file."""
    return {key: decode_value(raw) for key, raw in _entries(_usable(path)).items()}


def write_view_file(path: Path, values: Mapping[str, str | bytes]) -> None:
    """Keep ``values`` (``section/key`` → text or bytes) in the view file ``path``, with the values already in
    it. A file that cannot be written is said in the log (the view is then not kept)."""
    usable = _usable(path)
    entries = _entries(usable)
    entries.update((key, encode_value(value)) for key, value in values.items())
    try:
        write_whole(usable, write_entries(entries))
    except OSError as error:
        _say_once("unwritable", usable, "%s cannot be written (%s): this view is not kept", usable, error)


def _usable(path: Path) -> Path:
    """``path``, or a stand-in for this session when ``path`` exists and is no regular file."""
    try:
        usable = stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        usable = True  # made at the first save
    except OSError:
        usable = False
    if usable:
        return path
    stand_in = Path(tempfile.gettempdir()) / f"commandwall-{os.getpid()}-{path.name}"
    _say_once("irregular", path, "%s is no regular file: not read or written; this session keeps its view in %s",
              path, stand_in)
    return stand_in


def _entries(path: Path) -> dict[str, bytes]:
    """The values in the file as written (not yet read); empty when there is none or it is not kept."""
    try:
        data = read_small_file(path, MAX_VIEW_FILE_BYTES)
    except FileNotFoundError:
        return {}
    except ValueError:
        aside = set_aside(path)
        _say_once("large", path, "%s is larger than %d bytes: not read (kept as %s); the view starts fresh", path,
                  MAX_VIEW_FILE_BYTES, aside)
        return {}
    except OSError as error:
        _say_once("unreadable", path, "%s cannot be read (%s): the view starts fresh", path, error)
        return {}
    if holds_serialised_value(data):
        aside = set_aside(path, "refused")
        _say_once("refused", path, "%s holds a value Qt would read as an object of any type (@Variant, @DateTime): "
                  "not read (kept as %s); the view starts fresh", path, aside)
        return {}
    return read_entries(data)


def _say_once(reason: str, path: Path, message: str, *args: object) -> None:
    if (reason, path) not in _said:
        _said.add((reason, path))
        log.warning(message, *args)
