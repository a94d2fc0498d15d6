"""A monitor plugged in while the client runs: it takes the role the profile gives its position, and the
windows already placed keep their screens and their state."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from commandwall.app.screens import first_run_roles
from tests.e2e.test_app_screenshot import _env
from tests.e2e.xvfb import screenshots_while_screens_change, xvfb_display

pytestmark = pytest.mark.e2e

W, H = 1280, 720


def _by_role(state: dict) -> dict[str, dict]:
    return {w["role"]: w for w in state["windows"]}


def test_a_monitor_added_at_run_time_gets_its_role(tmp_path):
    out = tmp_path / "shots"
    with xvfb_display(W, H, monitors=3) as display:
        env = _env(tmp_path, display)
        # The display is wide enough for three monitors; the desk starts with two.
        subprocess.run(["xrandr", "--delmonitor", "MON2"], env=env, check=True, timeout=20)
        code, stderr = screenshots_while_screens_change(env, out, [
            ("screen-1-0.png", [["--setmonitor", "MON2", f"{W}/508x{H}/286+{2 * W}+0", "none"]])], count=2)
    assert code == 0, stderr[-4000:]
    assert "screen added: MON2" in stderr and "Traceback" not in stderr
    before, after = (shot["state"] for shot in json.loads((out / "state.json").read_text("utf-8")))
    assert len(before["screens"]) == 2 and len(after["screens"]) == 3
    expected = [role.value for role in first_run_roles(2)]
    assert before["screen_roles"] == expected
    new_role = first_run_roles(3)[2].value
    assert after["screen_roles"] == [*expected, new_role], "the known screens keep their roles"
    windows = _by_role(after)
    mon2 = next(s["geometry"] for s in after["screens"] if s["name"] == "MON2")
    assert windows[new_role]["geometry"] == mon2, "the new role opens full screen on the new monitor"
    assert new_role not in windows["map"]["docked"]
    # The wall was not rebuilt: the same cameras, still playing.
    assert [t["camera"] for t in after["tiles"]] == [t["camera"] for t in before["tiles"]]
    assert sum(t["state"] == "直播" for t in after["tiles"]) >= 1
    assert len(json.loads((out / "state.json").read_text("utf-8"))) == 2
    assert sorted(p.name for p in out.glob("screen-*-1.png")) == ["screen-0-1.png", "screen-1-1.png",
                                                                   "screen-2-1.png"]


def test_a_monitor_that_changes_mode_has_the_window_fitted_to_it(tmp_path):
    """Another mode on the monitor (a smaller panel, a changed resolution) while the client runs: the window on
    it takes its new size (left at the old one it hung off the screen, the status bar out of sight)."""
    out = tmp_path / "shots"
    with xvfb_display(1920, 1080) as display:
        env = _env(tmp_path, display)
        mode = ["1280x720_60", "74.50", "1280", "1344", "1472", "1664", "720", "723", "728", "748", "-hsync", "+vsync"]
        code, stderr = screenshots_while_screens_change(env, out, [("screen-0-0.png", [
            ["--newmode", *mode], ["--addmode", "screen", mode[0]], ["--output", "screen", "--mode", mode[0]]])],
            count=2)
    assert code == 0, stderr[-4000:]
    assert "Traceback" not in stderr and "screen changed" in stderr
    before, after = (shot["state"] for shot in json.loads((out / "state.json").read_text("utf-8")))
    assert [s["geometry"] for s in before["screens"]] == [[0, 0, 1920, 1080]]
    assert [s["geometry"] for s in after["screens"]] == [[0, 0, 1280, 720]]
    [window] = after["windows"]
    x, y, width, height = window["geometry"]
    assert x >= 0 and y >= 0 and x + width <= 1280 and y + height <= 720, window
    assert width * height >= 0.8 * 1280 * 720, "it fills the monitor as it did before"


def test_an_unreachable_platform_is_said_on_every_screen(tmp_path):
    """The platform cannot be reached: the banner that says so (and since when the picture is) is shown on the
    other screens' windows too, not only above the map: an officer at the incident screen must not read old
    incidents as live."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    out = tmp_path / "shots"
    with xvfb_display(W, H, monitors=2) as display:
        env = {**_env(tmp_path, display), "COMMANDWALL_PASSWORD": "duty"}
        proc = subprocess.run(
            [sys.executable, "-m", "commandwall", "screenshot", "--backend", dead, "--user", "duty", "--out",
             str(out), "--after", "6", "--timeout", "12"], env=env, capture_output=True, text=True, timeout=180)
    assert "Traceback" not in proc.stderr  # it never connects: it captures at its timeout and says so (exit 1)
    [shot] = json.loads((out / "state.json").read_text("utf-8"))
    windows = _by_role(shot["state"])
    role = first_run_roles(2)[1].value
    assert role in windows, windows
    assert "无法连接平台" in windows[role]["banner"], windows[role]
