"""Base maps (底图) without Qt: offline tile readers and the catalogue the map's switcher offers.

* :class:`MBTilesReader` reads an MBTiles file (SQLite, rows in TMS order: ``row = 2**z - 1 - y``), read-only.
* :class:`TileFolderReader` reads an XYZ tile folder ``{z}/{x}/{y}.png|jpg|jpeg|webp``.
* :class:`BaseMap` is one entry of the switcher: an offline source (served to the page as
  ``cw://app/tiles/<id>/{z}/{x}/{y}`` by ``ui/map/scheme.py``) or a configured service — an XYZ template or a
  WMTS one in a Web Mercator tile matrix set, KVP ``GetTile`` (:func:`wmts_kvp_template`) or RESTful
  (:func:`wmts_rest_template`), whose TileMatrix ids are the zoom levels, bare or after a prefix
  (``EPSG:900913:12``), with an optional label overlay (天地图 ``cva_w``/``cia_w``). A server's GetCapabilities
  document can name all of that for a layer (:func:`wmts_from_capabilities`); a matrix set the page cannot
  draw (latitude/longitude grids such as 天地图 ``c``) is refused with the reason (:class:`WmtsError`).
* :class:`BaseMapCatalogue` holds them, answers ``tile(id, z, x, y)`` for the offline ones, names the remote
  hosts the page may load images from (its CSP) and gives the page its JSON.

Readers answer ``None`` for a missing tile and raise :class:`TileRequestError` for a request that is not a
tile address at all (negative or huge numbers, text, a zoom out of range): both end as "not found" for the
page. Keys in service URLs (天地图 ``tk``) are secrets: :func:`redact_url` is what logs and diagnostics show.
"""

from __future__ import annotations

import errno
import logging
import math
import os
import re
import sqlite3
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from commandwall.backend.http import is_secret_param
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.paths import NotARegularFileError, read_only_sqlite_uri, read_small_file
from commandwall.textsafe import display_text

log = logging.getLogger(__name__)

#: Highest zoom any reader answers (tile numbers stay far below 2**31).
MAX_ZOOM = 24
#: Largest tile a reader hands out (a 512 px PNG of a busy area is under 1 MB): a larger one is taken as missing,
#: never read whole into memory.
MAX_TILE_BYTES = 4 * 1024 * 1024
#: Id of "no base map" (无底图) in the switcher; always offered.
NO_BASE_MAP = "none"
NO_BASE_MAP_TITLE = QT_TRANSLATE_NOOP("basemaps", "无底图")
#: Base-map ids: what may appear in a ``cw://app/tiles/<id>/…`` path.
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
_ID_RE = re.compile(ID_PATTERN)
_NUMBER_RE = re.compile(r"^[0-9]{1,8}$")
_FOLDER_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
#: Longest (s) the queries that open an MBTiles file may take together (its metadata, the zoom levels of its
#: tiles). A file without an index on its tiles is scanned whole for the zoom levels unless its metadata names
#: them: a 2.3 GB file of 550 000 tiles took 0.4 s from the page cache and 4.9 s from the disk; a file whose
#: ``tiles`` is a recursive view never ends. Past this the file is refused with the reason.
OPEN_QUERY_SECONDS = 10.0
#: Longest (s) one tile's query may take (a scan of that 2.3 GB file without an index: 0.4–0.7 s): past it the
#: tile is missing, and the worker reading it is free again.
TILE_QUERY_SECONDS = 5.0
#: After this many tile queries in a row ran out of time, the file answers no more tiles (each would be as slow).
TILE_TIMEOUTS_TO_GIVE_UP = 3
#: SQLite virtual-machine steps between two looks at the clock (a few hundred microseconds).
_PROGRESS_STEPS = 10_000


class TileRequestError(ValueError):
    """A request that is not a valid tile address (bad numbers, zoom out of range, unknown base map)."""


