"""Environmental sensors the platform offers (感知设备): air-quality stations and water-level gauges.

A sensor reports one or more metrics; each reading carries its thresholds (the 预警 warning level and the
报警 alarm level), so the client judges a value the same way the platform does without knowing local rules:
an AQI above 100 is 轻度污染, a river above its 警戒水位 needs watching, above its 保证水位 it needs people.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from commandwall.domain.models import Identifier, ShortText
from commandwall.i18n import QT_TRANSLATE_NOOP, translate


class SensorKind(StrEnum):
    """What a sensor measures."""

    AIR = "air"  # 空气质量监测站: AQI, PM2.5
    WATER = "water"  # 水位监测点 on a river or reservoir: water level in metres


class ReadingLevel(StrEnum):
    """Where a value stands against its thresholds."""

    NORMAL = "normal"
    WARNING = "warning"  # at or above the warning threshold (预警)
    ALARM = "alarm"  # at or above the alarm threshold (报警)


#: Names of the levels and kinds (translated where shown: :func:`level_label`, :func:`sensor_kind_label`).
LEVEL_LABELS = {
    ReadingLevel.NORMAL: QT_TRANSLATE_NOOP("sensors", "正常"),
    ReadingLevel.WARNING: QT_TRANSLATE_NOOP("sensors", "预警"),
    ReadingLevel.ALARM: QT_TRANSLATE_NOOP("sensors", "报警"),
}
SENSOR_KIND_LABELS = {
    SensorKind.AIR: QT_TRANSLATE_NOOP("sensors", "空气质量"),
    SensorKind.WATER: QT_TRANSLATE_NOOP("sensors", "水位"),
}


def level_label(level: ReadingLevel) -> str:
    """The reading level's name in the chosen language."""
    return translate("sensors", LEVEL_LABELS[level])


def sensor_kind_label(kind: SensorKind) -> str:
    """The sensor kind's name in the chosen language."""
    return translate("sensors", SENSOR_KIND_LABELS[kind])


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class SensorReading(_Model):
    """One metric of a sensor: its value now and the thresholds it is judged by (warning ≤ alarm)."""

    metric: ShortText  # aqi | pm25 | level
    label: ShortText = ""
    unit: ShortText = ""
    value: float
    warning: float
    alarm: float

    @model_validator(mode="after")
    def _ordered(self) -> SensorReading:
        if self.alarm < self.warning:
            raise ValueError("alarm threshold below the warning threshold")
        return self

    @property
    def level(self) -> ReadingLevel:
        """Normal, warning or alarm."""
        if self.value >= self.alarm:
            return ReadingLevel.ALARM
        if self.value >= self.warning:
            return ReadingLevel.WARNING
        return ReadingLevel.NORMAL


class Sensor(_Model):
    """A sensor with its place and its latest readings (the first reading is the one to chart)."""

    id: Identifier
    name: ShortText
    kind: SensorKind
    town: ShortText = ""
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    readings: list[SensorReading] = Field(min_length=1, max_length=16)
    updated_at: AwareDatetime

    @property
    def level(self) -> ReadingLevel:
        """The worst level of its readings."""
        order = list(ReadingLevel)
        return max((r.level for r in self.readings), key=order.index)

    @property
    def primary(self) -> SensorReading:
        """The headline reading (AQI of a station, the level of a gauge)."""
        return self.readings[0]
