"""Table model of incidents, newest first, fed from the incident store through the Qt adapter."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from commandwall.app.incidents import PRIORITY_LABELS
from commandwall.domain.models import OPEN_STATUSES, Incident, IncidentStatus
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.localtime import to_display
from commandwall.textsafe import display_text
from commandwall.ui.language import format_time
from commandwall.ui.text import plain_tooltip

_Index = QModelIndex | QPersistentModelIndex

#: Column titles (source text; shown translated)
COLUMNS = (QT_TRANSLATE_NOOP("IncidentList", "级别"), QT_TRANSLATE_NOOP("IncidentList", "上报时间"),
           QT_TRANSLATE_NOOP("IncidentList", "类别"), QT_TRANSLATE_NOOP("IncidentList", "事件"),
           QT_TRANSLATE_NOOP("IncidentList", "镇街"), QT_TRANSLATE_NOOP("IncidentList", "状态"))
#: Background of incidents with an overdue task (督办).
OVERDUE_BACKGROUND = "#5c1f1f"
PRIORITY_COLOURS = {1: "#ff4d4f", 2: "#fa8c16", 3: "#fadb14", 4: "#8c8c8c"}
STATUS_COLOURS = {
    IncidentStatus.NEW: "#ff7875",
    IncidentStatus.ACCEPTED: "#ffc069",
    IncidentStatus.VERIFIED: "#ffd666",
    IncidentStatus.DISPATCHED: "#69c0ff",
    IncidentStatus.IN_PROGRESS: "#40a9ff",
    IncidentStatus.RESOLVED: "#95de64",
    IncidentStatus.CLOSED: "#8c8c8c",
    IncidentStatus.RETURNED: "#d3adf7",
    IncidentStatus.ESCALATED: "#ff9c6e",
    IncidentStatus.MERGED: "#8c8c8c",
}


_DISPLAY = Qt.ItemDataRole.DisplayRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_FONT = Qt.ItemDataRole.FontRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_COLUMN_COUNT = len(COLUMNS)
#: The roles ``IncidentTableModel.data`` answers besides DisplayRole.
_ANSWERED = frozenset({_FOREGROUND, _BACKGROUND, _FONT, _TOOLTIP, Qt.ItemDataRole.UserRole})


class _Brushes:
    """The list's colours and bold font, made once (a QColor from text and a QBrush per painted cell add up)."""

    def __init__(self) -> None:
        self.priority = {priority: QBrush(QColor(colour)) for priority, colour in PRIORITY_COLOURS.items()}
        self.other_priority = QBrush(QColor("#d9d9d9"))
        self.status = {status: QBrush(QColor(colour)) for status, colour in STATUS_COLOURS.items()}
        self.closed = QBrush(QColor("#8c8c8c"))
        self.unseen = QBrush(QColor("#3a1d24"))
        self.overdue = QBrush(QColor(OVERDUE_BACKGROUND))
        self.bold = QFont()
        self.bold.setBold(True)


