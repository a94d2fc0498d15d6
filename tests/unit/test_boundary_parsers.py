"""Property tests of every parser at the client's boundary: whatever the platform sends, a call returns its
result or raises a ``BackendError`` subclass, never anything else (no AttributeError, RecursionError,
UnicodeEncodeError …), and an SSE id is never sent back in a form that raises.

Platform answers go through a real HTTP server on 127.0.0.1 and the real ``PlatformClient``; SSE frames go
through ``parse_event`` and through the real sseclient path of a running ``EventStream``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, Response, jsonify, request
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from commandwall.backend.api import PlatformClient, header_safe_event_id
from commandwall.backend.errors import BackendError
from commandwall.backend.events import EVENT_MODELS, EventStream, parse_event
from commandwall.domain.models import Camera, Incident, Task, Unit

from .backend_support import LocalServer, incident_json, wait_until

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
#: Any JSON value (nested lists and objects of the scalars above).
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25,
)


def _shaped(key: str) -> st.SearchStrategy[Any]:
    """Values near the contract's shape: ``{key: [records]}`` with arbitrary records and extras."""
    record = st.dictionaries(
        st.sampled_from(["id", "name", "title", "lon", "lat", "status", "streams", "version", "cursor",
                         "has_more", "created_at", "updated_at", "incident_id", "department", "crs", "style"]),
        JSON_VALUES, max_size=8,
    )
    return st.fixed_dictionaries(
        {key: st.lists(record, max_size=3) | JSON_VALUES},
        optional={"cursor": JSON_VALUES, "has_more": JSON_VALUES, "links": JSON_VALUES},
    )


#: Bodies that are not JSON at all, or JSON in ways a careless parser trips over.
RAW_BODIES = st.sampled_from([
    b"", b"<html>502</html>", b'{"cameras": [', b"NaN", b'{"a": Infinity}', b"1" * 5000, b"\xff\xfe\x00",
    b"[" * 100_000, b'{"a":' * 3000 + b"1" + b"}" * 3000, b'"\\ud800"', b"null", b"[1]",
]) | st.binary(max_size=64)


class Platform:
    """A platform whose answers the test sets: ``answers[path] = (status, content_type, body bytes)``.

    Login answers a valid token unless ``/api/v1/auth/token`` is in ``answers``; ``seen_ids`` holds the
    Last-Event-ID header of each ``/api/v1/events`` request.
    """

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, str, bytes]] = {}
        self.seen_ids: list[str | None] = []
        self.lock = threading.Lock()
        app = Flask("boundary_platform")

        @app.route("/<path:path>", methods=["GET", "POST"])
        def answer(path: str) -> Any:
            full = "/" + path
            if full == "/api/v1/events":
                with self.lock:
                    self.seen_ids.append(request.headers.get("Last-Event-ID"))
            with self.lock:
                found = self.answers.get(full)
            if found is None and full == "/api/v1/auth/token":
                return jsonify(access_token="t-1", token_type="bearer", roles=["duty_officer"], expires_in=3600,
                               display_name="值班员")
            if found is None:
                return jsonify(error="not_found", message="no such thing"), 404
            status, content_type, body = found
            return Response(body, status=status, content_type=content_type)

        self.server = LocalServer(app)

    def set(self, path: str, body: bytes, *, status: int = 200, content_type: str = "application/json") -> None:
        """Answer ``path`` with ``body`` from now on."""
        with self.lock:
            self.answers[path] = (status, content_type, body)


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    p = Platform()
    p.server.start()
    try:
        yield p
    finally:
        p.server.stop()


@pytest.fixture(scope="module")
def client(platform: Platform) -> Iterator[PlatformClient]:
    c = PlatformClient(platform.server.base_url, "duty", "duty", timeout=5, retries=0)
    yield c
    c.close()


