"""Building the map page (HTML) with folium — local assets only, no base-map tiles, static district layers.

The page draws the district boundary, towns (with permanent name labels), grid cells and roads as static
GeoJSON; cameras, incidents, units and resources are pushed into it later as data over QWebChannel and drawn
by ``resources/web/cw-map.js`` (``CW.init`` receives the names of the folium-made Leaflet objects).

Nothing is fetched from the internet: folium's CDN links are replaced with ``asset_base`` URLs (the ``cw://``
scheme served by ``commandwall/ui/map/scheme.py``), bootstrap and awesome-markers are dropped, and a
Content-Security-Policy allows scripts and styles only from that scheme plus the page's own inline scripts
(by hash) — inline event handlers such as ``onerror=`` never run.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from shapely.geometry import shape

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

#: Road weight offset by road class (道路等级).
ROAD_CLASS_WEIGHT: dict[str, float] = {"主干道": 1.0, "次干道": 0.0, "支路": -0.8}

_COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_NUMERIC_STYLE_LIMITS: dict[str, tuple[float, float]] = {
    "weight": (0.0, 20.0),
    "opacity": (0.0, 1.0),
    "fillOpacity": (0.0, 1.0),
}
_DASH_RE = re.compile(r"^[0-9.]+(?:[ ,]+[0-9.]+)*$")
_INLINE_SCRIPT_RE = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_URL_ATTR_RE = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


class LayerLike(Protocol):
    """What the page needs of a layer (``commandwall.geo.layers.Layer`` fits): WGS84 GeoJSON features."""

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
    for key, value in (style or {}).items():
        if key in ("color", "fillColor") and _is_color(value):
            out[key] = value
        elif key in _NUMERIC_STYLE_LIMITS and isinstance(value, int | float) and not isinstance(value, bool):
            low, high = _NUMERIC_STYLE_LIMITS[key]
            out[key] = min(max(float(value), low), high)
        elif key == "dashArray" and isinstance(value, str) and _DASH_RE.match(value):
            out[key] = value
    if kind == "grids":
        out["weight"] = min(float(out.get("weight", 0.6)), 1.0)
    if kind == "roads":
        out["fill"] = False
    out["interactive"] = False
    return out


def style_function(kind: str, style: Mapping[str, Any] | None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Per-feature style for a static layer: the cleaned base style, with the manifest's optional tables —
    towns ``palette`` {name: fillColor}, roads ``classes`` {道路等级: {color, weight}} (without it, road
    classes
    get thicker/thinner lines than the base weight).
    """
    base = clean_style(kind, style)
    raw = style or {}
    if kind == "towns" and isinstance(raw.get("palette"), Mapping):
        palette = {str(k): v for k, v in raw["palette"].items() if _is_color(v)}
        return lambda feature: {
            **base,
            "fillColor": palette.get(feature["properties"].get("name"), base["fillColor"]),
        }
    if kind == "roads":
        classes = raw.get("classes") if isinstance(raw.get("classes"), Mapping) else None
        per_class: dict[str, dict[str, Any]] = {}
        for name in {*ROAD_CLASS_WEIGHT, *(classes or {})}:
            sub = classes.get(name) if classes else None
            if isinstance(sub, Mapping):
                per_class[name] = clean_style("roads", {**base, **sub})
            else:
                per_class[name] = {
                    **base,
                    "weight": max(0.6, base["weight"] + ROAD_CLASS_WEIGHT.get(name, 0.0)),
                }
        return lambda feature: per_class.get(feature["properties"].get("class", ""), base)
    return lambda feature: base


def point_styles(layers: Iterable[LayerLike]) -> dict[str, Any]:
    """Colours of the data layers (cameras, units, resources) from their manifest styles, for cw-map.js."""
    out: dict[str, Any] = {}
    for layer in layers:
        raw = layer.style or {}
        if layer.kind == "cameras":
            colors = {"online": raw.get("fillColor") or raw.get("color"), "offline": raw.get("offlineColor")}
            out["cameras"] = {k: v for k, v in colors.items() if _is_color(v)}
        elif layer.kind == "units" and isinstance(raw.get("departments"), Mapping):
            out["units"] = {str(k): v for k, v in raw["departments"].items() if _is_color(v)}
        elif layer.kind == "resources" and isinstance(raw.get("types"), Mapping):
            out["resources"] = {str(k): v for k, v in raw["types"].items() if _is_color(v)}
    return out


def _round(coords: Any) -> Any:
    if isinstance(coords, list | tuple):
        if coords and isinstance(coords[0], int | float):
            return [round(float(c), 6) for c in coords]
        return [_round(c) for c in coords]
    return coords


def _feature_collection(features: Iterable[Mapping[str, Any]], keep: tuple[str, ...]) -> dict[str, Any]:
    """A fresh FeatureCollection (folium adds ids to what it is given) with only the ``keep`` properties."""
    out = []
    for feature in features:
        geometry = feature.get("geometry")
        if not isinstance(geometry, Mapping) or "coordinates" not in geometry:
            continue
        props = feature.get("properties") or {}
        out.append(
            {
                "type": "Feature",
                "properties": {k: props[k] for k in keep if k in props},
                "geometry": {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])},
            }
        )
    return {"type": "FeatureCollection", "features": out}


def town_label_points(features: Iterable[Mapping[str, Any]]) -> list[tuple[str, float, float]]:
    """(name, lat, lon) of a point inside each town polygon (shapely ``representative_point``)."""
    labels = []
    for feature in features:
        name = str((feature.get("properties") or {}).get("name") or "")
        geometry = feature.get("geometry")
        if not name or not isinstance(geometry, Mapping):
            continue
        try:
            point = shape(geometry).representative_point()
        except (ValueError, TypeError, AttributeError):
            continue
        labels.append((name, round(point.y, 6), round(point.x, 6)))
    return labels


