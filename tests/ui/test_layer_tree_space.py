"""The 图层 tab on a short desk: the layer tree keeps the rows, the selected layer's details under it give way
first, and the officer's own split (the handle between them dragged) stays."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from commandwall.ui.map.layer_tree import LayerTreeWidget

#: The room the 图层 tab has, docked under the wall of a 1366×768 desk.
TAB_1366 = (573, 350)


def tab_at(qtbot, width: int, height: int) -> LayerTreeWidget:
    tab = LayerTreeWidget()
    qtbot.addWidget(tab)
    tab.resize(width, height)
    tab.show()
    qtbot.waitExposed(tab)
    tab.show_layers([])
    return tab


def rows_in_sight(tab: LayerTreeWidget) -> float:
    tree = tab.tree
    return tree.viewport().height() / tree.visualItemRect(tree.topLevelItem(0)).height()


def test_on_a_768_px_desk_the_tree_shows_eight_rows_and_the_details_give_way(qtbot, themed, language):
    tab = tab_at(qtbot, *TAB_1366)
    assert rows_in_sight(tab) >= 8
    line = tab.details.fontMetrics().lineSpacing()
    assert tab.details.viewport().height() >= line  # a line of the details is still there, not a sliver
    tab.resize(TAB_1366[0], 700)  # where there is room the details have their full height again
    qtbot.waitUntil(lambda: tab.details.height() >= 110, timeout=2000)
    assert rows_in_sight(tab) >= 8


def test_the_split_the_officer_dragged_stays(qtbot, themed):
    tab = tab_at(qtbot, 573, 600)
    handle = tab.splitter.handle(1)
    before = tab.details.height()
    middle = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=middle)
    qtbot.mouseMove(handle, middle - QPoint(0, 120))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=middle - QPoint(0, 120))
    assert tab.details.height() >= before + 100  # the details took the room the tree gave
    dragged = tab.details.height()
    tab.resize(573, 650)
    qtbot.waitUntil(lambda: tab.tree.height() > 0 and tab.splitter.height() >= 640, timeout=2000)
    assert tab.details.height() >= dragged  # not put back to the default split
