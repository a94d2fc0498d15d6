"""追帧: a reader that falls behind a live stream skips to a key frame near the live edge, and only then.

The decisions are fed packet timelines as a reader sees them (timestamps, arrival times, key frames); the key
frame recognition reads the exercise clips' real H.264 and H.265 packets. The reader against a real stream is
in ``test_video_catch_up.py``.
"""

from __future__ import annotations

import random

import pytest

from commandwall.demo.media import GOP
from commandwall.paths import exercise_clips_dir
from commandwall.video.live_edge import CATCH_UP_S, GIVE_UP_S, LiveEdge, annexb_key_frame

av = pytest.importorskip("av")

FRAME_S = 0.04  # 25 fps


def play(edge: LiveEdge, packets: int, decode_s: float, *, gop: int = GOP, network_s: float = 0.05,
         jitter_s: float = 0.0, drift: float = 0.0, seed: int = 1) -> list[tuple[float, bool]]:  # fmt: skip
    """Feed ``packets`` of a live 25 fps stream to ``edge`` as a reader that spends ``decode_s`` on each packet
    it keeps (none on a skipped one) would see them; returns (seconds behind the sender, kept) per packet,
    the truth the reader cannot see: when it had the packet minus when the packet was sent plus the network."""
    rng = random.Random(seed)
    clock = 0.0
    seen = []
    for n in range(packets):
        sent = n * FRAME_S
        arrives = sent + network_s + rng.uniform(0, jitter_s)
        asked, clock = clock, max(clock, arrives)  # waits for it, or has it already (the socket holds the rest)
        pts = sent * (1 + drift) + 1000.0  # the camera's clock: its own origin and rate
        kept = edge.keep(pts, asked, clock, n % gop == 0)
        seen.append((clock - sent - network_s, kept))
        if kept:
            clock += decode_s
    return seen


def test_a_reader_that_keeps_up_never_skips_through_jitter() -> None:
    edge = LiveEdge()
    seen = play(edge, 3000, 0.01, jitter_s=0.3)
    assert all(kept for _, kept in seen)
    assert edge.catch_ups == 0


def test_a_camera_clock_that_drifts_is_not_lag() -> None:
    """100 ppm slow over ten hours (3.6 s in all): the reference creeps along, nothing is skipped."""
    edge = LiveEdge()
    seen = play(edge, 900_000, 0.01, drift=-1e-4)
    assert edge.catch_ups == 0 and all(kept for _, kept in seen[-1000:])


def test_a_reader_that_falls_behind_skips_to_a_key_frame_and_stays_close_to_live() -> None:
    """60 ms per picture of a 25 fps stream: without skipping it would be 36 s behind after 100 s."""
    edge = LiveEdge()
    seen = play(edge, 2500, 0.06)
    lags = [lag for lag, _ in seen]
    assert lags[-1] < CATCH_UP_S + 0.3 and max(lags) < CATCH_UP_S + 0.3
    assert edge.catch_ups >= 20
    # every skip ends at a key frame: decoding starts over where it can
    kept_after_skip = [n for n in range(1, len(seen)) if seen[n][1] and not seen[n - 1][1]]
    assert kept_after_skip and all(n % GOP == 0 for n in kept_after_skip)
    without = LiveEdge(catch_up_s=1e9)
    assert play(without, 2500, 0.06)[-1][0] > 30


def test_a_timestamp_jump_starts_the_reference_over() -> None:
    edge = LiveEdge()
    clock = 0.0
    for n in range(200):
        clock = n * FRAME_S
        pts = n * FRAME_S + (0 if n < 100 else -95_000)  # an MPEG-TS clock wrap (33 bits at 90 kHz: 26.5 h)
        assert edge.keep(pts, clock - FRAME_S, clock, n % GOP == 0)
    assert edge.catch_ups == 0 and edge.behind_s < 0.01


def test_a_longer_network_path_is_taken_as_the_new_live_edge() -> None:
    """The delay grows by 2 s for good (a re-routed link): one skip, then, after ``give_up_s``, decoding from
    the next key frame with that delay as the reference — not skipping for ever."""
    edge = LiveEdge()
    kept = []
    for n in range(1000):
        sent = n * FRAME_S
        arrived = sent + 0.05 + (2.0 if n >= 300 else 0.0)
        kept.append(edge.keep(sent, arrived - FRAME_S, arrived, n % GOP == 0))
    assert edge.catch_ups == 1
    resumed = kept.index(True, 301)
    assert resumed % GOP == 0 and (resumed - 300) * FRAME_S <= GIVE_UP_S + GOP * FRAME_S
    assert all(kept[resumed:])


