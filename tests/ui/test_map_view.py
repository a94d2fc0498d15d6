"""MapView in a real QtWebEngine (offscreen): the page through the cw:// scheme, data over QWebChannel."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import time
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtQuickWidgets import QQuickWidget

from commandwall.domain.models import Camera, Incident, IncidentStatus, Unit
from commandwall.ui.map.view import BACKGROUND, MapView
from tests.unit.test_mapdoc_page import DISTRICT_RING, sample_layers

# QtWebEngine falls back to software rendering on a machine without a GPU and says so once per process.
SOFTWARE_RENDERING_MESSAGES = (
    "QRhiGles2: Failed to create",
    "Failed to create RHI for backend",
    "QVulkanInstance: Failed to initialize Vulkan",
    "GBM is not supported with the current configuration",
    "GPUInfo not initialized on GpuInfoUpdate",
)
pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)

NOW = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
XSS_TITLE = "<img src=x onerror=alert(1)>"


def run_js(qtbot, view: MapView, code: str, timeout: int = 5000):
    """Evaluate the expression ``code`` in the page and return its result (through JSON: QtWebEngine's own
    conversion turns JS arrays into empty lists and integers into floats)."""
    box: list = []
    view.page().runJavaScript(f"JSON.stringify(({code}))", 0, box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=timeout)
    return json.loads(box[0]) if box[0] else None


def make_cameras(n: int, *, offline_every: int = 5) -> list[Camera]:
    """``n`` cameras on a regular lattice inside the sample district (no two overlap at district zoom)."""
    side = math.ceil(math.sqrt(n))
    cams = []
    for i in range(n):
        row, col = divmod(i, side)
        cams.append(
            Camera(
                id=f"CAM-{i:04d}",
                name=f"摄像头{i}",
                lon=117.19 + 0.24 * col / side,
                lat=34.68 + 0.17 * row / side,
                heading=(i * 37) % 360,
                fov=60,
                range_m=120,
                status="offline" if i % offline_every == 0 else "online",
                streams={
                    "main": f"http://127.0.0.1:1/streams/CAM-{i:04d}/main.mjpg",
                    "sub": f"http://127.0.0.1:1/streams/CAM-{i:04d}/sub.mjpg",
                },
            )
        )
    return cams


def make_incident(
    iid: str = "INC-1",
    title: str = "道路积水",
    lon: float = 117.40,
    lat: float = 34.85,
    priority: int = 1,
    status: IncidentStatus = IncidentStatus.NEW,
) -> Incident:
    return Incident(
        id=iid,
        title=title,
        category="yingji",
        lon=lon,
        lat=lat,
        town="常庄街道",
        priority=priority,
        status=status,
        reported_at=NOW,
        updated_at=NOW,
        version=1,
    )


@pytest.fixture(autouse=True)
def no_page_errors(caplog: pytest.LogCaptureFixture):
    """Any JS console error, alert or refused navigation of the map page fails the test."""
    caplog.set_level(logging.DEBUG, logger="commandwall.ui.map")
    yield
    bad = [r for r in caplog.records if r.name == "commandwall.ui.map.view" and r.levelno >= logging.WARNING]
    assert not bad, [r.getMessage() for r in bad]


@pytest.fixture
def view(qtbot) -> MapView:
    widget = MapView()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    with qtbot.waitSignal(widget.sig_ready, timeout=20000):
        widget.load_page(sample_layers())
    return widget


def test_page_loads_through_the_scheme_with_leaflet_and_controls(qtbot, view: MapView) -> None:
    assert view.url().toString() == "cw://app/map.html"
    assert run_js(qtbot, view, "typeof L") == "object"
    assert run_js(qtbot, view, "L.version") == "1.9.4"
    assert run_js(qtbot, view, "typeof jQuery") == "undefined"  # nothing on the page needs it
    assert run_js(qtbot, view, "CW.bridge !== null && CW.ready") is True
    assert run_js(qtbot, view, "document.querySelectorAll('.leaflet-control-scale-line').length") == 1
    assert run_js(qtbot, view, "document.querySelectorAll('img.leaflet-tile').length") == 0  # no base map
    legend = run_js(qtbot, view, "document.querySelector('.cw-legend').textContent")
    assert "图例" in legend and "摄像头（在线）" in legend
    layers = run_js(qtbot, view, "document.querySelector('.leaflet-control-layers').textContent")
    for title in ("薛城区", "镇街", "网格", "道路", "镇街名称", "摄像头", "事件", "处置力量", "应急资源"):
        assert title in layers
    labels = run_js(
        qtbot, view, "Array.from(document.querySelectorAll('.cw-town-label')).map(e => e.textContent)"
    )
    assert sorted(labels) == ["临城街道", "常庄街道"]


def test_district_polygon_is_drawn(qtbot, view: MapView) -> None:
    result = run_js(
        qtbot,
        view,
        """(() => {
        const ref = CW.staticLayer('district');
        const poly = ref.getLayers()[0];
        const b = CW.map.getBounds();
        return {n: ref.getLayers().length, d: poly._parts.length ? poly._parts[0].length : 0,
                onMap: CW.map.hasLayer(ref), visible: b.contains(poly.getBounds()),
                ring: poly.getLatLngs()[0].length};
    })()""",
    )
    assert result == {
        "n": 1,
        "d": result["d"],
        "onMap": True,
        "visible": True,
        "ring": len(DISTRICT_RING) - 1,
    }
    assert result["d"] >= 3  # the ring as drawn on the static layers' canvas


def zoom_to(qtbot, view: MapView, lon: float, lat: float, zoom: float) -> None:
    """Jump the map to ``zoom`` at a point (``setView`` without animation is synchronous)."""
    code = f"(CW.map.setView([{lat}, {lon}], {zoom}, {{animate: false}}), CW.map.getZoom())"
    assert run_js(qtbot, view, code) == zoom


def test_thousand_cameras_are_clusters_at_district_zoom_and_points_closer(qtbot, view: MapView) -> None:
    with qtbot.waitSignal(
        view.sig_layer_drawn, check_params_cb=lambda k, n: k == "cameras" and n == 1000, timeout=10000
    ):
        view.set_cameras(make_cameras(1000))
    stats = run_js(qtbot, view, "CW.stats()")
    assert stats["cameras"] == 1000 and stats["zoom"] < 14
    assert stats["clusters"] > 0
    # every camera is in exactly one cluster or drawn on its own, and clusters count their online cameras
    counts = run_js(
        qtbot,
        view,
        """(() => { let n = 0, online = 0; const idx = CW.cameraLayer.clusterIndex();
        for (const f of idx.getClusters([-180, -85, 180, 85], Math.floor(CW.map.getZoom()))) {
            n += f.properties.cluster ? f.properties.point_count : 1;
            online += f.properties.first; }
        return [n, online]; })()""",
    )
    assert counts == [1000, 800]  # every 5th camera is offline
    # one canvas holds every camera (the FOV wedges have a pane of their own)
    assert run_js(qtbot, view, "document.querySelectorAll('.leaflet-cw-cameras-pane canvas').length") == 1
    assert run_js(qtbot, view, "document.querySelectorAll('.leaflet-cw-cameras-pane *').length") == 1

    zoom_to(qtbot, view, 117.31, 34.765, 15)
    stats = run_js(qtbot, view, "CW.stats()")
    assert stats["clusters"] == 0
    in_view = run_js(
        qtbot,
        view,
        """(() => { const b = CW.map.getBounds(); let n = 0;
        for (let i = 0; i < CW.cameras.n; i++) if (b.contains([CW.cameras.lat[i], CW.cameras.lon[i]])) n++;
        return n; })()""",
    )
    assert 0 < in_view <= stats["camerasDrawn"] < 1000
    # off and on again in the layer control: the new canvas is sized to the view, not left at 300x150
    run_js(qtbot, view, "(CW.map.removeLayer(CW.groups.cameras), CW.map.addLayer(CW.groups.cameras), true)")
    assert run_js(qtbot, view, "CW.stats().camerasDrawn") == stats["camerasDrawn"]
    # an update replaces, it does not add
    with qtbot.waitSignal(
        view.sig_layer_drawn, check_params_cb=lambda k, n: k == "cameras" and n == 990, timeout=10000
    ):
        view.set_cameras(make_cameras(990, offline_every=2))
    assert run_js(qtbot, view, "CW.stats().cameras") == 990
    assert run_js(qtbot, view, "CW.cameras.online.filter(v => v === 0).length") == 495


def click_at(qtbot, view: MapView, x: float, y: float) -> None:
    """A left click at container point (x, y) of the map, as the browser delivers one."""
    run_js(
        qtbot,
        view,
        f"""(() => {{ const r = CW.map.getContainer().getBoundingClientRect();
        const target = document.elementFromPoint(r.left + {x}, r.top + {y});
        for (const type of ['mousedown', 'mouseup', 'click'])
            target.dispatchEvent(new MouseEvent(type,
                {{clientX: r.left + {x}, clientY: r.top + {y}, bubbles: true, button: 0}}));
        return true; }})()""",
    )


def test_clicking_a_camera_emits_its_id_and_rings_it(qtbot, view: MapView) -> None:
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10000):
        view.set_cameras(make_cameras(400))
    camera = make_cameras(400)[123]
    zoom_to(qtbot, view, camera.lon, camera.lat, 15)
    x, y = run_js(qtbot, view, "CW.cameraPoint('CAM-0123')")
    with qtbot.waitSignal(view.sig_camera_clicked, timeout=5000) as blocker:
        click_at(qtbot, view, x, y)
    assert blocker.args == ["CAM-0123"]
    assert run_js(qtbot, view, "CW.stats().selectedCameras") == ["CAM-0123"]
    # a click on empty map emits nothing
    with qtbot.assertNotEmitted(view.sig_camera_clicked, wait=300):
        click_at(qtbot, view, x + 12, y + 12)


def test_hovering_a_camera_shows_its_card_as_text(qtbot, view: MapView) -> None:
    cameras = make_cameras(100)
    cameras[7] = cameras[7].model_copy(update={"name": "<b>东门</b>\u202e口", "town": "常庄街道"})
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10000):
        view.set_cameras(cameras)
    zoom_to(qtbot, view, cameras[7].lon, cameras[7].lat, 16)
    x, y = run_js(qtbot, view, "CW.cameraPoint('CAM-0007')")
    run_js(
        qtbot,
        view,
        f"""(() => {{ const r = CW.map.getContainer().getBoundingClientRect();
        CW.map.getContainer().dispatchEvent(new MouseEvent('mousemove',
            {{clientX: r.left + {x}, clientY: r.top + {y}, bubbles: true}})); return true; }})()""",
    )
    qtbot.waitUntil(lambda: run_js(qtbot, view, "!!document.querySelector('.leaflet-tooltip .cw-tip-title')"),
                    timeout=5000)
    title = run_js(qtbot, view, "document.querySelector('.leaflet-tooltip .cw-tip-title').textContent")
    assert title.startswith("<b>东门</b>") and "\u202e" not in title  # the override shows as a mark
    assert "常庄街道" in run_js(qtbot, view, "document.querySelector('.leaflet-tooltip').textContent")
    assert run_js(qtbot, view, "document.querySelectorAll('.leaflet-tooltip b').length") == 0
    assert run_js(qtbot, view, "CW.map.getContainer().classList.contains('cw-over-camera')") is True


def test_urgent_pulse_stops_by_itself_and_when_accepted(qtbot, view: MapView) -> None:
    run_js(qtbot, view, "(CW.options.pulseMs = 1500, true)")
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10000):
        view.set_incidents([make_incident("INC-1"), make_incident("INC-2", lon=117.3, lat=34.7)])
    assert run_js(qtbot, view, "CW.stats().pulsing") == 2
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=5000):
        view.upsert_incidents([make_incident("INC-2", lon=117.3, lat=34.7, status=IncidentStatus.ACCEPTED)])
    assert run_js(qtbot, view, "CW.stats().pulsing") == 1  # acknowledged: no more pulse
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.stats().pulsing") == 0, timeout=5000)
    # nothing on the page is animating any more
    assert run_js(qtbot, view, "document.getAnimations().length") == 0
    # an update of a pulse that has run out does not start it again
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=5000):
        view.upsert_incidents([make_incident("INC-1", title="道路积水（更新）")])
    assert run_js(qtbot, view, "CW.stats().pulsing") == 0


def test_urgent_pulse_draws_a_few_frames_a_second_then_none(qtbot, view: MapView) -> None:
    """The pulse steps a few times a second on one clock for all rings (not 60 composited frames a second, a
    third of a core where GL is software), and once it is over nothing keeps the page drawing: counted both in
    the page (the rings' steps) and as the frames QtWebEngine hands to Qt."""
    quick = view.findChild(QQuickWidget).quickWindow()
    frames: list[float] = []
    quick.afterRendering.connect(lambda: frames.append(time.monotonic()), Qt.ConnectionType.DirectConnection)
    run_js(qtbot, view, "(CW.options.pulseMs = 2000, true)")
    step_ms = run_js(qtbot, view, "CW.Incidents.PULSE.stepMs")
    assert step_ms >= 200, "a few steps a second at most"
    steps_before = run_js(qtbot, view, "CW.incidents.pulseFrames()")
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10000):
        view.set_incidents([make_incident(f"INC-{n}", lon=117.2 + n / 50) for n in range(3)])
    start = len(frames)
    assert run_js(qtbot, view, "CW.stats().pulsing") == 3
    assert run_js(qtbot, view, "document.getAnimations().length") == 0, "not a CSS animation"
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.stats().pulsing") == 0, timeout=5000)
    during = len(frames) - start
    steps = run_js(qtbot, view, "CW.incidents.pulseFrames()") - steps_before
    most = 2000 // step_ms + 3  # three rings step together; one more frame as they go
    assert 2 <= steps <= most, f"{steps} steps of the rings in 2 s"
    assert during <= most + 2, f"{during} frames composited in the 2 s of the pulse"
    # over: no clock, no animation, no frame
    assert run_js(qtbot, view, "CW.incidents.pulseTicking()") is False
    assert run_js(qtbot, view, "document.getAnimations().length") == 0
    qtbot.wait(300)
    settled, steps = len(frames), run_js(qtbot, view, "CW.incidents.pulseFrames()")
    qtbot.wait(1500)
    assert len(frames) - settled <= 1, f"{len(frames) - settled} frames in 1.5 s after the pulse"
    assert run_js(qtbot, view, "CW.incidents.pulseFrames()") == steps


