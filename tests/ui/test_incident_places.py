"""An incident's town and grid cell come from its point, and every place of the desk says the same: the incident
list, the detail, the map's search box, the overview's town filter (on the list and the map). Driven through the
real window against the exercise backend, whose incidents arrive over the event stream; the areas are the
district's own layers (``layers/``)."""

from __future__ import annotations

import json
from functools import cache

import pytest
from shapely.geometry import shape

from commandwall import paths
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.geo.layers import load_layers
from tests.ui.test_main_window import run_js
from tests.ui.windows import main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)

TOWN_A, TOWN_B = "临城街道", "陶庄镇"


@cache
def cell_in(town: str) -> tuple[str, float, float]:
    """A grid cell of ``town`` in the district's layers (WGS84, as the desk loads them) and a point inside it."""
    grids = load_layers(paths.layers_dir()).layers["grids"]
    cell = next(f for f in grids.features if f["properties"]["town"] == town)
    point = shape(cell["geometry"]).representative_point()
    return str(cell["properties"]["id"]), point.x, point.y


@pytest.fixture
def window(qtbot, tmp_path, exercise, exercise_platform):
    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform), size=(1600, 1000),
                     map_ready=True) as win:
        yield win


def row_of(window, incident_id: str):
    model = window.incidents.model
    return next((row for row in range(model.rowCount()) if model.incident_at(row).id == incident_id), None)


def listed_ids(window) -> set[str]:
    model = window.incidents.model
    return {model.incident_at(row).id for row in range(model.rowCount())}


def test_list_detail_search_and_filter_agree_on_the_town_of_the_point(qtbot, window, exercise):
    grid_a, lon, lat = cell_in(TOWN_A)
    grid_b, *_ = cell_in(TOWN_B)
    # reported live by a system that names the wrong town and cell; another one far outside the district
    wrong = exercise.store.add_incident({
        "title": "位置测试：路面塌陷", "category": "chengguan", "lon": lon, "lat": lat, "town": TOWN_B,
        "grid": grid_b, "priority": 3, "source": "12345热线"})
    outside = exercise.store.add_incident({
        "title": "位置测试：区外协查", "category": "zongzhi", "lon": 117.60, "lat": 35.20, "town": "常庄街道",
        "grid": "", "priority": 3, "source": "12345热线"})
    qtbot.waitUntil(lambda: row_of(window, wrong.id) is not None and row_of(window, outside.id) is not None,
                    timeout=20000)

    # the list: the town of the point, and the platform's where the point lies outside every town
    model = window.incidents.model
    assert model.cells(model.incident_at(row_of(window, wrong.id)))[4] == TOWN_A
    assert model.cells(model.incident_at(row_of(window, outside.id)))[4] == "常庄街道"

    # the detail: the computed town and cell, the reported town noted, and where each came from
    assert window.incidents.select(wrong.id)
    place = window.incidents.detail.fields["place"]
    assert place.text().startswith(f"{TOWN_A} {grid_a} ") and f"平台上报镇街：{TOWN_B}" in place.text()
    assert "镇街：按位置计算" in place.toolTip() and "网格：按位置计算" in place.toolTip()
    assert "平台上报的位置与坐标不符" in place.toolTip()
    assert window.incidents.select(outside.id)
    assert place.text().startswith("常庄街道 ") and "镇街为平台上报" in place.text()
    assert "镇街：平台上报" in place.toolTip() and "坐标不在任何镇街或网格内" in place.toolTip()

    # the map's search box names the same town beside the incident
    hits = window.map_feature.controller.search(wrong.id)
    assert hits[0]["id"] == wrong.id and hits[0]["detail"] == TOWN_A

    # the overview's town filter: the incident counts in town A, on the list and on the map, never in town B
    dashboard = window.dashboard_feature.controller
    town_a = dashboard.town_filter(TOWN_A)
    window.dashboard_feature.apply_filter(town_a)
    qtbot.waitUntil(lambda: wrong.id in listed_ids(window), timeout=5000)
    assert all(model.incident_at(r).town == TOWN_A for r in range(model.rowCount()))
    # the page's own copy of each incident (what it draws and shows in the tooltip) carries the store's placement
    qtbot.waitUntil(lambda: page_town(qtbot, window, wrong.id) == TOWN_A, timeout=10000)
    in_town_a = len(town_a.select(window.map_feature.controller.session.incidents.all()))
    qtbot.waitUntil(lambda: run_js(qtbot, window.map, "CW.stats().incidents") == in_town_a, timeout=10000)
    window.dashboard_feature.apply_filter(dashboard.town_filter(TOWN_B))
    qtbot.waitUntil(lambda: wrong.id not in listed_ids(window), timeout=5000)
    qtbot.waitUntil(lambda: page_town(qtbot, window, wrong.id) is None, timeout=10000)  # not drawn under town B
    window.dashboard_feature.clear_filter()
    qtbot.waitUntil(lambda: page_town(qtbot, window, outside.id) == "常庄街道", timeout=10000)
    assert page_town(qtbot, window, wrong.id) == TOWN_A


def page_town(qtbot, window, incident_id: str) -> str | None:
    """The town of the incident as the map page holds it (None: not on the page)."""
    return run_js(qtbot, window.map, f"(CW.incidents.get({json.dumps(incident_id)}) || {{}}).town || null")
