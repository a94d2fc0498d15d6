"""视频点位: the camera tree dock content (cameras grouped by town, search, status filter)."""

from commandwall.ui.cameras.tree import KIND_LABELS, CameraFilterModel, CameraTree, StatusFilter

__all__ = ["KIND_LABELS", "CameraFilterModel", "CameraTree", "StatusFilter"]
