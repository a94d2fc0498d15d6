"""Writing a snapshot (抓拍): a tile's newest frame at full resolution, camera name and time burned in, as PNG.

Burning in and encoding a 1080p PNG takes a quarter of a second, a 4K one two: :class:`SnapshotWriter` does it
on a worker thread of its own (QImage and QPainter on a QImage are safe off the GUI thread), one snapshot after
the other, so the wall keeps playing and two snapshots in one second still get distinct names.

The burned-in line always shows the camera id and the time whole, on any picture down to 320 px wide: a long
camera name is elided (…) to leave them room, down to … alone, never to nothing; only an id too long for the
line with that … makes the text smaller and, at the smallest size, is elided in its middle.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter

from commandwall.i18n import translate
from commandwall.video.snapshot import NamesTakenError, burn_in_text, snapshot_names, write_snapshot

ELLIPSIS = "…"
MIN_STAMP_PIXELS = 8  # the smallest pixel size of the line (only an overlong camera id makes it smaller)
_NO_SPACE = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
_WINDOWS_NAME_TOO_LONG = 206  # ERROR_FILENAME_EXCED_RANGE


class SnapshotError(Exception):
    """The snapshot could not be taken or written; the message says why (for the status bar)."""


def stamp_line(camera_name: str, camera_id: str, when: datetime, metrics: QFontMetricsF, width: float) -> str:
    """The burned-in line (:func:`burn_in_text`) made to fit ``width`` pixels of ``metrics``' font: the camera
    name elided at its end so that the id and the time stay whole; a name with no room left is shown as ``…``
    (a name cut never vanishes without a sign); where the id and the time alone do not fit, the id elided in its
    middle."""
    text = burn_in_text(camera_name, camera_id, when)
    if metrics.horizontalAdvance(text) <= width:
        return text
    cut = ELLIPSIS if camera_name else ""  # what is left of a name with no room at all
    room = width - metrics.horizontalAdvance(burn_in_text("", camera_id, when))
    for _ in range(8):  # a pixel less until it fits (kerning across the cut)
        if room <= 0:
            break
        name = metrics.elidedText(camera_name, Qt.TextElideMode.ElideRight, room)
        text = burn_in_text(name or cut, camera_id, when)
        if metrics.horizontalAdvance(text) <= width:
            return text
        room -= 1
    if metrics.horizontalAdvance(text := burn_in_text(cut, camera_id, when)) <= width:
        return text
    room = width - metrics.horizontalAdvance(burn_in_text(cut, "", when))
    for _ in range(8):
        text = burn_in_text(cut, metrics.elidedText(camera_id, Qt.TextElideMode.ElideMiddle, max(0.0, room)), when)
        if metrics.horizontalAdvance(text) <= width:
            break
        room -= 1
    return text


class Stamp(NamedTuple):
    """How the line is burned into a picture: the dark ``band`` along the bottom, the ``box`` inside it (a margin
    on both sides) where ``text`` is drawn in ``font``; the text fits the box's width."""

    band: QRect
    box: QRect
    font: QFont
    text: str


def stamp_layout(width: int, height: int, camera_name: str, camera_id: str, when: datetime, font: QFont) -> Stamp:
    """The burned-in line of a ``width``×``height`` picture: ``font`` at a size for the picture (smaller only
    for an id too long for the line) and the text of :func:`stamp_line` for the box's width."""
    band = max(18, height // 18)
    box = QRect(band // 3, height - band, width - band, band)
    burn = QFont(font)
    size = max(10, int(band * 0.62))
    burn.setPixelSize(size)
    rest = burn_in_text(ELLIPSIS if camera_name else "", camera_id, when)  # at least … of a name
    while size > MIN_STAMP_PIXELS and QFontMetricsF(burn).horizontalAdvance(rest) > box.width():
        size -= 1  # an id too long for the line: smaller text rather than an id cut
        burn.setPixelSize(size)
    text = stamp_line(camera_name, camera_id, when, QFontMetricsF(burn), box.width())
    return Stamp(QRect(0, height - band, width, band), box, burn, text)


def burned_in_image(image: np.ndarray, camera_name: str, camera_id: str, when: datetime, font: QFont) -> QImage:
    """A copy of ``image`` (H×W×3 BGR) with the line of :func:`stamp_layout` on a dark band along the bottom."""
    height, width = image.shape[:2]
    frame = np.ascontiguousarray(image)
    picture = QImage(frame.data, width, height, frame.strides[0], QImage.Format.Format_BGR888)
    picture = picture.convertToFormat(QImage.Format.Format_RGB32)  # a deep copy: the frame is not touched
    stamp = stamp_layout(width, height, camera_name, camera_id, when, font)
    painter = QPainter(picture)
    try:
        painter.fillRect(stamp.band, QColor(0, 0, 0, 170))
        painter.setFont(stamp.font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(stamp.box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, stamp.text)
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
    picture = burned_in_image(image, camera_name, camera_id, when, font)
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
