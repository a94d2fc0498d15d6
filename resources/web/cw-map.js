/*
 * cw-map.js — the commandwall map page (plain ES2017, no build step).
 *
 * The page (commandwall/mapdoc/page.py) is a fixed skeleton: this script makes the Leaflet map from the
 * numbers in its #cw-config block. Everything else arrives as JSON data over QWebChannel from
 * commandwall/ui/map/bridge.py (MapBridge, registered as "bridge"):
 *   JS -> Python  baseMaps() -> the base maps on offer and the one to show (setupBaseMaps),
 *                 staticLayers() -> the district boundary, towns, grids, roads, town labels (drawStatic),
 *                 then pageReady() once they are drawn; cameraClicked(id), incidentClicked(id),
 *                 layerDrawn(kind, count), baseMapChosen(id), baseMapFailing(id, failed, part),
 *                 baseMapRecovered(id, part), copyText(coordinates), cameraCard(id)
 *                 (the hovered camera's card), search(text), measure(request), pickCameras(shape),
 *                 camerasToWall(ids) (cw-tools.js, cw-select.js), unitDispatch(id), dispatchUnit(id, incident),
 *                 resourceDispatch(id), dispatchResource(id, incident) (the cards, cw-cards.js),
 *                 cameraDragStarted(id) (a camera point dragged: Qt runs the
 *                 drag, see cameraDrags)
 *   Python -> JS  signals carrying JSON text: camerasChanged (columns, see decodeCameras), incidentsChanged,
 *                 incidentsUpserted ([incidents], or {upsert: [incidents], remove: [ids]} when some go),
 *                 unitsChanged, unitsUpserted ({upsert: [units], remove: [ids]}), resourcesChanged, densityChanged,
 *                 warningsChanged, baseMapsChanged (the base maps, when they were opened after the page loaded),
 *                 command ({op: "flyTo"|"selectIncident"|"selectCameras"|"cameraDragEnded", ...})
 * Cameras are drawn by cw-points.js (one canvas, clusters), incidents by cw-incidents.js.
 *
 * Text from outside (layer titles, names) is always set with textContent, never as markup; tables keyed by
 * outside text are read with own() only, so a name such as "__proto__" or "constructor" is just a name.
 */