def test_urgent_ring_holds_still_after_its_moving_time(qtbot, view: MapView) -> None:
    run_js(qtbot, view, "(CW.options.pulseMs = 6000, CW.Incidents.PULSE.movingMs = 1000, true)")
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10000):
        view.set_incidents([make_incident("INC-1")])
    started = time.monotonic()
    held = run_js(qtbot, view, "CW.Incidents.PULSE.held")
    ring = "document.querySelector('.cw-incident-pulse .cw-pulse-ring')"
    # moved for 1 s, then held at the next step: the held scale at full opacity (no moving step has both)
    is_held = (f"Math.abs(new DOMMatrix(getComputedStyle({ring}).transform).a - {held}) < 1e-3"
               f" && Number(getComputedStyle({ring}).opacity) === 1")  # fmt: skip
    qtbot.waitUntil(lambda: run_js(qtbot, view, is_held) is True, timeout=4000)
    assert time.monotonic() - started < 5.0, "held before the pulse's end"
    assert run_js(qtbot, view, "CW.stats().pulsing") == 1, "still marked"
    steps = run_js(qtbot, view, "CW.incidents.pulseFrames()")
    qtbot.wait(800)
    assert run_js(qtbot, view, "CW.incidents.pulseFrames()") == steps, "a held ring draws no frame"
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.stats().pulsing") == 0, timeout=8000)
    assert run_js(qtbot, view, "CW.incidents.pulseTicking()") is False


