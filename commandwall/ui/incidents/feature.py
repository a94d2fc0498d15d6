"""The incident centre feature: the :class:`IncidentPanel` and the dispatch dialog bound to their
:class:`IncidentsController`."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

from commandwall.app.incidents import IncidentsController
from commandwall.backend.outbox import OutboxItem
from commandwall.domain.models import Incident, Task
from commandwall.textsafe import display_text
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.incidents.dispatch import DispatchDialog
from commandwall.ui.incidents.panel import IncidentPanel


class IncidentsFeature(QObject):
    """事件中心: ``widget`` to place, ``on_ready()`` once the session is connected.

    Signals: ``sig_message(text, timeout_ms)`` (text made safe to show); the panel's
    ``sig_incident_selected(id)`` and the detail's ``sig_locate(id)`` are what the map follows. ``window`` is
    the window that flashes for urgent incidents and owns the dispatch dialog.
    """

    sig_message = Signal(str, int)

    def __init__(self, controller: IncidentsController, signals: ClientSignals, window: QWidget) -> None:
        super().__init__(window)
        self.controller = controller
        self._window = window
        self.panel = IncidentPanel()
        self.widget = self.panel
        self._live = False  # incidents arriving after start-up are new to the duty officer
        signals.sig_incident.connect(self._on_incident)
        signals.sig_task.connect(self._on_task)
        signals.sig_outbox.connect(self._on_outbox)
        self.panel.sig_incident_selected.connect(self._show_tasks)
        self.panel.detail.sig_action.connect(self._request_transition)
        self.panel.detail.sig_dispatch.connect(self._open_dispatch)

    def on_ready(self) -> None:
        """List the incidents (again after another login: the selection stays); the workflow buttons follow
        the user's rights."""
        self.apply_rights()
        self.panel.set_incidents(self.controller.incidents())
        self._live = True

    def apply_rights(self) -> None:
        """Workflow and dispatch buttons only for users who may act (not viewers, not after logout)."""
        self.panel.detail.set_can_act(self.controller.can_act)

    def selected_incident_id(self) -> str | None:
        """The incident shown in the detail view."""
        shown = self.panel.detail.incident
        return shown.id if shown is not None else None

    def select(self, incident_id: str) -> None:
        """Select an incident in the list (e.g. clicked on the map)."""
        self.panel.select(incident_id)

    def _on_incident(self, incident: Incident) -> None:
        is_new = self.panel.upsert_incident(incident, unseen=self._live)
        if is_new and self._live:
            notice = self.controller.arrival_notice(incident)
            self.sig_message.emit(notice.text, 20000)
            if notice.urgent:
                QApplication.alert(self._window)  # flashes the task bar entry until the window is looked at

    def _on_task(self, task: Task) -> None:
        if task.incident_id == self.selected_incident_id():
            self._show_tasks(task.incident_id)

    def _show_tasks(self, incident_id: str) -> None:
        self.panel.detail.show_tasks(self.controller.tasks_for(incident_id))

    def _request_transition(self, incident_id: str, action: str, version: int) -> None:
        self.panel.detail.set_feedback(self.controller.transition(incident_id, action, version), settled=False)

    def _open_dispatch(self, incident_id: str) -> None:
        choices = self.controller.dispatch_choices(incident_id)
        if choices is None:
            return
        dialog = DispatchDialog(*choices, self._window)
        if dialog.exec():
            self.panel.detail.set_feedback(self.controller.dispatch(dialog.payload()), settled=False)

    def _on_outbox(self, item: OutboxItem) -> None:
        notice = self.controller.outbox_notice(item)
        if not notice.text:
            return
        if notice.incident_id is not None and notice.incident_id == self.selected_incident_id():
            self.panel.detail.set_feedback(notice.text, settled=notice.settled)
        self.sig_message.emit(display_text(notice.text), 6000)
