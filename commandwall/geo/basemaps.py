"""Base maps (底图) without Qt: offline tile readers and the catalogue the map's switcher offers.

* :class:`MBTilesReader` reads an MBTiles file (SQLite, rows in TMS order: ``row = 2**z - 1 - y``), read-only.
* :class:`TileFolderReader` reads an XYZ tile folder ``{z}/{x}/{y}.png|jpg|jpeg|webp``.
* :class:`BaseMap` is one entry of the switcher: an offline source (served to the page as
  ``cw://app/tiles/<id>/{z}/{x}/{y}`` by ``ui/map/scheme.py``) or a configured service — an XYZ template or a
  WMTS KVP ``GetTile`` template in the Web Mercator tile matrix set (``TileMatrix`` = zoom), with an optional
  label overlay (天地图 ``cva_w``/``cia_w``).
* :class:`BaseMapCatalogue` holds them, answers ``tile(id, z, x, y)`` for the offline ones, names the remote
  hosts the page may load images from (its CSP) and gives the page its JSON.

Readers answer ``None`` for a missing tile and raise :class:`TileRequestError` for a request that is not a
tile address at all (negative or huge numbers, text, a zoom out of range): both end as "not found" for the
page. Keys in service URLs (天地图 ``tk``) are secrets: :func:`redact_url` is what logs and diagnostics show.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from commandwall.backend.http import is_secret_param
from commandwall.i18n import QT_TRANSLATE_NOOP, translate

#: Highest zoom any reader answers (tile numbers stay far below 2**31).
MAX_ZOOM = 24
#: Id of "no base map" (无底图) in the switcher; always offered.
NO_BASE_MAP = "none"
NO_BASE_MAP_TITLE = QT_TRANSLATE_NOOP("basemaps", "无底图")
#: Base-map ids: what may appear in a ``cw://app/tiles/<id>/…`` path.
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
_ID_RE = re.compile(ID_PATTERN)
_NUMBER_RE = re.compile(r"^[0-9]{1,8}$")
_FOLDER_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


class TileRequestError(ValueError):
    """A request that is not a valid tile address (bad numbers, zoom out of range, unknown base map)."""


class TileReader(Protocol):
    """Answers tiles by XYZ address: ``(bytes, mime type)`` or None when there is no such tile."""

    min_zoom: int
    max_zoom: int

    def tile(self, z: int, x: int, y: int) -> tuple[bytes, str] | None:
        """The tile at z/x/y (XYZ, y down from the north), or None."""
        ...


def parse_tile_address(z: str, x: str, y: str) -> tuple[int, int, int]:
    """``z/x/y`` path parts as numbers; :class:`TileRequestError` unless each is plain digits in range."""
    parts = []
    for name, text in (("z", z), ("x", x), ("y", y)):
        if not isinstance(text, str) or not _NUMBER_RE.match(text):
            raise TileRequestError(f"tile {name} must be a non-negative integer")
        parts.append(int(text))
    zoom, col, row = parts
    check_tile_address(zoom, col, row)
    return zoom, col, row


def check_tile_address(z: int, x: int, y: int) -> None:
    """:class:`TileRequestError` unless 0 <= z <= :data:`MAX_ZOOM` and x, y lie in that zoom's grid."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (z, x, y)):
        raise TileRequestError("tile address must be integers")
    if not 0 <= z <= MAX_ZOOM:
        raise TileRequestError(f"zoom must be 0..{MAX_ZOOM}")
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise TileRequestError("tile x/y outside the zoom level's grid")


