"""Alarm linkage (告警联动) without Qt: which incidents raise the alarm, once; which cameras the wall turns to,
checked against brute-force geometry on the committed camera layer; the generated tone is a real WAV."""

from __future__ import annotations

import os
import wave
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import numpy as np
import pytest
from pydantic import ValidationError
from pyproj import Geod

from commandwall.app.alarm import Alarm, AlarmLinkage, write_tone
from commandwall.config import Settings
from commandwall.domain.models import Camera, CameraStatus, Incident, IncidentStatus
from commandwall.geo.index import CameraIndex
from tests.unit.test_geo_index import real_cameras  # noqa: F401  (fixture)

GEOD = Geod(ellps="WGS84")
T0 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def incident(iid: str, priority: int, *, status: IncidentStatus = IncidentStatus.NEW, minutes: int = 0,
             version: int = 1) -> Incident:
    at = T0 + timedelta(minutes=minutes)
    return Incident(id=iid, title=f"事件{iid}", category="fire", lon=117.26, lat=34.79, priority=priority,
                    status=status, reported_at=at, updated_at=at, version=version, town="临城街道")


# --- which incidents raise the alarm ---------------------------------------------------------------------


def test_a_severe_new_incident_raises_the_alarm_once() -> None:
    linkage = AlarmLinkage(min_priority=2)
    assert linkage.raises(incident("a", 1))
    assert not linkage.raises(incident("a", 1, status=IncidentStatus.ACCEPTED, version=2))  # an update
    assert linkage.raises(incident("b", 2))


def test_low_priority_closed_and_known_incidents_do_not() -> None:
    linkage = AlarmLinkage(min_priority=2)
    linkage.prime([incident("known", 1)])
    assert not linkage.raises(incident("known", 1, version=2))
    assert not linkage.raises(incident("low", 3))
    assert not linkage.raises(incident("hint", 4))
    assert not linkage.raises(incident("done", 1, status=IncidentStatus.CLOSED))
    assert not linkage.raises(incident("rain", 1).model_copy(update={"category": "yujing"}))  # an area warning


def test_a_priority_rising_to_the_level_raises_it() -> None:
    linkage = AlarmLinkage(min_priority=2)
    linkage.prime([incident("old", 3)])
    assert not linkage.raises(incident("new", 3))
    assert linkage.raises(incident("new", 2, version=2))
    assert linkage.raises(incident("old", 1, version=2))
    assert not linkage.raises(incident("old", 1, version=3))


def test_the_level_is_configurable_and_checked(monkeypatch) -> None:
    only_critical = AlarmLinkage(min_priority=1)
    assert not only_critical.raises(incident("x", 2))
    assert only_critical.raises(incident("y", 1))
    with pytest.raises(ValueError, match="alarm level"):
        AlarmLinkage(min_priority=5)
    off = AlarmLinkage(min_priority=0)
    assert not off.raises(incident("z", 1)), "0 turns the linkage off"
    monkeypatch.setenv("COMMANDWALL_ALARM_MIN_PRIORITY", "1")
    assert Settings().alarm_min_priority == 1
    monkeypatch.setenv("COMMANDWALL_ALARM_MIN_PRIORITY", "0")  # off
    assert Settings().alarm_min_priority == 0
    monkeypatch.setenv("COMMANDWALL_ALARM_MIN_PRIORITY", "5")
    with pytest.raises(ValidationError, match="alarm_min_priority"):
        Settings()


def test_a_batch_puts_its_most_urgent_then_newest_first() -> None:
    linkage = AlarmLinkage(min_priority=2)
    batch = [incident("u1", 2, minutes=1), incident("c1", 1, minutes=0), incident("c2", 1, minutes=5),
             incident("low", 3, minutes=9)]
    assert [i.id for i in linkage.select(batch)] == ["c2", "c1", "u1"]
    assert linkage.select(batch) == []
    alarm = Alarm(batch[2], [], others=2)
    assert alarm.message.startswith("【特急告警】事件c2（临城街道）") and "另有 2 起" in alarm.message
    assert "附近没有在线视频" in alarm.message
    named = Alarm(batch[2], [], place="临城街道第03网格")
    assert named.message.startswith("【特急告警】事件c2（临城街道第03网格）")


# --- which cameras, against brute force on the real camera layer ---------------------------------------------


def _geometry(cameras: list[Camera], lon: float, lat: float) -> tuple[np.ndarray, np.ndarray]:
    """Metres from each camera to the point, and how far (°) the point lies off each camera's heading."""
    az, _, dist = GEOD.inv(np.array([c.lon for c in cameras]), np.array([c.lat for c in cameras]),
                           np.full(len(cameras), lon), np.full(len(cameras), lat))
    off = np.abs((np.asarray(az) - np.array([c.heading for c in cameras]) + 180) % 360 - 180)
    return np.asarray(dist), off