def test_in_a_storm_of_urgent_incidents_no_ring_pulses(qtbot, view: MapView) -> None:
    run_js(qtbot, view, "(CW.options.pulseMs = 4000, true)")
    calm = [make_incident(f"INC-{n}", lon=117.2 + n / 100) for n in range(3)]
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10000):
        view.set_incidents(calm)
    assert run_js(qtbot, view, "CW.stats().pulsing") == 3, "three new urgent incidents pulse"
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=5000):
        view.upsert_incidents([make_incident("INC-9", lon=117.3, lat=34.7)])
    assert run_js(qtbot, view, "CW.stats().pulsing") == 0, "a fourth within the pulse time: a storm, none pulses"
    assert run_js(qtbot, view, "document.getAnimations().length") == 0
    assert run_js(qtbot, view, "CW.stats().incidents") == 4, "every incident is still drawn"


def test_clicking_an_incident_emits_its_id(qtbot, view: MapView) -> None:
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10000):
        view.set_incidents([make_incident("INC-7"), make_incident("INC-8", lon=117.3, lat=34.7, priority=3)])
    assert run_js(qtbot, view, "CW.stats().incidents") == 2
    assert run_js(qtbot, view, "CW.incidents.layer.drawnCount()") == 2  # both on the one incident canvas
    assert run_js(qtbot, view, "document.querySelectorAll('.cw-incident-pulse.cw-pulse').length") == 1
    assert run_js(qtbot, view, "document.getAnimations().length") == 0  # the pulse steps on a timer of its own
    x, y = run_js(qtbot, view, "CW.incidentPoint('INC-8')")
    with qtbot.waitSignal(view.sig_incident_clicked, timeout=5000) as blocker:
        click_at(qtbot, view, x, y)
    assert blocker.args == ["INC-8"]


def test_select_incident_flies_there_and_highlights(qtbot, view: MapView) -> None:
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10000):
        view.set_incidents([make_incident("INC-1", lon=117.42, lat=34.86), make_incident("INC-2")])
    before = run_js(qtbot, view, "CW.stats().center")
    view.select_incident("INC-1")

    def arrived() -> bool:
        stats = run_js(qtbot, view, "CW.stats()")
        lon, lat = stats["center"]
        return abs(lon - 117.42) < 1e-4 and abs(lat - 34.86) < 1e-4 and stats["zoom"] >= 16

    qtbot.waitUntil(arrived, timeout=10000)
    assert before != run_js(qtbot, view, "CW.stats().center")
    assert run_js(qtbot, view, "CW.stats().selectedIncident") == "INC-1"
    assert run_js(qtbot, view, "CW.incidents.layer._highlight.indices") == [0]  # ringed
    assert run_js(qtbot, view, "CW.stats().pulsing") == 1  # selecting INC-1 stopped its pulse, not INC-2's
    qtbot.waitUntil(lambda: run_js(qtbot, view, "document.querySelectorAll('.cw-incident-tip').length") == 1,
                    timeout=5000)
    # an update of the selected incident keeps it highlighted, with its new state on the card
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=5000):
        view.upsert_incidents([make_incident("INC-1", lon=117.42, lat=34.86, status=IncidentStatus.ACCEPTED)])
    assert run_js(qtbot, view, "CW.incidents.get('INC-1').status") == "accepted"
    assert run_js(qtbot, view, "CW.incidents.layer._highlight.indices") == [0]
    assert "受理" in run_js(qtbot, view, "document.querySelector('.cw-incident-tip').textContent")


