"""The map feature: the :class:`MapView` bound to its :class:`MapController` and the client's signals."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from commandwall.app.incident_filter import NO_FILTER, IncidentFilter
from commandwall.app.map import REDRAW_INTERVAL_MS, MapController
from commandwall.domain.models import Incident
from commandwall.textsafe import display_text
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.map.view import MapView
from commandwall.ui.map.view_state import MapViewState


class MapFeature(QObject):
    """The district map (地图): ``widget`` to place, ``on_ready()`` once the session is connected.

    Signals: ``sig_message(text, timeout_ms)`` for the status bar (text made safe to show); the view's
    ``sig_camera_clicked`` and ``sig_incident_clicked`` are what other features follow.
    """

    sig_message = Signal(str, int)

    def __init__(self, controller: MapController, signals: ClientSignals, parent: QObject | None = None,
                 *, data_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.view = MapView()
        self.widget = self.view
        self._view_state = MapViewState(data_dir if data_dir is not None else controller.session.settings.data_dir)
        catalogue, problems = controller.base_maps()
        self._base_map_ids = catalogue.ids()
        self.view.set_base_maps(catalogue, catalogue.choose(self._view_state.base_map()))
        self._base_map_problems = problems
        self.view.sig_base_map_chosen.connect(self._on_base_map_chosen)
        self.view.sig_copy_text.connect(self._copy)
        signals.sig_layers.connect(self._on_layers)
        signals.sig_incident.connect(self._on_incident)
        signals.sig_camera.connect(self._note_camera_change)  # methods: queued to the GUI thread
        signals.sig_unit.connect(self._note_unit_change)
        self._redraw = QTimer(self)
        self._redraw.setInterval(REDRAW_INTERVAL_MS)
        self._redraw.timeout.connect(self._redraw_changed)
        self._redraw.start()

    def apply_filter(self, incident_filter: IncidentFilter) -> None:
        """Draw only the incidents ``incident_filter`` passes (``NO_FILTER``: all)."""
        self.view.set_incidents(self.controller.set_incident_filter(incident_filter))

    def clear_filter(self) -> None:
        """Draw every incident again."""
        self.apply_filter(NO_FILTER)

    def _on_incident(self, incident: Incident) -> None:
        if self.controller.shows_incident(incident):
            self.view.upsert_incident(incident)
        elif self.controller.incident_filter.active:  # it may have just left the filter: redraw what passes
            self.view.set_incidents(self.controller.map_incidents())

    def _note_camera_change(self, *_args: object) -> None:
        self.controller.note_camera_change()

    def _note_unit_change(self, *_args: object) -> None:
        self.controller.note_unit_change()

    def _on_layers(self, _layers: list, errors: list[str], page_html: str) -> None:
        self.view.load_built_page(page_html)
        report = self.controller.layer_report(errors + self._base_map_problems)
        if report:
            self.sig_message.emit(display_text(report), 15000)

    def _on_base_map_chosen(self, base_map_id: str) -> None:
        if base_map_id in self._base_map_ids:
            self._view_state.save_base_map(base_map_id)

    def _copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.sig_message.emit(display_text(f"已复制坐标：{text}"), 4000)

    def on_ready(self) -> None:
        """Draw what the session loaded: cameras, units, incidents and the emergency resources."""
        session = self.controller.session
        self.view.set_cameras(session.cameras.all())
        self.view.set_units(session.units.all())
        self.view.set_incidents(self.controller.map_incidents())
        resources = self.controller.resources()
        if resources is not None:
            self.view.set_resources(resources)

    def locate_camera(self, camera_id: str) -> None:
        """Fly to a camera the platform knows."""
        position = self.controller.camera_position(camera_id)
        if position is not None:
            self.view.fly_to(*position)

    def select_incident(self, incident_id: str) -> None:
        """Highlight an incident and fly to it."""
        self.view.select_incident(incident_id)

    def _redraw_changed(self) -> None:
        cameras, units = self.controller.take_redraws()
        if cameras is not None:
            self.view.set_cameras(cameras)
        if units is not None:
            self.view.set_units(units)

    def shutdown(self) -> None:
        """Stop redrawing."""
        self._redraw.stop()
