"""The exercise backend's H.264/H.265 cameras: pre-encoded loops sent in real time as MPEG-TS over HTTP.

Real backend on 127.0.0.1, decoded with PyAV: the codec is what the camera list promises, the picture's
burned-in index advances one per frame from a key frame, the server records when it sent each index, and
an offline camera ends its stream.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import numpy as np
import pytest
import requests

from commandwall.demo.backend import DemoBackend
from commandwall.demo.media import CLIP_FRAMES, GOP, SIZES, draw_index_code, read_index_code
from commandwall.demo.seed import stream_codec
from commandwall.paths import exercise_clips_dir
from commandwall.video.capture import PyAvCapture

pytestmark = pytest.mark.skipif(
    not (exercise_clips_dir() / "manifest.json").is_file(), reason="no exercise clips: run `make clips`"
)


@pytest.fixture(scope="module")
def backend() -> Iterator[DemoBackend]:
    """One exercise backend for the module (no simulator)."""
    with DemoBackend(seed=7, simulate=False) as running:
        yield running


@pytest.mark.parametrize("size", [(640, 360), (1280, 720), (160, 90)])
def test_index_code_reads_back_at_any_size(size: tuple[int, int]) -> None:
    width, height = size
    for index in (0, 1, 137, 249, 4095):
        image = np.full((height, width, 3), 120, np.uint8)
        draw_index_code(image, index)
        assert read_index_code(image) == index
    assert read_index_code(np.full((height, width, 3), 120, np.uint8)) is None, "a grey picture has no code"
    with pytest.raises(ValueError, match="does not fit"):
        draw_index_code(image, 4096)


def test_cameras_send_h264_a_few_hevc_or_mjpeg() -> None:
    codecs = [stream_codec(f"CAM-{i:04d}") for i in range(1, 1516)]
    assert codecs.count("hevc") == 2
    assert 0 < codecs.count("mjpeg") < 0.1 * len(codecs)
    assert codecs.count("h264") > 0.9 * len(codecs)


@pytest.mark.parametrize(("camera_id", "codec", "variant"), [
    ("CAM-0001", "h264", "sub"), ("CAM-0003", "hevc", "sub"), ("CAM-0002", "h264", "main"),
])  # fmt: skip
def test_ts_stream_decodes_and_its_frames_advance(
    backend: DemoBackend, camera_id: str, codec: str, variant: str
) -> None:
    url = f"{backend.base_url}/streams/{camera_id}/{variant}.ts"
    capture = PyAvCapture(url, 5.0)
    try:
        assert capture.codec == codec
        started = time.monotonic()
        indices = []
        for _ in range(40):
            image = capture.read()
            assert image is not None
            assert image.shape[:2] == SIZES[variant][::-1]
            indices.append(read_index_code(image))
        elapsed = time.monotonic() - started
    finally:
        capture.close()
    assert None not in indices, f"every frame carries its index: {indices}"
    assert indices[0] % GOP == 0, "a new viewer starts on a key frame"
    steps = {(b - a) % CLIP_FRAMES for a, b in itertools.pairwise(indices)}
    assert steps == {1}, f"one frame after the other, looping: {indices}"
    assert elapsed < 40 / 25 + 1.5, f"40 frames took {elapsed:.2f} s: paced in real time, no slower"
    sent = requests.get(f"{backend.base_url}/streams/{camera_id}/{variant}.sent", timeout=5).json()["sent_at"]
    assert all(sent[i] > time.time() - 30 for i in indices), "the server recorded when it sent each frame"


def test_paced_in_real_time(backend: DemoBackend) -> None:
    """After the first group of pictures, frames come at 25 per second, not as fast as the socket allows."""
    capture = PyAvCapture(f"{backend.base_url}/streams/CAM-0004/sub.ts", 5.0)
    try:
        for _ in range(GOP):  # the burst is at most one GOP
            assert capture.read() is not None
        started = time.monotonic()
        for _ in range(50):
            assert capture.read() is not None
        elapsed = time.monotonic() - started
    finally:
        capture.close()
    assert 1.6 < elapsed < 3.0, f"50 frames in {elapsed:.2f} s (2.0 s at 25 fps)"


def test_mjpeg_camera_has_no_ts_and_unknown_is_404(backend: DemoBackend) -> None:
    assert requests.get(f"{backend.base_url}/streams/CAM-0006/sub.ts", timeout=5).status_code == 404
    assert requests.get(f"{backend.base_url}/streams/CAM-NOPE/sub.ts", timeout=5).status_code == 404
    assert requests.get(f"{backend.base_url}/streams/CAM-0001/hd.ts", timeout=5).status_code == 404
    assert requests.get(f"{backend.base_url}/streams/CAM-NOPE/sub.sent", timeout=5).status_code == 404


def test_offline_camera_ends_its_ts_stream(backend: DemoBackend) -> None:
    camera = "CAM-0005"
    url = f"{backend.base_url}/streams/{camera}/sub.ts"
    try:
        with requests.get(url, stream=True, timeout=5) as response:
            assert response.headers["Content-Type"] == "video/mp2t"
            chunks = response.iter_content(4096)
            assert next(chunks)
            backend.set_camera_status(camera, "offline")
            started = time.monotonic()
            for _ in chunks:  # drains until the server ends the stream
                assert time.monotonic() - started < 3, "the stream should end when the camera goes offline"
        assert requests.get(url, timeout=5).status_code == 503
    finally:
        backend.set_camera_status(camera, "online")
