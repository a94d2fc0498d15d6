"""How far a live stream's reader is behind its sender, and when to skip to the next key frame (追帧).

A reader that cannot decode as fast as the camera sends does not lose pictures: they wait in the socket and
the picture on the tile gets older every second — 1.5 to 5 s behind within ten seconds on a desk whose two
cores were shared by 16 tiles, a map and other programs (measured). A wall must never show the past as
live, so a reader that falls behind drops what piled up instead of decoding it: it skips packets, undecoded,
until a key frame at the live edge (close to the reference below, and one it had to wait for: what piled up
is gone), and decodes from there.

How far behind: each packet's timestamp against when it arrived. ``arrival − pts`` is constant while the
reader keeps up (the network's and the sender's delay, whatever the two clocks' offset); while it is behind it
grows by the time it loses. Its reference is the lowest value seen, allowed to creep up by ``creep`` (a
millisecond a second: ten times what a camera's clock drifts against ours, a fifth of a per cent of what a
reader at 20 of 25 fps loses). Whether a packet had to be waited for says nothing about the lag (a reader
starved of the CPU or the interpreter lock waits as long for data that is already in the socket); it only
confirms, while skipping, that the backlog is gone. A sender that is itself slower than its timestamps (a
relay or an encoder delivering at a tenth of real time) makes the same ``arrival − pts`` grow while the reader
waits, idle, for every packet: skipping would drop the only pictures there are and the tile would stay black. So
the time a packet was waited for — when the wait is most of the time since the last one, and several times the
reader's own work on the packet before — is the sender's and raises the reference with it (a reader starved of the
CPU or the interpreter lock waits inside the read for bytes already in the socket, but it is slowed in its own work
as much: 40 ms reads after 20 ms of decoding, a stream falling 30 s behind in a minute, were taken for a sender at
×0.67 and never caught up): such a stream is shown as it comes, and :attr:`LiveEdge.sender_speed` says how much
slower than real time it is. The opposite, a sender that runs ahead of its timestamps for good (a file pushed at
ten times its rate), is :attr:`LiveEdge.running_ahead`: its capture paces it instead of decoding it as fast as it
comes. A relay's GOP cache also comes ahead of its timestamps, as fast as the link goes (a 10 s cache at 2.5× real
time over a limited link runs ahead for two windows and more), so the verdict takes a total lead over ``ahead_lead_s``
— more than any cache holds — and is no latch for good: once the reader waits for the sender for most of a window
(paced a little faster than real time, it drained what was ahead) the stream is live again and no longer paced. A
timestamp step of more
than ``jump_s`` (a camera restarting its clock, a wrap) starts the reference over; skipping that has not
reached the reference after ``give_up_s`` (the delay grew on the network, not in the reader) takes the next key
frame and the delay now as the reference, and after twice that any packet (a stream whose key frames are not
recognised: the decoder then waits for one itself).
"""

from __future__ import annotations

from dataclasses import dataclass

#: behind by more than this: skip to the next key frame
CATCH_UP_S = 1.0
#: a key frame this close to the live edge ends the skipping
RESUME_S = 0.25
#: while skipping, a packet that took this long to come was waited for: the backlog is drained
LIVE_WAIT_S = 0.01
#: skipping that has not come this close after this long resumes at the next key frame anyway
GIVE_UP_S = 3.0
#: how fast the reference may rise (seconds per second): clock drift, not lag
CREEP = 0.001
#: a timestamp step larger than this, either way, is a discontinuity, not lag
JUMP_S = 5.0
#: a sender's speed against its timestamps is measured over windows of this many seconds of arrival
SPEED_WINDOW_S = 2.0
#: a wait for a packet counts as the sender's only when it is at least this many times the reader's own work on the
#: last packet it decoded (decoding, converting, publishing; a skipped packet costs none, and says nothing): a
#: reader starved of the CPU or the interpreter lock is slowed in its work and in its reads alike (the bytes were in
#: the socket), an idle one waiting for a slow sender is not
WAIT_OVER_WORK = 3.0
#: a sender this much faster than its timestamps in a window, with a total lead over AHEAD_LEAD_S, runs ahead
AHEAD_SPEED = 1.1
#: seconds of timestamps a sender must have delivered ahead of real time, in all, to run ahead: more than a relay's
#: GOP cache holds (10 s and less; a burst of one came 2.8 s ahead, paced at 1× it never caught up)
AHEAD_LEAD_S = 25.0
#: a stream running ahead is live again after a window in which the reader waited for the sender this share of it
LIVE_AGAIN_WAIT = 0.5
#: NAL unit types a decoder can start at: H.264 IDR (5); H.265 IRAP (16–21: BLA, IDR, CRA)
_H264_IDR = frozenset({5})
_HEVC_IRAP = frozenset(range(16, 22))
#: at most this many NAL units of a packet are looked at (a picture's slices follow its parameter sets)
_MAX_NALS = 16


