"""EventStream over real HTTP: LIVE against the exercise backend, resume across a restart with
Last-Event-ID, polling fallback against a small Flask platform, malformed events dropped, prompt stop."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from commandwall.backend.api import PlatformClient
from commandwall.backend.events import CameraStatusChange, ConnectionState, EventStream
from commandwall.demo import DemoBackend
from commandwall.domain.models import Incident
from commandwall.store import Stores

from .backend_support import LocalServer, fake_platform, incident_json, wait_until


class Recorder:
    """Collects what an EventStream reports (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[tuple[str, BaseModel]] = []
        self.states: list[tuple[ConnectionState, str]] = []
        self.stream: EventStream | None = None
        self.ids: list[int] = []  # event ids (read from the stream while its callback runs)

    def on_event(self, kind: str, model: BaseModel) -> None:
        with self.lock:
            self.events.append((kind, model))
            if self.stream is not None and self.stream.last_event_id is not None:
                self.ids.append(int(self.stream.last_event_id))

    def on_state(self, state: ConnectionState, detail: str) -> None:
        with self.lock:
            self.states.append((state, detail))

    def of_kind(self, kind: str) -> list[BaseModel]:
        with self.lock:
            return [m for k, m in self.events if k == kind]

    def state_names(self) -> list[ConnectionState]:
        with self.lock:
            return [s for s, _ in self.states]


@pytest.fixture()
def demo(tmp_path: Path) -> Iterator[DemoBackend]:
    backend = DemoBackend(db_path=tmp_path / "demo.sqlite3", seed=3, simulate=False).start()
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture()
def fake() -> Iterator[tuple[LocalServer, dict]]:
    app, state = fake_platform()
    server = LocalServer(app).start()
    try:
        yield server, state
    finally:
        state["closing"].set()
        server.stop()


def _stream(client: PlatformClient, rec: Recorder, **options: object) -> EventStream:
    defaults: dict[str, object] = {"backoff_initial": 0.05, "backoff_max": 0.3, "poll_interval": 0.2}
    defaults.update(options)
    return EventStream(client, rec.on_event, rec.on_state, **defaults).start()  # type: ignore[arg-type]


def test_goes_live_and_receives_an_incident_from_the_simulator(demo: DemoBackend) -> None:
    client = PlatformClient(demo.base_url, "duty", "duty")
    rec = Recorder()
    stores = Stores()
    stream = _stream(client, rec)
    stream_to_store = EventStream(client, stores.apply_event).start()
    try:
        assert wait_until(lambda: stream.state == ConnectionState.LIVE and stream_to_store.state == "live", 10)
        time.sleep(0.2)  # the server sends events after the stream's start position
        changes = demo.simulator.tick(60.0)  # a minute at 1/min: one new incident, units move
        new_ids = [c.split(":", 1)[1] for c in changes if c.startswith("incident:")]
        assert new_ids, changes
        assert wait_until(lambda: {i.id for i in rec.of_kind("incident")} >= set(new_ids), 10)
        got = next(i for i in rec.of_kind("incident") if i.id == new_ids[0])
        assert isinstance(got, Incident) and got.version == 1
        assert wait_until(lambda: stores.incidents.get(new_ids[0]) is not None, 10)
        assert rec.of_kind("unit"), "unit moves arrive too"
        assert stream.last_event_id is not None and int(stream.last_event_id) > 0
        assert rec.state_names()[:2] == [ConnectionState.CONNECTING, ConnectionState.LIVE]
    finally:
        stream.stop()
        stream_to_store.stop()
        client.close()


def test_resumes_after_a_restart_with_no_missed_or_repeated_event(tmp_path: Path) -> None:
    db_path = tmp_path / "demo.sqlite3"
    first = DemoBackend(db_path=db_path, seed=5, simulate=False).start()
    port = first.port
    client = PlatformClient(first.base_url, "duty", "duty")
    rec = Recorder()
    stream = _stream(client, rec, fallback_after=1000, backoff_max=0.2)
    rec.stream = stream  # record the event id of every event delivered
    try:
        assert wait_until(lambda: stream.state == ConnectionState.LIVE, 10)
        time.sleep(0.2)
        first.simulator.tick(60.0)
        assert wait_until(lambda: len(rec.ids) >= 2, 10)
        first.stop()
        assert wait_until(lambda: stream.state == ConnectionState.CONNECTING, 10)
        have = list(rec.ids)

        # While the client cannot connect the platform goes on: another instance on the same database
        # (on some other port) writes events: a new incident, unit moves …
        meanwhile = DemoBackend(db_path=db_path, seed=6, simulate=False).start()
        meanwhile.simulator.tick(120.0)
        meanwhile.simulator.new_incident("yingji")
        meanwhile.stop()

        again = DemoBackend(db_path=db_path, port=port, seed=5, simulate=False).start()
        try:
            again.simulator.tick(60.0)  # … and more after the restart on the same port
            with sqlite3.connect(db_path) as db:
                log_ids = [r[0] for r in db.execute("SELECT id FROM events WHERE id > ? ORDER BY id", (have[0],))]
            db.close()
            assert wait_until(lambda: rec.ids and rec.ids[-1] == log_ids[-1], 15), (
                rec.ids[-3:],
                log_ids[-3:],
            )
            assert stream.state == ConnectionState.LIVE
        finally:
            stream.stop()
            again.stop()
        # Exactly the event log, in order: nothing missed while away, nothing delivered twice.
        assert rec.ids[1:] == log_ids
        assert any(isinstance(m, Incident) and m.category == "yingji" for m in rec.of_kind("incident"))
    finally:
        stream.stop()
        client.close()


def test_stop_returns_promptly_while_a_read_is_blocked(demo: DemoBackend) -> None:
    client = PlatformClient(demo.base_url, "duty", "duty")
    rec = Recorder()
    stream = _stream(client, rec)
    try:
        assert wait_until(lambda: stream.state == ConnectionState.LIVE, 10)
        time.sleep(0.3)  # now blocked reading; the next keepalive is 15 s away
        started = time.monotonic()
        stream.stop(timeout=5)
        assert time.monotonic() - started < 1.0
        assert not stream.is_alive()
        assert rec.states[-1] == (ConnectionState.OFFLINE, "stopped")
    finally:
        stream.stop()
        client.close()


def test_read_timeout_must_exceed_the_keepalive() -> None:
    client = PlatformClient("http://127.0.0.1:9", "duty", "duty")
    with pytest.raises(ValueError):
        EventStream(client, lambda k, m: None, read_timeout=10)
    client.close()


def _sse(event_id: int, kind: str, data: object) -> str:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"id: {event_id}\nevent: {kind}\ndata: {text}\n\n"


def test_malformed_events_are_logged_and_dropped(fake, caplog) -> None:
    server, state = fake
    state["events_status"] = 200
    state["sse_events"] = [
        _sse(1, "incident", incident_json("INC-1")),
        _sse(2, "incident", "{not json"),
        _sse(3, "incident", incident_json("INC-X", lat=999)),
        _sse(4, "weather", {"rain": True}),
        _sse(5, "camera-status", {"id": "CAM-0001", "status": "offline"}),
        _sse(6, "camera-status", {"id": "CAM-0002", "status": "exploded"}),
        ": just a comment\n\n",
        _sse(7, "incident", incident_json("INC-2", version=2)),
    ]
    client = PlatformClient(server.base_url, "duty", "duty", retries=0)
    rec = Recorder()
    stream = _stream(client, rec)
    try:
        assert wait_until(lambda: stream.last_event_id == "7", 10)
        assert [(k, getattr(m, "id", None)) for k, m in rec.events] == [
            ("incident", "INC-1"),
            ("camera-status", "CAM-0001"),
            ("incident", "INC-2"),
        ]
        assert isinstance(rec.events[1][1], CameraStatusChange)
        assert stream.state == ConnectionState.LIVE
    finally:
        stream.stop()
        client.close()
    assert "not JSON" in caplog.text
    assert "dropping malformed incident event" in caplog.text
    assert "unknown type 'weather'" in caplog.text
    assert "dropping malformed camera-status event" in caplog.text


def test_falls_back_to_polling_and_goes_live_again(fake) -> None:
    server, state = fake
    state["incidents"].append(incident_json("INC-1"))
    client = PlatformClient(server.base_url, "duty", "duty", retries=0)
    rec = Recorder()
    stream = _stream(client, rec, fallback_after=2, sse_retry_interval=0.6, poll_interval=0.1)
    try:
        assert wait_until(lambda: stream.state == ConnectionState.POLLING, 10)
        assert "event stream out of order" in stream.detail
        assert wait_until(lambda: [m.id for m in rec.of_kind("incident")] == ["INC-1"], 5)
        state["incidents"].append(incident_json("INC-2"))
        assert wait_until(lambda: [m.id for m in rec.of_kind("incident")] == ["INC-1", "INC-2"], 5)
        polls = [path for method, path, _ in state["requests"] if path.startswith("/api/v1/incidents")]
        assert any("since=1" in p for p in polls), polls  # the cursor is passed back
        assert rec.state_names().count(ConnectionState.POLLING) == 1  # no flapping while polling
        events_tried = sum(p.startswith("/api/v1/events") for _, p, _ in state["requests"])
        time.sleep(1.0)
        retried = sum(p.startswith("/api/v1/events") for _, p, _ in state["requests"])
        assert 1 <= retried - events_tried <= 3  # SSE retried now and then, not hammered

        # The event stream comes back: LIVE again, and its events arrive.
        state["sse_events"] = [_sse(10, "incident", incident_json("INC-3"))]
        state["events_status"] = 200
        assert wait_until(lambda: stream.state == ConnectionState.LIVE, 5)
        assert wait_until(lambda: "INC-3" in [m.id for m in rec.of_kind("incident")], 5)
        assert stream.last_event_id == "10"
    finally:
        stream.stop()
        client.close()


def test_offline_when_nothing_answers_then_recovers() -> None:
    port_holder = LocalServer(fake_platform()[0])
    port, base = port_holder.port, port_holder.base_url
    port_holder.stop()  # nothing listens on this port now
    client = PlatformClient(base, "duty", "duty", retries=0, timeout=1)
    rec = Recorder()
    stream = _stream(client, rec, fallback_after=2, sse_retry_interval=0.3, poll_interval=0.1)
    try:
        assert wait_until(lambda: stream.state == ConnectionState.OFFLINE, 10)
        assert "ConnectionError" in stream.detail
        app, state2 = fake_platform()
        state2["incidents"].append(incident_json("INC-9"))
        with LocalServer(app, port=port):
            assert wait_until(lambda: stream.state == ConnectionState.POLLING, 10)
            assert wait_until(lambda: [m.id for m in rec.of_kind("incident")] == ["INC-9"], 5)
            stream.stop()
            state2["closing"].set()
    finally:
        stream.stop()
        client.close()


def test_a_refused_last_event_id_is_dropped_and_the_stream_starts_from_now(demo: DemoBackend) -> None:
    client = PlatformClient(demo.base_url, "duty", "duty")
    rec = Recorder()
    stream = _stream(client, rec, last_event_id="from-another-server")
    try:
        assert wait_until(lambda: stream.state == ConnectionState.LIVE, 10)
        assert stream.last_event_id is None
        time.sleep(0.2)
        demo.simulator.new_incident("wenlv")
        assert wait_until(lambda: any(m.category == "wenlv" for m in rec.of_kind("incident")), 10)
    finally:
        stream.stop()
        client.close()


def test_a_stream_that_drops_at_once_counts_as_failing(fake) -> None:
    server, state = fake
    state["events_status"] = 200
    state["closing"].set()  # every stream opens, says ": connected" and ends
    client = PlatformClient(server.base_url, "duty", "duty", retries=0)
    rec = Recorder()
    stream = _stream(client, rec, fallback_after=3, sse_retry_interval=5.0)
    try:
        assert wait_until(lambda: stream.state == ConnectionState.POLLING, 10)
        opened = len(state["last_event_ids"])
        assert 3 <= opened <= 4
        time.sleep(0.5)
        assert len(state["last_event_ids"]) == opened  # no spinning reconnects while polling
    finally:
        stream.stop()
        client.close()
