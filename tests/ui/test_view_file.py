"""``view.ini`` is read and written by the desk itself: Qt's reader, which turns ``@Variant(…)`` into any object
(through PySide: an unpickled one), never sees it; a file holding such a value, however escaped, is set aside."""

from __future__ import annotations

import logging
import os
import random
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings

from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.ui.ini_text import holds_serialised_value
from commandwall.ui.main_window import MainWindow
from commandwall.ui.map.view_state import MapViewState
from commandwall.ui.view_file import MAX_VIEW_FILE_BYTES, read_view_file, write_view_file
from commandwall.ui.wall.view_state import WallViewState
from tests.ui.windows import READY_TIMEOUT_MS, open_main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)


class Pickled:
    """What a hostile ``view.ini`` carries: an object whose unpickling makes the folder ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.mkdir, (self.marker,)


#: how the value Qt writes as ``@Variant(…)`` can be written so that Qt still reads it as a pickle
FORMS = {
    "as Qt writes it": lambda body: b"[map]\nbase_map=@Variant(" + body,
    "@ as a hex escape": lambda body: b"[map]\nbase_map=\\x40Variant(" + body,
    "@ as a hex escape of 16 bits and more": lambda body: b"[map]\nbase_map=\\x10040Variant(" + body,
    "@ as an octal escape": lambda body: b"[map]\nbase_map=\\100Variant(" + body,
    "V as an octal escape": lambda body: b"[map]\nbase_map=@\\126ariant(" + body,
    "in quoted pieces": lambda body: b'[map]\nbase_map="@Var"   "iant(' + body + b'"',
    "with an escape Qt drops": lambda body: b"[map]\nbase_map=@Vari\\qant(" + body,
    "over two lines": lambda body: b"[map]\nbase_map=@Vari\\\nant(" + body,
    "as an item of a list": lambda body: b"[map]\nbase_map=osm, @Variant(" + body,
    "in a section the desk does not read": lambda body: b"[map]\nbase_map=osm\n\n[other]\nx=@Variant(" + body,
    # the same object in a Qt 5.6 stream (a user type is 1024 there, and a null flag follows)
    "as @DateTime": lambda body: b"[map]\nbase_map=@DateTime("
    + body.replace(b"\\0\\0\\0\\x7f", b"\\0\\0\\x4\\0\\0", 1),
}


def _hostile_view_file(path: Path, form: str) -> tuple[bytes, Path]:
    """A ``view.ini`` as Qt's settings write it — a pickled :class:`Pickled` as the base map beside a wall and a
    window layout — with the pickle written as ``form``; returns its bytes and the folder the pickle makes."""
    qt_file = path.with_name("qt-written.ini")
    for length in range(1, 20):  # a marker name whose pickle Qt writes unquoted (no , ; = in its bytes)
        marker = path.parent.parent / ("ran" + "_" * length)
        settings = QSettings(str(qt_file), QSettings.Format.IniFormat)
        settings.setValue("map/base_map", Pickled(marker))
        settings.setValue("wall/tiles", "1+5")
        settings.setValue("wall/cameras", "CAM-0345,CAM-0346")
        settings.setValue("window/default-1/state", QByteArray(b"\x00\xff layout"))
        settings.sync()
        del settings
        text = qt_file.read_bytes()
        qt_file.unlink()
        line = next(x for x in text.split(b"\n") if x.startswith(b"base_map="))
        if line.startswith(b"base_map=@Variant("):
            break
    body = line.removeprefix(b"base_map=@Variant(")
    assert b"PySide::PyObjectWrapper" in body
    rest = text.replace(b"[map]\n" + line + b"\n", b"")
    data = FORMS[form](body) + b"\n\n" + rest
    path.write_bytes(data)
    return data, marker


@pytest.mark.parametrize("form", FORMS)
def test_a_pickled_object_in_view_ini_is_never_unpickled_and_the_view_starts_fresh(tmp_path, caplog, form) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    written, marker = _hostile_view_file(data_dir / "view.ini", form)

    with caplog.at_level(logging.WARNING, logger="commandwall.ui.view_file"):
        base_map = MapViewState(data_dir).base_map()
        walls = WallViewState(data_dir).load_walls()
        WallViewState(data_dir).save_walls([("4", '["CAM-0003"]')])
    assert not marker.exists(), "the pickle ran"
    assert (base_map, walls) == (None, [])
    refused = list(data_dir.glob("view.ini.refused-*"))
    assert len(refused) == 1 and refused[0].read_bytes() == written, "kept aside as it was"
    assert [r.getMessage() for r in caplog.records if "view.ini" in r.getMessage()] == [
        f"{data_dir / 'view.ini'} holds a value Qt would read as an object of any type (@Variant, @DateTime): not "
        f"read (kept as {refused[0]}); the view starts fresh"]
    assert read_view_file(data_dir / "view.ini") == {"wall/tiles": "4", "wall/cameras": '["CAM-0003"]'}
    assert WallViewState(data_dir).load_walls() == [("4", '["CAM-0003"]')]


def test_what_qt_reads_as_an_object_is_always_found_however_it_is_written(tmp_path) -> None:
    """Qt's own reader as the judge: ``@Variant(``/``@DateTime(`` spelt with escapes (hex, 16-bit wrap, octal),
    dropped escapes, line continuations, quotes and lists, carrying a harmless number. Whenever Qt reads a value
    as that number, the file is refused — the whole file and the line alone."""
    rng = random.Random(20251205)
    number = {"@Variant(": "\\0\\0\\0\\x2\\0\\0\\0\\x5)", "@DateTime(": "\\0\\0\\0\\x2\\0\\0\\0\\0\\x5)"}

    def spelt(text: str) -> str:
        out = ""
        for ch in text:
            out += rng.choice(["", "", "", "\\q", "\\\n", "\\\r\n", "\\x", '""', '"  "'])
            out += rng.choice([ch, ch, ch, f"\\x{ord(ch):x}", f"\\x00{ord(ch):02x}", f"\\x1{ord(ch):04x}",
                               f"\\{ord(ch):o}", f"\\{ord(ch) + 65536:o}"])
        return out

    read_as_object = 0
    for n in range(40):
        lines = []
        for k in range(10):
            form = rng.choice(list(number))
            before, after = rng.choice(["", "x, ", '"a,b", ']), rng.choice(["", ", y"])
            lines.append(f"k{k}={before}{spelt(form)}{number[form]}{after}")
        path = tmp_path / f"{n}.ini"
        path.write_text("[s]\n" + "\n".join(lines) + "\n", "utf-8")
        settings = QSettings(str(path), QSettings.Format.IniFormat)
        objects = [key for key in settings.allKeys()
                   if 5 in (v if isinstance(v := settings.value(key), list) else [v])]
        del settings
        read_as_object += len(objects)
        if objects:
            assert holds_serialised_value(path.read_bytes()), path.read_text("utf-8")
        for key in objects:
            line = next(x for x in lines if x.startswith(key.removeprefix("s/") + "="))
            assert holds_serialised_value(f"[s]\n{line}\n".encode()), line
    assert read_as_object > 50, "the spellings are ones Qt reads"


def test_a_view_file_of_an_older_client_reads_the_same_and_an_older_client_reads_ours(tmp_path) -> None:
    """Every kind of value the desk keeps (text, the window layout as bytes) and texts Qt escapes, written by
    Qt's settings, read here as Qt reads them; written here, read by Qt the same."""
    values: dict[str, str | bytes] = {
        "map/base_map": "xuecheng",
        "wall/tiles": "1+5",
        "wall/cameras": '["A,B", "C\\"", "D\\\\E", " 空 格 ", "中文", null]',
        "wall2/cameras": "CAM-0001,,CAM-0003",
        "wall3/cameras": "@@ a ;=\t\n\r\x01\x7f end ",
        "wall4/cameras": "a\0b 😀",
        "window/桌面 一-2/geometry": bytes(range(256)),
        "window/default-1/state": bytes(random.Random(1).randrange(256) for _ in range(600)),
        "window/default-1/hex": b"\x001\xffabc\x00f",
    }
    settings = QSettings(str(tmp_path / "qt.ini"), QSettings.Format.IniFormat)
    for key, value in values.items():
        settings.setValue(key, QByteArray(value) if isinstance(value, bytes) else value)
    settings.sync()
    del settings
    assert read_view_file(tmp_path / "qt.ini") == values

    write_view_file(tmp_path / "ours.ini", values)
    settings = QSettings(str(tmp_path / "ours.ini"), QSettings.Format.IniFormat)
    read = {key: settings.value(key) for key in settings.allKeys()}
    assert {k: v.data() if isinstance(v, QByteArray) else v for k, v in read.items()} == values
    assert sorted((tmp_path / "ours.ini").read_bytes().splitlines()) == sorted(
        (tmp_path / "qt.ini").read_bytes().splitlines()), "written as Qt writes it"


