"""Helpers for the backend tests: real HTTP servers on 127.0.0.1 (small Flask apps, a pass-through to the
exercise backend), bounded waits, and a recorder of what an ``EventStream`` reports."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import urllib3
from flask import Flask, Response, jsonify, request
from pydantic import BaseModel
from werkzeug.serving import BaseWSGIServer, make_server

from commandwall.backend.api import PlatformClient
from commandwall.backend.events import ConnectionState, EventStream
from commandwall.demo import DemoBackend
from commandwall.domain.models import Task, Unit


class LocalServer:
    """A WSGI app served by werkzeug's threaded server on 127.0.0.1 (port 0: a free one)."""

    def __init__(self, app: Any, port: int = 0) -> None:
        self._server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
        self.port = self._server.server_port
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1})
        self._thread.daemon = True

    def start(self) -> LocalServer:
        """Serve on a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting and close the listening socket."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Recorder:
    """Collects what an EventStream reports (thread-safe); ``forward`` also gets every event."""

    def __init__(self, forward: Callable[[str, BaseModel], object] | None = None) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple[str, BaseModel]] = []
        self.states: list[tuple[ConnectionState, str]] = []
        self.stream: EventStream | None = None
        self.ids: list[int] = []  # event ids (read from the stream while its callback runs)
        self._forward = forward

    def on_event(self, kind: str, model: BaseModel) -> None:
        """The stream's ``on_event``."""
        with self.lock:
            self.events.append((kind, model))
            if self.stream is not None and self.stream.last_event_id is not None:
                self.ids.append(int(self.stream.last_event_id))
        if self._forward is not None:
            self._forward(kind, model)

    def on_state(self, state: ConnectionState, detail: str) -> None:
        """The stream's ``on_state``."""
        with self.lock:
            self.states.append((state, detail))

    def of_kind(self, kind: str) -> list[BaseModel]:
        """Models delivered as ``kind``, in order."""
        with self.lock:
            return [m for k, m in self.events if k == kind]

    def camera_statuses(self) -> list[tuple[str, str]]:
        """(camera id, status) of each ``camera-status`` event, in order."""
        return [(m.id, m.status) for m in self.of_kind("camera-status")]  # type: ignore[attr-defined]

    def state_names(self) -> list[ConnectionState]:
        """States reported, in order."""
        with self.lock:
            return [s for s, _ in self.states]


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until it is truthy or ``timeout`` s pass; returns whether it became truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def incident_json(ident: str, version: int = 1, **overrides: Any) -> dict[str, Any]:
    """A valid Incident JSON record."""
    stamp = datetime(2024, 5, 1, 8, 0, tzinfo=UTC).isoformat()
    data: dict[str, Any] = {
        "id": ident,
        "title": f"测试事件 {ident}",
        "category": "chengguan",
        "lon": 117.3,
        "lat": 34.8,
        "town": "临城街道",
        "status": "new",
        "reported_at": stamp,
        "updated_at": stamp,
        "version": version,
    }
    data.update(overrides)
    return data


