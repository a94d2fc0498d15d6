"""Early warnings (预警): CAP 1.2 alerts from a feed URL (polled) or a folder become incidents of category
预警 and map overlays, without Qt.

:class:`WarningBook` is the logic: an Update takes the place of the alerts it references (the same incident, one
version up), a Cancel closes them (已结案), an alert past its ``expires`` is resolved (已办结) and leaves the map. An
alert whose ``effective`` time is still to come is shown at once, marked as such (its title says when it takes
effect, its area is drawn unfilled), and becomes an ordinary warning at that time (at the next poll).
:class:`WarningsController` polls the source on its own thread, feeds the book and puts the incidents in the
session's incident store (local to this desk: the platform does not know them, so the workflow buttons stay
disabled for them). A document that cannot be read is reported (``problems``, the listener and the log, without
a feed URL's credentials) and skipped, once; the other documents of the poll are taken all the same, and nothing
stops the polling. A poll's documents are applied oldest first, and an Update or Cancel read before the alert it
names is applied when that alert comes; an Update naming several alerts replaces them all (the others show as
merged into it). Only an alert's own sender may update or cancel it: a reference to another sender's alert is
not followed, and reported. An area's circles count as polygons everywhere (placement, overlays,
:meth:`WarningsController.cameras_inside` / ``incidents_inside``): each is its geodesic ring
(``CapCircle.ring``).

Feed: ``COMMANDWALL_CAP_URL`` answers either one CAP document, or JSON ``{"alerts": [{"url": …}, …]}``
listing CAP documents (relative URLs resolve against the feed). Folder: ``COMMANDWALL_CAP_DIR``, every
``*.xml`` in it. The exercise backend's feed is used in exercise mode when neither is set.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from stat import S_ISREG
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from commandwall import localtime
from commandwall.app.incidents import WARNING_CATEGORY
from commandwall.app.session import ClientSession
from commandwall.backend import cap
from commandwall.backend.answers import decode_json, read_body
from commandwall.backend.cap import CapAlert, CapError, parse_cap
from commandwall.backend.errors import BackendError
from commandwall.backend.http import deadline_session
from commandwall.domain.models import OPEN_STATUSES, Camera, Incident, IncidentStatus
from commandwall.i18n import translate
from commandwall.logs import redact_secrets

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
#: How long one document may take to arrive (a real CAP document is a few kB): a trickling one is given up on.
DOCUMENT_DEADLINE_S = 20.0
#: No new document is asked for after this long in one poll (the rest wait for the next poll).
FEED_POLL_BUDGET_S = 60.0


@dataclass
class _Chain:
    """An alert and the Updates that replaced it: one incident."""

    incident_id: str
    first: CapAlert
    current: CapAlert
    steps: int = 1
    cancelled: bool = False
    merged_into: str | None = None  # an Update replaced this alert together with others: the incident it went on as

    @property
    def active(self) -> bool:
        """Neither cancelled nor replaced (its expiry aside)."""
        return not self.cancelled and self.merged_into is None

    def pending(self, now: datetime) -> bool:
        """Active, and its current alert's ``effective`` time is still to come (issued ahead: 明日 08 时起…)."""
        effective = self.current.effective
        return self.active and effective is not None and now < effective


