"""The overload policy (降帧) driven by synthetic measurements: what the readers and the GUI tick report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from commandwall.video.overload import CameraLoad, Degrade, OverloadPolicy, OverloadThresholds


@dataclass
class FakeCamera:
    """One camera's counters as a reader would report them, advanced window by window."""

    camera_id: str
    width_px: int
    on_sub: bool = False
    frames: int = 0
    dropped: int = 0
    fps: float = 25.0
    live_s: float | None = None  # seconds its stream has been live (None: not known); each window adds its own
    nominal_fps: float | None = None  # the rate the stream states (None: not known)

    def window(self, fps: float, drop_share: float = 0.0, seconds: float = 1.0) -> CameraLoad:
        decoded = round(fps * seconds)
        self.frames += decoded
        self.dropped += round(decoded * drop_share)
        self.fps = fps
        if self.live_s is not None:
            self.live_s += seconds
        return CameraLoad(self.camera_id, self.width_px, f"url-{self.on_sub}", True, self.frames, self.dropped,
                          fps, 0.04, has_sub=True, on_sub=self.on_sub, live_s=self.live_s,
                          nominal_fps=self.nominal_fps)  # fmt: skip


def wall(n_big: int = 1, n_small: int = 8) -> list[FakeCamera]:
    """A big-tile wall: a few wide tiles on main streams and small ones on sub streams."""
    big = [FakeCamera(f"BIG-{i}", 1200, on_sub=False) for i in range(n_big)]
    small = [FakeCamera(f"S-{i}", 300 + 10 * i, on_sub=True) for i in range(n_small)]
    return big + small


def run(policy: OverloadPolicy, cams: list[FakeCamera], windows: int, *, tick_ms: float = 10.0,
        fps: float = 25.0, drops: float = 0.0, t0: float = 0.0) -> float:  # fmt: skip
    """Feed ``windows`` one-second windows; apply level changes like the wall does; returns the clock."""
    now = t0
    for _ in range(windows):
        now += 1.0
        changes = policy.update([c.window(fps, drops) for c in cams], tick_ms, now)
        for cam in cams:
            if cam.camera_id in changes and changes[cam.camera_id] >= Degrade.SUB:
                cam.on_sub = True
    return now


def test_calm_wall_is_left_alone() -> None:
    policy = OverloadPolicy()
    run(policy, wall(), 20)
    assert policy.levels() == {} and not policy.overloaded


def test_a_slow_gui_tick_moves_big_tiles_to_sub_first_then_smallest_to_key_frames() -> None:
    policy, cams = OverloadPolicy(), wall()
    run(policy, cams, 1, tick_ms=10)  # a baseline window
    now = run(policy, cams, 2, tick_ms=120, t0=1)
    assert policy.levels() == {"BIG-0": Degrade.SUB}, "main streams go to sub before any frame rate drops"
    now = run(policy, cams, 2, tick_ms=120, t0=now)
    levels = policy.levels()
    assert levels["BIG-0"] is Degrade.SUB
    keyed = sorted(c for c, v in levels.items() if v is Degrade.KEY_FRAMES)
    assert keyed == ["S-0", "S-1"], "the smallest tiles lose their frame rate first (9 cameras: 2 a step)"


def test_dropped_frames_and_streams_falling_behind_count_as_overload() -> None:
    policy, cams = OverloadPolicy(), wall(0, 6)
    run(policy, cams, 3, drops=0.5)
    assert policy.overloaded and policy.reason.startswith("drops")
    assert policy.levels() == {"S-0": Degrade.KEY_FRAMES}

    policy, cams = OverloadPolicy(), wall(0, 6)
    now = run(policy, cams, 5, fps=25)  # past the opening windows
    run(policy, cams, 3, fps=12, t0=now)  # every stream at half the rate it had
    assert policy.overloaded and policy.reason.startswith("behind")
    assert Degrade.KEY_FRAMES in policy.levels().values()


