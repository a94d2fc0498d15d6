"""The map's tools worked with a real mouse and keyboard (XTest on Xvfb, xcb) in the whole client against the
embedded exercise backend, as a duty officer works them: typing in the search box and taking a result, measuring
by clicks finished with a double click, drawing a rectangle (dragged and clicked), a circle and polygons with the
toolbar, editing the listed selection and putting it on the wall (tests/e2e/map_tools_x11.py does it all in one
client; each test here checks one tool's part of what it reports)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pyproj import Geod

from tests.e2e.test_app_screenshot import _env
from tests.e2e.xvfb import xvfb_display

pytestmark = pytest.mark.e2e
CHILD = Path(__file__).with_name("map_tools_x11.py")
ROOT = Path(__file__).resolve().parents[2]
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def worked(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What the child reports after working every tool once (one client start for the three tests)."""
    tmp_path = tmp_path_factory.mktemp("map-tools")
    with xvfb_display(1920, 1080) as display:
        env = {**_env(tmp_path, display), "PYTHONPATH": str(ROOT), "COMMANDWALL_DEMO_INCIDENT_RATE": "0"}
        run = subprocess.run([sys.executable, str(CHILD)], env=env, capture_output=True, text=True, timeout=200,
                             cwd=ROOT)  # fmt: skip
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert run.returncode == 0 and lines, run.stderr[-4000:]
    result = json.loads(lines[0].removeprefix("RESULT "))
    assert "error" not in result, result["error"]
    return result


def _number(label: str) -> float:
    return float(re.search(r"[\d.,]+", label).group().replace(",", ""))


def _near(a: list[float], b: list[float], degrees: float) -> bool:
    return abs(a[0] - b[0]) < degrees and abs(a[1] - b[1]) < degrees


def test_typed_searches_fly_to_what_they_find_and_select_it(worked: dict) -> None:
    kinds = [entry["kind"] for entry in worked["search"]]
    assert kinds == ["camera", "town", "grid", "incident", "unit"]
    for entry in worked["search"]:
        assert "error" not in entry, entry["error"]
        hit, after = entry["expected"], entry["after"]
        assert entry["typed"] == entry["text"], "the keys typed reached the box"
        assert hit is not None and hit["kind"] == entry["kind"], entry
        assert entry["listed"][0] == hit["label"], entry  # Python's first answer is the first row
        assert after["results"] == 0, "the list closes once a result is taken"
        if hit["bounds"]:  # a town or grid cell: the map shows all of it, and not much more
            (south, west), (north, east) = hit["bounds"]
            (v_south, v_west), (v_north, v_east) = after["view"]
            assert v_south <= south and v_west <= west and v_north >= north and v_east >= east, entry
            assert (v_north - v_south) < 2 * (north - south) or (v_east - v_west) < 2 * (east - west), entry
        else:  # where the page's hit is (a unit may have moved since Python was asked first)
            assert after["taken"]["id"] == hit["id"] and _near([hit["lon"], hit["lat"]], [
                after["taken"]["lon"], after["taken"]["lat"]], 0.01), entry  # fmt: skip
            # a unit's card may move the map a little to show itself: the unit need only be in the middle
            within = 3e-3 if entry["kind"] == "unit" else 1e-4
            assert _near(after["center"], [after["taken"]["lon"], after["taken"]["lat"]], within), entry
    camera, _town, _grid, incident, _unit = worked["search"]
    assert camera["after"]["zoom"] >= 17
    assert camera["after"]["selectedCameras"] == [camera["expected"]["id"]]
    assert camera["window"]["camera"] == camera["expected"]["id"], "the camera list follows"
    assert incident["after"]["selectedIncident"] == incident["text"]
    assert incident["window"]["incident"] == incident["text"], "the incident list follows"


@pytest.mark.parametrize("kind", ["line", "area"])
def test_clicked_measures_match_pyproj(worked: dict, kind: str) -> None:
    entry = worked["measure"][kind]
    assert "error" not in entry, entry["error"]
    assert entry["busy"], "the tool button started measuring"
    lons, lats = zip(*entry["points"], strict=True)
    label = entry["label"]
    if kind == "line":
        expected = GEOD.line_length(lons, lats)
        assert entry["result"]["length_m"] == pytest.approx(expected, rel=0.01)
        shown = _number(label) * (1000 if "公里" in label else 1)
    else:
        area, perimeter = GEOD.polygon_area_perimeter(lons, lats)
        expected = abs(area)
        assert entry["result"]["area_m2"] == pytest.approx(expected, rel=0.01)
        assert entry["result"]["perimeter_m"] == pytest.approx(perimeter, rel=0.01)
        shown = _number(label) * (1e6 if "平方公里" in label else 1)
    assert shown == pytest.approx(expected, rel=0.01), label
    after = entry["after"]
    assert after == {"busy": False, "zoom": entry["zoom_before"], "active": False}, (
        f"the double click ends the measure (not the map's zoom) and the button shows it: {after}, "
        f"events {entry['events']}")
    assert entry["shown_finished"] is True, "the finished measure stays on the map until it is cleared"
    how = "Esc" if kind == "line" else "the × on its label"
    assert entry["cleared"] == {"shown": False, "result": None, "labels": 0, "zoom": entry["zoom_before"]}, (
        f"{how} clears the finished measure (and the map stays where it was): {entry['cleared']}")


def test_drawn_shapes_list_what_python_picks_and_the_edited_list_goes_on_the_wall(worked: dict) -> None:
    draw = worked["draw"]
    shapes = draw["shapes"]
    assert list(shapes) == ["rectangle_drag", "rectangle_clicks", "circle", "polygon_first_point",
                            "polygon_double_click"]  # fmt: skip
    for name, entry in shapes.items():
        assert "error" not in entry, f"{name}: {entry['error']}"
        assert entry["busy"], f"{name}: the tool button started drawing"
        assert entry["expected"], f"{name}: the shape holds cameras"
        assert entry["listed"] == entry["expected"], name
        assert entry["rows"] == len(entry["listed"]), name
        after = entry["after"]
        assert after["selected"] == entry["listed"], f"{name}: the listed cameras are ringed on the map"
        assert not after["busy"] and after["active"] == 0, f"{name}: the tool is done"
        assert after["zoom_kept"] and after["center_kept"], f"{name}: the map neither panned nor zoomed"
        if name != "rectangle_drag":
            assert entry["cleared"], f"{name}: 清除 emptied the last selection"
    assert "error" not in draw, draw["error"]
    before, after = draw["before_removal"], draw["after_removal"]
    assert len(before) >= 3 and after == before[:1] + before[2:], "× removed the second camera"
    assert draw["title"] == f"已选摄像头 {len(after)} 个"
    shown = min(len(after), draw["tile_count"])
    assert draw["wall"][:shown] == after[:shown], "上墙 put the edited selection on the wall's tiles"
