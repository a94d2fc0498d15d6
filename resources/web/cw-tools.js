/*
 * cw-tools.js — map tools beside the data layers (plain ES2017, no build step; loaded before cw-map.js).
 *
 * CW.Density: incidents per grid cell as a choropleth overlay (off until switched on in the layer control).
 * Its data comes from Python (MapBridge.densityChanged: commandwall/mapdoc/payload.py
 * incident_density_payload); cell names are set with textContent only.
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
    line.textContent = "事件 " + cell.count + " 起";
    box.appendChild(title);
    box.appendChild(line);
    return box;
  }

  /** CW.Density(map) -> {layer, set(data), counts()}: the choropleth layer, filled again on each set. */
  CW.Density = function (map) {
    map.createPane("cw-density").style.zIndex = 420;
    var renderer = L.canvas({ pane: "cw-density", padding: 0.2 });
    var layer = L.featureGroup();
    var byId = {};
    var max = 0;
    return {
      layer: layer,
      title: "事件密度（网格）",
      set: function (data) {
        layer.clearLayers();
        byId = {};
        max = Number(data && data.max) || 0;
        ((data && data.cells) || []).forEach(function (cell) {
          var k = classOf(cell.count, max);
          var shape = L.geoJSON({ type: "Feature", properties: {}, geometry: cell.geometry }, {
            renderer: renderer,
            style: {
              color: "#0b1622", weight: 0.5, opacity: 0.6,
              fillColor: k >= 0 ? RAMP[k] : "#000000", fillOpacity: k >= 0 ? 0.55 : 0,
            },
          });
          shape.bindTooltip(tip(cell), { sticky: true });
          layer.addLayer(shape);
          byId[String(cell.id)] = { count: cell.count, color: k >= 0 ? RAMP[k] : null };
        });
      },
      /** {cell id: {count, color}} as drawn (for tests and diagnostics). */
      counts: function () { return byId; },
      max: function () { return max; },
    };
  };
})();