def test_recovery_waits_for_lasting_calm_and_gives_back_largest_first() -> None:
    policy, cams = OverloadPolicy(), wall(1, 8)
    now = run(policy, cams, 12, tick_ms=200)
    assert len(policy.levels()) == 9, "under lasting load every camera ends up turned down"
    # a load just under the overload threshold but above the calm one: nothing comes back (hysteresis)
    now = run(policy, cams, 10, tick_ms=40, t0=now)
    assert len(policy.levels()) == 9
    now = run(policy, cams, 4, tick_ms=5, t0=now)
    assert len(policy.levels()) == 9, "four calm windows are not enough"
    now = run(policy, cams, 1, tick_ms=5, t0=now)
    back = {c for c in (x.camera_id for x in cams) if policy.level(c) is not Degrade.KEY_FRAMES}
    assert back == {"BIG-0", "S-7"}, "the largest tiles get their frame rate back first"
    assert policy.level("BIG-0") is Degrade.SUB, "the main stream comes back through its sub stream"
    assert policy.level("S-7") is Degrade.NONE, "a tile on its sub stream by the layout comes straight back"
    now = run(policy, cams, 60, tick_ms=5, t0=now)
    assert policy.levels() == {}, "all the way back when the load stays low"


def test_changes_keep_a_minimum_interval_and_cameras_that_left_are_forgotten() -> None:
    policy = OverloadPolicy(OverloadThresholds(min_interval_s=10.0, degrade_after=1))
    cams = wall(0, 3)
    run(policy, cams, 5, tick_ms=300)
    assert len(policy.levels()) == 1, "one step in ten seconds"
    policy.update([cams[1].window(25)], 300, 100.0)
    assert set(policy.levels()) <= {"S-1"}
    assert policy.level("S-0") is Degrade.NONE


def test_the_burst_of_an_opening_stream_sets_no_best_rate() -> None:
    policy, cams = OverloadPolicy(), wall(0, 6)
    now = run(policy, cams, 2, fps=45)  # the server sends the current GOP at once on open
    run(policy, cams, 10, fps=25, t0=now)
    assert not policy.overloaded and policy.levels() == {}, policy.reason


def opened(n: int) -> list[FakeCamera]:
    """A 2×2 wall whose streams have just gone live."""
    return [FakeCamera(f"S-{i}", 470, on_sub=True, live_s=0.0) for i in range(n)]


def test_streams_opening_count_only_once_live_for_the_grace() -> None:
    """What four exercise streams showed right after opening on a 2×2 wall (busy desk): a GOP burst and the
    catch-up after the decoder started, 35–45 fps with a third to a half of the frames dropped, for up to four
    seconds. None of it is overload, and the rate of the burst is not a best rate to fall behind later."""
    policy, cams = OverloadPolicy(), opened(4)
    now = 0.0
    for fps, drops in [(45, 0.5), (41, 0.45), (38, 0.35), (33, 0.3), (25, 0.05)] + [(25, 0.05)] * 15:
        now += 1.0
        assert policy.update([c.window(fps, drops) for c in cams], 10.0, now) == {}, policy.reason
        assert not policy.overloaded, (now, policy.reason)
    assert policy.levels() == {}


def test_load_that_lasts_past_a_streams_grace_still_sheds() -> None:
    policy, cams = OverloadPolicy(), opened(4)
    grace = policy.thresholds.stream_grace_s
    now = run(policy, cams, int(grace) - 1, drops=0.5)
    assert policy.levels() == {}, "while the streams open their drops do not count"
    run(policy, cams, policy.thresholds.degrade_after, drops=0.5, t0=now)
    assert policy.overloaded and policy.reason.startswith("drops")
    assert policy.levels() == {"S-0": Degrade.KEY_FRAMES}, "the same drops, once the streams have settled, shed"


