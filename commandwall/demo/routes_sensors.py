"""Routes: the environmental sensors (air quality, water level) with their latest readings."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from commandwall.demo.app import ApiError, authenticated, ctx

bp = Blueprint("sensors", __name__)


@bp.get("/api/v1/sensors")
@authenticated()
def sensors() -> Any:
    """Every sensor with its readings now and their thresholds."""
    field = ctx().sensors
    if field is None:
        raise ApiError(503, "unavailable", "the exercise has no sensors")
    return {"sensors": [s.model_dump(mode="json") for s in field.sensors()]}
