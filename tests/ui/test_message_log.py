"""The status bar's message history: every message shown is kept with its time and listed newest first, as
text; messages that replace each other within a second (start-up) are all there."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QListWidget, QMainWindow

from commandwall.textsafe import display_text
from commandwall.ui.messages import MAX_MESSAGES, MessageLog
from tests.hostile import corpus


def test_messages_that_replace_each_other_are_all_kept_newest_first(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    log = MessageLog(window.statusBar(), window)
    bar = window.statusBar()
    for text in ("底图「天地图」的瓦片无法加载", "已恢复预案：临城街道主要路口", "部分图层未加载：道路: 404"):
        bar.showMessage(text, 5000)  # each replaces the one before at once
    bar.showMessage("部分图层未加载：道路: 404", 5000)  # said again: one entry
    bar.clearMessage()
    assert [line.split("  ", 1)[1] for line in log.lines()] == [
        "部分图层未加载：道路: 404", "已恢复预案：临城街道主要路口", "底图「天地图」的瓦片无法加载"]
    assert log.button.text() == "消息 3"
    dialog = log.show_dialog()
    qtbot.addWidget(dialog)
    listing = dialog.findChild(QListWidget, "messageLogList")
    assert [listing.item(i).text() for i in range(listing.count())] == log.lines()
    dialog.close()


def test_hostile_text_is_listed_as_its_characters_and_the_log_is_bounded(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    log = MessageLog(window.statusBar(), window)
    texts = [t for t in corpus() if t.strip()][:40]
    for n, text in enumerate(texts):
        window.statusBar().showMessage(f"{n}:{text}")
    for line, (n, text) in zip(log.lines(), reversed(list(enumerate(texts))), strict=True):
        assert line.endswith(display_text(f"{n}:{text}")), line[:80]
    for n in range(MAX_MESSAGES + 50):
        window.statusBar().showMessage(f"消息 {n}")
    assert len(log.entries) == MAX_MESSAGES and log.lines()[0].endswith(f"消息 {MAX_MESSAGES + 49}")


@pytest.mark.qt_log_ignore("This plugin does not support", extend=True)
def test_the_main_window_keeps_what_its_status_bar_said(qtbot, tmp_path, exercise_platform) -> None:
    from commandwall.app.session import ClientSession
    from commandwall.config import Settings
    from tests.ui.windows import main_window

    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform), size=(1280, 800)) as win:
        win.statusBar().showMessage("已复制坐标：117.26, 34.80", 4000)
        win.statusBar().showMessage("新事件 [特急] 临城街道积水", 6000)
        said = [line.split("  ", 1)[1] for line in win.messages.lines()]
        assert said[:2] == ["新事件 [特急] 临城街道积水", "已复制坐标：117.26, 34.80"]
        assert win.messages.button.isVisible()
