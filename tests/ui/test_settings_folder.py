"""A settings folder that cannot keep the desk's settings (a file of that name): the desk starts, and says once,
plainly, in the status bar and the log that this session's view settings will not be kept; a note stays."""

from __future__ import annotations

import logging

import pytest

from commandwall.app.session import ClientSession
from commandwall.config import Settings
from tests.ui.windows import main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)


def test_a_settings_folder_that_is_a_file_is_said_once(qtbot, tmp_path, exercise_platform, caplog):
    folder = tmp_path / "config"
    folder.write_text("not a folder", "utf-8")
    caplog.set_level(logging.INFO)
    settings = Settings(data_dir=tmp_path / "data", config_dir=folder)
    with main_window(qtbot, ClientSession(settings, exercise_platform), start=False) as window:
        said = f"设置目录不可用：{folder}（同名的文件已存在，不是文件夹），本次的界面设置不会保存"
        assert window.statusBar().currentMessage() == said
        assert window.settings_note.isVisible() and window.settings_note.text() == "界面设置不会保存"
        assert said in window.settings_note.toolTip()
        window.layer_tree_feature.controller.save_view()  # what every change in the layer tree does
        messages = [r.getMessage() for r in caplog.records]
        assert messages.count(said) == 1
        assert not any("File exists" in m or "cannot write" in m for m in messages), messages
    assert folder.read_text("utf-8") == "not a folder"


def test_a_usable_settings_folder_says_nothing(qtbot, tmp_path, exercise_platform):
    settings = Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    with main_window(qtbot, ClientSession(settings, exercise_platform), start=False) as window:
        assert not window.settings_note.isVisible() and "设置目录" not in window.statusBar().currentMessage()
