"""Early warnings (预警): CAP 1.2 alerts from a feed URL (polled) or a folder become incidents of category
预警 and map overlays, without Qt.

:class:`WarningBook` is the logic: an Update takes the place of the alerts it references (the same incident,
one version up), a Cancel closes them (已结案), an alert past its ``expires`` is resolved (已办结) and leaves
the map. :class:`WarningsController` polls the source on its own thread, feeds the book and puts the
incidents in the session's incident store (local to this desk: the platform does not know them, so the
workflow buttons stay disabled for them). A document that cannot be read is reported (``problems``, the
listener and the log) and skipped; nothing stops the polling. An area's circles count as polygons everywhere
(placement, overlays, :meth:`WarningsController.cameras_inside` / ``incidents_inside``): each is its geodesic
ring (``CapCircle.ring``).

Feed: ``COMMANDWALL_CAP_URL`` answers either one CAP document, or JSON ``{"alerts": [{"url": …}, …]}``
listing CAP documents (relative URLs resolve against the feed). Folder: ``COMMANDWALL_CAP_DIR``, every
``*.xml`` in it. The exercise backend's feed is used in exercise mode when neither is set.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from commandwall.app.incidents import WARNING_CATEGORY
from commandwall.app.session import ClientSession
from commandwall.backend import cap
from commandwall.backend.answers import decode_json, read_body
from commandwall.backend.cap import CapAlert, CapError, parse_cap
from commandwall.backend.errors import BackendError
from commandwall.domain.models import OPEN_STATUSES, Camera, Incident, IncidentStatus
from commandwall.i18n import translate

log = logging.getLogger(__name__)

#: The path of the exercise backend's feed.
EXERCISE_FEED_PATH = "/api/v1/warnings/cap"
#: CAP severity → incident priority (1 特急 … 4 提示).
SEVERITY_PRIORITY = {"Extreme": 1, "Severe": 2, "Moderate": 3, "Minor": 4, "Unknown": 4}
#: Colours of the overlays by severity.
SEVERITY_COLOURS = {"Extreme": "#ff4d4f", "Severe": "#fa8c16", "Moderate": "#fadb14", "Minor": "#69c0ff",
                    "Unknown": "#8c8c8c"}
#: Where a warning without a polygon is placed (the district's centre).
DISTRICT_CENTRE = (117.315, 34.785)
MAX_DOCUMENTS_PER_POLL = 200


@dataclass
class _Chain:
    """An alert and the Updates that replaced it: one incident."""

    incident_id: str
    first: CapAlert
    current: CapAlert
    steps: int = 1
    cancelled: bool = False


@dataclass
class WarningBook:
    """The warnings known so far and what they mean as incidents and overlays."""

    chains: dict[tuple[str, str], _Chain] = field(default_factory=dict)  # every key seen → its chain

    def apply(self, alert: CapAlert) -> _Chain | None:
        """Take one alert into account; returns the chain it changed (None: nothing changed, e.g. seen
        before, or a Cancel of alerts never seen)."""
        if alert.key in self.chains:
            return None
        if alert.msg_type in ("Ack", "Error"):
            return None
        referenced = [self.chains[ref] for ref in alert.references if ref in self.chains]
        if alert.msg_type == "Cancel":
            for chain in referenced:
                chain.cancelled, chain.steps = True, chain.steps + 1
            if referenced:
                self.chains[alert.key] = referenced[0]
            return referenced[0] if referenced else None
        if alert.msg_type == "Update" and referenced:
            chain = referenced[0]
            chain.current, chain.steps = alert, chain.steps + 1
            self.chains[alert.key] = chain
            return chain
        # A new alert (or an Update of alerts never seen: it stands on its own).
        digest = hashlib.sha1(f"{alert.sender}\n{alert.identifier}".encode()).hexdigest()[:12]
        chain = _Chain(incident_id=f"CAP-{digest}", first=alert, current=alert)
        self.chains[alert.key] = chain
        return chain

    def live_chains(self) -> list[_Chain]:
        """Each chain once."""
        return list({id(c): c for c in self.chains.values()}.values())

    @staticmethod
    def incident(chain: _Chain, now: datetime) -> Incident:
        """The incident a chain shows as: 预警, priority from the severity, placed at its first polygon."""
        alert = chain.current
        expired = alert.expired(now)
        status = (IncidentStatus.CLOSED if chain.cancelled else
                  IncidentStatus.RESOLVED if expired else IncidentStatus.NEW)
        ring = next((p for area in alert.areas for p in area.polygons), None)
        circle = next((c for area in alert.areas for c in area.circles), None)
        lon, lat = DISTRICT_CENTRE
        if ring is not None:
            centre = shapely.make_valid(Polygon(ring)).representative_point()
            lon, lat = centre.x, centre.y
        elif circle is not None:
            lon, lat = circle.lon, circle.lat
        kind = translate("warnings", "（更新）") if alert.msg_type == "Update" else ""
        title = alert.headline or alert.event or translate("warnings", "预警")
        text = "\n".join(part for part in (alert.description, alert.instruction) if part)
        return Incident(
            id=chain.incident_id, title=f"{title}{kind}"[:200],
            category=WARNING_CATEGORY, description=text, lon=lon, lat=lat,
            town=translate("warnings", "、").join(a.description for a in alert.areas if a.description)[:200],
            priority=SEVERITY_PRIORITY.get(alert.severity, 4), status=status,
            source=alert.sender_name or alert.sender, reported_at=chain.first.sent,
            updated_at=max(alert.sent, now if expired else alert.sent),
            version=2 * chain.steps + (1 if expired and not chain.cancelled else 0),  # grows with every change
        )

    def overlays(self, now: datetime) -> dict[str, Any]:
        """The active warnings' areas as a GeoJSON FeatureCollection (lon/lat), for the map."""
        features = []
        for chain in self.live_chains():
            alert = chain.current
            if chain.cancelled or alert.expired(now):
                continue
            for area in alert.areas:
                shapes = [(ring, None) for ring in area.polygons] + [(c.ring(), c) for c in area.circles]
                for ring, circle in shapes:
                    features.append({
                        "type": "Feature",
                        "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]},
                        "properties": {"id": chain.incident_id, "name": area.description, "event": alert.event,
                                       "severity": alert.severity, "headline": alert.headline,
                                       "expires": alert.expires.isoformat() if alert.expires else None,
                                       "color": SEVERITY_COLOURS.get(alert.severity, "#8c8c8c"),
                                       "radius_km": circle.radius_km if circle is not None else None},
                    })
        return {"type": "FeatureCollection", "features": features}

    def area(self, incident_id: str, now: datetime) -> BaseGeometry | None:
        """Where the active warning shown as ``incident_id`` applies: its polygons and circles together (lon/lat);
        None for an unknown, cancelled or expired warning or one without an area."""
        chain = next((c for c in self.live_chains() if c.incident_id == incident_id), None)
        if chain is None or chain.cancelled or chain.current.expired(now):
            return None
        shapes = [shapely.make_valid(Polygon(ring)) for area in chain.current.areas for ring in area.rings()]
        return shapely.union_all(shapes) if shapes else None