class BaseMapFileError(ValueError):
    """An offline base map's file or folder the map cannot use. The message is for the log (it names the path in
    full); ``reason`` is the officer's words, in the chosen language (the file's name and what is wrong)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class _QueryTimeoutError(Exception):
    """An MBTiles query ran past its deadline (or the reader was closed while it ran) and was interrupted."""


def _not_regular_reason(path: Path) -> str:
    return translate("basemaps", "{name} 不是普通文件（是文件夹、命名管道或设备），未打开").format(name=path.name)


def check_regular_file(path: Path) -> None:
    """Nothing when ``path`` is a regular file (after symbolic links); ``FileNotFoundError`` naming it when there
    is nothing there, :class:`BaseMapFileError` for a folder, named pipe, socket or device: opening a named pipe
    waits for a writer for ever, a device may never end."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, "no such file", str(path)) from None
    if not stat.S_ISREG(mode):
        raise BaseMapFileError(f"{path} is not a regular file (a folder, named pipe or device): not opened",
                               _not_regular_reason(path))


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
    """Tiles of one MBTiles file (raster PNG/JPEG/WebP), opened read-only; safe to call from any thread.

    ``indexed`` says whether SQLite finds a tile by its address through an index: the spec does not require
    one, and without it every tile is a scan of the whole table (23–33 ms a tile in a 371 MB file) — a warning
    is logged at open, and the caller may say so (the tiles are read off the GUI thread either way)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        check_regular_file(self.path)  # not a named pipe: SQLite's open of one would wait for a writer for ever
        uri = read_only_sqlite_uri(self.path.resolve())
        self._deadline = math.inf
        self._interrupted = False
        self._closed = False
        self._timeouts = 0  # tile queries in a row that ran out of time
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.DatabaseError as exc:
            raise self._not_mbtiles(exc) from exc
        self._db.set_progress_handler(self._past_deadline, _PROGRESS_STEPS)
        try:
            self._open_queries(time.monotonic() + OPEN_QUERY_SECONDS)
        except _QueryTimeoutError:
            self._db.close()
            raise BaseMapFileError(
                f"{self.path}: reading its metadata and zoom levels took over {OPEN_QUERY_SECONDS:g} s (a damaged "
                "or endless tiles table or view, or a very large file without an index): not opened",
                translate("basemaps", "{name} 读取超时（超过 {seconds} 秒）：文件可能已损坏，或过大且没有瓦片索引")
                .format(name=self.path.name, seconds=f"{OPEN_QUERY_SECONDS:g}")) from None
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise self._not_mbtiles(exc) from exc
        if not self.indexed:
            log.warning("MBTiles %s has no index on its tiles' (zoom_level, tile_column, tile_row): each tile is "
                        "a scan of the whole file (CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, "
                        "tile_column, tile_row) on a copy makes it fast)", self.path.name)

    def _not_mbtiles(self, exc: Exception) -> BaseMapFileError:
        return BaseMapFileError(f"{self.path} is not an MBTiles file: {exc}",
                                translate("basemaps", "{name} 不是可用的 MBTiles 文件").format(name=self.path.name))

    def _past_deadline(self) -> bool:
        """SQLite's progress handler: True (interrupt the statement) once the query's deadline has passed."""
        if self._closed or time.monotonic() > self._deadline:
            self._interrupted = True
            return True
        return False

    def _run(self, sql: str, params: tuple = (), *, deadline: float, one: bool = False) -> Any:
        """The rows of a query (``one``: the first row or None), interrupted at ``deadline`` (monotonic):
        :class:`_QueryTimeoutError` then."""
        self._deadline, self._interrupted = deadline, False
        try:
            cursor = self._db.execute(sql, params)
            return cursor.fetchone() if one else cursor.fetchall()
        except sqlite3.OperationalError:
            if self._interrupted:
                raise _QueryTimeoutError from None
            raise
        finally:
            self._deadline = math.inf

    def _open_queries(self, deadline: float) -> None:
        rows = self._run("SELECT name, value FROM metadata LIMIT 1000", deadline=deadline)
        self.metadata = {str(k): str(v) for k, v in rows}
        self.indexed = self._uses_index(deadline)
        zooms = self._metadata_zooms() if not self.indexed else None
        if zooms is None and self.indexed:  # each a look-up in the index (both in one query would read it whole)
            zooms = (self._run("SELECT MIN(zoom_level) FROM tiles", deadline=deadline, one=True)[0],
                     self._run("SELECT MAX(zoom_level) FROM tiles", deadline=deadline, one=True)[0])
        elif zooms is None:  # a scan of the whole table, bounded
            zooms = self._run("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles", deadline=deadline, one=True)
        self.min_zoom = int(zooms[0]) if zooms[0] is not None else 0
        self.max_zoom = int(zooms[1]) if zooms[1] is not None else 0

    def _metadata_zooms(self) -> tuple[int, int] | None:
        """``minzoom``/``maxzoom`` of the metadata when both are whole numbers 0..MAX_ZOOM in order, else None:
        what a file without an index says of itself instead of a scan of all its tiles."""
        try:
            low, high = int(self.metadata["minzoom"]), int(self.metadata["maxzoom"])
        except (KeyError, ValueError):
            return None
        return (low, high) if 0 <= low <= high <= MAX_ZOOM else None

    _TILE_QUERY = "FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?"

    def _uses_index(self, deadline: float) -> bool:
        """Whether SQLite's plan for a tile looks it up (``SEARCH``) rather than scanning a table (``SCAN``):
        ``tiles`` may be a table or a view over ``map`` and ``images``, with an index, a primary key or none."""
        try:
            plan = self._run("EXPLAIN QUERY PLAN SELECT tile_data " + self._TILE_QUERY, (0, 0, 0), deadline=deadline)
        except sqlite3.DatabaseError:
            return False
        return not any(str(row[-1]).startswith("SCAN") for row in plan)

    def tile(self, z: int, x: int, y: int) -> tuple[bytes, str] | None:
        """The tile at XYZ z/x/y (the TMS row is ``2**z - 1 - y``), or None if the file has none there or it is
        larger than :data:`MAX_TILE_BYTES` (not read). None as well when its query ran past
        :data:`TILE_QUERY_SECONDS`, and for every tile once :data:`TILE_TIMEOUTS_TO_GIVE_UP` did in a row."""
        check_tile_address(z, x, y)
        with self._lock:
            if self._closed or self._timeouts >= TILE_TIMEOUTS_TO_GIVE_UP:
                return None
            try:
                row = self._run("SELECT CASE WHEN length(tile_data) <= ? THEN tile_data END " + self._TILE_QUERY,
                                (MAX_TILE_BYTES, z, x, (1 << z) - 1 - y),
                                deadline=time.monotonic() + TILE_QUERY_SECONDS, one=True)
            except _QueryTimeoutError:
                self._timeouts += 1
                given_up = self._timeouts >= TILE_TIMEOUTS_TO_GIVE_UP
                log.warning("MBTiles %s: tile %d/%d/%d took over %g s, not shown%s", self.path.name, z, x, y,
                            TILE_QUERY_SECONDS, "; no more tiles are read from it" if given_up else "")
                return None
            self._timeouts = 0
        if row is None or not isinstance(row[0], bytes):
            return None
        mime = image_mime(row[0])
        return (row[0], mime) if mime else None

    def bounds(self) -> tuple[float, float, float, float] | None:
        """``(west, south, east, north)`` from the metadata, or None when absent or malformed: four finite degrees
        within ±180 / ±90, west < east, south < north ("nan" there left the map page blank: the page's options could
        not be written as JSON)."""
        try:
            west, south, east, north = (float(v) for v in self.metadata["bounds"].split(","))
        except (KeyError, ValueError):
            return None
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            return None
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            return None
        return west, south, east, north

    def close(self) -> None:
        """Close the database; a tile query running now is interrupted first."""
        self._closed = True
        with self._lock:
            self._db.close()


class TileFolderReader:
    """Tiles of an XYZ folder ``root/{z}/{x}/{y}.<png|jpg|jpeg|webp>``; never reads outside ``root``."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        if not self.root.exists():
            raise FileNotFoundError(errno.ENOENT, "tile folder not found", str(self.root))
        if not self.root.is_dir():
            reason = translate("basemaps", "{name} 不是文件夹，不能作为瓦片目录").format(name=self.root.name)
            raise BaseMapFileError(f"{self.root} is not a folder: no tile folder there", reason)
        zooms = [int(p.name) for p in self.root.iterdir() if p.is_dir() and _NUMBER_RE.match(p.name)]
        zooms = [z for z in zooms if z <= MAX_ZOOM]
        self.min_zoom = min(zooms, default=0)
        self.max_zoom = max(zooms, default=0)

    def tile(self, z: int, x: int, y: int) -> tuple[bytes, str] | None:
        """The tile file at z/x/y (first of .png/.jpg/.jpeg/.webp that exists), or None; None as well for a file
        larger than :data:`MAX_TILE_BYTES` (not read)."""
        check_tile_address(z, x, y)
        for suffix in _FOLDER_SUFFIXES:
            candidate = (self.root / str(z) / str(x) / f"{y}{suffix}").resolve()
            if not candidate.is_relative_to(self.root) or not candidate.exists():
                continue
            try:  # a regular file only: a named pipe there would hold the worker for ever
                data = read_small_file(candidate, MAX_TILE_BYTES)
            except NotARegularFileError:
                log.warning("tile %s/%s/%s of %s is not a regular file: not read", z, x, y, self.root.name)
                continue
            except ValueError:
                log.warning("tile %s/%s/%s of %s is over %d bytes: not shown", z, x, y, self.root.name, MAX_TILE_BYTES)
                return None
            mime = image_mime(data)
            return (data, mime) if mime else None
        return None


