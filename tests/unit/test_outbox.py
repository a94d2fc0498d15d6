"""Outbox over real SQLite and real HTTP against the exercise backend: nothing lost, nothing doubled."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Response

from commandwall.backend.api import PlatformClient
from commandwall.backend.outbox import SCHEMA, Outbox, OutboxItem, OutboxState
from commandwall.demo import DemoBackend
from commandwall.domain.models import Incident, IncidentStatus, Task

from .backend_support import LocalServer, gated_proxy, requests_to, wait_until


@pytest.fixture()
def client(demo: DemoBackend) -> Iterator[PlatformClient]:
    c = PlatformClient(demo.base_url, "duty", "duty", timeout=2, retries=0)
    yield c
    c.close()


def _new_incident(client: PlatformClient) -> Incident:
    return next(i for i in client.incidents()[0] if i.status == IncidentStatus.NEW)


def _task_payload(incident: Incident, text: str = "请立即处置") -> dict:
    return {
        "incident_id": incident.id,
        "unit_id": None,
        "department": "城管",
        "instructions": text,
        "priority": 2,
    }


class Listener:
    """Records (row id, state) notifications."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[tuple[int, OutboxState]] = []

    def __call__(self, item: OutboxItem) -> None:
        with self.lock:
            self.seen.append((item.id, item.state))


def test_enqueue_while_down_is_sent_exactly_once_when_the_server_returns(tmp_path: Path) -> None:
    db_path = tmp_path / "demo.sqlite3"
    backend = DemoBackend(db_path=db_path, seed=11, simulate=False).start()
    port = backend.port
    client = PlatformClient(backend.base_url, "duty", "duty", timeout=2, retries=0)
    incident = _new_incident(client)
    backend.stop()  # the platform goes away

    listener = Listener()
    outbox = Outbox(tmp_path / "outbox.sqlite3", client, backoff_initial=0.05, backoff_max=0.3)
    outbox.add_listener(listener)
    outbox.start()
    try:
        started = time.monotonic()
        row = outbox.enqueue_task(_task_payload(incident))
        assert time.monotonic() - started < 0.5  # returns at once, server or not
        assert wait_until(lambda: outbox.get(row).attempts >= 3, 10)
        item = outbox.get(row)
        assert item.state == OutboxState.PENDING and "平台拒绝连接" in (item.last_error or "")  # as said to the officer
        assert outbox.pending_count() == 1

        backend = DemoBackend(db_path=db_path, port=port, seed=11, simulate=False).start()
        try:
            assert outbox.wait_idle(10)
            item = outbox.get(row)
            assert item.state == OutboxState.SENT and item.sent_at is not None
            task = item.result_model()
            assert isinstance(task, Task) and task.incident_id == incident.id
            time.sleep(0.5)  # give a buggy worker the chance to send it again
            tasks = client.tasks(incident.id)
            assert [t.id for t in tasks] == [task.id]
            assert client.incident(incident.id).status == IncidentStatus.DISPATCHED
        finally:
            backend.stop()
    finally:
        outbox.stop()
        client.close()
    with listener.lock:
        states = [s for r, s in listener.seen if r == row]
    assert states[0] == OutboxState.PENDING and states[-1] == OutboxState.SENT
    assert states.count(OutboxState.SENT) == 1


def test_restart_resends_a_pending_row_once_even_if_it_had_reached_the_server(
    tmp_path: Path, client: PlatformClient
) -> None:
    incident = _new_incident(client)
    db = tmp_path / "outbox.sqlite3"
    first = Outbox(db, client)  # never started: the app "crashed" before or after sending
    row = first.enqueue_task(_task_payload(incident))
    key = first.get(row).idempotency_key
    # The crashed run's POST had reached the server; its answer was lost before the row was marked.
    already = client.create_task(_task_payload(incident), key)
    first.stop()

    second = Outbox(db, client, backoff_initial=0.05).start()
    try:
        assert second.wait_idle(10)
        item = second.get(row)
        assert item.state == OutboxState.SENT
        assert item.result_model() == already  # the server answered with the same task
        assert [t.id for t in client.tasks(incident.id)] == [already.id]
    finally:
        second.stop()


def test_transition_uses_the_quoted_version_and_a_stale_one_is_a_conflict(
    tmp_path: Path, client: PlatformClient
) -> None:
    incident = _new_incident(client)
    outbox = Outbox(tmp_path / "outbox.sqlite3", client, backoff_initial=0.05)
    ok = outbox.enqueue_transition(incident.id, "accept", incident.version, "受理")
    stale = outbox.enqueue_transition(incident.id, "resolve", incident.version, "办结")  # same old version
    refused = outbox.enqueue_transition(incident.id, "close", incident.version + 1)  # accepted -> close: no
    outbox.start()
    try:
        assert outbox.wait_idle(10)
        sent = outbox.get(ok)
        assert sent.state == OutboxState.SENT
        assert sent.result_model().version == incident.version + 1

        conflict = outbox.get(stale)
        assert conflict.state == OutboxState.CONFLICT
        current = conflict.result_model()
        assert isinstance(current, Incident) and current.status == IncidentStatus.ACCEPTED

        failed = outbox.get(refused)
        assert failed.state == OutboxState.FAILED and failed.last_error
        assert failed.attempts == 1  # a refusal is not retried
        assert client.incident(incident.id).version == incident.version + 1
    finally:
        outbox.stop()


