"""The camera list feature: the :class:`CameraTree` bound to its :class:`CamerasController`."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from commandwall.app.cameras import CamerasController
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.cameras.tree import CameraTree


class CamerasFeature(QObject):
    """视频点位: ``widget`` to place, ``on_ready()`` once the session is connected.

    Signals: ``sig_message(text, timeout_ms)``; the tree's ``sig_play_requested(camera_id)`` and
    ``sig_locate_requested(camera_id)`` are what the wall and the map follow.
    """

    sig_message = Signal(str, int)

    def __init__(self, controller: CamerasController, signals: ClientSignals, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.tree = CameraTree()
        self.widget = self.tree
        signals.sig_camera.connect(self.tree.update_camera)
        signals.sig_offline_data.connect(lambda _saved_at: self.on_ready())  # last known cameras, status unknown

    def on_ready(self) -> None:
        """List every camera by town."""
        self.tree.set_cameras(self.controller.cameras())

    def selected_camera_id(self) -> str | None:
        """The camera selected in the list (None: none, or a town row)."""
        return self.tree.current_camera_id()

    def select(self, camera_id: str) -> None:
        """Select a camera in the list (e.g. clicked on the map)."""
        self.tree.select_camera(camera_id)
