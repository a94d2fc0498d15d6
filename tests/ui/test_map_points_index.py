"""The camera canvas draws from a spatial index: zoomed in, a redraw visits the points in view, not all of them."""

from __future__ import annotations

import pytest

from commandwall.mapdoc.page import PAGE_ASSETS
from commandwall.ui.map.view import MapView
from tests.ui.test_map_view import (  # noqa: F401 (fixtures)
    SOFTWARE_RENDERING_MESSAGES,
    make_cameras,
    no_page_errors,
    run_js,
    view,
    zoom_to,
)

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)

#: Brute force over every camera: the indices that fall on the canvas (view, padding, sprite margin).
ON_CANVAS = """(() => { const L_ = CW.cameraLayer, f = L_._frame(true), r = L_._ratio;
    const W = L_._canvas.width, H = L_._canvas.height; let m = 0;
    L_._sprites.forEach(sp => { m = Math.max(m, sp.half * r + 1); });
    const out = [];
    for (let i = 0; i < L_._n; i++) {
        const x = L_._x[i] * f.scale * r - f.ox * r, y = L_._y[i] * f.scale * r - f.oy * r;
        if (x >= -m && y >= -m && x < W + m && y < H + m) out.push(i);
    }
    return out; })()"""


def test_zoomed_in_redraw_visits_only_the_points_in_view(qtbot, view: MapView) -> None:  # noqa: F811
    assert "node_modules/kdbush/kdbush.min.js" in PAGE_ASSETS  # shipped with the page (and the bundle)
    n = 20_000
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, c: k == "cameras" and c == n,
                          timeout=30000):
        view.set_cameras(make_cameras(n))
    zoom_to(qtbot, view, 117.31, 34.765, 16)
    stats = run_js(qtbot, view, "CW.stats()")
    expected = run_js(qtbot, view, ON_CANVAS)
    assert 0 < len(expected) < n / 10
    assert run_js(qtbot, view, "Array.from(CW.cameraLayer._drawn)") == expected  # the same points, same order
    assert stats["camerasDrawn"] == len(expected)
    assert stats["camerasVisited"] < 2 * len(expected) + 200  # not 20 000
    # panned elsewhere: the index answers again (it is made once per data set)
    zoom_to(qtbot, view, 117.35, 34.80, 16)
    expected = run_js(qtbot, view, ON_CANVAS)
    assert run_js(qtbot, view, "Array.from(CW.cameraLayer._drawn)") == expected
    assert run_js(qtbot, view, "CW.stats().camerasVisited") < 2 * len(expected) + 200
    # the whole district in view: one plain pass over every point, all drawn
    run_js(qtbot, view, "(CW.cameraLayer.options.clustering = false, CW.map.setZoom(10, {animate: false}), true)")
    stats = run_js(qtbot, view, "CW.stats()")
    assert stats["camerasDrawn"] == n and stats["camerasVisited"] == n


#: The stamping rule, pixel by pixel, as the page first wrote it: an empty pixel takes a sprite's pixel, a drawn
#: one only its solid (alpha >= 128) pixels; points in the data's order.
REFERENCE_STAMP = """(() => { const L_ = CW.cameraLayer, f = L_._frame(true), r = L_._ratio;
    const W = L_._canvas.width, H = L_._canvas.height, px = new Uint32Array(W * H);
    const scale = f.scale * r, ox = f.ox * r, oy = f.oy * r;
    for (const i of L_._drawn) {
        const cx = Math.round(L_._x[i] * scale - ox), cy = Math.round(L_._y[i] * scale - oy);
        const sp = L_._sprites[L_._style[i]] || L_._sprites[0];
        for (let k = 0; k < sp.rgba.length; k++) {
            const x = cx + sp.dx[k], y = cy + sp.dy[k];
            if (x < 0 || y < 0 || x >= W || y >= H) continue;
            if (px[y * W + x] === 0 || sp.rgba[k] >= 0x80000000) px[y * W + x] = sp.rgba[k];
        }
    }
    let differ = 0;
    for (let k = 0; k < px.length; k++) if (px[k] !== L_._pixels[k]) differ++;
    return {differ: differ, set: px.filter(v => v !== 0).length}; })()"""