def _bounds(layers: list[LayerLike]) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the boundary layer, else of all static layers."""
    boundary = [layer for layer in layers if layer.kind == "boundary"]
    for group in (boundary, layers):
        xs: list[float] = []
        ys: list[float] = []
        for layer in group:
            for feature in layer.features:
                _collect_positions((feature.get("geometry") or {}).get("coordinates"), xs, ys)
        if xs:
            return [[min(ys), min(xs)], [max(ys), max(xs)]]
    return None


def _collect_positions(coords: Any, xs: list[float], ys: list[float]) -> None:
    if isinstance(coords, list | tuple) and coords:
        if isinstance(coords[0], int | float):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
        else:
            for c in coords:
                _collect_positions(c, xs, ys)


class _PageInit(JSCSSMixin, MacroElement):
    """Links qwebchannel.js and cw-map.js/css; calls ``CW.init(config)`` after folium's objects exist."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            CW.init({{ this.config|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any], js: list[tuple[str, str]], css: list[tuple[str, str]]) -> None:
        super().__init__()
        self._name = "CommandWallInit"
        self.config = config
        self.default_js = js
        self.default_css = css


def _content_security_policy(page: str, scheme: str) -> str:
    hashes = " ".join(
        "'sha256-{}'".format(base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii"))
        for body in _INLINE_SCRIPT_RE.findall(page)
    )
    src = f"'self' {scheme}:"
    return (
        f"default-src 'none'; script-src {src} {hashes}; style-src {src} 'unsafe-inline'; "
        f"img-src {src} data:; font-src {src} data:; connect-src {src}; base-uri 'none'; form-action 'none'"
    )


def asset_urls(html_text: str) -> list[str]:
    """Every ``src``/``href`` URL of the page's ``<script>`` and ``<link>`` tags (for checks and tests)."""
    return _URL_ATTR_RE.findall(html_text)


def build_map_page(
    layers: Iterable[LayerLike],
    *,
    asset_base: str = "cw://app/web/",
    qwebchannel_url: str | None = None,
    title: str = "薛城区 一张图",
    csp: bool = True,
) -> str:
    """Render the map page for the static ``layers`` (kinds boundary, towns, grids, roads; others ignored).

    ``asset_base`` is where ``resources/web`` is served (Leaflet, jQuery, cw-map.js/css); ``qwebchannel_url``
    defaults to ``qwebchannel.js`` one level above it (``cw://app/qwebchannel.js``). Returns the HTML text.
    """
    if not asset_base.endswith("/"):
        asset_base += "/"
    if qwebchannel_url is None:
        qwebchannel_url = asset_base.rstrip("/").rsplit("/", 1)[0] + "/qwebchannel.js"
    layers = list(layers)
    styles = point_styles(layers)
    layers = sorted(
        (layer for layer in layers if layer.kind in STATIC_KINDS),
        key=lambda layer: STATIC_KINDS.index(layer.kind),
    )
    bounds = _bounds(layers)
    center = (
        [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2] if bounds else DISTRICT_CENTER
    )

    fmap = folium.Map(
        location=center,
        zoom_start=11,
        tiles=None,
        control_scale=False,  # cw-map.js adds a metric-only scale bar
        attribution_control=False,
        zoom_snap=0.25,  # fit the district snugly on any monitor
        zoom_delta=0.5,
    )
    # Instance attributes shadow folium's CDN lists; bootstrap / awesome-markers / font-awesome are not used.
    fmap.default_js = [
        ("leaflet", asset_base + "node_modules/leaflet/dist/leaflet.js"),
        ("jquery", asset_base + "node_modules/jquery/dist/jquery.min.js"),
    ]
    fmap.default_css = [("leaflet_css", asset_base + "node_modules/leaflet/dist/leaflet.css")]

    layer_refs: list[dict[str, str]] = []
    for layer in layers:
        keep = ("name", "class") if layer.kind == "roads" else ("name",)
        geojson = folium.GeoJson(
            _feature_collection(layer.features, keep),
            name=layer.title,
            style_function=style_function(layer.kind, layer.style),
            control=False,
            interactive=False,
        )
        geojson.add_to(fmap)
        layer_refs.append(
            {"id": layer.id, "title": layer.title, "kind": layer.kind, "var": geojson.get_name()}
        )

    labels_ref = None
    towns = [layer for layer in layers if layer.kind == "towns"]
    if towns:
        group = folium.FeatureGroup(name="镇街名称", control=False)
        for name, lat, lon in town_label_points(f for layer in towns for f in layer.features):
            folium.Marker(
                [lat, lon],
                icon=folium.DivIcon(
                    html=f'<div class="cw-town-label">{html.escape(name)}</div>',
                    class_name="cw-town-label-icon",
                    icon_size=(0, 0),
                ),
                interactive=False,
                keyboard=False,
            ).add_to(group)
        group.add_to(fmap)
        labels_ref = {"title": "镇街名称", "var": group.get_name()}

    config = {
        "map": fmap.get_name(),
        "layers": layer_refs,
        "labels": labels_ref,
        "bounds": bounds,
        "styles": styles,
    }
    _PageInit(
        config,
        js=[("qwebchannel", qwebchannel_url), ("cw_map", asset_base + "cw-map.js")],
        css=[("cw_map_css", asset_base + "cw-map.css")],
    ).add_to(fmap)

    page = fmap.get_root().render()
    head = f'<head>\n    <meta charset="utf-8">\n    <title>{html.escape(title)}</title>'
    if csp:
        scheme = urlsplit(asset_base).scheme or "cw"
        policy = _content_security_policy(page, scheme)
        head += f'\n    <meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">'
    return page.replace("<head>", head, 1)
