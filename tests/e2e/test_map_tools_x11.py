"""The map's tools driven through the real page on an X display (Xvfb, xcb), as on a desk: the search box,
measuring, a drawn selection listed and sent to the wall, and a selection drawn in the main window put on its
wall. The same tests run offscreen with the rest; here they run again on the X server, where the web view is a
real native window."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.xvfb import xvfb_display

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
TOOLS = ["tests/ui/test_map_view.py::test_search_box_finds_through_python_and_goes_there",
         "tests/ui/test_map_view.py::test_measure_distance_and_area_come_from_pyproj",
         "tests/ui/test_map_view.py::test_drawn_rectangle_lists_cameras_editably_and_sends_them_to_the_wall",
         "tests/ui/test_main_window.py::test_a_selection_drawn_on_the_map_goes_on_the_wall"]


def test_search_measure_and_draw_to_wall_on_an_x_display(tmp_path: Path) -> None:
    with xvfb_display(1920, 1080) as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT),
               "COMMANDWALL_DATA_DIR": str(tmp_path / "data"), "COMMANDWALL_CONFIG_DIR": str(tmp_path / "config")}
        # on X, Chromium warns about the display's GL and Vulkan (llvmpipe): what is checked here is what the page
        # does, the same tests offscreen hold the log to warnings-free
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o",
                              "qt_log_level_fail=CRITICAL", *TOOLS], env=env, capture_output=True, text=True,
                             timeout=600, cwd=ROOT)  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert f"{len(TOOLS)} passed" in run.stdout, run.stdout[-2000:]
