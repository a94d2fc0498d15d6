"""A stream's join burst (a GOP cache sent at once on open) is held until the reader reaches the live edge —
``JoinHold`` fed packet timelines as a reader sees them. The capture against a real server's cache is in
``test_video_join.py``."""

from __future__ import annotations

from commandwall.video.live_edge import JOIN_HOLD_MAX_S, JoinHold

FRAME_S = 0.04  # 25 fps


def feed_burst(hold: JoinHold, count: int, *, at: float = 0.0, first_stamp: float = 100.0) -> float:
    """``count`` cached packets, 40 ms apart in timestamps, all arriving within a millisecond from ``at``; a picture
    decoded after the first. Returns the timestamp of the last."""
    stamp = first_stamp
    for i in range(count):
        stamp = first_stamp + i * FRAME_S
        hold.packet(stamp, at + i * 0.00005, pictured=i > 0)
    return stamp


def test_a_burst_is_held_and_the_live_edge_ends_the_hold_after_two_packets_at_the_senders_pace() -> None:
    hold = JoinHold()
    last = feed_burst(hold, 20)
    assert hold.holding
    assert hold.hold(0.01) and hold.hold(0.011)  # the burst's pictures are held
    # the first packet after the cache: the reader waited one frame's time for it
    hold.packet(last + FRAME_S, 0.04, pictured=True)
    assert hold.holding, "one paced packet is not yet the live edge"
    hold.packet(last + 2 * FRAME_S, 0.08, pictured=True)
    assert not hold.holding
    assert not hold.hold(0.081)
    assert hold.held == 2


def test_one_slow_read_inside_the_burst_does_not_end_the_hold() -> None:
    hold = JoinHold()
    last = feed_burst(hold, 10)
    hold.packet(last + FRAME_S, 0.03, pictured=True)  # the interpreter lock was busy elsewhere: a late read …
    last = feed_burst(hold, 10, at=0.0301, first_stamp=last + 2 * FRAME_S)  # … and the cache behind it at once
    assert hold.holding
    hold.packet(last + FRAME_S, 0.07, pictured=True)
    hold.packet(last + 2 * FRAME_S, 0.11, pictured=True)
    assert not hold.holding


def test_packets_before_the_first_picture_do_not_count_towards_the_live_edge() -> None:
    hold = JoinHold()
    for i in range(5):  # joined mid-GOP without a cache: packets at the sender's pace, none decodes yet
        hold.packet(100.0 + i * FRAME_S, i * FRAME_S, pictured=False)
    assert hold.holding
    hold.packet(100.0 + 5 * FRAME_S, 5 * FRAME_S, pictured=True)  # the key frame has come: its picture now
    assert hold.holding
    hold.packet(100.0 + 6 * FRAME_S, 6 * FRAME_S, pictured=True)
    assert not hold.holding


def test_a_sender_that_never_makes_the_reader_wait_is_shown_after_the_longest_hold() -> None:
    hold = JoinHold()
    feed_burst(hold, 200)  # a cache over a slow link: never at the sender's pace
    assert hold.hold(10.0)
    assert hold.hold(10.0 + JOIN_HOLD_MAX_S - 0.01)
    assert not hold.hold(10.0 + JOIN_HOLD_MAX_S)
    assert not hold.holding
    assert not hold.hold(10.0)  # for good


def test_a_stream_without_timestamps_is_not_held() -> None:
    hold = JoinHold()
    hold.packet(None, 0.0, pictured=False)
    assert not hold.holding
    assert not hold.hold(0.0)


def test_timestamps_going_backwards_are_not_the_senders_pace() -> None:
    hold = JoinHold()
    feed_burst(hold, 5)
    hold.packet(99.0, 0.1, pictured=True)  # a step back (a wrap, a restarted clock): not a pace
    hold.packet(98.96, 0.2, pictured=True)
    assert hold.holding
