"""A platform's camera list comes whole in one answer: a city's (60 000 cameras, ~21 MB) is read, where the 16 MiB
cap of other lists refused every camera over ~46 000. Other lists keep their cap. A real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask, Response, jsonify

from commandwall.backend.api import PlatformClient
from commandwall.backend.errors import MalformedAnswerError

from .backend_support import LocalServer

CAMERAS = 60_000


def camera(n: int) -> dict:
    return {"id": f"CAM-{n:06d}", "name": f"薛城区某某街道某某路与某某路交叉口{n}号", "town": "临城街道",
            "lon": 117.2 + (n % 300) * 0.0007, "lat": 34.7 + (n // 300) * 0.0007, "heading": 90, "fov": 60,
            "range_m": 120, "status": "online", "kind": "gun",
            "streams": {"main": f"rtsp://10.20.{n // 250 % 250}.{n % 250}:554/Streaming/Channels/101",
                        "sub": f"rtsp://10.20.{n // 250 % 250}.{n % 250}:554/Streaming/Channels/102"}}  # fmt: skip


@pytest.fixture(scope="module")
def city() -> Iterator[LocalServer]:
    cameras = json.dumps({"cameras": [camera(n) for n in range(CAMERAS)]}, ensure_ascii=False).encode()
    units = json.dumps({"units": [{"id": f"U-{n}", "name": "巡" * 50, "department": "公安", "lon": 117.3,
                                   "lat": 34.8, "updated_at": "2026-12-05T03:00:00Z", "pad": "x" * 400}
                                  for n in range(40_000)]}).encode()  # fmt: skip
    assert len(cameras) > 16 * 1024 * 1024 and len(units) > 16 * 1024 * 1024
    app = Flask("city")

    @app.post("/api/v1/auth/token")
    def token():
        return jsonify(access_token="t0ken", roles=["duty_officer"])

    @app.get("/api/v1/cameras")
    def cameras_answer():
        return Response(cameras, mimetype="application/json")

    @app.get("/api/v1/units")
    def units_answer():
        return Response(units, mimetype="application/json")

    with LocalServer(app) as server:
        yield server


def test_a_city_wide_camera_list_is_read_whole(city: LocalServer) -> None:
    client = PlatformClient(city.base_url, "duty", "duty", timeout=30, retries=0)
    try:
        cameras = client.cameras()
    finally:
        client.close()
    assert len(cameras) == CAMERAS and cameras[-1].id == f"CAM-{CAMERAS - 1:06d}"


def test_other_lists_keep_their_cap(city: LocalServer) -> None:
    client = PlatformClient(city.base_url, "duty", "duty", timeout=30, retries=0)
    try:
        with pytest.raises(MalformedAnswerError, match="larger than"):
            client.units()
    finally:
        client.close()
