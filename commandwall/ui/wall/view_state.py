"""The wall as a duty officer left it: tile count and the camera in each tile, kept per desk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings

from commandwall.domain.models import Camera
from commandwall.ui.wall.wall import WallView
from commandwall.video.layout import TILE_COUNTS


class WallViewState:
    """Reads and writes ``view.ini`` (INI format) in the desk's data folder."""

    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / "view.ini"

    def _settings(self) -> QSettings:
        return QSettings(str(self._path), QSettings.Format.IniFormat)

    def save(self, wall: WallView) -> None:
        """Remember the wall's tile count and the camera in each tile."""
        settings = self._settings()
        settings.setValue("wall/tiles", wall.tile_count())
        settings.setValue("wall/cameras", ",".join(c.id if c else "" for c in wall.cameras()))
        settings.sync()

    def restore(self, wall: WallView, camera_lookup: Callable[[str], Camera | None]) -> int | None:
        """Put the wall back as it was left; returns its tile count, or None if nothing usable was saved."""
        settings = self._settings()
        saved = str(settings.value("wall/cameras", "") or "")
        try:
            tiles = int(settings.value("wall/tiles", 0) or 0)
        except (TypeError, ValueError):
            tiles = 0
        if tiles not in TILE_COUNTS or not saved.strip(","):
            return None
        wall.set_tile_count(tiles)
        for index, camera_id in enumerate(saved.split(",")[:tiles]):
            camera = camera_lookup(camera_id) if camera_id else None
            if camera is not None:
                wall.play(camera, index)
        return tiles
