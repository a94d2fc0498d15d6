"""A camera dragged off the map onto a wall tile with real X input (Xvfb, xcb, XTest): Qt runs the drag the
page asked for, the tile plays the camera, and the map neither panned nor stays frozen."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_app_screenshot import _env
from tests.e2e.xvfb import xvfb_display

pytestmark = pytest.mark.e2e
CHILD = Path(__file__).with_name("map_drag_x11.py")
ROOT = Path(__file__).resolve().parents[2]


def test_a_map_camera_dragged_with_the_mouse_plays_on_the_tile_it_is_dropped_on(tmp_path: Path) -> None:
    with xvfb_display(1600, 900) as display:
        env = {**_env(tmp_path, display), "PYTHONPATH": str(ROOT)}
        run = subprocess.run([sys.executable, str(CHILD)], env=env, capture_output=True, text=True, timeout=150,
                             cwd=ROOT)  # fmt: skip
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert run.returncode == 0 and lines, run.stderr[-4000:]
    result = json.loads(lines[0].removeprefix("RESULT "))
    assert result["drags"] == [["CAM-0042"]] and result["clicks"] == [], result
    assert result["wall"] == [None, None, None, "CAM-0042"] and result["tile3"] == "直播", result
    assert result["center_after"] == result["center_before"], "the press on the camera did not pan the map"
    assert result["map_pans_again"], "the page was told the drag ended"
