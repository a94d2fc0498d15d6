"""The exercise's cameras as a viewer lists them over its API: the online ones whose sub stream is H.264 MPEG-TS
(the wall's benchmarks and its end-to-end tests play them). No Qt here."""

from __future__ import annotations

from commandwall.backend.api import PlatformClient
from commandwall.demo.seed import stream_codec
from commandwall.domain.models import Camera, CameraStatus


def online_h264_cameras(base: str, count: int) -> list[Camera]:
    """``count`` online cameras of the exercise backend at ``base`` whose sub stream is H.264 MPEG-TS, as the
    platform lists them to the ``viewer`` account (through the client's own :class:`PlatformClient`: its login,
    bounded reads and validation), with the main stream set to the sub one (every tile size plays the same 640×360
    stream); ``ValueError`` when there are fewer."""
    client = PlatformClient(base, "viewer", "viewer", timeout=10.0)
    try:
        client.login()
        cameras = client.cameras()
    finally:
        client.close()
    fit = [c for c in cameras if c.status is CameraStatus.ONLINE and c.streams.sub.endswith(".ts")
           and stream_codec(c.id) == "h264"]  # fmt: skip
    if len(fit) < count:
        raise ValueError(f"only {len(fit)} online H.264 cameras, {count} needed")
    return [c.model_copy(update={"streams": c.streams.model_copy(update={"main": c.streams.sub})})
            for c in fit[:count]]  # fmt: skip
