"""Road distances over the district's roads layer (Qt-free): which units are nearest to an incident by road,
and the way a unit drives there.

The roads (WGS84 LineStrings) are noded where they cross (``shapely.node``), projected to a local
azimuthal-equidistant plane in metres, and become an undirected ``networkx`` graph whose nodes are the
vertices and whose edges are the segments, weighted by length. A point reaches the network along a straight
access leg to the nearest segment (an STRtree finds it). Where the network does not reach — the point is
farther than ``max_access_m`` from any road, or its road is not connected to the other's — the distance is the
straight line, and :class:`RoadDistance` says so (``by_road`` False).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiLineString, Point
from shapely.strtree import STRtree

#: A point farther than this from every road is off the network (metres).
MAX_ACCESS_M = 800.0
_GEOD = Geod(ellps="WGS84")
Coord = tuple[float, float]


@dataclass(frozen=True)
class RoadDistance:
    """How far a point is from the target: ``metres`` by road (``by_road``) or, where the network does not
    reach, in a straight line."""

    metres: float
    by_road: bool


@dataclass(frozen=True)
class Route:
    """A way from one point to another: its length, the WGS84 (lon, lat) points to follow, and whether it
    runs on the road network (False: the straight line)."""

    metres: float
    points: list[Coord]
    by_road: bool


@dataclass(frozen=True)
class _Snap:
    segment: int  # index into the network's segments
    along: float  # metres from the segment's first node
    access: float  # metres of straight access leg


def straight_metres(a: Coord, b: Coord) -> float:
    """Geodesic distance between two WGS84 points, in metres."""
    return float(_GEOD.inv(a[0], a[1], b[0], b[1])[2])


class RoadNetwork:
    """The road graph of one layer; build it with :meth:`from_features` (once: it is immutable afterwards,
    so threads may share it)."""

    def __init__(self, lines: Sequence[LineString], centre: Coord, max_access_m: float = MAX_ACCESS_M) -> None:
        self.max_access_m = max_access_m
        self._to_plane = Transformer.from_crs(
            "EPSG:4326", f"+proj=aeqd +lat_0={centre[1]} +lon_0={centre[0]} +datum=WGS84 +units=m", always_xy=True
        )
        self._to_wgs = Transformer.from_crs(self._to_plane.target_crs, "EPSG:4326", always_xy=True)
        self.graph: nx.Graph = nx.Graph()
        self._nodes: dict[tuple[float, float], int] = {}
        self._xy: list[Coord] = []
        self._segments: list[tuple[int, int, float]] = []  # (node a, node b, length)
        geoms: list[LineString] = []
        for line in lines:
            xs, ys = self._to_plane.transform(*zip(*shapely.force_2d(line).coords, strict=True))  # roads with Z
            coords = list(zip(xs, ys, strict=True))
            for p, q in itertools.pairwise(coords):
                a, b = self._node(p), self._node(q)
                length = math.dist(p, q)
                if a == b or length == 0:
                    continue
                if not self.graph.has_edge(a, b) or self.graph[a][b]["weight"] > length:
                    self.graph.add_edge(a, b, weight=length)
                self._segments.append((a, b, length))
                geoms.append(LineString([self._xy[a], self._xy[b]]))
        self._geoms = geoms
        self._tree = STRtree(geoms)

    @classmethod
    def from_features(cls, features: Iterable[dict[str, Any]], max_access_m: float = MAX_ACCESS_M) -> RoadNetwork:
        """The network of GeoJSON features in WGS84 (LineString and MultiLineString; others are ignored),
        noded where roads cross. Raises ValueError when there is no road at all."""
        lines: list[LineString] = []
        for feature in features:
            geometry = feature.get("geometry") or {}
            kind, coords = geometry.get("type"), geometry.get("coordinates")
            try:
                if kind == "LineString":
                    lines.append(LineString(coords))
                elif kind == "MultiLineString":
                    lines.extend(LineString(part) for part in coords)
            except (TypeError, ValueError, shapely.errors.GEOSException):
                continue  # a broken road is left out; the others still route
        lines = [line for line in lines if line.is_valid and not line.is_empty and line.length > 0]
        if not lines:
            raise ValueError("no roads: the layer has no LineString features")
        noded = shapely.node(MultiLineString(lines))
        x0, y0, x1, y1 = noded.bounds
        return cls(list(noded.geoms), ((x0 + x1) / 2, (y0 + y1) / 2), max_access_m)

    def _node(self, xy: Coord) -> int:
        key = (round(xy[0], 2), round(xy[1], 2))  # centimetres: the same crossing from two roads
        found = self._nodes.get(key)
        if found is None:
            found = self._nodes[key] = len(self._xy)
            self._xy.append(key)
        return found

    @property
    def node_count(self) -> int:
        """Nodes (road vertices and crossings) of the graph."""
        return self.graph.number_of_nodes()

    def _snap(self, point: Coord) -> _Snap | None:
        x, y = self._to_plane.transform(*point)
        p = Point(x, y)
        index = int(self._tree.nearest(p))
        geom = self._geoms[index]
        access = geom.distance(p)
        if access > self.max_access_m:
            return None
        return _Snap(index, geom.project(p), access)

    def _costs_from(self, snap: _Snap) -> dict[int, float]:
        """Metres from the snapped point to every reachable node (its segment's two ends, then Dijkstra)."""
        a, b, length = self._segments[snap.segment]
        from_a = nx.single_source_dijkstra_path_length(self.graph, a)
        from_b = nx.single_source_dijkstra_path_length(self.graph, b)
        costs = {n: snap.along + d for n, d in from_a.items()}
        for n, d in from_b.items():
            costs[n] = min(costs.get(n, math.inf), length - snap.along + d)
        return costs

    def distances(self, target: Coord, points: Sequence[Coord]) -> list[RoadDistance]:
        """Distance from each of ``points`` to ``target`` (two Dijkstra runs for all of them)."""
        goal = self._snap(target)
        costs = self._costs_from(goal) if goal is not None else {}
        found = []
        for point in points:
            snap = self._snap(point) if goal is not None else None
            metres = None if snap is None else self._via(snap, goal, costs)
            if metres is None:
                found.append(RoadDistance(straight_metres(point, target), by_road=False))
            else:
                found.append(RoadDistance(metres, by_road=True))
        return found

    def _via(self, snap: _Snap, goal: _Snap | None, costs: dict[int, float]) -> float | None:
        assert goal is not None
        if snap.segment == goal.segment:
            return snap.access + abs(snap.along - goal.along) + goal.access
        a, b, length = self._segments[snap.segment]
        best = min(snap.along + costs.get(a, math.inf), length - snap.along + costs.get(b, math.inf))
        return None if math.isinf(best) else snap.access + best + goal.access

    def route(self, origin: Coord, target: Coord) -> Route:
        """The way from ``origin`` to ``target`` by road (straight access legs at both ends), or the straight
        line where the network does not reach."""
        start, goal = self._snap(origin), self._snap(target)
        if start is None or goal is None:
            return Route(straight_metres(origin, target), [origin, target], by_road=False)
        if start.segment == goal.segment:
            plane = [self._on_segment(start), self._on_segment(goal)]
            metres = start.access + abs(start.along - goal.along) + goal.access
            return Route(metres, [origin, *self._wgs(plane), target], by_road=True)
        best: tuple[float, list[int]] | None = None
        a, b, la = self._segments[start.segment]
        c, d, lc = self._segments[goal.segment]
        for first, head in ((a, start.along), (b, la - start.along)):
            for last, tail in ((c, goal.along), (d, lc - goal.along)):
                try:
                    length, path = nx.bidirectional_dijkstra(self.graph, first, last)
                except nx.NetworkXNoPath:
                    continue
                total = head + length + tail
                if best is None or total < best[0]:
                    best = (total, path)
        if best is None:
            return Route(straight_metres(origin, target), [origin, target], by_road=False)
        plane = [self._on_segment(start), *(self._xy[n] for n in best[1]), self._on_segment(goal)]
        return Route(start.access + best[0] + goal.access, [origin, *self._wgs(plane), target], by_road=True)

    def _on_segment(self, snap: _Snap) -> Coord:
        point = self._geoms[snap.segment].interpolate(snap.along)
        return point.x, point.y

    def _wgs(self, plane: list[Coord]) -> list[Coord]:
        lons, lats = self._to_wgs.transform([p[0] for p in plane], [p[1] for p in plane])
        return [(round(lon, 7), round(lat, 7)) for lon, lat in zip(lons, lats, strict=True)]


def roads_of(layers: Iterable[Any]) -> RoadNetwork | None:
    """The network of the first layer of kind ``roads`` among ``layers`` (objects with ``kind`` and
    ``features``), or None when there is none or it holds no road."""
    for layer in layers:
        if getattr(layer, "kind", None) == "roads":
            try:
                return RoadNetwork.from_features(layer.features)
            except ValueError:
                return None
    return None
