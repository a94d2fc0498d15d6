"""Screen roles under Xvfb split into 1, 2 and 3 monitors: each role on its monitor, one PNG per monitor, a
monitor unplugged while the client runs, and a screen profile kept across two starts."""

from __future__ import annotations

import json
import subprocess
import sys

import cv2
import pytest

from commandwall.app.screens import first_run_roles
from tests.e2e.test_app_screenshot import _env, _run_screenshot
from tests.e2e.xvfb import monitor_args, screenshots_while_screens_change, xvfb_display

pytestmark = pytest.mark.e2e

W, H = 1280, 720


def _inside(rect: list[int], area: list[int]) -> bool:
    x, y, w, h = rect
    ax, ay, aw, ah = area
    return ax <= x and ay <= y and x + w <= ax + aw and y + h <= ay + ah


def _by_role(state: dict) -> dict[str, dict]:
    return {w["role"]: w for w in state["windows"]}


@pytest.mark.parametrize(("monitors", "roles"), [
    (1, ["console"]), (2, ["map", "wall"]), (3, ["map", "wall", "dashboard"]),
    (4, ["map", "wall", "incidents", "dashboard"]),
])
def test_each_role_lands_on_its_monitor(tmp_path, monitors, roles):
    with xvfb_display(W, H, monitors=monitors) as display:
        _out, shots = _run_screenshot(tmp_path, display, "--after", "8")
    state = shots[0]["state"]
    screens = sorted(state["screens"], key=lambda s: s["geometry"][0])
    assert len(screens) == monitors
    assert state["screen_roles"] == roles
    windows = _by_role(state)
    assert sorted(windows) == sorted(roles)
    for screen, role in zip(screens, roles, strict=True):
        if monitors > 1:  # kiosk: the window is exactly its monitor
            assert windows[role]["geometry"] == screen["geometry"], (role, windows[role])
        else:
            assert _inside(windows[role]["geometry"], screen["geometry"])
    assert _inside(state["map"], screens[0]["geometry"])
    wall_screen = screens[1 if monitors > 1 else 0]["geometry"]
    assert state["tiles"] and all(_inside(t["rect"], wall_screen) for t in state["tiles"])
    incident_screen = screens[2 if monitors > 3 else 0]["geometry"]
    assert _inside(state["incident_table"], incident_screen)
    if "dashboard" in roles:  # the overview on its own screen, filling it, with figures from the platform
        dashboard_screen = screens[roles.index("dashboard")]["geometry"]
        assert state["dashboard"] == dashboard_screen and state["dashboard_today"] is not None
    assert len(shots[0]["files"]) == monitors
    for file in shots[0]["files"]:
        image = cv2.imread(file)
        assert image is not None and image.shape[:2] == (H, W)
        assert image.std() > 10, f"{file} is blank"
    profile = json.loads((tmp_path / "config" / "profiles" / "default.json").read_text("utf-8"))
    assert [s["role"] for s in profile["screens"]] == roles, "the first run saves its roles"


def test_a_monitor_removed_at_run_time_re_homes_its_role(tmp_path):
    out = tmp_path / "shots"
    with xvfb_display(W, H, monitors=3) as display:
        env = _env(tmp_path, display)
        code, stderr = screenshots_while_screens_change(env, out, [("screen-2-0.png", [["--delmonitor", "MON1"]])],
                                                        count=2)
    assert code == 0, stderr[-4000:]
    assert "screen removed: MON1" in stderr and "Traceback" not in stderr
    before, after = (shot["state"] for shot in json.loads((out / "state.json").read_text("utf-8")))
    assert before["screen_roles"] == ["map", "wall", "dashboard"]
    assert after["screen_roles"] == ["map", "dashboard"], "MON2 keeps its role by name"
    windows = _by_role(after)
    assert "wall" not in windows and windows["map"]["docked"] == ["wall", "incidents"]
    mon0 = next(s["geometry"] for s in after["screens"] if s["name"] == "MON0")
    mon2 = next(s["geometry"] for s in after["screens"] if s["name"] == "MON2")
    assert windows["dashboard"]["geometry"] == mon2
    # The wall itself moved into the map window: the same cameras, still playing, now on MON0.
    assert [t["camera"] for t in after["tiles"]] == [t["camera"] for t in before["tiles"]]
    assert all(_inside(t["rect"], mon0) for t in after["tiles"])
    assert all(t["rect"][3] > 100 for t in after["tiles"]), "the re-homed wall gets room, not a sliver"
    assert sum(t["state"] == "直播" for t in after["tiles"]) >= 1
    assert len(after["screens"]) == 2


