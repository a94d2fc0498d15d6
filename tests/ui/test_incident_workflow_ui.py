"""The incident centre's workflow in real widgets against a real exercise backend: what a viewer may not do
is disabled and explained, a duty officer's transition and note go through and show in the timeline."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from commandwall.app.incidents import IncidentsController
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.app.warnings import WarningsController
from commandwall.backend.events import ConnectionState
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from commandwall.domain.models import OPEN_STATUSES, IncidentStatus, TimelineKind, UnitStatus
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.incidents.feature import IncidentsFeature

SHOTS = Path("/tmp/commandwall-shots")


class IncidentDesk:
    """One desk's incident centre (session, signals, feature) in a shown window."""

    def __init__(self, qtbot, exercise: DemoBackend, data_dir: Path, username: str) -> None:
        self.signals = ClientSignals()
        platform = PlatformFactory.at_url(exercise.base_url, exercise=True)
        self.session = ClientSession(Settings(data_dir=data_dir, username=username), platform,
                                     self.signals.listener())
        self.signals.watch(self.session)
        self.window = QWidget()
        qtbot.addWidget(self.window)
        self.controller = IncidentsController(self.session)
        self.warnings = WarningsController(self.session, folder=data_dir / "cap")  # polled only when asked
        self.feature = IncidentsFeature(self.controller, self.signals, self.window, self.warnings)
        QVBoxLayout(self.window).addWidget(self.feature.widget)
        self.window.resize(760, 1000)
        self.window.show()
        with qtbot.waitSignal(self.signals.sig_ready, timeout=30000):
            self.session.start()
        self.feature.on_ready()
        self.detail = self.feature.panel.detail

    def buttons(self) -> dict[str, QPushButton]:
        return {b.objectName(): b for b in self.detail.findChildren(QPushButton)
                if b.objectName().startswith("action_")}

    def close(self) -> None:
        self.controller.close()
        self.session.stop()


@pytest.fixture
def desk_as(qtbot, exercise, tmp_path) -> Iterator:
    desks: list[IncidentDesk] = []

    def make(username: str) -> IncidentDesk:
        desks.append(IncidentDesk(qtbot, exercise, tmp_path / username, username))
        return desks[-1]

    yield make
    for desk in desks:
        desk.close()


def test_a_viewer_sees_the_buttons_disabled_and_why(qtbot, desk_as) -> None:
    desk = desk_as("viewer")
    incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
    assert desk.feature.panel.select(incident.id)
    buttons = desk.buttons()
    assert set(buttons) == {"action_accept", "action_return", "action_escalate", "action_merge"}
    for name, button in buttons.items():
        assert not button.isEnabled(), name
        assert "当前角色（观察员）无权执行「" in button.toolTip() and button.text() in button.toolTip()
    assert not desk.detail.dispatch_button.isEnabled() and "派遣" in desk.detail.dispatch_button.toolTip()
    assert not desk.detail.note.isEnabled() and not desk.detail.note_button.isEnabled()
    assert "添加备注" in desk.detail.note_button.toolTip()
    qtbot.waitUntil(lambda: "上报" in desk.detail.timeline.toPlainText(), timeout=10000)  # a viewer still reads