def test_validation_error_fails_with_the_servers_message_and_later_rows_still_go(
    tmp_path: Path, client: PlatformClient
) -> None:
    incident = _new_incident(client)
    outbox = Outbox(tmp_path / "outbox.sqlite3", client, backoff_initial=0.05)
    bad = outbox.enqueue_task({**_task_payload(incident), "priority": 9})
    good = outbox.enqueue_task(_task_payload(incident))
    outbox.start()
    try:
        assert outbox.wait_idle(10)
        failed = outbox.get(bad)
        assert failed.state == OutboxState.FAILED and "priority" in failed.last_error
        assert outbox.get(good).state == OutboxState.SENT
        assert [i.id for i in outbox.items(OutboxState.SENT)] == [good]

        assert outbox.retry(bad)  # the user retries: still refused, still failed, nothing sent
        assert wait_until(lambda: outbox.get(bad).attempts == 2, 5)
        assert outbox.wait_idle(5)
        assert outbox.get(bad).state == OutboxState.FAILED
        assert len(client.tasks(incident.id)) == 1
    finally:
        outbox.stop()


def test_a_transition_whose_answer_was_lost_is_not_reported_as_a_conflict(
    tmp_path: Path, client: PlatformClient
) -> None:
    incident = _new_incident(client)
    db = tmp_path / "outbox.sqlite3"
    first = Outbox(db, client)
    row = first.enqueue_transition(incident.id, "accept", incident.version)
    first.stop()
    # The previous run had sent it (attempts counted before the send) and crashed before marking it.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE outbox SET attempts = 1 WHERE id = ?", (row,))
    conn.close()
    client.transition(incident.id, "accept", incident.version)

    second = Outbox(db, client).start()
    try:
        assert second.wait_idle(10)
        item = second.get(row)
        assert item.state == OutboxState.SENT
        assert item.result_model().status == IncidentStatus.ACCEPTED
    finally:
        second.stop()


@pytest.mark.parametrize("queued", ["before the step", "a day after the step"])
def test_a_lost_answer_then_another_desks_next_step_is_taken_as_sent_when_the_step_was_this_desks(
    tmp_path: Path, demo: DemoBackend, queued: str
) -> None:
    """This desk's 受理 went through but its answer was lost; another desk then 核实 the incident. The resend gets
    409 with the incident verified, two versions on: the officer was told his 受理 was not done ("现为已核实") though
    the timeline names him. The timeline decides, whatever came after — but only for a step made after the row was
    queued: an earlier round of the same step by this desk is not this row's."""
    here = PlatformClient(demo.base_url, "duty", "duty", timeout=2, retries=0, desk_id="desk-A")
    there = PlatformClient(demo.base_url, "commander", "commander", timeout=2, retries=0, desk_id="desk-B")
    incident = _new_incident(here)
    db = tmp_path / "outbox.sqlite3"
    first = Outbox(db, here)
    row = first.enqueue_transition(incident.id, "accept", incident.version, "受理：已联系报警人")
    first.stop()
    later = "2999-01-01T00:00:00+00:00" if queued == "a day after the step" else None
    with sqlite3.connect(db) as conn:  # a send was started (attempts counted first) and its answer never came
        conn.execute("UPDATE outbox SET attempts = 1 WHERE id = ?", (row,))
        if later is not None:
            conn.execute("UPDATE outbox SET created_at = ? WHERE id = ?", (later, row))
    conn.close()
    accepted = here.transition(incident.id, "accept", incident.version, "受理：已联系报警人")
    there.transition(incident.id, "verify", accepted.version, "B核实：现场确有积水")
    second = Outbox(db, here).start()
    try:
        assert second.wait_idle(10)
        item = second.get(row)
        assert item.state == (OutboxState.SENT if later is None else OutboxState.CONFLICT), item
        assert item.result_model().status == IncidentStatus.VERIFIED
    finally:
        second.stop()
        here.close()
        there.close()


