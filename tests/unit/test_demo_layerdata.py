"""The exercise backend's layer catalogue over a layers folder with a bad feature in it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from commandwall.demo.layerdata import LayerCatalogue

ROOT = Path(__file__).resolve().parents[2]


def test_a_bad_feature_leaves_the_rest_of_its_layer_served(tmp_path: Path) -> None:
    folder = tmp_path / "layers"
    shutil.copytree(ROOT / "layers", folder)
    roads_file = folder / "roads.geojson"
    roads = json.loads(roads_file.read_text(encoding="utf-8"))
    good = len(roads["features"])
    bad = {"type": "Feature", "properties": {"name": "坏道路"}, "geometry": {"type": "Point", "coordinates": "x"}}
    roads["features"].insert(3, bad)
    roads_file.write_text(json.dumps(roads, ensure_ascii=False), encoding="utf-8")

    catalogue = LayerCatalogue(folder)

    assert "roads" in catalogue.served, catalogue.errors
    served = catalogue.served["roads"]
    assert len(served.features) == good, "every good road is served, the bad one is not"
    assert all((f.get("properties") or {}).get("name") != "坏道路" for f in served.features)
    assert len(served.select(None)) == good
    assert not [e for e in catalogue.errors if e.startswith("roads")], catalogue.errors
