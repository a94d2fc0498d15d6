"""The user's own layers (自定义图层), without Qt: where they are configured, what each one holds now, how it is
shown (on/off, opacity, order) and when a live one is read again.

Sources come from ``Settings.layer_sources`` (``COMMANDWALL_LAYER_SOURCES``, a JSON list) and then from
``<config>/layers.json`` (a JSON list, or ``{"layers": [...]}``) of :class:`LayerSourceSpec` entries. A bad entry
is left out and named in :attr:`UserLayersController.problems`; the others still load. Reading happens on a
worker thread (:meth:`UserLayersController.load`); everything the page gets is built here as plain data.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from commandwall.geo.check import source_report
from commandwall.geo.sources import LayerSourceSpec, SourceResult, load_source
from commandwall.textsafe import display_text

log = logging.getLogger(__name__)

#: The file in the settings folder that lists a desk's own layer sources.
USER_LAYERS_FILE = "layers.json"
_MAX_FILE_BYTES = 1024 * 1024


def read_sources_file(path: Path) -> tuple[list[LayerSourceSpec], list[str]]:
    """The sources listed in ``path`` (missing file: none) and one problem line per entry left out."""
    try:
        if not path.is_file():
            return [], []
        if path.stat().st_size > _MAX_FILE_BYTES:
            return [], [f"{path.name}: larger than {_MAX_FILE_BYTES} bytes"]
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        return [], [f"{path.name}: cannot read ({type(exc).__name__})"]
    entries = data.get("layers") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return [], [f"{path.name}: expected a JSON list of layer sources"]
    specs: list[LayerSourceSpec] = []
    problems: list[str] = []
    for n, entry in enumerate(entries[:100]):
        try:
            specs.append(LayerSourceSpec.model_validate(entry))
        except ValidationError as exc:
            where = ", ".join(".".join(str(p) for p in err["loc"]) or "entry" for err in exc.errors()[:3])
            problems.append(f"{path.name} entry {n}: invalid ({where})")
    return specs, problems


def configured_sources(settings: Any) -> tuple[list[LayerSourceSpec], list[str]]:
    """``settings.layer_sources`` then ``<settings.config_dir>/layers.json``; a repeated id is left out."""
    from_file, problems = read_sources_file(Path(settings.config_dir) / USER_LAYERS_FILE)
    specs: list[LayerSourceSpec] = []
    for spec in [*settings.layer_sources, *from_file]:
        if any(s.id == spec.id for s in specs):
            problems.append(f"layer source {spec.id}: the id is used twice; the second one is left out")
        else:
            specs.append(spec)
    return specs, problems


@dataclass
class UserLayer:
    """One source and how it is shown: ``visible``, ``opacity`` (0–1), its latest :class:`SourceResult`."""

    spec: LayerSourceSpec
    visible: bool = True
    opacity: float = 0.9
    result: SourceResult | None = None
    loading: bool = False
    report: str = ""  # ``geo.check.source_report`` of ``result``, made where it was read (it walks every position)

    @property
    def status(self) -> str:
        """``loading``, ``ok``, ``partial`` (some features left out) or ``error``."""
        if self.result is None:
            return "loading"
        if not self.result.usable:
            return "error"
        return "partial" if self.result.bad or self.result.truncated else "ok"


class UserLayersController:
    """The user layers in their drawing order (first = drawn on top)."""

    def __init__(self, specs: list[LayerSourceSpec], problems: list[str] | None = None,
                 *, loader: Any = load_source) -> None:
        self.layers: list[UserLayer] = [UserLayer(spec) for spec in specs]
        self.problems = list(problems or [])
        self._loader = loader
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Any) -> UserLayersController:
        """The controller for a desk's settings (see :func:`configured_sources`)."""
        return cls(*configured_sources(settings))

    def get(self, layer_id: str) -> UserLayer | None:
        """The layer with this id, or None."""
        return next((layer for layer in self.layers if layer.spec.id == layer_id), None)

    def load(self, layer_id: str) -> SourceResult | None:
        """Read one source now (blocking: call it off the GUI thread); None for an unknown id."""
        layer = self.get(layer_id)
        if layer is None:
            return None
        result = self._loader(layer.spec)
        report = "\n".join(source_report(result))
        with self._lock:
            layer.result, layer.loading, layer.report = result, False, report
        return result

    def due(self, now: float | None = None) -> list[str]:
        """Ids of live layers whose refresh interval has passed (and that are not being read); marks them."""
        now = time.time() if now is None else now
        ids = []
        with self._lock:
            for layer in self.layers:
                r = layer.result
                live = layer.spec.refresh_s > 0 and not layer.loading and r is not None
                if live and now - r.fetched_at >= layer.spec.refresh_s:  # type: ignore[union-attr]
                    layer.loading = True
                    ids.append(layer.spec.id)
        return ids

    def set_visible(self, layer_id: str, visible: bool) -> None:
        """Show or hide a layer."""
        if (layer := self.get(layer_id)) is not None:
            layer.visible = bool(visible)

    def set_opacity(self, layer_id: str, opacity: float) -> None:
        """Set a layer's opacity, clamped to 0.05–1 (a layer at 0 looks broken; hide it instead)."""
        if (layer := self.get(layer_id)) is not None:
            layer.opacity = min(1.0, max(0.05, float(opacity)))

    def move(self, layer_id: str, step: int) -> bool:
        """Move a layer ``step`` places up (negative) or down the drawing order; False if it cannot move."""
        layer = self.get(layer_id)
        if layer is None:
            return False
        i = self.layers.index(layer)
        j = i + step
        if not 0 <= j < len(self.layers):
            return False
        self.layers.insert(j, self.layers.pop(i))
        return True

    # --- what the page gets ------------------------------------------------------------------------------------
    def style_payload(self, layer: UserLayer) -> dict[str, Any]:
        """How a layer is shown: ``{id, visible, opacity, z}`` (z: higher is drawn above)."""
        return {"id": layer.spec.id, "visible": layer.visible, "opacity": round(layer.opacity, 2),
                "z": len(self.layers) - 1 - self.layers.index(layer)}

    def layer_payload(self, layer: UserLayer) -> dict[str, Any]:
        """A layer for cw-layers.js: style, title, colour, and its features (name only) when it has any."""
        out = {**self.style_payload(layer), "title": display_text(layer.spec.title), "color": layer.spec.color,
               "data": None, "error": None}
        r = layer.result
        if r is not None and r.error and not r.features:
            out["error"] = display_text(r.error)
        if r is not None and r.features:
            out["data"] = {"type": "FeatureCollection", "features": [_page_feature(f) for f in r.features]}
        return out

    def page_payload(self) -> list[dict[str, Any]]:
        """Every layer, for a page that (re)connects."""
        return [self.layer_payload(layer) for layer in self.layers]


def _page_feature(feature: dict[str, Any]) -> dict[str, Any]:
    """The feature as the page draws it: geometry (rounded to ~0.1 m) and its name as safe text."""
    props = feature.get("properties") or {}
    name = props.get("name") if props.get("name") is not None else props.get("title", feature.get("id", ""))
    geometry = feature["geometry"]
    return {"type": "Feature", "geometry": _rounded(geometry),
            "properties": {"name": display_text(str(name if name is not None else ""), 200)}}


def _rounded(geometry: dict[str, Any]) -> dict[str, Any]:
    if geometry["type"] == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [_rounded(g) for g in geometry["geometries"]]}

    def walk(coords: Any) -> Any:
        if coords and not isinstance(coords[0], list | tuple):
            return [round(float(coords[0]), 6), round(float(coords[1]), 6)]
        return [walk(c) for c in coords]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
