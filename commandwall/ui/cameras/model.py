"""The data behind the camera tree: towns (镇街) with counts, camera rows, and the search/status filter.

``CameraTreeModel`` is two levels deep — town rows ("临城街道 (612/657 在线)") holding camera rows (name
without the town prefix, with a status dot | kind). It holds the cameras in plain Python and makes no Qt
item per camera: ``data()`` reads the camera of a row when the view asks, so filling it is linear Python and
the view only touches the rows it shows. The search and status filter live in the model too: a filter change
finds the matching cameras once (a lower-cased search text per camera) and rebuilds the row lists from them;
a status change touches one row and one town label, or inserts/removes that one row when a filter is on.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from enum import StrEnum

from PySide6.QtCore import QAbstractItemModel, QMimeData, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap

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
_CAMERA_FLAGS = _ITEM_FLAGS | Qt.ItemFlag.ItemNeverHasChildren
_TOWN = 0  # internal id of a town row; a camera row's is its town's key (>= 1)


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


def search_text(camera: Camera) -> str:
    """What a search looks in: the camera's id, name, town and grid, lower case."""
    return f"{camera.id}\n{camera.name}\n{camera.town}\n{camera.grid}".lower()


_ROOT = QModelIndex()
_DISPLAY = Qt.ItemDataRole.DisplayRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole


