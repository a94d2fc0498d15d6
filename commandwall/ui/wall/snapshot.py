"""Writing a snapshot (抓拍): a tile's newest frame at full resolution, camera name and time burned in, as PNG."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from commandwall.video.snapshot import burn_in_text, snapshot_path


class SnapshotError(Exception):
    """The snapshot could not be taken or written; the message says why (for the status bar)."""


def burned_in_image(image: np.ndarray, text: str, font: QFont) -> QImage:
    """A copy of ``image`` (H×W×3 BGR) with ``text`` on a dark band along the bottom."""
    height, width = image.shape[:2]
    frame = np.ascontiguousarray(image)
    picture = QImage(frame.data, width, height, frame.strides[0], QImage.Format.Format_BGR888)
    picture = picture.convertToFormat(QImage.Format.Format_RGB32)  # a deep copy: the frame is not touched
    band = max(18, height // 18)
    painter = QPainter(picture)
    try:
        painter.fillRect(QRect(0, height - band, width, band), QColor(0, 0, 0, 170))
        burn = QFont(font)
        burn.setPixelSize(max(10, int(band * 0.62)))
        painter.setFont(burn)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(QRect(band // 3, height - band, width - band, band),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)  # fmt: skip
    finally:
        painter.end()
    return picture


def save_snapshot(image: np.ndarray, camera_name: str, camera_id: str, folder: Path, when: datetime,
                  font: QFont) -> Path:
    """Burn name and time into ``image`` and write it as PNG in ``folder`` (made if needed); returns the path.

    SnapshotError when the folder or file cannot be written.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = snapshot_path(folder, camera_name, camera_id, when)
    except (OSError, ValueError) as error:
        raise SnapshotError(f"抓拍目录不可用：{folder}（{error}）") from None
    picture = burned_in_image(image, burn_in_text(camera_name, camera_id, when), font)
    if not picture.save(str(path), "PNG"):
        raise SnapshotError(f"抓拍图片无法写入：{path}")
    return path