def _result_or_backend_error(call: Callable[[], Any]) -> Any:
    """Run ``call``: its result, or the ``BackendError`` it raised; any other exception fails the test."""
    try:
        return call()
    except BackendError as exc:
        return exc


CALLS: dict[str, tuple[str, Callable[[PlatformClient], Any]]] = {
    "cameras": ("/api/v1/cameras", lambda c: c.cameras()),
    "units": ("/api/v1/units", lambda c: c.units()),
    "tasks": ("/api/v1/tasks", lambda c: c.tasks()),
    "incidents": ("/api/v1/incidents", lambda c: c.incidents(since="5")),
    "layers": ("/api/v1/layers", lambda c: c.layers()),
    "health": ("/api/v1/health", lambda c: c.health()),
    "incident": ("/api/v1/incidents/INC-1", lambda c: c.incident("INC-1")),
    "transition": ("/api/v1/incidents/INC-1/transitions", lambda c: c.transition("INC-1", "accept", 1)),
    "create_task": ("/api/v1/tasks", lambda c: c.create_task({"incident_id": "INC-1"}, "key-1")),
    "ptz": ("/api/v1/cameras/CAM-1/ptz", lambda c: c.ptz("CAM-1", "left")),
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(CALLS)), value=JSON_VALUES | _shaped("cameras") | _shaped("incidents"))
@example(name="cameras", value=[])
@example(name="cameras", value={"cameras": 5})
@example(name="incidents", value={"incidents": "x"})
@example(name="incidents", value={"incidents": [], "cursor": "\ud800", "has_more": True})
@example(name="incidents", value={"incidents": [], "cursor": {"a": 1}})
@example(name="layers", value={"layers": [[1], {"id": "x", "crs": "EPSG:4326", "style": 5}]})
@example(name="units", value={"units": [1, "x", None]})
@example(name="health", value=[1])
def test_every_answer_parses_or_raises_a_backend_error(platform: Platform, client: PlatformClient, name: str,
                                                       value: Any) -> None:
    path, call = CALLS[name]
    platform.set(path, json.dumps(value).encode())
    result = _result_or_backend_error(lambda: call(client))
    if name in ("cameras", "units", "tasks") and not isinstance(result, BackendError):
        assert all(isinstance(item, Camera | Unit | Task) for item in result)
    if name == "incidents" and not isinstance(result, BackendError):
        incidents, cursor = result
        assert all(isinstance(item, Incident) for item in incidents)
        assert cursor is None or (isinstance(cursor, str) and cursor.isprintable())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(CALLS)), body=RAW_BODIES, status=st.sampled_from([200, 201, 400, 409, 500]))
def test_raw_bodies_and_error_bodies_never_escape_as_other_errors(platform: Platform, client: PlatformClient,
                                                                  name: str, body: bytes, status: int) -> None:
    path, call = CALLS[name]
    platform.set(path, body, status=status)
    _result_or_backend_error(lambda: call(client))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=JSON_VALUES | RAW_BODIES)
@example(value={"access_token": "令牌", "roles": ["duty_officer"]})
@example(value={"access_token": "a\r\nX-Evil: 1"})
@example(value=[])
def test_login_answers(platform: Platform, value: Any) -> None:
    body = value if isinstance(value, bytes) else json.dumps(value).encode()
    platform.set("/api/v1/auth/token", body)
    c = PlatformClient(platform.server.base_url, "duty", "duty", timeout=5, retries=0)
    try:
        result = _result_or_backend_error(c.login)
        if not isinstance(result, BackendError):  # a token that was accepted can be sent as a header
            platform.set("/api/v1/cameras", b'{"cameras": []}')
            assert _result_or_backend_error(c.cameras) == []
    finally:
        with platform.lock:
            platform.answers.pop("/api/v1/auth/token", None)
        c.close()


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from([*EVENT_MODELS, "message", "事件"]) | st.text(max_size=10),
       data=st.text(max_size=200) | JSON_VALUES.map(json.dumps) | st.builds(
           lambda d: json.dumps({**incident_json("INC-1"), **d}), st.dictionaries(st.text(max_size=8), JSON_VALUES)))
