"""Alarm linkage (告警联动), without Qt: which arriving incidents raise the alarm, and which cameras the wall
turns to for one.

An incident raises the alarm once: when it is first seen open at or above the configured severity
(``Settings.alarm_min_priority``; priority 1 特急 … 4 提示, lower is more urgent), or when its priority rises
to that level. Incidents the desk already knew when it connected never do, nor do early warnings (预警: an area,
not a spot a camera can look at; they have their own map overlay). The cameras come from geometry
alone, for any point: first those whose field-of-view sector covers the point (nearest first), then the
nearest others within ``alarm_radius_m``, online ones only, as many as the wall area has tiles.

In an alarm storm (a flood night: dozens of 紧急 reports a minute) the wall does not flick from one spot to the
next: an alarm holds the wall, the map and the sound for ``DWELL_S`` unless a more urgent one arrives; the
severe incidents that arrive meanwhile wait, and when the time is up the most urgent (then newest) of those still
open is raised, saying how many others came with it. Every one of them is in the incident list at once anyway.

``ui/alarm`` plays the sound, flies the map there and lends the wall area; this module decides.
"""

from __future__ import annotations

import io
import time
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from commandwall.app.incidents import PRIORITY_LABELS, is_local_warning, priority_label
from commandwall.app.session import ClientSession
from commandwall.domain.models import OPEN_STATUSES, Camera, Incident
from commandwall.i18n import translate
from commandwall.paths import read_small_file, write_whole
from commandwall.textsafe import display_text

#: Default severity that raises the alarm: 紧急 (2) and 特急 (1).
DEFAULT_MIN_PRIORITY = 2
#: Default reach of the "nearest by distance" cameras, after the ones that look at the point.
DEFAULT_RADIUS_M = 500.0
#: Seconds an alarm keeps the wall before an equally or less urgent one may take it (a more urgent one: at once).
DWELL_S = 10.0
#: The alarm tone written at run time when no sound file is configured.
TONE_FILE = "alarm-tone.wav"

@dataclass(frozen=True)
class Alarm:
    """One incident that raised the alarm, the cameras for the wall, ``others`` raised in the same batch, and
    ``place`` as the officer reads it (the grid cell's name; empty: the incident's town and grid)."""

    incident: Incident
    cameras: list[Camera]
    others: int = 0
    place: str = ""

    @property
    def message(self) -> str:
        """The toast / status line, ready to show: level, title, place (outside text bounded and isolated, so
        it cannot reorder or push out our words), what the wall shows."""
        return self.text(on_wall=True)

    def text(self, *, on_wall: bool) -> str:
        """:attr:`message` as it reads when the linkage switched the wall (``on_wall``), or when it left the wall
        to the officer and only offers the cameras (上墙 on the toast)."""
        label = priority_label(self.incident.priority)
        place = self.place or " · ".join(p for p in (self.incident.town, self.incident.grid) if p)
        text = translate("alarm", "【{level}告警】{title}").format(
            level=label, title=display_text(self.incident.title, 120, isolate=True))
        if place:
            text += translate("alarm", "（{place}）").format(place=display_text(place, 60, isolate=True))
        if self.cameras and on_wall:
            text += translate("alarm", "：{count} 路视频已切上视频墙").format(count=len(self.cameras))
        elif self.cameras:
            text += translate("alarm", "：{count} 路视频可上墙").format(count=len(self.cameras))
        else:
            text += translate("alarm", "：附近没有在线视频")
        if self.others:
            text += translate("alarm", "；另有 {count} 起告警事件").format(count=self.others)
        return text


class AlarmLinkage:
    """Remembers which incidents raised the alarm; says which new ones do (see the module text)."""

    def __init__(self, min_priority: int = DEFAULT_MIN_PRIORITY) -> None:
        if min_priority != 0 and min_priority not in PRIORITY_LABELS:  # 0: off, nothing is severe enough
            raise ValueError(f"alarm level must be one of {sorted(PRIORITY_LABELS)}, not {min_priority!r}")
        self.min_priority = min_priority
        self._priority: dict[str, int] = {}  # last priority seen per incident
        self._raised: set[str] = set()

    def prime(self, incidents: Iterable[Incident]) -> None:
        """The incidents the desk knew when it connected: none of them raises the alarm at its level now."""
        for incident in incidents:
            self._priority[incident.id] = incident.priority

    def raises(self, incident: Incident) -> bool:
        """True once for an open incident new at the alarm level or whose priority rose to it."""
        before = self._priority.get(incident.id)
        self._priority[incident.id] = incident.priority
        severe = (incident.priority <= self.min_priority and incident.status in OPEN_STATUSES
                  and not is_local_warning(incident))
        rose = before is None or before > self.min_priority
        if not severe or not rose or incident.id in self._raised:
            return False
        self._raised.add(incident.id)
        return True

    def select(self, incidents: Iterable[Incident]) -> list[Incident]:
        """The incidents of a batch that raise the alarm, most urgent first (then newest first)."""
        raised = [incident for incident in incidents if self.raises(incident)]
        raised.sort(key=lambda i: i.reported_at, reverse=True)
        return sorted(raised, key=lambda i: i.priority)


