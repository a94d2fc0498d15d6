"""Cameras picked by a shape drawn on the map: standing in it, or seeing into it (shapely)."""

from __future__ import annotations

import pytest
from pyproj import Geod

from commandwall.app.map_select import CameraPicker, area_of
from commandwall.domain.models import Camera, CameraStatus
from commandwall.geo.index import CameraIndex

STREAMS = {"main": "http://127.0.0.1:1/m", "sub": "http://127.0.0.1:1/s"}
GEOD = Geod(ellps="GRS80")


def cam(cid: str, lon: float, lat: float, heading: float = 0.0, range_m: float = 150.0) -> Camera:
    return Camera(id=cid, name=cid, lon=lon, lat=lat, heading=heading, fov=60, range_m=range_m, streams=STREAMS)


def test_shapes_become_lon_lat_polygons() -> None:
    rect = area_of({"type": "rectangle", "points": [[117.3, 34.8], [117.2, 34.7]]})
    assert rect.bounds == (117.2, 34.7, 117.3, 34.8)
    circle = area_of({"type": "circle", "center": [117.3, 34.8], "radius_m": 1000})
    lons, lats = circle.exterior.coords.xy
    _, _, dist = GEOD.inv([117.3] * len(lons), [34.8] * len(lats), list(lons), list(lats))
    assert all(abs(d - 1000) < 0.01 for d in dist)  # every vertex on the geodesic circle
    tri = area_of({"type": "polygon", "points": [[117.2, 34.7], [117.3, 34.7], [117.25, 34.8]]})
    assert tri.is_valid and tri.area > 0
    bow_tie = area_of({"type": "polygon", "points": [[0, 0], [1, 1], [1, 0], [0, 1]]})
    assert bow_tie.is_valid  # repaired, not refused
    for bad in ({"type": "hexagon"}, {"type": "polygon", "points": [[0, 0], [1, 1]]},
                {"type": "circle", "center": [117.3, 34.8], "radius_m": 0},
                {"type": "rectangle", "points": [[200, 0], [0, 0]]}):
        with pytest.raises((ValueError, KeyError, TypeError)):
            area_of(bad)


def test_cameras_standing_in_the_area_and_those_seeing_into_it() -> None:
    # a 200 m square south-west corner at (117.300, 34.800)
    east, north = GEOD.fwd(117.3, 34.8, 90, 200)[0], GEOD.fwd(117.3, 34.8, 0, 200)[1]
    south_of = GEOD.fwd((117.3 + east) / 2, 34.8, 180, 100)  # 100 m south of the square
    cameras = [
        cam("IN", (117.3 + east) / 2, (34.8 + north) / 2),
        cam("LOOKS-IN", south_of[0], south_of[1], heading=0),  # faces north, range 150 m: reaches in
        cam("LOOKS-AWAY", south_of[0], south_of[1], heading=180),
        cam("FAR", 117.5, 35.0, heading=0),
    ]
    picker = CameraPicker.of(cameras)
    picked = picker.pick({"type": "rectangle", "points": [[117.3, 34.8], [east, north]]})
    assert [c["id"] for c in picked["inside"]] == ["IN"]
    assert [c["id"] for c in picked["sees"]] == ["LOOKS-IN"]
    assert picked["inside"][0]["status"] == "online"
    # the index is the session's (made once per connection); the status shown is the store's current one
    index = CameraIndex(cameras)
    offline = {"IN": cameras[0].model_copy(update={"status": CameraStatus.OFFLINE})}
    picked = CameraPicker(lambda: index, offline.get).pick(
        {"type": "rectangle", "points": [[117.3, 34.8], [east, north]]})
    assert picked["inside"][0]["status"] == "offline"
    assert CameraPicker(lambda: None).pick({"type": "circle", "center": [117.3, 34.8], "radius_m": 50}) == {
        "inside": [], "sees": []}, "before the first connection: nothing, no error"


def test_a_self_crossing_polygon_keeps_both_halves() -> None:
    """A bow-tie drawn by hand: cameras in either half are found (buffer(0) kept one half)."""
    cameras = [cam("LEFT", 117.3003, 34.8005), cam("RIGHT", 117.3017, 34.8005)]
    bow_tie = {"type": "polygon", "points": [[117.300, 34.800], [117.302, 34.801], [117.302, 34.800],
                                             [117.300, 34.801]]}
    area = area_of(bow_tie)
    assert area.area == pytest.approx(2 * 0.5 * 0.001 * 0.001, rel=1e-6)
    picked = CameraPicker.of(cameras).pick(bow_tie)
    assert sorted(c["id"] for c in picked["inside"]) == ["LEFT", "RIGHT"]
    with pytest.raises(ValueError, match="no area"):
        area_of({"type": "polygon", "points": [[117.3, 34.8], [117.31, 34.8], [117.32, 34.8]]})