def image_mime(data: bytes) -> str | None:
    """MIME type of PNG, JPEG or WebP bytes by their signature, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class MBTilesReader:
    """Tiles of one MBTiles file (raster PNG/JPEG/WebP), opened read-only; safe to call from any thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"MBTiles file not found: {self.path}")
        uri = self.path.resolve().as_uri() + "?mode=ro"
        try:
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self.metadata = {str(k): str(v) for k, v in self._db.execute("SELECT name, value FROM metadata")}
            zooms = self._db.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"{self.path.name} is not an MBTiles file: {exc}") from exc
        self._lock = threading.Lock()
        self.min_zoom = int(zooms[0]) if zooms[0] is not None else 0
        self.max_zoom = int(zooms[1]) if zooms[1] is not None else 0

    def tile(self, z: int, x: int, y: int) -> tuple[bytes, str] | None:
        """The tile at XYZ z/x/y (the TMS row is ``2**z - 1 - y``), or None if the file has none there."""
        check_tile_address(z, x, y)
        with self._lock:
            row = self._db.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, (1 << z) - 1 - y),
            ).fetchone()
        if row is None or not isinstance(row[0], bytes):
            return None
        mime = image_mime(row[0])
        return (row[0], mime) if mime else None

    def bounds(self) -> tuple[float, float, float, float] | None:
        """``(west, south, east, north)`` from the metadata, or None when absent or malformed."""
        try:
            west, south, east, north = (float(v) for v in self.metadata["bounds"].split(","))
        except (KeyError, ValueError):
            return None
        return west, south, east, north

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()


class TileFolderReader:
    """Tiles of an XYZ folder ``root/{z}/{x}/{y}.<png|jpg|jpeg|webp>``; never reads outside ``root``."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"tile folder not found: {self.root}")
        zooms = [int(p.name) for p in self.root.iterdir() if p.is_dir() and _NUMBER_RE.match(p.name)]
        zooms = [z for z in zooms if z <= MAX_ZOOM]
        self.min_zoom = min(zooms, default=0)
        self.max_zoom = max(zooms, default=0)

    def tile(self, z: int, x: int, y: int) -> tuple[bytes, str] | None:
        """The tile file at z/x/y (first of .png/.jpg/.jpeg/.webp that exists), or None."""
        check_tile_address(z, x, y)
        for suffix in _FOLDER_SUFFIXES:
            candidate = (self.root / str(z) / str(x) / f"{y}{suffix}").resolve()
            if not candidate.is_relative_to(self.root) or not candidate.is_file():
                continue
            data = candidate.read_bytes()
            mime = image_mime(data)
            return (data, mime) if mime else None
        return None


def open_reader(path: Path | str) -> TileReader:
    """An MBTiles reader for a file, a tile-folder reader for a folder."""
    path = Path(path)
    return TileFolderReader(path) if path.is_dir() else MBTilesReader(path)


def redact_url(url: str) -> str:
    """``url`` with the values of secret query parameters (``tk``, ``key`` …) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if not parts.query:
        return url
    query = [(k, "***" if is_secret_param(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="{}*")))


def wmts_kvp_template(url: str, layer: str, matrix_set: str, style: str = "default",
                      image_format: str = "image/png", extra: dict[str, str] | None = None) -> str:
    """A WMTS KVP ``GetTile`` URL template for a Web Mercator matrix set whose ``TileMatrix`` is the zoom."""
    params = {
        "SERVICE": "WMTS", "REQUEST": "GetTile", "VERSION": "1.0.0", "LAYER": layer, "STYLE": style,
        "TILEMATRIXSET": matrix_set, "FORMAT": image_format,
        "TILEMATRIX": "{z}", "TILEROW": "{y}", "TILECOL": "{x}", **(extra or {}),
    }
    base = url.split("?", 1)[0]
    return base + "?" + urlencode(params, safe="{}/:")


def tianditu_template(layer: str, key: str) -> str:
    """天地图 WMTS template for a Web Mercator layer (``vec``, ``cva``, ``img``, ``cia``, ``ter``, ``cta``)."""
    return wmts_kvp_template(f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts", layer, "w",
                             image_format="tiles", extra={"tk": key})


