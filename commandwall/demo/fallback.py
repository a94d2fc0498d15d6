"""A small synthetic district used only when ``layers/`` cannot be loaded.

The exercise backend must keep working (and say so in the log) if the layer files are missing or the
geo package fails: this builds coarse stand-ins in WGS84 — nine town boxes over the real extent, 2×2 grid
cells per town, a few named roads, cameras along them and a dozen units. They are not the real district.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

EXTENT = (117.15, 34.63, 117.48, 34.94)
TOWNS = [
    ("370403004", "邹坞镇", "镇"),
    ("370403005", "陶庄镇", "镇"),
    ("370403008", "兴仁街道", "街道"),
    ("370403002", "常庄街道", "街道"),
    ("370403001", "临城街道", "街道"),
    ("370403003", "兴城街道", "街道"),
    ("370403006", "周营镇", "镇"),
    ("370403007", "沙沟镇", "镇"),
    ("370403009", "张范街道", "街道"),
]
ROADS = [
    "光明大道",
    "泰山路",
    "黄河路",
    "长江路",
    "珠江路",
    "永福路",
    "临山路",
    "嘉陵江路",
    "燕山路",
    "复元路",
]
UNIT_KINDS = [
    ("公安", "patrol", "派出所巡逻组"),
    ("消防", "fire", "消防救援站"),
    ("卫健", "ambulance", "120急救组"),
    ("城管", "chengguan", "城管执法中队"),
    ("应急", "rescue", "应急救援队"),
    ("交警", "traffic", "交警中队"),
    ("环保", "env", "环境监察组"),
]


@dataclass(frozen=True)
class FallbackLayer:
    """Same attributes as ``commandwall.geo.layers.Layer`` (features already in WGS84)."""

    id: str
    title: str
    kind: str
    crs: str
    style: dict[str, Any] = field(default_factory=dict)
    features: list[dict[str, Any]] = field(default_factory=list)


def _box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _feature(geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def fallback_layers(seed: int = 370403) -> list[FallbackLayer]:
    """District, towns, grids, roads, cameras and units of the synthetic stand-in district."""
    rng = random.Random(seed)
    x0, y0, x1, y1 = EXTENT
    dx, dy = (x1 - x0) / 3, (y1 - y0) / 3
    towns, grids = [], []
    for i, (code, name, kind) in enumerate(TOWNS):
        tx, ty = x0 + (i % 3) * dx, y1 - (i // 3 + 1) * dy
        towns.append(_feature(_box(tx, ty, tx + dx, ty + dy), code=code, name=name, type=kind))
        for j in range(4):
            gx, gy = tx + (j % 2) * dx / 2, ty + (j // 2) * dy / 2
            gid = f"G-{len(grids) + 1:03d}"
            grids.append(
                _feature(
                    _box(gx, gy, gx + dx / 2, gy + dy / 2), id=gid, name=f"{name}第{j + 1:02d}网格", town=name
                )
            )
    roads = []
    for k, name in enumerate(ROADS):
        if k % 2 == 0:  # east-west
            y = y0 + (k + 1) * (y1 - y0) / (len(ROADS) + 1)
            coords = [[x0 + 0.01, y], [x1 - 0.01, y + 0.01]]
        else:  # north-south
            x = x0 + (k + 1) * (x1 - x0) / (len(ROADS) + 1)
            coords = [[x, y0 + 0.01], [x + 0.01, y1 - 0.01]]
        roads.append(
            _feature(
                {"type": "LineString", "coordinates": coords},
                name=name,
                **{"class": "主干道" if k < 4 else "次干道"},
            )
        )
    cameras = []
    for n in range(60):
        road = roads[n % len(roads)]
        (ax, ay), (bx, by) = road["geometry"]["coordinates"]
        f = rng.random()
        lon, lat = ax + f * (bx - ax), ay + f * (by - ay)
        town = TOWNS[min(2, int((lon - x0) / dx)) + 3 * min(2, int((y1 - lat) / dy))][1]
        cameras.append(
            _feature(
                {"type": "Point", "coordinates": [lon, lat]},
                id=f"CAM-{n + 1:04d}",
                name=f"{town}·{road['properties']['name']}",
                town=town,
                grid="",
                kind=rng.choice(["fixed", "dome", "ptz"]),
                heading=rng.uniform(0, 360),
                fov=60,
                range_m=150,
            )
        )
    units = []
    for n in range(12):
        dept, kind, suffix = UNIT_KINDS[n % len(UNIT_KINDS)]
        town = TOWNS[n % len(TOWNS)][1]
        point = {"type": "Point", "coordinates": [rng.uniform(x0, x1), rng.uniform(y0, y1)]}
        units.append(
            _feature(
                point, id=f"U-{n + 1:03d}", name=f"{town}{suffix}", department=dept, kind=kind, town=town
            )
        )
    district = _feature(_box(*EXTENT), name="薛城区", code="370403")
    return [
        FallbackLayer("district", "薛城区", "boundary", "EPSG:4326", {"color": "#d33"}, [district]),
        FallbackLayer("towns", "镇街", "towns", "EPSG:4326", {"color": "#36c", "fillOpacity": 0.05}, towns),
        FallbackLayer("grids", "网格", "grids", "EPSG:4326", {"color": "#999", "weight": 1}, grids),
        FallbackLayer("roads", "道路", "roads", "EPSG:4326", {"color": "#f90", "weight": 2}, roads),
        FallbackLayer("cameras", "视频监控", "cameras", "EPSG:4326", {"radius": 3}, cameras),
        FallbackLayer("units", "处置力量", "units", "EPSG:4326", {"radius": 5}, units),
    ]
