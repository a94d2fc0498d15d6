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
