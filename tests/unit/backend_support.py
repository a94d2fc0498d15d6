"""Helpers for the backend tests: real HTTP servers on 127.0.0.1 (small Flask apps), and bounded waits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.serving import BaseWSGIServer, make_server


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
    """A tiny platform: login, ``/incidents?since=`` over an in-memory list, and ``/events``.

    ``state`` (returned with the app) holds ``incidents`` (list of JSON records, append to add),
    ``logins`` (count), ``requests`` (list of (method, path, auth header)), ``events_status`` (500 by
    default; 200 streams the raw SSE text chunks in ``sse_events`` and then holds the stream open until
    ``closing`` is set, at most 30 s) and ``last_event_ids`` (the Last-Event-ID header of each stream).
    """
    app = Flask("fake_platform")
    state: dict[str, Any] = {
        "incidents": [],
        "logins": 0,
        "requests": [],
        "events_status": 500,
        "sse_events": [],
        "last_event_ids": [],
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

    @app.get("/api/v1/events")
    def events() -> Any:
        if state["events_status"] != 200:
            return jsonify(error="broken", message="event stream out of order"), state["events_status"]
        state["last_event_ids"].append(request.headers.get("Last-Event-ID"))
        chunks = list(state["sse_events"])

        def generate() -> Any:
            yield ": connected\n\n"
            yield from chunks
            state["closing"].wait(30)  # hold the stream open, bounded

        return Response(generate(), mimetype="text/event-stream")

    return app, state