def annexb_key_frame(data: bytes, codec: str) -> bool:
    """Whether an Annex B access unit (start-code framed, as MPEG-TS and RTSP deliver H.264/H.265) holds a
    picture decoding can start at. MPEG-TS read without a parser (as the wall reads it, for latency) does not
    flag key frames on its packets, so the catch-up looks into the bitstream. False for other codecs and for
    length-prefixed (FLV, MP4) data, whose containers flag key frames themselves."""
    if codec == "h264":
        types, kind = _H264_IDR, 0
    elif codec == "hevc":
        types, kind = _HEVC_IRAP, 1
    else:
        return False
    at = 0
    for _ in range(_MAX_NALS):
        at = data.find(b"\x00\x00\x01", at)
        if at < 0 or at + 3 >= len(data):
            return False
        header = data[at + 3]
        nal_type = header & 0x1F if kind == 0 else (header >> 1) & 0x3F
        if nal_type in types:
            return True
        at += 3
    return False


@dataclass(slots=True)
class LiveEdge:
    """One live stream's lag behind its sender, fed every video packet in order (see the module docstring).

    ``behind_s``: how far behind the newest packet was; ``catching_up``: packets are being skipped;
    ``catch_ups``: times it started skipping; ``sender_speed``: the stream's timestamps advanced over the last
    window against the time it took them to arrive (1: real time, 0.1: a sender ten times too slow; None: not
    measured yet); ``sender_late_s``: the time the reader waited for a sender slower than its timestamps, in all;
    ``running_ahead``: the sender has delivered more than ``ahead_lead_s`` of timestamps ahead of real time and
    still delivers faster than them (until a window in which the reader waited for it); ``lead_s``: how far ahead
    of real time the stream's timestamps are now against its first packet (or its reference's last start).
    """

    catch_up_s: float = CATCH_UP_S
    resume_s: float = RESUME_S
    give_up_s: float = GIVE_UP_S
    live_wait_s: float = LIVE_WAIT_S
    wait_over_work: float = WAIT_OVER_WORK
    creep: float = CREEP
    jump_s: float = JUMP_S
    ahead_lead_s: float = AHEAD_LEAD_S
    behind_s: float = 0.0
    catching_up: bool = False
    catch_ups: int = 0
    _reference: float | None = None
    _last_pts: float | None = None
    _last_arrived: float = 0.0
    _since: float = 0.0  # when the skipping started
    sender_speed: float | None = None
    sender_late_s: float = 0.0
    running_ahead: bool = False
    lead_s: float = 0.0
    _origin: float = 0.0  # arrival − pts when the reference started
    _waiting_s: float = 0.0  # the time spent waiting inside reads, in all
    _kept_last: bool = True  # the packet before was decoded
    _work_s: float = 0.0  # the reader's own time on the last packet it decoded (decoding, converting, publishing)
    #: (arrival, pts, sender_late_s, waiting_s) where the speed window started
    _window: tuple[float, float, float, float] | None = None

    def _measure_speed(self, pts_s: float, arrived_at: float) -> None:
        """Close the speed window once it spans ``SPEED_WINDOW_S`` of arrival. A window in which the timestamps
        fell behind the clock while the reader was not waiting for them measures the reader, not the sender: it
        says nothing of the sender's speed (None)."""
        if self._window is None:
            self._window = (arrived_at, pts_s, self.sender_late_s, self._waiting_s)
            return
        start_at, start_pts, start_late, start_waiting = self._window
        elapsed = arrived_at - start_at
        if elapsed < SPEED_WINDOW_S:
            return
        advanced = max(0.0, pts_s - start_pts)
        speed = advanced / elapsed
        waited_for_sender = self.sender_late_s - start_late >= 0.5 * (elapsed - advanced)
        self.sender_speed = speed if speed >= 1.0 or waited_for_sender else None
        if not self.running_ahead:
            self.running_ahead = speed >= AHEAD_SPEED and self.lead_s > self.ahead_lead_s
        elif self._waiting_s - start_waiting >= LIVE_AGAIN_WAIT * elapsed:  # nothing ahead left: live again
            self.running_ahead = False
            self._origin, self.lead_s = arrived_at - pts_s, 0.0
        self._window = (arrived_at, pts_s, self.sender_late_s, self._waiting_s)

    def keep(self, pts_s: float | None, asked_at: float, arrived_at: float, key_frame: bool) -> bool:
        """Whether to decode this packet (False: skip it, the reader is catching up).

        ``pts_s``: its timestamp in seconds (None: unknown; the lag stays as it was); ``asked_at`` /
        ``arrived_at``: when the reader asked for it and when it had it (monotonic seconds); ``key_frame``:
        decoding can start at this packet."""
        self._kept_last = self._decide(pts_s, asked_at, arrived_at, key_frame)
        return self._kept_last

    def _decide(self, pts_s: float | None, asked_at: float, arrived_at: float, key_frame: bool) -> bool:
        """:meth:`keep`'s verdict, the lag and the sender's speed measured on the way."""
        if pts_s is not None:
            offset = arrived_at - pts_s
            if self._reference is None or (self._last_pts is not None and abs(pts_s - self._last_pts) > self.jump_s):
                self._reference = self._origin = offset
                self.lead_s = 0.0
                self._window = (arrived_at, pts_s, self.sender_late_s, self._waiting_s)
            else:
                since = max(0.0, arrived_at - self._last_arrived)
                crept = self._reference + self.creep * since
                waited = arrived_at - asked_at
                if waited >= self.live_wait_s:
                    self._waiting_s += waited
                self.lead_s = self._origin - offset
                if self._kept_last:  # the reader's own time on the packet before (none on a skipped one: the last)
                    self._work_s = max(0.0, asked_at - self._last_arrived)
                work = self._work_s
                if (self._last_pts is not None and waited >= self.live_wait_s and waited >= since / 2
                        and waited >= self.wait_over_work * work):  # fmt: skip
                    # idle, waiting for the sender: what it delivered late is its slowness, not the reader's lag
                    late = min(waited, since - (pts_s - self._last_pts))
                    if late > 0:
                        crept += late
                        self.sender_late_s += late
                self._reference = min(crept, offset)
                self._measure_speed(pts_s, arrived_at)
            self._last_pts, self._last_arrived = pts_s, arrived_at
            self.behind_s = offset - self._reference
        if not self.catching_up:
            if self.behind_s <= self.catch_up_s:
                return True
            self.catching_up, self._since = True, arrived_at
            self.catch_ups += 1
        skipping_for = arrived_at - self._since
        # at the live edge: close to the reference, and nothing left in the socket (the reference may be late by
        # the server's GOP cache, which a slow reader never got through: draining corrects it)
        drained = self.behind_s <= self.resume_s and arrived_at - asked_at >= self.live_wait_s
        if (key_frame and (drained or skipping_for >= self.give_up_s)) or (
            skipping_for >= 2 * self.give_up_s  # no key frame recognised: let the decoder find one
        ):
            if self.behind_s > self.resume_s and self._reference is not None:
                self._reference += self.behind_s  # not the reader's lag: the path got longer
                self.behind_s = 0.0
            self.catching_up = False
            return True
        return False


