"""Hostile and broken requests: the backend answers a client's mistake with 4xx and the contract's JSON error
body, never 5xx, and keeps hostile text as data (stored and answered back exactly as sent).

The reproduced faults come first (each answered 500 before, or altered text), then property tests that throw
arbitrary query strings, headers, JSON bodies and raw bytes at every endpoint of the contract.
"""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any
from urllib.parse import quote, quote_from_bytes, urlsplit

import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from commandwall.demo import DemoBackend
from tests.contract.spec import check_response, validate_schema
from tests.contract.wire import TIMEOUT, ApiClient, sse_messages

NewIncident = Callable[..., dict[str, Any]]

#: Nested deep enough to exhaust Python's recursion limit in ``json.loads``, yet under the size limit.
DEEP = 10_000
#: Superscripts and other non-ASCII digits: ``str.isdigit`` (and some of them ``int()``) accept them.
UNICODE_DIGITS = ["²", "٣", "１２", "⁹", "১", "𝟗"]
#: Integers ``int()`` accepts that are not plain ASCII digits, or are out of SQLite's range.
LOOSE_INTEGERS = ["+3", " 3", "3 ", "3_000", str(2**63), "9" * 25, "9" * 5000]
#: The same for a header (latin-1 on the wire; surrounding whitespace is not part of a header value).
HEADER_INTEGERS = ["²", "³¹", str(2**63), "9" * 25, "9" * 5000]
#: Text that must come back exactly as sent: templates, markup, bidi controls, emoji, NUL, whitespace.
HOSTILE_TEXT = [
    "{{7*7}}",
    "{% for x in range(3) %}X{% endfor %}",
    "${7*7} #{7*7} <%= 7*7 %> %s%n {0.__class__}",
    "<img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "\u202egnp.exe",
    "\u2067临城街道\u2069 零\u200b宽\ufeff",
    "🚒消防救援🌊 👨‍👩‍👧 🏳️‍🌈",
    "NUL\x00inside",
    "bell\x07 escape\x1b[31mred\x7f",
    "多行\n第二行\r\n第三行\t",
    "  surrounded by spaces  ",
    "line\u2028separator\u2029paragraph\x85next",
    " ",
    "长" * 2000,
]
FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def validate_error(body: Any) -> dict[str, Any]:
    """``body`` checked against the contract's ``Error`` schema."""
    validate_schema("Error", body)
    return body


def error_body(response: requests.Response) -> dict[str, Any]:
    """The JSON error body of a 4xx answer, checked against the contract's ``Error`` schema."""
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.text[:200]
    return validate_error(response.json())


def is_stream(response: requests.Response) -> bool:
    """True for a Server-Sent Events answer."""
    return response.headers.get("Content-Type", "").startswith("text/event-stream")


def assert_not_server_error(response: requests.Response, what: str, documented: str | None = None) -> None:
    """Below 500; a 4xx carries the JSON error body; any other non-stream answer is JSON too. With
    ``documented`` (``"METHOD /path"``), the status must also be one the contract documents for it and the
    body must match the documented schema."""
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        error_body(response)
    elif not is_stream(response):
        response.json()
    if documented is not None:
        method, path = documented.split(" ", 1)
        check_response(method, path, response, read_body=not is_stream(response))


def fetch(client: ApiClient, path: str, expect: int, **kwargs: Any) -> requests.Response:
    """GET that may answer with an event stream: the stream is closed at once (a body is read first), then
    the answer is checked against the contract and ``expect``."""
    with client.session.get(client.base_url + path, stream=True, timeout=TIMEOUT, **kwargs) as response:
        if not is_stream(response):
            _ = response.content
    check_response("GET", path, response, read_body=not is_stream(response))
    assert response.status_code == expect, f"GET {path}: {response.status_code} {response.text[:300]}"
    return response


def deep_json(depth: int, kind: str = "[") -> str:
    """``depth`` nested arrays or objects."""
    if kind == "[":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


@pytest.fixture(scope="module")
def nobody(backend: DemoBackend) -> Iterator[ApiClient]:
    """A client without a token, for the property tests."""
    client = ApiClient(backend.base_url)
    yield client
    client.close()


@pytest.fixture(scope="module")
def open_incident(backend: DemoBackend) -> dict[str, Any]:
    """A new incident for the module's tasks and transitions."""
    return backend.simulator.new_incident("zongzhi").model_dump(mode="json")


@pytest.fixture(scope="module")
def ptz_camera(viewer: ApiClient) -> dict[str, Any]:
    """A camera that can be steered."""
    return next(c for c in viewer.get("/api/v1/cameras").json()["cameras"] if c.get("kind") != "fixed")