@example(kind="incident", data="[" * 100_000)
@example(kind="incident", data='{"id": NaN}')
@example(kind="camera-status", data='{"id": "\\u0000", "status": "online"}')
def test_parse_event_returns_a_model_or_none(kind: str, data: str) -> None:
    model = parse_event(kind, data)
    assert model is None or isinstance(model, EVENT_MODELS[kind])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event_id=st.text(max_size=300))
@example(event_id="事件-1")
@example(event_id="a\r\nX-Evil: 1")
@example(event_id="a\x00b")
@example(event_id="9" * 10_000)
@example(event_id="\ud800")
def test_any_event_id_or_cursor_is_sent_back_without_raising(platform: Platform, client: PlatformClient,
                                                             event_id: str) -> None:
    platform.set("/api/v1/events", b": hello\n\n", content_type="text/event-stream")
    platform.set("/api/v1/incidents", b'{"incidents": [], "cursor": "7"}')
    response = _result_or_backend_error(lambda: client.open_event_stream(event_id, read_timeout=20))
    if not isinstance(response, BackendError):
        response.close()
    safe = header_safe_event_id(event_id)
    assert safe is None or safe == event_id
    assert platform.seen_ids[-1] == safe  # sent exactly as received, or not at all
    _result_or_backend_error(lambda: client.incidents(since=event_id))


SSE_LINE = st.one_of(
    st.tuples(st.sampled_from(["id", "event", "data", "retry", "", "x"]), st.text(max_size=40)).map(
        lambda kv: f"{kv[0]}:{kv[1]}"),
    st.text(max_size=40),
)
SSE_FRAME = st.lists(SSE_LINE, max_size=5).map(lambda lines: "\n".join(lines) + "\n\n")


class _Crashes(logging.Handler):
    """Counts log records that report an unexpected error of the event stream."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frames=st.lists(SSE_FRAME, min_size=1, max_size=4), junk=st.binary(max_size=40),
       sep=st.sampled_from(["\n", "\r", "\r\n"]))
@example(frames=["id: 事件-1\nevent: incident\ndata: " + json.dumps(incident_json("INC-1")) + "\n\n"], junk=b"",
         sep="\n")
@example(frames=["id: a\x00b\nevent: incident\ndata: {}\n\n", "id: \u00e9\rdata: x\r\r"], junk=b"\xff", sep="\r")
def test_the_real_sse_path_survives_any_frames_and_reconnects(platform: Platform, client: PlatformClient,
                                                              frames: list[str], junk: bytes, sep: str) -> None:
    body = "".join(frames).replace("\n", sep).encode("utf-8", "surrogatepass") + junk
    platform.set("/api/v1/events", body, content_type="text/event-stream")
    platform.set("/api/v1/incidents", b'{"incidents": [], "cursor": "7"}')
    platform.set("/api/v1/cameras", b'{"cameras": []}')
    platform.set("/api/v1/units", b'{"units": []}')
    platform.set("/api/v1/tasks", b'{"tasks": []}')
    crashes = _Crashes()
    logging.getLogger("commandwall.backend.events").addHandler(crashes)
    before = len(platform.seen_ids)
    stream = EventStream(client, lambda kind, model: None, cursor="1", backoff_initial=0.01, backoff_max=0.02,
                         poll_interval=0.01, sse_retry_interval=0.05).start()
    try:
        # the stream read the frames, lost the connection and came back (sending whatever id it kept)
        assert wait_until(lambda: len(platform.seen_ids) >= before + 2, 10)
        assert stream.is_alive()
    finally:
        stream.stop()
        logging.getLogger("commandwall.backend.events").removeHandler(crashes)
    assert crashes.count == 0
    assert all(i is None or header_safe_event_id(i) == i for i in platform.seen_ids[before:])
