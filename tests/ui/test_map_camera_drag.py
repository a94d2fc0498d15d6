"""A camera point dragged off the map (real QtWebEngine, offscreen) onto a wall tile plays there.

The page reports the drag over QWebChannel; the view runs a real ``QDrag`` carrying the camera id under our
MIME type. Offscreen Qt has no drag-and-drop session (``exec`` returns at once), so the test drops the drag's
own data on a tile with a real QDropEvent, as the window system would deliver it.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QDrag
from pytestqt.qtbot import QtBot

from commandwall.domain.models import Camera
from commandwall.ui.map.view import MapView
from commandwall.ui.wall import WallView
from commandwall.video.dragdrop import CAMERA_IDS_MIME, decode_camera_ids
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES, click_at, run_js, view, zoom_to  # noqa: F401 (fixture)
from tests.ui.test_wall import camera
from tests.ui.test_wall_dragdrop import drop_on
from tests.unit.test_video_mjpeg import MjpegServer

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)


def press_move_release(qtbot: QtBot, map_view: MapView, x: float, y: float, dx: float, dy: float) -> None:
    """Left button down at container point (x, y), moved by (dx, dy) with the button held, then up."""
    run_js(
        qtbot,
        map_view,
        f"""(() => {{ const r = CW.map.getContainer().getBoundingClientRect();
        const at = (type, px, py, buttons) => {{
            const target = document.elementFromPoint(r.left + px, r.top + py) || document.body;
            target.dispatchEvent(new MouseEvent(type, {{clientX: r.left + px, clientY: r.top + py, bubbles: true,
                button: 0, buttons: buttons}}));
        }};
        at('mousedown', {x}, {y}, 1);
        for (let k = 1; k <= 4; k++) at('mousemove', {x} + {dx} * k / 4, {y} + {dy} * k / 4, 1);
        at('mouseup', {x} + {dx}, {y} + {dy}, 0);
        return true; }})()""",
    )


@pytest.fixture
def cameras(server: MjpegServer) -> dict[str, Camera]:
    """Two cameras on the MJPEG server, apart on the map."""
    first = camera("CAM-0041", "临城街道·光明大道与华山路口", server)
    second = camera("CAM-0042", "临城街道·珠江路", server).model_copy(update={"lon": 117.262, "lat": 34.791})
    return {c.id: c for c in (first, second)}


def test_a_camera_dragged_off_the_map_plays_on_the_tile_it_is_dropped_on(
    qtbot: QtBot, view: MapView, wall: WallView, cameras: dict[str, Camera]  # noqa: F811 (fixture)
) -> None:
    wall.camera_lookup = cameras.get
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10_000):
        view.set_cameras(list(cameras.values()))
    target = cameras["CAM-0042"]
    zoom_to(qtbot, view, target.lon, target.lat, 16)
    x, y = run_js(qtbot, view, "CW.cameraPoint('CAM-0042')")
    center = run_js(qtbot, view, "CW.stats().center")
    carried: list[tuple[list[str], list[str]]] = []

    def drop_on_tile_1(drag: QDrag) -> None:
        mime = drag.mimeData()
        carried.append((mime.formats(), decode_camera_ids(mime.data(CAMERA_IDS_MIME).data())))
        assert drop_on(wall.tile(1), mime)

    view.sig_camera_drag_started.connect(drop_on_tile_1)
    with (qtbot.assertNotEmitted(view.sig_camera_clicked, wait=0),
          qtbot.waitSignal(view.sig_camera_drag_started, timeout=5000)):
        press_move_release(qtbot, view, x, y, 60, 40)
    assert carried == [([CAMERA_IDS_MIME, "text/plain"], ["CAM-0042"])]
    assert run_js(qtbot, view, "CW.stats().center") == center, "a drag from a camera point does not pan the map"
    assert [c.id if c else None for c in wall.cameras()] == [None, "CAM-0042", None, None]
    qtbot.waitUntil(lambda: wall.tile(1).state_text() == "直播", timeout=10_000)
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.map.dragging.enabled()"), timeout=5000)  # the page is told

    # the same gesture on empty map pans it and drags nothing; a press that does not move still clicks
    with qtbot.assertNotEmitted(view.sig_camera_drag_started, wait=300):
        press_move_release(qtbot, view, x + 40, y + 40, 60, 40)
    assert run_js(qtbot, view, "CW.stats().center") != center
    zoom_to(qtbot, view, cameras["CAM-0041"].lon, cameras["CAM-0041"].lat, 16)
    x, y = run_js(qtbot, view, "CW.cameraPoint('CAM-0041')")
    with qtbot.waitSignal(view.sig_camera_clicked, timeout=5000) as clicked:
        click_at(qtbot, view, x, y)
    assert clicked.args == ["CAM-0041"]


def test_the_pages_camera_id_is_checked_before_anything_is_dragged(
    qtbot: QtBot, view: MapView, cameras: dict[str, Camera]  # noqa: F811 (fixture)
) -> None:
    """Ids the page sends are untrusted: empty, over-long, or not a camera on the map start no drag."""
    with qtbot.waitSignal(view.sig_layer_drawn, timeout=10_000):
        view.set_cameras(list(cameras.values()))
    carried: list[list[str]] = []  # read while the drag exists (Qt deletes it after the drop)
    view.sig_camera_drag_started.connect(
        lambda drag: carried.append(decode_camera_ids(drag.mimeData().data(CAMERA_IDS_MIME).data())))
    for bad in ('""', "'   '", "'C'.repeat(5000)", "'CAM-9999'", "'<img src=x onerror=alert(1)>'"):
        with qtbot.assertNotEmitted(view.sig_camera_drag_started, wait=200):
            run_js(qtbot, view, f"(CW.bridge.cameraDragStarted({bad}), true)")
    with qtbot.waitSignal(view.sig_camera_drag_started, timeout=5000):
        run_js(qtbot, view, "(CW.bridge.cameraDragStarted('CAM-0041'), true)")
    assert carried == [["CAM-0041"]]