def write_posts(incident: dict[str, Any], camera: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """(path, extra headers) of every POST of the contract that takes a JSON body."""
    return [
        ("/api/v1/auth/token", {}),
        (f"/api/v1/incidents/{incident['id']}/transitions", {}),
        ("/api/v1/tasks", {"Idempotency-Key": str(uuid.uuid4())}),
        (f"/api/v1/cameras/{camera['id']}/ptz", {}),
    ]


# ---- the reproduced faults --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["[", "{"])
def test_deeply_nested_bodies_are_400(
    anon: ApiClient, duty: ApiClient, open_incident: dict[str, Any], ptz_camera: dict[str, Any], kind: str
) -> None:
    for path, headers in write_posts(open_incident, ptz_camera):
        client = anon if path.endswith("/token") else duty
        response = client.post(
            path, 400, data=deep_json(DEEP, kind), headers={**headers, "Content-Type": "application/json"}
        )
        body = error_body(response)
        assert body["error"] == "invalid_json" and "recursion" in body["message"], body


def test_nesting_within_the_limit_is_a_validation_error(anon: ApiClient) -> None:
    for depth in (2, 64, 150):
        response = anon.post(
            "/api/v1/auth/token",
            422,
            data=json.dumps({"username": json.loads(deep_json(depth))}),
            headers={"Content-Type": "application/json"},
        )
        assert error_body(response)["error"] == "validation_error"


@pytest.mark.parametrize("value", UNICODE_DIGITS + LOOSE_INTEGERS)
def test_cursors_and_numbers_in_the_query_are_strict_ascii_integers(viewer: ApiClient, value: str) -> None:
    since = viewer.get("/api/v1/incidents", 422, params={"since": value})
    assert error_body(since)["error"] == "invalid_cursor"
    for path, name in [
        ("/api/v1/incidents", "limit"),
        ("/api/v1/collections/grids/items", "limit"),
        ("/api/v1/collections/grids/items", "offset"),
        ("/api/v1/events", "last_event_id"),
    ]:
        body = error_body(fetch(viewer, path, 422, params={name: value}))
        assert body["error"] == "validation_error" and name in body["message"], body


@pytest.mark.parametrize("value", HEADER_INTEGERS)
def test_last_event_id_header_is_a_strict_ascii_integer(viewer: ApiClient, value: str) -> None:
    body = error_body(fetch(viewer, "/api/v1/events", 422, headers={"Last-Event-ID": value}))
    assert body["error"] == "validation_error"


def test_the_largest_cursor_is_still_a_cursor(viewer: ApiClient) -> None:
    """2^63 − 1 is within range: a cursor beyond the log counts as 0 (no SQLite overflow on the way)."""
    top = str(2**63 - 1)
    assert viewer.get("/api/v1/incidents", params={"since": top, "limit": top}).json()["incidents"]
    with viewer.get("/api/v1/events", headers={"Last-Event-ID": top}, stream=True) as response:
        assert next(sse_messages(response, time.monotonic() + 5)).comment is not None


@pytest.mark.parametrize(
    "bbox", ["nan,nan,nan,nan", "-inf,-inf,inf,inf", "1e999,1,1e999,2", "١,٢,٣,٤", "1_0,2,30,40", " 1,2,3,4"]
)
def test_bbox_is_four_plain_decimal_numbers(viewer: ApiClient, bbox: str) -> None:
    body = error_body(viewer.get("/api/v1/collections/grids/items", 422, params={"bbox": bbox}))
    assert body["error"] == "validation_error" and "bbox" in body["message"]


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b'{"username": "\\ud800", "password": "x"}', 400, "invalid_json"),  # a lone surrogate is not text
        (b'{"username": "\xff\xfe", "password": "x"}', 400, "invalid_json"),  # not UTF-8
        (b'{"username": "a\x00b", "password": "x"}', 400, "invalid_json"),  # raw control character
        (b'{"username": "viewer", "password": "viewer"} trailing', 400, "invalid_json"),
        (b"", 400, "invalid_json"),
        (b"[1]", 422, "validation_error"),
        (b'"viewer"', 422, "validation_error"),
        (b"null", 422, "validation_error"),
        (b'{"username": 1e999, "password": NaN}', 422, "validation_error"),
        (b'{"username": "viewer", "password": ' + b"9" * 5000 + b"}", 400, "invalid_json"),
    ],
)
def test_broken_bodies_are_4xx(anon: ApiClient, raw: bytes, status: int, code: str) -> None:
    response = anon.post("/api/v1/auth/token", status, data=raw, headers={"Content-Type": "application/json"})
    assert error_body(response)["error"] == code


