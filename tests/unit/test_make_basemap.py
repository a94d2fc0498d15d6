"""``scripts/make_basemap.py``, the exercise district's offline base map, run as a user runs it (a few zooms into
a temporary folder): a valid MBTiles the app's reader serves, every tile over the district there, real pictures
with roads and labels on them, and the same bytes on every run (seeded)."""

from __future__ import annotations

import io
import math
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from shapely.geometry import box, shape
from shapely.ops import unary_union

from commandwall.geo.basemaps import MBTilesReader
from commandwall.geo.layers import load_layers
from commandwall.paths import layers_dir

ROOT = Path(__file__).resolve().parents[2]
MIN_ZOOM, MAX_ZOOM = 11, 12  # of 10–16: town names, roads and grid lines, in a few seconds
BACKGROUND = (11, 22, 34)  # the map page's background colour, which the base map is painted on
LABEL = (214, 228, 240)  # label text
MAIN_ROAD = (214, 148, 60)  # 主干道 fill


def make_basemap(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_basemap.py"), "--out", str(out),
         "--min-zoom", str(MIN_ZOOM), "--max-zoom", str(MAX_ZOOM)],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("basemap")
    outs = folder / "first" / "xuecheng.mbtiles", folder / "second" / "xuecheng.mbtiles"
    for out in outs:
        proc = make_basemap(out)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f"wrote {out}" in proc.stdout
    return outs


@pytest.fixture(scope="module")
def district():
    layers = load_layers(layers_dir())
    features = [f for layer in layers.by_kind("boundary") for f in layer.features]
    roads = [(f["properties"], shape(f["geometry"])) for layer in layers.by_kind("roads") for f in layer.features]
    towns = [shape(f["geometry"]) for layer in layers.by_kind("towns") for f in layer.features]
    return unary_union([shape(f["geometry"]) for f in features]), roads, towns


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """XYZ tile (Web Mercator, y down from the north) holding a WGS84 point."""
    n = 2**zoom
    lat_r = math.radians(lat)
    return int((lon + 180.0) / 360.0 * n), int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)


def tile_bounds(x: int, y: int, zoom: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of an XYZ tile in WGS84."""
    n = 2**zoom

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def pixels(data: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG" and image.size == (256, 256) and image.mode == "RGB"
    return np.asarray(image)


def count(rgb: np.ndarray, colour: tuple[int, int, int]) -> int:
    return int(np.all(rgb == colour, axis=-1).sum())


def test_two_runs_give_the_same_bytes(runs: tuple[Path, Path]) -> None:
    first, second = runs
    assert first.stat().st_size > 50_000
    assert first.read_bytes() == second.read_bytes()


def test_metadata_says_what_the_file_is(runs: tuple[Path, Path], district) -> None:
    area, _, _ = district
    with sqlite3.connect(f"file:{runs[0]}?mode=ro", uri=True) as db:
        metadata = dict(db.execute("SELECT name, value FROM metadata"))
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM tiles WHERE zoom_level NOT BETWEEN ? AND ?",
                          (MIN_ZOOM, MAX_ZOOM)).fetchone() == (0,)
    assert metadata["name"] == "薛城区离线底图" and metadata["format"] == "png"
    assert metadata["type"] == "baselayer"
    assert (metadata["minzoom"], metadata["maxzoom"]) == (str(MIN_ZOOM), str(MAX_ZOOM))
    west, south, east, north = map(float, metadata["bounds"].split(","))
    assert (west, south, east, north) == pytest.approx(area.bounds, abs=1e-5)  # the district's own box
    assert 117.0 < west < east < 117.6 and 34.5 < south < north < 35.0
    lon, lat, zoom = metadata["center"].split(",")
    assert area.contains(box(float(lon) - 1e-3, float(lat) - 1e-3, float(lon) + 1e-3, float(lat) + 1e-3))
    assert MIN_ZOOM <= int(zoom) <= MAX_ZOOM
    reader = MBTilesReader(runs[0])
    assert (reader.min_zoom, reader.max_zoom) == (MIN_ZOOM, MAX_ZOOM)


def test_every_tile_over_the_district_is_there_and_decodes(runs: tuple[Path, Path], district) -> None:
    area, _, _ = district
    reader = MBTilesReader(runs[0])
    west, south, east, north = area.bounds
    for zoom in range(MIN_ZOOM, MAX_ZOOM + 1):
        x0, y0 = tile_of(west, north, zoom)
        x1, y1 = tile_of(east, south, zoom)
        over = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)
                if area.intersects(box(*tile_bounds(x, y, zoom)))]
        assert len(over) >= 4
        for x, y in over:
            found = reader.tile(zoom, x, y)
            assert found is not None, f"no tile {zoom}/{x}/{y} over the district"
            assert found[1] == "image/png"
            rgb = pixels(found[0])
            assert count(rgb, BACKGROUND) < rgb.shape[0] * rgb.shape[1]  # something of the district on it
        with sqlite3.connect(f"file:{runs[0]}?mode=ro", uri=True) as db:
            stored = db.execute("SELECT tile_column, tile_row, tile_data FROM tiles WHERE zoom_level = ?",
                                (zoom,)).fetchall()
        margin = area.buffer(tile_bounds(0, 0, zoom)[2] - tile_bounds(0, 0, zoom)[0])
        for x, row, data in stored:  # nothing a tile or more off the district; every stored tile is a picture
            assert margin.intersects(box(*tile_bounds(x, 2**zoom - 1 - row, zoom))), (zoom, x, row)
            pixels(data)
        assert len(stored) < 2 * len(over) + 40


def test_roads_and_labels_are_drawn(runs: tuple[Path, Path], district) -> None:
    area, roads, _ = district
    reader = MBTilesReader(runs[0])
    main_roads = [line for props, line in roads if props.get("class") == "主干道"]
    assert main_roads
    for zoom in range(MIN_ZOOM, MAX_ZOOM + 1):
        for line in main_roads[:5]:  # the tile under the middle of a main road shows the road's colour
            middle = line.interpolate(0.5, normalized=True)
            data, _ = reader.tile(zoom, *tile_of(middle.x, middle.y, zoom))
            assert count(pixels(data), MAIN_ROAD) > 20, (zoom, middle)
        west, south, east, north = area.bounds
        x0, y0 = tile_of(west, north, zoom)
        x1, y1 = tile_of(east, south, zoom)
        text = [count(pixels(found[0]), LABEL) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)
                if (found := reader.tile(zoom, x, y)) is not None]
        assert sum(1 for n in text if n > 30) >= 3, (zoom, text)  # the towns' names, on several tiles
