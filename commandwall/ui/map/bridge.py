"""MapBridge: the QObject the map page talks to over QWebChannel (registered as ``"bridge"``).

Python → JS: signals carrying JSON text; cw-map.js connects to them (``bridge.camerasChanged.connect(...)``),
and the static layers, which the page asks for once it is connected (``bridge.staticLayers(callback)``).
JS → Python: slots the page calls (``bridge.cameraClicked(id)``); they re-emit as ``sig_…`` Qt signals.
The JS-visible names are camelCase. Signals get them with ``name=`` (Python uses the snake_case attributes);
slots are camelCase methods, because ``@Slot(name=...)`` crashes QWebChannel's introspection in PySide6 6.11
(segfault when the page connects).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from commandwall.app.dispatch import DispatchOffer
from commandwall.app.map_search import measure
from commandwall.i18n import translate

log = logging.getLogger(__name__)


def _not_connected(_item_id: str) -> dict[str, Any]:
    """A card's dispatch offer before the incident centre is connected: off, saying so."""
    return DispatchOffer(translate("MapView", "未连接事件中心")).as_dict()


class MapBridge(QObject):
    """Carries data into the page and clicks out of it; holds only the static layers' JSON text."""

    # Python -> JS (JSON text)
    cameras_changed = Signal(str, name="camerasChanged")
    incidents_changed = Signal(str, name="incidentsChanged")
    incidents_upserted = Signal(str, name="incidentsUpserted")  # a JSON list, or {"upsert": [...], "remove": [ids]}
    units_changed = Signal(str, name="unitsChanged")
    units_upserted = Signal(str, name="unitsUpserted")  # {"upsert": [changed units], "remove": [ids]}
    resources_changed = Signal(str, name="resourcesChanged")
    density_changed = Signal(str, name="densityChanged")
    warnings_changed = Signal(str, name="warningsChanged")  # GeoJSON of the active early warnings' areas
    command = Signal(str, name="command")
    base_maps_changed = Signal(str, name="baseMapsChanged")  # the base maps, opened after the page loaded

    # JS -> Python, re-emitted for the view
    sig_page_ready = Signal()
    sig_camera_clicked = Signal(str)
    sig_incident_clicked = Signal(str)
    sig_layer_drawn = Signal(str, int)
    sig_base_map_chosen = Signal(str)
    sig_base_map_failing = Signal(str, int, str)  # base map id, tiles failed in a row, "tiles" or "labels"
    sig_base_map_recovered = Signal(str, str)  # base map id, "tiles" or "labels"
    sig_copy_text = Signal(str)
    sig_cameras_to_wall = Signal(list)
    sig_dispatch_unit = Signal(str, str)  # unit id, incident id (the one its card offered)
    sig_dispatch_resource = Signal(str, str)  # resource id, incident id
    sig_camera_drag_started = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._static_layers = "{}"
        self._camera_card: Callable[[str], str] = lambda _camera_id: ""
        self._searcher: Callable[[str], list[dict[str, Any]]] = lambda _text: []
        self._picker: Callable[[dict[str, Any]], dict[str, Any]] = lambda _shape: {"inside": [], "sees": []}
        self._unit_offer: Callable[[str], dict[str, Any]] = _not_connected
        self._resource_offer: Callable[[str], dict[str, Any]] = _not_connected
        no_base_map = {"id": "none", "title": translate("MapView", "无底图")}
        self._base_maps = json.dumps({"items": [], "none": no_base_map, "selected": "none"}, ensure_ascii=False)

    def set_base_maps(self, json_text: str, *, now: bool = False) -> None:
        """Keep the base-map switcher's entries (``BaseMapCatalogue.page_payload``) for the next page load;
        ``now``: also send them to the page loaded (or loading) meanwhile, which shows them at once."""
        self._base_maps = json_text
        if now:
            self.base_maps_changed.emit(json_text)

    @Slot(result=str)
    def baseMaps(self) -> str:  # noqa: N802 (name seen by JS)
        """The base maps on offer and the one to show, as JSON text."""
        return self._base_maps

    @Slot(str)
    def baseMapChosen(self, base_map_id: str) -> None:  # noqa: N802 (name seen by JS)
        """The officer picked a base map in the switcher."""
        self.sig_base_map_chosen.emit(str(base_map_id)[:40])

    @Slot(str)
    def copyText(self, text: str) -> None:  # noqa: N802 (name seen by JS)
        """The page asks to put a short text (the coordinate readout) on the clipboard."""
        text = str(text)
        if len(text) <= 200 and text.isprintable():
            self.sig_copy_text.emit(text)

    def set_static_layers(self, json_text: str) -> None:
        """Keep the static layers (``commandwall.mapdoc.page.static_layers_json``) for the next page load."""
        self._static_layers = json_text

    @Slot(result=str)
    def staticLayers(self) -> str:  # noqa: N802 (name seen by JS)
        """The static layers as JSON text: the page draws them, then calls :meth:`pageReady`."""
        return self._static_layers

    @Slot()
    def pageReady(self) -> None:  # noqa: N802 (name seen by JS)
        """The page has drawn its static layers, connected its handlers and can take data."""
        self.sig_page_ready.emit()

    def set_camera_cards(self, card: Callable[[str], str]) -> None:
        """Where :meth:`cameraCard` looks a camera up (its JSON text, or "" for an unknown id)."""
        self._camera_card = card

    @Slot(str, result=str)
    def cameraCard(self, camera_id: str) -> str:  # noqa: N802 (name seen by JS)
        """One camera's card (name, status, town …) as JSON text for the pointer's tooltip; "" if unknown."""
        return self._camera_card(str(camera_id))

    def set_searcher(self, searcher: Callable[[str], list[dict[str, Any]]]) -> None:
        """What the map's search box asks: text -> JSON-ready results (``MapSearch.search`` as dicts)."""
        self._searcher = searcher

    @Slot(str, result=str)
    def search(self, text: str) -> str:
        """Results for the search box as JSON text (a list; empty for no match or a failed search)."""
        try:
            results = self._searcher(str(text))
        except Exception:  # a failed search must not break the page: it finds nothing, and says so in the log
            log.exception("map search for %r failed", str(text)[:60])
            results = []
        return json.dumps(results, ensure_ascii=False)

    @Slot(str, result=str)
    def measure(self, request: str) -> str:
        """Geodesic measure of ``{"kind": "line"|"area", "points": [[lon, lat], ...]}`` as JSON text:
        ``{length_m}`` or ``{area_m2, perimeter_m}``, or ``{error}`` for a bad request."""
        try:
            data = json.loads(request)
            return json.dumps(measure(str(data["kind"]), data["points"]))
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            return json.dumps({"error": str(exc)[:200]}, ensure_ascii=False)

    def set_camera_picker(self, picker: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """What a drawn shape selects: shape -> ``{inside, sees}`` (``CameraPicker.pick``)."""
        self._picker = picker

    @Slot(str, result=str)
    def pickCameras(self, shape: str) -> str:  # noqa: N802 (name seen by JS)
        """The cameras in a drawn shape (JSON text in and out), or ``{error}`` for a bad shape."""
        try:
            data = json.loads(shape)
            if not isinstance(data, dict):
                raise ValueError("a shape is a JSON object")
            return json.dumps(self._picker(data), ensure_ascii=False)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            return json.dumps({"error": str(exc)[:200]}, ensure_ascii=False)

    @Slot(str)
    def camerasToWall(self, ids: str) -> None:  # noqa: N802 (name seen by JS)
        """上墙: the officer puts the listed cameras (a JSON list of ids) on the video wall."""
        try:
            data = json.loads(ids)
        except ValueError:
            return
        if isinstance(data, list):
            self.sig_cameras_to_wall.emit([str(i) for i in data[:64] if isinstance(i, str)])

    def set_dispatch_offers(self, unit_offer: Callable[[str], dict[str, Any]],
                            resource_offer: Callable[[str], dict[str, Any]]) -> None:
        """What a unit's and a resource's card ask before offering a dispatch: id -> ``{enabled, reason,
        incident: {id, title} | None, nearby: [{id, title, metres}]}`` (``DispatchOffer.as_dict``)."""
        self._unit_offer, self._resource_offer = unit_offer, resource_offer

    @Slot(str, result=str)
    def unitDispatch(self, unit_id: str) -> str:  # noqa: N802 (name seen by JS)
        """What the unit's card may offer now (派往所选事件, or the open incidents nearby), as JSON text."""
        return self._offer(self._unit_offer, unit_id)

    @Slot(str, result=str)
    def resourceDispatch(self, resource_id: str) -> str:  # noqa: N802 (name seen by JS)
        """What the resource's card may offer now (调派至所选事件, or the open incidents nearby), as JSON text."""
        return self._offer(self._resource_offer, resource_id)

    @staticmethod
    def _offer(offer: Callable[[str], dict[str, Any]], item_id: str) -> str:
        try:
            answer = offer(str(item_id)[:200])
        except Exception:  # a failed check must not break the page: the button stays off, the log says why
            log.exception("dispatch offer for %r failed", str(item_id)[:60])
            answer = DispatchOffer(translate("MapView", "暂不可用")).as_dict()
        return json.dumps(answer, ensure_ascii=False)

    @Slot(str, str)
    def dispatchUnit(self, unit_id: str, incident_id: str) -> None:  # noqa: N802 (name seen by JS)
        """派往所选事件 (or to a nearby incident) was pressed on a unit's card: the ids are checked again where
        the dispatch is made."""
        self.sig_dispatch_unit.emit(str(unit_id)[:200], str(incident_id)[:200])

    @Slot(str, str)
    def dispatchResource(self, resource_id: str, incident_id: str) -> None:  # noqa: N802 (name seen by JS)
        """调派至所选事件 (or to a nearby incident) was pressed on an emergency resource's card."""
        self.sig_dispatch_resource.emit(str(resource_id)[:200], str(incident_id)[:200])

    @Slot(str)
    def cameraClicked(self, camera_id: str) -> None:  # noqa: N802 (name seen by JS)
        """A camera marker was clicked."""
        self.sig_camera_clicked.emit(str(camera_id))

    @Slot(str)
    def cameraDragStarted(self, camera_id: str) -> None:  # noqa: N802 (name seen by JS)
        """A camera point is being dragged off the map (the view runs the Qt drag; the id is checked there)."""
        self.sig_camera_drag_started.emit(str(camera_id)[:1000])

    @Slot(str)
    def incidentClicked(self, incident_id: str) -> None:  # noqa: N802 (name seen by JS)
        """An incident marker was clicked."""
        self.sig_incident_clicked.emit(str(incident_id))

    @Slot(str, int, str)
    def baseMapFailing(self, base_map_id: str, failed: int, part: str) -> None:  # noqa: N802 (name seen by JS)
        """The shown base map's tiles (``part`` "tiles") or its label overlay's ("labels") keep failing or never
        come (``failed`` in a row, none loaded since); the page shows a warning on the map and retries."""
        part = part if part in ("tiles", "labels") else "tiles"
        self.sig_base_map_failing.emit(str(base_map_id)[:40], max(0, int(failed)), part)

    @Slot(str, str)
    def baseMapRecovered(self, base_map_id: str, part: str) -> None:  # noqa: N802 (name seen by JS)
        """Tiles of a base map said failing load again (its warning on the map is gone)."""
        part = part if part in ("tiles", "labels") else "tiles"
        self.sig_base_map_recovered.emit(str(base_map_id)[:40], part)

    @Slot(str, int)
    def layerDrawn(self, kind: str, count: int) -> None:  # noqa: N802 (name seen by JS)
        """The page has painted ``count`` items of a data layer (cameras/incidents/units/resources)."""
        log.debug("map page drew %d %s", count, kind)
        self.sig_layer_drawn.emit(str(kind), int(count))
