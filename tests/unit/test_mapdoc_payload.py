"""Shapes of the data pushed into the map page."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from commandwall.domain.models import Camera, Incident, IncidentStatus, Unit
from commandwall.localtime import to_display
from commandwall.mapdoc import payload
from commandwall.textsafe import display_text

NOW = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)


def camera(i: int = 1, status: str = "online") -> Camera:
    return Camera(
        id=f"CAM-{i:04d}",
        name="临城街道·光明大道与泰山路口",
        lon=117.2612345678,
        lat=34.7954321987,
        town="临城街道",
        kind="ptz",
        heading=45.04,
        fov=60,
        range_m=150,
        status=status,
        streams={"main": "rtsp://user:secret@10.0.0.1/main", "sub": "rtsp://user:secret@10.0.0.1/sub"},
    )


def incident(title: str = "<img src=x onerror=alert(1)>") -> Incident:
    return Incident(
        id="INC-1",
        title=title,
        category="huanbao",
        lon=117.3,
        lat=34.8,
        town="常庄街道",
        priority=1,
        status=IncidentStatus.DISPATCHED,
        reported_at=NOW,
        updated_at=NOW,
        version=3,
    )


def test_camera_payload_is_compact_and_has_no_stream_urls() -> None:
    item = payload.camera_payload(camera())
    assert item == {
        "id": "CAM-0001",
        "name": "临城街道·光明大道与泰山路口",
        "lon": 117.261235,
        "lat": 34.795432,
        "status": "online",
        "kind": "ptz",
        "town": "临城街道",
        "heading": 45.0,
        "fov": 60.0,
        "range": 150.0,
    }
    assert "secret" not in payload.to_json(payload.cameras_payload([camera()]))


def test_incident_payload_keeps_text_as_data_and_adds_labels() -> None:
    item = payload.incident_payload(incident())
    assert item["title"] == "<img src=x onerror=alert(1)>"  # escaping is the page's job (textContent)
    assert item["category_label"] == "环保"
    assert item["status"] == "dispatched"
    assert item["status_label"] == "已派遣"
    assert item["priority"] == 1
    assert item["reported_at"] == "2024-05-01T08:30:00+00:00"


def test_unit_payload() -> None:
    unit = Unit(
        id="U-001",
        name="临城派出所巡逻一组",
        department="公安",
        kind="patrol",
        lon=117.25,
        lat=34.79,
        status="busy",
        updated_at=NOW,
    )
    assert payload.units_payload([unit], now=NOW + timedelta(minutes=1)) == [
        {
            "id": "U-001",
            "name": "临城派出所巡逻一组",
            "department": "公安",
            "department_label": "公安",
            "kind": "patrol",
            "status": "busy",
            "status_label": "出勤",
            "task_status": None,
            "state_label": "出勤",
            "task_label": "无任务",
            "reported": f"{to_display(NOW):%m-%d %H:%M:%S}",
            "stale": False,
            "report_age": "",
            "lon": 117.25,
            "lat": 34.79,
        }
    ]
    [silent] = payload.units_payload([unit], now=NOW + timedelta(minutes=5, seconds=1))  # over five minutes
    assert silent["stale"] is True and silent["report_age"] == "5分钟前"
    [silent] = payload.units_payload([unit], now=NOW + timedelta(hours=3, minutes=59))
    assert silent["report_age"] == "3小时前"


def test_unit_payloads_are_made_again_only_for_what_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    """UnitPayloads hands back the payload it holds (the same dict) while the unit, its stale state, the text of
    its silence's age and the language stay the same; it makes a new one, equal to unit_payload's, otherwise."""
    from commandwall import i18n

    units = [Unit(id=f"U-{i:03d}", name=f"巡逻{i}组", department="公安", lon=117.25, lat=34.79, updated_at=NOW)
             for i in range(5)]
    held = payload.UnitPayloads()
    at = NOW + timedelta(minutes=1)
    first = held.payloads(units, at)
    assert held.built == 5 and first == payload.units_payload(units, at)
    again = held.payloads(units, at + timedelta(seconds=30))
    assert held.built == 5 and all(a is b for a, b in zip(first, again, strict=True))

    moved = units[2].model_copy(update={"lon": 117.26, "updated_at": NOW + timedelta(minutes=1)})
    units[2] = moved
    after = held.payloads(units, at)
    assert held.built == 6 and after[2] == payload.unit_payload(moved, at) and after[2]["lon"] == 117.26
    assert [a is b for a, b in zip(first, after, strict=True)] == [True, True, False, True, True]

    stale_at = NOW + timedelta(minutes=5, seconds=1)  # the four that did not report go stale, the moved one not
    stale = held.payloads(units, stale_at)
    assert held.built == 10 and [item["stale"] for item in stale] == [True, True, False, True, True]
    assert stale == payload.units_payload(units, stale_at)
    assert held.payloads(units, stale_at + timedelta(seconds=50)) == stale and held.built == 10  # still 5分钟前
    later = held.payloads(units, stale_at + timedelta(seconds=59))  # six minutes; the moved one five, not over
    assert held.built == 14 and later[0]["report_age"] == "6分钟前" and later[2] is stale[2]

    monkeypatch.setattr(i18n, "_translator", None)
    i18n.install(lambda _context, text: {"公安": "Police", "无任务": "No task"}.get(text, ""))
    try:
        english = held.payloads(units, stale_at + timedelta(seconds=59))
    finally:
        i18n.install(None)
    assert held.built == 19 and english[0]["task_label"] == "No task"


def test_a_units_report_time_reads_as_strftime_would() -> None:
    for moment in (NOW, datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)):
        unit = Unit(id="U-1", name="组", department="公安", lon=117.25, lat=34.79, updated_at=moment)
        assert payload.unit_payload(unit, NOW)["reported"] == f"{to_display(moment):%m-%d %H:%M:%S}"


def test_resources_payload_skips_unusable_features(caplog: pytest.LogCaptureFixture) -> None:
    good = {
        "type": "Feature",
        "properties": {
            "id": "RES-001",
            "name": "区人民医院",
            "type": "hospital",
            "capacity": 500,
            "town": "临城街道",
        },
        "geometry": {"type": "Point", "coordinates": [117.3, 34.8]},
    }
    line = {
        "type": "Feature",
        "properties": {"id": "RES-002"},
        "geometry": {"type": "LineString", "coordinates": [[117.3, 34.8], [117.4, 34.8]]},
    }
    broken = {"type": "Feature", "properties": None, "geometry": {"type": "Point", "coordinates": ["a"]}}
    out = payload.resources_payload([good, line, broken, "not a feature"])  # type: ignore[list-item]
    assert out == [
        {
            "id": "RES-001",
            "id_text": "RES-001",
            "name": "区人民医院",
            "type": "hospital",
            "type_label": "医院",
            "town": "临城街道",
            "capacity": 500,
            "status": "unknown",  # none given
            "status_text": "",
            "lon": 117.3,
            "lat": 34.8,
        }
    ]
    assert "skipped 3 resource" in caplog.text


@pytest.mark.parametrize(("given", "status", "text"), [
    ("available", "available", ""), ("in_use", "in_use", ""), ("maintenance", "maintenance", ""),
    ("unavailable", "unavailable", ""), (None, "unknown", ""), ("", "unknown", ""),
    ("closed", "unknown", "closed"), ("__proto__", "unknown", "__proto__"), (3, "unknown", "3"),
    ("<img src=x onerror=alert(1)>", "unknown", "<img src=x onerror=alert(1)>"),
    ("\u202eelbaliava", "unknown", "‹U+202E›elbaliava"), ("维" * 100, "unknown", "维" * 39 + "…"),
])
def test_a_resources_status_is_one_the_map_knows_or_unknown_with_the_platforms_word(
    given: object, status: str, text: str
) -> None:
    item = payload.resource_payload({"type": "Feature", "properties": {"id": "R", "status": given},
                                     "geometry": {"type": "Point", "coordinates": [117.3, 34.8]}})
    assert item is not None and (item["status"], item["status_text"]) == (status, text)


def test_commands() -> None:
    assert payload.fly_to_command(117.31234567, 34.8, 15) == {
        "op": "flyTo",
        "lon": 117.312346,
        "lat": 34.8,
        "zoom": 15,
    }
    assert payload.select_incident_command("INC-1") == {"op": "selectIncident", "id": "INC-1"}


def test_to_json_is_compact_utf8_and_refuses_nan() -> None:
    text = payload.to_json({"name": "薛城区", "a": [1, 2]})
    assert text == '{"name":"薛城区","a":[1,2]}'
    assert json.loads(text)["name"] == "薛城区"
    with pytest.raises(ValueError):
        payload.to_json({"x": float("nan")})


def test_many_cameras_serialise_quickly() -> None:
    cams = [camera(i, "offline" if i % 7 == 0 else "online") for i in range(5000)]
    text = payload.to_json(payload.cameras_payload(cams))
    items = json.loads(text)
    assert len(items) == 5000
    assert sum(1 for c in items if c["status"] == "offline") == len(range(0, 5000, 7))
    assert len(text) < 5000 * 260


def test_names_on_the_map_show_hidden_characters_as_marks() -> None:
    """A right-to-left override cannot make a camera, incident or unit name read backwards on the map."""
    disguised = "\u202egnp.exe"
    shown = "‹U+202E›gnp.exe"
    assert payload.camera_payload(camera().model_copy(update={"name": disguised}))["name"] == shown
    assert payload.incident_payload(incident(disguised))["title"] == shown
    item = payload.resource_payload({
        "type": "Feature", "properties": {"name": disguised, "town": "临城街道"},
        "geometry": {"type": "Point", "coordinates": [117.3, 34.8]},
    })
    assert item is not None and item["name"] == shown and item["town"] == "临城街道"


def test_camera_columns_round_trip_through_json() -> None:
    """What the page decodes (base64 little-endian typed arrays, ids by line) gives back every camera."""
    import base64

    import numpy as np

    cams = [camera(i, "offline" if i % 7 == 0 else "online").model_copy(
        update={"lon": 117.2 + i * 1e-6, "lat": 34.7 + i * 2e-6, "heading": i % 360}) for i in range(500)]
    data = json.loads(payload.to_json(payload.camera_columns(cams)))
    assert data["n"] == 500
    assert data["ids"].split("\n") == [c.id for c in cams]

    def column(name: str, dtype: str) -> np.ndarray:
        return np.frombuffer(base64.b64decode(data[name]), dtype=dtype)

    assert column("lon", "<f8").tolist() == [c.lon for c in cams]  # exact, not rounded
    assert column("lat", "<f8").tolist() == [c.lat for c in cams]
    assert column("online", "u1").tolist() == [int(c.status == "online") for c in cams]
    assert column("heading", "<f4").tolist() == [float(c.heading) for c in cams]
    assert column("fov", "<f4").tolist() == [60.0] * 500 and column("range", "<f4").tolist() == [150.0] * 500
    assert "name" not in data and "临城" not in json.dumps(data, ensure_ascii=False)  # names come on demand
    assert payload.camera_columns([]) == {"n": 0, "ids": "", "lon": "", "lat": "", "online": "", "heading": "",
                                          "fov": "", "range": ""}
    # the text sent to the page is exactly that, made without the JSON encoder walking the columns
    assert payload.camera_columns_json(cams) == payload.to_json(payload.camera_columns(cams))
    assert payload.camera_columns_json([]) == payload.to_json(payload.camera_columns([]))


def test_warning_areas_keep_polygons_with_safe_text_and_colours() -> None:
    ring = [[117.2, 34.7], [117.3, 34.7], [117.3, 34.8], [117.2, 34.7]]
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
         "properties": {"id": "CAP-1", "event": "暴雨", "headline": "红色\u202e预警", "severity": "Extreme",
                        "color": "#ff4d4f"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
         "properties": {"id": "CAP-2", "color": "red;background:url(x)"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [117.2, 34.7]}, "properties": {}},
        "not a feature",
    ]}
    out = payload.warning_areas_payload(collection)["features"]
    assert [f["properties"]["id"] for f in out] == ["CAP-1", "CAP-2"]
    assert out[0]["properties"]["color"] == "#ff4d4f" and out[1]["properties"]["color"] == "#8c8c8c"
    assert out[0]["properties"]["headline"] == display_text("红色\u202e预警") != "红色\u202e预警"
