"""Where things happen in the simulated district: random points in towns, the grid cell of a point,
and the names of nearby roads (for incident titles such as "光明大道与泰山路口两车追尾")."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from shapely import STRtree, prepare
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from commandwall.demo.layerdata import LayerLike

#: About 1 km in degrees at 35°N: radius searched for road names around a point.
NEAR_DEG = 0.01
MAX_SAMPLING_TRIES = 200


@dataclass(frozen=True)
class Place:
    """A point in the district with the town and the id of the grid cell (网格) it falls in."""

    lon: float
    lat: float
    town: str
    grid: str


class Geography:
    """Towns, grid cells and roads (WGS84) of the loaded layers."""

    def __init__(self, layers: Sequence[LayerLike]) -> None:
        self.towns: list[tuple[str, BaseGeometry]] = []
        grid_items: list[tuple[str, str, BaseGeometry]] = []
        road_items: list[tuple[str, BaseGeometry]] = []
        for layer in layers:
            for f in layer.features:
                props, geom = f.get("properties") or {}, shape(f["geometry"])
                if layer.kind == "towns":
                    prepare(geom)
                    self.towns.append((str(props.get("name", "")), geom))
                elif layer.kind == "grids":
                    grid_items.append((str(props.get("id", "")), str(props.get("town", "")), geom))
                elif layer.kind == "roads" and props.get("name"):
                    road_items.append((str(props["name"]), geom))
        self._grids = grid_items
        self._grid_tree = STRtree([g for _, _, g in grid_items])
        self._roads = road_items
        self._road_tree = STRtree([g for _, g in road_items])
        boundary = [
            shape(f["geometry"]) for layer in layers if layer.kind == "boundary" for f in layer.features
        ]
        if boundary:
            self.bounds = boundary[0].bounds
        elif self.towns:
            xs = [t.bounds for _, t in self.towns]
            self.bounds = (
                min(b[0] for b in xs),
                min(b[1] for b in xs),
                max(b[2] for b in xs),
                max(b[3] for b in xs),
            )
        else:
            self.bounds = (117.15, 34.63, 117.48, 34.94)

    def locate(self, lon: float, lat: float) -> tuple[str, str]:
        """(town name, grid id) containing a point; empty strings where none does."""
        p = Point(lon, lat)
        town = next((name for name, geom in self.towns if geom.contains(p)), "")
        grid = ""
        for i in self._grid_tree.query(p, predicate="intersects"):
            grid, grid_town, _ = self._grids[int(i)]
            town = town or grid_town
            break
        return town, grid

    def random_place(self, rng: random.Random, town: str | None = None) -> Place:
        """A random point inside a town (random town if None), preferably on one of its roads."""
        if not self.towns:
            x0, y0, x1, y1 = self.bounds
            lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
            return Place(lon, lat, *self.locate(lon, lat))
        name, geom = next(((n, g) for n, g in self.towns if n == town), rng.choice(self.towns))
        point = self._on_road(rng, geom) if rng.random() < 0.7 else None
        if point is None:
            point = self._inside(rng, geom)
        _, grid = self.locate(point.x, point.y)
        return Place(round(point.x, 6), round(point.y, 6), name, grid)

    def _on_road(self, rng: random.Random, town: BaseGeometry) -> Point | None:
        hits = [int(i) for i in self._road_tree.query(town, predicate="intersects")]
        if not hits:
            return None
        part = self._roads[rng.choice(hits)][1].intersection(town)
        if part.is_empty or part.length == 0:
            return None
        point = part.interpolate(rng.random() * part.length)
        return point if town.contains(point) else None

    def _inside(self, rng: random.Random, town: BaseGeometry) -> Point:
        x0, y0, x1, y1 = town.bounds
        for _ in range(MAX_SAMPLING_TRIES):
            p = Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
            if town.contains(p):
                return p
        return town.representative_point()

    def roads_near(self, lon: float, lat: float, n: int = 2) -> list[str]:
        """Names of up to ``n`` different roads nearest to a point (within about 1 km)."""
        p = Point(lon, lat)
        hits = self._road_tree.query(p.buffer(NEAR_DEG))
        ranked = sorted((self._roads[int(i)][1].distance(p), self._roads[int(i)][0]) for i in hits)
        names: list[str] = []
        for _, name in ranked:
            if name not in names:
                names.append(name)
            if len(names) == n:
                break
        return names
