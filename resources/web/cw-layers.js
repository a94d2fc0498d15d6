/*
 * cw-layers.js — the layer tree's layers on the commandwall map page: the user's own (GeoJSON, OGC API Features,
 * WFS sources) and the platform catalogue's (平台图层).
 *
 * Loaded after cw-map.js; cw-map.js calls CW.onChannel(channel) once the Qt web channel is up. The data comes
 * from commandwall/ui/map/layer_tree.py (LayerPageBridge, registered as "cwLayers"):
 *   JS -> Python  layers() -> every user layer (on connect and after a reload), then styles() -> how each
 *                 is shown now; layerDrawn(id, count); layerToggled(id, on) (a static layer switched in the
 *                 map's own layer control)
 *   Python -> JS  layerChanged(json)  one layer replaced: {id, title, color, visible, opacity, z, mapLayer,
 *                                     stale, data | points, error}; a big layer as {id, href}: the page
 *                                     fetches that (cw://app/data/…) and draws what it gets, unless a newer
 *                                     version came meanwhile (the layer's old data stays drawn till then)
 *                 styleChanged(json)  shown/hidden, opacity, order, old data: {id, visible, opacity, z,
 *                                     mapLayer, stale} (stale: the latest read failed; drawn faded)
 *                 layerRemoved(id)    the layer left the tree
 * Each layer has its own pane (order = the pane's z-index, opacity = the pane's opacity) inside one root pane
 * below every thematic pane (density, warnings, cameras, incidents) and above the map's static layers.
 * A point layer arrives as columns {lon, lat, names} and is drawn by one CW.PointLayer canvas (cw-points.js), so
 * 50 000 points are one pass over typed arrays, not 50 000 Leaflet layers; other layers are L.geoJSON on a canvas
 * renderer. A layer with mapLayer is one the map draws itself (cw-map.js static layers): only switched and faded.
 * Feature names are shown with textContent only.
 */
