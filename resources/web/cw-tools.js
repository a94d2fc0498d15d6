/*
 * cw-tools.js — map tools beside the data layers (plain ES2017, no build step; loaded before cw-map.js).
 *
 * CW.Density: incidents per grid cell as a choropleth overlay (off until switched on in the layer control).
 * Its data comes from Python (MapBridge.densityChanged: commandwall/mapdoc/payload.py
 * density_cells_payload once, then density_counts_payload); cell names are set with textContent only.
 */
(function () {
  "use strict";

  var CW = (window.CW = window.CW || {});
  /** Sequential ramp, light to dark red, for 1..max incidents (0 is left unfilled). */
  var RAMP = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];

  function classOf(count, max) {
    if (!(count > 0) || !(max > 0)) return -1;
    return Math.min(RAMP.length - 1, Math.floor(((count - 1) / Math.max(max, 1)) * RAMP.length));
  }

  function tip(cell) {
    var box = document.createElement("div");
    box.className = "cw-tip";
    var title = document.createElement("div");
    title.className = "cw-tip-title";
    title.textContent = String(cell.name);
    var line = document.createElement("div");
    line.className = "cw-tip-line";
    line.textContent = CW.t("density_count", { count: cell.count });
    box.appendChild(title);
    box.appendChild(line);
    return box;
  }

  function fill(count, max) {
    var k = classOf(count, max);
    return { fillColor: k >= 0 ? RAMP[k] : "#000000", fillOpacity: k >= 0 ? 0.55 : 0, color: k >= 0 ? RAMP[k] : null };
  }

  /**
   * CW.Density(map) -> {layer, set(data), counts(), max()}: the choropleth layer. set({cells: [{id, name,
   * geometry, count?}]}) draws the cells anew (Python sends them once, and again after a reload);
   * set({counts: {id: n}, max}) only recolours the cells drawn (those not named count 0).
   * set returns how many cells are drawn.
   */
  CW.Density = function (map) {
    map.createPane("cw-density").style.zIndex = 420;
    var renderer = L.canvas({ pane: "cw-density", padding: 0.2 });
    var layer = L.featureGroup();
    var cells = {}; // id -> {shape, cell: {name, count}, color}
    var max = 0;

    function paint(entry, count) {
      var style = fill(count, max);
      entry.cell.count = count;
      if (style.color !== entry.color) {
        entry.color = style.color;
        entry.shape.setStyle({ fillColor: style.fillColor, fillOpacity: style.fillOpacity });
      }
    }

    function draw(list) {
      layer.clearLayers();
      cells = {};
      list.forEach(function (data) {
        var cell = { name: data.name, count: Number(data.count) || 0 };
        var style = fill(cell.count, max);
        var shape = L.geoJSON({ type: "Feature", properties: {}, geometry: data.geometry }, {
          renderer: renderer,
          style: { color: "#0b1622", weight: 0.5, opacity: 0.6, fillColor: style.fillColor,
                   fillOpacity: style.fillOpacity },
        });
        shape.bindTooltip(function () { return tip(cell); }, { sticky: true });
        layer.addLayer(shape);
        cells[String(data.id)] = { shape: shape, cell: cell, color: style.color };
      });
    }

    return {
      layer: layer,
      title: CW.t("layer_density"),
      set: function (data) {
        max = Number(data && data.max) || 0;
        if (data && data.counts) {
          var counts = data.counts;
          Object.keys(cells).forEach(function (id) {
            paint(cells[id], Object.prototype.hasOwnProperty.call(counts, id) ? Number(counts[id]) || 0 : 0);
          });
        } else {
          draw((data && data.cells) || []);
        }
        return Object.keys(cells).length;
      },
      /** {cell id: {count, color}} as drawn (for tests and diagnostics). */
      counts: function () {
        var out = {};
        Object.keys(cells).forEach(function (id) { out[id] = { count: cells[id].cell.count, color: cells[id].color }; });
        return out;
      },
      max: function () { return max; },
    };
  };
})();