def test_many_points_are_stamped_pixel_for_pixel_as_the_rule_says(qtbot, view: MapView) -> None:  # noqa: F811
    n = 20_000
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, c: k == "cameras" and c == n,
                          timeout=30000):
        view.set_cameras(make_cameras(n, offline_every=3))
    run_js(qtbot, view, "(CW.cameraLayer.options.clustering = false, CW.cameraLayer.redraw(), true)")
    assert run_js(qtbot, view, "CW.stats().camerasDrawn") == n  # more than spriteMax: stamped
    result = run_js(qtbot, view, REFERENCE_STAMP)
    assert result["set"] > 5 * n and result["differ"] == 0
    # points on the canvas's edges take the careful path: pan so the district is cut by the canvas border
    zoom_to(qtbot, view, 117.19, 34.68, 13)
    run_js(qtbot, view, "(CW.cameraLayer.options.spriteMax = 100, CW.cameraLayer.redraw(), true)")
    assert run_js(qtbot, view, "CW.stats().camerasDrawn") > 100
    assert run_js(qtbot, view, REFERENCE_STAMP)["differ"] == 0


def test_an_empty_point_layer_is_not_composited(qtbot, view: MapView) -> None:  # noqa: F811
    assert run_js(qtbot, view, "CW.cameraLayer._canvas.style.display") == "none"  # no cameras yet
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, c: k == "cameras" and c == 10,
                          timeout=30000):
        view.set_cameras(make_cameras(10))
    assert run_js(qtbot, view, "CW.cameraLayer._canvas.style.display") == ""
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, c: k == "cameras" and c == 0,
                          timeout=30000):
        view.set_cameras([])
    assert run_js(qtbot, view, "CW.cameraLayer._canvas.style.display") == "none"


def test_a_batch_of_incidents_projects_only_what_changed_and_draws_what_a_whole_redraw_would(
    qtbot, view: MapView  # noqa: F811
) -> None:
    """A batch among 20 000 incidents on the page writes and projects its own points only (not all again), zoomed
    in the index still answers for the points added after it, and what is drawn is what a redraw of all draws."""
    from commandwall.domain.models import IncidentStatus
    from tests.ui.test_incident_batches import make

    n = 20_000
    spots = [(camera.lon, camera.lat) for camera in make_cameras(n)]
    held = [make(k).model_copy(update={"lon": spots[k][0], "lat": spots[k][1]}) for k in range(n)]
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, c: k == "incidents" and c == n,
                          timeout=30000):
        view.set_incidents(held)
    zoom_to(qtbot, view, 117.31, 34.765, 16)
    on_canvas = ON_CANVAS.replace("CW.cameraLayer", "CW.incidents.layer")
    assert run_js(qtbot, view, "Array.from(CW.incidents.layer._drawn)") == run_js(qtbot, view, on_canvas)
    newcomers = [make(n + k).model_copy(update={"lon": 117.308 + k % 20 * 0.0002, "lat": 34.764 + k // 20 * 0.0002})
                 for k in range(200)]  # in view
    updates = [held[k].model_copy(update={"status": IncidentStatus.ACCEPTED, "version": 2}) for k in (0, 7, n - 1)]
    for step in range(4):  # a burst: several batches, the points after the index grow
        batch = newcomers[50 * step:50 * (step + 1)] + (updates if step == 1 else [])
        with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, c, b=batch: (k, c) == ("incidents",
                                                                                                   len(b)),
                              timeout=10000):
            view.upsert_incidents(batch)
        assert run_js(qtbot, view, "CW.incidents.layer.lastProjected") == len(batch)  # not n + what came
    drawn = run_js(qtbot, view, "Array.from(CW.incidents.layer._drawn)")
    assert drawn == run_js(qtbot, view, on_canvas)
    assert sum(1 for i in drawn if i >= n) == 200  # the newcomers, after the index, are drawn
    assert run_js(qtbot, view, "CW.incidents.count()") == n + 200
    styles = run_js(qtbot, view, "Array.from(CW.incidents.layer._style.subarray(0, CW.incidents.layer._n))")
    whole = {incident.id: incident for incident in held + updates + newcomers}  # the page's order: held, then new
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, c: k == "incidents" and c == n + 200,
                          timeout=30000):
        view.set_incidents(whole.values())
    assert run_js(qtbot, view, "Array.from(CW.incidents.layer._drawn)") == drawn
    assert run_js(qtbot, view, "Array.from(CW.incidents.layer._style.subarray(0, CW.incidents.layer._n))") == styles
