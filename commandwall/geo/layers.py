"""Loading and validating the district's GeoJSON layers (``layers/manifest.json`` + one file per layer).

Every layer declares its CRS in the manifest; features are normalised to WGS84 lon/lat here, once. Each
feature is checked on its own (:func:`commandwall.geo.features.check_features`, the same verdicts as for a
user's source, plus the geometry types and properties its kind needs): a bad feature (coordinates that do not
land in China, geometry of the wrong type for its kind, a missing ``name`` …) is left out, logged with its
reason and kept in :attr:`Layer.skipped`, and the layer draws with the rest — as QGIS does. A layer with
nothing usable, or that cannot be read at all (missing file, bad JSON, unknown CRS, JSON nested absurdly deep),
is skipped and reported as a :class:`LayerError`; the other layers still load. Names from the files are data:
:func:`check_layers` prints them as text, with control and direction-changing characters shown as escapes.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commandwall.geo.crs import (
    UnsupportedCRS,
    canonical_crs,
    convert_point,
    geometry_positions,
    short_repr,
    transform_geometries,
)
from commandwall.i18n import MAX_TITLE_CHARS, english_title, language
from commandwall.localjson import JsonProblem, NotJsonError, parse_json
from commandwall.paths import read_small_file

__all__ = [
    "CHINA_BOUNDS",
    "MAX_TITLE_CHARS",
    "Layer",
    "LayerError",
    "LayerSet",
    "UnsupportedCRS",
    "check_layer_features",
    "check_layers",
    "convert_point",  # re-exported for the command line (``commandwall geo convert``)
    "kind_problem",
    "load_layers",
    "normalize_features",
    "shown_title",
]

log = logging.getLogger(__name__)

#: How deep a manifest or GeoJSON file may nest arrays and objects (GeoJSON itself needs about 8).
MAX_JSON_DEPTH = 64
#: The largest layer or manifest file read (a district's layers are a few hundred kB; a larger file is refused,
#: not read into memory whole).
MAX_LAYER_FILE_BYTES = 64 * 1024 * 1024

#: Sanity box for normalised coordinates (lon_min, lat_min, lon_max, lat_max): mainland China and around.
CHINA_BOUNDS: tuple[float, float, float, float] = (73.0, 3.0, 136.0, 54.0)

#: Geometry types allowed for each layer kind.
KIND_GEOMETRIES: dict[str, frozenset[str]] = {
    "boundary": frozenset({"Polygon", "MultiPolygon"}),
    "towns": frozenset({"Polygon", "MultiPolygon"}),
    "grids": frozenset({"Polygon", "MultiPolygon"}),
    "roads": frozenset({"LineString", "MultiLineString"}),
    "cameras": frozenset({"Point"}),
    "resources": frozenset({"Point"}),
    "units": frozenset({"Point"}),
}

#: Properties every feature of a kind must carry.
KIND_REQUIRED_PROPERTIES: dict[str, tuple[str, ...]] = {
    "boundary": ("name",),
    "towns": ("name",),
    "grids": ("id", "name"),
    "roads": ("name",),
    "cameras": ("id", "name"),
    "resources": ("id", "name", "type"),
    "units": ("id", "name"),
}


class LayerError(Exception):
    """Why one layer (or the manifest, ``layer_id="manifest"``) could not be loaded.

    When the layer's file was read but none of its features is usable, ``source`` is that file, ``crs`` the CRS
    it was read in, ``read`` the number of features in it and ``bad`` each one's ``(index, reason)``.
    """

    def __init__(self, layer_id: str, message: str, *, source: Path | None = None, crs: str = "",
                 read: int = 0, bad: Sequence[tuple[int, str]] = ()) -> None:
        super().__init__(f"{layer_id}: {message}")
        self.layer_id = layer_id
        self.message = message
        self.source = source
        self.crs = crs
        self.read = read
        self.bad = list(bad)

    def __repr__(self) -> str:
        return f"LayerError({self.layer_id!r}, {self.message!r})"


@dataclass(frozen=True)
class Layer:
    """One loaded layer: its manifest entry and its features with geometry in WGS84.

    ``crs`` is the CRS the source declared (kept for display; the features are already WGS84). ``skipped`` holds
    ``(index in the file, reason)`` for each feature left out; ``source`` is the file the layer was read from
    (None for a layer that did not come from a file). ``title_en`` is the manifest's optional English title
    (plain text, at most :data:`MAX_TITLE_CHARS`): an English desk shows it (:func:`shown_title`).
    """

    id: str
    title: str
    kind: str
    crs: str
    style: dict[str, Any]
    features: list[dict[str, Any]]
    skipped: tuple[tuple[int, str], ...] = ()
    source: Path | None = None
    title_en: str | None = None

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(min_lon, min_lat, max_lon, max_lat) of all features, or None for an empty layer."""
        xs: list[float] = []
        ys: list[float] = []
        for feature in self.features:
            if feature.get("geometry") is None:
                continue
            for pos in geometry_positions(feature["geometry"]):
                xs.append(pos[0])
                ys.append(pos[1])
        if not xs:
            return None
        return min(xs), min(ys), max(xs), max(ys)


