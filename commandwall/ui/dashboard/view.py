"""The overview dashboard (综合态势 · 一屏观全区): KPI tiles over charts of today's incidents, the 24-hour trend,
the towns, and the sensors against their thresholds. It renders an :class:`Overview` and reports clicks; it
holds no figures of its own."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commandwall.app.dashboard import Overview
from commandwall.app.incident_filter import IncidentFilter
from commandwall.domain.models import CATEGORIES
from commandwall.domain.sensors import ReadingLevel, SensorKind
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.textsafe import display_text
from commandwall.ui.dashboard.charts import LEVEL_COLOURS, CategoryBars, ThresholdBars, TrendChart
from commandwall.ui.language import format_day, format_number, format_time
from commandwall.ui.text import ElidedLabel, plain_label, plain_tooltip

#: Tiles that filter the incidents when clicked (the others only show a figure).
INCIDENT_TILES = ("today", "open")
TILE_CAPTIONS = {"today": QT_TRANSLATE_NOOP("Dashboard", "今日事件"), "open": QT_TRANSLATE_NOOP("Dashboard", "未办结"),
                 "overdue": QT_TRANSLATE_NOOP("Dashboard", "超期任务"),
                 "cameras": QT_TRANSLATE_NOOP("Dashboard", "视频在线"),
                 "units": QT_TRANSLATE_NOOP("Dashboard", "待命力量"),
                 "sensors": QT_TRANSLATE_NOOP("Dashboard", "传感器预警")}
TOWN_COLUMNS = (QT_TRANSLATE_NOOP("Dashboard", "镇街"), QT_TRANSLATE_NOOP("Dashboard", "今日事件"),
                QT_TRANSLATE_NOOP("Dashboard", "未办结"), QT_TRANSLATE_NOOP("Dashboard", "视频在线"))
#: At this width or more the dashboard shows its charts side by side (a screen of its own).
WIDE_MIN_PX = 1200


def short_town(town: str) -> str:
    """临城街道 → 临城, 沙沟镇 → 沙沟, 临城街道、常庄街道 (an early warning's area) → 临城、常庄 (axis labels)."""
    return "、".join(_short_town(part) for part in town.split("、"))


def _short_town(town: str) -> str:
    for suffix in ("街道", "镇", "乡"):
        if town.endswith(suffix) and len(town) > len(suffix):
            return town[: -len(suffix)]
    return town


class KpiTile(QPushButton):
    """A figure with its caption; clickable only when it filters the incidents."""

    def __init__(self, key: str, clickable: bool) -> None:
        super().__init__()
        self.key = key
        self.setObjectName(f"kpi_{key}")
        self.setMinimumHeight(74)
        self.setCursor(Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if clickable else Qt.FocusPolicy.NoFocus)
        self.clickable = clickable
        self.compact = False  # a narrow dashboard: a smaller figure, so that 1514/1515 fits
        # caption and detail are cut with … where the tile is narrow (a tab beside the incident centre on a 1280
        # or 1366 px desk, in English): the tile's tooltip then says them whole
        self.caption = ElidedLabel(translate("Dashboard", TILE_CAPTIONS[key]))
        self.value = plain_label("—")
        self.value.setObjectName("kpiValue")
        self.detail = ElidedLabel("")
        self.detail.setObjectName("kpiDetail")
        for label in (self.caption, self.value, self.detail):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)

    def event(self, event: QEvent) -> bool:
        """A tooltip asked for: the caption and the detail whole, while either is cut (none otherwise)."""
        if event.type() == QEvent.Type.ToolTip:
            cut = self.caption.elided() or self.detail.elided()
            self.setToolTip(plain_tooltip(self.caption.text(), self.detail.text()) if cut else "")
        return super().event(event)

    def show_figure(self, value: str, detail: str = "", alert: bool = False) -> None:
        """Show ``value`` (large) and ``detail`` (small); ``alert`` colours the value."""
        self.value.setText(value)
        self.detail.setText(detail)
        self.value.setProperty("alert", alert)
        size = 19 if self.compact else 26
        self.value.setStyleSheet(f"color: {'#ff7875' if alert else '#ffffff'}; font-size: {size}px; font-weight: bold;")