(function () {
  "use strict";

  var CW = window.CW;
  if (!CW) return;
  /**
   * Every tree layer has a pane inside one root pane (cw-tree, z-index 410): above the map's static layers
   * (overlayPane 400), below every thematic pane — incident density 420, warnings 425, view cones 440, cameras
   * 450, incidents 460 — however many layers there are; within the root the layers stack by their tree order.
   */
  var ROOT_PANE = "cw-tree";
  var ROOT_Z = 410;
  var MAX_Z = 999;
  var STALE_FADE = 0.5; // a layer whose latest read failed: its last good data at this share of its opacity
  var layers = {}; // id -> {id, title, color, visible, opacity, z, count, error, pane, group}
  var fetching = {}; // id -> {href, style}: a big layer being fetched (style: the latest styleChanged meanwhile)
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
    var root = CW.map.getPane(ROOT_PANE);
    if (!root) {
      root = CW.map.createPane(ROOT_PANE);
      root.style.zIndex = String(ROOT_Z);
    }
    return CW.map.getPane(name) || CW.map.createPane(name, root);
  }

  /** Switch and fade a static layer cw-map.js draws (its paths' own opacities, kept once, times ours). */
  function applyMapStyle(ref) {
    var layer = CW.staticLayer ? CW.staticLayer(ref.mapLayer) : null;
    if (!layer) {  // the page has not drawn its static layers yet: try again shortly (bounded)
      ref.tries = (ref.tries || 0) + 1;
      if (ref.tries <= 40) setTimeout(function () { if (layers[ref.id] === ref) applyStyle(ref); }, 250);
      return;
    }
    var opacity = Math.max(0.05, Math.min(1, Number(ref.opacity) || 1));
    layer.eachLayer(function (path) {
      if (!path.setStyle) return;
      if (path.cwBase === undefined) path.cwBase = { o: path.options.opacity, f: path.options.fillOpacity };
      path.setStyle({
        opacity: (path.cwBase.o === undefined ? 1 : path.cwBase.o) * opacity,
        fillOpacity: (path.cwBase.f === undefined ? 0.2 : path.cwBase.f) * opacity,
      });
    });
    if (ref.visible && !CW.map.hasLayer(layer)) layer.addTo(CW.map);
    if (!ref.visible && CW.map.hasLayer(layer)) CW.map.removeLayer(layer);
  }

  /** The map's static layers stacked in the tree's order (they share Leaflet's overlay pane). */
  var stackDue = false;
  function stackStatic() {
    if (stackDue) return;
    stackDue = true;
    setTimeout(function () {
      stackDue = false;
      Object.keys(layers).map(function (k) { return layers[k]; })
        .filter(function (ref) { return ref.mapLayer; })
        .sort(function (a, b) { return (a.z | 0) - (b.z | 0); })
        .forEach(function (ref) {
          var layer = CW.staticLayer ? CW.staticLayer(ref.mapLayer) : null;
          if (layer && CW.map.hasLayer(layer)) layer.bringToFront();
        });
    }, 0);
  }

  function applyStyle(ref) {
    if (ref.mapLayer) { applyMapStyle(ref); stackStatic(); return; }
    var node = pane(ref.id);
    node.style.zIndex = String(1 + Math.max(0, Math.min(MAX_Z, ref.z | 0)));
    // the latest read failed: the last good data is drawn at half its opacity (the tree says how old it is)
    var fade = ref.stale ? STALE_FADE : 1;
    node.style.opacity = String(Math.max(0.05, Math.min(1, Number(ref.opacity) || 1)) * fade);
    node.classList.toggle("cw-layer-stale", !!ref.stale);
    if (!ref.group) return;
    if (ref.visible && !CW.map.hasLayer(ref.group)) ref.group.addTo(CW.map);
    if (!ref.visible && CW.map.hasLayer(ref.group)) CW.map.removeLayer(ref.group);
  }

  function report(id, count) {
    requestAnimationFrame(function () {
      setTimeout(function () { if (api) api.layerDrawn(id, count); }, 0);
    });
  }

  /** A point layer's columns on one CW.PointLayer canvas in the layer's pane (no clusters: every point). */
  function pointGroup(ref, columns, paneName) {
    var lon = Float64Array.from(own(columns, "lon") || []);
    var lat = Float64Array.from(own(columns, "lat") || []);
    var n = Math.min(lon.length, lat.length);
    var group = ref.points || (ref.points = new CW.PointLayer({
      pane: paneName, clustering: false,
      styles: [{ fill: ref.color, stroke: "#0b1622", fillOpacity: 0.9, radius: 4 }],
    }));
    group.cwNames = (own(columns, "names") || []).map(String);
    group.setStyles([{ fill: ref.color, stroke: "#0b1622", fillOpacity: 0.9, radius: 4 }]);
    group.setData(lon.subarray(0, n), lat.subarray(0, n), new Uint8Array(n), null);
    group.getLayers = function () { return { length: n }; };
    return group;
  }

  /** The name under the mouse in a visible point layer (the topmost), for the hover tip. */
  function pointHover(e) {
    if (!hoverTip) return;
    var best = null;
    Object.keys(layers).forEach(function (id) {
      var ref = layers[id];
      if (!ref.points || !ref.group || !CW.map.hasLayer(ref.group) || (best && best.z >= ref.z)) return;
      var hit = ref.points.hit(e.containerPoint);
      if (hit && hit.index !== undefined) best = { z: ref.z, name: ref.points.cwNames[hit.index], i: hit.index, ref: ref };
    });
    if (best && best.name) {
      hoverTip.setLatLng([best.ref.points._lat[best.i], best.ref.points._lon[best.i]]).setContent(tipContent(best.name));
      CW.map.openTooltip(hoverTip);
    } else if (hoverTip.cwPoint) {
      CW.map.closeTooltip(hoverTip);
    }
    hoverTip.cwPoint = !!(best && best.name);
  }

  function removeLayer(id) {
    delete fetching[String(id)];
    var old = own(layers, String(id));
    if (!old) return;
    if (old.group) CW.map.removeLayer(old.group);
    delete layers[String(id)];
  }

  function setLayer(data) {
    var id = String(own(data, "id"));
    var old = own(layers, id);
    if (old && old.group) CW.map.removeLayer(old.group);
    var ref = {
      id: id, title: String(own(data, "title") || id), color: String(own(data, "color") || "#ffd60a"),
      visible: own(data, "visible") !== false, opacity: own(data, "opacity"), z: own(data, "z"),
      mapLayer: own(data, "mapLayer") || null, error: own(data, "error") || null, count: 0, group: null,
      stale: own(data, "stale") === true,
      renderer: old ? old.renderer : null,  // one canvas per layer for its whole life (a refresh reuses it)
      points: old ? old.points : null,
    };
    layers[id] = ref;
    if (ref.mapLayer) {
      var drawn = CW.staticLayer ? CW.staticLayer(ref.mapLayer) : null;
      ref.count = drawn ? drawn.getLayers().length : 0;
      applyStyle(ref);
      report(id, ref.count);
      return;
    }
    var collection = own(data, "data");
    var columns = own(data, "points");
    var paneName = pane(id) && "cw-user-" + id;
    if (columns) {
      ref.group = pointGroup(ref, columns, paneName);
      ref.count = ref.group.getLayers().length;
    } else if (collection) {
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

  /** A layer from layerChanged / layers(): drawn at once, or fetched first when it came as {id, href}. */
  function receiveLayer(data) {
    var id = String(own(data, "id"));
    var href = own(data, "href");
    if (typeof href !== "string") {
      delete fetching[id];
      setLayer(data);
      return;
    }
    var ticket = { href: href, style: null };
    fetching[id] = ticket;
    fetch(href).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (full) {
      if (own(fetching, id) !== ticket) return;  // a newer version (or its removal) came meanwhile
      delete fetching[id];
      if (String(own(full, "id")) !== id) throw new Error("fetched another layer");
      setLayer(full);
      if (ticket.style) setStyle(ticket.style);
    }).catch(function (err) {
      if (own(fetching, id) === ticket) delete fetching[id];
      console.error("cw-layers: layer " + id + " could not be fetched: " + (err && err.message ? err.message : err));
    });
  }

  function setStyle(data) {
    var ticket = own(fetching, String(own(data, "id")));
    if (ticket) ticket.style = data;  // applied again once the layer's data is in
    var ref = own(layers, String(own(data, "id")));
    if (!ref) return;
    ref.visible = own(data, "visible") !== false;
    ref.opacity = own(data, "opacity");
    ref.stale = own(data, "stale") === true;
    ref.z = own(data, "z");
    ref.mapLayer = own(data, "mapLayer") || ref.mapLayer;
    applyStyle(ref);
  }

  /**
   * A static layer switched in the map's own layer control (Leaflet fires overlayadd/overlayremove for any
   * add or remove of a layer it lists): when the tree's entry for it says otherwise, the tree is told
   * (layerToggled), so both show the same and the saved view follows. A switch made by the tree matches
   * already and is not echoed back.
   */
  function controlToggled(e) {
    var on = e.type === "overlayadd";
    Object.keys(layers).forEach(function (id) {
      var ref = layers[id];
      if (!ref.mapLayer || !CW.staticLayer || CW.staticLayer(ref.mapLayer) !== e.layer || ref.visible === on) return;
      ref.visible = on;
      if (api && typeof api.layerToggled === "function") api.layerToggled(ref.id, on);
    });
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
    api.layerChanged.connect(safely("layer", receiveLayer));
    api.styleChanged.connect(safely("style", setStyle));
    if (api.layerRemoved) api.layerRemoved.connect(function (id) { removeLayer(id); });
    CW.map.on("mousemove", pointHover);
    CW.map.on("overlayadd overlayremove", controlToggled);
    api.layers(safely("layers", function (list) {
      list.forEach(function (item) { safely("layer", receiveLayer)(item); });
      api.styles(safely("styles", function (styles) { styles.forEach(setStyle); }));
    }));
  };

  /** What the user layers show (for tests and diagnostics): id -> {count, onMap, opacity, z, error}. */
  CW.userLayers = function () {
    var out = {};
    Object.keys(layers).forEach(function (id) {
      var ref = layers[id];
      var node = ref.mapLayer ? null : CW.map.getPane("cw-user-" + id);
      var drawn = ref.mapLayer && CW.staticLayer ? CW.staticLayer(ref.mapLayer) : ref.group;
      out[id] = {
        title: ref.title, count: ref.count, error: ref.error, mapLayer: ref.mapLayer, stale: !!ref.stale,
        onMap: !!(drawn && CW.map.hasLayer(drawn)),
        canvas: !!ref.points && ref.group === ref.points,
        opacity: node ? Number(node.style.opacity) : (ref.mapLayer ? Number(ref.opacity) : null),
        z: node ? Number(node.style.zIndex) : null,
      };
    });
    return out;
  };

  /** [lat, lng] of the first point named ``name`` in a point layer (for tests), or null. */
  CW.userLayerPoint = function (id, name) {
    var ref = own(layers, String(id));
    if (!ref || !ref.points) return null;
    var i = ref.points.cwNames.indexOf(String(name));
    return i < 0 ? null : [ref.points._lat[i], ref.points._lon[i]];
  };
})();
