"""降帧 on a real exercise H.264 stream: key frames only, while playing, and back to every frame."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from commandwall.demo.backend import DemoBackend
from commandwall.demo.media import GOP, read_index_code
from commandwall.demo.seed import stream_codec
from commandwall.paths import exercise_clips_dir
from commandwall.video.reader import StreamReader, StreamState
from tests.unit.test_video_reader import wait_until

pytestmark = pytest.mark.skipif(
    not (exercise_clips_dir() / "manifest.json").is_file(), reason="no exercise clips: run `make clips`"
)
CAMERA = next(f"CAM-{i:04d}" for i in range(1, 60) if stream_codec(f"CAM-{i:04d}") == "h264")


@pytest.fixture(scope="module")
def reader() -> Iterator[StreamReader]:
    """A PyAV reader of one exercise H.264 sub stream (no simulator)."""
    with DemoBackend(seed=7, simulate=False) as backend:
        reader = StreamReader(f"{backend.base_url}/streams/{CAMERA}/sub.ts", camera_id=CAMERA).start()
        try:
            assert wait_until(lambda: reader.state is StreamState.LIVE, 20.0), reader.stats().last_error
            yield reader
        finally:
            reader.stop(timeout_s=0)
            assert reader.join(8.0)


def indexes(reader: StreamReader, seconds: float) -> tuple[list[int], float]:
    """The frame indexes burned into the pictures the reader published over ``seconds``, and its fps."""
    seen: list[int] = []
    last = reader.seq
    frames0, t0 = reader.stats().frames, time.monotonic()
    while time.monotonic() - t0 < seconds:
        frame = reader.latest()
        if frame is not None and frame.seq != last:
            last = frame.seq
            index = read_index_code(frame.image)
            if index is not None:
                seen.append(index)
        time.sleep(0.005)
    return seen, (reader.stats().frames - frames0) / (time.monotonic() - t0)


def _latest_index(reader: StreamReader, after_seq: int) -> int | None:
    """The index burned into the reader's newest picture, if it was published after ``after_seq``."""
    frame = reader.latest()
    return read_index_code(frame.image) if frame is not None and frame.seq > after_seq else None


def test_key_frames_only_while_playing_and_back(reader: StreamReader) -> None:
    full, full_fps = indexes(reader, 1.5)
    assert full_fps > 15 and any(i % GOP for i in full), "every frame decodes at first"

    asked = reader.seq
    reader.set_key_frames_only(True)
    assert reader.stats().key_frames_only
    # the frames in flight when it was asked come first: from the next key frame on, only key frames
    assert wait_until(lambda: (index := _latest_index(reader, asked)) is not None and index % GOP == 0, 3.0)
    keyed, keyed_fps = indexes(reader, 2.5)
    assert keyed and all(i % GOP == 0 for i in keyed), f"only key frames (GOP {GOP}): {keyed}"
    assert 0.4 < keyed_fps < 2.0, f"about one picture a second, got {keyed_fps:.1f}"

    reader.set_key_frames_only(False)
    assert not reader.stats().key_frames_only
    back, _ = indexes(reader, 2.0)
    assert back and back[0] % GOP == 0, f"back to every frame from a key frame on: {back[:3]}"
    assert any(i % GOP for i in back)
    _, back_fps = indexes(reader, 2.0)
    assert back_fps > 15
