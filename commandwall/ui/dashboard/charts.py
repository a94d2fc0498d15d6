"""The dashboard's charts, built on Qt Charts (PySide6's QtCharts, shipped in PySide6-Addons with the PySide6
the client already depends on): dark, with the application's CJK font, updated in place on every overview.

Bars are clickable: a click on bar ``i`` emits ``sig_bar_clicked(i)`` (the dashboard turns it into a filter).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QLineSeries,
    QScatterSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, QMargins, QPointF, Qt, QTime, Signal
from PySide6.QtGui import QBrush, QColor, QCursor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from commandwall.domain.sensors import ReadingLevel
from commandwall.i18n import translate
from commandwall.ui.text import plain_tooltip

GRID = QColor("#1f3a55")
LABEL = QColor("#9fb6cc")
TITLE = QColor("#19c3e6")
LEVEL_COLOURS = {ReadingLevel.NORMAL: "#36cfc9", ReadingLevel.WARNING: "#faad14", ReadingLevel.ALARM: "#ff4d4f"}


def _font(point_size: int, bold: bool = False) -> QFont:
    """The application's font (its CJK families) at ``point_size``: Qt Charts does not follow the application
    font by itself."""
    font = QFont(QApplication.font())
    font.setPointSize(point_size)
    font.setBold(bold)
    return font


def nice_maximum(value: float) -> float:
    """A round axis maximum at or above ``value`` (at least 5)."""
    for step in (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if value <= step:
            return float(step)
    return float(math.ceil(value / 1000) * 1000)



def axis_labels(labels: Sequence[str], wrap: float = 0, measure: Callable[[str], float] = len) -> list[str]:
    """Category-axis labels as Qt Charts needs them: it draws them as rich text, so each is escaped (``<b>``
    from the platform shows as those characters), and it merges equal strings, which would shift every bar
    after them, so a repeated label gets a number (``沙沟 (2)``). With ``wrap``, a label wider than that (as
    ``measure`` gives it) is set on two lines (see :func:`two_lines`) for a narrow chart."""
    shown: list[str] = []
    taken: set[str] = set()
    for label in labels:
        text = two_lines(label, wrap, measure) if wrap else html.escape(label)
        number, unique = 1, text
        while unique in taken:  # also two long names that read alike once cut
            number += 1
            unique = f"{text} ({number})"
        taken.add(unique)
        shown.append(unique)
    return shown


def two_lines(text: str, width: float, measure: Callable[[str], float] = len) -> str:
    """``text`` escaped, on two lines of at most ``width`` (``measure``: characters, or pixels in a font) when
    wider: at the space nearest the middle (Law enforcement → Law<br>enforcement), else in halves as even as
    the first line allows (蟠龙河常庄段 → 蟠龙河<br>常庄段); what the two lines cannot hold ends in "…" (the full
    name is in the table or the note beside the chart)."""
    if measure(text) <= width:
        return html.escape(text)
    spaces = [i for i, char in enumerate(text) if char == " "]
    middle = len(text) / 2
    first, rest = "", text
    for i in sorted(spaces, key=lambda i: abs(i - middle)):
        if measure(text[:i]) <= width:
            first, rest = text[:i], text[i + 1:]
            break
    if not first:
        half = measure(text) / 2
        split = next((k for k in range(1, len(text)) if measure(text[:k]) >= half), len(text) - 1)
        while split > 1 and measure(text[:split]) > width:
            split -= 1
        first, rest = text[:split], text[split:]
    if measure(rest) > width:
        while len(rest) > 1 and measure(rest + "…") > width:
            rest = rest[:-1]
        rest += "…"
    return f"{html.escape(first)}<br>{html.escape(rest)}"


class DashboardChart(QChartView):
    """A chart view in the dashboard's look; ``title`` above, no legend unless asked. Charts with a category
    axis (``categories``) set their labels with :meth:`set_labels`; with ``wrap_labels`` a label wider than its
    share of the axis goes on two lines (re-done as the chart is resized)."""

    sig_bar_clicked = Signal(int)
    categories: QBarCategoryAxis

    def __init__(self, title: str, parent: QWidget | None = None, *, legend: bool = False) -> None:
        chart = QChart()
        chart.setTitle(title)
        chart.setTitleFont(_font(11, bold=True))
        chart.setTitleBrush(QBrush(TITLE))
        chart.setBackgroundBrush(QBrush(QColor("#0f1c2b")))
        chart.setBackgroundRoundness(4)
        chart.setMargins(QMargins(4, 2, 4, 2))
        chart.legend().setVisible(legend)
        chart.legend().setFont(_font(9))
        chart.legend().setLabelColor(LABEL)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        super().__init__(chart, parent)
        self._raw_labels: list[str] = []
        self._labels: list[str] = []
        self.wrap_labels = False
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(180)

    def set_labels(self, labels: Sequence[str]) -> None:
        """The category axis's labels (platform text: escaped, duplicates numbered, see :func:`axis_labels`)."""
        self._raw_labels = list(labels)
        metrics = QFontMetrics(_font(9))
        shown = axis_labels(self._raw_labels, self._slot_width() if self.wrap_labels else 0, metrics.horizontalAdvance)
        if shown != self._labels:
            self._labels = shown
            self.categories.clear()
            self.categories.append(shown)

    def show_bar_tip(self, bar_set: QBarSet, on: bool, index: int) -> None:
        """The pointer is on bar ``index`` (``on``) or left it: its full name (the axis may show it cut) and
        value in a tooltip, as plain text."""
        if not on or not 0 <= index < len(self._raw_labels):
            QToolTip.hideText()
            return
        value = f"{bar_set.at(index):g}"
        QToolTip.showText(QCursor.pos(), plain_tooltip(self._raw_labels[index],
                                                      f"{bar_set.label()} {value}" if bar_set.label() else value),
                          self)

    def _slot_width(self) -> float:
        """The pixels one category has along the axis (less a small gap), at least two characters' worth."""
        plot = self.chart().plotArea().width()
        width = plot if plot > 0 else self.width() * 0.85
        two_ideographs = 2 * QFontMetrics(_font(9)).horizontalAdvance(chr(0x4E2D))  # a measure, not text to show
        return max(two_ideographs, width / max(1, len(self._raw_labels)) - 4)

    def resizeEvent(self, event) -> None:  # noqa: N802
        """Resized: labels wrapped for the old width are set again for the new one."""
        super().resizeEvent(event)
        if self.wrap_labels and self._raw_labels:
            self.set_labels(self._raw_labels)

    def style_axis(self, axis) -> None:
        """Dark labels and grid in the application font."""
        axis.setLabelsFont(_font(9))
        axis.setLabelsColor(LABEL)
        axis.setGridLineColor(GRID)
        axis.setLinePenColor(GRID)
        # Qt Charts cuts a label to "…" as soon as its share of the axis is a little short, even a two-character
        # town or status that fits; the labels here are short (towns without 街道/镇), so they are drawn whole.
        axis.setTruncateLabels(False)


