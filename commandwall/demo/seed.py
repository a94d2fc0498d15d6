"""First-start content of the exercise database: users, cameras and units from the layers, and a
morning's worth of open incidents in mixed states (some already dispatched to units)."""

from __future__ import annotations

import logging
import random
import uuid
from datetime import timedelta
from typing import Any

from commandwall.demo.auth import seed_users
from commandwall.demo.db import iso, now
from commandwall.demo.geography import Geography
from commandwall.demo.layerdata import LayerCatalogue
from commandwall.demo.scenarios import DEPARTMENTS, draft_incident
from commandwall.demo.store import Store
from commandwall.domain.models import Unit

log = logging.getLogger(__name__)

#: Workflow actions applied to the seeded incidents, in turn, to get mixed states.
SEED_PATHS: list[list[str]] = [
    [],
    [],
    ["accept"],
    ["dispatch"],
    ["accept", "verify"],
    ["accept", "return"],
    ["accept", "verify", "dispatch", "start"],
    ["dispatch", "resolve"],
    ["escalate"],
    ["accept", "verify", "dispatch"],
    ["merge"],  # a duplicate of the first incident
]
#: What the seeded transitions say in the timeline (退回 needs a reason).
SEED_NOTES = {
    "return": "信息不全：请补充现场照片和具体门牌号后重新上报",
    "verify": "经视频核实，情况属实",
    "merge": "与先前上报的事件重复",
}
SEED_INCIDENTS = 15


def _point(feature: dict[str, Any]) -> tuple[float, float]:
    lon, lat = feature["geometry"]["coordinates"][:2]
    return round(float(lon), 6), round(float(lat), 6)


#: Cameras that send H.265 (the rest send H.264, or MJPEG: see :func:`stream_codec`).
HEVC_CAMERAS = frozenset({"CAM-0003", "CAM-0011"})


def stream_codec(camera_id: str) -> str:
    """What an exercise camera sends: ``"hevc"`` (two cameras), ``"mjpeg"`` (an old encoder: one camera in
    25, CAM-0006, CAM-0031 …) or ``"h264"`` (all the others, as most platform streams are)."""
    if camera_id in HEVC_CAMERAS:
        return "hevc"
    digits = camera_id.rpartition("-")[2]
    if digits.isdigit() and int(digits) % 25 == 6:
        return "mjpeg"
    return "h264"


def stream_protocol(camera_id: str) -> str:
    """The URL the platform hands out for an exercise camera, as the extension of its stream path: ``mjpg``
    (the MJPEG cameras), ``flv`` (HTTP-FLV, one H.264 camera in 25: CAM-0009, CAM-0034 …), ``m3u8`` (HLS,
    one in 25: CAM-0014, CAM-0039 …) or ``ts`` (MPEG-TS over HTTP, all the others). Every H.264/H.265
    camera serves all three containers, as a media server does; this is only the one its record names."""
    codec = stream_codec(camera_id)
    if codec == "mjpeg":
        return "mjpg"
    digits = camera_id.rpartition("-")[2]
    if codec == "h264" and digits.isdigit():
        return {9: "flv", 14: "m3u8"}.get(int(digits) % 25, "ts")
    return "ts"


def camera_docs(catalogue: LayerCatalogue) -> list[dict[str, Any]]:
    """Camera fields (without streams/status) from the cameras layers, WGS84."""
    docs: list[dict[str, Any]] = []
    for layer in catalogue.of_kind("cameras"):
        for f in layer.features:
            p = f.get("properties") or {}
            lon, lat = _point(f)
            docs.append(
                {
                    "id": str(p["id"]),
                    "name": str(p.get("name", p["id"])),
                    "lon": lon,
                    "lat": lat,
                    "town": str(p.get("town", "")),
                    "grid": str(p.get("grid", "")),
                    "kind": str(p.get("kind", "fixed")),
                    "heading": float(p.get("heading", 0.0)),
                    "fov": float(p.get("fov", 60.0)),
                    "range_m": float(p.get("range_m", 150.0)),
                }
            )
    return docs


def units_from_layers(catalogue: LayerCatalogue) -> list[Unit]:
    """Field units from the units layers, all available, WGS84."""
    t = now()
    units: list[Unit] = []
    for layer in catalogue.of_kind("units"):
        for f in layer.features:
            p = f.get("properties") or {}
            lon, lat = _point(f)
            units.append(
                Unit(
                    id=str(p["id"]),
                    name=str(p.get("name", p["id"])),
                    department=str(p.get("department", "")),
                    kind=str(p.get("kind", "patrol")),
                    lon=lon,
                    lat=lat,
                    updated_at=t,
                )
            )
    return units


def seed_database(store: Store, catalogue: LayerCatalogue, geo: Geography, rng: random.Random) -> bool:
    """Fill an empty database; returns False (and does nothing) if it was seeded before."""
    if store.db.meta("seeded_at"):
        return False
    seed_users(store.db)
    cameras = camera_docs(catalogue)
    units = units_from_layers(catalogue)
    store.add_cameras(cameras)
    store.add_units(units)
    seed_incidents(store, geo, rng, units, SEED_INCIDENTS)
    store.db.set_meta("seeded_at", iso())
    log.info("seeded %d cameras, %d units, %d incidents", len(cameras), len(units), SEED_INCIDENTS)
    return True


def seed_incidents(store: Store, geo: Geography, rng: random.Random, units: list[Unit], count: int) -> None:
    """Create ``count`` incidents reported over the last hours and move them along the workflow."""
    start = now() - timedelta(hours=3)
    first: str | None = None
    for i in range(count):
        fields = draft_incident(rng, geo)
        fields["reported_at"] = start + timedelta(minutes=12 * i + rng.randint(0, 10))
        incident = store.add_incident(fields)
        first = first or incident.id
        for action in SEED_PATHS[i % len(SEED_PATHS)]:
            if action == "dispatch":
                dept = DEPARTMENTS[incident.category]
                candidates = [u for u in units if u.department == dept] or units
                unit = rng.choice(candidates) if candidates else None
                body = {
                    "incident_id": incident.id,
                    "unit_id": unit.id if unit else None,
                    "department": dept,
                    "instructions": "请尽快到场核实处置并反馈。",
                    "priority": incident.priority,
                }
                store.create_task(body, f"seed-{uuid.UUID(int=rng.getrandbits(128))}", "seed", "system")
            else:
                into = first if action == "merge" else None
                store.transition(incident.id, action, incident.version, SEED_NOTES.get(action, ""), "system",
                                 into=into)
            incident = store.incident(incident.id)