def fake_platform(*, token_ok: Callable[[str], bool] | None = None) -> tuple[Flask, dict[str, Any]]:
    """A tiny platform: login, ``/incidents?since=`` over an in-memory list, ``/cameras``, ``/units``,
    ``/tasks`` (lists of JSON records in ``state``, empty by default) and ``/events``.

    ``state`` (returned with the app) holds ``incidents`` (list of JSON records, append to add),
    ``logins`` (count), ``requests`` (list of (method, path, auth header)), ``events_status`` (500 by
    default; 200 streams the raw SSE text chunks in ``sse_events`` and then holds the stream open until
    ``closing`` is set, at most 30 s; ``events_gzip``: gzip-compressed, whole), ``last_event_ids`` and
    ``events_encodings`` (the Last-Event-ID and Accept-Encoding headers of each stream); setting ``nudge`` sends
    one keepalive on the open stream.
    """
    app = Flask("fake_platform")
    state: dict[str, Any] = {
        "incidents": [],
        "cameras": [],
        "units": [],
        "tasks": [],
        "logins": 0,
        "requests": [],
        "events_status": 500,
        "sse_events": [],
        "last_event_ids": [],
        "events_encodings": [],
        "events_gzip": False,
        "nudge": threading.Event(),
        "closing": threading.Event(),
        "token": "t-0",
    }
    lock = threading.Lock()

    def authorised() -> bool:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        check = token_ok or (lambda t: t == state["token"])
        return header.startswith("Bearer ") and check(token)

    @app.before_request
    def record() -> Any:
        with lock:
            state["requests"].append((request.method, request.full_path, request.headers.get("Authorization")))
        if request.path != "/api/v1/auth/token" and not authorised():
            return jsonify(error="unauthorized", message="token invalid"), 401
        return None

    @app.post("/api/v1/auth/token")
    def token() -> Any:
        body = request.get_json(silent=True) or {}
        if body.get("password") != body.get("username"):
            return jsonify(error="invalid_credentials", message="用户名或密码错误"), 401
        with lock:
            state["logins"] += 1
            state["token"] = f"t-{state['logins']}"
        return jsonify(
            access_token=state["token"],
            token_type="bearer",
            roles=["duty_officer"],
            expires_in=3600,
            display_name="值班员",
        )

    @app.get("/api/v1/incidents")
    def incidents() -> Any:
        since = int(request.args.get("since") or 0)
        with lock:
            records = list(state["incidents"])
        return jsonify(incidents=records[since:], cursor=str(len(records)))

    @app.get("/api/v1/cameras")
    def cameras() -> Any:
        return jsonify(cameras=list(state["cameras"]))

    @app.get("/api/v1/units")
    def units() -> Any:
        return jsonify(units=list(state["units"]))

    @app.get("/api/v1/tasks")
    def tasks() -> Any:
        return jsonify(tasks=list(state["tasks"]))

    @app.get("/api/v1/events")
    def events() -> Any:
        if state["events_status"] != 200:
            return jsonify(error="broken", message="event stream out of order"), state["events_status"]
        state["last_event_ids"].append(request.headers.get("Last-Event-ID"))
        state["events_encodings"].append(request.headers.get("Accept-Encoding"))
        chunks = list(state["sse_events"])
        if state["events_gzip"]:  # as a compressing proxy would send it
            body = gzip.compress((": connected\n\n" + "".join(chunks)).encode())
            return Response(body, mimetype="text/event-stream", headers={"Content-Encoding": "gzip"})

        def generate() -> Any:
            yield ": connected\n\n"
            yield from chunks
            deadline = time.monotonic() + 30  # hold the stream open, bounded
            while not state["closing"].is_set() and time.monotonic() < deadline:
                if state["nudge"].wait(0.05):  # the test asks for one keepalive
                    state["nudge"].clear()
                    yield ": keepalive\n\n"

        return Response(generate(), mimetype="text/event-stream")

    return app, state


#: Request headers a ``gated_proxy`` passes on (hop-by-hop ones and Host are left to requests).
_FORWARDED = ("Authorization", "Content-Type", "Accept", "Cache-Control", "Idempotency-Key", "Last-Event-ID",
              "X-Desk-Id", "X-Requested-At")


