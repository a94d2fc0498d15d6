"""The incident list in the right-hand column of a 1280 or 1366 px desk (the dock is 42% of the screen wide):
the title keeps its share, the status stays in sight without a horizontal scroll bar, and the town and the
category are cut with … first; in both languages, with the desk's theme (its font and style sheet)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtGui import QFontMetrics

from commandwall.domain.models import Incident, IncidentStatus
from commandwall.ui.incidents.panel import TITLE_COLUMN, IncidentPanel

T0 = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)
#: The incident centre's width docked on the right of a desk's screen (42% of its width), by screen width.
DOCK_WIDTH = {1280: 537, 1366: 573, 1920: 806}
PRIORITY, REPORTED, CATEGORY, TOWN, STATUS = 0, 1, 2, 4, 5
#: The title's share: twelve lines' heights, or a third of the list where that is less.
TITLE_EMS = 12

#: What the exercise platform lists: early warnings over a part of the district, city management, health.
ROWS = [("薛城区气象台发布暴雨蓝色预警信号", "yujing", "薛城区北部（陶庄镇、沙沟镇）", IncidentStatus.NEW),
        ("薛城区气象台发布大风黄色预警信号", "yujing", "薛城区西部（临城街道、常庄街道）", IncidentStatus.NEW),
        ("G104国道临城段占道经营", "chengguan", "临城街道", IncidentStatus.DISPATCHED),
        ("兴仁街道卫生院发热门诊就诊人数异常", "weijian", "兴仁街道", IncidentStatus.IN_PROGRESS),
        ("常庄街道景区游客超量需疏导", "wenlv", "常庄街道", IncidentStatus.ACCEPTED)]


def incidents() -> list[Incident]:
    return [Incident(id=f"INC-{n:04d}", title=title, category=category, town=town, status=status, lon=117.26,
                     lat=34.8, priority=1 + n % 4, reported_at=T0 - timedelta(minutes=n),
                     updated_at=T0 - timedelta(minutes=n), version=1)
            for n, (title, category, town, status) in enumerate(ROWS)]


def panel_at(qtbot, width: int, *, unseen: bool = True) -> IncidentPanel:
    """An incident panel as wide as the incident centre on a ``width`` px screen, its list fitted, the rows new
    (bold, as incidents that just came)."""
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.resize(DOCK_WIDTH[width], 420)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_incidents([])
    panel.upsert_incidents(incidents(), unseen=unseen)
    qtbot.waitUntil(lambda: not panel._fit_due, timeout=5000)
    return panel


def assert_title_and_status_in_sight(panel: IncidentPanel) -> None:
    table, header = panel.table, panel.table.horizontalHeader()
    viewport = table.viewport().width()
    assert header.length() <= viewport, [header.sectionSize(c) for c in range(6)]  # no horizontal scrolling
    assert table.horizontalScrollBar().maximum() == 0
    assert header.sectionViewportPosition(STATUS) + header.sectionSize(STATUS) <= viewport
    for whole in (PRIORITY, REPORTED, STATUS):  # the level, the time and the status are never cut
        assert header.sectionSize(whole) >= table.sizeHintForColumn(whole), whole
    em = QFontMetrics(table.font()).height()
    assert header.sectionSize(TITLE_COLUMN) >= min(TITLE_EMS * em, viewport // 3)


@pytest.mark.parametrize("screen", [1280, 1366])
def test_on_a_narrow_desk_the_title_keeps_its_share_and_the_status_stays_in_sight(qtbot, themed, language, screen):
    panel = panel_at(qtbot, screen)
    assert_title_and_status_in_sight(panel)


def test_on_a_1080p_desk_every_column_shows_its_contents(qtbot, themed, language):
    panel = panel_at(qtbot, 1920, unseen=False)
    header, table = panel.table.horizontalHeader(), panel.table
    assert_title_and_status_in_sight(panel)
    assert all(header.sectionSize(c) >= table.sizeHintForColumn(c) for c in (PRIORITY, REPORTED, CATEGORY, TOWN,
                                                                              STATUS))


def test_the_columns_share_the_width_again_when_the_incident_centre_is_resized(qtbot, themed, english):
    """The officer narrows the dock (or it moves to a smaller screen): the status stays in sight, and the town is
    whole again once there is room, without measuring the rows again."""
    panel = panel_at(qtbot, 1920, unseen=False)
    header, table = panel.table.horizontalHeader(), panel.table
    town = header.sectionSize(TOWN)
    panel.resize(DOCK_WIDTH[1280], 420)
    qtbot.waitUntil(lambda: table.viewport().width() < DOCK_WIDTH[1280], timeout=2000)
    assert_title_and_status_in_sight(panel)
    assert header.sectionSize(TOWN) < town
    panel.resize(DOCK_WIDTH[1920], 420)
    qtbot.waitUntil(lambda: header.sectionSize(TOWN) == town, timeout=2000)
    assert_title_and_status_in_sight(panel)

