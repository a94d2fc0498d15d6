"""Boundary, towns and grid cells (网格) for ``make_layers.py``, built in EPSG:4548 metres.

One coverage of ~300 m Voronoi cells is labelled twice (town, then grid), so grids partition towns exactly
and towns partition the boundary; ``shapely.coverage_simplify`` then thins all edges without gaps.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from typing import Any

import numpy as np
import shapely
from make_layers_data import TOWNS
from pyproj import Geod
from shapely.geometry import Point, Polygon

from commandwall.geo.crs import from_wgs84, to_wgs84

TARGET_AREA_KM2 = 423.0
EXTENT = (117.15, 34.63, 117.48, 34.94)
GEOD = Geod(ellps="WGS84")


def to_m(lon: Any, lat: Any) -> np.ndarray:
    """WGS84 lon/lat → EPSG:4548 metres, as an (N, 2) array."""
    x, y = from_wgs84(np.atleast_1d(lon), np.atleast_1d(lat), "EPSG:4548")
    return np.column_stack([x, y])


def geom_to_ll(geom: Any) -> Any:
    """A shapely geometry in EPSG:4548 metres → WGS84 lon/lat."""
    return shapely.transform(geom, lambda c: np.column_stack(to_wgs84(c[:, 0], c[:, 1], "EPSG:4548")))


def geodesic_km2(geom_m: Any) -> float:
    """Area on the ellipsoid of a polygon given in metres."""
    return abs(GEOD.geometry_area_perimeter(geom_to_ll(geom_m))[0]) / 1e6


# --- boundary, towns, grids ------------------------------------------------------------------------


def make_boundary(rng: np.random.Generator) -> Polygon:
    """Union of one irregular lobe per town seat, bays closed, scaled to ~423 km² (must fit EXTENT)."""
    seats = to_m([t[3] for t in TOWNS], [t[4] for t in TOWNS])
    seats = np.vstack([seats, (seats + seats.mean(axis=0)) / 2])  # inner lobes fill the middle
    theta = np.linspace(0, 2 * np.pi, 240, endpoint=False)
    amps = [0.0, 0.0] + [0.3 / k**1.5 for k in range(2, 60)]  # red noise: big bulges, some fine detail
    radii = [
        rng.uniform(0.8, 1.2)
        * np.exp(
            sum(a * rng.normal() * np.cos(k * theta + rng.uniform(0, 2 * np.pi)) for k, a in enumerate(amps))
        )
        for _ in seats
    ]

    wavelengths = np.exp(rng.uniform(math.log(500), math.log(9000), 14))
    waves = [
        (28 * (wl / 1000) ** 0.8 * rng.uniform(0.5, 1.5), wl, rng.uniform(0, 2 * np.pi)) for wl in wavelengths
    ]

    def build(scale: float) -> Polygon:
        lobes = [
            Polygon(np.column_stack([s[0] + scale * r * np.sin(theta), s[1] + scale * r * np.cos(theta)]))
            for s, r in zip(seats, radii, strict=True)
        ]
        closed = shapely.union_all(lobes).buffer(2500, quad_segs=6).buffer(-2500, quad_segs=6)
        ring = shapely.segmentize(max(shapely.get_parts(closed), key=lambda g: g.area).exterior, 150.0)
        pts = np.asarray(ring.coords)[:-1]
        along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])
        d = np.roll(pts, -1, axis=0) - np.roll(pts, 1, axis=0)
        normal = np.column_stack([d[:, 1], -d[:, 0]]) / np.hypot(*d.T)[:, None]
        perimeter = along[-1] + np.hypot(*(pts[0] - pts[-1]))
        # whole number of waves around the ring, so the offset closes without a step
        offset = sum(
            a * np.sin(2 * np.pi * along * round(perimeter / wl) / perimeter + ph) for a, wl, ph in waves
        )
        rough = shapely.make_valid(Polygon(pts + normal * offset[:, None]))  # roughen the smooth arcs
        return Polygon(max(shapely.get_parts(rough), key=lambda g: g.area).exterior)

    lo, hi = 1000.0, 10000.0
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if geodesic_km2(build(mid)) < TARGET_AREA_KM2 else (lo, mid)
    boundary = build(hi)
    x0, y0, x1, y1 = geom_to_ll(boundary).bounds
    if x0 < EXTENT[0] or y0 < EXTENT[1] or x1 > EXTENT[2] or y1 > EXTENT[3]:
        raise SystemExit(f"boundary {(x0, y0, x1, y1)} leaves the district extent {EXTENT}")
    return boundary


def place_seats(boundary: Polygon) -> np.ndarray:
    """Town seats at their nominal places, pulled inside the boundary by at least 1.5 km."""
    seats = to_m([t[3] for t in TOWNS], [t[4] for t in TOWNS])
    centre = np.array(boundary.centroid.coords[0])
    for i, p in enumerate(seats):
        for _ in range(50):
            if boundary.contains(Point(p)) and boundary.exterior.distance(Point(p)) > 1500:
                break
            p = p + 0.08 * (centre - p)
        seats[i] = p
    return seats


def fine_cells(boundary: Polygon, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Jittered ~300 m lattice inside the boundary and its Voronoi cells clipped to it."""
    x0, y0, x1, y1 = boundary.bounds
    gx, gy = np.meshgrid(np.arange(x0, x1, 300.0), np.arange(y0, y1, 300.0))
    pts = np.column_stack([gx.ravel(), gy.ravel()]) + rng.uniform(-110, 110, (gx.size, 2))
    pts = pts[shapely.contains_xy(boundary, pts[:, 0], pts[:, 1])]
    vor = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=boundary.buffer(3000), ordered=True)
    cells = shapely.intersection(np.asarray(shapely.get_parts(vor)), boundary)
    return pts, cells


def adjacency(cells: np.ndarray) -> list[set[int]]:
    """Neighbours of each cell (sharing an edge longer than 1 m)."""
    tree = shapely.STRtree(cells)
    a, b = tree.query(cells, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    shared = shapely.length(shapely.intersection(cells[a], cells[b])) > 1.0
    adj: list[set[int]] = [set() for _ in range(len(cells))]
    for i, j in zip(a[shared].tolist(), b[shared].tolist(), strict=True):
        adj[i].add(j)
        adj[j].add(i)
    return adj


def make_contiguous(
    labels: np.ndarray, adj: list[set[int]], group: np.ndarray, anchors: dict[int, int]
) -> None:
    """Give every detached piece of a label to the neighbouring label (same ``group``) it touches most."""
    for _ in range(30):
        changed = False
        for lab in np.unique(labels).tolist():
            members = set(np.flatnonzero(labels == lab).tolist())
            comps: list[list[int]] = []
            seen: set[int] = set()
            for start in sorted(members):
                if start in seen:
                    continue
                comp, queue = [], deque([start])
                seen.add(start)
                while queue:
                    c = queue.popleft()
                    comp.append(c)
                    for n in adj[c]:
                        if n in members and n not in seen:
                            seen.add(n)
                            queue.append(n)
                comps.append(comp)
            if len(comps) < 2:
                continue
            anchor = anchors.get(lab)
            main = next((c for c in comps if anchor in c), max(comps, key=len))
            for comp in comps:
                if comp is main:
                    continue
                votes = Counter(
                    int(labels[n])
                    for c in comp
                    for n in sorted(adj[c])
                    if labels[n] != lab and group[n] == group[c]
                )
                if votes:
                    labels[comp] = votes.most_common(1)[0][0]
                    changed = True
        if not changed:
            return


def kmeans(pts: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Seeded k-means (k-means++ start); returns the label of each point."""
    centres = [pts[rng.integers(len(pts))]]
    for _ in range(k - 1):
        d2 = np.min(((pts[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        centres.append(pts[rng.choice(len(pts), p=d2 / d2.sum())])
    c = np.array(centres)
    for _ in range(30):
        lab = np.argmin(((pts[:, None, :] - c[None]) ** 2).sum(-1), axis=1)
        c = np.array([pts[lab == j].mean(axis=0) if np.any(lab == j) else c[j] for j in range(k)])
    return np.argmin(((pts[:, None, :] - c[None]) ** 2).sum(-1), axis=1)


def make_areas(boundary: Polygon, seats: np.ndarray, rng: np.random.Generator) -> tuple[list, list]:
    """Towns (9 polygons) and grids ((town index, polygon) pairs), all from one coverage of fine cells."""
    pts, cells = fine_cells(boundary, rng)
    adj = adjacency(cells)
    scores = []
    for i, seat in enumerate(seats):
        noise = np.zeros(len(pts))
        for _ in range(3):
            ang, wl = rng.uniform(0, np.pi), rng.uniform(4000, 9000)
            phase = pts[:, 0] * math.cos(ang) + pts[:, 1] * math.sin(ang)
            noise += 500 * np.sin(2 * np.pi * phase / wl + rng.uniform(0, 2 * np.pi))
        scores.append(np.hypot(*(pts - seat).T) / TOWNS[i][5] + noise)
    town_of = np.argmin(np.array(scores), axis=0)
    seat_cells = {i: int(np.argmin(np.hypot(*(pts - s).T))) for i, s in enumerate(seats)}
    for i, c in seat_cells.items():
        town_of[c] = i
    make_contiguous(town_of, adj, np.zeros(len(pts), dtype=int), seat_cells)
    areas = np.array([shapely.area(cells[town_of == i]).sum() for i in range(len(TOWNS))])
    quota = areas / areas.sum() * 100
    counts = np.floor(quota).astype(int)
    counts[np.argsort(counts - quota)[: 100 - counts.sum()]] += 1
    grid_of = np.zeros(len(pts), dtype=int)
    offset = 0
    for i, n in enumerate(counts.tolist()):
        idx = np.flatnonzero(town_of == i)
        grid_of[idx] = offset + kmeans(pts[idx], n, rng)
        offset += n
    make_contiguous(grid_of, adj, town_of, {})
    grid_ids = np.unique(grid_of)
    grid_polys = [shapely.coverage_union_all(cells[grid_of == g]) for g in grid_ids]
    grid_town = [int(town_of[grid_of == g][0]) for g in grid_ids]
    grid_polys = list(shapely.coverage_simplify(np.array(grid_polys, dtype=object), 60.0))
    towns = [
        shapely.coverage_union_all([p for p, t in zip(grid_polys, grid_town, strict=True) if t == i])
        for i in range(len(TOWNS))
    ]
    grids = []
    for i in range(len(TOWNS)):  # number the grids of a town in rows of 2 km, north to south, west to east
        mine = [p for p, t in zip(grid_polys, grid_town, strict=True) if t == i]
        top = max(p.centroid.y for p in mine)
        mine.sort(key=lambda p: (int((top - p.centroid.y) // 2000), p.centroid.x))
        grids += [(i, p) for p in mine]
    return towns, grids