def test_a_profile_comes_back_at_the_next_start(tmp_path):
    with xvfb_display(W, H, monitors=2) as display:
        _out, first = _run_screenshot(tmp_path, display, "--profile", "desk", "--after", "6", out_name="first")
        path = tmp_path / "config" / "profiles" / "desk.json"
        profile = json.loads(path.read_text("utf-8"))
        assert [(s["name"], s["role"]) for s in profile["screens"]] == [("MON0", "map"), ("MON1", "wall")]
        assert not first[0]["state"]["view_restored"]
        view = (tmp_path / "data" / "view.ini").read_text("utf-8")
        assert "desk-2" in view, "the window layout was not saved"
        # The operator swaps the screens (what 屏幕设置… writes): the wall on the left, the map on the right.
        for screen in profile["screens"]:
            screen["role"] = {"map": "wall", "wall": "map"}[screen["role"]]
        path.write_text(json.dumps(profile), "utf-8")
        _out, second = _run_screenshot(tmp_path, display, "--profile", "desk", "--after", "6", out_name="second")
    state = second[0]["state"]
    assert state["view_restored"]
    assert state["screen_roles"] == ["wall", "map"]
    left, right = sorted(state["screens"], key=lambda s: s["geometry"][0])
    windows = _by_role(state)
    assert windows["wall"]["geometry"] == left["geometry"]
    assert windows["map"]["geometry"] == right["geometry"]
    assert _inside(state["map"], right["geometry"])
    assert all(_inside(t["rect"], left["geometry"]) for t in state["tiles"])


def test_a_broken_profile_is_named_and_the_defaults_used(tmp_path):
    folder = tmp_path / "config" / "profiles"
    folder.mkdir(parents=True)
    (folder / "default.json").write_text('{"screens": [{"name": "MON0", "role": "weather"}]}', "utf-8")
    with xvfb_display(W, H, monitors=2) as display:
        _out, shots = _run_screenshot(tmp_path, display, "--after", "6")
    state = shots[0]["state"]
    assert "unknown role" in state["profile_error"]
    assert state["screen_roles"] == ["map", "wall"]


def test_one_screen_desk_starts_again_as_it_was(tmp_path):
    with xvfb_display(W, H) as display:
        _out, first = _run_screenshot(tmp_path, display, "--after", "6", out_name="first")
        _out, second = _run_screenshot(tmp_path, display, "--after", "6", out_name="second")
    before, after = first[0]["state"], second[0]["state"]
    assert not before["view_restored"] and after["view_restored"]
    assert after["window"] == before["window"] == [*before["screens"][0]["geometry"][:2], W, H]
    assert [t["rect"] for t in after["tiles"]] == [t["rect"] for t in before["tiles"]]
    assert after["incident_table"] == before["incident_table"]


