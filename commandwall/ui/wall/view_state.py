"""The wall as a duty officer left it, kept per desk in ``view.ini`` (INI format) in the data folder.

Only the file is here; what the saved values mean is ``WallController.saved_wall``'s rule.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings


class WallViewState:
    """Reads and writes the wall's layout and its cameras (comma-separated ids) in ``view.ini``."""

    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / "view.ini"

    def _settings(self) -> QSettings:
        return QSettings(str(self._path), QSettings.Format.IniFormat)

    def save(self, layout: str, camera_ids: str) -> None:
        """Remember the layout key and the camera in each tile."""
        settings = self._settings()
        settings.setValue("wall/tiles", layout)
        settings.setValue("wall/cameras", camera_ids)
        settings.sync()

    def load(self) -> tuple[object, object]:
        """The saved layout (a tile count in older files) and camera ids, as stored (None where nothing is)."""
        settings = self._settings()
        return settings.value("wall/tiles", None), settings.value("wall/cameras", None)
