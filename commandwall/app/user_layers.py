"""The layer tree's layers, without Qt: the user's own (自定义图层) and the platform's catalogue (平台图层,
:mod:`commandwall.app.platform_layers`) — where they are configured, what each one holds now, how it is shown
(on/off, opacity, order, kept across restarts in ``<config>/layer_view.json``) and when a live one is read again.

Sources come from ``Settings.layer_sources`` (``COMMANDWALL_LAYER_SOURCES``, a JSON list) and then from
``<config>/layers.json`` (a JSON list, or ``{"layers": [...]}``) of :class:`LayerSourceSpec` entries. A bad entry
is left out and named in :attr:`UserLayersController.problems`; the others still load. Sources added in the
layer tree are appended to ``layers.json`` (:meth:`UserLayersController.add_source`) and can be removed from it.
Reading happens on a worker thread (:meth:`UserLayersController.load`); everything the page gets is built here as
plain data. The user's layers are drawn above the platform's; the order moves within each group.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from commandwall.app.layer_view import (
    LAYER_VIEW_FILE,
    MIN_REFRESH_S,
    LayerView,
    read_layer_view,
    write_layer_view,
)
from commandwall.app.platform_layers import MAP_DRAWN_KINDS, PLATFORM_KEY_PREFIX, CatalogueLayer, catalogue_result
from commandwall.app.settings_folder import settings_folder_problem
from commandwall.backoff import Backoff
from commandwall.geo.check import source_report
from commandwall.geo.crs import UnsupportedCRS, canonical_crs
from commandwall.geo.layers import shown_title
from commandwall.geo.sources import LayerSourceSpec, SourceResult, describe_invalid, load_source
from commandwall.localjson import NotJsonError, parse_json
from commandwall.mapdoc.legend import LegendSummary, legend_summary
from commandwall.mapdoc.page import STATIC_KINDS, style_tables
from commandwall.paths import in_settings_folder, set_aside, write_whole
from commandwall.textsafe import display_text

log = logging.getLogger(__name__)

#: The file in the settings folder that lists a desk's own layer sources.
USER_LAYERS_FILE = "layers.json"
#: Layer groups in the tree, top first. ``local``: the local layer folder's layers while they stand in for the
#: platform's catalogue (it failed, or the desk started offline); the two never show together.
USER_GROUP, LOCAL_GROUP, PLATFORM_GROUP = "user", "local", "platform"
#: Prefix of a local folder layer's key in the layer tree (user source ids cannot contain ``:``).
LOCAL_KEY_PREFIX = "local:"
_STAND_IN_PREFIXES = (PLATFORM_KEY_PREFIX, LOCAL_KEY_PREFIX)
#: Layer kinds the map draws from the stores (live positions and states), not from a layer file.
STORE_DRAWN_KINDS = frozenset({"cameras", "units"})
#: A point layer with at least this many points reaches the page as columns for the points canvas.
POINT_COLUMNS_MIN = 1
_MAX_FILE_BYTES = 1024 * 1024
#: The most layer sources ``layers.json`` lists that are read (``COMMANDWALL_LAYER_SOURCES`` holds as many).
MAX_SOURCES = 100
#: The longest a failing live layer waits between reads (seconds), unless its own interval is longer.
MAX_RETRY_S = 600
#: A layer that has never loaded (its server down at start) is tried again by itself: first after this many
#: seconds, doubling each time up to :data:`MAX_FIRST_LOAD_RETRY_S`, until it loads.
FIRST_LOAD_RETRY_S = 10.0
MAX_FIRST_LOAD_RETRY_S = 300.0


def retry_delay_s(interval_s: float, failures: int, rng: random.Random | None = None) -> float:
    """Seconds before a live layer read every ``interval_s`` is read again after ``failures`` failed reads in a
    row: twice the interval after the first, doubling with each one, at most :data:`MAX_RETRY_S` (or the
    interval, when that is longer) — ±10 % so that desks sharing a server do not retry in step
    (:class:`commandwall.backoff.Backoff`)."""
    policy = Backoff(initial_s=2.0 * interval_s, factor=2.0, maximum_s=max(float(MAX_RETRY_S), interval_s),
                     jitter=0.1)
    return policy.delay_s(failures, rng)


def first_load_retry_delay_s(failures: int, rng: random.Random | None = None) -> float:
    """Seconds before a layer that has never loaded is tried again after ``failures`` failed reads in a row:
    :data:`FIRST_LOAD_RETRY_S` doubling to :data:`MAX_FIRST_LOAD_RETRY_S`, ±10 %."""
    policy = Backoff(initial_s=FIRST_LOAD_RETRY_S, factor=2.0, maximum_s=MAX_FIRST_LOAD_RETRY_S, jitter=0.1)
    return policy.delay_s(failures, rng)


def read_sources_file(path: Path) -> tuple[list[LayerSourceSpec], list[str]]:
    """The sources listed in ``path`` (missing file: none) and one problem line per entry left out, with its
    reason (an entry whose ``~NAME/…`` path names a user this machine does not have too), and one saying how many
    entries beyond :data:`MAX_SOURCES` were not read. A relative file ``path`` of an entry is in the folder of
    ``path`` (the settings folder), not the working folder."""
    try:
        if not path.is_file():
            return [], []
        if path.stat().st_size > _MAX_FILE_BYTES:
            return [], [f"{path.name}: larger than {_MAX_FILE_BYTES} bytes"]
        data = parse_json(path.read_text("utf-8"))
    except NotJsonError as exc:
        return [], [f"{path.name}: cannot read ({exc})"]
    except (OSError, ValueError) as exc:
        return [], [f"{path.name}: cannot read ({type(exc).__name__})"]
    entries = data.get("layers") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return [], [f"{path.name}: expected a JSON list of layer sources"]
    specs: list[LayerSourceSpec] = []
    problems: list[str] = []
    for n, entry in enumerate(entries[:MAX_SOURCES]):
        try:
            spec = LayerSourceSpec.model_validate(entry)
            if spec.path is not None:
                spec = spec.model_copy(update={"path": in_settings_folder(spec.path, path.parent)})
            specs.append(spec)
        except ValidationError as exc:  # each reason, never the input (a URL in it may carry a key)
            problems.append(f"{path.name} entry {n}: invalid ({describe_invalid(exc, 3)})")
        except ValueError as exc:  # the path's ~NAME is no user here (paths.UnknownHomeError)
            problems.append(f"{path.name} entry {n}: invalid (path: {exc})")
    if len(entries) > MAX_SOURCES:
        problems.append(f"{path.name}: {len(entries) - MAX_SOURCES} entries after the first {MAX_SOURCES} left out "
                        f"(at most {MAX_SOURCES} layer sources are read)")
    return specs, problems


def configured_sources(settings: Any) -> tuple[list[LayerSourceSpec], list[str]]:
    """``settings.layer_sources`` then ``<settings.config_dir>/layers.json``; a repeated id is left out."""
    from_file, problems = read_sources_file(Path(settings.config_dir) / USER_LAYERS_FILE)
    return _unique([*settings.layer_sources, *from_file], problems)


def _unique(listed: list[LayerSourceSpec], problems: list[str]) -> tuple[list[LayerSourceSpec], list[str]]:
    specs: list[LayerSourceSpec] = []
    for spec in listed:
        if any(s.id == spec.id for s in specs):
            problems.append(f"layer source {spec.id}: the id is used twice; the second one is left out")
        else:
            specs.append(spec)
    return specs, problems


def spec_entry(spec: LayerSourceSpec) -> dict[str, Any]:
    """A source as a ``layers.json`` entry (only what differs from the defaults)."""
    return spec.model_dump(mode="json", exclude_defaults=True, exclude_none=True) | {"id": spec.id,
                                                                                      "kind": spec.kind}


def _write_json_list(path: Path, entries: list[Any]) -> None:
    """Write ``entries`` as ``path`` whole (temporary file, then rename); ``OSError`` if it cannot."""
    write_whole(path, json.dumps(entries, ensure_ascii=False, indent=1))


def _raw_entries(path: Path) -> list[Any]:
    """The entries of a ``layers.json`` as written (none if it does not exist); ``ValueError`` when the file
    is there but is not a list of entries (it is then left alone, not overwritten)."""
    if not path.is_file():
        return []
    try:
        data = parse_json(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        reason = str(exc) if isinstance(exc, NotJsonError) else type(exc).__name__
        raise ValueError(f"{path.name} cannot be read ({reason}); fix or remove it first") from None
    entries = data.get("layers") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ValueError(f"{path.name} is not a list of layer sources; fix or remove it first")
    return entries


@dataclass(eq=False)  # a layer is itself: never compared field by field (its features may be 50 000)
class UserLayer:
    """One layer of the tree and how it is shown: ``visible``, ``opacity`` (0–1), its latest
    :class:`SourceResult` (given with :meth:`take`). ``group`` is ``user`` or ``platform``; ``map_drawn``: the map
    page draws the features itself (``map_layer``: its static layer's id), the tree only switches and fades it;
    ``removable``: listed in ``<config>/layers.json``, so the tree may remove it."""

    spec: LayerSourceSpec
    visible: bool = True
    opacity: float = 0.9
    result: SourceResult | None = None
    #: A read of this layer is queued or under way (:meth:`UserLayersController.begin_read`): no other starts.
    loading: bool = False
    report: str = ""  # ``geo.check.source_report`` of ``result``, made where it was read (it walks every position)
    group: str = USER_GROUP
    map_drawn: bool = False
    map_layer: str | None = None
    removable: bool = False
    #: Refresh interval set in the tree (seconds, 0 never), overriding the source's ``refresh_s``; None: not set.
    refresh_s: int | None = None
    #: How the page styles a static layer it draws by category (``mapdoc.page.style_tables``: roads by class,
    #: towns by name); None for a layer drawn in its own colour.
    category_styles: dict[str, Any] | None = None
    #: What ``result``'s features hold for the legend, made where it was read (it walks every feature); None
    #: while nothing is read.
    legend: LegendSummary | None = None
    #: Failed reads in a row (:attr:`SourceResult.failed`), and when a failing live layer, or one that has never
    #: loaded, is read next (seconds since the epoch; :func:`retry_delay_s`, :func:`first_load_retry_delay_s`):
    #: None while it reads well, and for a layer that loaded once and is not live.
    failures: int = 0
    retry_at: float | None = None
    #: Why the latest read failed while :attr:`result` still holds the last good one (the map keeps drawing it,
    #: the tree says how old it is); None after a good read.
    read_error: str | None = None
    #: The latest failed read (its :attr:`SourceResult.error_kind` says what kind of failure for the tree),
    #: None after a good read.
    failure: SourceResult | None = None
    #: A read of this layer has succeeded once (:meth:`UserLayersController.load`; an empty answer counts).
    loaded: bool = False

    def describe(self, result: SourceResult) -> tuple[str, LegendSummary]:
        """``result``'s report and legend summary for this layer: both walk every feature, so call this where
        the source was read, off the GUI thread."""
        report = "\n".join(source_report(result))
        return report, legend_summary(result.features if result.usable else [], self.category_styles)

    def take(self, result: SourceResult) -> None:
        """Hold ``result`` as the latest read, with its report and legend summary (:meth:`describe`) made now."""
        report, legend = self.describe(result)
        self.result, self.report, self.legend = result, report, legend

    @property
    def refresh_interval(self) -> int:
        """Seconds between reads of a live layer (0: read only when asked): the tree's setting, else the
        source's (a platform layer's catalogue gives none)."""
        return self.spec.refresh_s if self.refresh_s is None else self.refresh_s

    @property
    def refreshable(self) -> bool:
        """True when the layer is read from a source the tree can read again (not the map's own drawing)."""
        return not self.map_drawn

    @property
    def key(self) -> str:
        """The layer's key in the tree, the page and the saved view (a source id, or ``platform:<id>``)."""
        return self.spec.id

    @property
    def status(self) -> str:
        """``loading``, ``ok``, ``partial`` (some features left out), ``stale`` (the last good read shown, the
        latest failed) or ``error``."""
        if self.result is None:
            return "loading"
        if not self.result.usable:  # an empty answer (a live layer of current alerts, none now) is no failure
            return "ok" if not self.result.failed and self.read_error is None else "error"
        if self.read_error is not None:
            return "stale"
        return "partial" if self.result.bad or self.result.truncated else "ok"


def platform_tree_layers(entries: list[CatalogueLayer], base_url: str) -> list[UserLayer]:
    """The platform group's layers for :meth:`UserLayersController.set_platform`, reports and legends made (they
    walk every feature: call it off the GUI thread)."""
    def drawn_at(entry: CatalogueLayer) -> int:  # the page's own order, top first: thematic layers (own panes
        kind = entry.info.kind  # above), the resources' markers, then the static layers top to bottom
        return -2 if not entry.drawn_by_map else -1 if kind not in STATIC_KINDS else STATIC_KINDS[::-1].index(kind)

    layers = []
    for entry in sorted(entries, key=drawn_at):
        result = catalogue_result(entry, base_url)
        static = entry.info.kind in STATIC_KINDS
        layer = UserLayer(result.spec, group=PLATFORM_GROUP, map_drawn=entry.drawn_by_map,
                          map_layer=entry.info.id if static else None,
                          category_styles=style_tables(entry.info.kind, entry.info.style) if static else None)
        layer.take(result)
        layers.append(layer)
    return layers


def _manifest_files(layers_dir: Path) -> dict[str, str]:
    """Layer id -> file name, from the folder's ``manifest.json`` (empty when it cannot be read)."""
    try:
        manifest = parse_json((layers_dir / "manifest.json").read_text("utf-8"))
        entries = manifest.get("layers") if isinstance(manifest, dict) else None
    except (OSError, ValueError):
        return {}
    return {str(e["id"]): str(e["file"]) for e in entries or [] if isinstance(e, dict)
            and isinstance(e.get("id"), str) and isinstance(e.get("file"), str)}


def local_tree_layers(layers: list[Any], errors: list[tuple[str, str]], layers_dir: Path) -> list[UserLayer]:
    """The local group's layers for :meth:`UserLayersController.set_platform`: what the map draws from the local
    layer folder (``geo.layers.Layer`` as the session loaded them; the kinds drawn from the stores left out),
    each with its count, and each layer of ``errors`` (layer id, reason) listed broken with its reason. Reports
    and legends are made here (they walk every feature: call it off the GUI thread)."""
    files = _manifest_files(layers_dir)
    now = time.time()

    def spec(layer_id: str, title: str, crs: str | None, style: dict[str, Any]) -> LayerSourceSpec:
        color = style.get("color")
        color = color if isinstance(color, str) and len(color) == 7 and color.startswith("#") \
            and all(c in "0123456789abcdefABCDEF" for c in color[1:]) else "#5ac8fa"
        file = files.get(layer_id)
        return LayerSourceSpec.model_construct(  # never validated, never saved: the folder's, not a user's
            id=LOCAL_KEY_PREFIX + layer_id, title=display_text(title or layer_id, 60), kind="geojson", url=None,
            path=layers_dir / (file or "manifest.json"), collection=None, type_name=None, crs=crs,
            axis_order="auto", wfs_format="json", bbox=None, page_size=1000, max_features=200000, refresh_s=0,
            color=color)

    def drawn_at(layer: Any) -> int:  # the page's own order, top first, as the platform's group
        kind = layer.kind
        return -2 if kind not in MAP_DRAWN_KINDS else -1 if kind not in STATIC_KINDS else STATIC_KINDS[::-1].index(kind)

    out = []
    for layer in sorted((la for la in layers if la.kind not in STORE_DRAWN_KINDS), key=drawn_at):
        try:
            crs = canonical_crs(layer.crs)
        except UnsupportedCRS:
            crs = None
        result = SourceResult(spec=spec(layer.id, shown_title(layer), crs, dict(layer.style or {})), fetched_at=now,
                              pages=1, matched=len(layer.features), crs=crs or str(layer.crs)[:64])
        if layer.features:
            result.features = list(layer.features)
        else:
            result.error = "the layer has no usable features"
        static = layer.kind in STATIC_KINDS
        tree_layer = UserLayer(result.spec, group=LOCAL_GROUP, map_drawn=layer.kind in MAP_DRAWN_KINDS,
                               map_layer=layer.id if static else None,
                               category_styles=style_tables(layer.kind, layer.style) if static else None)
        tree_layer.take(result)
        out.append(tree_layer)
    for layer_id, reason in errors:
        result = SourceResult(spec=spec(layer_id, layer_id, None, {}), fetched_at=now, error=reason)
        broken = UserLayer(result.spec, group=LOCAL_GROUP, map_drawn=True)
        broken.take(result)
        out.append(broken)
    return out


class UserLayersController:
    """The tree's layers in their drawing order (first = drawn on top): the user group, then the platform's.

    With ``config_dir``, order, on/off and opacity are kept in ``<config_dir>/layer_view.json`` at every change
    and applied to the layers as they arrive; sources added in the tree go to ``<config_dir>/layers.json``.
    A live layer whose reads fail is read less and less often (:func:`retry_delay_s`; ``clock`` and ``rng``
    give the time and the jitter, for tests).
    """

    def __init__(self, specs: list[LayerSourceSpec], problems: list[str] | None = None,
                 *, loader: Any = load_source, config_dir: Path | None = None,
                 removable: set[str] | frozenset[str] = frozenset(), rng: random.Random | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.layers: list[UserLayer] = [UserLayer(spec, removable=spec.id in removable) for spec in specs]
        self.problems = list(problems or [])
        #: Why the platform's catalogue could not be had (its group then stays empty), or None.
        self.platform_problem: str | None = None
        self.config_dir = Path(config_dir) if config_dir is not None else None
        self._loader = loader
        self._rng = rng  # the retry delays' jitter (None: the module's)
        self._clock = clock  # when a failing layer is tried again, and the default ``now`` of :meth:`due`
        self._platform_loader: Callable[[str], SourceResult | None] | None = None
        self._platform_known = False
        self._lock = threading.Lock()
        self._view = LayerView()
        #: the saved view could not be read: the file is set aside (a hand edit to mend) before it is written over
        self._unreadable_view = False
        #: why the settings folder cannot keep the view ("" when it can; None until first asked): the window
        #: says it once, the controller then writes nothing
        self._folder_problem: str | None = None
        if self.config_dir is not None:
            self._view, problem = read_layer_view(self.config_dir / LAYER_VIEW_FILE)
            if problem:
                self.problems.append(problem)
                self._unreadable_view = (self.config_dir / LAYER_VIEW_FILE).is_file()
        self.layers = self._arranged(self.layers)
        if any(not k.startswith(_STAND_IN_PREFIXES) and self.get(k) is None for k in self._view.order):
            self.save_view()  # a removed source's entry goes

    @classmethod
    def from_settings(cls, settings: Any) -> UserLayersController:
        """The controller for a desk's settings (see :func:`configured_sources`), remembering its layer view in
        the settings folder."""
        specs, problems = configured_sources(settings)
        from_env = {spec.id for spec in settings.layer_sources}
        in_file = {spec.id for spec in specs} - from_env
        return cls(specs, problems, config_dir=Path(settings.config_dir), removable=in_file)

    # --- the saved view ----------------------------------------------------------------------------------------
    def _arranged(self, layers: list[UserLayer]) -> list[UserLayer]:
        """``layers`` with their saved look applied, each group in its saved order (new ones on top)."""
        for layer in layers:
            if (shown := self._view.shown.get(layer.key)) is not None:
                layer.visible, layer.opacity = shown
            if (seconds := self._view.refresh.get(layer.key)) is not None:
                layer.refresh_s = seconds

        def rank(layer: UserLayer) -> int:
            position = self._view.position(layer.key)
            return -1 if position is None else position

        groups = [sorted((la for la in layers if la.group == g), key=rank)
                  for g in (USER_GROUP, LOCAL_GROUP, PLATFORM_GROUP)]
        return [layer for group in groups for layer in group]

    def save_view(self) -> None:
        """Keep order, on/off and opacity in ``layer_view.json`` (no-op without a config folder). Entries of
        sources that are gone are dropped; the platform's are kept until its catalogue has been seen."""
        if self.config_dir is None:
            return
        view = LayerView([la.key for la in self.layers], {la.key: (la.visible, la.opacity) for la in self.layers},
                         {la.key: la.refresh_s for la in self.layers if la.refresh_s is not None})
        if not self._platform_known:  # the platform's (and the local folder's) entries wait for their layers
            listed = {la.key for la in self.layers}
            kept = [k for k in self._view.order if k.startswith(_STAND_IN_PREFIXES) and k not in listed]
            view.order.extend(kept)
            view.shown.update({k: v for k, v in self._view.shown.items() if k in kept})
            view.refresh.update({k: v for k, v in self._view.refresh.items() if k in kept})
        self._view = view
        if self._folder_problem is None:
            self._folder_problem = settings_folder_problem(self.config_dir) or ""
        if self._folder_problem:
            return  # the window says so once; a write would only fail again with a misleading error
        path = self.config_dir / LAYER_VIEW_FILE
        if self._unreadable_view:
            self._unreadable_view = False
            aside = set_aside(path)
            log.warning("%s could not be read: kept as %s before it is written anew", path.name,
                        aside.name if aside is not None else "(could not be renamed)")
        problem = write_layer_view(path, view)
        if problem and problem not in self.problems:
            self.problems.append(problem)

    # --- the platform's group ----------------------------------------------------------------------------------
    def set_platform(self, layers: list[UserLayer], problem: str | None = None,
                     loader: Callable[[str], SourceResult | None] | None = None) -> None:
        """Put the platform's catalogue in its group (``layers`` from :func:`platform_tree_layers`), with
        ``problem`` when the catalogue itself could not be had; ``loader(key)`` reads one entry again. Layers of
        the local folder standing in for the catalogue (:func:`local_tree_layers`) come and go the same way."""
        self._platform_known = problem is None
        self.platform_problem = problem
        self._platform_loader = loader
        stand_ins = (PLATFORM_GROUP, LOCAL_GROUP)
        current = {la.key: la for la in self.layers if la.group in stand_ins}
        for layer in layers:
            if (old := current.get(layer.key)) is not None:
                layer.visible, layer.opacity, layer.refresh_s = old.visible, old.opacity, old.refresh_s
        self.layers = self._arranged([la for la in self.layers if la.group not in stand_ins] + list(layers))
        self.save_view()

    # --- sources added and removed in the tree ----------------------------------------------------------------
    def add_source(self, spec: LayerSourceSpec) -> UserLayer:
        """Append ``spec`` to ``<config>/layers.json`` and put it on top of the user group (not read yet).
        ``ValueError`` (a message fit for the user) when its id is taken or the file cannot take it."""
        if self.config_dir is None:
            raise ValueError("no settings folder to keep the layer in")
        if self.get(spec.id) is not None:
            raise ValueError(f"a layer with id {spec.id} exists already")
        path = self.config_dir / USER_LAYERS_FILE
        entries = _raw_entries(path)
        try:
            _write_json_list(path, [*entries, spec_entry(spec)])
        except OSError as exc:
            raise ValueError(f"{path.name} cannot be written ({type(exc).__name__})") from None
        layer = UserLayer(spec, removable=True)
        self.layers.insert(0, layer)
        self.save_view()
        return layer

    def remove_source(self, layer_id: str) -> bool:
        """Take a source out of ``layers.json`` and out of the tree; False when it is not a removable one.
        ``ValueError`` when the file cannot be rewritten."""
        layer = self.get(layer_id)
        if layer is None or not layer.removable:
            return False
        path = self.config_dir / USER_LAYERS_FILE if self.config_dir is not None else None
        if path is not None:
            entries = _raw_entries(path)
            kept = [e for e in entries if not (isinstance(e, dict) and e.get("id") == layer_id)]
            try:
                _write_json_list(path, kept)
            except OSError as exc:
                raise ValueError(f"{path.name} cannot be written ({type(exc).__name__})") from None
        self.layers.remove(layer)
        self.save_view()
        return True

    def new_source_id(self, title: str) -> str:
        """A free source id for a layer added in the tree (``layer-1``, ``layer-2`` …)."""
        taken = {la.key for la in self.layers}
        if self.config_dir is not None:
            with contextlib.suppress(ValueError):  # an unreadable file is reported when a layer is added
                taken |= {e.get("id") for e in _raw_entries(self.config_dir / USER_LAYERS_FILE) if isinstance(e, dict)}
        n = 1
        while f"layer-{n}" in taken:
            n += 1
        return f"layer-{n}"

    def get(self, layer_id: str) -> UserLayer | None:
        """The layer with this id, or None."""
        return next((layer for layer in self.layers if layer.spec.id == layer_id), None)

    def begin_read(self, layer_id: str) -> bool:
        """Mark a layer as being read, if it can be (known, read from a source, not being read already): a layer
        has at most one read queued or under way, so 刷新 pressed again and again while a slow server answers
        queues nothing more. True when the caller is to read it (:meth:`load`), False when not."""
        layer = self.get(layer_id)
        with self._lock:
            if layer is None or layer.loading:
                return False
            layer.loading = True
            return True

    def end_read(self, layer_id: str) -> None:
        """The read begun by :meth:`begin_read` is over without :meth:`load` having ended it (it raised)."""
        if (layer := self.get(layer_id)) is not None:
            with self._lock:
                layer.loading = False

    def load(self, layer_id: str) -> SourceResult | None:
        """Read one source now (blocking: call it off the GUI thread); None for an unknown id. A user source is
        read with its previous result (``loader(spec, previous=…)``, :func:`load_source`), so a source that has
        not changed comes back :attr:`SourceResult.unchanged` and costs no parsing. A read that fails while the
        layer holds a good one keeps that (the map goes on drawing it; :attr:`UserLayer.read_error` says why
        it is old): a live layer of a flaky server does not blink out at each failure."""
        layer = self.get(layer_id)
        if layer is None:
            return None
        if layer.group == PLATFORM_GROUP:
            result = self._platform_loader(layer_id) if self._platform_loader is not None else None
            if result is None:  # logged out, or the catalogue no longer lists it: keep what was read
                with self._lock:
                    layer.loading = False
                return layer.result
        else:
            result = self._loader(layer.spec, previous=layer.result)
        kept = layer.result
        if result.failed and kept is not None and kept.usable:  # the map keeps what it showed, said to be old
            with self._lock:
                layer.read_error, layer.failure, layer.loading = result.error, result, False
                self._note_outcome(layer, result)
            return replace(kept, unchanged=True)
        if result.unchanged:  # as read before: its report and legend stand, only the time of the read moves
            with self._lock:
                layer.result, layer.loading, layer.read_error, layer.failure = result, False, None, None
                self._note_outcome(layer, result)
            return result
        report, legend = layer.describe(result)  # made here, on the reading thread
        with self._lock:  # the tree reads the three together
            layer.result, layer.report, layer.legend, layer.loading = result, report, legend, False
            layer.read_error, layer.failure = None, result if result.failed else None
            self._note_outcome(layer, result)
        return result

    def _note_outcome(self, layer: UserLayer, result: SourceResult) -> None:
        """Count a failed read and set when a failing live layer, or one that has never loaded, is tried again; a
        good read starts afresh. A layer that loaded once and is not live is not read again by itself."""
        if result.failed:
            layer.failures += 1
            every = layer.refresh_interval
            if every:
                layer.retry_at = self._clock() + retry_delay_s(every, layer.failures, self._rng)
            elif not layer.loaded:  # never loaded (its server down at start): it may be back soon
                layer.retry_at = self._clock() + first_load_retry_delay_s(layer.failures, self._rng)
            else:
                layer.retry_at = None
        else:
            layer.failures, layer.retry_at, layer.loaded = 0, None, True

    def due(self, now: float | None = None) -> list[str]:
        """Ids of live layers whose refresh interval has passed, and of layers that never loaded whose next try
        is due (and that are not being read); marks them being read (:meth:`begin_read`). A layer whose reads
        fail waits longer each time (:attr:`UserLayer.retry_at`)."""
        now = self._clock() if now is None else now
        ids = []
        with self._lock:
            for layer in self.layers:
                r, every = layer.result, layer.refresh_interval
                readable = layer.refreshable and not layer.loading and r is not None
                if readable and layer.group == PLATFORM_GROUP and self._platform_loader is None:
                    readable = False  # nothing to read it with (logged out, or never given)
                if not readable or r is None or (every <= 0 and layer.retry_at is None):
                    continue
                if now >= (layer.retry_at if layer.retry_at is not None else r.fetched_at + every):
                    layer.loading = True
                    ids.append(layer.spec.id)
        return ids

    def set_visible(self, layer_id: str, visible: bool) -> None:
        """Show or hide a layer."""
        if (layer := self.get(layer_id)) is not None:
            layer.visible = bool(visible)
            self.save_view()

    def set_refresh(self, layer_id: str, seconds: int) -> int | None:
        """Set how often a layer is read again (0 never, else at least ``MIN_REFRESH_S`` seconds: shorter ones
        are raised to it), kept in ``layer_view.json``; the interval set, or None for an unknown layer or one the
        map draws itself."""
        layer = self.get(layer_id)
        if layer is None or not layer.refreshable:
            return None
        seconds = 0 if int(seconds) <= 0 else min(86400, max(MIN_REFRESH_S, int(seconds)))
        layer.refresh_s = seconds
        self.save_view()
        return seconds

    def set_opacity(self, layer_id: str, opacity: float, *, save: bool = True) -> None:
        """Set a layer's opacity, clamped to 0.05–1 (a layer at 0 looks broken; hide it instead); ``save=False``
        leaves ``layer_view.json`` for a later :meth:`save_view` (a slider being dragged)."""
        if (layer := self.get(layer_id)) is not None:
            layer.opacity = min(1.0, max(0.05, float(opacity)))
            if save:
                self.save_view()

    def move(self, layer_id: str, step: int) -> bool:
        """Move a layer ``step`` places up (negative) or down the drawing order within its group; False if it
        cannot move."""
        layer = self.get(layer_id)
        if layer is None:
            return False
        i = self.layers.index(layer)
        j = i + step
        if not 0 <= j < len(self.layers) or self.layers[j].group != layer.group:
            return False
        self.layers.insert(j, self.layers.pop(i))
        self.save_view()
        return True

    # --- what the page gets ------------------------------------------------------------------------------------
    def style_payload(self, layer: UserLayer) -> dict[str, Any]:
        """How a layer is shown: ``{id, visible, opacity, z, mapLayer, stale}`` (z: higher is drawn above;
        mapLayer: the page's own static layer this entry switches, for a kind the map draws itself; stale: the
        latest read failed and the last good one is drawn, faded)."""
        z = len(self.layers) - 1 - self.layers.index(layer) if layer in self.layers else 0  # not listed yet: 0
        return {"id": layer.key, "visible": layer.visible, "opacity": round(layer.opacity, 2), "z": z,
                "mapLayer": layer.map_layer, "stale": layer.read_error is not None}

    def layer_payload(self, layer: UserLayer) -> dict[str, Any]:
        """A layer for cw-layers.js: style, title, colour, and its features when it has any — point layers as
        columns ``points: {lon, lat, names}`` for the points canvas, others as GeoJSON ``data`` (name only).
        A layer the map draws itself carries no features."""
        out = {**self.style_payload(layer), "title": display_text(layer.spec.title), "color": layer.spec.color,
               "group": layer.group, "data": None, "points": None, "error": None}
        r = layer.result
        if r is not None and r.failed and not r.features:  # an empty answer is none: nothing drawn, nothing wrong
            out["error"] = display_text(r.error or "")
        if r is not None and r.features and not layer.map_drawn:
            columns = _point_columns(r.features)
            if columns is not None:
                out["points"] = columns
            else:
                out["data"] = {"type": "FeatureCollection", "features": [_page_feature(f) for f in r.features]}
        return out

    def page_payload(self) -> list[dict[str, Any]]:
        """Every layer, for a page that (re)connects."""
        return [self.layer_payload(layer) for layer in self.layers]


def _feature_name(feature: dict[str, Any]) -> str:
    props = feature.get("properties") or {}
    name = props.get("name") if props.get("name") is not None else props.get("title", feature.get("id", ""))
    return display_text(str(name if name is not None else ""), 200)


def _page_feature(feature: dict[str, Any]) -> dict[str, Any]:
    """The feature as the page draws it: geometry (rounded to ~0.1 m) and its name as safe text."""
    return {"type": "Feature", "geometry": _rounded(feature["geometry"]),
            "properties": {"name": _feature_name(feature)}}


def _point_columns(features: list[dict[str, Any]]) -> dict[str, list[Any]] | None:
    """A layer of points only as columns ``{lon, lat, names}`` (a MultiPoint gives one row per point), or
    None when any feature is not a point: the page draws columns on one canvas, not one Leaflet layer each."""
    if len(features) < POINT_COLUMNS_MIN or any(f["geometry"]["type"] not in ("Point", "MultiPoint")
                                                 for f in features):
        return None
    lon: list[float] = []
    lat: list[float] = []
    names: list[str] = []
    for feature in features:
        geometry, name = feature["geometry"], _feature_name(feature)
        points = [geometry["coordinates"]] if geometry["type"] == "Point" else geometry["coordinates"]
        for point in points:
            lon.append(round(float(point[0]), 6))
            lat.append(round(float(point[1]), 6))
            names.append(name)
    return {"lon": lon, "lat": lat, "names": names}


def _rounded(geometry: dict[str, Any]) -> dict[str, Any]:
    if geometry["type"] == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [_rounded(g) for g in geometry["geometries"]]}

    def walk(coords: Any) -> Any:
        if coords and not isinstance(coords[0], list | tuple):
            return [round(float(coords[0]), 6), round(float(coords[1]), 6)]
        return [walk(c) for c in coords]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
