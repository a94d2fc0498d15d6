"""The data behind the camera tree: towns (镇街) with counts, camera rows, and the search/status filter.

``CameraTreeModel`` is a ``QStandardItemModel`` two levels deep — town rows ("临城街道 (612/657 在线)")
holding camera rows (name without the town prefix, with a status dot | kind) — that keeps a dict from
camera id to its item, so a status change touches one row and one town label. ``CameraFilterModel``
narrows it for the view.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap, QStandardItem, QStandardItemModel

from commandwall.domain.models import Camera, CameraStatus
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.textsafe import display_text
from commandwall.ui.text import plain_tooltip
from commandwall.video.dragdrop import CAMERA_IDS_MIME, encode_camera_ids

_Index = QModelIndex | QPersistentModelIndex

#: Camera kinds as the duty officers say them.
KIND_LABELS: dict[str, str] = {"fixed": QT_TRANSLATE_NOOP("CameraTree", "枪机"),
                               "dome": QT_TRANSLATE_NOOP("CameraTree", "球机"),
                               "ptz": QT_TRANSLATE_NOOP("CameraTree", "云台")}
#: Group for cameras the platform did not assign to a town.
NO_TOWN = QT_TRANSLATE_NOOP("CameraTree", "未划分镇街")

ROLE_CAMERA_ID = Qt.ItemDataRole.UserRole + 1  # camera rows (both columns): the id; town rows: ""
ROLE_SEARCH = Qt.ItemDataRole.UserRole + 2  # camera rows: "id name town grid", lower case
ROLE_STATUS = Qt.ItemDataRole.UserRole + 3  # camera rows: "online" | "offline"
ROLE_TOWN = Qt.ItemDataRole.UserRole + 4  # town rows: the town name

ONLINE_COLOUR = QColor("#1fae5b")
OFFLINE_COLOUR = QColor("#e5484d")
UNKNOWN_COLOUR = QColor("#9aa5b1")  # not live (last known state): neither green nor red
OFFLINE_TEXT = QColor("#7b8794")
KIND_TEXT = QColor("#7f9bb3")
_ITEM_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled


class StatusFilter(StrEnum):
    """Which cameras the tree shows."""

    ALL = "all"
    ONLINE = "online"
    OFFLINE = "offline"


FILTER_LABELS = {StatusFilter.ALL: QT_TRANSLATE_NOOP("CameraTree", "全部"),
                 StatusFilter.ONLINE: QT_TRANSLATE_NOOP("CameraTree", "在线"),
                 StatusFilter.OFFLINE: QT_TRANSLATE_NOOP("CameraTree", "离线")}


def camera_status(camera: Camera) -> CameraStatus:
    """The camera's status as the enum (a ``model_copy(update=…)`` may have left a plain string)."""
    status = camera.status
    return status if isinstance(status, CameraStatus) else CameraStatus(status)


def status_label(camera: Camera) -> str:
    """在线 / 离线, or for a camera from the last known state that its status is not known now."""
    status = camera_status(camera)
    if status is CameraStatus.UNKNOWN:
        return translate("CameraTree", "状态未知（非实时）")
    return translate("CameraTree", "在线") if status is CameraStatus.ONLINE else translate("CameraTree", "离线")


def display_name(camera: Camera) -> str:
    """The name as shown under its town: "临城街道·光明大道与泰山路口" reads "光明大道与泰山路口" there.

    Platform text: passed through ``display_text`` (bidirectional and invisible characters marked).
    """
    prefix = f"{camera.town}·"
    if camera.town and camera.name.startswith(prefix) and len(camera.name) > len(prefix):
        return display_text(camera.name[len(prefix) :])
    return display_text(camera.name)


def kind_label(kind: str) -> str:
    """A camera kind as the duty officers say it; an unknown kind from the platform is shown as text."""
    label = KIND_LABELS.get(kind)
    return translate("CameraTree", label) if label else display_text(kind)


def town_label(town: str, online: int, total: int) -> str:
    """A town row: "临城街道 (612/657 在线)"; the name isolated so right-to-left text keeps the counts in place."""
    name = translate("CameraTree", NO_TOWN) if town == NO_TOWN else display_text(town, isolate=True)
    return translate("CameraTree", "{town} ({online}/{total} 在线)").format(town=name, online=online, total=total)


def camera_tooltip(camera: Camera) -> str:
    """Tooltip of a camera row, escaped so that backend text is shown, never read as markup."""
    status = status_label(camera)
    town = camera.town or translate("CameraTree", NO_TOWN)
    lines = [
        camera.name,
        translate("CameraTree", "编号：{id}").format(id=camera.id),
        translate("CameraTree", "镇街：{town}　网格：{grid}").format(town=town, grid=camera.grid or "—"),
        translate("CameraTree", "类型：{kind}　状态：{status}").format(kind=kind_label(camera.kind), status=status),
    ]
    return plain_tooltip(*lines)


def _dot_icon(colour: QColor) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(2, 2, 8, 8)
    painter.end()
    return QIcon(pixmap)


