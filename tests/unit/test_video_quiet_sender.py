"""A live sender that goes quiet without closing the connection (a camera that froze, a relay that lost its
source). FFmpeg's MPEG-TS demuxer holds each picture of a stream written with unbounded video PES (FFmpeg's own
default) until the next one starts, and gives the held one out when the read's timeout aborts the read: the last
picture sent before the silence came out five seconds later, and the tile took it for a new one — "live" again
for an instant, and "the picture stopped 0 s ago" when it had stopped five seconds before.

Real H.264 MPEG-TS encoded here (PyAV's mpegts muxer, unbounded video PES) and sent over HTTP on 127.0.0.1 in real
time, then nothing, the connection held open; and a server that takes the connection and never answers."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from commandwall.video.capture import PyAvCapture
from commandwall.video.decode_host import DecodeHost
from commandwall.video.failure import StreamFailure
from commandwall.video.reader import StreamReader, StreamState
from tests.unit.test_video_reader import wait_until
from tests.unit.ts_streams import PacedTsServer, encode_ts

TIMEOUT_S = 2.0  # the read timeout the tests give
#: what a picture may come after the sender's last bytes and still be one it sent: the demuxer holds the last
#: picture of an unbounded PES (its end is the next picture's start); a picture given out later came from the abort
LATE_S = 0.8


@pytest.fixture(scope="module")
def stream() -> bytes:
    """Two seconds of 25 fps H.264 in MPEG-TS with unbounded video PES."""
    return encode_ts(320, 180, seconds=2.0)


@pytest.fixture
def server(stream: bytes) -> Iterator[PacedTsServer]:
    sender = PacedTsServer(stream)
    yield sender
    sender.stop()


def test_the_picture_a_read_timeout_shakes_loose_is_not_given_out(server: PacedTsServer) -> None:
    cap = PyAvCapture(server.url, TIMEOUT_S)
    given: list[float] = []
    try:
        with pytest.raises(TimeoutError):
            for _ in range(200):  # bounded: 50 pictures are sent
                if cap.read_picture(None) is None:
                    break
                given.append(time.monotonic())
    finally:
        cap.close()
    assert server.last_sent_at is not None and given
    late = given[-1] - server.last_sent_at
    assert late < LATE_S, (
        f"a picture was given out {late:.1f} s after the sender went quiet ({len(given)} of {server.sent} sent)"
    )


@pytest.fixture
def host() -> Iterator[DecodeHost]:
    decoder = DecodeHost()
    yield decoder
    decoder.close()


@pytest.mark.parametrize("in_decoder", [False, True], ids=["reader-thread", "decoder-process"])
def test_a_quiet_sender_is_not_shown_live_again_when_its_read_times_out(
    server: PacedTsServer, host: DecodeHost, in_decoder: bool
) -> None:
    reader = StreamReader(server.url, read_timeout_s=TIMEOUT_S, decode_host=host if in_decoder else None)
    reader.start()
    try:
        assert wait_until(lambda: reader.state is StreamState.LIVE, 10.0), reader.stats()
        assert reader.stats().failure is None, "a live stream has no failure to tell"
        # the sender goes quiet after its two seconds; the read times out TIMEOUT_S later and the reader retries
        assert wait_until(lambda: reader.stats().reconnects >= 1 or reader.state is StreamState.RECONNECTING,
                          10.0), reader.stats()  # fmt: skip
        stats = reader.stats()
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(6.0)
    assert server.last_sent_at is not None and stats.last_frame_at is not None
    late = stats.last_frame_at - server.last_sent_at
    assert late < LATE_S, f"the last picture was taken {late:.1f} s after the sender went quiet: {stats}"
    assert "TimeoutError" in stats.last_error, stats.last_error
    assert stats.state is not StreamState.RECONNECTING or stats.failure is StreamFailure.TIMEOUT, stats


@pytest.fixture
def mute_server() -> Iterator[str]:
    """A TCP server on 127.0.0.1 that takes connections and never answers; yields its address."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def take() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    yield f"127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(2.0)
    for connection in held:
        connection.close()
    listener.close()


@pytest.mark.parametrize("scheme", ["rtsp", "http"])
def test_a_server_that_takes_the_connection_and_never_answers_is_a_timeout(mute_server: str, scheme: str) -> None:
    began = time.monotonic()
    with pytest.raises(TimeoutError):
        PyAvCapture(f"{scheme}://{mute_server}/live", TIMEOUT_S)
    assert time.monotonic() - began < TIMEOUT_S + 3.0
