"""CAP 1.2 early warnings (预警信息, OASIS Common Alerting Protocol, the structure GB/T 35965.1 follows), read
safely.

:func:`parse_cap` takes the bytes of one ``<alert>`` and gives a :class:`CapAlert` or raises
:class:`CapError` with a sentence saying what is wrong — never anything else, whatever the input. The XML is
parsed by ``defusedxml`` (no DTDs, no entity expansion, no external references: a billion-laughs or XXE
document is refused) and only after a size check. Only what the client uses is read: identity and
references (Update and Cancel name the alerts they replace), the first ``<info>`` (Chinese preferred),
its times and texts, and its areas' polygons and circles. CAP writes a polygon as ``lat,lon`` pairs and a
circle as ``lat,lon radius`` (kilometres); here every coordinate is ``(lon, lat)``, as in GeoJSON. A circle
becomes a polygon where one is needed (:meth:`CapCircle.ring`: points on the WGS84 ellipsoid at the radius
from the centre, pyproj's geodesic). Texts are kept as sent: show them through ``display_text``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from pyproj import Geod

NS = "urn:oasis:names:tc:emergency:cap:1.2"
#: Largest alert document read (a real one is a few kB).
MAX_BYTES = 512 * 1024
#: Limits on what one alert may hold.
MAX_AREAS = 64
MAX_POINTS = 5000
MAX_TEXT = 4000
MAX_CIRCLES = 64
#: Largest circle radius taken (km): a warning wider than a province is not a circle anyone means.
MAX_CIRCLE_RADIUS_KM = 500.0
#: Years a CAP time may name (an alert sent in year 1 or 9999 is broken, and cannot even be shown in local time).
YEARS = range(2000, 2201)
#: Points of the polygon a circle is drawn and tested as (one every 5°).
CIRCLE_POINTS = 72
_GEOD = Geod(ellps="WGS84")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")

Ring = tuple[tuple[float, float], ...]


class CapError(ValueError):
    """A CAP document that cannot be used; the message says why (in English, for the log and the report)."""


@dataclass(frozen=True)
class CapCircle:
    """One ``<circle>``: its centre ``(lon, lat)`` and radius in kilometres."""

    lon: float
    lat: float
    radius_km: float

    def ring(self, points: int = CIRCLE_POINTS) -> Ring:
        """The circle as a closed ring of ``(lon, lat)``: ``points`` points on the ellipsoid at the radius from
        the centre (geodesic, so it stays round on the ground at any latitude)."""
        azimuths = [360.0 * i / points for i in range(points)]
        lons, lats, _ = _GEOD.fwd([self.lon] * points, [self.lat] * points, azimuths,
                                  [self.radius_km * 1000.0] * points)
        ring = [(round(lon, 7), round(lat, 7)) for lon, lat in zip(lons, lats, strict=True)]
        return (*ring, ring[0])


@dataclass(frozen=True)
class CapArea:
    """One ``<area>``: its description, polygons as closed rings of ``(lon, lat)`` and circles."""

    description: str
    polygons: tuple[Ring, ...] = ()
    circles: tuple[CapCircle, ...] = ()

    def rings(self) -> tuple[Ring, ...]:
        """Every shape of the area as a closed ring of ``(lon, lat)``: the polygons, then the circles."""
        return self.polygons + tuple(circle.ring() for circle in self.circles)


@dataclass(frozen=True)
class CapAlert:
    """One CAP alert as the client uses it. ``key`` is ``(sender, identifier)``; ``references`` holds the keys
    of the earlier alerts an Update or Cancel replaces."""

    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    references: tuple[tuple[str, str], ...] = ()
    event: str = ""
    severity: str = "Unknown"
    urgency: str = "Unknown"
    headline: str = ""
    description: str = ""
    instruction: str = ""
    sender_name: str = ""
    effective: datetime | None = None
    expires: datetime | None = None
    areas: tuple[CapArea, ...] = field(default=())

    @property
    def key(self) -> tuple[str, str]:
        """What other alerts' ``<references>`` call this one."""
        return self.sender, self.identifier

    def expired(self, now: datetime) -> bool:
        """Whether its ``expires`` time has passed."""
        return self.expires is not None and now >= self.expires


