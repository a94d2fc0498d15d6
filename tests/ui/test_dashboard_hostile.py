"""Outside text on the dashboard: town and sensor names from the platform in the real charts, tiles and table.

Qt Charts draws category-axis labels as rich text and merges equal labels; every name must show as the
characters it is (``display_text``), and every bar must keep its own label."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from commandwall.app.dashboard import Overview, TownFigures
from commandwall.domain.sensors import Sensor, SensorKind, SensorReading
from commandwall.textsafe import display_text
from commandwall.ui.dashboard.view import DashboardView, short_town
from tests.hostile import corpus

AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
NAMES = [text for text in dict.fromkeys(corpus()) if text.strip()][:30]


def sensor(n: int, name: str, kind: SensorKind) -> Sensor:
    reading = (SensorReading(metric="aqi", label=name, unit=name, value=180, warning=100, alarm=150)
               if kind is SensorKind.AIR else
               SensorReading(metric="level", label="水位", unit="m", value=2.0, warning=3.0, alarm=4.0))
    return Sensor(id=f"S-{n}", name=name, kind=kind, town=name, lon=117.3, lat=34.8, readings=[reading],
                  updated_at=AT)


def overview() -> Overview:
    towns = [TownFigures(name, n, n, n, n + 1) for n, name in enumerate([*NAMES, NAMES[0]])]  # one twice
    sensors = [sensor(n, name, SensorKind.AIR if n % 2 else SensorKind.WATER) for n, name in enumerate(NAMES)]
    return Overview(at=AT, day_start=AT - timedelta(hours=9), today=3, open_now=2, urgent_open=1,
                    by_category={"zongzhi": 1, NAMES[1]: 2}, by_status={"待受理": 3}, overdue=0,
                    cameras_online=1, cameras_total=2, units_available=1, units_total=2, towns=towns,
                    trend=[(AT - timedelta(hours=h), h) for h in range(24)], sensors=sensors,
                    sensors_note=NAMES[2])


def test_platform_names_on_the_charts_show_literally_and_every_bar_keeps_its_label(qtbot: QtBot) -> None:
    view = DashboardView()
    qtbot.addWidget(view)
    view.resize(1600, 900)
    view.show()
    data = overview()
    view.show_overview(data)
    town_labels = view.towns.categories.categories()
    assert len(town_labels) == len(data.towns), "equal names would merge and shift the bars"
    for label, town in zip(town_labels, data.towns[:-1], strict=False):
        assert label == html.escape(display_text(short_town(town.town)))
    assert town_labels[-1] == html.escape(f"{display_text(short_town(NAMES[0]))} (2)")
    air = [s for s in data.sensors if s.kind is SensorKind.AIR]
    assert len(view.air.categories.categories()) == len(air)
    assert html.escape(display_text(NAMES[1])) in view.categories.categories.categories()
    for row, town in enumerate(data.towns[:-1]):
        assert view.town_table.item(row, 0).text() == display_text(town.town)
    for label in view.findChildren(QLabel):
        assert label.textFormat() is Qt.TextFormat.PlainText, label.text()[:60]
    assert display_text(NAMES[2]) in view.sensor_note.text()