def test_a_body_over_the_limit_is_413(duty: ApiClient, open_incident: dict[str, Any]) -> None:
    huge = json.dumps({"incident_id": open_incident["id"], "instructions": "x" * 200_000})
    headers = {"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"}
    body = error_body(duty.post("/api/v1/tasks", 413, data=huge, headers=headers))
    assert body["error"] == "payload_too_large"
    chunked = duty.post(
        "/api/v1/tasks", 413, data=iter([huge.encode()[i : i + 8192] for i in range(0, 200_000, 8192)]), headers=headers
    )  # no Content-Length: the limit holds while reading
    assert error_body(chunked)["error"] == "payload_too_large"


@pytest.mark.parametrize("key", ["²", "密钥", "a" * 201, "tab\there", "nul\x00", "\x7f"])
def test_idempotency_key_is_printable_ascii(duty: ApiClient, open_incident: dict[str, Any], key: str) -> None:
    raw = key.encode("utf-8") if key == "密钥" else key.encode("latin-1")
    response = duty.post(
        "/api/v1/tasks", 422, json={"incident_id": open_incident["id"]}, headers={"Idempotency-Key": raw}
    )
    body = error_body(response)
    assert body["error"] == "validation_error" and "Idempotency-Key" in body["message"]


@pytest.mark.parametrize("segment", ["x" * 65, "x" * 20_000, "%00", "%2F..%2F", "<script>", "🚒", "%FF%FE", "{{7*7}}"])
def test_weird_path_ids_are_404(viewer: ApiClient, duty: ApiClient, backend: DemoBackend, segment: str) -> None:
    for method, path, body in [
        ("GET", f"/api/v1/incidents/{segment}", None),
        ("POST", f"/api/v1/incidents/{segment}/transitions", {"action": "accept", "version": 1}),
        ("POST", f"/api/v1/cameras/{segment}/ptz", {"action": "left"}),
        ("GET", f"/api/v1/collections/{segment}/items", None),
    ]:
        response = duty.session.request(method, backend.base_url + path, json=body, timeout=TIMEOUT)
        assert response.status_code == 404, f"{method} {path[:80]}: {response.status_code} {response.text[:200]}"
        assert error_body(response)["error"] == "not_found"


def test_malformed_http_is_answered_with_the_json_error_body(backend: DemoBackend) -> None:
    """Errors found before the application runs (request line, URL length, headers) are JSON too.

    Each request ends exactly where the server stops reading, so no unread bytes turn its close into a reset.
    """
    address = urlsplit(backend.base_url)
    line = b"GET /api/v1/health HTTP/1.1\r\n"
    cases = [
        (b"GET /" + b"a" * (65_537 - 5), 414),  # a request line one byte over the limit
        (line + b"X-Long: " + b"y" * (65_537 - 8), 431),  # a header line one byte over the limit
        (line + b"X-Many: y\r\n" * 101, 431),  # one header too many
        (b"GARBAGE\r\n\r\n", 400),  # not HTTP/1.x: answered without a status line, as HTTP/0.9
        (b"G\xffT /api/v1/health HTTP/1.1\r\n\r\n", 405),
    ]
    for raw, status in cases:
        with closing(socket.create_connection((address.hostname, address.port), timeout=5)) as conn:
            conn.sendall(raw)
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        if answer.startswith(b"HTTP/"):
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.split(b" ")[1] == str(status).encode(), answer[:300]
            assert b"Content-Type: application/json" in head, answer[:300]
        else:
            body = answer
        assert validate_error(json.loads(body))["error"], answer[:300]


def test_an_unexpected_fault_is_a_logged_json_500(
    make_backend: Callable[..., DemoBackend], caplog: pytest.LogCaptureFixture
) -> None:
    """A fault of the server (here: its database closed underneath it) is 500 with the JSON error body."""
    backend = make_backend(seed=3)
    token = requests.post(
        backend.base_url + "/api/v1/auth/token", json={"username": "viewer", "password": "viewer"}, timeout=TIMEOUT
    ).json()["access_token"]
    assert backend.store is not None
    backend.store.db.close()
    with caplog.at_level(logging.ERROR, logger="commandwall.demo.app"):
        response = requests.get(
            backend.base_url + "/api/v1/units", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
        )
    assert response.status_code == 500
    assert error_body(response) == {"error": "internal_error", "message": "internal server error"}
    assert any("unhandled error on GET /api/v1/units" in r.getMessage() for r in caplog.records)


# ---- hostile text is data ---------------------------------------------------------------------------


