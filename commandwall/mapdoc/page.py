"""The map page: a fixed HTML skeleton, and the static district layers as JSON data for it.

Text from outside (layer titles, town, grid and road names, road classes) never becomes part of the page's
markup or scripts, and never passes through a template engine:

* :func:`build_map_page` writes the page from this module's own constant template. It holds only the asset
  URLs, the window title and a configuration in a JSON data block: numbers (initial centre, zoom, bounds) and
  the page's own words in the chosen language with the locale its numbers follow (``commandwall.mapdoc.strings``)
  — the same bytes for every layer set up to those numbers. There is no inline script, so the
  Content-Security-Policy allows scripts only from the asset scheme, and inline event handlers never run.
* :func:`static_layers_payload` turns the static layers (boundary, towns, grids, roads) into JSON-ready data:
  their GeoJSON (names and road classes only), cleaned Leaflet styles, titles and the town label points. The
  page receives it as JSON text over QWebChannel (``MapBridge.staticLayers``, as cameras and incidents come)
  and ``resources/web/cw-map.js`` draws it, setting every piece of text with ``textContent``.

Nothing is fetched from the internet: Leaflet and cw-map.js/css come from ``asset_base`` (the ``cw://``
scheme served by ``commandwall/ui/map/scheme.py``).
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from shapely.errors import ShapelyError
from shapely.geometry import shape

from commandwall.domain.models import UNIT_REPORT_STALE_S
from commandwall.geo.basemaps import TILE_ORIGIN_RE
from commandwall.geo.crs import geometry_positions
from commandwall.geo.layers import shown_title
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.mapdoc.strings import DEFAULT_LOCALE, PAGE_STRINGS, page_locale, page_strings
from commandwall.textsafe import display_text

#: Centre of Xuecheng District (薛城区), used when no layer gives an extent.
DISTRICT_CENTER: tuple[float, float] = (34.785, 117.315)  # lat, lon

#: Layer kinds drawn as static GeoJSON, bottom to top.
STATIC_KINDS: tuple[str, ...] = ("towns", "grids", "roads", "boundary")

#: Default styles per kind; a manifest style overrides them key by key.
DEFAULT_STYLES: dict[str, dict[str, Any]] = {
    "boundary": {
        "color": "#4fc3f7",
        "weight": 3,
        "opacity": 1.0,
        "fillColor": "#4fc3f7",
        "fillOpacity": 0.06,
    },
    "towns": {"color": "#78909c", "weight": 1.5, "opacity": 0.9, "fillColor": "#1e3a4c", "fillOpacity": 0.35},
    "grids": {"color": "#546e7a", "weight": 0.6, "opacity": 0.7, "fillOpacity": 0.0},
    "roads": {"color": "#ffb74d", "weight": 2, "opacity": 0.85},
}

#: Road weight offset by road class (道路等级: the values of the roads layer's ``class``, data, not shown).
ROAD_CLASS_WEIGHT: dict[str, float] = {"主干道": 1.0, "次干道": 0.0, "支路": -0.8}

_COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_NUMERIC_STYLE_LIMITS: dict[str, tuple[float, float]] = {
    "weight": (0.0, 20.0),
    "opacity": (0.0, 1.0),
    "fillOpacity": (0.0, 1.0),
}
_DASH_RE = re.compile(r"^[0-9.]+(?:[ ,]+[0-9.]+)*$")
_PRECISION = 6
#: Title of the town label overlay in the layer control.
TOWN_LABELS_TITLE = QT_TRANSLATE_NOOP("map_page", "镇街名称")
#: Positions nested in a GeoJSON ``coordinates`` member, per geometry type.
_POSITION_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}
_LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_URL_ATTR_RE = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


class LayerLike(Protocol):
    """What the page needs of a layer (``commandwall.geo.layers.Layer`` fits): WGS84 GeoJSON features. A layer
    may also have a ``title_en``, its title on an English desk (``geo.layers.shown_title``)."""

    id: str
    title: str
    kind: str
    style: dict[str, Any]
    features: list[dict[str, Any]]


def _is_color(value: Any) -> bool:
    return isinstance(value, str) and bool(_COLOR_RE.match(value))


def clean_style(kind: str, style: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge a manifest style over the kind's default, keeping only well-formed Leaflet path options.

    Colours must be ``#hex``, ``dashArray`` digits; numbers are clamped; anything else (including the
    per-feature tables ``palette``/``classes``, see :func:`style_function`) is dropped. Grid lines stay thin.
    """
    out = dict(DEFAULT_STYLES.get(kind, {}))
    for key, value in (style.items() if isinstance(style, Mapping) else ()):
        if key in ("color", "fillColor") and _is_color(value):
            out[key] = value
        elif key in _NUMERIC_STYLE_LIMITS and isinstance(value, int | float) and not isinstance(value, bool):
            low, high = _NUMERIC_STYLE_LIMITS[key]
            try:
                number = float(value)
            except OverflowError:  # an int too large for a float
                continue
            if math.isfinite(number):
                out[key] = min(max(number, low), high)
        elif key == "dashArray" and isinstance(value, str) and _DASH_RE.match(value):
            out[key] = value
    if kind == "grids":
        out["weight"] = min(float(out.get("weight", 0.6)), 1.0)
    if kind == "roads":
        out["fill"] = False
    out["interactive"] = False
    return out