def test_locating_an_incident_where_the_map_already_is_rings_it_again(qtbot, view: MapView) -> None:
    """地图定位 after the incident was selected (the map is there already): the map centres on it again and a
    locate ring grows and fades around it for a moment, then goes; selecting another takes the ring along."""
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10000):
        view.set_incidents([make_incident("INC-1", lon=117.42, lat=34.86, priority=3), make_incident("INC-2")])
    view.select_incident("INC-1")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.incidents.located().count") == 1, timeout=10000)
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.incidents.located().showing") is False, timeout=5000)
    assert run_js(qtbot, view, "document.querySelectorAll('.cw-locate-ring').length") == 0  # gone again
    run_js(qtbot, view, "(CW.map.panBy([60, 40], {animate: false}), true)")  # the officer moved a little
    view.select_incident("INC-1")  # 地图定位
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.incidents.located().count") == 2, timeout=10000)
    lon, lat = run_js(qtbot, view, "CW.stats().center")
    assert abs(lon - 117.42) < 1e-4 and abs(lat - 34.86) < 1e-4
    ring = run_js(qtbot, view, """(() => { const r = document.querySelector('.cw-locate-ring');
        const b = r.getBoundingClientRect(); return {x: b.left + b.width / 2, y: b.top + b.height / 2,
        scales: []}; })()""")
    x, y = run_js(qtbot, view, "CW.incidentPoint('INC-1')")
    assert abs(ring["x"] - x) < 2 and abs(ring["y"] - y) < 2, (ring, x, y)  # around the incident
    scales = set()
    for _ in range(20):  # it changes in steps while it shows
        scale = run_js(qtbot, view, "(r => r && r.style.transform)(document.querySelector('.cw-locate-ring'))")
        if scale:
            scales.add(scale)
        qtbot.wait(50)
    assert len(scales) >= 3, scales
    view.select_incident("INC-1")  # and again, with the map exactly there
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.incidents.located().count") == 3, timeout=10000)
    assert run_js(qtbot, view, "document.querySelectorAll('.cw-locate-ring').length") == 1
    run_js(qtbot, view, "(CW.incidents.select(null), true)")
    assert run_js(qtbot, view, "[CW.incidents.located().showing, document.querySelectorAll('.cw-locate-ring')"
                               ".length]") == [False, 0]


def test_fly_to_moves_the_centre(qtbot, view: MapView) -> None:
    view.fly_to(117.2, 34.7, zoom=15)
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.stats().zoom") == 15, timeout=10000)
    lon, lat = run_js(qtbot, view, "CW.stats().center")
    assert abs(lon - 117.2) < 1e-4 and abs(lat - 34.7) < 1e-4


def test_incident_title_is_text_not_markup(qtbot, view: MapView, caplog: pytest.LogCaptureFixture) -> None:
    # the detector works: an alert from the page is caught and logged
    run_js(qtbot, view, "(alert('probe'), true)")
    qtbot.waitUntil(lambda: "probe" in caplog.text, timeout=3000)
    caplog.clear()

    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10000):
        view.set_incidents([make_incident("INC-X", title=XSS_TITLE)])
    view.select_incident("INC-X")
    qtbot.waitUntil(
        lambda: run_js(qtbot, view, "document.querySelectorAll('.cw-incident-tip').length") == 1,
        timeout=10000,
    )
    qtbot.wait(300)  # time for an onerror handler to fire, if the title had become an element
    assert (
        run_js(qtbot, view, "document.querySelector('.cw-incident-tip .cw-tip-title').textContent")
        == XSS_TITLE
    )
    assert run_js(qtbot, view, "document.querySelectorAll('img').length") == 0
    assert "alert" not in caplog.text


def test_calls_before_ready_are_delivered(qtbot) -> None:
    widget = MapView()
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    widget.set_cameras(make_cameras(50))
    widget.set_incidents([make_incident("INC-1")])
    widget.upsert_incidents([make_incident("INC-2", lon=117.3, lat=34.75)])
    widget.set_units(
        [Unit(id="U-1", name="临城派出所巡逻一组", department="公安", lon=117.25, lat=34.8, updated_at=NOW)]
    )
    widget.select_incident("INC-2")
    assert not widget.is_ready()
    with qtbot.waitSignal(widget.sig_ready, timeout=20000):
        widget.load_page(sample_layers())
    qtbot.waitUntil(lambda: run_js(qtbot, widget, "CW.stats().selectedIncident") == "INC-2", timeout=5000)
    assert widget.is_ready()
    stats = run_js(qtbot, widget, "CW.stats()")
    assert (stats["cameras"], stats["incidents"], stats["units"]) == (50, 2, 1)


def test_data_updates_do_not_reload_the_page(qtbot, view: MapView) -> None:
    run_js(qtbot, view, "window.__marker = 42")
    starts: list[bool] = []
    view.loadStarted.connect(lambda: starts.append(True))
    for n in (10, 20, 30):
        with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, c, n=n: c == n, timeout=5000):
            view.set_cameras(make_cameras(n))
    view.set_units([])
    view.set_resources([])
    qtbot.wait(200)
    assert starts == []
    assert run_js(qtbot, view, "window.__marker") == 42


def test_units_and_resources_are_drawn_as_distinct_markers(qtbot, view: MapView) -> None:
    units = [
        Unit(
            id=f"U-{i}",
            name=f"<b>力量{i}</b>",
            department=dept,
            lon=117.2 + i * 0.02,
            lat=34.75,
            status="busy" if i == 0 else "available",
            updated_at=NOW,
        )
        for i, dept in enumerate(("公安", "消防", "卫健"))
    ]
    resources = [
        {
            "type": "Feature",
            "properties": {"id": "RES-1", "name": "区人民医院", "type": "hospital", "capacity": 300},
            "geometry": {"type": "Point", "coordinates": [117.33, 34.79]},
        }
    ]
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units(units)
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "resources", timeout=5000):
        view.set_resources(resources)
    stats = run_js(qtbot, view, "CW.stats()")
    assert (stats["units"], stats["resources"]) == (3, 1)
    assert run_js(qtbot, view, "document.querySelectorAll('.cw-unit-badge').length") == 3
    assert run_js(qtbot, view, "document.querySelector('.cw-resource-badge').textContent") == "医"
    assert run_js(qtbot, view, "document.querySelectorAll('b').length") == 0


