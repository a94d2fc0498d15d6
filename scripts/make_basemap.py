"""Render the exercise district's offline base map (薛城区离线底图) into an MBTiles file — seeded, reproducible.

A dark "night" raster map in the app's colours, from the district's layers in ``layers/`` (WGS84 after the
client's own normalisation): built-up areas (derived: the district's local streets widened, inside the towns),
water (the 蟠龙河 river, drawn along a seeded meander across the south — plausible, not surveyed, like the
layers), grid cells as faint lines, roads by class, the district boundary, and labels in Chinese (town names
at z10–14, road and river names from z14) with the Noto Sans CJK font.

Run: ``.venv/bin/python scripts/make_basemap.py [--out resources/basemaps/xuecheng.mbtiles] [--max-zoom 16]``.
The file is written next to its destination and renamed into place, so a half-written map is never used.
"""

from __future__ import annotations

import argparse
import io
import math
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np
import shapely
from PIL import Image, ImageDraw, ImageFont
from shapely.geometry import LineString, box, shape
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from commandwall.geo.layers import load_layers  # noqa: E402

TILE = 256
SEED = 370403
BACKGROUND = (11, 22, 34)  # #0b1622, the app's map background
BUILT_UP = (24, 38, 54)
TOWN_FILL = (14, 28, 42)
WATER = (30, 86, 136)
GRID = (40, 58, 76)
BOUNDARY = (79, 195, 247)
#: road class → (casing colour, fill colour, width in pixels at z16); thinner by zoom below
ROADS = {
    "主干道": ((8, 14, 20), (214, 148, 60), 9.0),
    "次干道": ((8, 14, 20), (150, 136, 112), 6.0),
    "支路": ((8, 14, 20), (92, 106, 120), 3.5),
}
LABEL = (214, 228, 240)
LABEL_HALO = (11, 22, 34)
FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


