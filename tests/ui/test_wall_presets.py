"""Wall presets (预案) in the real window on the exercise backend: the shipped ones in the 视频墙 menu, recalled by
menu and by Alt+N, saved from the wall through the name dialog, a bad file named without breaking the others."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot

from commandwall import paths
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.ui.main_window import MainWindow
from commandwall.video.presets import PresetStore
from tests.ui.windows import main_window


@pytest.fixture
def window(qtbot: QtBot, tmp_path, exercise_platform) -> Iterator[MainWindow]:
    """The main window on its own exercise backend, session ready, with one broken preset file in the data
    folder."""
    folder = paths.wall_presets_dir(tmp_path)
    folder.mkdir(parents=True)
    (folder / "坏的预案.json").write_text('{"format": "commandwall-wall-preset", "version": 1, "layout": "7"}')
    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform), exposed=True) as win:
        yield win


def shown(window: MainWindow) -> list[str | None]:
    """Camera id per tile."""
    return [c.id if c else None for c in window.wall.cameras()]


def test_presets_by_menu_shortcut_and_save(qtbot: QtBot, window: MainWindow, tmp_path) -> None:
    """The menu lists the exercise's presets (the broken file is named in the status bar); Alt+N and the menu
    put a preset's layout and cameras up, live; the wall saved under a name comes back by that name."""
    presets = window.wall_feature.presets
    wall_menu = next(a.menu() for a in window.menuBar().actions() if a.menu() is window.wall_feature.menu)
    assert presets.menu in [a.menu() for a in wall_menu.actions()]
    names = [p.name for p in presets.presets]
    assert {"临城街道主要路口", "高速出入口"} <= set(names)
    assert "坏的预案.json" in window.statusBar().currentMessage()

    shipped = PresetStore(paths.shipped_wall_presets_dir()).load()
    highway = shipped.get("高速出入口")
    assert highway is not None
    n = names.index("高速出入口") + 1
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, getattr(Qt.Key, f"Key_{n}"), Qt.KeyboardModifier.AltModifier)
    assert window.wall.wall_layout.key == "2+8"
    assert shown(window) == list(highway.cameras)
    assert "预案「高速出入口」已调取" in window.statusBar().currentMessage()
    big = window.wall.tile(0)
    assert big.width() > 2 * window.wall.tile(2).width() - 10
    qtbot.waitUntil(lambda: window.wall.tile(0).frames_painted > 2 and window.wall.tile(9).frames_painted > 2,
                    timeout=30_000)  # fmt: skip

    presets.menu.aboutToShow.emit()  # what opening the menu does: the files are read again
    crossing = next(a for a in presets.menu.actions() if a.text() == "临城街道主要路口")
    crossing.trigger()
    assert window.wall.wall_layout.key == "1+7" and shown(window)[0] == "CAM-0345"

    window.wall.model.swap(0, 7)
    window.wall.set_layout("1+5")  # tiles 6, 7 go: the wall now is "1+5" with CAM-0397 in the big tile
    expected = shown(window)

    def fill_name_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue("我的路口")
        dialog.accept()

    QTimer.singleShot(200, fill_name_dialog)
    presets.save_action.trigger()
    saved = tmp_path / "wall-presets" / "我的路口.json"
    assert saved.is_file()
    assert "已保存预案「我的路口」" in window.statusBar().currentMessage()
    assert "我的路口" in [a.text() for a in presets.menu.actions()]

    window.wall.set_tile_count(16)
    assert presets.recall("我的路口")
    assert window.wall.wall_layout.key == "1+5" and shown(window) == expected


def test_a_preset_with_a_tour_starts_it(qtbot: QtBot, window: MainWindow) -> None:
    """光明大道沿线轮巡 puts up a 3×3 wall and runs its tour (轮巡 checked); another preset stops the tour."""
    presets = window.wall_feature.presets
    assert presets.recall("光明大道沿线轮巡")
    assert window.wall.wall_layout.key == "9"
    assert window.tour_runner.is_running() and window.tour_action.isChecked()
    tour = window.tour_runner.current_tour
    assert tour is not None and all(c in tour.camera_ids for c in shown(window))
    assert presets.recall("高速出入口")
    assert not window.tour_runner.is_running() and not window.tour_action.isChecked()
    assert window.wall.wall_layout.key == "2+8"


