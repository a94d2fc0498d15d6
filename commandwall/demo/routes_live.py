"""Routes that stream: the SSE event feed and the camera streams (MJPEG; H.264/H.265 as MPEG-TS, HTTP-FLV, HLS)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from commandwall.demo.app import PATH_ID, ApiError, authenticated, ctx, parse_query
from commandwall.demo.events import sse_stream
from commandwall.demo.media import CLIP_FRAMES, FLV_MIMETYPE, FPS, HLS_MIMETYPE, TS_MIMETYPE
from commandwall.demo.schemas import EventsQuery
from commandwall.demo.streams import MIMETYPE, SIZES

bp = Blueprint("live", __name__)

NO_CACHE = {"Cache-Control": "no-cache, no-store", "Pragma": "no-cache", "X-Accel-Buffering": "no"}


@bp.get("/api/v1/events")
@authenticated()
def events() -> Any:
    """Server-Sent Events: incident, task, unit and camera-status changes; replays after Last-Event-ID."""
    raw = request.headers.get("Last-Event-ID") or request.args.get("last_event_id")
    last_id = parse_query(EventsQuery, {"last_event_id": raw}).last_event_id
    c = ctx()
    stream = sse_stream(c.db, c.hub, last_id, keepalive_s=c.keepalive_s)
    return Response(stream, mimetype="text/event-stream", headers=NO_CACHE)


def _check_stream(camera_id: str, variant: str) -> None:
    if variant not in SIZES:
        raise ApiError(404, "not_found", f"no stream {variant!r}; use main or sub")
    status = ctx().store.camera_status(camera_id)
    if status is None:
        raise ApiError(404, "not_found", f"camera {camera_id} not found")
    if status != "online":
        raise ApiError(503, "camera_offline", f"camera {camera_id} is offline")


@bp.get(f"/streams/<{PATH_ID}:camera_id>/<variant>.mjpg")
def mjpeg(camera_id: str, variant: str) -> Any:
    """A camera's simulated MJPEG stream; 503 while the camera is offline."""
    _check_stream(camera_id, variant)
    return Response(ctx().streams.mjpeg(camera_id, variant), content_type=MIMETYPE, headers=NO_CACHE)


def _check_coded_stream(camera_id: str, variant: str, ext: str) -> None:
    _check_stream(camera_id, variant)
    if ctx().streams.codec(camera_id) == "mjpeg":
        raise ApiError(404, "not_found", f"camera {camera_id} sends MJPEG, not .{ext}: use {variant}.mjpg")


@bp.get(f"/streams/<{PATH_ID}:camera_id>/<variant>.ts")
def mpegts(camera_id: str, variant: str) -> Any:
    """A camera's live H.264/H.265 as MPEG-TS over chunked HTTP; 404 for a camera that sends MJPEG."""
    _check_coded_stream(camera_id, variant, "ts")
    return Response(ctx().streams.live(camera_id, variant, "ts"), content_type=TS_MIMETYPE, headers=NO_CACHE)


@bp.get(f"/streams/<{PATH_ID}:camera_id>/<variant>.flv")
def flv(camera_id: str, variant: str) -> Any:
    """A camera's live H.264/H.265 as HTTP-FLV (H.265 in enhanced FLV); 404 for a camera that sends MJPEG."""
    _check_coded_stream(camera_id, variant, "flv")
    return Response(ctx().streams.live(camera_id, variant, "flv"), content_type=FLV_MIMETYPE, headers=NO_CACHE)


@bp.get(f"/streams/<{PATH_ID}:camera_id>/<variant>.m3u8")
def hls_playlist(camera_id: str, variant: str) -> Any:
    """A camera's live HLS playlist (one-second segments, a sliding window); 404 for an MJPEG camera."""
    _check_coded_stream(camera_id, variant, "m3u8")
    return Response(ctx().streams.hls_playlist(camera_id, variant), content_type=HLS_MIMETYPE, headers=NO_CACHE)


@bp.get(f"/streams/<{PATH_ID}:camera_id>/hls/<variant>/<int:number>.ts")
def hls_segment(camera_id: str, variant: str, number: int) -> Any:
    """One HLS segment (MPEG-TS); 404 when it is not complete yet or has left the window."""
    _check_coded_stream(camera_id, variant, "ts")
    segment = ctx().streams.hls_segment(camera_id, variant, number)
    if segment is None:
        raise ApiError(404, "not_found", f"segment {number} of {camera_id}/{variant} is not available")
    return Response(segment, content_type=TS_MIMETYPE, headers={"Cache-Control": "max-age=60"})


@bp.get(f"/streams/<{PATH_ID}:camera_id>/<variant>.sent")
def sent_times(camera_id: str, variant: str) -> Any:
    """When each clip frame index was last sent on this stream (``time.time()``, 0 = never): the other
    half of a latency measurement read off the picture."""
    if variant not in SIZES or ctx().store.camera_status(camera_id) is None:
        raise ApiError(404, "not_found", f"no stream {camera_id}/{variant}")
    return {"fps": FPS, "frames": CLIP_FRAMES, "sent_at": ctx().streams.clips.sent_at(camera_id, variant)}