def gated_proxy(upstream: str) -> tuple[Flask, dict[str, Any]]:
    """A pass-through to a real platform at ``upstream`` whose event stream can be broken on demand.

    ``state`` (returned with the app): ``events_status`` (200 by default: ``/api/v1/events`` streams through;
    anything else answers it with that status and a JSON error), ``cut`` (a ``threading.Event``: set, a
    pass-through of the event stream ends at its next chunk, e.g. the upstream's keepalive; other answers
    pass whole), ``broken`` (a set of
    paths answered 500), ``garbage`` (``None``, or a function of (method, path) returning a ``Response`` to
    answer instead of the upstream, or ``None`` to pass that request through) and ``requests`` (list of
    (method, path) of every request, in order).
    """
    app = Flask("gated_proxy")
    state: dict[str, Any] = {
        "events_status": 200, "cut": threading.Event(), "broken": set(), "requests": [], "garbage": None,
    }
    lock = threading.Lock()
    http = requests.Session()

    @app.route("/<path:path>", methods=["GET", "POST"])
    def forward(path: str) -> Any:
        with lock:
            state["requests"].append((request.method, request.path))
        if request.path == "/api/v1/events" and state["events_status"] != 200:
            return jsonify(error="broken", message="event stream out of order"), state["events_status"]
        if request.path in state["broken"]:
            return jsonify(error="broken", message=f"{request.path} out of order"), 500
        garbage = state["garbage"]
        answer = garbage(request.method, request.path) if garbage is not None else None
        if answer is not None:
            return answer
        headers = {name: request.headers[name] for name in _FORWARDED if name in request.headers}
        headers["Accept-Encoding"] = "identity"  # pass the bytes through as they are
        query = request.query_string.decode()
        upstream_resp = http.request(
            request.method,
            f"{upstream}/{path}" + (f"?{query}" if query else ""),
            headers=headers,
            data=request.get_data(),
            stream=True,
            timeout=(5, 60),
        )

        cut = state["cut"] if request.path == "/api/v1/events" else threading.Event()

        def body() -> Any:
            try:
                while not cut.is_set() and (chunk := upstream_resp.raw.read1(65536)):
                    yield chunk
            except (OSError, urllib3.exceptions.HTTPError):  # upstream gone: end this stream
                return
            finally:
                upstream_resp.close()

        content_type = upstream_resp.headers.get("Content-Type", "application/json")
        return Response(body(), status=upstream_resp.status_code, content_type=content_type)

    return app, state


def requests_to(state: dict[str, Any], path: str, method: str = "GET") -> int:
    """How many ``method`` requests for ``path`` a ``gated_proxy`` has had so far."""
    return sum(1 for m, p in list(state["requests"]) if (m, p) == (method, path))


def move_unit(demo: DemoBackend, index: int = 0) -> Unit:
    """Move one of the exercise's units ~100 m north now (writes a ``unit`` event); returns it as moved."""
    unit = demo.store.units()[index]  # type: ignore[union-attr]
    stamp = max(datetime.now(UTC), unit.updated_at + timedelta(milliseconds=1))
    moved = unit.model_copy(update={"lat": round(unit.lat + 0.001, 6), "updated_at": stamp})
    demo.store.save_unit(moved)  # type: ignore[union-attr]
    return moved


def dispatch_new_task(demo: DemoBackend, client: PlatformClient) -> Task:
    """Report a new incident in the exercise and dispatch a task for it over the client's HTTP API."""
    incident = demo.simulator.new_incident("chengguan")
    body = {"incident_id": incident.id, "unit_id": None, "department": "城管", "instructions": "核实", "priority": 2}
    return client.create_task(body, str(uuid.uuid4()))


def snapshot_finished(state: dict[str, Any]) -> bool:
    """Whether a ``gated_proxy`` saw incidents polled after the last snapshot's task list (so it is done)."""
    paths = [p for m, p in list(state["requests"]) if m == "GET"]
    last_tasks = max((i for i, p in enumerate(paths) if p == "/api/v1/tasks"), default=len(paths))
    return "/api/v1/incidents" in paths[last_tasks:]


def startup_snapshot(client: PlatformClient) -> tuple[dict[str, list], str | None]:
    """What a client loads at start-up: cameras, units, tasks (as EventStream kwargs) and the incident cursor."""
    _, cursor = client.incidents()
    return {"cameras": client.cameras(), "units": client.units(), "tasks": client.tasks()}, cursor


class HeaderTrickler:
    """A raw HTTP server on 127.0.0.1 that answers every request with a status line, then sends its headers a
    byte every 0.2 s (each wait well inside any read timeout) for a minute; or, with ``delay_s``, a whole prompt
    answer after that delay. Counts the connections it was asked on."""

    def __init__(self, delay_s: float | None = None) -> None:
        self.delay_s = delay_s
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.base_url = f"http://127.0.0.1:{self._server.getsockname()[1]}/"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn) -> None:
        with conn:
            try:
                conn.recv(65536)
                if self.delay_s is not None:
                    time.sleep(self.delay_s)
                    body = b'{"cameras": []}'
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                 + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
                    return
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                for _ in range(300):
                    if self._stop.is_set():
                        return
                    conn.sendall(b"X")
                    time.sleep(0.2)
            except OSError:
                return  # the client hung up

    def __enter__(self) -> HeaderTrickler:
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()