@dataclass
class WarningBook:
    """The warnings known so far and what they mean as incidents and overlays.

    Documents may come in any order (a folder is read by name, a feed's index is often newest first, and a
    poll may see a Cancel before the alert it cancels): an Update or Cancel naming an alert not seen yet is
    remembered, and applied when that alert comes. :meth:`apply_all` takes a batch oldest first (``sent``).
    """

    chains: dict[tuple[str, str], _Chain] = field(default_factory=dict)  # every key seen → its chain
    #: every chain made, in order (a chain replaced by an Update stays: its incident shows it merged)
    made: list[_Chain] = field(default_factory=list)
    #: keys of alerts not seen yet → the Update or Cancel that named them (applied when they come)
    waiting: dict[tuple[str, str], CapAlert] = field(default_factory=dict)
    #: (referring alert, referenced key) of references to another sender's alert, not followed (to be reported)
    foreign: list[tuple[CapAlert, tuple[str, str]]] = field(default_factory=list)

    def apply_all(self, alerts: list[CapAlert]) -> None:
        """Take a batch into account, oldest ``sent`` first (the batch's order breaks ties)."""
        for alert in sorted(alerts, key=lambda a: a.sent):
            self.apply(alert)

    def apply(self, alert: CapAlert) -> _Chain | None:
        """Take one alert into account; returns the chain it changed (None: nothing changed, e.g. seen
        before, or a Cancel of alerts never seen — remembered until they come)."""
        if alert.key in self.chains:
            return None
        if alert.msg_type in ("Ack", "Error"):
            return None
        # another sender's alert is not this sender's to replace or withdraw (a feed mixing several offices, or a
        # document made to look like an update): such references are left alone and reported
        own = tuple(ref for ref in alert.references if ref[0] == alert.sender)
        self.foreign.extend((alert, ref) for ref in alert.references if ref[0] != alert.sender)
        referenced = list({id(c): c for c in (self.chains[r] for r in own if r in self.chains)}.values())
        for ref in own:
            if ref not in self.chains:
                self.waiting.setdefault(ref, alert)
        if alert.msg_type == "Cancel":
            for chain in referenced:
                chain.cancelled, chain.steps = True, chain.steps + 1
            if referenced:
                self.chains[alert.key] = referenced[0]
            return referenced[0] if referenced else None
        if alert.msg_type == "Update" and referenced:
            chain = referenced[0]
            chain.current, chain.steps = alert, chain.steps + 1
            self._merge(chain, referenced[1:])
            self.chains[alert.key] = chain
            return chain
        # A new alert (or an Update of alerts never seen: it stands on its own until they come).
        digest = hashlib.sha1(f"{alert.sender}\n{alert.identifier}".encode()).hexdigest()[:12]
        chain = _Chain(incident_id=f"CAP-{digest}", first=alert, current=alert)
        self.chains[alert.key] = chain
        self.made.append(chain)
        self._apply_waiting(alert, chain)
        return chain

    def _merge(self, survivor: _Chain, others: list[_Chain]) -> None:
        """An Update replaced several alerts: it goes on as ``survivor``; the others show as merged into it, and
        what names them from now on names the survivor."""
        for chain in others:
            if chain is survivor:
                continue
            chain.merged_into, chain.steps = survivor.incident_id, chain.steps + 1
            for key, held in list(self.chains.items()):
                if held is chain:
                    self.chains[key] = survivor

    def _apply_waiting(self, alert: CapAlert, chain: _Chain) -> None:
        """An alert came after an Update or Cancel that named it: cancel it, or let the Update's incident (already
        shown) take it in."""
        later = self.waiting.pop(alert.key, None)
        if later is None:
            return
        if later.msg_type == "Cancel":
            chain.cancelled, chain.steps = True, chain.steps + 1
            self.chains.setdefault(later.key, chain)
            return
        replacement = self.chains.get(later.key)
        if replacement is not None and replacement is not chain:
            self._merge(replacement, [chain])

    def live_chains(self) -> list[_Chain]:
        """Each chain once (those merged into another too: their incidents show it)."""
        return list(self.made)

    @staticmethod
    def incident(chain: _Chain, now: datetime) -> Incident:
        """The incident a chain shows as: 预警, priority from the severity, placed at its first polygon."""
        alert = chain.current
        expired = alert.expired(now)
        pending = chain.pending(now) and not expired
        status = (IncidentStatus.MERGED if chain.merged_into else IncidentStatus.CLOSED if chain.cancelled else
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
        if pending:
            kind += translate("warnings", "（{time} 生效）").format(time=_when(alert.effective))
        title = alert.headline or alert.event or translate("warnings", "预警")
        text = "\n".join(part for part in (alert.description, alert.instruction) if part)
        return Incident(
            id=chain.incident_id, title=f"{title}{kind}"[:200],
            category=WARNING_CATEGORY, description=text, lon=lon, lat=lat,
            town=translate("warnings", "、").join(a.description for a in alert.areas if a.description)[:200],
            priority=SEVERITY_PRIORITY.get(alert.severity, 4), status=status,
            source=alert.sender_name or alert.sender, reported_at=chain.first.sent, merged_into=chain.merged_into,
            updated_at=max(alert.sent, now if expired else alert.sent),
            # grows with every change: each step, and within one step from pending to in effect to expired
            version=3 * chain.steps + (2 if expired and not chain.cancelled else 0 if pending else 1),
        )

    def overlays(self, now: datetime) -> dict[str, Any]:
        """The active warnings' areas as a GeoJSON FeatureCollection (lon/lat), for the map; an area of a warning not
        in effect yet has ``pending`` true and a ``note`` saying from when."""
        features = []
        for chain in self.live_chains():
            alert = chain.current
            if not chain.active or alert.expired(now):
                continue
            pending = chain.pending(now)
            note = translate("warnings", "{time} 起生效").format(time=_when(alert.effective)) if pending else ""
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
                                       "radius_km": circle.radius_km if circle is not None else None,
                                       "pending": pending, "note": note},
                    })
        return {"type": "FeatureCollection", "features": features}

    def area(self, incident_id: str, now: datetime) -> BaseGeometry | None:
        """Where the active warning shown as ``incident_id`` applies: its polygons and circles together (lon/lat);
        None for an unknown, cancelled or expired warning or one without an area."""
        chain = next((c for c in self.live_chains() if c.incident_id == incident_id), None)
        if chain is None or not chain.active or chain.current.expired(now):
            return None
        shapes = [shapely.make_valid(Polygon(ring)) for area in chain.current.areas for ring in area.rings()]
        return shapely.union_all(shapes) if shapes else None


