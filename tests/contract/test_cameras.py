"""Cameras: shape, WGS84 positions, stream URLs; real MJPEG frames; offline → 503; PTZ rights."""

from __future__ import annotations

import itertools
import json
import time

import numpy as np
import pytest

from commandwall import paths
from commandwall.demo import DemoBackend
from commandwall.domain.models import Camera
from commandwall.geo.crs import to_wgs84
from tests.contract.wire import ApiClient, MjpegReader, decode, mjpeg_frames

MANIFEST = {
    e["kind"]: e for e in json.loads((paths.layers_dir() / "manifest.json").read_text("utf-8"))["layers"]
}


def stored_cameras() -> list[dict]:
    """The cameras layer as stored (declared CRS)."""
    return json.loads((paths.layers_dir() / MANIFEST["cameras"]["file"]).read_text("utf-8"))["features"]


def cameras_by_kind(client: ApiClient, kind: str, count: int, skip: int = 0) -> list[dict]:
    """Online cameras of one kind, skipping the first ``skip`` (tests use different ones)."""
    cams = [
        c
        for c in client.get("/api/v1/cameras").json()["cameras"]
        if c["kind"] == kind and c["status"] == "online"
    ]
    assert len(cams) >= skip + count
    return cams[skip : skip + count]


def test_cameras_match_the_layer_in_wgs84(viewer: ApiClient, backend: DemoBackend) -> None:
    cameras = [Camera.model_validate(c) for c in viewer.get("/api/v1/cameras").json()["cameras"]]
    stored = stored_cameras()
    assert [c.id for c in cameras] == [f["properties"]["id"] for f in stored]
    xs = [f["geometry"]["coordinates"][0] for f in stored]
    ys = [f["geometry"]["coordinates"][1] for f in stored]
    lons, lats = to_wgs84(xs, ys, MANIFEST["cameras"]["crs"])
    assert np.allclose([c.lon for c in cameras], lons, atol=2e-6)
    assert np.allclose([c.lat for c in cameras], lats, atol=2e-6)
    first = cameras[0]
    props = stored[0]["properties"]
    assert (first.name, first.town, first.grid, first.kind) == (
        props["name"],
        props["town"],
        props["grid"],
        props["kind"],
    )
    assert first.streams.main == f"{backend.base_url}/streams/{first.id}/main.ts"
    assert first.streams.sub == f"{backend.base_url}/streams/{first.id}/sub.ts"
    by_id = {c.id: c for c in cameras}
    assert by_id["CAM-0006"].streams.sub == f"{backend.base_url}/streams/CAM-0006/sub.mjpg"  # an MJPEG camera
    coded = [c for c in cameras if c.streams.sub.endswith((".ts", ".flv", ".m3u8"))]
    assert len(coded) > 0.9 * len(cameras), "most cameras send H.264/H.265"
    assert by_id["CAM-0009"].streams.main == f"{backend.base_url}/streams/CAM-0009/main.flv"  # HTTP-FLV
    assert by_id["CAM-0014"].streams.sub == f"{backend.base_url}/streams/CAM-0014/sub.m3u8"  # HLS


@pytest.mark.parametrize(("variant", "size"), [("sub", (360, 640)), ("main", (720, 1280))])
def test_stream_delivers_changing_jpeg_frames(
    viewer: ApiClient, anon: ApiClient, backend: DemoBackend, variant: str, size: tuple[int, int]
) -> None:
    camera = cameras_by_kind(viewer, "fixed", 1)[0]
    url = f"/streams/{camera['id']}/{variant}.mjpg"  # every camera also has its MJPEG stream
    started = time.monotonic()
    with anon.get(url, stream=True) as response:
        assert response.headers["Content-Type"] == "multipart/x-mixed-replace; boundary=frame"
        frames = mjpeg_frames(response, 8)
        assert (camera["id"], variant) in backend.streams.active()
    elapsed = time.monotonic() - started
    assert len(frames) == 8
    images = [decode(f) for f in frames]
    assert all(img.shape[:2] == size for img in images)
    diffs = [float(np.abs(a.astype(int) - b.astype(int)).mean()) for a, b in itertools.pairwise(images)]
    assert min(diffs) > 0.05, f"consecutive frames should differ: {diffs}"
    assert 0.3 < elapsed < 5, f"8 frames at ~12 fps took {elapsed:.2f} s"


def test_nothing_is_rendered_without_viewers(
    viewer: ApiClient, anon: ApiClient, backend: DemoBackend
) -> None:
    camera = cameras_by_kind(viewer, "fixed", 1, skip=1)[0]
    key = (camera["id"], "sub")
    assert key not in backend.streams.active()
    with anon.get(f"/streams/{camera['id']}/sub.mjpg", stream=True) as response:
        assert len(mjpeg_frames(response, 2)) == 2
    deadline = time.monotonic() + 5
    while key in backend.streams.active() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert key not in backend.streams.active(), "the frame source should go when its last viewer leaves"


def test_offline_camera_is_503_and_ends_open_streams(
    viewer: ApiClient, anon: ApiClient, backend: DemoBackend
) -> None:
    camera = cameras_by_kind(viewer, "dome", 1, skip=2)[0]
    path = f"/streams/{camera['id']}/sub.mjpg"
    try:
        with anon.get(path, stream=True) as response:
            reader = MjpegReader(response)
            assert len(reader.frames(2)) == 2
            backend.set_camera_status(camera["id"], "offline")
            started = time.monotonic()
            rest = reader.drain()  # returns when the server ends the stream
            assert time.monotonic() - started < 3
            assert rest.endswith(b"--frame--\r\n")
        assert anon.get(path, 503).json()["error"] == "camera_offline"
        listed = {c["id"]: c for c in viewer.get("/api/v1/cameras").json()["cameras"]}
        assert listed[camera["id"]]["status"] == "offline"
    finally:
        backend.set_camera_status(camera["id"], "online")
    with anon.get(path, stream=True) as response:
        assert len(mjpeg_frames(response, 1)) == 1


def test_unknown_streams_are_404(anon: ApiClient) -> None:
    anon.get("/streams/CAM-NOPE/sub.mjpg", 404)
    anon.get("/streams/CAM-0001/hd.mjpg", 404)


def test_ptz_moves_a_ptz_camera_and_refuses_a_fixed_one(duty: ApiClient, anon: ApiClient) -> None:
    ptz = cameras_by_kind(duty, "ptz", 1)[0]
    before = duty.post(f"/api/v1/cameras/{ptz['id']}/ptz", 202, json={"action": "right", "speed": 4}).json()
    after = duty.post(f"/api/v1/cameras/{ptz['id']}/ptz", 202, json={"action": "right", "speed": 8}).json()
    assert after["position"]["pan"] > before["position"]["pan"] > 0
    fixed = cameras_by_kind(duty, "fixed", 1)[0]
    assert duty.post(f"/api/v1/cameras/{fixed['id']}/ptz", 422, json={"action": "left"}).json()["error"] == (
        "ptz_unsupported"
    )
    duty.post(f"/api/v1/cameras/{ptz['id']}/ptz", 422, json={"action": "spin"})
    duty.post(f"/api/v1/cameras/{ptz['id']}/ptz", 422, json={"action": "left", "speed": 9})
    duty.post("/api/v1/cameras/CAM-NOPE/ptz", 404, json={"action": "left"})
