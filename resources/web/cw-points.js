/*
 * cw-points.js — one canvas drawing many points from columnar data (plain ES2017, no build step).
 *
 * CW.PointLayer is a Leaflet layer with a single <canvas> that draws every point of typed arrays (longitude,
 * latitude, a style index per point) as a pre-rendered sprite. Positions are projected once per data set to
 * Web Mercator units (0..1); a redraw is a loop of drawImage calls over the points in view, so 100 000 points
 * cost one pass, not 100 000 Leaflet layers. The canvas takes no pointer events: the map's own mouse events
 * are hit-tested against what was drawn (CW.PointLayer.hit).
 *
 * The points are also kept in a KDBush index (npm "kdbush", loaded before this file), made at the first draw
 * whose view holds only part of them: a redraw zoomed in visits the points in view (plus the padding), not all
 * of them (lastVisited says how many it looked at).
 *
 * With a Supercluster index (npm "supercluster", loaded before this file) and zoom below clusterMaxZoom, the
 * layer draws clusters instead: a disc sized by the count, with the share of the first style (online) as an
 * arc around it, and the count as text. Clusters are hit-tested too (hit() returns {cluster: …}).
 */
(function () {
  "use strict";

  var CW = (window.CW = window.CW || {});
  var RAD = Math.PI / 180;

  /** Web Mercator of lon/lat in 0..1 units (x east, y south), as Leaflet's EPSG:3857 at zoom 0 / 256. */
  function mercator(lon, lat, out, i) {
    var s = Math.sin(Math.max(Math.min(lat, 85.0511287798), -85.0511287798) * RAD);
    out.x[i] = lon / 360 + 0.5;
    out.y[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }

  /** A disc sprite (fill, outline) for a point style, drawn at the device pixel ratio. */
  function sprite(style, ratio) {
    var r = style.radius;
    var size = Math.ceil((2 * r + 2) * ratio);
    var canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    var ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.beginPath();
    ctx.arc(r + 1, r + 1, r, 0, 2 * Math.PI);
    ctx.globalAlpha = style.fillOpacity;
    ctx.fillStyle = style.fill;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.lineWidth = 1;
    ctx.strokeStyle = style.stroke;
    ctx.stroke();
    // The sprite's pixels as a stamp: offsets from the centre and RGBA as one little-endian uint32 each.
    var data = ctx.getImageData(0, 0, size, size).data;
    var dx = [], dy = [], rgba = [];
    var c = (size - 1) / 2;
    for (var y = 0; y < size; y++) {
      for (var x = 0; x < size; x++) {
        var k = 4 * (y * size + x);
        if (data[k + 3] === 0) continue;
        dx.push(Math.round(x - c));
        dy.push(Math.round(y - c));
        rgba.push(((data[k + 3] << 24) | (data[k + 2] << 16) | (data[k + 1] << 8) | data[k]) >>> 0);
      }
    }
    return { canvas: canvas, half: r + 1, dx: Int32Array.from(dx), dy: Int32Array.from(dy), rgba: Uint32Array.from(rgba) };
  }

  /**
   * A sprite's pixels as offsets into a row of width W from the centre pixel, split into solid ones (alpha at
   * least half: drawn over anything) and the rim (only onto empty pixels); kept on the sprite per width.
   */
  function stampRows(sp, W) {
    if (sp.rows && sp.rows.width === W) return sp.rows;
    var solidAt = [], solid = [], rimAt = [], rim = [];
    for (var k = 0; k < sp.rgba.length; k++) {
      var at = sp.dy[k] * W + sp.dx[k];
      if (sp.rgba[k] >= 0x80000000) { solidAt.push(at); solid.push(sp.rgba[k]); }
      else { rimAt.push(at); rim.push(sp.rgba[k]); }
    }
    sp.rows = { width: W, solidAt: Int32Array.from(solidAt), solid: Uint32Array.from(solid),
      rimAt: Int32Array.from(rimAt), rim: Uint32Array.from(rim) };
    return sp.rows;
  }

  CW.PointLayer = L.Layer.extend({
    options: {
      pane: "overlayPane",
      /** styles[i] = {fill, stroke, fillOpacity, radius}; a point's style index picks one. */
      styles: [],
      /** Below this zoom, and with a cluster index, clusters are drawn instead of points. */
      clusterMaxZoom: 14,
      clustering: true,
      hitTolerance: 3,
      /** Drawn beyond the view on each side, as a share of its size, so a pan shows points before moveend. */
      padding: 0.15,
      /** A canvas in memory (not on the GPU): where GL is software, per-point and put calls cost far less. */
      cpuCanvas: false,
      /** Up to this many points in view are drawn with drawImage; more are stamped into one ImageData. */
      spriteMax: 3000,
    },

    initialize: function (options) {
      L.setOptions(this, options);
      this._n = 0;
      this._x = new Float64Array(0);
      this._y = new Float64Array(0);
      this._style = new Uint8Array(0);
      this._drawn = null; // indices drawn in the last pass (for hit tests)
      this._clusters = []; // clusters drawn in the last pass: {x, y, r, feature}
      this._index = null;
      this._highlight = null; // {indices: Int32Array|Array, color}
      this._kd = null; // KDBush of (x, y), made when a view first needs it
      this._bbox = null; // [minX, minY, maxX, maxY] of the points in Mercator units
      this.lastDrawMs = 0;
      this.lastVisited = 0; // points looked at by the last draw of points
      this.lastProjected = 0; // points projected by the last setData or changePoints
    },

    /**
     * Replace the points: lon/lat (Float64Array), style (Uint8Array), all of length n; makeIndex() returns
     * their Supercluster index (properties {i, first}), called the first time a zoom needs clusters.
     */
    setData: function (lon, lat, style, makeIndex) {
      var n = lon.length;
      var xy = { x: new Float64Array(n), y: new Float64Array(n) };
      var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (var i = 0; i < n; i++) {
        mercator(lon[i], lat[i], xy, i);
        var px = xy.x[i], py = xy.y[i];
        if (px < minX) minX = px;
        if (px > maxX) maxX = px;
        if (py < minY) minY = py;
        if (py > maxY) maxY = py;
      }
      this._bbox = n ? [minX, minY, maxX, maxY] : null;
      this.lastProjected = n;
      this._kd = null;
      this._n = n;
      this._x = xy.x;
      this._y = xy.y;
      this._lon = lon;
      this._lat = lat;
      this._style = style;
      this._index = null;
      this._makeIndex = makeIndex || null;
      this.redraw();
    },

    /**
     * Like setData for columns that changed only at ``indices`` (ascending or not; the columns may have grown, the
     * new points among them): only those points are projected again, so a few changes among many points cost what
     * they change, not what the layer holds. The spatial index is kept for the points it holds that did not move;
     * the points after them are looked at one by one until there are many (then it is made again). The columns
     * are held, not copied: the caller changes them only through this method. No clusters (setData for those).
     */
    changePoints: function (lon, lat, style, indices) {
      var n = lon.length;
      if (this._x.length < n) {
        var cap = Math.max(n, 2 * this._x.length, 64);
        var x = new Float64Array(cap), y = new Float64Array(cap);
        x.set(this._x.subarray(0, this._n));
        y.set(this._y.subarray(0, this._n));
        this._x = x;
        this._y = y;
      }
      var xy = { x: this._x, y: this._y };
      var b = this._bbox ? this._bbox.slice() : [Infinity, Infinity, -Infinity, -Infinity];
      var kdN = this._kd ? this._kdN : 0;
      for (var k = 0; k < indices.length; k++) {
        var i = indices[k];
        var oldX = xy.x[i], oldY = xy.y[i];
        mercator(lon[i], lat[i], xy, i);
        if (i < kdN && (xy.x[i] !== oldX || xy.y[i] !== oldY)) kdN = 0; // an indexed point moved
        if (xy.x[i] < b[0]) b[0] = xy.x[i];
        if (xy.x[i] > b[2]) b[2] = xy.x[i];
        if (xy.y[i] < b[1]) b[1] = xy.y[i];
        if (xy.y[i] > b[3]) b[3] = xy.y[i];
      }
      this._bbox = n ? b : null; // grows only: a moved point may leave it a little wide (a view is then looked
      // up in the index where a plain pass would do as well)
      if (!kdN) this._kd = null;
      this.lastProjected = indices.length;
      this._n = n;
      this._lon = lon;
      this._lat = lat;
      this._style = style;
      this._index = null;
      this._makeIndex = null;
      this.redraw();
    },

    /** New point styles (e.g. colours from the layer manifest); the sprites are made again. */
    setStyles: function (styles) {
      this.options.styles = styles;
      if (this._map) {
        this._sprites = styles.map(function (st) { return sprite(st, this._ratio); }, this);
        this.redraw();
      }
    },

    /** Change the style of point i (e.g. a camera going offline) without re-projecting. */
    setStyleAt: function (i, value) {
      this._style[i] = value;
    },

    /** True when the current zoom draws clusters (making the cluster index if it is not made yet). */
    clustered: function () {
      if (!this._map || !this.options.clustering || this._map.getZoom() >= this.options.clusterMaxZoom) return false;
      if (!this._index && this._makeIndex && this._n) {
        var t0 = performance.now();
        this._index = this._makeIndex();
        this._makeIndex = null;
        this.lastIndexMs = performance.now() - t0;
      }
      return !!this._index;
    },

    /** The cluster index, if one has been made. */
    clusterIndex: function () { return this._index; },

    /** Draw a ring around these points (indices), e.g. the cameras of a selection; null clears. */
    setHighlight: function (indices, color, later) {
      this._highlight = indices && indices.length ? { indices: indices, color: color || "#ffffff" } : null;
      if (!later) this.redraw(); // later: the caller draws next (one pass, not two)
    },

    onAdd: function (map) {
      var canvas = (this._canvas = L.DomUtil.create("canvas", "cw-points leaflet-zoom-animated"));
      canvas.style.pointerEvents = "none";
      this._ctx = canvas.getContext("2d", { willReadFrequently: !!this.options.cpuCanvas });
      this._w = this._h = null; // a new canvas: sized at the first reset
      this._image = null;
      this.getPane().appendChild(canvas);
      this._ratio = window.devicePixelRatio || 1;
      this._sprites = this.options.styles.map(function (s) { return sprite(s, this._ratio); }, this);
      this._reset();
    },

    onRemove: function () {
      L.DomUtil.remove(this._canvas);
      this._canvas = null;
      this._drawn = null;
      this._clusters = [];
    },

    getEvents: function () {
      return { viewreset: this._reset, moveend: this._reset, resize: this._reset, zoomanim: this._animateZoom };
    },

    _animateZoom: function (e) {
      var scale = this._map.getZoomScale(e.zoom, this._zoom);
      var offset = this._map._latLngToNewLayerPoint(this._topLeftLatLng, e.zoom, e.center);
      L.DomUtil.setTransform(this._canvas, offset, scale);
    },

    _reset: function () {
      if (!this._map) return;
      var map = this._map;
      var view = map.getSize();
      var pad = view.multiplyBy(this.options.padding).round();
      var size = view.add(pad.multiplyBy(2));
      this._pad = pad;
      L.DomUtil.setPosition(this._canvas, map.containerPointToLayerPoint(pad.multiplyBy(-1)));
      this._topLeftLatLng = map.containerPointToLatLng(pad.multiplyBy(-1));
      this._zoom = map.getZoom();
      if (this._w !== size.x || this._h !== size.y) {
        this._w = size.x;
        this._h = size.y;
        this._canvas.width = Math.round(size.x * this._ratio);
        this._canvas.height = Math.round(size.y * this._ratio);
        this._canvas.style.width = size.x + "px";
        this._canvas.style.height = size.y + "px";
      }
      this._draw();
    },

    /** Draw again now (after a data or style change). */
    redraw: function () {
      if (this._map) this._reset();
      return this;
    },

    /** The world size in pixels and the world pixel at the container's top-left corner (or the canvas's). */
    _frame: function (onCanvas) {
      var map = this._map;
      var scale = 256 * Math.pow(2, map.getZoom());
      var origin = map.getPixelBounds().min;
      var pad = onCanvas && this._pad ? this._pad : L.point(0, 0);
      return { scale: scale, ox: origin.x - pad.x, oy: origin.y - pad.y };
    },

    _draw: function () {
      var t0 = performance.now();
      var ctx = this._ctx;
      // an empty layer is not composited at all (a full-view transparent layer is still blended every frame,
      // and with software GL that is most of a frame's cost)
      this._canvas.style.display = this._n ? "" : "none";
      ctx.setTransform(this._ratio, 0, 0, this._ratio, 0, 0);
      ctx.clearRect(0, 0, this._w, this._h);
      this._drawn = null;
      this._clusters = [];
      if (this.clustered()) this._drawClusters(ctx);
      else this._drawPoints(ctx);
      this.lastDrawMs = performance.now() - t0;
      this.fire("drawn");
    },

    /**
     * The points in view: up to spriteMax of them as drawImage calls, more stamped into one ImageData
     * (plain typed-array writes) and put with one call.
     */
    _drawPoints: function (ctx) {
      var f = this._frame(true);
      var ratio = this._ratio;
      var W = this._canvas.width, H = this._canvas.height;
      var n = this._n;
      var xs = this._x, ys = this._y, st = this._style, sprites = this._sprites;
      var drawn = null;
      var count = 0;
      var margin = 0;
      sprites.forEach(function (sp) { margin = Math.max(margin, sp.half * ratio + 1); });
      var scale = f.scale * ratio, ox = f.ox * ratio, oy = f.oy * ratio;
      var candidates = this._inView(-margin / scale + ox / scale, -margin / scale + oy / scale,
        (W + margin + ox) / scale, (H + margin + oy) / scale);
      var m = candidates ? candidates.length : n;
      drawn = new Int32Array(m);
      for (var c = 0; c < m; c++) {
        var i = candidates ? candidates[c] : c;
        var cx = xs[i] * scale - ox, cy = ys[i] * scale - oy;
        if (cx < -margin || cy < -margin || cx >= W + margin || cy >= H + margin) continue;
        drawn[count++] = i;
      }
      this.lastVisited = m;
      if (count <= this.options.spriteMax) {
        for (var d = 0; d < count; d++) {
          var j = drawn[d];
          var s1 = sprites[st[j]] || sprites[0];
          ctx.drawImage(s1.canvas, xs[j] * f.scale - f.ox - s1.half, ys[j] * f.scale - f.oy - s1.half,
            s1.canvas.width / ratio, s1.canvas.height / ratio);
        }
      } else {
        this._stamp(ctx, drawn, count, scale, ox, oy, margin);
      }
      this._drawn = drawn.subarray(0, count);
      this._drawHighlight(ctx, f);
    },

    /**
     * Indices (ascending: the drawing order stays that of the data) of the points that may lie in the Mercator
     * box, from the KDBush index; null when the box holds most of the points' extent (a plain pass is as quick)
     * or there is no index to be had.
     */
    _inView: function (minX, minY, maxX, maxY) {
      var b = this._bbox;
      if (!b || typeof KDBush !== "function" || this._n < 2000) return null;
      var w = Math.max(b[2] - b[0], 1e-12), h = Math.max(b[3] - b[1], 1e-12);
      var share = Math.max(0, Math.min(maxX, b[2]) - Math.max(minX, b[0])) / w
        * Math.max(0, Math.min(maxY, b[3]) - Math.max(minY, b[1])) / h;
      if (share > 0.5) return null;
      if (this._kd && this._n - this._kdN > Math.max(2000, this._kdN / 4)) this._kd = null; // many points after it
      if (!this._kd) {
        var t0 = performance.now();
        var kd = new KDBush(this._n, 64, Float64Array);
        for (var i = 0; i < this._n; i++) kd.add(this._x[i], this._y[i]);
        kd.finish();
        this._kd = kd;
        this._kdN = this._n;
        this.lastIndexKdMs = performance.now() - t0;
      }
      var ids = this._kd.range(minX, minY, maxX, maxY);
      var tail = [];
      for (var j = this._kdN; j < this._n; j++) { // points added since the index was made (changePoints)
        var x = this._x[j], y = this._y[j];
        if (x >= minX && x <= maxX && y >= minY && y <= maxY) tail.push(j);
      }
      var out = new Uint32Array(ids.length + tail.length);
      out.set(ids);
      out.set(tail, ids.length);
      out.sort();
      return out;
    },

    /** Rings around the highlighted points (also over clusters: a selection stays visible zoomed out). */
    _drawHighlight: function (ctx, f) {
      if (!this._highlight) return;
      var xs = this._x, ys = this._y;
      ctx.lineWidth = 2;
      ctx.strokeStyle = this._highlight.color;
      ctx.beginPath();
      var hl = this._highlight.indices;
      for (var k = 0; k < hl.length; k++) {
        var hx = xs[hl[k]] * f.scale - f.ox, hy = ys[hl[k]] * f.scale - f.oy;
        ctx.moveTo(hx + 7, hy);
        ctx.arc(hx, hy, 7, 0, 2 * Math.PI);
      }
      ctx.stroke();
    },

    _stamp: function (ctx, drawn, count, scale, ox, oy, margin) {
      var W = this._canvas.width, H = this._canvas.height;
      if (!this._image || this._image.width !== W || this._image.height !== H) {
        this._image = ctx.createImageData(W, H);
        this._pixels = new Uint32Array(this._image.data.buffer);
      } else {
        this._pixels.fill(0);
      }
      var px32 = this._pixels;
      var xs = this._x, ys = this._y, st = this._style, sprites = this._sprites;
      var rows = sprites.map(function (sp) { return stampRows(sp, W); });
      for (var d = 0; d < count; d++) {
        var i = drawn[d];
        var cx = Math.round(xs[i] * scale - ox), cy = Math.round(ys[i] * scale - oy);
        var s = st[i] < sprites.length ? st[i] : 0;
        if (cx >= margin && cy >= margin && cx < W - margin && cy < H - margin) {
          // wholly on the canvas: offsets from the centre pixel, solid pixels over anything, the rim only
          // on empty pixels (the same rule as below, in two tight loops)
          var r = rows[s], base = cy * W + cx;
          var so = r.solidAt, sr = r.solid, eo = r.rimAt, er = r.rim;
          for (var k = 0; k < so.length; k++) px32[base + so[k]] = sr[k];
          for (var e = 0; e < eo.length; e++) {
            var a = base + eo[e];
            if (px32[a] === 0) px32[a] = er[e];
          }
          continue;
        }
        var sp = sprites[s];
        var sdx = sp.dx, sdy = sp.dy, src = sp.rgba, m = src.length;
        for (var q = 0; q < m; q++) {
          var x = cx + sdx[q], y = cy + sdy[q];
          if (x < 0 || y < 0 || x >= W || y >= H) continue;
          var at = y * W + x;
          // an empty pixel takes the sprite's pixel; over another point, only its solid pixels
          if (px32[at] === 0 || src[q] >= 0x80000000) px32[at] = src[q];
        }
      }
      ctx.putImageData(this._image, 0, 0);
    },

    _drawClusters: function (ctx) {
      var map = this._map;
      var b = map.getBounds().pad(this.options.padding + 0.1);
      var features = this._index.getClusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
        Math.floor(map.getZoom()));
      var f = this._frame(true);
      var styles = this.options.styles;
      var points = [];
      ctx.font = "bold 11px 'Noto Sans CJK SC', 'DejaVu Sans', sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      for (var i = 0; i < features.length; i++) {
        var feat = features[i];
        var c = feat.geometry.coordinates;
        var xy = { x: [0], y: [0] };
        mercator(c[0], c[1], xy, 0);
        var px = xy.x[0] * f.scale - f.ox, py = xy.y[0] * f.scale - f.oy;
        var p = feat.properties;
        if (!p.cluster) {
          var s = this._sprites[this._style[p.i]] || this._sprites[0];
          ctx.drawImage(s.canvas, px - s.half, py - s.half, s.canvas.width / this._ratio, s.canvas.height / this._ratio);
          points.push(p.i);
          continue;
        }
        var count = p.point_count;
        var r = Math.min(7 + 2 * Math.log(count) / Math.LN2, 18); // clusters are >= 40 px apart
        var share = (p.first || 0) / count;
        ctx.beginPath();
        ctx.arc(px, py, r, 0, 2 * Math.PI);
        ctx.fillStyle = "rgba(16, 32, 48, 0.85)";
        ctx.fill();
        ctx.lineWidth = 3;
        ctx.strokeStyle = styles[1] ? styles[1].fill : "#8e8e93";
        ctx.stroke();
        if (share > 0) {
          ctx.beginPath();
          ctx.arc(px, py, r, -Math.PI / 2, -Math.PI / 2 + 2 * Math.PI * share);
          ctx.strokeStyle = styles[0].fill;
          ctx.stroke();
        }
        ctx.fillStyle = "#e3f2fd";
        ctx.fillText(count >= 10000 ? Math.round(count / 1000) + "k" : String(count), px, py);
        this._clusters.push({ x: px - this._pad.x, y: py - this._pad.y, r: r, feature: feat });
      }
      this._drawn = Int32Array.from(points);
      this._drawHighlight(ctx, f);
    },

    /** What is under container point p: {index} of a point, {cluster} of a cluster, or null. */
    hit: function (p) {
      if (!this._map) return null;
      for (var c = this._clusters.length - 1; c >= 0; c--) {
        var cl = this._clusters[c];
        var dx = cl.x - p.x, dy = cl.y - p.y;
        if (dx * dx + dy * dy <= cl.r * cl.r) return { cluster: cl.feature };
      }
      if (!this._drawn) return null;
      var f = this._frame();
      var tol = this.options.hitTolerance + 4;
      var best = -1, bestD = tol * tol;
      for (var k = 0; k < this._drawn.length; k++) {
        var i = this._drawn[k];
        var ex = this._x[i] * f.scale - f.ox - p.x, ey = this._y[i] * f.scale - f.oy - p.y;
        var d = ex * ex + ey * ey;
        if (d <= bestD) { best = i; bestD = d; }
      }
      return best >= 0 ? { index: best } : null;
    },

    /** Container pixel of point i. */
    pointAt: function (i) {
      var f = this._frame();
      return L.point(this._x[i] * f.scale - f.ox, this._y[i] * f.scale - f.oy);
    },

    /** Indices of points currently drawn (individually). */
    drawnCount: function () { return this._drawn ? this._drawn.length : 0; },
    /** Points looked at by the last draw of points (all of them without the spatial index). */
    visitedCount: function () { return this.lastVisited; },
    clustersDrawn: function () { return this._clusters.length; },
  });
})();