(function () {
  "use strict";

  var CW = (window.CW = Object.assign(window.CW || {}, { // the scripts before this one added to CW
    /**
     * cameraMarkers: "canvas" (default: one CW.PointLayer canvas for all cameras) or "leaflet" (an
     * L.circleMarker each on Leaflet's canvas renderer, the benchmark's yardstick). clustering: cameras drawn
     * as clusters below clusterMaxZoom. pulseMs: how long a new urgent incident's ring pulses.
     */
    options: {
      cameraMarkers: "canvas", fovMinZoom: 16, fovMaxCount: 1500, clustering: true, clusterMaxZoom: 14,
      pulseMs: 6400,
    },
    /** How long the last data set of a kind took in the page, ms (for the benchmark and diagnostics). */
    timings: {},
    /** Ids of the selected cameras (ringed on the map). */
    selectedCameras: [],
    map: null,
    bridge: null,
    ready: false,
  }));

  var PRIORITY_COLORS = CW.PRIORITY_COLORS;
  var PRIORITY_LABELS = CW.PRIORITY_LABELS;
  var CAMERA_COLORS = { online: "#30d158", offline: "#8e8e93" };
  /** A camera's status in its card; unknown: from the last known state while the platform is unreachable. */
  var STATUS_KEYS = { online: "camera_online", offline: "camera_offline", unknown: "camera_unknown" };
  var DEPARTMENT_COLORS = {
    "公安": "#0a84ff", "消防": "#ff453a", "卫健": "#ffffff", "城管": "#32ade6",
    "应急": "#ff9f0a", "交警": "#5e5ce6", "环保": "#30d158",
  };
  var RESOURCE_STYLES = { // the badge's character is the page's word for the type (CW.t)
    hospital: { glyph: CW.t("glyph_hospital"), color: "#ff375f" },
    fire_station: { glyph: CW.t("glyph_fire_station"), color: "#ff453a" },
    shelter: { glyph: CW.t("glyph_shelter"), color: "#30d158" },
    depot: { glyph: CW.t("glyph_depot"), color: "#bf5af2" },
  };

  var map = null;
  var fovRenderer = null;
  var staticRenderer = null; // one canvas for the district's own layers (boundary, towns, grids, roads)
  var cameraLayer = null; // CW.PointLayer of all cameras
  var groups = {};
  var incidents = null; // CW.Incidents of the map
  var density = null; // CW.Density: incidents per grid cell
  var warnings = null; // CW.Warnings: the active early warnings' areas (cw-warnings.js)
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

  /** Run fn once the map has painted and the district fit's zoom animation (if any) has ended — or after 1.5 s:
   * a view that is not being painted may never finish its CSS transition, and the page must still say ready. */
  function whenSettled(fn) {
    afterPaint(function () {
      if (!map._animatingZoom) return fn();
      var done = false;
      function settled() { if (!done) { done = true; afterPaint(fn); } }
      map.once("zoomend", settled);
      setTimeout(settled, 1500);
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

  /** A typed array from base64 of its little-endian bytes. */
  function typedArray(Type, b64) {
    var bin = atob(String(b64 || ""));
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Type(bytes.buffer, 0, Math.floor(bin.length / Type.BYTES_PER_ELEMENT));
  }

  /**
   * Cameras as columns (commandwall/mapdoc/payload.py camera_columns): {n, ids ("\n"-joined), lon, lat,
   * online, heading, fov, range (base64 typed arrays)} -> CW.cameras {n, ids, index (get(id) -> position), lon, lat,
   * online, ...}.
   */
  function decodeCameras(data) {
    var n = Number(own(data, "n")) || 0;
    var ids = n ? String(own(data, "ids")).split("\n") : [];
    var byId = null; // id -> position, made at the first look-up (a selection, a test), not for every data set
    var cams = {
      n: n, ids: ids,
      index: { get: function (id) {
        if (!byId) {
          byId = new Map();
          for (var k = 0; k < n; k++) byId.set(ids[k], k);
        }
        return byId.get(id);
      } },
      lon: typedArray(Float64Array, own(data, "lon")), lat: typedArray(Float64Array, own(data, "lat")),
      online: typedArray(Uint8Array, own(data, "online")),
      heading: typedArray(Float32Array, own(data, "heading")), fov: typedArray(Float32Array, own(data, "fov")),
      range: typedArray(Float32Array, own(data, "range")),
    };
    if (ids.length !== n || cams.lon.length !== n || cams.lat.length !== n || cams.online.length !== n) {
      throw new Error("camera columns of unequal length");
    }
    return cams;
  }

  function cameraTooltip(card) {
    var box = el("div", "cw-tip");
    box.appendChild(el("div", "cw-tip-title", card.name || card.id));
    var line = card.id + " · " + CW.t(STATUS_KEYS[card.status] || "camera_offline");
    box.appendChild(el("div", "cw-tip-line", card.town ? line + " · " + card.town : line));
    return box;
  }

  /** Cluster index (Supercluster) of the cameras, counting the online ones in each cluster. */
  function clusterIndex(cams) {
    if (typeof Supercluster !== "function") return null;
    var features = new Array(cams.n);
    for (var i = 0; i < cams.n; i++) {
      features[i] = { type: "Feature", properties: { i: i, first: cams.online[i] },
        geometry: { type: "Point", coordinates: [cams.lon[i], cams.lat[i]] } };
    }
    var index = new Supercluster({
      radius: 80, maxZoom: CW.options.clusterMaxZoom - 1, minPoints: 3, // 80 of 512 per tile: 40 px
      map: function (p) { return { first: p.first }; },
      reduce: function (acc, p) { acc.first += p.first; },
    });
    return index.load(features);
  }

  /** Plain Leaflet canvas circle markers, one layer each (the benchmark's yardstick, not used by the app). */
  function setLeafletCameras(cams) {
    groups.leafletCameras.clearLayers();
    var renderer = CW.leafletRenderer || (CW.leafletRenderer = L.canvas({ pane: "cw-cameras", padding: 0.3 }));
    for (var i = 0; i < cams.n; i++) {
      var online = cams.online[i] === 1;
      groups.leafletCameras.addLayer(L.circleMarker([cams.lat[i], cams.lon[i]], {
        renderer: renderer, radius: 4, weight: 1, color: "#0b1622",
        fillColor: online ? CAMERA_COLORS.online : CAMERA_COLORS.offline, fillOpacity: online ? 0.95 : 0.7,
      }));
    }
  }

  function setCameras(data) {
    var t0 = performance.now();
    var cams = (CW.cameras = decodeCameras(data));
    var t1 = performance.now();
    if (CW.options.cameraMarkers === "leaflet") {
      cameraLayer.setData(new Float64Array(0), new Float64Array(0), new Uint8Array(0));
      setLeafletCameras(cams);
    } else {
      groups.leafletCameras.clearLayers();
      var style = new Uint8Array(cams.n);
      for (var i = 0; i < cams.n; i++) style[i] = cams.online[i] ? 0 : 1;
      cameraLayer.options.clustering = CW.options.clustering;
      cameraLayer.setData(cams.lon, cams.lat, style, function () { return clusterIndex(cams); });
    }
    showSelectedCameras();
    drawFov();
    CW.timings.cameras = { decodeMs: t1 - t0, drawMs: performance.now() - t1 };
    reportDrawn("cameras", cams.n);
  }

  /** Field-of-view wedges (heading ± fov/2, range metres) for cameras in view, only when zoomed in. */
  function drawFov() {
    groups.fov.clearLayers();
    var cams = CW.cameras;
    if (!map || !cams || map.getZoom() < CW.options.fovMinZoom) return;
    var bounds = map.getBounds().pad(0.2);
    var drawn = 0;
    for (var i = 0; i < cams.n && drawn < CW.options.fovMaxCount; i++) {
      var lat = cams.lat[i], lon = cams.lon[i], range = cams.range[i];
      if (!bounds.contains([lat, lon]) || !(range > 0)) continue;
      var pts = [[lat, lon]];
      var fov = Math.min(Math.max(cams.fov[i] || 60, 5), 360);
      var heading = cams.heading[i];
      // thirteen points by count, not by adding a step to the angle: a huge heading (1e20) made the step vanish in
      // the float and the loop never ended
      for (var k = 0; k <= 12 && isFinite(heading); k++) {
        var rad = ((heading - fov / 2 + (k * fov) / 12) * Math.PI) / 180;
        pts.push([
          lat + (range * Math.cos(rad)) / 111320,
          lon + (range * Math.sin(rad)) / (111320 * Math.cos((lat * Math.PI) / 180)),
        ]);
      }
      groups.fov.addLayer(L.polygon(pts, {
        renderer: fovRenderer, interactive: false, weight: 1, opacity: 0.5, fillOpacity: 0.12,
        color: cams.online[i] ? CAMERA_COLORS.online : CAMERA_COLORS.offline,
      }));
      drawn += 1;
    }
  }

  /** Ring the selected cameras (CW.selectedCameras, ids) on the camera canvas. */
  function showSelectedCameras() {
    var cams = CW.cameras;
    if (!cams) return;
    var indices = [];
    CW.selectedCameras.forEach(function (id) {
      var i = cams.index.get(id);
      if (i !== undefined) indices.push(i);
    });
    cameraLayer.setHighlight(indices, "#ffffff");
  }

  /** Select cameras by id (ringed on the map); the last one is the current camera. */
  function selectCameras(ids) {
    CW.selectedCameras = ids.map(String);
    showSelectedCameras();
  }

  /** Pointer over the map: an incident's or camera's card as a tooltip, a hand over what can be clicked. */
  function pointerEvents() {
    var pending = null;
    var shown = null; // "i:ID" or "c:ID" of the card shown
    map.on("mousemove", function (e) {
      pending = e.containerPoint;
      requestAnimationFrame(function () {
        if (!pending) return;
        var p = pending;
        pending = null;
        var inc = incidents.hit(p);
        var hit = inc ? null : map.hasLayer(cameraLayer) ? cameraLayer.hit(p) : null;
        map.getContainer().classList.toggle("cw-over-camera", !!(inc || hit));
        var id = hit && hit.index !== undefined ? CW.cameras.ids[hit.index] : null;
        var key = inc ? "i:" + inc.id : id !== null ? "c:" + id : null;
        if (key === shown) return;
        shown = key;
        map.closeTooltip(hoverTip);
        incidents.hover(inc);
        if (id === null || !CW.bridge || typeof CW.bridge.cameraCard !== "function") return;
        var at = L.latLng(CW.cameras.lat[hit.index], CW.cameras.lon[hit.index]);
        CW.bridge.cameraCard(id, function (json) {
          if (shown !== key || !json) return;
          hoverTip.setLatLng(at).setContent(cameraTooltip(JSON.parse(json)));
          map.openTooltip(hoverTip);
        });
      });
    });
    map.on("mouseout", function () { shown = null; map.closeTooltip(hoverTip); incidents.hover(null); });
    map.on("click", function (e) {
      if (CW.tools && CW.tools.busy()) return;
      if (cameraDragged) { cameraDragged = false; return; } // the press became a drag onto the wall
      var inc = incidents.hit(e.containerPoint);
      if (inc) {
        callBridge("incidentClicked", inc.id);
        return;
      }
      var hit = map.hasLayer(cameraLayer) ? cameraLayer.hit(e.containerPoint) : null;
      if (!hit) return;
      if (hit.cluster) {
        var c = hit.cluster.geometry.coordinates;
        var zoom = Math.min(cameraLayer.clusterIndex().getClusterExpansionZoom(hit.cluster.properties.cluster_id),
          CW.options.clusterMaxZoom);
        map.flyTo([c[1], c[0]], Math.max(zoom, map.getZoom() + 1), { duration: 0.6 });
        return;
      }
      var id = CW.cameras.ids[hit.index];
      selectCameras([id]);
      callBridge("cameraClicked", id);
    });
  }

  /** Pixels the pointer moves, button held, from a press on a camera point before the camera is dragged. */
  var CAMERA_DRAG_PX = 6;
  var cameraPress = null; // {id, x, y} while the button is held on a camera point
  var cameraDragged = false; // the last press became a drag: its click (if any arrives) selects nothing

  function endCameraPress() {
    if (!cameraPress) return;
    cameraPress = null;
    map.dragging.enable();
  }

  /**
   * A camera point dragged onto the wall. HTML5 drag data of a custom type reaches Qt widgets only inside
   * Chromium's own "chromium/x-web-custom-data" (a pickle of UTF-16 type/value pairs; seen with QtWebEngine 6.11
   * on X11), never as that type, so the page does not drag: a press on a camera point keeps the map from panning,
   * and once the pointer has moved CAMERA_DRAG_PX with the button held the page tells Python
   * (cameraDragStarted(id)), which runs a real Qt drag carrying the camera id as the camera list does and
   * answers with the command cameraDragEnded. A press on a cluster or an incident pans the map as before.
   */
  function cameraDrags() {
    var container = map.getContainer();
    container.addEventListener("mousedown", function (e) {
      endCameraPress();
      cameraDragged = false;
      if (e.button !== 0 || (CW.tools && CW.tools.busy()) || !map.hasLayer(cameraLayer) || !CW.cameras) return;
      var p = map.mouseEventToContainerPoint(e);
      if (incidents.hit(p)) return;
      var hit = cameraLayer.hit(p);
      if (!hit || hit.index === undefined) return;
      cameraPress = { id: CW.cameras.ids[hit.index], x: e.clientX, y: e.clientY };
      map.dragging.disable(); // before Leaflet's own mousedown handler (this one listens in the capture phase)
    }, true);
    document.addEventListener("mousemove", function (e) {
      if (!cameraPress) return;
      if (!(e.buttons & 1)) { endCameraPress(); return; } // released where the page did not see it
      if (cameraPress.dragging) return;
      if (Math.abs(e.clientX - cameraPress.x) + Math.abs(e.clientY - cameraPress.y) < CAMERA_DRAG_PX) return;
      cameraPress.dragging = true; // the map stays still until Python says the drag ended
      cameraDragged = true;
      callBridge("cameraDragStarted", cameraPress.id);
    }, true);
    document.addEventListener("mouseup", function () {
      if (cameraPress && !cameraPress.dragging) endCameraPress();
    }, true);
  }

  var areaMark = null;

  /** Fly to a search result and select it as a click would (the app follows the click; a unit's card opens). */
  function goTo(hit) {
    CW.lastSearchHit = hit;
    flight += 1;
    if (areaMark) map.removeLayer(areaMark);
    areaMark = null;
    if (hit.kind === "incident") {
      incidents.select(hit.id);
      callBridge("incidentClicked", hit.id);
    } else if (hit.bounds) {
      map.flyToBounds(hit.bounds, { padding: [40, 40], duration: 0.8 });
      areaMark = L.rectangle(hit.bounds, {
        color: "#4fc3f7", weight: 2, dashArray: "6 4", fill: false, interactive: false, pane: "cw-sketch",
      })
        .addTo(map);
    } else {
      map.flyTo([hit.lat, hit.lon], Math.max(map.getZoom(), 17), { duration: 0.8 });
      if (hit.kind === "camera") {
        selectCameras([hit.id]);
        callBridge("cameraClicked", hit.id);
      } else if (hit.kind === "unit") {
        map.closePopup();
        selectUnitAfterFlight(String(hit.id));
      }
    }
  }

  // ---------------------------------------------------------------- incidents (cw-incidents.js)

  function setIncidents(list) {
    incidents.set(list);
    reportDrawn("incidents", list.length);
  }

  function selectIncident(id) {
    incidents.select(id);
  }

  // ---------------------------------------------------------------- units and resources

  var unitsById = new Map(); // id -> the unit as last drawn (for a search hit's card)
  var unitStaleMinutes = 5; // a unit silent for longer is drawn faded (the page's config says how long)
  var flight = 0; // the latest search flight: a card waiting for an earlier one is not opened

  var unitMarkers = new Map(); // id -> its L.marker (marker.cwUnit: the id)

  function unitIcon(u) {
    var badge = el("span", "cw-unit-badge");
    badge.style.background = own(DEPARTMENT_COLORS, u.department) || "#c7c7cc";
    return L.divIcon({
      className: "cw-unit cw-unit-" + u.status + (u.stale ? " cw-unit-stale" : ""), iconSize: [12, 12],
      html: badge,
    });
  }

  function unitTip(u) {
    var tip = el("div", "cw-tip");
    tip.appendChild(el("div", "cw-tip-title", u.name));
    tip.appendChild(el("div", "cw-tip-line", (u.department_label || u.department) + " · " + u.status_label));
    if (u.stale) tip.appendChild(el("div", "cw-tip-line cw-stale", CW.t("unit_stale", { age: u.report_age })));
    return tip;
  }

  /** Whether two copies of a unit differ in what its icon (icon) or its tooltip (tip) shows. */
  function unitDiffers(a, b, what) {
    var keys = what === "icon" ? ["status", "stale", "department"]
      : ["name", "department", "department_label", "status_label", "stale", "report_age"];
    for (var i = 0; i < keys.length; i++) if (a[keys[i]] !== b[keys[i]]) return true;
    return false;
  }

  /** Draw one unit: a new marker for a unit not on the map; for one that is, its marker moved, its icon and
   * tooltip made again only when what they show changed. Returns the marker. */
  function drawUnit(u) {
    var marker = unitMarkers.get(u.id);
    var before = unitsById.get(u.id);
    unitsById.set(u.id, u);
    if (!marker) {
      marker = L.marker([u.lat, u.lon], { keyboard: false, icon: unitIcon(u) });
      marker.bindTooltip(unitTip(u), { direction: "top", offset: [0, -6] });
      marker.on("click", function () {
        marker.closeTooltip();
        var now = unitsById.get(marker.cwUnit);
        if (now) CW.cards.unit(now);
      });
      marker.cwUnit = u.id;
      unitMarkers.set(u.id, marker);
      groups.units.addLayer(marker);
      return marker;
    }
    var at = marker.getLatLng();
    if (at.lat !== u.lat || at.lng !== u.lon) marker.setLatLng([u.lat, u.lon]);
    if (!before || unitDiffers(before, u, "icon")) marker.setIcon(unitIcon(u));
    if (!before || unitDiffers(before, u, "tip")) marker.setTooltipContent(unitTip(u));
    CW.cards.unitChanged(u);
    return marker;
  }

  function removeUnit(id) {
    var marker = unitMarkers.get(id);
    if (marker) groups.units.removeLayer(marker);
    unitMarkers.delete(id);
    unitsById.delete(id);
  }

  /** The whole set of units (login, the last known state): markers of units still there are kept. */
  function setUnits(list) {
    var t0 = performance.now();
    var present = new Set(list.map(function (u) { return u.id; }));
    Array.from(unitMarkers.keys()).forEach(function (id) { if (!present.has(id)) removeUnit(id); });
    list.forEach(drawUnit);
    markSelectedUnit();
    CW.timings.units = { drawMs: performance.now() - t0, count: list.length };
    reportDrawn("units", list.length);
  }

  /** Units changed since the last message ({upsert: [units], remove: [ids]}): only their markers change. */
  function upsertUnits(change) {
    var t0 = performance.now();
    (change.remove || []).forEach(removeUnit);
    var id = CW.selectedUnit || null;
    (change.upsert || []).forEach(function (u) {
      var node = drawUnit(u).getElement();
      if (node) node.classList.toggle("cw-unit-selected", u.id === id);
    });
    if (id !== null && !unitMarkers.has(id)) markSelectedUnit();
    var count = (change.upsert || []).length + (change.remove || []).length;
    CW.timings.units = { drawMs: performance.now() - t0, count: count };
    reportDrawn("units", count);
  }

  /** The unit whose card is open is the selected one: its marker is ringed (and again after each redraw). */
  function markSelectedUnit() {
    var shown = CW.cards ? CW.cards.shown() : null;
    var id = shown && shown.kind === "unit" ? shown.id : null;
    CW.selectedUnit = id;
    groups.units.eachLayer(function (m) {
      var node = m.getElement();
      if (node) node.classList.toggle("cw-unit-selected", m.cwUnit === id);
    });
  }

  /** Select a unit found by the search box: its card opens once the flight there has ended (a card opened
   * during the flight would pan the map and stop it), or after 1.5 s whatever happens. */
  function selectUnitAfterFlight(id) {
    var mine = ++flight;
    var done = false;
    function select() {
      if (done || mine !== flight) return;
      done = true;
      var u = unitsById.get(id);
      if (u) CW.cards.unit(u);
    }
    map.once("moveend", select);
    setTimeout(select, 1500);
  }

  function setResources(list) {
    groups.resources.clearLayers();
    list.forEach(function (r) {
      var style = own(RESOURCE_STYLES, r.type) || { glyph: CW.t("glyph_resource"), color: "#8e8e93" };
      var badge = el("span", "cw-resource-badge", style.glyph);
      badge.style.borderColor = style.color;
      badge.style.color = style.color;
      var marker = L.marker([r.lat, r.lon], {
        keyboard: false,
        icon: L.divIcon({ className: "cw-resource", iconSize: [16, 16], html: badge }),
      });
      var state = CW.resourceStatus(r);
      if (state.status === "maintenance" || state.status === "unavailable") badge.classList.add("cw-resource-off");
      var tip = el("div", "cw-tip");
      tip.appendChild(el("div", "cw-tip-title", r.name));
      var line = r.type_label + (r.capacity != null ? " · " + CW.t("resource_capacity", { capacity: r.capacity }) : "");
      tip.appendChild(el("div", "cw-tip-line", line + " · " + state.text));
      marker.bindTooltip(tip, { direction: "top", offset: [0, -8] });
      marker.on("click", function () { marker.closeTooltip(); CW.cards.resource(r); });
      marker.cwResource = r.id;
      groups.resources.addLayer(marker);
    });
    reportDrawn("resources", list.length);
  }

  // ---------------------------------------------------------------- base maps, coordinates

  // A base map whose tiles keep failing (server down, a wrong address, HTML instead of images) or never come (a
  // server that accepts and never answers: Chromium never gives up on such a request) must not read as "still
  // loading". Each tile layer (a base map, and its label overlay apart) is watched on its own: a tile not loaded
  // within TILE_TIMEOUT_MS counts as failed (and its request is dropped); a run of TILE_FAILURES_SAID failures, or
  // every requested tile failed and none loaded, makes the layer failing: a banner on the map says so until a
  // tile loads again, the desk is told once, and the layer asks for its tiles again after a growing pause.
  var TILE_FAILURES_SAID = 6;
  var TILE_TIMEOUT_MS = 15000;
  var TILE_RETRY_MS = [5000, 10000, 20000, 40000, 60000];
  var tileWatches = []; // [{layer, id, title, part, failed, pending, loaded, failing, retries, timer}]
  var tileBanner = null; // the on-map warning (a box of text lines), made on the first failure

  function showTileTrouble() {
    if (!map) return;
    var failing = tileWatches.filter(function (w) { return w.failing && map.hasLayer(w.layer); });
    if (!tileBanner) {
      if (!failing.length) return;
      tileBanner = el("div", "cw-tile-banner");
      tileBanner.setAttribute("role", "alert");
      map.getContainer().appendChild(tileBanner);
    }
    tileBanner.textContent = "";
    failing.forEach(function (w) {
      var key = w.part === "labels" ? "base_map_labels_failing" : "base_map_failing";
      tileBanner.appendChild(el("div", "cw-tile-banner-line", CW.t(key, { title: w.title })));
    });
    tileBanner.style.display = failing.length ? "" : "none";
  }

  function stopRetrying(watch) {
    if (watch.timer !== null) clearTimeout(watch.timer);
    watch.timer = null;
  }

  /** Ask the failing layer for its tiles again after the next pause (5 s, 10 s … then every 60 s). */
  function scheduleRetry(watch) {
    stopRetrying(watch);
    var pause = TILE_RETRY_MS[Math.min(watch.retries, TILE_RETRY_MS.length - 1)];
    watch.retries += 1;
    watch.timer = setTimeout(function () {
      watch.timer = null;
      if (!watch.failing || !map.hasLayer(watch.layer)) return;
      watch.failed = 0;
      watch.loaded = 0;
      watch.layer.redraw();
      scheduleRetry(watch);
    }, pause);
  }

  function tileFailed(watch) {
    tileStats.errors += 1;
    watch.failed += 1;
    if (watch.failing) return;
    if (watch.failed >= TILE_FAILURES_SAID || (watch.pending.size === 0 && watch.loaded === 0)) {
      watch.failing = true;
      showTileTrouble();
      callBridge("baseMapFailing", watch.id, watch.failed, watch.part);
      scheduleRetry(watch);
    }
  }

  function tileLoaded(watch) {
    tileStats.loaded += 1;
    watch.failed = 0;
    watch.loaded += 1;
    if (!watch.failing) return;
    watch.failing = false;
    watch.retries = 0;
    stopRetrying(watch);
    showTileTrouble();
    callBridge("baseMapRecovered", watch.id, watch.part);
  }

  /** The tile's watch ends (loaded, failed, dropped by a pan or zoom): its time limit goes. */
  function settle(watch, tile) {
    var timer = watch.pending.get(tile);
    if (timer === undefined) return false;
    clearTimeout(timer);
    watch.pending.delete(tile);
    return true;
  }

  function countTiles(layer, id, title, part) {
    var watch = {
      layer: layer, id: id, title: title, part: part, failed: 0, pending: new Map(), loaded: 0,
      failing: false, retries: 0, timer: null,
    };
    tileWatches.push(watch);
    layer.on("tileloadstart", function (e) {
      tileStats.started += 1;
      var tile = e.tile;
      settle(watch, tile);
      watch.pending.set(tile, setTimeout(function () {
        if (!settle(watch, tile)) return;
        tile.cwTimedOut = true;
        tile.src = L.Util.emptyImageUrl; // drops the request: its connection is free for the next try
        tileFailed(watch);
      }, CW.options.tileTimeoutMs || TILE_TIMEOUT_MS));
    });
    layer.on("tileload", function (e) {
      if (e.tile.cwTimedOut) return; // the empty image put in place of a tile that never came
      settle(watch, e.tile);
      tileLoaded(watch);
    });
    layer.on("tileerror", function (e) {
      if (e.tile.cwTimedOut) return;
      settle(watch, e.tile);
      tileFailed(watch);
    });
    layer.on("tileabort tileunload", function (e) { settle(watch, e.tile); });
    layer.on("add", function () { watch.loaded = 0; watch.failed = 0; });
    layer.on("remove", function () { // another base map chosen: this one starts afresh when it is back
      watch.pending.forEach(function (timer) { clearTimeout(timer); });
      watch.pending.clear();
      stopRetrying(watch);
      watch.failing = false;
      watch.retries = 0;
      showTileTrouble();
    });
    return layer;
  }

  function tileLayer(url, item, part) {
    var options = {
      minZoom: 0, maxZoom: 19, maxNativeZoom: item.maxNativeZoom, minNativeZoom: item.minNativeZoom,
      keepBuffer: 1, crossOrigin: false,
    };
    if (item.subdomains) options.subdomains = String(item.subdomains);
    if (item.bounds) options.bounds = item.bounds;
    return countTiles(L.tileLayer(String(url), options), String(item.id), String(item.title), part);
  }

  /**
   * The base maps from MapBridge.baseMaps (commandwall/geo/basemaps.py BaseMapCatalogue.page_payload):
   * {items: [{id, title, url, overlay?, subdomains, minNativeZoom?, maxNativeZoom, bounds?}], none, selected}.
   */
  function setupBaseMaps(data) {
    baseLayers.forEach(function (ref) { map.removeLayer(ref.layer); });
    baseLayers = [];
    tileWatches = [];
    (own(data, "items") || []).forEach(function (item) {
      var parts = [tileLayer(item.url, item, "tiles")];
      if (item.overlay) parts.push(tileLayer(item.overlay, item, "labels"));
      baseLayers.push({ id: String(item.id), title: String(item.title), layer: L.layerGroup(parts) });
    });
    var none = own(data, "none") || { id: "none", title: CW.t("no_base_map") };
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
    var text = "WGS84 " + CW.number(latlng.lng, 6, false) + "°E " + CW.number(latlng.lat, 6, false) + "°N";
    if (typeof proj4 === "function") {
      var xy = proj4("WGS84", GK_4548, [latlng.lng, latlng.lat]);
      text += " · CGCS2000 GK 4548 E " + CW.number(xy[0], 1, false) + " N " + CW.number(xy[1], 1, false);
    }
    return text;
  }

  /** Readout of the point under the cursor; a click on it copies the text (through the bridge). */
  function addCoordinateReadout() {
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var box = el("div", "cw-coords leaflet-control", CW.t("coords_hint"));
      box.title = CW.t("coords_copy");
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
    } else if (cmd.op === "selectCameras") {
      selectCameras(cmd.ids || []);
    } else if (cmd.op === "cameraDragEnded") {
      endCameraPress();
    } else {
      console.warn("cw-map: unknown command " + cmd.op);
    }
  }

  var LEGEND_FOLDED_BELOW = 760; // px of map height: a smaller map starts with its legend folded

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
      // the title folds the legend away (▸) and back (▾): on a small map it starts folded, not covering a
      // third of the district
      var title = el("div", "cw-legend-title", CW.t("legend_title"));
      title.setAttribute("role", "button");
      title.setAttribute("tabindex", "0");
      function fold(folded) {
        box.classList.toggle("cw-legend-folded", folded);
        title.setAttribute("aria-expanded", String(!folded));
      }
      title.addEventListener("click", function () { fold(!box.classList.contains("cw-legend-folded")); });
      title.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); title.click(); }
      });
      fold(map.getSize().y < LEGEND_FOLDED_BELOW);
      box.appendChild(title);
      box.appendChild(legendRow("cw-dot", CAMERA_COLORS.online, CW.t("legend_camera_online")));
      box.appendChild(legendRow("cw-dot", CAMERA_COLORS.offline, CW.t("legend_camera_offline")));
      var cluster = legendRow("cw-dot cw-cluster", null, CW.t("legend_cluster"));
      cluster.firstChild.style.borderColor = CAMERA_COLORS.online;
      box.appendChild(cluster);
      [1, 2, 3, 4].forEach(function (p) {
        var label = CW.t("legend_incident", { priority: PRIORITY_LABELS[p] });
        box.appendChild(legendRow("cw-dot cw-ring", PRIORITY_COLORS[p], label));
      });
      box.appendChild(legendRow("cw-dot cw-ring", "#8e8e93", CW.t("legend_incident_closed")));
      var warningArea = legendRow("cw-square cw-warning-swatch", null, CW.t("legend_warning_area"));
      box.appendChild(warningArea);
      box.appendChild(legendRow("cw-diamond", DEPARTMENT_COLORS["公安"], CW.t("legend_units")));
      var staleLabel = CW.t("legend_units_stale", { minutes: String(unitStaleMinutes) });
      box.appendChild(legendRow("cw-diamond cw-diamond-stale", DEPARTMENT_COLORS["公安"], staleLabel));
      var resources = legendRow("cw-square", null, CW.t("legend_resources"));
      resources.firstChild.style.borderColor = RESOURCE_STYLES.hospital.color;
      box.appendChild(resources);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legend.addTo(map);
  }

  var pendingFit = null;

  function fitDistrict(bounds) {
    if (!bounds) return;
    if (pendingFit) map.off("resize", pendingFit); // a later fit replaces one still waiting for a size
    pendingFit = null;
    var size = map.getSize();
    if (size.x > 50 && size.y > 50) {
      map.fitBounds(bounds, { padding: [16, 16] });
      return;
    }
    // The view had no size yet (hidden widget): fit once it gets one.
    pendingFit = function () { pendingFit = null; fitDistrict(bounds); };
    map.once("resize", pendingFit);
  }

  function connectBridge() {
    if (typeof qt === "undefined" || !qt.webChannelTransport || typeof QWebChannel === "undefined") {
      console.info("cw-map: no Qt web channel; running stand-alone");
      return false;
    }
    new QWebChannel(qt.webChannelTransport, function (channel) {
      var bridge = (CW.bridge = channel.objects.bridge);
      if (typeof CW.onChannel === "function") CW.onChannel(channel); // cw-layers.js: the user's layers
      bridge.camerasChanged.connect(safely("cameras", setCameras));
      bridge.incidentsChanged.connect(safely("incidents", setIncidents));
      bridge.incidentsUpserted.connect(safely("incidents", function (data) {
        var list = Array.isArray(data) ? data : data.upsert || [];
        if (!Array.isArray(data) && data.remove && data.remove.length) incidents.removeMany(data.remove);
        if (list.length) incidents.upsertMany(list);
        reportDrawn("incidents", list.length);
      }));
      bridge.unitsChanged.connect(safely("units", setUnits));
      bridge.unitsUpserted.connect(safely("units", upsertUnits));
      bridge.resourcesChanged.connect(safely("resources", setResources));
      bridge.command.connect(safely("command", runCommand));
      bridge.densityChanged.connect(safely("density", function (data) {
        reportDrawn("density", density.set(data));
      }));
      bridge.warningsChanged.connect(safely("warnings", function (data) {
        warnings.set(data);
        reportDrawn("warnings", warnings.areas().length);
      }));
      bridge.baseMapsChanged.connect(safely("base maps", function (bases) { // opened after the page came up
        setupBaseMaps(bases);
        if (CW.ready) addLayerControl();
      }));
      bridge.baseMaps(function (bases) {
        safely("base maps", setupBaseMaps)(bases);
        bridge.staticLayers(function (json) {
          safely("static layers", drawStatic)(json);
          addLayerControl();
          whenSettled(function () {
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
    if (cameraLayer) {
      var st = cameraLayer.options.styles;
      cameraLayer.setStyles([L.extend({}, st[0], { fill: CAMERA_COLORS.online }),
        L.extend({}, st[1], { fill: CAMERA_COLORS.offline })]);
    }
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
        value: { glyph: (own(RESOURCE_STYLES, type) || { glyph: CW.t("glyph_resource") }).glyph, color: resources[type] },
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
          pane: "cw-static",
          renderer: staticRenderer,
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, { radius: 3, pane: "cw-static", renderer: staticRenderer });
          },
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
    control.addOverlay(groups.cameras, CW.t("layer_cameras"));
    control.addOverlay(groups.fov, CW.t("layer_fov"));
    control.addOverlay(groups.incidents, CW.t("layer_incidents"));
    control.addOverlay(density.layer, density.title);
    control.addOverlay(warnings.layer, warnings.title);
    control.addOverlay(groups.units, CW.t("layer_units"));
    control.addOverlay(groups.resources, CW.t("layer_resources"));
    CW.layerControl = control.addTo(map);
  }

  /** Makes the map from the page's numeric config {center: [lat, lon], zoom, bounds}, then connects. */
  CW.init = function (config) {
    unitStaleMinutes = config.unitStaleMinutes || 5;
    map = CW.map = L.map("cw-map", {
      center: config.center || [34.785, 117.315],
      zoom: config.zoom || 11,
      minZoom: 8,
      maxZoom: 19,
      zoomSnap: 0.25, // fit the district snugly on any monitor
      zoomDelta: 0.5,
      attributionControl: false,
    });
    // The district's static layers on one canvas in their own pane: above the base map (tiles 200), below the
    // layer tree's layers (410) and every thematic pane (density 420, warnings 425, cones 440, cameras 450,
    // incidents 460). A canvas, not SVG: with software GL, re-rasterising the towns' and district's filled
    // SVG paths after every pan cost more than all the points.
    map.createPane("cw-static").style.zIndex = 390;
    staticRenderer = L.canvas({ pane: "cw-static", padding: 0.1 });
    map.createPane("cw-fov").style.zIndex = 440;
    map.createPane("cw-cameras").style.zIndex = 450;
    fovRenderer = L.canvas({ pane: "cw-fov", padding: 0.3 });
    cameraLayer = CW.cameraLayer = new CW.PointLayer({
      pane: "cw-cameras", clusterMaxZoom: CW.options.clusterMaxZoom,
      styles: [
        { fill: CAMERA_COLORS.online, stroke: "#0b1622", fillOpacity: 0.95, radius: 4 },
        { fill: CAMERA_COLORS.offline, stroke: "#0b1622", fillOpacity: 0.7, radius: 4 },
      ],
    });
    groups.fov = L.featureGroup().addTo(map);
    groups.cameras = L.layerGroup([cameraLayer]).addTo(map);
    groups.leafletCameras = L.featureGroup().addTo(map);
    map.createPane("cw-incidents").style.zIndex = 460;
    map.createPane("cw-sketch").style.zIndex = 470; // measures and drawn selections, above every point
    incidents = CW.incidents = CW.Incidents(map, {
      pane: "cw-incidents", pulseMs: function () { return CW.options.pulseMs; },
      areaOf: function (id) { return warnings ? warnings.bounds(id) : null; }, // an early warning's area
    });
    groups.incidents = incidents.group.addTo(map);
    density = CW.density = CW.Density(map);
    warnings = CW.warnings = CW.Warnings(map);
    warnings.layer.addTo(map);
    groups.units = L.featureGroup().addTo(map);
    groups.resources = L.featureGroup().addTo(map);
    CW.groups = groups;

    hoverTip = L.tooltip({ direction: "top", offset: [0, -6] });
    pointerEvents();
    cameraDrags();
    map.on("zoomend moveend", drawFov);
    map.on("baselayerchange", function (e) {
      if (e.layer && e.layer.cwBaseMap) callBridge("baseMapChosen", e.layer.cwBaseMap);
    });

    CW.cards = CW.Cards(map, { bridge: function () { return CW.bridge; } });
    map.on("popupopen popupclose", markSelectedUnit);
    CW.search = CW.SearchBox(map, { bridge: function () { return CW.bridge; }, go: goTo });
    // one tool at a time: a measure started ends a shape being drawn; a shape started clears the measure
    CW.measure = CW.Measure(map, {
      bridge: function () { return CW.bridge; },
      started: function () { CW.selection.stop(); },
    });
    CW.selection = CW.Selection(map, {
      bridge: function () { return CW.bridge; }, select: selectCameras,
      started: function () { CW.measure.clear(); },
    });
    CW.tools = { busy: function () { return CW.measure.active() || CW.selection.active(); } };
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    addCoordinateReadout();
    addLegend();
    fitDistrict(config.bounds);
    if (!connectBridge()) addLayerControl();
  };

  /** Counts of what is drawn (for tests and diagnostics). */
  CW.stats = function () {
    return {
      cameras: CW.options.cameraMarkers === "leaflet" ? groups.leafletCameras.getLayers().length
        : CW.cameras ? CW.cameras.n : 0,
      camerasDrawn: cameraLayer ? cameraLayer.drawnCount() : 0,
      camerasVisited: cameraLayer ? cameraLayer.visitedCount() : 0,
      clusters: cameraLayer ? cameraLayer.clustersDrawn() : 0,
      cameraDrawMs: cameraLayer ? cameraLayer.lastDrawMs : 0,
      selectedCameras: CW.selectedCameras.slice(),
      pulsing: incidents ? incidents.pulsing() : 0,
      fov: groups.fov ? groups.fov.getLayers().length : 0,
      incidents: incidents ? incidents.count() : 0,
      units: groups.units ? groups.units.getLayers().length : 0,
      resources: groups.resources ? groups.resources.getLayers().length : 0,
      selectedIncident: incidents ? incidents.selected() : null,
      selectedUnit: CW.selectedUnit || null,
      warnings: warnings ? warnings.areas() : [],
      static: staticLayers.map(function (ref) {
        return { id: ref.id, kind: ref.kind, title: ref.title, count: ref.layer.getLayers().length, onMap: map.hasLayer(ref.layer) };
      }),
      townLabels: labelGroup ? labelGroup.getLayers().length : 0,
      zoom: map ? map.getZoom() : null,
      baseMap: map ? currentBaseMap() : null,
      baseMaps: baseLayers.map(function (ref) { return ref.id; }),
      tiles: { started: tileStats.started, loaded: tileStats.loaded, errors: tileStats.errors },
      failingTiles: tileWatches.filter(function (w) { return w.failing; }).map(function (w) { return w.id + ":" + w.part; }),
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

  /** Container pixel of an incident (for tests that click it), or null. */
  CW.incidentPoint = function (id) {
    var p = incidents.point(id);
    return p ? [p.x, p.y] : null;
  };

  /** Container pixel of a unit's or resource's marker (for tests that click it), or null. */
  CW.markerPoint = function (kind, id) {
    var found = null;
    if (kind === "unit") found = unitMarkers.get(id) || null;
    else groups.resources.eachLayer(function (m) { if (m.cwResource === id) found = m; });
    if (!found) return null;
    var p = map.latLngToContainerPoint(found.getLatLng());
    return [p.x, p.y];
  };

  /** Container pixel of a camera (for tests that click it). */
  CW.cameraPoint = function (id) {
    var i = CW.cameras ? CW.cameras.index.get(id) : undefined;
    if (i === undefined) return null;
    var p = map.latLngToContainerPoint([CW.cameras.lat[i], CW.cameras.lon[i]]);
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
