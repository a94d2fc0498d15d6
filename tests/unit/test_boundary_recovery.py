"""A platform that answers garbage for a while and then sanely: the client survives and goes live by itself.

The platform is the real exercise backend behind a pass-through on 127.0.0.1 that, while ``garbage`` is set,
answers HTML, truncated JSON, JSON of the wrong shape and junk SSE with ids that are not Latin-1.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Response

from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientListener, ClientSession
from commandwall.backend.api import PlatformClient
from commandwall.backend.events import ConnectionState, EventStream
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from commandwall.domain.models import Incident, IncidentStatus

from .backend_support import LocalServer, Recorder, gated_proxy, incident_json, requests_to, wait_until

#: Bodies of the wrong kind for JSON endpoints: HTML, truncated JSON, wrong shapes, absurd nesting.
JSON_GARBAGE: list[tuple[str, str]] = [
    ("text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"),
    ("application/json", '{"cameras": [{"id": "CAM-1", "na'),
    ("application/json", "[1]"),
    ("application/json", '{"incidents": "x", "cameras": 5, "units": {}, "tasks": "no", "layers": 7}'),
    ("application/json", '"just a string"'),
    ("application/json", "[" * 50_000 + "]" * 50_000),
    ("application/json", '{"access_token": ["not", "a", "token"], "roles": 5}'),
    ("application/json", "NaN"),
]

#: Junk event streams: bytes that are not UTF-8, ids a header cannot carry, unknown fields, a real-looking
#: event whose id is not Latin-1 (kept by the old client and sent back as Last-Event-ID).
SSE_GARBAGE: list[bytes] = [
    ("id: 事件-1\nevent: incident\ndata: " + json.dumps(incident_json("INC-JUNK")) + "\n\n").encode(),
    b"\xff\xfe\x00junk\r\r\n\nid: a\x00b\nevent: \xe4\xb8\nretry: x\ndata: [1]\n\n",
    "id: \u2028\u00e9\r\nevent: task\r\ndata: {\"id\": 5}\r\n\r\n".encode(),
]


def _garbage_answers(spare: tuple[str, ...] = ()) -> Callable[[str, str], Response | None]:
    """A ``gated_proxy`` garbage function cycling through the bodies above (events: the junk streams);
    paths in ``spare`` pass through."""
    json_bodies = itertools.cycle(JSON_GARBAGE)
    sse_bodies = itertools.cycle(SSE_GARBAGE)
    lock = threading.Lock()

    def answer(method: str, path: str) -> Response | None:
        if path in spare:
            return None
        with lock:
            if path == "/api/v1/events":
                return Response(next(sse_bodies), status=200, content_type="text/event-stream")
            content_type, body = next(json_bodies)
        return Response(body, status=200, content_type=content_type)

    return answer


@pytest.fixture()
def proxied(demo: DemoBackend) -> Iterator[tuple[DemoBackend, LocalServer, dict[str, Any]]]:
    app, state = gated_proxy(demo.base_url)
    server = LocalServer(app).start()
    try:
        yield demo, server, state
    finally:
        state["garbage"] = None
        state["cut"].set()
        server.stop()


def _accept_new_incident(duty: PlatformClient) -> Incident:
    """Accept a new incident over the API (straight at the platform); returns it as changed."""
    incident = next(i for i in duty.incidents()[0] if i.status == IncidentStatus.NEW)
    return duty.transition(incident.id, "accept", incident.version, "现场核实")


def test_event_stream_survives_garbage_and_goes_live_by_itself(proxied, duty: PlatformClient) -> None:
    _demo, proxy, state = proxied
    _, cursor = duty.incidents()
    state["garbage"] = _garbage_answers(spare=("/api/v1/auth/token",))
    client = PlatformClient(proxy.base_url, "duty", "duty", retries=0)
    rec = Recorder()
    stream = EventStream(
        client, rec.on_event, rec.on_state, cursor=cursor, backoff_initial=0.05, backoff_max=0.2,
        poll_interval=0.1, fallback_after=2, sse_retry_interval=0.3,
    ).start()
    try:
        # Every kind of garbage reaches the stream: junk SSE (several times) and junk polling answers.
        assert wait_until(lambda: requests_to(state, "/api/v1/events") >= 2 * len(SSE_GARBAGE), 20)
        assert wait_until(lambda: requests_to(state, "/api/v1/incidents") >= len(JSON_GARBAGE), 20)
        assert stream.is_alive() and stream.state is not ConnectionState.LIVE
        assert any("平台返回格式错误" in detail for _, detail in rec.states)  # says what fails

        state["garbage"] = None  # the platform is sane again
        assert wait_until(lambda: stream.state is ConnectionState.LIVE, 20)
        changed = _accept_new_incident(duty)
        assert wait_until(lambda: any(getattr(m, "id", None) == changed.id and m.version == changed.version
                                      for m in rec.of_kind("incident")), 10)
        # A junk stream opened just before the platform turned sane may end after that and count as one
        # more failure (a brief POLLING); the stream must still come back LIVE by itself.
        assert wait_until(lambda: stream.state is ConnectionState.LIVE, 20)
        assert stream.is_alive()
    finally:
        stream.stop()
        client.close()
    assert not stream.is_alive()


def test_session_start_up_retries_through_garbage_and_goes_live(proxied, duty: PlatformClient, tmp_path: Path) -> None:
    _demo, proxy, state = proxied
    state["garbage"] = _garbage_answers()
    failures: list[str] = []
    states: list[ConnectionState] = []
    ready = threading.Event()
    listener = ClientListener(
        on_failed=failures.append, on_ready=ready.set, on_connection=lambda s, d: states.append(s)
    )
    settings = Settings(username="duty", password="duty", data_dir=tmp_path)
    session = ClientSession(settings, PlatformFactory.at_url(proxy.base_url), listener)
    session.retry_initial_s, session.retry_max_s = 0.05, 0.2
    session.start_in_background()
    try:
        assert wait_until(lambda: len(failures) >= len(JSON_GARBAGE), 30)  # each failure is reported …
        assert not ready.is_set()
        assert any("平台返回格式错误" in message for message in failures)  # … as a malformed answer

        state["garbage"] = None
        assert ready.wait(60)  # … and start-up succeeds once the platform answers sanely
        assert len(session.cameras) > 0 and len(session.units) > 0
        assert wait_until(lambda: ConnectionState.LIVE in states, 20)
        changed = _accept_new_incident(duty)
        assert wait_until(lambda: (held := session.incidents.get(changed.id)) is not None
                          and held.version == changed.version, 10)  # the event stream delivers
    finally:
        session.stop()


def test_a_refused_login_still_ends_start_up_at_once(proxied, tmp_path: Path) -> None:
    _, proxy, _ = proxied
    failures: list[str] = []
    settings = Settings(username="duty", password="s3cret-Pw", data_dir=tmp_path)
    session = ClientSession(settings, PlatformFactory.at_url(proxy.base_url), ClientListener(on_failed=failures.append))
    session.retry_initial_s = 0.05
    session.start()  # returns: the user must change the password
    session.stop()
    assert len(failures) == 1 and "s3cret-Pw" not in failures[0]
