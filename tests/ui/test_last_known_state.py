"""Restart during an outage: the window shows the last known incidents marked 离线数据 截至 HH:MM (status bar,
banner, incident panel) and the last known cameras (list and map) with their status unknown, then catches up when
the platform returns. A real exercise backend over HTTP,
stopped and started again on the same port and database."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from commandwall.app.lastknown import last_known_path, load_last_known
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from commandwall.domain.models import CameraStatus
from commandwall.textsafe import display_text
from commandwall.ui.cameras.model import ROLE_STATUS
from tests.ui.windows import main_window


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _page_cameras(qtbot, view) -> dict | None:
    """How many cameras the map page holds and how many of them it draws as online (None before it is ready)."""
    box: list = []
    code = "window.CW && CW.cameras ? {n: CW.cameras.n, online: Array.from(CW.cameras.online).filter(Boolean).length}" \
        " : null"
    view.page().runJavaScript(f"JSON.stringify(({code}))", 0, box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=5000)
    return json.loads(box[0]) if box[0] else None


def _session(url: str, data_dir: Path) -> ClientSession:
    session = ClientSession(Settings(backend_url=url, data_dir=data_dir), PlatformFactory.at_url(url))
    session.retry_initial_s, session.retry_max_s = 0.2, 0.5
    return session


@pytest.mark.qt_log_ignore("This plugin does not support", extend=True)
def test_a_restart_while_the_platform_is_down_shows_the_last_known_state_then_live(qtbot, tmp_path) -> None:
    port, db_path, data_dir = _free_port(), tmp_path / "exercise.sqlite3", tmp_path / "client"
    url = f"http://127.0.0.1:{port}"
    backend = DemoBackend(db_path=db_path, port=port, seed=5, simulate=False).start()
    try:
        first = _session(url, data_dir)
        first.start()  # connects, loads, starts writing the last known state
        known = {i.id for i in first.incidents.all()}
        cameras = {c.id: c for c in first.cameras.all()}
        assert known and cameras and any(c.status is CameraStatus.ONLINE for c in cameras.values())
        first.stop()  # writes what is left
    finally:
        backend.stop()
    saved = load_last_known(last_known_path(data_dir, url, False, "duty"))
    assert saved is not None and {i.id for i in saved.incidents} == known
    assert {c.id for c in saved.cameras} == set(cameras)
    assert {c.status for c in saved.cameras} == {CameraStatus.UNKNOWN}  # read back as not live

    backend = None
    try:
        with main_window(qtbot, _session(url, data_dir), size=(1280, 800), wait_ready=False) as win:  # platform down
            feature = win.incidents_feature
            qtbot.waitUntil(lambda: feature.offline_banner.isVisible(), timeout=30000)
            assert feature.offline_banner.text().startswith("离线数据 截至 ")
            assert win.incidents.model.total_count() == len(known)  # listed, whatever 仅未办结 shows
            qtbot.waitUntil(lambda: "离线数据 截至" in win.status.connection_label.text(), timeout=5000)
            assert "离线数据 截至" in win.status.banner.text() and win.status.banner.isVisible()
            tree = win.camera_tree
            qtbot.waitUntil(lambda: tree.model.camera_count() == len(cameras), timeout=5000)
            some = next(iter(cameras))
            assert tree.camera_index(some).data(ROLE_STATUS) == "unknown"
            assert "状态未知（非实时）" in tree.tooltip_for(tree.camera_index(some))
            assert tree.model.totals() == (0, len(cameras))  # none counted online
            qtbot.waitUntil(lambda: _page_cameras(qtbot, win.map) == {"n": len(cameras), "online": 0},
                            timeout=30000)

            backend = DemoBackend(db_path=db_path, port=port, seed=5, simulate=False).start()
            fresh = backend.simulator.new_incident()  # happened while the desk was offline
            qtbot.waitUntil(lambda: win.incidents.model.incident(fresh.id) is not None, timeout=30000)
            qtbot.waitUntil(lambda: not feature.offline_banner.isVisible(), timeout=5000)
            online = sum(c.status is CameraStatus.ONLINE for c in cameras.values())
            qtbot.waitUntil(lambda: tree.model.totals() == (online, len(cameras)), timeout=10000)
            assert tree.camera_index(some).data(ROLE_STATUS) == cameras[some].status.value
            qtbot.waitUntil(lambda: (_page_cameras(qtbot, win.map) or {}).get("online") == online, timeout=10000)
            assert "离线数据" not in win.status.connection_label.text()
            assert "离线数据" not in win.status.banner.text() or not win.status.banner.isVisible()
    finally:
        if backend is not None:
            backend.stop()


@pytest.mark.qt_log_ignore("This plugin does not support", extend=True)
def test_exercise_mode_lists_the_feeds_early_warnings_as_incidents(qtbot, tmp_path, monkeypatch,
                                                                   exercise_platform) -> None:
    monkeypatch.delenv("COMMANDWALL_CAP_DIR", raising=False)  # the exercise backend's feed, as a desk has it
    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform), size=None,
                     wait_ready=False) as win:
        model = win.incidents.model

        def warnings() -> list:
            return [model.incident_at(r) for r in range(model.rowCount()) if model.incident_at(r).category == "yujing"]

        qtbot.waitUntil(lambda: len(warnings()) == 2, timeout=60000)
        assert sorted(w.category_label for w in warnings()) == ["预警", "预警"]
        win.incidents.select(warnings()[0].id)
        detail = win.incidents.detail
        assert not detail.dispatch_button.isEnabled()  # the platform does not know warnings
        assert "预警" in detail.dispatch_button.toolTip()
        assert not detail.note_button.isEnabled() and not detail.note.isEnabled()  # no note for the platform
        assert "预警" in detail.note_button.toolTip()
        qtbot.waitUntil(lambda: "没有处置时间线" in detail.timeline.toPlainText(), timeout=5000)


#: a refusal reason as a unit may type it: markup, template syntax, a right-to-left override
HOSTILE_REASON = "<b>粗</b>{{7*7}}{who}\u202egnp.exe"


@pytest.mark.qt_log_ignore("This plugin does not support", extend=True)
@pytest.mark.parametrize("saved_hours_ago", [0, 13])
def test_refusals_made_since_the_last_known_state_are_told_at_the_first_load_after_an_offline_start(
        qtbot, tmp_path, saved_hours_ago) -> None:
    """A desk that starts during an outage shows its last known tasks; when the platform answers, a refusal of a
    task it held, or of one dispatched after the newest it held, is told once (as after an outage of a running
    desk); one refused before the state was saved is not. A state saved longer ago than a shift is no measure:
    nothing is told, the refusals are marked."""
    import sqlite3
    from datetime import datetime, timedelta, timezone

    from commandwall.domain.models import IncidentStatus, TaskStatus, UnitStatus

    port, db_path, data_dir = _free_port(), tmp_path / "exercise.sqlite3", tmp_path / "client"
    url = f"http://127.0.0.1:{port}"
    backend = DemoBackend(db_path=db_path, port=port, seed=5, simulate=False).start()
    try:
        store = backend.store
        free = [i for i in store.open_incidents() if i.status is IncidentStatus.NEW and not store.tasks(i.id)]
        units = [u for u in store.units() if u.status is UnitStatus.AVAILABLE]

        def task(incident, unit, desk: str):
            made, _ = store.create_task({"incident_id": incident.id, "unit_id": unit.id, "department": "公安",
                                         "priority": 2, "instructions": "赶赴现场"},
                                        *[f"{desk}-{incident.id}"] * 2, "commander")  # idempotency key, body
            return made

        old = task(free[0], units[0], "other-desk")
        store.set_task_status(old.id, TaskStatus.REJECTED, units[0].name, "正在处置其他警情")  # before the save
        held = task(free[1], units[1], "duty-desk")
        first = _session(url, data_dir)
        first.start()
        assert first.tasks.get(held.id) is not None
        first.stop()  # writes the last known state
        store.set_task_status(held.id, TaskStatus.REJECTED, units[1].name, HOSTILE_REASON)  # from the field
        unseen = task(free[2], units[2], "other-desk")
        store.set_task_status(unseen.id, TaskStatus.REJECTED, units[2].name, "人员不足，请改派")
    finally:
        backend.stop()
    path = last_known_path(data_dir, url, False, "duty")
    if saved_hours_ago:
        with sqlite3.connect(path) as db:
            db.execute("UPDATE meta SET value = ? WHERE key = 'saved_at'",
                       ((datetime.now(timezone.utc) - timedelta(hours=saved_hours_ago)).isoformat(),))  # noqa: UP017
    saved = load_last_known(path)
    assert saved is not None and {t.id for t in saved.tasks} >= {old.id, held.id}

    backend = None
    try:
        with main_window(qtbot, _session(url, data_dir), size=(1280, 800), wait_ready=False) as win:
            feature = win.incidents_feature
            qtbot.waitUntil(lambda: feature.offline_banner.isVisible(), timeout=30000)
            messages: list[str] = []
            feature.sig_message.connect(lambda text, _ms: messages.append(text))
            backend = DemoBackend(db_path=db_path, port=port, seed=5, simulate=False).start()
            qtbot.waitUntil(lambda: win.session.tasks.get(unseen.id) is not None
                            and not feature.offline_banner.isVisible(), timeout=30000)
            qtbot.wait(500)
            told = [m for m in messages if "任务被拒绝" in m]
            if saved_hours_ago:
                assert told == [], told
            else:
                assert len(told) == 2 and held.id in " ".join(told) and unseen.id in " ".join(told), told
                assert "共 2 项被拒绝" in told[-1] and units[1].name in " ".join(told)
                assert not any(old.id in m for m in told), told
                # the unit's reason as its characters: markup and template syntax literal, the override marked
                reason = display_text(HOSTILE_REASON, isolate=True)
                assert any(reason in m for m in told) and not any("\u202e" in m for m in told), told
                assert reason in win.statusBar().currentMessage()  # the oldest refusal stays there, with the count
                win.incidents.select(free[1].id)
                qtbot.waitUntil(lambda: win.incidents.detail.refused.isVisible(), timeout=5000)
                shown = win.incidents.detail.refused
                assert shown.textFormat() == Qt.TextFormat.PlainText
                assert "<b>粗</b>{{7*7}}{who}" in shown.text() and "\u202e" not in shown.text(), shown.text()
            feature.check_deadlines()
            model = win.incidents.model
            assert [model.is_refused(i.id) for i in free[:3]] == [True] * 3  # marked either way
    finally:
        if backend is not None:
            backend.stop()


@pytest.mark.qt_log_ignore("This plugin does not support", extend=True)
def test_a_desk_restarted_in_an_outage_lets_its_user_queue_and_lists_another_users_waiting_actions(
        qtbot, tmp_path) -> None:
    """A restart during an outage showed the last known state with every button at 未登录. Now the configured
    user's buttons follow the role the last known state kept, the status bar says he is not logged in, what he
    queues counts as 待发送, and the commander's action left on the desk shows as 他人待发送 with a read-only
    list; the queued note reaches the platform when it is back."""
    from commandwall.app.outboxes import outbox_path, record_owner
    from commandwall.backend.api import PlatformClient
    from commandwall.backend.outbox import Outbox

    port, db_path, data_dir = _free_port(), tmp_path / "exercise.sqlite3", tmp_path / "client"
    url = f"http://127.0.0.1:{port}"
    backend = DemoBackend(db_path=db_path, port=port, seed=5, simulate=False).start()
    try:
        first = _session(url, data_dir)
        first.start()
        first.stop()
    finally:
        backend.stop()
    theirs = outbox_path(data_dir, url, False, "commander")  # the commander's 受理, queued before the restart
    other = Outbox(theirs, PlatformClient(url, "commander", "commander"))
    other.enqueue_transition("INC-000001", "accept", 1)
    other.stop()
    record_owner(theirs, "commander", url, False)

    backend = None
    try:
        with main_window(qtbot, _session(url, data_dir), size=(1280, 800), wait_ready=False) as win:
            feature = win.incidents_feature
            qtbot.waitUntil(lambda: feature.offline_banner.isVisible(), timeout=30000)
            qtbot.waitUntil(lambda: "未登录" in win.status.user_label.text(), timeout=5000)
            assert "duty" in win.status.user_label.text() and "值班员" in win.status.user_label.text()
            incident = next(i for i in win.session.incidents.all() if i.status.value == "new")
            assert feature.panel.select(incident.id)
            detail = feature.panel.detail
            qtbot.waitUntil(lambda: detail.note_button.isEnabled() and detail.dispatch_button.isEnabled(),
                            timeout=5000)
            assert feature.controller.add_note(incident.id, "重启后离线暂存的备注")
            qtbot.waitUntil(lambda: "待发送操作 1 条" in win.status.outbox_label.text(), timeout=5000)
            waiting = win.waiting_elsewhere
            qtbot.waitUntil(lambda: waiting.button.isVisible(), timeout=5000)
            assert "他人待发送 1 条" in waiting.button.text()
            listed = waiting.lines()
            assert listed[0].startswith("commander") and "受理" in listed[1] and "INC-000001" in listed[1]
            dialog = waiting.show_dialog()
            dialog.close()

            backend = DemoBackend(db_path=db_path, port=port, seed=5, simulate=False).start()
            qtbot.waitUntil(lambda: not feature.offline_banner.isVisible(), timeout=30000)
            qtbot.waitUntil(lambda: win.status.outbox_label.text() == "", timeout=20000)
            assert "未登录" not in win.status.user_label.text()
            client = PlatformClient(url, "duty", "duty")
            try:
                notes = [e for e in client.timeline(incident.id) if e.text == "重启后离线暂存的备注"]
            finally:
                client.close()
            assert [e.actor for e in notes] == ["duty"]
            assert waiting.button.isVisible()  # the commander's still waits: his to send
    finally:
        if backend is not None:
            backend.stop()
