/*
 * cw-map.js — the commandwall map page (plain ES2017, no build step).
 *
 * The page (commandwall/mapdoc/page.py) is a fixed skeleton: this script makes the Leaflet map from the
 * numbers in its #cw-config block. Everything else arrives as JSON data over QWebChannel from
 * commandwall/ui/map/bridge.py (MapBridge, registered as "bridge"):
 *   JS -> Python  baseMaps() -> the base maps on offer and the one to show (setupBaseMaps),
 *                 staticLayers() -> the district boundary, towns, grids, roads, town labels (drawStatic),
 *                 then pageReady() once they are drawn; cameraClicked(id), incidentClicked(id),
 *                 layerDrawn(kind, count), baseMapChosen(id), copyText(coordinates)
 *   Python -> JS  signals carrying JSON text: camerasChanged, incidentsChanged, incidentUpserted,
 *                 unitsChanged, resourcesChanged, command ({op: "flyTo"|"selectIncident", ...})
 *
 * Text from outside (layer titles, names) is always set with textContent, never as markup; tables keyed by
 * outside text are read with own() only, so a name such as "__proto__" or "constructor" is just a name.
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
  var staticLayers = []; // [{id, kind, title, layer}] bottom to top
  var baseLayers = []; // [{id, title, layer}] in switcher order, "none" last
  var tileStats = { started: 0, loaded: 0, errors: 0 };
  /** CGCS2000 3-degree Gauss-Krüger, central meridian 117°E, no zone prefix (EPSG:4548). */
  var GK_4548 = "+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs";
  var labelGroup = null;

  // ---------------------------------------------------------------- helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** obj[key] if obj has it as its own property (never an inherited one such as "constructor"). */
  function own(obj, key) {
    return obj !== null && typeof obj === "object" && Object.prototype.hasOwnProperty.call(obj, key)
      ? obj[key] : undefined;
  }

  /** Run fn once the browser has painted (next frame, then a task), or after 500 ms in a hidden view. */
  function afterPaint(fn) {
    var done = false;
    function once() { if (!done) { done = true; fn(); } }
    requestAnimationFrame(function () { setTimeout(once, 0); });
    setTimeout(once, 500);
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
      badge.style.background = own(DEPARTMENT_COLORS, u.department) || "#c7c7cc";
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
      var style = own(RESOURCE_STYLES, r.type) || { glyph: "资", color: "#8e8e93" };
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

  // ---------------------------------------------------------------- base maps, coordinates

  function countTiles(layer) {
    layer.on("tileloadstart", function () { tileStats.started += 1; });
    layer.on("tileload", function () { tileStats.loaded += 1; });
    layer.on("tileerror", function () { tileStats.errors += 1; });
    return layer;
  }

  function tileLayer(url, item) {
    var options = {
      minZoom: 0, maxZoom: 19, maxNativeZoom: item.maxNativeZoom, minNativeZoom: item.minNativeZoom,
      keepBuffer: 1, crossOrigin: false,
    };
    if (item.subdomains) options.subdomains = String(item.subdomains);
    if (item.bounds) options.bounds = item.bounds;
    return countTiles(L.tileLayer(String(url), options));
  }

  /**
   * The base maps from MapBridge.baseMaps (commandwall/geo/basemaps.py BaseMapCatalogue.page_payload):
   * {items: [{id, title, url, overlay?, subdomains, minNativeZoom?, maxNativeZoom, bounds?}], none, selected}.
   */
  function setupBaseMaps(data) {
    baseLayers.forEach(function (ref) { map.removeLayer(ref.layer); });
    baseLayers = [];
    (own(data, "items") || []).forEach(function (item) {
      var parts = [tileLayer(item.url, item)];
      if (item.overlay) parts.push(tileLayer(item.overlay, item));
      baseLayers.push({ id: String(item.id), title: String(item.title), layer: L.layerGroup(parts) });
    });
    var none = own(data, "none") || { id: "none", title: "无底图" };
    baseLayers.push({ id: String(none.id), title: String(none.title), layer: L.layerGroup([]) });
    baseLayers.forEach(function (ref) { ref.layer.cwBaseMap = ref.id; });
    var selected = baseLayers.filter(function (ref) { return ref.id === own(data, "selected"); })[0];
    (selected || baseLayers[baseLayers.length - 1]).layer.addTo(map);
  }

  /** The chosen base map's id ("none" for 无底图). */
  function currentBaseMap() {
    for (var i = 0; i < baseLayers.length; i++) if (map.hasLayer(baseLayers[i].layer)) return baseLayers[i].id;
    return null;
  }

  function formatCoordinates(latlng) {
    var text = "WGS84 " + latlng.lng.toFixed(6) + "°E " + latlng.lat.toFixed(6) + "°N";
    if (typeof proj4 === "function") {
      var xy = proj4("WGS84", GK_4548, [latlng.lng, latlng.lat]);
      text += " · CGCS2000 GK 4548 E " + xy[0].toFixed(1) + " N " + xy[1].toFixed(1);
    }
    return text;
  }

  /** Readout of the point under the cursor; a click on it copies the text (through the bridge). */
  function addCoordinateReadout() {
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var box = el("div", "cw-coords leaflet-control", "移动鼠标查看坐标");
      box.title = "点击复制坐标";
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.on(box, "click", function () {
        if (CW.coordinates) {
          callBridge("copyText", CW.coordinates);
          box.classList.add("cw-copied");
          setTimeout(function () { box.classList.remove("cw-copied"); }, 600);
        }
      });
      return box;
    };
    control.addTo(map);
    var box = control.getContainer();
    map.on("mousemove", function (e) {
      CW.coordinates = formatCoordinates(e.latlng);
      box.textContent = CW.coordinates;
    });
    CW.readout = box;
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
      return false;
    }
    new QWebChannel(qt.webChannelTransport, function (channel) {
      var bridge = (CW.bridge = channel.objects.bridge);
      bridge.camerasChanged.connect(safely("cameras", setCameras));
      bridge.incidentsChanged.connect(safely("incidents", setIncidents));
      bridge.incidentUpserted.connect(safely("incident", function (inc) {
        upsertIncident(inc);
        reportDrawn("incident", 1);
      }));
      bridge.incidentsUpserted.connect(safely("incidents", function (list) {
        list.forEach(upsertIncident);
        reportDrawn("incidents", list.length);
      }));
      bridge.unitsChanged.connect(safely("units", setUnits));
      bridge.resourcesChanged.connect(safely("resources", setResources));
      bridge.command.connect(safely("command", runCommand));
      bridge.baseMaps(function (bases) {
        safely("base maps", setupBaseMaps)(bases);
        bridge.staticLayers(function (json) {
          safely("static layers", drawStatic)(json);
          addLayerControl();
          afterPaint(function () {
            CW.ready = true;
            bridge.pageReady();
          });
        });
      });
    });
    return true;
  }

  /** Colours from the layer manifest (cameras online/offline, unit departments, resource types). */
  function applyStyles(styles) {
    var cameras = own(styles, "cameras") || {};
    ["online", "offline"].forEach(function (status) {
      if (typeof own(cameras, status) === "string") CAMERA_COLORS[status] = cameras[status];
    });
    var units = own(styles, "units") || {};
    Object.keys(units).forEach(function (dept) {
      if (typeof units[dept] === "string") Object.defineProperty(DEPARTMENT_COLORS, dept, {
        value: units[dept], enumerable: true, configurable: true, writable: true,
      });
    });
    var resources = own(styles, "resources") || {};
    Object.keys(resources).forEach(function (type) {
      if (typeof resources[type] !== "string") return;
      Object.defineProperty(RESOURCE_STYLES, type, {
        value: { glyph: (own(RESOURCE_STYLES, type) || { glyph: "资" }).glyph, color: resources[type] },
        enumerable: true, configurable: true, writable: true,
      });
    });
  }

  /** Style of one feature of a static layer: its road class, else its town's palette colour, else the base. */
  function featureStyle(ref) {
    return function (feature) {
      var props = (feature && feature.properties) || {};
      var byClass = own(ref.classes, props["class"]);
      if (byClass) return byClass;
      var fill = own(ref.palette, props.name);
      if (typeof fill === "string") return L.extend({}, ref.style, { fillColor: fill });
      return ref.style;
    };
  }

  /** A permanent town name label: a zero-size icon holding one text element (textContent, never HTML). */
  function townLabel(point) {
    return L.marker([point.lat, point.lon], {
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: "cw-town-label-icon", iconSize: [0, 0], html: el("div", "cw-town-label", point.name) }),
    });
  }

  /**
   * The static layers from MapBridge.staticLayers (commandwall/mapdoc/page.py static_layers_payload):
   * {layers: [{id, title, kind, style, palette?, classes?, data}], labels: {title, points}, bounds, styles}.
   */
  function drawStatic(data) {
    staticLayers.forEach(function (ref) { map.removeLayer(ref.layer); });
    staticLayers = [];
    if (labelGroup) map.removeLayer(labelGroup);
    labelGroup = null;
    applyStyles(own(data, "styles") || {});
    (own(data, "layers") || []).forEach(function (ref) {
      try {
        var layer = L.geoJSON(ref.data, {
          style: featureStyle(ref),
          interactive: false,
          pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, { radius: 3 }); },
        }).addTo(map);
        staticLayers.push({ id: String(ref.id), kind: String(ref.kind), title: String(ref.title), layer: layer });
      } catch (err) {
        console.error("cw-map: static layer " + JSON.stringify(String(ref.id)) + " not drawn: " + err);
      }
    });
    var labels = own(data, "labels");
    if (labels && labels.points && labels.points.length) {
      labelGroup = L.layerGroup(labels.points.map(townLabel)).addTo(map);
      labelGroup.cwTitle = String(labels.title);
    }
    fitDistrict(own(data, "bounds"));
  }

  /** Leaflet's layers control sets each name with innerHTML; this one sets it as text. */
  var TextLayersControl = L.Control.Layers.extend({
    _addItem: function (obj) {
      var label = L.Control.Layers.prototype._addItem.call(this, L.extend({}, obj, { name: "" }));
      label.firstChild.lastChild.textContent = " " + obj.name;
      return label;
    },
  });

  /** The on/off control: the base maps (one of them), the static layers (bottom to top), the town labels, then the data layers. */
  function addLayerControl() {
    if (CW.layerControl) map.removeControl(CW.layerControl);
    var control = new TextLayersControl(null, null, { collapsed: false, position: "topright", sortLayers: false });
    baseLayers.forEach(function (ref) { control.addBaseLayer(ref.layer, ref.title); });
    staticLayers.forEach(function (ref) { control.addOverlay(ref.layer, ref.title); });
    if (labelGroup) control.addOverlay(labelGroup, labelGroup.cwTitle);
    control.addOverlay(groups.cameras, "摄像头");
    control.addOverlay(groups.fov, "摄像头视域");
    control.addOverlay(groups.incidents, "事件");
    control.addOverlay(groups.units, "处置力量");
    control.addOverlay(groups.resources, "应急资源");
    CW.layerControl = control.addTo(map);
  }

  /** Makes the map from the page's numeric config {center: [lat, lon], zoom, bounds}, then connects. */
  CW.init = function (config) {
    map = CW.map = L.map("cw-map", {
      center: config.center || [34.785, 117.315],
      zoom: config.zoom || 11,
      minZoom: 8,
      maxZoom: 19,
      zoomSnap: 0.25, // fit the district snugly on any monitor
      zoomDelta: 0.5,
      attributionControl: false,
    });
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
    map.on("baselayerchange", function (e) {
      if (e.layer && e.layer.cwBaseMap) callBridge("baseMapChosen", e.layer.cwBaseMap);
    });

    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    addCoordinateReadout();
    addLegend();
    fitDistrict(config.bounds);
    if (!connectBridge()) addLayerControl();
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
      static: staticLayers.map(function (ref) {
        return { id: ref.id, kind: ref.kind, title: ref.title, count: ref.layer.getLayers().length, onMap: map.hasLayer(ref.layer) };
      }),
      townLabels: labelGroup ? labelGroup.getLayers().length : 0,
      zoom: map ? map.getZoom() : null,
      baseMap: map ? currentBaseMap() : null,
      baseMaps: baseLayers.map(function (ref) { return ref.id; }),
      tiles: { started: tileStats.started, loaded: tileStats.loaded, errors: tileStats.errors },
      center: map ? [map.getCenter().lng, map.getCenter().lat] : null,
    };
  };

  /** Show the base map ``id`` as if picked in the switcher (for tests); false if there is none. */
  CW.chooseBaseMap = function (id) {
    var input = null;
    var inputs = CW.layerControl ? CW.layerControl.getContainer().querySelectorAll("input.leaflet-control-layers-selector") : [];
    baseLayers.forEach(function (ref) {
      for (var i = 0; i < inputs.length; i++) {
        if (ref.id === id && inputs[i].layerId === L.stamp(ref.layer)) input = inputs[i];
      }
    });
    if (!input) return false;
    input.click();
    return true;
  };

  /** The Leaflet layer drawn for a static layer id (for tests and diagnostics), or null. */
  CW.staticLayer = function (id) {
    for (var i = 0; i < staticLayers.length; i++) if (staticLayers[i].id === id) return staticLayers[i].layer;
    return null;
  };

  /** Container pixel of a camera (for tests that click it). */
  CW.cameraPoint = function (id) {
    var layer = cameraLayers[id];
    if (!layer) return null;
    var p = map.latLngToContainerPoint(layer.getLatLng());
    return [p.x, p.y];
  };

  function start() {
    var config = {};
    try {
      config = JSON.parse(document.getElementById("cw-config").textContent);
    } catch (err) {
      console.error("cw-map: bad page config: " + err);
    }
    CW.init(config);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