/*
 * CW.SearchBox: a search field on the map (top left). Python finds (MapBridge.search, commandwall/app/
 * map_search.py MapSearch); a result flies there and selects it through actions.go(hit).
 * CW.Measure: 测距 / 测面 buttons; clicks add points, a double click ends; the geodesic length or area
 * comes from Python (MapBridge.measure, pyproj). The result stays on the map until it is cleared: Esc, the ×
 * on its label, the tool's button again, or another tool. Every label is set with textContent.
 */
(function () {
  "use strict";

  var CW = (window.CW = window.CW || {});
  var KIND_LABELS = {};
  ["camera", "incident", "town", "grid", "unit"].forEach(function (k) { KIND_LABELS[k] = CW.t("kind_" + k); });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** CW.SearchBox(map, {bridge(), go(hit)}) -> {input, results(), search(text, done)}. */
  CW.SearchBox = function (map, actions) {
    var box = el("div", "cw-search leaflet-control");
    var input = el("input", "cw-search-input");
    input.type = "search";
    input.placeholder = CW.t("search_placeholder");
    input.maxLength = 60;
    var list = el("div", "cw-search-results");
    box.appendChild(input);
    box.appendChild(list);
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    var hits = [];
    var timer = null;
    var asked = 0;

    function show(results) {
      hits = results;
      list.textContent = "";
      results.forEach(function (hit, i) {
        var row = el("div", "cw-search-row");
        row.appendChild(el("span", "cw-search-kind", KIND_LABELS[hit.kind] || hit.kind));
        row.appendChild(el("span", "cw-search-label", hit.label));
        row.appendChild(el("span", "cw-search-detail", hit.detail ? hit.id_text + " · " + hit.detail : hit.id_text));
        row.addEventListener("click", function () { choose(i); });
        list.appendChild(row);
      });
      if (input.value.trim() && !results.length) list.appendChild(el("div", "cw-search-none", CW.t("search_none")));
    }

    function search(text, done) {
      var bridge = actions.bridge();
      var n = ++asked;
      if (!text.trim() || !bridge || typeof bridge.search !== "function") {
        show([]);
        if (done) done([]);
        return;
      }
      bridge.search(text, function (json) {
        if (n !== asked) return; // an older answer
        var results = [];
        try { results = JSON.parse(json) || []; } catch (err) { console.error("cw-map: search answer: " + err); }
        show(results);
        if (done) done(results);
      });
    }

    function choose(i) {
      var hit = hits[i];
      if (!hit) return;
      list.textContent = "";
      actions.go(hit);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { search(input.value); }, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        clearTimeout(timer);
        search(input.value, function () { choose(0); });
      } else if (e.key === "Escape") {
        input.value = "";
        show([]);
      }
    });

    var control = L.control({ position: "topleft" });
    control.onAdd = function () { return box; };
    control.addTo(map);
    return {
      input: input,
      results: function () { return hits.slice(); },
      search: search,
      choose: choose,
    };
  };

  /** A length in the page's language and locale: 1.2 米, 3.45 公里 (1.2 m, 3.45 km). */
  function formatLength(m) {
    return m >= 1000 ? CW.t("unit_km", { value: CW.number(m / 1000, 2) }) : CW.t("unit_m", { value: CW.number(m, 1) });
  }

  function formatArea(m2) {
    return m2 >= 1e6 ? CW.t("unit_km2", { value: CW.number(m2 / 1e6, 3) })
      : CW.t("unit_m2", { value: CW.number(m2, 0) });
  }

  /**
   * CW.Measure(map, {bridge(), started()?}) -> {start(kind), stop(), clear(), add(latlng), active(), shown(),
   * result()}. stop() ends the measuring and leaves the result drawn; clear() removes it as well. started() is
   * called when a measure starts (the page ends another tool's drawing there).
   */
  CW.Measure = function (map, actions) {
    var points = [];
    var kind = null;
    var result = null;
    var shape = null;
    var run = 0; // counts starts and clears: an answer for an earlier measure is not shown
    var label = L.tooltip({ permanent: true, direction: "right", className: "cw-measure-label" });
    var box = el("div", "cw-measure leaflet-bar leaflet-control");
    var buttons = {};
    ["line", "area"].forEach(function (k) {
      var pair = [k, CW.t("measure_" + k)];
      var a = el("a", "cw-measure-" + pair[0], pair[1]);
      a.href = "#";
      a.title = CW.t("measure_" + k + "_tip");
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.stop(e);
        if (kind === pair[0]) clear(); else start(pair[0]);
      });
      buttons[pair[0]] = a;
      box.appendChild(a);
    });
    L.DomEvent.disableClickPropagation(box);

    /** The label's content: the value, and a × that clears the measure. */
    function labelContent(text) {
      var span = el("span", "cw-measure-text");
      span.appendChild(el("span", "cw-measure-value", text));
      var x = el("a", "cw-measure-clear", "×");
      x.href = "#";
      x.title = CW.t("measure_clear");
      L.DomEvent.disableClickPropagation(x);
      L.DomEvent.on(x, "click", function (e) {
        L.DomEvent.stop(e);
        clear();
      });
      span.appendChild(x);
      return span;
    }

    function redraw() {
      if (shape) map.removeLayer(shape);
      shape = null;
      if (!points.length) return;
      var style = { color: "#4fc3f7", weight: 2, dashArray: "6 4", fillOpacity: 0.15, interactive: false,
        pane: "cw-sketch" };
      shape = (kind === "area" && points.length > 2 ? L.polygon(points, style) : L.polyline(points, style)).addTo(map);
      var bridge = actions.bridge();
      if (!bridge || typeof bridge.measure !== "function") return;
      // the answer may come after a double click has ended the measure (kind is null by then): label it as asked,
      // unless the measure has been cleared (or another started) meanwhile
      var asked = kind;
      var askedRun = run;
      var request = JSON.stringify({ kind: asked, points: points.map(function (p) { return [p.lng, p.lat]; }) });
      var at = points[points.length - 1];
      bridge.measure(request, function (json) {
        if (askedRun !== run) return;
        var answer = JSON.parse(json);
        if (answer.error) return;
        result = answer;
        var text = asked === "line" ? formatLength(answer.length_m)
          : CW.t("measure_perimeter", { area: formatArea(answer.area_m2), perimeter: formatLength(answer.perimeter_m) });
        label.setLatLng(at).setContent(labelContent(text));
        if (!map.hasLayer(label)) map.openTooltip(label);
      });
    }

    function start(k) {
      clear();
      if (actions.started) actions.started(); // before the double click is taken from the map's zoom
      kind = k;
      buttons[k].classList.add("cw-active");
      map.getContainer().classList.add("cw-measuring");
      map.doubleClickZoom.disable();
    }

    function stop() {
      if (kind) buttons[kind].classList.remove("cw-active");
      kind = null;
      points = [];
      map.getContainer().classList.remove("cw-measuring");
      map.doubleClickZoom.enable();
    }

    function clear() {
      stop();
      run += 1;
      result = null;
      if (shape) map.removeLayer(shape);
      shape = null;
      map.closeTooltip(label);
    }

    map.on("click", function (e) {
      if (!kind) return;
      points.push(e.latlng);
      redraw();
    });
    map.on("dblclick", function () { if (kind) stop(); });
    // Esc cancels a measure being taken and clears one taken (not while a text field, the search, has it)
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") return;
      var typing = e.target && /^(INPUT|TEXTAREA)$/.test(e.target.tagName || "");
      if (kind || (shape && !typing)) clear();
    });

    var control = L.control({ position: "topleft" });
    control.onAdd = function () { return box; };
    control.addTo(map);
    return {
      start: start,
      stop: stop,
      clear: clear,
      add: function (latlng) { points.push(L.latLng(latlng)); redraw(); },
      active: function () { return kind !== null; },
      /** Whether a measure (taken or being taken) is drawn on the map. */
      shown: function () { return shape !== null || map.hasLayer(label); },
      result: function () { return result; },
    };
  };
})();
