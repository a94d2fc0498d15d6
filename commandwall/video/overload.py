"""Graceful overload (降帧) for the video wall, without Qt.

When the machine cannot decode and paint every stream in time — the readers' slot drops frames the wall
never took, a reader delivers well below the rate it had, its newest picture gets old, or the GUI's refresh
tick runs over its budget — the wall sheds work step by step, the costliest streams first:

1. :attr:`Degrade.SUB` — a tile on its main stream moves to the sub stream (cameras that have one: a camera
   whose sub URL is its main one skips this step, which would change nothing);
2. :attr:`Degrade.KEY_FRAMES` — the stream decodes key frames only (about one picture a second, a small
   fraction of the CPU); the tile says 降帧.

What a stream costs is its pixel rate (width × height × frames a second, :attr:`CameraLoad.pixel_rate`): one 8K
stream costs as much as 140 sub streams of 640×360, and turning down small tiles while it plays frees nothing.
So a step takes the streams within a factor of two of the costliest first (among those, the smallest tiles), and
as many as make up a sixth of the wall's cost (a sixth of the cameras when they cost alike). A camera already at
key frames is priced at its full rate (the order it is given back in) but decodes a picture a GOP: in a step's
share it counts as the average of the cameras still decoding, so cutting an 8K stream does not make the next step
every small tile on the wall.

When the load has stayed low for a while it gives the steps back, the cheapest streams and among them the
largest tiles first, one step at a time: the thresholds to recover are lower than those to degrade and the calm
must last longer (hysteresis), with a minimum interval between changes, so the wall does not flap. A camera whose
stream had to be turned down again soon after it was given back (an 8K stream the desk decodes only for a few
seconds) waits twice as long for its next return each time (``relapse_s``, up to ``max_recover_factor``).

The wall never queues frames (readers keep only the newest one), and a reader that cannot even decode in time
skips to a key frame near the live edge (追帧, :mod:`commandwall.video.live_edge`), so overload shows as a lower
frame rate, never as seconds of lag; a stream that is half a second behind or had to skip counts as behind.

Opening streams looks like overload and is not: a new stream delivers its server's GOP cache at once and then
catches up with what piled up while its decoder started — above its rate with a third or more of its frames
dropped for about two seconds after it went live, up to five or six on a busy desk (measured on the exercise
streams) —, so its drops say nothing and the best rate it shows is one it never keeps; and the wall opening
several streams at once (start-up, a preset, a layout switch) stalls the GUI tick. So a stream's load counts only
once it has been live for ``stream_grace_s`` (:attr:`CameraLoad.live_s`), and after :meth:`OverloadPolicy.hold`
(the wall opened streams) the policy only learns for ``wall_grace_s``. Load that lasts past the grace sheds as
before. One thing tells an open from overload early: a stream's lag behind its sender (``CameraLoad.behind_s``).
An open's GOP burst is decoded faster than it came, so the lag shrinks; a decoder that cannot keep up falls
further behind. A stream live for ``early_s`` that lags over ``max_behind_s`` and is not draining counts as
behind even in its grace and the wall's, so a preset too heavy for the desk sheds within seconds, not after them.

A stream is behind when it delivers well below its best rate — the highest it has shown, but never above the
rate the stream states (``CameraLoad.nominal_fps``), and sinking back towards the rate it shows now with a
half-life of ``best_half_life_s``: a catch-up burst (45 fps after a stall) is not a rate the stream owes the
wall, and a steady 25 fps after it is not falling behind.

:class:`OverloadPolicy` sees only :class:`CameraLoad` measurements (what ``StreamReader.stats()`` and the
tiles expose) and answers with a :class:`Degrade` level per camera; the Qt wall applies it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class Degrade(IntEnum):
    """How far a camera's stream is turned down."""

    NONE = 0
    SUB = 1  # forced to the sub stream
    KEY_FRAMES = 2  # key frames only (降帧)


@dataclass(frozen=True, slots=True)
class CameraLoad:
    """One camera on the wall at one measurement (its widest tile and its reader's counters)."""

    camera_id: str
    width_px: int  # the widest tile showing it
    url: str  # the stream playing now (a switch starts its counters over)
    live: bool
    frames: int  # decoded since the reader started
    dropped: int  # replaced in the slot before the wall took them
    fps: float
    age_s: float | None  # how old its newest picture is
    has_sub: bool = True  # a sub stream distinct from the main one
    on_sub: bool = False
    live_s: float | None = None  # since its stream went live (opened or reopened); None: not known, counts at once
    nominal_fps: float | None = None  # the rate the stream states (container/codec); None: not known
    behind_s: float | None = None  # how far its decoding is behind the sender's live edge; None: not measured
    catch_ups: int = 0  # times its reader skipped to a key frame to catch up (追帧), since it started
    #: what decoding it costs: width × height × frames a second of the stream playing (None: not known yet)
    pixel_rate: float | None = None
    #: its sender delivers slower than real time (a relay at a tenth of it): its low rate and old pictures are the
    #: sender's, not the desk's, and turning it down would free nothing
    sender_slow: bool = False


