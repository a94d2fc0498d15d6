"""Local video files (OpenCV's reader): played at their own frame rate rather than as fast as they decode, and
scaled on the reader thread when a display size is set."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from commandwall.backoff import Backoff
from commandwall.video.reader import StreamReader, StreamState
from tests.unit.test_video_mjpeg import decode_index, draw_frame

FPS = 25
FRAMES = 250  # ten seconds at its own rate; a fraction of a second to decode


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 320×180 Motion-JPEG AVI of FRAMES numbered pictures at FPS."""
    path = tmp_path_factory.mktemp("clip") / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), FPS, (320, 180))
    assert writer.isOpened()
    for index in range(FRAMES):
        writer.write(draw_frame(index, 320, 180))
    writer.release()
    return path


def wait_until(predicate, timeout_s: float = 10.0) -> bool:
    """Poll every 20 ms until ``predicate`` holds or the time is up."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.mark.parametrize("decoder", ["auto", "pyav"])
def test_a_local_file_plays_at_its_frame_rate(clip: Path, decoder: str) -> None:
    """Counted over a window of about two seconds: roughly 50 pictures (25 fps), not the whole file; with
    either decoder (OpenCV's by default, PyAV's when asked for: paced by the pictures' timestamps)."""
    import time

    reader = StreamReader(str(clip), backoff=Backoff(initial_s=0.1, maximum_s=0.2), decoder=decoder).start()
    try:
        assert wait_until(lambda: reader.state is StreamState.LIVE)
        start, t0 = reader.stats().frames, time.monotonic()
        time.sleep(2.0)
        count, span = reader.stats().frames - start, time.monotonic() - t0
        assert 0.5 * FPS * span <= count <= 1.6 * FPS * span, f"{count} pictures in {span:.1f} s"
        assert reader.stats().reconnects == 0, "the file did not run out: it is not played fast-forward"
        assert reader.stats().nominal_fps == FPS
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(6.0)


def test_a_local_file_is_scaled_on_the_reader_thread(clip: Path) -> None:
    """With a display size the frames come as BGRX of that size; the full picture is still 320×180 BGR."""
    reader = StreamReader(str(clip)).start()
    try:
        reader.set_display_size((160, 160))
        assert wait_until(lambda: (f := reader.latest()) is not None and f.scaled)
        frame = reader.latest()
        assert frame is not None and frame.image.shape == (90, 160, 4)
        assert int(frame.image[:, :, 3].min()) == 255
        full = frame.full_image()
        assert full.shape == (180, 320, 3) and frame.stream_size == (320, 180)
        assert reader.stats().resolution == (320, 180)
        assert 0 <= decode_index(full) < FRAMES
        assert np.abs(cv2.resize(full, (160, 90), interpolation=cv2.INTER_AREA).astype(int)
                      - frame.image[:, :, :3].astype(int)).mean() < 3  # fmt: skip
        reader.set_display_size(None)
        assert wait_until(lambda: (f := reader.latest()) is not None and not f.scaled)
        assert reader.latest().image.shape == (180, 320, 3)  # type: ignore[union-attr]
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(6.0)
