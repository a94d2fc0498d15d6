"""The add-layer form (添加图层…) without Qt: what the user filled in becomes a :class:`LayerSourceSpec`, and the
check is the one ``commandwall layers check`` runs (:func:`commandwall.geo.check.source_report`).

A validation failure comes back as one readable line per problem (``ValueError``), never as pydantic's dump and
never echoing a URL (a key in it is refused, not shown).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from commandwall.backend.http import has_secret_query
from commandwall.geo.check import source_report
from commandwall.geo.sources import OGC_ITEMS, LayerSourceSpec, SourceResult, describe_invalid, load_source
from commandwall.i18n import QT_TRANSLATE_NOOP
from commandwall.paths import expand_home

#: The kinds the form offers: (key, label). ``file`` and ``url`` are both GeoJSON.
FORM_KINDS: tuple[tuple[str, str], ...] = (
    ("file", QT_TRANSLATE_NOOP("layers", "GeoJSON 文件")),
    ("url", QT_TRANSLATE_NOOP("layers", "GeoJSON 网址")),
    ("ogcapi", QT_TRANSLATE_NOOP("layers", "OGC API Features 集合")),
    ("wfs", QT_TRANSLATE_NOOP("layers", "WFS 2.0 要素类型")),
    ("wfs_gml", QT_TRANSLATE_NOOP("layers", "WFS 2.0 要素类型（GML 3.2）")),
)


def source_from_form(kind: str, location: str, name: str, crs: str, title: str, source_id: str) -> LayerSourceSpec:
    """A source from the form: ``location`` is the file or URL (for OGC API the service root or a whole
    ``…/collections/ID/items`` URL), ``name`` the collection or feature type. ``ValueError`` says what is wrong."""
    location, name, crs, title = location.strip(), name.strip(), crs.strip(), title.strip()
    if not location:
        raise ValueError("file or URL missing")
    if kind != "file" and has_secret_query(location):  # refused, not quietly cut off (and never echoed)
        raise ValueError("url: a layer URL must not carry a key or token in its query")
    fields: dict[str, Any] = {"id": source_id, "crs": crs or None}
    if kind == "file":  # the file the user checked now, wherever the desk starts next (absolute, not resolved)
        # ~NAME of a user this machine does not have: a ValueError saying so (Path.expanduser's RuntimeError
        # escaped the form)
        fields |= {"kind": "geojson", "path": expand_home(location).absolute()}
    elif kind == "url":
        fields |= {"kind": "geojson", "url": location}
    elif kind == "ogcapi":
        match = OGC_ITEMS.match(location.split("?", 1)[0])
        if match and not name:
            location, name = match["root"], match["collection"]
        fields |= {"kind": "ogcapi", "url": location, "collection": name or None}
    elif kind in ("wfs", "wfs_gml"):
        fields |= {"kind": "wfs", "url": location.split("?", 1)[0], "type_name": name or None,
                   "wfs_format": "gml32" if kind == "wfs_gml" else "json"}
    else:
        raise ValueError(f"unknown kind {kind!r}")
    fields["title"] = title or name or Path(location.split("?", 1)[0]).stem[:60] or source_id
    if fields["kind"] == "geojson" and fields.get("crs") in ("EPSG:4326", None):
        fields["crs"] = None  # GeoJSON is WGS84 unless it says otherwise: let a legacy crs member speak
    try:
        return LayerSourceSpec(**fields)
    except ValidationError as exc:
        raise ValueError(describe_invalid(exc)) from None


def check_source(spec: LayerSourceSpec) -> tuple[SourceResult, str]:
    """Read the source and report on it as ``layers check`` does (blocks: call it off the GUI thread)."""
    result = load_source(spec)
    lines = source_report(result)
    lines.append("usable" if result.usable else "NOT usable")
    return result, "\n".join(lines)
