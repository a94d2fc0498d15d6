"""Keyboard-only use of the main flows, driven by key presses on the real widgets: Tab leaves the incident list
and reaches the workflow buttons, every menu opens with its Alt letter (F10 opens the first), Alt+N without an
N-th preset says so, and the dispatch dialog is a form: Tab leaves 处置要求, Ctrl+Enter sends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QPushButton, QToolBar, QWidget

from commandwall.app.dispatch import UnitChoice
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.domain.models import Incident, IncidentStatus, Unit
from commandwall.ui.incidents.dispatch import DispatchDialog
from commandwall.ui.main_window import MainWindow
from tests.ui.windows import active_main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
#: Tab presses from the incident list to the first workflow button at most (the detail's fields and note first).
MAX_TABS_TO_WORKFLOW = 15


@pytest.fixture
def window(qtbot, tmp_path, exercise_platform):
    with active_main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform)) as win:
        yield win


def tab_from(qtbot, window: MainWindow, start: QWidget, presses: int, back: bool = False) -> list[QWidget]:
    """The widgets focus visits from ``start`` in ``presses`` Tab (or Shift+Tab) presses."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    visited = []
    for _ in range(presses):
        focused = QApplication.focusWidget() or start
        modifier = Qt.KeyboardModifier.ShiftModifier if back else Qt.KeyboardModifier.NoModifier
        qtbot.keyClick(focused, Qt.Key.Key_Backtab if back else Qt.Key.Key_Tab, modifier)
        visited.append(QApplication.focusWidget())
    return visited


def test_tab_leaves_the_incident_list_and_reaches_the_workflow_buttons(qtbot, window):
    panel = window.incidents
    incident = next(i for i in window.session.incidents.open() if i.status is IncidentStatus.NEW)
    assert panel.select(incident.id)
    steps = {b.objectName(): b for b in panel.detail.findChildren(QPushButton)
             if b.objectName().startswith("action_")}
    assert {"action_accept", "action_return"} <= set(steps)
    qtbot.waitUntil(steps["action_accept"].isVisible)  # shown by the event loop, as before any key press
    visited = tab_from(qtbot, window, panel.table, MAX_TABS_TO_WORKFLOW)
    assert visited[0] is not panel.table  # Tab leaves the list (Qt's item views keep it by default)
    names = " ".join((w.objectName() or type(w).__name__) if w else "-" for w in visited)
    assert steps["action_accept"] in visited, names
    assert panel.detail.note in visited[: visited.index(steps["action_accept"])]  # the reason is typed first
    assert tab_from(qtbot, window, panel.table, 1, back=True)[0] is not panel.table  # Shift+Tab leaves it too

    other = next(i for i in window.session.incidents.open() if i.status is IncidentStatus.NEW and i.id != incident.id)
    assert panel.select(other.id)  # the buttons are made anew: still right after the note
    qtbot.waitUntil(lambda: any(b.isVisible() and b.objectName() == "action_accept"
                                for b in panel.detail.findChildren(QPushButton)))
    visited = tab_from(qtbot, window, panel.detail.note, 1)
    assert visited[0] is not None and visited[0].objectName() == "action_accept"


@pytest.mark.parametrize(("key", "title"), [(Qt.Key.Key_V, "视频墙"), (Qt.Key.Key_A, "告警联动"),
                                            (Qt.Key.Key_S, "设置"), (Qt.Key.Key_U, "账户")])
def test_alt_and_the_menus_letter_opens_it(qtbot, window, key, title):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().startswith(title))
    qtbot.keyClick(window, key, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(menu.isVisible, timeout=3000)
    menu.close()


def test_the_tool_bar_is_in_the_menus_and_f10_opens_the_first(qtbot, window):
    reachable, in_menus = set(), []
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    while menus:
        menu = menus.pop()
        for action in menu.actions():
            reachable.add(action.text())
            in_menus.append(action)
            if action.menu() is not None:
                menus.append(action.menu())
    for name in ("静音告警", "周边视频", "轮巡", "画面布局", "屏幕设置(&D)…", "注销", "全屏", "关于"):
        assert name in reachable, name
    # a tool bar too narrow for its buttons folds the last ones behind » (1366 px in English): each is in a menu
    (bar,) = window.findChildren(QToolBar)
    for action in bar.actions():
        if action.isSeparator() or bar.widgetForAction(action) is None or isinstance(bar.widgetForAction(action),
                                                                                    QLabel):  # fmt: skip
            continue
        assert any(action is other or (action.menu() is not None and action.menu() is other.menu())
                   for other in in_menus), action.text()  # fmt: skip
    qtbot.keyClick(window, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=3000)
    assert QApplication.activePopupWidget() is window.wall_feature.menu
    window.wall_feature.menu.close()


def test_a_preset_key_without_a_preset_says_so(qtbot, window):
    presets = window.wall_feature.presets
    assert len(presets.presets) < 9  # the exercise ships a few
    qtbot.keyClick(window, Qt.Key.Key_9, Qt.KeyboardModifier.AltModifier)
    assert "没有预案 9" in window.statusBar().currentMessage()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)  # there is one: recalled, as before
    assert "已调取" in window.statusBar().currentMessage()


def dialog(qtbot) -> DispatchDialog:
    incident = Incident(id="INC-0001", title="临城街道 火情", category="yingji", priority=1, lon=117.26, lat=34.79,
                        reported_at=T0, updated_at=T0, version=1)
    units = [UnitChoice(Unit(id="U-1", name="临城派出所巡逻一组", department="公安", lon=117.2, lat=34.8,
                             updated_at=T0), 900.0, True)]
    box = DispatchDialog(incident, units)
    qtbot.addWidget(box)
    box.show()
    box.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is box)
    return box


def test_tab_leaves_the_instructions_and_enter_there_is_a_new_line(qtbot):
    box = dialog(qtbot)
    box.instructions.setPlainText("立即赶赴现场")
    box.instructions.setFocus()
    qtbot.keyClick(box.instructions, Qt.Key.Key_Tab)
    assert box.instructions.toPlainText() == "立即赶赴现场" and not box.instructions.hasFocus()
    box.instructions.setFocus()
    box.instructions.moveCursor(box.instructions.textCursor().MoveOperation.End)
    qtbot.keyClick(box.instructions, Qt.Key.Key_Return)
    assert box.instructions.toPlainText() == "立即赶赴现场\n" and box.isVisible() and not box.result()


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_ctrl_enter_sends_the_dispatch(qtbot, key):
    box = dialog(qtbot)
    box.instructions.setFocus()
    qtbot.keyClick(box.instructions, key, Qt.KeyboardModifier.ControlModifier)
    assert box.isVisible() and box.error.text()  # nothing to send yet: said, the dialog stays
    box.instructions.setPlainText("立即赶赴现场")
    qtbot.keyClick(box.instructions, key, Qt.KeyboardModifier.ControlModifier)
    assert box.result() == DispatchDialog.DialogCode.Accepted
    assert box.order().unit_ids == ("U-1",) and box.order().instructions == "立即赶赴现场"
