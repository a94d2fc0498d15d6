"""Data pushed into the map page: compact, JSON-ready dicts built from the domain models.

The map page receives these as JSON strings over QWebChannel (see ``commandwall/ui/map/bridge.py``) and draws
them with ``resources/web/cw-map.js``. Text fields (names, titles) are sent as plain strings: the page sets
them as ``textContent``, never as markup, and they pass through ``display_text`` first, so a bidirectional or
invisible character in a name shows as a mark on the map as it does in the widgets. Coordinates are WGS84
lon/lat rounded to 6 decimals (~0.1 m).
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np

from commandwall import i18n, localtime
from commandwall.domain.models import (
    UNIT_REPORT_STALE_S,
    UNIT_STATUS_LABELS,
    Camera,
    CameraStatus,
    Incident,
    Unit,
    UnitStatus,
    department_label,
    report_age_text,
    task_status_label,
)
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.localtime import to_display
from commandwall.textsafe import display_text

log = logging.getLogger(__name__)

_COLOUR_RE = re.compile(r"#[0-9a-fA-F]{6}")

#: Chinese names of emergency resource types (应急资源), translated where the payload is built.
RESOURCE_TYPES: dict[str, str] = {
    "hospital": QT_TRANSLATE_NOOP("map_page", "医院"),
    "fire_station": QT_TRANSLATE_NOOP("map_page", "消防站"),
    "shelter": QT_TRANSLATE_NOOP("map_page", "避难场所"),
    "depot": QT_TRANSLATE_NOOP("map_page", "物资储备库"),
}

# Statuses of an emergency resource the map knows: 可用, 使用中, 维护中, 不可用 (the page's words,
# ``resource_status_*`` in ``commandwall.mapdoc.strings``). Any other value, or none, is ``unknown`` (状态未知).
RESOURCE_STATUSES: tuple[str, ...] = ("available", "in_use", "maintenance", "unavailable")
# Longest piece of an unknown status the card shows (the platform's own words, beside 状态未知).
_STATUS_TEXT_MAX = 40

_PRECISION = 6


def _coord(value: float) -> float:
    return round(float(value), _PRECISION)


def camera_payload(camera: Camera) -> dict[str, Any]:
    """One camera as the page draws it (position, status, view sector)."""
    return {
        "id": camera.id,
        "name": display_text(camera.name),
        "lon": _coord(camera.lon),
        "lat": _coord(camera.lat),
        "status": str(camera.status),
        "kind": camera.kind,
        "town": display_text(camera.town),
        "heading": round(camera.heading, 1),
        "fov": round(camera.fov, 1),
        "range": round(camera.range_m, 1),
    }


def cameras_payload(cameras: Iterable[Camera]) -> list[dict[str, Any]]:
    """Cameras one object each (a camera's card; the map layer takes :func:`camera_columns`)."""
    return [camera_payload(c) for c in cameras]


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(array.tobytes()).decode("ascii")


#: The number columns of :func:`camera_columns`: (page name, model field, little-endian dtype).
_CAMERA_NUMBERS = (("lon", "lon", "<f8"), ("lat", "lat", "<f8"), ("heading", "heading", "<f4"),
                   ("fov", "fov", "<f4"), ("range", "range_m", "<f4"))
_CAMERA_NUMBER_FIELDS = itemgetter(*(field for _name, field, _dtype in _CAMERA_NUMBERS))


def _camera_column_texts(cameras: Sequence[Camera]) -> tuple[int, str, dict[str, str]]:
    """(n, ids joined by "\n", {column: base64}) of :func:`camera_columns`. The models' field dicts are read
    once: the five numbers of all cameras in one pass into one float64 array (sliced and narrowed per column),
    the status in a second, the ids in a third."""
    n = len(cameras)
    rows = list(map(vars, cameras))  # frozen models: their field dicts, read at C speed
    numbers = np.fromiter(chain.from_iterable(map(_CAMERA_NUMBER_FIELDS, rows)), np.float64,
                          len(_CAMERA_NUMBERS) * n).reshape(n, len(_CAMERA_NUMBERS))
    online = np.fromiter(map(CameraStatus.ONLINE.__eq__, map(itemgetter("status"), rows)), np.uint8, n)
    columns = {name: _b64(numbers[:, k].astype(dtype)) for k, (name, _field, dtype) in enumerate(_CAMERA_NUMBERS)}
    columns["online"] = _b64(online)
    return n, "\n".join(map(itemgetter("id"), rows)), columns


def camera_columns(cameras: Sequence[Camera]) -> dict[str, Any]:
    """All cameras for the map layer as columns: what the page needs to draw, select and hit-test them.

    ``ids`` is the ids joined by ``"\n"`` (an id never holds a line break); ``lon``/``lat`` are base64 of
    little-endian float64 arrays, ``online`` of uint8 (1 online, 0 offline), ``heading``/``fov``/``range`` of
    float32 — one typed array each on the page, no object per camera. Names are not sent: the page asks for
    one camera's card (:func:`camera_payload`, through ``display_text``) when the pointer rests on it.
    """
    n, ids, columns = _camera_column_texts(cameras)
    return {"n": n, "ids": ids, "lon": columns["lon"], "lat": columns["lat"], "online": columns["online"],
            "heading": columns["heading"], "fov": columns["fov"], "range": columns["range"]}


def camera_columns_json(cameras: Sequence[Camera]) -> str:
    """``to_json(camera_columns(cameras))``, the same text, made without the JSON encoder walking the base64
    columns (megabytes of characters that never need escaping): only the ids go through it."""
    n, ids, columns = _camera_column_texts(cameras)
    parts = [f'{{"n":{n},"ids":{json.dumps(ids, ensure_ascii=False)}']
    parts.extend(f',"{name}":"{columns[name]}"' for name in ("lon", "lat", "online", "heading", "fov", "range"))
    parts.append("}")
    return "".join(parts)


def incident_payload(incident: Incident) -> dict[str, Any]:
    """One incident with the labels the page shows in its tooltip (category and status in the chosen
    language)."""
    return {
        "id": incident.id,
        "title": display_text(incident.title),
        "category": incident.category,
        "category_label": display_text(incident.category_label),
        "status": str(incident.status),
        "status_label": incident.status_label,
        "priority": incident.priority,
        "lon": _coord(incident.lon),
        "lat": _coord(incident.lat),
        "town": display_text(incident.town),
        "reported_at": incident.reported_at.isoformat(),
    }


def incidents_payload(incidents: Iterable[Incident]) -> list[dict[str, Any]]:
    """All incidents for ``set_incidents``."""
    return [incident_payload(i) for i in incidents]


def _clock_text(moment: datetime) -> str:
    """``moment`` in the display zone as ``MM-DD HH:MM:SS``, by integer formatting: ``strftime`` (and a
    ``datetime`` format spec) imports ``time`` on each call, which costs dearly under PySide's import hook."""
    shown = to_display(moment)
    return (f"{shown.month:02d}-{shown.day:02d} "
            f"{shown.hour:02d}:{shown.minute:02d}:{shown.second:02d}")


def _unit_payload(unit: Unit, age_text: str) -> dict[str, Any]:
    """The payload of ``unit``: stale when ``age_text`` (how long it has been silent) is not empty."""
    status = str(unit.status)
    known = UNIT_STATUS_LABELS.get(UnitStatus(status))
    state = label = status if known is None else translate("domain", known)
    task = translate("map_page", "无任务")
    if unit.task_status is not None:  # the task it is on, as its unit reported it
        task = task_status_label(unit.task_status)
        label = translate("map_page", "{status} · 任务{task}").format(status=state, task=task)
    return {
        "id": unit.id,
        "name": display_text(unit.name),
        "department": display_text(unit.department),  # as the platform names it: the badge's colour
        "department_label": display_text(department_label(unit.department)),  # as shown
        "kind": unit.kind,
        "status": status,
        "status_label": label,
        "task_status": None if unit.task_status is None else str(unit.task_status),
        "state_label": state,  # the card's lines: availability, task, when the unit last reported
        "task_label": task,
        "reported": _clock_text(unit.updated_at),
        "stale": bool(age_text),
        "report_age": age_text,
        "lon": _coord(unit.lon),
        "lat": _coord(unit.lat),
    }


def unit_payload(unit: Unit, now: datetime | None = None) -> dict[str, Any]:
    """One field unit (力量) with its department and status; ``stale`` when it has reported nothing for over
    ``UNIT_REPORT_STALE_S`` at ``now`` (default: now), ``report_age`` then saying how long (12分钟前)."""
    now = now or localtime.now()
    return _unit_payload(unit, report_age_text(unit.report_age_s(now)) if unit.report_stale(now) else "")


def units_payload(units: Iterable[Unit], now: datetime | None = None) -> list[dict[str, Any]]:
    """All field units for ``set_units`` (stale or not at ``now``, default now)."""
    now = now or localtime.now()
    return [unit_payload(u, now) for u in units]


#: Report ages whose text :class:`UnitPayloads` keeps (by whole minutes) before it starts afresh.
_AGE_TEXTS_MAX = 4096


class UnitPayloads:
    """Each field unit's payload (:func:`unit_payload`), kept while what it is made of stays the same.

    A payload depends on the unit (the store holds a new, frozen object for every change, so the same object
    is the same unit report), whether the unit is stale and the text of its report's age (12分钟前, which
    changes once a minute at most), the language and the display zone. :meth:`payloads` hands back the held
    dict — the same object — for a unit none of these changed for, and makes a new one otherwise; ``built``
    counts the payloads made.
    """

    def __init__(self) -> None:
        self._held: dict[str, tuple[Unit, str, dict[str, Any]]] = {}  # id -> (unit, age text, payload)
        self._context: tuple[int, Any] | None = None  # (translator generation, display zone) held ones were made in
        self._age_texts: dict[int, str] = {}  # whole minutes of silence -> report_age_text
        self.built = 0

    def payloads(self, units: Iterable[Unit], now: datetime | None = None) -> list[dict[str, Any]]:
        """The payloads of ``units`` at ``now`` (default now), in their order: the held one for a unit whose
        report, stale state, age text and language are those it was made with, else a new one (then held)."""
        now = now or localtime.now()
        context = (i18n.generation(), localtime.display_tz())
        if context != self._context:
            self._context, self._held, self._age_texts = context, {}, {}
        held, ages, out = self._held, self._age_texts, []
        for unit in units:
            age_s = unit.report_age_s(now)
            age_text = ""
            if age_s > UNIT_REPORT_STALE_S:  # Unit.report_stale, with the age already at hand
                minutes = int(age_s // 60)
                age_text = ages.get(minutes, "")
                if not age_text:
                    if len(ages) >= _AGE_TEXTS_MAX:
                        ages.clear()
                    age_text = ages[minutes] = report_age_text(age_s)
            mine = held.get(unit.id)
            if mine is not None and mine[0] is unit and mine[1] == age_text:
                out.append(mine[2])
                continue
            item = _unit_payload(unit, age_text)
            held[unit.id] = (unit, age_text, item)
            self.built += 1
            out.append(item)
        return out

    def forget(self, unit_ids: Iterable[str]) -> None:
        """Drop the payloads held for these units (gone from the map)."""
        for unit_id in unit_ids:
            self._held.pop(unit_id, None)

    def keep_only(self, unit_ids: Collection[str]) -> None:
        """Drop the payloads held for units other than these (the whole set was replaced)."""
        self._held = {unit_id: mine for unit_id, mine in self._held.items() if unit_id in unit_ids}


def resource_payload(feature: Mapping[str, Any]) -> dict[str, Any] | None:
    """One emergency resource from a GeoJSON Point feature (WGS84), or None if the feature is unusable."""
    geometry = feature.get("geometry")
    props = feature.get("properties") or {}
    if not isinstance(geometry, Mapping) or geometry.get("type") != "Point" or not isinstance(props, Mapping):
        return None
    coords = geometry.get("coordinates")
    try:
        lon, lat = float(coords[0]), float(coords[1])  # type: ignore[index]
    except (TypeError, ValueError, IndexError):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    rtype = str(props.get("type") or "")
    capacity = props.get("capacity")
    rid = str(props.get("id") or feature.get("id") or "")
    status, status_text = resource_status(props.get("status"))
    return {
        "id": rid,
        "id_text": display_text(rid, 64),
        "name": display_text(props.get("name") or ""),
        "type": rtype,
        "type_label": display_text(translate("map_page", RESOURCE_TYPES[rtype]) if rtype in RESOURCE_TYPES else rtype),
        "town": display_text(props.get("town") or ""),
        "capacity": capacity
        if isinstance(capacity, int | float) and not isinstance(capacity, bool)
        else None,
        "status": status,
        "status_text": status_text,
        "lon": _coord(lon),
        "lat": _coord(lat),
    }


def resource_status(value: Any) -> tuple[str, str]:
    """(status, text) of a resource's ``status`` property: one of :data:`RESOURCE_STATUSES` and "", or
    ``unknown`` and what the platform said instead (through ``display_text``, bounded; "" when it said
    nothing), which the card shows as text beside 状态未知."""
    if isinstance(value, str) and value in RESOURCE_STATUSES:
        return value, ""
    if value is None or value == "":
        return "unknown", ""
    return "unknown", display_text(value, _STATUS_TEXT_MAX)


def resources_payload(features: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Emergency resources (应急资源) for ``set_resources``; features that are not points are skipped."""
    out: list[dict[str, Any]] = []
    skipped = 0
    for feature in features:
        item = resource_payload(feature) if isinstance(feature, Mapping) else None
        if item is None:
            skipped += 1
        else:
            out.append(item)
    if skipped:
        log.warning("skipped %d resource feature(s) without a usable Point geometry", skipped)
    return out


def _radius_km(value: Any) -> float | None:
    """A circle's radius for the page's tooltip (km, finite and above 0), or None."""
    usable = isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1e6
    return float(value) if usable else None


def warning_areas_payload(collection: Mapping[str, Any]) -> dict[str, Any]:
    """The active early warnings' areas (``WarningsController.overlays``) for the page: polygons only (a CAP
    circle arrives as its geodesic polygon, with ``radius_km``), each with ``{id, name, event, headline, severity,
    color, radius_km, pending, note}`` (``pending``: not in effect yet, ``note`` says from when); outside text
    passes through ``display_text``, a colour that is not ``#rrggbb`` becomes grey."""
    features = []
    for feature in collection.get("features") or []:
        geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
        if not isinstance(geometry, Mapping) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        props = feature.get("properties") or {}
        color = str(props.get("color") or "")
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "id": str(props.get("id") or ""),
            "name": display_text(props.get("name") or ""),
            "event": display_text(props.get("event") or ""),
            "headline": display_text(props.get("headline") or ""),
            "severity": str(props.get("severity") or "Unknown")[:20],
            "color": color if _COLOUR_RE.fullmatch(color) else "#8c8c8c",
            "radius_km": _radius_km(props.get("radius_km")),
            "pending": props.get("pending") is True,
            "note": display_text(props.get("note") or ""),
        }})
    return {"type": "FeatureCollection", "features": features}


