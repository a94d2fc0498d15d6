"""Writing a snapshot (抓拍): a tile's newest frame at full resolution, camera name and time burned in, as PNG.

Burning in and encoding a 1080p PNG takes a quarter of a second, a 4K one two: :class:`SnapshotWriter` does it
on a worker thread of its own (QImage and QPainter on a QImage are safe off the GUI thread), one snapshot after
the other, so the wall keeps playing and two snapshots in one second still get distinct names.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from commandwall.i18n import translate
from commandwall.video.snapshot import NamesTakenError, burn_in_text, snapshot_names, write_snapshot

_NO_SPACE = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
_WINDOWS_NAME_TOO_LONG = 206  # ERROR_FILENAME_EXCED_RANGE


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

    SnapshotError, saying why, when the folder cannot be made or the file cannot be written (then no file of
    this snapshot is left, see :func:`~commandwall.video.snapshot.write_snapshot`).
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SnapshotError(translate("VideoWall", "抓拍目录不可用：{folder}（{error}）").format(
            folder=folder, error=error)) from None
    picture = burned_in_image(image, burn_in_text(camera_name, camera_id, when), font)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    encoded = picture.save(buffer, "PNG")
    buffer.close()
    if not encoded:
        raise SnapshotError(translate("VideoWall", "抓拍图片无法编码为 PNG"))
    try:
        return write_snapshot(folder, camera_name, camera_id, when, data.data())
    except NamesTakenError:
        raise SnapshotError(translate("VideoWall", "同一秒内该画面的抓拍过多，未保存：{name}").format(
            name=folder / snapshot_names(camera_name, camera_id, when)[0])) from None
    except OSError as error:
        raise SnapshotError(_write_error(error, folder)) from None


def _write_error(error: OSError, folder: Path) -> str:
    if error.errno == errno.ENAMETOOLONG or getattr(error, "winerror", None) == _WINDOWS_NAME_TOO_LONG:
        return translate("VideoWall", "抓拍文件的名称或路径过长，未保存：{path}").format(
            path=error.filename2 or error.filename or folder)
    if error.errno in _NO_SPACE:
        return translate("VideoWall", "磁盘空间不足，抓拍未保存：{folder}").format(folder=folder)
    return translate("VideoWall", "抓拍图片无法写入：{folder}（{error}）").format(
        folder=folder, error=error.strerror or error)


class SnapshotWriter(QObject):
    """Saves snapshots on its own worker thread; ``sig_done(text)`` (queued to the GUI thread) says where each
    went, or why it could not be written."""

    sig_done = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot")

    def take(self, image: np.ndarray | Callable[[], np.ndarray | None], camera_name: str, camera_id: str,
             folder: Path, when: datetime, font: QFont) -> Future[Path]:  # fmt: skip
        """Queue one snapshot of ``image`` (an array is copied now; a callable — e.g. ``StreamReader.full_image``,
        which converts a decoded frame at full resolution — is called on the worker; None from it: no picture);
        the Future holds its path or the :class:`SnapshotError`."""
        frame = image if callable(image) else image.copy()
        font = QFont(font)

        def write() -> Path:
            try:
                picture = frame() if callable(frame) else frame
                if picture is None:
                    raise SnapshotError(translate("VideoWall", "该画面暂无图像，无法抓拍"))
                path = save_snapshot(picture, camera_name, camera_id, folder, when, font)
            except SnapshotError as error:
                self.sig_done.emit(str(error))
                raise
            self.sig_done.emit(translate("VideoWall", "已抓拍：{path}").format(path=path))
            return path

        return self._worker.submit(write)

    def shutdown(self) -> None:
        """Finish what is queued (a snapshot asked for is written), then end the worker."""
        self._worker.shutdown(wait=True)