def test_a_duty_officers_transition_and_note_show_in_the_timeline(qtbot, desk_as, exercise) -> None:
    desk = desk_as("duty")
    incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
    assert desk.feature.panel.select(incident.id)
    assert not desk.buttons()["action_merge"].isEnabled()  # the commander's decision
    assert "值班员" in desk.buttons()["action_merge"].toolTip()
    qtbot.mouseClick(desk.buttons()["action_accept"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: exercise.store.incident(incident.id).status is IncidentStatus.ACCEPTED, timeout=15000)
    qtbot.waitUntil(lambda: "受理（已上报→已受理） · duty@" in desk.detail.timeline.toPlainText(), timeout=10000)

    qtbot.waitUntil(lambda: desk.detail.note_button.isEnabled(), timeout=10000)
    desk.detail.note.setText("已电话联系报警人 <b>现场</b>")  # typed: keyClicks only knows ASCII keys
    qtbot.mouseClick(desk.detail.note_button, Qt.MouseButton.LeftButton)
    assert desk.detail.note.text() == ""
    qtbot.waitUntil(lambda: "备注 · duty@" in desk.detail.timeline.toPlainText(), timeout=10000)
    assert "已电话联系报警人 <b>现场</b>" in desk.detail.timeline.toPlainText()  # plain text, markup shown
    notes = [e for e in exercise.store.timeline(incident.id) if e.kind is TimelineKind.NOTE]
    assert [n.text for n in notes] == ["已电话联系报警人 <b>现场</b>"]  # exactly once
    assert notes[0].desk and notes[0].desk in desk.detail.timeline.toPlainText()

    qtbot.mouseClick(desk.buttons()["action_return"], Qt.MouseButton.LeftButton)  # no reason written
    assert desk.detail.feedback.text() == "请先在备注栏填写退回原因"
    assert exercise.store.incident(incident.id).status is IncidentStatus.ACCEPTED

    # the buttons are made again as the incident's answers come in: wait for 核实 to be there and enabled
    qtbot.waitUntil(lambda: (button := desk.buttons().get("action_verify")) is not None and button.isEnabled(),
                    timeout=10000)
    qtbot.mouseClick(desk.buttons()["action_verify"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "核实（已受理→已核实）" in desk.detail.timeline.toPlainText(), timeout=10000)
    qtbot.waitUntil(lambda: "已送达" in desk.detail.feedback.text(), timeout=10000)
    desk.feature.panel.splitter.setSizes([200, 800])  # room for the whole detail in the picture
    qtbot.wait(50)  # one layout pass before the grab
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert desk.window.grab().save(str(SHOTS / "incident-detail-timeline.png"))


def test_a_note_from_another_desk_reaches_the_shown_timeline_live(qtbot, desk_as) -> None:
    duty, commander = desk_as("duty"), desk_as("commander")
    incident = next(i for i in duty.session.incidents.open() if i.status is IncidentStatus.NEW)
    for desk in (duty, commander):
        assert desk.feature.panel.select(incident.id)
    qtbot.waitUntil(lambda: "上报" in duty.detail.timeline.toPlainText(), timeout=10000)
    qtbot.waitUntil(lambda: duty.session.events.state is ConnectionState.LIVE, timeout=15000)
    commander.detail.note.setText("指挥长：请派两组力量")
    qtbot.keyClick(commander.detail.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "备注 · commander@" in duty.detail.timeline.toPlainText(), timeout=15000)
    assert "指挥长：请派两组力量" in duty.detail.timeline.toPlainText()
    qtbot.waitUntil(lambda: duty.detail.timeline.toPlainText() == commander.detail.timeline.toPlainText(),
                    timeout=10000)  # both desks show the same timeline


def test_an_early_warning_says_what_its_area_holds_and_puts_its_cameras_on_the_wall(qtbot, exercise,
                                                                                      tmp_path) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.unit.test_cap import cap

    desk = IncidentDesk(qtbot, exercise, tmp_path / "duty", "duty")
    try:
        folder = tmp_path / "duty" / "cap"
        folder.mkdir()
        # the district's west, where the exercise has cameras; its incidents are placed at random (no seed): one
        # open incident is reported inside the area, so that there always is one
        inside = exercise.store.add_incident({"title": "区域内积水", "category": "yingji", "lon": 117.28, "lat": 34.75})
        qtbot.waitUntil(lambda: desk.session.incidents.get(inside.id) is not None, timeout=10000)
        (folder / "rain.xml").write_bytes(cap("R1", sent=datetime.now(UTC) - timedelta(minutes=1)))
        warnings = desk.warnings
        assert warnings.poll() == 1
        rain = next(i for i in desk.session.incidents.all() if i.category == "yujing")
        cameras = [c.id for c in warnings.cameras_inside(rain.id)]
        open_inside = [i for i in warnings.incidents_inside(rain.id) if i.status in OPEN_STATUSES]
        assert cameras and open_inside
        qtbot.waitUntil(lambda: desk.feature.panel.model.row_of(rain.id) is not None, timeout=5000)
        assert desk.feature.panel.select(rain.id)
        assert desk.detail.warning_reach.isVisible() and desk.detail.warning_to_wall.isEnabled()
        assert desk.detail.warning_reach.text() == (
            f"预警区域内：摄像机 {len(cameras)} 路，未办结事件 {len(open_inside)} 起")
        with qtbot.waitSignal(desk.feature.sig_cameras_to_wall, timeout=2000) as wall:
            qtbot.mouseClick(desk.detail.warning_to_wall, Qt.MouseButton.LeftButton)
        assert wall.args == [cameras]
        # another incident: no such row
        other = next(i for i in desk.session.incidents.open() if i.category != "yujing")
        assert desk.feature.panel.select(other.id)
        assert not desk.detail.warning_reach.isVisible() and not desk.detail.warning_to_wall.isVisible()
    finally:
        desk.close()


def test_thousands_of_tasks_list_the_newest_and_a_burst_of_reports_is_shown_once(qtbot, desk_as) -> None:
    """A platform holding 3 000 tasks for one incident: the detail lists the newest 200 after a line naming the
    earlier ones (and how many of those are late), the 督办 count is of them all, and 3 000 task reports in a burst
    rebuild the list a few times, not 3 000."""
    from datetime import timedelta

    from commandwall import localtime
    from commandwall.app.dispatch import task_time
    from commandwall.app.incidents import TASK_LINES_SHOWN
    from commandwall.domain.models import Task
    from commandwall.domain.supervision import overdue_tasks

    desk = desk_as("duty")
    incident = next(i for i in desk.session.incidents.all() if i.status in OPEN_STATUSES)
    desk.feature.select(incident.id)
    qtbot.waitUntil(lambda: desk.detail.incident is not None and desk.detail.incident.id == incident.id)
    rebuilt: list[int] = []
    show_tasks = desk.detail.show_tasks
    desk.detail.show_tasks = lambda lines: (rebuilt.append(len(lines)), show_tasks(lines))[1]
    now = localtime.now()
    for n in range(3000):  # the first 1 000 long overdue, the rest due tomorrow
        created = now - timedelta(hours=5) + timedelta(seconds=n)
        deadline = now - timedelta(hours=1) if n < 1000 else now + timedelta(days=1)
        desk.session.tasks.upsert(Task(id=f"T-MANY-{n:04d}", incident_id=incident.id, department="城管",
                                       created_at=created, deadline=deadline))
    tasks = desk.session.tasks.for_incident(incident.id)
    earlier, newest = tasks[:-TASK_LINES_SHOWN], tasks[-TASK_LINES_SHOWN:]
    late_earlier = len(overdue_tasks(earlier, localtime.now()))
    assert len(tasks) >= 3000 and late_earlier >= 1000
    qtbot.waitUntil(lambda: desk.detail.tasks.count() == TASK_LINES_SHOWN + 1, timeout=5000)
    assert desk.detail.tasks.item(0).text() == f"较早的 {len(earlier)} 项任务未列出（其中 {late_earlier} 项超时）"
    assert "T-MANY-2999" not in desk.detail.tasks.item(TASK_LINES_SHOWN).text()  # lines name units, not ids
    # each line starts with its task's time: the hour and minute, with the day when that was not today (five hours
    # ago, just after midnight)
    for k, task in ((1, newest[0]), (TASK_LINES_SHOWN, newest[-1])):
        line = desk.detail.tasks.item(k).text()
        assert line.startswith(task_time(task.created_at, localtime.now())), line
    desk.feature.check_deadlines()
    late = len(overdue_tasks(tasks, localtime.now()))
    assert desk.detail.overdue.text() == f"督办：{late} 项任务超过办结时限"
    assert len(rebuilt) < 30, f"the list was rebuilt {len(rebuilt)} times for one burst"


def test_dispatch_ranks_the_units_off_the_window_and_a_second_click_opens_no_second_dialog(qtbot, desk_as) -> None:
    """The units are ranked by road on the dispatch worker (a large roads layer, tens of thousands of units: seconds
    of work): the click returns at once with the detail saying so, a second click meanwhile is not a second
    dialog, and the dialog opens with the nearest units once they are ranked."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from commandwall.ui.incidents.dispatch import DispatchDialog

    desk = desk_as("duty")
    incident = next(i for i in desk.session.incidents.all() if i.status in OPEN_STATUSES)
    desk.feature.select(incident.id)
    dialogs: list[DispatchDialog] = []
    watching = [True]  # the watcher ends with the test (left polling, it would answer a later test's dialogs)

    def answer() -> None:
        if not watching[0]:
            return
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, DispatchDialog):
            dialogs.append(dialog)
            dialog.reject()
        QTimer.singleShot(20, answer)  # looks on: a second dialog would be seen too

    QTimer.singleShot(0, answer)
    try:
        desk.detail.sig_dispatch.emit(incident.id)
        assert desk.detail.feedback.text() == "正在按路网计算最近力量…" and not dialogs  # returned before any dialog
        desk.detail.sig_dispatch.emit(incident.id)  # the officer clicks again while it ranks
        qtbot.waitUntil(lambda: len(dialogs) == 1, timeout=15000)
        qtbot.wait(800)
        assert len(dialogs) == 1
        assert desk.detail.feedback.text() == ""
    finally:
        watching[0] = False


def test_the_dispatch_dialog_opens_over_the_window_it_was_asked_from(qtbot, desk_as) -> None:
    """On a desk of several screens the incident centre has a window of its own: 派遣任务… there opens the dialog
    over that window, not over the map's on another screen; from a map card it opens over the map's window."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from commandwall.ui.incidents.dispatch import DispatchDialog

    desk = desk_as("duty")
    incident = next(i for i in desk.session.incidents.all() if i.status in OPEN_STATUSES)
    screen_window = QWidget()  # as the screens' manager holds a role on its own screen
    qtbot.addWidget(screen_window)
    QVBoxLayout(screen_window).addWidget(desk.feature.widget)
    screen_window.show()
    desk.feature.select(incident.id)
    parents: list = []
    watching = [True]

    def answer() -> None:
        if not watching[0]:
            return
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, DispatchDialog):
            parents.append(dialog.parentWidget())
            dialog.reject()
        QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)
    try:
        desk.detail.sig_dispatch.emit(incident.id)
        qtbot.waitUntil(lambda: len(parents) == 1, timeout=15000)
        assert parents[0] is screen_window
        unit = next(u for u in desk.session.units.all() if u.status is UnitStatus.AVAILABLE)
        desk.feature.dispatch_unit(unit.id, incident.id)
        qtbot.waitUntil(lambda: len(parents) == 2, timeout=15000)
        assert parents[1] is desk.window
    finally:
        watching[0] = False


