"""EventStream over real HTTP: LIVE against the exercise backend, resume across a restart with
Last-Event-ID, polling fallback against a small Flask platform, malformed events dropped, prompt stop."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from commandwall.app.store import Stores
from commandwall.backend.api import PlatformClient
from commandwall.backend.events import CameraStatusChange, ConnectionState, EventStream, Resync
from commandwall.demo import DemoBackend
from commandwall.domain.models import CameraStatus, Incident

from .backend_support import (
    LocalServer,
    Recorder,
    dispatch_new_task,
    fake_platform,
    gated_proxy,
    incident_json,
    move_unit,
    requests_to,
    snapshot_finished,
    startup_snapshot,
    wait_until,
)


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
        assert wait_until(lambda: bool(rec.of_kind("unit")), 10), "unit moves arrive too"
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


@pytest.mark.parametrize("with_event", [False, True], ids=["empty", "one-event"])
def test_a_stream_that_drops_at_once_counts_as_failing(fake, with_event: bool) -> None:
    """A stream that ends at once fails, even after an event: a server closing after every event does not have
    the desk reconnect twice a second."""
    server, state = fake
    state["events_status"] = 200
    if with_event:
        state["sse_events"] = [_sse(1, "incident", incident_json("INC-STORM", version=1))]
    state["closing"].set()  # every stream opens, says ": connected" (and the event) and ends
    client = PlatformClient(server.base_url, "duty", "duty", retries=0)
    rec = Recorder()
    stream = _stream(client, rec, fallback_after=3, sse_retry_interval=5.0)
    try:
        assert wait_until(lambda: stream.state == ConnectionState.POLLING, 10)
        opened = len(state["last_event_ids"])
        assert 3 <= opened <= 4
        time.sleep(0.5)
        assert len(state["last_event_ids"]) == opened  # no spinning reconnects while polling
        assert bool(rec.of_kind("incident")) == with_event, "the event itself was delivered"
    finally:
        stream.stop()
        client.close()


# -- cameras, units and tasks while polling, and the catch-up when the stream comes back ------------------


@pytest.fixture()
def gated(tmp_path: Path) -> Iterator[tuple[DemoBackend, LocalServer, dict]]:
    """The exercise backend behind a pass-through whose event stream the test can break."""
    backend = DemoBackend(db_path=tmp_path / "gated.sqlite3", seed=7, simulate=False, keepalive_s=0.5).start()
    app, state = gated_proxy(backend.base_url)
    proxy = LocalServer(app).start()
    try:
        yield backend, proxy, state
    finally:
        state["cut"].set()
        backend.stop()
        proxy.stop()


def test_polling_delivers_camera_unit_and_task_changes(gated) -> None:
    demo, proxy, state = gated
    state["events_status"] = 500
    client = PlatformClient(proxy.base_url, "duty", "duty", retries=0)
    baseline, cursor = startup_snapshot(client)
    stores = Stores()
    stores.cameras.replace_all(baseline["cameras"])
    stores.units.replace_all(baseline["units"])
    rec = Recorder(forward=stores.apply_event)
    fetched = requests_to(state, "/api/v1/tasks")
    stream = _stream(
        client, rec, cursor=cursor, fallback_after=1, sse_retry_interval=60, snapshot_interval=0.5, **baseline
    )
    try:
        assert wait_until(lambda: stream.state == ConnectionState.POLLING, 10)
        assert wait_until(lambda: requests_to(state, "/api/v1/tasks") >= fetched + 3, 10)  # two snapshots done
        assert rec.camera_statuses() == [] and rec.of_kind("unit") == [] and rec.of_kind("task") == []

        camera_id = baseline["cameras"][5].id
        assert demo.set_camera_status(camera_id, "offline")
        moved = move_unit(demo)
        task = dispatch_new_task(demo, client)
        changed_at = time.monotonic()
        assert wait_until(lambda: rec.camera_statuses() == [(camera_id, CameraStatus.OFFLINE)], 5)
        assert time.monotonic() - changed_at < 3.0  # one snapshot interval (0.5 s) and the fetch
        assert wait_until(lambda: [u.id for u in rec.of_kind("unit")] == [moved.id], 5)
        assert wait_until(lambda: [t.id for t in rec.of_kind("task")] == [task.id], 5)
        assert rec.of_kind("unit")[0] == moved
        assert stores.cameras.get(camera_id).status is CameraStatus.OFFLINE
        assert stores.units.get(moved.id) == moved and stores.tasks.get(task.id) == task

        seen = requests_to(state, "/api/v1/tasks")
        assert wait_until(lambda: requests_to(state, "/api/v1/tasks") >= seen + 2, 10)
        assert len(rec.camera_statuses()) == 1 and len(rec.of_kind("unit")) == 1 and len(rec.of_kind("task")) == 1
        assert ConnectionState.LIVE not in rec.state_names() and stream.state == ConnectionState.POLLING
        started = time.monotonic()
        stream.stop()
        assert time.monotonic() - started < 2.0 and not stream.is_alive()
    finally:
        stream.stop()
        client.close()


def test_without_a_baseline_the_first_snapshot_delivers_each_camera_once(gated) -> None:
    _, proxy, state = gated
    state["events_status"] = 500
    client = PlatformClient(proxy.base_url, "duty", "duty", retries=0)
    cameras = client.cameras()
    rec = Recorder()
    stream = _stream(client, rec, fallback_after=1, sse_retry_interval=60, snapshot_interval=0.3)
    try:
        assert wait_until(lambda: requests_to(state, "/api/v1/tasks") >= 4, 10)  # three snapshots done
        assert sorted(rec.camera_statuses()) == sorted((c.id, c.status) for c in cameras)  # once each, then silence
        assert len(rec.of_kind("unit")) == len(client.units())
        assert stream.state == ConnectionState.POLLING
    finally:
        stream.stop()
        client.close()


def test_a_failing_snapshot_counts_as_a_poll_failure(gated, caplog) -> None:
    demo, proxy, state = gated
    state["events_status"] = 500
    client = PlatformClient(proxy.base_url, "duty", "duty", retries=0)
    baseline, cursor = startup_snapshot(client)
    state["broken"].add("/api/v1/units")
    rec = Recorder()
    stream = _stream(
        client, rec, cursor=cursor, fallback_after=1, sse_retry_interval=60, snapshot_interval=0.3, **baseline
    )
    try:
        assert wait_until(lambda: stream.state == ConnectionState.OFFLINE, 10)
        assert "units" in stream.detail
        camera_id = baseline["cameras"][0].id
        demo.set_camera_status(camera_id, "offline")
        moved = move_unit(demo)
        assert wait_until(lambda: rec.camera_statuses() == [(camera_id, CameraStatus.OFFLINE)], 10)  # the rest arrives
        assert rec.of_kind("unit") == []
        state["broken"].clear()
        assert wait_until(lambda: stream.state == ConnectionState.POLLING, 10)
        assert wait_until(lambda: rec.of_kind("unit") == [moved], 10)
    finally:
        stream.stop()
        client.close()
    assert "snapshot failed" in caplog.text


def test_first_connect_catches_up_on_changes_since_the_startup_snapshot(demo: DemoBackend) -> None:
    client = PlatformClient(demo.base_url, "duty", "duty")
    baseline, cursor = startup_snapshot(client)
    camera_id = baseline["cameras"][3].id
    demo.set_camera_status(camera_id, "offline")  # … while the client builds its window
    moved = move_unit(demo, 2)
    task = dispatch_new_task(demo, client)
    rec = Recorder()
    stream = _stream(client, rec, cursor=cursor, **baseline)
    try:
        assert wait_until(lambda: stream.state == ConnectionState.LIVE, 10)
        assert wait_until(lambda: [t.id for t in rec.of_kind("task")] == [task.id], 10)
        assert rec.camera_statuses() == [(camera_id, CameraStatus.OFFLINE)]
        assert rec.of_kind("unit") == [moved]
        assert task.incident_id in [i.id for i in rec.of_kind("incident")]
        demo.set_camera_status(camera_id, "online")  # and the stream goes on from there
        assert wait_until(lambda: rec.camera_statuses()[-1:] == [(camera_id, CameraStatus.ONLINE)], 10)
    finally:
        stream.stop()
        client.close()


def test_back_live_after_polling_delivers_a_gap_change_once(gated) -> None:
    demo, proxy, state = gated
    client = PlatformClient(proxy.base_url, "duty", "duty", retries=0)
    baseline, cursor = startup_snapshot(client)
    rec = Recorder()
    fetched = requests_to(state, "/api/v1/tasks")
    stream = _stream(
        client, rec, cursor=cursor, fallback_after=1, sse_retry_interval=0.5, snapshot_interval=60, **baseline
    )
    try:
        assert wait_until(lambda: stream.state == ConnectionState.LIVE, 10)
        time.sleep(0.2)
        demo.simulator.new_incident("yingji")
        assert wait_until(lambda: stream.last_event_id is not None, 10)

        state["events_status"] = 500  # the stream breaks and stays down: polling
        state["cut"].set()
        assert wait_until(lambda: stream.state == ConnectionState.POLLING, 10)
        state["cut"].clear()
        assert wait_until(lambda: snapshot_finished(state), 10)  # entering POLLING: one snapshot, done
        polled = requests_to(state, "/api/v1/tasks")
        assert polled == fetched + 2  # first connect's catch-up, entering POLLING (the next is a minute away)

        camera_id = baseline["cameras"][7].id
        demo.set_camera_status(camera_id, "offline")  # changes in the gap
        moved = move_unit(demo, 1)
        task = dispatch_new_task(demo, client)
        time.sleep(0.3)
        assert rec.camera_statuses() == [] and rec.of_kind("unit") == []

        state["events_status"] = 200  # back: Last-Event-ID replays the gap, the catch-up snapshot covers it too
        assert wait_until(lambda: stream.state == ConnectionState.LIVE, 10)
        assert wait_until(lambda: rec.camera_statuses() == [(camera_id, CameraStatus.OFFLINE)], 10)
        assert wait_until(lambda: [t.id for t in rec.of_kind("task")] == [task.id], 10)
        assert requests_to(state, "/api/v1/tasks") == polled + 1  # one catch-up snapshot
        time.sleep(1.0)  # replayed events (and keepalives) have arrived by now
        assert rec.camera_statuses() == [(camera_id, CameraStatus.OFFLINE)]
        assert rec.of_kind("unit") == [moved] and [t.id for t in rec.of_kind("task")] == [task.id]
        assert stream.state == ConnectionState.LIVE
    finally:
        stream.stop()
        client.close()


def test_a_failed_catch_up_is_not_reported_live_and_is_retried(gated) -> None:
    demo, proxy, state = gated
    client = PlatformClient(proxy.base_url, "duty", "duty", retries=0)
    baseline, cursor = startup_snapshot(client)
    gap = demo.simulator.new_incident("jiaotong")  # changed after the snapshot, before the stream opens
    state["broken"].add("/api/v1/incidents")  # the catch-up poll fails
    before = requests_to(state, "/api/v1/incidents")
    rec = Recorder()
    stream = _stream(client, rec, cursor=cursor, fallback_after=50, snapshot_interval=60, **baseline)
    try:
        assert wait_until(lambda: requests_to(state, "/api/v1/incidents") >= before + 2, 10)  # tried, tried again
        assert stream.state != ConnectionState.LIVE  # the gap is not covered: not "live"
        assert gap.id not in [i.id for i in rec.of_kind("incident")]
        state["broken"].clear()
        assert wait_until(lambda: stream.state == ConnectionState.LIVE, 10)
        assert wait_until(lambda: gap.id in [i.id for i in rec.of_kind("incident")], 10)
    finally:
        stream.stop()
        client.close()


# -- a platform (or a path to it) that misbehaves ------------------------------------------------------------


def test_a_stream_that_goes_silent_counts_as_failing_and_the_next_one_catches_up(fake) -> None:
    """Not a byte, not a keepalive, for the read timeout: the server or the path hung, and what the platform
    had meanwhile came on no stream. The next stream polls it first (it used to reconnect as if all were well,
    resuming by Last-Event-ID, and missed it)."""
    server, state = fake
    state["events_status"] = 200  # ": connected", then silence (no keepalives) until the test ends
    client = PlatformClient(server.base_url, "duty", "duty", retries=0)
    rec = Recorder()
    read_timeout = 4.0  # the fake sends no keepalives: any interval below it will do
    stream = _stream(client, rec, read_timeout=read_timeout, keepalive_s=1.0, last_event_id="7", cursor="0")
    try:
        assert wait_until(lambda: stream.state == ConnectionState.LIVE, 10)
        state["incidents"].append(incident_json("INC-SILENT", version=1))  # never sent on the stream
        # within one read timeout and the reconnect: not after the fallback to polling (three silent streams)
        assert wait_until(lambda: any(i.id == "INC-SILENT" for i in rec.of_kind("incident")), read_timeout + 3)
        assert any("keepalives missed" in detail for _, detail in rec.states), rec.states
        assert len(state["last_event_ids"]) >= 2, "it reconnected"
    finally:
        stream.stop()
        client.close()


def test_a_compressed_event_stream_is_refused_not_shown_live_with_nothing_in_it(fake) -> None:
    """The desk asks for the stream as it comes; a proxy that gzips it anyway is said, and the desk polls."""
    server, state = fake
    state["events_status"] = 200
    state["events_gzip"] = True
    state["sse_events"] = [_sse(1, "incident", incident_json("INC-GZ", version=1))]
    client = PlatformClient(server.base_url, "duty", "duty", retries=0)
    rec = Recorder()
    stream = _stream(client, rec, fallback_after=2, sse_retry_interval=5.0)
    try:
        assert wait_until(lambda: stream.state == ConnectionState.POLLING, 10), rec.states
        assert ConnectionState.LIVE not in rec.state_names()
        assert any("gzip-encoded" in detail for _, detail in rec.states), rec.states
        assert set(state["events_encodings"]) == {"identity"}
    finally:
        stream.stop()
        client.close()


def test_keepalive_comments_without_blank_lines_do_not_cut_the_stream(fake) -> None:
    server, state = fake
    state["events_status"] = 200
    state["sse_events"] = [": ping\n"] * 1500 + [_sse(1, "incident", incident_json("INC-AFTER-PINGS", version=1))]
    client = PlatformClient(server.base_url, "duty", "duty", retries=0)
    rec = Recorder()
    stream = _stream(client, rec, last_event_id="0", cursor="0")
    try:
        assert wait_until(lambda: any(i.id == "INC-AFTER-PINGS" for i in rec.of_kind("incident")), 10)
        assert len(state["last_event_ids"]) == 1, "one stream: not cut for too many lines"
    finally:
        stream.stop()
        client.close()


# -- the platform's data goes back (its database reset, or restored from a backup) ------------------------------


def _backup(db_path: Path, to: Path) -> None:
    """A consistent copy of a live exercise database (SQLite's backup API), as an operator's backup would be."""
    with sqlite3.connect(db_path) as src, sqlite3.connect(to) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _restore(backup: Path, db_path: Path) -> None:
    """Put a backup back in place of a stopped exercise database."""
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db_path.write_bytes(backup.read_bytes())


class _Reloads:
    """An ``on_reset`` that loads what a session would, and counts why it was called."""

    def __init__(self, client: PlatformClient) -> None:
        self.client = client
        self.reasons: list[str] = []

    def __call__(self, reason: str) -> Resync:
        _incidents, cursor = self.client.incidents()
        found = Resync(cursor=cursor, cameras=self.client.cameras(), units=self.client.units(),
                       tasks=self.client.tasks())
        self.reasons.append(reason)
        return found


def test_a_platform_restored_from_a_backup_is_noticed_by_its_event_ids_and_reloaded_once(tmp_path: Path) -> None:
    """The restored platform's log is shorter than what the desk followed: the contract replays it all from the
    start for an id beyond it. The desk used to take that replay as news and keep what it held; the id going back
    now means a reload, once, and the stream goes on from what was loaded (no replay of the whole log)."""
    db_path = tmp_path / "platform.sqlite3"
    first = DemoBackend(db_path=db_path, seed=5, simulate=False).start()
    port = first.port
    client = PlatformClient(first.base_url, "duty", "duty", retries=0)
    reloads = _Reloads(client)
    baseline, cursor = startup_snapshot(client)
    rec = Recorder()
    stream = _stream(client, rec, cursor=cursor, fallback_after=1000, backoff_max=0.2, on_reset=reloads, **baseline)
    rec.stream = stream
    again = None
    try:
        assert wait_until(lambda: stream.state == ConnectionState.LIVE, 10)
        _backup(db_path, tmp_path / "backup.sqlite3")
        with sqlite3.connect(db_path) as db:
            (backup_top,) = db.execute("SELECT MAX(id) FROM events").fetchone()
        db.close()
        first.simulator.new_incident("jiaotong")
        first.simulator.tick(60.0)
        assert wait_until(lambda: rec.ids and rec.ids[-1] > backup_top + 1, 10)
        first.stop()
        _restore(tmp_path / "backup.sqlite3", db_path)
        delivered = len(rec.events)
        again = DemoBackend(db_path=db_path, port=port, seed=5, simulate=False).start()
        assert wait_until(lambda: len(reloads.reasons) == 1 and stream.state == ConnectionState.LIVE, 15)
        assert "event id" in reloads.reasons[0]
        time.sleep(0.3)
        fresh = again.simulator.new_incident("yingji")  # the restored platform goes on: its news arrives
        assert wait_until(lambda: fresh.id in [i.id for i in rec.of_kind("incident")], 10)
        assert len(reloads.reasons) == 1, reloads.reasons
        replayed = [m for _k, m in rec.events[delivered:] if not (isinstance(m, Incident) and m.id == fresh.id)]
        assert len(replayed) < backup_top // 2, "the whole log was not replayed into the stores"
    finally:
        stream.stop()
        client.close()
        first.stop()
        if again is not None:
            again.stop()


def test_a_polling_desk_notices_the_platform_went_back_by_its_cursor(gated, tmp_path: Path) -> None:
    """The live stream is out of order: polling ``since`` a cursor beyond the restored log gets "everything" and
    a lower cursor back. That used to be taken as the next position, the desk's picture left as it was."""
    demo, proxy, state = gated
    state["events_status"] = 500
    client = PlatformClient(proxy.base_url, "duty", "duty", retries=0)
    reloads = _Reloads(client)
    baseline, cursor = startup_snapshot(client)
    rec = Recorder()
    stream = _stream(client, rec, cursor=cursor, fallback_after=1, sse_retry_interval=60, snapshot_interval=60,
                     on_reset=reloads, **baseline)
    db_path = demo.db_path
    again = None
    try:
        assert wait_until(lambda: stream.state == ConnectionState.POLLING, 10)
        _backup(db_path, tmp_path / "backup.sqlite3")
        gone = demo.simulator.new_incident("jiaotong")  # polled: the cursor moves beyond the backup's log
        assert wait_until(lambda: gone.id in [i.id for i in rec.of_kind("incident")], 10)
        assert not reloads.reasons
        port = demo.port
        demo.stop()
        _restore(tmp_path / "backup.sqlite3", db_path)
        again = DemoBackend(db_path=db_path, port=port, seed=7, simulate=False, keepalive_s=0.5).start()
        assert wait_until(lambda: len(reloads.reasons) == 1, 15)
        assert "incident cursor" in reloads.reasons[0]
        assert wait_until(lambda: stream.state == ConnectionState.POLLING, 10)
        fresh = again.simulator.new_incident("yingji")
        assert wait_until(lambda: fresh.id in [i.id for i in rec.of_kind("incident")], 10)
        assert len(reloads.reasons) == 1, reloads.reasons
    finally:
        stream.stop()
        client.close()
        if again is not None:
            again.stop()


def test_a_unit_report_dated_far_ahead_does_not_silence_the_units_later_reports(gated) -> None:
    """A snapshot carried one unit's report dated 9999-12-31 (a terminal's broken clock): the stream kept it as
    the last delivered and dropped every real report after it as "older" before the store (which lets a far-ahead
    report give way) saw any — the unit froze on the map for the session. The stream no longer orders reports by
    date: the store does."""
    from flask import Response

    demo, proxy, state = gated
    state["events_status"] = 500
    client = PlatformClient(proxy.base_url, "duty", "duty", retries=0)
    baseline, cursor = startup_snapshot(client)
    stores = Stores()
    stores.units.replace_all(baseline["units"])
    rec = Recorder(forward=stores.apply_event)
    target = demo.store.units()[0].id
    poisoned = [False]

    def far_ahead_once(method: str, path: str) -> Response | None:
        if (method, path) != ("GET", "/api/v1/units") or poisoned[0]:
            return None
        poisoned[0] = True  # the exercise's own answer (routes_api.units), one report dated far ahead
        items = [u.model_dump(mode="json") for u in demo.store.units()]
        for item in items:
            if item["id"] == target:
                item["updated_at"] = "9999-12-31T00:00:00+00:00"
        return Response(json.dumps({"units": items}), status=200, content_type="application/json")

    state["garbage"] = far_ahead_once
    stream = _stream(client, rec, cursor=cursor, fallback_after=1, sse_retry_interval=60, snapshot_interval=0.3,
                     **baseline)  # fmt: skip
    try:
        assert wait_until(lambda: poisoned[0] and requests_to(state, "/api/v1/units") >= 3, 10)
        moved = move_unit(demo)
        assert wait_until(lambda: stores.units.get(target) == moved, 5), stores.units.get(target)
    finally:
        stream.stop()
        client.close()


# -- what the mutation review found untested ----------------------------------------------------------------------


def test_a_stream_silent_for_longer_than_a_healthy_one_lasts_still_counts_as_failing(fake) -> None:
    """A stream that stays silent for its read timeout is a hung server or path even when that timeout is longer
    than a healthy stream must stay open: it is a failure (here the first of one allowed: the desk polls), not a
    healthy stream to reconnect to for ever with nothing on it."""
    server, state = fake
    state["events_status"] = 200  # ": connected", then silence (no keepalives)
    client = PlatformClient(server.base_url, "duty", "duty", retries=0)
    rec = Recorder()
    read_timeout = 6.0  # above HEALTHY_AFTER_S (5 s): open long enough to count healthy, were it not silent
    stream = _stream(client, rec, read_timeout=read_timeout, keepalive_s=1.0, fallback_after=1,
                     sse_retry_interval=60.0, last_event_id="7", cursor="0")  # fmt: skip
    try:
        assert wait_until(lambda: stream.state == ConnectionState.LIVE, 10)
        assert wait_until(lambda: stream.state == ConnectionState.POLLING, read_timeout + 4), rec.states
        assert "keepalives missed" in stream.detail
        assert len(state["last_event_ids"]) == 1, "not reconnected as if the silent stream had been healthy"
    finally:
        stream.stop()
        client.close()


@pytest.mark.parametrize("over", ["bytes", "lines"])
def test_an_event_over_the_cap_is_refused_before_it_ends(fake, over: str) -> None:
    """An event of more than MAX_EVENT_BYTES, or of more than MAX_EVENT_LINES short lines, is refused while it
    arrives: the desk does not buffer it waiting for its end (here it never ends), and polls instead."""
    from commandwall.backend.events import MAX_EVENT_BYTES, MAX_EVENT_LINES

    server, state = fake
    state["events_status"] = 200
    endless = "data: " + "x" * (MAX_EVENT_BYTES + 1000) if over == "bytes" else "data: x\n" * (MAX_EVENT_LINES + 200)
    assert (len(endless) < MAX_EVENT_BYTES) == (over == "lines")
    state["sse_events"] = [_sse(1, "incident", incident_json("INC-BEFORE", version=1)), endless]
    client = PlatformClient(server.base_url, "duty", "duty", retries=0)
    rec = Recorder()
    stream = _stream(client, rec, fallback_after=1, sse_retry_interval=60.0, last_event_id="0", cursor="0")
    try:
        assert wait_until(lambda: stream.state == ConnectionState.POLLING, 10), rec.states
        assert any("exceeds" in detail for _, detail in rec.states), rec.states
        assert [i.id for i in rec.of_kind("incident")] == ["INC-BEFORE"]
    finally:
        stream.stop()
        client.close()


@pytest.mark.parametrize(("last", "resumed_from"), [
    ("id: 2\nevent: incident\ndata: {not json\n\n", "2"),  # dropped, its id kept: it must not be replayed
    (f"id: 七号\nevent: incident\ndata: {json.dumps(incident_json('INC-2', version=1))}\n\n", None),  # unsendable
], ids=["malformed", "unsendable-id"])  # fmt: skip
def test_the_next_stream_resumes_after_the_last_event_id_the_desk_can_send(fake, last: str, resumed_from) -> None:
    """The stream's last event is malformed (dropped): the next stream resumes after it, not before it (it would
    come again, and every event after it). An id that cannot be sent back as a header is not: the next stream
    opens without Last-Event-ID and catches up instead."""
    server, state = fake
    state["events_status"] = 200
    state["sse_events"] = [_sse(1, "incident", incident_json("INC-1", version=1)), last]
    state["closing"].set()  # each stream sends them and ends
    client = PlatformClient(server.base_url, "duty", "duty", retries=0)
    rec = Recorder()
    stream = _stream(client, rec, fallback_after=5, sse_retry_interval=60.0, cursor="0")
    try:
        assert wait_until(lambda: len(state["last_event_ids"]) >= 3, 10), rec.states
        assert state["last_event_ids"][1] == resumed_from
        paths = [path for method, path, _ in list(state["requests"]) if method == "GET"]
        opened = [n for n, path in enumerate(paths) if path.startswith("/api/v1/events")]
        caught_up = any(path.startswith("/api/v1/incidents") for path in paths[opened[1] : opened[2]])
        assert caught_up == (resumed_from is None), paths  # no position to resume from: what was missed is polled
    finally:
        stream.stop()
        client.close()


def test_a_snapshot_whose_camera_list_fails_still_delivers_units_and_tasks(gated) -> None:
    """/cameras fails (the video platform behind it is down): the units and tasks of the same snapshot still
    arrive, and the cameras once the list answers again."""
    demo, proxy, state = gated
    state["events_status"] = 500
    client = PlatformClient(proxy.base_url, "duty", "duty", retries=0)
    baseline, cursor = startup_snapshot(client)
    state["broken"].add("/api/v1/cameras")
    rec = Recorder()
    stream = _stream(
        client, rec, cursor=cursor, fallback_after=1, sse_retry_interval=60, snapshot_interval=0.3, **baseline
    )
    try:
        assert wait_until(lambda: stream.state == ConnectionState.OFFLINE, 10)
        assert "cameras" in stream.detail
        camera_id = baseline["cameras"][0].id
        demo.set_camera_status(camera_id, "offline")
        moved = move_unit(demo)
        task = dispatch_new_task(demo, client)
        assert wait_until(lambda: rec.of_kind("unit") == [moved], 10)
        assert wait_until(lambda: [t.id for t in rec.of_kind("task")] == [task.id], 10)
        assert rec.camera_statuses() == []
        state["broken"].clear()
        assert wait_until(lambda: rec.camera_statuses() == [(camera_id, CameraStatus.OFFLINE)], 10)
        assert wait_until(lambda: stream.state == ConnectionState.POLLING, 10)
    finally:
        stream.stop()
        client.close()