def test_cameras_that_look_at_the_point_come_first_then_the_nearest_within_the_radius(
    real_cameras: list[Camera],  # noqa: F811
) -> None:
    index = CameraIndex(real_cameras)
    position = {c.id: i for i, c in enumerate(real_cameras)}
    rng = np.random.default_rng(9)
    covered_somewhere = 0
    for pick in rng.choice(len(real_cameras), 40, replace=False):
        base = real_cameras[int(pick)]
        lon, lat, _ = GEOD.fwd(base.lon, base.lat, base.heading, min(60.0, base.range_m / 2))
        dist, off = _geometry(real_cameras, lon, lat)
        fov = np.array([c.fov for c in real_cameras])
        rng_m = np.array([c.range_m for c in real_cameras])
        surely = (dist <= rng_m * 0.98) & ((off <= fov / 2 - 3) | (fov >= 360))
        maybe = (dist <= rng_m * 1.02) & ((off <= fov / 2 + 3) | (fov >= 360))
        found = index.for_point(lon, lat, 6, max_distance_m=500)
        rows = [position[c.id] for c in found]
        assert len(rows) == len(set(rows)) <= 6
        head = rows[: next((n for n, r in enumerate(rows) if not maybe[r]), len(rows))]
        covered_somewhere += bool(head)
        assert all(dist[a] <= dist[b] + 1 for a, b in pairwise(head))
        tail = rows[len(head):]
        assert all(not surely[r] and dist[r] <= 500 for r in tail), "cameras that look at it come first"
        assert all(dist[a] <= dist[b] + 1 for a, b in pairwise(tail))
        if len(rows) < 6:  # every camera that looks at it or stands within the radius is there
            assert set(np.flatnonzero(surely | (dist <= 499))) <= set(rows)
    assert covered_somewhere >= 35


def test_only_usable_cameras_and_nothing_far_away(real_cameras: list[Camera]) -> None:  # noqa: F811
    index = CameraIndex(real_cameras)
    cam = next(c for c in real_cameras if len(index.for_point(c.lon, c.lat, 5)) == 5)
    everyone = index.for_point(cam.lon, cam.lat, 4)
    offline = {everyone[0].id}
    filtered = index.for_point(cam.lon, cam.lat, 4,
                              usable=lambda c: None if c.id in offline else c.model_copy(
                                  update={"status": CameraStatus.ONLINE}))
    assert everyone[0].id not in [c.id for c in filtered] and len(filtered) == len(everyone)
    assert index.for_point(110.0, 30.0, 4, max_distance_m=500) == []  # nowhere near the district
    assert index.for_point(cam.lon, cam.lat, 0) == []


def test_a_configured_sound_must_be_a_wav_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COMMANDWALL_ALARM_SOUND", str(tmp_path / "missing.wav"))
    with pytest.raises(ValidationError, match=r"alarm_sound must be an existing \.wav file"):
        Settings()
    monkeypatch.setenv("COMMANDWALL_ALARM_SOUND", str(write_tone(tmp_path / "mine.wav")))
    assert Settings().alarm_sound == tmp_path / "mine.wav"


def test_the_generated_tone_is_a_playable_wav(tmp_path) -> None:
    path = write_tone(tmp_path / "sub" / "tone.wav")
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    assert len(frames) == int(22050 * 1.2) and 8000 < np.abs(frames).max() <= 12000


@pytest.mark.parametrize("damage", ["cut short", "other bytes", "another sound", "named pipe"])
def test_a_damaged_tone_in_the_data_folder_is_written_again(tmp_path, damage) -> None:
    """``alarm-tone.wav`` in the data folder was only checked to exist: one cut short by a full disk, or damaged,
    stayed, and the alarm stayed silent for good. Anything but the tone itself is written over with it."""
    from types import SimpleNamespace

    from commandwall.app.alarm import TONE_FILE, AlarmController

    path = tmp_path / TONE_FILE
    tone = write_tone(tmp_path / "reference.wav").read_bytes()
    if damage == "cut short":
        path.write_bytes(tone[: len(tone) // 2])
    elif damage == "other bytes":
        path.write_bytes(tone[:44] + bytes(len(tone) - 44))
    elif damage == "another sound":
        path.write_bytes(tone + b"\0\0")
    else:
        os.mkfifo(path)
    controller = AlarmController(SimpleNamespace(settings=Settings(data_dir=tmp_path, config_dir=tmp_path / "c")))
    assert controller.tone_file() == path
    assert path.read_bytes() == tone
    stamp = path.stat().st_mtime_ns
    assert controller.tone_file() == path and path.stat().st_mtime_ns == stamp, "a good tone is left as it is"
