"""The map as a duty officer left it, kept per desk in ``view.ini`` (INI format) in the data folder: the base map."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from commandwall.ui.view_file import view_settings


class MapViewState:
    """Reads and writes the chosen base map's id (``map/base_map``) in ``view.ini``."""

    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / "view.ini"

    def _settings(self) -> QSettings:
        return view_settings(self._path)

    def save_base_map(self, base_map_id: str) -> None:
        """Remember the base map the officer picked."""
        settings = self._settings()
        settings.setValue("map/base_map", base_map_id)
        settings.sync()

    def base_map(self) -> object:
        """The saved base map id, as stored (None when nothing is)."""
        return self._settings().value("map/base_map", None)
