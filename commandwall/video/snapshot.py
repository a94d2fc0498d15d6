"""Snapshots (抓拍): where a tile's picture is saved and what is burned into it.

A snapshot is the newest decoded frame of a tile at the stream's own resolution (an anamorphic stream's widened
to its display aspect, as the tile shows it), with the camera's name and the time (display zone, see
:mod:`commandwall.localtime`) burned in along the bottom, saved as PNG in the data folder's ``snapshots/`` as
``<camera name>_<camera id>_<YYYYMMDD-HHMMSS>.png``. The Qt side draws and writes the picture; the names and the
text are decided here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from commandwall.i18n import translate
from commandwall.textsafe import safe_file_name

#: how many numbered alternatives are tried when a name is taken (two snapshots in one second)
MAX_SUFFIX = 99


def burn_in_text(camera_name: str, camera_id: str, when: datetime) -> str:
    """The line burned into the picture: name, id and time to the second."""
    return translate("wall", "{name}（{id}）  {time}").format(name=camera_name, id=camera_id,
                                                           time=f"{when:%Y-%m-%d %H:%M:%S}")


def _safe(part: str) -> str:
    return safe_file_name(part, "camera")


def snapshot_path(folder: Path, camera_name: str, camera_id: str, when: datetime) -> Path:
    """A free path in ``folder`` for a snapshot of ``camera_name`` taken at ``when`` (``_2``, ``_3`` … added
    when taken). ValueError after :data:`MAX_SUFFIX` tries."""
    stem = f"{_safe(camera_name)}_{_safe(camera_id)}_{when:%Y%m%d-%H%M%S}"
    for n in range(1, MAX_SUFFIX + 1):
        path = folder / (f"{stem}.png" if n == 1 else f"{stem}_{n}.png")
        if not path.exists():
            return path
    raise ValueError(f"too many snapshots named {stem} in {folder}")
