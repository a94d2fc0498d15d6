"""Towns and grid cells of incidents from their points, as the incident store places them, and incidents per grid
cell as the map counts them, on the district's layers."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

import pytest
from shapely.geometry import shape

from commandwall import paths
from commandwall.app.areas import DistrictAreas
from commandwall.app.map import MapController
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.app.store import IncidentStore
from commandwall.config import Settings
from commandwall.domain.models import Incident
from commandwall.geo.layers import load_layers

NOW = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)


@cache
def _layers():
    return load_layers(paths.layers_dir()).layers


def features(name: str) -> list[dict]:
    """The WGS84 features of a district layer as the session loads them (the files hold other CRSs)."""
    return list(_layers()[name.removesuffix(".geojson")].features)


@pytest.fixture(scope="module")
def areas() -> DistrictAreas:
    return DistrictAreas(features("towns.geojson"), features("grids.geojson"))


def inside(cell: dict) -> tuple[float, float]:
    point = shape(cell["geometry"]).representative_point()
    return point.x, point.y


def incident(lon: float, lat: float, town: str = "", grid: str = "", iid: str = "INC-1") -> Incident:
    return Incident(id=iid, title="道路积水", category="yingji", lon=lon, lat=lat, town=town, grid=grid,
                    reported_at=NOW, updated_at=NOW, version=1)


def placed_store(areas: DistrictAreas | None) -> IncidentStore:
    """An incident store placing what it holds with ``areas``, as the session sets it up."""
    store = IncidentStore()
    store.set_areas(areas)
    return store


def test_an_incident_gets_the_town_and_grid_cell_of_its_point(areas: DistrictAreas) -> None:
    store = placed_store(areas)
    for n, cell in enumerate(features("grids.geojson")[::17]):
        lon, lat = inside(cell)
        assert store.upsert(incident(lon, lat, town="薛城区", grid="G-999", iid=f"INC-{n}"))
        placed = store.get(f"INC-{n}")
        # the grid layer names the town of each cell: the towns layer must agree with it
        assert (placed.town, placed.grid) == (cell["properties"]["town"], cell["properties"]["id"])


def test_outside_the_district_the_platform_values_stay(areas: DistrictAreas) -> None:
    far = incident(116.0, 30.0, town="常庄街道", grid="G-042")
    store = placed_store(areas)
    store.upsert_many([far, incident(116.0, 30.0, iid="INC-2")])
    assert store.get(far.id) is far and store.get("INC-2").town == ""
    assert store.point_grids() == {far.id: None, "INC-2": None}
    # without layers nothing is known and nothing changes
    empty = placed_store(DistrictAreas([], []))
    empty.upsert(far)
    assert empty.get(far.id) is far and empty.point_grids() == {far.id: None}


def test_the_map_counts_the_stores_incidents_per_cell_and_has_every_cell(tmp_path) -> None:
    session = ClientSession(Settings(data_dir=tmp_path), PlatformFactory.at_url("http://127.0.0.1:9"))
    session.layers = list(_layers().values())  # what the session draws, and places the incidents in
    session.incidents.set_areas(DistrictAreas.from_layers(session.layers))
    cells = features("grids.geojson")
    a, b = inside(cells[0]), inside(cells[5])
    session.incidents.replace_all([incident(*a, iid=f"A{i}") for i in range(3)]
                                  + [incident(*b, iid="B"), incident(116.0, 30.0, iid="far")])
    board = MapController(session)
    assert board.take_density() == {"counts": {cells[0]["properties"]["id"]: 3, cells[5]["properties"]["id"]: 1},
                                    "max": 3}
    shapes = board.density_cells()["cells"]
    assert [(c["id"], c["name"]) for c in shapes] == [(f["properties"]["id"], f["properties"]["name"]) for f in cells]
    assert all(c["geometry"] is f["geometry"] for c, f in zip(shapes, cells, strict=True))
    # without layers there are no cells and nothing is counted
    bare = ClientSession(Settings(data_dir=tmp_path), PlatformFactory.at_url("http://127.0.0.1:9"))
    bare.incidents.replace_all([incident(*a)])
    bare_board = MapController(bare)
    assert bare_board.take_density() == {"counts": {}, "max": 0} and bare_board.density_cells() == {"cells": []}


def test_a_batch_is_placed_in_one_look_up_as_each_alone_would_be() -> None:
    grids = features("grids.geojson")
    points = [inside(cell) for cell in grids[::7]]
    # a point on the border of two cells: the cell listed first, as for a single point
    first = shape(grids[0]["geometry"])
    points += [first.exterior.coords[0], first.exterior.coords[1], (116.0, 30.0), points[0]]
    batch = [incident(lon, lat, town="T", grid="G", iid=f"INC-{n}") for n, (lon, lat) in enumerate(points)]
    alone = []
    for item in batch:  # one point at a time, each in a store of its own (nothing remembered)
        store = placed_store(DistrictAreas(features("towns.geojson"), grids))
        store.upsert(item)
        alone.append(store.get(item.id))
    together = placed_store(DistrictAreas(features("towns.geojson"), grids))
    together.replace_all(batch)
    assert [together.get(item.id) for item in batch] == alone
    assert [(i.town, i.grid) for i in alone[-2:]] == [("T", "G"), (alone[0].town, alone[0].grid)]
    unknown = placed_store(DistrictAreas([], []))
    unknown.replace_all(batch)
    assert [unknown.get(item.id) for item in batch] == batch


def test_the_incident_store_holds_every_incident_placed_and_remembers_what_was_reported(areas) -> None:
    cell = next(f for f in features("grids.geojson") if f["properties"]["town"] == "临城街道")
    lon, lat = inside(cell)
    store = IncidentStore()
    heard: list[Incident] = []
    store.add_listener(heard.append)
    resets: list[list[Incident]] = []
    store.add_reset_listener(resets.append)
    # held before the areas are known (the last known state comes before the layers): the platform's values
    store.replace_all([incident(lon, lat, town="陶庄镇", grid="G-999")])
    assert store.get("INC-1").town == "陶庄镇" and store.placement("INC-1") is None
    store.set_areas(areas)  # placed again, and the list hears of it
    assert (store.get("INC-1").town, store.get("INC-1").grid) == ("临城街道", cell["properties"]["id"])
    assert resets[-1][0].town == "临城街道"
    where = store.placement("INC-1")
    assert where.town_differs and where.reported_town == "陶庄镇" and where.reported_grid == "G-999"
    # a newer version arriving from the stream is placed before anyone hears of it
    newer = incident(lon, lat, town="陶庄镇").model_copy(update={"version": 2})
    assert store.upsert(newer) and heard[-1].town == "临城街道" and heard[-1].version == 2
    # a snapshot older than what is held keeps the held copy and its placement
    store.replace_all([incident(116.0, 30.0, town="常庄街道")])
    assert store.get("INC-1").version == 2 and store.placement("INC-1").town_from_point
    # outside every town: the platform's value, said to be the platform's
    assert store.upsert(incident(116.0, 30.0, town="常庄街道", iid="INC-2"))
    far = store.placement("INC-2")
    assert store.get("INC-2").town == "常庄街道" and not far.town_from_point and not far.town_differs
    # without areas again, what the platform reported comes back
    store.set_areas(None)
    assert store.get("INC-1").town == "陶庄镇" and store.placement("INC-1") is None