def test_a_reopened_stream_has_its_grace_again() -> None:
    policy, cams = OverloadPolicy(), opened(4)
    now = run(policy, cams, 10)
    cams[2].live_s = 0.0  # it reconnected: the burst again (60 fps, two thirds dropped), on that stream alone
    for _ in range(4):
        now += 1.0
        loads = [c.window(60, 0.65) if c is cams[2] else c.window(25) for c in cams]
        assert policy.update(loads, 10.0, now) == {}, policy.reason
    assert not policy.overloaded and policy.levels() == {}
    now = run(policy, cams[:2], 1, t0=now)  # cameras 2 and 3 left the wall …
    cams[2].live_s = 10.0  # … and came back on a stream long live (a layout switch kept its reader)
    run(policy, cams, 3, drops=0.6, t0=now)
    assert policy.levels(), "a stream long live counts at once"


def test_while_held_the_policy_only_learns() -> None:
    """The window starting, a layout switch, a preset: the GUI stalls and every stream bursts. While held the
    policy turns nothing down; the same load after the grace does."""
    policy, cams = OverloadPolicy(), wall(1, 5)
    policy.hold(0.5)
    assert policy.held(5.0) and not policy.held(5.5)
    for second in range(1, 6):
        changes = policy.update([c.window(25, drop_share=0.9) for c in cams], 500.0, float(second))
        assert changes == {} and not policy.overloaded
    assert policy.levels() == {}
    now = run(policy, cams, 3, tick_ms=500, t0=5.0)
    assert policy.levels(), "once the grace is over, the same load turns tiles down"
    turned = policy.levels()
    policy.hold(now)  # a layout switch while overloaded: no step either way during its grace
    run(policy, cams, 4, tick_ms=500, t0=now)
    assert policy.levels() == turned
    run(policy, cams, 4, tick_ms=500, t0=now + 4)
    assert len(policy.levels()) > len(turned), "the load goes on after the grace: it sheds on"


def test_a_late_gui_tick_sheds_video_only_while_the_walls_are_a_real_share_of_the_gui_thread() -> None:
    """The GUI thread is 300 ms late every second: with the walls at 5 % of its time (the map's compositing
    is what keeps it busy) nothing is turned down; with the walls at 40 % the same lateness sheds video."""
    elsewhere, cams = OverloadPolicy(), wall()
    now = 0.0
    for _ in range(20):
        now += 1.0
        assert elsewhere.update([c.window(25) for c in cams], 300.0, now, video_share=0.05) == {}
    assert elsewhere.levels() == {} and not elsewhere.overloaded
    video, cams = OverloadPolicy(), wall()
    shed: dict[str, Degrade] = {}
    for second in range(1, 21):
        shed.update(video.update([c.window(25) for c in cams], 300.0, float(second), video_share=0.4))
    assert shed and video.reason.startswith("gui")
    unmeasured = OverloadPolicy()  # no share given: a late tick counts as the video's, as before
    run(unmeasured, wall(), 10, tick_ms=300.0)
    assert unmeasured.levels()


def test_frames_the_gui_did_not_take_shed_video_only_while_the_walls_are_a_real_share_of_the_gui_thread() -> None:
    """Half of every stream's frames are replaced before the GUI takes them (the client is busy starting: the
    map page loading): with the walls at 5 % of the GUI thread's time a 4-tile wall keeps every tile; with the
    walls at 40 % the same drops shed video."""
    def feed(share: float) -> OverloadPolicy:
        policy, cams = OverloadPolicy(), [FakeCamera(f"C-{i}", 900, live_s=10.0) for i in range(4)]
        for second in range(1, 21):
            for camera_id, level in policy.update([c.window(25, 0.5) for c in cams], 10.0, float(second),
                                                  video_share=share).items():  # fmt: skip
                cams[int(camera_id[2:])].on_sub = level >= Degrade.SUB
        return policy

    busy_starting = feed(0.05)
    assert busy_starting.levels() == {} and not busy_starting.overloaded
    video = feed(0.4)
    assert video.levels()  # shed by its drops (the only measure over its threshold)


