"""Qt adapters: store and session callbacks (from any thread) become signals delivered on the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from commandwall.app.session import ClientListener, ClientSession
from commandwall.ui.map.view import MapView


class ClientSignals(QObject):
    """Re-emits the plain-Python session's callbacks and store changes as Qt signals.

    The object lives on the GUI thread, so a signal emitted from a backend thread is queued and its slots run
    on the GUI thread — widgets never touch the stores from another thread.
    """

    sig_progress = Signal(str)
    sig_ready = Signal()
    sig_failed = Signal(str)
    sig_login_needed = Signal(str)  # why (may be empty)
    sig_layers = Signal(object, object, str)  # list[Layer], list[str] errors, the map page built for them
    sig_connection = Signal(object, str)  # ConnectionState, detail
    sig_incident = Signal(object)  # Incident
    sig_unit = Signal(object)  # Unit
    sig_camera = Signal(object)  # Camera (status changed)
    sig_task = Signal(object)  # Task
    sig_outbox = Signal(object)  # outbox item
    sig_timeline = Signal(object)  # TimelineEntry (new, from the event stream)

    _session: ClientSession | None = None

    def listener(self) -> ClientListener:
        """Callbacks for ``ClientSession`` that emit these signals."""
        return ClientListener(
            on_progress=self.sig_progress.emit,
            on_ready=self._on_ready,
            on_layers=self._on_layers,
            on_failed=self.sig_failed.emit,
            on_connection=self.sig_connection.emit,
            on_login_needed=self.sig_login_needed.emit,
        )

    def _on_layers(self, layers: list, errors: list[str]) -> None:
        """Runs on the session's worker thread: build the map page there, not on the GUI thread."""
        self.sig_layers.emit(layers, errors, MapView.build_page(layers))

    def _on_ready(self) -> None:
        """Runs on the session's worker thread once it is connected: its outbox exists from now on."""
        outbox = self._session.outbox if self._session is not None else None
        if outbox is not None:
            outbox.add_listener(self.sig_outbox.emit)
        self.sig_ready.emit()

    def watch(self, session: ClientSession) -> None:
        """Subscribe to the session's stores (and to its outbox once it is connected)."""
        self._session = session
        session.incidents.add_listener(self.sig_incident.emit)
        session.units.add_listener(self.sig_unit.emit)
        session.cameras.add_listener(self.sig_camera.emit)
        session.tasks.add_listener(self.sig_task.emit)
        session.stores.timeline.add_listener(self.sig_timeline.emit)