@dataclass(frozen=True, slots=True)
class OverloadThresholds:
    """When the wall counts as overloaded (any one suffices) and when as calm (all must hold)."""

    tick_budget_ms: float = 50.0  # the GUI refresh tick's worst time per window
    drop_ratio: float = 0.25  # frames dropped ÷ frames decoded, over all full-rate streams
    behind_ratio: float = 0.8  # a stream below this share of its own best fps is behind …
    behind_share: float = 0.25  # … and this share of the streams behind is overload
    max_age_s: float = 1.0  # a full-rate live stream whose newest picture is older than this is behind
    calm_factor: float = 0.5  # calm: every measure below this share of its overload threshold
    degrade_after: int = 2  # consecutive overloaded windows before a step down
    recover_after: int = 5  # consecutive calm windows before a step back
    min_interval_s: float = 2.0  # between two changes
    settle_windows: int = 3  # a stream's first windows set no best rate (an open starts with a GOP burst)
    stream_grace_s: float = 5.0  # a stream live for less than this counts for nothing (GOP burst, catch-up)
    wall_grace_s: float = 5.0  # after hold() (the wall opened streams) only lagging streams shed, for this long
    best_half_life_s: float = 10.0  # a stream's best rate sinks towards its rate now with this half-life
    #: a late GUI tick, and frames dropped because the GUI did not take them in time, count only while the walls'
    #: own GUI work (taking and painting frames, their ticks) is at least this share of the window: below it the
    #: GUI thread is late for something else (the map's software compositing, a list, the client starting up),
    #: and turning video down would cost pictures and free nothing. Without this a 4-tile wall on a busy desk's
    #: start was shed for its drops and took ~40 s to give the steps back
    video_share_min: float = 0.15
    #: a full-rate stream whose decoding is this far behind the live edge, or that had to skip to catch up in
    #: the window (追帧), is behind: its reader cannot decode in time
    max_behind_s: float = 0.5
    #: a stream live this long, though still in its grace (and the wall still held), counts as behind when it lags
    #: more than ``max_behind_s`` behind its sender and is not draining: the GOP burst of an open is decoded faster
    #: than it came, so its lag shrinks by ``drain_s`` a window or more; a decoder that cannot keep up falls
    #: further behind. Without this a 36-tile preset on a desk that cannot decode it played up to 1.6 s late
    #: (p95) until the graces were over
    early_s: float = 1.0
    drain_s: float = 0.05
    #: consecutive windows with streams lagging further behind (while held) before a step down: one, as the lag
    #: verdict is already a trend over two windows. With ``early_s`` at 2 and two windows, a 36-tile preset on a
    #: desk that could not decode it played 1–1.7 s late for its first five seconds (measured)
    lag_after: int = 1
    #: a camera turned down again within this long of being given back relapsed: its next return waits longer
    relapse_s: float = 60.0
    #: the longest a relapsed camera's return waits, as a multiple of ``recover_after``
    max_recover_factor: int = 16


@dataclass(slots=True)
class _Seen:
    url: str
    frames: int
    dropped: int
    best_fps: float
    windows: int = 0
    best_at: float | None = None  # when best_fps was last updated (monotonic seconds)
    catch_ups: int = 0
    behind_s: float | None = None  # its lag behind its sender at the last window


