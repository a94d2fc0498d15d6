"""How a desk last showed its layers (order, on/off, opacity), kept in ``<config>/layer_view.json``, without Qt.

The file is the layer tree's memory across restarts, as QGIS keeps a project's layer panel: ``{"version": 1,
"order": [key, …] (top first), "layers": {key: {"visible": bool, "opacity": 0.05–1, "refresh_s": 0 | 10–86400}}}``
(``refresh_s`` only for a layer whose refresh interval was set in the tree: 0 never, else seconds). Keys are user source
ids and ``platform:<id>`` for the platform's catalogue. A file that cannot be read is reported and ignored (the
layers show as configured); at the next change it is set aside as ``layer_view.json.broken-<time>`` (a hand edit
to mend, see ``UserLayersController.save_view``) and a new one written. It is written whole through a temporary
file, so a crash never leaves half of it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commandwall.localjson import parse_json
from commandwall.paths import write_whole

log = logging.getLogger(__name__)

#: The file in the settings folder that keeps the layer tree's order, on/off and opacity.
LAYER_VIEW_FILE = "layer_view.json"
_MAX_BYTES = 256 * 1024
_MAX_KEYS = 500
#: The shortest refresh interval of a live layer, seconds (as ``LayerSourceSpec.refresh_s``).
MIN_REFRESH_S = 10


@dataclass
class LayerView:
    """Saved look of the layers: ``order`` (keys, top first) and ``shown`` (key -> (visible, opacity))."""

    order: list[str] = field(default_factory=list)
    shown: dict[str, tuple[bool, float]] = field(default_factory=dict)
    #: key -> refresh interval in seconds set in the tree (0: never), for the layers where one was set.
    refresh: dict[str, int] = field(default_factory=dict)

    def position(self, key: str) -> int | None:
        """Where ``key`` was in the saved order (0 = top), or None when it was not saved."""
        try:
            return self.order.index(key)
        except ValueError:
            return None


def _key(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= 200 and value.isprintable() else None


def read_layer_view(path: Path) -> tuple[LayerView, str | None]:
    """The saved view (empty when there is none) and the problem with the file, if it was unusable."""
    try:
        if not path.is_file():
            return LayerView(), None
        if path.stat().st_size > _MAX_BYTES:
            raise ValueError(f"larger than {_MAX_BYTES} bytes")
        data = parse_json(path.read_text("utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("layers", {}), dict) \
                or not isinstance(data.get("order", []), list):
            raise ValueError("not a layer view (expected order and layers)")
    except (OSError, ValueError) as exc:  # NotJsonError too: not JSON, nested too deep, a number too long
        reason = str(exc) if isinstance(exc, ValueError) and not isinstance(exc, UnicodeDecodeError) \
            else type(exc).__name__
        log.warning("%s ignored: %s", path, reason)
        return LayerView(), f"{path.name}: cannot be used ({reason}); the layers show as configured"
    view = LayerView()
    for raw in data.get("order", [])[:_MAX_KEYS]:
        if (key := _key(raw)) is not None and key not in view.order:
            view.order.append(key)
    for raw, entry in list(data.get("layers", {}).items())[:_MAX_KEYS]:
        key = _key(raw)
        if key is None or not isinstance(entry, dict):
            continue
        visible = entry.get("visible", True)
        opacity = entry.get("opacity", 0.9)
        if isinstance(visible, bool) and isinstance(opacity, int | float) and not isinstance(opacity, bool) \
                and 0 <= opacity <= 1:
            view.shown[key] = (visible, min(1.0, max(0.05, float(opacity))))
        refresh = entry.get("refresh_s")
        if valid_refresh(refresh):
            view.refresh[key] = refresh
    return view, None


def valid_refresh(value: Any) -> bool:
    """True for a refresh interval the tree keeps: 0 (never) or 10–86400 seconds, as an int."""
    return isinstance(value, int) and not isinstance(value, bool) and (value == 0 or MIN_REFRESH_S <= value <= 86400)


def write_layer_view(path: Path, view: LayerView) -> str | None:
    """Write ``view`` whole (temporary file, then rename); the problem as text if it could not be written."""
    layers: dict[str, dict[str, Any]] = {k: {"visible": v, "opacity": round(o, 2)} for k, (v, o) in view.shown.items()}
    for key, seconds in view.refresh.items():
        layers.setdefault(key, {})["refresh_s"] = seconds
    data = {"version": 1, "order": view.order, "layers": layers}
    try:
        write_whole(path, json.dumps(data, ensure_ascii=False, indent=1))
    except OSError as exc:
        log.warning("cannot write %s: %s", path, exc)
        return f"{path.name}: cannot be written ({type(exc).__name__})"
    return None
