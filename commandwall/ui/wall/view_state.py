"""The walls as a duty officer left them, kept per desk in ``view.ini`` (INI format) in the data folder.

Wall 1 is kept where a one-wall desk always kept its wall (``wall/tiles``, ``wall/cameras``), so an older file
reads as wall 1 and an older client still finds wall 1; walls 2, 3 … of a desk with several wall screens are
``wall2/…``, ``wall3/…``. Only the file is here; what the saved values mean is ``WallController.saved_wall``'s
rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from commandwall.ui.view_file import read_view_file, write_view_file
from commandwall.video.presets import MAX_WALLS


def _group(number: int) -> str:
    return "wall" if number == 1 else f"wall{number}"


class WallViewState:
    """Reads and writes each wall's layout and its cameras (as ``WallController.wall_to_save`` writes them) in
    ``view.ini``."""

    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / "view.ini"

    def save_walls(self, walls: Sequence[tuple[str, str]]) -> None:
        """Remember walls 1, 2 … (layout key, camera ids each). Walls saved earlier beyond these are kept: a
        wall screen missing today keeps its wall for the day it is back."""
        values = {}
        for number, (layout, camera_ids) in enumerate(walls[:MAX_WALLS], start=1):
            values[f"{_group(number)}/tiles"] = layout
            values[f"{_group(number)}/cameras"] = camera_ids
        write_view_file(self._path, values)

    def load_walls(self) -> list[tuple[object, object]]:
        """Every saved wall's layout and camera ids, wall 1 first, up to the first wall never saved."""
        saved = read_view_file(self._path)
        walls = []
        for number in range(1, MAX_WALLS + 1):
            layout = saved.get(f"{_group(number)}/tiles")
            if layout is None:
                break
            walls.append((layout, saved.get(f"{_group(number)}/cameras")))
        return walls