def style_tables(kind: str, style: Mapping[str, Any] | None) -> dict[str, Any]:
    """The per-feature style of a static layer as data for the page: ``{"style": base}`` plus the manifest's
    optional tables, cleaned — towns ``palette`` {name: fillColor}, roads ``classes`` {道路等级: style} (without
    a table, the known road classes get thicker/thinner lines than the base weight).

    The page picks ``classes[feature.class]``, else ``style`` with ``palette[feature.name]`` as fill colour,
    else ``style`` (see ``featureStyle`` in cw-map.js, and :func:`style_function` for the same rule in Python).
    """
    base = clean_style(kind, style)
    raw = style if isinstance(style, Mapping) else {}
    out: dict[str, Any] = {"style": base}
    if kind == "towns" and isinstance(raw.get("palette"), Mapping):
        out["palette"] = {str(k): v for k, v in raw["palette"].items() if isinstance(k, str) and _is_color(v)}
    if kind == "roads":
        classes = raw.get("classes") if isinstance(raw.get("classes"), Mapping) else None
        per_class: dict[str, dict[str, Any]] = {}
        for name in {*ROAD_CLASS_WEIGHT, *(k for k in (classes or {}) if isinstance(k, str))}:
            sub = classes.get(name) if classes else None
            if isinstance(sub, Mapping):
                per_class[name] = clean_style("roads", {**base, **sub})
            else:
                per_class[name] = {
                    **base,
                    "weight": max(0.6, base["weight"] + ROAD_CLASS_WEIGHT.get(name, 0.0)),
                }
        out["classes"] = per_class
    return out