class CategoryBars(DashboardChart):
    """Vertical (or horizontal) bars, one per category, in one colour; ``set_values`` keeps the bars when only
    the values change."""

    def __init__(self, title: str, colour: str, parent: QWidget | None = None, *, horizontal: bool = False,
                 series_names: Sequence[str] = ("",), colours: Sequence[str] = ()) -> None:
        super().__init__(title, parent, legend=len(series_names) > 1)
        self._horizontal = horizontal
        self.series = QHorizontalBarSeries() if horizontal else QBarSeries()
        self.sets: list[QBarSet] = []
        for i, name in enumerate(series_names):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor((colours or [colour])[i % len(colours or [colour])]))
            bar_set.setBorderColor(QColor("#0f1c2b"))
            bar_set.setLabelColor(QColor("#ffffff"))
            bar_set.setLabelFont(_font(8))
            bar_set.clicked.connect(self.sig_bar_clicked)
            bar_set.hovered.connect(lambda on, index, bar_set=bar_set: self.show_bar_tip(bar_set, on, index))
            self.series.append(bar_set)
            self.sets.append(bar_set)
        self.series.setLabelsVisible(True)
        self.chart().addSeries(self.series)
        self.categories = QBarCategoryAxis()
        self.values = QValueAxis()
        self.values.setLabelFormat("%d")
        for axis in (self.categories, self.values):
            self.style_axis(axis)
        category_side, value_side = ((Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom) if horizontal
                                     else (Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft))
        self.chart().addAxis(self.categories, category_side)
        self.chart().addAxis(self.values, value_side)
        self.series.attachAxis(self.categories)
        self.series.attachAxis(self.values)

    def set_values(self, labels: Sequence[str], *columns: Sequence[float]) -> None:
        """One column of values per series, one value per label."""
        self.set_labels(labels)
        for bar_set, values in zip(self.sets, columns, strict=True):
            if bar_set.count() != len(values):
                bar_set.remove(0, bar_set.count())
                bar_set.append([float(v) for v in values])
            else:
                for i, value in enumerate(values):
                    if bar_set.at(i) != value:
                        bar_set.replace(i, float(value))
        top = max((max(values, default=0) for values in columns), default=0)
        self.values.setRange(0, nice_maximum(top))
        self.values.setTickCount(6 if top > 5 else int(nice_maximum(top)) + 1)

    def bar_position(self, index: int, value: float) -> QPointF:
        """Where the middle of bar ``index`` is (one series) on the view."""
        point = QPointF(value / 2, index) if self._horizontal else QPointF(index, value / 2)
        return self.mapFromScene(self.chart().mapToPosition(point, self.series)).toPointF()


