"""The outbox's local files when they hold what the desk never writes — a row nested past what can be read, a named
pipe where a kept attachment should be, another user's outbox that is no outbox — over real SQLite and the real
exercise backend: the row is failed and the others are sent, nothing waits for ever, nobody's login is held."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from commandwall.app.outboxes import waiting_elsewhere
from commandwall.backend.api import PlatformClient
from commandwall.backend.outbox import ATTACHMENT_LOST, PLATFORM_WENT_BACK, UNREADABLE_ROW, Outbox, OutboxState
from commandwall.demo import DemoBackend
from commandwall.domain.models import IncidentStatus, TimelineKind
from commandwall.localdb import NotARegularDatabaseError, Trouble, check_regular, trouble

#: JSON nested deeper than the interpreter's recursion can follow (``json.loads`` raises RecursionError).
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture()
def client(demo: DemoBackend) -> Iterator[PlatformClient]:
    c = PlatformClient(demo.base_url, "duty", "duty", timeout=5, retries=0)
    yield c
    c.close()


def _incident_id(client: PlatformClient) -> str:
    return next(i for i in client.incidents()[0] if i.status == IncidentStatus.NEW).id


def _insert(path: Path, kind: str, payload: str, key: str) -> None:
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO outbox (kind, payload, idempotency_key, created_at) VALUES (?, ?, ?, ?)",
                   (kind, payload, key, datetime.now(UTC).isoformat()))


@pytest.mark.timeout(60)
def test_a_row_nested_too_deep_is_failed_and_the_note_queued_after_it_is_sent(tmp_path: Path,
                                                                             client: PlatformClient) -> None:
    """A pending row whose payload is JSON nested 100 000 deep (damaged, or put there): reading it raised
    RecursionError, which nothing caught — the outbox could not be opened, every login failed with 内部错误 for
    ever and the valid note behind it was never sent. Now the row is failed as unreadable and the note goes."""
    path = tmp_path / "outbox.sqlite3"
    Outbox(path, client).stop()  # the tables
    incident = _incident_id(client)
    _insert(path, "note", DEEP, "k-deep")
    _insert(path, "note", f'{{"incident_id": "{incident}", "text": "深层记录之后的备注"}}', "k-valid")
    outbox = Outbox(path, client, backoff_initial=0.05, backoff_max=0.2)
    assert [item.idempotency_key for item in outbox.pending()] == ["k-valid"]  # the other cannot be read
    outbox.start()
    try:
        assert outbox.wait_idle(20), outbox.pending()
        with closing(sqlite3.connect(path)) as db:
            states = dict(db.execute("SELECT idempotency_key, state || ' ' || error_code FROM outbox").fetchall())
        assert states == {"k-deep": f"failed {UNREADABLE_ROW}", "k-valid": "sent "}
        assert any(e.text == "深层记录之后的备注" for e in client.timeline(incident))
        assert outbox._thread is not None and outbox._thread.is_alive()
    finally:
        outbox.stop()


@pytest.mark.timeout(60)
def test_an_attachment_held_when_the_platform_went_back_keeps_its_file_across_a_restart_until_sent_or_dismissed(
        tmp_path: Path, client: PlatformClient) -> None:
    """An attachment held because the platform's data went back (listed under 未送达的操作 for 重试) lost its kept
    copy at the next start — only pending rows' files were kept —, so 重试 after a restart could only fail with
    附件文件已丢失. Its file now stays until it is sent again, or dismissed (then it goes)."""
    incident = _incident_id(client)
    path = tmp_path / "outbox.sqlite3"
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(os.urandom(50_000))
    outbox = Outbox(path, client, may_send=lambda: False)  # nothing is sent before the hold
    sent_again = outbox.enqueue_attachment(incident, photo)
    dismissed = outbox.enqueue_attachment(incident, photo, name="另一张.jpg")
    assert outbox.hold_pending("held: the platform's data went back (test)") == 2
    assert {item.error_code for item in outbox.undelivered()} == {PLATFORM_WENT_BACK}
    outbox.stop()

    outbox = Outbox(path, client, backoff_initial=0.05, backoff_max=0.2).start()  # the desk is restarted
    try:
        kept = {row: outbox.files_dir / outbox.get(row).payload["file"] for row in (sent_again, dismissed)}
        assert all(file.is_file() for file in kept.values()), sorted(p.name for p in outbox.files_dir.iterdir())
        assert outbox.dismiss(dismissed) and not kept[dismissed].exists()
        assert outbox.retry(sent_again) and outbox.wait_idle(20)
        assert outbox.get(sent_again).state is OutboxState.SENT and not kept[sent_again].exists()
        attached = [e for e in client.timeline(incident) if e.kind is TimelineKind.ATTACHMENT]
        assert [e.text for e in attached] == ["现场.jpg"], attached
    finally:
        outbox.stop()


@pytest.mark.timeout(60)
def test_a_named_pipe_in_place_of_a_kept_file_fails_its_row_and_the_rest_are_sent(tmp_path: Path,
                                                                                 client: PlatformClient) -> None:
    """The worker opened a pending attachment's kept file whatever it was: a named pipe there held it for ever —
    every later action unsent, ``stop()`` giving up on it. Now that row fails as its file lost, unopened, and the
    note queued after it is sent."""
    incident = _incident_id(client)
    path = tmp_path / "outbox.sqlite3"
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"x" * 100)
    outbox = Outbox(path, client, may_send=lambda: False)
    row = outbox.enqueue_attachment(incident, photo)
    kept = outbox.files_dir / outbox.get(row).payload["file"]
    kept.unlink()
    os.mkfifo(kept)
    note = outbox.enqueue_note(incident, "管道之后的备注")
    outbox.stop()

    outbox = Outbox(path, client, backoff_initial=0.05, backoff_max=0.2).start()
    try:
        assert outbox.wait_idle(20), outbox.pending()
        failed = outbox.get(row)
        assert failed.state is OutboxState.FAILED and failed.error_code == ATTACHMENT_LOST
        assert outbox.get(note).state is OutboxState.SENT
    finally:
        started = time.monotonic()
        outbox.stop(timeout=5)
        assert time.monotonic() - started < 5 and not outbox._thread.is_alive()


def _other_outbox(data: Path, name: str = "outbox-exercise-00000000.sqlite3") -> Path:
    path = data / name
    outbox = Outbox(path, PlatformClient("http://127.0.0.1:9", "commander", "commander"))
    outbox.enqueue_note("INC-000001", "指挥长排队的备注")
    outbox.stop()
    return path


@pytest.mark.timeout(60)
def test_other_outbox_files_that_cannot_be_read_are_listed_as_such_and_never_wait(tmp_path: Path) -> None:
    """The desk reads its other outbox files at each login to say what waits in them. A row nested too deep raised
    RecursionError (not caught: the login failed for ever), a named pipe under such a name held the start-up
    thread in ``sqlite3.connect`` for ever (the desk green and empty). Now each such file is listed as
    unreadable, and the readable ones as before."""
    data = tmp_path / "data"
    data.mkdir()
    readable = _other_outbox(data, "outbox-exercise-11111111.sqlite3")
    deep = _other_outbox(data)
    _insert(deep, "note", DEEP, "k-deep")
    os.mkfifo(data / "outbox-exercise-22222222.sqlite3")
    (data / "outbox-exercise-33333333.sqlite3").mkdir()
    (data / "outbox-exercise-44444444.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\xde\xad" * 4000)
    (data / "outbox-exercise-55555555.sqlite3").write_bytes(b"")  # no outbox in it: nothing waits

    found: list = []
    reader = threading.Thread(target=lambda: found.extend(waiting_elsewhere(data, None)), daemon=True)
    reader.start()
    reader.join(20)
    assert not reader.is_alive(), "reading the other outboxes waits for ever"
    by_name = {w.path.name: w for w in found}
    assert set(by_name) == {"outbox-exercise-11111111.sqlite3", "outbox-exercise-00000000.sqlite3",
                            "outbox-exercise-22222222.sqlite3", "outbox-exercise-33333333.sqlite3",
                            "outbox-exercise-44444444.sqlite3"}
    assert [a.kind for a in by_name[readable.name].actions] == ["note"] and not by_name[readable.name].problem
    assert [(a.kind, a.incident_id) for a in by_name[deep.name].actions] == [("note", "INC-000001"), ("note", "")]
    assert by_name["outbox-exercise-22222222.sqlite3"].problem == "not_a_file"  # a named pipe
    assert by_name["outbox-exercise-33333333.sqlite3"].problem == "not_a_file"  # a folder
    assert by_name["outbox-exercise-44444444.sqlite3"].problem == "unreadable"
    pipe = by_name["outbox-exercise-22222222.sqlite3"]
    assert "无法读取" in pipe.notice("") and "不是普通文件" in pipe.lines()[0]


def test_what_a_local_database_failure_means(tmp_path: Path) -> None:
    """Locked (try again), the disk or folder (nothing to set aside), or the file itself (set it aside)."""
    path = tmp_path / "x.sqlite3"
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE t (a)")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError) as locked, closing(sqlite3.connect(path, timeout=0.1)) as db:
            db.execute("SELECT * FROM t")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert trouble(locked.value) is Trouble.LOCKED
    with pytest.raises(sqlite3.OperationalError) as shape, closing(sqlite3.connect(path)) as db:
        db.execute("CREATE INDEX i ON t (b)")
    assert trouble(shape.value) is Trouble.UNUSABLE
    (tmp_path / "folder").mkdir()
    with pytest.raises(sqlite3.OperationalError) as folder:
        sqlite3.connect(tmp_path / "folder").execute("SELECT 1")
    assert trouble(folder.value) is Trouble.STORAGE  # "unable to open": SQLite alone cannot tell; check_regular can
    with pytest.raises(NotARegularDatabaseError):
        check_regular(tmp_path / "folder")
    os.mkfifo(tmp_path / "x.sqlite3-wal")
    with pytest.raises(NotARegularDatabaseError, match=r"x\.sqlite3-wal"):
        check_regular(path)


@pytest.mark.timeout(120)
def test_an_officers_action_on_an_outbox_another_program_took_is_refused_at_once_not_after_the_lock_wait(
        tmp_path: Path, client: PlatformClient) -> None:
    """The outbox is in WAL mode: another program's exclusive transaction (a backup, the ``sqlite3`` shell) lets
    readers in and holds writers. Opening the outbox then is refused as held (the desk goes on without it and
    tries again); taken while the outbox is open, an officer's action (on the window's thread) waited the whole
    10 s lock wait with the window standing still — it is refused as held within a second now, and queues again
    once the file is free."""
    from commandwall.backend.outbox import WRITE_WAIT_S, OutboxWriteError
    from tests.holders import held_by_another_program

    path = tmp_path / "outbox.sqlite3"
    Outbox(path, client).stop()  # the tables, in WAL mode
    incident = _incident_id(client)
    with held_by_another_program(path, "keep"):
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            Outbox(path, client)
        assert time.monotonic() - started < 8, "the open waited the whole lock wait"
    outbox = Outbox(path, client)
    try:
        with held_by_another_program(path, "keep"):
            for act in (lambda: outbox.enqueue_note(incident, "占用时的备注"),
                        lambda: outbox.together().__enter__()):
                started = time.monotonic()
                with pytest.raises(OutboxWriteError) as refused:
                    act()
                took = time.monotonic() - started
                assert refused.value.held and took < WRITE_WAIT_S + 1.5, took
        assert outbox.enqueue_note(incident, "释放后的备注") > 0
        assert [item.payload["text"] for item in outbox.pending()] == ["释放后的备注"]
    finally:
        outbox.stop()
