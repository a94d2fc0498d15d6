"""MapView: the district map (QWebEngineView) fed with cameras, incidents, units and resources as data.

The page (``commandwall.mapdoc.page``) is a fixed skeleton served from memory as ``cw://app/map.html``; the
static layers reach it as JSON data over QWebChannel, drawn before the page reports ready, and data updates
go the same way and never reload it. The view keeps the latest data it was given, so calls made before the page
is ready — and after a reload or a crashed renderer — are delivered when the page reports ready.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QDrag, QShowEvent
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView

from commandwall import niceness
from commandwall.domain.models import Camera, Incident, Unit
from commandwall.geo.basemaps import NO_BASE_MAP, BaseMapCatalogue
from commandwall.logs import RepeatLimiter
from commandwall.mapdoc import payload
from commandwall.mapdoc.page import LayerLike, build_map_page, static_layers_json
from commandwall.ui.map.bridge import MapBridge
from commandwall.ui.map.camera_drag import camera_drag
from commandwall.ui.map.scheme import BASE_URL, WEB_BASE_URL, scheme_handler
from commandwall.video.dragdrop import checked_camera_ids

log = logging.getLogger(__name__)

BACKGROUND = QColor("#0b1622")
_MAX_CRASH_RELOADS = 3


class MapPage(QWebEnginePage):
    """The map's web page: only ``cw://`` navigation, JS console into Python logging, no dialogs."""

    _LEVELS: ClassVar[dict[QWebEnginePage.JavaScriptConsoleMessageLevel, int]] = {
        QWebEnginePage.JavaScriptConsoleMessageLevel.InfoMessageLevel: logging.DEBUG,
        QWebEnginePage.JavaScriptConsoleMessageLevel.WarningMessageLevel: logging.WARNING,
        QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel: logging.ERROR,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._repeats = RepeatLimiter()

    def javaScriptConsoleMessage(self, level, message: str, line: int, source: str) -> None:  # noqa: N802
        """Log the page's console output (errors as errors), a few lines of a kind a minute: a base map whose
        every tile is refused would write one line per tile."""
        left_out = self._repeats.admit(f"{level} {message} ({source}:{line})", time.monotonic())
        if left_out is None:
            return
        more = f" ({left_out} more like it left out)" if left_out else ""
        log.log(self._LEVELS.get(level, logging.INFO), "map page: %s (%s:%d)%s", message, source, line, more)

    def javaScriptAlert(self, origin: QUrl, message: str) -> None:  # noqa: N802
        """The map never shows dialogs; an alert is logged as a sign of something wrong."""
        log.error("map page tried to show an alert (suppressed): %r", message)

    def javaScriptConfirm(self, origin: QUrl, message: str) -> bool:  # noqa: N802
        """Refuse confirm() dialogs."""
        log.error("map page tried to show a confirm dialog (refused): %r", message)
        return False

    def acceptNavigationRequest(self, url: QUrl, nav_type, is_main_frame: bool) -> bool:  # noqa: N802
        """Stay on our own pages: anything not ``cw://app/`` is refused."""
        if url.scheme() == "cw" and url.host() == "app":
            return True
        log.warning("map page: navigation to %s refused", url.toDisplayString())
        return False


class _CameraCards:
    """The cameras last drawn, for the card of the one under the pointer (the bridge asks; no ref to the view)."""

    def __init__(self) -> None:
        self.cameras: Sequence[Camera] = ()
        self._by_id: dict[str, Camera] | None = None

    def replace(self, cameras: Sequence[Camera]) -> None:
        """New cameras; the id index is made again when the pointer first rests on one."""
        self.cameras = cameras
        self._by_id = None

    def camera(self, camera_id: str) -> Camera | None:
        """The drawn camera with this id, or None."""
        if self._by_id is None:
            self._by_id = {c.id: c for c in self.cameras}
        return self._by_id.get(camera_id)

    def card(self, camera_id: str) -> str:
        """The camera's card as JSON text (``payload.camera_payload``), or "" for an unknown id."""
        camera = self.camera(camera_id)
        return payload.to_json(payload.camera_payload(camera)) if camera is not None else ""


class MapView(QWebEngineView):
    """The district map. Signals: ``sig_camera_clicked(id)``, ``sig_incident_clicked(id)``, ``sig_ready()``.

    ``sig_layer_drawn(kind, count)`` tells when the page has painted a data layer (tests, benchmarks);
    ``sig_base_map_chosen(id)`` when the officer picks a base map; ``sig_copy_text(text)`` when a click on the
    coordinate readout asks for the clipboard; ``sig_cameras_to_wall(ids)`` when 上墙 is pressed on a drawn
    selection; ``sig_dispatch_unit(unit_id, incident_id)`` when 派往所选事件 (or a nearby incident) is pressed
    on a unit's card, ``sig_dispatch_resource(resource_id, incident_id)`` likewise on a resource's card;
    ``sig_camera_drag_started(QDrag)`` just before a camera dragged off the map runs as a Qt drag.

    Dragging a camera point: the page reports the drag (``cameraDragStarted``) and this view runs a real
    ``QDrag`` carrying the camera id under :data:`~commandwall.video.dragdrop.CAMERA_IDS_MIME`, so every drop
    target that takes the camera list's drags (the wall's tiles) takes it. The page's id is untrusted text: it
    must pass the checks a drop applies and name a camera on the map, or nothing is dragged.
    """

    sig_camera_clicked = Signal(str)
    sig_incident_clicked = Signal(str)
    sig_ready = Signal()
    sig_layer_drawn = Signal(str, int)
    sig_base_map_chosen = Signal(str)
    sig_base_map_failing = Signal(str, int, str)  # the shown base map's tiles keep failing: id, how many, part
    sig_base_map_recovered = Signal(str, str)  # its tiles load again: id, part ("tiles" or "labels")
    sig_copy_text = Signal(str)
    sig_cameras_to_wall = Signal(list)
    sig_dispatch_unit = Signal(str, str)
    sig_dispatch_resource = Signal(str, str)
    sig_camera_drag_started = Signal(QDrag)

    def __init__(self, parent=None, *, page_name: str = "map.html", profile: QWebEngineProfile | None = None):
        super().__init__(parent)
        self._page_name = page_name
        self._handler = scheme_handler(profile)
        self._web_page = MapPage(profile or QWebEngineProfile.defaultProfile(), self)
        self._web_page.setBackgroundColor(BACKGROUND)
        self.setPage(self._web_page)

        self._bridge = MapBridge(self)
        self._channel = QWebChannel(self._web_page)
        self._channel.registerObject("bridge", self._bridge)
        self._web_page.setWebChannel(self._channel)

        self._camera_cards = _CameraCards()
        self._bridge.set_camera_cards(self._camera_cards.card)
        self._bridge.sig_page_ready.connect(self._on_page_ready)
        self._bridge.sig_camera_clicked.connect(self.sig_camera_clicked)
        self._bridge.sig_incident_clicked.connect(self.sig_incident_clicked)
        self._bridge.sig_layer_drawn.connect(self.sig_layer_drawn)
        #: data layers the page has painted at least once (``cameras``, ``incidents``, ``units`` …)
        self.drawn_kinds: set[str] = set()
        self._bridge.sig_layer_drawn.connect(lambda kind, _count: self.drawn_kinds.add(kind))
        self._bridge.sig_base_map_chosen.connect(self.sig_base_map_chosen)
        self._bridge.sig_base_map_failing.connect(self.sig_base_map_failing)
        self._bridge.sig_base_map_recovered.connect(self.sig_base_map_recovered)
        self._bridge.sig_copy_text.connect(self.sig_copy_text)
        self._bridge.sig_cameras_to_wall.connect(self.sig_cameras_to_wall)
        self._bridge.sig_dispatch_unit.connect(self.sig_dispatch_unit)
        self._bridge.sig_dispatch_resource.connect(self.sig_dispatch_resource)
        # after the page's call has returned: the drag runs its own event loop until the drop
        self._bridge.sig_camera_drag_started.connect(
            lambda camera_id: QTimer.singleShot(0, self, lambda: self.drag_camera(camera_id)))
        self._tile_hosts: list[str] = []
        self._page_tile_hosts: list[str] | None = None  # the hosts the loaded page's CSP allows (None: no page)
        self._static_layers: str | None = None  # the loaded page's static layers (for a reload)
        self._web_page.loadStarted.connect(self._on_load_started)
        self._web_page.loadFinished.connect(self._on_load_finished)
        self._web_page.renderProcessTerminated.connect(self._on_render_process_terminated)
        self._web_page.renderProcessPidChanged.connect(self._lower_map_priority)

        self._ready = False
        self._crash_reloads = 0
        # Latest data, re-sent whenever the page (re)connects.
        self._cameras: str | None = None
        self._incidents: dict[str, dict[str, Any]] | None = None
        self._units: dict[str, dict[str, Any]] | None = None  # id -> the unit as the page has it
        self._unit_payloads = payload.UnitPayloads()
        self._resources: str | None = None
        self._resource_items: dict[str, dict[str, Any]] = {}  # id -> the resource as the page has it
        self._density: str | None = None  # the cells' shapes (with or without counts)
        self._density_counts: str | None = None  # counts per cell since, if any
        self._warnings: str | None = None
        self._pending_command: str | None = None

    # ------------------------------------------------------------------ page

    def is_ready(self) -> bool:
        """True while the page is loaded, has drawn its static layers and is connected to the bridge."""
        return self._ready

    @property
    def bridge(self) -> MapBridge:
        """The object exposed to the page as ``bridge``."""
        return self._bridge

    @staticmethod
    def build_page(layers: Iterable[LayerLike] | Mapping[str, LayerLike]) -> str:
        """What the page shows of the static ``layers``, as JSON text for :meth:`load_built_page`.

        Plain Python, so it may run on a worker thread. The page's HTML itself is the same for every layer
        set: names and titles reach the page only as data.
        """
        if isinstance(layers, Mapping):
            layers = layers.values()
        return static_layers_json(list(layers))

    def set_base_maps(self, catalogue: BaseMapCatalogue, selected: str = NO_BASE_MAP) -> None:
        """Offer ``catalogue``'s base maps, showing ``selected`` (if on offer).

        Offline tiles are served by the ``cw`` scheme; the page's CSP allows exactly the remote tile hosts. A page
        loaded before (base maps slow to open) is given them at once; if they need hosts its CSP does not allow,
        it is loaded again (its data is sent again when it is ready).
        """
        self._handler.set_base_maps(catalogue)
        self._tile_hosts = catalogue.hosts()
        loaded = self._page_tile_hosts is not None
        if loaded and not set(self._tile_hosts) <= set(self._page_tile_hosts or ()):
            self._bridge.set_base_maps(payload.to_json(catalogue.page_payload(selected)))
            log.info("map page loaded again for the base maps' tile servers")
            self.load_built_page(self._static_layers or "{}")
            return
        self._bridge.set_base_maps(payload.to_json(catalogue.page_payload(selected)), now=loaded)

    def load_page(self, layers: Iterable[LayerLike] | Mapping[str, LayerLike]) -> None:
        """Load the page for the static ``layers`` (``Layer``s or ``LayerSet.layers``)."""
        self.load_built_page(self.build_page(layers))

    def load_built_page(self, static_layers: str) -> None:
        """Load the page with static layers made by :meth:`build_page` (off the GUI thread at start-up)."""
        if not static_layers.lstrip().startswith("{"):
            raise ValueError("load_built_page takes the JSON text of MapView.build_page")
        self._bridge.set_static_layers(static_layers)
        self._static_layers = static_layers
        self._page_tile_hosts = list(self._tile_hosts)
        html = build_map_page(asset_base=WEB_BASE_URL, qwebchannel_url=BASE_URL + "qwebchannel.js",
                              tile_hosts=self._tile_hosts)
        url = self._handler.set_document(self._page_name, html)
        log.info("loading map page %s (static layers %d kB)", url.toString(), len(static_layers) // 1024)
        self._ready = False
        self.load(url)

    def _on_load_started(self) -> None:
        self._ready = False

    def _on_load_finished(self, ok: bool) -> None:
        if not ok:
            log.error("map page failed to load: %s", self.url().toDisplayString())

    def _on_render_process_terminated(self, status, exit_code: int) -> None:
        self._ready = False
        if status == QWebEnginePage.RenderProcessTerminationStatus.NormalTerminationStatus:
            return
        log.error("map renderer process ended (%s, code %d)", status, exit_code)
        if self._crash_reloads < _MAX_CRASH_RELOADS:
            self._crash_reloads += 1
            QTimer.singleShot(1000, self.reload)

    def _lower_map_priority(self, _pid: int = 0) -> None:
        """The page's renderer process and Chromium's compositing threads in this process yield to the GUI thread
        when the cores are busy (see :mod:`commandwall.niceness`); again for a new renderer (after a crash). The
        threads are found in ``/proc`` on a thread of its own: a hundred file reads on the GUI thread, each taking
        the interpreter lock back from a worker busy with a big layer, froze the window 0.5–0.75 s."""
        threading.Thread(target=_lower_map_threads, args=(int(self._web_page.renderProcessPid()),),
                         name="map-niceness", daemon=True).start()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Shown: Chromium starts compositing the page (its threads may be new), then lowered."""
        super().showEvent(event)
        QTimer.singleShot(1000, self, self._lower_map_priority)

    def _on_page_ready(self) -> None:
        self._ready = True
        self._lower_map_priority()  # the compositor's threads exist once the page has drawn
        if self._cameras is not None:
            self._bridge.cameras_changed.emit(self._cameras)
        if self._incidents is not None:
            self._bridge.incidents_changed.emit(payload.to_json(list(self._incidents.values())))
        if self._units is not None:
            self._bridge.units_changed.emit(payload.to_json(list(self._units.values())))
        if self._resources is not None:
            self._bridge.resources_changed.emit(self._resources)
        if self._density is not None:
            self._bridge.density_changed.emit(self._density)
        if self._density_counts is not None:
            self._bridge.density_changed.emit(self._density_counts)
        if self._warnings is not None:
            self._bridge.warnings_changed.emit(self._warnings)
        if self._pending_command is not None:
            self._bridge.command.emit(self._pending_command)
            self._pending_command = None
        self.sig_ready.emit()

    def drag_camera(self, camera_id: str) -> Qt.DropAction:
        """Run a Qt drag of the map camera ``camera_id`` (what the page asks when a camera point is dragged)
        and tell the page when it is over. Returns the drop's action (IgnoreAction: refused or not dropped)."""
        try:
            try:
                ids = checked_camera_ids([camera_id])
            except ValueError as error:
                log.warning("map page: camera drag refused: %s", error)
                return Qt.DropAction.IgnoreAction
            camera = self._camera_cards.camera(ids[0])
            if camera is None:
                log.warning("map page: drag of a camera not on the map refused: %r", ids[0][:40])
                return Qt.DropAction.IgnoreAction
            drag = camera_drag(self, camera)
            self.sig_camera_drag_started.emit(drag)
            return drag.exec(Qt.DropAction.CopyAction, Qt.DropAction.CopyAction)
        finally:
            if self._ready:  # a page loaded since starts without a press
                self._bridge.command.emit(payload.to_json({"op": "cameraDragEnded"}))

    # ------------------------------------------------------------------ data

    def set_cameras(self, cameras: Iterable[Camera]) -> None:
        """Replace the camera layer (columns over the bridge, drawn on one canvas, clustered at low zoom)."""
        cameras = cameras if isinstance(cameras, Sequence) else list(cameras)
        self._camera_cards.replace(cameras)
        self._cameras = payload.camera_columns_json(cameras)
        if self._ready:
            self._bridge.cameras_changed.emit(self._cameras)

    def set_camera_picker(self, picker) -> None:
        """What a shape drawn on the map selects: ``picker(shape) -> {"inside": [...], "sees": [...]}``."""
        self._bridge.set_camera_picker(picker)

    def set_dispatch_offers(self, unit_offer, resource_offer) -> None:
        """What a unit's and a resource's card ask before offering a dispatch: ``offer(id) -> {enabled, reason,
        incident, nearby}`` (``DispatchOffer.as_dict``)."""
        self._bridge.set_dispatch_offers(unit_offer, resource_offer)

    def set_searcher(self, searcher) -> None:
        """What the search box on the map finds: ``searcher(text) -> [SearchHit.as_dict(), ...]``."""
        self._bridge.set_searcher(searcher)

    def select_cameras(self, camera_ids: Iterable[str]) -> None:
        """Ring these cameras on the map (an empty list clears the selection)."""
        self._send_command({"op": "selectCameras", "ids": [str(i) for i in camera_ids]})

    def set_incidents(self, incidents: Iterable[Incident]) -> None:
        """Replace all incidents."""
        self._incidents = {i["id"]: i for i in payload.incidents_payload(incidents)}
        if self._ready:
            self._bridge.incidents_changed.emit(payload.to_json(list(self._incidents.values())))

    def upsert_incidents(self, incidents: Iterable[Incident], *, removed: Iterable[str] = ()) -> None:
        """Add or update several incidents, and take the ``removed`` ids off, in one message to the page (a burst
        is one page task, one frame): a JSON list of the incidents, or ``{"upsert": [...], "remove": [ids]}`` when
        some go. Its size is that of the change, whatever the number of incidents drawn."""
        items = payload.incidents_payload(incidents)
        if self._incidents is None:
            self._incidents = {}
        gone = [incident_id for incident_id in removed if self._incidents.pop(incident_id, None) is not None]
        self._incidents.update((item["id"], item) for item in items)
        if self._ready and (items or gone):
            self._bridge.incidents_upserted.emit(payload.to_json({"upsert": items, "remove": gone} if gone else items))

    def shows_incident(self, incident_id: str) -> bool:
        """Whether the incident is drawn (given to the page by the last replace or the changes since)."""
        return self._incidents is not None and incident_id in self._incidents

    def set_units(self, units: Iterable[Unit], now: datetime | None = None) -> None:
        """Replace the field units (力量): the whole set (at login, from the last known state). Payloads of units
        unchanged since they were last drawn are reused (``payload.UnitPayloads``)."""
        units = list(units)
        items = self._unit_payloads.payloads(units, now)
        self._unit_payloads.keep_only({unit.id for unit in units})
        self._units = {item["id"]: item for item in items}
        if self._ready:
            self._bridge.units_changed.emit(payload.to_json(items))

    def update_units(self, units: Iterable[Unit], *, removed: Iterable[str] = (), whole: bool = False,
                     now: datetime | None = None) -> int:
        """Draw ``units`` again where they changed, in one message to the page: only those whose payload differs
        from what the page has are sent (the page moves their markers), with the ``removed`` ids; ``whole``:
        ``units`` are all there are, any other unit on the page is gone. Returns how many units were sent."""
        units = list(units)
        held = self._units if self._units is not None else {}
        changed = [item for item in self._unit_payloads.payloads(units, now)
                   if (mine := held.get(item["id"])) is not item and mine != item]
        gone = {unit_id for unit_id in removed if unit_id in held}
        if whole:
            present = {unit.id for unit in units}
            gone.update(unit_id for unit_id in held if unit_id not in present)
        gone.difference_update(item["id"] for item in changed)
        self._unit_payloads.forget(gone)
        if self._units is None:
            self._units = {}
        for unit_id in gone:
            del self._units[unit_id]
        self._units.update((item["id"], item) for item in changed)
        if self._ready and (changed or gone):
            self._bridge.units_upserted.emit(payload.to_json({"upsert": changed, "remove": sorted(gone)}))
        return len(changed) + len(gone)

    def set_resources(self, features: Iterable[Mapping[str, Any]]) -> None:
        """Replace the emergency resources from GeoJSON Point features in WGS84."""
        items = payload.resources_payload(features)
        self._resource_items = {item["id"]: item for item in items if item["id"]}  # one without an id: shown only
        self._resources = payload.to_json(items)
        if self._ready:
            self._bridge.resources_changed.emit(self._resources)

    def resource(self, resource_id: str) -> dict[str, Any] | None:
        """The emergency resource with this id as the page has it (``payload.resource_payload``), or None (also
        for a resource without an id: it cannot be named in a dispatch)."""
        return self._resource_items.get(resource_id) if resource_id else None

    def set_incident_density(self, density: Mapping[str, Any]) -> None:
        """Incidents per grid cell with the cells' shapes (``payload.incident_density_payload``): draws the
        choropleth anew; :meth:`set_density_cells` and :meth:`set_density_counts` send the shapes once."""
        self._density_counts = None
        self._density = payload.to_json(density)
        if self._ready:
            self._bridge.density_changed.emit(self._density)

    def set_density_cells(self, cells: Mapping[str, Any]) -> None:
        """The choropleth's grid cells (``payload.density_cells_payload``), all unfilled until counts come;
        sent again only after the page reloads."""
        self.set_incident_density(cells)

    def set_density_counts(self, counts: Mapping[str, Any]) -> None:
        """Incidents per cell (``payload.density_counts_payload``): the page recolours the cells it has."""
        self._density_counts = payload.to_json(counts)
        if self._ready:
            self._bridge.density_changed.emit(self._density_counts)

    def set_warning_areas(self, collection: Mapping[str, Any]) -> None:
        """Replace the early-warning areas (预警区域) with the active warnings' GeoJSON (lon/lat polygons)."""
        self._warnings = payload.to_json(payload.warning_areas_payload(collection))
        if self._ready:
            self._bridge.warnings_changed.emit(self._warnings)

    def fly_to(self, lon: float, lat: float, zoom: int = 16) -> None:
        """Fly the map to a point."""
        self._send_command(payload.fly_to_command(lon, lat, zoom))

    def select_incident(self, incident_id: str) -> None:
        """Fly to an incident and highlight it."""
        self._send_command(payload.select_incident_command(incident_id))

    def _send_command(self, command: dict[str, Any]) -> None:
        text = payload.to_json(command)
        if self._ready:
            self._bridge.command.emit(text)
        else:
            self._pending_command = text  # only the latest view command matters


def _lower_map_threads(renderer_pid: int) -> None:
    """Make the map page's renderer process and Chromium's compositing threads nicer than the GUI thread."""
    renderer = niceness.lower_process(renderer_pid)
    own = niceness.lower_own_threads(niceness.CHROMIUM_COMPOSITING_THREADS)
    if renderer or own:
        log.info("map page: %d renderer and %d compositing thread(s) made %d nicer than the GUI thread",
                 renderer, own, niceness.MAP_NICENESS)  # fmt: skip