class OverloadPolicy:
    """Decides which cameras to turn down and back up, from one :meth:`update` per measurement window.

    ``update`` returns the cameras whose :class:`Degrade` level changed in this window (camera id → level);
    :meth:`level` says the level of any camera. Cameras that left the wall are forgotten. :meth:`hold` starts
    the wall's grace (it has just opened streams).
    """

    def __init__(self, thresholds: OverloadThresholds | None = None) -> None:
        self.thresholds = thresholds or OverloadThresholds()
        self._levels: dict[str, Degrade] = {}
        self._seen: dict[str, _Seen] = {}
        self._hot = 0  # consecutive overloaded windows
        self._calm = 0  # consecutive calm windows
        self._changed_at = -math.inf
        self._held_at = -math.inf
        self.overloaded = False  # the last window's verdict
        self._behind = 0  # streams behind in the last window
        self.reason = ""  # why, for the log
        self._restored_at: dict[str, float] = {}  # when each camera was last given a step back
        self._relapses: dict[str, int] = {}  # times in a row each was turned down again soon after
        self._via_sub: set[str] = set()  # cameras the policy moved to their sub stream (back to it from key frames)

    def level(self, camera_id: str) -> Degrade:
        """The camera's level now (NONE for a camera the policy has not turned down)."""
        return self._levels.get(camera_id, Degrade.NONE)

    def levels(self) -> dict[str, Degrade]:
        """Every camera turned down, with its level."""
        return dict(self._levels)

    def hold(self, now: float) -> None:
        """The wall has just opened streams (the window started, a layout switch, a preset, a tour page): for
        ``wall_grace_s`` from ``now`` (monotonic seconds) :meth:`update` only learns the streams' counters and
        rates, since the GUI stalls and the streams burst while they open."""
        self._held_at = now

    def held(self, now: float) -> bool:
        """True while the grace of the last :meth:`hold` lasts."""
        return now - self._held_at < self.thresholds.wall_grace_s

    def update(self, loads: Iterable[CameraLoad], tick_max_ms: float, now: float,
               video_share: float | None = None) -> dict[str, Degrade]:
        """Take one window's measurements (``now``: monotonic seconds) and return the level changes (while
        :meth:`held`, only steps down for streams lagging further behind their senders). ``video_share``: the
        share of the window the GUI thread spent on the walls (None: not measured, a late tick counts as the
        video's)."""
        loads = list(loads)
        present = {load.camera_id for load in loads}
        for gone in set(self._levels) - present:
            del self._levels[gone]
        for gone in set(self._seen) - present:
            del self._seen[gone]
        for memory in (self._restored_at, self._relapses):
            for gone in set(memory) - present:
                del memory[gone]
        self._via_sub &= present
        lifted = self._lift_not_live(loads)
        return lifted | self._update(loads, tick_max_ms, now, video_share)

    def _lift_not_live(self, loads: list[CameraLoad]) -> dict[str, Degrade]:
        """A camera whose stream is not live (offline, reconnecting) decodes nothing: a step on it sheds no load
        and its tile would read 降帧 · 0 fps. Its step is lifted at once (not a return: no relapse is counted),
        and it is weighed again like any other once it plays."""
        lifted = {load.camera_id: Degrade.NONE for load in loads
                  if not load.live and self.level(load.camera_id) is not Degrade.NONE}  # fmt: skip
        for camera_id in lifted:
            self._levels.pop(camera_id, None)
            self._via_sub.discard(camera_id)
            self._restored_at.pop(camera_id, None)
        return lifted

    def _update(self, loads: list[CameraLoad], tick_max_ms: float, now: float,
                video_share: float | None) -> dict[str, Degrade]:  # fmt: skip
        pressure, lag = self._pressure(loads, tick_max_ms, now, video_share)
        t = self.thresholds
        if self.held(now):  # only streams lagging further behind their senders count: nothing steps back
            self.overloaded = lag >= 1.0
            self._hot, self._calm = (self._hot + 1 if self.overloaded else 0), 0
            if not self.overloaded or self._hot < t.lag_after or now - self._changed_at < t.min_interval_s:
                return {}
            return self._apply(self._step_down(loads, self._behind), now)
        hot = pressure >= 1.0
        calm = pressure < t.calm_factor
        self.overloaded = hot
        self._hot = self._hot + 1 if hot else 0
        self._calm = self._calm + 1 if calm else 0
        if now - self._changed_at < t.min_interval_s:
            return {}
        if self._hot >= t.degrade_after:
            changes = self._step_down(loads, self._behind)
        elif self._calm >= t.recover_after:
            changes = self._step_up(loads, self._calm)
        else:
            return {}
        return self._apply(changes, now)

    def _apply(self, changes: dict[str, Degrade], now: float) -> dict[str, Degrade]:
        for camera_id, level in changes.items():
            if level is Degrade.SUB and self.level(camera_id) is Degrade.NONE:
                self._via_sub.add(camera_id)
            elif level is Degrade.NONE:
                self._via_sub.discard(camera_id)
            if level < self.level(camera_id):
                self._restored_at[camera_id] = now
                continue
            # one return, one verdict: a camera that goes down two steps (sub, then key frames) relapsed once
            restored = self._restored_at.pop(camera_id, None)
            if restored is None:
                continue  # its first step down ever, or a further one in the same episode
            if now - restored < self.thresholds.relapse_s:
                self._relapses[camera_id] = self._relapses.get(camera_id, 0) + 1  # back down soon: it relapsed
            else:
                self._relapses.pop(camera_id, None)
        if changes:
            self._changed_at = now
            self._hot = self._calm = 0
            self._levels.update(changes)
            self._levels = {c: v for c, v in self._levels.items() if v is not Degrade.NONE}
        return changes

    def _pressure(self, loads: list[CameraLoad], tick_max_ms: float, now: float,
                  video_share: float | None) -> tuple[float, float]:  # fmt: skip
        """The worst measure as a share of its overload threshold (≥ 1: overloaded), and the share of the streams
        lagging further behind their senders as a share of its threshold (what counts while held). Counts the
        streams behind in ``_behind``."""
        t = self.thresholds
        gui = tick_max_ms / t.tick_budget_ms
        busy_elsewhere = video_share is not None and video_share < t.video_share_min
        if busy_elsewhere:
            gui = 0.0  # late, but not for the video: nothing to gain from turning it down
        measures = {"gui": gui}
        decoded = dropped = behind = full = lagging_on = lagging_for = 0
        for load in loads:
            seen = self._seen.get(load.camera_id)
            if seen is None or seen.url != load.url or load.frames < seen.frames:
                seen = self._seen[load.camera_id] = _Seen(load.url, load.frames, load.dropped, 0.0,
                                                          catch_ups=load.catch_ups)  # fmt: skip
            new_frames, new_drops = load.frames - seen.frames, load.dropped - seen.dropped
            caught_up = load.catch_ups > seen.catch_ups
            was_behind_s, seen.behind_s = seen.behind_s, load.behind_s
            seen.frames, seen.dropped, seen.catch_ups = load.frames, load.dropped, load.catch_ups
            seen.windows += 1
            if not load.live or self.level(load.camera_id) is Degrade.KEY_FRAMES:
                continue  # key frames only: one picture a GOP and old pictures are what was asked for
            if load.live_s is None or load.live_s >= t.early_s:
                lagging_for += 1
                lag_s = load.behind_s
                lagging_on += (lag_s is not None and was_behind_s is not None and lag_s > t.max_behind_s
                               and lag_s > was_behind_s - t.drain_s)  # fmt: skip
            if load.live_s is not None and load.live_s < t.stream_grace_s:
                continue  # just opened: its burst's drops and rate are no evidence, nor a best rate to keep
            full += 1
            decoded += new_frames
            dropped += new_drops
            slow = seen.best_fps > 0 and load.fps < t.behind_ratio * seen.best_fps and not load.sender_slow
            old = load.age_s is not None and load.age_s > t.max_age_s and not load.sender_slow
            lagging = caught_up or (load.behind_s is not None and load.behind_s > t.max_behind_s)
            behind += slow or old or lagging
            if seen.windows > t.settle_windows:
                seen.best_fps = self._best_fps(seen, load, now)
        if decoded and not busy_elsewhere:  # frames the GUI did not take: the same lateness as a late tick
            measures["drops"] = dropped / decoded / t.drop_ratio
        if full:
            measures["behind"] = behind / full / t.behind_share
        lag = lagging_on / lagging_for / t.behind_share if lagging_for else 0.0
        if lag > measures.get("behind", 0.0):
            measures["behind"] = lag
        self._behind = max(behind, lagging_on)
        worst = max(measures, key=lambda k: measures[k])
        self.reason = f"{worst} {measures[worst]:.2f}"
        return measures[worst], lag

    def _best_fps(self, seen: _Seen, load: CameraLoad, now: float) -> float:
        """The stream's best rate after this window: the higher of its rate now and its best so far sunk towards
        it (half-life ``best_half_life_s``), never above its stated rate."""
        best = seen.best_fps
        if best > load.fps and seen.best_at is not None and self.thresholds.best_half_life_s > 0:
            sink = 0.5 ** (max(0.0, now - seen.best_at) / self.thresholds.best_half_life_s)
            best = load.fps + (best - load.fps) * sink
        best = max(best, load.fps)
        if load.nominal_fps:
            best = min(best, load.nominal_fps)
        seen.best_at = now
        return best

    def _batch(self, candidates: int, behind: int = 0) -> int:
        """How many cameras one step moves at least: one — or half the streams behind when more are: a 36-tile
        wall most of whose streams cannot keep up sheds in one or two steps, not six (two seconds apart), while a
        wall with a few behind still sheds a little at a time."""
        return max(1, math.ceil(behind / 2))

    @staticmethod
    def _costs(loads: list[CameraLoad]) -> dict[str, float]:
        """Each camera's pixel rate; a camera not measured yet counts as the median of those measured (as
        alike as can be said), and when none is measured all count alike."""
        known = sorted(load.pixel_rate for load in loads if load.pixel_rate)
        typical = known[len(known) // 2] if known else 1.0
        return {load.camera_id: load.pixel_rate or typical for load in loads}

    @staticmethod
    def _tier(cost: float, costliest: float) -> int:
        """0 for a stream within a factor of two of the costliest, 1 within four, …: streams that cost alike
        are one tier (their order is the tiles' sizes), an 8K stream and a sub stream are not."""
        return int(math.log2(costliest / cost)) if cost > 0 and costliest > cost else 0

    def _next_down(self, load: CameraLoad) -> Degrade:
        """The camera's next step down: its sub stream where that changes what is decoded, else key frames."""
        if self.level(load.camera_id) is Degrade.NONE and load.has_sub and not load.on_sub:
            return Degrade.SUB
        return Degrade.KEY_FRAMES

    def _step_down(self, loads: list[CameraLoad], behind: int = 0) -> dict[str, Degrade]:
        """The cameras to turn down one step: the costliest first (a sub stream before key frames among those
        that cost alike, then the smallest tiles), as many as make up a sixth of the wall's cost — the cameras
        already at key frames counted at the average cost of those still decoding (they are priced at their full
        rate, which they no longer decode): a sixth of the cameras when they cost alike."""
        costs = self._costs(loads)
        # a camera not live (offline, reconnecting) decodes nothing: turning it down would shed no load
        candidates = [x for x in loads if x.live and self.level(x.camera_id) < Degrade.KEY_FRAMES]
        if not candidates:
            return {}
        costliest = max(costs[x.camera_id] for x in candidates)
        candidates.sort(key=lambda x: (self._tier(costs[x.camera_id], costliest),
                                       self._next_down(x) is not Degrade.SUB, x.width_px, x.camera_id))  # fmt: skip
        move = self._next_down(candidates[0])  # one kind of step at a time: sub streams before key frames
        same = [x for x in candidates if self._next_down(x) is move]
        # a camera at key frames decodes a picture a GOP, not the rate it is priced at: it counts as the average of
        # those still decoding, so an 8K stream cut to key frames does not make the next step all the small tiles
        running = sum(costs[x.camera_id] for x in candidates)
        share, at_least = running / len(candidates) * len(loads) / 6, self._batch(len(loads), behind)
        chosen: dict[str, Degrade] = {}
        shed = 0.0
        for x in same:
            if shed >= share and len(chosen) >= at_least:
                break
            chosen[x.camera_id] = move
            shed += costs[x.camera_id]
        return chosen

    def _back_via_sub(self, load: CameraLoad) -> bool:
        """Whether the camera, at key frames, steps back to its sub stream first: the policy moved it there, or it is
        on its main stream now and has a distinct sub stream."""
        return load.has_sub and (load.camera_id in self._via_sub or not load.on_sub)

    def _recover_factor(self, camera_id: str) -> int:
        """How many times ``recover_after`` the camera's next return waits (2 to the relapses, bounded)."""
        return min(self.thresholds.max_recover_factor, 2 ** self._relapses.get(camera_id, 0))

    def _step_up(self, loads: list[CameraLoad], calm: int) -> dict[str, Degrade]:
        """The cameras to give one step back after ``calm`` calm windows: the cheapest first, then the largest
        tiles; a sixth of the wall at a time; a camera that relapsed only once its longer calm is over. A camera
        goes back the way it came down: from key frames to the sub stream only when the policy had moved it there —
        one whose sub stream is its main one, or that was on its sub stream by the layout, goes from key frames
        straight back to full rate (the sub step would change nothing but the tile's 负载保护)."""
        costs = self._costs(loads)
        costliest = max(costs.values(), default=0.0)
        ready = [x for x in loads if self.level(x.camera_id) is not Degrade.NONE
                 and calm >= self.thresholds.recover_after * self._recover_factor(x.camera_id)]  # fmt: skip
        ready.sort(key=lambda x: (-self._tier(costs[x.camera_id], costliest), -x.width_px, x.camera_id))
        batch = max(1, math.ceil(len(loads) / 6))
        keyed = [x for x in ready if self.level(x.camera_id) is Degrade.KEY_FRAMES]
        if keyed:
            return {x.camera_id: Degrade.SUB if self._back_via_sub(x) else Degrade.NONE for x in keyed[:batch]}
        subbed = [x for x in ready if self.level(x.camera_id) is Degrade.SUB]
        return {x.camera_id: Degrade.NONE for x in subbed[:batch]}