def world_px(lon: np.ndarray, lat: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator global pixel coordinates at ``zoom``."""
    scale = TILE * 2**zoom
    x = (lon + 180.0) / 360.0 * scale
    lat_r = np.radians(lat)
    y = (1.0 - np.log(np.tan(lat_r) + 1.0 / np.cos(lat_r)) / math.pi) / 2.0 * scale
    return x, y


def to_px(geom, zoom: int):
    """A WGS84 shapely geometry in global pixels at ``zoom``."""
    return shapely.transform(geom, lambda c: np.column_stack(world_px(c[:, 0], c[:, 1], zoom)))


def font(size: int) -> ImageFont.FreeTypeFont:
    """The CJK font at ``size`` px; a clear error if fonts-noto-cjk is missing."""
    for path in FONT_PATHS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    raise SystemExit("no CJK font: install fonts-noto-cjk (scripts/system-deps.sh)")


def river(district) -> LineString:
    """蟠龙河: a seeded meander west to east across the district's southern third, clipped to it."""
    rng = np.random.default_rng(SEED)
    west, south, east, north = district.bounds
    xs = np.linspace(west - 0.01, east + 0.01, 60)
    base = south + (north - south) * 0.3
    ys = base + 0.012 * np.sin(np.linspace(0, 5 * math.pi, 60)) + np.cumsum(rng.normal(0, 0.0012, 60))
    return LineString(np.column_stack([xs, ys])).intersection(district)


def load_features(layers_dir: Path) -> dict:
    """The district's geometry in WGS84: boundary, towns (name, polygon), grids, roads (name, class, line)."""
    layer_set = load_layers(layers_dir)
    if not layer_set.by_kind("boundary"):
        raise SystemExit(f"no district boundary in {layers_dir}: run `make layers`")

    def feats(kind: str) -> list[tuple[dict, object]]:
        return [(f.get("properties") or {}, shape(f["geometry"])) for layer in layer_set.by_kind(kind)
                for f in layer.features]

    district = unary_union([g for _, g in feats("boundary")])
    towns = feats("towns")
    roads = feats("roads")
    local = unary_union([g for p, g in roads if p.get("class") == "支路"])
    built_up = local.buffer(0.0035, quad_segs=4).buffer(-0.0015).intersection(district)
    water = river(district)
    return {"district": district, "towns": towns, "grids": [g for _, g in feats("grids")], "roads": roads,
            "built_up": built_up, "water": water}


def place_labels(data: dict, zoom: int) -> list[tuple[float, float, str, int]]:
    """(x, y, text, size) label centres in global pixels at ``zoom``, without overlaps (first come wins)."""
    labels: list[tuple[float, float, str, int]] = []
    if zoom <= 14:
        for props, geom in data["towns"]:
            p = to_px(geom.representative_point(), zoom)
            labels.append((p.x, p.y, str(props.get("name", "")), 15 if zoom < 13 else 17))
    if zoom >= 14:
        size = 12 if zoom == 14 else 13
        w = to_px(data["water"], zoom)
        if not w.is_empty:
            p = w.interpolate(0.35, normalized=True)
            labels.append((p.x, p.y + 14, "蟠龙河", size))
        order = {"主干道": 0, "次干道": 1, "支路": 2}
        for props, geom in sorted(data["roads"], key=lambda r: order.get(r[0].get("class"), 3)):
            if zoom == 14 and props.get("class") == "支路":
                continue
            line = to_px(geom, zoom)
            if line.length < 200:
                continue
            p = line.interpolate(0.5, normalized=True)
            labels.append((p.x, p.y - 10, str(props.get("name", "")), size))
    placed: list[tuple[float, float, str, int]] = []
    boxes: list = []
    for x, y, text, size in labels:
        if not text:
            continue
        b = box(x - size * len(text) / 2 - 6, y - size, x + size * len(text) / 2 + 6, y + size)
        if any(b.intersects(o) for o in boxes):
            continue
        boxes.append(b)
        placed.append((x, y, text, size))
    return placed


def _lines(draw: ImageDraw.ImageDraw, geom, ox: float, oy: float, color, width: int) -> None:
    parts = getattr(geom, "geoms", [geom])
    for part in parts:
        if part.is_empty:
            continue
        if part.geom_type == "Polygon":
            for ring in [part.exterior, *part.interiors]:
                draw.line([(x - ox, y - oy) for x, y in ring.coords], fill=color, width=width)
        elif part.geom_type == "LineString":
            draw.line([(x - ox, y - oy) for x, y in part.coords], fill=color, width=width, joint="curve")
        else:
            _lines(draw, part, ox, oy, color, width)


def _fill(draw: ImageDraw.ImageDraw, geom, ox: float, oy: float, color) -> None:
    for part in getattr(geom, "geoms", [geom]):
        if part.geom_type == "Polygon" and not part.is_empty:
            draw.polygon([(x - ox, y - oy) for x, y in part.exterior.coords], fill=color)
            for ring in part.interiors:
                draw.polygon([(x - ox, y - oy) for x, y in ring.coords], fill=BACKGROUND)


def render_zoom(data: dict, zoom: int, db: sqlite3.Connection) -> int:
    """Render every tile of the district at ``zoom`` into ``db``; returns the number of tiles written."""
    district = to_px(data["district"], zoom)
    towns = [to_px(g, zoom) for _, g in data["towns"]]
    grids = unary_union([to_px(g, zoom).boundary for g in data["grids"]])
    built_up = to_px(data["built_up"], zoom)
    water = to_px(data["water"], zoom)
    roads = [(p.get("class"), to_px(g, zoom)) for p, g in data["roads"]]
    labels = place_labels(data, zoom)
    fonts = {size: font(size) for size in {s for *_, s in labels}}
    scale = 2 ** (zoom - 16)
    water_w = max(3, round(24 * scale))
    minx, miny, maxx, maxy = district.buffer(TILE / 2).bounds
    count = 0
    n = 2**zoom
    for tx in range(int(minx // TILE), int(maxx // TILE) + 1):
        for ty in range(int(miny // TILE), int(maxy // TILE) + 1):
            ox, oy = tx * TILE, ty * TILE
            tile_box = box(ox - 64, oy - 64, ox + TILE + 64, oy + TILE + 64)
            if not tile_box.intersects(district.buffer(TILE / 2)):
                continue
            img = Image.new("RGB", (TILE, TILE), BACKGROUND)
            draw = ImageDraw.Draw(img)
            for town in towns:
                if town.intersects(tile_box):
                    _fill(draw, town.intersection(tile_box), ox, oy, TOWN_FILL)
            if built_up.intersects(tile_box):
                _fill(draw, built_up.intersection(tile_box), ox, oy, BUILT_UP)
            if zoom >= 12 and grids.intersects(tile_box):
                _lines(draw, grids.intersection(tile_box), ox, oy, GRID, 1)
            if water.intersects(tile_box):
                _lines(draw, water.intersection(tile_box), ox, oy, WATER, water_w)
            visible = [(c, g) for c, g in roads if g.intersects(tile_box)]
            for layer in (0, 1):
                for cls, geom in visible:
                    casing, fill, width = ROADS.get(cls, ROADS["支路"])
                    w = max(1, round(width * max(scale, 0.18)))
                    if layer == 0 and zoom >= 13:
                        _lines(draw, geom.intersection(tile_box), ox, oy, casing, w + 2)
                    elif layer == 1:
                        _lines(draw, geom.intersection(tile_box), ox, oy, fill, w)
            if district.boundary.intersects(tile_box):
                _lines(draw, district.boundary.intersection(tile_box), ox, oy, BOUNDARY, 2)
            for x, y, text, size in labels:
                if ox - 200 < x < ox + TILE + 200 and oy - 40 < y < oy + TILE + 40:
                    draw.text((x - ox, y - oy), text, font=fonts[size], fill=LABEL, anchor="mm",
                              stroke_width=3, stroke_fill=LABEL_HALO)
            out = io.BytesIO()
            img.save(out, "PNG", optimize=False, compress_level=6)
            db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (zoom, tx, n - 1 - ty, out.getvalue()))
            count += 1
    return count


def write_mbtiles(out: Path, layers_dir: Path, min_zoom: int, max_zoom: int) -> None:
    """Render zooms ``min_zoom``..``max_zoom`` into ``out`` (via a temporary file renamed into place)."""
    data = load_features(layers_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".mbtiles.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.executescript(
        "CREATE TABLE metadata (name TEXT, value TEXT);"
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);"
        "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);"
    )
    west, south, east, north = data["district"].bounds
    metadata = {
        "name": "薛城区离线底图", "format": "png", "type": "baselayer", "version": "1",
        "description": "Xuecheng District exercise base map (night style), from commandwall's layers/",
        "bounds": f"{west:.5f},{south:.5f},{east:.5f},{north:.5f}",
        "center": f"{(west + east) / 2:.5f},{(south + north) / 2:.5f},12",
        "minzoom": str(min_zoom), "maxzoom": str(max_zoom),
    }
    db.executemany("INSERT INTO metadata VALUES (?, ?)", metadata.items())
    for zoom in range(min_zoom, max_zoom + 1):
        started = time.perf_counter()
        count = render_zoom(data, zoom, db)
        print(f"z{zoom}: {count} tiles in {time.perf_counter() - started:.1f} s", flush=True)
    db.commit()
    db.close()
    tmp.replace(out)


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "basemaps" / "xuecheng.mbtiles")
    parser.add_argument("--layers", type=Path, default=ROOT / "layers")
    parser.add_argument("--min-zoom", type=int, default=10)
    parser.add_argument("--max-zoom", type=int, default=16)
    args = parser.parse_args(argv)
    if not 0 <= args.min_zoom <= args.max_zoom <= 18:
        parser.error("zooms must satisfy 0 <= min <= max <= 18")
    started = time.perf_counter()
    write_mbtiles(args.out, args.layers, args.min_zoom, args.max_zoom)
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size:.1f} MB) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
