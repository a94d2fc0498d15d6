"""The exercise's cameras as a viewer lists them over its API: the online ones whose sub stream is H.264 MPEG-TS
(the wall's benchmarks and its end-to-end tests play them). No Qt here."""

from __future__ import annotations

import requests

from commandwall.demo.seed import stream_codec
from commandwall.domain.models import Camera, CameraStatus


def online_h264_cameras(base: str, count: int) -> list[Camera]:
    """``count`` online cameras of the exercise backend at ``base`` whose sub stream is H.264 MPEG-TS, as the
    platform lists them to the ``viewer`` account, with the main stream set to the sub one (every tile size plays
    the same 640×360 stream); ``ValueError`` when there are fewer."""
    with requests.Session() as http:
        login = {"username": "viewer", "password": "viewer"}
        token = http.post(f"{base}/api/v1/auth/token", json=login, timeout=10).json()["access_token"]
        body = http.get(f"{base}/api/v1/cameras", headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    cameras = [Camera.model_validate(c) for c in body["cameras"]]
    fit = [c for c in cameras if c.status is CameraStatus.ONLINE and c.streams.sub.endswith(".ts")
           and stream_codec(c.id) == "h264"]  # fmt: skip
    if len(fit) < count:
        raise ValueError(f"only {len(fit)} online H.264 cameras, {count} needed")
    return [c.model_copy(update={"streams": c.streams.model_copy(update={"main": c.streams.sub})})
            for c in fit[:count]]  # fmt: skip
