"""A reader whose consumer is behind decodes every picture but converts only those the consumer can take.

Real exercise backend on 127.0.0.1 (H.264 MPEG-TS, 25 fps). The wall's tiles take each new picture within a few
milliseconds when the GUI keeps up; when it does not (16 tiles on a shared desk), converting pictures that only
replace an untaken one cost a third of a reader's CPU and interpreter-lock round trips the GUI thread waited for.
"""

from __future__ import annotations

import time

from commandwall.demo.backend import DemoBackend
from commandwall.video.reader import StreamReader, StreamState
from tests.unit.conftest import needs_clips

pytestmark = needs_clips


def watch(reader: StreamReader, seconds: float, take_every_s: float | None) -> tuple[int, int, int]:
    """Start ``reader``, let it settle, then for ``seconds`` take its picture every ``take_every_s`` (None: never);
    returns (pictures published, decoded, decoded but never taken) over that time."""
    reader.start()
    deadline = time.monotonic() + 10
    while reader.state is not StreamState.LIVE and time.monotonic() < deadline:
        time.sleep(0.01)
    assert reader.state is StreamState.LIVE, reader.stats().last_error
    time.sleep(1.0)
    before, seq = reader.stats(), reader.seq
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if take_every_s is not None:
            reader.latest()
        time.sleep(take_every_s or 0.05)
    after = reader.stats()
    return reader.seq - seq, after.frames - before.frames, after.dropped - before.dropped


def test_pictures_nobody_takes_are_decoded_but_not_converted_and_one_taken_at_once_always_is(
    backend: DemoBackend,
) -> None:
    idle = StreamReader(f"{backend.base_url}/streams/CAM-0004/sub.ts")
    busy = StreamReader(f"{backend.base_url}/streams/CAM-0005/sub.ts")
    for reader in (idle, busy):
        reader.set_display_size((480, 270))
    try:
        published, decoded, dropped = watch(idle, 3.0, None)
        print(f"untaken: {published} published of {decoded} decoded in 3 s")
        assert decoded >= 60, "every picture is still decoded (25 fps)"
        assert published <= decoded / 2, "at most one in every UNTAKEN_HOLD_S is converted"
        assert published >= 3 * 5, "but one is, every so often: a consumer that comes back gets a recent picture"
        assert dropped >= decoded - published - 2
        assert idle.stats().fps >= 20, "the rate shown is the stream's, decoded"
        picture = idle.latest()
        assert picture is not None and time.monotonic() - picture.captured_at < idle.UNTAKEN_HOLD_S + 0.1

        published, decoded, _ = watch(busy, 3.0, 0.005)
        print(f"taken at once: {published} published of {decoded} decoded in 3 s")
        assert decoded >= 60 and published >= decoded - 3, "a consumer that keeps up gets every picture"
    finally:
        for reader in (idle, busy):
            reader.stop(timeout_s=0)
        assert idle.join(6.0) and busy.join(6.0)
