/*
 * cw-layers.js — the user's own layers (GeoJSON, OGC API Features, WFS sources) on the commandwall map page.
 *
 * Loaded after cw-map.js; cw-map.js calls CW.onChannel(channel) once the Qt web channel is up. The data comes
 * from commandwall/ui/map/layer_tree.py (LayerPageBridge, registered as "cwLayers"):
 *   JS -> Python  layers() -> every user layer (on connect and after a reload), then styles() -> how each
 *                 is shown now; layerDrawn(id, count)
 *   Python -> JS  layerChanged(json)  one layer replaced: {id, title, color, visible, opacity, z, data, error}
 *                 styleChanged(json)  shown/hidden, opacity, order: {id, visible, opacity, z}
 * Each layer has its own pane (order = the pane's z-index, opacity = the pane's opacity) and canvas renderer,
 * all below the cameras. Feature names are shown with textContent only.
 */
(function () {
  "use strict";

  var CW = window.CW;
  if (!CW) return;
  var PANE_BASE_Z = 410; // above the static layers (overlayPane 400), below the cameras (450)
  var MAX_Z = 39;
  var layers = {}; // id -> {id, title, color, visible, opacity, z, count, error, pane, group}
  var hoverTip = null;
  var api = null;

  function own(obj, key) {
    return obj !== null && typeof obj === "object" && Object.prototype.hasOwnProperty.call(obj, key)
      ? obj[key] : undefined;
  }

  function parse(json) { return typeof json === "string" ? JSON.parse(json) : json; }

  function tipContent(name) {
    var node = document.createElement("div");
    node.className = "cw-tip-title";
    node.textContent = String(name);
    return node;
  }

  function pane(id) {
    var name = "cw-user-" + id;
    return CW.map.getPane(name) || CW.map.createPane(name);
  }

  function applyStyle(ref) {
    var node = pane(ref.id);
    node.style.zIndex = String(PANE_BASE_Z + Math.max(0, Math.min(MAX_Z, ref.z | 0)));
    node.style.opacity = String(Math.max(0.05, Math.min(1, Number(ref.opacity) || 1)));
    if (!ref.group) return;
    if (ref.visible && !CW.map.hasLayer(ref.group)) ref.group.addTo(CW.map);
    if (!ref.visible && CW.map.hasLayer(ref.group)) CW.map.removeLayer(ref.group);
  }

  function report(id, count) {
    requestAnimationFrame(function () {
      setTimeout(function () { if (api) api.layerDrawn(id, count); }, 0);
    });
  }

  function setLayer(data) {
    var id = String(own(data, "id"));
    var old = own(layers, id);
    if (old && old.group) CW.map.removeLayer(old.group);
    var ref = {
      id: id, title: String(own(data, "title") || id), color: String(own(data, "color") || "#ffd60a"),
      visible: own(data, "visible") !== false, opacity: own(data, "opacity"), z: own(data, "z"),
      error: own(data, "error") || null, count: 0, group: null,
      renderer: old ? old.renderer : null,  // one canvas per layer for its whole life (a refresh reuses it)
    };
    layers[id] = ref;
    var collection = own(data, "data");
    var paneName = pane(id) && "cw-user-" + id;
    if (collection) {
      var renderer = ref.renderer || (ref.renderer = L.canvas({ pane: paneName, padding: 0.3 }));
      var style = { color: ref.color, weight: 2, opacity: 1, fillColor: ref.color, fillOpacity: 0.25 };
      ref.group = L.geoJSON(collection, {
        pane: paneName,
        renderer: renderer,
        style: function () { return style; },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { renderer: renderer, pane: paneName, radius: 5, weight: 1,
            color: "#0b1622", fillColor: ref.color, fillOpacity: 0.9 });
        },
      });
      ref.group.on("mouseover", function (e) {
        var props = e.layer && e.layer.feature ? e.layer.feature.properties : null;
        var name = props ? own(props, "name") : "";
        if (!name) return;
        hoverTip.setLatLng(e.latlng).setContent(tipContent(name));
        CW.map.openTooltip(hoverTip);
      });
      ref.group.on("mouseout", function () { CW.map.closeTooltip(hoverTip); });
      ref.count = ref.group.getLayers().length;
    }
    applyStyle(ref);
    report(id, ref.count);
  }

  function setStyle(data) {
    var ref = own(layers, String(own(data, "id")));
    if (!ref) return;
    ref.visible = own(data, "visible") !== false;
    ref.opacity = own(data, "opacity");
    ref.z = own(data, "z");
    applyStyle(ref);
  }

  function safely(name, fn) {
    return function (json) {
      try {
        fn(parse(json));
      } catch (err) {
        console.error("cw-layers: " + name + " failed: " + (err && err.stack ? err.stack : err));
      }
    };
  }

  CW.onChannel = function (channel) {
    api = channel.objects.cwLayers || null;
    if (!api) return;
    hoverTip = L.tooltip({ direction: "top", offset: [0, -6] });
    api.layerChanged.connect(safely("layer", setLayer));
    api.styleChanged.connect(safely("style", setStyle));
    api.layers(safely("layers", function (list) {
      list.forEach(function (item) { safely("layer", setLayer)(item); });
      api.styles(safely("styles", function (styles) { styles.forEach(setStyle); }));
    }));
  };

  /** What the user layers show (for tests and diagnostics): id -> {count, onMap, opacity, z, error}. */
  CW.userLayers = function () {
    var out = {};
    Object.keys(layers).forEach(function (id) {
      var ref = layers[id];
      var node = CW.map.getPane("cw-user-" + id);
      out[id] = {
        title: ref.title, count: ref.count, error: ref.error,
        onMap: !!(ref.group && CW.map.hasLayer(ref.group)),
        opacity: node ? Number(node.style.opacity) : null,
        z: node ? Number(node.style.zIndex) : null,
      };
    });
    return out;
  };
})();
