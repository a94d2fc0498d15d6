"""The district's layers as the backend serves them: catalogue, paging and bbox filtering.

Layers are loaded with ``commandwall.geo.layers.load_layers`` (WGS84 features, used for seeding and for
bbox tests). Served features keep the coordinates of the file in ``layers/`` — the layer's declared CRS —
as the contract asks. If ``layers/`` cannot be loaded at all, a synthetic stand-in district is used
(``fallback.py``) and the reason is logged and kept in ``errors``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from shapely import STRtree, box
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from commandwall.demo.fallback import fallback_layers

log = logging.getLogger(__name__)

#: Layer kinds with endpoints of their own, left out of the catalogue.
OWN_ENDPOINT_KINDS = frozenset({"cameras", "units"})
#: The catalogue layer only the platform has (not in ``layers/``): emergency shelters (应急避难场所).
SHELTERS_ID = "shelters"


class LayerLike(Protocol):
    """What the backend needs of a layer (``commandwall.geo.layers.Layer`` or the fallback)."""

    id: str
    title: str
    kind: str
    crs: str
    style: dict[str, Any]
    features: list[dict[str, Any]]


@dataclass
class ServedLayer:
    """One catalogue layer: features as stored (declared CRS) plus WGS84 shapes for bbox queries; ``title_en``,
    its English title where it has one (the manifest's)."""

    id: str
    title: str
    kind: str
    crs: str
    style: dict[str, Any]
    features: list[dict[str, Any]]
    tree: STRtree
    title_en: str | None = None

    def select(self, bbox: tuple[float, float, float, float] | None) -> list[int]:
        """Indices of features intersecting ``bbox`` (WGS84), all when None; in file order."""
        if bbox is None:
            return list(range(len(self.features)))
        hits = self.tree.query(box(*bbox), predicate="intersects")
        return sorted(int(i) for i in hits)


class LayerCatalogue:
    """Loaded layers: ``layers`` (WGS84, every kind) and ``served`` (catalogue, declared CRS)."""

    def __init__(self, layers_dir: Path) -> None:
        self.layers_dir = Path(layers_dir)
        self.layers: dict[str, LayerLike] = {}
        self.served: dict[str, ServedLayer] = {}
        self.errors: list[str] = []
        self.synthetic = False
        raw_by_id = self._load()
        for layer in self.layers.values():
            if layer.kind in OWN_ENDPOINT_KINDS:
                continue
            raw = raw_by_id.get(layer.id, layer.features)
            skipped = {index for index, _ in getattr(layer, "skipped", ())}
            if skipped:  # the bad features the loader left out are not served either: the rest of the layer is
                raw = [feature for index, feature in enumerate(raw) if index not in skipped]
            if len(raw) != len(layer.features):
                self.errors.append(f"{layer.id}: stored and normalised feature counts differ; not served")
                continue
            shapes: list[BaseGeometry] = [shape(f["geometry"]) for f in layer.features]
            self.served[layer.id] = ServedLayer(
                layer.id, layer.title, layer.kind, layer.crs, dict(layer.style), raw, STRtree(shapes),
                title_en=getattr(layer, "title_en", None),
            )
        shelters = [] if self.synthetic else self._shelters()
        if shelters:
            self.served[SHELTERS_ID] = ServedLayer(
                SHELTERS_ID, "应急避难场所", "shelters", "EPSG:4326", {"color": "#34c759"}, shelters,
                STRtree([shape(f["geometry"]) for f in shelters]), title_en="Emergency shelters",
            )

    def _shelters(self) -> list[dict[str, Any]]:
        """Emergency shelters (应急避难场所), a layer only the platform serves: a few points inside each town,
        on a fixed grid (the same every start)."""
        towns = [f for layer in self.of_kind("towns") for f in layer.features]
        features: list[dict[str, Any]] = []
        for town in towns:
            area = shape(town["geometry"])
            w, s, e, n = area.bounds
            name = str((town.get("properties") or {}).get("name", ""))
            spots = [(w + (e - w) * i / 5, s + (n - s) * j / 5) for i in range(1, 5) for j in range(1, 5)]
            inside = [(x, y) for x, y in spots if area.contains(shape({"type": "Point", "coordinates": [x, y]}))]
            for k, (x, y) in enumerate(inside[:4]):
                features.append({"type": "Feature", "id": f"shelter-{len(features) + 1}",
                                 "geometry": {"type": "Point", "coordinates": [round(x, 6), round(y, 6)]},
                                 "properties": {"name": f"{name}避难场所{k + 1}", "town": name}})
        return features

    def _load(self) -> dict[str, list[dict[str, Any]]]:
        """Fill ``layers``; return the raw (declared-CRS) features per layer id."""
        try:
            from commandwall.geo.layers import load_layers

            result = load_layers(self.layers_dir)
        except Exception as exc:  # the geo package itself failed: keep the exercise running
            log.exception("cannot load layers from %s", self.layers_dir)
            self.errors.append(f"geo: {exc}")
            return self._use_fallback()
        for error in result.errors:
            log.warning("layer %s skipped: %s", error.layer_id, error.message)
            self.errors.append(f"{error.layer_id}: {error.message}")
        if not result.layers:
            return self._use_fallback()
        self.layers = dict(result.layers)
        return self._raw_features()

    def _use_fallback(self) -> dict[str, list[dict[str, Any]]]:
        log.warning("no usable layers in %s: using a synthetic stand-in district", self.layers_dir)
        self.synthetic = True
        self.layers = {layer.id: layer for layer in fallback_layers()}
        return {}

    def _raw_features(self) -> dict[str, list[dict[str, Any]]]:
        """Features exactly as stored in ``layers/`` (the layer's declared CRS)."""
        manifest = json.loads((self.layers_dir / "manifest.json").read_text(encoding="utf-8"))
        files = {e.get("id"): e.get("file") for e in manifest.get("layers", []) if isinstance(e, dict)}
        raw: dict[str, list[dict[str, Any]]] = {}
        for layer_id in self.layers:
            if self.layers[layer_id].kind in OWN_ENDPOINT_KINDS:
                continue
            data = json.loads((self.layers_dir / files[layer_id]).read_text(encoding="utf-8"))
            raw[layer_id] = list(data["features"])
        return raw

    def of_kind(self, kind: str) -> list[LayerLike]:
        """Loaded layers of one kind, manifest order."""
        return [layer for layer in self.layers.values() if layer.kind == kind]

    def catalogue(self) -> list[dict[str, Any]]:
        """The ``GET /api/v1/layers`` entries (``title_en`` where the layer has an English title)."""
        return [
            {
                "id": s.id,
                "title": s.title,
                **({"title_en": s.title_en} if s.title_en else {}),
                "kind": s.kind,
                "crs": s.crs,
                "style": s.style,
                "items_url": f"/api/v1/collections/{s.id}/items",
                "feature_count": len(s.features),
            }
            for s in self.served.values()
        ]
