"""The incident detail when the outbox cannot take an action (the data folder's disk full: a small tmpfs) or
holds one not yet sent (the platform failing it): real widgets, real SQLite, the real exercise backend. Nothing
the officer does is lost in silence: a refusal is said where he acted and in the message log, his text stays, the
buttons come back; a queued step is shown on the incident and its next steps wait for it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from commandwall.domain.models import IncidentStatus
from commandwall.domain.workflow import TASKABLE
from commandwall.ui.incidents.dispatch import DispatchDialog
from tests.mounts import fill, tmpfs
from tests.ui.test_incident_workflow_ui import IncidentDesk


def test_on_a_full_disk_a_step_a_note_and_a_dispatch_are_refused_where_the_officer_acted(
    qtbot, exercise, tmp_path
) -> None:
    with tmpfs(tmp_path / "small", 4 << 20) as folder:
        desk = IncidentDesk(qtbot, exercise, folder / "duty", "duty")
        messages: list[str] = []
        desk.feature.sig_message.connect(lambda text, _ms: messages.append(text))
        try:
            incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
            desk.feature.select(incident.id)
            assert desk.session.outbox.wait_idle(10)
            offered = {name: button.isEnabled() for name, button in desk.buttons().items()}
            filler = fill(folder)

            desk.detail.note.setText("地址有误，需网格员复核")
            qtbot.mouseClick(desk.buttons()["action_return"], Qt.MouseButton.LeftButton)  # the real 退回
            said = desk.detail.feedback.text()
            assert said.startswith("「退回」未提交") and "磁盘已满" in said, said
            assert desk.detail.note.text() == "地址有误，需网格员复核"  # his reason is still there
            assert {name: button.isEnabled() for name, button in desk.buttons().items()} == offered  # steps back
            assert messages and messages[-1] == said  # the message log has it

            qtbot.mouseClick(desk.detail.note_button, Qt.MouseButton.LeftButton)  # the same text as a note
            said = desk.detail.feedback.text()
            assert said.startswith("备注未提交") and "磁盘已满" in said, said
            assert desk.detail.note.text() == "地址有误，需网格员复核" and messages[-1] == said

            seen: list[tuple[bool, str, str]] = []

            def answer() -> None:
                dialog = QApplication.activeModalWidget()
                if not isinstance(dialog, DispatchDialog):
                    QTimer.singleShot(50, answer)
                    return
                dialog.instructions.setPlainText("立即赶赴现场核实")
                dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
                # refused: the dialog is still open with what the officer filled in, saying why
                seen.append((dialog.isVisible(), dialog.instructions.toPlainText(), dialog.error.text()))
                dialog.reject()

            assert incident.status in TASKABLE
            QTimer.singleShot(50, answer)
            desk.detail.sig_dispatch.emit(incident.id)
            qtbot.waitUntil(lambda: len(seen) == 1, timeout=15000)
            shown, instructions, error = seen[0]
            assert shown and instructions == "立即赶赴现场核实", seen
            assert error.startswith("派遣任务未提交") and "磁盘已满" in error, error
            assert messages[-1] == error
            assert desk.session.outbox.pending_count() == 0

            filler.unlink()  # room again: the reason goes with the step
            qtbot.mouseClick(desk.buttons()["action_return"], Qt.MouseButton.LeftButton)
            assert desk.detail.feedback.text() == "已提交，等待平台确认…"
            assert desk.detail.note.text() == ""
            qtbot.waitUntil(
                lambda: desk.session.incidents.get(incident.id).status is IncidentStatus.RETURNED, timeout=15000
            )
        finally:
            desk.close()


def test_a_step_waiting_offline_is_shown_on_its_incident_and_its_next_steps_wait(qtbot, exercise, tmp_path) -> None:
    """受理 on A while the platform fails it; B looked at; back on A: the detail says 「受理」 waits to be sent, and
    受理 is not offered again (it came back as someone else's change); sent at last, A is 已受理."""
    from tests.unit.backend_support import LocalServer, gated_proxy

    app, state = gated_proxy(exercise.base_url)
    with LocalServer(app) as proxy:
        desk = IncidentDesk(qtbot, proxy, tmp_path / "duty", "duty")
        try:
            first, second = [i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW][:2]
            state["broken"].add(f"/api/v1/incidents/{first.id}/transitions")
            desk.feature.select(first.id)
            qtbot.mouseClick(desk.buttons()["action_accept"], Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: desk.session.outbox.pending_count() == 1, timeout=5000)
            desk.feature.select(second.id)
            assert desk.buttons()["action_accept"].isEnabled()  # another incident's steps do not wait
            desk.feature.select(first.id)
            assert desk.detail.fields["status"].text().startswith("已上报")  # the platform has not taken it yet
            accept = desk.buttons()["action_accept"]
            assert not accept.isEnabled() and "尚未送达平台" in accept.toolTip()
            assert desk.detail.pending.text() != "" and desk.detail.pending.isVisibleTo(desk.window)
            pending = desk.detail.pending.text()
            assert pending.startswith("「受理」") and ("待发送" in pending or "发送中" in pending), pending
            assert not any(button.isEnabled() for button in desk.buttons().values())
            state["broken"].clear()
            desk.session.outbox.retry_soon()
            qtbot.waitUntil(lambda: desk.detail.incident.status is IncidentStatus.ACCEPTED, timeout=20000)
            qtbot.waitUntil(lambda: desk.detail.pending.text() == "", timeout=5000)
            assert not desk.detail.pending.isVisibleTo(desk.window)
            assert any(button.isEnabled() for button in desk.buttons().values())  # the next steps, offered
        finally:
            desk.close()


def test_a_nearly_full_data_folder_is_said_when_the_desk_is_ready(qtbot, exercise, tmp_path) -> None:
    with tmpfs(tmp_path / "small", 8 << 20) as folder:
        desk = IncidentDesk(qtbot, exercise, folder / "duty", "duty")
        messages: list[str] = []
        desk.feature.sig_message.connect(lambda text, _ms: messages.append(text))
        try:
            desk.feature.on_ready()  # as after a login; the folder is looked at off the GUI thread
            qtbot.waitUntil(lambda: any("剩余空间不足" in text for text in messages), timeout=5000)
        finally:
            desk.close()


def test_a_data_folder_that_hangs_does_not_hold_the_window_when_the_desk_is_ready(qtbot, exercise, tmp_path) -> None:
    """The data folder's check writes a file there and reads the disk's free space: on a hung network mount that
    waits as long as the mount does. Here the check waits until another thread lets it go: the desk's start-up
    (on_ready) returns and the window goes on meanwhile, and what the check finds is said once it comes."""
    import threading

    desk = IncidentDesk(qtbot, exercise, tmp_path / "duty", "duty")
    check = desk.controller.data_folder_warning
    released, checked = threading.Event(), threading.Event()

    def hung_mount() -> str | None:
        checked.set()
        released.wait(20)  # the mount hangs until the test lets it go
        return "数据目录剩余空间不足（测试）"

    desk.controller.data_folder_warning = hung_mount
    messages: list[str] = []
    desk.feature.sig_message.connect(lambda text, _ms: messages.append(text))
    letting_go = threading.Timer(5.0, released.set)  # a GUI thread that waited for the check would wait this long
    letting_go.start()
    try:
        desk.feature.on_ready()
        assert not released.is_set(), "on_ready waited for the data folder"
        assert checked.wait(5), "the data folder was not looked at"
        ticks: list[int] = []
        qtbot.waitUntil(lambda: ticks.append(1) or len(ticks) > 5, timeout=3000)  # the event loop runs meanwhile
        assert not released.is_set() and not messages
        released.set()
        qtbot.waitUntil(lambda: any("剩余空间不足（测试）" in text for text in messages), timeout=5000)
    finally:
        released.set()
        letting_go.cancel()
        desk.controller.data_folder_warning = check
        desk.close()


def test_refused_actions_are_listed_until_dealt_with_even_after_a_restart(qtbot, exercise, tmp_path) -> None:
    """A dispatch refused for an incident another desk closed, and one the platform refused as invalid: the
    detail says so in Chinese (the platform's English only in the tooltip) and marks the incident; 未送达的操作 N
    above the list opens the list (incident, action, when, why, content), still there after a restart; 复制内容
    copies a dispatch's instructions, 重新派遣… opens a dispatch dialog with them, 忽略 sets one aside."""
    from commandwall.app.dispatch import DispatchOrder
    from commandwall.backend.api import PlatformClient
    from commandwall.ui.incidents.undelivered import CONTENT, WHY

    desk = IncidentDesk(qtbot, exercise, tmp_path / "duty", "duty")
    commander = PlatformClient(exercise.base_url, "commander", "commander", timeout=5, retries=0)
    try:
        closed, open_one = [i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW][:2]
        version = closed.version
        for action in ("accept", "resolve", "close"):  # another desk finishes it
            version = commander.transition(closed.id, action, version, "另一席位办结").version
        # the desk has heard of it (else the detail's "closed meanwhile" note could come after the refusal's)
        qtbot.waitUntil(lambda: desk.session.incidents.get(closed.id).status is IncidentStatus.CLOSED, timeout=10000)
        desk.feature.select(closed.id)
        assert not desk.feature.panel.undelivered_button.isVisible()
        desk.feature.send_dispatch(DispatchOrder(closed.id, (), "应急", 1, "抽排积水后回报"))
        qtbot.waitUntil(lambda: desk.feature.panel.undelivered_button.isVisible(), timeout=15000)
        assert desk.detail.feedback.text() == "派遣任务被平台拒绝：事件当前的状态不允许该操作"
        assert "closed" in desk.detail.feedback.toolTip()  # the platform's words: a detail only
        assert desk.feature.panel.undelivered_button.text() == "未送达的操作 1"
        qtbot.waitUntil(lambda: desk.detail.undelivered.isVisible(), timeout=5000)
        assert desk.detail.undelivered.text().startswith("未送达：派遣任务（应急） · 事件当前的状态不允许该操作")
        desk.session.outbox.enqueue_task({"incident_id": open_one.id, "unit_id": None, "department": "应急",
                                          "instructions": "核实现场", "priority": 9})  # refused: invalid
        qtbot.waitUntil(lambda: desk.feature.panel.undelivered_button.text() == "未送达的操作 2", timeout=15000)
    finally:
        commander.close()
        desk.close()

    desk = IncidentDesk(qtbot, exercise, tmp_path / "duty", "duty")  # a restart: nothing of it is lost
    try:
        panel = desk.feature.panel
        assert panel.undelivered_button.isVisible() and panel.undelivered_button.text() == "未送达的操作 2"
        desk.feature.select(closed.id)
        assert desk.detail.undelivered.isVisible() and "抽排积水后回报" in desk.detail.undelivered.text()
        qtbot.mouseClick(panel.undelivered_button, Qt.MouseButton.LeftButton)
        dialog = desk.feature.undelivered_dialog
        assert dialog is not None and dialog.isVisible() and dialog.table.rowCount() == 2
        rows = {dialog.table.item(r, CONTENT).text().strip("\u2068\u2069"): r for r in range(2)}
        first = rows["抽排积水后回报"]
        assert dialog.table.item(first, WHY).text() == "事件当前的状态不允许该操作（事件现为已结案）"
        assert "no tasks" in dialog.table.item(first, WHY).toolTip()
        dialog.table.selectRow(first)
        assert not dialog.redispatch_button.isEnabled()  # a closed incident takes no dispatch
        qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
        assert QApplication.clipboard().text() == "抽排积水后回报"

        seen: list[str] = []

        def answer() -> None:
            found = QApplication.activeModalWidget()
            if not isinstance(found, DispatchDialog):
                QTimer.singleShot(50, answer)
                return
            seen.append(found.instructions.toPlainText())
            found.reject()

        dialog.table.selectRow(rows["核实现场"])
        assert dialog.table.item(rows["核实现场"], WHY).text() == "内容不符合平台要求"
        assert dialog.redispatch_button.isEnabled() and dialog.retry_button.isEnabled()
        QTimer.singleShot(50, answer)
        qtbot.mouseClick(dialog.redispatch_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: seen == ["核实现场"], timeout=15000)  # its instructions, for a new dispatch

        dialog.table.selectRow(first)
        qtbot.mouseClick(dialog.dismiss_button, Qt.MouseButton.LeftButton)
        assert dialog.table.rowCount() == 1 and panel.undelivered_button.text() == "未送达的操作 1"
        assert desk.feature.selected_incident_id() == open_one.id  # shown for the new dispatch, still marked
        assert desk.detail.undelivered.text().startswith("未送达：派遣任务（应急） · 内容不符合平台要求")
        qtbot.mouseClick(dialog.dismiss_button, Qt.MouseButton.LeftButton)  # the other one, selected now
        assert dialog.table.rowCount() == 0 and dialog.empty.isVisible()
        assert not desk.detail.undelivered.isVisible()  # the shown incident's mark goes with it
        assert not panel.undelivered_button.isVisible()
    finally:
        desk.close()


def test_a_refused_actions_hostile_content_is_listed_as_characters(qtbot, exercise, tmp_path) -> None:
    """未送达的操作 lists what the officer wrote (and the platform's words as a detail): markup, template syntax and a
    right-to-left override in it are characters in the real dialog's cells and tooltips, the override shown."""
    from commandwall.ui.incidents.undelivered import CONTENT

    hostile = "<b>粗</b>{{7*7}}{who}<img src=x onerror=alert(1)>\u202egnp.exe"
    desk = IncidentDesk(qtbot, exercise, tmp_path / "duty", "duty")
    try:
        incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
        desk.session.outbox.enqueue_task({"incident_id": incident.id, "unit_id": None, "department": "应急",
                                          "instructions": hostile, "priority": 9})  # refused: invalid
        panel = desk.feature.panel
        qtbot.waitUntil(lambda: panel.undelivered_button.isVisible(), timeout=15000)
        qtbot.mouseClick(panel.undelivered_button, Qt.MouseButton.LeftButton)
        dialog = desk.feature.undelivered_dialog
        cell = dialog.table.item(0, CONTENT)
        assert "<b>粗</b>{{7*7}}{who}<img src=x onerror=alert(1)>" in cell.text() and "\u202e" not in cell.text()
        assert "\u202e" not in cell.toolTip() and "&lt;b&gt;" in cell.toolTip()  # escaped: Qt shows it as text
        dialog.table.selectRow(0)
        qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
        assert QApplication.clipboard().text() == hostile  # copied as written, to be sent again
    finally:
        desk.close()
