"""The window in English: every widget, action, menu, tab, header, tooltip and placeholder walked.

The main window is started against the exercise backend with the English catalogue (compiled from the
committed .ts files, as ``make setup`` does). Chinese may remain only in the platform's data (camera, place,
incident and unit names); so no shown text may be a catalogue source left untranslated, and what the window
names itself (menus, actions, buttons, tabs, headers, dock and window titles, tooltips, placeholders, chart
titles) must hold no Chinese at all.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyle

from commandwall import localtime
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.domain.models import DEPARTMENTS
from commandwall.ui.about import about_text
from commandwall.ui.cameras.model import camera_tooltip
from commandwall.ui.incidents.dispatch import DIALOG_ROOM_PX, DispatchDialog
from commandwall.ui.language import LANGUAGE_NAMES
from commandwall.ui.login.dialog import LoginDialog
from commandwall.ui.main_window import MainWindow
from commandwall.ui.screens import ScreenSettingsDialog
from tests.ui.test_map_cards import _open_card
from tests.ui.test_map_units import make_units, marker
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES, run_js, view  # noqa: F401  (fixture)
from tests.ui.widget_texts import CJK, OWN_KINDS, catalogues, shown_texts, source_patterns, untranslated
from tests.ui.windows import main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)

@pytest.fixture
def window(english, qtbot, tmp_path, exercise_platform):
    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path, language="en"), exercise_platform),
                     map_ready=True) as win:
        yield win


def _data_texts(win: MainWindow) -> set[str]:
    """The platform's own names the window shows as they are (exercise data is in Chinese)."""
    session = win.session
    names = {c.name for c in session.cameras.all()} | {c.town for c in session.cameras.all()}
    names |= {i.title for i in win.desk.incidents.incidents()} | {i.town for i in win.desk.incidents.incidents()}
    names |= {p.name for p in win.wall_feature.presets.presets}
    return {n for n in names if n}


def _problems(texts: list[tuple[str, str, str]], data: set[str]) -> list[str]:
    patterns = source_patterns(list(catalogues.CATALOGUES))
    problems = []
    for kind, where, text in texts:
        if text in LANGUAGE_NAMES.values():
            continue  # the language menu names each language in its own words
        source = untranslated(text, patterns)
        if source is not None:
            problems.append(f"{kind} {where}: {text!r} is the catalogue source {source!r} untranslated")
        elif kind in OWN_KINDS and CJK.search(text) and text not in data:
            problems.append(f"{kind} {where}: {text!r} holds Chinese")
    return problems


def test_the_main_window_speaks_english(qtbot, window):
    incident = window.desk.incidents.incidents()[0]
    window.incidents_feature.select(incident.id)  # the detail, its buttons and its tasks filled in
    qtbot.waitUntil(lambda: window.incidents.detail.incident is not None, timeout=5000)
    window.wall.select(0)  # the PTZ pad names the tile's camera
    for menu_action in window.menuBar().actions():  # menus fill some entries when they open
        if menu_action.menu() is not None:
            menu_action.menu().aboutToShow.emit()
    texts = shown_texts(window)
    data = _data_texts(window)
    problems = _problems(texts, data)
    assert not problems, "\n".join(problems)
    # the walk saw the window's own words, in English
    shown = {text.replace("&", "") for _kind, _where, text in texts}  # a menu's Alt letter is marked by &
    for expected in ("Video Wall", "Incidents", "Cameras", "Layers", "Overview", "Presets", "Snapshot", "Tour",
                     "Settings", "Language", "Screen Settings…", "Log Out", "Dispatch…", "Open only"):
        assert expected in shown, f"{expected!r} not found in the walked texts"
    assert window.windowTitle() == "Xuecheng District Integrated Command Platform · Exercise Mode"
    # dates as the English locale writes them: "Dec 2, 18:55" in the list, "Dec 2, 2026 18:55:03" in the detail
    model = window.incidents.model
    reported = model.data(model.index(0, 1))
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d\d:\d\d", reported), reported
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4} \d\d:\d\d:\d\d", window.incidents.detail.fields["time"].text())
    assert "Live" in window.status.connection_label.text() or "Connecting" in window.status.connection_label.text()
    # what is painted or built on demand rather than set on a widget
    qtbot.waitUntil(lambda: all(t.state_text() in ("Live", "Connecting", "Reconnecting") for t in window.wall.tiles()),
                    timeout=20000)
    assert "sub stream" in window.wall.tile(0).corner_text(25) or "main stream" in window.wall.tile(0).corner_text(25)
    camera = window.session.cameras.all()[0]
    tooltip = camera_tooltip(camera)
    assert "ID: " in tooltip and "Town: " in tooltip and ("Status: Online" in tooltip or "Status: Offline" in tooltip)
    about = about_text()
    assert "Version" in about and "Desktop Client" in about and not CJK.search(about)