def test_without_a_recognised_key_frame_the_skipping_ends_all_the_same() -> None:
    edge = LiveEdge()
    arrivals = [n * FRAME_S + (2.0 if n >= 10 else 0.0) for n in range(400)]
    kept = [edge.keep(n * FRAME_S, at - FRAME_S, at, False) for n, at in enumerate(arrivals)]
    assert edge.catch_ups == 1
    assert (kept.index(True, 11) - 10) * FRAME_S <= 2 * GIVE_UP_S + FRAME_S and all(kept[-100:])


@pytest.mark.parametrize(("clip", "codec"), [("h264-sub.ts", "h264"), ("hevc-sub.ts", "hevc")])
def test_key_frames_are_found_in_the_bitstream_of_unparsed_mpeg_ts(clip: str, codec: str) -> None:
    """The wall reads MPEG-TS without a parser, which leaves key frames unflagged: the bitstream tells."""
    path = exercise_clips_dir() / clip
    if not path.is_file():
        pytest.skip("no exercise clips: run `make clips`")
    with av.open(str(path), options={"fflags": "noparse"}) as container:
        packets = [bytes(p) for p in container.demux(video=0) if p.size]
    found = [n for n, data in enumerate(packets) if annexb_key_frame(data, codec)]
    assert found == list(range(0, len(packets), GOP))
    assert not annexb_key_frame(packets[0], "mjpeg")
    assert not annexb_key_frame(b"", codec) and not annexb_key_frame(b"\x00\x00\x01", codec)


def test_garbage_timestamps_from_a_hostile_sender_never_stop_decoding_for_long() -> None:
    """Timestamps that are missing, stand still, run backwards or jump anywhere in FFmpeg's 64-bit range: the
    reader may skip, but never more than ``2 × give_up_s`` at a stretch, and once the timestamps are sane again
    it decodes every packet within that time."""
    rng = random.Random(5)
    edge = LiveEdge()
    time_base = 1 / 90_000
    run_started: float | None = None
    longest = 0.0
    stuck = 12345.0
    for n in range(20_000):
        at = n * FRAME_S
        pts = rng.choice([None, rng.randint(-(2**63), 2**63 - 1) * time_base, stuck, -at, at * 3, at / 2])
        if edge.keep(pts, at - 0.001, at, rng.random() < 0.05):
            run_started = None
        else:
            run_started = at if run_started is None else run_started
            longest = max(longest, at - run_started)
    assert longest <= 2 * GIVE_UP_S + FRAME_S
    sane = [edge.keep(at, at - FRAME_S, at + 0.05, n % GOP == 0)
            for n, at in ((n, 20_000 * FRAME_S + n * FRAME_S) for n in range(1000))]  # fmt: skip
    first_all_kept = next(i for i in range(len(sane)) if all(sane[i:]))
    assert first_all_kept * FRAME_S <= 2 * GIVE_UP_S + FRAME_S


def test_hostile_bytes_are_not_taken_for_key_frames_and_cost_little() -> None:
    """Random bytes and a packet of nothing but start codes of non-key NAL units: no exception, no key frame
    where there is none, and only the first few NAL units are looked at."""
    rng = random.Random(9)
    for _ in range(2000):
        data = rng.randbytes(rng.randint(0, 64))
        for codec in ("h264", "hevc"):
            assert isinstance(annexb_key_frame(data, codec), bool)
    flood = b"\x00\x00\x01\x01" * 1_000_000 + b"\x00\x00\x01\x05"  # 4 MB of non-IDR slices, an IDR at the end
    assert not annexb_key_frame(flood, "h264")
    assert annexb_key_frame(b"\x00\x00\x01\x65", "h264") and annexb_key_frame(b"\x00\x00\x00\x01\x26\x01", "hevc")
    assert not annexb_key_frame(b"\x00\x00\x01\x41", "h264") and not annexb_key_frame(b"\x00\x00\x01\x02\x01", "hevc")


