"""Road distances on a small graph in Xuecheng and on the district's real roads layer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from commandwall.app.dispatch import UnitRanking
from commandwall.geo.routing import RoadNetwork, roads_of, straight_metres

LAYERS = Path(__file__).resolve().parents[2] / "layers"


def road(*coords: tuple[float, float]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": list(coords)}}


# A U: south road west→east, east road south→north, north road east→west (about 1.8 km by 2.2 km), plus a
# north–south road crossing the south road without a shared vertex, and an island road 5 km away.
SOUTH = road((117.250, 34.800), (117.260, 34.800), (117.270, 34.800))
EAST = road((117.270, 34.800), (117.270, 34.820))
NORTH = road((117.270, 34.820), (117.250, 34.820))
CROSS = road((117.255, 34.795), (117.255, 34.805))
ISLAND = road((117.330, 34.800), (117.340, 34.800))


@pytest.fixture(scope="module")
def network() -> RoadNetwork:
    return RoadNetwork.from_features([SOUTH, EAST, NORTH, CROSS, ISLAND])


def test_distance_runs_round_the_u_not_across_it(network: RoadNetwork) -> None:
    south_west, north_west = (117.250, 34.8001), (117.250, 34.8199)
    [found] = network.distances(north_west, [south_west])
    legs = (straight_metres((117.25, 34.8), (117.27, 34.8)) + straight_metres((117.27, 34.8), (117.27, 34.82))
            + straight_metres((117.27, 34.82), (117.25, 34.82)))
    assert found.by_road
    assert found.metres == pytest.approx(legs, rel=0.01)
    assert found.metres > 2.5 * straight_metres(south_west, north_west)


def test_roads_with_heights_route_like_flat_ones(network: RoadNetwork) -> None:
    """Layers may carry Z (the manifest keeps it): the distances are those of the same roads without it."""
    def with_z(feature: dict[str, Any]) -> dict[str, Any]:
        coords = [[*c, 35.0] for c in feature["geometry"]["coordinates"]]
        return {**feature, "geometry": {"type": "LineString", "coordinates": coords}}

    raised = RoadNetwork.from_features([with_z(f) for f in (SOUTH, EAST, NORTH, CROSS, ISLAND)])
    south_west, north_west = (117.250, 34.8001), (117.250, 34.8199)
    [flat] = network.distances(north_west, [south_west])
    [high] = raised.distances(north_west, [south_west])
    assert high.by_road and high.metres == pytest.approx(flat.metres, rel=1e-6)


def test_roads_that_cross_are_joined_where_they_cross(network: RoadNetwork) -> None:
    top_of_cross, west_end = (117.255, 34.805), (117.250, 34.800)
    [found] = network.distances(west_end, [top_of_cross])
    expected = straight_metres((117.255, 34.805), (117.255, 34.800)) + straight_metres((117.255, 34.8), west_end)
    assert found.by_road and found.metres == pytest.approx(expected, rel=0.01)


def test_nearest_by_road_is_not_nearest_in_a_straight_line(network: RoadNetwork) -> None:
    incident = (117.250, 34.8199)
    across = (117.2505, 34.8005)  # 2.1 km as the crow flies, about 6 km by road
    along = (117.2605, 34.8199)  # 1 km away on the same road
    near_across, near_along = network.distances(incident, [across, along])
    assert straight_metres(across, incident) > straight_metres(along, incident) * 2  # the premise
    assert near_along.metres < near_across.metres


def test_where_the_network_does_not_reach_the_distance_is_straight_and_marked(network: RoadNetwork) -> None:
    target = (117.250, 34.800)
    island, field = (117.335, 34.800), (117.260, 34.830)  # on an unconnected road; 1.1 km from any road
    by_island, by_field = network.distances(target, [island, field])
    assert not by_island.by_road and by_island.metres == pytest.approx(straight_metres(island, target))
    assert not by_field.by_road and by_field.metres == pytest.approx(straight_metres(field, target))
    route = network.route(island, target)
    assert not route.by_road and route.points == [island, target]


def test_route_follows_the_roads_and_matches_the_distance(network: RoadNetwork) -> None:
    start, goal = (117.2501, 34.8001), (117.2501, 34.8199)
    route = network.route(start, goal)
    [distance] = network.distances(goal, [start])
    assert route.by_road and route.points[0] == start and route.points[-1] == goal
    assert route.metres == pytest.approx(distance.metres, rel=1e-6)
    assert any(lon == pytest.approx(117.27, abs=1e-6) for lon, _ in route.points)  # round the east road
    walked = sum(straight_metres(a, b) for a, b in zip(route.points, route.points[1:], strict=False))
    assert walked == pytest.approx(route.metres, rel=0.01)


def test_layers_without_roads_or_with_broken_ones() -> None:
    with pytest.raises(ValueError, match="no roads"):
        RoadNetwork.from_features([{"geometry": {"type": "Point", "coordinates": [117.2, 34.8]}}])
    broken = {"geometry": {"type": "LineString", "coordinates": [[117.2]]}}
    network = RoadNetwork.from_features([broken, {"geometry": None}, SOUTH])
    assert network.node_count == 3


def test_every_unit_of_the_district_reaches_an_incident_by_road() -> None:
    roads = json.loads((LAYERS / "roads.geojson").read_text(encoding="utf-8"))["features"]
    units = json.loads((LAYERS / "units.geojson").read_text(encoding="utf-8"))["features"]
    network = RoadNetwork.from_features(roads)
    incident = (117.2647, 34.7950)
    points = [tuple(u["geometry"]["coordinates"][:2]) for u in units]
    found = network.distances(incident, points)
    assert all(d.by_road for d in found)
    assert all(d.metres >= 0.99 * straight_metres(p, incident) for d, p in zip(found, points, strict=True))
    assert sorted(range(len(points)), key=lambda i: found[i].metres) != sorted(
        range(len(points)), key=lambda i: straight_metres(points[i], incident))


def test_distances_for_many_points_at_once_are_each_points_own_route_on_the_district_roads() -> None:
    """The units are joined to the network all at once and measured by one search from the incident's segment;
    each must read what the point's own route (a search stopped at the incident's segment) reads."""
    import random

    roads = json.loads((LAYERS / "roads.geojson").read_text(encoding="utf-8"))["features"]
    network = RoadNetwork.from_features(roads)
    rng = random.Random(7)
    x0, y0, x1, y1 = 117.18, 34.74, 117.36, 34.86
    points = [(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(60)]
    incident = (117.2647, 34.7950)
    found = network.distances(incident, points)
    assert sum(d.by_road for d in found) >= 40, "most points are within reach of a road"
    for point, distance in zip(points, found, strict=True):
        route = network.route(point, incident)
        assert distance.by_road == route.by_road
        assert distance.metres == pytest.approx(route.metres, rel=1e-9), point


def test_a_route_is_as_long_as_networkx_finds_and_follows_the_roads() -> None:
    """The network's own search against networkx's on the same segments (built here from the network's
    edges): the same length between the ends of the two points' segments, and a path whose every step is a
    road segment."""
    import itertools
    import random

    import networkx as nx
    import numpy as np

    roads = json.loads((LAYERS / "roads.geojson").read_text(encoding="utf-8"))["features"]
    network = RoadNetwork.from_features(roads)
    graph = nx.Graph()
    for a, b, length in sorted(zip(network._seg_a.tolist(), network._seg_b.tolist(), network._seg_len.tolist(),
                                   strict=True), key=lambda edge: -edge[2]):  # the shorter of two kept
        graph.add_edge(a, b, weight=length)
    segments = {frozenset((a, b)) for a, b in zip(network._seg_a.tolist(), network._seg_b.tolist(), strict=True)}
    xy = np.array(network._xy)
    rng = random.Random(11)
    routed = 0
    for _ in range(100):
        origin, target = ((rng.uniform(117.18, 117.36), rng.uniform(34.74, 34.86)) for _ in range(2))
        route = network.route(origin, target)
        start, goal = network._snap(origin), network._snap(target)
        if not route.by_road or start.segment == goal.segment:
            continue
        routed += 1
        a, b, la = network._segment(start.segment)
        c, d, lc = network._segment(goal.segment)
        best = min(head + nx.dijkstra_path_length(graph, first, last) + tail
                   for first, head in ((a, start.along), (b, la - start.along))
                   for last, tail in ((c, goal.along), (d, lc - goal.along)) if nx.has_path(graph, first, last))
        assert route.metres == pytest.approx(start.access + best + goal.access, rel=1e-9)
        plane = network._to_plane.transform(*zip(*route.points[2:-2], strict=True))
        nodes = [int(np.argmin(np.hypot(*(xy - (x, y)).T))) for x, y in zip(*plane, strict=True)]
        assert all(frozenset(step) in segments for step in itertools.pairwise(nodes)), origin
        assert nodes[0] in (a, b) and nodes[-1] in (c, d), "from the start's segment to the goal's"
        driven = sum(graph[m][n]["weight"] for m, n in itertools.pairwise(nodes))
        head = start.along if nodes[0] == a else la - start.along
        tail = goal.along if nodes[-1] == c else lc - goal.along
        assert start.access + head + driven + tail + goal.access == pytest.approx(route.metres, rel=1e-6)
    assert routed >= 20


def test_roads_of_picks_the_roads_layer() -> None:
    class Layer:
        def __init__(self, kind: str, features: list[dict[str, Any]]) -> None:
            self.kind, self.features = kind, features

    assert roads_of([Layer("towns", [SOUTH])]) is None
    assert roads_of([Layer("roads", [])]) is None
    found = roads_of([Layer("towns", []), Layer("roads", [SOUTH, EAST])])
    assert found is not None and found.node_count == 4


def test_the_ranking_builds_the_graph_again_when_the_layers_are_replaced() -> None:
    class Layer:
        def __init__(self, kind: str, features: list[dict[str, Any]]) -> None:
            self.kind, self.features = kind, features

    ranking = UnitRanking()
    assert ranking.network([]) is None, "no layers yet: nothing kept"
    cached = [Layer("roads", [SOUTH])]  # the offline cache's layers at start …
    first = ranking.network(cached)
    assert first is not None and first.node_count == 3
    assert ranking.network(cached) is first, "the same layers: the graph is not built again"
    live = [Layer("roads", [SOUTH, EAST, NORTH])]  # … then the platform's, when it answers
    again = ranking.network(live)
    assert again is not first and again.node_count == 5
