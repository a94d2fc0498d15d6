"""屏幕设置 and the window layout across starts, in the real main window (one offscreen screen)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtGui import QGuiApplication

from commandwall.app.platform import PlatformFactory
from commandwall.app.screens import ScreenRole
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.ui.main_window import MainWindow
from commandwall.ui.screens import ScreenSettingsDialog
from tests.ui.windows import open_main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)


@pytest.fixture
def platform() -> PlatformFactory:
    """A platform the windows never reach: they are not started (the screens are the subject), so no exercise
    backend is made for them; port 9 (discard) on 127.0.0.1 has nothing listening."""
    return PlatformFactory.at_url("http://127.0.0.1:9", exercise=True)


def _window(qtbot, settings: Settings, platform) -> MainWindow:
    """The window placed on the screens as the profile says (not started: the screens are the subject)."""
    win = open_main_window(qtbot, ClientSession(settings, platform), size=None, show=False, start=False)
    win.arrange_on_screens()
    return win


def test_one_screen_is_the_console_and_the_dialog_changes_its_role(qtbot, tmp_path, platform):
    settings = Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config", profile="desk")
    win = _window(qtbot, settings, platform)
    assert win.screens.roles == [ScreenRole.CONSOLE] * len(QGuiApplication.screens())
    assert win.wall_dock.isVisible() and win.incident_dock.isVisible()
    menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "设置(&S)")
    assert win.screen_settings_action in menu.actions()

    wall = win.wall_feature.widget
    dialog = ScreenSettingsDialog(win.screens, win)
    assert len(dialog.choosers) == len(QGuiApplication.screens())
    dialog.choosers[0].setCurrentIndex(list(ScreenRole).index(ScreenRole.MAP))
    dialog.accept()
    assert win.screens.roles[0] is ScreenRole.MAP
    saved = json.loads((tmp_path / "config" / "profiles" / "desk.json").read_text("utf-8"))
    assert saved["screens"][0]["role"] == "map"
    assert win.wall_dock.widget() is wall, "the wall is moved, never rebuilt"
    win.close()


def test_dock_layout_comes_back_at_the_next_start(qtbot, tmp_path, platform):
    settings = Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    first = _window(qtbot, settings, platform)
    assert not first.screens.view_restored
    from PySide6.QtCore import Qt

    first.resizeDocks([first.wall_dock], [300], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: abs(first.wall_dock.width() - 300) <= 10)
    width = first.wall_dock.width()
    first.close()
    assert "window" in (tmp_path / "data" / "view.ini").read_text("utf-8")

    second = _window(qtbot, settings, platform)
    assert second.screens.view_restored
    qtbot.waitUntil(lambda: abs(second.wall_dock.width() - width) <= 10, timeout=5000)
    second.close()


def test_a_layout_saved_with_the_map_squeezed_comes_back_with_the_default_shares(qtbot, tmp_path, platform):
    """A layout saved while something had pushed the docks wide (a long unbroken text did, once) left the map a
    sliver at every later start: restored, it gets the default shares; a narrow wall an officer chose stays."""
    from PySide6.QtCore import Qt

    from commandwall.ui.main_window import MIN_MAP_SHARE

    settings = Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    first = _window(qtbot, settings, platform)
    first.resizeDocks([first.wall_dock], [first.width()], Qt.Orientation.Horizontal)  # as wide as it goes
    qtbot.waitUntil(lambda: first.map_width() < first.width() * MIN_MAP_SHARE, timeout=5000)
    first.close()

    second = _window(qtbot, settings, platform)
    assert second.screens.view_restored
    qtbot.waitUntil(lambda: second.map_width() >= second.width() * 0.5, timeout=5000)
    qtbot.wait(200)
    assert second.map_width() >= second.width() * 0.5  # the map's default share, and it stays
    second.close()


def test_a_layout_saved_with_the_wall_a_sliver_comes_back_with_room(qtbot, tmp_path, platform):
    """A start that docked the wall without room (its monitor was gone) saved it as a strip of 36 px tiles, and
    every later start restored that: restored, a docked wall that low gets its share of the window again."""
    from PySide6.QtCore import Qt

    settings = Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    first = _window(qtbot, settings, platform)
    first.resizeDocks([first.wall_dock, first.incident_dock], [1, first.height()], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: first.wall_dock.height() < first.height() * 0.12, timeout=5000)
    first.close()

    second = _window(qtbot, settings, platform)
    assert second.screens.view_restored
    qtbot.waitUntil(lambda: second.wall_dock.height() >= second.height() * 0.3, timeout=5000)
    qtbot.wait(200)
    assert second.wall_dock.height() >= second.height() * 0.3  # and it stays
    second.close()


def test_full_screen_off_gives_the_window_back_as_it_was(qtbot, tmp_path, platform):
    """全屏 (F11) off again: a maximized window is maximized again, one at a size of its own gets that size and
    place back (it was always maximized)."""
    from PySide6.QtCore import QRect

    settings = Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    win = _window(qtbot, settings, platform)
    qtbot.waitUntil(win.isMaximized, timeout=5000)
    win.full_screen_action.setChecked(True)
    qtbot.waitUntil(win.isFullScreen, timeout=5000)
    win.full_screen_action.setChecked(False)
    qtbot.waitUntil(lambda: not win.isFullScreen(), timeout=5000)
    assert win.isMaximized()

    win.showNormal()
    win.setGeometry(QRect(60, 50, 900, 600))
    qtbot.waitUntil(lambda: not win.isMaximized() and win.geometry() == QRect(60, 50, 900, 600), timeout=5000)
    win.full_screen_action.setChecked(True)
    qtbot.waitUntil(win.isFullScreen, timeout=5000)
    win.full_screen_action.setChecked(False)
    qtbot.waitUntil(lambda: not win.isFullScreen(), timeout=5000)
    qtbot.wait(100)
    assert not win.isMaximized() and win.geometry() == QRect(60, 50, 900, 600)
    win.close()


def test_every_label_of_the_dialog_is_plain_text(qtbot, tmp_path, platform):
    """Screen names come from monitors' EDID or the X server: a name like ``<b>x</b>`` must not be markup."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    settings = Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    win = _window(qtbot, settings, platform)
    dialog = ScreenSettingsDialog(win.screens, win)
    labels = dialog.findChildren(QLabel)
    assert len(labels) >= 1 + len(QGuiApplication.screens())
    for label in labels:
        assert label.textFormat() is Qt.TextFormat.PlainText, label.text()
    assert any(QGuiApplication.screens()[0].name() in label.text() for label in labels)
    win.close()


