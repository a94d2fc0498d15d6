"""The incident controller's decisions per role (ActionRights from the domain's role table) against real
sessions on the exercise backend, notes and timelines through it, and notes through the outbox exactly once
across a restart (real SQLite, real HTTP)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from commandwall.app.deskid import desk_id
from commandwall.app.incidents import NOTE_EMPTY, NOTE_SENT, REASON_MISSING, ActionRights, IncidentsController
from commandwall.backend.api import PlatformClient
from commandwall.backend.outbox import Outbox, OutboxState
from commandwall.demo import DemoBackend
from commandwall.domain.models import Incident, IncidentStatus, TimelineEntry, TimelineKind
from tests.unit.test_app_controllers import started, wait_until

T0 = datetime(2026, 7, 14, 3, 0, tzinfo=UTC)


def incident(status: IncidentStatus) -> Incident:
    return Incident(id="INC-1", title="积水", category="yingji", lon=117.3, lat=34.8, status=status,
                    reported_at=T0, updated_at=T0, version=3)


def buttons(rights: ActionRights, status: IncidentStatus) -> dict[str, tuple[bool, str]]:
    return {c.action: (c.enabled, c.tooltip) for c in rights.choices(incident(status))}


def test_a_viewer_sees_every_button_disabled_with_the_reason() -> None:
    viewer = ActionRights(["viewer"])
    shown = buttons(viewer, IncidentStatus.NEW)
    assert set(shown) == {"accept", "return", "escalate", "merge"}  # dispatch has its own button
    assert all(not enabled and "观察员" in tip and "无权" in tip for enabled, tip in shown.values())
    assert "「受理」" in shown["accept"][1]
    assert not viewer.dispatch_choice(incident(IncidentStatus.NEW)).enabled
    assert "添加备注" in viewer.note_choice().tooltip and not viewer.note_choice().enabled


def test_a_duty_officer_handles_but_the_commander_closes_reopens_and_merges() -> None:
    duty, commander = ActionRights(["duty_officer"]), ActionRights(["commander"])
    assert buttons(duty, IncidentStatus.NEW)["accept"] == (True, "")
    assert buttons(duty, IncidentStatus.NEW)["return"] == (True, "退回原因写在备注栏")
    assert buttons(duty, IncidentStatus.NEW)["merge"][0] is False
    assert buttons(duty, IncidentStatus.RESOLVED) == {
        "close": (False, "当前角色（值班员）无权执行「结案」"),
        "reopen": (False, "当前角色（值班员）无权执行「重新打开」"),
    }
    as_commander = buttons(commander, IncidentStatus.RESOLVED)
    assert {a: e for a, (e, _) in as_commander.items()} == {"close": True, "reopen": True}
    assert buttons(duty, IncidentStatus.DISPATCHED)["start"] == (True, "")
    assert duty.dispatch_choice(incident(IncidentStatus.VERIFIED)).enabled
    closed = commander.dispatch_choice(incident(IncidentStatus.CLOSED))
    assert not closed.enabled and closed.tooltip == "事件已结案，不能派遣"
    assert commander.dispatch_choice(incident(IncidentStatus.RETURNED)).tooltip == "事件已退回，不能派遣"
    assert commander.dispatch_choice(incident(IncidentStatus.IN_PROGRESS)).enabled  # more units while handling
    assert buttons(commander, IncidentStatus.MERGED) == {}  # a merged duplicate is finished
    assert ActionRights(None).refusal("accept") == "未登录"


@pytest.fixture(scope="module")
def exercise(tmp_path_factory) -> Iterator[DemoBackend]:
    backend = DemoBackend(db_path=tmp_path_factory.mktemp("exercise") / "exercise.sqlite3",
                          incident_rate_per_min=0, simulate=False).start()
    yield backend
    backend.stop()


def test_the_controller_refuses_what_the_role_may_not_and_queues_the_rest(exercise, tmp_path) -> None:
    viewer, duty = started(exercise, tmp_path / "v", "viewer"), started(exercise, tmp_path / "d", "duty")
    try:
        as_viewer, as_duty = IncidentsController(viewer), IncidentsController(duty)
        target = next(i for i in duty.incidents.open() if i.status is IncidentStatus.NEW)
        assert as_viewer.transition(target.id, "accept", target.version) == "当前角色（观察员）无权执行「受理」"
        assert as_viewer.add_note(target.id, "看到了") == "当前角色（观察员）无权执行「添加备注」"
        assert as_duty.transition(target.id, "return", target.version, "  ") == REASON_MISSING
        assert as_duty.transition(target.id, "merge", target.version, into="INC-000001") == (
            "当前角色（值班员）无权执行「合并」")
        assert as_duty.add_note(target.id, "   ") == NOTE_EMPTY
        assert viewer.outbox is not None and viewer.outbox.items() == []
        assert duty.outbox is not None and duty.outbox.items() == []  # nothing refused was queued

        assert as_duty.add_note(target.id, "已电话联系报警人") == NOTE_SENT
        assert duty.outbox.wait_idle(10)
        got: list[tuple[str, list[TimelineEntry] | None, str]] = []
        as_viewer.fetch_timeline(target.id, lambda *answer: got.append(answer))
        assert wait_until(lambda: bool(got), 10)
        incident_id, entries, error = got[0]
        assert incident_id == target.id and error == "" and entries is not None
        note = entries[-1]
        assert (note.kind, note.text, note.actor) == (TimelineKind.NOTE, "已电话联系报警人", "duty")
        assert note.desk == desk_id(tmp_path / "d")  # the desk id header reached the platform
        assert note.desk != desk_id(tmp_path / "v")
        line = as_viewer.describe_entry(note)
        assert line.endswith("备注 · duty@" + note.desk + "：已电话联系报警人")
    finally:
        viewer.stop()
        duty.stop()


def desk_id_in_another_process(data_dir: str, hostname: str, cwd: Path) -> str:
    """``desk_id`` as another start of the app computes it (its own interpreter and string hash seed)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    code = "import sys; from commandwall.app.deskid import desk_id; print(desk_id(sys.argv[1], sys.argv[2]))"
    done = subprocess.run([sys.executable, "-c", code, data_dir, hostname], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_the_desk_id_is_header_safe_and_stable(tmp_path: Path) -> None:
    here = desk_id(tmp_path, "值班台-1")
    assert desk_id_in_another_process(str(tmp_path), "值班台-1", Path.cwd()) == here  # the next start
    assert desk_id_in_another_process(".", "值班台-1", tmp_path) == here  # the same folder, named another way
    (tmp_path / "other").mkdir()
    assert desk_id_in_another_process(str(tmp_path / "other"), "值班台-1", Path.cwd()) != here
    assert desk_id(tmp_path, "值班台-1").startswith("1-")
    assert desk_id(tmp_path, "指挥中心").startswith("desk-")
    assert desk_id(tmp_path / "a", "pc") != desk_id(tmp_path / "b", "pc")
    assert desk_id(tmp_path, "pc").isascii() and desk_id(tmp_path, "pc").isprintable()


def test_a_note_is_added_exactly_once_across_a_restart(tmp_path: Path, demo: DemoBackend) -> None:
    client = PlatformClient(demo.base_url, "duty", "duty", timeout=2, retries=0)
    try:
        target = next(i for i in client.incidents()[0] if i.status is IncidentStatus.NEW)
        db = tmp_path / "outbox.sqlite3"
        first = Outbox(db, client)  # never started: the app "crashed" before or after sending
        row = first.enqueue_note(target.id, "现场已拉警戒线")
        key = first.get(row).idempotency_key
        already = client.add_note(target.id, "现场已拉警戒线", key)  # the crashed run's POST had arrived
        first.stop()

        second = Outbox(db, client, backoff_initial=0.05).start()
        try:
            assert second.wait_idle(10)
            item = second.get(row)
            assert item.state is OutboxState.SENT and item.result_model() == already
        finally:
            second.stop()
        notes = [e for e in client.timeline(target.id) if e.kind is TimelineKind.NOTE]
        assert notes == [already]
    finally:
        client.close()


def test_an_outbox_file_from_before_notes_takes_notes_and_keeps_its_rows(tmp_path: Path, demo: DemoBackend) -> None:
    path = tmp_path / "outbox.sqlite3"
    with sqlite3.connect(path) as old:  # the table as earlier versions created it
        old.execute("CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL CHECK (kind IN "
                    "('task', 'transition')), payload TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, state "
                    "TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'conflict')), "
                    "attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, created_at TEXT NOT NULL, sent_at TEXT, "
                    "result TEXT)")
        old.execute("INSERT INTO outbox (kind, payload, idempotency_key, state, created_at) VALUES ('task', '{}', "
                    "'old-key', 'failed', '2026-01-01T00:00:00+00:00')")
    client = PlatformClient(demo.base_url, "duty", "duty", timeout=2, retries=0)
    outbox = Outbox(path, client)
    try:
        assert [i.idempotency_key for i in outbox.items()] == ["old-key"]
        row = outbox.enqueue_note("INC-000001", "升级后的第一条备注")
        assert outbox.get(row).kind == "note"
    finally:
        outbox.stop()
        client.close()
