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

The incident cursor follows the event ids (the contract counts both in one sequence): polling continues where
the stream stopped. Catch-up: when the stream opens after polling, or first opens after the caller's snapshot
(``cursor``), incidents are polled since the cursor and one snapshot is taken: nothing changed in the gap is missed.

Events reach ``on_event(kind, model)`` as domain models (``Incident``, ``Task``, ``Unit``,
``CameraStatusChange``); an event that is not JSON, fails validation or has an unknown type is logged and
dropped. Bytes that are not UTF-8 become U+FFFD; an event over ``MAX_EVENT_BYTES`` or ``MAX_EVENT_LINES``
ends that stream (reconnect with backoff). Event ids are opaque: one that cannot be sent back as a header
exactly (see ``api.header_safe_event_id``) or holds NUL (ignored, as the SSE spec says) is not kept; the
stream then forgets its position and catches up by cursor and snapshot on the next connect.

Nothing ends the thread but ``stop()``: an unexpected exception anywhere in the loop is logged with what
the stream was doing, reported as OFFLINE with a short detail, backed off, and the loop starts afresh.

The platform's data going back — its database reset, or restored from a backup — shows as an event id or an incident
cursor lower than one already seen (the contract replays the whole log for an id beyond it). The stream then calls
``on_reset`` (the caller loads everything afresh, as at login, and hands back what it loaded: ``Resync``) and goes
on from there; without ``on_reset`` it only logs it. ``request_resync`` asks for the same from outside (an answer
of the platform that shows it went back).

Snapshots arrive the same way as events, as ``camera-status`` / ``unit`` / ``task`` for what differs from
what this stream last delivered; an event that repeats the last one delivered for its camera, unit or task
is not delivered (older unit reports are: the store orders them). Callbacks run on the stream's thread:
queue them to the GUI.
"""

from __future__ import annotations

import codecs
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

import requests
import sseclient
import urllib3
from pydantic import BaseModel, ConfigDict, ValidationError

from commandwall.backend.answers import decode_json
from commandwall.backend.api import PlatformClient, header_safe_event_id
from commandwall.backend.errors import BackendError, MalformedAnswerError, RejectedError
from commandwall.backend.http import abort_response
from commandwall.backoff import Backoff, RetryPacer
from commandwall.domain.models import Camera, CameraStatus, Identifier, Incident, Task, TimelineEntry, Unit
from commandwall.i18n import translate

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

    id: Identifier
    status: CameraStatus


#: SSE event type -> model of its data.
EVENT_MODELS: dict[str, type[BaseModel]] = {
    "incident": Incident,
    "task": Task,
    "unit": Unit,
    "camera-status": CameraStatusChange,
    "timeline": TimelineEntry,
}

#: A stream that stayed open this long (or delivered an event) was a real connection, not a failure.
HEALTHY_AFTER_S = 5.0
#: One event (all its lines) may not exceed this many bytes …
MAX_EVENT_BYTES = 1024 * 1024
#: … nor this many lines (the contract sends 3 or 4).
MAX_EVENT_LINES = 1000
#: Connection details reported to ``on_state`` are cut to this many characters.
MAX_DETAIL_CHARS = 200
#: The platform sends a keepalive comment this often (s) while it has nothing else to send.
KEEPALIVE_S = 15.0
#: A platform that sent not a byte for this long (s) — on the live stream a keepalive is overdue — is shown as
#: quiet: it or the path to it may hang, and what the desk shows may not be current. The stream itself is given
#: up only at its read timeout (45 s), as a keepalive late on a slow link is no outage; the silence is counted
#: on through the reconnects and polls that follow, until the platform answers.
QUIET_AFTER_S = KEEPALIVE_S + 5.0

EventCallback = Callable[[str, BaseModel], None]
StateCallback = Callable[[ConnectionState, str], None]


@dataclass(frozen=True)
class Resync:
    """What ``on_reset`` loaded afresh from the platform after its data went back: the stream goes on from there,
    as from a start-up snapshot (incidents polled since ``cursor``; snapshots deliver what differs from the lists)."""

    cursor: str | None
    cameras: list[Camera] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


#: ``on_reset(reason)``: load everything afresh (on the stream's thread; ``BackendError``: tried again later).
ResetCallback = Callable[[str], Resync]


class _WentBack(Exception):  # noqa: N818 - a signal within the stream, not an error
    """An event id before one already seen: the platform's log is not the one this stream followed."""


