"""The dashboard's tiles in a narrow dock (a 1280 px desk's, in English) and in a wide one: a caption or a
detail that does not fit ends with … and the tile's tooltip says it whole; none is cut mid-letter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from commandwall.app.dashboard import Overview, TownFigures
from commandwall.ui.dashboard.view import DashboardView
from commandwall.ui.text import plain_tooltip

AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def overview() -> Overview:
    towns = [TownFigures(name, n, n, 100 + n, 120 + n) for n, name in enumerate(("临城街道", "常庄街道", "沙沟镇"))]
    return Overview(
        at=AT,
        day_start=AT - timedelta(hours=9),
        today=17,
        open_now=15,
        urgent_open=8,
        by_category={"zongzhi": 1},
        by_status={"待受理": 3},
        overdue=0,
        cameras_online=1514,
        cameras_total=1515,
        units_available=26,
        units_total=31,
        towns=towns,
        trend=[(AT - timedelta(hours=h), h) for h in range(24)],
    )


def cut_mid_letter(label: QLabel) -> bool:
    """Whether ``label`` is narrower than its text and shows it without …: its last letters cut off."""
    too_narrow = label.fontMetrics().horizontalAdvance(label.text()) > label.contentsRect().width()
    shown = label.shown_text() if hasattr(label, "shown_text") else label.text()
    return too_narrow and not shown.endswith("…")


@pytest.mark.parametrize("width", [530, 620, 806, 1200, 1300])
def test_a_tiles_caption_and_detail_fit_or_end_with_an_ellipsis_and_a_tooltip(qtbot: QtBot, english, width) -> None:
    view = DashboardView()
    qtbot.addWidget(view)
    view.resize(width, 700)
    view.show()
    qtbot.waitExposed(view)
    view.show_overview(overview())
    QApplication.processEvents()
    assert view.wide is (width >= 1200)
    cut_somewhere = False
    for key, tile in view.tiles.items():
        assert tile.caption.text() and tile.detail.text()
        for label in (tile.caption, tile.detail):
            assert not cut_mid_letter(label), (width, key, label.text(), label.width())
            assert tile.rect().contains(label.geometry()), (width, key, label.text())  # inside its tile
        cut = any(
            label.fontMetrics().horizontalAdvance(label.text()) > label.contentsRect().width()
            for label in (tile.caption, tile.detail)
        )
        cut_somewhere |= cut
        QApplication.sendEvent(tile, QHelpEvent(QEvent.Type.ToolTip, QPoint(5, 5), tile.mapToGlobal(QPoint(5, 5))))
        tip = tile.toolTip()
        if cut:  # the whole caption and detail, as text
            assert tip == plain_tooltip(tile.caption.text(), tile.detail.text()), (key, tip)
        else:
            assert tip == "", (width, key, tip)
    if width == 530:  # the incident centre's dock on a 1280×720 desk: "Past deadline (supervision)" cannot fit
        assert cut_somewhere