@pytest.mark.parametrize("other", ["another desk, another reason", "another desk, the same reason"])
def test_the_same_step_made_meanwhile_by_another_desk_is_a_conflict_not_taken_as_sent(
    tmp_path: Path, demo: DemoBackend, other: str
) -> None:
    """This desk's 退回 reached nothing (its answer lost, or the send cut) while another desk returned the same
    incident: the resend gets 409 with the incident returned at the next version, as if this desk's step had
    gone through. The timeline says whose step it was: the row is a conflict, and this desk's reason is still in
    the row for the officer, not dropped as delivered."""
    here = PlatformClient(demo.base_url, "duty", "duty", timeout=2, retries=0, desk_id="desk-A")
    there = PlatformClient(demo.base_url, "duty", "duty", timeout=2, retries=0, desk_id="desk-B")
    incident = _new_incident(here)
    db = tmp_path / "outbox.sqlite3"
    first = Outbox(db, here)
    row = first.enqueue_transition(incident.id, "return", incident.version, "A退回：地址有误，需网格员复核")
    first.stop()
    with sqlite3.connect(db) as conn:  # a send was started (attempts counted first) and its answer never came
        conn.execute("UPDATE outbox SET attempts = 1 WHERE id = ?", (row,))
    conn.close()
    reason = "B退回：重复上报" if other == "another desk, another reason" else "A退回：地址有误，需网格员复核"
    there.transition(incident.id, "return", incident.version, reason)
    second = Outbox(db, here).start()
    try:
        assert second.wait_idle(10)
        item = second.get(row)
        assert item.state == OutboxState.CONFLICT, item
        assert item.payload["note"] == "A退回：地址有误，需网格员复核"
        assert item.result_model().status == IncidentStatus.RETURNED
    finally:
        second.stop()
        here.close()
        there.close()


def test_rows_survive_in_sqlite_with_wal(tmp_path: Path, client: PlatformClient) -> None:
    db = tmp_path / "outbox.sqlite3"
    outbox = Outbox(db, client)
    row = outbox.enqueue("task", {"incident_id": "INC-1"}, idempotency_key="key-1")
    assert outbox.enqueue("task", {"incident_id": "INC-1"}, idempotency_key="key-1") == row  # double click
    with pytest.raises(ValueError):
        outbox.enqueue("task", {"incident_id": "INC-2"}, idempotency_key="key-1")
    with pytest.raises(ValueError):
        outbox.enqueue("launch", {})
    with pytest.raises(ValueError):
        outbox.enqueue("transition", {"incident_id": "INC-1"})  # no action, no version
    outbox.stop()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        kind, key, state = conn.execute(
            "SELECT kind, idempotency_key, state FROM outbox WHERE id = ?", (row,)
        ).fetchone()
    conn.close()
    assert (kind, key, state) == ("task", "key-1", "pending")


def test_a_wrong_shaped_answer_keeps_the_row_pending_and_it_is_sent_once_when_sane(
    tmp_path: Path, demo: DemoBackend
) -> None:
    app, state = gated_proxy(demo.base_url)
    garbage = iter([b"[1]", b'{"id": 5}', b"[" * 100_000, b"<html>proxy error</html>"])

    def wrong_shape(method: str, path: str) -> Response | None:
        if (method, path) != ("POST", "/api/v1/tasks"):
            return None
        body = next(garbage, None)  # the first POSTs get garbage (the platform may have made the task)
        return Response(body, status=201, content_type="application/json") if body is not None else None

    with LocalServer(app) as proxy:
        client = PlatformClient(proxy.base_url, "duty", "duty", timeout=2, retries=0)
        incident = _new_incident(client)
        state["garbage"] = wrong_shape
        outbox = Outbox(tmp_path / "outbox.sqlite3", client, backoff_initial=0.05, backoff_max=0.2)
        errors: list[str] = []
        outbox.add_listener(lambda item: errors.append(item.last_error or ""))
        outbox.start()
        try:
            row = outbox.enqueue_task(_task_payload(incident, "核实现场"))
            assert outbox.wait_idle(20)
            item = outbox.get(row)
            assert item.state == OutboxState.SENT and item.attempts == 5
            assert any("平台返回格式错误: task" in e for e in errors)  # each failure was said, naming the task
            assert outbox._thread is not None and outbox._thread.is_alive()
        finally:
            outbox.stop()
            client.close()
    mine = [t for t in demo.store.tasks() if t.incident_id == incident.id and t.instructions == "核实现场"]
    assert len(mine) == 1 and item.result_model().id == mine[0].id  # exactly once


READABLE = "2026-12-05T08:00:00+00:00"


