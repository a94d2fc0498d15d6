"""Generate the demo layers of 薛城区 (Xuecheng District, 370403) into ``layers/`` — seeded, so reproducible.

The geography is plausible, not surveyed: an irregular boundary of ~423 km² inside 117.15–117.48°E,
34.63–34.94°N, split into the 9 township-level units, ~100 grid cells (网格), a road network, >1000 cameras,
emergency resources and field units. Every layer is written in a different CRS (see ``LAYERS``), so the
client's normalisation runs on every start. Run: ``.venv/bin/python scripts/make_layers.py [--out DIR]``.
Geometry is built in EPSG:4548 metres (CGCS2000 GK, CM 117°E).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point, mapping

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
from make_layers_areas import GEOD, geom_to_ll, make_areas, make_boundary, place_seats  # noqa: E402
from make_layers_data import LAYERS, TOWNS, resources_plan, units_plan  # noqa: E402
from make_layers_roads import make_cameras, make_roads, near_roads, urban_core  # noqa: E402

from commandwall.geo.crs import from_wgs84  # noqa: E402
from commandwall.geo.index import AreaIndex  # noqa: E402
from commandwall.geo.layers import load_layers, normalize_features  # noqa: E402

SEED = 370403


# --- output ----------------------------------------------------------------------------------------------


def to_crs(geom_m: Any, crs: str, decimals: int) -> dict:
    """GeoJSON geometry of a metre geometry in ``crs``, coordinates rounded."""
    if crs != "EPSG:4548":
        lonlat = geom_to_ll(geom_m)
        geom_m = shapely.transform(lonlat, lambda c: np.column_stack(from_wgs84(c[:, 0], c[:, 1], crs)))

    def rnd(c: Any) -> Any:
        return round(float(c), decimals) if not isinstance(c, tuple | list) else [rnd(v) for v in c]

    g = mapping(geom_m)
    return {"type": g["type"], "coordinates": rnd(g["coordinates"])}


def write_collection(path: Path, features: list[dict]) -> None:
    """A FeatureCollection with one feature per line (diff-friendly, compact)."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    path.write_text(
        '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8"
    )


def feature(geometry: dict, props: dict) -> dict:
    """A GeoJSON Feature."""
    return {"type": "Feature", "properties": props, "geometry": geometry}


def point_features(drafts: list[dict], crs: str, decimals: int, grids: AreaIndex) -> list[dict]:
    """Point features in ``crs``; ``town``/``grid`` from where the stored (rounded) point falls after
    normalisation, exactly as the client will see it. Drafts outside every grid are dropped."""
    out = []
    for d in drafts:
        geom = to_crs(Point(d.pop("xy")), crs, decimals)
        lon, lat = normalize_features([feature(geom, {})], crs)[0]["geometry"]["coordinates"]
        cell = grids.locate(lon, lat)
        if cell is not None:
            out.append(feature(geom, {**d, "town": cell["town"], "grid": cell["id"]}))
    return out


#: A resource's status (状态) and how often the exercise district has it: most are ready for use (可用), some are
#: taken by an operation (使用中), under maintenance (维护中) or out of service (不可用).
RESOURCE_STATUS_SHARES = {"available": 0.72, "in_use": 0.14, "maintenance": 0.08, "unavailable": 0.06}


def resource_statuses(count: int, seed: int) -> list[str]:
    """The status of each of ``count`` resources, drawn from their own generator so that adding them left
    every other layer as it was; each status occurs at least once (when there are enough resources)."""
    rng = np.random.default_rng([seed, 2])
    names = list(RESOURCE_STATUS_SHARES)
    drawn = [str(s) for s in rng.choice(names, size=count, p=list(RESOURCE_STATUS_SHARES.values()))]
    for k, name in enumerate(names[1:], start=1):
        if name not in drawn and count > k:
            drawn[-k] = name
    return drawn