def _text(parent: Element, name: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    node = parent.find(f"{{{NS}}}{name}")
    value = (node.text or "").strip() if node is not None else ""
    if required and not value:
        raise CapError(f"<{name}> is missing or empty")
    return value[:limit]


def _time(parent: Element, name: str, *, required: bool = False) -> datetime | None:
    value = _text(parent, name, required=required, limit=64)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CapError(f"<{name}> is not a date-time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise CapError(f"<{name}> has no time zone: {value[:40]!r}")
    if moment.year not in YEARS:
        raise CapError(f"<{name}> is not between {YEARS[0]} and {YEARS[-1]}: {value[:40]!r}")
    return moment


def parse_polygon(text: str) -> Ring:
    """A CAP ``<polygon>`` (``lat,lon lat,lon …``, closed) as a closed ring of ``(lon, lat)``; CapError if it
    is not one (fewer than four points, a number out of range, not closed)."""
    points: list[tuple[float, float]] = []
    for pair in text.split():
        lat_text, sep, lon_text = pair.partition(",")
        try:
            lat, lon = float(lat_text), float(lon_text)
        except ValueError:
            raise CapError(f"polygon point {pair[:40]!r} is not lat,lon") from None
        if not sep or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise CapError(f"polygon point {pair[:40]!r} is not lat,lon in range")
        points.append((lon, lat))
        if len(points) > MAX_POINTS:
            raise CapError(f"polygon has more than {MAX_POINTS} points")
    if len(points) < 4:
        raise CapError("polygon has fewer than 4 points")
    if points[0] != points[-1]:
        raise CapError("polygon is not closed (first and last point differ)")
    return tuple(points)


def parse_circle(text: str) -> CapCircle:
    """A CAP ``<circle>`` (``lat,lon radius`` with the radius in kilometres) as a :class:`CapCircle`; CapError if
    it is not one (not two parts, a centre out of range, a radius not above 0 or above
    ``MAX_CIRCLE_RADIUS_KM``)."""
    parts = text.split()
    if len(parts) != 2:
        raise CapError(f"circle {text.strip()[:60]!r} is not 'lat,lon radius'")
    lat_text, sep, lon_text = parts[0].partition(",")
    try:
        lat, lon, radius = float(lat_text), float(lon_text), float(parts[1])
    except ValueError:
        raise CapError(f"circle {text.strip()[:60]!r} is not 'lat,lon radius'") from None
    if not sep or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise CapError(f"circle centre {parts[0][:40]!r} is not lat,lon in range")
    if not math.isfinite(radius) or radius <= 0:
        raise CapError(f"circle radius {parts[1][:20]!r} is not a distance above 0 km")
    if radius > MAX_CIRCLE_RADIUS_KM:
        raise CapError(f"circle radius {radius:g} km is above {MAX_CIRCLE_RADIUS_KM:g} km")
    return CapCircle(lon, lat, radius)


def _references(text: str) -> tuple[tuple[str, str], ...]:
    found = []
    for entry in text.split():
        parts = entry.split(",")
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise CapError(f"reference {entry[:60]!r} is not sender,identifier,sent")
        found.append((parts[0], parts[1]))
    return tuple(found)


def _pick_info(root: Element) -> Element | None:
    infos = root.findall(f"{{{NS}}}info")
    for info in infos:
        if _text(info, "language", limit=16).lower().startswith("zh"):
            return info
    return infos[0] if infos else None


def parse_cap(data: bytes | str) -> CapAlert:
    """One CAP 1.2 ``<alert>`` document; ``CapError`` (and nothing else) when it cannot be used."""
    raw = data.encode() if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_BYTES:
        raise CapError(f"document larger than {MAX_BYTES} bytes")
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise CapError(f"refused XML construct: {type(exc).__name__}") from None
    except (ParseError, ValueError, UnicodeError, LookupError) as exc:  # syntax, (unknown) encoding, characters
        raise CapError(f"not well-formed XML: {str(exc)[:120]}") from None
    if root.tag != f"{{{NS}}}alert":
        raise CapError(f"root element is {root.tag[:80]!r}, not a CAP 1.2 <alert>")
    msg_type = _text(root, "msgType", required=True)
    if msg_type not in MSG_TYPES:
        raise CapError(f"<msgType> {msg_type[:20]!r} is not one of {', '.join(MSG_TYPES)}")
    references = _references(_text(root, "references", limit=64_000))
    if msg_type in ("Update", "Cancel") and not references:
        raise CapError(f"a {msg_type} without <references>")
    info = _pick_info(root)
    if info is None and msg_type != "Cancel":
        raise CapError("an alert without <info>")
    values: dict = {}
    if info is not None:
        areas = []
        for area in info.findall(f"{{{NS}}}area")[: MAX_AREAS + 1]:
            polygons = tuple(parse_polygon(p.text or "") for p in area.findall(f"{{{NS}}}polygon"))
            circle_nodes = area.findall(f"{{{NS}}}circle")
            if len(circle_nodes) > MAX_CIRCLES:
                raise CapError(f"an area with more than {MAX_CIRCLES} circles")
            circles = tuple(parse_circle(c.text or "") for c in circle_nodes)
            areas.append(CapArea(_text(area, "areaDesc"), polygons, circles))
        if len(areas) > MAX_AREAS:
            raise CapError(f"more than {MAX_AREAS} areas")
        severity = _text(info, "severity", limit=16)
        values = {
            "event": _text(info, "event"), "severity": severity if severity in SEVERITIES else "Unknown",
            "urgency": _text(info, "urgency", limit=16) or "Unknown", "headline": _text(info, "headline"),
            "description": _text(info, "description"), "instruction": _text(info, "instruction"),
            "sender_name": _text(info, "senderName"), "effective": _time(info, "effective"),
            "expires": _time(info, "expires"), "areas": tuple(areas),
        }
    sent = _time(root, "sent", required=True)
    assert sent is not None
    return CapAlert(identifier=_text(root, "identifier", required=True, limit=256),
                    sender=_text(root, "sender", required=True, limit=256), sent=sent,
                    status=_text(root, "status", required=True, limit=16), msg_type=msg_type,
                    references=references, **values)
