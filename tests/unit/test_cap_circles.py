"""CAP ``<circle>`` areas (``lat,lon radius_km``): read and bounded, refused with a reason when malformed or
hostile (never a crash), drawn as their geodesic polygon and used for which cameras and incidents are inside."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import pytest
from pyproj import Geod

from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.app.warnings import WarningBook, WarningsController
from commandwall.backend.cap import CIRCLE_POINTS, MAX_CIRCLE_RADIUS_KM, CapCircle, CapError, parse_cap, parse_circle
from commandwall.config import Settings
from commandwall.domain.models import Camera, Incident
from commandwall.mapdoc.payload import warning_areas_payload
from tests.unit.test_cap import SENT, cap

POLYGON = b"<polygon>34.70,117.15 34.70,117.30 34.86,117.30 34.70,117.15</polygon>"
GEOD = Geod(ellps="WGS84")


def circle_cap(identifier: str = "F1", circle: str = "34.74,117.38 4", *, keep_polygon: bool = False) -> bytes:
    shape = f"<circle>{circle}</circle>".encode()
    return cap(identifier, headline="大雾黄色预警").replace(POLYGON, (POLYGON if keep_polygon else b"") + shape)


def test_a_circle_is_read_as_centre_lon_lat_and_radius_and_becomes_a_round_ring() -> None:
    alert = parse_cap(circle_cap())
    (area,) = alert.areas
    assert area.polygons == () and area.circles == (CapCircle(117.38, 34.74, 4.0),)
    ring = area.rings()[0]
    assert len(ring) == CIRCLE_POINTS + 1 and ring[0] == ring[-1]
    _, _, distances = GEOD.inv([117.38] * len(ring), [34.74] * len(ring), [p[0] for p in ring], [p[1] for p in ring])
    assert all(abs(d - 4000.0) < 0.5 for d in distances)  # on the ground, not in degrees
    both = parse_cap(circle_cap(keep_polygon=True)).areas[0]
    assert len(both.polygons) == 1 and len(both.circles) == 1 and len(both.rings()) == 2


@pytest.mark.parametrize(("text", "why"), [
    ("34.74,117.38 0", "above 0"),
    ("34.74,117.38 -3", "above 0"),
    ("34.74,117.38 nan", "above 0"),
    ("34.74,117.38 inf", "above 0"),
    ("34.74,117.38 1e400", "above 0"),
    (f"34.74,117.38 {MAX_CIRCLE_RADIUS_KM + 1}", "is above"),
    ("117.38,34.74 4", "in range"),  # lon,lat by mistake: latitude 117 is impossible
    ("34.74,nan 4", "in range"),
    ("34.74,117.38", "lat,lon radius"),
    ("34.74 117.38 4", "lat,lon radius"),
    ("34.74;117.38 4", "lat,lon radius"),
    ("a,b c", "lat,lon radius"),
    ("", "lat,lon radius"),
    ("34.74,117.38 4 km", "lat,lon radius"),
    ("<script>alert(1)</script> 4", "lat,lon radius"),
])
def test_bad_circles_say_why(text: str, why: str) -> None:
    with pytest.raises(CapError, match=why):
        parse_circle(text)


def test_a_document_with_hostile_circles_is_reported_and_the_others_still_read(tmp_path: Path) -> None:
    folder = tmp_path / "cap"
    folder.mkdir()
    (folder / "1.xml").write_bytes(circle_cap("F1"))
    (folder / "2.xml").write_bytes(circle_cap("F2", "34.74,117.38 -1"))
    (folder / "3.xml").write_bytes(circle_cap("F3", "34.74,117.38 " + "9" * 5000))
    (folder / "4.xml").write_bytes(cap("F4").replace(POLYGON, b"<circle>34.7,117.3 1</circle>" * 65))
    session = ClientSession(Settings(data_dir=tmp_path / "d"), PlatformFactory.at_url("http://127.0.0.1:9"))
    controller = WarningsController(session, folder=folder)
    problems: list[str] = []
    controller.listener.on_problem = problems.append
    assert controller.poll(SENT) == 1
    assert sorted(p.split()[1] for p in problems) == ["2.xml", "3.xml", "4.xml"]
    assert "more than 64 circles" in problems[-1]
    assert [i.title for i in session.incidents.all()] == ["大雾黄色预警"]


def test_which_cameras_and_incidents_lie_inside_a_circle_warning(tmp_path: Path) -> None:
    session = ClientSession(Settings(data_dir=tmp_path / "d"), PlatformFactory.at_url("http://127.0.0.1:9"))
    controller = WarningsController(session, folder=tmp_path)
    (tmp_path / "fog.xml").write_bytes(circle_cap("F1"))

    def east_of_centre(km: float) -> tuple[float, float]:
        lon, lat, _ = GEOD.fwd(117.38, 34.74, 90.0, km * 1000.0)
        return lon, lat

    cameras = []
    for n, km in enumerate((0.0, 3.9, 4.1, 20.0)):
        lon, lat = east_of_centre(km)
        cameras.append(Camera.model_validate({"id": f"CAM-{n}", "name": f"路口{n}", "lon": lon, "lat": lat,
                                              "streams": {"main": "rtsp://x/1", "sub": "rtsp://x/2"}}))
    session.cameras.replace_all(cameras)
    lon, lat = east_of_centre(1.0)
    session.incidents.upsert(Incident(id="INC-1", title="车辆追尾", category="jiaotong", lon=lon, lat=lat,
                                      reported_at=SENT, updated_at=SENT, version=1))
    session.incidents.upsert(Incident(id="INC-2", title="远处", category="jiaotong", lon=117.2, lat=34.9,
                                      reported_at=SENT, updated_at=SENT, version=1))
    controller.poll(SENT)
    fog = next(i for i in session.incidents.all() if i.category == "yujing")
    assert [c.id for c in controller.cameras_inside(fog.id, SENT)] == ["CAM-0", "CAM-1"]
    assert [i.id for i in controller.incidents_inside(fog.id, SENT)] == ["INC-1"]
    assert controller.cameras_inside(fog.id, SENT + timedelta(hours=7)) == []  # expired: no area any more
    assert controller.cameras_inside("CAP-unknown", SENT) == []


def test_the_page_payload_carries_the_circle_as_a_polygon_with_its_radius() -> None:
    book = WarningBook()
    book.apply(parse_cap(circle_cap()))
    (feature,) = warning_areas_payload(book.overlays(SENT))["features"]
    assert feature["geometry"]["type"] == "Polygon" and feature["properties"]["radius_km"] == 4.0
    lons = [p[0] for p in feature["geometry"]["coordinates"][0]]
    span_km = (max(lons) - min(lons)) * 111.32 * math.cos(math.radians(34.74))
    assert 7.9 < span_km < 8.1  # 8 km across
    hostile = {"type": "FeatureCollection", "features": [{**feature, "properties": {
        **feature["properties"], "radius_km": "4<script>"}}]}
    assert warning_areas_payload(hostile)["features"][0]["properties"]["radius_km"] is None


def test_a_warnings_reach_counts_its_cameras_and_only_the_open_incidents(tmp_path: Path) -> None:
    session = ClientSession(Settings(data_dir=tmp_path / "d"), PlatformFactory.at_url("http://127.0.0.1:9"))
    controller = WarningsController(session, folder=tmp_path)
    (tmp_path / "fog.xml").write_bytes(circle_cap("F1"))
    near = (117.381, 34.741)
    session.cameras.replace_all([Camera.model_validate({"id": "CAM-0", "name": "路口", "lon": near[0], "lat": near[1],
                                                        "streams": {"main": "rtsp://x/1", "sub": "rtsp://x/2"}})])
    for n, status in enumerate(("new", "dispatched", "closed")):
        session.incidents.upsert(Incident(id=f"INC-{n}", title="车辆追尾", category="jiaotong", lon=near[0],
                                          lat=near[1], status=status, reported_at=SENT, updated_at=SENT, version=1))
    controller.poll(SENT)
    fog = next(i for i in session.incidents.all() if i.category == "yujing")
    reach = controller.reach(fog.id, SENT)
    assert reach is not None and reach.camera_ids == ["CAM-0"]
    assert [i.id for i in reach.open_incidents] == ["INC-1", "INC-0"]  # the closed one is not counted
    assert reach.describe() == "预警区域内：摄像机 1 路，未办结事件 2 起"
    assert controller.reach("INC-0", SENT) is None  # not a warning
    assert controller.reach(fog.id, SENT + timedelta(hours=7)) is None  # expired
