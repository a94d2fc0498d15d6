"""Dialogs open over the window they were asked from, on a desk of two monitors (the map's window on MON0, the
wall's on MON1), worked with a real mouse and keyboard (XTest on Xvfb; tests/e2e/screen_dialogs_x11.py does it
in one client): F1 and Ctrl+L on the wall's screen opened on the map's, and 保存当前画面为预案… chosen in the map's
menu opened its name dialog on the wall's. A dialog left open over the wall's window when its monitor goes moves
over the map's (the wall's window is deleted, and would take the dialog along)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_app_screenshot import _env
from tests.e2e.xvfb import xvfb_display

pytestmark = pytest.mark.e2e
CHILD = Path(__file__).with_name("screen_dialogs_x11.py")
ROOT = Path(__file__).resolve().parents[2]


def _inside(rect: list[int], area: list[int]) -> bool:
    x, y, w, h = rect
    ax, ay, aw, ah = area
    return ax <= x and ay <= y and x + w <= ax + aw and y + h <= ay + ah


def test_dialogs_open_over_the_window_they_were_asked_from(tmp_path) -> None:
    with xvfb_display(1280, 720, monitors=2) as display:
        env = {**_env(tmp_path, display), "PYTHONPATH": str(ROOT), "COMMANDWALL_DEMO_INCIDENT_RATE": "0"}
        run = subprocess.run([sys.executable, str(CHILD)], env=env, capture_output=True, text=True, timeout=240,
                             cwd=ROOT)  # fmt: skip
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert run.returncode == 0 and lines, run.stderr[-4000:]
    result = json.loads(lines[0].removeprefix("RESULT "))
    assert "error" not in result, result["error"]
    screens = result["screens"]
    assert result["wall_window"]["screen"] == "MON1"
    for name, (screen, over) in {"f1_on_wall": ("MON1", "wallWindow"), "login_on_wall": ("MON1", "wallWindow"),
                                 "f1_on_map": ("MON0", "mainWindow"),
                                 "save_preset_on_map": ("MON0", "mainWindow"),
                                 "f1_open_when_the_wall_screen_went": ("MON0", "mainWindow")}.items():
        dialog = result[name]
        assert (dialog["screen"], dialog["over"]) == (screen, over), (name, dialog)
        assert _inside(dialog["rect"], screens[screen]), (name, dialog, screens[screen])
    assert result["f1_open_when_the_wall_screen_went"]["shown"]