def test_a_catch_up_burst_is_no_best_rate_above_the_streams_stated_rate() -> None:
    """A stream that stalled catches up at 45 fps for a few seconds, long after it opened; a steady 25 fps after
    that is the rate it states, not falling behind. The best rate used to be the highest ever seen."""
    policy, cams = OverloadPolicy(), wall(0, 6)
    for cam in cams:
        cam.nominal_fps = 25.0
    now = run(policy, cams, 6, fps=25)
    now = run(policy, cams, 3, fps=45, t0=now)
    for _ in range(20):
        now = run(policy, cams, 1, fps=25, t0=now)
        assert not policy.overloaded, (now, policy.reason)
    assert policy.levels() == {}
    run(policy, cams, 3, fps=12, t0=now)
    assert policy.overloaded and policy.reason.startswith("behind"), "half its stated rate is behind"


def test_without_a_stated_rate_the_best_rate_sinks_back_to_a_steady_one() -> None:
    """The same burst from a stream that states no rate: behind for a while, then no longer."""
    policy, cams = OverloadPolicy(OverloadThresholds(degrade_after=1000)), wall(0, 6)  # measure, never step
    now = run(policy, cams, 6, fps=25)
    now = run(policy, cams, 3, fps=45, t0=now)
    verdicts = []
    for _ in range(40):
        now = run(policy, cams, 1, fps=25, t0=now)
        verdicts.append(policy.overloaded)
    assert verdicts[0], "right after the burst the best rate is still high"
    assert not any(verdicts[-15:]), f"a steady rate is not behind for good: {verdicts}"


def test_streams_that_had_to_skip_to_the_live_edge_or_lag_behind_it_count_as_behind() -> None:
    """At full rate, nothing dropped, the GUI in time — but the readers cannot decode in time and skip to a key
    frame (追帧) or lag half a second behind the sender: that is overload too."""

    def windows(policy: OverloadPolicy, cams: list[FakeCamera], count: int, t0: float, *, catch_up: bool = False,
                behind_s: float | None = 0.0) -> float:  # fmt: skip
        now = t0
        for n in range(count):
            now += 1.0
            loads = []
            for i, cam in enumerate(cams):
                load = cam.window(25.0)
                skips = (n + 1) if catch_up and i % 2 == 0 else 0  # half the streams skip once a window
                loads.append(replace(load, catch_ups=skips, behind_s=behind_s))
            policy.update(loads, 10.0, now)
        return now

    policy, cams = OverloadPolicy(), wall(0, 6)
    now = windows(policy, cams, 5, 0.0)
    assert not policy.overloaded and policy.levels() == {}
    windows(policy, cams, 3, now, catch_up=True)
    assert policy.overloaded and policy.reason.startswith("behind")
    assert Degrade.KEY_FRAMES in policy.levels().values()

    policy, cams = OverloadPolicy(), wall(0, 6)
    now = windows(policy, cams, 5, 0.0, behind_s=0.3)
    assert not policy.overloaded, "a little behind is the network's jitter"
    windows(policy, cams, 3, now, behind_s=0.8)
    assert policy.overloaded and policy.reason.startswith("behind")


def lagging(cams: list[FakeCamera], behind_s: float, fps: float = 25.0) -> list[CameraLoad]:
    """One window of ``cams`` at ``fps``, every stream ``behind_s`` behind its sender."""
    return [replace(c.window(fps), behind_s=behind_s) for c in cams]


def test_an_open_draining_its_gop_burst_is_no_overload_even_while_held() -> None:
    """A preset of 36 streams opening on a desk that keeps up: each starts 2 s behind (the server's GOP cache)
    and drains it — behind, but less behind every window. Nothing sheds, in the wall's grace or after it."""
    policy, cams = OverloadPolicy(), opened(36)
    policy.hold(0.0)
    for second, behind_s in enumerate([2.0, 1.5, 0.9, 0.45, 0.2, 0.1] + [0.05] * 9, start=1):
        assert policy.update(lagging(cams, behind_s, fps=40 if behind_s > 0.5 else 25), 10.0, float(second)) == {}
        assert not policy.overloaded, (second, policy.reason)
    assert policy.levels() == {}


