"""The session against the real exercise backend when the desk's own files are not what it wrote: its outbox no
outbox (a table of another shape, a folder, a named pipe), held by another program, on a disk gone read-only, one
that can be neither used nor set aside; another user's outbox that cannot be read; a last known state that cannot be
read while the platform is down. Start-up never ends nor fails for ever on a local file, and never blames the
platform for one; an outbox that cannot be used keeps no platform data from the desk and is opened once it can be."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from commandwall.app import session as session_module
from commandwall.app.datafolder import not_stored
from commandwall.app.lastknown import last_known_path
from commandwall.app.outboxes import outbox_path
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientListener, ClientSession
from commandwall.backend import outbox as outbox_module
from commandwall.backend.api import PlatformClient
from commandwall.backend.outbox import Outbox, OutboxState, OutboxWriteError
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from tests.holders import held_by_another_program
from tests.mounts import remount, tmpfs

from .backend_support import wait_until

#: JSON nested deeper than the interpreter's recursion can follow (``json.loads`` raises RecursionError).
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture(scope="module")
def exercise(tmp_path_factory):
    """One exercise backend for the module, its simulator off."""
    backend = DemoBackend(db_path=tmp_path_factory.mktemp("exercise") / "exercise.sqlite3",
                          incident_rate_per_min=0, simulate=False).start()
    yield backend
    backend.stop()


class Heard:
    """What a session told its listener."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.failed: list[str] = []
        self.local: list[str] = []
        self.notices: list[str] = []
        self.outbox_problems: list[str] = []  # what was said of the user's outbox ("": usable again)

    def listener(self) -> ClientListener:
        listener = ClientListener(on_ready=self.ready.set, on_failed=self.failed.append,
                                  on_local_failed=self.local.append, on_notice=self.notices.append)
        listener.on_outbox_problem = self.outbox_problems.append
        return listener


def _session(data: Path, url: str, heard: Heard) -> ClientSession:
    s = ClientSession(Settings(data_dir=data, username="duty", request_timeout_s=2),
                      PlatformFactory.at_url(url, exercise=True), heard.listener())
    s.retry_initial_s, s.retry_max_s = 0.2, 0.5
    s.outbox_retry_initial_s, s.outbox_retry_max_s = 0.2, 0.5
    return s


def _queue_before(path: Path, url: str, text: str) -> str:
    """A note queued in the outbox at ``path`` by an earlier run, not yet sent; the incident it is for."""
    client = PlatformClient(url, "duty", "duty")
    try:
        incident = client.incidents()[0][0].id
        outbox = Outbox(path, client)
        outbox.enqueue_note(incident, text)
        outbox.stop()
    finally:
        client.close()
    return incident


def _sent_once(s: ClientSession, incident: str, text: str) -> None:
    """The note queued before is sent now, exactly once."""
    assert s.outbox is not None and s.outbox.wait_idle(20), s.outbox.pending() if s.outbox else None
    assert [e.text for e in s.client.timeline(incident)].count(text) == 1


def _duty_outbox(data: Path, url: str) -> Path:
    return outbox_path(data, url, True, "duty")


def _note_goes(s: ClientSession, text: str) -> None:
    incident = s.incidents.all()[0]
    row = s.add_note(incident.id, text)
    assert s.outbox.wait_idle(20), s.outbox.pending()
    assert s.outbox.get(row).state is OutboxState.SENT
    assert any(e.text == text for e in s.client.timeline(incident.id))