class DashboardView(QWidget):
    """Tiles and charts of one :class:`Overview`. Clicks: ``sig_tile(key)``, ``sig_category(code)``,
    ``sig_status(label)``, ``sig_town(town)``; ``sig_clear`` asks to show every incident again."""

    sig_tile = Signal(str)
    sig_category = Signal(str)
    sig_status = Signal(str)
    sig_town = Signal(str)
    sig_clear = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.overview: Overview | None = None
        self.title = plain_label(translate("Dashboard", "薛城区综合态势 · 一屏观全区"))
        self.title.setObjectName("dashboardTitle")
        self.title.setStyleSheet("color: #19c3e6; font-size: 18px; font-weight: bold;")
        self.updated = plain_label(translate("Dashboard", "等待平台数据…"))
        self.updated.setStyleSheet("color: #7f9bb3;")
        self.filter_label = plain_label("")
        self.filter_label.setStyleSheet("color: #faad14;")
        self.clear_button = QPushButton(translate("Dashboard", "显示全部事件"))
        self.clear_button.setObjectName("dashboardClearFilter")
        self.clear_button.hide()
        self.clear_button.clicked.connect(self.sig_clear)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.filter_label)
        header.addWidget(self.clear_button)
        header.addWidget(self.updated)

        self.tiles = {key: KpiTile(key, key in INCIDENT_TILES) for key in TILE_CAPTIONS}
        for tile in self.tiles.values():
            tile.clicked.connect(lambda _=False, key=tile.key: self._tile_clicked(key))

        self.trend = TrendChart(translate("Dashboard", "近24小时事件趋势（起/小时）"))
        self.categories = CategoryBars(translate("Dashboard", "今日事件 · 类别（点击筛选）"), "#40a9ff")
        self.statuses = CategoryBars(translate("Dashboard", "今日事件 · 状态（点击筛选）"), "#69c0ff", horizontal=True)
        self.towns = CategoryBars(translate("Dashboard", "镇街分布（点击筛选）"), "",
                                  series_names=(translate("Dashboard", "今日事件"), translate("Dashboard", "未办结")),
                                  colours=("#36cfc9", "#faad14"))
        self.town_table = QTableWidget(0, len(TOWN_COLUMNS))
        self.town_table.setObjectName("townTable")
        self.town_table.setHorizontalHeaderLabels([translate("Dashboard", c) for c in TOWN_COLUMNS])
        self.town_table.verticalHeader().hide()
        self.town_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.town_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.town_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.town_table.cellClicked.connect(self._town_row_clicked)
        self.air = ThresholdBars(translate("Dashboard", "空气质量 AQI（各镇街监测站）"))
        self.water = ThresholdBars(translate("Dashboard", "河道/水库水位（m）"))
        for chart in (self.categories, self.towns, self.water):  # names on two lines where narrow, not cut or slanted
            chart.wrap_labels = True
        self.sensor_note = plain_label("")
        self.sensor_note.setObjectName("sensorNote")
        self.sensor_note.setWordWrap(True)
        self.sensor_note.setStyleSheet("color: #faad14;")

        self.categories.sig_bar_clicked.connect(self._category_clicked)
        self.statuses.sig_bar_clicked.connect(self._status_clicked)
        self.towns.sig_bar_clicked.connect(self._town_clicked)

        # The grids go into the body while empty, then get their widgets: PySide wraps the items of a layout that
        # is added full, and _arrange moving a widget to another cell has Qt delete its item under that wrapper
        # (a later Qt object at the freed address then reaches Python as a QWidgetItem).
        self.tile_grid = QGridLayout()
        self.grid = QGridLayout()
        self.grid.setSpacing(6)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(8, 6, 8, 6)
        body_layout.addLayout(header)
        body_layout.addLayout(self.tile_grid)
        body_layout.addLayout(self.grid, 1)
        body_layout.addWidget(self.sensor_note)
        self.wide: bool | None = None
        self._arrange(wide=True)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self.body = body
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    # --- layout -------------------------------------------------------------------------------------------
    def _arrange(self, wide: bool) -> None:
        """A screen of its own (wide): tiles in a row over three columns of charts that fit the screen. A tab
        beside the incident centre (narrow): tiles in two rows, the charts one under another, scrolling."""
        if wide == self.wide:
            return
        self.wide = wide
        for key, tile in enumerate(self.tiles.values()):
            self.tile_grid.addWidget(tile, *((0, key) if wide else divmod(key, 3)))
            tile.compact = not wide
            tile.show_figure(tile.value.text(), tile.detail.text(), bool(tile.value.property("alert")))
        placements = ({self.trend: (0, 0, 1, 2), self.categories: (0, 2, 1, 1), self.statuses: (1, 0, 1, 1),
                       self.towns: (1, 1, 1, 1), self.town_table: (1, 2, 1, 1), self.air: (2, 0, 1, 1),
                       self.water: (2, 1, 1, 2)} if wide else
                      {w: (row, 0, 1, 1) for row, w in enumerate((self.trend, self.categories, self.statuses,
                                                                  self.towns, self.town_table, self.air,
                                                                  self.water))})
        for widget, place in placements.items():
            self.grid.addWidget(widget, *place)
            widget.setMinimumHeight(180 if wide else 240)
        for column in range(3):
            self.grid.setColumnStretch(column, 1 if wide or column == 0 else 0)

    def resizeEvent(self, event) -> None:  # noqa: N802
        """Wide or narrow arrangement by the width available."""
        super().resizeEvent(event)
        self._arrange(self.width() >= WIDE_MIN_PX)

    # --- showing ------------------------------------------------------------------------------------------
    def show_overview(self, overview: Overview) -> None:
        """Render ``overview`` (values are updated in place: the charts do not flicker)."""
        self.overview = overview
        self.updated.setText(translate("Dashboard", "更新于 {time}").format(time=format_time(overview.at)))
        self._show_tiles(overview)
        self.trend.set_points(overview.trend)
        codes = list(overview.by_category)
        names = [translate("domain", CATEGORIES[c]) if c in CATEGORIES else c for c in codes]
        self.categories.set_values([display_text(name) for name in names],
                                   [overview.by_category[c] for c in codes])
        # horizontal bars run bottom to top: reversed, the workflow reads from the top
        groups = [translate("dashboard", key) for key in reversed(overview.by_status)]  # keys: Chinese names
        self.statuses.set_values(groups, list(reversed(overview.by_status.values())))
        self.towns.set_values([display_text(short_town(t.town)) for t in overview.towns],
                              [t.today for t in overview.towns], [t.open for t in overview.towns])
        self._show_town_table(overview)
        self._show_sensors(overview)

    def _show_tiles(self, o: Overview) -> None:
        since = translate("Dashboard", "{day} 0时起").format(day=format_day(o.day_start))
        self.tiles["today"].show_figure(str(o.today), since)
        urgent = translate("Dashboard", "特急/紧急 {count}").format(count=o.urgent_open)
        self.tiles["open"].show_figure(str(o.open_now), urgent, alert=o.urgent_open > 0)
        late = translate("Dashboard", "超过办结时限（督办）")
        self.tiles["overdue"].show_figure(str(o.overdue), late, alert=o.overdue > 0)
        share = f"{format_number(100 * o.cameras_online / o.cameras_total, 1)}%" if o.cameras_total else "—"
        online = translate("Dashboard", "在线率 {share}").format(share=share)
        self.tiles["cameras"].show_figure(f"{o.cameras_online}/{o.cameras_total}", online)
        self.tiles["units"].show_figure(f"{o.units_available}/{o.units_total}", translate("Dashboard", "待命/全部"))
        warning = [s for s in o.sensors if s.level is not ReadingLevel.NORMAL]
        alarms = sum(1 for s in warning if s.level is ReadingLevel.ALARM)
        readings = (translate("Dashboard", "报警 {alarms} · 共 {count} 个").format(alarms=alarms, count=len(o.sensors))
                    if o.sensors else translate("Dashboard", "无读数"))
        self.tiles["sensors"].show_figure(str(len(warning)) if o.sensors else "—", readings, alert=bool(warning))

    def _show_town_table(self, o: Overview) -> None:
        self.town_table.setRowCount(len(o.towns))
        for row, town in enumerate(o.towns):
            online = f"{town.cameras_online}/{town.cameras_total}"
            for column, text in enumerate((display_text(town.town), str(town.today), str(town.open), online)):
                item = self.town_table.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.town_table.setItem(row, column, item)
                item.setText(text)
            offline = town.cameras_total - town.cameras_online
            self.town_table.item(row, 3).setForeground(QBrush(QColor("#ff7875" if offline else "#d6e4f0")))

    def _show_sensors(self, o: Overview) -> None:
        for kind, chart, label_format in ((SensorKind.AIR, self.air, "%.0f"), (SensorKind.WATER, self.water, "%.1f")):
            sensors = [s for s in o.sensors if s.kind is kind]
            labels = [display_text(short_town(s.town) if kind is SensorKind.AIR else s.name.removesuffix("水位站"))
                      for s in sensors]
            chart.set_readings(labels, [(s.primary.value, s.primary.warning, s.primary.alarm, s.primary.level)
                                        for s in sensors], label_format)
        alerts = [s for s in o.sensors if s.level is not ReadingLevel.NORMAL]
        lines = []
        for s in alerts:
            alarm = s.level is ReadingLevel.ALARM
            line = s.primary.alarm if alarm else s.primary.warning
            reading, unit = display_text(s.primary.label, 20), display_text(s.primary.unit, 10)
            limit = (translate("Dashboard", "（报警线 {value}）") if alarm
                     else translate("Dashboard", "（预警线 {value}）")).format(value=f"{line:g}")
            lines.append(f"{display_text(s.name, isolate=True)} {reading} {s.primary.value:g}{unit}{limit}")
        parts = [display_text(o.sensors_note)] if o.sensors_note else []
        if lines:
            readings = translate("Dashboard", "，").join(lines)
            parts.append(translate("Dashboard", "超阈值：{readings}").format(readings=readings))
        self.sensor_note.setText(translate("Dashboard", "；").join(parts))
        worst = ReadingLevel.ALARM if any(s.level is ReadingLevel.ALARM for s in alerts) else ReadingLevel.WARNING
        self.sensor_note.setStyleSheet(f"color: {LEVEL_COLOURS[worst] if alerts else '#7f9bb3'};")

    def set_filter(self, incident_filter: IncidentFilter) -> None:
        """Show which incidents the panel and the map are filtered to (nothing when none)."""
        active = incident_filter.active
        text = translate("Dashboard", "筛选：{filter}").format(filter=incident_filter.describe()) if active else ""
        self.filter_label.setText(text)
        self.clear_button.setVisible(active)

    # --- clicks -------------------------------------------------------------------------------------------
    def _tile_clicked(self, key: str) -> None:
        if key in INCIDENT_TILES:
            self.sig_tile.emit(key)

    def _category_clicked(self, index: int) -> None:
        if self.overview is not None and 0 <= index < len(self.overview.by_category):
            self.sig_category.emit(list(self.overview.by_category)[index])

    def _status_clicked(self, index: int) -> None:
        if self.overview is not None and 0 <= index < len(self.overview.by_status):
            self.sig_status.emit(list(reversed(self.overview.by_status))[index])

    def _town_clicked(self, index: int) -> None:
        if self.overview is not None and 0 <= index < len(self.overview.towns):
            self.sig_town.emit(self.overview.towns[index].town)

    def _town_row_clicked(self, row: int, _column: int) -> None:
        self._town_clicked(row)