def test_a_monitor_back_gives_the_map_window_its_docks_as_they_were(tmp_path):
    """The wall's monitor goes and comes back: while it is away the wall gets a share of the map window; once
    it is back the map window's panels (the camera list, the incidents) are as they were before, not left at the
    share the wall had had (which squeezed the map, and was saved for the next start)."""
    out = tmp_path / "shots"
    with xvfb_display(W, H, monitors=3) as display:
        env = _env(tmp_path, display)
        code, stderr = screenshots_while_screens_change(env, out, [
            ("screen-0-0.png", [["--delmonitor", "MON1"]]),
            ("screen-0-1.png", [["--setmonitor", "MON1", f"{W}/508x{H}/286+{W}+0", "none"]])], count=3)
    assert code == 0, stderr[-4000:]
    assert "Traceback" not in stderr
    first, away, back = (shot["state"] for shot in json.loads((out / "state.json").read_text("utf-8")))
    assert _by_role(away)["map"]["docked"] == ["wall", "incidents"]
    assert _by_role(back)["map"]["docked"] == _by_role(first)["map"]["docked"] == ["incidents"]
    before, after = _by_role(first)["map"]["docks"], _by_role(back)["map"]["docks"]
    assert before and after.keys() == before.keys(), (before, after)
    for name, rect in before.items():
        assert abs(after[name][2] - rect[2]) <= 4, f"{name}: {rect} before, {after[name]} after"


