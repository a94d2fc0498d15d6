"""Child process of test_map_tools_x11: the whole client (main window, embedded exercise backend) on an X display
(xcb), its map's tools worked with real mouse and keyboard input (XTest), as a duty officer does:

- search: click the search box, type a camera's name, a town, a grid cell id, an incident id and a unit's name,
  take a result with Enter or a click;
- measure: the 测距 and 测面 buttons, clicks on the map, a double click to finish; the finished measure cleared
  with Esc (the distance) or the × on its label (the area);
- draw: the 框选 / 圈选 / 多边形 buttons, the shape drawn with clicks (and a rectangle with a drag), a camera
  removed from the listed selection with its ×, then 上墙.

Prints ``RESULT {json}``: for each step what was done (the clicked points' lon/lat from the page's
containerPointToLatLng), what the page and the window show afterwards, and what the Python side answers for the
same input (the search, the camera picker) — the test compares them — then exits.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from commandwall.app.map_select import CameraPicker
from commandwall.cli import platform_factory
from commandwall.config import Settings
from commandwall.ui.app import _leave, _make_app, _make_window, acquire_desk_lock
from tests.e2e.xinput import XInput

STEP_TIMEOUT_S = 10.0
SEARCH_LABELS = "[...document.querySelectorAll('.cw-search-label')].map(e => e.textContent)"


class Desk:
    """The main window's map worked with real input: waits that let Qt run, the page's state, clicks at map
    pixels."""

    def __init__(self, app: QApplication, window) -> None:
        self.app = app
        self.window = window
        self.view = window.map
        self.input = XInput()

    def pump(self, seconds: float) -> None:
        """Let the application run for ``seconds``."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.005)

    def until(self, predicate: Callable[[], Any], what: str, timeout_s: float = STEP_TIMEOUT_S) -> Any:
        """Run the application until ``predicate()`` is true (returned); TimeoutError naming ``what`` if not."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            value = predicate()
            if value:
                return value
            self.pump(0.03)
        raise TimeoutError(f"waited {timeout_s:.0f} s for {what}")

    def js(self, code: str) -> Any:
        """The value of a JavaScript expression in the map page (through JSON)."""
        box: list = []
        self.view.page().runJavaScript(f"JSON.stringify(({code}))", 0, box.append)
        self.until(lambda: box, f"the page to answer {code[:60]!r}", 5.0)
        return json.loads(box[0]) if box[0] else None

    def screen(self, x: float, y: float) -> QPoint:
        """The screen pixel of the map's container pixel (x, y)."""
        return self.view.mapToGlobal(QPoint(round(x), round(y)))

    def element(self, selector: str, index: int = 0) -> QPoint:
        """The screen pixel at the centre of the page element ``selector`` (the index-th match)."""
        rect = self.js(f"(r => [r.left + r.width / 2, r.top + r.height / 2])("
                       f"document.querySelectorAll({json.dumps(selector)})[{index}].getBoundingClientRect())")
        return self.screen(*rect)

    def click(self, point: QPoint, settle_s: float = 0.25) -> None:
        """Move there, press and release the left button."""
        self.input.move(point)
        self.pump(0.08)
        self.input.left_button(True)
        self.pump(0.04)
        self.input.left_button(False)
        self.pump(settle_s)

    def double_click(self, point: QPoint) -> None:
        """Two clicks in quick succession at one place: the four button events reach the X server 30 ms apart
        whatever the application is busy with (it would not let them be a double click if it made them wait)."""
        self.input.move(point)
        self.pump(0.08)
        for down in (True, False, True, False):
            self.input.left_button(down)
            time.sleep(0.03)
        self.pump(0.5)

    def drag(self, start: QPoint, end: QPoint, steps: int = 12) -> None:
        """Press at ``start``, move to ``end`` with the button held, release."""
        self.input.move(start)
        self.pump(0.08)
        self.input.left_button(True)
        self.pump(0.08)
        for k in range(1, steps + 1):
            self.input.move(start + (end - start) * k / steps)
            self.pump(0.03)
        self.pump(0.08)
        self.input.left_button(False)
        self.pump(0.3)

    def type(self, text: str) -> None:
        """Type ``text`` on the keyboard, one key per character."""
        for char in text:
            self.input.type_char(char)
            self.pump(0.04)

    def latlng(self, x: float, y: float) -> list[float]:
        """[lon, lat] of the map's container pixel (x, y), as the page computes it."""
        ll = self.js(f"CW.map.containerPointToLatLng([{x}, {y}])")
        return [ll["lng"], ll["lat"]]

    def size(self) -> tuple[int, int]:
        """The map's size in pixels."""
        s = self.js("CW.map.getSize()")
        return s["x"], s["y"]