def test_values_read_as_qt_reads_them(tmp_path) -> None:
    """Random values of escapes, quotes, commas, blanks and ``@`` forms: what Qt reads as text, a list of texts
    or bytes is read the same here (what Qt would read as another type is read as nothing)."""
    rng = random.Random(7)
    pieces = ["\\", "x", "4", "0", "7", "f", '"', ",", " ", "\t", "a", "@", "@@", "\\\n", ";", "=", "中", "\\?",
              "\\q", "\\x", "\\0", "\\x4", '\\"', "\xff", "@ByteArray(", "@String(", ")", "\\\\"]
    for n in range(10):
        path = tmp_path / f"{n}.ini"
        path.write_text("[s]\n" + "".join(f"k{k}={''.join(rng.choices(pieces, k=rng.randrange(12)))}\n"
                                          for k in range(40)), "utf-8")
        ours = read_view_file(path)
        settings = QSettings(str(path), QSettings.Format.IniFormat)
        for key in settings.allKeys():
            value = settings.value(key)
            value = value.data() if isinstance(value, QByteArray) else value
            if value is None:
                continue  # a key Qt does not find again (``s//x``: Qt's keys are cleaned when asked for)
            typed = (isinstance(value, str) and value.startswith("@")) or (isinstance(value, list) and any(
                not isinstance(item, str) or item.startswith("@") for item in value))
            if typed:
                continue  # typed by Qt (or a typed list): not read here
            assert ours[key] == value, (key, path.read_text("utf-8"))