def test_a_sender_slower_than_its_timestamps_is_shown_as_it_comes_not_skipped() -> None:
    """A sender at a tenth of real time: each 40 ms picture comes 400 ms after the last, the reader idle meanwhile.
    Its delay grows, but not in the reader: every packet is kept, and the sender is measured at ×0.1."""
    edge = LiveEdge()
    clock = 0.0
    kept = []
    for n in range(100):  # 40 s
        asked = clock + 0.005  # decoded the last one in 5 ms, then waits
        clock = n * FRAME_S * 10
        kept.append(edge.keep(1000.0 + n * FRAME_S, min(asked, clock), clock, n % GOP == 0))
    assert all(kept) and edge.catch_ups == 0 and edge.behind_s < 0.05
    assert edge.sender_speed is not None and abs(edge.sender_speed - 0.1) < 0.01
    assert edge.sender_late_s > 30 and not edge.running_ahead


def test_a_reader_that_falls_behind_is_not_taken_for_a_slow_sender() -> None:
    """60 ms per 40 ms picture, never skipping: the pictures reach it at two thirds of real time, but they were
    in the socket all along — the reader is slow, not the sender."""
    edge = LiveEdge(catch_up_s=1e9)
    play(edge, 2500, 0.06)
    assert edge.behind_s > 30
    assert edge.sender_speed is None and edge.sender_late_s < 1.0, (edge.sender_speed, edge.sender_late_s)


def test_a_sender_far_ahead_of_its_timestamps_for_good_runs_ahead_but_a_gop_burst_does_not() -> None:
    burst = LiveEdge()  # a server's GOP cache (4 s) at once on open, then real time
    for n in range(500):
        at = 0.0 if n < 100 else (n - 100) * FRAME_S
        burst.keep(n * FRAME_S, at, at, n % GOP == 0)
    assert not burst.running_ahead
    fast = LiveEdge()  # a file pushed at ten times its rate
    for n in range(1500):
        at = n * FRAME_S / 10
        fast.keep(n * FRAME_S, at, at, n % GOP == 0)
    assert fast.running_ahead and fast.sender_speed is not None and fast.sender_speed > 9


def test_a_reader_starved_inside_its_reads_is_not_taken_for_a_slow_sender() -> None:
    """A reader short of the CPU or the interpreter lock: 20 ms decoding each picture, then 40 ms inside the read
    of the next though its bytes were in the socket — 60 ms per 40 ms picture. Its reads look like waits for a
    sender, but they are no longer than its own work slowed alike: the lag is the reader's and it catches up (the
    waits were taken for a sender at ×0.67: 30 s behind after a minute, no catch-up)."""
    edge = LiveEdge()
    clock = 0.0
    for n in range(1500):  # 60 s
        sent = n * FRAME_S + 0.05
        asked = clock + 0.020
        clock = max(asked + 0.040, sent)
        edge.keep(1000.0 + n * FRAME_S, asked, clock, n % GOP == 0)
        assert edge.catch_ups or edge.behind_s <= CATCH_UP_S + 0.1, (n, edge.behind_s)
    assert edge.catch_ups >= 1, edge.behind_s
    assert edge.sender_late_s < 1.0 and (edge.sender_speed is None or edge.sender_speed >= 1.0), (
        edge.sender_speed, edge.sender_late_s)


def test_a_relays_gop_cache_over_a_limited_link_is_no_sender_running_ahead() -> None:
    """A relay with a 10 s GOP cache, opened over a link that carries 2.5 times the stream's rate: the cache comes
    over 6.7 s at 2.5× real time, then real time. Taken for a sender running ahead for good, it was paced at 1×
    and stayed 2.8 s behind for good; the cache is less than ``AHEAD_LEAD_S`` ahead, so it is decoded as it comes."""
    edge = LiveEdge()
    cache = 250
    at = 0.0
    for n in range(1500):
        live_at = (n - cache) * FRAME_S if n >= cache else -1e9  # when the picture exists at the relay
        at = max(at + FRAME_S / 2.5, live_at)
        edge.keep(1000.0 + n * FRAME_S, at, at, n % GOP == 0)
        assert not edge.running_ahead, (n, edge.lead_s, edge.sender_speed)
    assert 9.0 < edge.lead_s < 11.0 and edge.catch_ups == 0


