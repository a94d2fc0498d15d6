/*
 * cw-map.js — the commandwall map page (plain ES2017, no build step).
 *
 * The page is built by commandwall/mapdoc/page.py with folium: it draws the static district layers and then
 * calls CW.init(config) with the names of the Leaflet objects it made. Everything else arrives over
 * QWebChannel from commandwall/ui/map/bridge.py (MapBridge, registered as "bridge"):
 *   Python -> JS  signals carrying JSON text: camerasChanged, incidentsChanged, incidentUpserted,
 *                 unitsChanged, resourcesChanged, command ({op: "flyTo"|"selectIncident", ...})
 *   JS -> Python  slots: pageReady(), cameraClicked(id), incidentClicked(id), layerDrawn(kind, count)
 *
 * Text from the platform (names, titles) is always set with textContent, never as markup.
 */
(function () {
  "use strict";

  var CW = (window.CW = {
    /** "canvas" (default: one shared L.canvas renderer) or "dom" (L.marker, for the benchmark). */
    options: { cameraMarkers: "canvas", fovMinZoom: 16, fovMaxCount: 1500 },
    map: null,
    bridge: null,
    ready: false,
  });

  var PRIORITY_COLORS = { 1: "#ff3b30", 2: "#ff9500", 3: "#ffd60a", 4: "#64d2ff" };
  var PRIORITY_LABELS = { 1: "特急", 2: "紧急", 3: "一般", 4: "提示" };
  var CAMERA_COLORS = { online: "#30d158", offline: "#8e8e93" };
  var DEPARTMENT_COLORS = {
    "公安": "#0a84ff", "消防": "#ff453a", "卫健": "#ffffff", "城管": "#32ade6",
    "应急": "#ff9f0a", "交警": "#5e5ce6", "环保": "#30d158",
  };
  var RESOURCE_STYLES = {
    hospital: { glyph: "医", color: "#ff375f" },
    fire_station: { glyph: "消", color: "#ff453a" },
    shelter: { glyph: "避", color: "#30d158" },
    depot: { glyph: "储", color: "#bf5af2" },
  };
  var CLOSED_STATUSES = { resolved: true, closed: true };

  var map = null;
  var cameraRenderer = null;
  var groups = {};
  var cameraLayers = {}; // id -> Leaflet layer
  var cameraMode = null; // renderer mode of the layers in cameraLayers
  var incidentMarkers = {}; // id -> L.marker
  var selectedIncident = null;
  var hoverTip = null;

  // ---------------------------------------------------------------- helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function callBridge(method) {
    var args = Array.prototype.slice.call(arguments, 1);
    if (CW.bridge && typeof CW.bridge[method] === "function") CW.bridge[method].apply(CW.bridge, args);
  }

  /** Report to Python once the browser has painted what was just added (next frame, then a task). */
  function reportDrawn(kind, count) {
    requestAnimationFrame(function () {
      setTimeout(function () { callBridge("layerDrawn", kind, count); }, 0);
    });
  }

  function safely(name, fn) {
    return function (json) {
      try {
        fn(typeof json === "string" ? JSON.parse(json) : json);
      } catch (err) {
        console.error("cw-map: " + name + " failed: " + (err && err.stack ? err.stack : err));
      }
    };
  }

  // ---------------------------------------------------------------- cameras

  function cameraTooltip(c) {
    var box = el("div", "cw-tip");
    box.appendChild(el("div", "cw-tip-title", c.name || c.id));
    box.appendChild(el("div", "cw-tip-line", c.id + " · " + (c.status === "online" ? "在线" : "离线")));
    return box;
  }

  function cameraStyle(c) {
    var online = c.status === "online";
    return {
      renderer: cameraRenderer, radius: 4, weight: 1, color: "#0b1622",
      fillColor: online ? CAMERA_COLORS.online : CAMERA_COLORS.offline, fillOpacity: online ? 0.95 : 0.7,
    };
  }

  function makeCamera(c, mode) {
    var layer = mode === "dom"
      ? L.marker([c.lat, c.lon], { keyboard: false, title: "" })
      : L.circleMarker([c.lat, c.lon], cameraStyle(c));
    layer.cwCamera = c;
    return layer;
  }

  function setCameras(list) {
    var mode = CW.options.cameraMarkers === "dom" ? "dom" : "canvas";
    if (mode !== cameraMode) {
      groups.cameras.clearLayers();
      cameraLayers = {};
      cameraMode = mode;
    }
    var seen = {};
    for (var i = 0; i < list.length; i++) {
      var c = list[i];
      seen[c.id] = true;
      var layer = cameraLayers[c.id];
      if (!layer) {
        layer = cameraLayers[c.id] = makeCamera(c, mode);
        groups.cameras.addLayer(layer);
        continue;
      }
      var old = layer.cwCamera;
      layer.cwCamera = c;
      if (old.lat !== c.lat || old.lon !== c.lon) layer.setLatLng([c.lat, c.lon]);
      if (old.status !== c.status && mode === "canvas") layer.setStyle(cameraStyle(c));
    }
    Object.keys(cameraLayers).forEach(function (id) {
      if (!seen[id]) {
        groups.cameras.removeLayer(cameraLayers[id]);
        delete cameraLayers[id];
      }
    });
    drawFov();
    reportDrawn("cameras", list.length);
  }

  /** Field-of-view wedges (heading ± fov/2, range metres) for cameras in view, only when zoomed in. */
  function drawFov() {
    groups.fov.clearLayers();
    if (!map || map.getZoom() < CW.options.fovMinZoom) return;
    var bounds = map.getBounds().pad(0.2);
    var drawn = 0;
    Object.keys(cameraLayers).some(function (id) {
      var c = cameraLayers[id].cwCamera;
      if (!bounds.contains([c.lat, c.lon]) || !(c.range > 0)) return false;
      var pts = [[c.lat, c.lon]];
      var fov = Math.min(Math.max(c.fov || 60, 5), 360);
      for (var a = c.heading - fov / 2; a <= c.heading + fov / 2 + 0.01; a += fov / 12) {
        var rad = (a * Math.PI) / 180;
        pts.push([
          c.lat + (c.range * Math.cos(rad)) / 111320,
          c.lon + (c.range * Math.sin(rad)) / (111320 * Math.cos((c.lat * Math.PI) / 180)),
        ]);
      }
      groups.fov.addLayer(L.polygon(pts, {
        renderer: cameraRenderer, interactive: false, weight: 1, opacity: 0.5, fillOpacity: 0.12,
        color: c.status === "online" ? CAMERA_COLORS.online : CAMERA_COLORS.offline,
      }));
      drawn += 1;
      return drawn >= CW.options.fovMaxCount;
    });
  }

  // ---------------------------------------------------------------- incidents

  function incidentIcon(inc) {
    var closed = CLOSED_STATUSES[inc.status] === true;
    var cls = "cw-incident cw-priority-" + inc.priority + " cw-status-" + inc.status;
    if (inc.status === "new" && inc.priority <= 2) cls += " cw-pulse";
    if (closed) cls += " cw-closed";
    if (inc.id === selectedIncident) cls += " cw-selected";
    return L.divIcon({ className: cls, iconSize: [18, 18], html: '<span class="cw-incident-dot"></span>' });
  }

  function incidentTooltip(inc) {
    var box = el("div", "cw-tip cw-incident-tip");
    box.appendChild(el("div", "cw-tip-title", inc.title));
    box.appendChild(el("div", "cw-tip-line", (inc.category_label || inc.category) + " · " + inc.status_label));
    var meta = [PRIORITY_LABELS[inc.priority] || "", inc.town || ""].filter(Boolean).join(" · ");
    if (meta) box.appendChild(el("div", "cw-tip-line", meta));
    return box;
  }

  function upsertIncident(inc) {
    var marker = incidentMarkers[inc.id];
    if (!marker) {
      marker = incidentMarkers[inc.id] = L.marker([inc.lat, inc.lon], { icon: incidentIcon(inc), keyboard: false });
      marker.cwIncident = inc;
      marker.bindTooltip(incidentTooltip(inc), { direction: "top", offset: [0, -10] });
      groups.incidents.addLayer(marker);
      return marker;
    }
    marker.cwIncident = inc;
    marker.setLatLng([inc.lat, inc.lon]);
    marker.setIcon(incidentIcon(inc));
    marker.setTooltipContent(incidentTooltip(inc));
    marker.setZIndexOffset(inc.id === selectedIncident ? 1000 : 0);
    return marker;
  }

  function setIncidents(list) {
    var seen = {};
    list.forEach(function (inc) { seen[inc.id] = true; upsertIncident(inc); });
    Object.keys(incidentMarkers).forEach(function (id) {
      if (!seen[id]) {
        groups.incidents.removeLayer(incidentMarkers[id]);
        delete incidentMarkers[id];
      }
    });
    reportDrawn("incidents", list.length);
  }

  function selectIncident(id) {
    var previous = selectedIncident;
    selectedIncident = id;
    if (previous && incidentMarkers[previous]) upsertIncident(incidentMarkers[previous].cwIncident);
    var marker = incidentMarkers[id];
    if (!marker) return;
    upsertIncident(marker.cwIncident);
    map.flyTo(marker.getLatLng(), Math.max(map.getZoom(), 16), { duration: 0.8 });
    map.once("moveend", function () { if (selectedIncident === id) marker.openTooltip(); });
  }

  // ---------------------------------------------------------------- units and resources

  function setUnits(list) {
    groups.units.clearLayers();
    list.forEach(function (u) {
      var badge = el("span", "cw-unit-badge");
      badge.style.background = DEPARTMENT_COLORS[u.department] || "#c7c7cc";
      var marker = L.marker([u.lat, u.lon], {
        keyboard: false,
        icon: L.divIcon({ className: "cw-unit cw-unit-" + u.status, iconSize: [12, 12], html: badge }),
      });
      var tip = el("div", "cw-tip");
      tip.appendChild(el("div", "cw-tip-title", u.name));
      tip.appendChild(el("div", "cw-tip-line", u.department + " · " + u.status_label));
      marker.bindTooltip(tip, { direction: "top", offset: [0, -6] });
      groups.units.addLayer(marker);
    });
    reportDrawn("units", list.length);
  }

  function setResources(list) {
    groups.resources.clearLayers();
    list.forEach(function (r) {
      var style = RESOURCE_STYLES[r.type] || { glyph: "资", color: "#8e8e93" };
      var badge = el("span", "cw-resource-badge", style.glyph);
      badge.style.borderColor = style.color;
      badge.style.color = style.color;
      var marker = L.marker([r.lat, r.lon], {
        keyboard: false,
        icon: L.divIcon({ className: "cw-resource", iconSize: [16, 16], html: badge }),
      });
      var tip = el("div", "cw-tip");
      tip.appendChild(el("div", "cw-tip-title", r.name));
      var line = r.type_label + (r.capacity != null ? " · 容量 " + r.capacity : "");
      tip.appendChild(el("div", "cw-tip-line", line));
      marker.bindTooltip(tip, { direction: "top", offset: [0, -8] });
      groups.resources.addLayer(marker);
    });
    reportDrawn("resources", list.length);
  }

  // ---------------------------------------------------------------- commands, controls

  function runCommand(cmd) {
    if (cmd.op === "flyTo") {
      map.flyTo([cmd.lat, cmd.lon], cmd.zoom || 16, { duration: 0.8 });
    } else if (cmd.op === "selectIncident") {
      selectIncident(cmd.id);
    } else {
      console.warn("cw-map: unknown command " + cmd.op);
    }
  }

  function legendRow(swatchClass, color, label) {
    var row = el("div", "cw-legend-row");
    var swatch = el("span", "cw-legend-swatch " + swatchClass);
    if (color) swatch.style.background = color;
    row.appendChild(swatch);
    row.appendChild(el("span", null, label));
    return row;
  }

  function addLegend() {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = el("div", "cw-legend leaflet-control");
      box.appendChild(el("div", "cw-legend-title", "图例"));
      box.appendChild(legendRow("cw-dot", CAMERA_COLORS.online, "摄像头（在线）"));
      box.appendChild(legendRow("cw-dot", CAMERA_COLORS.offline, "摄像头（离线）"));
      [1, 2, 3, 4].forEach(function (p) {
        box.appendChild(legendRow("cw-dot cw-ring", PRIORITY_COLORS[p], "事件 · " + PRIORITY_LABELS[p]));
      });
      box.appendChild(legendRow("cw-dot cw-ring", "#8e8e93", "事件 · 已办结"));
      box.appendChild(legendRow("cw-diamond", DEPARTMENT_COLORS["公安"], "处置力量"));
      var resources = legendRow("cw-square", null, "应急资源");
      resources.firstChild.style.borderColor = RESOURCE_STYLES.hospital.color;
      box.appendChild(resources);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legend.addTo(map);
  }

  function fitDistrict(bounds) {
    if (!bounds) return;
    var size = map.getSize();
    if (size.x > 50 && size.y > 50) {
      map.fitBounds(bounds, { padding: [16, 16] });
      return;
    }
    // The view had no size yet (hidden widget): fit once it gets one.
    map.once("resize", function () { fitDistrict(bounds); });
  }

  function connectBridge() {
    if (typeof qt === "undefined" || !qt.webChannelTransport || typeof QWebChannel === "undefined") {
      console.info("cw-map: no Qt web channel; running stand-alone");
      return;
    }
    new QWebChannel(qt.webChannelTransport, function (channel) {
      var bridge = (CW.bridge = channel.objects.bridge);
      bridge.camerasChanged.connect(safely("cameras", setCameras));
      bridge.incidentsChanged.connect(safely("incidents", setIncidents));
      bridge.incidentUpserted.connect(safely("incident", function (inc) {
        upsertIncident(inc);
        reportDrawn("incident", 1);
      }));
      bridge.unitsChanged.connect(safely("units", setUnits));
      bridge.resourcesChanged.connect(safely("resources", setResources));
      bridge.command.connect(safely("command", runCommand));
      CW.ready = true;
      bridge.pageReady();
    });
  }

  /** Colours from the layer manifest (cameras online/offline, unit departments, resource types). */
  function applyStyles(styles) {
    Object.assign(CAMERA_COLORS, styles.cameras || {});
    Object.assign(DEPARTMENT_COLORS, styles.units || {});
    Object.keys(styles.resources || {}).forEach(function (type) {
      RESOURCE_STYLES[type] = { glyph: (RESOURCE_STYLES[type] || { glyph: "资" }).glyph, color: styles.resources[type] };
    });
  }

  /** Called by the folium-built page with {map, layers: [{id, title, kind, var}], labels, bounds, styles}. */
  CW.init = function (config) {
    applyStyles(config.styles || {});
    map = CW.map = window[config.map];
    map.setMinZoom(8);
    map.setMaxZoom(19);
    map.createPane("cw-cameras").style.zIndex = 450;
    cameraRenderer = CW.cameraRenderer = L.canvas({ pane: "cw-cameras", padding: 0.3 });
    groups.fov = L.featureGroup().addTo(map);
    groups.cameras = L.featureGroup().addTo(map);
    groups.incidents = L.featureGroup().addTo(map);
    groups.units = L.featureGroup().addTo(map);
    groups.resources = L.featureGroup().addTo(map);
    CW.groups = groups;

    hoverTip = L.tooltip({ direction: "top", offset: [0, -6] });
    groups.cameras.on("click", function (e) { callBridge("cameraClicked", e.layer.cwCamera.id); });
    groups.cameras.on("mouseover", function (e) {
      hoverTip.setLatLng(e.layer.getLatLng()).setContent(cameraTooltip(e.layer.cwCamera));
      map.openTooltip(hoverTip);
    });
    groups.cameras.on("mouseout", function () { map.closeTooltip(hoverTip); });
    groups.incidents.on("click", function (e) { callBridge("incidentClicked", e.layer.cwIncident.id); });
    map.on("zoomend moveend", drawFov);

    var overlays = {};
    (config.layers || []).forEach(function (ref) {
      if (window[ref.var]) overlays[escapeHtml(ref.title)] = window[ref.var];
    });
    if (config.labels && window[config.labels.var]) overlays[escapeHtml(config.labels.title)] = window[config.labels.var];
    overlays["摄像头"] = groups.cameras;
    overlays["摄像头视域"] = groups.fov;
    overlays["事件"] = groups.incidents;
    overlays["处置力量"] = groups.units;
    overlays["应急资源"] = groups.resources;
    CW.layerControl = L.control.layers(null, overlays, { collapsed: false, position: "topright" }).addTo(map);
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    addLegend();
    fitDistrict(config.bounds);
    connectBridge();
  };

  /** Counts of what is drawn (for tests and diagnostics). */
  CW.stats = function () {
    return {
      cameras: groups.cameras ? groups.cameras.getLayers().length : 0,
      fov: groups.fov ? groups.fov.getLayers().length : 0,
      incidents: groups.incidents ? groups.incidents.getLayers().length : 0,
      units: groups.units ? groups.units.getLayers().length : 0,
      resources: groups.resources ? groups.resources.getLayers().length : 0,
      selectedIncident: selectedIncident,
      zoom: map ? map.getZoom() : null,
      center: map ? [map.getCenter().lng, map.getCenter().lat] : null,
    };
  };

  /** Container pixel of a camera (for tests that click it). */
  CW.cameraPoint = function (id) {
    var layer = cameraLayers[id];
    if (!layer) return null;
    var p = map.latLngToContainerPoint(layer.getLatLng());
    return [p.x, p.y];
  };
})();