@pytest.mark.parametrize(("kind", "payload", "created_at"), [
    ("task", "{not json", "x"),  # a row this version cannot read at all
    ("note", '{"incident_id": "INC-0001"}', READABLE),  # readable, its payload cannot be sent: no text
    ("transition", '{"incident_id": "INC-0001", "action": "accept", "version": "five"}', READABLE),
    ("transition", '{"incident_id": "INC-0001", "action": "accept", "version": true}', READABLE),
    ("attachment", '{"incident_id": "INC-0001", "name": "a.jpg"}', READABLE),  # no kept file named
    ("task", "[1, 2, 3]", READABLE),
])
def test_a_row_of_another_version_is_failed_at_once_and_the_actions_after_it_are_sent(
    tmp_path: Path, client: PlatformClient, kind: str, payload: str, created_at: str
) -> None:
    """A row written by another version of the client (unreadable, or a field renamed, a type changed) is failed
    with the reason and never sent; it must not stay pending, retried for ever, before every later action."""
    path = tmp_path / "outbox.sqlite3"
    Outbox(path, client).stop()  # creates the schema
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO outbox (kind, payload, idempotency_key, created_at) VALUES (?, ?, 'k1', ?)",
                   (kind, payload, created_at))
    outbox = Outbox(path, client, backoff_initial=0.05, backoff_max=0.2).start()
    try:
        row = outbox.enqueue_task(_task_payload(_new_incident(client)))
        assert outbox.wait_idle(10)
        assert outbox.get(row).state == OutboxState.SENT
        with sqlite3.connect(path) as db:
            state, error, attempts = db.execute(
                "SELECT state, last_error, attempts FROM outbox WHERE idempotency_key = 'k1'").fetchone()
        assert state == "failed" and "无法读取的记录" in error and attempts == 0
        assert outbox._thread is not None and outbox._thread.is_alive()
    finally:
        outbox.stop()


def test_what_is_pending_is_kept_in_memory_with_the_workers_errors_and_read_again_after_a_restart(
        tmp_path: Path) -> None:
    """The desk asks every second what is still unsent (the incident's 待发送 lines, the status bar's count):
    answered from memory, in order, with what the worker last recorded on each row; a restart reads it again."""
    from tests.unit.test_video_mjpeg import free_port

    down = PlatformClient(f"http://127.0.0.1:{free_port()}", "duty", "duty", timeout=1, retries=0)
    path = tmp_path / "outbox.sqlite3"
    outbox = Outbox(path, down, backoff_initial=0.05, backoff_max=0.2).start()
    incident = {"incident_id": "INC-1", "unit_id": "U-1", "department": "城管", "priority": 2}
    try:
        first = outbox.enqueue_task({**incident, "instructions": "一"})
        second = outbox.enqueue_task({**incident, "instructions": "二"})
        outbox.enqueue_note("INC-1", "现场已封控")
        assert wait_until(lambda: outbox.get(first).attempts >= 2, 10)
        assert outbox.pending_count() == 3
        assert [item.id for item in outbox.pending("task")] == [first, second]
        assert [item.payload["instructions"] for item in outbox.pending("task")] == ["一", "二"]
        assert wait_until(lambda: outbox.pending("task")[0].attempts >= 3, 10)  # updated as the worker goes
        assert "平台拒绝连接" in (outbox.pending("task")[0].last_error or "")
    finally:
        outbox.stop()
    reopened = Outbox(path, down)  # after a restart, what is pending is read from the database once
    try:
        assert [item.id for item in reopened.pending("task")] == [first, second] and reopened.pending_count() == 3
    finally:
        reopened.stop()
        down.close()


def test_the_pending_rows_in_memory_follow_sends_refusals_and_retries(tmp_path: Path, client: PlatformClient) -> None:
    incident = _new_incident(client)
    outbox = Outbox(tmp_path / "outbox.sqlite3", client, backoff_initial=0.05)
    bad = outbox.enqueue_task({**_task_payload(incident), "priority": 9})  # the platform refuses it
    good = outbox.enqueue_task(_task_payload(incident))
    assert [i.id for i in outbox.pending()] == [bad, good] == [i.id for i in outbox.items(OutboxState.PENDING)]
    outbox.start()
    try:
        assert outbox.wait_idle(10)
        assert outbox.pending() == [] and outbox.pending_count() == 0
        assert outbox.retry(bad)
        assert [i.id for i in outbox.pending("task")] == [bad] and outbox.pending("note") == []
        assert wait_until(lambda: outbox.pending_count() == 0, 10)
        assert outbox.get(bad).state == OutboxState.FAILED
    finally:
        outbox.stop()
    reopened = Outbox(tmp_path / "outbox.sqlite3", client)  # a restart reads what is pending from the database
    try:
        assert reopened.pending() == []
    finally:
        reopened.stop()


