"""The wall's side of graceful overload (降帧): measure the tiles and the GUI tick, feed
:class:`commandwall.video.overload.OverloadPolicy`, and hand its level changes back to the wall."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from commandwall.video.overload import CameraLoad, Degrade, OverloadPolicy
from commandwall.video.reader import StreamState

from .tile import TileView

log = logging.getLogger(__name__)

WINDOW_S = 1.0  # one policy decision per second of measurements


class OverloadMonitor:
    """Collects, per window, the worst lateness of the wall's refresh tick (a tick that comes late means the
    GUI thread was busy painting or converting frames) and each camera's reader counters.

    The wall calls :meth:`hold` when it opens several streams at once; the window's own start (the app
    starting, the map page loading) holds the policy too."""

    def __init__(self, interval_ms: float, policy: OverloadPolicy | None = None) -> None:
        self.policy = policy or OverloadPolicy()
        self.interval_ms = interval_ms
        self._last_tick: float | None = None
        self._window_start = time.monotonic()
        self.policy.hold(self._window_start)
        self.late_max_ms = 0.0  # the worst tick lateness in the current window
        self.stall_max_ms = 0.0  # the worst since start (benchmarks read it)
        self._video_s: float | None = None  # the walls' GUI seconds at the window's start
        self.video_share: float | None = None  # the last window's share of GUI time spent on the walls

    def hold(self) -> None:
        """The wall has just opened streams: the policy's grace starts now (see ``OverloadPolicy.hold``)."""
        self.policy.hold(time.monotonic())

    def tick(self, now: float) -> bool:
        """Note one refresh tick; True when a window is complete and :meth:`evaluate` is due."""
        if self._last_tick is not None:
            late = max(0.0, (now - self._last_tick) * 1000 - self.interval_ms)
            self.late_max_ms = max(self.late_max_ms, late)
            self.stall_max_ms = max(self.stall_max_ms, late)
        self._last_tick = now
        return now - self._window_start >= WINDOW_S

    def pause(self) -> None:
        """The wall is hidden: the gap until the next tick is no stall."""
        self._last_tick = None

    def loads(self, tiles: Iterable[TileView], now: float) -> list[CameraLoad]:
        """What the policy sees of the visible ``tiles``: per camera its widest tile and its reader's counters."""
        loads: dict[str, CameraLoad] = {}
        for tile in tiles:
            camera, reader = tile.camera, tile.reader
            if camera is None or reader is None or not tile.isVisible():
                continue
            width = tile.width_px()
            if camera.id in loads and loads[camera.id].width_px >= width:
                continue
            stats = reader.stats()
            has_sub = bool(camera.streams.sub) and camera.streams.sub != camera.streams.main
            live_s = None if stats.live_since is None else max(0.0, now - stats.live_since)
            rate = stats.nominal_fps or stats.fps  # what it costs at full rate, though turned down to key frames
            pixels = stats.resolution[0] * stats.resolution[1] * rate if stats.resolution and rate else None
            loads[camera.id] = CameraLoad(
                camera.id, width, tile.stream_url or "", stats.state is StreamState.LIVE, stats.frames,
                stats.dropped, stats.fps, stats.age_s(now), has_sub=has_sub, on_sub=tile.stream_kind == "sub",
                live_s=live_s, nominal_fps=stats.nominal_fps, behind_s=stats.behind_s, catch_ups=stats.catch_ups,
                pixel_rate=pixels, sender_slow=stats.sender_slow,
            )  # fmt: skip
        return list(loads.values())

    def evaluate(self, tiles: Iterable[TileView], now: float, video_s: float | None = None) -> dict[str, Degrade]:
        """Close the window: the policy's level changes for the cameras on ``tiles``. ``video_s``: the GUI
        thread's seconds spent on the walls so far (a running total; the window's share is taken from it)."""
        share = None
        if video_s is not None:
            if self._video_s is not None and now > self._window_start:
                share = (video_s - self._video_s) / (now - self._window_start)
            self._video_s = video_s
        self.video_share = share
        changes = self.policy.update(self.loads(tiles, now), self.late_max_ms, now, share)
        if changes:
            log.info("wall: overload %s (%s, video %s of the GUI thread): %s",
                     "high" if self.policy.overloaded else "low", self.policy.reason,
                     "?" if share is None else f"{share:.0%}",
                     ", ".join(f"{c} → {level.name}" for c, level in sorted(changes.items())))  # fmt: skip
        self.late_max_ms = 0.0
        self._window_start = now
        return changes


def apply_key_frames(tile: TileView, level: Degrade) -> None:
    """Show ``level`` on the tile and turn its reader to key frames only (or back)."""
    tile.set_degrade(level)
    setter = getattr(tile.reader, "set_key_frames_only", None)
    if setter is not None:
        setter(level is Degrade.KEY_FRAMES)