def test_a_screen_over_all_the_monitors_is_left_out(tmp_path):
    """The display server adds a screen over the whole desktop (here: the monitor of its output is removed, and
    X shows that output as one screen over all three monitors' area). A role there would cover every other
    window; it is left out and the roles go to the monitors themselves."""
    out = tmp_path / "shots"
    with xvfb_display(W, H, monitors=3) as display:
        env = _env(tmp_path, display)
        subprocess.run(["xrandr", "--delmonitor", "MON0"], env=env, check=True, timeout=20)
        proc = subprocess.run(
            [sys.executable, "-m", "commandwall", "screenshot", "--out", str(out), "--when-ready", "--after", "6"],
            env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "left out: they cover others" in proc.stderr
    [shot] = json.loads((out / "state.json").read_text("utf-8"))
    state = shot["state"]
    assert len(state["screens"]) == 3 and any(s["geometry"] == [0, 0, 3 * W, H] for s in state["screens"])
    windows = _by_role(state)
    monitors = {s["name"]: s["geometry"] for s in state["screens"] if s["name"] in ("MON1", "MON2")}
    assert windows["map"]["geometry"] == monitors["MON1"], windows["map"]
    assert state["screen_roles"] == [role.value for role in first_run_roles(2)]
    second = first_run_roles(2)[1].value
    assert windows[second]["geometry"] == monitors["MON2"]


def _tiles_with_room(state: dict, area: list[int]) -> None:
    """The wall's tiles are on ``area`` and big enough to see a picture in (not a sliver of a dock)."""
    assert state["tiles"] and all(_inside(t["rect"], area) for t in state["tiles"]), state["tiles"]
    assert all(t["rect"][3] > 100 and t["rect"][2] > 150 for t in state["tiles"]), state["tiles"]


@pytest.mark.timeout(600)  # three starts
def test_a_desk_started_without_its_wall_monitor_docks_the_wall_with_room(tmp_path):
    """The wall's monitor is unplugged while the client is closed: at the next start the wall is docked in the map
    window with the room it gets when its monitor goes at run time (it came as a 100 px strip, tiles 36 px high),
    and that layout, not a sliver, is what the start after finds."""
    with xvfb_display(W, H, monitors=3) as display:
        _out, first = _run_screenshot(tmp_path, display, "--after", "8", out_name="first")
        subprocess.run(["xrandr", "--delmonitor", "MON1"], env=_env(tmp_path, display), check=True, timeout=20)
        _out, second = _run_screenshot(tmp_path, display, "--after", "8", out_name="second")
        _out, third = _run_screenshot(tmp_path, display, "--after", "8", out_name="third")
    assert first[0]["state"]["screen_roles"] == ["map", "wall", "dashboard"]
    state = second[0]["state"]
    assert state["screen_roles"] == ["map", "dashboard"]
    windows = _by_role(state)
    assert windows["map"]["docked"] == ["wall", "incidents"] and "wall" not in windows
    mon0 = next(s["geometry"] for s in state["screens"] if s["name"] == "MON0")
    _tiles_with_room(state, mon0)
    assert windows["map"]["docks"]["wallDock"][3] >= H * 0.3, windows["map"]["docks"]
    again = third[0]["state"]
    assert again["view_restored"]
    assert [t["rect"] for t in again["tiles"]] == [t["rect"] for t in state["tiles"]]


@pytest.mark.timeout(600)  # three starts
def test_a_wall_monitor_replaced_by_another_elsewhere_keeps_the_wall(tmp_path):
    """The wall's monitor is swapped while the client is closed for one of another name placed elsewhere (the
    dashboard's monitor moves up a place). A smaller one cannot take the wall: it is docked in the map window, in
    sight and with room, although the window layout saved on three monitors has its dock hidden (the wall had a
    monitor then). Swapped again for one of the old one's size: that monitor shows the wall."""
    with xvfb_display(W, H, monitors=3) as display:
        env = _env(tmp_path, display)
        _out, first = _run_screenshot(tmp_path, display, "--after", "8", out_name="first")
        for arguments in (["--delmonitor", "MON1"], ["--delmonitor", "MON2"], monitor_args("MON2", W, H, W),
                          monitor_args("MON3", 800, 600, 2 * W)):
            subprocess.run(["xrandr", *arguments], env=env, check=True, timeout=20)
        _out, smaller = _run_screenshot(tmp_path, display, "--after", "8", out_name="smaller")
        for arguments in (["--delmonitor", "MON3"], monitor_args("MON4", W, H, 2 * W)):
            subprocess.run(["xrandr", *arguments], env=env, check=True, timeout=20)
        _out, replaced = _run_screenshot(tmp_path, display, "--after", "8", out_name="replaced")
    assert first[0]["state"]["screen_roles"] == ["map", "wall", "dashboard"]
    state = smaller[0]["state"]
    assert state["view_restored"] and "wall" not in state["screen_roles"]
    windows = _by_role(state)
    assert windows["map"]["docked"] == ["wall", "incidents"]
    assert "wallDock" in windows["map"]["docks"], f"the docked wall is out of sight: {windows['map']['docks']}"
    mon0 = next(s["geometry"] for s in state["screens"] if s["name"] == "MON0")
    _tiles_with_room(state, mon0)
    state = replaced[0]["state"]
    assert state["screen_roles"] == ["map", "dashboard", "wall"]
    windows = _by_role(state)
    mon4 = next(s["geometry"] for s in state["screens"] if s["name"] == "MON4")
    assert windows["wall"]["geometry"] == mon4 and windows["map"]["docked"] == ["incidents"]
    _tiles_with_room(state, mon4)


def test_a_role_over_monitors_of_different_heights_stays_on_them(tmp_path):
    """综合态势 on a tall monitor and a short one beside it: its window lies wholly on monitors (their bounding box
    left a corner on none); here the tall monitor alone, the largest area the two show whole."""
    profiles = tmp_path / "config" / "profiles"
    profiles.mkdir(parents=True)
    roles = [("MON0", "map"), ("MON1", "dashboard"), ("MON2", "dashboard")]
    (profiles / "default.json").write_text(json.dumps(
        {"version": 1, "screens": [{"name": n, "index": i, "role": r} for i, (n, r) in enumerate(roles)]}), "utf-8")
    with xvfb_display(sizes=[(W, H), (1600, 1000), (800, 480)]) as display:
        _out, shots = _run_screenshot(tmp_path, display, "--after", "8")
    state = shots[0]["state"]
    assert state["screen_roles"] == ["map", "dashboard", "dashboard"]
    mon1 = next(s["geometry"] for s in state["screens"] if s["name"] == "MON1")
    assert _by_role(state)["dashboard"]["geometry"] == mon1
    assert state["dashboard"] is not None and _inside(state["dashboard"], mon1)