class CameraTreeModel(QAbstractItemModel):
    """Towns with their cameras, narrowed by a search text and a status.

    ``set_cameras`` replaces everything, ``update_camera`` changes one camera in place, ``set_criteria`` filters.
    Rows are the towns in order of first appearance, each with its cameras in the order given; a town shows
    while any of its cameras does. Town rows have internal id 0, camera rows their town's key.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icons = {CameraStatus.ONLINE: _dot_icon(ONLINE_COLOUR), CameraStatus.OFFLINE: _dot_icon(OFFLINE_COLOUR),
                       CameraStatus.UNKNOWN: _dot_icon(UNKNOWN_COLOUR)}
        self._kind_brush = QBrush(KIND_TEXT)
        self._offline_brush = QBrush(OFFLINE_TEXT)
        self._town_font = QFont()
        self._town_font.setBold(True)
        self._needle = ""
        self._status = StatusFilter.ALL
        self._clear()

    def _clear(self) -> None:
        # every camera, in plain Python
        self._cameras: dict[str, Camera] = {}
        self._search: dict[str, str] = {}  # camera id -> search_text()
        self._state: dict[str, str] = {}  # camera id -> status value
        self._town_of: dict[str, str] = {}  # camera id -> its town (NO_TOWN for none)
        self._seq: dict[str, int] = {}  # camera id -> order of arrival (its place in its town)
        self._members: dict[str, list[str]] = {}  # town -> its camera ids in order; towns in order of arrival
        self._counts: dict[str, list[int]] = {}  # town -> [online, total]
        self._keys: dict[str, int] = {}  # town -> key (rising with arrival; internal id of its camera rows)
        self._town_by_key: dict[int, str] = {}
        self._next = 0
        self._names: dict[str, str] = {}  # camera id -> display name, made when the view first asks
        # what is shown
        self._towns: list[str] = []  # shown towns, in order
        self._rows: dict[str, list[str]] = {}  # shown town -> its shown camera ids, in order
        self._town_rows: dict[str, int] | None = None  # shown town -> row, made again after a change
        self._row_of: dict[str, dict[str, int]] = {}  # shown town -> camera id -> row, made again after a change

    # ---- reading -----------------------------------------------------------------------------------
    def camera(self, camera_id: str) -> Camera | None:
        """The camera as shown, or None."""
        return self._cameras.get(camera_id)

    def camera_index(self, camera_id: str, column: int = 0) -> QModelIndex:
        """The camera's row (invalid if the camera is unknown or the filter hides it)."""
        town = self._town_of.get(camera_id)
        row = self._camera_row(town, camera_id) if town is not None else None
        return _ROOT if row is None else self.createIndex(row, column, self._keys[town])

    def town_index(self, town: str) -> QModelIndex:
        """The town's row (invalid if it has no camera or none that the filter shows)."""
        row = self._town_row(town)
        return _ROOT if row is None else self.createIndex(row, 0, _TOWN)

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

    def visible_camera_ids(self) -> list[str]:
        """Cameras passing the search and filter, in tree order."""
        return [camera_id for town in self._towns for camera_id in self._rows[town]]

    @property
    def text(self) -> str:
        """The search text in effect (stripped, lower case)."""
        return self._needle

    @property
    def active(self) -> bool:
        """Whether any camera can be hidden."""
        return bool(self._needle) or self._status is not StatusFilter.ALL

    # ---- the item model ------------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: _Index = _ROOT) -> QModelIndex:
        """Town rows at the top, camera rows under them; two columns (name, kind)."""
        if not 0 <= column < 2 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _TOWN) if row < len(self._towns) else QModelIndex()
        if parent.internalId() != _TOWN or parent.column() != 0 or parent.row() >= len(self._towns):
            return QModelIndex()
        town = self._towns[parent.row()]
        return self.createIndex(row, column, self._keys[town]) if row < len(self._rows[town]) else QModelIndex()

    def parent(self, child: _Index | None = None):  # type: ignore[override]
        """A camera row's town row; none for a town row. Without an argument: the QObject parent."""
        if child is None:
            return QObject.parent(self)
        key = child.internalId() if child.isValid() else _TOWN
        if key == _TOWN:
            return QModelIndex()
        row = self._town_row(self._town_by_key.get(key, ""))
        return QModelIndex() if row is None else self.createIndex(row, 0, _TOWN)

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        """Shown towns at the top; a town's shown cameras under it."""
        if not parent.isValid():
            return len(self._towns)
        if parent.internalId() != _TOWN or parent.column() != 0 or parent.row() >= len(self._towns):
            return 0
        return len(self._rows[self._towns[parent.row()]])

    def columnCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        """Name and kind."""
        return 2

    def hasChildren(self, parent: _Index = _ROOT) -> bool:  # noqa: N802
        """Only the root and town rows have children."""
        return self.rowCount(parent) > 0

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Every row selects and drags; camera rows never have children."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ITEM_FLAGS if index.internalId() == _TOWN else _CAMERA_FLAGS

    def data(self, index: _Index, role: int = _DISPLAY):
        """Read from the camera (or the town's counts) as the view asks; nothing is stored per row."""
        if not index.isValid():
            return None
        key, column = index.internalId(), index.column()
        if key == _TOWN:
            town = self._towns[index.row()]
            if column == 1:
                return "" if role == _DISPLAY else None
            if role == _DISPLAY:
                online, total = self._counts[town]
                return town_label(town, online, total)
            if role == _FONT:
                return self._town_font
            if role == ROLE_TOWN:
                return town
            return "" if role == ROLE_CAMERA_ID else None
        camera_id = self._rows[self._town_by_key[key]][index.row()]
        if role == ROLE_CAMERA_ID:
            return camera_id
        camera = self._cameras[camera_id]
        if column == 1:
            if role == _DISPLAY:
                return kind_label(camera.kind)
            return self._kind_brush if role == _FOREGROUND else None
        if role == _DISPLAY:
            name = self._names.get(camera_id)
            if name is None:
                name = self._names[camera_id] = display_name(camera)
            return name
        if role == _DECORATION:
            return self._icons[camera_status(camera)]
        if role == _FOREGROUND:
            return None if self._state[camera_id] == CameraStatus.ONLINE.value else self._offline_brush
        if role == ROLE_STATUS:
            return self._state[camera_id]
        return self._search[camera_id] if role == ROLE_SEARCH else None

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
        """Replace everything: towns in order of first appearance, cameras in the order given (the search and
        filter stay). A camera id given twice is one camera, in its first place, as given last."""
        self.beginResetModel()
        self._clear()
        for camera in {camera.id: camera for camera in cameras}.values():
            self._remember(camera)
        self._rebuild()
        self.endResetModel()

    def set_criteria(self, text: str, status: StatusFilter | str) -> None:
        """Show cameras whose id, name, town or grid holds ``text`` (any case), with that status."""
        needle, status = text.strip().lower(), StatusFilter(status)
        if (needle, status) == (self._needle, self._status):
            return
        self.beginResetModel()
        self._needle, self._status = needle, status
        self._rebuild()
        self.endResetModel()

    def update_camera(self, camera: Camera) -> bool:
        """Apply a changed (or new) camera in place; returns True if its status changed (or it is new or moved).

        Its row changes, or — if the filter now hides or shows it — that one row is removed or inserted (and its
        town's, when it is the town's first or last shown camera); its town's label follows."""
        camera_id, town = camera.id, camera.town or NO_TOWN
        old = self._cameras.get(camera_id)
        if old is None or self._town_of[camera_id] != town:
            if old is not None:
                self._forget(camera_id)
            self._remember(camera)
            if self._matches(camera_id):
                self._show(camera_id)
            self._town_changed(town)
            return True
        old_status, status = camera_status(old), camera_status(camera)
        self._cameras[camera_id] = camera
        self._search[camera_id] = search_text(camera)
        self._state[camera_id] = status.value
        self._names.pop(camera_id, None)
        online = status is CameraStatus.ONLINE
        if online != (old_status is CameraStatus.ONLINE):  # unknown → offline changes no count
            self._counts[town][0] += 1 if online else -1
        shown, wanted = self._camera_row(town, camera_id) is not None, self._matches(camera_id)
        if shown and wanted:
            self.dataChanged.emit(self.camera_index(camera_id, 0), self.camera_index(camera_id, 1))
        elif shown:
            self._hide(camera_id)
        elif wanted:
            self._show(camera_id)
        if old_status is not status:
            self._town_changed(town)
        return old_status is not status

    # ---- internals ---------------------------------------------------------------------------------
    def _remember(self, camera: Camera) -> None:
        """Take a camera in (not shown yet): its town, its place, its counts."""
        camera_id, town = camera.id, camera.town or NO_TOWN
        status = camera_status(camera)
        self._cameras[camera_id] = camera
        self._search[camera_id] = search_text(camera)
        self._state[camera_id] = status.value
        self._town_of[camera_id] = town
        self._seq[camera_id] = self._next
        self._next += 1
        members = self._members.get(town)
        if members is None:
            members = self._members[town] = []
            self._counts[town] = [0, 0]
            self._keys[town] = self._next  # > every key before it: town rows sort by key
            self._town_by_key[self._next] = town
        members.append(camera_id)
        counts = self._counts[town]
        counts[0] += status is CameraStatus.ONLINE
        counts[1] += 1

    def _forget(self, camera_id: str) -> None:
        """Take a camera out (its row and, if it was the last, its town's row too)."""
        if self._camera_row(self._town_of[camera_id], camera_id) is not None:
            self._hide(camera_id)
        town = self._town_of.pop(camera_id)
        members = self._members[town]
        members.remove(camera_id)
        counts = self._counts[town]
        counts[0] -= self._state[camera_id] == CameraStatus.ONLINE.value
        counts[1] -= 1
        for table in (self._cameras, self._search, self._state, self._seq, self._names):
            table.pop(camera_id, None)
        if not members:
            del self._members[town], self._counts[town], self._town_by_key[self._keys.pop(town)]
        else:
            self._town_changed(town)

    def _matches(self, camera_id: str) -> bool:
        if self._status is not StatusFilter.ALL and self._state[camera_id] != self._status.value:
            return False
        return not self._needle or self._needle in self._search[camera_id]

    def _rebuild(self) -> None:
        """The shown rows from the criteria: one pass over the cameras in plain Python."""
        needle, status, search, state = self._needle, self._status.value, self._search, self._state
        rows: dict[str, list[str]] = {}
        for town, members in self._members.items():
            if self._status is StatusFilter.ALL:
                shown = [c for c in members if needle in search[c]] if needle else list(members)
            else:
                shown = [c for c in members if state[c] == status and needle in search[c]]
            if shown:
                rows[town] = shown
        self._rows, self._towns, self._town_rows, self._row_of = rows, list(rows), None, {}

    def _town_row(self, town: str) -> int | None:
        if self._town_rows is None:
            self._town_rows = {name: row for row, name in enumerate(self._towns)}
        return self._town_rows.get(town)

    def _camera_row(self, town: str, camera_id: str) -> int | None:
        rows = self._rows.get(town)
        if rows is None:
            return None
        positions = self._row_of.get(town)
        if positions is None:
            positions = self._row_of[town] = {name: row for row, name in enumerate(rows)}
        return positions.get(camera_id)

    def _show(self, camera_id: str) -> None:
        """Insert a camera's row in its place (with its town's row if the town was not shown)."""
        town = self._town_of[camera_id]
        rows = self._rows.get(town)
        if rows is None:
            at = bisect_left(self._towns, self._keys[town], key=self._keys.__getitem__)
            self.beginInsertRows(_ROOT, at, at)
            self._towns.insert(at, town)
            self._rows[town] = [camera_id]
            self._town_rows = None
            self._row_of.pop(town, None)
            self.endInsertRows()
            return
        at = bisect_left(rows, self._seq[camera_id], key=self._seq.__getitem__)
        self.beginInsertRows(self.town_index(town), at, at)
        rows.insert(at, camera_id)
        self._row_of.pop(town, None)
        self.endInsertRows()

    def _hide(self, camera_id: str) -> None:
        """Remove a camera's row (with its town's row if it was the town's last shown camera)."""
        town = self._town_of[camera_id]
        rows = self._rows[town]
        row = self._camera_row(town, camera_id)
        assert row is not None
        if len(rows) == 1:
            at = self._town_row(town)
            assert at is not None
            self.beginRemoveRows(_ROOT, at, at)
            del self._towns[at], self._rows[town]
            self._town_rows = None
            self._row_of.pop(town, None)
            self.endRemoveRows()
            return
        self.beginRemoveRows(self.town_index(town), row, row)
        del rows[row]
        self._row_of.pop(town, None)
        self.endRemoveRows()

    def _town_changed(self, town: str) -> None:
        index = self.town_index(town)
        if index.isValid():
            self.dataChanged.emit(index, index, [_DISPLAY])