def open_reader(path: Path | str, kind: str | None = None) -> TileReader:
    """The reader of an offline base map: ``kind`` ``mbtiles`` (a regular file only), ``folder`` (a folder only),
    or None: a folder's if ``path`` is one, else an MBTiles file's. ``FileNotFoundError`` naming the path tried
    when there is nothing; :class:`BaseMapFileError` with the reason for anything else (a named pipe, device or
    folder named ``*.mbtiles``, a file that is not MBTiles or whose queries do not end)."""
    path = Path(path)
    if kind == "folder" or (kind is None and path.is_dir()):
        return TileFolderReader(path)
    return MBTilesReader(path)


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


#: The WMTS well-known Web Mercator tile matrix set (OGC 07-057r7 Annex E.4), the default of a configured service.
WEB_MERCATOR_SET = "GoogleMapsCompatible"


class WmtsError(ValueError):
    """A WMTS service, template or capabilities document the map cannot use; the message says why."""


#: Names of tile matrix sets in latitude/longitude (EPSG:4326, CGCS2000 EPSG:4490, 天地图 ``c``): Leaflet's map
#: is Web Mercator, so their tiles would land in the wrong place.
_LATLON_MATRIX_SETS = {"c", "epsg:4326", "epsg:4490", "epsg:4490:c", "crs84", "wgs84", "cgcs2000",
                       "globalcrs84quad", "globalcrs84scale", "googlecrs84quad", "worldcrs84quad",
                       "epsg:4326:256", "epsg:4326:512", "4326", "4490"}