def test_hostile_preset_files_show_as_text_in_the_menu_and_the_status_bar(qtbot: QtBot, window: MainWindow,
                                                                           tmp_path) -> None:
    """Preset files are edited by hand or copied from other desks: every name that is a valid preset shows as
    ``display_text`` of itself (``&`` as itself, not a shortcut), every other file is named with its reason;
    nothing breaks the menu."""
    import json

    from commandwall.textsafe import display_text
    from commandwall.video.presets import WallPreset
    from tests.hostile import corpus

    folder = paths.wall_presets_dir(tmp_path)
    usable: list[str] = []
    for n, text in enumerate(t for t in dict.fromkeys(corpus()) if t):
        name = f"{text}"[:40]
        doc = {"format": "commandwall-wall-preset", "version": 1, "name": name, "layout": "4",
               "cameras": ["CAM-0001"], "tour": {"name": text, "camera_ids": ["CAM-0001", "CAM-0002"]}}
        (folder / f"hostile-{n}.json").write_text(json.dumps(doc), "utf-8")
        try:
            WallPreset.from_json(json.dumps(doc))
            usable.append(name)
        except ValueError:
            pass
    (folder / "deep.json").write_bytes(b"[" * 100_000)
    (folder / "garbage.json").write_bytes(b"\x00\xff{{7*7}}")
    presets = window.wall_feature.presets
    presets.reload()
    texts = [a.text() for a in presets.menu.actions()]
    for name in usable:
        assert display_text(name, 40).replace("&", "&&") in texts, name
    message = window.statusBar().currentMessage()
    assert "deep.json" in message and "garbage.json" in message
    assert "\u202e" not in message and "\x00" not in message
    rich = next(p for p in presets.presets if p.name in usable and p.tour is not None)
    presets._apply(rich)
    assert len(rich.tour.name) <= 40


def test_two_files_of_one_hostile_name_are_named_as_text(qtbot: QtBot, tmp_path, exercise_platform) -> None:
    """A copied preset whose name carries template syntax and a right-to-left override: the copy is named in the
    status bar with the override shown as a mark and the braces as typed, and the saved one is offered."""
    from commandwall.textsafe import BIDI_CONTROLS
    from commandwall.video.presets import WallPreset

    name = "{name}{{0}}\u202egnp.预案"
    store = PresetStore(paths.wall_presets_dir(tmp_path))
    store.save(WallPreset(name, "4", ("CAM-0001",)))
    (paths.wall_presets_dir(tmp_path) / "0-副本.json").write_text(WallPreset(name, "9", ("CAM-0002",)).to_json())
    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform), size=None) as win:
        message = win.statusBar().currentMessage()
        assert "0-副本.json" in message and "{name}{{0}}" in message and "‹U+202E›" in message
        assert not any(char in message for char in BIDI_CONTROLS)
        assert [p.layout for p in win.wall_feature.presets.presets if p.name == name] == ["4"]


def test_many_presets_and_one_with_a_number_python_cannot_read(qtbot: QtBot, tmp_path, exercise_platform) -> None:
    """A preset whose number has 5000 digits (Python reads no int of more than 4300: a plain ValueError) is named
    with its reason while the desk starts as usual: the wall, the dashboard and the alarm linkage start, the
    other presets are offered. With 120 presets the menu lists 100 and says how many more there are; opening it
    again with nothing changed keeps the menu as it is, a preset added meanwhile shows."""
    from commandwall.video.presets import WallPreset

    store = PresetStore(paths.wall_presets_dir(tmp_path))
    for n in range(120):
        store.save(WallPreset(f"预案{n:03d}", "4", ("CAM-0001",)))
    (store.folder / "长数字.json").write_bytes(
        b'{"format": "commandwall-wall-preset", "version": 1, "name": "x", "layout": "4",'
        b' "tour": {"camera_ids": ["A"], "dwell_s": ' + b"9" * 5000 + b"}}")
    session = ClientSession(Settings(data_dir=tmp_path), exercise_platform)
    with main_window(qtbot, session, size=None) as win:
        presets = win.wall_feature.presets
        assert any("长数字.json" in line and "数字" in line for line in win.messages.lines())
        assert win.dashboard_feature._started and win.alarm_feature._ready
        assert any(c is not None for c in win.wall.cameras())  # the start point's cameras are up
        names = [p.name for p in presets.presets]
        assert "预案000" in names and "高速出入口" in names and "x" not in names

        presets.menu.aboutToShow.emit()  # opening the menu
        items = presets.menu.actions()
        texts = [a.text() for a in items]
        assert len([t for t in texts if t.startswith("预案") or t in names]) == 100
        more = len(names) - 100
        assert f"另有 {more} 个预案未列出（最多列出 100 个）" in texts
        presets.menu.aboutToShow.emit()
        assert presets.menu.actions() == items  # nothing changed: the same menu, not built again

        PresetStore(store.folder).save(WallPreset("预案999", "9", ("CAM-0002",)))  # another desk
        presets.menu.aboutToShow.emit()
        assert f"另有 {more + 1} 个预案未列出（最多列出 100 个）" in [a.text() for a in presets.menu.actions()]
        assert presets.recall("预案999") and win.wall.wall_layout.key == "9"


def test_the_offered_preset_name_has_the_time_the_desk_shows(monkeypatch) -> None:
    """On a machine whose zone is not China's (UTC here), 保存预案 offered 11:02 while the status bar said 19:02."""
    import datetime as dt

    from commandwall import localtime
    from commandwall.ui.wall.presets import default_preset_name

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        before = f"{localtime.now():%m-%d %H:%M}"
        name = default_preset_name("4画面")
        after = f"{localtime.now():%m-%d %H:%M}"
        machine = dt.datetime.now()  # the machine's own zone, which the old name used
        assert name in (f"4画面 {before}", f"4画面 {after}"), name  # a minute may turn between
        assert f"{machine:%H:%M}" not in name, (name, machine)
    finally:
        monkeypatch.undo()
        time.tzset()
