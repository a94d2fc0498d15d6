"""The map with the district's real layers (layers/ via geo.layers.load_layers) in QtWebEngine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtGui import QColor
from shapely.geometry import shape

from commandwall import paths
from commandwall.domain.models import Camera, Unit
from commandwall.geo.layers import LayerSet, load_layers
from commandwall.ui.map.view import BACKGROUND, MapView
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES, painted_grab, run_js

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)

TOWNS = {"临城街道", "常庄街道", "兴城街道", "张范街道", "兴仁街道", "沙沟镇", "周营镇", "邹坞镇", "陶庄镇"}
NOW = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def layer_set() -> LayerSet:
    result = load_layers(paths.layers_dir())
    assert result.ok, result.errors
    return result


@pytest.fixture
def view(qtbot, layer_set: LayerSet) -> MapView:
    widget = MapView()
    qtbot.addWidget(widget)
    widget.resize(1200, 900)
    widget.show()
    with qtbot.waitSignal(widget.sig_ready, timeout=30000):
        widget.load_page(layer_set.layers)
    return widget


def cameras_from(layer_set: LayerSet) -> list[Camera]:
    [layer] = layer_set.by_kind("cameras")
    cams = []
    for feature in layer.features:
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"][:2]
        cams.append(
            Camera(
                id=props["id"],
                name=props["name"],
                lon=lon,
                lat=lat,
                town=props.get("town", ""),
                kind=props.get("kind", "fixed"),
                heading=props.get("heading", 0),
                fov=props.get("fov", 60),
                range_m=props.get("range_m", 150),
                status="offline" if props["id"].endswith("7") else "online",
                streams={"main": "http://127.0.0.1:1/m.mjpg", "sub": "http://127.0.0.1:1/s.mjpg"},
            )
        )
    return cams


def test_static_layers_and_town_labels(qtbot, view: MapView) -> None:
    static = run_js(qtbot, view, "CW.stats().static")
    # bottom to top; cameras/units/resources are data, not static
    assert [s["kind"] for s in static] == ["towns", "grids", "roads", "boundary"]
    assert sorted(s["count"] for s in static) == sorted([1, 9, 100, 110])
    assert all(s["onMap"] for s in static)
    assert run_js(qtbot, view, "CW.staticLayer('towns').getLayers()[0].feature.properties.name") in TOWNS
    labels = run_js(qtbot, view, "[...document.querySelectorAll('.cw-town-label')].map(e => e.textContent)")
    assert set(labels) == TOWNS
    zoom = run_js(qtbot, view, "CW.map.getZoom()")
    assert 10 <= zoom <= 12  # fitted to the district (~35 km) in 1200x900


def test_real_cameras_resources_and_units(qtbot, view: MapView, layer_set: LayerSet) -> None:
    cams = cameras_from(layer_set)
    assert len(cams) >= 1000
    with qtbot.waitSignal(
        view.sig_layer_drawn, check_params_cb=lambda k, n: k == "cameras" and n == len(cams), timeout=15000
    ):
        view.set_cameras(cams)
    [resources] = layer_set.by_kind("resources")
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "resources", timeout=5000):
        view.set_resources(resources.features)
    [units_layer] = layer_set.by_kind("units")
    units = [
        Unit(
            id=f["properties"]["id"],
            name=f["properties"]["name"],
            department=f["properties"]["department"],
            kind=f["properties"]["kind"],
            lon=f["geometry"]["coordinates"][0],
            lat=f["geometry"]["coordinates"][1],
            updated_at=NOW,
        )
        for f in units_layer.features
    ]
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units(units)
    stats = run_js(qtbot, view, "CW.stats()")
    assert (stats["cameras"], stats["resources"], stats["units"]) == (
        len(cams),
        len(resources.features),
        len(units),
    )
    # zoomed in, cameras get their view sectors
    cam = cams[0]
    view.fly_to(cam.lon, cam.lat, zoom=17)
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.stats().fov") > 0, timeout=10000)


def test_grab_shows_the_real_district(qtbot, view: MapView, layer_set: LayerSet) -> None:
    [district] = layer_set.by_kind("boundary")
    inner = shape(district.features[0]["geometry"]).representative_point()
    x, y = run_js(qtbot, view, f"(p => [p.x, p.y])(CW.map.latLngToContainerPoint([{inner.y}, {inner.x}]))")
    image = painted_grab(qtbot, view, x, y)  # once a frame has come, not after a fixed wait
    ratio = image.width() / view.width()
    assert QColor(image.pixel(int(x * ratio), int(y * ratio))) != BACKGROUND
    assert (
        QColor(image.pixel(1, image.height() - 60)) == BACKGROUND or QColor(image.pixel(1, 1)) == BACKGROUND
    )