def test_a_view_file_too_large_for_one_is_set_aside(tmp_path) -> None:
    (tmp_path / "view.ini").write_bytes(b"[map]\nbase_map=osm\n" + b";" * MAX_VIEW_FILE_BYTES)
    assert MapViewState(tmp_path).base_map() is None
    assert len(list(tmp_path.glob("view.ini.broken-*"))) == 1
    MapViewState(tmp_path).save_base_map("none")
    assert MapViewState(tmp_path).base_map() == "none"


def _started(qtbot, settings: Settings, platform) -> MainWindow:
    """The window as the client starts it: placed on the screens (the view read back), then the session."""
    win = open_main_window(qtbot, ClientSession(settings, platform), size=None, show=False, start=False)
    win.arrange_on_screens()
    with qtbot.waitSignal(win.signals.sig_ready, timeout=READY_TIMEOUT_MS):
        win.start_session()
    return win


@pytest.mark.timeout(180)
def test_a_desk_started_on_a_hostile_view_ini_runs_nothing_and_its_own_view_comes_back(
        qtbot, tmp_path, exercise_platform) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _data, marker = _hostile_view_file(data_dir / "view.ini", "@ as a hex escape")
    settings = Settings(data_dir=data_dir, config_dir=tmp_path / "config")

    first = _started(qtbot, settings, exercise_platform)
    wall = first.wall_feature.view
    assert not first.screens.view_restored
    fresh = [c.id for c in first.wall_feature.controller.start_cameras(wall.tile_count())]
    assert wall.wall_layout.key != "1+5" and [c.id for c in wall.cameras() if c] == fresh, "a fresh wall"
    first.wall_feature.play_camera("CAM-0005")
    cameras = [c.id if c else None for c in wall.cameras()]
    first.close()
    assert not marker.exists(), "the pickle ran"
    assert len(list(data_dir.glob("view.ini.refused-*"))) == 1

    second = _started(qtbot, settings, exercise_platform)
    assert second.screens.view_restored, "the window layout the desk saved comes back"
    assert [c.id if c else None for c in second.wall_feature.view.cameras()] == cameras
    second.close()
    assert not marker.exists()
    assert len(list(data_dir.glob("view.ini.refused-*"))) == 1, "the desk's own file is never refused"


@pytest.mark.timeout(180)
def test_the_incident_split_the_officer_dragged_comes_back_at_the_next_start(qtbot, tmp_path, exercise_platform):
    """The list and detail split is kept in ``view.ini`` with the window layout, and given back at the next start."""
    settings = Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    first = _started(qtbot, settings, exercise_platform)
    splitter = first.incidents.splitter
    qtbot.waitUntil(lambda: sum(splitter.sizes()) > 200, timeout=5000)
    splitter.moveSplitter(round(sum(splitter.sizes()) * 0.75), 1)  # what a drag of the handle does
    sizes = splitter.sizes()
    share = sizes[0] / sum(sizes)
    assert 0.7 < share < 0.8
    first.close()
    assert float(read_view_file(settings.data_dir / "view.ini").get("incidents/list_share") or 0) == \
        pytest.approx(share, abs=0.0001)

    second = _started(qtbot, settings, exercise_platform)
    splitter = second.incidents.splitter
    qtbot.waitUntil(lambda: sum(splitter.sizes()) > 200, timeout=5000)
    sizes = splitter.sizes()
    assert abs(sizes[0] / sum(sizes) - share) < 0.01, (sizes, share)
    second.close()