def test_a_row_the_platform_keeps_failing_holds_back_only_its_own_incidents_rows(
    tmp_path: Path, demo: DemoBackend
) -> None:
    """The platform answers 500 to every note on one incident (a bug of its own with that record): the 受理 and
    the dispatch queued after it for another incident go out at once — they waited behind the failing note for
    as long as it failed. The failing incident's own later rows still wait behind its note (their order is kept),
    and everything goes once the platform gets over it."""
    app, state = gated_proxy(demo.base_url)
    with LocalServer(app) as proxy:
        client = PlatformClient(proxy.base_url, "duty", "duty", timeout=2, retries=0)
        first, second = [i for i in client.incidents()[0] if i.status == IncidentStatus.NEW][:2]
        state["broken"].add(f"/api/v1/incidents/{first.id}/notes")
        outbox = Outbox(tmp_path / "outbox.sqlite3", client, backoff_initial=0.3, backoff_max=2.0)
        outbox.start()
        try:
            note = outbox.enqueue_note(first.id, "现场积水已没过膝盖")
            after_note = outbox.enqueue_transition(first.id, "accept", first.version)
            accept = outbox.enqueue_transition(second.id, "accept", second.version)
            task = outbox.enqueue_task(_task_payload(second, "立即抽排"))
            assert wait_until(lambda: outbox.get(task).state == OutboxState.SENT, 10), outbox.get(task)
            assert outbox.get(accept).state == OutboxState.SENT
            assert outbox.get(note).state == OutboxState.PENDING and outbox.get(note).attempts >= 1
            assert outbox.get(after_note).state == OutboxState.PENDING and outbox.get(after_note).attempts == 0, (
                "a row of the failing incident went before the row it was queued after")
            state["broken"].clear()  # the platform gets over it
            assert outbox.wait_idle(15)
            assert outbox.get(note).state == OutboxState.SENT and outbox.get(after_note).state == OutboxState.SENT
        finally:
            outbox.stop()
            client.close()
    notes = [e for e in demo.store.timeline(first.id) if e.text == "现场积水已没过膝盖"]
    assert len(notes) == 1, "sent once"


def test_a_platform_failing_every_row_is_not_hammered_row_after_row(tmp_path: Path, demo: DemoBackend) -> None:
    """When every row gets a 500 (the platform itself fails), the whole queue backs off: holding each incident on
    its own would send one request per incident per round."""
    app, state = gated_proxy(demo.base_url)
    with LocalServer(app) as proxy:
        client = PlatformClient(proxy.base_url, "duty", "duty", timeout=2, retries=0)
        incidents = [i for i in client.incidents()[0] if i.status == IncidentStatus.NEW][:6]
        for incident in incidents:
            state["broken"].add(f"/api/v1/incidents/{incident.id}/notes")
        outbox = Outbox(tmp_path / "outbox.sqlite3", client, backoff_initial=0.5, backoff_max=4.0)
        for incident in incidents:
            outbox.enqueue_note(incident.id, "巡查")
        before = len(state["requests"])
        outbox.start()
        try:
            time.sleep(3.0)
            sent = state["requests"][before:]
            tries = sum(1 for method, path in sent if method == "POST" and path.endswith("/notes"))
        finally:
            outbox.stop()
            client.close()
    # backing off as one queue: 0.5 + 1 + 2 s → about 4 tries in 3 s (6 rows held one by one: 6 at once, then more)
    assert 2 <= tries <= 5, f"{tries} note requests in 3 s"


def test_a_dispatch_that_outwaits_its_time_limit_is_sent_with_the_limit_counted_from_now(
    tmp_path: Path, client: PlatformClient, demo: DemoBackend
) -> None:
    """The officer gave a task a time limit (督办) and the platform was unreachable for longer: when it came back it
    refused the task (422 deadline_in_past) and the dispatch was lost, the officer told in the platform's English.
    It is sent again under its Idempotency-Key — the refusal means no task was made for it — with the limit he
    gave counted from now (at least a minute), and made once."""
    from datetime import timedelta

    from commandwall import localtime
    from commandwall.backend.outbox import MIN_DEADLINE_WINDOW

    incident = _new_incident(client)
    outbox = Outbox(tmp_path / "outbox.sqlite3", client, backoff_initial=0.05)
    queued_deadline = localtime.now() + timedelta(seconds=2)
    row = outbox.enqueue_task({**_task_payload(incident, "转移低洼地带群众"), "deadline": queued_deadline.isoformat()})
    time.sleep(2.5)  # the desk could not reach the platform meanwhile: the row was never sent
    sent_from = localtime.now()
    outbox.start()
    try:
        assert outbox.wait_idle(10)
        item = outbox.get(row)
        assert item.state == OutboxState.SENT, item
    finally:
        outbox.stop()
    made = [t for t in demo.store.tasks() if t.incident_id == incident.id and t.instructions == "转移低洼地带群众"]
    assert len(made) == 1 and item.result_model().id == made[0].id
    assert made[0].deadline >= sent_from + MIN_DEADLINE_WINDOW - timedelta(seconds=1), (made[0].deadline, sent_from)