def test_task_instructions_come_back_verbatim(duty: ApiClient, viewer: ApiClient, new_incident: NewIncident) -> None:
    incident = new_incident()
    cursor = viewer.get("/api/v1/incidents").json()["cursor"]
    created = []
    for text in HOSTILE_TEXT:
        body = {"incident_id": incident["id"], "department": "🚒{{7*7}}", "instructions": text}
        task = duty.post("/api/v1/tasks", 201, json=body, headers={"Idempotency-Key": str(uuid.uuid4())}).json()
        assert task["instructions"] == text and task["department"] == "🚒{{7*7}}"
        created.append(task)
    listed = viewer.get("/api/v1/tasks", params={"incident_id": incident["id"]}).json()["tasks"]
    assert [t["instructions"] for t in listed] == HOSTILE_TEXT
    # the live feed carries the same text, one line of JSON per event
    wanted = {t["id"] for t in created}
    seen: dict[str, str] = {}
    with viewer.get("/api/v1/events", headers={"Last-Event-ID": cursor}, stream=True) as response:
        for message in sse_messages(response, time.monotonic() + 10):
            if message.event == "task":
                data = json.loads(message.data)
                seen[data["id"]] = data["instructions"]
            if wanted <= seen.keys():
                break
    assert [seen.get(t["id"]) for t in created] == HOSTILE_TEXT


def test_transition_notes_are_stored_verbatim(
    commander: ApiClient, backend: DemoBackend, new_incident: NewIncident
) -> None:
    incident = new_incident("accept")
    for i, note in enumerate(HOSTILE_TEXT):
        action = "resolve" if i % 2 == 0 else "reopen"
        incident = commander.post(
            f"/api/v1/incidents/{incident['id']}/transitions",
            json={"action": action, "version": incident["version"], "note": note},
        ).json()
    assert backend.db_path is not None
    with closing(sqlite3.connect(f"file:{backend.db_path}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT text FROM timeline WHERE incident_id = ? AND action IN ('resolve', 'reopen') ORDER BY seq",
            (incident["id"],),
        ).fetchall()
    assert [r[0] for r in rows] == HOSTILE_TEXT


# ---- property tests: nothing a client sends is a 5xx ------------------------------------------------

#: Strings that look like numbers: ASCII and other decimal digits, superscripts, circled digits, fractions,
#: signs, separators.
_numberish = st.text(
    st.one_of(st.characters(categories=["Nd", "No"]), st.sampled_from("0123456789+-_. ")), min_size=1, max_size=25
)
_texts = st.one_of(
    _numberish,
    st.sampled_from(HOSTILE_TEXT + UNICODE_DIGITS + LOOSE_INTEGERS),
    st.text(max_size=40),
    st.from_regex(r"[0-9]{1,25}", fullmatch=True),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
#: Query values as raw bytes: any text in UTF-8, or bytes that are not UTF-8 at all.
_query_values = st.one_of(_texts.map(lambda s: s.encode("utf-8", "surrogatepass")), st.binary(max_size=40))
_query_names = st.sampled_from(["limit", "offset", "since", "bbox", "incident_id", "last_event_id", "x"])
_queries = st.lists(st.tuples(_query_names, _query_values), max_size=4).map(
    lambda pairs: "&".join(f"{quote(k)}={quote_from_bytes(v, safe='')}" for k, v in pairs)
)
#: Header values as bytes (latin-1 on the wire); without CR/LF or leading whitespace, which no HTTP
#: client can send as a value.
_header_values = st.one_of(
    _texts.map(lambda s: s.encode("latin-1", "ignore")),
    _texts.map(lambda s: s.encode("utf-8")),
    st.binary(max_size=60),
).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"").lstrip())
_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(),
    _texts,
    st.text(st.characters(exclude_categories=()), max_size=10),  # lone surrogates included
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["username", "password", "action", "version", "note", "x"]) | _texts, inner, max_size=4
        )
    ),
    max_leaves=12,
)
_body_fields = st.sampled_from(
    [
        "username",
        "password",
        "action",
        "version",
        "note",
        "incident_id",
        "unit_id",
        "department",
        "instructions",
        "priority",
        "speed",
    ]
)
_near_valid = st.dictionaries(_body_fields, _json_values, max_size=6)
_json_bodies = st.one_of(
    _near_valid.map(lambda d: json.dumps(d).encode()),
    _json_values.map(lambda v: json.dumps(v).encode()),
    st.tuples(st.integers(1, 3000), st.sampled_from(["[", "{"])).map(lambda d: deep_json(*d).encode()),
    st.binary(max_size=300),
)
_content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=latin-1",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/merge-patch+json",
    ]
)

