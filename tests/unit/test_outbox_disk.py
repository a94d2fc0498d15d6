"""A data folder whose disk is full (a small tmpfs, real SQLite): an action the outbox cannot store is refused and
said so — never half queued, never lost in silence — and the desk warns of a full or unwritable data folder at
start. The incident controller's answers against real sessions on the exercise backend."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from commandwall.app.datafolder import data_folder_problem
from commandwall.app.dispatch import DispatchOrder
from commandwall.app.incidents import DISPATCH_SENT, NOTE_SENT, IncidentsController, NotStored, PendingSteps
from commandwall.backend.api import PlatformClient
from commandwall.backend.outbox import Outbox, OutboxItem, OutboxWriteError
from commandwall.domain.models import MAX_FREE_TEXT_CHARS, IncidentStatus
from tests.mounts import fill, tmpfs
from tests.unit.test_app_controllers import exercise, started, wait_until  # noqa: F401 - the module's exercise backend

#: A dispatch's instructions as long as the platform takes (each task's row is some kB).
LONG = "满" * MAX_FREE_TEXT_CHARS


@contextlib.contextmanager
def outbox_on(folder: Path) -> Iterator[Outbox]:
    """An outbox in ``folder`` with no platform to send to (its rows stay pending)."""
    client = PlatformClient("http://127.0.0.1:9", "duty", "duty", timeout=1)
    box = Outbox(folder / "outbox.sqlite3", client)
    try:
        yield box
    finally:
        box.stop()
        client.close()


def test_a_row_a_full_disk_cannot_take_is_refused_as_full_and_nothing_is_queued(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", 1 << 20) as folder, outbox_on(folder) as box:
        told: list[OutboxItem] = []
        box.add_listener(told.append)
        filler = fill(folder)
        with pytest.raises(OutboxWriteError) as refused:
            box.enqueue_note("INC-1", "现场积水已排除" * 200)
        assert refused.value.full and not refused.value.read_only
        assert box.pending_count() == 0 and told == []
        filler.unlink()  # room again: the next action is queued as ever
        row = box.enqueue_note("INC-1", "现场积水已排除")
        assert [item.id for item in box.pending()] == [row] and len(told) == 1


def test_rows_stored_together_are_all_or_none_on_a_disk_that_fills_midway(tmp_path: Path) -> None:
    """Ten tasks of one dispatch with room for one or two: none is stored (one by one, the first ones were, and
    the rest lost); with room, all ten are stored and told once stored."""
    with tmpfs(tmp_path / "small", 1 << 20) as folder, outbox_on(folder) as box:
        told: list[OutboxItem] = []
        box.add_listener(told.append)
        filler = fill(folder, leave=40 << 10)
        with pytest.raises(OutboxWriteError) as refused, box.together():
            for n in range(10):
                box.enqueue_task({"incident_id": "INC-1", "unit_id": f"U-{n}", "instructions": LONG})
        assert refused.value.full
        assert box.pending_count() == 0 and box.items() == [] and told == []
        with pytest.raises(ValueError), box.together():  # a refusal in the block undoes what it stored
            box.enqueue_task({"incident_id": "INC-1", "unit_id": "U-0", "instructions": "就近赶赴"})
            raise ValueError("refused")
        assert box.pending_count() == 0 and box.items() == [] and told == []
        filler.unlink()
        with box.together():
            for n in range(10):
                box.enqueue_task({"incident_id": "INC-1", "unit_id": f"U-{n}", "instructions": LONG})
            assert told == []  # not before they are stored
        assert box.pending_count() == 10 and [item.payload["unit_id"] for item in told] == [f"U-{n}" for n in range(10)]


def test_an_attachment_a_full_disk_cannot_keep_is_refused_as_full(tmp_path: Path) -> None:
    source = tmp_path / "现场照片.jpg"
    source.write_bytes(os.urandom(256 << 10))
    with tmpfs(tmp_path / "small", 1 << 20) as folder, outbox_on(folder) as box:
        fill(folder, leave=64 << 10)
        with pytest.raises(OutboxWriteError) as refused:
            box.enqueue_attachment("INC-1", source)
        assert refused.value.full and isinstance(refused.value.error, OSError)
        assert refused.value.error.errno == errno.ENOSPC
        assert box.pending_count() == 0


def test_the_incident_controller_refuses_what_a_full_disk_cannot_store_and_says_so(exercise, tmp_path) -> None:  # noqa: F811
    """受理, 备注 and a dispatch on a full data folder, then a dispatch to ten units with room for one or two of
    their tasks: each answers 未提交 … 磁盘已满, and nothing is queued (not the first tasks of the ten either);
    with room again they are queued as ever."""
    with tmpfs(tmp_path / "small", 4 << 20) as folder:
        session = started(exercise, folder / "data")
        controller = IncidentsController(session)
        try:
            incident = next(i for i in session.incidents.open() if i.status is IncidentStatus.NEW)
            units = [u.id for u in session.units.all()][:10]
            assert session.outbox.wait_idle(10) and len(units) == 10
            filler = fill(folder)
            said = controller.transition(incident.id, "accept", incident.version, "现场核实")
            assert isinstance(said, NotStored) and said.startswith("「受理」未提交") and "磁盘已满" in said, said
            said = controller.add_note(incident.id, "已电话联系报警人")
            assert isinstance(said, NotStored) and said.startswith("备注未提交") and "磁盘已满" in said, said
            said = controller.dispatch(
                DispatchOrder(incident.id, tuple(units[:1]), "公安", 2, "赶赴").payloads(datetime.now(UTC))[0]
            )
            assert isinstance(said, NotStored) and said.startswith("派遣任务未提交"), said
            photo = tmp_path / "现场照片.jpg"
            photo.write_bytes(os.urandom(64 << 10))
            answers: list[tuple[str, bool]] = []
            controller.attachments.attach(incident.id, photo, lambda text, queued: answers.append((text, queued)))
            assert wait_until(lambda: answers, 10)
            assert answers[0][0].startswith("附件未提交") and "磁盘已满" in answers[0][0] and not answers[0][1], answers
            assert session.outbox.pending_count() == 0 and session.outbox.items() == []
            filler.unlink()
            room = fill(folder, leave=40 << 10)  # room for a task or two of the ten
            said = controller.dispatch_order(DispatchOrder(incident.id, tuple(units), "公安", 2, LONG))
            assert isinstance(said, NotStored) and said.startswith("10 项派遣任务未提交") and "磁盘已满" in said, said
            assert session.outbox.pending_count() == 0 and session.outbox.items() == []
            room.unlink()
            assert (
                controller.dispatch_order(DispatchOrder(incident.id, tuple(units[:1]), "公安", 2, "赶赴现场"))
                == DISPATCH_SENT
            )
            assert controller.add_note(incident.id, "已电话联系报警人") == NOTE_SENT
        finally:
            controller.close()
            session.stop()


def test_a_queued_step_holds_the_incidents_next_steps_and_is_listed_until_sent(exercise, tmp_path) -> None:  # noqa: F811
    """The platform fails steps and notes: 受理 waits in the outbox, the incident's pending steps say so (and
    its note), and a second step is refused at once (it would quote the version the first moves on from, and
    come back as someone else's change) instead of being queued; once sent, nothing is pending or held."""
    from tests.unit.backend_support import LocalServer, gated_proxy

    app, state = gated_proxy(exercise.base_url)
    with LocalServer(app) as proxy:
        session = started(proxy, tmp_path / "data")
        controller = IncidentsController(session)
        try:
            incident = next(i for i in session.incidents.open() if i.status is IncidentStatus.NEW)
            other = next(i for i in session.incidents.open() if i.status is IncidentStatus.NEW and i.id != incident.id)
            assert controller.pending_steps(incident.id) == PendingSteps()
            state["broken"].update(
                {f"/api/v1/incidents/{incident.id}/transitions", f"/api/v1/incidents/{incident.id}/notes"}
            )
            controller.transition(incident.id, "accept", incident.version, "")
            controller.add_note(incident.id, "报警人电话已核实")
            pending = controller.pending_steps(incident.id)
            assert len(pending.lines) == 2 and pending.lines[0].startswith("「受理」"), pending.lines
            assert "待发送" in pending.lines[0] or "发送中" in pending.lines[0], pending.lines
            assert "报警人电话已核实" in pending.lines[1], pending.lines
            assert "「受理」尚未送达平台" in pending.hold
            assert controller.transition(incident.id, "accept", incident.version, "") == pending.hold
            assert controller.pending_steps(other.id) == PendingSteps()  # another incident's steps do not wait
            assert len(session.outbox.pending("transition")) == 1
            state["broken"].clear()
            session.outbox.retry_soon()
            assert session.outbox.wait_idle(20)
            assert controller.pending_steps(incident.id) == PendingSteps()
            assert session.incidents.get(incident.id).status is IncidentStatus.ACCEPTED
        finally:
            controller.close()
            session.stop()


def test_the_data_folder_is_said_nearly_full_or_unwritable_at_start(tmp_path: Path) -> None:
    assert data_folder_problem(tmp_path / "data") is None
    with tmpfs(tmp_path / "small", 8 << 20) as folder:
        said = data_folder_problem(folder / "data")
        assert said is not None and "剩余空间不足" in said, said
        fill(folder)
        said = data_folder_problem(folder / "data")
        assert said is not None and "无法写入" in said, said
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    (tmp_path / "source").mkdir()
    if (
        subprocess.run(
            ["mount", "--bind", "-o", "ro", str(tmp_path / "source"), str(readonly)], capture_output=True, check=False
        ).returncode
        != 0
    ):
        return  # not root here: the tmpfs part was skipped already
    try:
        said = data_folder_problem(readonly)
        assert said is not None and "无法写入" in said, said
    finally:
        subprocess.run(["umount", str(readonly)], capture_output=True, check=False)
