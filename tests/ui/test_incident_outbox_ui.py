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
            desk.feature.on_ready()  # as after a login
            assert any("剩余空间不足" in text for text in messages), messages
        finally:
            desk.close()
