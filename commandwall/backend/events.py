"""The platform's live event stream: SSE with Last-Event-ID, reconnect with backoff, polling fallback.

``EventStream`` runs on one daemon thread:

1. **LIVE** — ``GET /api/v1/events`` read with sseclient-py; every event id is remembered and sent back as
   ``Last-Event-ID`` on reconnect, so the server replays what was missed (no gap, no repeat).
2. A dropped stream is reopened with bounded exponential backoff (state **CONNECTING**).
3. After ``fallback_after`` failed connects in a row it falls back to **POLLING** ``/api/v1/incidents?since=``
   every ``poll_interval`` seconds, and tries SSE again every ``sse_retry_interval`` seconds to go back LIVE.
   Incidents alone would leave the rest of the picture frozen, so while polling it also takes a **snapshot**
   of ``/cameras``, ``/units`` and ``/tasks`` at once and then every ``snapshot_interval`` seconds.
4. If polling (or a snapshot) fails the state is **OFFLINE**; it keeps trying both, SSE first.

Catch-up: when the stream opens after polling, or first opens after the caller's snapshot (``cursor``),
incidents are polled since the cursor and one snapshot is taken: nothing changed in the gap is missed.

Events reach ``on_event(kind, model)`` as domain models (``Incident``, ``Task``, ``Unit``,
``CameraStatusChange``); an event that is not JSON, fails validation or has an unknown type is logged and
dropped. Snapshots arrive the same way, as ``camera-status`` / ``unit`` / ``task`` for what differs from
what this stream last delivered; an event that repeats the last one delivered for its camera, unit or task
(or an older unit report) is not delivered. Callbacks run on the stream's thread: queue them to the GUI.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum

import requests
import sseclient
from pydantic import BaseModel, ConfigDict, ValidationError

from commandwall.backend.api import PlatformClient
from commandwall.backend.errors import BackendError, RejectedError
from commandwall.backend.http import abort_response
from commandwall.backoff import Backoff, RetryPacer
from commandwall.domain.models import Camera, CameraStatus, Incident, Task, Unit

log = logging.getLogger(__name__)


#: While the live stream is down: incidents are polled this often (s) …
POLL_INTERVAL_S = 3.0
#: … and cameras, units and tasks this often (s).
SNAPSHOT_INTERVAL_S = 10.0

class ConnectionState(StrEnum):
    """How the client currently hears about changes."""

    CONNECTING = "connecting"  # opening (or reopening) the SSE stream
    LIVE = "live"  # SSE stream open
    POLLING = "polling"  # SSE keeps failing; polling /incidents?since= plus camera/unit/task snapshots
    OFFLINE = "offline"  # neither works (or stopped)


class CameraStatusChange(BaseModel):
    """Data of a ``camera-status`` event: a camera went online or offline."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    status: CameraStatus


#: SSE event type -> model of its data.
EVENT_MODELS: dict[str, type[BaseModel]] = {
    "incident": Incident,
    "task": Task,
    "unit": Unit,
    "camera-status": CameraStatusChange,
}

#: A stream that stayed open this long (or delivered an event) was a real connection, not a failure.
HEALTHY_AFTER_S = 5.0

EventCallback = Callable[[str, BaseModel], None]
StateCallback = Callable[[ConnectionState, str], None]


def parse_event(kind: str, data: str) -> BaseModel | None:
    """Model for one SSE event, or ``None`` (logged) if the type is unknown or the data malformed."""
    model = EVENT_MODELS.get(kind)
    if model is None:
        log.warning("dropping event of unknown type %r", kind)
        return None
    try:
        return model.model_validate(json.loads(data))
    except json.JSONDecodeError as exc:
        log.warning("dropping %s event: data is not JSON (%s)", kind, exc)
    except ValidationError as exc:
        log.warning("dropping malformed %s event: %d validation error(s)", kind, exc.error_count())
    return None


