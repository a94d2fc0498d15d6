/*
 * cw-select.js — draw a rectangle, circle or polygon on the map and list the cameras it selects (plain
 * ES2017; loaded before cw-map.js).
 *
 * 框选: drag from corner to corner, or click two corners; 圈选: drag from the centre to the edge, or click the
 * centre, then a point on the edge; 多边形: click the corners and
 * double-click (or click the first one) to close. Python picks the cameras (MapBridge.pickCameras:
 * commandwall/app/map_select.py, shapely): those standing in the shape and those whose field of view reaches
 * into it. The list can be edited (× removes a camera); 上墙 sends it to the video wall
 * (MapBridge.camerasToWall). Names are set with textContent only.
 */
(function () {
  "use strict";

  var CW = (window.CW = window.CW || {});
  /** Pixels the pointer moves, button held, before a press with 框选 or 圈选 draws the shape by dragging. */
  var DRAG_PX = 5;
  var TOOLS = ["rectangle", "circle", "polygon"].map(function (k) {
    return [k, CW.t("select_" + k), CW.t("select_" + k + "_tip")];
  });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /**
   * CW.Selection(map, {bridge(), select(ids), started()?}) -> {start(kind), stop(), add(latlng), finish(), items(),
   * toWall()}. started() is called when a shape starts (the page clears a measure there).
   */
  CW.Selection = function (map, actions) {
    var kind = null;
    var points = [];
    var sketch = null; // the shape being drawn or last drawn
    var items = []; // [{id, name, status, why}] listed
    var buttons = {};
    var bar = el("div", "cw-select leaflet-bar leaflet-control");
    TOOLS.forEach(function (tool) {
      var a = el("a", "cw-select-" + tool[0], tool[1]);
      a.href = "#";
      a.title = tool[2];
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.stop(e);
        if (kind === tool[0]) stop(); else start(tool[0]);
      });
      buttons[tool[0]] = a;
      bar.appendChild(a);
    });
    L.DomEvent.disableClickPropagation(bar);

    var panel = el("div", "cw-selection leaflet-control");
    panel.style.display = "none";
    var title = el("div", "cw-selection-title");
    var list = el("div", "cw-selection-list");
    var row = el("div", "cw-selection-actions");
    var toWallButton = el("button", "cw-selection-wall", CW.t("selection_to_wall"));
    var clearButton = el("button", "cw-selection-clear", CW.t("selection_clear"));
    row.appendChild(toWallButton);
    row.appendChild(clearButton);
    panel.appendChild(title);
    panel.appendChild(list);
    panel.appendChild(row);
    L.DomEvent.disableClickPropagation(panel);
    L.DomEvent.disableScrollPropagation(panel);
    toWallButton.addEventListener("click", function () { toWall(); });
    clearButton.addEventListener("click", function () { clear(); });

    function style() {
      return { color: "#ffd60a", weight: 2, dashArray: "6 4", fillOpacity: 0.08, interactive: false, pane: "cw-sketch" };
    }

    function drawSketch(cursor) {
      if (sketch) map.removeLayer(sketch);
      sketch = null;
      var pts = cursor ? points.concat([cursor]) : points;
      if (!pts.length) return;
      if (kind === "rectangle" && pts.length >= 2) sketch = L.rectangle(L.latLngBounds(pts[0], pts[1]), style());
      else if (kind === "circle" && pts.length >= 2) {
        sketch = L.circle(pts[0], L.extend({ radius: map.distance(pts[0], pts[1]) }, style()));
      } else if (kind === "polygon" && pts.length >= 2) sketch = L.polygon(pts, style());
      else sketch = L.circleMarker(pts[0], { radius: 3, color: "#ffd60a", interactive: false, pane: "cw-sketch" });
      sketch.addTo(map);
    }

    function shapeData() {
      var ll = function (p) { return [p.lng, p.lat]; };
      if (kind === "rectangle") return { type: "rectangle", points: points.slice(0, 2).map(ll) };
      if (kind === "circle") return { type: "circle", center: ll(points[0]), radius_m: map.distance(points[0], points[1]) };
      return { type: "polygon", points: points.map(ll) };
    }

    function finish() {
      var bridge = actions.bridge();
      var data = shapeData();
      var drawnKind = kind;
      stop(true);
      if (!bridge || typeof bridge.pickCameras !== "function") return;
      bridge.pickCameras(JSON.stringify(data), function (json) {
        var answer = JSON.parse(json);
        if (answer.error) {
          console.warn("cw-map: selection refused: " + answer.error);
          return;
        }
        var listed = answer.inside.map(function (c) { return L.extend({ why: CW.t("selection_inside") }, c); })
          .concat(answer.sees.map(function (c) { return L.extend({ why: CW.t("selection_sees") }, c); }));
        show(listed, drawnKind);
      });
    }

    function show(listed, drawnKind) {
      items = listed;
      list.textContent = "";
      items.forEach(function (item, i) {
        var line = el("div", "cw-selection-row");
        line.appendChild(el("span", "cw-selection-name", item.name || item.id));
        var why = item.status === "online" ? item.why : CW.t("selection_offline", { why: item.why });
        line.appendChild(el("span", "cw-selection-why", why));
        var remove = el("button", "cw-selection-remove", "×");
        remove.title = CW.t("selection_remove");
        remove.addEventListener("click", function () { items.splice(i, 1); show(items, drawnKind); });
        line.appendChild(remove);
        list.appendChild(line);
      });
      title.textContent = CW.t("selection_title", { count: items.length });
      toWallButton.disabled = items.length === 0;
      panel.style.display = "";
      actions.select(items.map(function (c) { return c.id; }));
    }

    function start(k) {
      stop();
      if (actions.started) actions.started(); // before the double click is taken from the map's zoom
      kind = k;
      points = [];
      buttons[k].classList.add("cw-active");
      map.getContainer().classList.add("cw-drawing");
      map.doubleClickZoom.disable();
    }

    function stop(keepSketch) {
      endPress();
      if (kind) buttons[kind].classList.remove("cw-active");
      kind = null;
      points = [];
      map.getContainer().classList.remove("cw-drawing");
      map.doubleClickZoom.enable();
      if (!keepSketch && sketch) { map.removeLayer(sketch); sketch = null; }
    }

    function clear() {
      stop();
      items = [];
      list.textContent = "";
      panel.style.display = "none";
      actions.select([]);
    }

    function toWall() {
      var bridge = actions.bridge();
      if (bridge && items.length) bridge.camerasToWall(JSON.stringify(items.map(function (c) { return c.id; })));
    }

    function add(latlng) {
      if (!kind) return;
      latlng = L.latLng(latlng);
      if (kind === "polygon" && points.length >= 3 &&
          map.latLngToContainerPoint(points[0]).distanceTo(map.latLngToContainerPoint(latlng)) < 8) {
        finish();
        return;
      }
      points.push(latlng);
      drawSketch();
      if ((kind === "rectangle" || kind === "circle") && points.length === 2) finish();
    }

    /**
     * 框选 and 圈选 by dragging: pressed with no point yet, the press is the first corner (the centre) and the
     * release the other corner (a point on the edge); the map does not pan meanwhile. A press released where it
     * was pressed is a click (the first of two). The click that follows a drawn release selects nothing else.
     */
    var press = null; // {latlng, x, y, moved} while the button is held to draw
    var justDrawn = false;

    function endPress() {
      if (!press) return;
      press = null;
      map.dragging.enable();
    }

    map.getContainer().addEventListener("mousedown", function (e) {
      endPress();
      if (e.button !== 0 || (kind !== "rectangle" && kind !== "circle") || points.length) return;
      if (e.target && e.target.closest && e.target.closest(".leaflet-control")) return;
      press = { latlng: map.mouseEventToLatLng(e), x: e.clientX, y: e.clientY, moved: false };
      map.dragging.disable(); // before Leaflet's own mousedown handler (this one listens in the capture phase)
    }, true);
    document.addEventListener("mousemove", function (e) {
      if (!press) return;
      if (!(e.buttons & 1)) { endPress(); return; } // released where the page did not see it
      if (press.moved || Math.abs(e.clientX - press.x) + Math.abs(e.clientY - press.y) < DRAG_PX) return;
      press.moved = true;
      points = [press.latlng]; // the sketch follows the pointer from here (mousemove below)
    }, true);
    document.addEventListener("mouseup", function (e) {
      if (!press) return;
      var drawn = press.moved && kind;
      endPress();
      if (!drawn) return;
      points = [points[0], map.mouseEventToLatLng(e)];
      justDrawn = true;
      setTimeout(function () { justDrawn = false; }, 0); // after the click this release makes
      finish();
    }, true);

    map.on("click", function (e) { if (kind) add(e.latlng); });
    map.on("mousemove", function (e) { if (kind && points.length) drawSketch(e.latlng); });
    map.on("dblclick", function () { if (kind === "polygon" && points.length >= 3) finish(); });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape" && kind) stop(); });

    var control = L.control({ position: "topleft" });
    control.onAdd = function () { return bar; };
    control.addTo(map);
    var panelControl = L.control({ position: "topleft" });
    panelControl.onAdd = function () { return panel; };
    panelControl.addTo(map);
    return {
      start: start,
      stop: function () { stop(); },
      add: add,
      finish: finish,
      clear: clear,
      toWall: toWall,
      active: function () { return kind !== null || justDrawn; },
      items: function () { return items.slice(); },
    };
  };
})();
