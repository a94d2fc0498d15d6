"""帮助 → 快捷键 (F1): a modeless sheet of every shortcut, read from the window's own actions (an action added later
is listed without touching the sheet), plus the keys widgets and the map page handle; Esc closes it; in English
on an English desk; within a 1280×720 screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.ui.main_window import MainWindow
from commandwall.ui.shortcuts import ShortcutSheet, action_text
from tests.ui.widget_texts import CJK
from tests.ui.windows import active_main_window, main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)


@pytest.fixture
def window(qtbot, tmp_path, exercise_platform):
    with active_main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform)) as win:
        yield win


def open_sheet(qtbot, window: MainWindow) -> ShortcutSheet:
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.shortcut_sheet is not None and window.shortcut_sheet.isVisible(), timeout=3000)
    return window.shortcut_sheet


def test_f1_was_free_and_the_help_menu_opens_the_sheet(qtbot, window):
    f1 = [a for a in window.findChildren(QAction) if QKeySequence(Qt.Key.Key_F1) in a.shortcuts()]
    assert f1 == [window.shortcuts_action]  # nothing else claims F1
    (help_menu,) = [a.menu() for a in window.menuBar().actions() if a.text().startswith("帮助")]
    assert window.shortcuts_action in help_menu.actions() and window.about_action in help_menu.actions()
    window.shortcuts_action.trigger()
    assert window.shortcut_sheet.isVisible() and not window.shortcut_sheet.isModal()


def test_the_sheet_lists_every_shortcut_of_the_window_by_its_menu(qtbot, window):
    sheet = open_sheet(qtbot, window)
    rows = sheet.texts()
    shown = {(text, keys) for text, keys in rows if keys}
    actions = {a for a in [*window.actions(), *window.findChildren(QAction)] if a.isVisible() and a.text()}
    with_keys = [a for a in actions if not a.shortcut().isEmpty()]
    assert len(with_keys) >= 12  # Ctrl+1…4, Alt+N (presets), Ctrl+Shift+S, Ctrl+Shift+Z, F11, Ctrl+L, F1, F10
    for action in with_keys:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert any(keys in shown_keys.split(", ") for _t, shown_keys in shown), (action.text(), keys)
    for text, keys in [("抓拍", "Ctrl+Shift+S"), ("恢复画面", "Ctrl+Shift+Z"), ("全屏", "F11"),
                       ("切换用户…", "Ctrl+L"), ("快捷键…", "F1"), ("打开菜单栏", "F10")]:  # fmt: skip
        assert (text, keys) in shown, (text, keys)
    groups = [text for text, keys in rows if not keys]
    assert groups[:2] == ["视频墙", "视频墙 › 画面布局"] and "设置" in groups and "帮助" in groups
    assert "&" not in "".join(text for text, _keys in rows)  # menu marks gone
    # keys no action carries: the wall's, the map page's, the dispatch dialog's
    assert any(keys == "Esc" and text.startswith("地图") for text, keys in rows)
    assert any(keys == "Ctrl+Enter" and text.startswith("派遣") for text, keys in rows)
    assert any(keys == "Del, Backspace" for _text, keys in rows)


def test_an_action_added_later_is_listed_when_the_sheet_opens_again(qtbot, window):
    sheet = open_sheet(qtbot, window)
    qtbot.keyClick(sheet, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not sheet.isVisible(), timeout=3000)
    late = QAction("图层刷新(&R)…", window)
    late.setShortcut(QKeySequence("Ctrl+Shift+F7"))
    window.addAction(late)
    in_menu = window.menuBar().actions()[0].menu().addAction("新命令 <b>x</b>")
    in_menu.setShortcut(QKeySequence("Ctrl+Alt+N"))
    assert ("图层刷新…", "Ctrl+Shift+F7") not in sheet.texts()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    assert open_sheet(qtbot, window) is sheet
    rows = sheet.texts()
    assert ("图层刷新…", "Ctrl+Shift+F7") in rows
    assert ("新命令 <b>x</b>", "Ctrl+Alt+N") in rows  # shown as written: plain text


def test_a_hostile_preset_name_is_listed_as_its_characters(qtbot, window, tmp_path):
    """Preset names come from files (another desk's, a shared folder): recalled by Alt+N, they are on the sheet.
    Markup (as entities: a name may not hold ``<``), template syntax, an ``&`` and a right-to-left override are
    shown as characters (the override as a mark), never as formatting, a shortcut marker or a reordering; a name
    cut for the menu keeps its ``…``; nothing else on the sheet changes."""
    import json

    from commandwall import paths
    from commandwall.textsafe import display_text
    from commandwall.video.presets import file_stem

    hostile = "&lt;b&gt;粗{where}{{7+7}}A&B\u202egnp.exe"  # < > are refused in preset names: entities instead
    folder = paths.wall_presets_dir(tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    preset = json.loads((paths.shipped_wall_presets_dir() / "高速出入口.json").read_text("utf-8"))
    document = json.dumps({**preset, "name": hostile}, ensure_ascii=False)
    (folder / f"{file_stem(hostile)}.json").write_text(document, "utf-8")
    window.wall_feature.presets.menu.aboutToShow.emit()  # what opening the 预案 menu does: the files read again
    assert hostile in [p.name for p in window.wall_feature.presets.presets]
    rows = open_sheet(qtbot, window).texts()
    (shown,) = [(text, keys) for text, keys in rows if "{where}" in text]
    assert shown[0] == display_text(hostile, 40) and shown[1].startswith("Alt+"), shown
    assert "&lt;b&gt;粗" in shown[0] and "{{7+7}}" in shown[0] and "A&B" in shown[0] and "\u202e" not in shown[0]
    assert any(text.startswith("地图") and keys == "Esc" for text, keys in rows)  # the fixed rows still formatted


def test_esc_closes_the_sheet_and_it_fits_1280_by_720(qtbot, window):
    window.resize(1280, 720)
    sheet = open_sheet(qtbot, window)
    room = window.screen().availableGeometry()
    assert sheet.width() <= min(1280, room.width()) and sheet.height() <= min(720, room.height())
    sheet.resize(sheet.width(), min(sheet.height(), 640))  # on a 1280×720 screen: the rows scroll, none is lost
    assert sheet.minimumSizeHint().height() <= 640
    qtbot.keyClick(sheet.tree, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not sheet.isVisible(), timeout=3000)


def test_action_text_drops_the_menu_marks():
    assert action_text("视频墙(&V)") == "视频墙"
    assert action_text("屏幕设置(&D)…") == "屏幕设置…"  # as the menu shows it
    assert action_text("A && B") == "A & B"
    assert action_text("&Switch user...") == "Switch user..."


def test_an_english_desk_shows_the_sheet_in_english(english, qtbot, tmp_path, exercise_platform):
    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path, language="en"), exercise_platform)) as win:
        win.show_shortcuts()
        sheet = win.shortcut_sheet
        assert sheet.windowTitle() == "Keyboard shortcuts"
        rows = sheet.texts()
        data = {p.name for p in win.wall_feature.presets.presets}  # the platform's preset names stay as they are
        chinese = [text for text, _keys in rows if CJK.search(text) and text not in data]
        assert not chinese, chinese
        assert ("Keyboard Shortcuts…", "F1") in rows