def test_a_preset_too_heavy_for_the_desk_sheds_while_it_opens() -> None:
    """36 streams whose decoder falls further behind from the start: they shed within the wall's grace, half of
    them at once, where the graces and a sixth a step made the wall play over a second late for ten seconds."""
    policy, cams = OverloadPolicy(), opened(36)
    policy.hold(0.0)
    changes: dict[str, Degrade] = {}
    second = 0
    for second, behind_s in enumerate([0.4, 0.6, 0.8, 0.9, 1.0], start=1):
        changes = policy.update(lagging(cams, behind_s, fps=20), 10.0, float(second))
        if changes:
            break
    assert policy.held(float(second)), "it did not wait for the grace to end"
    assert second <= 2, f"first step after {second} s"
    assert len(changes) >= 18 and set(changes.values()) == {Degrade.KEY_FRAMES}, changes


def test_a_stream_stuck_behind_counts_though_its_lag_grows_no_more() -> None:
    policy, cams = OverloadPolicy(), wall(0, 6)
    now = 0.0
    for _ in range(10):  # long live, steadily 0.7 s behind: a decoder that never catches up
        now += 1.0
        policy.update(lagging(cams, 0.7), 10.0, now)
    assert policy.levels(), policy.reason


# ---- what a stream costs: its pixel rate ----------------------------------------------------------------------

UHD8K = 7680 * 4320 * 25.0  # pixels a second of an 8K stream at 25 fps
SUB = 640 * 360 * 25.0


def costed(camera: FakeCamera, pixel_rate: float, has_sub: bool = True) -> Callable[[float], CameraLoad]:
    """One window of ``camera`` that costs ``pixel_rate`` pixels a second (and has a sub stream or not)."""
    return lambda fps: replace(camera.window(fps), pixel_rate=pixel_rate, has_sub=has_sub)


def test_an_8k_stream_is_turned_down_before_the_cheap_tiles_it_outweighs() -> None:
    """One 8K camera (no sub stream) in the big tile, eight 640×360 sub streams: the 8K stream costs 18 times all
    of them together. It goes to key frames in the first step; turning down small tiles would free nothing."""
    policy = OverloadPolicy()
    big = FakeCamera("8K", 1200)
    small = [FakeCamera(f"S-{i}", 300 + 10 * i, on_sub=True) for i in range(8)]
    windows = [costed(big, UHD8K, has_sub=False)] + [costed(c, SUB) for c in small]
    changes: dict[str, Degrade] = {}
    for second in range(1, 6):
        changes = policy.update([w(25.0) for w in windows], 120.0, float(second))
        if changes:
            break
    assert changes == {"8K": Degrade.KEY_FRAMES}, changes


def test_costly_streams_step_down_first_and_a_sixth_of_the_cost_at_a_time() -> None:
    """Four 4K cameras with sub streams among twenty 640×360 ones: the 4K ones (together 90 % of the wall's cost)
    go to their sub streams before any small tile changes, one a step (a sixth of the wall's cost: where the
    cameras cost alike, a sixth of them)."""
    policy = OverloadPolicy()
    uhd = [FakeCamera(f"4K-{i}", 900 + i) for i in range(4)]
    small = [FakeCamera(f"S-{i:02d}", 300, on_sub=True) for i in range(20)]
    windows = [costed(c, 3840 * 2160 * 25.0) for c in uhd] + [costed(c, SUB) for c in small]
    steps = []
    for second in range(1, 12):
        changes = policy.update([w(25.0) for w in windows], 120.0, float(second))
        if changes:
            steps.append(changes)
    assert steps[:4] == [{c.camera_id: Degrade.SUB} for c in uhd], steps


