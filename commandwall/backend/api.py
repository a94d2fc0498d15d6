"""Client of the platform's REST API (see the "Backend HTTP contract"): JSON in, domain models out.

One ``PlatformClient`` is shared by the GUI workers, the event stream and the outbox; it is thread-safe
(requests' connection pool is, and the token is guarded by a lock). It logs in lazily, logs in again once
when a request comes back 401 (expired or revoked token), and turns every failure into a
``BackendError`` subclass so that callers never see ``requests`` exceptions.

Every answer is validated at this boundary (see ``answers``): the body is read with a size cap, decoded
as JSON with a depth limit and parsed into its envelope and the domain models before anything uses it. An
answer of the wrong shape is one ``MalformedAnswerError`` naming the resource, logged here once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO
from urllib.parse import quote, urlencode, urlsplit

import requests
from pydantic import ValidationError

from commandwall.backend.answers import (
    CAMERA_LIST_MAX_BYTES,
    LAYER_PAGE_MAX_BYTES,
    LIST_MAX_BYTES,
    OBJECT_MAX_BYTES,
    CameraList,
    FeaturePage,
    HealthAnswer,
    IncidentPage,
    LayerCatalogue,
    LoginAnswer,
    SensorList,
    TaskList,
    TimelineList,
    UnitList,
    decode_json,
    parse_answer,
    read_body,
)
from commandwall.backend.clock import PlatformClock
from commandwall.backend.epoch import EPOCH_HEADER, PlatformEpoch
from commandwall.backend.errors import (
    AuthError,
    BackendUnavailableError,
    ConflictError,
    MalformedAnswerError,
    NotFoundError,
    RejectedError,
    StaleVersion,
    TransitionRefused,
)
from commandwall.backend.http import PlatformHttp, make_http, redact, same_origin
from commandwall.backend.parsing import (
    LayerInfo,
    describe_request_error,
    error_body,
    error_code,
    error_for_status,
    error_message,
    next_link,
    normalise_layer_features,
    parse_layer_info,
    parse_models,
    parse_one,
    plain_request_error,
    short_error,
)
from commandwall.domain.models import MAX_ATTACHMENT_BYTES, Camera, Incident, Task, TimelineEntry, Unit
from commandwall.domain.sensors import Sensor

log = logging.getLogger(__name__)

#: Log in again this many seconds before the server said the token expires.
TOKEN_EXPIRY_MARGIN_S = 30.0
#: Safety bound on ``rel=next`` pages followed for one layer.
MAX_PAGES = 10_000
#: The most features one platform layer is read with (what the map's layers hold at most): paging stops there, so
#: a server whose ``rel=next`` never ends cannot grow the desk by gigabytes (10 000 pages of 1 000 features).
MAX_LAYER_FEATURES = 200_000
#: Most bytes read for one layer over all its pages (large features, photos in properties, page after page).
MAX_LAYER_BYTES = 128 * 1024 * 1024
#: Safety bound on ``has_more`` pages followed by one ``incidents()`` call.
MAX_INCIDENT_PAGES = 100
#: Longest ``Last-Event-ID`` sent back (the contract's ids are short decimal numbers).
MAX_EVENT_ID_CHARS = 256


def header_safe_event_id(event_id: str | None) -> str | None:
    """``event_id`` if it can be sent back as a ``Last-Event-ID`` header exactly as received, else ``None``.

    Sendable means 1 to ``MAX_EVENT_ID_CHARS`` characters of visible ASCII (inner spaces allowed): anything
    else (non-Latin-1 text, CR/LF, NUL, other controls) would raise in ``http.client`` or reach the server
    altered, and an altered id would resume from the wrong place. Such an id is not sent back at all; the
    event stream then resumes by catching up (incidents since the cursor, a snapshot) instead.
    """
    if not event_id or len(event_id) > MAX_EVENT_ID_CHARS or not event_id.isascii():
        return None
    if not event_id.isprintable() or event_id != event_id.strip():
        return None
    return event_id


def _requested(headers: dict[str, str], requested_at: datetime | None) -> dict[str, str]:
    """``headers`` with ``X-Requested-At`` (when the user acted, ISO 8601 with its offset) when it is known."""
    if requested_at is not None and requested_at.tzinfo is not None:
        headers["X-Requested-At"] = requested_at.isoformat(timespec="milliseconds")
    return headers


def _path_part(value: str) -> str:
    """An id for a URL path: percent-encoded whole, so ``/``, ``?``, ``#`` or ``..`` cannot change the path."""
    return quote(str(value), safe="")