def test_the_timeline_keeps_when_the_officer_acted_beside_when_it_arrived(
    tmp_path: Path, client: PlatformClient, demo: DemoBackend
) -> None:
    """An action that waited out an outage in the outbox reached the platform later: the timeline (the incident's
    audit trail) said it was made then. The desk says when the officer acted (X-Requested-At), the platform keeps it
    beside its own time, and the detail's line names both once they lie a minute apart."""
    from datetime import timedelta

    from commandwall.app.incidents import IncidentsController

    incident = _new_incident(client)
    db = tmp_path / "outbox.sqlite3"
    outbox = Outbox(db, client, backoff_initial=0.05)
    row = outbox.enqueue_note(incident.id, "水位上涨，已疏散沿河住户")
    with sqlite3.connect(db) as conn:  # queued ten minutes ago, the platform unreachable since
        acted = datetime.fromisoformat(conn.execute("SELECT created_at FROM outbox WHERE id = ?", (row,)).fetchone()[0])
        earlier = (acted - timedelta(minutes=10)).isoformat()
        conn.execute("UPDATE outbox SET created_at = ? WHERE id = ?", (earlier, row))
    conn.close()
    outbox.start()
    try:
        assert outbox.wait_idle(10)
        entry = outbox.get(row).result_model()
    finally:
        outbox.stop()
    [kept] = [e for e in demo.store.timeline(incident.id) if e.text == "水位上涨，已疏散沿河住户"]
    assert kept.requested_at is not None and entry.requested_at == kept.requested_at
    assert timedelta(minutes=9) < kept.at - kept.requested_at < timedelta(minutes=11)
    line = IncidentsController.describe_entry(kept)
    assert "操作，离线排队后送达" in line, line
    fresh = kept.model_copy(update={"requested_at": kept.at - timedelta(seconds=3)})
    assert "离线排队" not in IncidentsController.describe_entry(fresh), "a few seconds are the clocks, not an outage"


def test_refused_and_overtaken_rows_keep_their_code_and_stay_listed_across_a_restart_until_dismissed(
    tmp_path: Path, client: PlatformClient
) -> None:
    """The platform's machine code and HTTP status of a refusal are kept with the row (the officer reads the
    refusal in his language by its code), and the rows it did not take are listed from the database after a
    restart, until retried or dismissed; dismissing keeps the row and changes nothing that is sent."""
    incident = _new_incident(client)
    path = tmp_path / "outbox.sqlite3"
    outbox = Outbox(path, client, backoff_initial=0.05)
    ok = outbox.enqueue_transition(incident.id, "accept", incident.version, "受理")
    stale = outbox.enqueue_transition(incident.id, "resolve", incident.version, "办结")  # same old version
    refused = outbox.enqueue_transition(incident.id, "close", incident.version + 1)  # accepted -> close: no
    bad_task = outbox.enqueue_task({**_task_payload(incident), "priority": 9})
    outbox.start()
    try:
        assert outbox.wait_idle(10)
        assert outbox.get(ok).state == OutboxState.SENT
        conflict, failed, invalid = outbox.get(stale), outbox.get(refused), outbox.get(bad_task)
        assert (conflict.error_code, conflict.error_status) == ("stale_version", 409)
        assert (failed.error_code, failed.error_status) == ("forbidden_for_role", 403)  # duty may not close
        assert (invalid.error_code, invalid.error_status) == ("validation_error", 422)
        assert [i.id for i in outbox.undelivered()] == [stale, refused, bad_task] == \
            [i.id for i in outbox.undelivered(incident.id)]
        assert outbox.undelivered("INC-OTHER") == [] and outbox.undelivered_count() == 3
    finally:
        outbox.stop()

    reopened = Outbox(path, client, backoff_initial=0.05)  # a restart: read from the database
    try:
        assert [i.id for i in reopened.undelivered()] == [stale, refused, bad_task]
        assert reopened.dismiss(refused) and not reopened.dismiss(refused) and not reopened.dismiss(ok)
        assert [i.id for i in reopened.undelivered()] == [stale, bad_task] and reopened.undelivered_count() == 2
        assert reopened.get(refused).state == OutboxState.FAILED and reopened.get(refused).dismissed  # kept
        reopened.start()
        assert reopened.retry(bad_task)  # tried again: listed no more while it waits, its old refusal cleared
        assert [i.id for i in reopened.undelivered()] == [stale]
        assert wait_until(lambda: reopened.get(bad_task).state == OutboxState.FAILED, 10)
        assert [i.id for i in reopened.undelivered()] == [stale, bad_task]  # refused again: listed again
        assert reopened.pending_count() == 0 and len(client.tasks(incident.id)) == 0
    finally:
        reopened.stop()
    again = Outbox(path, client)
    try:
        assert [i.id for i in again.undelivered()] == [stale, bad_task]  # the dismissal was kept
    finally:
        again.stop()