def main(argv: list[str] | None = None) -> int:
    """Build every layer, write them and the manifest, reload them with the client's loader."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "layers")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    boundary = make_boundary(rng)
    seats = place_seats(boundary)
    towns, grids = make_areas(boundary, seats, rng)
    district = shapely.coverage_union_all(towns)
    core = urban_core(district)
    roads = make_roads(district, core, seats, rng)
    spec = {layer["id"]: layer for layer in LAYERS}

    def save(layer_id: str, features: list[dict]) -> None:
        write_collection(out / spec[layer_id]["file"], features)

    save("district", [feature(to_crs(district, "EPSG:4326", 6), {"name": "薛城区", "code": "370403"})])
    save(
        "towns",
        [
            feature(
                to_crs(t, "EPSG:4548", 2), {"code": TOWNS[i][2], "name": TOWNS[i][0], "type": TOWNS[i][1]}
            )
            for i, t in enumerate(towns)
        ],
    )
    grid_features, per_town = [], Counter()
    for n, (i, poly) in enumerate(grids, start=1):
        per_town[i] += 1
        props = {"id": f"G-{n:03d}", "name": f"{TOWNS[i][0]}第{per_town[i]:02d}网格", "town": TOWNS[i][0]}
        grid_features.append(feature(to_crs(poly, "EPSG:4490", 6), props))
    save("grids", grid_features)
    save(
        "roads",
        [feature(to_crs(r["geom"], "EPSG:4326", 6), {"name": r["name"], "class": r["class"]}) for r in roads],
    )
    grid_index = AreaIndex(normalize_features(grid_features, "EPSG:4490"), key="id")

    cams = point_features(make_cameras(roads, core, rng), "GCJ-02", 6, grid_index)
    cams.sort(key=lambda f: (f["properties"]["grid"], f["geometry"]["coordinates"][0]))
    names = Counter(f"{f['properties']['town']}·{f['properties']['base']}" for f in cams)
    seen: Counter = Counter()
    for n, f in enumerate(cams, start=1):
        p = f["properties"]
        name = f"{p['town']}·{p.pop('base')}"
        seen[name] += 1
        name += f"{seen[name]}号" if names[name] > 1 else ""
        p.update(heading=round(p["heading"], 1))
        f["properties"] = {
            "id": f"CAM-{n:04d}",
            "name": name,
            "town": p["town"],
            "grid": p["grid"],
            "kind": p["kind"],
            "heading": p["heading"],
            "fov": p["fov"],
            "range_m": p["range_m"],
        }
    save("cameras", cams)

    drafts = []
    for rtype, name, town, cap in resources_plan():
        area = core if town is None else towns[town].intersection(Point(seats[town]).buffer(2500))
        drafts.append(
            {
                "xy": near_roads(area, roads, rng)[0],
                "type": rtype,
                "name": name,
                "capacity": int(rng.integers(*cap)),
            }
        )
    res = point_features(drafts, "EPSG:4527", 2, grid_index)
    statuses = resource_statuses(len(res), args.seed)
    for n, (f, status) in enumerate(zip(res, statuses, strict=True), start=1):
        p = f["properties"]
        f["properties"] = {
            "id": f"RES-{n:03d}",
            "name": p["name"],
            "type": p["type"],
            "town": p["town"],
            "capacity": p["capacity"],
            "status": status,
        }
    save("resources", res)

    drafts = [
        {
            "xy": near_roads(towns[t].intersection(Point(seats[t]).buffer(2000)), roads, rng)[0],
            "name": name,
            "department": dept,
            "kind": kind,
        }
        for name, dept, kind, t in units_plan()
    ]
    units = point_features(drafts, "EPSG:4326", 6, grid_index)
    for n, f in enumerate(units, start=1):
        p = f["properties"]
        f["properties"] = {
            "id": f"U-{n:03d}",
            "name": p["name"],
            "department": p["department"],
            "kind": p["kind"],
            "town": p["town"],
        }
    save("units", units)
    manifest = {"layers": LAYERS}
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )

    loaded = load_layers(out)
    for error in loaded.errors:
        print(f"ERROR {error}", file=sys.stderr)
    area = abs(GEOD.geometry_area_perimeter(geom_to_ll(district))[0]) / 1e6
    print(f"district area {area:.1f} km², bounds {geom_to_ll(district).bounds}")
    for layer in loaded.layers.values():
        size = (out / spec[layer.id]["file"]).stat().st_size
        print(f"{layer.id:<10} {layer.crs:<10} {len(layer.features):>5} features {size / 1024:8.1f} KiB")
    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"total {total / 1024:.1f} KiB")
    return 1 if loaded.errors else 0


if __name__ == "__main__":
    sys.exit(main())