def _position(value: str | None) -> int | None:
    """An event id or cursor as a number of the platform's sequence; None for an opaque one (never compared)."""
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 19:
        return None
    return int(value)


def went_back(seen: str | None, new: str | None) -> bool:
    """Whether ``new`` (an event id, or an incident cursor) lies before ``seen`` in the platform's sequence: the
    platform's log is shorter than what this desk saw, its database reset or restored from a backup. An id equal
    to the last is not taken for it (a server that resends the Last-Event-ID's own event on a reconnect would
    reload everything at each one). Opaque (non-numeric) values never went back."""
    old, now = _position(seen), _position(new)
    if old is None or now is None:
        return False
    return now < old


def parse_event(kind: str, data: str) -> BaseModel | None:
    """Model for one SSE event, or ``None`` (logged) if the type is unknown or the data malformed.

    ``data`` goes through the same strict JSON decoding (depth limit, no NaN) as every other answer.
    """
    model = EVENT_MODELS.get(kind)
    if model is None:
        log.warning("dropping event of unknown type %r", kind[:40])
        return None
    try:
        return model.model_validate(decode_json(data, f"{kind} event"))
    except MalformedAnswerError as exc:
        log.warning("dropping %s event: %s", kind, exc.problem)
    except ValidationError as exc:
        log.warning("dropping malformed %s event: %d validation error(s)", kind, exc.error_count())
    return None


class _ResponseBytes:
    """Byte source for ``sseclient.SSEClient``: yields data as soon as it arrives (``read1``), whether or
    not the server uses chunked encoding, and closes the response.

    What it yields is valid UTF-8 (undecodable bytes become U+FFFD, so sseclient's strict decoding cannot
    fail), and an event longer than ``MAX_EVENT_BYTES`` or ``MAX_EVENT_LINES`` raises
    ``MalformedAnswerError`` (sseclient would buffer it without bound, and its line joining is quadratic).
    """

    _BOUNDARIES = (b"\r\r", b"\n\n", b"\r\n\r\n")

    def __init__(self, response: requests.Response) -> None:
        self._response = response
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._event_bytes = 0
        self._event_lines = 0
        self._tail = b""
        #: ``time.monotonic()`` of the last bytes received (of the answer's headers, before the first)
        self.last_bytes_at = time.monotonic()

    def __iter__(self) -> Iterator[bytes]:
        raw = self._response.raw
        while True:
            chunk = raw.read1(65536)
            self.last_bytes_at = time.monotonic()
            if not chunk:
                rest = self._decoder.decode(b"", final=True).encode("utf-8")
                if rest:
                    yield rest
                return
            text = self._decoder.decode(chunk).encode("utf-8")
            self._count(text)
            yield text

    def _count(self, data: bytes) -> None:
        """Track the size of the event being received, the way sseclient splits events."""
        for line in data.splitlines(True):
            if line.startswith(b":"):  # a comment (a keepalive): ignored by SSE, even without a blank line after it
                continue
            self._event_bytes += len(line)
            self._event_lines += 1
            self._tail = (self._tail + line)[-4:]
            if self._tail.endswith(self._BOUNDARIES):
                self._event_bytes = self._event_lines = 0
                self._tail = b""
            elif self._event_bytes > MAX_EVENT_BYTES or self._event_lines > MAX_EVENT_LINES:
                raise MalformedAnswerError("events", f"an event exceeds {MAX_EVENT_BYTES} bytes or "
                                           f"{MAX_EVENT_LINES} lines")

    def close(self) -> None:
        self._response.close()


