"""The status bar's clock shows the platform's time; a desk whose own clock is off says so beside it."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QMainWindow

from commandwall import localtime
from commandwall.ui.status import PlatformStatus


def test_the_clock_says_when_the_desks_own_clock_is_off_and_shows_the_platforms_time(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    status = PlatformStatus(window.statusBar(), window)
    try:
        status._tick_clock()
        assert "本机时钟" not in status.clock_label.text() and status.clock_label.styleSheet() == ""
        localtime.set_platform_offset(605)  # the platform is 10 min 5 s ahead: this desk's clock is slow
        status._tick_clock()
        shown = status.clock_label.text()
        assert shown.endswith("（本机时钟慢10分05秒，按平台时间）") and "#ffb340" in status.clock_label.styleSheet()
        machine = localtime.to_display(datetime.now(UTC)).strftime("%H:%M")  # ten minutes before the platform's
        assert localtime.now().strftime("%H:%M")[:4] in shown and f" {machine}" not in shown, (shown, machine)
        localtime.set_platform_offset(-90)
        status._tick_clock()
        assert status.clock_label.text().endswith("（本机时钟快1分30秒，按平台时间）")
        localtime.set_platform_offset(20)  # within a minute: not worth a word
        status._tick_clock()
        assert "本机时钟" not in status.clock_label.text() and status.clock_label.styleSheet() == ""
    finally:
        localtime.set_platform_offset(0)