def painted_grab(qtbot, view: MapView, x: float, y: float) -> QImage:
    """The view's picture once the compositor has delivered a frame of the page: one where the page point (x, y)
    is not the colour of every corner. (A fixed wait for the first frame was too short on a busy machine.)"""
    shots: list[QImage] = []

    def painted() -> bool:
        image = view.grab().toImage()
        if image.width() < view.width() or image.height() < view.height():
            return False  # no frame yet
        shots.append(image)
        ratio = image.width() / view.width()
        corners = {image.pixel(px, py) for px in (0, image.width() - 1) for py in (0, image.height() - 1)}
        return corners != {image.pixel(int(x * ratio), int(y * ratio))}

    qtbot.waitUntil(painted, timeout=10000)
    return shots[-1]


def test_grab_shows_the_district(qtbot, view: MapView) -> None:
    x, y = run_js(
        qtbot,
        view,
        "(() => { const p = CW.map.latLngToContainerPoint([34.75, 117.35]); return [p.x, p.y]; })()",
    )
    image = painted_grab(qtbot, view, x, y)
    assert image.width() >= 900 and image.height() >= 700
    ratio = image.width() / view.width()
    inside = QColor(image.pixel(int(x * ratio), int(y * ratio)))
    corner = QColor(image.pixel(2, image.height() // 2))
    assert corner == BACKGROUND, corner.name()  # outside the district: the plain dark background
    assert inside != BACKGROUND, "no district/town fill where the district is"
    step = 7
    drawn = sum(
        QColor(image.pixel(px, py)) != BACKGROUND
        for px in range(0, image.width(), step)
        for py in range(0, image.height(), step)
    )
    assert drawn > 0.3 * (image.width() // step) * (image.height() // step)


def test_layer_titles_and_town_names_are_text(qtbot, caplog: pytest.LogCaptureFixture) -> None:
    layers = sample_layers(town_name="<img src=x onerror=alert(2)>街道")
    layers[0] = dataclasses.replace(layers[0], title="<img src=y onerror=alert(3)>区界")
    widget = MapView()
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    with qtbot.waitSignal(widget.sig_ready, timeout=20000):
        widget.load_page(layers)
    qtbot.wait(300)
    control = run_js(qtbot, widget, "document.querySelector('.leaflet-control-layers').textContent")
    assert "<img src=y onerror=alert(3)>区界" in control
    labels = run_js(qtbot, widget, "[...document.querySelectorAll('.cw-town-label')].map(e => e.textContent)")
    assert "<img src=x onerror=alert(2)>街道" in labels
    assert run_js(qtbot, widget, "document.querySelectorAll('img').length") == 0
    assert "alert" not in caplog.text


def test_data_is_pushed_again_after_a_reload(qtbot, view: MapView) -> None:
    view.set_cameras(make_cameras(30))
    view.set_incidents([make_incident("INC-1")])
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.stats().incidents") == 1, timeout=5000)
    with qtbot.waitSignal(view.sig_ready, timeout=20000):
        view.reload()
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.stats().incidents") == 1, timeout=5000)
    assert run_js(qtbot, view, "CW.stats().cameras") == 30


def test_incident_density_choropleth_is_an_overlay_with_counts(qtbot, view: MapView) -> None:
    from commandwall.mapdoc.payload import incident_density_payload

    grids = next(layer for layer in sample_layers() if layer.kind == "grids").features
    ids = [f["properties"]["id"] for f in grids]
    cells = [dict(f, properties=dict(f["properties"], name=f"<i>{f['properties']['id']}</i>")) for f in grids]
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "density", timeout=5000):
        view.set_incident_density(incident_density_payload(cells, {ids[0]: 5, ids[1]: 1}))
    control = run_js(qtbot, view, "document.querySelector('.leaflet-control-layers').textContent")
    assert "事件密度（网格）" in control
    assert run_js(qtbot, view, "CW.map.hasLayer(CW.density.layer)") is False  # off until switched on
    drawn = run_js(qtbot, view, "CW.density.counts()")
    assert {k: v["count"] for k, v in drawn.items()} == {ids[0]: 5, ids[1]: 1, **{i: 0 for i in ids[2:]}}
    assert drawn[ids[0]]["color"] != drawn[ids[1]]["color"] and drawn[ids[2]]["color"] is None
    # switched on in the layer control, the cells are on the map and their names are text
    run_js(qtbot, view, """(() => { for (const label of document.querySelectorAll('.leaflet-control-layers label'))
        if (label.textContent.includes('事件密度')) label.querySelector('input').click(); return true; })()""")
    assert run_js(qtbot, view, "CW.map.hasLayer(CW.density.layer)") is True
    assert run_js(qtbot, view, "CW.density.layer.getLayers().length") == len(ids)
    assert run_js(qtbot, view, "document.querySelectorAll('i').length") == 0


def test_density_cells_are_sent_once_then_only_counts_recolour_them(qtbot, view: MapView) -> None:
    from commandwall.mapdoc.payload import density_cells_payload, density_counts_payload

    grids = next(layer for layer in sample_layers() if layer.kind == "grids").features
    ids = [f["properties"]["id"] for f in grids]
    sent: list[str] = []
    view.bridge.density_changed.connect(sent.append)
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "density" and n == len(ids),
                          timeout=5000):
        view.set_density_cells(density_cells_payload(grids))
    assert all(v == {"count": 0, "color": None} for v in run_js(qtbot, view, "CW.density.counts()").values())
    shapes = run_js(qtbot, view, "(CW._shapes = CW.density.layer.getLayers()).length")
    assert shapes == len(ids)
    for counts in ({ids[0]: 5, ids[1]: 1}, {ids[1]: 7, ids[2]: 1}):
        with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "density", timeout=5000):
            view.set_density_counts(density_counts_payload(ids, counts))
        drawn = run_js(qtbot, view, "CW.density.counts()")
        assert {k: v["count"] for k, v in drawn.items()} == {i: counts.get(i, 0) for i in ids}
        assert [drawn[i]["color"] is None for i in ids] == [i not in counts for i in ids]
    assert drawn[ids[1]]["color"] != drawn[ids[2]]["color"]  # 7 of 7 is darker than 1 of 7
    # the same polygons, restyled: their fill is the colour the counts give
    assert run_js(qtbot, view, "CW.density.layer.getLayers().every((s, i) => s === CW._shapes[i])") is True
    fills = run_js(qtbot, view, "CW._shapes.map(s => s.getLayers()[0].options.fillColor)")
    assert fills[1] == drawn[ids[1]]["color"] and fills[2] == drawn[ids[2]]["color"]
    # the geometry crossed the bridge once; each recolouring is a small message without it
    assert len(sent) == 3 and '"geometry"' in sent[0]
    assert all('"geometry"' not in text and len(text) * 10 < len(sent[0]) for text in sent[1:])
    # a reload gets the cells and the latest counts again
    with qtbot.waitSignal(view.sig_ready, timeout=20000):
        view.reload()
    cell = f"CW.density.counts()[{ids[1]!r}]"
    qtbot.waitUntil(lambda: run_js(qtbot, view, f"{cell} && {cell}.count") == 7, timeout=5000)
    assert len(sent) == 5 and '"geometry"' in sent[3] and '"geometry"' not in sent[4]