def incident_density_payload(cells: Iterable[Mapping[str, Any]], counts: Mapping[str, int]) -> dict[str, Any]:
    """Incidents per grid cell for the choropleth: ``{cells: [{id, name, count, geometry}], max}``.

    ``cells`` are the grid layer's GeoJSON features (``properties.id``/``name``); cells without incidents are
    sent with count 0 (drawn unfilled), geometry as it is (WGS84). Names pass through ``display_text``.
    """
    out = []
    for feature in cells:
        props = feature.get("properties") or {}
        geometry = feature.get("geometry")
        if not isinstance(geometry, Mapping) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        cell_id = str(props.get("id") or "")
        out.append({"id": cell_id, "name": display_text(props.get("name") or cell_id),
                    "count": int(counts.get(cell_id, 0)), "geometry": geometry})
    return {"cells": out, "max": max((c["count"] for c in out), default=0)}


def density_cells_payload(cells: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The choropleth's cells without counts: ``{cells: [{id, name, geometry}]}``, sent to the page once (and
    again after it reloads); the counts follow in :func:`density_counts_payload`.

    ``cells`` are the grid layer's GeoJSON features as for :func:`incident_density_payload`.
    """
    return {"cells": [{key: cell[key] for key in ("id", "name", "geometry")}
                      for cell in incident_density_payload(cells, {})["cells"]]}


def density_counts_payload(cell_ids: Iterable[str], counts: Mapping[str, int]) -> dict[str, Any]:
    """Incidents per grid cell for cells the page already has (:func:`density_cells_payload`):
    ``{counts: {id: count}, max}`` with only the cells holding incidents (the others count 0)."""
    held = {cell_id: int(counts[cell_id]) for cell_id in cell_ids if counts.get(cell_id)}
    return {"counts": held, "max": max(held.values(), default=0)}


def fly_to_command(lon: float, lat: float, zoom: int = 16) -> dict[str, Any]:
    """View command: fly the map to a point."""
    return {"op": "flyTo", "lon": _coord(lon), "lat": _coord(lat), "zoom": int(zoom)}


def select_incident_command(incident_id: str) -> dict[str, Any]:
    """View command: fly to an incident and highlight it."""
    return {"op": "selectIncident", "id": incident_id}


def to_json(payload: Any) -> str:
    """Compact UTF-8 JSON text as sent over the web channel."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
