"""The map as a duty officer left it, kept per desk in ``view.ini`` (INI format) in the data folder: the base map."""

from __future__ import annotations

from pathlib import Path

from commandwall.ui.view_file import read_view_file, write_view_file


class MapViewState:
    """Reads and writes the chosen base map's id (``map/base_map``) in ``view.ini``."""

    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / "view.ini"

    def save_base_map(self, base_map_id: str) -> None:
        """Remember the base map the officer picked."""
        write_view_file(self._path, {"map/base_map": base_map_id})

    def base_map(self) -> object:
        """The saved base map id, as stored (None when nothing is)."""
        return read_view_file(self._path).get("map/base_map")
