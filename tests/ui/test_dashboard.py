"""The overview dashboard in the main window against the exercise backend: real figures, and a click on a
figure filters the incident panel and the map to exactly the incidents it counts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from commandwall import localtime
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.domain.models import CATEGORIES, OPEN_STATUSES
from tests.ui.test_main_window import run_js
from tests.ui.windows import main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)


@pytest.fixture
def window(qtbot, tmp_path, exercise, exercise_platform):
    # one incident reported now, so "today" holds one even in the minutes after the district's midnight (the
    # exercise's own incidents were reported over the hours before)
    exercise.store.add_incident({"title": "今日测试事件：道路积水", "description": "综合态势测试", "category": "yingji",
                                 "lon": 117.27, "lat": 34.79, "town": "临城街道", "grid": "", "priority": 3,
                                 "source": "12345热线"})
    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform), size=(1600, 1000),
                     map_ready=True) as win:
        win.dashboard_dock.raise_()  # the 综合态势 tab in front
        qtbot.waitUntil(lambda: win.dashboard.overview is not None and bool(win.dashboard.overview.sensors)
                        and win.dashboard.overview.today > 0, timeout=20000)
        yield win


def listed(window) -> list:
    panel = window.incidents
    return [panel.model.incident_at(row) for row in range(panel.model.rowCount())]


def map_incidents(qtbot, window) -> int:
    return run_js(qtbot, window.map, "CW.stats().incidents")


def test_the_tiles_show_the_sessions_figures(qtbot, window):
    overview = window.dashboard.overview
    assert window.dashboard.tiles["today"].value.text() == str(overview.today)
    assert window.dashboard.tiles["open"].value.text() == str(len(window.session.incidents.open()))

    def cameras_as_the_session_has_them() -> bool:  # the tile may show a count of before the cameras came
        online = sum(1 for c in window.session.cameras.all() if c.status.value == "online")
        return window.dashboard.tiles["cameras"].value.text() == f"{online}/{len(window.session.cameras)}"

    qtbot.waitUntil(cameras_as_the_session_has_them, timeout=10000)
    # the figure itself, never the placeholder "—": the overview may be recounted meanwhile, so the tile is
    # compared with the overview the dashboard holds when it is read
    qtbot.waitUntil(lambda: window.dashboard.tiles["overdue"].value.text()
                    == str(window.dashboard.overview.overdue), timeout=10000)
    assert window.dashboard.town_table.rowCount() == 9


def test_clicking_a_category_bar_filters_the_panel_and_the_map(qtbot, window):
    overview = window.dashboard.overview
    total_on_map = len(window.session.incidents)
    qtbot.waitUntil(lambda: map_incidents(qtbot, window) == total_on_map, timeout=10000)
    index, code = next((i, c) for i, c in enumerate(overview.by_category) if overview.by_category[c] > 0)
    count = overview.by_category[code]
    chart = window.dashboard.categories
    where = chart.bar_position(index, count).toPoint()
    with qtbot.waitSignal(window.dashboard_feature.sig_filter, timeout=5000):
        qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=where)
    rows = listed(window)
    assert len(rows) == count, "the list shows exactly the incidents the bar counts"
    assert all(i.category == code and i.reported_at >= overview.day_start for i in rows)
    chip = window.incidents.filter_chip
    assert chip.isVisibleTo(window.incidents) and CATEGORIES[code] in chip.text()
    qtbot.waitUntil(lambda: map_incidents(qtbot, window) == count, timeout=10000)

    # the 未办结 tile: every open incident, whenever reported
    qtbot.mouseClick(window.dashboard.tiles["open"], Qt.MouseButton.LeftButton)
    open_now = [i for i in window.session.incidents.all() if i.status in OPEN_STATUSES]
    assert {i.id for i in listed(window)} == {i.id for i in open_now}
    qtbot.waitUntil(lambda: map_incidents(qtbot, window) == len(open_now), timeout=10000)

    # the chip clears it everywhere
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert not chip.isVisibleTo(window.incidents) and not window.dashboard.clear_button.isVisibleTo(window.dashboard)
    qtbot.waitUntil(lambda: map_incidents(qtbot, window) == total_on_map, timeout=10000)


def test_clicking_a_town_row_filters_to_that_towns_incidents_today(qtbot, window):
    overview = window.dashboard.overview
    row = next(r for r, town in enumerate(overview.towns) if town.today > 0)
    table = window.dashboard.town_table
    table.scrollToItem(table.item(row, 0))
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    rows = listed(window)
    assert len(rows) == overview.towns[row].today
    assert {i.town for i in rows} == {overview.towns[row].town}


def test_a_dashboard_behind_another_tab_counts_nothing_and_catches_up_in_front(qtbot, window):
    """Out of sight the figures are not counted (in an incident burst each count slows the GUI thread); brought
    to the front the dashboard counts at once and shows what changed meanwhile."""
    feature = window.dashboard_feature
    window.incident_dock.raise_()
    qtbot.waitUntil(lambda: window.dashboard.mapTo(window, QPoint(0, 0)).x() < 0, timeout=5000)  # moved out
    qtbot.waitUntil(lambda: not feature.controller.wanted, timeout=5000)
    drawn = window.dashboard.overview
    counted: list = []
    feature._sig_overview.connect(counted.append)
    today = drawn.today
    reported = window.session.incidents.all()[0]
    window.session.incidents.upsert(reported.model_copy(update={"id": "DASH-HIDDEN-1", "version": 1,
                                                                "reported_at": localtime.now()}))  # fmt: skip
    feature.controller.refresh_now()
    qtbot.wait(1500)
    assert counted == [], "nothing counted out of sight"
    assert window.dashboard.overview is drawn, "nor drawn"
    window.dashboard_dock.raise_()
    qtbot.waitUntil(lambda: bool(counted) and window.dashboard.overview is counted[-1], timeout=3000)
    assert counted[-1].today == today + 1, "the incident that came meanwhile is counted"
    assert feature.controller.wanted
