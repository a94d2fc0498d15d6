"""Towns and grid cells of incidents from their points, and incidents per grid cell, on the district's layers."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

import pytest
from shapely.geometry import shape

from commandwall import paths
from commandwall.app.areas import DistrictAreas
from commandwall.domain.models import Incident
from commandwall.geo.layers import load_layers
from commandwall.mapdoc.payload import density_cells_payload, density_counts_payload, incident_density_payload

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


def test_an_incident_gets_the_town_and_grid_cell_of_its_point(areas: DistrictAreas) -> None:
    for cell in features("grids.geojson")[::17]:
        lon, lat = inside(cell)
        placed = areas.place(incident(lon, lat, town="薛城区", grid="G-999"))
        # the grid layer names the town of each cell: the towns layer must agree with it
        assert (placed.town, placed.grid) == (cell["properties"]["town"], cell["properties"]["id"])


def test_outside_the_district_the_platform_values_stay(areas: DistrictAreas) -> None:
    far = incident(116.0, 30.0, town="常庄街道", grid="G-042")
    assert areas.place(far) is far
    assert areas.place(incident(116.0, 30.0)).town == ""
    # without layers nothing is known and nothing changes
    empty = DistrictAreas([], [])
    assert empty.place(far) is far and empty.density([far]) == {}


def test_density_counts_incidents_per_cell_and_the_payload_has_every_cell(areas: DistrictAreas) -> None:
    cells = features("grids.geojson")
    a, b = inside(cells[0]), inside(cells[5])
    incidents = [incident(*a, iid=f"A{i}") for i in range(3)] + [incident(*b, iid="B"), incident(116.0, 30.0)]
    counts = areas.density(incidents)
    assert counts == {cells[0]["properties"]["id"]: 3, cells[5]["properties"]["id"]: 1}
    data = incident_density_payload(areas.grid_features(), counts)
    assert data["max"] == 3 and len(data["cells"]) == len(cells)
    by_id = {c["id"]: c for c in data["cells"]}
    assert by_id[cells[0]["properties"]["id"]]["count"] == 3
    assert by_id[cells[0]["properties"]["id"]]["name"] == cells[0]["properties"]["name"]
    assert sum(c["count"] for c in data["cells"]) == 4
    shapes = density_cells_payload(areas.grid_features())
    assert [{k: c[k] for k in ("id", "name", "geometry")} for c in data["cells"]] == shapes["cells"]
    only = density_counts_payload([c["id"] for c in shapes["cells"]], counts)  # the cells holding some
    assert only == {"counts": {c["id"]: c["count"] for c in data["cells"] if c["count"]}, "max": 3}


def test_a_batch_is_placed_in_one_look_up_as_each_alone_would_be() -> None:
    grids = features("grids.geojson")
    points = [inside(cell) for cell in grids[::7]]
    # a point on the border of two cells: the cell listed first, as for a single point
    first = shape(grids[0]["geometry"])
    points += [first.exterior.coords[0], first.exterior.coords[1], (116.0, 30.0), points[0]]
    batch = [incident(lon, lat, town="T", grid="G", iid=f"INC-{n}") for n, (lon, lat) in enumerate(points)]
    alone = [DistrictAreas(features("towns.geojson"), grids).place(i) for i in batch]
    together = DistrictAreas(features("towns.geojson"), grids)
    assert together.place_many(batch) == alone
    assert [(i.town, i.grid) for i in alone[-2:]] == [("T", "G"), (alone[0].town, alone[0].grid)]
    assert DistrictAreas([], []).place_many(batch) == batch