def test_search_box_finds_through_python_and_goes_there(qtbot, view: MapView) -> None:
    from commandwall.app.map_search import MapSearch

    cameras = make_cameras(50)
    cameras[9] = cameras[9].model_copy(update={"name": "<b>光明大道</b>与泰山路口"})
    incidents = [make_incident("INC-42", lon=117.41, lat=34.84)]
    towns = next(layer for layer in sample_layers() if layer.kind == "towns").features
    search = MapSearch(lambda: cameras, lambda: incidents, list, towns)
    view.set_searcher(lambda text: [hit.as_dict() for hit in search.search(text)])
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10000):
        view.set_cameras(cameras)
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10000):
        view.set_incidents(incidents)

    def type_and_wait(text: str) -> list:
        run_js(qtbot, view, f"""(() => {{ CW.search.input.value = {json.dumps(text)};
            CW.search.input.dispatchEvent(new Event('input')); return true; }})()""")
        qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.search.input.value") == text and run_js(
            qtbot, view, "document.querySelectorAll('.cw-search-row, .cw-search-none').length") > 0, timeout=5000)
        return run_js(qtbot, view, "[...document.querySelectorAll('.cw-search-label')].map(e => e.textContent)")

    assert type_and_wait("光明大道") == ["<b>光明大道</b>与泰山路口"]  # text, not markup
    assert run_js(qtbot, view, "document.querySelectorAll('.cw-search b').length") == 0
    with qtbot.waitSignal(view.sig_camera_clicked, timeout=5000) as clicked:
        run_js(qtbot, view, "(document.querySelector('.cw-search-row').click(), true)")
    assert clicked.args == ["CAM-0009"]
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.stats().zoom") >= 17, timeout=10000)
    lon, lat = run_js(qtbot, view, "CW.stats().center")
    assert abs(lon - cameras[9].lon) < 1e-4 and abs(lat - cameras[9].lat) < 1e-4
    assert run_js(qtbot, view, "CW.stats().selectedCameras") == ["CAM-0009"]

    assert type_and_wait("inc-42") == ["道路积水"]
    with qtbot.waitSignal(view.sig_incident_clicked, timeout=5000) as clicked:
        run_js(qtbot, view, "(document.querySelector('.cw-search-row').click(), true)")
    assert clicked.args == ["INC-42"]
    assert run_js(qtbot, view, "CW.stats().selectedIncident") == "INC-42"

    assert type_and_wait("常庄") == ["常庄街道"]
    run_js(qtbot, view, "(document.querySelector('.cw-search-row').click(), true)")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.stats().zoom") < 17, timeout=10000)
    assert run_js(qtbot, view, "CW.lastSearchHit.kind") == "town"
    assert type_and_wait("没有这个") == []
    assert run_js(qtbot, view, "document.querySelector('.cw-search-none').textContent") == "无结果"


def test_measure_distance_and_area_come_from_pyproj(qtbot, view: MapView) -> None:
    from pyproj import Geod

    geod = Geod(ellps="GRS80")
    line = [[117.20, 34.75], [117.25, 34.76], [117.30, 34.74]]
    run_js(qtbot, view, "(CW.measure.start('line'), true)")
    assert run_js(qtbot, view, "CW.tools.busy()") is True
    for lon, lat in line:
        run_js(qtbot, view, f"(CW.measure.add([{lat}, {lon}]), true)")
    expected = geod.line_length([p[0] for p in line], [p[1] for p in line])
    qtbot.waitUntil(lambda: (run_js(qtbot, view, "CW.measure.result()") or {}).get("length_m") is not None,
                    timeout=5000)
    qtbot.waitUntil(lambda: abs(run_js(qtbot, view, "CW.measure.result().length_m") - expected) < 0.01,
                    timeout=5000)
    label = run_js(qtbot, view, "document.querySelector('.cw-measure-value').textContent")
    assert label == f"{expected / 1000:.2f} 公里"

    run_js(qtbot, view, "(CW.measure.clear(), CW.measure.start('area'), true)")
    square = [[117.20, 34.70], [117.21, 34.70], [117.21, 34.71], [117.20, 34.71]]
    for lon, lat in square:
        run_js(qtbot, view, f"(CW.measure.add([{lat}, {lon}]), true)")
    area, _ = geod.polygon_area_perimeter([p[0] for p in square], [p[1] for p in square])
    qtbot.waitUntil(lambda: abs((run_js(qtbot, view, "CW.measure.result()") or {}).get("area_m2", 0) - abs(area))
                    < 1, timeout=5000)
    assert "平方" in run_js(qtbot, view, "document.querySelector('.cw-measure-value').textContent")
    run_js(qtbot, view, "(CW.measure.stop(), true)")
    assert run_js(qtbot, view, "CW.tools.busy()") is False


MEASURE_SHOWN = """({result: CW.measure.result() !== null,
    labels: [...document.querySelectorAll('.cw-measure-label')].filter(e => e.style.opacity !== '0').length,
    lines: document.querySelectorAll('.leaflet-cw-sketch-pane path').length})"""