@dataclass
class LayerSet:
    """The result of :func:`load_layers`: the layers that loaded (manifest order) and what went wrong."""

    layers: dict[str, Layer] = field(default_factory=dict)
    errors: list[LayerError] = field(default_factory=list)

    def by_kind(self, kind: str) -> list[Layer]:
        """Layers of one kind (``"cameras"``, ``"towns"`` …) in manifest order."""
        return [layer for layer in self.layers.values() if layer.kind == kind]

    @property
    def ok(self) -> bool:
        """True when nothing was skipped: every layer loaded, each with all its features."""
        return not self.errors and not any(layer.skipped for layer in self.layers.values())


def _check_bounds(
    geometries: Sequence[dict[str, Any] | None], bounds: tuple[float, float, float, float]
) -> None:
    min_x, min_y, max_x, max_y = bounds
    for i, geom in enumerate(geometries):
        if geom is None:
            continue
        for pos in geometry_positions(geom):
            if not (min_x <= pos[0] <= max_x and min_y <= pos[1] <= max_y):
                raise ValueError(
                    f"feature {i}: ({pos[0]:.6f}, {pos[1]:.6f}) after normalisation lies outside China "
                    f"({min_x}–{max_x}°E, {min_y}–{max_y}°N): wrong CRS declared?"
                )


def normalize_features(
    features: Sequence[dict[str, Any]],
    crs: str,
    *,
    bounds: tuple[float, float, float, float] | None = CHINA_BOUNDS,
) -> list[dict[str, Any]]:
    """Copy GeoJSON features with their geometry converted from ``crs`` to WGS84.

    Usable for a FeatureCollection from the backend with a declared CRS. Properties are copied
    (``None`` becomes ``{}``), ``id`` is kept, a missing geometry counts as null. With ``bounds`` set
    (default: :data:`CHINA_BOUNDS`) every normalised coordinate must lie in that box. Raises
    ``ValueError`` (:class:`UnsupportedCRS` for an unknown CRS) naming the offending feature.
    """
    if not isinstance(features, list | tuple):
        raise ValueError("features is not a list")
    geometries: list[dict[str, Any] | None] = []
    for i, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ValueError(f"feature {i}: not a GeoJSON Feature")
        props = feature.get("properties")
        if props is not None and not isinstance(props, dict):
            raise ValueError(f"feature {i}: properties is not an object")
        geometries.append(feature.get("geometry"))
    converted = transform_geometries(geometries, crs)
    if bounds is not None:
        _check_bounds(converted, bounds)
    out: list[dict[str, Any]] = []
    for feature, geom in zip(features, converted, strict=True):
        props = dict(feature.get("properties") or {})
        new: dict[str, Any] = {"type": "Feature", "geometry": geom, "properties": props}
        if "id" in feature:
            new["id"] = feature["id"]
        out.append(new)
    return out


def kind_problem(kind: str, feature: dict[str, Any]) -> str | None:
    """Why ``feature`` does not fit a layer of ``kind`` (geometry type, required properties), or None.

    ``kind`` must be one of :data:`KIND_GEOMETRIES`."""
    allowed = KIND_GEOMETRIES[kind]
    geom = feature.get("geometry")
    gtype = geom.get("type") if isinstance(geom, dict) else None
    if not isinstance(gtype, str) or gtype not in allowed:
        return f"geometry {short_repr(gtype)} is not allowed for kind {kind!r} ({'/'.join(sorted(allowed))})"
    props = feature.get("properties")
    missing = [key for key in KIND_REQUIRED_PROPERTIES[kind] if key not in (props or {})]
    return f"missing properties {', '.join(missing)}" if missing else None


