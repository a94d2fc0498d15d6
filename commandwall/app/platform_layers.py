"""The platform's layer catalogue (平台图层, ``GET /api/v1/layers``) as the layer tree shows it, without Qt.

The session reads every catalogue entry from where the catalogue says (OGC API Features style items with
``rel=next`` paging, :meth:`PlatformClient.layer_features`); each entry keeps what reading it gave — its WGS84
features or the reason it could not be had — so the tree lists a broken entry with its reason while the others
draw. :func:`catalogue_result` turns an entry into the :class:`SourceResult` the layer tree shows for every
layer (count, state, the ``layers check`` report).

The map page draws some kinds itself (:data:`MAP_DRAWN_KINDS`: the district boundary, towns, grids, roads as
static layers, the emergency resources as their own markers); every other entry is drawn by the layer tree's
page script like a user layer.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from commandwall.backend.errors import BackendError
from commandwall.backend.parsing import LayerInfo
from commandwall.geo.crs import UnsupportedCRS, canonical_crs
from commandwall.geo.layers import shown_title
from commandwall.geo.sources import LayerSourceSpec, SourceResult
from commandwall.mapdoc.page import STATIC_KINDS
from commandwall.textsafe import display_text

log = logging.getLogger(__name__)

#: Catalogue kinds the map page draws itself (static layers, and the emergency resources' markers).
MAP_DRAWN_KINDS = frozenset({*STATIC_KINDS, "resources"})
#: Prefix of a platform layer's key in the layer tree (user source ids cannot contain ``:``).
PLATFORM_KEY_PREFIX = "platform:"
_DEFAULT_COLOR = "#5ac8fa"


@dataclass
class CatalogueLayer:
    """One catalogue entry and what reading it gave: WGS84 ``features``, or ``error`` (why not)."""

    info: LayerInfo
    features: list[dict[str, Any]] | None = None
    error: str | None = None
    fetched_at: float = 0.0

    @property
    def key(self) -> str:
        """The entry's key in the layer tree (``platform:<id>``)."""
        return PLATFORM_KEY_PREFIX + self.info.id

    @property
    def drawn_by_map(self) -> bool:
        """True when the map page draws this kind itself (see :data:`MAP_DRAWN_KINDS`)."""
        return self.info.kind in MAP_DRAWN_KINDS


def read_catalogue_layer(client: Any, info: LayerInfo) -> CatalogueLayer:
    """Read one entry's features (blocking; ``client`` is a logged-in ``PlatformClient``); never raises."""
    try:
        features = client.layer_features(info)
    except (BackendError, ValueError) as exc:
        log.warning("platform layer %s: %s", info.id, exc)
        return CatalogueLayer(info, error=str(exc) or type(exc).__name__, fetched_at=time.time())
    except Exception as exc:  # one entry is lost, never the others
        log.exception("platform layer %s: unexpected failure", info.id)
        return CatalogueLayer(info, error=f"unexpected {type(exc).__name__}", fetched_at=time.time())
    return CatalogueLayer(info, features=features, fetched_at=time.time())


def _color(style: dict[str, Any]) -> str:
    for key in ("color", "fillColor"):
        value = style.get(key)
        if isinstance(value, str) and len(value) == 7 and value.startswith("#"):
            try:
                int(value[1:], 16)
            except ValueError:
                continue
            return value
    return _DEFAULT_COLOR


def catalogue_spec(entry: CatalogueLayer, base_url: str) -> LayerSourceSpec:
    """A source description of the entry for the tree and its report (never validated, never saved: the
    catalogue's ids and titles are the platform's, not a user's; the title is the entry's in the chosen language,
    ``geo.layers.shown_title``; one longer than a user's may be is cut, and ends in …)."""
    info = entry.info
    items = urljoin(base_url.rstrip("/") + "/", info.items_url)
    root = items.rsplit("/collections/", 1)[0] if "/collections/" in items else items
    try:
        crs = canonical_crs(info.crs)
    except UnsupportedCRS:
        crs = None
    return LayerSourceSpec.model_construct(
        id=entry.key, title=display_text(shown_title(info) or info.id, 60), kind="ogcapi", url=root, path=None,
        collection=info.id, type_name=None, crs=crs, axis_order="auto", bbox=None, page_size=1000,
        max_features=200000, refresh_s=0, color=_color(info.style),
    )


def catalogue_result(entry: CatalogueLayer, base_url: str) -> SourceResult:
    """What the layer tree shows for an entry: its features, or its error; the server's count if it said one."""
    spec = catalogue_spec(entry, base_url)
    result = SourceResult(spec=spec, fetched_at=entry.fetched_at or time.time(), pages=1 if entry.features else 0,
                          matched=entry.info.feature_count)
    try:
        result.crs = canonical_crs(entry.info.crs)
    except UnsupportedCRS:
        result.crs = entry.info.crs[:64]
    if entry.error is not None:
        result.error = entry.error
    elif not entry.features:
        result.error = "the layer has no usable features"
    else:
        result.features = list(entry.features)  # the report sets them beside the catalogue's own count
    return result


def catalogue_loader(session: Any) -> Any:
    """``loader(key) -> SourceResult | None`` reading one platform layer again through ``session``
    (``ClientSession.read_catalogue_layer``; blocks: for the layer tree's worker threads)."""

    def load(key: str) -> SourceResult | None:
        client = session.client
        entry = session.read_catalogue_layer(key.removeprefix(PLATFORM_KEY_PREFIX))
        if entry is None or client is None:
            return None
        return catalogue_result(entry, client.base_url)

    return load
