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

import pytest
from pydantic import ValidationError
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from commandwall import cli
from commandwall.config import Settings
from commandwall.ui.app import can_show_dialogs


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