def _put(kind: str, path: Path) -> None:
    """Put what is no outbox at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "no-state-column":  # hand-altered, or another program's table of the same name
        with closing(sqlite3.connect(path)) as db, db:
            db.execute("CREATE TABLE outbox (id INTEGER PRIMARY KEY, kind TEXT, payload TEXT, idempotency_key TEXT, "
                       "created_at TEXT)")
            db.execute("INSERT INTO outbox (kind, payload, idempotency_key, created_at) VALUES ('note', '{}', 'k1', "
                       "'2026-12-06T00:00:00+00:00')")
    elif kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", ["no-state-column", "folder", "pipe"])
def test_an_own_outbox_that_is_no_outbox_is_set_aside_and_the_desk_starts(tmp_path: Path, exercise, kind) -> None:
    """A table without its ``state`` column, a folder or a named pipe under the outbox's name: the desk kept failing
    with 无法连接平台：内部错误: OperationalError for ever (or its start-up thread waited on the pipe for ever) —
    no incident, no action. Now it is set aside like a damaged file, the officer told, a new outbox begun."""
    data = tmp_path / "data"
    path = _duty_outbox(data, exercise.base_url)
    _put(kind, path)
    heard = Heard()
    s = _session(data, exercise.base_url, heard)
    s.start_in_background()
    try:
        assert heard.ready.wait(40), (heard.failed, heard.local)
        assert not heard.failed and not heard.local
        (aside,) = data.glob(path.name + ".broken-*")
        kept = {"folder": stat.S_ISDIR, "pipe": stat.S_ISFIFO, "no-state-column": stat.S_ISREG}[kind]
        assert kept(aside.lstat().st_mode), "what stood there is kept as it was"
        if kind == "no-state-column":  # still the database it was, its rows there to be checked by hand
            with closing(sqlite3.connect(aside)) as db:
                assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'outbox'").fetchone() == (1,)
        assert any(aside.name in notice and "人工核对" in notice for notice in heard.notices), heard.notices
        assert len(s.incidents) > 0
        _note_goes(s, f"发件箱（{kind}）另存后的备注")
    finally:
        s.stop()


@pytest.mark.timeout(120)
def test_a_row_nested_too_deep_in_the_own_outbox_is_failed_and_the_note_behind_it_sent(tmp_path: Path,
                                                                                      exercise) -> None:
    """A pending row nested 100 000 deep: 无法连接平台：内部错误: RecursionError for ever, the valid note behind it
    never sent. Now the desk starts, the row is failed as unreadable and the note goes."""
    data = tmp_path / "data"
    path = _duty_outbox(data, exercise.base_url)
    client = PlatformClient(exercise.base_url, "duty", "duty")
    incident = client.incidents()[0][0].id
    Outbox(path, client).stop()
    now = datetime.now(UTC).isoformat()
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO outbox (kind, payload, idempotency_key, created_at) VALUES ('note', ?, 'k-deep', ?)",
                   (DEEP, now))
        db.execute("INSERT INTO outbox (kind, payload, idempotency_key, created_at) VALUES ('note', ?, 'k-ok', ?)",
                   (f'{{"incident_id": "{incident}", "text": "深层记录后的有效备注"}}', now))
    heard = Heard()
    s = _session(data, exercise.base_url, heard)
    s.start_in_background()
    try:
        assert heard.ready.wait(40), (heard.failed, heard.local)
        assert s.outbox.wait_idle(20)
        with closing(sqlite3.connect(path)) as db:
            states = db.execute("SELECT idempotency_key, state FROM outbox ORDER BY id").fetchall()
        assert states == [("k-deep", "failed"), ("k-ok", "sent")]
        assert any(e.text == "深层记录后的有效备注" for e in client.timeline(incident))
    finally:
        s.stop()
        client.close()


@pytest.mark.timeout(120)
def test_an_outbox_that_can_be_neither_used_nor_set_aside_leaves_the_desk_working_and_says_actions_are_not_stored(
        tmp_path: Path, exercise, monkeypatch) -> None:
    """When the unusable file cannot be renamed either (a read-only folder), the desk still starts — live, its
    incidents shown — and says that no action can be queued; each action is refused as not stored, never a loop."""
    monkeypatch.setattr(session_module, "set_aside_database", lambda path, why="broken": None)
    data = tmp_path / "data"
    _put("pipe", _duty_outbox(data, exercise.base_url))
    heard = Heard()
    s = _session(data, exercise.base_url, heard)
    s.start_in_background()
    try:
        assert heard.ready.wait(40), (heard.failed, heard.local)
        assert not heard.failed and not heard.local
        assert s.outbox is None and len(s.incidents) > 0 and s.events is not None
        assert any("无法使用" in notice and "无法暂存" in notice for notice in heard.notices), heard.notices
        with pytest.raises(OutboxWriteError):
            s.add_note(s.incidents.all()[0].id, "无法暂存")
    finally:
        s.stop()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("journal", ["DELETE", "keep"])  # keep: the outbox's own WAL mode, open to readers
def test_an_outbox_another_program_holds_leaves_the_desk_live_and_is_opened_once_it_is_free(tmp_path: Path, exercise,
                                                                                          monkeypatch,
                                                                                          journal) -> None:
    """Another program (a backup, the sqlite3 shell) holds the outbox in an exclusive transaction: start-up failed and
    was tried again while the file was held — no incident, camera or unit shown, the platform reachable. Now the desk
    goes live at once, says no action can be queued while the file is held (each action refused saying so), keeps
    trying the file, and once it is free the note queued in it before is sent (once) and new actions queue again,
    without a new login."""
    monkeypatch.setattr(outbox_module, "LOCK_WAIT_S", 0.3)  # 10 s on the desk
    # (the notes name the journal mode: both runs share one exercise platform, whose incidents they note on)
    data = tmp_path / "data"
    path = _duty_outbox(data, exercise.base_url)
    incident = _queue_before(path, exercise.base_url, f"占用前暂存的备注（{journal}）")
    heard = Heard()
    s = _session(data, exercise.base_url, heard)
    try:
        with held_by_another_program(path, journal) as let_go:
            s.start_in_background()
            assert heard.ready.wait(40), (heard.failed, heard.local)
            assert not heard.failed and not heard.local, (heard.failed, heard.local)  # never 无法连接平台
            assert len(s.incidents) > 0 and len(s.cameras) > 0 and len(s.units) > 0 and s.events is not None
            assert s.outbox is None and s.outbox_problem is not None and s.outbox_problem.held
            said = heard.outbox_problems[-1]
            assert path.name in said and "占用" in said and "无法暂存" in said, heard.outbox_problems
            with pytest.raises(OutboxWriteError) as refused:
                s.add_note(incident, f"占用时的备注（{journal}）")
            assert refused.value.held and "占用" in not_stored("备注", refused.value)
            assert wait_until(lambda: s.events.state.value == "live", timeout=20)
            threading.Event().wait(1.5)  # several tries in the background, the file still held
            assert s.outbox is None
            let_go()
            assert wait_until(lambda: s.outbox is not None, timeout=30), heard.outbox_problems
        assert heard.outbox_problems[-1] == "" and s.outbox_problem is None
        assert any("已恢复" in notice for notice in heard.notices), heard.notices
        _sent_once(s, incident, f"占用前暂存的备注（{journal}）")
        _note_goes(s, f"发件箱释放后的备注（{journal}）")
        assert [e.text for e in s.client.timeline(incident)].count(f"占用时的备注（{journal}）") == 0  # refused
    finally:
        s.stop()


@pytest.mark.timeout(120)
def test_an_outbox_on_a_disk_gone_read_only_leaves_the_desk_live_and_is_opened_once_the_disk_is_mended(
        tmp_path: Path, exercise) -> None:
    """The data folder's disk went read-only (a real mount, remounted ``ro``): the outbox could be neither used nor
    set aside, the desk went on queuing nothing — and stayed so until the next login, the disk long mended. Now it
    tries the file in the background: once the disk is writable again the note queued before is sent (once) and new
    actions queue, without a login."""
    data = tmp_path / "data"
    with tmpfs(data, 16 << 20):
        path = _duty_outbox(data, exercise.base_url)
        incident = _queue_before(path, exercise.base_url, "磁盘只读前暂存的备注")
        heard = Heard()
        s = _session(data, exercise.base_url, heard)
        try:
            remount(data, read_only=True)
            try:
                s.start_in_background()
                assert heard.ready.wait(40), (heard.failed, heard.local)
                assert not heard.failed and not heard.local, (heard.failed, heard.local)
                assert len(s.incidents) > 0 and s.events is not None
                assert s.outbox is None and s.outbox_problem is not None and s.outbox_problem.read_only
                assert any(path.name in n and "只读" in n and "无法暂存" in n for n in heard.notices), heard.notices
                with pytest.raises(OutboxWriteError):
                    s.add_note(incident, "磁盘只读时的备注")
                threading.Event().wait(1.5)  # several tries in the background, the disk still read-only
                assert s.outbox is None
            finally:
                remount(data, read_only=False)
            assert wait_until(lambda: s.outbox is not None, timeout=30), heard.outbox_problems
            assert heard.outbox_problems[-1] == "" and any("已恢复" in n for n in heard.notices), heard.notices
            _sent_once(s, incident, "磁盘只读前暂存的备注")
            _note_goes(s, "磁盘恢复后的备注")
        finally:
            s.stop()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", ["deep-row", "pipe"])
def test_another_users_outbox_that_cannot_be_read_never_keeps_this_user_from_starting(tmp_path: Path, exercise,
                                                                                       kind) -> None:
    """Another user's outbox file holding a row nested 100 000 deep kept this user's every start failing with
    内部错误: RecursionError; a named pipe under such a name held the start-up thread in ``sqlite3.connect`` for
    ever (green 实时推送, no incident, no word). Now the desk starts; the pipe is listed as unreadable."""
    data = tmp_path / "data"
    other = data / "outbox-exercise-00000000.sqlite3"
    if kind == "pipe":
        _put("pipe", other)
    else:
        outbox = Outbox(other, PlatformClient(exercise.base_url, "commander", "commander"))
        outbox.stop()
        with closing(sqlite3.connect(other)) as db, db:
            db.execute("INSERT INTO outbox (kind, payload, idempotency_key, created_at) VALUES ('note', ?, 'k', ?)",
                       (DEEP, datetime.now(UTC).isoformat()))
    heard = Heard()
    s = _session(data, exercise.base_url, heard)
    s.start_in_background()
    try:
        assert heard.ready.wait(40), (heard.failed, heard.local)
        assert not heard.failed and not heard.local and len(s.incidents) > 0
        (waiting,) = s.waiting
        assert waiting.path == other
        if kind == "pipe":
            assert waiting.problem == "not_a_file" and any(other.name in n for n in heard.notices), heard.notices
        else:
            assert [a.kind for a in waiting.actions] == ["note"]
        _note_goes(s, f"他人发件箱（{kind}）无法读取时的备注")
    finally:
        s.stop()


@pytest.mark.timeout(150)
def test_a_desk_started_in_an_outage_with_an_unreadable_last_known_state_connects_when_the_platform_is_back(
        tmp_path: Path) -> None:
    """The platform is down at start and the last known state's roles are JSON nested 100 000 deep: reading them
    raised RecursionError inside start-up's retry loop, which ended it (an uncaught exception in session-start) —
    the desk never connected when the platform came back. Now the roles read as unknown and the desk connects."""
    db = tmp_path / "platform.sqlite3"
    backend = DemoBackend(db_path=db, seed=5, incident_rate_per_min=0, simulate=False).start()
    port, url = backend.port, backend.base_url
    backend.stop()
    data = tmp_path / "data"
    kept = last_known_path(data, url, True, "duty")
    kept.parent.mkdir(parents=True)
    with closing(sqlite3.connect(kept)) as lk, lk:
        lk.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        for table in ("incidents", "tasks", "units", "cameras"):
            lk.execute(f"CREATE TABLE {table} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")
        lk.executemany("INSERT INTO meta VALUES (?, ?)", [("saved_at", datetime.now(UTC).isoformat()),
                                                          ("roles", "[" * 100_000)])
    heard = Heard()
    s = _session(data, url, heard)
    s.start_in_background()
    try:
        assert wait_until(lambda: len(heard.failed) >= 2, timeout=40), heard.failed  # still trying
        assert s.user.offline and not s.user.roles_known
        backend = DemoBackend(db_path=db, port=port, seed=5, incident_rate_per_min=0, simulate=False).start()
        assert heard.ready.wait(60), heard.failed
        assert not s.user.offline and s.user.roles == ["duty_officer"]
    finally:
        s.stop()
        backend.stop()
