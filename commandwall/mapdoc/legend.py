"""What a layer's legend lists, seen once in its features where they are read: the shapes its geometries have
(点/线/面: point, line, polygon) and, for a layer the page styles by category (:func:`~commandwall.mapdoc.page.
style_tables`: roads by ``class``, towns by name), the categories its features fall in, with the shape of each,
and the shapes of the features in none of them.

Seeing this walks every feature (a city's layer has 100 000), so :func:`legend_summary` runs on the worker
thread that read the layer (``app.user_layers``); the layer tree only turns the summary into rows, icons and
translated labels, and never touches the features. No Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from commandwall.mapdoc.page import ROAD_CLASS_WEIGHT

#: Shapes a legend tells apart, in the order it lists them.
SHAPE_ORDER: tuple[str, ...] = ("point", "line", "polygon")
#: The shape of each GeoJSON geometry type (a GeometryCollection is looked into).
GEOMETRY_SHAPES: dict[str, str] = {"Point": "point", "MultiPoint": "point", "LineString": "line",
                                   "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}
# Geometries of a collection looked at, at most, per level (a collection of a million parts says no more).
_COLLECTION_PARTS = 100


@dataclass(frozen=True)
class LegendCategory:
    """A category of a layer's style that some of its features are in: ``table`` is ``class`` (a road class,
    styled by ``classes[value]``) or ``name`` (a town, filled with ``palette[value]``); ``shape`` is the shape
    of the first such feature (the style is drawn as that shape)."""

    table: str
    value: str
    shape: str


@dataclass(frozen=True)
class LegendSummary:
    """What a layer's features hold for its legend: ``shapes`` its geometries have (in :data:`SHAPE_ORDER`);
    for a category-styled layer, ``categories`` present (in the style's own order: the road classes major
    first, the towns as the palette lists them) and ``rest``, the shapes of the features in no category."""

    shapes: tuple[str, ...] = ()
    categories: tuple[LegendCategory, ...] = ()
    rest: tuple[str, ...] = ()


def _geometry_type(feature: Any) -> Any:
    geometry = feature.get("geometry") if isinstance(feature, dict) else None  # dict: ABC checks cost µs each
    return geometry.get("type") if isinstance(geometry, dict) else None


def _collection_shapes(feature: Any) -> set[str]:
    """The shapes inside a feature's GeometryCollection (nested ones too)."""
    found: set[str] = set()
    geometries = [feature.get("geometry")] if isinstance(feature, Mapping) else []
    while geometries:
        geometry = geometries.pop()
        if not isinstance(geometry, Mapping):
            continue
        kind = geometry.get("type")
        if kind == "GeometryCollection" and isinstance(geometry.get("geometries"), list):
            geometries.extend(geometry["geometries"][:_COLLECTION_PARTS])
        elif kind in GEOMETRY_SHAPES:
            found.add(GEOMETRY_SHAPES[kind])
    return found


def _feature_shape(feature: Any) -> str | None:
    """The shape a feature is drawn as (of a collection: the first of :data:`SHAPE_ORDER` in it), or None."""
    kind = _geometry_type(feature)
    if kind in GEOMETRY_SHAPES:
        return GEOMETRY_SHAPES[kind]
    if kind != "GeometryCollection":
        return None
    found = _collection_shapes(feature)
    return next((shape for shape in SHAPE_ORDER if shape in found), None)


def feature_shapes(features: Iterable[Any]) -> tuple[str, ...]:
    """The shapes the features' geometries are, in :data:`SHAPE_ORDER` (collections looked into)."""
    features = features if isinstance(features, list | tuple) else list(features)
    types = set(map(_geometry_type, features))
    found = {GEOMETRY_SHAPES[t] for t in types if t in GEOMETRY_SHAPES}
    if "GeometryCollection" in types:
        for feature in features:
            if _geometry_type(feature) == "GeometryCollection":
                found |= _collection_shapes(feature)
    return tuple(shape for shape in SHAPE_ORDER if shape in found)


def legend_summary(features: Iterable[Any], tables: Mapping[str, Any] | None = None) -> LegendSummary:
    """The legend's view of ``features`` (walks every one: call it where they were read, off the GUI thread).

    ``tables`` is the page's per-feature style of the layer (``mapdoc.page.style_tables``), None for a layer
    drawn in one colour; a feature is in the category the page styles it by — ``classes[properties.class]``,
    else ``palette[properties.name]`` (``style_function``'s rule) — or in none.
    """
    features = features if isinstance(features, list | tuple) else list(features)
    shapes = feature_shapes(features)
    if tables is None:
        return LegendSummary(shapes)
    classes: Mapping[str, Any] = tables.get("classes") or {}
    palette: Mapping[str, Any] = tables.get("palette") or {}
    found: dict[tuple[str, str], str] = {}  # (table, value) -> the shape of its first feature
    rest: set[str] = set()
    for feature in features:
        shape = _feature_shape(feature)
        if shape is None:
            continue
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        road_class, name = props.get("class"), props.get("name")
        if isinstance(road_class, str) and road_class in classes:
            found.setdefault(("class", road_class), shape)
        elif isinstance(name, str) and name in palette:
            found.setdefault(("name", name), shape)
        else:
            rest.add(shape)
    known = list(ROAD_CLASS_WEIGHT)  # major roads first (the classes table itself is unordered)
    order = {("class", k): (known.index(k) if k in known else len(known), k) for k in classes}
    order |= {("name", k): (i, k) for i, k in enumerate(palette)}  # the towns as the palette lists them
    ordered = sorted(found, key=lambda key: (key[0], order[key]))
    return LegendSummary(shapes, tuple(LegendCategory(table, value, found[table, value]) for table, value in ordered),
                         tuple(shape for shape in SHAPE_ORDER if shape in rest))
