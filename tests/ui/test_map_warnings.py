"""Early-warning areas (预警区域) on the real map page: CAP documents read from a folder by the
WarningsController reach the page through ClientSignals and the MapFeature; Update recolours, Cancel and expiry
remove, hostile headlines stay text."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path

import pytest

from commandwall.app.map import MapController
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.app.warnings import SEVERITY_COLOURS, WarningsController
from commandwall.config import Settings
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.map.feature import MapFeature
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES, XSS_TITLE, no_page_errors, run_js
from tests.unit.test_cap import SENT, cap
from tests.unit.test_cap_circles import circle_cap
from tests.unit.test_mapdoc_page import sample_layers

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)
__all__ = ["no_page_errors"]  # autouse: a JS error, alert or refused navigation of the page fails the test
GALE = "34.76,117.28 34.76,117.36 34.82,117.36 34.82,117.28 34.76,117.28"


@pytest.fixture
def desk(qtbot, tmp_path: Path):
    """A map feature on a real page, fed by a warnings controller reading CAP files from a folder."""
    folder = tmp_path / "cap"
    folder.mkdir()
    session = ClientSession(Settings(data_dir=tmp_path / "d"), PlatformFactory.at_url("http://127.0.0.1:9"))
    signals = ClientSignals()
    warnings = WarningsController(session, folder=folder)
    signals.watch_warnings(warnings)
    feature = MapFeature(MapController(session), signals, data_dir=tmp_path / "d")
    view = feature.view
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    with qtbot.waitSignal(view.sig_ready, timeout=20000):
        view.load_page(sample_layers())
    yield folder, warnings, view
    feature.shutdown()


def areas(qtbot, view) -> list[dict]:
    return run_js(qtbot, view, "CW.stats().warnings")


def test_warning_areas_appear_update_recolours_cancel_and_expiry_remove(qtbot, desk) -> None:
    folder, warnings, view = desk
    (folder / "1.xml").write_bytes(cap("A1", severity="Moderate"))
    (folder / "2.xml").write_bytes(cap("G1", headline="大风黄色预警", polygon=GALE, severity="Severe",
                                       expires=SENT + timedelta(hours=1)))
    warnings.poll(SENT)
    qtbot.waitUntil(lambda: len(areas(qtbot, view)) == 2, timeout=5000)
    shown = {a["id"]: a for a in areas(qtbot, view)}
    colours = sorted(a["color"] for a in shown.values())
    assert colours == sorted([SEVERITY_COLOURS["Moderate"], SEVERITY_COLOURS["Severe"]])
    assert any("暴雨蓝色预警" in a["tooltip"] and "暴雨" in a["tooltip"] for a in shown.values())
    layers = run_js(qtbot, view, "document.querySelector('.leaflet-control-layers').textContent")
    assert "预警区域" in layers
    assert run_js(qtbot, view, "CW.map.hasLayer(CW.warnings.layer)") is True

    # An Update raises the rainstorm to Extreme: the same area, red now.
    (folder / "3.xml").write_bytes(cap("A2", "Update", references=f"qx@example.cn,A1,{SENT.isoformat()}",
                                       severity="Extreme", headline="暴雨红色预警"))
    warnings.poll(SENT + timedelta(minutes=5))
    qtbot.waitUntil(lambda: SEVERITY_COLOURS["Extreme"] in [a["color"] for a in areas(qtbot, view)], timeout=5000)
    assert len(areas(qtbot, view)) == 2
    assert any("暴雨红色预警" in a["tooltip"] for a in areas(qtbot, view))

    # A Cancel removes the rainstorm; the gale's expiry removes the gale.
    (folder / "4.xml").write_bytes(cap("A3", "Cancel", references=f"qx@example.cn,A2,{SENT.isoformat()}"))
    warnings.poll(SENT + timedelta(minutes=10))
    qtbot.waitUntil(lambda: len(areas(qtbot, view)) == 1, timeout=5000)
    assert areas(qtbot, view)[0]["color"] == SEVERITY_COLOURS["Severe"]
    warnings.poll(SENT + timedelta(hours=2))
    qtbot.waitUntil(lambda: areas(qtbot, view) == [], timeout=5000)


def test_a_hostile_headline_stays_text(qtbot, desk) -> None:
    folder, warnings, view = desk
    (folder / "1.xml").write_bytes(cap("X1", headline="&lt;img src=x onerror=alert(1)&gt;"))
    warnings.poll(SENT)
    qtbot.waitUntil(lambda: len(areas(qtbot, view)) == 1, timeout=5000)
    assert XSS_TITLE in areas(qtbot, view)[0]["tooltip"]
    run_js(qtbot, view, "(CW.warnings.layer.eachLayer(l => l.openTooltip(l.getBounds().getCenter())), true)")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "document.querySelectorAll('.cw-warning-tip').length") >= 1,
                    timeout=5000)
    qtbot.wait(300)  # time for an onerror handler to fire, if the headline had become an element
    assert run_js(qtbot, view, "document.querySelectorAll('img:not(.leaflet-tile)').length") == 0


def test_a_circle_warning_is_drawn_round_with_its_radius(qtbot, desk) -> None:
    folder, warnings, view = desk
    (folder / "fog.xml").write_bytes(circle_cap("F1", "34.74,117.38 4"))
    warnings.poll(SENT)
    qtbot.waitUntil(lambda: len(areas(qtbot, view)) == 1, timeout=5000)
    (fog,) = areas(qtbot, view)
    assert "大雾黄色预警" in fog["tooltip"] and "圆形区域 半径 4.0 km" in fog["tooltip"]
    west, south, east, north = fog["bounds"]
    assert abs((west + east) / 2 - 117.38) < 1e-3 and abs((south + north) / 2 - 34.74) < 1e-3
    km_across = (east - west) * 111.32 * math.cos(math.radians(34.74))
    km_high = (north - south) * 110.95
    assert 7.9 < km_across < 8.1 and 7.9 < km_high < 8.1  # 8 km across both ways: round on the ground
    assert run_js(qtbot, view, "document.querySelectorAll('.leaflet-cw-warnings-pane path').length") == 1


def test_a_warning_not_in_effect_yet_is_outlined_with_its_time_then_filled_once_it_is(qtbot, desk) -> None:
    folder, warnings, view = desk
    effective = SENT + timedelta(hours=10)
    (folder / "1.xml").write_bytes(cap("E1", effective=effective, expires=SENT + timedelta(hours=16)))
    warnings.poll(SENT)
    qtbot.waitUntil(lambda: len(areas(qtbot, view)) == 1, timeout=5000)
    (area,) = areas(qtbot, view)
    assert area["pending"] is True and "起生效" in area["tooltip"]
    drawn = run_js(qtbot, view, "[...document.querySelectorAll('.leaflet-cw-warnings-pane path')]"
                                ".map(p => [p.getAttribute('stroke-dasharray'), p.getAttribute('fill-opacity')])")
    assert drawn == [["2 6", "0.03"]]
    warnings.refresh(effective + timedelta(minutes=1))
    qtbot.waitUntil(lambda: areas(qtbot, view)[0]["pending"] is False, timeout=5000)
    assert "起生效" not in areas(qtbot, view)[0]["tooltip"]
    drawn = run_js(qtbot, view, "[...document.querySelectorAll('.leaflet-cw-warnings-pane path')]"
                                ".map(p => [p.getAttribute('stroke-dasharray'), p.getAttribute('fill-opacity')])")
    assert drawn == [["6 4", "0.15"]]


def test_selecting_a_warning_shows_its_whole_area_and_a_point_incident_its_street(qtbot, desk) -> None:
    """An early warning (预警) selected — from the list, an alarm, 地图定位 — flies the map to its area's bounds,
    not to a street inside it; an incident without an area keeps the street view (zoom 16 or more)."""
    folder, warnings, view = desk
    (folder / "2.xml").write_bytes(cap("G1", headline="大风黄色预警", polygon=GALE, severity="Severe",
                                       expires=SENT + timedelta(hours=1)))
    warnings.poll(SENT)
    qtbot.waitUntil(lambda: len(areas(qtbot, view)) == 1, timeout=5000)
    (gale,) = areas(qtbot, view)
    incident = warnings.session.incidents.get(gale["id"])  # the warning as the incident list shows it
    assert incident is not None and incident.category == "yujing"
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=5000):
        view.set_incidents([incident])
    run_js(qtbot, view, "(CW.map.setView([34.70, 117.20], 17, {animate: false}), true)")  # somewhere else
    view.select_incident(gale["id"])

    def view_now() -> dict:
        return run_js(qtbot, view, """(b => ({zoom: CW.map.getZoom(),
            bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]}))(CW.map.getBounds())""")

    def shows_the_area() -> bool:
        (west, south, east, north), shown = gale["bounds"], view_now()["bounds"]
        return shown[0] <= west and shown[1] <= south and shown[2] >= east and shown[3] >= north

    qtbot.waitUntil(shows_the_area, timeout=10000)
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.incidents.located().count") == 1, timeout=5000)
    shown = view_now()
    assert shown["zoom"] < 16, shown  # the area, 7 km across: not a 100 m street
    west, south, east, north = gale["bounds"]
    v_west, v_south, v_east, v_north = shown["bounds"]
    assert (v_east - v_west) < 3 * (east - west) or (v_north - v_south) < 3 * (north - south), (
        "snug around the area, not the district")
    assert run_js(qtbot, view, "CW.stats().selectedIncident") == gale["id"]
    assert run_js(qtbot, view, "document.querySelectorAll('.cw-incident-tip').length") == 1  # its card

    # an incident without an area: its street
    point = {"id": "INC-P", "title": "道路积水", "category": "yingji", "category_label": "应急", "status": "new",
             "status_label": "新事件", "priority": 3, "lon": 117.22, "lat": 34.72, "town": "", "reported_at": ""}
    run_js(qtbot, view, f"(CW.incidents.upsertMany([{json.dumps(point)}]), true)")
    view.select_incident("INC-P")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.map.getZoom()") >= 16, timeout=10000)
    lon, lat = run_js(qtbot, view, "CW.stats().center")
    assert abs(lon - 117.22) < 1e-4 and abs(lat - 34.72) < 1e-4