def test_a_task_dispatched_while_the_platform_fails_is_listed_unsent_until_the_platform_has_it(
        qtbot, exercise, tmp_path) -> None:
    """派遣 while the platform cannot take tasks: the task is listed at once under the incident's tasks as
    待发送 (it is not lost, and the officer sees what he sent), and once the platform has it the line is the
    platform's task, once."""
    from commandwall.app.dispatch import DispatchOrder
    from commandwall.domain.workflow import TASKABLE
    from tests.unit.backend_support import LocalServer, gated_proxy

    app, state = gated_proxy(exercise.base_url)
    with LocalServer(app) as proxy:
        desk = IncidentDesk(qtbot, proxy, tmp_path / "duty", "duty")
        try:
            incident = next(i for i in desk.session.incidents.open() if i.status in TASKABLE)
            desk.feature.select(incident.id)
            unit = next(u for u in desk.session.units.all() if u.status is UnitStatus.AVAILABLE)
            state["broken"].add("/api/v1/tasks")  # the platform fails every task
            before = desk.detail.tasks.count()
            desk.feature.send_dispatch(DispatchOrder(incident.id, (unit.id,), "应急管理局", 2, "断网期间派遣"))
            qtbot.waitUntil(lambda: desk.detail.tasks.count() == before + 1, timeout=5000)
            line = desk.detail.tasks.item(desk.detail.tasks.count() - 1).text()
            assert "待发送" in line and unit.name in line, line
            assert desk.session.outbox.pending_count() == 1
            state["broken"].clear()  # the platform takes tasks again
            qtbot.waitUntil(lambda: desk.session.outbox.pending_count() == 0, timeout=20000)
            qtbot.waitUntil(lambda: any(unit.name in desk.detail.tasks.item(n).text()
                                        and "待发送" not in desk.detail.tasks.item(n).text()
                                        for n in range(desk.detail.tasks.count())), timeout=15000)
            texts = [desk.detail.tasks.item(n).text() for n in range(desk.detail.tasks.count())]
            assert desk.detail.tasks.count() == before + 1 and not any("待发送" in t for t in texts), texts
        finally:
            desk.close()