def test_a_camera_whose_sub_stream_is_its_main_one_never_gets_the_empty_sub_step() -> None:
    """Its main and sub URLs are one stream: 'moving it to its sub stream' changes nothing, yet said 负载保护 and
    cost a whole recovery step on the way back. Down it goes to key frames, back it comes to full rate at once."""
    policy = OverloadPolicy()
    only = FakeCamera("ONE", 1200)
    window = costed(only, 1920 * 1080 * 25.0, has_sub=False)
    levels: list[Degrade] = []
    now = 0.0
    for tick_ms in [120.0] * 4 + [5.0] * 12:
        now += 1.0
        policy.update([window(25.0)], tick_ms, now)
        levels.append(policy.level("ONE"))
    assert Degrade.SUB not in levels, levels
    assert Degrade.KEY_FRAMES in levels and levels[-1] is Degrade.NONE, levels


def test_an_8k_stream_the_desk_cannot_keep_does_not_flap() -> None:
    """The desk decodes the 8K stream only at key frames: at full rate the GUI falls 120 ms behind within two
    seconds. Given back after every calm spell, it flapped all along (27 changes in five minutes);
    each relapse doubles the calm its next return waits for."""
    policy = OverloadPolicy()
    big = costed(FakeCamera("8K", 1200), UHD8K, has_sub=False)
    small = [costed(FakeCamera(f"S-{i}", 300, on_sub=True), SUB) for i in range(3)]
    changes_at: list[float] = []
    for second in range(1, 301):
        tick_ms = 120.0 if policy.level("8K") is Degrade.NONE else 10.0
        if "8K" in policy.update([big(25.0)] + [w(25.0) for w in small], tick_ms, float(second)):
            changes_at.append(float(second))
    returns = changes_at[1::2]
    print(f"8K level changes in 300 s: {len(changes_at)}; returns at {returns}")
    assert 4 <= len(changes_at) <= 14, changes_at
    gaps = [b - a for a, b in zip(changes_at[::2], changes_at[1::2], strict=False)]  # turned down → given back
    assert gaps == sorted(gaps) and gaps[-1] >= 40, gaps


def test_a_sender_slower_than_real_time_is_no_overload() -> None:
    """A relay delivers a 5 fps camera at a tenth of real time: a picture every two seconds, each older than the
    desk's 1 s limit. That is the sender's doing; the desk keeps up, and nothing is turned down for it."""
    policy, cams = OverloadPolicy(), wall(0, 3)
    now = 0.0
    for _ in range(20):
        now += 1.0
        loads = [c.window(25.0) for c in cams[:2]]
        slow = replace(cams[2].window(0.5), age_s=1.8, nominal_fps=5.0, sender_slow=True)
        policy.update([*loads, slow], 10.0, now)
    assert policy.levels() == {} and not policy.overloaded, policy.reason


def test_a_stream_cut_to_key_frames_does_not_inflate_the_next_step() -> None:
    """One 8K camera without a sub stream and twenty sub tiles: the 8K stream goes to key frames first. It is still
    priced at its full rate, yet decodes a picture a GOP; counted at that price the next step's sixth of the wall
    was all twenty small tiles at once. Counted as the average of the cameras still decoding, the step is a sixth
    of the wall's 21 cameras: four."""
    policy = OverloadPolicy()
    big = costed(FakeCamera("8K", 1200), UHD8K, has_sub=False)
    small = [costed(FakeCamera(f"S-{i:02d}", 300, on_sub=True), SUB) for i in range(20)]
    steps = []
    for second in range(1, 15):
        changes = policy.update([big(25.0)] + [w(25.0) for w in small], 120.0, float(second))
        if changes:
            steps.append(changes)
    assert steps[0] == {"8K": Degrade.KEY_FRAMES}, steps
    assert [len(step) for step in steps[1:4]] == [4, 4, 4], [sorted(step) for step in steps]
    assert set(steps[1].values()) == {Degrade.KEY_FRAMES}


