"""The main window on the short screens older desks still have (1366×768, 1280×720), as it first comes up
there: the incident centre shows rows of its list and, with an incident selected, 地图定位 and 派遣任务…
without scrolling; the 图层 tab shows the layer tree rather than two rows of it."""

from __future__ import annotations

import contextlib

import pytest
from PySide6.QtCore import QRect

from commandwall.app.session import ClientSession
from commandwall.config import Settings
from tests.ui.windows import main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)


def visible_rows(table) -> float:
    return table.viewport().height() / table.rowHeight(0)


@pytest.mark.parametrize(("size", "layer_rows"), [((1366, 768), 8), ((1280, 720), 7)])
def test_on_a_short_screen_the_incident_centre_shows_its_list_and_the_dispatch_buttons(
        qtbot, tmp_path, exercise_platform, themed, language, size, layer_rows):
    session = ClientSession(Settings(data_dir=tmp_path), exercise_platform)
    with main_window(qtbot, session, size=size) as window:
        window.share_docks(QRect(0, 0, *size))  # as a desk with this one screen and no saved layout gets them
        # the wall keeps a third of the height for its tiles (the docks are laid out once the events are handled)
        qtbot.waitUntil(lambda: window.wall_dock.height() >= size[1] // 3, timeout=3000)
        panel, detail = window.incidents, window.incidents.detail
        assert panel.select(panel.model.incident_at(0).id)
        qtbot.waitUntil(lambda: not detail.dispatch_button.visibleRegion().isEmpty(), timeout=3000)
        assert not detail.locate_button.visibleRegion().isEmpty()
        assert visible_rows(panel.table) >= 3.5
        window.layer_dock.raise_()
        tree = window.layer_tree_feature.widget.tree
        qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0 and tree.isVisible(), timeout=5000)
        row = tree.visualItemRect(tree.topLevelItem(0)).height()
        assert tree.viewport().height() >= layer_rows * row, (tree.viewport().height(), row)


def _whole(widget) -> bool:
    """Whether ``widget`` is shown whole (not cut by the detail's scroll area or off its bottom)."""
    return widget.isVisible() and widget.visibleRegion().boundingRect().size() == widget.size()


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_the_incident_detail_shows_the_note_row_and_the_workflow_steps_on_a_full_hd_screen(
        qtbot, tmp_path, exercise_platform, themed, size):
    """At 1920×1080, as the window first comes up, the shown incident's note row and its workflow steps (受理 …)
    are in sight without scrolling (the exercise's incidents, whose places and descriptions take one line or
    more); on a 1280×720 desk the list keeps its rows and the detail its first buttons, as before."""
    from PySide6.QtWidgets import QPushButton
    from pytestqt.exceptions import TimeoutError

    from commandwall.ui.incidents.panel import DESCRIPTION_MAX_PX

    session = ClientSession(Settings(data_dir=tmp_path), exercise_platform)
    with main_window(qtbot, session, size=size) as window:
        window.share_docks(QRect(0, 0, *size))
        qtbot.waitUntil(lambda: window.wall_dock.height() >= size[1] // 3, timeout=3000)
        panel, detail = window.incidents, window.incidents.detail
        checked = 0
        for incident in panel.model.incidents()[:30]:  # short and long descriptions, places of one or two lines
            assert panel.select(incident.id)
            qtbot.waitUntil(lambda: not detail.dispatch_button.visibleRegion().isEmpty(), timeout=3000)
            steps = [b for b in detail.findChildren(QPushButton) if b.objectName().startswith("action_")]
            checked += bool(steps)
            if size == (1920, 1080):
                shown = [detail.note, detail.note_button, *steps]
                with contextlib.suppress(TimeoutError):  # the steps are laid out at the next event loop turn
                    qtbot.waitUntil(lambda s=shown: all(_whole(w) for w in s), timeout=2000)
                assert all(_whole(w) for w in shown), (incident.description, panel.splitter.sizes())
                box = detail.description  # as tall as its text: it scrolls only when that is over the box's most
                assert box.verticalScrollBar().maximum() == 0 or box.height() == DESCRIPTION_MAX_PX, box.height()
            else:
                assert visible_rows(panel.table) >= 3.5 and _whole(detail.dispatch_button)
        assert checked >= 5  # incidents with workflow steps among them
