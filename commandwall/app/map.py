"""The map's rules (地图), without Qt: which layers feed which overlay, where a camera is, and how often the
many-point layers are redrawn.

The map page itself is built by ``mapdoc`` and shown by ``ui/map``; this controller only decides *what* goes
on it from the session's layers and stores.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from commandwall import paths
from commandwall.app.incident_filter import NO_FILTER, IncidentFilter
from commandwall.app.map_search import MapSearch
from commandwall.app.map_select import CameraPicker
from commandwall.app.session import ClientSession
from commandwall.config import BaseMapSpec, Settings, check_tile_url
from commandwall.domain.models import Camera, Incident, Unit
from commandwall.geo.basemaps import (
    MAX_CAPABILITIES_BYTES,
    WEB_MERCATOR,
    WEB_MERCATOR_SET,
    BaseMap,
    BaseMapCatalogue,
    BaseMapFileError,
    WmtsError,
    implied_crs,
    is_rest_template,
    open_reader,
    tianditu_template,
    wmts_from_capabilities,
    wmts_kvp_template,
    wmts_rest_template,
)
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.mapdoc.payload import density_cells_payload, density_counts_payload

log = logging.getLogger(__name__)

#: Id and title of the shipped district base map (the exercise mode's default).
#: The district's offline base map: (id, title); the title is translated where the catalogue is built.
DISTRICT_BASE_MAP = ("xuecheng", QT_TRANSLATE_NOOP("basemaps", "薛城区离线底图"))
_TIANDITU_LABELS = {"vec": "cva", "img": "cia", "ter": "cta"}


def base_map_from_spec(spec: BaseMapSpec, tianditu_key: str | None) -> BaseMap:
    """The switcher entry for one configured base map (opens offline files; ``OSError``/``ValueError`` if bad,
    naming the file). Its ``path`` and ``capabilities`` are read as given: ``Settings`` puts relative ones in the
    settings folder. Its ``crs`` is the configured one, else what the tile host implies (an AMap, Tencent or Baidu
    host: GCJ-02 / BD-09, :func:`commandwall.geo.basemaps.implied_crs`), else EPSG:3857."""
    zooms = {"min_zoom": spec.min_zoom, "max_zoom": spec.max_zoom}
    base_map = _base_map_from_spec(spec, tianditu_key, zooms)
    if spec.crs is None and base_map.crs == WEB_MERCATOR:  # a capabilities document names the host only now
        base_map = replace(base_map, crs=implied_crs(base_map.url, base_map.overlay_url) or WEB_MERCATOR)
    return base_map


def _base_map_from_spec(spec: BaseMapSpec, tianditu_key: str | None, zooms: dict[str, int]) -> BaseMap:
    crs = {"crs": spec.tile_crs()}
    if spec.kind in ("mbtiles", "folder"):
        reader = open_reader(Path(spec.path), spec.kind)  # type: ignore[arg-type]
        return BaseMap(spec.id, spec.title, reader=reader, **zooms, **crs)
    if spec.kind == "xyz":
        return BaseMap(spec.id, spec.title, url=spec.url, overlay_url=spec.overlay_url,
                       subdomains=spec.subdomains, **zooms, **crs)
    if spec.kind == "wmts":
        matrix_set, prefix, style = spec.matrix_set or WEB_MERCATOR_SET, spec.matrix_prefix, spec.style or "default"
        url = spec.url or ""
        if spec.capabilities is not None:  # the server's own description of the layer (WmtsError says why not)
            choice = wmts_from_capabilities(_read_capabilities(Path(spec.capabilities)), spec.layer or "",
                                            spec.matrix_set, spec.format, spec.style)
            url, matrix_set = check_tile_url(choice.url), choice.matrix_set  # as a configured URL is checked
            style = choice.style  # the configured one, else the one the document marks as the default
            prefix = choice.matrix_prefix  # the document's TileMatrix ids, for the label overlay too
            if "{s}" in url and not spec.subdomains:
                raise ValueError("the document's tile template has {s}: give subdomains")
            zooms = {"min_zoom": max(spec.min_zoom, choice.min_zoom), "max_zoom": min(spec.max_zoom, choice.max_zoom)}
            if zooms["min_zoom"] > zooms["max_zoom"]:
                raise ValueError("the layer's tile matrices lie outside min_zoom..max_zoom")
        elif is_rest_template(url):
            url = wmts_rest_template(url, matrix_set, style, prefix)
        else:
            url = wmts_kvp_template(url, spec.layer or "", matrix_set, style, spec.format or "image/png",
                                    matrix_prefix=prefix)
        overlay = spec.overlay_url
        if overlay is not None and is_rest_template(overlay):  # a label layer of the same server
            overlay = wmts_rest_template(overlay, matrix_set, style, prefix)
        return BaseMap(spec.id, spec.title, url=url, overlay_url=overlay, subdomains=spec.subdomains, **zooms, **crs)
    if not tianditu_key:
        raise ValueError("a tianditu base map needs tianditu_key")
    layer = spec.layer or "vec"
    return BaseMap(spec.id, spec.title, url=tianditu_template(layer, tianditu_key),
                   overlay_url=tianditu_template(_TIANDITU_LABELS[layer], tianditu_key), subdomains="01234567",
                   min_zoom=spec.min_zoom, max_zoom=min(spec.max_zoom, 18), **crs)


def _read_capabilities(path: Path) -> bytes:
    """A capabilities document's bytes: a regular file of at most 20 MB (a named pipe would wait for ever, a
    device never end); :class:`BaseMapFileError` with the reason for anything else."""
    try:
        return paths.read_small_file(path, MAX_CAPABILITIES_BYTES)
    except paths.NotARegularFileError:
        raise BaseMapFileError(f"{path} is not a regular file (a folder, named pipe or device): not read",
                               translate("basemaps", "服务说明文件 {name} 不是普通文件（是文件夹、命名管道或设备），"
                                                     "未读取").format(name=path.name)) from None
    except ValueError:
        reason = translate("basemaps", "服务说明文件 {name} 超过 20 MB，未读取").format(name=path.name)
        raise BaseMapFileError(f"{path} is larger than {MAX_CAPABILITIES_BYTES} bytes: not read", reason) from None


def unavailable_reason(exc: Exception) -> str:
    """Why a base map cannot be offered, in the officer's words (the log has the details): the reason a
    :class:`BaseMapFileError` carries, else what kind of trouble it was."""
    if isinstance(exc, BaseMapFileError):
        return exc.reason
    name = Path(exc.filename).name if isinstance(exc, OSError) and exc.filename else ""
    if isinstance(exc, FileNotFoundError):
        return translate("basemaps", "找不到 {name}").format(name=name) if name else translate("basemaps", "找不到文件")
    if isinstance(exc, OSError):
        return (translate("basemaps", "无法读取 {name}").format(name=name) if name
                else translate("basemaps", "文件无法读取"))
    if isinstance(exc, WmtsError):
        return translate("basemaps", "服务说明不适用于本地图（详见日志）")
    return translate("basemaps", "设置有误（详见日志）")


def base_map_catalogue(settings: Settings, district_map: Path | None = None) -> tuple[BaseMapCatalogue, list[str]]:
    """The base maps a desk offers: the configured ones, then the shipped district map (if present).

    The default is ``settings.base_map`` when set, else the first on offer. A configured base map that cannot
    be opened is left out and named in the returned problems with the reason (:func:`unavailable_reason`; the
    others still work; the log says which file was tried and the details).
    """
    key = settings.tianditu_key.get_secret_value() if settings.tianditu_key is not None else None
    base_maps: list[BaseMap] = []
    problems: list[str] = []
    for spec in settings.base_maps:
        try:
            base_maps.append(base_map_from_spec(spec, key))
        except (OSError, ValueError) as exc:
            log.warning("base map %s not available: %s", spec.id, exc)
            problems.append(translate("basemaps", "底图 {title} 不可用：{reason}").format(
                title=spec.title, reason=unavailable_reason(exc)))
    district_map = district_map if district_map is not None else paths.district_base_map()
    ids = {b.id for b in base_maps}
    if district_map.is_file() and DISTRICT_BASE_MAP[0] not in ids:
        try:
            district_id, district_title = DISTRICT_BASE_MAP
            base_maps.append(BaseMap(district_id, translate("basemaps", district_title),
                                     reader=open_reader(district_map, "mbtiles"), min_zoom=8, max_zoom=19))
        except (OSError, ValueError) as exc:
            log.warning("district base map not available: %s", exc)
            problems.append(translate("basemaps", "薛城区离线底图不可用：{reason}").format(
                reason=unavailable_reason(exc)))
    elif not district_map.is_file():
        log.info("no district base map at %s (make setup makes it)", district_map)
    return BaseMapCatalogue(base_maps, default=settings.base_map or ""), problems


#: How often (ms) moving units and camera states are redrawn at most: a thousand points per second is enough.
REDRAW_INTERVAL_MS = 1000
#: How often (s) the units are looked at for one gone stale (or current again) with no change to redraw them for.
STALE_CHECK_S = 15.0


@dataclass(frozen=True)
class UnitRedraw:
    """Units to draw again (:meth:`MapController.take_redraws`): ``units`` as the store holds them, the ids of
    ``removed`` ones it no longer holds; ``whole``: ``units`` are all of them (any other unit is gone)."""

    units: list[Unit]
    removed: tuple[str, ...] = ()
    whole: bool = False


class MapController:
    """What the district map shows, from the session's layers and stores."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session
        self._lock = threading.Lock()
        self._cameras_dirty = False
        self._units_changed: set[str] = set()  # ids of units changed since the last take_redraws
        self._units_all = False  # any unit may have changed: all are looked at
        self._stale_checked_at = -math.inf
        self._incidents_dirty = True
        self._density_cells: tuple[list, dict[str, Any]] | None = None  # (the layers made from, payload)
        self._recount = True  # count every incident's cell again at the next take_density
        self._changed: list[Incident] = []  # incidents changed since the last take_density
        self._cell_of: dict[str, str | None] = {}  # incident id -> its grid cell, as counted
        self._counts: Counter[str] = Counter()  # incidents per grid cell
        self._counted_of: list | None = None  # the layers the counts were made with
        self._searcher: MapSearch | None = None
        self._picker = CameraPicker(lambda: session.camera_index, session.cameras.get)
        self._search_of: list | None = None
        #: Which incidents the map shows (set from the overview dashboard; ``NO_FILTER``: all).
        self.incident_filter: IncidentFilter = NO_FILTER

    # --- which incidents are drawn -----------------------------------------------------------------------
    def set_incident_filter(self, incident_filter: IncidentFilter) -> list[Incident]:
        """Draw only the incidents ``incident_filter`` passes; returns them (what the map shows now)."""
        self.incident_filter = incident_filter
        return self.map_incidents()

    def map_incidents(self) -> list[Incident]:
        """The incidents the map shows under the current filter, as the store holds them (placed in their town
        and grid cell as they arrived, off the GUI thread: ``IncidentStore.set_areas``)."""
        return self.incident_filter.select(self.session.incidents.all())

    def shows_incident(self, incident: Incident) -> bool:
        """Whether a changed incident belongs on the map under the current filter."""
        return self.incident_filter.matches(incident)

    def base_maps(self) -> tuple[BaseMapCatalogue, list[str]]:
        """The desk's base maps (:func:`base_map_catalogue` of the session's settings) and what failed to open.
        It opens files and reads capabilities documents (up to 20 MB of XML each): call it off the GUI thread."""
        return base_map_catalogue(self.session.settings)

    @staticmethod
    def layer_report(errors: list[str]) -> str | None:
        """The duty officer's line about layers that did not load (None when all did)."""
        if not errors:
            return None
        separator = translate("map_page", "；")
        return translate("map_page", "部分图层未加载：{errors}").format(errors=separator.join(errors))

    def resources(self) -> list[Mapping[str, Any]] | None:
        """The emergency resources (应急资源) features, if the platform has such a layer."""
        layer = next((layer for layer in self.session.layers if layer.kind == "resources"), None)
        return list(layer.features) if layer is not None else None

    def grid_names(self) -> dict[str, str]:
        """Grid cell id → its name (临城街道第03网格), from the grids layer (empty without one)."""
        grids = next((layer for layer in self.session.layers if layer.kind == "grids"), None)
        if grids is None:
            return {}
        return {str(f["properties"].get("id")): str(f["properties"].get("name")) for f in grids.features}

    def camera_position(self, camera_id: str) -> tuple[float, float] | None:
        """Where to fly to for a camera (lon, lat), or None if the platform does not know it."""
        camera = self.session.cameras.get(camera_id)
        return (camera.lon, camera.lat) if camera is not None else None

    # --- redraws of the many-point layers, at most once per interval -----------------------------------------
    def note_camera_change(self) -> None:
        """A camera changed (status): its layer is redrawn at the next :meth:`take_redraws`."""
        with self._lock:
            self._cameras_dirty = True

    def note_unit_change(self, unit: Unit | None = None) -> None:
        """A unit moved or changed (None: any may have): it is drawn again at the next :meth:`take_redraws`."""
        with self._lock:
            if unit is None:
                self._units_all = True
            else:
                self._units_changed.add(unit.id)

    def take_redraws(self) -> tuple[list[Camera] | None, UnitRedraw | None]:
        """The cameras to redraw now (None: unchanged since the last call) and the units to draw again (None:
        none); called every interval.

        The units are the ones changed since the last call, as the store holds them now (a changed one it no
        longer holds is among the removed). Every :data:`STALE_CHECK_S` seconds, and after
        ``note_unit_change()``, they are all of them (``whole``): a unit becomes stale (silent for over
        ``UNIT_REPORT_STALE_S``), its silence's age text changes, or it is current again without a change
        reaching the desk; the view draws again only the units whose payload changed."""
        with self._lock:
            cameras_dirty, self._cameras_dirty = self._cameras_dirty, False
            changed, self._units_changed = self._units_changed, set()
            every, self._units_all = self._units_all, False
        units = None
        checked = time.monotonic()
        if every or checked - self._stale_checked_at >= STALE_CHECK_S:
            self._stale_checked_at = checked
            units = UnitRedraw(self.session.units.all(), (), True)
        elif changed:
            store = self.session.units
            found = {unit_id: store.get(unit_id) for unit_id in sorted(changed)}
            units = UnitRedraw([unit for unit in found.values() if unit is not None],
                               tuple(unit_id for unit_id, unit in found.items() if unit is None), False)
        return (self.session.cameras.all() if cameras_dirty else None, units)

    # --- incidents per grid cell (the store's placement of each) -------------------------------------------
    def note_incident_change(self, incidents: Iterable[Incident] | None = None) -> None:
        """Incidents arrived or changed: the density per grid cell follows at :meth:`take_density`, counting
        only ``incidents`` (the changed ones) into what it counted before, or all again when None."""
        with self._lock:
            self._incidents_dirty = True
            if incidents is None:
                self._recount = True
            else:
                self._changed.extend(incidents)

    def density_cells(self) -> dict[str, Any]:
        """The choropleth's grid cells without counts (``payload.density_cells_payload``): the same object
        until the layers change, so a caller sends the geometry to the page only when it is new."""
        layers = self.session.layers
        if self._density_cells is None or self._density_cells[0] is not layers:
            grids = next((layer for layer in layers if layer.kind == "grids"), None)
            self._density_cells = (layers, density_cells_payload(list(grids.features) if grids is not None else []))
        return self._density_cells[1]

    def take_density(self) -> dict[str, Any] | None:
        """Incidents per grid cell of :meth:`density_cells` (``payload.density_counts_payload``), or None when
        no incident changed since the last call; called every redraw interval.

        A burst's newcomers are counted into the previous counts (the cell of each incident is remembered);
        all are counted again when told (``note_incident_change()``), for new grid cells, or when the store
        holds fewer incidents than were counted.
        """
        with self._lock:
            dirty, self._incidents_dirty = self._incidents_dirty, False
            recount, self._recount = self._recount, False
            changed, self._changed = self._changed, []
        if not dirty:
            return None
        layers = self.session.layers
        if recount or self._counted_of is not layers:
            self._count_all(layers)
        else:
            cells = self.session.incidents.point_grids(incident.id for incident in changed)
            for incident_id, cell in cells.items():
                held = self._cell_of.get(incident_id, "")
                if held != cell or incident_id not in self._cell_of:
                    if held:
                        self._counts[held] -= 1
                    if cell:
                        self._counts[cell] += 1
                    self._cell_of[incident_id] = cell
            if len(self._cell_of) > len(self.session.incidents):  # the store was replaced (it may run ahead)
                self._count_all(layers)
        cell_ids = [cell["id"] for cell in self.density_cells()["cells"]]
        return density_counts_payload(cell_ids, self._counts)

    def _count_all(self, layers: list) -> None:
        self._cell_of = self.session.incidents.point_grids()
        self._counts = Counter(cell for cell in self._cell_of.values() if cell)
        self._counted_of = layers

    # --- the search box ----------------------------------------------------------------------------------------
    def search(self, text: str) -> list[dict[str, Any]]:
        """Search-box results for ``text`` (``MapSearch.search``) as JSON-ready dicts."""
        layers = self.session.layers
        if self._searcher is None or self._search_of is not layers:
            session = self.session
            features = {kind: next((list(layer.features) for layer in layers if layer.kind == kind), [])
                        for kind in ("towns", "grids")}
            self._searcher = MapSearch(session.cameras.all, session.incidents.all, session.units.all,
                                       features["towns"], features["grids"])
            self._search_of = layers
        return [hit.as_dict() for hit in self._searcher.search(text)]

    def pick_cameras(self, shape: Mapping[str, Any]) -> dict[str, Any]:
        """The cameras in a shape drawn on the map and those whose view reaches into it (``CameraPicker``)."""
        return self._picker.pick(shape)
