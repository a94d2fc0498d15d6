"""Warnings that may quote outside text show it as plain text: QMessageBox.warning guesses rich text, and an
``<img …>`` or a link in the quoted text would be rendered."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.ui.text import plain_warning
from tests.ui.windows import main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)

MARKUP = "<b>bold</b><img src='file:///etc/hostname'><a href='http://127.0.0.1:9/'>link</a>"


def test_a_plain_warning_shows_markup_as_its_characters(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    box = plain_warning(parent, "title", MARKUP)
    assert box.isVisible() and box.textFormat() is Qt.TextFormat.PlainText and box.text() == MARKUP
    assert box.windowModality() is Qt.WindowModality.WindowModal  # the desk's loop keeps running
    box.close()


def test_the_language_warning_is_plain_text(qtbot, tmp_path, exercise_platform):
    config = tmp_path / "config"
    config.write_text("not a folder")  # the language file cannot be written under it
    session = ClientSession(Settings(data_dir=tmp_path / "data", config_dir=config), exercise_platform)
    with main_window(qtbot, session, size=None, show=True, start=False) as win:
        formats: list[Qt.TextFormat] = []

        def look() -> None:  # also when the warning runs a loop of its own until it is closed
            for box in win.findChildren(QMessageBox):
                if box.isVisible():
                    formats.append(box.textFormat())
                    box.close()

        timer = QTimer(win)
        timer.timeout.connect(look)
        timer.start(50)
        win.language_menu.actions()[1].trigger()
        qtbot.waitUntil(lambda: bool(formats), timeout=5000)
        timer.stop()
        assert formats == [Qt.TextFormat.PlainText]