def test_the_dispatch_dialog_says_the_units_are_the_last_known_while_the_platform_is_not_heard(
        qtbot, exercise, tmp_path) -> None:
    """The platform gone (stream and polling fail): the dialog still opens (tasks are queued), and says above
    the units that their places and states are the last known; with the platform back it says nothing."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from commandwall.domain.workflow import TASKABLE
    from commandwall.ui.incidents.dispatch import DispatchDialog
    from tests.unit.backend_support import LocalServer, gated_proxy

    app, state = gated_proxy(exercise.base_url)
    with LocalServer(app) as proxy:
        desk = IncidentDesk(qtbot, proxy, tmp_path / "duty", "duty")
        seen: list[tuple[bool, str]] = []
        watching = [True]

        def answer() -> None:
            if not watching[0]:
                return
            dialog = QApplication.activeModalWidget()
            if isinstance(dialog, DispatchDialog):
                seen.append((dialog.caveat.isVisibleTo(dialog), dialog.caveat.text()))
                dialog.reject()
            QTimer.singleShot(20, answer)

        QTimer.singleShot(0, answer)
        try:
            incident = next(i for i in desk.session.incidents.open() if i.status in TASKABLE)
            desk.feature.select(incident.id)
            qtbot.waitUntil(desk.session.hears_platform, timeout=15000)
            desk.detail.sig_dispatch.emit(incident.id)
            qtbot.waitUntil(lambda: len(seen) == 1, timeout=15000)
            assert seen[0] == (False, "")
            state["events_status"] = 503  # the stream fails …
            state["broken"].update({"/api/v1/incidents", "/api/v1/cameras", "/api/v1/units", "/api/v1/tasks"})
            state["cut"].set()  # … the open one is cut, and polling fails
            qtbot.waitUntil(lambda: not desk.session.hears_platform(), timeout=30000)
            desk.detail.sig_dispatch.emit(incident.id)
            qtbot.waitUntil(lambda: len(seen) == 2, timeout=15000)
            assert seen[1][0] and "最后已知" in seen[1][1], seen[1]
        finally:
            watching[0] = False
            desk.close()


def test_a_return_overtaken_by_another_desk_gives_the_reason_back_to_the_note_field(qtbot, desk_as) -> None:
    """退回 with a reason, while another desk changed the incident: the step is a conflict; the detail says which
    step did not happen and what the incident is now, and the reason typed is back in the note field."""
    desk = desk_as("duty")
    incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
    desk.feature.select(incident.id)
    desk.session.client.transition(incident.id, "accept", incident.version)  # another desk, first
    desk.detail.note.clear()
    desk.controller.transition(incident.id, "return", incident.version, "地址有误，需网格员复核")
    qtbot.waitUntil(lambda: "未执行" in desk.detail.feedback.text(), timeout=15000)
    assert desk.detail.feedback.text().startswith("「退回」未执行"), desk.detail.feedback.text()
    assert desk.detail.note.text() == "地址有误，需网格员复核"


def test_a_unit_another_desk_sent_meanwhile_is_asked_about_and_said_in_the_list(qtbot, desk_as, exercise) -> None:
    """Two desks send the same unit to the same incident: the second desk's dialog, open while the first sent it,
    asks before sending it again (返回 sends nothing and says why, 仍要派遣 sends); a dialog opened later says the
    unit is already sent here and does not tick it, even when the unit reports itself available."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QMessageBox

    from commandwall.app.dispatch import DispatchOrder
    from commandwall.domain.workflow import TASKABLE
    from commandwall.ui.incidents.dispatch import DispatchDialog

    duty, commander = desk_as("duty"), desk_as("commander")
    incident = next(i for i in commander.session.incidents.open() if i.status in TASKABLE)
    commander.feature.select(incident.id)
    seen: dict = {"questions": [], "errors": []}
    watching = [True]
    give_up = time.monotonic() + 25  # then every dialog is closed: the test fails, it does not hang

    def answer() -> None:
        if not watching[0]:
            return
        QTimer.singleShot(20, answer)  # first: a click below may wait in a dialog of its own
        modal = QApplication.activeModalWidget()
        if time.monotonic() > give_up:
            if isinstance(modal, QDialog):
                modal.reject()
        elif isinstance(modal, QMessageBox):
            seen["questions"].append(modal.text())
            wanted = "返回" if len(seen["questions"]) == 1 else "仍要派遣"
            next(b for b in modal.buttons() if b.text() == wanted).click()
        elif isinstance(modal, DispatchDialog) and "dialog" not in seen:
            seen["dialog"], seen["unit"] = modal, modal.checked_unit_ids()[0]
            modal.instructions.setPlainText("赶赴现场核实")
            # meanwhile the other desk sends the same unit to the same incident
            duty.feature.send_dispatch(DispatchOrder(incident.id, (seen["unit"],), "公安", 2, "立即赶赴现场"))
        elif isinstance(modal, DispatchDialog) and seen["unit"] in commander.controller.units_sent_to(incident.id):
            seen["errors"].append(modal.error.text())
            modal.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, answer)
    try:
        commander.detail.sig_dispatch.emit(incident.id)
        qtbot.waitUntil(lambda: len(seen["questions"]) == 2, timeout=30000)
    finally:
        watching[0] = False
    unit = commander.session.units.get(seen["unit"])
    assert unit is not None
    assert unit.name in seen["questions"][0] and "已有本事件未办结的任务" in seen["questions"][0]
    assert any("未派遣" in text and unit.name in text for text in seen["errors"])  # after 返回: said, not sent

    def sent_by_both() -> bool:
        return len([t for t in commander.session.tasks.for_incident(incident.id) if t.unit_id == unit.id]) == 2

    qtbot.waitUntil(sent_by_both, timeout=20000)  # 仍要派遣: the officer meant it, sent
    exercise.store.save_unit(exercise.store.unit(unit.id).model_copy(update={"status": UnitStatus.AVAILABLE}))
    qtbot.waitUntil(lambda: commander.session.units.get(unit.id).status is UnitStatus.AVAILABLE, timeout=20000)
    found = commander.controller.dispatch_choices(incident.id)
    assert found is not None
    dialog = DispatchDialog(*found, commander.window)
    qtbot.addWidget(dialog)
    row = next(n for n in range(dialog.units.count())
               if dialog.units.item(n).data(Qt.ItemDataRole.UserRole) == unit.id)
    assert dialog.units.item(row).text().endswith(" · 已派往本事件")
    assert dialog.units.item(row).flags() & Qt.ItemFlag.ItemIsUserCheckable  # available: may be sent again
    assert unit.id not in dialog.checked_unit_ids() and dialog.checked_unit_ids()  # another unit ticked instead


