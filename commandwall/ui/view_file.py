"""``view.ini``, the desk's view settings file, opened as Qt settings — only when it is a file.

Qt reads an INI file whatever the path names and saves by writing a new file and renaming it over the old one,
following a symbolic link: a named pipe in its place held the start for ever, and a link to a device had the
device replaced by a file when run with the rights to. Such a path is left alone: the session keeps its view in a
file of its own in the temporary folder, and says why once in the log.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings

log = logging.getLogger(__name__)
_said: set[Path] = set()


def view_settings(path: Path) -> QSettings:
    """Qt settings (INI) on ``path``, or on a stand-in for this session when ``path`` exists and is no regular
    file (a folder, a named pipe, a device, or a link to one)."""
    try:
        usable = stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        usable = True  # made at the first save
    except OSError:
        usable = False
    if not usable:
        stand_in = Path(tempfile.gettempdir()) / f"commandwall-{os.getpid()}-{path.name}"
        if path not in _said:
            _said.add(path)
            log.warning("%s is no regular file: not read or written; this session keeps its view in %s", path,
                        stand_in)
        path = stand_in
    return QSettings(str(path), QSettings.Format.IniFormat)
