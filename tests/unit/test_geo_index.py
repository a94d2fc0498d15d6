"""Spatial indexes: nearest cameras, field-of-view coverage, point → town/grid, on hand-made and real data."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from commandwall.domain.models import Camera, StreamUrls
from commandwall.geo.index import AreaIndex, CameraIndex
from commandwall.geo.layers import load_layers
from commandwall.paths import layers_dir

GEOD = Geod(ellps="WGS84")
ORIGIN = (117.30, 34.80)
STREAMS = StreamUrls(main="http://127.0.0.1/main.mjpg", sub="http://127.0.0.1/sub.mjpg")


def at(bearing: float, distance: float, origin: tuple[float, float] = ORIGIN) -> tuple[float, float]:
    """The point ``distance`` m from ``origin`` towards ``bearing`` (geodesic, independent of the index)."""
    lon, lat, _ = GEOD.fwd(origin[0], origin[1], bearing, distance)
    return float(lon), float(lat)


def camera(cid: str, bearing: float, distance: float, heading: float, fov: float, range_m: float) -> Camera:
    lon, lat = at(bearing, distance)
    return Camera(
        id=cid, name=cid, lon=lon, lat=lat, heading=heading, fov=fov, range_m=range_m, streams=STREAMS
    )


@pytest.fixture
def small() -> CameraIndex:
    return CameraIndex(
        [
            camera("A", 0, 100, heading=180, fov=60, range_m=150),  # north of origin, looking at it
            camera(
                "B", 90, 50, heading=0, fov=60, range_m=150
            ),  # east, looking north: origin behind its side
            camera("C", 180, 300, heading=0, fov=60, range_m=200),  # south, looking at it but too short
            camera("D", 270, 250, heading=90, fov=20, range_m=300),  # west, narrow view straight at it
            camera("E", 45, 1000, heading=225, fov=90, range_m=100),  # far away
        ]
    )


def test_nearest_orders_by_distance_in_metres(small: CameraIndex) -> None:
    result = small.nearest(*ORIGIN, k=3)
    assert [c.id for c, _ in result] == ["B", "A", "D"]
    assert [d for _, d in result] == pytest.approx([50, 100, 250], abs=0.01)


def test_nearest_edge_cases(small: CameraIndex) -> None:
    assert [c.id for c, _ in small.nearest(*ORIGIN, k=10)] == ["B", "A", "D", "C", "E"]
    assert small.nearest(*ORIGIN, k=0) == []
    assert [c.id for c, _ in small.nearest(*ORIGIN, k=5, max_distance_m=120)] == ["B", "A"]
    assert [c.id for c, _ in small.nearest(*at(45, 990), k=1)] == ["E"]
    assert CameraIndex([]).nearest(*ORIGIN, k=3) == []
    assert CameraIndex([]).covering(*ORIGIN) == []


def test_covering_uses_the_fov_sector(small: CameraIndex) -> None:
    assert [c.id for c in small.covering(*ORIGIN)] == ["A", "D"]
    # 120 m north-west of B's position the point lies inside B's 60° view cone heading north...
    b = next(c for c in small.cameras if c.id == "B")
    assert "B" in [c.id for c in small.covering(*at(20, 120, (b.lon, b.lat)))]
    # ...but not 40° off its axis (outside ±30°), nor beyond its 150 m range.
    assert "B" not in [c.id for c in small.covering(*at(40, 120, (b.lon, b.lat)))]
    assert "B" not in [c.id for c in small.covering(*at(0, 160, (b.lon, b.lat)))]


def test_covering_with_full_circle_and_heading_wraparound() -> None:
    index = CameraIndex(
        [
            camera("dome", 0, 0, heading=0, fov=360, range_m=80),
            camera("north", 180, 100, heading=355, fov=30, range_m=200),  # view spans 340°–10°
        ]
    )
    assert [c.id for c in index.covering(*at(200, 70))] == ["dome"]
    assert [c.id for c in index.covering(*ORIGIN)] == ["dome", "north"]
    assert [c.id for c in index.covering(*at(5, 50))] == ["dome", "north"]  # 8° east of north, still inside


def squares() -> list[dict]:
    def square(x0: float, name: str) -> dict:
        ring = [[x0, 34.8], [x0 + 0.01, 34.8], [x0 + 0.01, 34.81], [x0, 34.81], [x0, 34.8]]
        return {
            "type": "Feature",
            "properties": {"name": name, "id": f"G-{name}"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }

    return [square(117.30, "西"), square(117.31, "东")]


def test_area_index_locates_points() -> None:
    index = AreaIndex(squares())
    assert len(index) == 2
    assert index.locate(117.305, 34.805) == {"name": "西", "id": "G-西"}
    assert index.key_at(117.315, 34.805) == "东"
    assert index.locate(117.33, 34.805) is None
    assert index.key_at(117.31, 34.805) == "西"  # shared border: first listed wins
    by_id = AreaIndex(squares(), key="id")
    assert by_id.key_at(117.315, 34.805) == "G-东"
    assert by_id.get("G-西") == {"name": "西", "id": "G-西"}
    assert by_id.get("G-北") is None


def test_area_index_skips_non_polygons_and_repairs_bow_ties() -> None:
    bow_tie = {
        "type": "Feature",
        "properties": {"name": "bow"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[117.0, 34.0], [117.1, 34.1], [117.1, 34.0], [117.0, 34.1], [117.0, 34.0]]],
        },
    }
    point = {
        "type": "Feature",
        "properties": {"name": "p"},
        "geometry": {"type": "Point", "coordinates": [1, 2]},
    }
    index = AreaIndex([point, bow_tie])
    assert len(index) == 1
    assert index.key_at(117.09, 34.05) == "bow"


# --- against brute force on the committed layers --------------------------------------------------------


@pytest.fixture(scope="module")
def real_cameras() -> list[Camera]:
    layer = load_layers(layers_dir()).layers["cameras"]
    return [
        Camera(
            **f["properties"],
            lon=f["geometry"]["coordinates"][0],
            lat=f["geometry"]["coordinates"][1],
            streams=STREAMS,
        )
        for f in layer.features
    ]


def brute_force(cameras: list[Camera], lon: float, lat: float) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic distance and bearing from every camera to the point."""
    n = len(cameras)
    az, _, dist = GEOD.inv(
        np.array([c.lon for c in cameras]),
        np.array([c.lat for c in cameras]),
        np.full(n, lon),
        np.full(n, lat),
    )
    return np.asarray(dist), np.asarray(az) % 360


