"""Road distances over the district's roads layer (Qt-free): which units are nearest to an incident by road,
and the way a unit drives there.

The roads (WGS84 LineStrings) are noded where they cross (``shapely.node``), projected to a local
azimuthal-equidistant plane in metres, and become an undirected graph whose nodes are the vertices and whose
edges are the segments, weighted by length, held as flat adjacency lists (CSR-like: a node's neighbours are one
slice), built with numpy at once. Dijkstra runs over those lists from the two ends of a point's segment, each
starting at its distance along it (graph libraries start every source at 0): one run answers every unit's
distance to an incident, and one run stopped at the goal's segment gives a route. A networkx graph beside the
lists took 700 bytes a vertex (55 MB for 77 000), over twice the lists. A point reaches the network along a straight
access leg to the nearest segment (an STRtree finds it). Where the network does not reach — the point is
farther than ``max_access_m`` from any road, or its road is not connected to the other's — the distance is the
straight line, and :class:`RoadDistance` says so (``by_road`` False).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiLineString
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
        # all in arrays (shapely, pyproj and numpy at once, not a Python step a vertex: 500 000 road vertices
        # took 27 s that way): the vertices in the plane, rounded to centimetres to be nodes (the same crossing
        # from two roads is one node), and the segments between a line's consecutive vertices
        coords, line_of = shapely.get_coordinates(shapely.force_2d(np.asarray(lines, dtype=object)),
                                                  return_index=True)  # fmt: skip
        xs, ys = self._to_plane.transform(coords[:, 0], coords[:, 1])
        plane = np.column_stack([xs, ys])
        keys, node_of = np.unique(np.round(plane, 2), axis=0, return_inverse=True)
        node_of = node_of.reshape(-1)
        same_line = line_of[1:] == line_of[:-1]
        a, b = node_of[:-1][same_line], node_of[1:][same_line]
        lengths = np.hypot(*(plane[1:][same_line] - plane[:-1][same_line]).T)
        keep = (a != b) & (lengths > 0)
        a, b, lengths = a[keep], b[keep], lengths[keep]
        self._xy: list[Coord] = [(float(x), float(y)) for x, y in keys]
        self._seg_a, self._seg_b, self._seg_len = a, b, lengths
        # each node's neighbours are _adj_to[_adj_ptr[n]:_adj_ptr[n + 1]], at _adj_w metres (Python lists: an
        # index into one is what the search does millions of times, a fraction of a numpy element's cost)
        sources, targets = np.concatenate([a, b]), np.concatenate([b, a])
        by_source = np.argsort(sources, kind="stable")
        self._adj_ptr: list[int] = np.searchsorted(sources[by_source], np.arange(len(keys) + 1)).tolist()
        self._adj_to: list[int] = targets[by_source].tolist()
        self._adj_w: list[float] = np.concatenate([lengths, lengths])[by_source].tolist()
        self._geoms = shapely.linestrings(np.stack([keys[a], keys[b]], axis=1)) if len(a) else np.empty(0, object)
        self._tree = STRtree(self._geoms)
        if not len(a):
            raise ValueError("no roads: the layer has no segment of any length")

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

    @property
    def node_count(self) -> int:
        """Nodes (road vertices and crossings) of the graph: those at the end of a segment."""
        return len(set(self._adj_to))

    def _snaps(self, points: Sequence[Coord]) -> list[_Snap | None]:
        """Where each point joins the network (its nearest segment; None beyond ``max_access_m``), all at once."""
        if not len(points):
            return []
        lons, lats = zip(*points, strict=True)
        xs, ys = self._to_plane.transform(np.asarray(lons, float), np.asarray(lats, float))
        where = shapely.points(np.column_stack([xs, ys]))
        (_inputs, nearest), access = self._tree.query_nearest(where, return_distance=True, all_matches=False)
        order = np.argsort(_inputs, kind="stable")  # one answer an input, in the inputs' order
        nearest, access = nearest[order], access[order]
        along = shapely.line_locate_point(self._geoms[nearest], where)
        return [None if not math.isfinite(d) or d > self.max_access_m else _Snap(int(i), float(t), float(d))
                for i, t, d in zip(nearest, along, access, strict=True)]  # fmt: skip

    def _snap(self, point: Coord) -> _Snap | None:
        return self._snaps([point])[0]

    def _segment(self, index: int) -> tuple[int, int, float]:
        return int(self._seg_a[index]), int(self._seg_b[index]), float(self._seg_len[index])

    def _costs_from(self, snap: _Snap, until: tuple[int, int] | None = None) -> tuple[list[float], list[int]]:
        """Metres from the snapped point to every node (inf where the network does not reach) and the node each
        is reached from (-1 for the segment's ends and the unreached): one Dijkstra run from its segment's two
        ends, each starting at its distance along the segment. ``until``: stop once both nodes are final."""
        a, b, length = self._segment(snap.segment)
        costs = [math.inf] * len(self._xy)  # the best found so far; final once the node leaves the queue
        previous = [-1] * len(self._xy)
        costs[a], costs[b] = snap.along, length - snap.along
        ptr, to, weight = self._adj_ptr, self._adj_to, self._adj_w
        queue = [(costs[a], a), (costs[b], b)]
        heapq.heapify(queue)
        waiting = set(until) if until is not None else None
        while queue:
            cost, node = heapq.heappop(queue)
            if cost > costs[node]:
                continue  # an older, longer way to a node reached again
            if waiting is not None:
                waiting.discard(node)
                if not waiting:
                    break
            for k in range(ptr[node], ptr[node + 1]):
                reached, other = cost + weight[k], to[k]
                if reached < costs[other]:
                    costs[other] = reached
                    previous[other] = node
                    heapq.heappush(queue, (reached, other))
        return costs, previous

    def distances(self, target: Coord, points: Sequence[Coord]) -> list[RoadDistance]:
        """Distance from each of ``points`` to ``target`` (two Dijkstra runs for all of them; the points are
        joined to the network all at once, and the straight lines where it does not reach measured at once)."""
        goal = self._snap(target)
        metres = np.full(len(points), math.inf)
        if goal is not None and len(points):
            costs, _previous = self._costs_from(goal)
            snaps = self._snaps(points)
            for n, snap in enumerate(snaps):
                if snap is not None:
                    metres[n] = self._via(snap, goal, costs)
        off = np.flatnonzero(~np.isfinite(metres))
        if len(off):
            lons, lats = np.array([points[n] for n in off], float).T
            _, _, straight = _GEOD.inv(lons, lats, np.full(len(off), target[0]), np.full(len(off), target[1]))
        found = [RoadDistance(float(m), by_road=True) if math.isfinite(m) else None for m in metres]
        for n, line in zip(off, straight if len(off) else (), strict=True):
            found[n] = RoadDistance(float(line), by_road=False)
        return found  # type: ignore[return-value]

    def _via(self, snap: _Snap, goal: _Snap, costs: list[float]) -> float:
        if snap.segment == goal.segment:
            return snap.access + abs(snap.along - goal.along) + goal.access
        a, b, length = self._segment(snap.segment)
        best = min(snap.along + costs[a], length - snap.along + costs[b])
        return math.inf if math.isinf(best) else snap.access + best + goal.access

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
        c, d, lc = self._segment(goal.segment)
        costs, previous = self._costs_from(start, until=(c, d))
        metres, last = min((costs[c] + goal.along, c), (costs[d] + lc - goal.along, d))
        if math.isinf(metres):
            return Route(straight_metres(origin, target), [origin, target], by_road=False)
        path = [last]
        while previous[path[-1]] >= 0:  # back to the end of the start's segment it left from
            path.append(previous[path[-1]])
        plane = [self._on_segment(start), *(self._xy[n] for n in reversed(path)), self._on_segment(goal)]
        return Route(start.access + metres + goal.access, [origin, *self._wgs(plane), target], by_road=True)

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