class AlarmController:
    """The alarm linkage of one desk: an :class:`AlarmLinkage` over the session's incidents and cameras."""

    def __init__(self, session: ClientSession, grid_names: Callable[[], dict[str, str]] = dict,
                 dwell_s: float = DWELL_S) -> None:
        settings = session.settings
        self.session = session
        self._grid_names = grid_names
        self.linkage = AlarmLinkage(settings.alarm_min_priority)
        self.radius_m = settings.alarm_radius_m
        self.sound_path = settings.alarm_sound
        self.dwell_s = dwell_s
        self._waiting: list[Incident] = []  # raised while an earlier alarm held the wall
        self._shown: Incident | None = None
        self._shown_at = 0.0

    @property
    def level_label(self) -> str:
        """What raises the alarm, as the officer reads it (e.g. 紧急及以上)."""
        if self.linkage.min_priority == 0:
            return translate("alarm", "已关闭")
        return translate("alarm", "{level}及以上").format(level=priority_label(self.linkage.min_priority))

    def prime(self) -> None:
        """Everything the stores hold now is known: only what arrives from now on raises the alarm."""
        self.linkage.prime(self.session.incidents.all())

    def reloaded(self) -> None:
        """The platform's data went back (reset, restored from a backup) and the stores were loaded again: what
        they hold now is known, and the incidents that raised the alarm before are forgotten — a new incident may
        reuse an id that once raised it, and must raise it again. What waited for the wall and is gone waits no
        more."""
        self.linkage = AlarmLinkage(self.linkage.min_priority)
        self.prime()
        self._waiting = [incident for incident in self._waiting if self.session.incidents.get(incident.id)]

    def on_incidents(self, incidents: list[Incident], tiles: int, now: float | None = None) -> Alarm | None:
        """Take a batch: the alarm to raise now (see :meth:`due`), or None."""
        arrived = self.linkage.select(incidents)
        self._waiting.extend(arrived)
        now = time.monotonic() if now is None else now
        if self._holds(now) and all(incident.priority >= self._shown.priority for incident in arrived):
            # what waited already was weighed when it came (a raised priority arrives again): nothing here can
            # take the wall, so the waiting list is not looked through again for every batch of a storm
            return None
        return self.due(tiles, now)

    def _holds(self, now: float) -> bool:
        """True while the last alarm keeps the wall (its dwell time has not passed)."""
        return self._shown is not None and now - self._shown_at < self.dwell_s

    @property
    def waiting(self) -> int:
        """How many severe incidents wait for the wall (an earlier alarm holds it)."""
        return len(self._waiting)

    def due(self, tiles: int, now: float | None = None) -> Alarm | None:
        """The alarm to raise now, with up to ``tiles`` cameras: the most urgent, then newest, waiting incident
        still open — once the last alarm has held the wall for ``dwell_s`` (``now``: ``time.monotonic()``), or at
        once if it is more urgent than that one. None: nothing waits, or it waits on."""
        now = time.monotonic() if now is None else now
        waiting = [current for current in map(self._current, self._waiting) if current.status in OPEN_STATUSES]
        if not waiting:
            self._waiting = []
            return None
        waiting.sort(key=lambda i: i.reported_at, reverse=True)
        waiting.sort(key=lambda i: i.priority)
        first = waiting[0]
        if self._holds(now) and first.priority >= self._shown.priority:
            self._waiting = waiting
            return None
        self._waiting = []
        self._shown, self._shown_at = first, now
        place = self._grid_names().get(first.grid, "") if first.grid else ""
        return Alarm(first, self.cameras_for(first, tiles), len(waiting) - 1, place)

    def _current(self, incident: Incident) -> Incident:
        """The store's newest copy of ``incident`` (it may have been accepted or closed while it waited)."""
        return self.session.incidents.get(incident.id) or incident

    def cameras_for(self, incident: Incident, tiles: int) -> list[Camera]:
        """The online cameras covering the incident's point, then the nearest within the radius."""
        return self.session.cameras_near(incident.lon, incident.lat, tiles, max_distance_m=self.radius_m)

    def tone_file(self) -> Path:
        """The sound to play: the configured file, else a tone written once into the data folder."""
        if self.sound_path is not None:
            return self.sound_path
        path = self.session.settings.data_dir / TONE_FILE
        if not is_tone(path):
            write_tone(path)
        return path


def is_tone(path: Path) -> bool:
    """Whether ``path`` holds the alarm tone as :func:`write_tone` writes it, byte for byte: a file cut short, a
    damaged or foreign one (something else under that name, a named pipe, a folder) is not, and is written again —
    checking only that it existed kept a broken tone, and the alarm silent, for good."""
    tone = tone_bytes()
    try:
        return read_small_file(path, len(tone)) == tone
    except (OSError, ValueError):  # missing, not a regular file, larger than the tone
        return False


def write_tone(path: Path) -> Path:
    """Write the alarm tone (:func:`tone_bytes`) to ``path`` whole (a named pipe or link there is replaced, not
    written through); returns ``path``."""
    return write_whole(path, tone_bytes())


@lru_cache(maxsize=1)
def tone_bytes(*, rate: int = 22050, seconds: float = 1.2) -> bytes:
    """A two-tone alarm (960/770 Hz alternating, 16-bit mono WAV), as the bytes of its file."""
    t = np.arange(int(rate * seconds)) / rate
    frequency = np.where((t / 0.3).astype(int) % 2 == 0, 960.0, 770.0)
    phase = t % 0.3
    envelope = np.minimum(1.0, np.minimum(phase / 0.01, (0.3 - phase) / 0.01))  # no clicks between the tones
    samples = (12000 * envelope * np.sin(2 * np.pi * frequency * t)).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()