class IncidentTableModel(QAbstractTableModel):
    """Rows are incidents sorted by report time, newest first; ``upsert`` keeps that order."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Incident] = []
        self._unseen: set[str] = set()
        self._overdue: set[str] = set()  # 督办: incidents with an overdue task
        self._row_index: dict[str, int] | None = None  # id -> row, rebuilt (when asked) after rows move
        self._ids: set[str] = set()  # the incidents listed
        self._keys: list[float] = []  # -reported_at of each row (ascending), to find where a newcomer goes
        self._cells: dict[tuple[str, int], tuple[str, ...]] = {}  # (id, version) -> display texts
        self._brushes = _Brushes()

    # --- Qt model interface -------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        """Number of incidents (flat table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        """Fixed columns, see ``COLUMNS``."""
        return 0 if parent.isValid() else len(COLUMNS)

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """The cell's index (invalid outside the table): one call, where the inherited one asks ``rowCount``
        and ``columnCount`` for every cell the proxy maps while painting."""
        if 0 <= row < len(self._rows) and 0 <= column < _COLUMN_COUNT and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        """Column titles in the chosen language."""
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return translate("IncidentList", COLUMNS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        """Cell text, colours and the incident id (UserRole).

        Platform text (category, title, town) goes through ``display_text``: an item view draws it as plain
        text, with bidirectional and invisible characters marked. Painting a screenful asks this a thousand
        times per change of a busy list: the texts are made once per incident version, the colours and the
        font once per model, and the roles nothing answers return first.
        """
        if role == _DISPLAY:
            row = index.row()
            return self._display(self._rows[row])[index.column()] if row >= 0 else None
        if role not in _ANSWERED or not index.isValid():
            return None
        inc = self._rows[index.row()]
        col = index.column()
        if role == _FOREGROUND:
            if col == 0:
                return self._brushes.priority.get(inc.priority, self._brushes.other_priority)
            if col == 5:
                return self._brushes.status[inc.status]
            return None if inc.status in OPEN_STATUSES else self._brushes.closed
        if role == _BACKGROUND:
            if inc.id in self._unseen:
                return self._brushes.unseen
            return self._brushes.overdue if inc.id in self._overdue else None
        if role == _FONT:
            return self._brushes.bold if inc.id in self._unseen else None
        if role == _TOOLTIP:
            if col == 3:
                return plain_tooltip(inc.title)
            return translate("IncidentList", "督办：有处置任务已超时") if inc.id in self._overdue else None
        return inc.id  # UserRole

    def _display(self, inc: Incident) -> tuple[str, ...]:
        """The row's cell texts, made once per incident version (a repaint asks for them again and again)."""
        key = (inc.id, inc.version)
        cells = self._cells.get(key)
        if cells is None:
            if len(self._cells) > 4 * len(self._rows) + 1000:
                self._cells.clear()
            cells = self._cells[key] = (
                translate("incidents", PRIORITY_LABELS.get(inc.priority, str(inc.priority))),
                format_time(to_display(inc.reported_at), translate("DateFormat", "MM-dd HH:mm")),
                display_text(inc.category_label),
                display_text(inc.title),
                display_text(inc.town),
                inc.status_label,
            )
        return cells

    # --- updates -----------------------------------------------------------------------------------------
    def set_incidents(self, incidents: list[Incident]) -> None:
        """Replace all rows."""
        self.beginResetModel()
        self._rows = sorted(incidents, key=lambda i: i.reported_at, reverse=True)
        self._keys = [-row.reported_at.timestamp() for row in self._rows]
        self._ids = {row.id for row in self._rows}
        self._row_index = None
        self._cells.clear()
        self.endResetModel()

    def upsert(self, incident: Incident, *, unseen: bool = False) -> bool:
        """Insert a new incident at its place or update the row holding it (older versions ignored).

        Returns True if the incident was not listed before; ``unseen`` marks such a newcomer until
        ``mark_seen``.
        """
        return bool(self.upsert_many([incident], unseen=unseen))

    def upsert_many(self, incidents: Iterable[Incident], *, unseen: bool = False) -> list[Incident]:
        """Apply a batch of changed incidents at once; returns those new to the list (newest first).

        Updates replace their rows in place and are announced as ``dataChanged`` over runs of adjacent rows;
        newcomers are inserted where their report time puts them, one ``beginInsertRows`` per run of rows
        that land together (a burst of new incidents is one insertion at the top). A newcomer costs a binary
        search and its share of one list insertion; only updates need the id→row index.
        """
        latest: dict[str, Incident] = {}
        for incident in incidents:
            held = latest.get(incident.id)
            if held is None or incident.version >= held.version:
                latest[incident.id] = incident
        if not latest:
            return []
        new = [incident for incident in latest.values() if incident.id not in self._ids]
        updated = [incident for incident in latest.values() if incident.id in self._ids]
        index = self._index() if updated else {}  # a burst of newcomers does not need the rows' places
        changed: list[int] = []
        for incident in updated:
            row = index[incident.id]
            if incident.version >= self._rows[row].version:
                self._rows[row] = incident
                self._keys[row] = -incident.reported_at.timestamp()
                changed.append(row)
        for first, last in _runs(sorted(changed)):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        if new:
            self._insert(new, unseen)
        return sorted(new, key=lambda i: i.reported_at, reverse=True)

    def _insert(self, new: list[Incident], unseen: bool) -> None:
        """Insert newcomers in runs, bottom run first so the places of the runs above stay valid."""
        runs: dict[int, list[Incident]] = {}
        for incident in new:
            runs.setdefault(bisect_left(self._keys, -incident.reported_at.timestamp()), []).append(incident)
        for pos in sorted(runs, reverse=True):
            group = sorted(runs[pos], key=lambda i: i.reported_at, reverse=True)
            self.beginInsertRows(QModelIndex(), pos, pos + len(group) - 1)
            self._rows[pos:pos] = group
            self._keys[pos:pos] = [-i.reported_at.timestamp() for i in group]
            self._ids.update(i.id for i in group)
            self._row_index = None
            if unseen:
                self._unseen.update(i.id for i in group)
            self.endInsertRows()

    def _index(self) -> dict[str, int]:
        if self._row_index is None:
            self._row_index = {incident.id: row for row, incident in enumerate(self._rows)}
        return self._row_index

    def mark_seen(self, incident_id: str) -> None:
        """The duty officer has looked at this incident: drop its highlight."""
        if incident_id in self._unseen:
            self._unseen.discard(incident_id)
            row = self.row_of(incident_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def set_overdue(self, incident_ids: set[str]) -> None:
        """Highlight the incidents with an overdue task (督办); only rows that change are redrawn."""
        changed = self._overdue ^ incident_ids
        self._overdue = set(incident_ids)
        for incident_id in changed:
            row = self.row_of(incident_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def is_overdue(self, incident_id: str) -> bool:
        """Whether the incident is highlighted as overdue."""
        return incident_id in self._overdue

    def unseen_count(self) -> int:
        """Incidents that arrived live and have not been selected yet."""
        return len(self._unseen)

    def incident_at(self, row: int) -> Incident:
        """The incident shown in ``row``."""
        return self._rows[row]

    def incident(self, incident_id: str) -> Incident | None:
        """The incident with this id, if listed."""
        row = self.row_of(incident_id)
        return None if row is None else self._rows[row]

    def row_of(self, incident_id: str) -> int | None:
        """Row index of an incident id, or None."""
        return self._index().get(incident_id)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of adjacent rows."""
    found: list[tuple[int, int]] = []
    for row in rows:
        if found and row == found[-1][1] + 1:
            found[-1] = (found[-1][0], row)
        else:
            found.append((row, row))
    return found


class IncidentFilterModel(QSortFilterProxyModel):
    """Filters by open/closed, category and a free-text search over title, town and id."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._only_open = True
        self._category = ""
        self._text = ""
        self._extra: Callable[[Incident], bool] | None = None

    def set_extra_filter(self, passes: Callable[[Incident], bool] | None) -> None:
        """Also require ``passes(incident)`` (a filter set from outside, e.g. the dashboard); None: not."""
        self._change_filter(lambda: setattr(self, "_extra", passes))

    def set_only_open(self, only_open: bool) -> None:
        """Show only incidents not yet resolved."""
        self._change_filter(lambda: setattr(self, "_only_open", only_open))

    def set_category(self, category: str) -> None:
        """Show one category code ('' for all)."""
        self._change_filter(lambda: setattr(self, "_category", category))

    def set_text(self, text: str) -> None:
        """Case-insensitive substring filter."""
        self._change_filter(lambda: setattr(self, "_text", text.strip().lower()))

    def _change_filter(self, change) -> None:
        # Qt >= 6.10 wants begin/endFilterChange around the change; invalidateFilter() is deprecated there.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        """Apply the three filters."""
        model = self.sourceModel()
        assert isinstance(model, IncidentTableModel)
        inc = model.incident_at(source_row)
        if self._only_open and inc.status not in OPEN_STATUSES:
            return False
        if self._category and inc.category != self._category:
            return False
        if self._extra is not None and not self._extra(inc):
            return False
        if self._text:
            hay = f"{inc.id} {inc.title} {inc.town} {inc.grid} {inc.description}".lower()
            if self._text not in hay:
                return False
        return True