def _feature_shaped(feature: Any) -> bool:
    """A Feature with a typed geometry and properties that are an object or null: what the kind check reads
    (anything less is :func:`~commandwall.geo.features.check_features`' to name)."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return False
    geom = feature.get("geometry")
    return isinstance(geom, dict) and isinstance(geom.get("type"), str) and \
        isinstance(feature.get("properties"), dict | None)


def check_layer_features(
    raw: Any, crs: str, kind: str
) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """A manifest layer's features one by one: the usable ones in WGS84, and ``(index, reason)`` for the rest.

    The verdicts of :func:`commandwall.geo.features.check_features` (a user's source gets the same), and
    before them the geometry types and properties ``kind`` needs. ``ValueError`` when ``raw`` is not a list.
    """
    from commandwall.geo.features import check_features  # it imports this module

    if not isinstance(raw, list):
        raise ValueError(f"features is not a list but {type(raw).__name__}")
    bad: list[tuple[int, str]] = []
    rest: list[Any] = []
    where: list[int] = []
    for i, feature in enumerate(raw):
        problem = kind_problem(kind, feature) if _feature_shaped(feature) else None
        if problem is not None:
            bad.append((i, problem))
            continue
        rest.append(feature)
        where.append(i)
    checked = check_features(rest, crs)
    bad.extend((where[j], reason) for j, reason in checked.bad)
    bad.sort()
    return checked.features, bad


def _nesting_exceeds(value: Any, limit: int) -> bool:
    """True if ``value`` nests lists/objects more than ``limit`` deep (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _read_json(path: Path) -> Any:
    """Parse a JSON file; ``ValueError`` for anything unreadable, malformed or nested beyond
    :data:`MAX_JSON_DEPTH`."""
    try:  # a regular file of bounded size only: a named pipe left the loader (and `layers check`) waiting for ever
        text = read_small_file(path, MAX_LAYER_FILE_BYTES).decode("utf-8")
    except FileNotFoundError as exc:
        raise ValueError(f"file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: e.g. a NUL in the file name, too large
        raise ValueError(f"cannot read {path}: {exc}") from exc
    try:
        data = parse_json(text)
    except NotJsonError as exc:
        if exc.problem is JsonProblem.TOO_DEEP:
            raise ValueError(f"{path.name} nests arrays/objects too deeply (limit {MAX_JSON_DEPTH})") from exc
        raise ValueError(f"bad JSON in {path.name}: {exc}") from exc
    if _nesting_exceeds(data, MAX_JSON_DEPTH):
        raise ValueError(f"{path.name} nests arrays/objects too deeply (limit {MAX_JSON_DEPTH})")
    return data


def _load_one(layers_dir: Path, entry: dict[str, Any]) -> Layer:
    layer_id = entry["id"]
    for key in ("file", "crs", "kind"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise LayerError(layer_id, f"manifest entry lacks {key!r}")
    try:
        crs = canonical_crs(entry["crs"])
    except UnsupportedCRS as exc:
        raise LayerError(layer_id, str(exc)) from exc
    kind = entry["kind"]
    if kind not in KIND_GEOMETRIES:
        raise LayerError(layer_id, f"unknown kind {short_repr(kind)}")
    try:
        path = (layers_dir / entry["file"]).resolve()
        inside = path.is_relative_to(layers_dir.resolve())
    except (OSError, ValueError) as exc:  # a NUL byte, a loop of links …
        raise LayerError(layer_id, f"bad file name {short_repr(entry['file'])}: {exc}") from exc
    if not inside:
        raise LayerError(layer_id, f"file {short_repr(entry['file'])} lies outside the layers folder")
    try:
        data = _read_json(path)
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
            raise ValueError(f"{path.name} is not a GeoJSON FeatureCollection")
        features, bad = check_layer_features(data.get("features"), crs, kind)
    except ValueError as exc:
        raise LayerError(layer_id, str(exc)) from exc
    except Exception as exc:  # e.g. RecursionError on absurd nesting: still only this layer is lost
        raise LayerError(layer_id, f"unexpected {type(exc).__name__}: {exc}") from exc
    if bad and not features:
        first, reason = bad[0]
        raise LayerError(layer_id, f"none of {len(bad)} feature(s) is usable (first: feature {first}: "
                                   f"{short_repr(reason) if len(reason) > 300 else reason})",
                         source=path, crs=crs, read=len(bad), bad=bad)
    if bad:
        log.warning("layer %s: %d of %d feature(s) left out, first: feature %d: %s", short_repr(layer_id),
                    len(bad), len(bad) + len(features), bad[0][0], short_repr(bad[0][1]))
    style = entry.get("style") or {}
    if not isinstance(style, dict):
        raise LayerError(layer_id, "style is not an object")
    title = entry.get("title")
    return Layer(
        id=layer_id,
        title=title if isinstance(title, str) and title else layer_id,
        kind=kind,
        crs=entry["crs"],
        style=style,
        features=features,
        skipped=tuple(bad),
        source=path,
        title_en=_english_title(layer_id, entry.get("title_en")),
    )


def _english_title(layer_id: str, value: Any) -> str | None:
    """A manifest entry's ``title_en``: a non-blank string of at most :data:`MAX_TITLE_CHARS` characters, or None
    (none given; anything else is logged and left aside: the layer keeps its title)."""
    title = english_title(value)
    if title is None and value is not None:
        log.warning("layer %s: title_en left aside: %s", short_repr(layer_id),
                    f"longer than {MAX_TITLE_CHARS} characters" if isinstance(value, str) and value.strip()
                    else f"not a non-blank string: {short_repr(value)}")
    return title


def shown_title(layer: Any) -> str:
    """A layer's title in the chosen language: its ``title_en`` on an English desk where it has one, else its
    ``title`` (a layer without one always shows its title). For a layer folder's layers and the platform's
    catalogue entries (``LayerInfo``) alike. Plain text: show it through ``display_text``."""
    english = getattr(layer, "title_en", None)
    return english if isinstance(english, str) and english and language() == "en" else layer.title


def load_layers(layers_dir: Path) -> LayerSet:
    """Load every layer named in ``layers_dir/manifest.json``; never raises for bad data.

    A layer that cannot be loaded is left out and reported in ``LayerSet.errors``; a missing or unreadable
    manifest gives an empty set with one error whose ``layer_id`` is ``"manifest"``.
    """
    layers_dir = Path(layers_dir)
    result = LayerSet()
    try:
        manifest = _read_json(layers_dir / "manifest.json")
        entries = manifest.get("layers") if isinstance(manifest, dict) else None
        if not isinstance(entries, list):
            raise ValueError("manifest.json has no 'layers' list")
    except ValueError as exc:
        result.errors.append(LayerError("manifest", str(exc)))
        return result
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
            result.errors.append(LayerError(f"#{n}", "manifest entry without an 'id'"))
            continue
        if entry["id"] in result.layers:
            result.errors.append(LayerError(entry["id"], "duplicate layer id in manifest; entry skipped"))
            continue
        try:
            result.layers[entry["id"]] = _load_one(layers_dir, entry)
        except LayerError as exc:
            result.errors.append(exc)
        except Exception as exc:  # a case not foreseen above: still only this layer is lost
            result.errors.append(LayerError(entry["id"], f"unexpected {type(exc).__name__}: {exc}"))
    return result


def printable(text: str, limit: int = 200) -> str:
    """``text`` for a terminal report: control, format (bidi, zero-width), separator and surrogate
    characters become ``\\uXXXX`` escapes (so a name cannot move the cursor or reverse what follows,
    Unicode TR36), and more than ``limit`` characters are cut with a count."""
    out = []
    for ch in text[:limit]:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") and ch != "\u200d":
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    if len(text) > limit:
        out.append(f"… ({len(text)} characters)")
    return "".join(out)


def check_layers(layers_dir: Path) -> tuple[str, int]:
    """Human report of ``commandwall layers check FOLDER`` and its exit code
    (:func:`commandwall.geo.check.check_folder`)."""
    from commandwall.geo.check import check_folder  # it imports this module

    return check_folder(Path(layers_dir))