def test_the_dialogs_speak_english(qtbot, window):
    incident = next(i for i in window.desk.incidents.incidents() if i.status.value != "closed")
    dialogs = [
        DispatchDialog(*window.desk.incidents.dispatch_choices(incident.id), window),
        LoginDialog("Exercise mode", window.login_feature.controller.accounts, can_remember=False, parent=window),
        ScreenSettingsDialog(window.screens, window),
    ]
    texts = []
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        texts += shown_texts(dialog)
    problems = _problems(texts, _data_texts(window) | {incident.title})
    assert not problems, "\n".join(problems)
    shown = {text for _kind, _where, text in texts}
    for expected in ("Dispatch Task", "Units", "Department", "Deadline", "Police", "Log In", "User name",
                     "Screen Settings"):
        assert expected in shown, f"{expected!r} not found in the dialogs"


def test_units_show_their_department_in_english_where_the_platform_name_is_known(qtbot, window):
    """The 派遣 list, the map's unit card and tip: a known department (公安, 城管 …) in English, as the 责任部门 box
    shows it; the platform's Chinese name still colours the unit's badge."""
    incident = next(i for i in window.desk.incidents.incidents() if i.status.value != "closed")
    dialog = DispatchDialog(*window.desk.incidents.dispatch_choices(incident.id), window)
    qtbot.addWidget(dialog)
    lines = [dialog.units.item(row).text() for row in range(dialog.units.count())]
    departments = {unit.department for unit in window.session.units.all()}
    assert lines and departments <= set(DEPARTMENTS), departments
    for line in lines:
        assert not any(f" · {department} · " in line for department in DEPARTMENTS), line
    assert any(" · Police · " in line for line in lines) or any(" · Fire · " in line for line in lines), lines


@pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)
def test_a_units_card_and_tip_on_the_map_name_its_department_in_english(english, qtbot, view) -> None:  # noqa: F811
    """A 公安 unit on the map page: its open card and its marker's tip say Police, never 公安."""
    unit = make_units(1, localtime.now() - timedelta(seconds=30))[0]
    assert unit.department == "公安"
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units([unit])
    _open_card(qtbot, view, "unit", unit.id)
    card = run_js(qtbot, view, "document.querySelector('.cw-unit-card').innerText")
    assert "Police" in card and "公安" not in card, card
    tip = marker(qtbot, view, unit.id)["tip"]
    assert "Police" in tip and "公安" not in tip, tip


