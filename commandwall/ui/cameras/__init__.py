"""视频点位: the camera tree dock content (cameras grouped by town, search, status filter)."""

from commandwall.ui.cameras.model import KIND_LABELS, CameraTreeModel, StatusFilter
from commandwall.ui.cameras.tree import CameraTree

__all__ = ["KIND_LABELS", "CameraTree", "CameraTreeModel", "StatusFilter"]