def test_a_task_the_unit_refuses_is_told_and_the_incident_marked_until_dispatched_again(qtbot, desk_as,
                                                                                      exercise) -> None:
    """A unit refusing a task (the exercise platform's units do, now and then) is told once in the status bar with
    the unit, the task and the reason, whichever incident is shown; the incident is marked in the list and its
    detail says so, until another task is dispatched for it."""
    from commandwall.app.dispatch import DispatchOrder
    from commandwall.demo.simulator import REJECT_REASONS
    from commandwall.domain.models import TaskStatus
    from commandwall.domain.workflow import TASKABLE

    desk = desk_as("duty")
    messages: list[str] = []
    desk.feature.sig_message.connect(lambda text, _ms: messages.append(text))
    incident, other, third = [i for i in desk.session.incidents.open()
                              if i.status in TASKABLE and not desk.session.tasks.for_incident(i.id)][:3]
    units = [u for u in desk.session.units.all() if u.status is UnitStatus.AVAILABLE]
    desk.feature.select(incident.id)
    desk.feature.send_dispatch(DispatchOrder(incident.id, (units[0].id,), "公安", 2, "立即赶赴现场"))
    qtbot.waitUntil(lambda: any(t.unit_id == units[0].id for t in desk.session.tasks.for_incident(incident.id)),
                    timeout=20000)
    task = next(t for t in desk.session.tasks.for_incident(incident.id) if t.unit_id == units[0].id)
    assert not desk.feature.panel.model.is_refused(incident.id) and desk.detail.refused.isHidden()
    desk.feature.select(other.id)  # the officer has moved on to another incident
    qtbot.waitUntil(lambda: desk.detail.incident is not None and desk.detail.incident.id == other.id)

    exercise.store.set_task_status(task.id, TaskStatus.REJECTED, units[0].name, "车辆故障，无法出动")
    qtbot.waitUntil(lambda: any(task.id in m for m in messages), timeout=20000)
    told = [m for m in messages if task.id in m]
    assert len(told) == 1 and "拒绝" in told[0] and units[0].name in told[0] and incident.id in told[0], told
    assert any(reason in told[0] for reason in REJECT_REASONS), told  # the reason given (the simulator's own too)
    qtbot.waitUntil(lambda: desk.feature.panel.model.is_refused(incident.id), timeout=5000)
    row = desk.feature.panel.model.row_of(incident.id)
    tip = desk.feature.panel.model.data(desk.feature.panel.model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    assert "任务被拒绝" in tip
    assert not desk.feature.panel.model.is_refused(other.id)

    desk.feature.select(incident.id)
    qtbot.waitUntil(lambda: desk.detail.refused.isVisible(), timeout=5000)
    assert units[0].name in desk.detail.refused.text() and "重新派遣" in desk.detail.refused.text()

    desk.feature.send_dispatch(DispatchOrder(incident.id, (units[1].id,), "公安", 2, "改派"))
    qtbot.waitUntil(lambda: not desk.feature.panel.model.is_refused(incident.id), timeout=20000)
    qtbot.waitUntil(lambda: desk.detail.refused.isHidden(), timeout=5000)
    assert len([m for m in messages if task.id in m]) == 1  # told once

    # two units sent at once, one refuses: told, but the incident is not marked while the other is on its way
    desk.feature.send_dispatch(DispatchOrder(third.id, (units[2].id, units[3].id), "公安", 2, "两组赶赴现场"))
    qtbot.waitUntil(lambda: len(desk.session.tasks.for_incident(third.id)) == 2, timeout=20000)
    refused = desk.session.tasks.for_incident(third.id)[0]
    exercise.store.set_task_status(refused.id, TaskStatus.REJECTED, "unit", "人员不足，请改派")
    qtbot.waitUntil(lambda: any(refused.id in m for m in messages), timeout=20000)
    desk.feature.check_deadlines()
    assert not desk.feature.panel.model.is_refused(third.id)


def note_one_and_hear(qtbot, desk: IncidentDesk) -> tuple:
    """A note on an open incident through the detail's button, once the platform has it: (the incident, what
    the desk said meanwhile, in order)."""
    messages: list[str] = []
    desk.feature.sig_message.connect(lambda text, _ms: messages.append(text))
    incident = next(i for i in desk.session.incidents.open())
    desk.feature.select(incident.id)
    qtbot.waitUntil(lambda: desk.detail.note_button.isEnabled(), timeout=10000)
    desk.detail.note.setText("现场已有交警")
    qtbot.mouseClick(desk.detail.note_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "备注已送达平台" in messages, timeout=15000)
    return incident, messages


def test_an_action_on_a_live_platform_says_it_is_sending_and_waits_only_when_a_try_failed(
        qtbot, exercise, tmp_path) -> None:
    """With the platform heard, a note is 发送中… then 已送达, never 待发送（网络恢复后…）; when the platform fails
    it, the wait for the network is said (with the error)."""
    from tests.unit.backend_support import LocalServer, gated_proxy

    app, state = gated_proxy(exercise.base_url)
    with LocalServer(app) as proxy:
        desk = IncidentDesk(qtbot, proxy, tmp_path / "duty", "duty")
        try:
            qtbot.waitUntil(lambda: desk.session.hears_platform(), timeout=15000)
            incident, messages = note_one_and_hear(qtbot, desk)
            assert messages[0] == "备注发送中…", messages
            assert not any("待发送" in m for m in messages), messages

            messages.clear()
            state["broken"].add(f"/api/v1/incidents/{incident.id}/notes")  # the platform fails notes
            desk.detail.note.setText("第二条备注")
            qtbot.mouseClick(desk.detail.note_button, Qt.MouseButton.LeftButton)
            waiting = "待发送（网络恢复后自动重发，不会丢失）："
            qtbot.waitUntil(lambda: any(waiting in m for m in messages), timeout=15000)
            assert waiting in desk.detail.feedback.text()
        finally:
            desk.close()


def test_an_action_in_the_seconds_after_login_before_the_live_stream_is_up_says_it_is_sending(
        qtbot, tmp_path) -> None:
    """Logged in, the platform has just answered: a note sent while the live stream's first connect is still
    under way is 发送中… then 已送达, not 待发送（网络恢复后…） — the network is fine."""
    from tests.unit.backend_support import LocalServer, gated_proxy

    exercise = DemoBackend(db_path=tmp_path / "exercise.sqlite3", incident_rate_per_min=0, simulate=False).start()
    app, state = gated_proxy(exercise.base_url)
    stream_held, release = threading.Event(), threading.Event()

    def hold_the_stream(_method: str, path: str):
        if path == "/api/v1/events":
            stream_held.set()
            release.wait(30)  # the first connect hangs until the test lets it through
        return None

    state["garbage"] = hold_the_stream
    with exercise_stopped(exercise), LocalServer(app) as proxy:
        desk = IncidentDesk(qtbot, proxy, tmp_path / "duty", "duty")
        try:
            qtbot.waitUntil(stream_held.is_set, timeout=15000)
            assert not desk.session.hears_platform()  # the live stream is not up
            _incident, messages = note_one_and_hear(qtbot, desk)
            assert messages[0] == "备注发送中…", messages
            assert not any("待发送" in m for m in messages), messages
            assert not desk.session.hears_platform()  # said while the stream was still held
        finally:
            release.set()
            desk.close()


def test_the_dispatch_dialog_ticks_the_nearest_unit_of_the_incidents_department_else_the_nearest(
        qtbot, desk_as) -> None:
    """A 卫健 incident gets a 卫健 unit ticked and 卫健 as the department, not whichever unit is nearest; a
    category whose department has no unit free falls back to the nearest available unit."""
    from commandwall.domain.models import CATEGORY_DEPARTMENTS
    from commandwall.domain.workflow import TASKABLE
    from commandwall.ui.incidents.dispatch import DispatchDialog

    desk = desk_as("duty")
    units = desk.session.units.all()
    seen = 0
    for category, handles in sorted(CATEGORY_DEPARTMENTS.items()):
        incident = next((i for i in desk.session.incidents.open() if i.status in TASKABLE
                         and i.category == category), None)
        if incident is None:
            continue
        found, choices = desk.controller.dispatch_choices(incident.id)
        dialog = DispatchDialog(found, choices)
        qtbot.addWidget(dialog)
        ticked = desk.session.units.get(dialog.checked_unit_ids()[0])
        free = [c for c in choices if c.selectable and not c.sent_here]
        own = [c for c in free if c.unit.department == handles]
        nearest_own = min(own, key=lambda c: c.metres).unit if own else None
        nearest = min(free, key=lambda c: c.metres).unit
        if nearest_own is not None:
            assert ticked == nearest_own, (category, ticked, nearest)
            assert dialog.department.currentData() == handles
            seen += nearest_own != nearest  # nearest overall of another department: not picked
        else:
            assert ticked == nearest, category
    assert seen >= 1, "no incident whose nearest unit belongs to another department"
    assert {u.department for u in units} >= {"卫健", "公安"}


def test_refusals_made_while_the_desk_was_offline_are_told_once_when_the_tasks_are_loaded_again(
        qtbot, tmp_path) -> None:
    """Tasks loaded again as a whole (a login after an outage) bring no single task report: a refusal made in the
    outage, of a task the desk held or of one another desk dispatched meanwhile, is told then — once, with how
    many in all — and not at the next reload; a desk starting with a refusal already made marks it, tells nothing."""
    from commandwall.app.dispatch import DispatchOrder
    from commandwall.domain.models import TaskStatus
    from commandwall.domain.workflow import TASKABLE
    from tests.unit.backend_support import LocalServer, gated_proxy

    # the units do only what the test makes them do (the simulator's own refusals and arrivals would race it)
    exercise = DemoBackend(db_path=tmp_path / "exercise.sqlite3", incident_rate_per_min=0, simulate=False).start()
    app, state = gated_proxy(exercise.base_url)
    with exercise_stopped(exercise), LocalServer(app) as proxy:
        desk = IncidentDesk(qtbot, proxy, tmp_path / "duty", "duty")
        try:
            messages: list[str] = []
            desk.feature.sig_message.connect(lambda text, _ms: messages.append(text))
            incident, other = [i for i in desk.session.incidents.open()
                               if i.status in TASKABLE and not desk.session.tasks.for_incident(i.id)][:2]
            units = [u for u in desk.session.units.all() if u.status is UnitStatus.AVAILABLE]
            desk.feature.send_dispatch(DispatchOrder(incident.id, (units[0].id,), "公安", 2, "立即赶赴现场"))
            qtbot.waitUntil(lambda: bool(desk.session.tasks.for_incident(incident.id)), timeout=20000)
            held = desk.session.tasks.for_incident(incident.id)[0]

            # the outage: neither the live stream nor the task list reaches the desk
            state["events_status"] = 503
            state["broken"].add("/api/v1/tasks")
            state["cut"].set()
            qtbot.waitUntil(lambda: not desk.session.hears_platform() or desk.session.events is None
                            or desk.session.events.state is not ConnectionState.LIVE, timeout=30000)
            exercise.store.set_task_status(held.id, TaskStatus.REJECTED, units[0].name, "车辆故障，无法出动")
            unseen, _ = exercise.store.create_task(
                {"incident_id": other.id, "unit_id": units[1].id, "department": "公安", "priority": 2,
                 "instructions": "另一席位派遣"}, "other-desk-1", "other-desk-1", "commander")
            exercise.store.set_task_status(unseen.id, TaskStatus.REJECTED, units[1].name, "人员不足，请改派")
            time.sleep(1.0)
            assert not any(held.id in m or unseen.id in m for m in messages), messages

            def log_in_again() -> None:  # the platform is back: the desk logs in and loads everything again
                with qtbot.waitSignal(desk.signals.sig_ready, timeout=30000):
                    desk.session.log_in("duty", desk.session.settings.password_value())
                desk.feature.on_ready()

            state["broken"].discard("/api/v1/tasks")
            log_in_again()
            told = [m for m in messages if held.id in m or unseen.id in m]
            assert len(told) == 2, messages  # each in the message history, once
            assert "共 2 项被拒绝" in messages[-1], messages  # the status line counts them
            assert units[0].name in " ".join(told) and units[1].name in " ".join(told)
            desk.feature.check_deadlines()
            assert desk.feature.panel.model.is_refused(incident.id) and desk.feature.panel.model.is_refused(other.id)

            messages.clear()
            log_in_again()  # a second reload: nothing new
            state["events_status"] = 200
            state["cut"].clear()
            time.sleep(1.0)
            assert not any(held.id in m or unseen.id in m for m in messages), messages
        finally:
            desk.close()

        # a desk starting now finds the refusals already made: marked, not told
        later = IncidentDesk(qtbot, exercise, tmp_path / "later", "duty")
        try:
            said: list[str] = []
            later.feature.sig_message.connect(lambda text, _ms: said.append(text))
            later.feature.check_deadlines()
            assert later.feature.panel.model.is_refused(incident.id) and later.feature.panel.model.is_refused(other.id)
            log_in = later.session.settings.password_value()
            with qtbot.waitSignal(later.signals.sig_ready, timeout=30000):
                later.session.log_in("duty", log_in)
            later.feature.on_ready()
            time.sleep(0.5)
            assert not any(held.id in m or unseen.id in m for m in said), said
        finally:
            later.close()


@contextlib.contextmanager
def exercise_stopped(backend: DemoBackend) -> Iterator[DemoBackend]:
    """``backend`` (started), stopped at the end of the block."""
    try:
        yield backend
    finally:
        backend.stop()


def test_a_hostile_refusal_reason_is_told_and_shown_as_its_characters(qtbot, desk_as, exercise) -> None:
    """A refusal's reason comes from the field: markup, template syntax and a right-to-left override in it reach
    the status line and the detail's refusal line as characters (marked), never as formatting or a reordering."""
    from commandwall.app.dispatch import DispatchOrder
    from commandwall.domain.models import TaskStatus
    from commandwall.domain.workflow import TASKABLE
    from commandwall.textsafe import display_text

    hostile = "<b>粗</b>{{7*7}}\u202egnp.exe"
    desk = desk_as("duty")
    messages: list[str] = []
    desk.feature.sig_message.connect(lambda text, _ms: messages.append(text))
    incident = next(i for i in desk.session.incidents.open()
                    if i.status in TASKABLE and not desk.session.tasks.for_incident(i.id))
    unit = next(u for u in desk.session.units.all() if u.status is UnitStatus.AVAILABLE)
    desk.feature.select(incident.id)
    desk.feature.send_dispatch(DispatchOrder(incident.id, (unit.id,), "公安", 2, "立即赶赴现场"))
    qtbot.waitUntil(lambda: any(t.unit_id == unit.id for t in desk.session.tasks.for_incident(incident.id)),
                    timeout=20000)
    task = next(t for t in desk.session.tasks.for_incident(incident.id) if t.unit_id == unit.id)
    exercise.store.set_task_status(task.id, TaskStatus.REJECTED, unit.name, hostile)
    qtbot.waitUntil(lambda: any(task.id in m for m in messages), timeout=20000)
    told = next(m for m in messages if task.id in m)
    assert display_text(hostile, isolate=True) in told and "\u202e" not in told, told
    qtbot.waitUntil(lambda: desk.detail.refused.isVisible(), timeout=5000)
    shown = desk.detail.refused
    assert shown.textFormat() == Qt.TextFormat.PlainText
    assert "<b>粗</b>{{7*7}}" in shown.text() and "\u202e" not in shown.text() and "49" not in shown.text()