def _when(moment: datetime | None) -> str:
    """A warning's time as the desk shows it (display zone, month-day hour:minute)."""
    return localtime.to_display(moment).strftime("%m-%d %H:%M") if moment is not None else ""


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
        self._http = deadline_session()  # a feed trickling its answer's headers cannot hold the poll

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
        taken. Never raises for what the source sends: a document that cannot be read or used is reported and
        skipped, and the others of the same poll are taken (oldest first)."""
        documents: list[tuple[str, bytes]] = []
        try:
            documents = self._read_folder() if self.folder else self._read_feed()
        except (BackendError, requests.RequestException, OSError, ValueError) as exc:
            error = f"{type(exc).__name__}: {str(exc)[:160]}"
            self._report(translate("warnings", "预警源不可用：{error}").format(error=error))
        alerts = []
        for name, data in documents:
            try:
                alerts.append(parse_cap(data))
            except CapError as exc:
                self._report(translate("warnings", "预警文件 {name} 无法读取：{error}").format(
                    name=name[-80:], error=exc))
            except Exception as exc:  # a fault of ours: this document only, never the others
                log.exception("early warnings: %s could not be parsed", redact_secrets(name[-200:]))
                self._report(translate("warnings", "预警文件 {name} 无法读取：{error}").format(
                    name=name[-80:], error=type(exc).__name__))
        self.book.apply_all(alerts)
        foreign, self.book.foreign = self.book.foreign, []
        for alert, (sender, identifier) in foreign:  # only an alert's own sender may update or cancel it
            message = translate("warnings", "预警 {alert}（{sender}）引用他人的预警 {other}（{other_sender}），未采用")
            self._report(message.format(alert=alert.identifier[:80], sender=alert.sender[:80], other=identifier[:80],
                                        other_sender=sender[:80]))
        self.refresh(now)
        return len(alerts)

    def refresh(self, now: datetime | None = None) -> None:
        """Put every warning's incident in the store (a changed one replaces its older version; one lost to a
        fresh snapshot comes back) and tell the listener when the overlays changed (expiry included)."""
        now = now or localtime.now()
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
        now = now or localtime.now()
        if self.book.area(incident_id, now) is None:
            return None
        incidents = [i for i in self.incidents_inside(incident_id, now) if i.status in OPEN_STATUSES]
        return WarningReach(self.cameras_inside(incident_id, now), incidents)

    def _inside(self, incident_id: str, items: list, now: datetime | None) -> list:
        area = self.book.area(incident_id, now or localtime.now())
        if area is None or not items:
            return []
        inside = shapely.contains_xy(area, [i.lon for i in items], [i.lat for i in items])
        return [item for item, hit in zip(items, inside, strict=True) if hit]

    def overlays(self) -> dict[str, Any]:
        """The active warnings' areas (GeoJSON, lon/lat) as of the last poll."""
        return self._overlays or {"type": "FeatureCollection", "features": []}

    def _report(self, text: str) -> None:
        text = redact_secrets(text)  # a feed URL's password or token never reaches the window
        log.warning("%s", text)
        self.problems.append(text)
        del self.problems[:-50]
        self.listener.on_problem(text)

    def _read_folder(self) -> list[tuple[str, bytes]]:
        """The folder's ``*.xml`` files not read before (by name, time and size). A file that cannot be read (a
        broken link, no permission), is no regular file (a folder, a named pipe that would block the read for
        ever) or is too large is reported once and skipped; the others are read."""
        assert self.folder is not None
        found = []
        for path in sorted(self.folder.glob("*.xml"))[:MAX_DOCUMENTS_PER_POLL * 10]:
            try:
                stat = path.stat()
            except OSError as exc:
                self._skip(path.name, f"{path.name}:unreadable", type(exc).__name__)
                continue
            mark = f"{path.name}:{stat.st_mtime_ns}:{stat.st_size}"
            if mark in self._seen:
                continue
            if not S_ISREG(stat.st_mode):
                self._skip(path.name, mark, translate("warnings", "不是普通文件"))
                continue
            if stat.st_size > cap.MAX_BYTES:
                self._skip(path.name, mark, translate("warnings", "文件过大"))
                continue
            try:
                with path.open("rb") as file:
                    data = file.read(cap.MAX_BYTES + 1)  # a file that grew since: parse_cap refuses it
            except OSError as exc:
                self._skip(path.name, mark, type(exc).__name__)
                continue
            self._seen.add(mark)
            found.append((path.name, data))
            if len(found) >= MAX_DOCUMENTS_PER_POLL:
                break  # the rest at the next poll
        return found

    def _skip(self, name: str, mark: str, why: str) -> None:
        """Report a document that is skipped, once for ``mark``."""
        if mark in self._seen:
            return
        self._seen.add(mark)
        self._report(translate("warnings", "预警文件 {name} 已跳过：{error}").format(name=name[-80:], error=why))

    def _get(self, url: str) -> bytes:
        """The body at ``url`` (capped, read within :data:`DOCUMENT_DEADLINE_S` in all, the response closed)."""
        answer = self._http.get(url, timeout=self.session.settings.request_timeout_s, stream=True)
        if answer.status_code >= 400:
            answer.close()
            raise ValueError(f"HTTP {answer.status_code}")
        return read_body(answer, translate("warnings", "预警源"), cap.MAX_BYTES, deadline_s=DOCUMENT_DEADLINE_S)

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
        deadline = time.monotonic() + FEED_POLL_BUDGET_S
        for entry in entries[:MAX_DOCUMENTS_PER_POLL]:
            url = entry.get("url") if isinstance(entry, dict) else None
            if not isinstance(url, str):
                continue
            try:
                absolute = urljoin(self.url, url)
                same_server = urlsplit(absolute)[:2] == urlsplit(self.url)[:2]
            except ValueError:  # e.g. "http://[": not a URL; the other entries still count
                self._skip(url, f"entry:{url[:300]}", translate("warnings", "地址无效"))
                continue
            if not same_server or absolute in self._seen:
                continue  # only documents of the feed's own server, each once
            if time.monotonic() >= deadline:
                break  # slow documents: the rest at the next poll, new warnings do not wait behind them for hours
            try:
                found.append((url, self._get(absolute)))
                self._seen.add(absolute)
            except (BackendError, requests.RequestException, ValueError) as exc:
                self._report(translate("warnings", "预警文件 {name} 无法获取：{error}").format(
                    name=url[-80:], error=type(exc).__name__))
        return found
