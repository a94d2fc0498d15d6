"""The incident centre feature: the :class:`IncidentPanel` and the dispatch dialog bound to their
:class:`IncidentsController`."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QVBoxLayout, QWidget

from commandwall.app.attachments import AttachmentRef, newest_attachments
from commandwall.app.dispatch import DispatchOffer, DispatchOrder, resource_instructions
from commandwall.app.incident_filter import NO_FILTER, IncidentFilter
from commandwall.app.incidents import (
    NOTE_SENT,
    TRANSITION_SENT,
    IncidentsController,
    NotStored,
    is_local_warning,
)
from commandwall.app.warnings import WarningsController
from commandwall.backend.outbox import OutboxItem
from commandwall.domain.models import Incident, Task, TimelineEntry
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.incidents.dispatch import DispatchDialog
from commandwall.ui.incidents.panel import IncidentPanel
from commandwall.ui.incidents.undelivered import UndeliveredDialog
from commandwall.ui.incidents.view_state import IncidentViewState
from commandwall.ui.status import offline_text
from commandwall.ui.text import plain_label, plain_tooltip


class IncidentsFeature(QObject):
    """事件中心: ``widget`` to place, ``on_ready()`` once the session is connected.

    Signals: ``sig_message(text, timeout_ms)`` (text made safe to show); the panel's
    ``sig_incident_selected(id)`` and the detail's ``sig_locate(id)`` are what the map follows. ``window`` is
    the window that flashes for urgent incidents and owns the dispatch dialog. Every second the 督办 state is
    checked: overdue incidents are highlighted and the shown one offers 超时上报.
    """

    #: How often deadlines are checked (ms).
    SUPERVISION_MS = 1000
    #: task reports for the shown incident within this long are shown together
    TASK_BURST_MS = 200

    sig_message = Signal(str, int)
    #: 区域摄像机上墙 of an early warning: the cameras inside its area, for the wall.
    sig_cameras_to_wall = Signal(list)
    #: The user cleared the dashboard's filter on the panel (the map shows all again too).
    sig_filter_cleared = Signal()
    #: A timeline fetched on the controller's worker thread (incident id, entries or None, error), to the GUI.
    _sig_timeline = Signal(str, object, str)
    #: An attachment copied and queued, or refused (feedback, queued), from the attachment worker to the GUI.
    _sig_attached = Signal(str, bool)
    #: An attachment fetched (AttachmentRef, local path or None, error, open it), from the worker to the GUI.
    _sig_fetched = Signal(object, object, str, bool)
    #: the dispatch worker ranked the units: (incident and choices, or None), unit to tick, instructions, the
    #: window to open the dialog over (None: the incident centre's)
    _sig_dispatch_ranked = Signal(object, object, str, object)
    #: what to say of the data folder (cannot be written, nearly full), from the check's thread to the GUI
    _sig_folder_problem = Signal(str)

    def __init__(self, controller: IncidentsController, signals: ClientSignals, window: QWidget,
                 warnings: WarningsController | None = None, data_dir: Path | None = None) -> None:
        super().__init__(window)
        self.controller = controller
        self._warnings = warnings  # what an early warning's area holds (its detail says, 上墙 offers)
        self._window = window
        self.panel = IncidentPanel()
        #: the list and detail split as the officer left it at the last run (none kept without a data folder)
        self._view_state = IncidentViewState(data_dir) if data_dir is not None else None
        if self._view_state is not None:
            self.panel.splitter.restore_share(self._view_state.list_share())
        self.panel.detail.placement_of = controller.placement  # 位置: computed from the point, or the platform's
        self.panel.detail.pending_of = controller.pending_steps  # 待发送: its steps wait while one does
        # Above the list: a banner while the list shows the last known state instead of live data.
        self.offline_banner = plain_label()
        self.offline_banner.setObjectName("offlineBanner")
        self.offline_banner.setStyleSheet("background: #a8071a; color: white; padding: 4px; font-weight: bold;")
        self.offline_banner.hide()
        self.widget = QWidget()
        layout = QVBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.offline_banner)
        layout.addWidget(self.panel, 1)
        self._live = False  # incidents arriving after start-up are new to the duty officer
        self._held_offline = False  # the last known state's tasks are what the desk knew before the first load
        signals.sig_incidents.connect(self._on_incidents)
        signals.sig_task.connect(self._on_task)
        signals.sig_outbox.connect(self._on_outbox)
        signals.sig_timeline.connect(self._on_timeline_entry)
        signals.sig_offline_data.connect(self.show_offline_data)
        signals.sig_warning_problem.connect(self._on_warning_problem)
        self.panel.sig_incident_selected.connect(self._show_tasks)
        self.panel.sig_incident_selected.connect(self.refresh_timeline)
        self.panel.sig_incident_selected.connect(self._show_warning_reach)
        self.panel.detail.sig_cameras_to_wall.connect(self.sig_cameras_to_wall)
        self.panel.detail.sig_action.connect(self._request_transition)
        self.panel.detail.sig_dispatch.connect(self._open_dispatch)
        self.panel.detail.sig_note.connect(self._add_note)
        self._sig_timeline.connect(self._show_timeline)
        self.panel.detail.sig_escalate.connect(self._escalate)
        self.panel.detail.sig_choose_attachment.connect(self._choose_attachment)
        self.panel.detail.sig_attach.connect(self.attach_file)
        self.panel.detail.sig_open_attachment.connect(self.open_attachment)
        self.panel.detail.sig_save_attachment.connect(self._save_attachment)
        self._sig_attached.connect(self._on_attached)
        self._sig_folder_problem.connect(self._say_folder_problem)
        self._sig_fetched.connect(self._on_fetched)
        self._dispatch_asked = False
        self._sig_dispatch_ranked.connect(self._on_dispatch_ranked)
        #: Hands a fetched local copy to the system (the default application for its type); replaceable.
        self.open_local_file: Callable[[Path], object] = lambda path: QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(path)))
        self._task_lines: list[tuple[str, bool]] = []
        self._task_burst = QTimer(self)
        self._task_burst.setSingleShot(True)
        self._task_burst.setInterval(self.TASK_BURST_MS)
        self._task_burst.timeout.connect(self._after_task_burst)
        self._supervision = QTimer(self)
        self._supervision.setInterval(self.SUPERVISION_MS)
        self._supervision.timeout.connect(self.check_deadlines)
        self._supervision.start()
        self.panel.sig_filter_cleared.connect(self._on_filter_cleared)
        #: 未送达的操作 (opened from the button above the list; one, kept while the window lives)
        self.undelivered_dialog: UndeliveredDialog | None = None
        self.panel.undelivered_button.clicked.connect(self.show_undelivered)

    def save_view(self) -> None:
        """Remember the split between the list and the detail, once the officer has dragged it (a split never
        dragged is left to the rule, as the screen it opens on may differ next time)."""
        share = self.panel.splitter.kept_share()
        if self._view_state is not None and share is not None:
            self._view_state.save_list_share(share)

    def apply_filter(self, incident_filter: IncidentFilter) -> None:
        """List only the incidents ``incident_filter`` passes (``NO_FILTER``: all)."""
        self.controller.set_filter(incident_filter)
        self.panel.set_filter(incident_filter)

    def _on_filter_cleared(self) -> None:
        self.controller.set_filter(NO_FILTER)
        self.sig_filter_cleared.emit()

    def on_ready(self) -> None:
        """List the incidents (again after another login: the selection stays); the workflow buttons follow
        the user's rights. Refusals the tasks loaded again bring (made while the desk was not live, or since the
        last known state a start during an outage showed) are told."""
        self.apply_rights()
        self.offline_banner.hide()
        self.panel.set_incidents(self.controller.incidents())
        if not self._live and not self._held_offline:  # refusals of before this run are marked, not news
            self.controller.note_refusals_known()
        else:  # the tasks were loaded (again) as a whole: no single task report told of what changed meanwhile
            notices = self.controller.reload_refusal_notices()
            for notice in notices:
                self.sig_message.emit(notice, 20000)
            if notices:
                self.panel.model.set_refused(self.controller.refused_incident_ids(fresh=True))
        self._live = True
        self._recount_undelivered()  # refused actions of the last run are listed still
        self.controller.prepare_dispatch()
        # said now, not first when an action is refused for it; asked off the GUI thread (it writes a file in the
        # data folder and reads the disk's free space: a hung network mount would freeze the window)
        threading.Thread(target=self._check_data_folder, name="commandwall-datafolder-check", daemon=True).start()

    def _check_data_folder(self) -> None:
        problem = self.controller.data_folder_warning()
        if problem:
            with contextlib.suppress(RuntimeError):  # the window is gone meanwhile
                self._sig_folder_problem.emit(problem)

    def _say_folder_problem(self, problem: str) -> None:
        self.sig_message.emit(display_text(problem), 30000)

    def _on_warning_problem(self, text: str) -> None:
        self.sig_message.emit(display_text(text), 10000)

    def show_offline_data(self, saved_at) -> None:
        """The platform is unreachable: list the last known incidents under a banner saying they are not live
        and when they were saved."""
        self.offline_banner.setText(translate("IncidentCentre", "{offline}（非实时，平台恢复后自动更新）").format(
            offline=offline_text(saved_at)))
        self.offline_banner.show()
        self.panel.set_incidents(self.controller.incidents())
        if not self._live:  # a start during an outage: what the desk knew is what it saved last
            self._held_offline = self.controller.hold_last_known_tasks(saved_at)

    def apply_rights(self) -> None:
        """Workflow, dispatch and note buttons as the user's role allows (not after logout)."""
        self.panel.detail.set_rights(self.controller.rights)

    def selected_incident_id(self) -> str | None:
        """The incident shown in the detail view."""
        shown = self.panel.detail.incident
        return shown.id if shown is not None else None

    def select(self, incident_id: str) -> None:
        """Select an incident in the list (e.g. clicked on the map)."""
        self.panel.select(incident_id)

    def refresh_timeline(self, incident_id: str | None = None) -> None:
        """Fetch the timeline of the shown incident (or ``incident_id``) in the background and show it."""
        incident_id = incident_id or self.selected_incident_id()
        if incident_id is not None:
            self.controller.fetch_timeline(incident_id, self._timeline_fetched)

    def _timeline_fetched(self, incident_id: str, entries: list[TimelineEntry] | None, error: str) -> None:
        """On the fetch worker: the lines and attachments are made there, the window only shows them."""
        if entries is None:
            self._sig_timeline.emit(incident_id, None, display_text(error))
        else:
            lines = self.controller.timeline_lines(entries)
            self._sig_timeline.emit(incident_id, (lines, *newest_attachments(entries)), "")

    def _show_timeline(self, incident_id: str, shown: tuple[list[str], list[AttachmentRef], int] | None,
                       error: str) -> None:
        if incident_id != self.selected_incident_id():
            return  # the user moved on meanwhile
        if shown is None:
            self.panel.detail.show_timeline([error])
        else:
            lines, attachments, earlier = shown
            self.panel.detail.show_timeline(lines)
            self.panel.detail.show_attachments(attachments, earlier)

    def _on_timeline_entry(self, entry: TimelineEntry) -> None:
        """Another desk's note (or any change) on the shown incident: show the timeline as it is now."""
        if entry.incident_id == self.selected_incident_id():
            self.refresh_timeline()

    def _on_incidents(self, incidents: list[Incident]) -> None:
        """A batch of changed incidents (a few times a second at most): one list update, one notice."""
        selected = self.selected_incident_id()
        if selected is not None and any(i.id == selected for i in incidents):
            self.refresh_timeline()
        added = self.panel.upsert_incidents(incidents, unseen=self._live)
        if added and self._live:
            # The most pressing newcomer speaks for the batch; the others are counted.
            first = min(added, key=lambda i: i.priority)
            notice = self.controller.arrival_notice(first)
            more = (translate("IncidentCentre", "（另有 {count} 起新事件）").format(count=len(added) - 1)
                    if len(added) > 1 else "")
            self.sig_message.emit(notice.text + more, 20000)
            if notice.urgent:
                QApplication.alert(self._window)  # flashes the task bar entry until the window is looked at

    def _show_warning_reach(self, *_args: object) -> None:
        """For an active early warning shown in the detail: how many cameras and open incidents its area
        holds, and 区域摄像机上墙; for any other incident nothing."""
        shown = self.panel.detail.incident
        reach = (self._warnings.reach(shown.id) if self._warnings is not None and shown is not None
                 and is_local_warning(shown) else None)
        if reach is None:
            self.panel.detail.show_warning_reach(None, [])
        else:
            self.panel.detail.show_warning_reach(reach.describe(), reach.camera_ids)

    def _on_task(self, task: Task) -> None:
        """A task of the shown incident changed: its tasks and timeline are shown again, once for a burst of task
        reports (a timer, not at every one: each rebuild lists the tasks and fetches the timeline). A unit
        refusing a task is told in the status bar (and so the message history), whichever incident is shown."""
        refusal = self.controller.refusal_notice(task) if self._live else ""
        if refusal:
            self.sig_message.emit(refusal, 20000)
            self.panel.model.set_refused(self.controller.refused_incident_ids(fresh=True))
        if task.incident_id == self.selected_incident_id() and not self._task_burst.isActive():
            self._task_burst.start()

    def _after_task_burst(self) -> None:
        incident_id = self.selected_incident_id()
        if incident_id is not None:
            self._show_tasks(incident_id)
            self.refresh_timeline()

    def _show_tasks(self, incident_id: str) -> None:
        self._task_lines = self.controller.describe_tasks(incident_id)
        self.panel.detail.show_tasks(self._task_lines)
        self.check_deadlines()

    def check_deadlines(self) -> None:
        """督办: highlight the overdue incidents, and for the shown one say how many tasks are late and offer
        超时上报 (as the role allows); the task lines follow the clock."""
        self.panel.model.set_overdue(self.controller.overdue_incident_ids())
        self.panel.model.set_refused(self.controller.refused_incident_ids())
        shown = self.panel.detail.incident
        if shown is None:
            return
        self.panel.detail.show_refusal(self.controller.refusal_line(shown.id))
        if is_local_warning(shown):  # what its area holds changes as incidents come and go
            self._show_warning_reach()
        lines = self.controller.describe_tasks(shown.id)
        if lines != self._task_lines:
            self._task_lines = lines
            self.panel.detail.show_tasks(lines)
        choice = self.controller.escalate_choice(shown)
        late = self.controller.late_tasks(shown.id)
        text = translate("IncidentCentre", "督办：{count} 项任务超过办结时限").format(count=late) if choice else ""
        self.panel.detail.show_overdue(choice, text)

    def _escalate(self, incident_id: str) -> None:
        feedback = self.controller.escalate_overdue(incident_id)
        self._answer(feedback, queued=feedback == translate("incidents", TRANSITION_SENT))

    def _answer(self, feedback: str, *, queued: bool) -> None:
        """Say on the detail what became of the officer's action (``queued``: it waits for the platform's answer;
        otherwise the buttons come back). One the desk could not store is also put in the message log."""
        self.panel.detail.set_feedback(feedback, settled=not queued)
        if isinstance(feedback, NotStored):
            self.sig_message.emit(display_text(feedback), 20000)

    def _request_transition(self, incident_id: str, action: str, version: int, note: str) -> None:
        into = None
        if action == "merge":
            into = self._ask_merge_target(incident_id)
            if into is None:
                self.panel.detail.set_feedback("", settled=True)
                return
        feedback = self.controller.transition(incident_id, action, version, note, into)
        queued = feedback == translate("incidents", TRANSITION_SENT)
        if queued and note.strip():
            self.panel.detail.note_taken()  # not before: a step not taken leaves its reason in the field
        self._answer(feedback, queued=queued)

    def _ask_merge_target(self, incident_id: str) -> str | None:
        """The incident a duplicate is merged into, chosen by the user (None: cancelled)."""
        targets = self.controller.merge_targets(incident_id)
        if not targets:
            return None
        labels = [display_text(f"{t.id} {t.title}") for t in targets]
        label, ok = QInputDialog.getItem(self._panel_window(), translate("IncidentCentre", "合并重复事件"),
                                         translate("IncidentCentre", "将所选事件作为重复事件合并到："),
                                         labels, 0, False)
        return targets[labels.index(label)].id if ok and label in labels else None

    def _add_note(self, incident_id: str, text: str) -> None:
        feedback = self.controller.add_note(incident_id, text)
        queued = feedback == translate("incidents", NOTE_SENT)
        if queued:
            self.panel.detail.note_taken()
        self._answer(feedback, queued=queued)

    # ---- 附件 ------------------------------------------------------------------------------------------
    def _choose_attachment(self, incident_id: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self._panel_window(), translate("IncidentsFeature", "选择附件"))
        if path:
            self.attach_file(incident_id, path)

    def attach_file(self, incident_id: str, path: str) -> None:
        """Copy ``path`` into the outbox and queue it for the incident (off the GUI thread); the detail says
        where it stands."""
        self.panel.detail.set_feedback(translate("IncidentsFeature", "正在准备附件…"), settled=False)
        self.controller.attachments.attach(incident_id, Path(path), self._sig_attached.emit)

    def _on_attached(self, feedback: str, queued: bool) -> None:
        self.panel.detail.set_feedback(feedback, settled=not queued)
        self.sig_message.emit(display_text(feedback), 6000)

    def open_attachment(self, ref: AttachmentRef) -> None:
        """Fetch a local copy of the attached file and open it with the system's application; a file that
        would run or render as a page (``.html``, ``.exe`` …) is offered to save instead."""
        if not ref.opens_directly:
            self._save_attachment(ref)
            return
        self.panel.detail.set_feedback(translate("IncidentsFeature", "正在获取附件…"), settled=True)
        self.controller.attachments.fetch(ref, lambda path, error: self._sig_fetched.emit(ref, path, error, True))

    def _save_attachment(self, ref: AttachmentRef) -> None:
        suggested = str(Path.home() / ref.file_name)
        target, _ = QFileDialog.getSaveFileName(self._panel_window(), translate("IncidentsFeature", "附件另存为"),
                                                suggested)
        if target:
            self.save_attachment(ref, Path(target))

    def save_attachment(self, ref: AttachmentRef, target: Path) -> None:
        """Fetch the attached file into ``target`` (chosen by the user)."""
        self.controller.attachments.fetch(ref, lambda path, error: self._sig_fetched.emit(ref, path, error, False),
                                          target)

    def _on_fetched(self, ref: AttachmentRef, path: Path | None, error: str, open_it: bool) -> None:
        if path is None:
            self.panel.detail.set_feedback(error)
            return
        shown = display_text(ref.name, 80, isolate=True)
        if open_it:
            self.open_local_file(path)
            self.panel.detail.set_feedback(translate("IncidentsFeature", "已打开附件 {name}").format(name=shown))
        else:
            self.panel.detail.set_feedback(translate("IncidentsFeature", "附件 {name} 已保存").format(name=shown))

    def unit_offer(self, unit_id: str) -> DispatchOffer:
        """What the unit's map card offers: the selected incident, else the open incidents nearest it."""
        return self.controller.unit_offer(self.selected_incident_id(), unit_id)

    def resource_offer(self, resource: Mapping[str, Any]) -> DispatchOffer:
        """What an emergency resource's map card offers (``resource`` as the map has it)."""
        return self.controller.resource_offer(self.selected_incident_id(), resource)

    def dispatch_unit(self, unit_id: str, incident_id: str | None = None) -> None:
        """派往所选事件 (or to the incident ``incident_id`` a unit's card offered): the incident is selected and
        its dispatch dialog opens with ``unit_id`` ticked; a refusal (no incident, role, status, unit busy) is
        said in the status bar instead."""
        incident_id = incident_id or self.selected_incident_id()
        reason = self.controller.unit_dispatch_refusal(incident_id, unit_id)
        if reason is not None:
            self.sig_message.emit(display_text(reason), 8000)
            return
        assert incident_id is not None
        self._dispatch_from_map(incident_id, unit_id=unit_id)

    def dispatch_resource(self, resource: Mapping[str, Any], incident_id: str | None = None) -> None:
        """调派至所选事件 from an emergency resource's card: the incident is selected and its dispatch dialog
        opens with the resource named in the instructions (the nearest available unit ticked, as always); a
        refusal (no incident, role, status, resource out of service) is said in the status bar instead."""
        incident_id = incident_id or self.selected_incident_id()
        reason = self.controller.resource_dispatch_refusal(incident_id, resource)
        if reason is not None:
            self.sig_message.emit(display_text(reason), 8000)
            return
        assert incident_id is not None
        self._dispatch_from_map(incident_id, instructions=resource_instructions(resource))

    def _dispatch_from_map(self, incident_id: str, *, unit_id: str | None = None, instructions: str = "") -> None:
        """Show the incident a map card sends to (its feedback lands on its detail), then its dispatch dialog."""
        if incident_id != self.selected_incident_id():
            self.select(incident_id)
        self._open_dispatch(incident_id, unit_id, instructions, over=self._window)  # the map's window

    def _open_dispatch(self, incident_id: str, unit_id: str | None = None, instructions: str = "",
                       over: QWidget | None = None) -> None:
        """Rank the units on the dispatch worker (a large roads layer or thousands of units take seconds), then
        open the dialog over ``over`` (by default the window the incident centre is in: on a desk of several
        screens, the officer's eyes are there); a second click while ranking is not a second dialog."""
        if self._dispatch_asked:
            return
        self._dispatch_asked = True
        self.panel.detail.set_feedback(translate("IncidentCentre", "正在按路网计算最近力量…"), settled=False)
        self.controller.dispatch_choices_later(
            incident_id, lambda found: self._sig_dispatch_ranked.emit(found, unit_id, instructions, over))

    def _panel_window(self) -> QWidget:
        """The window the incident centre is in now: the main window, or its own screen's window."""
        return self.panel.window()

    def _on_dispatch_ranked(self, found: object, unit_id: str | None, instructions: str, over: object) -> None:
        self._dispatch_asked = False
        self.panel.detail.set_feedback("", settled=True)
        if found is None:
            return
        parent = over if isinstance(over, QWidget) else self._panel_window()
        incident_id = found[0].id
        dialog = DispatchDialog(*found, parent, preselect=unit_id, instructions=instructions,
                                caveat=self.controller.units_caveat(),
                                sent_to=lambda: self.controller.units_sent_to(incident_id),
                                send=self._send_from_dialog)
        dialog.exec()  # 派遣 sends (``_send_from_dialog``): a dispatch the desk cannot store keeps the dialog open

    def _send_from_dialog(self, order: DispatchOrder) -> str | None:
        """The dialog's 派遣: queue it; the refusal when the desk could not store it (the dialog stays open)."""
        feedback = self.send_dispatch(order)
        return feedback if isinstance(feedback, NotStored) else None

    def send_dispatch(self, order: DispatchOrder) -> str:
        """Queue the tasks the dialog asked for (one per unit, all or none) and say so on the incident; returns
        what was said."""
        feedback = self.controller.dispatch_order(order)
        self._answer(feedback, queued=not isinstance(feedback, NotStored))
        return feedback

    def show_undelivered(self) -> None:
        """Open 未送达的操作: the actions the platform refused or another desk overtook, with 重试 and 忽略."""
        if self.undelivered_dialog is None:
            self.undelivered_dialog = UndeliveredDialog(
                self.controller.undelivered_actions, self._retry_undelivered, self._dismiss_undelivered,
                self._redispatch, self._panel_window())
        else:
            self.undelivered_dialog.reload()
        self.undelivered_dialog.show()
        self.undelivered_dialog.raise_()
        self.undelivered_dialog.activateWindow()

    def _retry_undelivered(self, row_id: int) -> str:
        feedback = self.controller.retry_undelivered(row_id)
        self.sig_message.emit(display_text(feedback), 6000)
        return feedback

    def _dismiss_undelivered(self, row_id: int) -> bool:
        return self.controller.dismiss_undelivered(row_id)

    def _redispatch(self, incident_id: str, instructions: str) -> None:
        """重新派遣… of a refused dispatch: its incident shown, and a new dispatch dialog with its instructions."""
        if incident_id != self.selected_incident_id():
            self.select(incident_id)
        self._open_dispatch(incident_id, None, instructions, over=self.undelivered_dialog)

    def _recount_undelivered(self) -> None:
        self.panel.set_undelivered(self.controller.undelivered_count())
        if self.undelivered_dialog is not None and self.undelivered_dialog.isVisible():
            self.undelivered_dialog.reload()

    def _on_outbox(self, item: OutboxItem) -> None:
        if item.kind == "task":  # an unsent task is listed (待发送) until the platform has it
            self.check_deadlines()
        self._recount_undelivered()  # refused, set aside or queued again: from memory
        notice = self.controller.outbox_notice(item)
        shown = notice.incident_id is not None and notice.incident_id == self.selected_incident_id()
        if shown:  # its steps, notes and files waiting (待发送) or refused (未送达): said, and the steps wait
            self.panel.detail.show_pending()
        if not notice.text:
            return
        if shown:
            self.panel.detail.set_feedback(notice.text, settled=notice.settled)
            self.panel.detail.feedback.setToolTip(plain_tooltip(notice.detail) if notice.detail else "")
            if notice.note_back.strip() and not self.panel.detail.note.text().strip():
                self.panel.detail.note.setText(notice.note_back)  # the reason is his: not lost with the step
            if notice.settled:
                self.refresh_timeline()
        self.sig_message.emit(display_text(notice.text), 6000)