class TrendChart(DashboardChart):
    """Incidents per hour over the last 24 hours, as a line with its points."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.line = QLineSeries()
        self.line.setPen(QPen(QColor("#19c3e6"), 2))
        self.line.setPointsVisible(True)
        self.chart().addSeries(self.line)
        self.time_axis = QDateTimeAxis()
        self.time_axis.setFormat(translate("DateFormat", "HH时"))
        self.time_axis.setTickCount(9)
        self.values = QValueAxis()
        self.values.setLabelFormat("%d")
        for axis in (self.time_axis, self.values):
            self.style_axis(axis)
        self.chart().addAxis(self.time_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart().addAxis(self.values, Qt.AlignmentFlag.AlignLeft)
        self.line.attachAxis(self.time_axis)
        self.line.attachAxis(self.values)

    def set_points(self, points: Sequence[tuple[datetime, int]]) -> None:
        """``(start of the hour, count)`` for each hour, oldest first, the hours in the display zone.

        The axis labels in the machine's own zone, so each hour is placed at its display-zone wall time read
        as a local one (the desk's zone may differ from the command centre's).
        """
        points = [(QDateTime(QDate(t.year, t.month, t.day), QTime(t.hour, 0)).toMSecsSinceEpoch(), count)
                  for t, count in points]
        self.line.replace([QPointF(float(ms), float(count)) for ms, count in points])
        if points:
            self.time_axis.setRange(QDateTime.fromMSecsSinceEpoch(points[0][0]),
                                    QDateTime.fromMSecsSinceEpoch(points[-1][0]))
        top = max((c for _, c in points), default=0)
        self.values.setRange(0, nice_maximum(top * 1.15))
        self.values.setTickCount(6 if top > 4 else int(nice_maximum(top)) + 1)


class ThresholdBars(DashboardChart):
    """One bar per sensor coloured by its level (normal, warning, alarm), with each sensor's warning and alarm
    thresholds marked."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent, legend=True)
        self.series = QStackedBarSeries()
        self.level_sets: dict[ReadingLevel, QBarSet] = {}
        for level, label in ((ReadingLevel.NORMAL, translate("Dashboard", "正常")),
                             (ReadingLevel.WARNING, translate("Dashboard", "预警")),
                             (ReadingLevel.ALARM, translate("Dashboard", "报警"))):
            bar_set = QBarSet(label)
            bar_set.setColor(QColor(LEVEL_COLOURS[level]))
            bar_set.setBorderColor(QColor("#0f1c2b"))
            bar_set.clicked.connect(self.sig_bar_clicked)
            bar_set.hovered.connect(lambda on, index, bar_set=bar_set: self.show_bar_tip(bar_set, on, index))
            self.series.append(bar_set)
            self.level_sets[level] = bar_set
        self.series.setBarWidth(0.6)
        self.chart().addSeries(self.series)
        self.warning_marks = self._marks(translate("Dashboard", "预警线"), "#faad14")
        self.alarm_marks = self._marks(translate("Dashboard", "报警线"), "#ff4d4f")
        self.categories = QBarCategoryAxis()
        self.values = QValueAxis()
        for axis in (self.categories, self.values):
            self.style_axis(axis)
        self.chart().addAxis(self.categories, Qt.AlignmentFlag.AlignBottom)
        self.chart().addAxis(self.values, Qt.AlignmentFlag.AlignLeft)
        for series in (self.series, self.warning_marks, self.alarm_marks):
            series.attachAxis(self.categories)
            series.attachAxis(self.values)

    def _marks(self, name: str, colour: str) -> QScatterSeries:
        marks = QScatterSeries()
        marks.setName(name)
        marks.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeRectangle)
        marks.setMarkerSize(7)
        marks.setColor(QColor(colour))
        marks.setBorderColor(QColor(colour))
        self.chart().addSeries(marks)
        return marks

    def set_readings(self, labels: Sequence[str], readings: Sequence[tuple[float, float, float, ReadingLevel]],
                     label_format: str = "%.0f") -> None:
        """``(value, warning, alarm, level)`` per sensor, in the order of ``labels``."""
        self.set_labels(labels)
        for level, bar_set in self.level_sets.items():
            values = [value if shown is level else 0.0 for value, _w, _a, shown in readings]
            if bar_set.count() != len(values):
                bar_set.remove(0, bar_set.count())
                bar_set.append(values)
            else:
                for i, value in enumerate(values):
                    bar_set.replace(i, value)
        self.warning_marks.replace([QPointF(i, w) for i, (_v, w, _a, _l) in enumerate(readings)])
        self.alarm_marks.replace([QPointF(i, a) for i, (_v, _w, a, _l) in enumerate(readings)])
        top = max((max(v, a) for v, _w, a, _l in readings), default=1.0)
        self.values.setRange(0, math.ceil(top * 1.1 / 50) * 50 if top > 10 else math.ceil(top * 1.1))
        self.values.setLabelFormat(label_format)
        self.values.setTickCount(6)
