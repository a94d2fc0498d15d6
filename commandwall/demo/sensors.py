"""The exercise's environmental sensors (感知设备): an air-quality station in every town and water-level gauges
on the district's rivers and reservoirs, with values that drift and now and then cross their thresholds.

Each value is a mean-reverting random walk around its sensor's normal level, plus *episodes*: a pollution
episode (静稳天气) lifts a station's AQI for some tens of minutes, a rain surge lifts a gauge above its 警戒水位
and lets it fall back slowly. Time is advanced when someone reads (:meth:`SensorField.sensors`), in fixed
steps of ``STEP_S`` simulated seconds, so no thread is needed and a test can drive the clock; with a fixed
seed the sequence is repeatable. The names of rivers and reservoirs are exercise data, not survey data.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from commandwall.demo.geography import Geography
from commandwall.domain.sensors import Sensor, SensorKind, SensorReading

#: Simulated seconds per step of the walk.
STEP_S = 10.0
#: At most this many steps are simulated per read (one hour); a longer gap skips ahead.
MAX_STEPS_PER_READ = 360
#: Steps simulated before the first read, so the sensors do not all start at their normal level.
WARM_UP_STEPS = 90
#: Chance per step that an episode starts at a sensor without one: about one per three hours per station and
#: per three hours per gauge.
AIR_EPISODE_PER_STEP = 1 / 1000
WATER_EPISODE_PER_STEP = 1 / 1080
#: Thresholds: AQI 100 is 轻度污染 and 200 重度污染 (HJ 633-2012); PM2.5 75 µg/m³ is the 24-hour grade II
#: limit (GB 3095-2012); a gauge warns at its 警戒水位 and alarms at its 保证水位 (metres above its base).
AQI_WARNING, AQI_ALARM = 100.0, 200.0
PM25_WARNING, PM25_ALARM = 75.0, 150.0
WATER_WARNING_RISE_M, WATER_ALARM_RISE_M = 1.2, 2.0

#: Rivers and reservoirs watched in each town (exercise data).
WATERS: dict[str, tuple[str, ...]] = {
    "临城街道": ("蟠龙河临城段",),
    "常庄街道": ("蟠龙河常庄段",),
    "兴城街道": ("新薛河兴城段",),
    "张范街道": ("十字河张范段",),
    "兴仁街道": ("小沙河兴仁段",),
    "沙沟镇": ("薛城大沙河沙沟段", "沙沟水库"),
    "周营镇": ("薛城大沙河周营段", "新薛河周营段"),
    "邹坞镇": ("邹坞水库",),
    "陶庄镇": ("陶庄水库", "十字河陶庄段"),
}


@dataclass
class _Walk:
    """One value: a mean-reverting walk around ``normal`` plus the episode running on it."""

    normal: float
    spread: float  # typical distance from normal without an episode
    floor: float
    value: float = 0.0
    episode_peak: float = 0.0
    episode_rise: int = 0  # steps to the peak
    episode_fall: int = 0  # steps back down
    episode_step: int = -1  # -1: no episode

    def episode_offset(self) -> float:
        """How far the episode lifts the value now (a rise, then a slower fall)."""
        if self.episode_step < 0:
            return 0.0
        s = self.episode_step
        if s < self.episode_rise:
            return self.episode_peak * math.sin(0.5 * math.pi * s / self.episode_rise)
        fall = (s - self.episode_rise) / self.episode_fall
        return self.episode_peak * max(0.0, 1.0 - fall) ** 1.5

    def step(self, rng: random.Random, episode_chance: float, peak: tuple[float, float],
             rise: tuple[int, int], fall: tuple[int, int]) -> None:
        """One step: pull back towards normal, a random nudge, the episode goes on (or one starts)."""
        base = self.value - self.episode_offset()
        base += 0.05 * (self.normal - base) + rng.gauss(0.0, self.spread * 0.3)
        if self.episode_step >= 0:
            self.episode_step += 1
            if self.episode_step > self.episode_rise + self.episode_fall:
                self.episode_step = -1
        elif rng.random() < episode_chance:
            self.episode_peak = rng.uniform(*peak)
            self.episode_rise, self.episode_fall = rng.randint(*rise), rng.randint(*fall)
            self.episode_step = 0
        self.value = max(self.floor, base + self.episode_offset())


@dataclass
class _SimulatedSensor:
    id: str
    name: str
    kind: SensorKind
    town: str
    lon: float
    lat: float
    walk: _Walk
    warning: float
    alarm: float
    pm25_per_aqi: float = 0.72  # a station's PM2.5 follows its AQI (PM2.5 is the usual primary pollutant)


class SensorField:
    """Every simulated sensor of the district; :meth:`sensors` advances the simulation to ``at`` and answers.

    ``clock`` gives the current time in seconds (``time.time`` by default; a test passes its own).
    """

    def __init__(self, geo: Geography, seed: int | str | None = None, clock=time.time) -> None:
        self._rng = random.Random(seed)
        self._clock = clock
        self._lock = threading.Lock()
        self._sensors: list[_SimulatedSensor] = []
        towns = [name for name, _ in geo.towns] or list(WATERS)
        for number, town in enumerate(towns, start=1):
            self._add_air(geo, town, number)
            for index, water in enumerate(WATERS.get(town, ()), start=1):
                self._add_water(geo, town, water, f"{number:02d}{index}")
        for _ in range(WARM_UP_STEPS):
            self._step()
        self._at = clock()

    def _place(self, geo: Geography, town: str) -> tuple[float, float]:
        if not geo.towns:
            x0, y0, x1, y1 = geo.bounds
            return round(self._rng.uniform(x0, x1), 6), round(self._rng.uniform(y0, y1), 6)
        place = geo.random_place(self._rng, town)
        return place.lon, place.lat

    def _add_air(self, geo: Geography, town: str, number: int) -> None:
        lon, lat = self._place(geo, town)
        normal = self._rng.uniform(50, 80)
        walk = _Walk(normal=normal, spread=8.0, floor=15.0, value=normal)
        self._sensors.append(_SimulatedSensor(f"AIR-{number:02d}", f"{town}空气质量监测站", SensorKind.AIR, town,
                                              lon, lat, walk, AQI_WARNING, AQI_ALARM,
                                              round(self._rng.uniform(0.66, 0.78), 3)))

    def _add_water(self, geo: Geography, town: str, water: str, number: str) -> None:
        lon, lat = self._place(geo, town)
        normal = round(self._rng.uniform(1.8, 3.6), 2)
        walk = _Walk(normal=normal, spread=0.06, floor=0.2, value=normal)
        self._sensors.append(_SimulatedSensor(
            f"WL-{number}", f"{water}水位站", SensorKind.WATER, town, lon, lat, walk,
            round(normal + WATER_WARNING_RISE_M, 2), round(normal + WATER_ALARM_RISE_M, 2)))

    def _step(self) -> None:
        for sensor in self._sensors:
            if sensor.kind is SensorKind.AIR:
                sensor.walk.step(self._rng, AIR_EPISODE_PER_STEP, (35.0, 150.0), (60, 180), (120, 360))
            else:
                sensor.walk.step(self._rng, WATER_EPISODE_PER_STEP, (0.8, 2.4), (90, 240), (360, 900))

    def advance_to(self, at: float) -> int:
        """Simulate up to ``at`` (seconds, the clock's scale); returns the steps taken (bounded)."""
        with self._lock:
            steps = int((at - self._at) // STEP_S)
            if steps <= 0:
                return 0
            if steps > MAX_STEPS_PER_READ:  # a long pause: skip ahead rather than simulate hours at once
                self._at = at - MAX_STEPS_PER_READ * STEP_S
                steps = MAX_STEPS_PER_READ
            for _ in range(steps):
                self._step()
            self._at += steps * STEP_S
            return steps

    def sensors(self) -> list[Sensor]:
        """Every sensor with its readings now."""
        now = self._clock()
        self.advance_to(now)
        at = datetime.fromtimestamp(now, UTC)
        with self._lock:
            return [self._model(sensor, at) for sensor in self._sensors]

    @staticmethod
    def _model(sensor: _SimulatedSensor, at: datetime) -> Sensor:
        value = sensor.walk.value
        if sensor.kind is SensorKind.AIR:
            aqi = round(value)
            pm25 = round(max(5.0, value * sensor.pm25_per_aqi), 1)
            readings = [
                SensorReading(metric="aqi", label="AQI", unit="", value=aqi, warning=sensor.warning,
                              alarm=sensor.alarm),
                SensorReading(metric="pm25", label="PM2.5", unit="µg/m³", value=pm25, warning=PM25_WARNING,
                              alarm=PM25_ALARM),
            ]
        else:
            readings = [SensorReading(metric="level", label="水位", unit="m", value=round(value, 2),
                                      warning=sensor.warning, alarm=sensor.alarm)]
        return Sensor(id=sensor.id, name=sensor.name, kind=sensor.kind, town=sensor.town, lon=sensor.lon,
                      lat=sensor.lat, readings=readings, updated_at=at)
