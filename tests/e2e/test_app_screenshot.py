"""The whole client under Xvfb against the embedded exercise backend, checked through its own screenshots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from commandwall import paths
from tests.e2e.xvfb import xvfb_display

pytestmark = pytest.mark.e2e


def _hex_to_bgr(colour: str) -> np.ndarray:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return np.array([b, g, r], dtype=np.int16)


def _crop(image: np.ndarray, rect: list[int], origin: list[int]) -> np.ndarray:
    x, y, w, h = rect
    x -= origin[0]
    y -= origin[1]
    return image[max(y, 0):y + h, max(x, 0):x + w]


def _env(tmp_path: Path, display: str) -> dict[str, str]:
    return {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "COMMANDWALL_DATA_DIR": str(tmp_path / "data"),
        "COMMANDWALL_CONFIG_DIR": str(tmp_path / "config"),
        "COMMANDWALL_DEMO_INCIDENT_RATE": "6",
        # these tests compare what the screens show before and after; a simulated severe incident would turn
        # the map and the wall's linkage area to itself in between (the alarm linkage has its own tests)
        "COMMANDWALL_ALARM_MIN_PRIORITY": "0",
    }


def _run_screenshot(tmp_path: Path, display: str, *extra: str, out_name: str = "shots") -> tuple[Path, list[dict]]:
    """``commandwall screenshot --when-ready`` (``--after`` in ``extra`` is the longest wait): its captures."""
    out = tmp_path / out_name
    proc = subprocess.run(
        [sys.executable, "-m", "commandwall", "screenshot", "--out", str(out), "--when-ready", *extra],
        env=_env(tmp_path, display), capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out, json.loads((out / "state.json").read_text("utf-8"))


def test_client_shows_district_live_tiles_and_incidents(tmp_path):
    with xvfb_display(1920, 1080) as display:
        _out, shots = _run_screenshot(tmp_path, display, "--after", "14", "--count", "2", "--interval", "1.5")
    assert len(shots) == 2
    first, second = shots
    state = first["state"]
    assert state["map_ready"], "map page never reported ready"
    assert state["incidents_listed"] > 0, "incident list is empty"
    assert "实时推送" in second["state"]["connection"] or "轮询" in second["state"]["connection"]
    assert state["language"] == "zh_CN" and state["menus"][:2] == ["视频墙(V)", "告警联动(A)"]
    assert not state["no_glyph"], f"drawn as boxes (no font has their characters): {state['no_glyph']}"

    img0 = cv2.imread(first["files"][0])
    img1 = cv2.imread(second["files"][0])
    assert img0 is not None and img0.shape[:2] == (1080, 1920)
    origin = [0, 0]

    # The district is drawn: its outline colour (from the layer manifest) appears along a long line of pixels.
    manifest = json.loads((paths.layers_dir() / "manifest.json").read_text("utf-8"))
    district = next(layer for layer in manifest["layers"] if layer["kind"] == "boundary")
    target = _hex_to_bgr(district["style"]["color"])
    map_px = _crop(img0, state["map"], origin).astype(np.int16)
    close = np.abs(map_px - target).sum(axis=2) < 60
    assert close.sum() > 800, f"district outline colour found on only {close.sum()} pixels"

    # At least one wall tile shows a picture that changes between the two grabs.
    changing = []
    for tile0, tile1 in zip(state["tiles"], second["state"]["tiles"], strict=True):
        assert tile0["rect"] == tile1["rect"]
        a = _crop(img0, tile0["rect"], origin).astype(np.int16)
        b = _crop(img1, tile1["rect"], origin).astype(np.int16)
        if a.size and np.abs(a - b).mean() > 1.0 and a.std() > 5:
            changing.append(tile0["camera"])
    assert changing, f"no tile picture changed: {state['tiles']}"

    # The incident table has rows drawn: more than the header's worth of non-background pixels.
    table = _crop(img0, state["incident_table"], origin)
    assert table.size and table.std() > 10


def test_two_monitors_put_the_wall_on_the_second(tmp_path):
    with xvfb_display(1600, 900, monitors=2) as display:
        _out, shots = _run_screenshot(tmp_path, display, "--after", "10")
    state = shots[0]["state"]
    assert len(state["screens"]) == 2
    assert len(shots[0]["files"]) == 2
    left, right = sorted(state["screens"], key=lambda s: s["geometry"][0])
    map_x = state["map"][0]
    assert left["geometry"][0] <= map_x < left["geometry"][0] + left["geometry"][2]
    for tile in state["tiles"]:
        assert right["geometry"][0] <= tile["rect"][0] < right["geometry"][0] + right["geometry"][2]
    wall = cv2.imread(shots[0]["files"][1])
    assert wall is not None and wall.shape[:2] == (900, 1600)


def test_the_client_in_english(tmp_path):
    """``--lang en``: the window's own words in English, every character with a glyph (no boxes)."""
    from tests.ui.widget_texts import CJK, catalogues

    catalogues.release()  # the .qm from the committed catalogues, as `make setup` makes it
    with xvfb_display(1920, 1080) as display:
        _out, shots = _run_screenshot(tmp_path, display, "--after", "8", "--lang", "en")
    state = shots[0]["state"]
    assert state["language"] == "en"
    assert state["title"] == "Xuecheng District Integrated Command Platform · Exercise Mode"
    assert state["menus"] == ["Video Wall", "Alarm Linkage", "Settings", "Account", "Help"]
    assert state["docks"] == ["Video Wall", "Incidents", "Cameras", "Layers", "Overview"]
    assert "Live" in state["connection"] or "Polling" in state["connection"]
    assert not [m for m in state["menus"] + state["docks"] if CJK.search(m)]
    assert not state["no_glyph"], f"drawn as boxes (no font has their characters): {state['no_glyph']}"
    assert state["map_ready"] and state["incidents_listed"] > 0
    image = cv2.imread(shots[0]["files"][0])
    assert image is not None and image.shape[:2] == (1080, 1920)
