"""A client that cannot start because of its settings says so in a message box as well as on stderr (a desk
started from a launcher has no terminal), naming the setting and what is wrong, and still exits 2; where no one
would see a box (no display, an offscreen Qt) none is shown and nothing waits."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import ValidationError
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from commandwall import cli
from commandwall.config import Settings, save_language
from commandwall.ui.app import can_show_dialogs, start_problem_box
from tests.e2e.xvfb import xvfb_display

ROOT = Path(__file__).resolve().parents[2]


def invalid(**fields) -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        Settings(**fields)
    return raised.value


def test_the_message_names_the_setting_and_what_is_wrong_never_the_value(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMANDWALL_ALARM_RADIUS_M", "800m")
    text = cli.start_problem_text(invalid(data_dir=tmp_path))
    assert "COMMANDWALL_ALARM_RADIUS_M：" in text and "valid number" in text and "800m" not in text
    assert text.startswith("客户端无法启动，设置无效") and "重新启动" in text
    monkeypatch.delenv("COMMANDWALL_ALARM_RADIUS_M")
    text = cli.start_problem_text(invalid(data_dir=tmp_path, profile="../../etc/x"))
    assert "COMMANDWALL_PROFILE 或 --profile：" in text and "../../etc/x" not in text


def test_run_with_an_invalid_setting_shows_a_box_and_exits_2(qtbot, qapp, monkeypatch, tmp_path):
    monkeypatch.setenv("COMMANDWALL_ALARM_RADIUS_M", "800m")
    monkeypatch.setenv("COMMANDWALL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DISPLAY", ":0")  # as on a desk: a screen to show the box on (drawn offscreen here)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    boxes: list[str] = []
    give_up = time.monotonic() + 20

    def close_the_box() -> None:  # whatever happens, any box is closed: the test cannot hang on it
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            boxes.append(box.text())
            box.reject()
        elif time.monotonic() < give_up:
            QTimer.singleShot(20, close_the_box)

    QTimer.singleShot(0, close_the_box)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            code = cli.main(["run"])
    finally:
        root.handlers[:], root.level = handlers, level
    assert code == 2
    assert "invalid setting: alarm_radius_m" in err.getvalue()  # stderr as before
    assert len(boxes) == 1 and "COMMANDWALL_ALARM_RADIUS_M" in boxes[0] and "800m" not in boxes[0]


def test_no_box_where_no_one_would_see_it(monkeypatch, tmp_path):
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert not can_show_dialogs()
    monkeypatch.delenv("QT_QPA_PLATFORM")
    if sys.platform not in ("win32", "darwin"):
        assert can_show_dialogs()
        monkeypatch.delenv("DISPLAY")
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        assert not can_show_dialogs()
    env = {**os.environ, "COMMANDWALL_ALARM_RADIUS_M": "800m", "COMMANDWALL_DATA_DIR": str(tmp_path),
           "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-m", "commandwall", "run"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "invalid setting: alarm_radius_m" in proc.stderr


def test_the_language_of_a_start_problem_is_found_without_the_settings(monkeypatch, tmp_path):
    """The settings that name the language are what failed: ``--lang``, then the variable if it names a language,
    then the language saved from the window's menu, then Chinese."""
    monkeypatch.setenv("COMMANDWALL_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("COMMANDWALL_LANGUAGE", raising=False)
    assert cli.start_language(None) == "zh_CN"
    save_language(tmp_path, "en")
    assert cli.start_language(None) == "en", "the language chosen in the window"
    monkeypatch.setenv("COMMANDWALL_LANGUAGE", "zh-CN")
    assert cli.start_language(None) == "zh_CN", "the variable before the saved one"
    monkeypatch.setenv("COMMANDWALL_LANGUAGE", "klingon")  # itself invalid: the next source decides
    assert cli.start_language(None) == "en"
    assert cli.start_language("zh_CN") == "zh_CN", "the option first"


def test_an_english_desk_is_told_in_english(qtbot, english, monkeypatch, tmp_path):
    monkeypatch.setenv("COMMANDWALL_ALARM_RADIUS_M", "800m")
    box = start_problem_box(cli.start_problem_text(invalid(data_dir=tmp_path)))
    qtbot.addWidget(box)
    text = box.text()
    assert text.startswith("The client cannot start") and "COMMANDWALL_ALARM_RADIUS_M" in text, text
    assert not any("\u4e00" <= char <= "\u9fff" for char in text), text


def test_run_with_an_invalid_setting_on_an_english_desk_shows_the_box_in_english(tmp_path):
    """The whole start, in a process of its own on a virtual screen (its own application, so the language is
    installed as a desk's would be): the box is up, its title and text in English, read back by the process."""
    script = tmp_path / "run.py"
    script.write_text(
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication, QMessageBox\n"
        "from commandwall import cli\n"
        "def look():\n"
        "    box = QApplication.activeModalWidget()\n"
        "    if isinstance(box, QMessageBox):\n"
        "        print('BOX', repr(box.text()), flush=True)\n"
        "        box.reject()\n"
        "    else:\n"
        "        QTimer.singleShot(50, look)\n"
        "import commandwall.ui.app as app\n"
        "real = app.start_problem_box\n"
        "def box_then_look(text):\n"
        "    QTimer.singleShot(50, look)\n"
        "    return real(text)\n"
        "app.start_problem_box = box_then_look\n"
        "sys.exit(cli.main(['run']))\n", "utf-8")
    (tmp_path / "config").mkdir()
    save_language(tmp_path / "config", "en")
    env = {**os.environ, "COMMANDWALL_ALARM_RADIUS_M": "800m", "COMMANDWALL_DATA_DIR": str(tmp_path / "data"),
           "COMMANDWALL_CONFIG_DIR": str(tmp_path / "config"), "QT_QPA_PLATFORM": "xcb"}  # fmt: skip
    env.pop("COMMANDWALL_LANGUAGE", None)
    with xvfb_display(800, 600) as display:
        proc = subprocess.run([sys.executable, str(script)], env={**env, "DISPLAY": display}, capture_output=True,
                              text=True, timeout=90, cwd=ROOT)  # fmt: skip
    assert proc.returncode == 2, proc.stderr[-2000:]
    shown = [line for line in proc.stdout.splitlines() if line.startswith("BOX ")]
    assert len(shown) == 1 and "The client cannot start" in shown[0] and "COMMANDWALL_ALARM_RADIUS_M" in shown[0], \
        proc.stdout  # fmt: skip