#: Which RESTful template variables this page fills (WMTS 1.0.0 §10.2.1), lower case.
_REST_VARIABLES = {"tilematrixset", "tilematrix", "tilerow", "tilecol", "style"}
#: A ``{…}`` variable of a tile URL template (group 1: its name as written), in this module and the settings.
TEMPLATE_VARIABLE_RE = re.compile(r"\{([^{}]*)\}")
#: The one variable a template may carry besides the tile's: Leaflet fills it from ``subdomains``.
SUBDOMAIN_VARIABLE = "{s}"


def check_matrix_set_name(matrix_set: str) -> None:
    """:class:`WmtsError` for a tile matrix set known to be in latitude/longitude (the page draws Web Mercator)."""
    if matrix_set.strip().lower() in _LATLON_MATRIX_SETS:
        raise WmtsError(
            f"tile matrix set {matrix_set!r} is a latitude/longitude grid; the map draws Web Mercator "
            "(EPSG:3857, GoogleMapsCompatible) tiles only — use the server's Web Mercator set (Tianditu: the _w "
            "layers with matrix set w)")


def uses_subdomains(url: str) -> bool:
    """True when the template has the subdomain variable: ``{s}``, or in a WMTS RESTful template any spelling
    of it (``{S}``, ``{ s }``), which :func:`wmts_rest_template` turns into ``{s}``."""
    return any(name.strip().lower() == "s" for name in TEMPLATE_VARIABLE_RE.findall(url))


def is_rest_template(url: str) -> bool:
    """True when ``url`` is a WMTS RESTful template (it has a ``{TileMatrix}`` variable, any case)."""
    return any(name.strip().lower() == "tilematrix" for name in TEMPLATE_VARIABLE_RE.findall(url))