@dataclass(frozen=True)
class Login:
    """Who is logged in: display name and roles (viewer, duty_officer, commander, admin)."""

    username: str
    display_name: str
    roles: frozenset[str]
    expires_at: float = field(repr=False)  # time.monotonic() deadline


class PlatformClient:
    """The platform API.

    ``timeout`` (s) applies to every request; ``verify`` is passed to requests (bool or a CA bundle path);
    ``retries`` is the urllib3 retry count for connect errors (and read errors / 5xx on GET).
    """

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        timeout: float = 5.0,
        verify: bool | str = True,
        retries: int = 3,
        desk_id: str = "",
        clock: PlatformClock | None = None,
        epoch: PlatformEpoch | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        #: The platform's clock as its answers' ``Date`` headers give it (shared by a session's clients).
        self.clock = clock or PlatformClock()
        #: The platform's data epoch as its answers' ``X-Platform-Epoch`` headers give it (shared likewise).
        self.epoch = epoch or PlatformEpoch()
        #: Sent as ``X-Desk-Id`` with every request to the platform: timeline entries record the desk.
        self.desk_id = desk_id
        self.username = username
        self._password = password
        self.timeout = timeout
        self.verify = verify
        self.http: PlatformHttp = make_http(base_url, timeout=timeout, verify=verify, retries=retries)
        self._auth_lock = threading.Lock()
        self._token: str | None = None
        self._login: Login | None = None
        self._stream_http: PlatformHttp | None = None
        #: Set when logging in again (after a 401) was refused: no further automatic login is tried with the
        #: same password until ``login()`` succeeds; every request fails with this error meanwhile.
        self._refused: AuthError | None = None
        #: Called (on the requesting thread) when an automatic re-login is refused: the user must log in.
        self.on_login_refused: Callable[[AuthError], None] | None = None
        #: ``time.monotonic()`` when a request to the platform last got no answer (a timeout, a refused or cut
        #: connection); None if none did
        self.unanswered_at: float | None = None

    def __repr__(self) -> str:
        return f"PlatformClient({redact(self.base_url)!r}, user={self.username!r})"

    # -- auth ---------------------------------------------------------------------------------------------

    @property
    def current_login(self) -> Login | None:
        """The current login, or ``None`` before the first one."""
        return self._login

    @property
    def roles(self) -> frozenset[str]:
        """Roles of the logged-in user (empty before login)."""
        return self._login.roles if self._login else frozenset()

    def login(self) -> Login:
        """Log in with the configured credentials; raises ``AuthError`` if refused."""
        with self._auth_lock:
            login = self._login_locked()
            self._refused = None
            return login

    @property
    def login_refused(self) -> bool:
        """True after an automatic re-login was refused (e.g. the password was changed), until ``login()``."""
        return self._refused is not None

    def _login_locked(self) -> Login:
        body = {"username": self.username, "password": self._password}
        resp = self._send(self.http, "POST", "/api/v1/auth/token", json=body, token=None)
        if resp.status_code in (400, 401, 403, 422):
            decoded = error_body(read_body(resp, "login", OBJECT_MAX_BYTES))
            raise AuthError(error_message(decoded, "login refused"), resp.status_code, code=error_code(decoded))
        data = self._check(resp, "POST", "/api/v1/auth/token", resource="login")
        answer = self._parse(LoginAnswer, data, "login", "POST", "/api/v1/auth/token")
        login = Login(
            username=self.username,
            display_name=answer.display_name or self.username,
            roles=frozenset(answer.roles),
            expires_at=time.monotonic() + (answer.expires_in or 3600.0),
        )
        self._token, self._login = answer.access_token, login
        log.info("logged in to %s as %s %s", redact(self.base_url), self.username, sorted(login.roles))
        return login

    def _current_token(self) -> str:
        with self._auth_lock:
            login = self._login
            expired = login is not None and time.monotonic() > login.expires_at - TOKEN_EXPIRY_MARGIN_S
            if self._token is None or expired:
                if self._refused is not None:
                    raise AuthError(self._refused.message, 401, code=self._refused.code)
                try:
                    self._login_locked()
                except AuthError as exc:
                    self._refused = exc
                    if self.on_login_refused is not None:
                        self.on_login_refused(exc)
                    raise
            assert self._token is not None
            return self._token

    def _forget_token(self, token: str) -> None:
        with self._auth_lock:
            if self._token == token:  # another thread may already have logged in again
                self._token = None

    # -- transport ----------------------------------------------------------------------------------------

    def _send(
        self, http: PlatformHttp, method: str, url: str, *, token: str | None, **kwargs: Any
    ) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if token and same_origin(http.url_for(url), http.base_url):
            headers["Authorization"] = f"Bearer {token}"  # never hand the token to a host a catalogue names
            if self.desk_id:
                headers["X-Desk-Id"] = self.desk_id
        kwargs.setdefault("stream", True)  # bodies are read by read_body, with a size cap
        sent_at = time.time()
        try:
            resp = http.request(method, url, headers=headers, **kwargs)
            if same_origin(resp.url or http.url_for(url), http.base_url):  # a tile or layer host's clock is not
                self.clock.note(resp.headers.get("Date"), sent_at, time.time())  # the platform's
                self.epoch.note(resp.headers.get(EPOCH_HEADER))
            return resp
        except requests.RequestException as exc:
            if same_origin(http.url_for(url), http.base_url):
                self.unanswered_at = time.monotonic()
            reason = describe_request_error(exc)
            where = urlsplit(http.url_for(url))
            host = f"{where.hostname}:{where.port}" if where.port else where.hostname or ""
            raise BackendUnavailableError(f"{method} {redact(http.url_for(url))} failed: {reason}",
                                          summary=plain_request_error(exc, host)) from None
        except (ValueError, UnicodeError) as exc:  # a URL or header value requests/http.client cannot send
            raise MalformedAnswerError(
                "request", f"{method} {redact(http.url_for(url))} cannot be sent ({type(exc).__name__})"
            ) from None

    def request(
        self, method: str, url: str, *, http: PlatformHttp | None = None, **kwargs: Any
    ) -> requests.Response:
        """Authenticated request; on 401 logs in again once and repeats (a file body is rewound to where it
        started first, so the repeat sends all of it). Returns the raw response."""
        http = http or self.http
        body = kwargs.get("data")
        start = body.tell() if hasattr(body, "seek") and hasattr(body, "tell") else None
        for attempt in (1, 2):
            if attempt == 2 and start is not None:
                body.seek(start)  # type: ignore[union-attr]
            token = self._current_token()
            resp = self._send(http, method, url, token=token, **kwargs)
            if resp.status_code != 401:
                return resp
            decoded = error_body(read_body(resp, "error body", OBJECT_MAX_BYTES))
            self._forget_token(token)
            if attempt == 1:
                log.info("token refused on %s %s; logging in again", method, redact(http.url_for(url)))
        raise AuthError(error_message(decoded, "not authorised"), 401, code=error_code(decoded))

    def _check(
        self, resp: requests.Response, method: str, url: str, *, resource: str, limit: int = OBJECT_MAX_BYTES,
        read: list[int] | None = None,
    ) -> Any:
        """Read the body (at most ``limit`` bytes, then close; its size appended to ``read`` when given); raise
        the matching ``BackendError`` for an error status; return the decoded JSON otherwise (``None`` for an
        empty body)."""
        status = resp.status_code
        try:
            body = read_body(resp, resource, OBJECT_MAX_BYTES if status >= 400 else limit)
            if read is not None:
                read.append(len(body))
            if status >= 400:
                raise error_for_status(resp, body)
            return decode_json(body, resource, status) if body.strip() else None
        except MalformedAnswerError as exc:
            log.warning("%s %s: %s", method, redact(resp.url or url), exc)
            raise

    def _parse(self, envelope: type[Any], data: Any, resource: str, method: str, url: str) -> Any:
        """``data`` parsed into ``envelope``; a wrong shape is logged once and raised."""
        try:
            return parse_answer(envelope, data, resource)
        except MalformedAnswerError as exc:
            log.warning("%s %s: %s", method, redact(url), exc)
            raise

    def _json(self, method: str, url: str, *, resource: str, limit: int = OBJECT_MAX_BYTES,
              read: list[int] | None = None, **kwargs: Any) -> Any:
        resp = self.request(method, url, **kwargs)
        return self._check(resp, method, url, resource=resource, limit=limit, read=read)

    def _envelope(self, envelope: type[Any], url: str, resource: str, **kwargs: Any) -> Any:
        """``GET url`` parsed into ``envelope`` (a list answer: up to ``LIST_MAX_BYTES`` unless given)."""
        kwargs.setdefault("limit", LIST_MAX_BYTES)
        data = self._json("GET", url, resource=resource, **kwargs)
        return self._parse(envelope, data, resource, "GET", self.http.url_for(url))

    def _record(self, model: type[Any], data: Any, resource: str, method: str, url: str) -> Any:
        """A single record the caller cannot do without; a wrong shape is logged once and raised."""
        try:
            return parse_one(model, data, resource)
        except MalformedAnswerError as exc:
            log.warning("%s %s: %s", method, redact(self.http.url_for(url)), exc)
            raise

    # -- API ----------------------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """``GET /api/v1/health`` (no login needed): ``status`` and whatever else the server adds."""
        resp = self._send(self.http, "GET", "/api/v1/health", token=None)
        data = self._check(resp, "GET", "/api/v1/health", resource="health")
        return self._parse(HealthAnswer, data, "health", "GET", "/api/v1/health").model_dump()

    def layers(self) -> list[LayerInfo]:
        """The server's layer catalogue (cameras and units are not in it: they have their own endpoints)."""
        catalogue = self._envelope(LayerCatalogue, "/api/v1/layers", "layers")
        return [info for raw in catalogue.layers if (info := parse_layer_info(raw)) is not None]

    def layer_features(
        self,
        layer: LayerInfo | str,
        *,
        bbox: tuple[float, float, float, float] | None = None,
        page_size: int = 1000,
        max_features: int = MAX_LAYER_FEATURES,
    ) -> list[dict[str, Any]]:
        """All features of a layer, following ``rel=next`` pages, with geometry normalised to WGS84; at most
        ``max_features`` (the rest is not asked for, and the cut is logged).

        ``layer`` is a catalogue entry or a layer id (then the catalogue is fetched for its CRS).
        ``bbox`` (WGS84 minx, miny, maxx, maxy) is passed to the server.
        """
        if isinstance(layer, str):
            matches = [entry for entry in self.layers() if entry.id == layer]
            if not matches:
                raise NotFoundError(f"layer {layer!r} is not in the catalogue", 404)
            layer = matches[0]
        params: dict[str, Any] = {"limit": page_size}
        if bbox is not None:
            params["bbox"] = ",".join(f"{v:.8f}" for v in bbox)
        url: str | None = f"{layer.items_url}?{urlencode(params)}"
        features: list[dict[str, Any]] = []
        seen: set[str] = set()
        pages = 0
        read: list[int] = []  # each page's size: the layer reads at most MAX_LAYER_BYTES over all its pages
        while url and pages < MAX_PAGES:
            if sum(read) >= MAX_LAYER_BYTES:
                log.warning("layer %s: cut after %d page(s): %d MB read", layer.id, pages, MAX_LAYER_BYTES >> 20)
                break
            seen.add(url)
            pages += 1
            page = self._envelope(FeaturePage, url, f"layer {layer.id}", limit=LAYER_PAGE_MAX_BYTES, read=read)
            batch = [f for f in page.features if isinstance(f, dict)]
            features.extend(batch)
            url = next_link(page.links)
            if url in seen or not batch:
                url = None
            if len(features) >= max_features:
                if url is not None or len(features) > max_features:
                    log.warning("layer %s: cut at %d features (%d page(s) read)", layer.id, max_features, pages)
                del features[max_features:]
                break
        normalised = normalise_layer_features(features, layer.id, layer.crs)
        log.debug("layer %s: %d features in %d page(s), %d usable", layer.id, len(features), pages, len(normalised))
        return normalised

    def cameras(self) -> list[Camera]:
        """All cameras (WGS84 positions, stream URLs, status)."""
        answer = self._envelope(CameraList, "/api/v1/cameras", "cameras", limit=CAMERA_LIST_MAX_BYTES)
        return parse_models(Camera, answer.cameras, "camera")

    def incidents(self, since: str | None = None, limit: int | None = None) -> tuple[list[Incident], str | None]:
        """Incidents changed after the ``since`` cursor (or all open + recent ones) and the next cursor.

        ``limit`` is the page size; if the server says ``has_more``, the next pages are fetched too (bounded).
        """
        found: list[Incident] = []
        cursor = since
        for _ in range(MAX_INCIDENT_PAGES):
            params: dict[str, Any] = {}
            if cursor is not None:
                params["since"] = cursor
            if limit is not None:
                params["limit"] = limit
            page = self._envelope(IncidentPage, "/api/v1/incidents", "incidents", params=params)
            found.extend(parse_models(Incident, page.incidents, "incident"))
            next_cursor = page.cursor if page.cursor is not None else cursor
            more = page.has_more and next_cursor != cursor
            cursor = next_cursor
            if not more:
                break
        return found, cursor

    def incident(self, incident_id: str) -> Incident:
        """One incident by id (``NotFoundError`` if there is none)."""
        url = f"/api/v1/incidents/{_path_part(incident_id)}"
        data = self._json("GET", url, resource="incident")
        return self._record(Incident, data, "incident", "GET", url)

    def transition(
        self, incident_id: str, action: str, version: int, note: str = "", into: str | None = None,
        requested_at: datetime | None = None,
    ) -> Incident:
        """Apply a workflow action quoting the ``version`` the user saw (``into``: the survivor of a merge;
        ``requested_at``: when the user acted, sent as ``X-Requested-At`` — as for every change below).

        Raises ``StaleVersion`` (with ``.current``) if the incident changed meanwhile, ``TransitionRefused``
        if the action is not allowed from its status or for the user's role (403).
        """
        body: dict[str, Any] = {"action": action, "version": version, "note": note}
        if into is not None:
            body["into"] = into
        url = f"/api/v1/incidents/{_path_part(incident_id)}/transitions"
        try:
            data = self._json("POST", url, resource="transition", json=body, headers=_requested({}, requested_at))
        except ConflictError as exc:
            current = None
            if isinstance(exc.body, Mapping) and exc.body.get("current") is not None:
                try:
                    current = Incident.model_validate(exc.body["current"])
                except ValidationError as bad:
                    log.warning("409 for %s carried a malformed incident: %s", incident_id, short_error(bad))
            raise StaleVersion(exc.message, current, body=exc.body) from None
        except RejectedError as exc:
            raise TransitionRefused(exc.message, exc.status, code=exc.code, body=exc.body) from None
        return self._record(Incident, data, "transition", "POST", url)

    def create_task(self, payload: Mapping[str, Any], idempotency_key: str, requested_at: datetime | None = None
                    ) -> Task:  # fmt: skip
        """Dispatch a task (``incident_id, unit_id|None, department, instructions, priority``).

        Sending the same ``idempotency_key`` again returns the same task instead of making a second one.
        """
        headers = _requested({"Idempotency-Key": idempotency_key}, requested_at)
        data = self._json("POST", "/api/v1/tasks", resource="task", json=dict(payload), headers=headers)
        return self._record(Task, data, "task", "POST", "/api/v1/tasks")

    def add_note(self, incident_id: str, text: str, idempotency_key: str, requested_at: datetime | None = None
                 ) -> TimelineEntry:  # fmt: skip
        """Add a note to an incident's timeline; the same ``idempotency_key`` again returns the same entry."""
        url = f"/api/v1/incidents/{_path_part(incident_id)}/notes"
        data = self._json("POST", url, resource="note", json={"text": text},
                          headers=_requested({"Idempotency-Key": idempotency_key}, requested_at))
        return self._record(TimelineEntry, data, "note", "POST", url)

    def add_attachment(self, incident_id: str, name: str, data: BinaryIO, idempotency_key: str,
                       requested_at: datetime | None = None) -> TimelineEntry:  # fmt: skip
        """Attach a file to an incident (``data``: open in binary mode, read from its current position to the
        end, sent as the raw body; ``name`` in ``Content-Disposition``); the same ``idempotency_key`` again
        returns the same timeline entry. ``RejectedError`` 413 when the platform finds it too large."""
        url = f"/api/v1/incidents/{_path_part(incident_id)}/attachments"
        headers = {
            "Idempotency-Key": idempotency_key,
            "Content-Type": "application/octet-stream",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
        }
        _requested(headers, requested_at)
        data_json = self._json("POST", url, resource="attachment", data=data, headers=headers)
        return self._record(TimelineEntry, data_json, "attachment", "POST", url)

    def download_attachment(self, incident_id: str, attachment_id: str, target: BinaryIO,
                            max_bytes: int = MAX_ATTACHMENT_BYTES) -> int:
        """Write an attached file to ``target``; returns its size. ``MalformedAnswerError`` if the platform sends
        more than ``max_bytes``."""
        url = f"/api/v1/incidents/{_path_part(incident_id)}/attachments/{_path_part(attachment_id)}"
        resp = self.request("GET", url, stream=True, headers={"Accept": "*/*"})
        if resp.status_code >= 300:
            self._check(resp, "GET", url, resource="attachment")  # raises the matching error; closes
            raise MalformedAnswerError("attachment", f"answered {resp.status_code}", resp.status_code)
        written = 0
        try:
            for chunk in resp.iter_content(1 << 16):
                written += len(chunk)
                if written > max_bytes:
                    raise MalformedAnswerError("attachment", f"larger than {max_bytes} bytes", resp.status_code)
                target.write(chunk)
        except requests.RequestException as exc:
            raise BackendUnavailableError(f"GET {redact(self.http.url_for(url))} failed: "
                                          f"{describe_request_error(exc)}") from None
        finally:
            resp.close()
        return written

    def timeline(self, incident_id: str) -> list[TimelineEntry]:
        """An incident's timeline (audit trail), oldest first; malformed entries are dropped (logged)."""
        url = f"/api/v1/incidents/{_path_part(incident_id)}/timeline"
        answer = self._envelope(TimelineList, url, "timeline")
        return parse_models(TimelineEntry, answer.entries, "timeline entry")

    def tasks(self, incident_id: str | None = None) -> list[Task]:
        """Tasks, optionally only those of one incident."""
        params = {"incident_id": incident_id} if incident_id else {}
        answer = self._envelope(TaskList, "/api/v1/tasks", "tasks", params=params)
        return parse_models(Task, answer.tasks, "task")

    def units(self) -> list[Unit]:
        """All field units with position and status."""
        answer = self._envelope(UnitList, "/api/v1/units", "units")
        return parse_models(Unit, answer.units, "unit")

    def sensors(self) -> list[Sensor]:
        """Air-quality stations and water gauges with their latest readings and thresholds (a malformed
        sensor is dropped; a platform without sensors answers ``NotFoundError`` or ``BackendError``)."""
        answer = self._envelope(SensorList, "/api/v1/sensors", "sensors")
        return parse_models(Sensor, answer.sensors, "sensor")

    def ptz(self, camera_id: str, action: str, speed: int = 4) -> None:
        """Pan/tilt/zoom a camera (``left|right|up|down|zoom_in|zoom_out|stop``, speed 1..8)."""
        url = f"/api/v1/cameras/{_path_part(camera_id)}/ptz"
        self._json("POST", url, resource="ptz", json={"action": action, "speed": speed})

    def open_event_stream(self, last_event_id: str | None, *, read_timeout: float = 45.0) -> requests.Response:
        """Open ``GET /api/v1/events`` as a streaming response (caller reads and closes it).

        Uses a second HTTP connection pool without urllib3 retries: the event stream reconnects by itself.
        ``read_timeout`` must exceed the server's keepalive interval (15 s).
        """
        if self._stream_http is None:
            self._stream_http = make_http(
                self.base_url, timeout=(self.timeout, read_timeout), verify=self.verify, retries=0
            )
        # identity: the stream is read as it comes (the bytes under requests' decoding), so a compressed one
        # (a proxy may compress what the client says it accepts) would be read as garbage while it looked live
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache", "Accept-Encoding": "identity"}
        sendable = header_safe_event_id(last_event_id)
        if sendable:
            headers["Last-Event-ID"] = sendable
        elif last_event_id:
            log.warning("not sending back an event id that cannot be a header (%d chars)", len(last_event_id))
        resp = self.request(
            "GET",
            "/api/v1/events",
            http=self._stream_http,
            headers=headers,
            stream=True,
            timeout=(self.timeout, read_timeout),
        )
        if resp.status_code != 200:
            self._check(resp, "GET", "/api/v1/events", resource="events")  # raises for 4xx/5xx; closes
            raise BackendUnavailableError(f"event stream answered {resp.status_code}", resp.status_code)
        content_type = resp.headers.get("Content-Type", "")
        if not content_type.startswith("text/event-stream"):
            resp.close()
            shown = content_type[:60] if content_type.isprintable() else "?"
            raise MalformedAnswerError("events", f"answered with {shown or 'no content type'}", 200)
        encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):  # asked for identity and sent something else: unreadable as it comes
            resp.close()
            shown = encoding[:30] if encoding.isprintable() else "?"
            raise MalformedAnswerError("events", f"answered {shown}-encoded, not as it comes", 200)
        return resp

    def close(self) -> None:
        """Close pooled connections."""
        self.http.close()
        if self._stream_http is not None:
            self._stream_http.close()
