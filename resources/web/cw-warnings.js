/*
 * cw-warnings.js — early-warning areas (预警区域) on the map (plain ES2017, no build step; before cw-map.js).
 *
 * CW.Warnings(map): the active CAP warnings' area polygons (a CAP circle arrives as its geodesic polygon with
 * radius_km, named in the tooltip), filled semi-transparent in their severity's colour (a warning not in effect yet,
 * pending, is outlined only, and its tooltip says from when), each with the event and headline as a text tooltip. The whole set is replaced on every change (an Update
 * recolours, a Cancel or an expiry removes), from MapBridge.warningsChanged (commandwall/mapdoc/payload.py
 * warning_areas_payload). Outside text is set with textContent only.
 */
(function () {
  "use strict";

  var CW = (window.CW = window.CW || {});
  var COLOR_RE = /^#[0-9a-fA-F]{6}$/;
  var SEVERITY_LABELS = {};
  ["Extreme", "Severe", "Moderate", "Minor", "Unknown"].forEach(function (s) { SEVERITY_LABELS[s] = CW.t("severity_" + s); });

  function line(className, text) {
    var node = document.createElement("div");
    node.className = className;
    node.textContent = String(text);
    return node;
  }

  /** The tooltip of one area: event · severity, the headline, the area's name, text only. */
  function tip(p) {
    var box = document.createElement("div");
    box.className = "cw-tip cw-warning-tip";
    var severity = Object.prototype.hasOwnProperty.call(SEVERITY_LABELS, p.severity) ? SEVERITY_LABELS[p.severity] : "";
    box.appendChild(line("cw-tip-title", [p.event || CW.t("warning"), severity].filter(Boolean).join(" · ")));
    if (p.headline) box.appendChild(line("cw-tip-line", p.headline));
    if (p.pending && p.note) box.appendChild(line("cw-tip-line", p.note));
    if (p.name) box.appendChild(line("cw-tip-line", p.name));
    if (typeof p.radius_km === "number" && isFinite(p.radius_km)) {
      box.appendChild(line("cw-tip-line", CW.t("warning_circle", { radius: CW.number(p.radius_km, 1) })));
    }
    return box;
  }

  /**
   * CW.Warnings(map) -> {layer, title, set(collection), bounds(id), areas()}: the warning areas, drawn again on each
   * set. An area's id is the id of the incident (预警) the warning is shown as: bounds(id) is where that incident
   * applies (all its areas together), or null.
   */
  CW.Warnings = function (map) {
    map.createPane("cw-warnings").style.zIndex = 425; // above the density cells, below every point
    var renderer = L.svg({ pane: "cw-warnings", padding: 0.2 });
    var layer = L.featureGroup();
    var areas = [];
    var extents = new Map(); // incident id -> L.LatLngBounds of its areas
    return {
      layer: layer,
      title: CW.t("layer_warnings"),
      set: function (collection) {
        layer.clearLayers();
        areas = [];
        extents = new Map();
        ((collection && collection.features) || []).forEach(function (feature) {
          var p = (feature && feature.properties) || {};
          var color = COLOR_RE.test(String(p.color)) ? String(p.color) : "#8c8c8c";
          var pending = p.pending === true;
          var shape = L.geoJSON({ type: "Feature", properties: {}, geometry: feature.geometry }, {
            renderer: renderer,
            style: { color: color, weight: 2, opacity: 0.9, dashArray: pending ? "2 6" : "6 4", fillColor: color,
              fillOpacity: pending ? 0.03 : 0.15 },
          });
          shape.bindTooltip(tip(p), { sticky: true });
          layer.addLayer(shape);
          var b = shape.getBounds();
          var id = String(p.id || "");
          if (id && b.isValid()) {
            var known = extents.get(id);
            extents.set(id, known ? L.latLngBounds(known.getSouthWest(), known.getNorthEast()).extend(b) : b);
          }
          areas.push({ id: String(p.id || ""), color: color, severity: String(p.severity || ""), pending: pending,
            tooltip: shape.getTooltip().getContent().textContent,
            bounds: b.isValid() ? [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] : null });
        });
      },
      /** The bounds of the areas of the warning shown as incident ``id``, or null (none drawn). */
      bounds: function (id) {
        var b = extents.get(String(id));
        return b ? L.latLngBounds(b.getSouthWest(), b.getNorthEast()) : null;
      },
      /** What is drawn, for tests and diagnostics: [{id, color, severity, pending, tooltip, bounds [w, s, e, n]}]. */
      areas: function () { return areas.slice(); },
    };
  };
})();
