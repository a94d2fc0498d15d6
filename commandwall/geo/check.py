"""``commandwall layers check FOLDER_OR_URL [--crs CODE]``: is this layer usable, and what is wrong with it?

A folder is checked as a layer manifest (:func:`commandwall.geo.layers.check_layers`); a file or a URL as one
source (:func:`commandwall.geo.sources.spec_for_target`): feature count, geometry types, WGS84 bbox and each
bad feature with its reason. Exit code 0 when the layer is usable (it answered and has drawable features).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from commandwall.backend.http import redact
from commandwall.geo.features import CheckedFeatures, describe_bad
from commandwall.geo.layers import check_layers, printable
from commandwall.geo.sources import SourceResult, describe_invalid, load_source, spec_for_target


def source_report(result: SourceResult) -> list[str]:
    """Report lines for one loaded source (also used by the layer tree's details)."""
    spec = result.spec
    what = {"geojson": "GeoJSON", "ogcapi": f"OGC API Features, collection {spec.collection}",
            "wfs": f"WFS 2.0{' GML 3.2' if spec.wfs_format == 'gml32' else ''}, type {spec.type_name}"}[spec.kind]
    lines = [f"source: {printable(spec.where(), 400)} ({printable(what)})"]
    if result.error and not result.features:
        lines.append(f"  ERROR {printable(result.error, 400)}")
    checked = CheckedFeatures(result.features, result.bad)
    total = len(result.features) + len(result.bad)
    server = f", the server has {result.matched}" if result.matched is not None else ""
    lines.append(f"  pages read: {result.pages}; features read: {total}{server}"
                 f"{' (cut at max_features)' if result.truncated else ''}; crs: {result.crs}")
    types = checked.geometry_types()
    lines.append(f"  usable features: {len(result.features)}"
                 + (f" ({', '.join(f'{k} {v}' for k, v in sorted(types.items()))})" if types else ""))
    box = checked.bounds()
    if box is not None:
        lines.append("  bbox (WGS84 lon/lat): {:.6f}, {:.6f} – {:.6f}, {:.6f}".format(*box))
    if result.bad:
        lines.append(f"  bad features: {len(result.bad)}")
        lines.extend(f"    {printable(line, 400)}" for line in describe_bad(result.bad))
    return lines


def check_target(target: str, crs: str | None = None) -> tuple[str, int]:
    """Human report and exit code for ``layers check`` on a folder, a GeoJSON file or a service URL."""
    is_url = target.lower().startswith(("http://", "https://"))
    if not is_url:
        try:
            is_folder = Path(target).is_dir()
        except (OSError, ValueError):
            is_folder = False
        if is_folder:
            if crs is not None:
                return "--crs applies to a file or URL; a layers folder declares its CRS in manifest.json", 2
            return check_layers(Path(target))
    shown = printable(redact(target) if is_url else target, 400)  # a key in the URL is never echoed
    try:
        spec = spec_for_target(target, crs)
    except ValidationError as exc:
        return f"cannot check {shown}: {printable(describe_invalid(exc), 400)}", 2
    except ValueError as exc:
        return f"cannot check {shown}: {printable(str(exc), 400)}", 2
    result = load_source(spec)
    lines = source_report(result)
    lines.append("usable" if result.usable else "NOT usable")
    return "\n".join(lines), 0 if result.usable else 1