def style_function(kind: str, style: Mapping[str, Any] | None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Per-feature style of a static layer from :func:`style_tables` (the rule the page applies)."""
    tables = style_tables(kind, style)
    base = tables["style"]
    palette: dict[str, str] = tables.get("palette", {})
    classes: dict[str, dict[str, Any]] = tables.get("classes", {})

    def feature_style(feature: dict[str, Any]) -> dict[str, Any]:
        props = feature.get("properties") or {}
        road_class = props.get("class")
        if isinstance(road_class, str) and road_class in classes:
            return classes[road_class]
        name = props.get("name")
        if isinstance(name, str) and name in palette:
            return {**base, "fillColor": palette[name]}
        return base

    return feature_style


def point_styles(layers: Iterable[LayerLike]) -> dict[str, Any]:
    """Colours of the data layers (cameras, units, resources) from their manifest styles, for cw-map.js."""
    out: dict[str, Any] = {}
    for layer in layers:
        raw = layer.style if isinstance(layer.style, Mapping) else {}
        if layer.kind == "cameras":
            colors = {"online": raw.get("fillColor") or raw.get("color"), "offline": raw.get("offlineColor")}
            out["cameras"] = {k: v for k, v in colors.items() if _is_color(v)}
        elif layer.kind == "units" and isinstance(raw.get("departments"), Mapping):
            out["units"] = {k: v for k, v in raw["departments"].items() if isinstance(k, str) and _is_color(v)}
        elif layer.kind == "resources" and isinstance(raw.get("types"), Mapping):
            out["resources"] = {k: v for k, v in raw["types"].items() if isinstance(k, str) and _is_color(v)}
    return out


def _text(value: Any) -> str | None:
    """A name or class as text: strings as they are, finite numbers spelled out, anything else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return str(value) if math.isfinite(value) else None
        except OverflowError:  # an int too large for a float
            return None
    return None


def _round_coords(coords: Any, depth: int) -> Any:
    """Positions rounded to 6 decimals (~0.1 m), 2-D; ``ValueError`` for a number that is not finite."""
    if depth == 0:
        x, y = round(float(coords[0]), _PRECISION), round(float(coords[1]), _PRECISION)
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError("position is not finite")
        return [x, y]
    return [_round_coords(c, depth - 1) for c in coords]


def clean_geometry(geometry: Any) -> dict[str, Any] | None:
    """A fresh copy of a GeoJSON geometry with 2-D positions rounded to 6 decimals, or None if it is not a
    well-formed geometry with finite numbers (nesting checked by :func:`commandwall.geo.crs.geometry_positions`).
    """
    try:
        geometry_positions(geometry)
        return _clean_checked(geometry)
    except (ValueError, TypeError, OverflowError):
        return None


def _clean_checked(geometry: dict[str, Any]) -> dict[str, Any]:
    gtype = geometry["type"]
    if gtype == "GeometryCollection":
        return {"type": gtype, "geometries": [_clean_checked(g) for g in geometry["geometries"]]}
    return {"type": gtype, "coordinates": _round_coords(geometry["coordinates"], _POSITION_DEPTH[gtype])}


def _feature_collection(features: Iterable[Any], keep: tuple[str, ...]) -> dict[str, Any]:
    """A fresh FeatureCollection with cleaned geometry and only the ``keep`` properties, as text."""
    out = []
    for feature in features:
        if not isinstance(feature, Mapping):
            continue
        geometry = clean_geometry(feature.get("geometry"))
        if geometry is None:
            continue
        props = feature.get("properties")
        props = props if isinstance(props, Mapping) else {}
        kept = {key: _text(props.get(key)) for key in keep}
        out.append(
            {
                "type": "Feature",
                "properties": {key: value for key, value in kept.items() if value is not None},
                "geometry": geometry,
            }
        )
    return {"type": "FeatureCollection", "features": out}


def town_label_points(features: Iterable[Mapping[str, Any]]) -> list[tuple[str, float, float]]:
    """(name, lat, lon) of a point inside each town polygon (shapely ``representative_point``)."""
    labels = []
    for feature in features:
        if not isinstance(feature, Mapping):
            continue
        props = feature.get("properties")
        name = _text(props.get("name")) if isinstance(props, Mapping) else None
        geometry = clean_geometry(feature.get("geometry"))
        if not name or geometry is None:
            continue
        try:
            point = shape(geometry).representative_point()
            lat, lon = round(point.y, _PRECISION), round(point.x, _PRECISION)
        except (ValueError, TypeError, AttributeError, IndexError, ShapelyError):
            continue
        if math.isfinite(lat) and math.isfinite(lon):
            labels.append((name, lat, lon))
    return labels


def _static_layers(layers: Iterable[LayerLike]) -> list[LayerLike]:
    """The static layers, bottom to top (:data:`STATIC_KINDS` order)."""
    return sorted(
        (layer for layer in layers if layer.kind in STATIC_KINDS),
        key=lambda layer: STATIC_KINDS.index(layer.kind),
    )


def _bounds(layers: list[LayerLike]) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the boundary layer, else of all static layers (finite numbers)."""
    boundary = [layer for layer in layers if layer.kind == "boundary"]
    for group in (boundary, layers):
        xs: list[float] = []
        ys: list[float] = []
        for layer in group:
            for feature in layer.features:
                geometry = clean_geometry(feature.get("geometry") if isinstance(feature, Mapping) else None)
                if geometry is not None:
                    for x, y in geometry_positions(geometry):
                        xs.append(x)
                        ys.append(y)
        if xs:
            return [[min(ys), min(xs)], [max(ys), max(xs)]]
    return None


def static_layers_payload(layers: Iterable[LayerLike]) -> dict[str, Any]:
    """The static layers as data for the page (``MapBridge.staticLayers``; cw-map.js ``drawStatic``).

    ``{"layers": [{id, title, kind, style, palette?, classes?, data: FeatureCollection}] (bottom to top; the
    title in the chosen language, ``geo.layers.shown_title``),
    "labels": {title, points: [{name, lat, lon}]} | None, "bounds": [[s, w], [n, e]] | None,
    "styles": point_styles(...)}``. Titles and names are plain strings for ``textContent``; features keep
    only ``name`` (and roads ``class``); features without a usable geometry are left out.
    """
    layers = list(layers)
    static = _static_layers(layers)
    refs = []
    for layer in static:
        keep = ("name", "class") if layer.kind == "roads" else ("name",)
        refs.append(
            {
                "id": _text(layer.id) or "",
                "title": display_text(_text(shown_title(layer)) or ""),
                "kind": layer.kind,
                **style_tables(layer.kind, layer.style),
                "data": _feature_collection(layer.features, keep),
            }
        )
    points = [
        {"name": display_text(name), "lat": lat, "lon": lon}
        for name, lat, lon in town_label_points(f for layer in static if layer.kind == "towns" for f in layer.features)
    ]
    return {
        "layers": refs,
        "labels": {"title": translate("map_page", TOWN_LABELS_TITLE), "points": points} if points else None,
        "bounds": _bounds(static),
        "styles": point_styles(layers),
    }


def static_layers_json(layers: Iterable[LayerLike]) -> str:
    """:func:`static_layers_payload` as JSON text, ASCII only (``\\uXXXX`` escapes: any string, even one with
    a lone surrogate from a JSON file, crosses to the page intact)."""
    return json.dumps(static_layers_payload(layers), ensure_ascii=True, separators=(",", ":"), allow_nan=False)




def check_tile_hosts(hosts: Iterable[str]) -> list[str]:
    """``scheme://host[:port]`` origins allowed as image sources, sorted; ``ValueError`` for anything else
    (a path, a wildcard, a quote or a space could widen or break the policy)."""
    out = sorted(set(hosts))
    for host in out:
        if not isinstance(host, str) or not TILE_ORIGIN_RE.match(host):
            raise ValueError("a tile host must be scheme://host[:port] (lower case, no path or wildcard)")
    return out


def content_security_policy(scheme: str, tile_hosts: Iterable[str] = ()) -> str:
    """Scripts, styles and fonts only from the page's own scheme, no inline scripts at all; images also from
    exactly the configured base-map ``tile_hosts`` (see :func:`check_tile_hosts`)."""
    src = f"'self' {scheme}:"
    images = " ".join([src, "data:", *check_tile_hosts(tile_hosts)])
    return (
        f"default-src 'none'; script-src {src}; style-src {src} 'unsafe-inline'; "
        f"img-src {images}; font-src {src} data:; connect-src {src}; base-uri 'none'; form-action 'none'"
    )


def asset_urls(html_text: str) -> list[str]:
    """Every ``src``/``href`` URL of the page's ``<script>`` and ``<link>`` tags (for checks and tests)."""
    return _URL_ATTR_RE.findall(html_text)


#: What the page loads from ``resources/web``, in order (qwebchannel.js, from Qt, goes where ``None`` stands).
#: The one list of the page's assets: the installer bundles exactly these (packaging/commandwall.spec).
PAGE_STYLESHEETS = ("node_modules/leaflet/dist/leaflet.css", "cw-map.css")
PAGE_SCRIPTS: tuple[str | None, ...] = (
    "node_modules/leaflet/dist/leaflet.js",
    "node_modules/proj4/dist/proj4.js",
    None,  # qwebchannel.js
    "node_modules/supercluster/dist/supercluster.min.js",
    "node_modules/kdbush/kdbush.min.js",
    "cw-i18n.js",
    "cw-points.js",
    "cw-incidents.js",
    "cw-tools.js",
    "cw-warnings.js",
    "cw-cards.js",
    "cw-select.js",
    "cw-map.js",
    "cw-layers.js",
)
PAGE_ASSETS = (*PAGE_STYLESHEETS, *(name for name in PAGE_SCRIPTS if name is not None))

_PAGE_TEMPLATE = """<!DOCTYPE html>
<html>
<head>
    <meta charset="utf-8">
    <title>{title}</title>{csp}
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
{stylesheets}
    <script type="application/json" id="cw-config">{config}</script>
</head>
<body>
    <div id="cw-map" class="cw-map"></div>
{scripts}
</body>
</html>
"""


def build_map_page(
    layers: Iterable[LayerLike] = (),
    *,
    asset_base: str = "cw://app/web/",
    qwebchannel_url: str | None = None,
    title: str | None = None,
    csp: bool = True,
    tile_hosts: Iterable[str] = (),
    locale: str | None = None,
) -> str:
    """The map page's HTML: the fixed skeleton that loads Leaflet, qwebchannel.js and cw-map.js/css.

    ``layers`` only set the initial view (the bounds of the static layers, as numbers); what they contain is
    sent to the page as data (:func:`static_layers_payload`). ``asset_base`` is where ``resources/web`` is
    served; ``qwebchannel_url`` defaults to ``qwebchannel.js`` one level above it (``cw://app/qwebchannel.js``).
    ``tile_hosts`` are the remote base-map servers the page may load images from (its CSP), nothing else.
    The page's words are in the chosen language (:func:`commandwall.mapdoc.strings.page_strings`, and the
    window ``title`` unless given); its numbers follow ``locale`` (a BCP 47 tag; by default the catalogue's,
    ``zh-CN`` without one).
    """
    if title is None:
        title = translate("map_page", PAGE_STRINGS["page_title"])
    locale = locale or page_locale()
    if not _LOCALE_RE.match(locale):
        locale = DEFAULT_LOCALE
    if not asset_base.endswith("/"):
        asset_base += "/"
    if qwebchannel_url is None:
        qwebchannel_url = asset_base.rstrip("/").rsplit("/", 1)[0] + "/qwebchannel.js"
    bounds = _bounds(_static_layers(layers))
    center = (
        [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2] if bounds else list(DISTRICT_CENTER)
    )
    config = {"center": center, "zoom": 11, "bounds": bounds, "locale": locale, "strings": page_strings(),
              "unitStaleMinutes": UNIT_REPORT_STALE_S // 60}
    # ASCII JSON; the page's own words only, and no "<" or "&" can end the data block or start an entity
    config_json = json.dumps(config, allow_nan=False).replace("<", "\\u003c").replace("&", "\\u0026")
    policy = ""
    if csp:
        scheme = urlsplit(asset_base).scheme or "cw"
        policy = (
            '\n    <meta http-equiv="Content-Security-Policy" '
            f'content="{html.escape(content_security_policy(scheme, tile_hosts))}">'
        )
    stylesheets = "\n".join(f'    <link rel="stylesheet" href="{html.escape(asset_base + name)}">'
                            for name in PAGE_STYLESHEETS)
    scripts = "\n".join(f'    <script src="{html.escape(qwebchannel_url if name is None else asset_base + name)}">'
                        "</script>" for name in PAGE_SCRIPTS)
    return _PAGE_TEMPLATE.format(title=html.escape(title), csp=policy, stylesheets=stylesheets, config=config_json,
                                 scripts=scripts)
