"""The map feature: the :class:`MapView` bound to its :class:`MapController` and the client's signals."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from commandwall.app.dispatch import DispatchOffer
from commandwall.app.incident_filter import NO_FILTER, IncidentFilter
from commandwall.app.map import REDRAW_INTERVAL_MS, MapController
from commandwall.domain.models import Unit
from commandwall.geo.basemaps import BD09, NO_BASE_MAP, WEB_MERCATOR, BaseMapCatalogue
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.map.view import MapView
from commandwall.ui.map.view_state import MapViewState

log = logging.getLogger(__name__)

#: Longest an incident change waits before it goes to the page with the others that came meanwhile.
INCIDENT_FLUSH_MS = 80
#: While changes keep coming (a burst), the page gets them at most this often: each update is a new frame of
#: the web view, composited on the GUI thread (in software on a desk without a GPU).
BURST_FLUSH_MS = 500
#: Longest the map page waits for the base maps (a capabilities document or an MBTiles file that blocks, a slow
#: disk): then it comes up without them, and they are added when they come.
BASE_MAPS_WAIT_MS = 8000


class MapFeature(QObject):
    """The district map (地图): ``widget`` to place, ``on_ready()`` once the session is connected.

    Signals: ``sig_message(text, timeout_ms)`` for the status bar (text made safe to show); the view's
    ``sig_camera_clicked`` and ``sig_incident_clicked`` are what other features follow; ``sig_cameras_to_wall
    (ids)`` asks for a drawn selection on the video wall; ``sig_dispatch_unit(unit_id, incident_id)`` asks to
    send a unit to an incident (派往所选事件 or a nearby incident on its card, as :meth:`set_dispatch_offers`
    allows), ``sig_dispatch_resource(resource, incident_id)`` to dispatch naming an emergency resource.
    """

    sig_message = Signal(str, int)
    sig_cameras_to_wall = Signal(list)
    sig_dispatch_unit = Signal(str, str)
    sig_dispatch_resource = Signal(object, str)
    _sig_base_maps = Signal(object, list)  # (BaseMapCatalogue, problems), from the worker that opened them

    def __init__(self, controller: MapController, signals: ClientSignals, parent: QObject | None = None,
                 *, data_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.view = MapView()
        self.widget = self.view
        self._view_state = MapViewState(data_dir if data_dir is not None else controller.session.settings.data_dir)
        # The base maps are opened on a worker (a WMTS capabilities document may be MBs of XML): the window paints
        # meanwhile; the map page, made with them, waits for them if the layers come first — at most
        # BASE_MAPS_WAIT_MS, then it loads without them (a file that blocks must not leave the whole map empty).
        self._base_map_ids: list[str] = []
        self._base_map_titles: dict[str, str] = {}
        self._base_map_crs: dict[str, str] = {}  # the shifted ones (GCJ-02, BD-09) only
        self._offset_said: set[str] = set()  # shifted base maps whose offset the status bar has said
        self._base_map_problems: list[str] = []
        self._base_maps_ready = False
        self._base_maps_overdue = False  # the page went ahead without them
        self._layers_waiting: tuple | None = None  # sig_layers' arguments that came before the base maps
        self._closed = False
        self._sig_base_maps.connect(self._on_base_maps)
        threading.Thread(target=self._open_base_maps, name="base-maps", daemon=True).start()
        self._base_maps_wait = QTimer(self)
        self._base_maps_wait.setSingleShot(True)
        self._base_maps_wait.timeout.connect(self._on_base_maps_overdue)
        self._base_maps_wait.start(BASE_MAPS_WAIT_MS)
        self.view.sig_base_map_chosen.connect(self._on_base_map_chosen)
        self.view.sig_base_map_failing.connect(self._on_base_map_failing)
        self.view.sig_base_map_recovered.connect(self._on_base_map_recovered)
        self.view.sig_copy_text.connect(self._copy)
        self.view.set_searcher(controller.search)
        self.view.set_camera_picker(controller.pick_cameras)
        self.view.sig_cameras_to_wall.connect(self.sig_cameras_to_wall)
        self.view.sig_dispatch_unit.connect(self._on_dispatch_unit)
        self.view.sig_dispatch_resource.connect(self._on_dispatch_resource)
        signals.sig_layers.connect(self._on_layers)
        signals.sig_incidents.connect(self._upsert_incidents)
        signals.sig_offline_data.connect(self._show_offline_data)
        signals.sig_camera.connect(self._note_camera_change)  # methods: queued to the GUI thread
        signals.sig_unit.connect(self._note_unit_change)
        signals.sig_warning_overlays.connect(self.view.set_warning_areas)  # Update/Cancel/expiry: all again
        self._incidents_due: dict = {}  # incident id -> latest copy not yet on the page
        self._incident_flush = QTimer(self)
        self._incident_flush.setSingleShot(True)
        self._incident_flush.setInterval(INCIDENT_FLUSH_MS)
        self._incident_flush.timeout.connect(self._flush_incidents)
        self._last_flush = float("-inf")  # monotonic time of the last flush
        self._density_cells: dict | None = None  # the grid cells last sent to the view
        self._redraw = QTimer(self)
        self._redraw.setInterval(REDRAW_INTERVAL_MS)
        self._redraw.timeout.connect(self._redraw_changed)
        self._redraw.start()

    def _show_offline_data(self, _saved_at: object) -> None:
        """The last known state (not live): draw its units and incidents once the page is there."""
        self.on_ready()

    def _upsert_incidents(self, incidents: list) -> None:
        """Changed incidents reach the page together, at most :data:`INCIDENT_FLUSH_MS` after the first of
        them: one page task and one frame for a burst, still quick for a single one."""
        for incident in incidents:
            held = self._incidents_due.get(incident.id)
            if held is None or incident.version >= held.version:
                self._incidents_due[incident.id] = incident
        if self._incidents_due and not self._incident_flush.isActive():
            since = (time.monotonic() - self._last_flush) * 1000
            self._incident_flush.start(INCIDENT_FLUSH_MS if since >= BURST_FLUSH_MS
                                       else max(INCIDENT_FLUSH_MS, int(BURST_FLUSH_MS - since)))

    def _flush_incidents(self) -> None:
        due, self._incidents_due = self._incidents_due, {}
        if not due:
            return
        self._last_flush = time.monotonic()
        # Only the change goes to the page: an incident that left the dashboard's filter is taken off by its id,
        # one that never met it is not sent. (Sending every incident that passes instead made each batch cost as
        # much as the incidents held, on the GUI thread and in the page, while a filter was set.)
        shown: list = []
        gone: list[str] = []
        for incident in due.values():
            if self.controller.shows_incident(incident):
                shown.append(incident)  # placed by the store as it arrived
            elif self.view.shows_incident(incident.id):
                gone.append(incident.id)
        self.view.upsert_incidents(shown, removed=gone)
        self.controller.note_incident_change(due.values())

    def apply_filter(self, incident_filter: IncidentFilter) -> None:
        """Draw only the incidents ``incident_filter`` passes (``NO_FILTER``: all)."""
        self.view.set_incidents(self.controller.set_incident_filter(incident_filter))

    def clear_filter(self) -> None:
        """Draw every incident again."""
        self.apply_filter(NO_FILTER)


    def _note_camera_change(self, *_args: object) -> None:
        self.controller.note_camera_change()

    def _note_unit_change(self, unit: object = None, *_args: object) -> None:
        self.controller.note_unit_change(unit if isinstance(unit, Unit) else None)

    def _open_base_maps(self) -> None:
        """On the worker: the desk's base-map catalogue (files opened, capabilities documents read)."""
        try:
            catalogue, problems = self.controller.base_maps()
        except Exception:  # base_map_catalogue reports a bad entry itself; the page must never wait for ever
            log.exception("base maps not available")
            catalogue, problems = BaseMapCatalogue(), []
        if self._closed:
            return
        with contextlib.suppress(RuntimeError):  # the feature is gone (its window closed meanwhile)
            self._sig_base_maps.emit(catalogue, problems)

    def _on_base_maps(self, catalogue: BaseMapCatalogue, problems: list[str]) -> None:
        self._base_map_ids = catalogue.ids()
        self._base_map_titles = {b.id: b.title for b in catalogue.base_maps}
        self._base_map_crs = {b.id: b.crs for b in catalogue.base_maps if b.crs != WEB_MERCATOR}
        selected = catalogue.choose(self._view_state.base_map())
        try:
            self.view.set_base_maps(catalogue, selected)
        except (ValueError, TypeError) as exc:  # a base map's data the page cannot take: the map loads without them
            log.exception("base maps not given to the map page")
            problems = [*problems, translate("MapView", "底图无法使用，地图不显示底图：{error}").format(
                error=display_text(str(exc), 200))]
            catalogue, selected = BaseMapCatalogue(), NO_BASE_MAP
            self._base_map_ids, self._base_map_titles, self._base_map_crs = catalogue.ids(), {}, {}
            self.view.set_base_maps(catalogue, selected)
        self._say_offset(selected)
        self._base_map_problems = problems
        self._base_maps_ready = True
        self._base_maps_wait.stop()
        if self._base_maps_overdue:  # the page came up without them: the view has given them to it
            log.info("base maps opened after the map page had loaded without them")
            if problems:
                self.sig_message.emit(display_text("；".join(problems)), 15000)
            elif self._base_map_ids:
                self.sig_message.emit(translate("MapView", "底图已打开"), 5000)
            return
        if self._layers_waiting is not None:
            waiting, self._layers_waiting = self._layers_waiting, None
            self._on_layers(*waiting)

    def _on_base_maps_overdue(self) -> None:
        """The base maps are still being opened after :data:`BASE_MAPS_WAIT_MS`: the page loads without them."""
        if self._base_maps_ready or self._closed:
            return
        self._base_maps_overdue = True
        log.warning("base maps not opened within %d ms: the map page loads without them", BASE_MAPS_WAIT_MS)
        self.sig_message.emit(translate("MapView", "底图仍在打开（底图文件或服务响应缓慢），地图先不显示底图，"
                                                   "打开后自动加上"), 20000)
        if self._layers_waiting is not None:
            waiting, self._layers_waiting = self._layers_waiting, None
            self._on_layers(*waiting)

    def _on_layers(self, _layers: list, errors: list[str], page_html: str) -> None:
        if not (self._base_maps_ready or self._base_maps_overdue):  # the page is made with the base maps: it is
            self._layers_waiting = (_layers, errors, page_html)  # loaded once they are open (or overdue)
            return
        self.view.load_built_page(page_html)
        self.controller.note_incident_change()  # the grid cells may be new
        report = self.controller.layer_report(errors + self._base_map_problems)
        if report:
            self.sig_message.emit(display_text(report), 15000)

    def _on_base_map_failing(self, base_map_id: str, failed: int, part: str = "tiles") -> None:
        """The page says a base map (or its label overlay) fails: once in the status bar and its log (the map
        shows a warning itself until the tiles load again, and retries)."""
        title = self._base_map_titles.get(base_map_id)
        if title is None:  # not one of the desk's
            return
        log.warning("base map %s (%s): %d tiles failed or timed out in a row", base_map_id, part, failed)
        if part == "labels":
            text = translate("MapView", "底图「{title}」的注记无法加载（连续 {count} 张失败或超时）：正在自动重试")
        else:
            text = translate("MapView", "底图「{title}」的瓦片无法加载（连续 {count} 张失败或超时）："
                                        "服务器不可用或地址有误，正在自动重试")
        self.sig_message.emit(text.format(title=display_text(title), count=failed), 20000)

    def _on_base_map_recovered(self, base_map_id: str, part: str = "tiles") -> None:
        """Tiles of a base map said failing load again."""
        title = self._base_map_titles.get(base_map_id)
        if title is None:
            return
        log.info("base map %s (%s): tiles load again", base_map_id, part)
        self.sig_message.emit(translate("MapView", "底图「{title}」已恢复").format(title=display_text(title)), 8000)

    def _on_base_map_chosen(self, base_map_id: str) -> None:
        if base_map_id in self._base_map_ids:
            self._view_state.save_base_map(base_map_id)
            self._say_offset(base_map_id)

    def _say_offset(self, base_map_id: str) -> None:
        """A base map drawn in GCJ-02 or BD-09 is shown: say once (per base map) in the status bar that every
        overlay, WGS84, lies some 0.5 km off on it."""
        crs = self._base_map_crs.get(base_map_id)
        if crs is None or base_map_id in self._offset_said:
            return
        self._offset_said.add(base_map_id)
        log.info("base map %s is drawn in %s: WGS84 overlays lie ~0.5 km off on it", base_map_id, crs)
        title = display_text(self._base_map_titles.get(base_map_id, base_map_id))
        if crs == BD09:  # Baidu's tiles are on a grid of their own: nothing lines up, by far more than 0.5 km
            text = translate("MapView", "底图「{title}」为百度 BD-09 瓦片（自有网格与坐标）：图层、标注均为 WGS84，"
                                        "在此底图上无法对齐，请换用其他底图")
        else:
            text = translate("MapView", "底图「{title}」采用 {crs} 坐标（国内地图的加密偏移）：图层、标注均为 "
                                        "WGS84，在此底图上会偏移约 0.5 公里")
        self.sig_message.emit(text.format(title=title, crs=crs), 30000)

    def _copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.sig_message.emit(translate("MapView", "已复制坐标：{point}").format(point=display_text(text)), 4000)

    def on_ready(self) -> None:
        """Draw what the session loaded: cameras, units, incidents and the emergency resources."""
        session = self.controller.session
        self.view.set_cameras(session.cameras.all())
        self.view.set_units(session.units.all())
        self.view.set_incidents(self.controller.map_incidents())
        self.controller.note_incident_change()
        resources = self.controller.resources()
        if resources is not None:
            self.view.set_resources(resources)

    def _on_dispatch_unit(self, unit_id: str, incident_id: str) -> None:
        # Out of the page's message handler first: what follows opens a modal dialog.
        QTimer.singleShot(0, lambda: self.sig_dispatch_unit.emit(unit_id, incident_id))

    def _on_dispatch_resource(self, resource_id: str, incident_id: str) -> None:
        resource = self.view.resource(resource_id)
        if resource is None:  # the page's id is untrusted text: only a resource on the map is dispatched to
            self.sig_message.emit(self._resource_missing(resource_id), 8000)
            return
        QTimer.singleShot(0, lambda: self.sig_dispatch_resource.emit(resource, incident_id))

    def set_dispatch_offers(self, unit_offer, resource_offer) -> None:
        """Who decides what a unit's and a resource's card offer: ``unit_offer(unit_id)`` and
        ``resource_offer(resource)`` (the resource as the map has it) -> ``DispatchOffer``."""
        def for_resource(resource_id: str) -> dict:
            resource = self.view.resource(resource_id)
            if resource is None:
                return DispatchOffer(self._resource_missing(resource_id)).as_dict()
            return resource_offer(resource).as_dict()

        self.view.set_dispatch_offers(lambda unit_id: unit_offer(unit_id).as_dict(), for_resource)

    @staticmethod
    def _resource_missing(resource_id: str) -> str:
        """Why a resource the page names is not dispatched: it has no id (nothing to name it by in the task),
        or none on the map has this one."""
        if not resource_id:
            return translate("MapView", "该资源没有编号，不能调派")
        return translate("MapView", "该资源已不在地图上")

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
            self.view.update_units(units.units, removed=units.removed, whole=units.whole)
        cells = self.controller.density_cells()
        if cells is not self._density_cells:  # the cells' shapes go to the page once (the view replays them)
            self._density_cells = cells
            self.view.set_density_cells(cells)
        density = self.controller.take_density()
        if density is not None:
            self.view.set_density_counts(density)

    def shutdown(self) -> None:
        """Stop redrawing; base maps still being opened are not shown."""
        self._closed = True
        self._redraw.stop()
        self._base_maps_wait.stop()
