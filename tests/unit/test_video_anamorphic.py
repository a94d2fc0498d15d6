"""Anamorphic streams (SAR ≠ 1:1): an analogue encoder's 720×576 picture has samples wider than tall (16:11 for a
4:3 picture, 64:45 for a 16:9 one). The stream states it, a decoded PyAV frame does not carry it: the wall must
show the picture at its display aspect (width × SAR : height), never squeezed to 720:576.

Real H.264 encoded here with the SAR in its bitstream, served over HTTP on 127.0.0.1 at real time, read by a
stream reader in this process and in the decoder process."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import pytest

from commandwall.video.capture import display_width, sane_sar
from commandwall.video.decode_host import DecodeHost
from commandwall.video.reader import StreamReader, StreamState
from tests.unit.test_video_reader import wait_until
from tests.unit.ts_streams import PacedTsServer, encode_ts


@pytest.fixture(scope="module")
def pal_16_11() -> bytes:
    return encode_ts(720, 576, seconds=8.0, sar=Fraction(16, 11))


@pytest.fixture(scope="module")
def pal_64_45() -> bytes:
    return encode_ts(720, 576, seconds=8.0, sar=Fraction(64, 45))


@pytest.fixture
def host() -> Iterator[DecodeHost]:
    decoder = DecodeHost()
    yield decoder
    decoder.close()


def test_a_sample_aspect_ratio_widens_the_picture_and_nonsense_is_square() -> None:
    assert display_width(720, Fraction(16, 11)) == 1047
    assert display_width(720, Fraction(64, 45)) == 1024  # 1024×576: 16:9
    assert sane_sar(Fraction(0, 1)) == 1 and sane_sar(None) == 1 and sane_sar(Fraction(100, 1)) == 1
    assert sane_sar((64, 45)) == Fraction(64, 45)
    # an infinite or undefined float (a broken container field) is as square as any other nonsense
    assert sane_sar(float("inf")) == 1 and sane_sar(float("-inf")) == 1 and sane_sar(float("nan")) == 1


def played(url: str, box: tuple[int, int] | None, host: DecodeHost | None = None):
    reader = StreamReader(url, read_timeout_s=5.0, decode_host=host)
    reader.set_display_size(box)
    reader.start()
    try:
        assert wait_until(lambda: reader.state is StreamState.LIVE and reader.seq >= 3, 20.0), reader.stats()
        return reader.latest(), reader.stats()
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(6.0)


@pytest.mark.parametrize("in_decoder", [False, True], ids=["in-process", "decoder-process"])
def test_a_16_11_stream_is_delivered_at_its_display_aspect(pal_16_11: bytes, host: DecodeHost,
                                                          in_decoder: bool) -> None:  # fmt: skip
    server = PacedTsServer(pal_16_11)
    try:
        frame, stats = played(server.url, (1200, 1200), host if in_decoder else None)
    finally:
        server.stop()
    assert frame is not None and frame.scaled
    aspect = frame.width / frame.height
    print(f"16:11 stream delivered as {frame.width}×{frame.height} ({aspect:.3f}; squeezed would be 1.250)")
    assert abs(aspect - 1047 / 576) < 0.02, (frame.width, frame.height)
    assert frame.width <= 1200 and frame.height <= 1200
    assert frame.stream_size == (720, 576) and frame.sar == Fraction(16, 11)
    assert frame.display_size == (1047, 576)
    assert stats.resolution == (720, 576) and stats.sar == Fraction(16, 11)


def test_a_64_45_stream_fills_a_16_9_box_and_its_full_picture_keeps_its_samples(pal_64_45: bytes) -> None:
    server = PacedTsServer(pal_64_45)
    try:
        frame, _stats = played(server.url, (640, 360))
        unscaled, _ = played(server.url, None)
    finally:
        server.stop()
    assert frame is not None and (frame.width, frame.height) == (640, 360), "16:9 into 16:9: no bars"
    assert unscaled is not None and not unscaled.scaled and (unscaled.width, unscaled.height) == (720, 576)
    assert unscaled.sar == Fraction(64, 45) and unscaled.display_size == (1024, 576)


def test_a_recording_of_an_anamorphic_camera_plays_at_its_display_aspect_too(pal_16_11: bytes, tmp_path) -> None:
    """A local recording goes through OpenCV, which reports the SAR as two numbers of its own."""
    path = tmp_path / "pal.ts"
    path.write_bytes(pal_16_11)
    frame, stats = played(str(path), (1200, 1200))
    assert frame is not None and frame.scaled
    assert abs(frame.width / frame.height - 1047 / 576) < 0.02, (frame.width, frame.height)
    assert stats.sar == Fraction(16, 11) and stats.resolution == (720, 576)