def search(desk: Desk) -> list[dict[str, Any]]:
    """Each kind the search box finds, typed and taken; what Python finds for it and where the map went."""
    session = desk.window.session
    searcher = desk.window.map_feature.controller.search

    def first_hit(text: str) -> dict[str, Any] | None:
        hits = searcher(text)
        return hits[0] if hits else None

    # the shortest names that find their own camera and unit first (typing is slow)
    camera = next(c for c in sorted(session.cameras.all(), key=lambda c: len(c.name))
                  if c.name and (first_hit(c.name) or {}).get("id") == c.id)  # fmt: skip
    towns = next(layer for layer in session.layers if layer.kind == "towns").features
    grids = next(layer for layer in session.layers if layer.kind == "grids").features
    town = towns[len(towns) // 2]["properties"]["name"]
    grid = str(grids[len(grids) // 3]["properties"]["id"])
    incident = session.incidents.open()[-1]
    unit = next(u for u in sorted(session.units.all(), key=lambda u: len(u.name))
                if u.name and (first_hit(u.name) or {}).get("id") == u.id)  # fmt: skip
    queries = [("camera", camera.name, "enter"), ("town", town, "click"), ("grid", grid, "enter"),
               ("incident", incident.id, "click"), ("unit", unit.name, "enter")]
    out = []
    for kind, text, how in queries:
        entry: dict[str, Any] = {"kind": kind, "text": text, "how": how, "expected": first_hit(text)}
        try:
            desk.click(desk.element(".cw-search-input"))
            desk.input.press("Escape")  # the box empties itself on Esc
            desk.pump(0.1)
            desk.type(text)
            entry["typed"] = desk.js("CW.search.input.value")
            # the box searches as the text grows (after a pause): wait for the answer to the whole text
            first = (entry["expected"] or {}).get("label")
            with contextlib.suppress(TimeoutError):  # the test says what was listed instead
                desk.until(lambda first=first: (desk.js(SEARCH_LABELS) or [None])[0] == first,
                           "the results for the whole text")  # fmt: skip
            entry["listed"] = desk.js(SEARCH_LABELS)
            if how == "enter":
                desk.input.press("Return")
            else:
                desk.click(desk.element(".cw-search-row"))
            wanted = (entry["expected"] or {}).get("id")
            desk.until(lambda wanted=wanted: desk.js("CW.lastSearchHit && CW.lastSearchHit.id") == wanted,
                       "the page to take the result")  # fmt: skip
            if kind == "unit":  # its card opens when the flight ends (and may pan the map to fit)
                desk.until(lambda wanted=wanted: (desk.js("CW.cards.shown()") or {}).get("id") == wanted,
                           "the unit's card")  # fmt: skip
            settled(desk)  # the flight (0.8 s) and, for an incident, the window's own flight to it
            entry["after"] = desk.js("""(() => { const b = CW.map.getBounds(); return {
                center: CW.stats().center, zoom: CW.stats().zoom, selectedCameras: CW.stats().selectedCameras,
                taken: CW.lastSearchHit,
                selectedIncident: CW.stats().selectedIncident,
                results: document.querySelectorAll('.cw-search-row').length,
                view: [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]] }; })()""")
            entry["window"] = {"camera": desk.window.cameras_feature.selected_camera_id(),
                               "incident": desk.window.incidents_feature.selected_incident_id()}
        except Exception:
            entry["error"] = traceback.format_exc()
        out.append(entry)
    return out


def settled(desk: Desk, polls: int = 4, every_s: float = 0.15) -> None:
    """Run the application until the map's centre and zoom stay the same over ``polls`` looks ``every_s`` apart
    (flights, a card's pan and the window's own flight all over; Leaflet's flyTo sets no animating flag)."""
    seen: list[Any] = []

    def still() -> bool:
        seen.append(desk.js("[CW.stats().center, CW.stats().zoom]"))
        desk.pump(every_s)
        return len(seen) >= polls and all(view == seen[-1] for view in seen[-polls:])

    desk.until(still, "the map to come to rest")


def measure(desk: Desk) -> dict[str, Any]:
    """测距 over three clicked points, 测面 over four, each finished with a double click."""
    width, height = desk.size()
    desk.js("(CW.map.setView([34.79, 117.28], 14, {animate: false}), true)")
    desk.pump(0.5)
    desk.js("""(['mousedown', 'click', 'dblclick'].forEach(type => document.addEventListener(type, e =>
        window.__events.push([type, e.detail, e.clientX, e.clientY, Math.round(performance.now())]), true)), true)""")
    out: dict[str, Any] = {}
    for kind, fractions in (("line", [(0.3, 0.35), (0.55, 0.45), (0.6, 0.7)]),
                            ("area", [(0.3, 0.3), (0.6, 0.32), (0.62, 0.65), (0.35, 0.6)])):  # fmt: skip
        entry: dict[str, Any] = {}
        try:
            pixels = [(width * fx, height * fy) for fx, fy in fractions]
            entry["points"] = [desk.latlng(x, y) for x, y in pixels]
            entry["zoom_before"] = desk.js("CW.map.getZoom()")
            desk.js("(window.__events = [], true)")
            desk.click(desk.element(f".cw-measure-{kind}"))
            entry["busy"] = desk.js("CW.tools.busy()")
            for x, y in pixels[:-1]:
                desk.click(desk.screen(x, y), 0.3)
            desk.double_click(desk.screen(*pixels[-1]))
            desk.until(lambda: desk.js("CW.measure.result()"), "the measure")
            entry["result"] = desk.js("CW.measure.result()")
            entry["label"] = desk.js("document.querySelector('.cw-measure-value').textContent")
            entry["events"] = desk.js("window.__events")  # what the page saw of the mouse (for a failure)
            entry["after"] = desk.js(f"""({{busy: CW.tools.busy(), zoom: CW.map.getZoom(),
                active: document.querySelector('.cw-measure-{kind}').classList.contains('cw-active')}})""")
            entry["shown_finished"] = desk.js("CW.measure.shown()")
            # the finished measure cleared: the distance with Esc, the area with the × on its label
            if kind == "line":
                desk.input.press("Escape")
            else:
                desk.click(desk.element(".cw-measure-clear"))
            desk.pump(0.3)
            entry["cleared"] = desk.js("""({shown: CW.measure.shown(), result: CW.measure.result(),
                labels: document.querySelectorAll('.cw-measure-label').length, zoom: CW.map.getZoom()})""")
        except Exception:
            entry["error"] = traceback.format_exc()
        out[kind] = entry
    return out


def _dense_spot(cameras) -> tuple[float, float]:
    """Where the most cameras stand within ~250 m (lon, lat of a camera)."""
    best, spot = -1, (cameras[0].lon, cameras[0].lat)
    for c in cameras[:: max(1, len(cameras) // 400)]:
        near = sum(1 for d in cameras if abs(d.lon - c.lon) < 0.003 and abs(d.lat - c.lat) < 0.0023)
        if near > best:
            best, spot = near, (c.lon, c.lat)
    return spot


def draw(desk: Desk) -> dict[str, Any]:
    """A rectangle dragged and one clicked, a circle, a polygon closed by a double click and one by its first
    point; for each, what the page lists and what the Python picker says; then one removed and 上墙."""
    session = desk.window.session
    cameras = session.cameras.all()
    picker = CameraPicker.of(cameras)
    lon, lat = _dense_spot(cameras)
    desk.js(f"(CW.map.setView([{lat}, {lon}], 16, {{animate: false}}), true)")
    desk.pump(0.6)
    width, height = desk.size()
    cx, cy = width / 2, height / 2
    out: dict[str, Any] = {"shapes": {}}

    def listed() -> list[str]:
        return [c["id"] for c in desk.js("CW.selection.items()")]

    def run(name: str, tool: str, gesture: Callable[[], dict[str, Any]]) -> None:
        entry: dict[str, Any] = {}
        try:
            if desk.js("CW.selection.items().length"):
                desk.click(desk.element(".cw-selection-clear"))  # 清除 the last one
            entry["cleared"] = desk.js("CW.selection.items().length === 0 && CW.stats().selectedCameras.length === 0")
            desk.click(desk.element(f".cw-select-{tool}"))
            entry["busy"] = desk.js("CW.tools.busy()")
            zoom = desk.js("CW.map.getZoom()")
            center = desk.js("CW.stats().center")
            shape = gesture()
            entry["shape"] = shape
            expected = picker.pick(shape)
            entry["expected"] = [c["id"] for c in expected["inside"] + expected["sees"]]
            desk.until(lambda: desk.js("CW.selection.items().length"), "the selection to be listed")
            desk.pump(0.2)
            entry["listed"] = listed()
            entry["rows"] = desk.js("document.querySelectorAll('.cw-selection-row').length")
            entry["after"] = {"busy": desk.js("CW.tools.busy()"), "zoom_kept": desk.js("CW.map.getZoom()") == zoom,
                              "center_kept": desk.js("CW.stats().center") == center,
                              "selected": desk.js("CW.stats().selectedCameras"),
                              "active": desk.js("document.querySelectorAll('.cw-select .cw-active').length")}
        except Exception:
            entry["error"] = traceback.format_exc()
        out["shapes"][name] = entry

    def rectangle_drag() -> dict[str, Any]:
        a, b = (cx - 140, cy - 110), (cx + 120, cy + 100)
        corners = [desk.latlng(*a), desk.latlng(*b)]
        desk.drag(desk.screen(*a), desk.screen(*b))
        return {"type": "rectangle", "points": corners}

    def rectangle_clicks() -> dict[str, Any]:
        a, b = (cx - 100, cy - 150), (cx + 160, cy + 60)
        corners = [desk.latlng(*a), desk.latlng(*b)]
        desk.click(desk.screen(*a), 0.4)
        desk.click(desk.screen(*b), 0.4)
        return {"type": "rectangle", "points": corners}

    def circle() -> dict[str, Any]:
        from pyproj import Geod

        centre, edge = (cx + 20, cy - 10), (cx + 170, cy + 30)
        c, e = desk.latlng(*centre), desk.latlng(*edge)
        desk.click(desk.screen(*centre), 0.4)
        desk.click(desk.screen(*edge), 0.4)
        radius = Geod(ellps="GRS80").inv(c[0], c[1], e[0], e[1])[2]
        return {"type": "circle", "center": c, "radius_m": radius}

    def polygon(close: str) -> Callable[[], dict[str, Any]]:
        def gesture() -> dict[str, Any]:
            corners = [(cx - 150, cy - 60), (cx + 30, cy - 170), (cx + 190, cy + 10), (cx - 20, cy + 150)]
            points = [desk.latlng(*p) for p in corners]
            for p in corners[:-1]:
                desk.click(desk.screen(*p), 0.4)
            if close == "double-click":
                desk.double_click(desk.screen(*corners[-1]))
            else:
                desk.click(desk.screen(*corners[-1]), 0.4)
                desk.click(desk.screen(corners[0][0] + 3, corners[0][1] - 2), 0.4)  # near the first corner
            return {"type": "polygon", "points": points}

        return gesture

    run("rectangle_drag", "rectangle", rectangle_drag)
    run("rectangle_clicks", "rectangle", rectangle_clicks)
    run("circle", "circle", circle)
    run("polygon_first_point", "polygon", polygon("first point"))
    run("polygon_double_click", "polygon", polygon("double-click"))
    try:
        before = listed()
        out["before_removal"] = before
        desk.click(desk.element(".cw-selection-remove", 1))
        out["after_removal"] = listed()
        out["title"] = desk.js("document.querySelector('.cw-selection-title').textContent")
        desk.click(desk.element(".cw-selection-wall"))
        wall = desk.window.wall
        shown = min(len(out["after_removal"]), wall.tile_count())
        out["tile_count"] = wall.tile_count()
        with contextlib.suppress(TimeoutError):  # the test compares what the wall shows
            desk.until(lambda: [c.id if c else None for c in wall.cameras()][:shown] == out["after_removal"][:shown],
                       "the wall to show the selection")  # fmt: skip
        out["wall"] = [c.id if c else None for c in wall.cameras()]
    except Exception:
        out["error"] = traceback.format_exc()
    return out


def main() -> int:
    """Start the client, work its map's tools, print the result."""
    settings = Settings()
    app = _make_app(settings.ui_language())
    lock = acquire_desk_lock(settings.data_dir)
    window = _make_window(settings, platform_factory(settings))
    window.move(0, 0)
    window.show()
    window.start_session()
    desk = Desk(app, window)
    result: dict[str, Any] = {}
    try:
        desk.until(lambda: window.is_ready() and window.map.is_ready(), "the client to connect", 90)
        count = len(window.session.cameras)
        desk.until(lambda: desk.js("CW.stats().cameras") == count, "the cameras on the map", 30)
        window.activateWindow()
        desk.pump(0.5)
        for name, step in (("search", search), ("measure", measure), ("draw", draw)):
            started = time.monotonic()
            result[name] = step(desk)
            result.setdefault("seconds", {})[name] = round(time.monotonic() - started, 1)
    except Exception:
        result["error"] = traceback.format_exc()
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
    window.close()
    return _leave(window, lock, 0)


if __name__ == "__main__":
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    sys.exit(main())