def test_a_sender_running_ahead_is_live_again_once_what_it_sent_ahead_drained() -> None:
    """A relay pushes 60 s of pictures at ten times real time (a cache far larger than a GOP's), then the live
    pictures as they come. Over 25 s ahead it runs ahead; its reader, paced a little faster than real time
    (``PACE_SPEED``, as the capture paces it; the sender waits), drains what was ahead, and once it waits for the
    sender again the stream is live, no longer running ahead (it stayed paced at 1× for good)."""
    from commandwall.video.capture import PACE_SPEED

    edge = LiveEdge()
    sent = [n * FRAME_S / 10 if n < 1500 else 6.0 + (n - 1500) * FRAME_S for n in range(30_000)]
    clock = 0.0
    paced_from: tuple[float, float] | None = None  # (pts, when it was due) once paced
    latched_at = cleared_at = None
    for n, sent_at in enumerate(sent):
        pts = n * FRAME_S
        asked = clock + 0.002
        if paced_from is not None:
            asked = max(asked, paced_from[1] + (pts - paced_from[0]) / PACE_SPEED)
        clock = max(asked, sent_at)
        edge.keep(1000.0 + pts, asked, clock, n % GOP == 0)
        if edge.running_ahead and paced_from is None:
            paced_from, latched_at = (pts, clock), clock
        elif paced_from is not None and not edge.running_ahead:
            cleared_at = clock
            break
    assert latched_at is not None and 3.0 <= latched_at <= 5.0, latched_at
    assert cleared_at is not None, (edge.lead_s, edge.sender_speed)
    # latched about 36 s ahead, 2 s of the push left: (36 - 2 × 9) s drained at 4 % faster than real time, ~450 s
    assert 400 <= cleared_at - latched_at <= 500, (latched_at, cleared_at)
    assert edge.catch_ups == 0 and edge.lead_s == 0.0


def test_a_starved_reader_skipping_is_not_taken_for_a_slow_sender() -> None:
    """The starved reader again, with 50 ms reads: while it skips it does no work of its own on a packet, so each
    wait looked like a sender's against none (10 s of them in a minute, the sender said at ×0.8 and below). A wait
    is weighed against the reader's work on the last packet it decoded."""
    edge = LiveEdge()
    clock = 0.0
    kept = True
    for n in range(1500):  # 60 s
        sent = n * FRAME_S + 0.05
        asked = clock + (0.020 if kept else 0.0)  # decoding costs 20 ms, a skipped packet nothing
        clock = max(asked + 0.050, sent)  # every read returns 50 ms late: the CPU or the lock, not the sender
        kept = edge.keep(1000.0 + n * FRAME_S, asked, clock, n % GOP == 0)
        assert edge.sender_speed is None or edge.sender_speed >= 0.8, (n, edge.sender_speed)
    assert edge.catch_ups >= 2 and edge.sender_late_s < 1.0, (edge.catch_ups, edge.sender_late_s)


def test_after_an_hour_of_keeping_up_a_slow_minute_is_caught_up_as_soon_as_at_the_start() -> None:
    """The reference creeps (a drifting camera clock) but is held at the lowest delay seen: after an hour of
    keeping up it is still the live edge, and a minute decoding 60 ms a picture skips at ``catch_up_s`` behind —
    not once the creep of the hour (3.6 s) has been made up in lag as well."""
    edge = LiveEdge()
    clock = 0.0
    keeping_up = int(3600 / FRAME_S)
    worst = 0.0
    for n in range(keeping_up + 1500):
        sent = n * FRAME_S
        arrives = sent + 0.05
        asked, clock = clock, max(clock, arrives)
        kept = edge.keep(sent + 1000.0, asked, clock, n % GOP == 0)
        if n == keeping_up:
            assert edge.catch_ups == 0 and edge.behind_s < 0.05  # an hour at the live edge
        if n >= keeping_up:
            worst = max(worst, clock - sent - 0.05)
        if kept:
            clock += 0.01 if n < keeping_up else 0.06
    assert worst < CATCH_UP_S + 0.3, f"{worst:.2f} s behind in the slow minute"
    assert edge.catch_ups >= 10