def test_the_language_menu_keeps_the_choice_for_the_next_start(qtbot, tmp_path, exercise_platform):
    """设置 → 语言 → English: saved in the settings folder, and the window says it applies at the next start."""
    config = tmp_path / "config"
    session = ClientSession(Settings(data_dir=tmp_path / "data", config_dir=config), exercise_platform)
    with main_window(qtbot, session, size=None, show=False, start=False) as win:
        names = [action.text() for action in win.language_menu.actions()]
        assert names == ["简体中文", "English"]
        assert [action.isChecked() for action in win.language_menu.actions()] == [True, False]
        win.language_menu.actions()[1].trigger()
        assert (config / "language").read_text("utf-8").strip() == "en"
        assert Settings(config_dir=config).ui_language() == "en"
        qtbot.waitUntil(win.language_note.isVisible, timeout=2000)
        assert win.language_note.text() == "下次启动时界面语言为 English。"
        win.language_note.close()
        win.language_menu.actions()[0].trigger()
        assert Settings(config_dir=config).ui_language() == "zh_CN"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["pipe", "link"])
def test_the_language_menu_replaces_a_pipe_or_a_link_without_following_it(qtbot, tmp_path, exercise_platform,
                                                                          kind):
    """``<config>/language`` is a named pipe (writing it would hold the window until someone reads it) or a link
    to another file (its target would be written over): 设置 → 语言 → English puts a file of its own there, at
    once, and leaves the link's target as it was."""
    import os

    config = tmp_path / "config"
    config.mkdir()
    target = tmp_path / "elsewhere.txt"
    if kind == "pipe":
        os.mkfifo(config / "language")
    else:
        target.write_text("someone else's file\n", "utf-8")
        (config / "language").symlink_to(target)
    session = ClientSession(Settings(data_dir=tmp_path / "data", config_dir=config), exercise_platform)
    with main_window(qtbot, session, size=None, show=False, start=False) as win:
        win.language_menu.actions()[1].trigger()
        qtbot.waitUntil(win.language_note.isVisible, timeout=2000)
        win.language_note.close()
    assert (config / "language").is_file() and not (config / "language").is_symlink()
    assert (config / "language").read_text("utf-8") == "en\n" and Settings(config_dir=config).ui_language() == "en"
    if kind == "link":
        assert target.read_text("utf-8") == "someone else's file\n"


def test_the_dispatch_rows_are_shown_whole_without_a_sideways_scroll(qtbot, window):
    """The English rows are long ("… · Environmental Protection · Available · by road 14.1 km"): the list is as
    wide as its widest row where the screen allows, else rows wrap; never a row running out behind a horizontal
    scroll bar with the distance hidden."""
    incident = next(i for i in window.desk.incidents.incidents() if i.status.value != "closed")
    dialog = DispatchDialog(*window.desk.incidents.dispatch_choices(incident.id), window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    units = dialog.units
    room = dialog.screen().availableGeometry().width() - DIALOG_ROOM_PX
    assert _rows_whole(units) == 0 or units.width() >= room  # rows wrap only where the screen has no more room
    units.setMinimumWidth(0)
    units.setFixedWidth(360)  # what a screen too narrow for the rows leaves them
    qtbot.waitUntil(lambda: units.viewport().width() < 360)
    assert _rows_whole(units) > 0  # wrapped onto two lines
    screen = dialog.screen().availableGeometry()
    assert dialog.frameGeometry().width() <= screen.width()


def _rows_whole(units) -> int:
    """Check that no row of the unit list runs out of sight sideways; returns how many are wrapped."""
    assert not units.horizontalScrollBar().isVisible()
    metrics = units.fontMetrics()
    room, wrapped = units.viewport().width(), 0
    margin = units.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, units) + 1  # each side
    for row in range(units.count()):
        item = units.item(row)
        rect = units.visualItemRect(item)
        assert rect.right() <= room, (item.text(), rect, room)
        # a row with a tick box loses ~20 px of it to the box and the margins; a busy or offline unit's row has no
        # box (it cannot be ticked), only the text's margins: its text may run up to those on one line
        boxed = item.data(Qt.ItemDataRole.CheckStateRole) is not None
        if metrics.horizontalAdvance(item.text()) > rect.width() - (20 if boxed else 2 * margin + 1):
            assert rect.height() >= 2 * metrics.height(), (item.text(), rect)  # too long for a line: two
            wrapped += 1
    return wrapped