def wmts_rest_template(template: str, matrix_set: str, style: str = "default", matrix_prefix: str = "") -> str:
    """A RESTful WMTS template (``…/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png``, variables in any
    case) as the page's ``{z}/{x}/{y}`` template: ``TileMatrix`` = ``matrix_prefix`` + zoom, row = y, col = x.
    :class:`WmtsError` when a variable the page cannot fill is there (``{Time}`` …) or one of the three is missing."""
    check_matrix_set_name(matrix_set)
    # names from a configuration or a capabilities document are one path segment each: a "/", "?", "#" or a
    # brace in them must not make another segment, a query or a variable of the page's template
    segment = lambda name: quote(name, safe=":@!$&'()*+,;=-._~")  # noqa: E731
    values = {"tilematrixset": segment(matrix_set), "tilematrix": segment(matrix_prefix) + "{z}", "tilerow": "{y}",
              "tilecol": "{x}", "style": segment(style)}
    found: set[str] = set()

    def fill(match: re.Match[str]) -> str:
        name = match.group(1).strip().lower()
        if name == "s":
            return SUBDOMAIN_VARIABLE
        if name not in _REST_VARIABLES:
            raise WmtsError(f"the WMTS template has a variable the map cannot fill: {{{match.group(1)[:40]}}}")
        found.add(name)
        return values[name]

    url = TEMPLATE_VARIABLE_RE.sub(fill, template)
    missing = {"tilematrix", "tilerow", "tilecol"} - found
    if missing:
        raise WmtsError("the WMTS template needs {TileMatrix}, {TileRow} and {TileCol}")
    return url


def wmts_kvp_template(url: str, layer: str, matrix_set: str, style: str = "default",
                      image_format: str = "image/png", extra: dict[str, str] | None = None,
                      matrix_prefix: str = "") -> str:
    """A WMTS KVP ``GetTile`` URL template for a Web Mercator matrix set whose ``TileMatrix`` ids are
    ``matrix_prefix`` + zoom (``12``, or ``EPSG:900913:12`` with the prefix ``EPSG:900913:``)."""
    check_matrix_set_name(matrix_set)
    params = {
        "SERVICE": "WMTS", "REQUEST": "GetTile", "VERSION": "1.0.0", "LAYER": layer, "STYLE": style,
        "TILEMATRIXSET": matrix_set, "FORMAT": image_format,
        "TILEMATRIX": matrix_prefix + "{z}", "TILEROW": "{y}", "TILECOL": "{x}", **(extra or {}),
    }
    base = url.split("?", 1)[0]
    return base + "?" + urlencode(params, safe="{}/:")


def tianditu_template(layer: str, key: str) -> str:
    """天地图 WMTS template for a Web Mercator layer (``vec``, ``cva``, ``img``, ``cia``, ``ter``, ``cta``)."""
    return wmts_kvp_template(f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts", layer, "w",
                             image_format="tiles", extra={"tk": key})


#: A tile server's origin as the page's CSP may name it: ``scheme://host[:port]``, the host a lower-case name or
#: IPv4 address (no IPv6 literal, wildcard, path, quote or space: each could widen or break the policy).
TILE_ORIGIN_RE = re.compile(r"^https?://[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::[0-9]{1,5})?$")


#: What a base map's tiles are drawn in: Web Mercator on WGS84 lon/lat (as every overlay is), or on the shifted
#: lon/lat of Chinese web maps — GCJ-02 (高德 AMap, 腾讯 Tencent) or BD-09 (百度 Baidu), 300–600 m off WGS84.
WEB_MERCATOR, GCJ02, BD09 = "EPSG:3857", "GCJ-02", "BD-09"
BASE_MAP_CRSS = (WEB_MERCATOR, GCJ02, BD09)
#: Tile hosts known to serve shifted tiles: the host itself or any name under it.
SHIFTED_TILE_HOSTS = {"autonavi.com": GCJ02, "amap.com": GCJ02, "gtimg.com": GCJ02, "map.qq.com": GCJ02,
                      "bdimg.com": BD09, "map.baidu.com": BD09, "bdstatic.com": BD09}


def implied_crs(*templates: str | None) -> str | None:
    """The CRS the host of one of ``templates`` (tile URL templates) implies (:data:`SHIFTED_TILE_HOSTS`), or
    None for a host not known to shift its tiles."""
    for template in templates:
        host = (urlsplit(template or "").hostname or "").replace(SUBDOMAIN_VARIABLE, "a")
        for domain, crs in SHIFTED_TILE_HOSTS.items():
            if host == domain or host.endswith("." + domain):
                return crs
    return None


