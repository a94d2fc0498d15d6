"""Qt adapters: store and session callbacks (from any thread) become signals delivered on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from commandwall.app.session import ClientListener, ClientSession
from commandwall.app.store import Coalescer
from commandwall.app.warnings import WarningsController, WarningsListener
from commandwall.domain.models import Incident
from commandwall.ui.map.view import MapView


class ClientSignals(QObject):
    """Re-emits the plain-Python session's callbacks and store changes as Qt signals.

    The object lives on the GUI thread, so a signal emitted from a backend thread is queued and its slots run
    on the GUI thread — widgets never touch the stores from another thread.
    """

    sig_progress = Signal(str)
    sig_ready = Signal()
    sig_failed = Signal(str)
    sig_local_failed = Signal(str)  # start-up failed on something of the desk's own (a local file), not the platform
    sig_login_needed = Signal(str)  # why (may be empty)
    sig_layers = Signal(object, object, str)  # list[Layer], list[str] errors, the map page built for them
    sig_connection = Signal(object, str)  # ConnectionState, detail
    sig_incidents = Signal(object)  # list[Incident]: the incidents changed since the last batch
    sig_unit = Signal(object)  # Unit
    sig_camera = Signal(object)  # Camera (status changed)
    sig_task = Signal(object)  # Task
    sig_outbox = Signal(object)  # outbox item
    sig_timeline = Signal(object)  # TimelineEntry (new, from the event stream)
    sig_offline_data = Signal(object)  # datetime: the stores show the last known state saved then (not live)
    sig_notice = Signal(str)  # something the duty officer must know (a damaged local file set aside)
    sig_outbox_problem = Signal(str)  # why the user's outbox cannot be used now (no action queues), "" once it can
    sig_reloaded = Signal()  # the platform's data went back: the stores were loaded again as a whole
    sig_warning_problem = Signal(str)  # an early-warning document or source that could not be read (why)
    sig_warning_overlays = Signal(object)  # GeoJSON FeatureCollection (lon/lat) of the active warnings' areas

    _session: ClientSession | None = None
    _warnings: WarningsController | None = None
    _incident_batch: Coalescer[Incident] | None = None
    _detached = False
    _outbox_watched: object | None = None  # the session's outbox this object relays
    #: How often changed incidents reach the GUI thread, in one batch (≤ 10 Hz keeps bursts off the GUI thread).
    INCIDENT_BATCH_MS = 100

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: list[Callable[[], None]] = []  # what watch() and the outbox subscribed

    def listener(self) -> ClientListener:
        """Callbacks for ``ClientSession`` that emit these signals."""
        return ClientListener(
            on_progress=self.sig_progress.emit,
            on_ready=self._on_ready,
            on_layers=self._on_layers,
            on_failed=self.sig_failed.emit,
            on_local_failed=self.sig_local_failed.emit,
            on_connection=self.sig_connection.emit,
            on_login_needed=self.sig_login_needed.emit,
            on_offline_data=self._on_offline_data,
            on_notice=self.sig_notice.emit,
            on_reloaded=self._on_reloaded,
            on_outbox_problem=self._on_outbox_problem,
        )

    def _on_outbox_problem(self, text: str) -> None:
        """Runs on a session thread: the user's outbox cannot be used (``text``: why), or with "" it can again —
        opened in the background, a new outbox, relayed from now on."""
        if not text:
            self._watch_outbox()
        self.sig_outbox_problem.emit(text)

    def _on_reloaded(self) -> None:
        """Runs on the event stream's thread after the stores were loaded again as a whole: incident changes
        gathered before (of the platform's data as it was) are dropped, the views are to show the stores afresh."""
        if self._incident_batch is not None:
            self._incident_batch.take()
        self.sig_reloaded.emit()

    def _on_layers(self, layers: list, errors: list[str]) -> None:
        """Runs on the session's worker thread: build the map page there, not on the GUI thread."""
        self.sig_layers.emit(layers, errors, MapView.build_page(layers))

    def _on_ready(self) -> None:
        """Runs on the session's worker thread once it is connected: its outbox exists from now on."""
        self._watch_outbox()
        self.sig_ready.emit()

    def _on_offline_data(self, saved_at: object) -> None:
        """Runs on the session's worker thread: the last known state is shown, and the configured user's outbox,
        opened offline, takes his actions (relayed like a logged-in user's)."""
        self._watch_outbox()
        self.sig_offline_data.emit(saved_at)

    def _watch_outbox(self) -> None:
        outbox = self._session.outbox if self._session is not None else None
        if outbox is not None and outbox is not self._outbox_watched and not self._detached:
            self._outbox_watched = outbox
            self._unsubscribe.append(outbox.add_listener(self.sig_outbox.emit))

    def watch(self, session: ClientSession) -> None:
        """Subscribe to the session's stores (and to its outbox once it is connected)."""
        self._session = session
        # Incidents come in batches: at 200 a second, work per incident on the GUI thread would freeze it.
        self._incident_batch = Coalescer()
        self._incident_timer = QTimer(self)
        self._incident_timer.setInterval(self.INCIDENT_BATCH_MS)
        self._incident_timer.timeout.connect(self.flush_incidents)
        self._incident_timer.start()
        self._unsubscribe = [
            session.incidents.add_listener(self._incident_batch.add),
            session.units.add_listener(self.sig_unit.emit),
            session.cameras.add_listener(self.sig_camera.emit),
            session.tasks.add_listener(self.sig_task.emit),
            session.stores.timeline.add_listener(self.sig_timeline.emit),
        ]

    def detach(self) -> None:
        """Stop relaying (the window is going, after the session stopped): every store, outbox, session and
        warnings callback that pointed at this object is taken back, so a thread of the session that outlived
        its bounded join cannot emit into a Qt object being destroyed on the GUI thread."""
        self._detached = True
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        if self._session is not None:
            self._session.listener = ClientListener()
        if self._warnings is not None:
            self._warnings.listener = WarningsListener()
        timer = getattr(self, "_incident_timer", None)
        if timer is not None:
            timer.stop()

    def flush_incidents(self) -> int:
        """Emit the incidents changed since the last batch (GUI thread; the timer calls it); returns how many."""
        batch = self._incident_batch.take() if self._incident_batch is not None else []
        if batch:
            self.sig_incidents.emit(batch)
        return len(batch)

    def watch_warnings(self, warnings: WarningsController) -> None:
        """Forward the early warnings' problems and overlays (from its polling thread) to the GUI thread."""
        self._warnings = warnings
        warnings.listener.on_problem = self.sig_warning_problem.emit
        warnings.listener.on_overlays = self.sig_warning_overlays.emit