@pytest.mark.parametrize("values", ["state=hello\ngeometry=1, 2, 3", "state=@Invalid()\ngeometry=@Rect(0 0 10 10)"])
def test_a_damaged_window_layout_is_ignored_and_the_window_still_opens(qtbot, tmp_path, platform, values):
    """A hand-edited or damaged view.ini holding text or a list where the layout is kept made Qt's restore raise
    at every start, until the file was deleted: such values are ignored and the next layout saved over them."""
    settings = Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    (tmp_path / "data").mkdir()
    key = f"default-{len(QGuiApplication.screens())}"
    lines = "\n".join(f"{key}\\{line}" for line in values.splitlines())
    (tmp_path / "data" / "view.ini").write_text(f"[window]\n{lines}\n", "utf-8")
    win = _window(qtbot, settings, platform)
    assert not win.screens.view_restored and win.wall_dock.widget() is not None
    win.close()
    again = _window(qtbot, settings, platform)
    assert again.screens.view_restored  # the layout saved at the close replaced the damaged one
    again.close()


def test_an_unusable_screen_profile_is_said_in_the_window(qtbot, tmp_path, platform):
    """The defaults are in use because the profile file could not be used: the window says so (it was only
    logged), with the reason as text."""
    (tmp_path / "config" / "profiles").mkdir(parents=True)
    (tmp_path / "config" / "profiles" / "default.json").write_text(
        '{"screens": [{"name": "A", "role": "<b>videowall</b>"}]}', "utf-8")
    settings = Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    win = _window(qtbot, settings, platform)
    message = win.statusBar().currentMessage()
    assert message.startswith("屏幕方案无法使用，已按默认角色显示：") and "unknown role" in message
    win.close()


@pytest.mark.timeout(60)
def test_a_view_file_that_is_a_named_pipe_neither_holds_the_start_nor_is_written(qtbot, tmp_path, platform):
    """Qt would read a named pipe at view.ini for ever (the start held) and save by renaming a file over the path
    (through a link: over what it names). The desk leaves it alone and keeps its view elsewhere this session."""
    import os
    import stat

    (tmp_path / "data").mkdir()
    os.mkfifo(tmp_path / "data" / "view.ini")
    settings = Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    win = _window(qtbot, settings, platform)
    assert not win.screens.view_restored
    win.close()
    assert stat.S_ISFIFO(os.stat(tmp_path / "data" / "view.ini").st_mode), "left as it was"