class CameraTreeModel(QStandardItemModel):
    """Towns with their cameras; ``set_cameras`` builds it, ``update_camera`` changes it in place."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self._icons = {CameraStatus.ONLINE: _dot_icon(ONLINE_COLOUR), CameraStatus.OFFLINE: _dot_icon(OFFLINE_COLOUR),
                       CameraStatus.UNKNOWN: _dot_icon(UNKNOWN_COLOUR)}
        self._kind_brush = QBrush(KIND_TEXT)
        self._offline_brush = QBrush(OFFLINE_TEXT)
        self._town_font = QFont()
        self._town_font.setBold(True)
        self._cameras: dict[str, Camera] = {}
        self._items: dict[str, QStandardItem] = {}  # camera id -> its name item (column 0)
        self._towns: dict[str, QStandardItem] = {}
        #: every item this model made, by camera id or town, held until Qt has deleted it (see ``_hold``)
        self._held: dict[str, tuple[QStandardItem, ...]] = {}
        self._counts: dict[str, list[int]] = {}  # town -> [online, total]

    # ---- reading -----------------------------------------------------------------------------------
    def camera(self, camera_id: str) -> Camera | None:
        """The camera as shown, or None."""
        return self._cameras.get(camera_id)

    def camera_item(self, camera_id: str) -> QStandardItem | None:
        """The camera's name item (column 0)."""
        return self._items.get(camera_id)

    def town_item(self, town: str) -> QStandardItem | None:
        """The town's row item."""
        return self._towns.get(town)

    def town_counts(self, town: str) -> tuple[int, int]:
        """(online, total) of a town; (0, 0) if it has no camera."""
        online, total = self._counts.get(town, (0, 0))
        return online, total

    def totals(self) -> tuple[int, int]:
        """(online, total) over all towns."""
        return sum(c[0] for c in self._counts.values()), sum(c[1] for c in self._counts.values())

    def camera_count(self) -> int:
        """How many cameras the tree holds (no ``__len__``: a QObject should stay truthy)."""
        return len(self._cameras)

    # ---- dragging cameras onto the wall ---------------------------------------------------------------
    def mimeTypes(self) -> list[str]:  # noqa: N802
        """Camera rows drag as camera ids (see ``commandwall.video.dragdrop``)."""
        return [CAMERA_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData | None:  # noqa: N802
        """The ids of the dragged camera rows, in order (town rows carry none); None if there are none."""
        ids: list[str] = []
        for index in indexes:
            camera_id = index.data(ROLE_CAMERA_ID)
            if camera_id and camera_id not in ids:
                ids.append(str(camera_id))
        if not ids:
            return None
        mime = QMimeData()
        mime.setData(CAMERA_IDS_MIME, encode_camera_ids(ids))
        mime.setText("\n".join(ids))
        return mime

    # ---- writing -----------------------------------------------------------------------------------
    def set_cameras(self, cameras: list[Camera]) -> None:
        """Replace everything: towns in order of first appearance, cameras in the order given."""
        self.removeRows(0, self.rowCount())  # the old items are held until this has deleted them
        self._cameras, self._items, self._towns, self._counts, self._held = {}, {}, {}, {}, {}
        rows: dict[str, list[list[QStandardItem]]] = {}
        for camera in cameras:
            town = camera.town or NO_TOWN
            rows.setdefault(town, []).append(self._camera_row(camera))
            self._cameras[camera.id] = camera
            counts = self._counts.setdefault(town, [0, 0])
            counts[0] += camera_status(camera) is CameraStatus.ONLINE
            counts[1] += 1
        root = self.invisibleRootItem()
        for town, town_rows in rows.items():
            item = self._town_item(town)
            for row in town_rows:
                item.appendRow(row)
            root.appendRow(self._hold(f"town:{town}", [item, self._plain_item("")]))  # with its cameras: one insert

    def update_camera(self, camera: Camera) -> bool:
        """Apply a changed (or new) camera in place; returns True if the online/offline counts changed."""
        item = self._items.get(camera.id)
        old = self._cameras.get(camera.id)
        if item is None or old is None:
            self._add_camera(camera)
            return True
        town = camera.town or NO_TOWN
        if (old.town or NO_TOWN) != town:
            self._remove_camera(old, item)
            self._add_camera(camera)
            return True
        self._cameras[camera.id] = camera
        status = camera_status(camera)
        changed = camera_status(old) is not status
        self._fill_camera_item(item, camera)  # a filtering proxy re-filters this row by itself
        kind_item = item.parent().child(item.row(), 1)
        if kind_item is not None:
            kind_item.setText(kind_label(camera.kind))
        if changed:
            online = status is CameraStatus.ONLINE
            if online != (camera_status(old) is CameraStatus.ONLINE):  # unknown → offline changes no count
                self._counts[town][0] += 1 if online else -1
            # after the camera row: the town's own change makes a filtering proxy look at the town again,
            # which hides it once its last matching camera went (Qt does not do that for the child alone)
            self._set_town_text(town)
        return changed

    # ---- internals ---------------------------------------------------------------------------------
    @staticmethod
    def _plain_item(text: str) -> QStandardItem:
        item = QStandardItem(text)
        item.setFlags(_ITEM_FLAGS)
        return item

    def _town_item(self, town: str) -> QStandardItem:
        item = self._plain_item(town)
        item.setData(town, ROLE_TOWN)
        item.setData("", ROLE_CAMERA_ID)
        item.setFont(self._town_font)
        self._towns[town] = item
        self._set_town_text(town)
        return item

    def _set_town_text(self, town: str) -> None:
        online, total = self._counts.get(town, (0, 0))
        self._towns[town].setText(town_label(town, online, total))

    def _camera_row(self, camera: Camera) -> list[QStandardItem]:
        name = self._plain_item(display_name(camera))
        self._fill_camera_item(name, camera, fresh=True)
        kind = self._plain_item(kind_label(camera.kind))
        kind.setForeground(self._kind_brush)
        kind.setData(camera.id, ROLE_CAMERA_ID)
        self._items[camera.id] = name
        return self._hold(f"camera:{camera.id}", [name, kind])

    def _hold(self, key: str, row: list[QStandardItem]) -> list[QStandardItem]:
        """Keep a Python reference to each item of ``row`` until Qt deletes it (returns ``row``).

        An item made in Python that only Qt holds (a camera's kind column, a town row's second column) has its
        Python wrapper kept alive by its parent's wrapper alone. When Qt deletes the parent, PySide lets go of
        the children's wrappers first and then deletes the children, whose destructors reach back for those
        freed wrappers: a segmentation fault in ``BindingManager::releaseWrapper`` under
        ``QStandardItemModel::removeRows``, seen once in the suite when a desk went from its last known
        cameras to the live ones. Held here, every wrapper outlives its item."""
        self._held[key] = tuple(row)
        return row

    def _fill_camera_item(self, item: QStandardItem, camera: Camera, *, fresh: bool = False) -> None:
        status = camera_status(camera)
        item.setText(display_name(camera))
        item.setData(camera.id, ROLE_CAMERA_ID)
        item.setData(status.value, ROLE_STATUS)
        item.setData(f"{camera.id}\n{camera.name}\n{camera.town}\n{camera.grid}".lower(), ROLE_SEARCH)
        item.setIcon(self._icons[status])
        if status is not CameraStatus.ONLINE:
            item.setForeground(self._offline_brush)
        elif not fresh:
            item.setData(None, Qt.ItemDataRole.ForegroundRole)

    def _add_camera(self, camera: Camera) -> None:
        town = camera.town or NO_TOWN
        self._cameras[camera.id] = camera
        counts = self._counts.setdefault(town, [0, 0])
        counts[0] += camera_status(camera) is CameraStatus.ONLINE
        counts[1] += 1
        if town not in self._towns:
            row = [self._town_item(town), self._plain_item("")]
            self.invisibleRootItem().appendRow(self._hold(f"town:{town}", row))
        self._towns[town].appendRow(self._camera_row(camera))
        self._set_town_text(town)

    def _remove_camera(self, camera: Camera, item: QStandardItem) -> None:
        town = camera.town or NO_TOWN
        town_item = self._towns[town]
        town_item.removeRow(item.row())
        del self._items[camera.id], self._cameras[camera.id], self._held[f"camera:{camera.id}"]
        counts = self._counts[town]
        counts[0] -= camera_status(camera) is CameraStatus.ONLINE
        counts[1] -= 1
        if counts[1] == 0:
            self.removeRow(town_item.row())
            del self._towns[town], self._counts[town], self._held[f"town:{town}"]
        else:
            self._set_town_text(town)


class CameraFilterModel(QSortFilterProxyModel):
    """Shows camera rows matching the search text and status; a town shows while any of its cameras does."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setDynamicSortFilter(True)  # a status change re-filters its row
        self._needle = ""
        self._status = StatusFilter.ALL

    @property
    def text(self) -> str:
        """The search text in effect (stripped, lower case)."""
        return self._needle

    @property
    def active(self) -> bool:
        """Whether any camera can be hidden."""
        return bool(self._needle) or self._status is not StatusFilter.ALL

    def set_criteria(self, text: str, status: StatusFilter | str) -> None:
        """Case-insensitive substring of id, name, town or grid; and a status."""
        needle, status = text.strip().lower(), StatusFilter(status)
        if (needle, status) == (self._needle, self._status):
            return
        # Qt >= 6.10 wants begin/endFilterChange around the change; invalidateFilter() is deprecated there.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            self._needle, self._status = needle, status
            self.endFilterChange()
        else:
            self._needle, self._status = needle, status
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        """Camera rows by the criteria; town rows only through their cameras (recursive filtering)."""
        if not (self._needle or self._status is not StatusFilter.ALL):
            return True
        if not source_parent.isValid():
            return False
        index = self.sourceModel().index(source_row, 0, source_parent)
        if self._status is not StatusFilter.ALL and index.data(ROLE_STATUS) != self._status.value:
            return False
        return not self._needle or self._needle in index.data(ROLE_SEARCH)
