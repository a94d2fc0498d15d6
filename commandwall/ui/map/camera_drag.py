"""The Qt drag of a camera taken off the map: the camera id under our MIME type, its name on the cursor."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QRect, Qt
from PySide6.QtGui import QColor, QDrag, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QWidget

from commandwall.domain.models import Camera
from commandwall.textsafe import display_text
from commandwall.video.dragdrop import CAMERA_IDS_MIME, encode_camera_ids

LABEL_BG = QColor(16, 32, 48, 220)
LABEL_TEXT = QColor("#e3f2fd")
LABEL_BORDER = QColor("#30d158")


def camera_drag_mime(camera: Camera) -> QMimeData:
    """What the drag carries: the camera id as the camera list's drags carry it, and as plain text."""
    mime = QMimeData()
    mime.setData(CAMERA_IDS_MIME, encode_camera_ids([camera.id]))
    mime.setText(camera.id)
    return mime


def camera_drag(source: QWidget, camera: Camera) -> QDrag:
    """A drag of ``camera`` from ``source`` (not started: the caller runs ``exec``), showing the camera's name
    (platform text, drawn as plain text) under the cursor."""
    drag = QDrag(source)
    drag.setMimeData(camera_drag_mime(camera))
    metrics = QFontMetrics(source.font())
    name = metrics.elidedText(display_text(camera.name), Qt.TextElideMode.ElideRight, 260)
    label = QPixmap(metrics.horizontalAdvance(name) + 16, metrics.height() + 8)
    label.fill(Qt.GlobalColor.transparent)
    painter = QPainter(label)
    try:
        painter.setFont(source.font())
        painter.setPen(LABEL_BORDER)
        painter.setBrush(LABEL_BG)
        painter.drawRoundedRect(label.rect().adjusted(0, 0, -1, -1), 4, 4)
        painter.setPen(LABEL_TEXT)
        painter.drawText(QRect(0, 0, label.width(), label.height()), Qt.AlignmentFlag.AlignCenter, name)
    finally:
        painter.end()
    drag.setPixmap(label)
    drag.setHotSpot(label.rect().center())
    return drag
