"""Routes: health, login, layer catalogue and features, cameras (+PTZ), units."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, jsonify, request

from commandwall.demo.app import PATH_ID, ApiError, authenticated, ctx, parse_body, parse_query
from commandwall.demo.auth import TOKEN_TTL_S, login
from commandwall.demo.db import iso
from commandwall.demo.schemas import ItemsQuery, PtzRequest, TokenRequest
from commandwall.domain.models import Camera, CameraStatus, StreamUrls

bp = Blueprint("api", __name__)


@bp.get("/api/v1/health")
def health() -> Any:
    """Liveness, the server's clock and its data epoch."""
    return {"status": "ok", "server_time": iso(), "epoch": ctx().epoch}


@bp.post("/api/v1/auth/token")
def token() -> Any:
    """Exchange username/password for a bearer token."""
    body = parse_body(TokenRequest)
    result = login(ctx().db, body.username, body.password)
    if result is None:
        raise ApiError(401, "invalid_credentials", "wrong username or password")
    user, access_token = result
    return {
        "access_token": access_token,
        "token_type": "bearer",
        "roles": list(user.roles),
        "expires_in": TOKEN_TTL_S,
        "display_name": user.display_name,
    }


@bp.get("/api/v1/layers")
@authenticated()
def layers() -> Any:
    """The layer catalogue (cameras and units have their own endpoints)."""
    return {"layers": ctx().catalogue.catalogue()}


@bp.get(f"/api/v1/collections/<{PATH_ID}:layer_id>/items")
@authenticated()
def items(layer_id: str) -> Any:
    """Features of a layer, paged (``limit``/``offset``, ``rel=next`` link), optionally in a WGS84 bbox.

    Coordinates are as stored in layers/ — in the layer's declared CRS.
    """
    layer = ctx().catalogue.served.get(layer_id)
    if layer is None:
        raise ApiError(404, "not_found", f"no layer {layer_id!r} in the catalogue")
    query = parse_query(ItemsQuery)
    limit, offset, bbox = query.limit, query.offset, query.bbox
    selected = layer.select(bbox)
    page = [layer.features[i] for i in selected[offset : offset + limit]]
    links = [{"rel": "self", "href": request.url}]
    if offset + limit < len(selected):
        following: dict[str, Any] = {"limit": limit, "offset": offset + limit}
        if bbox is not None:
            following["bbox"] = request.args["bbox"]
        links.append({"rel": "next", "href": f"{request.base_url}?{urlencode(following)}"})
    response = jsonify(
        {
            "type": "FeatureCollection",
            "features": page,
            "numberMatched": len(selected),
            "numberReturned": len(page),
            "links": links,
        }
    )
    response.mimetype = "application/geo+json"
    return response


def camera_json(doc: dict[str, Any], status: str, base: str) -> dict[str, Any]:
    """Camera JSON per ``domain.models.Camera`` with stream URLs on this server."""
    ext = ctx().streams.protocol(doc["id"])
    streams = StreamUrls(
        main=f"{base}/streams/{doc['id']}/main.{ext}", sub=f"{base}/streams/{doc['id']}/sub.{ext}"
    )
    return Camera.model_validate({**doc, "status": status, "streams": streams}).model_dump(mode="json")


@bp.get("/api/v1/cameras")
@authenticated()
def cameras() -> Any:
    """All cameras with position, view and stream URLs."""
    base = request.host_url.rstrip("/")
    return {"cameras": [camera_json(doc, status, base) for doc, status in ctx().store.cameras()]}


@bp.post(f"/api/v1/cameras/<{PATH_ID}:camera_id>/ptz")
@authenticated(write=True)
def ptz(camera_id: str) -> Any:
    """Pan/tilt/zoom a dome or PTZ camera (its simulated picture moves)."""
    body = parse_body(PtzRequest)
    doc, status = ctx().store.camera(camera_id)
    if doc.get("kind") == "fixed":
        raise ApiError(422, "ptz_unsupported", f"camera {camera_id} is a fixed camera")
    if status != CameraStatus.ONLINE.value:
        raise ApiError(409, "camera_offline", f"camera {camera_id} is offline")
    state = ctx().streams.ptz(camera_id, body.action, body.speed)
    result = {
        "camera_id": camera_id,
        "action": body.action,
        "speed": body.speed,
        "position": {"pan": state.pan, "tilt": state.tilt, "zoom": state.zoom},
    }
    return result, 202


@bp.get("/api/v1/units")
@authenticated()
def units() -> Any:
    """Field units with position and status."""
    return {"units": [u.model_dump(mode="json") for u in ctx().store.units()]}