def test_real_layer_nearest_and_covering_match_brute_force(real_cameras: list[Camera]) -> None:
    index = CameraIndex(real_cameras)
    rng = np.random.default_rng(7)
    picks = rng.choice(len(real_cameras), 60, replace=False)
    covered_somewhere = 0
    for i in picks.tolist():
        # near a camera (so coverage is likely), plus random points in the district's box
        base = real_cameras[i]
        for lon, lat in (
            at(rng.uniform(0, 360), rng.uniform(0, 200), (base.lon, base.lat)),
            (rng.uniform(117.17, 117.43), rng.uniform(34.65, 34.92)),
        ):
            dist, az = brute_force(real_cameras, lon, lat)
            want = [real_cameras[j].id for j in np.argsort(dist, kind="stable")[:5]]
            got = index.nearest(lon, lat, k=5)
            assert [c.id for c, _ in got] == want
            assert [d for _, d in got] == pytest.approx(np.sort(dist)[:5].tolist(), abs=1e-6)

            off_axis = np.abs((az - np.array([c.heading for c in real_cameras]) + 180) % 360 - 180)
            half = np.array([c.fov for c in real_cameras]) / 2
            reach = np.array([c.range_m for c in real_cameras])
            inside = (dist <= reach) & (off_axis <= half)
            # ignore cameras within 1 m / 1° of their sector's edge: the index works in a local plane
            edge = (np.abs(dist - reach) < 1.0) | ((np.abs(off_axis - half) < 1.0) & (dist <= reach + 1))
            got_ids = {c.id for c in index.covering(lon, lat)}
            for j, cam in enumerate(real_cameras):
                if not edge[j]:
                    assert (cam.id in got_ids) == bool(inside[j]), cam.id
            covered_somewhere += bool(got_ids)
    assert covered_somewhere > 20  # the check above was not vacuous
