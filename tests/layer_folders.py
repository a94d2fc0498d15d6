"""Layer folders the tests draw from: copies of the district's own ``layers/`` with a fault put in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from commandwall import paths


def folder_with_a_broken_layer(tmp_path: Path) -> Path:
    """A copy of the district's layer folder whose manifest also names a file that is not there (layer
    ``wells``, 水井)."""
    folder = tmp_path / "layers"
    shutil.copytree(paths.layers_dir(), folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["layers"].append({"id": "wells", "title": "水井", "file": "wells.geojson", "crs": "EPSG:4326",
                               "kind": "resources"})
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder
