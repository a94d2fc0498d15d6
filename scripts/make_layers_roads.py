"""Roads and cameras for ``make_layers.py`` (metres, EPSG:4548).

Roads: long main roads, a rotated street grid in the urban centre, streets and village roads around each
town seat, connectors between seats (named after both towns, e.g. 沙周路). Cameras: at intersections (named
``A与B路口东``) and along roads (``A(B至C)路段`` or a kilometre stake ``AK2+300路段``), denser in the centre.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import shapely
from make_layers_areas import to_m
from make_layers_data import (
    CONNECTOR_OVERRIDES,
    EW_MINOR,
    EW_SECONDARY,
    MAINS,
    NS_MINOR,
    NS_SECONDARY,
    TOWNS,
    VILLAGES,
)
from shapely.geometry import LineString, Point, Polygon

CORE_CENTRE = (117.283, 34.806)  # the urban centre (临城/兴城)
CORE_ROTATION = math.radians(-7.0)


# --- roads -----------------------------------------------------------------------------------------------


def wiggle(ctrl: np.ndarray, rng: np.random.Generator, amount: float, levels: int = 3) -> np.ndarray:
    """Midpoint displacement then Chaikin smoothing of a control polyline (metres)."""
    pts = ctrl
    for level in range(levels):
        out = [pts[0]]
        for p, q in itertools.pairwise(pts):
            d = q - p
            normal = np.array([-d[1], d[0]]) / (np.hypot(*d) + 1e-9)
            out += [(p + q) / 2 + normal * rng.normal(0, amount * np.hypot(*d) / (1 + level)), q]
        pts = np.array(out)
    for _ in range(2):
        inner = np.empty((2 * (len(pts) - 1), 2))
        inner[0::2] = 0.75 * pts[:-1] + 0.25 * pts[1:]
        inner[1::2] = 0.25 * pts[:-1] + 0.75 * pts[1:]
        pts = np.vstack([pts[:1], inner, pts[-1:]])
    return pts


def urban_core(boundary: Polygon) -> Polygon:
    """The dense urban centre: a rotated ellipse of ~50 km² around CORE_CENTRE, inside the boundary."""
    c = to_m(*CORE_CENTRE)[0]
    t = np.linspace(0, 2 * np.pi, 120, endpoint=False)
    x, y = 4800 * np.cos(t), 3400 * np.sin(t)
    cr, sr = math.cos(CORE_ROTATION), math.sin(CORE_ROTATION)
    return Polygon(np.column_stack([c[0] + x * cr - y * sr, c[1] + x * sr + y * cr])).intersection(boundary)


def make_roads(boundary: Polygon, core: Polygon, seats: np.ndarray, rng: np.random.Generator) -> list[dict]:
    """Road features in metres: {"name", "class", "geom"} (clipped to the district, one piece each)."""
    raw: list[tuple[str, str, Any]] = []
    c = to_m(*CORE_CENTRE)[0]
    u = np.array([math.cos(CORE_ROTATION), math.sin(CORE_ROTATION)])  # urban east
    v = np.array([-u[1], u[0]])  # urban north
    for name, cls, ctrl in MAINS:
        pts = to_m([p[0] for p in ctrl], [p[1] for p in ctrl])
        raw.append((name, cls, LineString(wiggle(pts, rng, 0.025))))
    big = 12000.0
    raw.append(
        (
            "光明大道",
            "主干道",
            LineString(
                np.vstack(
                    [
                        wiggle(np.array([c - u * 16000, c - u * 5000]), rng, 0.03)[:-1],
                        c - u * 5000,
                        c + u * 5000,
                        wiggle(np.array([c + u * 5000, c + u * 18000]), rng, 0.03)[1:],
                    ]
                )
            ),
        )
    )
    raw.append(
        (
            "泰山路",
            "主干道",
            LineString(
                np.vstack(
                    [
                        wiggle(np.array([c + v * 16000, c + v * 3600]), rng, 0.03)[:-1],
                        c + v * 3600,
                        c - v * 3600,
                        wiggle(np.array([c - v * 3600, c - v * 20000]), rng, 0.03)[1:],
                    ]
                )
            ),
        )
    )
    for offsets, along, across, sec_names, minor_names in (
        (range(-9, 10), v, u, NS_SECONDARY, NS_MINOR),
        (range(-6, 7), u, v, EW_SECONDARY, EW_MINOR),
    ):
        sec, minor = iter(sec_names), iter(minor_names)
        for j in offsets:
            if j == 0:
                continue
            cls, name = ("次干道", next(sec)) if j % 2 == 0 else ("支路", next(minor))
            base = c + across * j * 500
            raw.append((name, cls, LineString([base - along * big, base + along * big]).intersection(core)))
    in_core = [core.contains(Point(s)) for s in seats]
    for i, (town, *_rest) in enumerate(TOWNS):
        if in_core[i]:
            continue
        short, s = town[:2], seats[i]
        rot = rng.uniform(-0.2, 0.2)
        e, n = np.array([math.cos(rot), math.sin(rot)]), np.array([-math.sin(rot), math.cos(rot)])
        for name, cls, a, b in (
            (f"{short}大街", "次干道", s - e * 1700, s + e * 1700),
            (f"{short}中路", "次干道", s - n * 1400, s + n * 1400),
            (f"{short}北街", "支路", s + n * 380 - e * 900, s + n * 380 + e * 1000),
            (f"{short}南街", "支路", s - n * 420 - e * 1000, s - n * 420 + e * 800),
        ):
            raw.append((name, cls, LineString(wiggle(np.array([a, b]), rng, 0.02, levels=2))))
        villages = iter(VILLAGES[i])
        for az in rng.uniform(0, 2 * np.pi, 3):
            end = s + np.array([math.sin(az), math.cos(az)]) * rng.uniform(3500, 6500)
            raw.append((f"{next(villages)}路", "支路", LineString(wiggle(np.array([s, end]), rng, 0.07))))
    pairs = set()
    for i in range(len(TOWNS)):
        for j in np.argsort(np.hypot(*(seats - seats[i]).T))[1:3].tolist():
            if not (in_core[i] and in_core[j]):
                pairs.add((min(i, j), max(i, j)))
    for i, j in sorted(pairs):
        a, b = TOWNS[i][0], TOWNS[j][0]
        name = CONNECTOR_OVERRIDES.get(a[0] + b[0], a[0] + b[0] + "路")
        raw.append((name, "次干道", LineString(wiggle(np.array([seats[i], seats[j]]), rng, 0.05))))
    roads = []
    for name, cls, geom in raw:
        clipped = geom.intersection(boundary)
        for part in shapely.get_parts(clipped):
            if isinstance(part, LineString) and part.length > 250:
                roads.append({"name": name, "class": cls, "geom": part.simplify(4.0)})
    return roads


# --- points: cameras, resources, units -------------------------------------------------------------------


def azimuth(vec: np.ndarray) -> float:
    """Degrees clockwise from north of a direction vector (east, north)."""
    return math.degrees(math.atan2(vec[0], vec[1])) % 360.0


def compass(vec: np.ndarray) -> str:
    """北/东/南/西: the quarter a direction vector points to."""
    return "北东南西"[int(((azimuth(vec) + 45) % 360) // 90)]


def tangent(line: LineString, d: float) -> np.ndarray:
    """Unit direction of ``line`` at distance ``d`` along it."""
    a = np.array(line.interpolate(max(d - 10.0, 0.0)).coords[0])
    b = np.array(line.interpolate(min(d + 10.0, line.length)).coords[0])
    return (b - a) / (np.hypot(*(b - a)) + 1e-9)


def camera_optics(kind: str, rng: np.random.Generator) -> dict[str, float]:
    """Field of view and useful range for a camera kind."""
    fov, rng_m = {
        "fixed": ((40, 90), (80, 220)),
        "dome": ((60, 100), (50, 150)),
        "ptz": ((35, 60), (200, 400)),
    }[kind]
    return {"fov": float(round(rng.uniform(*fov))), "range_m": float(round(rng.uniform(*rng_m), -1))}


CLASS_RANK = {"主干道": 0, "次干道": 1, "支路": 2}
SPACING = {
    (True, "主干道"): 220,
    (True, "次干道"): 300,
    (True, "支路"): 420,
    (False, "主干道"): 750,
    (False, "次干道"): 1100,
    (False, "支路"): 1600,
}


def find_crossings(roads: list[dict]) -> list[dict]:
    """Road intersections (points within 40 m merged): {"xy", "roads": sorted road indices}."""
    geoms = np.array([r["geom"] for r in roads], dtype=object)
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    found: list[dict] = []
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        if i >= j or roads[i]["name"] == roads[j]["name"]:
            continue
        for p in shapely.get_parts(geoms[i].intersection(geoms[j])):
            if not isinstance(p, Point):
                continue
            xy = np.array(p.coords[0])
            hit = next((c for c in found if np.hypot(*(c["xy"] - xy)) < 40), None)
            if hit is None:
                found.append({"xy": xy, "roads": {i, j}})
            else:
                hit["roads"] |= {i, j}
    for c in found:
        c["roads"] = sorted(c["roads"], key=lambda r: (CLASS_RANK[roads[r]["class"]], r))
    return found


def make_cameras(roads: list[dict], core: Polygon, rng: np.random.Generator) -> list[dict]:
    """Camera drafts in metres: {"xy", "base" (name without town), "kind", "heading", "fov", "range_m"}."""
    crossings = find_crossings(roads)
    cams: list[dict] = []
    for cross in crossings:
        names = list(dict.fromkeys(roads[r]["name"] for r in cross["roads"]))
        first = {n: next(r for r in cross["roads"] if roads[r]["name"] == n) for n in names[:2]}
        urban = core.contains(Point(cross["xy"]))
        majors = sum(roads[r]["class"] != "支路" for r in first.values())
        n = {2: 4, 1: 2, 0: 1}[majors] if urban else {2: 2, 1: 1, 0: int(rng.random() < 0.5)}[majors]
        junction = "口" if names[1].endswith("路") else "路口"  # 泰山路口, 复元大道路口
        arms = []
        for r in first.values():
            line = roads[r]["geom"]
            d = line.project(Point(cross["xy"]))
            t = tangent(line, d)
            arms += [arm for arm, ok in ((t, d + 30 < line.length), (-t, d > 30)) if ok]
        for k in rng.permutation(len(arms))[:n].tolist():
            arm = arms[k]
            side = np.array([arm[1], -arm[0]]) * rng.uniform(6, 9) * rng.choice([-1, 1])
            kind = str(rng.choice(["ptz", "dome", "fixed"], p=[0.4, 0.35, 0.25]))
            cams.append(
                {
                    "xy": cross["xy"] + arm * rng.uniform(12, 28) + side,
                    "kind": kind,
                    "base": f"{names[0]}与{names[1]}{junction}{compass(arm)}",
                    "heading": (azimuth(-arm) + rng.normal(0, 6)) % 360,
                    **camera_optics(kind, rng),
                }
            )
    points = shapely.STRtree([Point(c["xy"]) for c in crossings])
    for ri, road in enumerate(roads):
        line, cls = road["geom"], road["class"]
        stops = sorted(
            (line.project(Point(c["xy"])), roads[c["roads"][c["roads"][0] == ri]]["name"])
            for c in crossings
            if ri in c["roads"]
        )
        d = rng.uniform(0.2, 0.8) * SPACING[(False, cls)] / 3
        while d < line.length - 30:
            here = line.interpolate(d)
            urban = core.contains(here)
            if not len(points.query(here, predicate="dwithin", distance=60)):
                t = tangent(line, d)
                look = t * rng.choice([-1, 1])
                if rng.random() < 0.15:
                    look = np.array([look[1], -look[0]])
                prev = [s for s in stops if s[0] < d]
                nxt = [s for s in stops if s[0] > d]
                if prev and nxt and prev[-1][1] != nxt[0][1]:
                    base = f"{road['name']}({prev[-1][1]}至{nxt[0][1]})路段"
                else:
                    base = f"{road['name']}K{int(d // 1000)}+{int(d % 1000):03d}路段"
                kind = str(rng.choice(["fixed", "dome", "ptz"], p=[0.75, 0.15, 0.1]))
                side = np.array([t[1], -t[0]]) * rng.uniform(6, 10) * rng.choice([-1, 1])
                cams.append(
                    {
                        "xy": np.array(here.coords[0]) + side,
                        "kind": kind,
                        "base": base,
                        "heading": (azimuth(look) + rng.normal(0, 8)) % 360,
                        **camera_optics(kind, rng),
                    }
                )
            d += SPACING[(urban, cls)] * rng.uniform(0.75, 1.25)
    return cams


def near_roads(area: Any, roads: list[dict], rng: np.random.Generator, n: int = 1) -> list[np.ndarray]:
    """``n`` points 40–120 m from road vertices inside ``area`` (metres)."""
    pool = np.vstack([np.asarray(r["geom"].coords) for r in roads])
    pool = pool[shapely.contains_xy(area, pool[:, 0], pool[:, 1])]
    out = []
    while len(out) < n:
        base = pool[rng.integers(len(pool))] if len(pool) else np.array(area.representative_point().coords[0])
        ang = rng.uniform(0, 2 * np.pi)
        p = base + np.array([math.sin(ang), math.cos(ang)]) * rng.uniform(40, 120)
        if area.contains(Point(p)):
            out.append(p)
    return out
