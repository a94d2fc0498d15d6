/*
 * cw-incidents.js — incidents on the map (plain ES2017, no build step; after cw-points.js, before cw-map.js).
 *
 * All incidents are points of one CW.PointLayer canvas, styled by priority and state (new, being handled,
 * closed); the selected one gets a white ring and its card as a tooltip. A new urgent incident (特急/紧急)
 * also gets a small DOM ring that pulses for CW.options.pulseMs at most, and stops at once when it is
 * acknowledged (no longer new) or selected. The pulse moves in steps of PULSE.stepMs on one clock shared by
 * every ring (two frames a second, however many rings) for PULSE.movingMs, then the ring holds still; it is
 * not a CSS animation: where GL is software
 * (desks and virtual desktops without a GPU) each animated frame costs the whole view's composite, 60 a
 * second of them cost a third of a core or more, and an endless one costs it forever.
 * Titles are set with textContent only.
 */
(function () {
  "use strict";

  var CW = (window.CW = window.CW || {});
  var PRIORITY_COLORS = { 1: "#ff3b30", 2: "#ff9500", 3: "#ffd60a", 4: "#64d2ff" };
  var PRIORITY_LABELS = { 1: CW.t("priority_1"), 2: CW.t("priority_2"), 3: CW.t("priority_3"), 4: CW.t("priority_4") };
  var CLOSED = { resolved: true, closed: true, merged: true };
  var CLOSED_COLOR = "#8e8e93";

  /** Style index: 3 per priority 1..4 — new (dark rim), being handled (white rim), closed (grey). */
  function styleOf(inc) {
    var p = Math.min(Math.max(Number(inc.priority) || 3, 1), 4);
    var variant = CLOSED[inc.status] === true ? 2 : inc.status === "new" ? 0 : 1;
    return (p - 1) * 3 + variant;
  }

  function styles() {
    var out = [];
    [1, 2, 3, 4].forEach(function (p) {
      out.push({ fill: PRIORITY_COLORS[p], stroke: "#0b1622", fillOpacity: 1, radius: 6 });
      out.push({ fill: PRIORITY_COLORS[p], stroke: "#ffffff", fillOpacity: 1, radius: 6 });
      out.push({ fill: CLOSED_COLOR, stroke: "#0b1622", fillOpacity: 0.7, radius: 5 });
    });
    return out;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** The tooltip card of an incident (title, category and status, priority and town), text only. */
  function card(inc) {
    var box = el("div", "cw-tip cw-incident-tip");
    box.appendChild(el("div", "cw-tip-title", inc.title));
    box.appendChild(el("div", "cw-tip-line", (inc.category_label || inc.category) + " · " + inc.status_label));
    var meta = [PRIORITY_LABELS[inc.priority] || "", inc.town || ""].filter(Boolean).join(" · ");
    if (meta) box.appendChild(el("div", "cw-tip-line", meta));
    return box;
  }

  /**
   * The incidents of a map: CW.Incidents(map, {pane, pulseMs(), areaOf(id)?}) -> {group, set, upsertMany, select,
   * hit, ...}. ``group`` is what the layer control switches. areaOf(id) gives the L.LatLngBounds where an incident
   * applies when it has an area (an early warning's), else null: selecting it shows that area, not a street.
   */
  /** At most this many rings pulse at once; more new urgent incidents than this within pulseMs stop them all. */
  var MAX_PULSING = 3;

  /**
   * The pulse of a ring: every stepMs (on one clock for all rings) it takes the next of its steps, growing from
   * scale[0] to scale[1] and fading from opacity[0] to opacity[1], and starts again; after movingMs it holds
   * still (scale held, opacity 1) until pulseMs is over, drawing no frame.
   */
  var PULSE = { stepMs: 500, steps: 4, movingMs: 3200, scale: [0.7, 2.3], held: 1.4, opacity: [1, 0.25] };

  /**
   * The ring that marks an incident once the map has flown to it (selected, or 地图定位 again where the map already
   * is): it grows and fades in steps of stepMs, rounds times, then goes (a few frames, no CSS animation).
   */
  var LOCATE = { stepMs: 150, steps: 5, rounds: 2, scale: [0.6, 3], opacity: [1, 0.15] };
  /** The zoom an incident without an area is shown at (at least): its street. */
  var POINT_ZOOM = 16;

  CW.Incidents = function (map, options) {
    var layer = new CW.PointLayer({ pane: options.pane, clustering: false, padding: 0.1, styles: styles() });
    var pulses = L.layerGroup();
    var group = L.layerGroup([layer, pulses]);
    var list = []; // incidents in drawing order
    var index = new Map(); // id -> position in list
    var pulseMarkers = new Map(); // id -> L.marker of a running pulse (marker.cwStart, marker.cwUntil: ms)
    var ticker = null; // the timer of the rings' next step while any ring runs
    var pulseFrames = 0; // steps drawn since the page loaded (each one frame for the compositor)
    var seen = new Map(); // id -> when the page first saw it (ms)
    var urgentSeen = []; // when each new urgent incident was first seen (ms), oldest first, within pulseMs
    var selected = null;
    var tip = L.tooltip({ direction: "top", offset: [0, -8], className: "cw-incident-tooltip" });

    var cols = { lon: new Float64Array(0), lat: new Float64Array(0), style: new Uint8Array(0) }; // list's columns

    function highlightLater() {
      var at = selected !== null ? index.get(selected) : undefined;
      layer.setHighlight(at !== undefined ? [at] : null, "#ffffff", true);
    }

    /** Every incident drawn again from the list (a new list, or one that lost some). */
    function redraw() {
      var n = list.length;
      var cap = Math.max(64, n + (n >> 1)); // room for newcomers: upsertMany writes only what changed
      cols = { lon: new Float64Array(cap), lat: new Float64Array(cap), style: new Uint8Array(cap) };
      for (var i = 0; i < n; i++) {
        cols.lon[i] = list[i].lon;
        cols.lat[i] = list[i].lat;
        cols.style[i] = styleOf(list[i]);
      }
      highlightLater();
      layer.setData(cols.lon.subarray(0, n), cols.lat.subarray(0, n), cols.style.subarray(0, n));
    }

    /** Draw again after the incidents at ``at`` (positions in the list) changed or were appended: only they are
     * written into the columns and projected, so a batch costs what it changes, not the incidents held. */
    function redrawAt(at) {
      var n = list.length;
      if (cols.lon.length < n) {
        var cap = Math.max(64, n * 2);
        var grown = { lon: new Float64Array(cap), lat: new Float64Array(cap), style: new Uint8Array(cap) };
        grown.lon.set(cols.lon);
        grown.lat.set(cols.lat);
        grown.style.set(cols.style);
        cols = grown;
      }
      at.forEach(function (i) {
        cols.lon[i] = list[i].lon;
        cols.lat[i] = list[i].lat;
        cols.style[i] = styleOf(list[i]);
      });
      highlightLater();
      layer.changePoints(cols.lon.subarray(0, n), cols.lat.subarray(0, n), cols.style.subarray(0, n), at);
    }

    function stopPulse(id) {
      var marker = pulseMarkers.get(id);
      if (marker) pulses.removeLayer(marker);
      pulseMarkers.delete(id);
      if (!pulseMarkers.size && ticker !== null) {
        clearTimeout(ticker);
        ticker = null;
      }
    }

    function moving(marker, now) { return now - marker.cwStart < PULSE.movingMs; }

    /** Put a ring on the step it has reached at ``now`` (the steps counted from its start, rounded), or hold it
     * once it has moved for movingMs. Returns whether it changed. */
    function drawStep(marker, now) {
      var ring = marker.getElement() && marker.getElement().firstChild;
      if (!ring) return false;
      var step = moving(marker, now) ? Math.round((now - marker.cwStart) / PULSE.stepMs) % PULSE.steps : "held";
      if (marker.cwStep === step) return false;
      marker.cwStep = step;
      var scale = PULSE.held, opacity = 1;
      if (step !== "held") {
        var f = PULSE.steps > 1 ? step / (PULSE.steps - 1) : 0;
        scale = PULSE.scale[0] + f * (PULSE.scale[1] - PULSE.scale[0]);
        opacity = PULSE.opacity[0] + f * (PULSE.opacity[1] - PULSE.opacity[0]);
      }
      ring.style.transform = "scale(" + scale.toFixed(3) + ")";
      ring.style.opacity = opacity.toFixed(3);
      return true;
    }

    /** One step of every running ring, in one task (one frame); rings past their time go. The next step
     * is at the next multiple of stepMs, so rings started at different times still step together; when no
     * ring moves, the clock only wakes to take the next one away. */
    function tick() {
      ticker = null;
      var now = Date.now();
      var changed = false;
      Array.from(pulseMarkers.entries()).forEach(function (e) {
        if (now >= e[1].cwUntil) {
          stopPulse(e[0]);
          changed = true;
        }
      });
      pulseMarkers.forEach(function (marker) { changed = drawStep(marker, now) || changed; });
      if (changed) pulseFrames++;
      schedule(now);
    }

    function schedule(now) {
      if (ticker !== null || !pulseMarkers.size) return;
      var next = Infinity;
      pulseMarkers.forEach(function (marker) {
        if (moving(marker, now)) next = Math.min(next, now + PULSE.stepMs - (now % PULSE.stepMs));
        next = Math.min(next, Math.max(marker.cwUntil, now + 1));
      });
      ticker = setTimeout(tick, next - now);
    }

    /** More than MAX_PULSING new urgent incidents first seen within pulseMs: a storm (a flood night, a burst
     * from a system). Then no ring pulses: each animated frame is drawn again by the desk's (often software)
     * compositor, and in a storm the list, the alarm and the markers already say it. */
    function storm(now) {
      while (urgentSeen.length && now - urgentSeen[0] >= options.pulseMs()) urgentSeen.shift();
      return urgentSeen.length > MAX_PULSING;
    }

    /** Start, keep or stop the pulse of an incident (new, urgent, unselected, within pulseMs of first seen,
     * not in a storm). */
    function pulse(inc) {
      var now = Date.now();
      var urgent = inc.status === "new" && inc.priority <= 2;
      if (!seen.has(inc.id)) {
        seen.set(inc.id, now);
        if (urgent) urgentSeen.push(now);
      }
      var until = seen.get(inc.id) + options.pulseMs();
      if (storm(now)) {
        Array.from(pulseMarkers.keys()).forEach(stopPulse);
        return;
      }
      var wanted = urgent && inc.id !== selected && now < until;
      var marker = pulseMarkers.get(inc.id);
      if (!wanted) {
        stopPulse(inc.id);
        return;
      }
      if (marker) {
        marker.setLatLng([inc.lat, inc.lon]);
        return;
      }
      marker = L.marker([inc.lat, inc.lon], {
        interactive: false, keyboard: false,
        icon: L.divIcon({
          className: "cw-incident-pulse cw-pulse cw-priority-" + inc.priority, iconSize: [18, 18],
          html: '<div class="cw-pulse-ring"></div>',
        }),
      });
      marker.cwStart = now;
      marker.cwUntil = until;
      pulseMarkers.set(inc.id, marker);
      pulses.addLayer(marker);
      drawStep(marker, now);
      schedule(now);
    }

    function showCard(inc) {
      tip.setLatLng([inc.lat, inc.lon]).setContent(card(inc));
      map.openTooltip(tip);
    }

    var locator = null; // {marker, timer} of the locate ring shown
    var located = 0; // locate rings shown since the page loaded (tests, diagnostics)

    function stopLocating() {
      if (!locator) return;
      clearTimeout(locator.timer);
      map.removeLayer(locator.marker);
      locator = null;
    }

    /** The locate ring at an incident: its steps, then nothing. */
    function locate(inc) {
      stopLocating();
      located++;
      var marker = L.marker([inc.lat, inc.lon], {
        interactive: false, keyboard: false, pane: "markerPane",
        icon: L.divIcon({ className: "cw-incident-locate", iconSize: [24, 24], html: '<div class="cw-locate-ring"></div>' }),
      }).addTo(map);
      var step = 0;
      var total = LOCATE.steps * LOCATE.rounds;
      locator = { marker: marker, timer: null };
      function next() {
        if (step >= total) {
          stopLocating();
          return;
        }
        var ring = marker.getElement() && marker.getElement().firstChild;
        var f = (step % LOCATE.steps) / (LOCATE.steps - 1);
        if (ring) {
          ring.style.transform = "scale(" + (LOCATE.scale[0] + f * (LOCATE.scale[1] - LOCATE.scale[0])).toFixed(3) + ")";
          ring.style.opacity = (LOCATE.opacity[0] + f * (LOCATE.opacity[1] - LOCATE.opacity[0])).toFixed(3);
        }
        step++;
        locator.timer = setTimeout(next, LOCATE.stepMs);
      }
      next();
    }

    return {
      group: group,
      layer: layer,

      /** Replace all incidents. */
      set: function (items) {
        list = items.slice();
        index = new Map();
        list.forEach(function (inc, i) { index.set(inc.id, i); });
        Array.from(pulseMarkers.keys()).forEach(function (id) { if (!index.has(id)) stopPulse(id); });
        list.forEach(pulse);
        redraw();
      },

      /** Add or update several incidents (a burst): one redraw for all of them. */
      upsertMany: function (items) {
        var at = [];
        items.forEach(function (inc) {
          var i = index.get(inc.id);
          if (i === undefined) {
            i = list.length;
            index.set(inc.id, i);
            list.push(inc);
          } else {
            list[i] = inc;
          }
          at.push(i);
          pulse(inc);
          if (inc.id === selected && map.hasLayer(tip)) showCard(inc);
        });
        redrawAt(at);
      },

      /** Take incidents off by id (they left the dashboard's filter). */
      removeMany: function (ids) {
        var gone = new Set(ids.filter(function (id) { return index.has(id); }));
        if (!gone.size) return;
        list = list.filter(function (inc) { return !gone.has(inc.id); });
        index = new Map();
        list.forEach(function (inc, i) { index.set(inc.id, i); });
        gone.forEach(stopPulse);
        redraw();
      },

      /**
       * Select an incident: ring it, stop its pulse, fly there — to its whole area when it has one (an early
       * warning's), else to its street — then show its card and the locate ring (so that selecting it again, as
       * 地图定位 does, shows where it is even when the map is there already); null clears.
       */
      select: function (id) {
        selected = id;
        var i = id !== null ? index.get(id) : undefined;
        layer.setHighlight(i !== undefined ? [i] : null, "#ffffff"); // the points are as they were
        if (i === undefined) {
          stopLocating();
          return;
        }
        var inc = list[i];
        stopPulse(id);
        var arrived = function () {
          if (selected !== id || !index.has(id)) return;
          var shown = list[index.get(id)];
          showCard(shown);
          locate(shown);
        };
        var area = options.areaOf ? options.areaOf(id) : null;
        var here = map.latLngToContainerPoint([inc.lat, inc.lon]).distanceTo(map.getSize().divideBy(2)) < 2;
        if (area && area.isValid()) {
          map.flyToBounds(area.extend(L.latLng(inc.lat, inc.lon)), { padding: [40, 40], maxZoom: POINT_ZOOM,
            duration: 0.8 });
        } else if (here && map.getZoom() >= POINT_ZOOM) { // already there (地图定位 again): the ring at once
          arrived();
          return;
        } else {
          map.flyTo([inc.lat, inc.lon], Math.max(map.getZoom(), POINT_ZOOM), { duration: 0.8 });
        }
        map.once("moveend", arrived);
      },

      /** The incident under container point p, or null. */
      hit: function (p) {
        if (!map.hasLayer(group)) return null;
        var h = layer.hit(p);
        return h && h.index !== undefined ? list[h.index] : null;
      },

      /** Show (inc) or hide (null) the pointer's card. */
      hover: function (inc) {
        if (inc) showCard(inc);
        else if (selected === null || !map.hasLayer(tip)) map.closeTooltip(tip);
      },

      get: function (id) {
        var i = index.get(id);
        return i === undefined ? null : list[i];
      },
      count: function () { return list.length; },
      selected: function () { return selected; },
      pulsing: function () { return pulseMarkers.size; },
      /** Steps of the rings drawn since the page loaded: each is one frame to composite (tests, benchmarks). */
      pulseFrames: function () { return pulseFrames; },
      /** Locate rings shown since the page loaded, and whether one is showing (tests, diagnostics). */
      located: function () { return { count: located, showing: locator !== null }; },
      /** Whether the rings' clock is running (it stops with the last ring). */
      pulseTicking: function () { return ticker !== null; },
      /** Container pixel of an incident, or null. */
      point: function (id) {
        var i = index.get(id);
        return i === undefined ? null : layer.pointAt(i);
      },
    };
  };

  CW.Incidents.PULSE = PULSE;
  CW.Incidents.LOCATE = LOCATE;
  CW.PRIORITY_COLORS = PRIORITY_COLORS;
  CW.PRIORITY_LABELS = PRIORITY_LABELS;
})();