CLEARED = {"result": False, "labels": 0, "lines": 0}


def _finished_measure(qtbot, view: MapView, kind: str = "line") -> None:
    """A measure taken with clicks on the map and finished with a double click, its answer shown."""
    points = [[117.20, 34.75], [117.25, 34.76], [117.27, 34.72]]
    run_js(qtbot, view, f"(document.querySelector('.cw-measure-{kind}').click(), true)")
    for lon, lat in points:
        run_js(qtbot, view, f"(CW.map.fire('click', {{latlng: L.latLng({lat}, {lon}), "
                            "originalEvent: new MouseEvent('click')}), true)")
    run_js(qtbot, view, f"(CW.map.fire('dblclick', {{latlng: L.latLng({points[-1][1]}, {points[-1][0]}), "
                        "originalEvent: new MouseEvent('dblclick')}), true)")
    qtbot.waitUntil(lambda: run_js(qtbot, view, MEASURE_SHOWN) == {"result": True, "labels": 1, "lines": 1},
                    timeout=5000)
    assert run_js(qtbot, view, "CW.measure.active()") is False  # finished, not measuring


def _key(qtbot, view: MapView, key: str, target: str = "document") -> None:
    run_js(qtbot, view, f"({target}.dispatchEvent(new KeyboardEvent('keydown', {{key: '{key}', bubbles: true}})), "
                        "true)")


def test_esc_clears_a_finished_measure(qtbot, view: MapView) -> None:
    """Esc cancels a measure being taken and clears one taken with a double click (the line and its label)."""
    _finished_measure(qtbot, view)
    _key(qtbot, view, "Escape")
    assert run_js(qtbot, view, MEASURE_SHOWN) == CLEARED
    _finished_measure(qtbot, view, "area")
    # Esc in the search box is the box's own (it empties it): the measure stays
    _key(qtbot, view, "Escape", "CW.search.input")
    assert run_js(qtbot, view, MEASURE_SHOWN) == {"result": True, "labels": 1, "lines": 1}
    _key(qtbot, view, "Escape")
    assert run_js(qtbot, view, MEASURE_SHOWN) == CLEARED


def test_the_labels_x_clears_a_finished_measure_without_a_click_on_the_map(qtbot, view: MapView) -> None:
    """The × on the result's label clears the measure; the click does not reach the map (a click on the map
    while measuring would add a point)."""
    _finished_measure(qtbot, view)
    x = run_js(qtbot, view, "document.querySelector('.cw-measure-label .cw-measure-clear')")
    assert x is not None
    assert run_js(qtbot, view, "document.querySelector('.cw-measure-clear').title") == "清除测量"
    assert run_js(qtbot, view, "getComputedStyle(document.querySelector('.cw-measure-clear')).pointerEvents") \
        == "auto"  # the label lets clicks through; its × takes them
    run_js(qtbot, view, "(window.__mapClicks = 0, CW.map.on('click', () => window.__mapClicks++), true)")
    # a real click at the ×'s pixel (the label is above the map's panes)
    x, y = run_js(qtbot, view, "(r => [r.left + r.width / 2, r.top + r.height / 2])("
                               "document.querySelector('.cw-measure-clear').getBoundingClientRect())")
    assert run_js(qtbot, view, f"document.elementFromPoint({x}, {y}).className") == "cw-measure-clear"
    run_js(qtbot, view, f"(document.elementFromPoint({x}, {y}).click(), true)")
    assert run_js(qtbot, view, MEASURE_SHOWN) == CLEARED
    assert run_js(qtbot, view, "window.__mapClicks") == 0


def test_choosing_a_tool_again_or_another_clears_the_finished_measure(qtbot, view: MapView) -> None:
    """The tool's button again starts a new measure without the old one; 测面 after 测距 likewise; a selection
    tool clears it too; a measure started ends a shape being drawn (one tool at a time)."""
    _finished_measure(qtbot, view)
    run_js(qtbot, view, "(document.querySelector('.cw-measure-line').click(), true)")
    assert run_js(qtbot, view, MEASURE_SHOWN) == CLEARED and run_js(qtbot, view, "CW.measure.active()") is True
    run_js(qtbot, view, "(document.querySelector('.cw-measure-line').click(), true)")  # the active tool off
    assert run_js(qtbot, view, "CW.measure.active()") is False
    _finished_measure(qtbot, view)
    run_js(qtbot, view, "(document.querySelector('.cw-measure-area').click(), true)")
    assert run_js(qtbot, view, MEASURE_SHOWN) == CLEARED
    _finished_measure(qtbot, view)
    run_js(qtbot, view, "(document.querySelector('.cw-select-rectangle').click(), true)")
    assert run_js(qtbot, view, MEASURE_SHOWN) == CLEARED
    run_js(qtbot, view, "(document.querySelector('.cw-measure-line').click(), true)")
    busy = run_js(qtbot, view, """({measuring: CW.measure.active(),
        drawing: document.querySelector('.cw-select-rectangle').classList.contains('cw-active')})""")
    assert busy == {"measuring": True, "drawing": False}
    # the double click that finishes is the tool's, whichever tool was started before it
    assert run_js(qtbot, view, "CW.map.doubleClickZoom.enabled()") is False
    run_js(qtbot, view, "(document.querySelector('.cw-select-polygon').click(), true)")
    assert run_js(qtbot, view, "[CW.measure.active(), CW.map.doubleClickZoom.enabled()]") == [False, False]


def test_an_answer_for_a_cleared_measure_is_not_shown(qtbot, view: MapView) -> None:
    """Esc at once after the double click, before Python has answered: the late answer shows no label."""
    run_js(qtbot, view, "(CW.measure.start('line'), CW.measure.add([34.75, 117.20]), "
                        "CW.measure.add([34.76, 117.25]), CW.measure.clear(), true)")  # one turn: no answer yet
    qtbot.wait(500)  # the answer has come by now (it takes a few ms)
    assert run_js(qtbot, view, MEASURE_SHOWN) == CLEARED


