"""The exercise backend's H.264/H.265 cameras: pre-encoded loops sent in real time as MPEG-TS and HTTP-FLV over
HTTP, and as HLS.

Real backend on 127.0.0.1, decoded with PyAV: the codec is what the camera list promises, the picture's
burned-in index advances one per frame from a key frame, the server records when it sent each index, and
an offline camera ends its stream.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
import requests

from commandwall.demo.backend import DemoBackend
from commandwall.demo.media import CLIP_FRAMES, GOP, HLS_KEEP, HLS_WINDOW, SIZES, draw_index_code, read_index_code
from commandwall.demo.seed import stream_codec, stream_protocol
from commandwall.video.capture import PyAvCapture
from tests.unit.conftest import needs_clips

pytestmark = needs_clips


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


def test_records_name_ts_for_most_cameras_and_flv_hls_for_a_few() -> None:
    protocols = [stream_protocol(f"CAM-{i:04d}") for i in range(1, 1516)]
    assert protocols.count("ts") > 0.8 * len(protocols)
    for ext in ("flv", "m3u8", "mjpg"):
        assert 0 < protocols.count(ext) < 0.1 * len(protocols), ext
    assert stream_protocol("CAM-0003") == "ts" and stream_protocol("CAM-0006") == "mjpg"


@pytest.mark.parametrize(("camera_id", "codec", "variant", "ext"), [
    ("CAM-0001", "h264", "sub", "ts"), ("CAM-0003", "hevc", "sub", "ts"), ("CAM-0002", "h264", "main", "ts"),
    ("CAM-0009", "h264", "sub", "flv"), ("CAM-0003", "hevc", "sub", "flv"), ("CAM-0002", "h264", "main", "flv"),
])  # fmt: skip
def test_live_stream_decodes_and_its_frames_advance(
    backend: DemoBackend, camera_id: str, codec: str, variant: str, ext: str
) -> None:
    url = f"{backend.base_url}/streams/{camera_id}/{variant}.{ext}"
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
    for ext in ("ts", "flv", "m3u8"):
        assert requests.get(f"{backend.base_url}/streams/CAM-0006/sub.{ext}", timeout=5).status_code == 404
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


def _playlist(backend: DemoBackend, camera_id: str, variant: str = "sub") -> tuple[int, list[str]]:
    response = requests.get(f"{backend.base_url}/streams/{camera_id}/{variant}.m3u8", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.apple.mpegurl"
    lines = response.text.splitlines()
    assert lines[0] == "#EXTM3U" and "#EXT-X-ENDLIST" not in lines, "a live playlist"
    sequence = int(next(line for line in lines if line.startswith("#EXT-X-MEDIA-SEQUENCE:")).split(":")[1])
    return sequence, [line for line in lines if line and not line.startswith("#")]


def test_hls_playlist_slides_and_segments_start_on_key_frames(backend: DemoBackend) -> None:
    camera = "CAM-0014"
    # a full window first (a segment a second: at most HLS_WINDOW + 1 seconds after the backend started), so the
    # checks below hold whatever order the module's tests run in
    deadline = time.monotonic() + HLS_WINDOW + 6
    sequence, uris = _playlist(backend, camera)
    while (sequence == 0 or len(uris) < 2) and time.monotonic() < deadline:
        time.sleep(0.2)
        sequence, uris = _playlist(backend, camera)
    assert sequence > 0 and len(uris) >= 2, f"the window has slid past the first segment: {sequence}, {uris}"
    assert len(uris) <= HLS_WINDOW
    assert uris == [f"hls/sub/{sequence + k}.ts" for k in range(len(uris))], "numbered on from the sequence"
    newest = sequence + len(uris) - 1
    base = f"{backend.base_url}/streams/{camera}/"
    indices = []
    for uri in uris[-2:]:
        segment = requests.get(base + uri, timeout=5)
        assert segment.status_code == 200 and segment.headers["Content-Type"] == "video/mp2t"
        with av_open(segment.content) as container:
            frames = [read_index_code(f.to_ndarray(format="bgr24")) for f in container.decode(video=0)]
        assert len(frames) == GOP and frames[0] % GOP == 0, frames
        assert {(b - a) % CLIP_FRAMES for a, b in itertools.pairwise(frames)} == {1}
        indices.append(frames[0])
    assert (indices[1] - indices[0]) % CLIP_FRAMES == GOP, "consecutive segments are consecutive seconds"
    assert requests.get(f"{base}hls/sub/{newest + 2}.ts", timeout=5).status_code == 404, "not complete yet"
    assert requests.get(f"{base}hls/sub/{newest + HLS_KEEP + 5}.ts", timeout=5).status_code == 404
    deadline = time.monotonic() + 5
    while _playlist(backend, camera)[0] == sequence and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _playlist(backend, camera)[0] > sequence, "the window moves on with time"


@pytest.mark.parametrize(("camera_id", "codec"), [("CAM-0014", "h264"), ("CAM-0003", "hevc")])
def test_hls_plays_through_the_reader(backend: DemoBackend, camera_id: str, codec: str) -> None:
    capture = PyAvCapture(f"{backend.base_url}/streams/{camera_id}/sub.m3u8", 5.0)
    try:
        assert capture.codec == codec
        indices = []
        for _ in range(2 * GOP):  # more than the playlist's newest segment: new segments are fetched live
            image = capture.read()
            assert image is not None and image.shape[:2] == SIZES["sub"][::-1]
            indices.append(read_index_code(image))
    finally:
        capture.close()
    assert None not in indices
    assert {(b - a) % CLIP_FRAMES for a, b in itertools.pairwise(indices)} == {1}, "no gap between segments"


def test_offline_camera_ends_its_flv_stream_and_its_playlist(backend: DemoBackend) -> None:
    camera = "CAM-0034"
    try:
        with requests.get(f"{backend.base_url}/streams/{camera}/sub.flv", stream=True, timeout=5) as response:
            assert response.headers["Content-Type"] == "video/x-flv"
            chunks = response.iter_content(4096)
            assert next(chunks).startswith(b"FLV")
            backend.set_camera_status(camera, "offline")
            started = time.monotonic()
            for _ in chunks:
                assert time.monotonic() - started < 3, "the stream should end when the camera goes offline"
        assert requests.get(f"{backend.base_url}/streams/{camera}/sub.m3u8", timeout=5).status_code == 503
    finally:
        backend.set_camera_status(camera, "online")


def av_open(data: bytes):
    """A PyAV container reading ``data`` from memory."""
    import io

    import av

    return av.open(io.BytesIO(data))