def test_an_outbox_file_of_an_earlier_version_gets_the_new_columns_and_lists_its_refused_rows(
    tmp_path: Path, client: PlatformClient
) -> None:
    """A file written before refusal codes and dismissals were kept opens with its rows (a refused one listed, with
    no code) and sends its pending rows as before."""
    incident = _new_incident(client)
    path = tmp_path / "outbox.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)  # the table as first made: none of the added columns
        db.execute("INSERT INTO outbox (kind, payload, idempotency_key, state, last_error, created_at) "
                   "VALUES ('note', ?, 'k-old', 'failed', 'incident is closed', '2025-01-01T00:00:00+00:00')",
                   (json.dumps({"incident_id": incident.id, "text": "旧备注"}),))
    outbox = Outbox(path, client, backoff_initial=0.05)
    try:
        [old] = outbox.undelivered()
        assert old.idempotency_key == "k-old" and (old.error_code, old.error_status, old.dismissed) == ("", None, False)
        row = outbox.enqueue_note(incident.id, "新备注")
        outbox.start()
        assert outbox.wait_idle(10) and outbox.get(row).state == OutboxState.SENT
        assert outbox.dismiss(old.id) and outbox.undelivered() == []
    finally:
        outbox.stop()


def test_a_queued_return_keeps_its_reason_and_a_queued_merge_its_survivor_on_the_platform(
    tmp_path: Path, demo: DemoBackend
) -> None:
    """A 退回 queued with its reason and a commander's 合并 queued with the incident it merges into reach the
    platform as queued: the reason is on the returned incident's timeline (a 退回 without it is refused), and the
    duplicate points at its survivor, whose timeline records the merge."""
    from commandwall.domain.models import TimelineKind

    commander = PlatformClient(demo.base_url, "commander", "commander", timeout=2, retries=0, desk_id="desk-C")
    try:
        returned, duplicate, survivor = [i for i in commander.incidents()[0] if i.status == IncidentStatus.NEW][:3]
        outbox = Outbox(tmp_path / "outbox.sqlite3", commander, backoff_initial=0.05)
        back = outbox.enqueue_transition(returned.id, "return", returned.version, "地址有误，需网格员复核")
        merge = outbox.enqueue_transition(
            duplicate.id, "merge", duplicate.version, "与先前上报的事件重复", into=survivor.id
        )
        outbox.start()
        try:
            assert outbox.wait_idle(10)
            assert outbox.get(back).state == OutboxState.SENT, outbox.get(back)
            assert outbox.get(merge).state == OutboxState.SENT, outbox.get(merge)
        finally:
            outbox.stop()

        [step] = [e for e in commander.timeline(returned.id) if e.kind is TimelineKind.TRANSITION]
        assert (step.action, step.to_status, step.text) == ("return", IncidentStatus.RETURNED, "地址有误，需网格员复核")
        assert (step.actor, step.desk) == ("commander", "desk-C")

        merged = commander.incident(duplicate.id)
        assert merged.status == IncidentStatus.MERGED and merged.merged_into == survivor.id
        [moved] = [e for e in commander.timeline(duplicate.id) if e.kind is TimelineKind.TRANSITION]
        assert (moved.action, moved.ref, moved.text) == ("merge", survivor.id, "与先前上报的事件重复")
        [kept] = [e for e in commander.timeline(survivor.id) if e.kind is TimelineKind.MERGED]
        assert (kept.ref, kept.text) == (duplicate.id, "与先前上报的事件重复")
        assert commander.incident(survivor.id).status == IncidentStatus.NEW  # the survivor itself did not move
    finally:
        commander.close()


def test_a_login_refused_mid_queue_leaves_the_rows_pending_and_they_go_once_it_is_accepted_again(
    tmp_path: Path, demo: DemoBackend
) -> None:
    """The officer's password was changed on the platform while the desk ran (its token expired too): the rows
    queued after it are refused at the login, not by the platform's rules — they wait (a refused login is the
    desk's to settle, the session asks the officer), and are sent once each when the login is accepted again."""
    import hashlib
    import secrets

    from commandwall.domain.models import TimelineKind

    client = PlatformClient(demo.base_url, "duty", "duty", timeout=2, retries=0)
    incident = _new_incident(client)
    outbox = Outbox(tmp_path / "outbox.sqlite3", client, backoff_initial=0.05, backoff_max=0.2).start()
    try:
        first = outbox.enqueue_note(incident.id, "已到达现场")
        assert outbox.wait_idle(10) and outbox.get(first).state == OutboxState.SENT
        with demo.store.db.transaction() as tx:
            salt, pw_hash = tx.one("SELECT salt, pw_hash FROM users WHERE username = 'duty'")
            new_salt = secrets.token_bytes(16)
            tx.execute(
                "UPDATE users SET salt = ?, pw_hash = ? WHERE username = 'duty'",
                (new_salt, hashlib.pbkdf2_hmac("sha256", b"N3w-pass", new_salt, 20_000)),
            )
            tx.execute("UPDATE tokens SET expires_at = 0")
        note = outbox.enqueue_note(incident.id, "现场已拉警戒线")
        accept = outbox.enqueue_transition(incident.id, "accept", incident.version, "受理")
        assert wait_until(lambda: outbox.get(note).attempts >= 3, 10), outbox.get(note)
        assert client.login_refused
        assert outbox.get(note).state == OutboxState.PENDING and outbox.get(note).last_error, outbox.get(note)
        assert outbox.get(accept).state == OutboxState.PENDING  # behind the note of its incident
        assert outbox.pending_count() == 2

        with demo.store.db.transaction() as tx:  # the platform takes the password again
            tx.execute("UPDATE users SET salt = ?, pw_hash = ? WHERE username = 'duty'", (salt, pw_hash))
        client.login()
        outbox.retry_soon()
        assert outbox.wait_idle(10)
        assert outbox.get(note).state == OutboxState.SENT and outbox.get(accept).state == OutboxState.SENT
    finally:
        outbox.stop()
        client.close()
    timeline = demo.store.timeline(incident.id)
    assert [e.text for e in timeline if e.kind is TimelineKind.NOTE] == ["已到达现场", "现场已拉警戒线"]
    assert demo.store.incident(incident.id).status == IncidentStatus.ACCEPTED