@dataclass(frozen=True)
class BaseMap:
    """One choice of the base-map switcher. ``reader`` for offline tiles, else ``url`` (a remote template
    with ``{z}/{x}/{y}`` and optional ``{s}`` for ``subdomains``) and an optional label ``overlay_url``."""

    id: str
    title: str
    reader: TileReader | None = None
    url: str | None = None
    overlay_url: str | None = None
    subdomains: str = ""
    min_zoom: int = 0
    max_zoom: int = 18

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id) or self.id == NO_BASE_MAP:
            raise ValueError(f"base map id must match {ID_PATTERN} and not be {NO_BASE_MAP!r}")
        if (self.reader is None) == (self.url is None):
            raise ValueError("a base map has either offline tiles or a URL template")

    def hosts(self) -> list[str]:
        """``scheme://host[:port]`` of every remote server the page would load tiles from."""
        out: list[str] = []
        for template in (self.url, self.overlay_url):
            if template is None:
                continue
            parts = urlsplit(template)
            names = [parts.netloc.replace("{s}", s) for s in self.subdomains] if "{s}" in parts.netloc else [
                parts.netloc]
            out += [f"{parts.scheme}://{name}" for name in names]
        return out

    def page_entry(self) -> dict[str, Any]:
        """What the page needs to make the Leaflet tile layer(s)."""
        entry: dict[str, Any] = {"id": self.id, "title": self.title, "url": self.url, "minZoom": self.min_zoom,
                                 "maxZoom": self.max_zoom, "maxNativeZoom": self.max_zoom,
                                 "subdomains": self.subdomains}
        if self.reader is not None:
            entry["url"] = f"cw://app/tiles/{self.id}/{{z}}/{{x}}/{{y}}"
            entry["minNativeZoom"], entry["maxNativeZoom"] = self.reader.min_zoom, self.reader.max_zoom
            bounds = self.reader.bounds() if isinstance(self.reader, MBTilesReader) else None
            if bounds is not None:  # no requests for tiles the file cannot have
                entry["bounds"] = [[bounds[1], bounds[0]], [bounds[3], bounds[2]]]
        if self.overlay_url:
            entry["overlay"] = self.overlay_url
        return entry

    def __repr__(self) -> str:
        return f"BaseMap(id={self.id!r}, title={self.title!r}, url={redact_url(self.url or '') or None!r})"


@dataclass
class BaseMapCatalogue:
    """The base maps on offer (plus :data:`NO_BASE_MAP`) and which one the map starts with."""

    base_maps: list[BaseMap] = field(default_factory=list)
    default: str = NO_BASE_MAP

    def __post_init__(self) -> None:
        ids = [b.id for b in self.base_maps]
        if len(set(ids)) != len(ids):
            raise ValueError("base map ids must be unique")
        if self.default not in self.ids():
            self.default = self.base_maps[0].id if self.base_maps else NO_BASE_MAP

    def ids(self) -> list[str]:
        """Every selectable id, :data:`NO_BASE_MAP` included."""
        return [b.id for b in self.base_maps] + [NO_BASE_MAP]

    def choose(self, saved: object) -> str:
        """The id to show: ``saved`` if it is still on offer, else the catalogue's default."""
        return saved if isinstance(saved, str) and saved in self.ids() else self.default

    def tile(self, base_map_id: str, z: int, x: int, y: int) -> tuple[bytes, str] | None:
        """An offline base map's tile; :class:`TileRequestError` for an unknown id or a bad address."""
        base_map = next((b for b in self.base_maps if b.id == base_map_id and b.reader is not None), None)
        if base_map is None:
            raise TileRequestError("no offline base map with that id")
        return base_map.reader.tile(z, x, y)  # type: ignore[union-attr]

    def hosts(self) -> list[str]:
        """The remote tile servers (``scheme://host[:port]``), sorted, each once: the page's CSP ``img-src``."""
        return sorted({host for b in self.base_maps for host in b.hosts()})

    def page_payload(self, selected: str) -> dict[str, Any]:
        """``{"items": [...], "none": {id, title}, "selected": id}`` for the page's switcher."""
        return {"items": [b.page_entry() for b in self.base_maps],
                "none": {"id": NO_BASE_MAP, "title": translate("basemaps", NO_BASE_MAP_TITLE)},
                "selected": self.choose(selected)}