#: a held join (:class:`JoinHold`) is given out anyway this long after its first picture: a sender that never
#: makes the reader wait (a GOP cache over a slow link, a busy desk decoding it) is shown as it comes
JOIN_HOLD_MAX_S = 2.0
#: packets in a row at the sender's pace that end a held join
JOIN_PACED_PACKETS = 2


@dataclass(slots=True)
class JoinHold:
    """Whether the pictures a live stream starts with are still its join burst, to be decoded but not shown.

    A server with a GOP cache (as the platforms' media servers have, for 秒开) sends the current GOP at once when a
    stream is opened: decoded faster than real time, it starts up to a GOP *before* now. For a tile that already
    shows the camera (a switch between its streams, a reopen) that would step back in time, then run fast-forward
    (measured: 0.76 s back, then 20 pictures in 50 ms). Fed every video packet in order (:meth:`packet`) and asked
    for each picture decoded (:meth:`hold`), it holds until the live edge: ``paced_packets`` packets in a row,
    after the first picture, that came at least half their timestamp step after the one before — at the sender's
    pace, not from its cache (one slow read, the interpreter lock busy elsewhere, is not: the cached packets behind
    it come at once) — or ``max_s`` after the first picture. A stream without timestamps is not held.

    ``holding``: still holding; ``held``: pictures held so far."""

    paced_packets: int = JOIN_PACED_PACKETS
    max_s: float = JOIN_HOLD_MAX_S
    holding: bool = True
    held: int = 0
    _started: float | None = None  # when the first picture was asked about
    _last: tuple[float, float] | None = None  # (arrival, timestamp s) of the packet before
    _paced: int = 0  # packets in a row, since the first picture, that came at the sender's pace

    def packet(self, stamp_s: float | None, arrived_at: float, pictured: bool) -> None:
        """Note a packet: its decoding timestamp in seconds (None: unknown), when it arrived (monotonic seconds),
        and whether the stream has given a picture before it."""
        if not self.holding:
            return
        if stamp_s is None:
            self.holding = False  # no timestamps: the live edge cannot be told, shown as it comes
            return
        last, self._last = self._last, (arrived_at, stamp_s)
        if last is None or not pictured:
            return
        step = stamp_s - last[1]
        paced = step > 0 and arrived_at - last[0] >= step / 2
        self._paced = self._paced + 1 if paced else 0
        if self._paced >= self.paced_packets:
            self.holding = False

    def hold(self, now: float) -> bool:
        """Whether the picture just decoded (at ``now``, monotonic seconds) is held, not shown."""
        if not self.holding:
            return False
        if self._started is None:
            self._started = now
        if now - self._started >= self.max_s:
            self.holding = False
            return False
        self.held += 1
        return True
