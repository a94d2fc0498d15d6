"""Two wall screens under Xvfb split into three monitors: each wall full screen on its monitor with its own
layout (a preset of two walls recalled at start), both walls back at the next start, and the second wall's
monitor unplugged while the client runs (its wall kept, its streams released) and plugged in again (the wall
plays again). Two client starts in all."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import cv2
import pytest

from commandwall.video.presets import PresetStore, WallArrangement, WallPreset
from tests.e2e.test_app_screenshot import _env, _run_screenshot
from tests.e2e.xvfb import xvfb_display

pytestmark = pytest.mark.e2e

W, H = 1280, 720
HIGHWAY = ("CAM-1171", "CAM-1362", "CAM-1168", "CAM-1174", "CAM-1175", "CAM-1178")  # the exercise's cameras
LINCHENG = ("CAM-0345", "CAM-0047", "CAM-0125", "CAM-0141", "CAM-0164", "CAM-0178", "CAM-0308", "CAM-0397",
            "CAM-1171")  # the last one is on wall 1 too


def _inside(rect: list[int], area: list[int]) -> bool:
    x, y, w, h = rect
    ax, ay, aw, ah = area
    return ax <= x and ay <= y and x + w <= ax + aw and y + h <= ay + ah


def _screen(state: dict, name: str) -> list[int]:
    return next(s["geometry"] for s in state["screens"] if s["name"] == name)


def test_two_wall_screens_each_with_its_own_wall(tmp_path):
    profiles = tmp_path / "config" / "profiles"
    profiles.mkdir(parents=True)
    roles = [("MON0", "map"), ("MON1", "wall"), ("MON2", "wall")]
    (profiles / "default.json").write_text(json.dumps(
        {"version": 1, "screens": [{"name": n, "index": i, "role": r} for i, (n, r) in enumerate(roles)]}), "utf-8")
    PresetStore(tmp_path / "data" / "wall-presets").save(
        WallPreset.of_walls("两屏联动", [WallArrangement("1+5", HIGHWAY), WallArrangement("9", LINCHENG)]))

    with xvfb_display(W, H, monitors=3) as display:
        _out, first = _run_screenshot(tmp_path, display, "--preset", "两屏联动", "--after", "8")
        state = first[0]["state"]
        assert state["screen_roles"] == ["map", "wall", "wall"]
        walls = {w.get("wall"): w["geometry"] for w in state["windows"] if w["role"] == "wall"}
        assert walls == {1: _screen(state, "MON1"), 2: _screen(state, "MON2")}, "one wall per wall screen"
        one, two = state["walls"]
        assert (one["layout"], one["cameras"], one["rect"]) == ("1+5", list(HIGHWAY), _screen(state, "MON1"))
        assert (two["layout"], two["cameras"], two["rect"]) == ("9", list(LINCHENG), _screen(state, "MON2"))
        assert one["playing"] >= 3 and two["playing"] >= 5
        pictures = [cv2.imread(f) for f in first[0]["files"]]
        assert all(p is not None and p.shape[:2] == (H, W) and p.std() > 10 for p in pictures)
        assert cv2.absdiff(pictures[1], pictures[2]).mean() > 5, "the two walls show different pictures"
        view = (tmp_path / "data" / "view.ini").read_text("utf-8")
        assert "[wall2]" in view and "CAM-0345" in view, "both walls are saved"

        # The next start, without the preset: both walls come back; then MON2 is unplugged, then back.
        out = tmp_path / "second"
        env = _env(tmp_path, display)
        proc = subprocess.Popen(
            [sys.executable, "-m", "commandwall", "screenshot", "--out", str(out), "--when-ready", "--after", "6",
             "--count", "3", "--interval", "6"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            _wait_for(out / "screen-2-0.png", proc)
            subprocess.run(["xrandr", "--delmonitor", "MON2"], env=env, check=True, timeout=20)
            _wait_for(out / "screen-1-1.png", proc)
            subprocess.run(["xrandr", "--setmonitor", "MON2", f"{W}/508x{H}/286+{2 * W}+0", "none"],
                           env=env, check=True, timeout=20)
            _stdout, stderr = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 0, stderr[-4000:]
    assert "screen removed: MON2" in stderr and "screen added: MON2" in stderr and "Traceback" not in stderr
    before, after, back = (shot["state"] for shot in json.loads((out / "state.json").read_text("utf-8")))
    assert [(w["layout"], w["cameras"], w["rect"]) for w in before["walls"]] == [
        ("1+5", list(HIGHWAY), _screen(before, "MON1")), ("9", list(LINCHENG), _screen(before, "MON2"))]
    assert after["screen_roles"] == ["map", "wall"]
    assert [w.get("wall") for w in after["windows"] if w["role"] == "wall"] == [1]
    one, two = after["walls"]
    assert one["shown"] and one["rect"] == _screen(after, "MON1") and one["playing"] >= 3
    assert not two["shown"] and two["rect"] is None and two["playing"] == 0, "a hidden wall plays nothing"
    assert (two["layout"], two["cameras"]) == ("9", list(LINCHENG)), "and keeps its arrangement"
    # MON2 is back: wall 2 full screen on it again, the same arrangement, playing (its streams opened again).
    assert back["screen_roles"] == ["map", "wall", "wall"]
    assert {w.get("wall"): w["geometry"] for w in back["windows"] if w["role"] == "wall"} == {
        1: _screen(back, "MON1"), 2: _screen(back, "MON2")}
    two = back["walls"][1]
    assert two["shown"] and two["rect"] == _screen(back, "MON2") and two["cameras"] == list(LINCHENG)
    assert two["playing"] >= 1
    assert "[wall2]" in (tmp_path / "data" / "view.ini").read_text("utf-8")


def _wait_for(path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not path.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert path.exists(), f"capture {path.name} never came"
