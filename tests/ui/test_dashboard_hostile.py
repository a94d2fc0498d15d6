"""Outside text on the dashboard: town and sensor names from the platform in the real charts, tiles and table.

Qt Charts draws category-axis labels as rich text and merges equal labels; every name must show as the
characters it is (``display_text``), and every bar must keep its own label."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from commandwall.app.dashboard import Overview, TownFigures
from commandwall.domain.sensors import Sensor, SensorKind, SensorReading
from commandwall.textsafe import display_text
from commandwall.ui.dashboard.charts import two_lines
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


def assert_shown_from(label: str, escaped: str) -> None:
    """``label`` is ``escaped`` itself, or set on two lines (``<br>``) and maybe cut with "…" — nothing else."""
    label = re.sub(r" \(\d+\)$", "", label)  # a number for a name seen already
    for joint in ("", " "):  # cut inside the name, or at a space
        whole = label.replace("<br>", joint, 1)
        if whole == escaped or (whole.endswith("…") and escaped.startswith(whole[:-1])):
            break
    else:
        raise AssertionError(f"{label[:80]!r} is not shown from {escaped[:80]!r}")
    assert "<" not in whole.replace("&lt;", ""), "no markup but the one line break"


def test_two_lines_split_long_names_evenly_and_cut_what_does_not_fit() -> None:
    assert two_lines("临城", 3) == "临城"
    assert two_lines("蟠龙河常庄段", 3) == "蟠龙河<br>常庄段"
    assert two_lines("薛城经济开发区", 4) == "薛城经济<br>开发区"
    assert two_lines("薛城区西部山区", 2) == "薛城<br>区…"
    assert two_lines("<b>粗体</b>", 4) == "&lt;b&gt;粗<br>体&lt;/…"
    assert two_lines("Law enforcement", 11) == "Law<br>enforcement"  # at a space, not inside a word
    assert two_lines("Culture & tourism", 9) == "Culture &amp;<br>tourism"
    assert two_lines("Environment protection", 8) == "Environm<br>ent pro…"  # no space fits: by width


def test_town_and_water_labels_fit_a_narrow_dashboard_without_dots(qtbot: QtBot) -> None:
    """At 1280×720 (a console screen) the nine towns and the water stations are drawn whole: two characters
    per town, longer station names on two lines, none cut to "…"."""
    view = DashboardView()
    qtbot.addWidget(view)
    view.resize(1280, 720)
    view.show()
    qtbot.waitExposed(view)
    towns = ["临城街道", "常庄街道", "兴城街道", "张范街道", "兴仁街道", "沙沟镇", "周营镇", "邹坞镇", "陶庄镇"]
    stations = ["蟠龙河临城段", "蟠龙河常庄段", "新薛河兴城段", "十字河张范段", "小沙河兴仁段", "薛城大沙河沙沟段",
                "沙沟水库", "新薛河周营段", "邹坞水库", "陶庄水库", "十字河陶庄段", "薛城大沙河周营段"]
    data = overview()
    data = replace(data, towns=[TownFigures(name, 1, 1, 1, 2) for name in towns],
                   sensors=[sensor(n, name + "水位站", SensorKind.WATER) for n, name in enumerate(stations)])
    view.show_overview(data)
    qtbot.wait(50)
    view.show_overview(data)  # laid out now: the labels follow the chart's width
    assert view.towns.categories.categories() == [short_town(t) for t in towns]
    water = view.water.categories.categories()
    assert len(water) == len(stations) and not any("…" in label for label in water)
    assert "蟠龙河<br>临城段" in water
    for chart in (view.towns, view.water, view.statuses, view.categories, view.air):
        assert not chart.categories.truncateLabels(), "Qt would cut even a short label that just fits to …"


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
        assert_shown_from(label, html.escape(display_text(short_town(town.town))))
    assert_shown_from(town_labels[-1], html.escape(display_text(short_town(NAMES[0]))))  # numbered, once shortened
    assert re.search(r" \(2\)$", town_labels[-1]), town_labels[-1]
    air = [s for s in data.sensors if s.kind is SensorKind.AIR]
    assert len(view.air.categories.categories()) == len(air)
    categories = view.categories.categories.categories()
    assert len(categories) == 2
    assert_shown_from(categories[1], html.escape(display_text(NAMES[1])))
    for row, town in enumerate(data.towns[:-1]):
        assert view.town_table.item(row, 0).text() == display_text(town.town)
    for label in view.findChildren(QLabel):
        assert label.textFormat() is Qt.TextFormat.PlainText, label.text()[:60]
    assert display_text(NAMES[2]) in view.sensor_note.text()


def test_a_bar_names_its_town_in_full_under_the_pointer_as_text(qtbot: QtBot) -> None:
    """A narrow axis cuts a long name; the bar under the pointer says it whole, with its value — as plain
    text, also when the name is markup."""
    from PySide6.QtWidgets import QToolTip

    view = DashboardView()
    qtbot.addWidget(view)
    view.resize(1280, 720)
    view.show()
    qtbot.waitExposed(view)
    names = ["薛城经济技术开发区西部山区", "<img src=x>临城"]
    view.towns.set_values(names, [4, 1], [2, 0])
    view.towns.sets[0].hovered.emit(True, 0)
    assert "薛城经济技术开发区西部山区" in QToolTip.text() and "4" in QToolTip.text()
    view.towns.sets[1].hovered.emit(True, 1)
    assert "&lt;img src=x&gt;临城" in QToolTip.text() and "<img" not in QToolTip.text()
    view.towns.sets[1].hovered.emit(False, 1)
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=3000)