class EventStream:
    """Keeps the client informed of platform changes on a daemon thread (see the module docstring).

    ``last_event_id`` resumes a previous stream; ``cursor`` (from ``client.incidents()``) lets the stream
    catch up on incidents changed between that snapshot and the stream opening, and seeds polling.
    ``cameras``, ``units`` and ``tasks`` are what the caller's start-up snapshot holds: snapshots then
    deliver only what differs from them (without them the first snapshot delivers every item once; the
    stores ignore unchanged ones). ``snapshot_interval`` (s) paces the camera/unit/task snapshots while
    polling. ``keepalive_s`` is the platform's keepalive interval: ``read_timeout`` must exceed it (a platform
    that sends them more often, e.g. an exercise one, allows a shorter read timeout). ``on_reset`` reloads
    everything when the platform's data went back (see the module docstring).
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
        keepalive_s: float = KEEPALIVE_S,
        on_reset: ResetCallback | None = None,
    ) -> None:
        if read_timeout <= keepalive_s:
            raise ValueError(f"read_timeout must exceed the server's {keepalive_s:g} s keepalive interval")
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
        self._reading: _ResponseBytes | None = None  # the live stream's bytes, while it is read
        self._heard_at = time.monotonic()  # the platform's last answer or bytes (see quiet_for)
        self._thread: threading.Thread | None = None
        self._state = ConnectionState.OFFLINE
        self._detail = "not started"
        # What this stream last delivered (or the caller holds): snapshots and repeats deliver only changes.
        self._camera_status: dict[str, CameraStatus] = {c.id: c.status for c in cameras or ()}
        self._units: dict[str, Unit] = {u.id: u for u in units or ()}
        self._tasks: dict[str, Task] = {t.id: t for t in tasks or ()}
        self._snapshot_pending = False  # a catch-up snapshot failed: take one at the next chance
        self._catch_up_next = False  # the last stream went silent: the next one polls what it may have missed
        self._snapshot_failures = 0
        self._activity = "starting"  # what the thread is doing, for the log line of an unexpected error
        self._crash_backoff = RetryPacer(Backoff(initial_s=backoff_initial, maximum_s=backoff_max))
        self._bad_ids = 0  # event ids that could not be kept (logged once per stream)
        self._on_reset = on_reset
        self._live_since = 0.0  # time.monotonic() when the state last became LIVE
        self._reset_reason: str | None = None  # the platform's data went back: reload before anything else
        self._resyncs = 0  # reloads done (a catch-up that reloaded drops the stream it opened)

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

    def live_for(self, now: float | None = None) -> float:
        """Seconds the stream has been live (0 when it is not). A platform whose data went back replays its log
        from the start at once to a desk whose Last-Event-ID lies beyond it: the first second of a stream tells."""
        if self._state is not ConnectionState.LIVE:
            return 0.0
        return (time.monotonic() if now is None else now) - self._live_since

    def quiet_for(self, now: float | None = None) -> float:
        """Seconds since the platform last sent anything: a byte of the live stream (an event or a keepalive),
        the stream's opening answer, or a poll's or snapshot's answer — whatever the stream is doing now
        (reading, reconnecting, polling). Over :data:`QUIET_AFTER_S` the platform may hang (thread-safe)."""
        reading = self._reading  # before _heard_at: a stream that just ended has moved its time there
        heard = self._heard_at
        if reading is not None:
            heard = max(heard, reading.last_bytes_at)
        return max(0.0, (time.monotonic() if now is None else now) - heard)

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

    def request_resync(self, reason: str) -> None:
        """Something else showed that the platform's data went back (a 409 answer with an older incident than the
        one held): reload everything as on a detected reset, at once (the open stream is dropped; any thread).
        Ignored without ``on_reset``."""
        if self._on_reset is None or self._stop.is_set():
            return
        log.warning("event stream: reload asked for (%s)", reason)
        if self._reset_reason is None:
            self._reset_reason = reason
        with self._lock:
            response = self._response
        abort_response(response)

    @property
    def resyncs(self) -> int:
        """How many times everything was reloaded because the platform's data went back."""
        return self._resyncs

    def is_alive(self) -> bool:
        """True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    # -- thread -------------------------------------------------------------------------------------------

    def _run(self) -> None:
        """Supervisor: runs the loop until ``stop()``; an unexpected exception is logged with what the
        stream was doing, reported as OFFLINE, backed off, and the loop starts afresh."""
        try:
            while not self._stop.is_set():
                try:
                    self._loop()
                except Exception as exc:
                    delay = self._crash_backoff.next_delay()
                    log.exception(
                        "event stream: unexpected error while %s (%d in a row); restarting in %.1f s",
                        self._activity, self._crash_backoff.failures, delay,
                    )
                    reason = translate("backend", "内部错误: {error} ({activity})").format(
                        error=type(exc).__name__, activity=self._activity)
                    self._set_state(ConnectionState.OFFLINE, reason)
                    with self._lock:
                        response, self._response = self._response, None
                    abort_response(response)
                    self._stop.wait(delay)
        finally:
            self._set_state(ConnectionState.OFFLINE, "stopped")

    def _loop(self) -> None:
        """The stream's loop (see the module docstring); returns on ``stop()``."""
        failures = 0
        polling = False
        sse_detail = ""
        next_sse_at = 0.0
        next_snapshot_at = 0.0
        self._set_state(ConnectionState.CONNECTING, "")
        while not self._stop.is_set():
            if not polling or time.monotonic() >= next_sse_at:
                catch_up = polling or not self._last_event_id or self._catch_up_next
                snapshot = polling or self._snapshot_pending or (catch_up and self._cursor is not None)
                healthy, detail = self._sse_session(catch_up=catch_up, snapshot=snapshot)
                if self._stop.is_set():
                    break
                if healthy:
                    failures, polling = 0, False
                    self._backoff.reset()
                    self._crash_backoff.reset()
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
                self._crash_backoff.reset()
                self._set_state(ConnectionState.POLLING, f"live stream unavailable: {sse_detail}")
                delay = self.poll_interval
            else:
                self._set_state(ConnectionState.OFFLINE, poll_error)
                delay = self._poll_backoff.next_delay()
                next_sse_at = time.monotonic() + delay  # server down: try the stream first next time
            self._stop.wait(max(0.05, min(delay, next_sse_at - time.monotonic())))

    def _sse_session(self, *, catch_up: bool, snapshot: bool) -> tuple[bool, str]:
        """Open the stream and read it until it ends. Returns (healthy, why it ended / failed).

        Once open, ``catch_up`` polls incidents since the cursor and ``snapshot`` takes one camera/unit/task
        snapshot, before the stream is read (its events are all later than the snapshot's start).

        Healthy means it connected and stayed open ``HEALTHY_AFTER_S`` and did not go silent; a stream that opens
        and drops at once counts as a failure, even after an event (so a server closing after every event cannot
        make the desk reconnect twice a second), and so does one that sent nothing, not even a keepalive, for
        the read timeout (a hung server or path: after ``fallback_after`` of them the desk polls, and the next
        stream catches up first).
        """
        if self._reset_reason is not None:  # reload first: the stream then goes on from what was loaded
            error = self._resync()
            if error is not None:
                return False, error
            catch_up = snapshot = True
        self._activity = "opening GET /api/v1/events"
        self._bad_ids = 0
        resyncs = self._resyncs
        try:
            response = self._client.open_event_stream(self._last_event_id, read_timeout=self.read_timeout)
        except RejectedError as exc:
            if self._last_event_id is not None:  # e.g. an id from another server: start from now
                log.warning("server refused Last-Event-ID %r (%s); resuming from now", self._last_event_id[:40], exc)
                self._last_event_id = None
            return False, str(exc)
        except BackendError as exc:
            return False, str(exc)
        self._heard()
        with self._lock:
            self._response = response
        if self._stop.is_set():
            abort_response(response)
            return True, "stopped"
        # Catch up before saying LIVE: changes between the snapshot / last poll and this stream. If that
        # fails, drop this stream so the normal backoff retries the whole thing (nothing is skipped).
        # (its answer may itself have shown that the platform's data went back: a new data epoch, then reload)
        error = self._poll_once() if self._reset_reason is not None or (catch_up and self._cursor is not None) else None
        if error is None and snapshot and not self._stop.is_set() and self._resyncs == resyncs:
            error = self._snapshot_once()  # cameras, units, tasks changed meanwhile
        if error is not None or self._resyncs != resyncs:
            abort_response(response)
            with self._lock:
                self._response = None
            if error is None:  # the catch-up found the platform gone back and reloaded: this stream would replay
                return True, "reloaded"  # the whole log; the next one starts from what was loaded
            return False, f"catch-up failed: {error}"
        if catch_up:
            self._catch_up_next = False
        self._set_state(ConnectionState.LIVE, "")
        log.info("event stream live (Last-Event-ID %s)", self._last_event_id)
        detail = "server closed the stream"
        opened, received, silent, back = time.monotonic(), 0, False, False
        self._activity = "reading GET /api/v1/events"
        self._reading = reading = _ResponseBytes(response)
        try:
            for event in sseclient.SSEClient(reading).events():
                if self._stop.is_set():
                    break
                if self._dispatch(event.id, event.event, event.data):
                    received += 1  # junk events do not make a stream healthy
        except _WentBack as exc:  # reloaded before the next stream opens
            self._reset_reason = str(exc)
            detail, back = "the platform's data went back", True
        except BackendError as exc:  # an oversized event
            log.warning("event stream: %s", exc)
            detail = str(exc)
        except urllib3.exceptions.ReadTimeoutError:  # not a byte, not even a keepalive, for the read timeout
            detail = f"no data for {self.read_timeout:g} s (keepalives missed)"
            silent = True
        except (requests.RequestException, OSError, ValueError, urllib3.exceptions.HTTPError) as exc:
            detail = f"{type(exc).__name__}"  # a reset, stop(), bad chunking: this stream is over
        except Exception as exc:  # anything else from urllib3/sseclient: this stream is over, the next one may do
            if not self._stop.is_set():  # stop() shutting the socket down makes http.client raise anything
                log.warning("event stream read failed: %s", type(exc).__name__, exc_info=True)
            detail = f"{type(exc).__name__}"
        finally:
            self._heard_at = max(self._heard_at, reading.last_bytes_at)
            self._reading = None
            with self._lock:
                self._response = None
            abort_response(response)
        if not self._stop.is_set():  # whatever the loop does next (reconnect, poll), the stream is not live
            self._set_state(ConnectionState.CONNECTING, f"stream ended ({detail}); reconnecting")
        if silent:  # the server or the path hung: what it sent meanwhile may be lost; caught up at the next open
            self._catch_up_next = True
        return (time.monotonic() - opened >= HEALTHY_AFTER_S and not silent) or back, detail

    def _dispatch(self, event_id: str | None, kind: str, data: str) -> bool:
        """Remember the id, deliver the event; False if the event was unusable (unknown type, malformed)."""
        if event_id:
            if went_back(self._last_event_id, event_id):
                seen = (self._last_event_id or "")[:20]
                log.warning("event id %s after %s: the platform's event log went back (database reset or restored)%s",
                            event_id[:20], seen, "" if self._on_reset is not None else "; not reloaded")
                if self._on_reset is not None:
                    raise _WentBack(f"event id {event_id[:20]} after {seen}")
            if header_safe_event_id(event_id) is not None:
                self._last_event_id = event_id  # even for a dropped event: it must not be replayed
                if went_back(event_id, self._cursor):
                    # The incident cursor counts in the same sequence (the contract): polling goes on from here, and
                    # a platform whose log went back meanwhile shows it by the cursor, too.
                    self._cursor = event_id
            else:
                # Not sendable as it is: forget the position (resume by catch-up) rather than send another id.
                self._last_event_id = None
                self._bad_ids += 1
                level = logging.WARNING if self._bad_ids == 1 else logging.DEBUG
                log.log(level, "event id of %d chars cannot be sent back as a header; resuming by catch-up "
                        "on reconnect", len(event_id))
        model = parse_event(kind, data)
        if model is not None and self._remember(model):
            self._emit(kind, model)
        return model is not None

    def _poll_once(self) -> str | None:
        """One ``GET /incidents?since=``; emits each incident. Returns the error, or ``None`` on success.

        A cursor that went back (the platform's data did) reloads everything instead (``on_reset``)."""
        if self._reset_reason is not None:
            return self._resync()
        self._activity = "polling GET /api/v1/incidents"
        try:
            incidents, cursor = self._client.incidents(since=self._cursor)
        except BackendError as exc:
            log.debug("poll failed: %s", exc)
            return str(exc)
        self._heard()
        if went_back(self._cursor, cursor):
            log.warning("incident cursor %s after %s: the platform's event log went back (database reset or "
                        "restored)%s", (cursor or "")[:20], (self._cursor or "")[:20],
                        "" if self._on_reset is not None else "; not reloaded")
            if self._on_reset is not None:
                self._reset_reason = f"incident cursor {(cursor or '')[:20]} after {(self._cursor or '')[:20]}"
                return self._resync()
        for incident in incidents:
            if self._stop.is_set():
                break
            self._emit("incident", incident)
        self._cursor = cursor
        return None

    def _resync(self) -> str | None:
        """The platform's data went back: ``on_reset`` loads everything afresh, and the stream goes on from what it
        loaded (no Last-Event-ID: the next stream starts from now, caught up by cursor and snapshot). Returns the
        error (the reload is tried again at the next chance), or ``None``."""
        reason = self._reset_reason
        if reason is None or self._on_reset is None:
            self._reset_reason = None
            return None
        self._activity = "reloading after the platform's data went back"
        try:
            found = self._on_reset(reason)
        except BackendError as exc:
            log.warning("reloading after the platform's data went back failed: %s", exc)
            return f"reload failed: {exc}"
        self._heard()
        self._cursor, self._last_event_id = found.cursor, None
        self._camera_status = {c.id: c.status for c in found.cameras}
        self._units = {u.id: u for u in found.units}
        self._tasks = {t.id: t for t in found.tasks}
        self._reset_reason = None
        self._resyncs += 1
        log.info("reloaded after the platform's data went back (%s); going on from cursor %s", reason, found.cursor)
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
            self._activity = f"snapshot GET /api/v1/{name}"
            try:
                items = fetch()
            except BackendError as exc:
                errors.append(f"{name}: {exc}")
                continue
            self._heard()
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
        stream last delivered (the same status or copy). Unit reports are not ordered here by their dates: the
        store does (a report dated far ahead, from a terminal's broken clock, gives way there to the next one —
        kept here as the newest, it silenced every later report of its unit before the store saw one)."""
        if isinstance(model, Camera | CameraStatusChange):
            if self._camera_status.get(model.id) == model.status:
                return False
            self._camera_status[model.id] = model.status
        elif isinstance(model, Unit):
            held = self._units.get(model.id)
            if held == model:
                return False
            self._units[model.id] = model
        elif isinstance(model, Task):
            if self._tasks.get(model.id) == model:
                return False
            self._tasks[model.id] = model
        return True  # incidents always: the store orders them by version

    def _heard(self) -> None:
        """The platform answered just now (see ``quiet_for``)."""
        self._heard_at = time.monotonic()

    def _emit(self, kind: str, model: BaseModel) -> None:
        try:
            self._on_event(kind, model)
        except Exception:
            log.exception("on_event callback failed for a %s event", kind)

    def _set_state(self, state: ConnectionState, detail: str) -> None:
        if len(detail) > MAX_DETAIL_CHARS:
            detail = detail[: MAX_DETAIL_CHARS - 1] + "…"
        if (state, detail) == (self._state, self._detail):
            return
        if state is ConnectionState.LIVE and self._state is not ConnectionState.LIVE:
            self._live_since = time.monotonic()
        self._state, self._detail = state, detail
        if self._on_state is None:
            return
        try:
            self._on_state(state, detail)
        except Exception:
            log.exception("on_state callback failed")