def test_tiles_on_their_sub_stream_by_the_layout_come_back_without_an_empty_sub_step() -> None:
    """Six small tiles on their sub streams (the layout chose them): turned down, they go straight to key frames,
    and back straight to full rate — 'moving them to the sub stream' on the way back changed nothing but the
    tile's 负载保护 and cost each a whole recovery step."""
    policy = OverloadPolicy()
    cams = [FakeCamera(f"S-{i:02d}", 300, on_sub=True) for i in range(6)]
    changes: list[dict[str, Degrade]] = []
    now = 0.0
    for tick_ms in [120.0] * 4 + [5.0] * 40:
        now += 1.0
        step = policy.update([replace(c.window(25.0), pixel_rate=SUB) for c in cams], tick_ms, now)
        if step:
            changes.append(step)
    assert changes[:2] == [{"S-00": Degrade.KEY_FRAMES}, {"S-01": Degrade.KEY_FRAMES}], changes
    assert all(Degrade.SUB not in step.values() for step in changes), changes
    assert policy.levels() == {}, "given back to full rate"


def test_a_camera_put_on_its_sub_stream_by_the_policy_comes_back_through_it() -> None:
    """The main stream went to sub, then to key frames: back it comes to the sub stream first, then to main."""
    policy = OverloadPolicy()
    big = FakeCamera("BIG", 1200)
    levels: list[Degrade] = []
    now = 0.0
    for tick_ms in [120.0] * 6 + [5.0] * 20:
        now += 1.0
        big.on_sub = policy.level("BIG") >= Degrade.SUB  # the wall moves it to its sub stream
        policy.update([replace(big.window(25.0), pixel_rate=1920 * 1080 * 25.0)], tick_ms, now)
        if not levels or levels[-1] is not policy.level("BIG"):
            levels.append(policy.level("BIG"))
    assert levels == [Degrade.NONE, Degrade.SUB, Degrade.KEY_FRAMES, Degrade.SUB, Degrade.NONE], levels


def test_a_relapse_that_goes_down_two_steps_counts_once() -> None:
    """A camera given back (key frames → sub → main) and overloaded again within a minute goes down two steps
    (main → sub → key frames): one relapse, so its next return waits twice the calm, not four times."""
    policy = OverloadPolicy()
    big = FakeCamera("BIG", 1200)
    now = 0.0

    def feed(tick_ms: float, until: Callable[[], bool], limit: int = 200) -> float:
        nonlocal now
        for _ in range(limit):
            now += 1.0
            big.on_sub = policy.level("BIG") >= Degrade.SUB
            policy.update([replace(big.window(25.0), pixel_rate=1920 * 1080 * 25.0)], tick_ms, now)
            if until():
                return now
        raise AssertionError(f"not reached: level {policy.level('BIG')!r}")

    feed(120.0, lambda: policy.level("BIG") is Degrade.KEY_FRAMES)
    feed(5.0, lambda: policy.level("BIG") is Degrade.NONE)
    down = feed(120.0, lambda: policy.level("BIG") is Degrade.KEY_FRAMES)  # again within a minute: relapsed
    back = feed(5.0, lambda: policy.level("BIG") is Degrade.SUB)
    recover_after = policy.thresholds.recover_after
    assert back - down == 2 * recover_after, f"waited {back - down:.0f} calm windows (one relapse: twice the calm)"