class _ResponseBytes:
    """Byte source for ``sseclient.SSEClient``: yields data as soon as it arrives (``read1``), whether or
    not the server uses chunked encoding, and closes the response."""

    def __init__(self, response: requests.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        raw = self._response.raw
        while True:
            chunk = raw.read1(65536)
            if not chunk:
                return
            yield chunk

    def close(self) -> None:
        self._response.close()


class EventStream:
    """Keeps the client informed of platform changes on a daemon thread (see the module docstring).

    ``last_event_id`` resumes a previous stream; ``cursor`` (from ``client.incidents()``) lets the stream
    catch up on incidents changed between that snapshot and the stream opening, and seeds polling.
    ``cameras``, ``units`` and ``tasks`` are what the caller's start-up snapshot holds: snapshots then
    deliver only what differs from them (without them the first snapshot delivers every item once; the
    stores ignore unchanged ones). ``snapshot_interval`` (s) paces the camera/unit/task snapshots while
    polling.
    """

    def __init__(
        self,
        client: PlatformClient,
        on_event: EventCallback,
        on_state: StateCallback | None = None,
        *,
        last_event_id: str | None = None,
        cursor: str | None = None,
        read_timeout: float = 45.0,
        poll_interval: float = POLL_INTERVAL_S,
        fallback_after: int = 3,
        sse_retry_interval: float = 20.0,
        backoff_initial: float = 0.5,
        backoff_max: float = 15.0,
        snapshot_interval: float = SNAPSHOT_INTERVAL_S,
        cameras: Iterable[Camera] | None = None,
        units: Iterable[Unit] | None = None,
        tasks: Iterable[Task] | None = None,
    ) -> None:
        if read_timeout <= 15.0:
            raise ValueError("read_timeout must exceed the server's 15 s keepalive interval")
        self._client = client
        self._on_event = on_event
        self._on_state = on_state
        self._last_event_id = last_event_id
        self._cursor = cursor
        self.read_timeout = read_timeout
        self.poll_interval = poll_interval
        self.fallback_after = max(1, fallback_after)
        self.sse_retry_interval = sse_retry_interval
        self.snapshot_interval = snapshot_interval
        self._backoff = RetryPacer(Backoff(initial_s=backoff_initial, maximum_s=backoff_max))
        self._poll_backoff = RetryPacer(Backoff(initial_s=max(poll_interval, backoff_initial), maximum_s=backoff_max))
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._response: requests.Response | None = None
        self._thread: threading.Thread | None = None
        self._state = ConnectionState.OFFLINE
        self._detail = "not started"
        # What this stream last delivered (or the caller holds): snapshots and repeats deliver only changes.
        self._camera_status: dict[str, CameraStatus] = {c.id: c.status for c in cameras or ()}
        self._units: dict[str, Unit] = {u.id: u for u in units or ()}
        self._tasks: dict[str, Task] = {t.id: t for t in tasks or ()}
        self._snapshot_pending = False  # a catch-up snapshot failed: take one at the next chance
        self._snapshot_failures = 0

    # -- public -------------------------------------------------------------------------------------------

    @property
    def state(self) -> ConnectionState:
        """Current connection state."""
        return self._state

    @property
    def detail(self) -> str:
        """Human-readable reason for the current state (the last error, or empty)."""
        return self._detail

    @property
    def last_event_id(self) -> str | None:
        """Id of the last event received (sent as ``Last-Event-ID`` on reconnect)."""
        return self._last_event_id

    @property
    def cursor(self) -> str | None:
        """Incident cursor of the last successful poll (or the one given at construction)."""
        return self._cursor

    def start(self) -> EventStream:
        """Start the thread (once)."""
        if self._thread is not None:
            raise RuntimeError("EventStream already started")
        self._thread = threading.Thread(target=self._run, name="commandwall-events", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop: close the open stream to unblock its read, then wait up to ``timeout`` s for the thread."""
        self._stop.set()
        with self._lock:
            response = self._response
        abort_response(response)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("event stream thread did not stop within %.1f s", timeout)

    def is_alive(self) -> bool:
        """True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    # -- thread -------------------------------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        polling = False
        sse_detail = ""
        next_sse_at = 0.0
        next_snapshot_at = 0.0
        self._set_state(ConnectionState.CONNECTING, "")
        try:
            while not self._stop.is_set():
                if not polling or time.monotonic() >= next_sse_at:
                    catch_up = polling or not self._last_event_id
                    snapshot = polling or self._snapshot_pending or (catch_up and self._cursor is not None)
                    healthy, detail = self._sse_session(catch_up=catch_up, snapshot=snapshot)
                    if self._stop.is_set():
                        break
                    if healthy:
                        failures, polling = 0, False
                        self._backoff.reset()
                        self._set_state(ConnectionState.CONNECTING, f"stream ended ({detail}); reconnecting")
                        self._stop.wait(self._backoff.next_delay())
                        continue
                    failures += 1
                    if not polling and failures < self.fallback_after:
                        self._set_state(ConnectionState.CONNECTING, f"attempt {failures} failed: {detail}")
                        self._stop.wait(self._backoff.next_delay())
                        continue
                    if not polling:
                        log.warning("event stream failed %d times (%s); polling instead", failures, detail)
                        next_snapshot_at = 0.0  # what changed since the stream broke: snapshot at once
                    polling = True
                    next_sse_at = time.monotonic() + self.sse_retry_interval
                    sse_detail = detail
                poll_error = self._poll_once()
                if poll_error is None and time.monotonic() >= next_snapshot_at:
                    poll_error = self._snapshot_once()
                    if poll_error is None:
                        next_snapshot_at = time.monotonic() + self.snapshot_interval
                if self._stop.is_set():
                    break
                if poll_error is None:
                    self._poll_backoff.reset()
                    self._set_state(ConnectionState.POLLING, f"live stream unavailable: {sse_detail}")
                    delay = self.poll_interval
                else:
                    self._set_state(ConnectionState.OFFLINE, poll_error)
                    delay = self._poll_backoff.next_delay()
                    next_sse_at = time.monotonic() + delay  # server down: try the stream first next time
                self._stop.wait(max(0.05, min(delay, next_sse_at - time.monotonic())))
        except Exception:
            log.exception("event stream thread crashed")
        finally:
            self._set_state(ConnectionState.OFFLINE, "stopped")

    def _sse_session(self, *, catch_up: bool, snapshot: bool) -> tuple[bool, str]:
        """Open the stream and read it until it ends. Returns (healthy, why it ended / failed).

        Once open, ``catch_up`` polls incidents since the cursor and ``snapshot`` takes one camera/unit/task
        snapshot, before the stream is read (its events are all later than the snapshot's start).

        Healthy means it connected and then delivered an event or stayed open ``HEALTHY_AFTER_S``; a
        stream that opens and drops at once counts as a failure (so it cannot spin without backoff).
        """
        try:
            response = self._client.open_event_stream(self._last_event_id, read_timeout=self.read_timeout)
        except RejectedError as exc:
            if self._last_event_id is not None:  # e.g. an id from another server: start from now
                log.warning("server refused Last-Event-ID %s (%s); resuming from now", self._last_event_id, exc)
                self._last_event_id = None
            return False, str(exc)
        except BackendError as exc:
            return False, str(exc)
        with self._lock:
            self._response = response
        if self._stop.is_set():
            abort_response(response)
            return True, "stopped"
        # Catch up before saying LIVE: changes between the snapshot / last poll and this stream. If that
        # fails, drop this stream so the normal backoff retries the whole thing (nothing is skipped).
        error = self._poll_once() if catch_up and self._cursor is not None else None
        if error is None and snapshot and not self._stop.is_set():
            error = self._snapshot_once()  # cameras, units, tasks changed meanwhile
        if error is not None:
            abort_response(response)
            with self._lock:
                self._response = None
            return False, f"catch-up failed: {error}"
        self._set_state(ConnectionState.LIVE, "")
        log.info("event stream live (Last-Event-ID %s)", self._last_event_id)
        detail = "server closed the stream"
        opened, received = time.monotonic(), 0
        try:
            for event in sseclient.SSEClient(_ResponseBytes(response)).events():
                if self._stop.is_set():
                    break
                received += 1
                self._dispatch(event.id, event.event, event.data)
        except Exception as exc:  # read timeout, reset, or the socket shut down by stop()
            detail = f"{type(exc).__name__}"
        finally:
            with self._lock:
                self._response = None
            abort_response(response)
        return received > 0 or time.monotonic() - opened >= HEALTHY_AFTER_S, detail

    def _dispatch(self, event_id: str | None, kind: str, data: str) -> None:
        if event_id:
            self._last_event_id = event_id  # even for a dropped event: it must not be replayed
        model = parse_event(kind, data)
        if model is not None and self._remember(model):
            self._emit(kind, model)

    def _poll_once(self) -> str | None:
        """One ``GET /incidents?since=``; emits each incident. Returns the error, or ``None`` on success."""
        try:
            incidents, cursor = self._client.incidents(since=self._cursor)
        except BackendError as exc:
            log.debug("poll failed: %s", exc)
            return str(exc)
        for incident in incidents:
            if self._stop.is_set():
                break
            self._emit("incident", incident)
        self._cursor = cursor
        return None

    def _snapshot_once(self) -> str | None:
        """Fetch cameras, units and tasks and emit what changed. Returns the error(s), or ``None`` on success.

        Each list is one request (three in all) and each item is looked at once; stop() ends it between
        requests and between items. A failed request does not keep the other two from being delivered.
        """
        errors: list[str] = []
        fetches: list[tuple[str, Callable[[], list]]] = [
            ("cameras", self._client.cameras),
            ("units", self._client.units),
            ("tasks", self._client.tasks),
        ]
        for name, fetch in fetches:
            if self._stop.is_set():
                return None
            try:
                items = fetch()
            except BackendError as exc:
                errors.append(f"{name}: {exc}")
                continue
            for item in items:
                if self._stop.is_set():
                    return None
                if self._remember(item):
                    if isinstance(item, Camera):
                        self._emit("camera-status", CameraStatusChange(id=item.id, status=item.status))
                    else:
                        self._emit("unit" if isinstance(item, Unit) else "task", item)
        if errors:
            self._snapshot_pending = True
            self._snapshot_failures += 1
            level = logging.WARNING if self._snapshot_failures == 1 else logging.DEBUG
            log.log(level, "snapshot failed (%d in a row): %s", self._snapshot_failures, "; ".join(errors))
            return "; ".join(errors)
        self._snapshot_pending = False
        self._snapshot_failures = 0
        return None

    def _remember(self, model: BaseModel) -> bool:
        """Note a camera status, unit or task about to be delivered; False if it adds nothing to what this
        stream last delivered (the same status or copy, or a unit report older than the one delivered)."""
        if isinstance(model, Camera | CameraStatusChange):
            if self._camera_status.get(model.id) == model.status:
                return False
            self._camera_status[model.id] = model.status
        elif isinstance(model, Unit):
            held = self._units.get(model.id)
            if held is not None and (held == model or model.updated_at < held.updated_at):
                return False
            self._units[model.id] = model
        elif isinstance(model, Task):
            if self._tasks.get(model.id) == model:
                return False
            self._tasks[model.id] = model
        return True  # incidents always: the store orders them by version

    def _emit(self, kind: str, model: BaseModel) -> None:
        try:
            self._on_event(kind, model)
        except Exception:
            log.exception("on_event callback failed for a %s event", kind)

    def _set_state(self, state: ConnectionState, detail: str) -> None:
        if (state, detail) == (self._state, self._detail):
            return
        self._state, self._detail = state, detail
        if self._on_state is None:
            return
        try:
            self._on_state(state, detail)
        except Exception:
            log.exception("on_state callback failed")