@dataclass(frozen=True)
class WarningReach:
    """What an early warning's area holds: the cameras (for 上墙) and the incidents still being handled."""

    cameras: list[Camera]
    open_incidents: list[Incident]

    @property
    def camera_ids(self) -> list[str]:
        """The cameras' ids, in the session's order."""
        return [camera.id for camera in self.cameras]

    def describe(self) -> str:
        """The detail's line, e.g. 预警区域内：摄像机 12 路，未办结事件 3 起."""
        return translate("warnings", "预警区域内：摄像机 {cameras} 路，未办结事件 {incidents} 起").format(
            cameras=len(self.cameras), incidents=len(self.open_incidents))


@dataclass
class WarningsListener:
    """Callbacks (any thread): a document was refused (why), the overlays changed (GeoJSON)."""

    on_problem: Callable[[str], None] = lambda text: None
    on_overlays: Callable[[dict[str, Any]], None] = lambda collection: None


class WarningsController:
    """Polls the configured CAP source and keeps the session's incidents and the overlays current."""

    def __init__(self, session: ClientSession, *, url: str | None = None, folder: Path | None = None,
                 poll_s: float = 30.0, listener: WarningsListener | None = None) -> None:
        self.session = session
        self.url, self.folder, self.poll_s = url, folder, poll_s
        self.listener = listener or WarningsListener()
        self.book = WarningBook()
        self.problems: list[str] = []
        self._seen: set[str] = set()  # document URLs / file names+mtimes already read
        self._overlays: dict[str, Any] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._http = requests.Session()

    @classmethod
    def for_session(cls, session: ClientSession) -> WarningsController:
        """The source the settings name (``cap_dir`` first, then ``cap_url``); none set: the exercise
        backend's feed in exercise mode (its URL is known once the platform is open, see ``start``)."""
        s = session.settings
        return cls(session, url=str(s.cap_url) if s.cap_url else None, folder=s.cap_dir, poll_s=s.cap_poll_s)

    @property
    def configured(self) -> bool:
        """Whether there is a source to read."""
        return bool(self.url or self.folder)

    def start(self) -> None:
        """Poll on a daemon thread until ``stop()`` (nothing happens without a source). Call it once the
        session is connected: in exercise mode the feed is the exercise backend's."""
        platform = self.session.platform
        if not self.configured and self.session.user.exercise and platform is not None:
            self.url = platform.base_url.rstrip("/") + EXERCISE_FEED_PATH
        if not self.configured or self._thread is not None or self._stop.is_set():
            return
        self._thread = threading.Thread(target=self._run, name="cap-warnings", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the polling."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._http.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll()
            except Exception:  # a fault of ours must not end the warnings for the rest of the shift
                log.exception("early warnings: poll failed; trying again in %.0f s", self.poll_s)
            self._stop.wait(self.poll_s)

    def poll(self, now: datetime | None = None) -> int:
        """Read what is new at the source, update incidents and overlays; returns how many documents were
        taken. Never raises for what the source sends."""
        documents: list[tuple[str, bytes]] = []
        try:
            documents = self._read_folder() if self.folder else self._read_feed()
        except (BackendError, requests.RequestException, OSError, ValueError) as exc:
            error = f"{type(exc).__name__}: {str(exc)[:160]}"
            self._report(translate("warnings", "预警源不可用：{error}").format(error=error))
        taken = 0
        for name, data in documents:
            try:
                alert = parse_cap(data)
            except CapError as exc:
                self._report(translate("warnings", "预警文件 {name} 无法读取：{error}").format(
                    name=name[-80:], error=exc))
                continue
            taken += 1
            self.book.apply(alert)
        self.refresh(now)
        return taken

    def refresh(self, now: datetime | None = None) -> None:
        """Put every warning's incident in the store (a changed one replaces its older version; one lost to a
        fresh snapshot comes back) and tell the listener when the overlays changed (expiry included)."""
        now = now or datetime.now(UTC)
        for chain in self.book.live_chains():
            self.session.incidents.upsert(self.book.incident(chain, now))
        overlays = self.book.overlays(now)
        if overlays != self._overlays:
            self._overlays = overlays
            self.listener.on_overlays(overlays)

    def cameras_inside(self, incident_id: str, now: datetime | None = None) -> list[Camera]:
        """The session's cameras inside the active warning ``incident_id``'s area (polygons and circles)."""
        return self._inside(incident_id, self.session.cameras.all(), now)

    def incidents_inside(self, incident_id: str, now: datetime | None = None) -> list[Incident]:
        """The session's incidents (other than the warnings) inside the active warning ``incident_id``'s area."""
        others = [i for i in self.session.incidents.all() if i.category != WARNING_CATEGORY]
        return self._inside(incident_id, others, now)

    def reach(self, incident_id: str, now: datetime | None = None) -> WarningReach | None:
        """The cameras and the open incidents inside the active warning ``incident_id``'s area, or None when
        it is no active warning (another incident, cancelled, expired)."""
        now = now or datetime.now(UTC)
        if self.book.area(incident_id, now) is None:
            return None
        incidents = [i for i in self.incidents_inside(incident_id, now) if i.status in OPEN_STATUSES]
        return WarningReach(self.cameras_inside(incident_id, now), incidents)

    def _inside(self, incident_id: str, items: list, now: datetime | None) -> list:
        area = self.book.area(incident_id, now or datetime.now(UTC))
        if area is None or not items:
            return []
        inside = shapely.contains_xy(area, [i.lon for i in items], [i.lat for i in items])
        return [item for item, hit in zip(items, inside, strict=True) if hit]

    def overlays(self) -> dict[str, Any]:
        """The active warnings' areas (GeoJSON, lon/lat) as of the last poll."""
        return self._overlays or {"type": "FeatureCollection", "features": []}

    def _report(self, text: str) -> None:
        log.warning("%s", text)
        self.problems.append(text)
        del self.problems[:-50]
        self.listener.on_problem(text)

    def _read_folder(self) -> list[tuple[str, bytes]]:
        assert self.folder is not None
        found = []
        for path in sorted(self.folder.glob("*.xml"))[:MAX_DOCUMENTS_PER_POLL * 10]:
            stat = path.stat()
            mark = f"{path.name}:{stat.st_mtime_ns}:{stat.st_size}"
            if mark in self._seen:
                continue
            self._seen.add(mark)
            if stat.st_size > cap.MAX_BYTES:
                self._report(translate("warnings", "预警文件 {name} 过大，已跳过").format(name=path.name[-80:]))
                continue
            found.append((path.name, path.read_bytes()))
        return found

    def _get(self, url: str) -> bytes:
        """The body at ``url`` (capped, with an overall deadline, the response closed): the platform's reader."""
        answer = self._http.get(url, timeout=self.session.settings.request_timeout_s, stream=True)
        if answer.status_code >= 400:
            answer.close()
            raise ValueError(f"HTTP {answer.status_code}")
        return read_body(answer, translate("warnings", "预警源"), cap.MAX_BYTES)

    def _read_feed(self) -> list[tuple[str, bytes]]:
        assert self.url is not None
        body = self._get(self.url)
        if body.lstrip()[:1] == b"<":
            return [(self.url, body)]
        index = decode_json(body, translate("warnings", "预警源索引"))  # depth-checked before parsing
        entries = index.get("alerts") if isinstance(index, dict) else None
        if not isinstance(entries, list):
            raise ValueError("feed index is not {\"alerts\": [...]}")
        found = []
        for entry in entries[:MAX_DOCUMENTS_PER_POLL]:
            url = entry.get("url") if isinstance(entry, dict) else None
            if not isinstance(url, str):
                continue
            absolute = urljoin(self.url, url)
            if urlsplit(absolute)[:2] != urlsplit(self.url)[:2] or absolute in self._seen:
                continue  # only documents of the feed's own server, each once
            try:
                found.append((url, self._get(absolute)))
                self._seen.add(absolute)
            except (BackendError, requests.RequestException, ValueError) as exc:
                self._report(translate("warnings", "预警文件 {name} 无法获取：{error}").format(
                    name=url[-80:], error=type(exc).__name__))
        return found