def test_a_camera_that_is_not_live_is_never_turned_down_and_loses_its_step() -> None:
    """An offline or reconnecting camera decodes nothing: it was priced at the median, and its small tile put it
    first in line for key frames (its tile read 降帧 · 仅关键帧 0 fps) while the streams that cost went on. It is
    no candidate; a step it had when its stream went away is lifted at once, and it is weighed again once live."""
    policy, cams = OverloadPolicy(), wall(0, 6)
    gone = FakeCamera("S-gone", 100, on_sub=True)  # the smallest tile, the first candidate were it weighed

    def window(live: bool) -> list[CameraLoad]:
        return [c.window(25.0) for c in cams] + [replace(gone.window(0.0), live=live, fps=0.0, age_s=None)]

    now = 0.0
    for _ in range(6):  # a GUI tick far over budget, window after window
        now += 1.0
        policy.update(window(False), 120.0, now)
    keyed = {c for c, v in policy.levels().items() if v is Degrade.KEY_FRAMES}
    assert keyed and "S-gone" not in policy.levels(), "the live streams shed, the dead one is left alone"
    assert keyed <= {c.camera_id for c in cams}

    lone = OverloadPolicy()
    now = 0.0
    for _ in range(3):  # it was live and turned down first (the smallest tile) ...
        now += 1.0
        lone.update([c.window(25.0) for c in cams] + [gone.window(25.0)], 120.0, now)
    assert lone.level("S-gone") is Degrade.KEY_FRAMES
    now += 1.0  # ... then its stream went away: the step comes off in that same window
    changes = lone.update([c.window(25.0) for c in cams] + [replace(gone.window(0.0), live=False)], 10.0, now)
    assert changes.get("S-gone") is Degrade.NONE and lone.level("S-gone") is Degrade.NONE


def test_a_camera_at_key_frames_is_not_behind_for_its_one_picture_a_gop_and_is_given_back() -> None:
    """A camera turned down to key frames shows a picture a GOP (about 1 fps, each over a second old): that is what
    was asked of it, not a stream falling behind. The wall is calm once the load is gone, and the step comes back."""
    policy, cams = OverloadPolicy(), wall(0, 6)
    now = run(policy, cams, 3, drops=0.5)
    assert policy.levels() == {"S-0": Degrade.KEY_FRAMES}
    for _ in range(12):
        now += 1.0
        keyed = replace(cams[0].window(1.0), age_s=1.6)
        policy.update([keyed] + [c.window(25.0) for c in cams[1:]], 10.0, now)
        assert not policy.overloaded, policy.reason
    assert policy.levels() == {}, "given back once the wall stayed calm"


def test_a_sender_that_slows_down_after_playing_at_full_rate_is_no_overload() -> None:
    """A relay that delivered 25 fps falls to a tenth of real time: its rate drops far below its best, but the
    reader waits for the sender (``sender_slow``); the desk keeps up, and nothing is turned down for it."""
    policy, cams = OverloadPolicy(), wall(0, 3)
    now = run(policy, cams, 10)  # every stream's best rate is 25 fps
    for _ in range(10):
        now += 1.0
        slowed = replace(cams[2].window(2.5), sender_slow=True)
        policy.update([c.window(25.0) for c in cams[:2]] + [slowed], 10.0, now)
        assert not policy.overloaded, policy.reason
    assert policy.levels() == {}
    for _ in range(3):  # the same fall without the sender to blame: the desk's own, behind, and turned down
        now += 1.0
        policy.update([c.window(25.0) for c in cams[:2]] + [cams[2].window(2.5)], 10.0, now)
    assert policy.levels() != {} and policy.reason.startswith("behind"), policy.reason


def test_a_live_stream_the_desk_decodes_no_picture_of_counts_as_behind() -> None:
    """A stream live but decoding nothing (its newest picture older and older, no rate ever seen to fall from):
    only its picture's age says the desk cannot keep it. It counts as behind, and the wall is turned down."""
    policy, cams = OverloadPolicy(), wall(0, 3)  # one stream in four behind: the behind share
    now = run(policy, cams, 5)
    stuck = FakeCamera("STUCK", 1200)
    for n in range(4):
        now += 1.0
        frozen = replace(stuck.window(0.0), age_s=2.0 + n)
        policy.update([c.window(25.0) for c in cams] + [frozen], 10.0, now)
    assert policy.overloaded and policy.reason.startswith("behind"), policy.reason
    assert policy.levels() != {}