def test_drawn_rectangle_lists_cameras_editably_and_sends_them_to_the_wall(qtbot, view: MapView) -> None:
    from commandwall.app.map_select import CameraPicker

    cameras = make_cameras(100)
    cameras[0] = cameras[0].model_copy(update={"name": "<b>东门</b>"})
    view.set_camera_picker(CameraPicker.of(cameras).pick)
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10000):
        view.set_cameras(cameras)
    lons = sorted({c.lon for c in cameras})
    lats = sorted({c.lat for c in cameras})
    # a rectangle around the first 2 x 2 cameras of the lattice; cameras whose view reaches in follow them
    west, east = lons[0] - 0.001, (lons[1] + lons[2]) / 2
    south, north = lats[0] - 0.001, (lats[1] + lats[2]) / 2
    expected = CameraPicker.of(cameras).pick(
        {"type": "rectangle", "points": [[west, south], [east, north]]})
    assert [c["id"] for c in expected["inside"]] == ["CAM-0000", "CAM-0001", "CAM-0010", "CAM-0011"]
    run_js(qtbot, view, "(CW.selection.start('rectangle'), true)")
    assert run_js(qtbot, view, "CW.tools.busy()") is True
    run_js(qtbot, view, f"(CW.selection.add([{south}, {west}]), CW.selection.add([{north}, {east}]), true)")
    qtbot.waitUntil(lambda: len(run_js(qtbot, view, "CW.selection.items()")) > 0, timeout=5000)
    listed = [c["id"] for c in run_js(qtbot, view, "CW.selection.items()")]
    assert listed == [c["id"] for c in expected["inside"] + expected["sees"]]
    names = run_js(qtbot, view, "[...document.querySelectorAll('.cw-selection-name')].map(e => e.textContent)")
    assert names[0] == "<b>东门</b>" and run_js(qtbot, view, "document.querySelectorAll('.cw-selection b').length") == 0
    assert run_js(qtbot, view, "CW.stats().selectedCameras") == listed  # ringed on the map
    assert run_js(qtbot, view, "CW.tools.busy()") is False
    # edit: remove the second camera, then 上墙
    run_js(qtbot, view, "(document.querySelectorAll('.cw-selection-remove')[1].click(), true)")
    assert run_js(qtbot, view, "document.querySelector('.cw-selection-title').textContent") == \
        f"已选摄像头 {len(listed) - 1} 个"
    with qtbot.waitSignal(view.sig_cameras_to_wall, timeout=5000) as to_wall:
        run_js(qtbot, view, "(document.querySelector('.cw-selection-wall').click(), true)")
    assert to_wall.args == [[listed[0], *listed[2:]]]
    # a bad shape is refused with a reason, nothing else breaks
    run_js(qtbot, view, """(CW.bridge.pickCameras('{"type": "hexagon"}',
        json => { window.__pick = JSON.parse(json); }), true)""")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "window.__pick || null") is not None, timeout=5000)
    assert "hexagon" in run_js(qtbot, view, "window.__pick.error")
    assert run_js(qtbot, view, "CW.selection.items().length") == len(listed) - 1


def test_the_map_pages_renderer_yields_to_the_gui_thread(view: MapView, qtbot) -> None:
    """Once the page is ready its renderer process (every thread) runs nicer than the GUI thread, which keeps
    its own priority (see commandwall.niceness: the map page draws at most twice a second in a burst). The
    threads are found and lowered on a thread of its own (file reads on the GUI thread froze it)."""
    import os

    from commandwall import niceness

    if not niceness.supported():
        pytest.skip("threads have no niceness of their own here")
    renderer = int(view.page().renderProcessPid())
    assert renderer > 0 and renderer != os.getpid()
    base = os.getpriority(os.PRIO_PROCESS, os.getpid())
    threads = niceness.threads_of(renderer)
    assert threads
    qtbot.waitUntil(lambda: all(os.getpriority(os.PRIO_PROCESS, t) >= base + niceness.MAP_NICENESS
                                for t in threads), timeout=5000)
    assert os.getpriority(os.PRIO_PROCESS, os.getpid()) == base


@pytest.mark.parametrize(("height", "folded"), [(700, True), (900, False)])
def test_the_legend_starts_folded_on_a_small_map_and_its_title_folds_it(qtbot, height: int, folded: bool) -> None:
    """On a laptop's map (1366×768) the open legend covered a third of the district: under 760 px of map it
    starts folded to its title; the title (a click, or Enter) folds and unfolds it."""
    widget = MapView()
    qtbot.addWidget(widget)
    widget.resize(900, height)
    widget.show()
    with qtbot.waitSignal(widget.sig_ready, timeout=20000):
        widget.load_page(sample_layers())
    rows_shown = "getComputedStyle(document.querySelector('.cw-legend-row')).display !== 'none'"
    legend_height = "document.querySelector('.cw-legend').getBoundingClientRect().height"
    assert run_js(qtbot, widget, rows_shown) is (not folded)
    before = run_js(qtbot, widget, legend_height)
    run_js(qtbot, widget, "(document.querySelector('.cw-legend-title').click(), true)")
    assert run_js(qtbot, widget, rows_shown) is folded
    after = run_js(qtbot, widget, legend_height)
    assert (after > 5 * before) if folded else (before > 5 * after), (before, after)
    key = "new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})"
    run_js(qtbot, widget, f"(document.querySelector('.cw-legend-title').dispatchEvent({key}), true)")
    assert run_js(qtbot, widget, rows_shown) is (not folded)


def test_a_camera_with_an_absurd_heading_gets_its_view_cone_and_the_page_goes_on(qtbot, view: MapView) -> None:
    """A platform sent a camera whose heading was 1e20: the page drew its view cone by adding a twelfth of the field
    of view to the angle until past its end, the addition no longer changed the angle, and the page looped until
    the renderer ran out of memory (the map frozen first, an alarm's fly-to lost). The model turns a heading into
    [0, 360); the page draws a cone by point count, whatever reaches it (here unchecked, as an older client's
    last known state might hold it)."""
    cameras = make_cameras(4)
    odd = cameras[0].model_construct(**{**dict(cameras[0]), "heading": 1e20, "fov": 1e30})  # not validated
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "cameras" and n == 4,
                          timeout=10000):  # fmt: skip
        view.set_cameras([odd, *cameras[1:]])
    view.fly_to(odd.lon, odd.lat, zoom=17)
    qtbot.waitUntil(lambda: (run_js(qtbot, view, "CW.stats().fov") or 0) > 0, timeout=10000)
    assert run_js(qtbot, view, "1 + 1") == 2, "the page answers"
    assert Camera.model_validate({**cameras[0].model_dump(), "heading": 1e20}).heading < 360
