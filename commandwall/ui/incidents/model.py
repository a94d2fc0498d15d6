"""Table model of incidents, newest first, fed from the incident store through the Qt adapter."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
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
#: Background of incidents whose dispatch a unit refused, to be dispatched again.
REFUSED_BACKGROUND = "#5a3a0e"
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
        self.refused = QBrush(QColor(REFUSED_BACKGROUND))
        self.bold = QFont()
        self.bold.setBold(True)


class IncidentTableModel(QAbstractTableModel):
    """The incidents listed, newest first by report time; its rows are those its filters pass (all until a
    filter is set), so a view shows it directly.

    Filtering here rather than in a ``QSortFilterProxyModel`` keeps a batch of newcomers one insertion per run
    of rows in the order shown, with nothing mapping rows or cells between two models: a burst inserts at the
    top of a list of thousands several times a second, and each repaint asks for a screenful of cells.

    ``rowCount``, ``incident_at`` and ``row_of`` speak of the rows shown; ``incident``, ``total_count`` and
    ``incidents`` of every incident listed, shown or not.
    """

    #: After a change of the rows shown, of the incidents listed or of the unseen ones: once per batch, filter
    #: change or reset, where ``rowsInserted`` and ``rowsRemoved`` come once per run of rows.
    counts_changed = Signal()
    refiltered = Signal()  # the filters changed: the rows shown are another set (a reset is ``modelReset``)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._by_id: dict[str, Incident] = {}  # every incident listed, shown or filtered out
        self._key_of: dict[str, float] = {}  # -reported_at when first listed: where its row goes
        self._rows: list[Incident] = []  # the incidents shown, newest first
        self._keys: list[float] = []  # the key of each row shown (ascending), to find a row or where one goes
        self._unseen: set[str] = set()
        self._overdue: set[str] = set()  # 督办: incidents with an overdue task
        self._refused: set[str] = set()  # incidents whose dispatch was refused, none dispatched since
        self._cells: dict[tuple[str, int], tuple[str, ...]] = {}  # (id, version) -> display texts
        self._brushes = _Brushes()
        self._only_open = False
        self._category = ""
        self._text = ""
        self._extra: Callable[[Incident], bool] | None = None

    # --- Qt model interface -------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        """Number of incidents shown (flat table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        """Fixed columns, see ``COLUMNS``."""
        return 0 if parent.isValid() else len(COLUMNS)

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """The cell's index (invalid outside the table): one call, where the inherited one asks ``rowCount``
        and ``columnCount`` for every cell a view asks for while painting."""
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
            return self.cells(self._rows[row])[index.column()] if row >= 0 else None
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
            if inc.id in self._overdue:
                return self._brushes.overdue
            return self._brushes.refused if inc.id in self._refused else None
        if role == _FONT:
            return self._brushes.bold if inc.id in self._unseen else None
        if role == _TOOLTIP:
            if col == 3:
                return plain_tooltip(inc.title)
            tips = []
            if inc.id in self._overdue:
                tips.append(translate("IncidentList", "督办：有处置任务已超时"))
            if inc.id in self._refused:
                tips.append(translate("IncidentList", "任务被拒绝，需重新派遣"))
            return "\n".join(tips) or None
        return inc.id  # UserRole

    def cells(self, inc: Incident) -> tuple[str, ...]:
        """The texts of ``inc``'s row as the list shows them, made once per incident version (a repaint asks
        for them again and again)."""
        key = (inc.id, inc.version)
        cells = self._cells.get(key)
        if cells is None:
            if len(self._cells) > 4 * len(self._by_id) + 1000:
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

    # --- filters -------------------------------------------------------------------------------------------
    def set_only_open(self, only_open: bool) -> None:
        """Show only incidents not yet resolved."""
        if only_open != self._only_open:
            self._only_open = only_open
            self._refilter()

    def set_category(self, category: str) -> None:
        """Show one category code ('' for all)."""
        if category != self._category:
            self._category = category
            self._refilter()

    def set_text(self, text: str) -> None:
        """Show the incidents whose id, title, town, grid or description hold ``text`` (case-insensitive)."""
        text = text.strip().lower()
        if text != self._text:
            self._text = text
            self._refilter()

    def set_extra_filter(self, passes: Callable[[Incident], bool] | None) -> None:
        """Also require ``passes(incident)`` (a filter set from outside, e.g. the dashboard); None: not."""
        if passes is not self._extra:
            self._extra = passes
            self._refilter()

    def passes(self, inc: Incident) -> bool:
        """Whether the filters let ``inc`` be shown."""
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

    def _refilter(self) -> None:
        """Rows the filters no longer pass go, in runs (bottom first); those they now pass come in at their
        places: the rows that stay are never reset, so the selection stays on them."""
        self._remove_rows([row for row, inc in enumerate(self._rows) if not self.passes(inc)])
        shown = {inc.id for inc in self._rows}
        self._insert_rows([inc for inc in self._by_id.values() if inc.id not in shown and self.passes(inc)])
        self.counts_changed.emit()
        self.refiltered.emit()

    # --- updates -----------------------------------------------------------------------------------------
    def set_incidents(self, incidents: list[Incident]) -> None:
        """Replace all incidents (of one id the newest version)."""
        self.beginResetModel()
        latest = _latest(incidents)
        ordered = sorted(latest.values(), key=lambda i: i.reported_at, reverse=True)
        self._by_id = {inc.id: inc for inc in ordered}
        self._key_of = {inc.id: -inc.reported_at.timestamp() for inc in ordered}
        self._rows = [inc for inc in ordered if self.passes(inc)]
        self._keys = [self._key_of[inc.id] for inc in self._rows]
        self._cells.clear()
        self.endResetModel()
        self.counts_changed.emit()

    def upsert(self, incident: Incident, *, unseen: bool = False) -> bool:
        """Insert a new incident at its place or update the one listed (older versions ignored).

        Returns True if the incident was not listed before; ``unseen`` marks such a newcomer until
        ``mark_seen``.
        """
        return bool(self.upsert_many([incident], unseen=unseen))

    def upsert_many(self, incidents: Iterable[Incident], *, unseen: bool = False) -> list[Incident]:
        """Apply a batch of changed incidents at once; returns those new to the list (newest first).

        Updates of rows shown replace them in place and are announced as ``dataChanged`` over runs of adjacent
        rows; an update the filters no longer pass removes its row, one they now pass inserts it. Newcomers the
        filters pass are inserted where their report time puts them, one ``beginInsertRows`` per run of rows
        that land together (a burst of new incidents is one insertion at the top). A newcomer costs a binary
        search and its share of one list insertion; an update finds its row by a binary search too (nothing in a
        batch walks every row: a burst lands at the top of a list of thousands several times a second).
        """
        latest = _latest(incidents)
        if not latest:
            return []
        new = [inc for inc in latest.values() if inc.id not in self._by_id]
        updated = [inc for inc in latest.values() if inc.id in self._by_id]
        for inc in new:
            self._by_id[inc.id] = inc
            self._key_of[inc.id] = -inc.reported_at.timestamp()
        if unseen:
            self._unseen.update(inc.id for inc in new)
        arriving = [inc for inc in new if self.passes(inc)]
        if updated:
            changed: list[int] = []
            leaving: list[int] = []
            for inc in updated:
                if inc.version < self._by_id[inc.id].version:
                    continue
                self._by_id[inc.id] = inc
                row = self.row_of(inc.id)
                if not self.passes(inc):
                    if row is not None:
                        leaving.append(row)
                elif row is None:
                    arriving.append(inc)
                else:
                    self._rows[row] = inc
                    changed.append(row)
            for first, last in _runs(sorted(changed)):
                self.dataChanged.emit(self.index(first, 0), self.index(last, _COLUMN_COUNT - 1))
            self._remove_rows(leaving)
        self._insert_rows(arriving)
        self.counts_changed.emit()
        return sorted(new, key=lambda i: i.reported_at, reverse=True)

    def _insert_rows(self, incidents: list[Incident]) -> None:
        """Show ``incidents`` (not shown yet) at their places, in runs, bottom run first so the places of the
        runs above stay valid."""
        runs: dict[int, list[Incident]] = {}
        key_of = self._key_of
        for inc in incidents:
            runs.setdefault(bisect_left(self._keys, key_of[inc.id]), []).append(inc)
        for pos in sorted(runs, reverse=True):
            group = sorted(runs[pos], key=lambda i: key_of[i.id])
            self.beginInsertRows(QModelIndex(), pos, pos + len(group) - 1)
            self._rows[pos:pos] = group
            self._keys[pos:pos] = [key_of[i.id] for i in group]
            self.endInsertRows()

    def _remove_rows(self, rows: list[int]) -> None:
        """Stop showing these rows, in runs, bottom run first."""
        for first, last in reversed(_runs(sorted(rows))):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first:last + 1]
            del self._keys[first:last + 1]
            self.endRemoveRows()

    def mark_seen(self, incident_id: str) -> None:
        """The duty officer has looked at this incident: drop its highlight."""
        if incident_id in self._unseen:
            self._unseen.discard(incident_id)
            row = self.row_of(incident_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, _COLUMN_COUNT - 1))
            self.counts_changed.emit()

    def set_overdue(self, incident_ids: set[str]) -> None:
        """Highlight the incidents with an overdue task (督办); only rows that change are redrawn."""
        changed = self._overdue ^ incident_ids
        self._overdue = set(incident_ids)
        for incident_id in changed:
            row = self.row_of(incident_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, _COLUMN_COUNT - 1))

    def set_refused(self, incident_ids: set[str]) -> None:
        """Mark the incidents whose dispatch a unit refused (to be dispatched again); only rows that change are
        redrawn."""
        changed = self._refused ^ incident_ids
        self._refused = set(incident_ids)
        for incident_id in changed:
            row = self.row_of(incident_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, _COLUMN_COUNT - 1))

    def is_refused(self, incident_id: str) -> bool:
        """Whether the incident is marked as refused, to be dispatched again."""
        return incident_id in self._refused

    def is_overdue(self, incident_id: str) -> bool:
        """Whether the incident is highlighted as overdue."""
        return incident_id in self._overdue

    def unseen_count(self) -> int:
        """Incidents that arrived live and have not been selected yet (shown or not)."""
        return len(self._unseen)

    def total_count(self) -> int:
        """Incidents listed, shown or filtered out."""
        return len(self._by_id)

    def incidents(self) -> list[Incident]:
        """Every incident listed, shown or filtered out, newest first."""
        return sorted(self._by_id.values(), key=lambda i: self._key_of[i.id])

    def incident_at(self, row: int) -> Incident:
        """The incident shown in ``row``."""
        return self._rows[row]

    def incident(self, incident_id: str) -> Incident | None:
        """The incident with this id, if listed (shown or filtered out)."""
        return self._by_id.get(incident_id)

    def row_of(self, incident_id: str) -> int | None:
        """The row showing this incident, or None (not listed, or filtered out): a binary search on the rows'
        keys, then the few rows of the same report time (no id→row table to make again whenever rows move)."""
        key = self._key_of.get(incident_id)
        if key is None:
            return None
        keys, rows = self._keys, self._rows
        row = bisect_left(keys, key)
        while row < len(keys) and keys[row] == key:
            if rows[row].id == incident_id:
                return row
            row += 1
        return None


def _latest(incidents: Iterable[Incident]) -> dict[str, Incident]:
    """Of each id the newest version (the later of equal ones)."""
    latest: dict[str, Incident] = {}
    for incident in incidents:
        held = latest.get(incident.id)
        if held is None or incident.version >= held.version:
            latest[incident.id] = incident
    return latest


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of adjacent rows."""
    found: list[tuple[int, int]] = []
    for row in rows:
        if found and row == found[-1][1] + 1:
            found[-1] = (found[-1][0], row)
        else:
            found.append((row, row))
    return found