@dataclass(frozen=True)
class BaseMap:
    """One choice of the base-map switcher. ``reader`` for offline tiles, else ``url`` (a remote template
    with ``{z}/{x}/{y}`` and optional ``{s}`` for ``subdomains``) and an optional label ``overlay_url``.
    ``crs``: what the tiles are drawn in (:data:`BASE_MAP_CRSS`); on a GCJ-02 or BD-09 base map every WGS84
    overlay lies some 0.5 km off."""

    id: str
    title: str
    reader: TileReader | None = None
    url: str | None = None
    overlay_url: str | None = None
    subdomains: str = ""
    min_zoom: int = 0
    max_zoom: int = 18
    crs: str = WEB_MERCATOR

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id) or self.id == NO_BASE_MAP:
            raise ValueError(f"base map id must match {ID_PATTERN} and not be {NO_BASE_MAP!r}")
        if self.crs not in BASE_MAP_CRSS:
            raise ValueError(f"a base map's crs is one of {', '.join(BASE_MAP_CRSS)}")
        if (self.reader is None) == (self.url is None):
            raise ValueError("a base map has either offline tiles or a URL template")
        for origin in self.hosts():  # the page's CSP must be able to name each: else the whole map would not load
            if not TILE_ORIGIN_RE.match(origin):
                raise ValueError("a tile server must be named by its host name or IPv4 address (not an IPv6 "
                                 "literal or a wildcard), with at most a port")

    def hosts(self) -> list[str]:
        """``scheme://host[:port]`` of every remote server the page would load tiles from."""
        out: list[str] = []
        for template in (self.url, self.overlay_url):
            if template is None:
                continue
            parts = urlsplit(template)
            netloc = parts.netloc.lower()  # host names are case-blind; the page's CSP is written in lower case
            names = [netloc] if SUBDOMAIN_VARIABLE not in netloc else [
                netloc.replace(SUBDOMAIN_VARIABLE, s.lower()) for s in self.subdomains]
            out += [f"{parts.scheme}://{name}" for name in names]
        return out

    def page_entry(self) -> dict[str, Any]:
        """What the page needs to make the Leaflet tile layer(s). A base map drawn in GCJ-02 or BD-09 says so in
        its title in the switcher, for as long as it is offered (a status-bar line is gone in half a minute). The
        title comes from the desk's settings or a server's document: shown as text (``display_text``), as all
        outside text the page gets — in the switcher and the page's warning that the base map fails."""
        title = display_text(self.title)
        if self.crs == GCJ02:
            title = translate("basemaps", "{title}（GCJ-02：叠加偏移约0.5公里）").format(title=self.title)
        elif self.crs == BD09:
            title = translate("basemaps", "{title}（BD-09：百度网格，叠加无法对齐）").format(title=self.title)
        entry: dict[str, Any] = {"id": self.id, "title": title, "url": self.url, "minZoom": self.min_zoom,
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



# --- WMTS GetCapabilities ---------------------------------------------------------------------------------------
_WMTS_NS = "http://www.opengis.net/wmts/1.0"
_OWS_NS = "http://www.opengis.net/ows/1.1"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_NS = {"wmts": _WMTS_NS, "ows": _OWS_NS, "xlink": _XLINK_NS}
#: Scale denominator of zoom 0 in GoogleMapsCompatible (WMTS 1.0.0 Annex E.4: 256-pixel tiles, 0.28 mm pixels).
_ZOOM0_SCALE = 559082264.0287178
_MERCATOR_HALF = 20037508.342789244
#: Codes of the Web Mercator CRS as servers spell them (EPSG:3857, its old 900913 / 3785, Esri's 102100/102113).
_MERCATOR_CODES = {"3857", "900913", "3785", "102100", "102113"}
#: Largest capabilities document read (a city server's with hundreds of layers stays far below).
MAX_CAPABILITIES_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class WmtsLayerChoice:
    """What a capabilities document says about drawing one layer: the page's ``{z}/{x}/{y}`` ``url`` template,
    the matrix set, format and style chosen, the zoom levels the set has and what its TileMatrix ids put before
    the zoom level (``matrix_prefix``: ``EPSG:900913:`` for ``EPSG:900913:12``, else "") — what another layer of
    the same server (its label overlay) needs too."""

    url: str
    matrix_set: str
    image_format: str
    style: str
    min_zoom: int
    max_zoom: int
    matrix_prefix: str = ""


def _some(names: list[str], shown: int = 10) -> str:
    """The first ``shown`` of ``names`` (each cut to 60 characters), then how many more: a document may list
    100 000 formats, and the message is a log line."""
    listed = ", ".join(name[:60] for name in names[:shown])
    return listed + (f", … {len(names) - shown} more" if len(names) > shown else "")


def _text(element: Any, path: str) -> str:
    found = element.find(path, _NS)
    return (found.text or "").strip() if found is not None else ""


def _mercator_zooms(tile_matrix_set: Any) -> tuple[dict[int, str], str | None]:
    """``({zoom: TileMatrix id}, None)`` for a Web Mercator set Leaflet can draw, else ``({}, reason)``."""
    crs = _text(tile_matrix_set, "ows:SupportedCRS")
    code = re.split(r"[:/]", crs.rstrip(":/"))[-1] if crs else ""
    if code not in _MERCATOR_CODES:
        kind = " a latitude/longitude grid," if code.upper() in ("4326", "4490", "CRS84", "4214", "4610") else ""
        return {}, f"its CRS {crs[:60] or '(none)'} is{kind} not Web Mercator (EPSG:3857)"
    zooms: dict[int, str] = {}
    for matrix in tile_matrix_set.findall("wmts:TileMatrix", _NS):
        ident = _text(matrix, "ows:Identifier")
        try:
            scale = float(_text(matrix, "wmts:ScaleDenominator"))
            left, top = (float(v) for v in _text(matrix, "wmts:TopLeftCorner").split())
            width, height = int(_text(matrix, "wmts:TileWidth")), int(_text(matrix, "wmts:TileHeight"))
        except ValueError:
            return {}, f"its tile matrix {ident[:40]!r} is not readable"
        if not (scale > 0 and math.isfinite(scale)):
            return {}, f"its tile matrix {ident[:40]!r} has no usable scale"
        zoom = round(math.log2(_ZOOM0_SCALE / scale)) if 1.0 <= scale <= 1e10 else -1  # zooms 0–24: 33–5.6e8
        if not 0 <= zoom <= MAX_ZOOM or abs(scale * 2**zoom / _ZOOM0_SCALE - 1) > 1e-3:
            return {}, f"its tile matrix {ident[:40]!r} is not at a Web Mercator zoom level's scale"
        if (width, height) != (256, 256):
            return {}, f"its tiles are {width}×{height} pixels, the map draws 256×256"
        if abs(left + _MERCATOR_HALF) > 1.0 or abs(top - _MERCATOR_HALF) > 1.0:
            return {}, "its tile matrices do not start at the Web Mercator world's top left corner"
        zooms[zoom] = ident
    if not zooms:
        return {}, "it has no tile matrices"
    return zooms, None


def _matrix_prefix(zooms: dict[int, str]) -> str | None:
    """The common prefix of ids that are ``prefix + zoom`` (``12``, ``EPSG:900913:12``), else None."""
    prefixes = {ident[: -len(str(z))] for z, ident in zooms.items() if ident.endswith(str(z))}
    if len(prefixes) != 1 or sum(1 for z, ident in zooms.items() if ident.endswith(str(z))) != len(zooms):
        return None
    prefix = prefixes.pop()
    return prefix if not prefix or not prefix[-1].isdigit() else None


def read_capabilities(document: bytes) -> Any:
    """The root element of a WMTS 1.0.0 capabilities document, parsed without DTDs, entity expansion or network
    access; :class:`WmtsError` for anything else (an exception report says its text)."""
    from lxml import etree  # only a capabilities document needs it

    if len(document) > MAX_CAPABILITIES_BYTES:
        raise WmtsError("the capabilities document is larger than 20 MB")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(document, parser)
    except etree.XMLSyntaxError as exc:
        raise WmtsError(f"the capabilities document is not XML ({exc.msg})") from None
    if etree.QName(root).localname == "ExceptionReport":
        text = " ".join(t.strip() for t in root.itertext() if t.strip())[:200]
        raise WmtsError(f"the server answered an exception: {text or 'no text'}")
    if etree.QName(root).namespace != _WMTS_NS or etree.QName(root).localname != "Capabilities":
        raise WmtsError("not a WMTS 1.0.0 Capabilities document")
    return root


def _kvp_endpoint(root: Any) -> str | None:
    for get in root.iterfind("ows:OperationsMetadata/ows:Operation[@name='GetTile']/ows:DCP/ows:HTTP/ows:Get", _NS):
        encodings = [v.text for v in get.iterfind(".//ows:Constraint/ows:AllowedValues/ows:Value", _NS)]
        if not encodings or "KVP" in encodings:
            return get.get(f"{{{_XLINK_NS}}}href")
    return None


def wmts_from_capabilities(document: bytes, layer: str, matrix_set: str | None = None,
                           image_format: str | None = None, style: str | None = None) -> WmtsLayerChoice:
    """How to draw ``layer`` of the service a capabilities document describes: a Web Mercator matrix set whose
    TileMatrix ids are ``[prefix]zoom`` (``matrix_set`` if given, else the first such set the layer links), a
    format (``image_format`` if given, else PNG, else JPEG, else the first), the style (``style`` or the
    default), and the RESTful template for that format if the layer has one, else the KVP endpoint.

    :class:`WmtsError` says why not: no such layer (naming some that exist), or no matrix set the page can draw
    (naming each linked set's reason, e.g. 天地图's ``c`` grid in CGCS2000 latitude/longitude)."""
    root = read_capabilities(document)
    contents = root.find("wmts:Contents", _NS)
    layers = contents.findall("wmts:Layer", _NS) if contents is not None else []
    found = next((el for el in layers if _text(el, "ows:Identifier") == layer), None)
    if found is None:
        names = ", ".join(_text(el, "ows:Identifier")[:40] for el in layers[:10])
        raise WmtsError(f"the service has no layer {layer[:100]!r} (it has: {names or 'none'})")
    sets = {_text(el, "ows:Identifier"): el for el in contents.findall("wmts:TileMatrixSet", _NS)}
    linked = [_text(el, "wmts:TileMatrixSet") for el in found.findall("wmts:TileMatrixSetLink", _NS)]
    if matrix_set is not None:
        if matrix_set not in linked:
            raise WmtsError(f"layer {layer[:100]!r} has no tile matrix set {matrix_set[:100]!r} "
                            f"(it has: {_some([s[:40] for s in linked]) or 'none'})")
        linked = [matrix_set]
    reasons = []
    chosen: tuple[str, dict[int, str], str] | None = None
    for name in linked:
        if name not in sets:
            reasons.append(f"{name[:40]}: not described in the document")
            continue
        zooms, reason = _mercator_zooms(sets[name])
        prefix = _matrix_prefix(zooms) if reason is None else None
        if reason is None and prefix is None:
            reason = "its TileMatrix ids are not the zoom levels (with or without one common prefix)"
        if reason is not None:
            reasons.append(f"{name[:40]}: {reason}")
            continue
        chosen = (name, zooms, prefix or "")
        break
    if chosen is None:
        raise WmtsError(f"layer {layer[:100]!r} has no tile matrix set the map can draw: " + "; ".join(reasons[:10])
                        + (f"; … {len(reasons) - 10} more" if len(reasons) > 10 else ""))
    set_name, zooms, prefix = chosen
    formats = [f.text.strip() for f in found.findall("wmts:Format", _NS) if f.text]
    templates = {el.get("format"): el.get("template") for el in found.findall("wmts:ResourceURL", _NS)
                 if el.get("resourceType") == "tile" and el.get("template")}
    offered = formats + [f for f in templates if f and f not in formats]
    if image_format is not None and image_format not in offered:
        raise WmtsError(f"layer {layer[:100]!r} has no format {image_format[:60]!r} (it has: "
                        f"{_some(offered) or 'none'})")
    fmt = image_format or next((f for f in ("image/png", "image/jpeg") if f in offered), offered[0] if offered
                               else "image/png")
    styles = [(_text(el, "ows:Identifier"), el.get("isDefault") == "true") for el in found.findall("wmts:Style", _NS)]
    style = style or next((s for s, default in styles if default), styles[0][0] if styles else "default")
    if fmt in templates:
        url = wmts_rest_template(templates[fmt], set_name, style, prefix)
    else:
        endpoint = _kvp_endpoint(root)
        if not endpoint:
            raise WmtsError(f"layer {layer[:100]!r} has neither a tile template nor a KVP GetTile address")
        url = wmts_kvp_template(endpoint, layer, set_name, style, fmt, matrix_prefix=prefix)
    return WmtsLayerChoice(url=url, matrix_set=set_name, image_format=fmt, style=style,
                           min_zoom=min(zooms), max_zoom=max(zooms), matrix_prefix=prefix)
