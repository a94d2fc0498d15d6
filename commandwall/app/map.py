"""The map's rules (地图), without Qt: which layers feed which overlay, where a camera is, and how often the
many-point layers are redrawn.

The map page itself is built by ``mapdoc`` and shown by ``ui/map``; this controller only decides *what* goes
on it from the session's layers and stores.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from commandwall.app.session import ClientSession
from commandwall.domain.models import Camera, Unit

#: How often (ms) moving units and camera states are redrawn at most: a thousand points per second is enough.
REDRAW_INTERVAL_MS = 1000


class MapController:
    """What the district map shows, from the session's layers and stores."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session
        self._lock = threading.Lock()
        self._cameras_dirty = False
        self._units_dirty = False

    @staticmethod
    def layer_report(errors: list[str]) -> str | None:
        """The duty officer's line about layers that did not load (None when all did)."""
        return "部分图层未加载：" + "；".join(errors) if errors else None

    def resources(self) -> list[Mapping[str, Any]] | None:
        """The emergency resources (应急资源) features, if the platform has such a layer."""
        layer = next((layer for layer in self.session.layers if layer.kind == "resources"), None)
        return list(layer.features) if layer is not None else None

    def grid_names(self) -> dict[str, str]:
        """Grid cell id → its name (临城街道第03网格), from the grids layer (empty without one)."""
        grids = next((layer for layer in self.session.layers if layer.kind == "grids"), None)
        if grids is None:
            return {}
        return {str(f["properties"].get("id")): str(f["properties"].get("name")) for f in grids.features}

    def camera_position(self, camera_id: str) -> tuple[float, float] | None:
        """Where to fly to for a camera (lon, lat), or None if the platform does not know it."""
        camera = self.session.cameras.get(camera_id)
        return (camera.lon, camera.lat) if camera is not None else None

    # --- redraws of the many-point layers, at most once per interval -----------------------------------------
    def note_camera_change(self) -> None:
        """A camera changed (status): its layer is redrawn at the next :meth:`take_redraws`."""
        with self._lock:
            self._cameras_dirty = True

    def note_unit_change(self) -> None:
        """A unit moved: the units layer is redrawn at the next :meth:`take_redraws`."""
        with self._lock:
            self._units_dirty = True

    def take_redraws(self) -> tuple[list[Camera] | None, list[Unit] | None]:
        """The cameras and units to redraw now (None: unchanged since the last call); called every interval."""
        with self._lock:
            cameras_dirty, units_dirty = self._cameras_dirty, self._units_dirty
            self._cameras_dirty = self._units_dirty = False
        return (self.session.cameras.all() if cameras_dirty else None,
                self.session.units.all() if units_dirty else None)