GET_PATHS = [
    "/api/v1/health",
    "/api/v1/layers",
    "/api/v1/cameras",
    "/api/v1/units",
    "/api/v1/incidents",
    "/api/v1/incidents/INC-000001",
    "/api/v1/tasks",
    "/api/v1/collections/grids/items",
    "/api/v1/collections/towns/items",
]


@pytest.fixture(scope="module")
def raw_get(viewer: ApiClient) -> Iterator[Callable[..., requests.Response]]:
    """GET with a query string sent exactly as given (no re-encoding by requests)."""

    def get(path: str, query: str = "", headers: dict[str, Any] | None = None) -> requests.Response:
        url = viewer.base_url + path + (f"?{query}" if query else "")
        return viewer.session.get(url, headers=headers or {}, timeout=TIMEOUT, stream=True)

    yield get


def read_and_close(response: requests.Response) -> requests.Response:
    """For an event stream: read its first bytes and hang up; otherwise read the whole body."""
    with response:
        if is_stream(response):
            assert next(response.iter_content(64))
        else:
            _ = response.content
    return response


@FUZZ
@given(path=st.sampled_from([*GET_PATHS, "/api/v1/events"]), query=_queries)
@example(path="/api/v1/incidents", query="since=%C2%B2")
@example(path="/api/v1/events", query="last_event_id=%C2%B2")
def test_any_query_string_is_not_a_server_error(
    raw_get: Callable[..., requests.Response], path: str, query: str
) -> None:
    response = read_and_close(raw_get(path, query))
    assert_not_server_error(response, f"GET {path}?{query[:200]}", f"GET {path}")


#: A path segment, percent-encoded: any text in UTF-8, or bytes that are not UTF-8.
_segments = st.one_of(
    st.text(min_size=1, max_size=100).map(lambda s: quote(s, safe="")),
    st.binary(min_size=1, max_size=100).map(lambda b: quote_from_bytes(b, safe="")),
).filter(lambda s: s not in (".", ".."))


@FUZZ
@given(encoded=_segments, which=st.integers(0, 4))
def test_any_path_id_is_not_a_server_error(duty: ApiClient, which: int, encoded: str) -> None:
    method, path, body = [
        ("GET", f"/api/v1/incidents/{encoded}", None),
        ("POST", f"/api/v1/incidents/{encoded}/transitions", {"action": "accept", "version": 1}),
        ("POST", f"/api/v1/cameras/{encoded}/ptz", {"action": "stop"}),
        ("GET", f"/api/v1/collections/{encoded}/items", None),
        ("GET", "/api/v1/tasks?incident_id=" + encoded, None),
    ][which]
    response = duty.session.request(method, duty.base_url + path, json=body, timeout=TIMEOUT)
    assert_not_server_error(response, f"{method} {path[:200]}")


@FUZZ
@given(which=st.integers(0, 3), raw=_json_bodies, content_type=_content_types, key=st.one_of(st.none(), _header_values))
@example(which=0, raw=deep_json(DEEP).encode(), content_type="application/json", key=None)
@example(which=2, raw=deep_json(DEEP, "{").encode(), content_type="application/json", key=None)
def test_any_body_is_not_a_server_error(
    nobody: ApiClient,
    duty: ApiClient,
    open_incident: dict[str, Any],
    ptz_camera: dict[str, Any],
    which: int,
    raw: bytes,
    content_type: str,
    key: bytes | None,
) -> None:
    path, headers = write_posts(open_incident, ptz_camera)[which]
    if key is not None and path == "/api/v1/tasks":
        headers = {"Idempotency-Key": key}
    client = nobody if path.endswith("/token") else duty
    response = client.session.post(
        client.base_url + path, data=raw, headers={**headers, "Content-Type": content_type}, timeout=TIMEOUT
    )
    assert_not_server_error(response, f"POST {path} {raw[:200]!r}", f"POST {path}")


@FUZZ
@given(
    header=st.sampled_from(["Last-Event-ID", "Authorization", "Idempotency-Key", "Content-Length", "Host"]),
    value=_header_values,
    path=st.sampled_from(["/api/v1/events", "/api/v1/incidents", "/api/v1/cameras", "/api/v1/collections/towns/items"]),
)
@example(header="Last-Event-ID", value="²".encode("latin-1"), path="/api/v1/events")
@example(header="Host", value=b".", path="/api/v1/events")  # werkzeug refuses it: 400 bad_request
def test_any_header_is_not_a_server_error(
    raw_get: Callable[..., requests.Response], path: str, header: str, value: bytes
) -> None:
    response = raw_get(path, headers={header: value})
    assert_not_server_error(read_and_close(response), f"GET {path} {header}: {value[:200]!r}", f"GET {path}")
