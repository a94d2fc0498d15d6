"""``commandwall layers check FOLDER_OR_URL [--crs CODE]``: is this layer usable, and what is wrong with it?

A file or a URL is checked as one source (:func:`commandwall.geo.sources.spec_for_target`), a folder as a layer
manifest (:func:`check_folder`: every layer as the client loads it, :func:`commandwall.geo.layers.load_layers`).
Either way each layer gets the same report (:func:`source_report`): feature count, geometry types, WGS84 bbox
and each bad feature with its reason (the first :data:`~commandwall.geo.features.MAX_LISTED_BAD`, then a count).
Exit code 0 when usable (a source: it answered and has drawable features; a folder: every layer in its manifest
loads, bad features left out), 1 when not, 2 when the target cannot be checked at all.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from commandwall.backend.http import redact
from commandwall.geo.crs import canonical_crs
from commandwall.geo.features import CheckedFeatures, describe_bad
from commandwall.geo.layers import Layer, LayerError, load_layers, printable
from commandwall.geo.sources import LayerSourceSpec, SourceResult, describe_invalid, load_source, spec_for_target


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
                 f"{' (cut at max_features)' if result.truncated else ''}; crs: {printable(str(result.crs), 80)}")
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


def _layer_result(layer_id: str, title: str, crs: str, source: Path | None, features: list,
                  bad: list[tuple[int, str]]) -> SourceResult:
    """A manifest layer as the report of a source sees it (the file it was read from, what it gave)."""
    spec = LayerSourceSpec.model_construct(id=layer_id, title=title, kind="geojson", path=source, url=None)
    return SourceResult(spec=spec, features=features, bad=bad, crs=crs, pages=1)


def _layer_lines(layer: Layer) -> list[str]:
    status = "WARN" if layer.skipped else "ok"
    lines = [f"  {status:<5} {printable(layer.id, 60):<10} {printable(layer.title)}  kind={layer.kind} "
             f"crs={printable(layer.crs, 60)}"]
    result = _layer_result(layer.id, layer.title, canonical_crs(layer.crs), layer.source, layer.features,
                           list(layer.skipped))
    return lines + [f"      {line}" for line in source_report(result)]


def _error_lines(error: LayerError) -> list[str]:
    lines = [f"  ERROR {printable(error.layer_id, 60):<10} {printable(error.message, 400)}"]
    if error.source is not None and error.read:  # read, nothing usable: say why for each feature
        result = _layer_result(error.layer_id, error.layer_id, error.crs, error.source, [], error.bad)
        lines.extend(f"      {line}" for line in source_report(result))
    return lines


def check_folder(layers_dir: Path) -> tuple[str, int]:
    """Human report and exit code of ``layers check`` on a layers folder (``manifest.json`` + one file a layer).

    Each layer as :func:`~commandwall.geo.layers.load_layers` loads it for the client, with the report a single
    source gets; a layer that cannot be loaded with its reason. Exit code 0 when every layer loads (bad features
    are listed and left out, as the client leaves them out), 1 when one does not or there are none.
    """
    layers_dir = Path(layers_dir)
    lines = [f"layers folder: {printable(str(layers_dir), 400)}"]
    try:
        result = load_layers(layers_dir)
    except Exception as exc:  # load_layers reports per layer; this is only the last line of defence
        lines.append(f"  ERROR manifest   cannot load: {type(exc).__name__}: {printable(str(exc))}")
        lines.append("NOT usable")
        return "\n".join(lines), 1
    for layer in result.layers.values():
        lines.extend(_layer_lines(layer))
    for error in result.errors:
        lines.extend(_error_lines(error))
    if not result.layers and not result.errors:
        lines.append("  ERROR no layers in manifest")
    failed = bool(result.errors) or not result.layers
    left_out = sum(len(layer.skipped) for layer in result.layers.values())
    lines.append(f"{len(result.layers)} layer(s) loaded, {len(result.errors)} error(s), "
                 f"{left_out} bad feature(s) left out")
    lines.append("NOT usable" if failed else "usable")
    return "\n".join(lines), 1 if failed else 0


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
            return check_folder(Path(target))
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
