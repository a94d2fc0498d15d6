"""Sensors: an air-quality station in every town and water gauges on its rivers and reservoirs, readings that
drift over time and carry their thresholds."""

from __future__ import annotations

import json

import pytest

from commandwall import paths
from commandwall.demo.geography import Geography
from commandwall.demo.layerdata import LayerCatalogue
from commandwall.demo.sensors import MAX_STEPS_PER_READ, STEP_S, SensorField
from commandwall.domain.sensors import ReadingLevel, Sensor, SensorKind
from tests.contract.wire import ApiClient


def test_every_town_has_an_air_station_and_water_gauges(viewer: ApiClient) -> None:
    answer = viewer.get("/api/v1/sensors")  # validated against the contract by the client
    assert answer.status_code == 200
    sensors = [Sensor.model_validate(s) for s in answer.json()["sensors"]]
    manifest = json.loads((paths.layers_dir() / "manifest.json").read_text("utf-8"))
    entry = next(e for e in manifest["layers"] if e["kind"] == "towns")
    towns = {f["properties"]["name"] for f in json.loads((paths.layers_dir() / entry["file"]).read_text("utf-8"))
             ["features"]}
    assert len(towns) == 9
    assert {s.town for s in sensors if s.kind is SensorKind.AIR} == towns
    assert {s.town for s in sensors if s.kind is SensorKind.WATER} == towns
    assert len({s.id for s in sensors}) == len(sensors)
    for sensor in sensors:
        assert 117.1 < sensor.lon < 117.55 and 34.6 < sensor.lat < 34.97
        assert all(r.warning < r.alarm for r in sensor.readings)
        expected = ["aqi", "pm25"] if sensor.kind is SensorKind.AIR else ["level"]
        assert [r.metric for r in sensor.readings] == expected


def test_sensors_need_a_token(anon: ApiClient) -> None:
    anon.get("/api/v1/sensors", expect=401)


@pytest.fixture(scope="module")
def geography() -> Geography:
    return Geography(list(LayerCatalogue(paths.layers_dir()).layers.values()))


def test_readings_drift_and_now_and_then_cross_a_threshold(geography: Geography) -> None:
    clock = [0.0]
    field = SensorField(geography, seed=5, clock=lambda: clock[0])
    first = {s.id: s.primary.value for s in field.sensors()}
    levels: dict[SensorKind, set[ReadingLevel]] = {SensorKind.AIR: set(), SensorKind.WATER: set()}
    changed: set[str] = set()
    for _ in range(6 * 60 * 8):  # eight simulated hours, read once a minute
        clock[0] += 6 * STEP_S
        for sensor in field.sensors():
            levels[sensor.kind].add(sensor.level)
            if sensor.primary.value != first[sensor.id]:
                changed.add(sensor.id)
    assert changed == set(first), "every sensor drifts"
    assert ReadingLevel.NORMAL in levels[SensorKind.AIR] and ReadingLevel.WARNING in levels[SensorKind.AIR]
    assert ReadingLevel.NORMAL in levels[SensorKind.WATER] and ReadingLevel.WARNING in levels[SensorKind.WATER]


def test_the_same_seed_gives_the_same_readings_and_a_long_pause_is_bounded(geography: Geography) -> None:
    clocks = [[0.0], [0.0]]
    fields = [SensorField(geography, seed="same", clock=lambda c=c: c[0]) for c in clocks]
    for clock in clocks:
        clock[0] = 3600.0
    one, two = ([s.model_dump(exclude={"updated_at"}) for s in f.sensors()] for f in fields)
    assert one == two
    clocks[0][0] += 30 * 24 * 3600  # a month asleep: at most an hour is simulated
    assert fields[0].advance_to(clocks[0][0]) == MAX_STEPS_PER_READ
    assert fields[0].advance_to(clocks[0][0]) == 0