@pytest.mark.parametrize("timeline_answer", [403, 500])
def test_a_resend_answered_409_whose_timeline_is_refused_is_a_conflict_and_one_unreachable_waits(
    tmp_path: Path, demo: DemoBackend, timeline_answer: int
) -> None:
    """A resend of a 受理 (its first answer lost) gets 409: the timeline says whether the step was this desk's.
    Refused (403: the platform will not say, asking again changes nothing) the row is a conflict the officer
    settles, not taken as sent; failing (500: the platform cannot say now) the row waits and is asked again."""
    app, state = gated_proxy(demo.base_url)
    with LocalServer(app) as proxy:
        # no desk id: the pass-through does not forward X-Desk-Id, the timeline records none either way
        client = PlatformClient(proxy.base_url, "duty", "duty", timeout=2, retries=0)
        incident = _new_incident(client)
        db = tmp_path / "outbox.sqlite3"
        first = Outbox(db, client)
        row = first.enqueue_transition(incident.id, "accept", incident.version, "受理")
        first.stop()
        with sqlite3.connect(db) as conn:  # a send was started (attempts counted first) and its answer never came
            conn.execute("UPDATE outbox SET attempts = 1 WHERE id = ?", (row,))
        conn.close()
        client.transition(incident.id, "accept", incident.version, "受理")  # the lost send had gone through
        timeline_path = f"/api/v1/incidents/{incident.id}/timeline"

        def refuse_timeline(method: str, path: str) -> Response | None:
            if (method, path) != ("GET", timeline_path):
                return None
            body = '{"error": "forbidden", "message": "timeline not for this desk"}'
            return Response(body, status=timeline_answer, content_type="application/json")

        state["garbage"] = refuse_timeline
        outbox = Outbox(db, client, backoff_initial=0.05, backoff_max=0.2).start()
        try:
            if timeline_answer == 403:
                assert outbox.wait_idle(10)
                item = outbox.get(row)
                assert item.state == OutboxState.CONFLICT, item
                assert item.result_model().status == IncidentStatus.ACCEPTED
            else:
                assert wait_until(lambda: requests_to(state, timeline_path) >= 2, 10)  # asked again, and again
                item = outbox.get(row)
                assert item.state == OutboxState.PENDING, item
                state["garbage"] = None  # the platform can say again: the step was this desk's
                assert outbox.wait_idle(10)
                assert outbox.get(row).state == OutboxState.SENT, outbox.get(row)
        finally:
            outbox.stop()
            client.close()
    assert demo.store.incident(incident.id).version == incident.version + 1  # one 受理, made once


def test_a_first_send_answered_409_is_a_conflict_without_asking_the_timeline(tmp_path: Path, demo: DemoBackend) -> None:
    """A row never sent before (attempts 0) that gets 409 cannot have made the step: whoever made it — even this
    officer at this desk with the same words, from the incident's window meanwhile — it is a conflict, told to the
    officer, and the timeline is not asked."""
    app, state = gated_proxy(demo.base_url)
    with LocalServer(app) as proxy:
        client = PlatformClient(proxy.base_url, "duty", "duty", timeout=2, retries=0)  # desk: see above
        incident = _new_incident(client)
        outbox = Outbox(tmp_path / "outbox.sqlite3", client, backoff_initial=0.05)
        row = outbox.enqueue_transition(incident.id, "accept", incident.version, "受理")
        client.transition(incident.id, "accept", incident.version, "受理")  # the same step, made after queueing
        timeline_path = f"/api/v1/incidents/{incident.id}/timeline"
        outbox.start()
        try:
            assert outbox.wait_idle(10)
            item = outbox.get(row)
            assert item.state == OutboxState.CONFLICT and item.attempts == 1, item
            assert item.result_model().status == IncidentStatus.ACCEPTED
            assert requests_to(state, timeline_path) == 0
        finally:
            outbox.stop()
            client.close()
