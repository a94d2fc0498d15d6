"""Layer sources a desk adds besides the district's manifest: GeoJSON files and URLs, OGC API Features
collections and WFS 2.0 feature types (JSON output, or GML 3.2 with ``wfs_format: gml32`` — :mod:`.gml`).

Every answer is read with a size cap and parsed with a nesting cap; every feature is checked on its own
(:mod:`commandwall.geo.features`) so a layer draws with its good features and names the bad ones. ``NaN`` and
``Infinity`` (which GDAL and others write) do not refuse a document: features with such coordinates are left
out and counted, such property values become null. Paging is
bounded: OGC API ``rel=next`` links are followed on the same origin only, at most :data:`MAX_PAGES` pages and
``max_features`` features, and a whole read (every page) within :data:`LAYER_DEADLINE_S`. :func:`load_source` never
raises: a layer that cannot be had carries its reason, in English for the log and ``commandwall layers check``
(:attr:`SourceResult.error`), and what kind of failure it is (:attr:`SourceResult.error_kind`) for the layer tree to
say in the desk's language.

Axis order: GeoJSON and OGC API Features are always x/y (lon/lat, easting/northing). A WFS answer in a CRS
named the OGC way (``urn:ogc:def:crs:EPSG::4326``, ``http://www.opengis.net/def/crs/EPSG/0/4548``) follows the
EPSG axis order, which is lat/lon (northing/easting) for those CRSs; ``EPSG:4326`` keeps lon/lat. The CRS the
answer declares decides; ``axis_order`` in the source overrides it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests
import urllib3
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pyproj import CRS

from commandwall import paths
from commandwall.backend.answers import BODY_DEADLINE_S, decode_json, read_body
from commandwall.backend.errors import BackendError, MalformedAnswerError
from commandwall.backend.http import has_secret_query, make_http, redact, same_origin
from commandwall.geo.crs import UnsupportedCRS, canonical_crs, short_repr
from commandwall.geo.features import check_features
from commandwall.heap import collector_paused, freeze_big

log = logging.getLogger(__name__)

#: Largest answer (or file) read for one page, in bytes.
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
#: Most pages followed for one layer.
MAX_PAGES = 200
#: Most bytes read for one layer over all its pages: past it the layer is cut (and says so in the log), as a
#: server could send page after page of large features (photos in properties) until the desk runs out of memory.
MAX_LAYER_BYTES = 128 * 1024 * 1024
#: Longest one read of a layer may take, every page together (seconds). Without it the bounds of each request
#: (connect 5 s, headers 30 s, body 120 s, one retry) allowed minutes per page, hours for :data:`MAX_PAGES` pages
#: (an OGC API with endless ``next`` links, a body trickling at a byte a second), holding a reader all along.
LAYER_DEADLINE_S = 120.0
_SOURCE_ID = r"^[a-z0-9][a-z0-9_-]{0,39}$"
#: The error of a source that answered with no features at all.
NO_FEATURES = "the source has no features"
#: An OGC API Features items URL: the service root and the collection.
OGC_ITEMS = re.compile(r"^(?P<root>.*?)/collections/(?P<collection>[^/]+)/items/?$")


#: What kind of failure a source's error is (:attr:`SourceResult.error_kind`): no answer in time, no connection,
#: HTTP 401 / 403 / 5xx / another status, not JSON, JSON but not GeoJSON (or GML that cannot be read), too large,
#: the whole read took too long, a file that cannot be read, nothing usable in it, a CRS not known, anything else.
ERROR_KINDS = ("timeout", "unreachable", "auth", "forbidden", "server", "http", "not_json", "not_geojson",
               "too_large", "deadline", "file", "unusable", "crs", "unexpected")


class SourceError(Exception):
    """Why a source could not be read (a message fit for the log and the command line, in English), with
    ``kind`` (one of :data:`ERROR_KINDS`) and the HTTP ``status`` when there is one."""

    def __init__(self, message: str, kind: str = "not_geojson", status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


def describe_invalid(exc: ValidationError, limit: int = 4) -> str:
    """What is wrong with a source description, one ``field: reason`` per problem (never the input: a URL in it
    may carry a key)."""
    lines = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False)[:limit]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "entry"
        lines.append(f"{where}: {str(err.get('msg', '')).removeprefix('Value error, ')}")
    return "; ".join(lines)


class LayerSourceSpec(BaseModel):
    """One user-added layer source (an entry of ``<config>/layers.json`` or ``COMMANDWALL_LAYER_SOURCES``).

    ``kind``: ``geojson`` (``path`` to a file — relative: in the settings folder — or ``url``), ``ogcapi``
    (``url`` of the service root and ``collection``), ``wfs`` (``url`` of the WFS endpoint and ``type_name``;
    ``wfs_format`` ``json`` or ``gml32`` for a server without JSON output). ``crs`` overrides what the data
    declares (GeoJSON's legacy ``crs`` member, WFS ``srsName``); ``bbox`` (WGS84 lon/lat) limits what is asked
    for; ``refresh_s`` > 0 re-reads a live layer that often. URLs carry no keys or passwords.
    """

    model_config = {"extra": "forbid", "frozen": True}

    id: str = Field(pattern=_SOURCE_ID)
    title: str = Field(min_length=1, max_length=60)
    kind: Literal["geojson", "ogcapi", "wfs"]
    url: str | None = Field(default=None, max_length=2000)
    path: Path | None = None
    collection: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{1,200}$")
    type_name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{1,200}$")
    crs: str | None = None
    axis_order: Literal["auto", "xy", "yx"] = "auto"
    wfs_format: Literal["json", "gml32"] = "json"
    bbox: tuple[float, float, float, float] | None = None
    page_size: int = Field(default=1000, ge=1, le=10000)
    max_features: int = Field(default=50000, ge=1, le=200000)
    refresh_s: int = Field(default=0, ge=0, le=86400)
    color: str = Field(default="#ffd60a", pattern=r"^#[0-9a-fA-F]{6}$")

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        """http(s) with a host, no ``user:password@``, no key in the query (without echoing the URL)."""
        if url is None:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("a layer URL must be http:// or https:// with a host")
        if "@" in parts.netloc:
            raise ValueError("a layer URL must not carry a user name or password")
        if has_secret_query(url):
            raise ValueError("a layer URL must not carry a key or token in its query")
        return url

    @field_validator("path", mode="before")
    @classmethod
    def _empty_path_is_none(cls, path: object) -> object:
        """An empty ``path`` is none given (as ``Path("")`` it would be the settings folder itself)."""
        return None if isinstance(path, str) and not path.strip() else path

    @field_validator("path")
    @classmethod
    def _home_expanded(cls, path: Path | None) -> Path | None:
        """A leading ``~``/``~NAME`` expanded; ``~NAME`` of a user this machine does not have (an entry copied
        from another desk) makes this entry invalid, with that reason, instead of stopping the start."""
        return None if path is None else paths.expand_home(path)

    @field_validator("crs")
    @classmethod
    def _known_crs(cls, crs: str | None) -> str | None:
        """Kept as written (a WFS wants it so); must be one :func:`canonical_crs` knows."""
        if crs is not None:
            canonical_crs(crs)
        return crs

    @model_validator(mode="after")
    def _complete(self) -> LayerSourceSpec:
        """Each kind has what it needs; a bbox is a real WGS84 box; refreshing is not a hammer."""
        if self.kind == "geojson" and (self.url is None) == (self.path is None):
            raise ValueError("a geojson layer needs exactly one of url or path")
        if self.kind in ("ogcapi", "wfs") and self.url is None:
            raise ValueError(f"an {self.kind} layer needs url")
        if self.kind == "ogcapi" and self.collection is None:
            raise ValueError("an ogcapi layer needs collection")
        if self.kind == "wfs" and self.type_name is None:
            raise ValueError("a wfs layer needs type_name")
        if self.bbox is not None:
            w, s, e, n = self.bbox
            if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
                raise ValueError("bbox is min_lon, min_lat, max_lon, max_lat in WGS84")
        if 0 < self.refresh_s < 10:
            raise ValueError("refresh_s is 0 (never) or at least 10 seconds")
        return self

    def where(self) -> str:
        """Where the data comes from, safe for logs and the screen (secrets redacted)."""
        return str(self.path) if self.path is not None else redact(self.url or "")


@dataclass
class SourceResult:
    """What :func:`load_source` got: usable WGS84 features, the bad ones with reasons, or the layer's error."""

    spec: LayerSourceSpec
    features: list[dict[str, Any]] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)
    error: str | None = None
    #: What kind of failure :attr:`error` is (:data:`ERROR_KINDS`), and the HTTP status when one was answered.
    error_kind: str | None = None
    error_status: int | None = None
    crs: str = "EPSG:4326"
    pages: int = 0
    matched: int | None = None
    truncated: bool = False
    fetched_at: float = 0.0
    #: The validators the server gave (``ETag``, ``Last-Modified``) when the source is one request: the next read
    #: asks with ``If-None-Match`` / ``If-Modified-Since`` and a 304 ends it.
    etag: str | None = None
    last_modified: str | None = None
    #: Digest of every byte read (all pages, or the file): a server without validators that sends the same bytes
    #: again is not parsed again.
    digest: str | None = None
    #: True when this read found the source as the previous one left it (HTTP 304 or the same bytes): the
    #: features are the previous read's, nothing was parsed, and the map need not draw them again.
    unchanged: bool = False
    #: Features left out because a coordinate is ``NaN`` or infinite (also listed in ``bad``).
    non_finite: int = 0
    #: Bytes read (all pages, or the file): what is made of a big read is made with the collector paused.
    bytes_read: int = 0

    @property
    def usable(self) -> bool:
        """True when the source answered and at least one feature can be drawn."""
        return self.error is None and bool(self.features)

    @property
    def failed(self) -> bool:
        """True when the source could not be read or gave nothing usable; an empty answer (a live layer of
        current alerts with none now) is not a failure."""
        return self.error is not None and self.error != NO_FEATURES


# --- reading --------------------------------------------------------------------------------------------------


def parse_json_bytes(body: bytes, name: str, *, non_finite: Callable[[str], Any] | None = None) -> Any:
    """JSON from bytes (``backend.answers.decode_json``: depth checked before parsing; ``NaN``/``Infinity``
    refused unless ``non_finite`` reads them); ``SourceError`` for anything that is not such JSON."""
    try:
        return decode_json(body, name, non_finite=non_finite)
    except MalformedAnswerError as exc:
        raise SourceError(f"{name}: {exc.problem}", "not_json") from None


def _timed_out(exc: BaseException) -> bool:
    """Whether a failed request is a timeout (connect or read, or an answer's headers too late), though requests
    reports one that outlived its retries as a ``ConnectionError``."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        e = pending.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
            return False  # (urllib3 makes the former a kind of connect timeout: it is a refusal)
        if isinstance(e, TimeoutError | requests.Timeout | urllib3.exceptions.TimeoutError | ConnectionAbortedError):
            return True
        pending.extend([getattr(e, "reason", None), e.__cause__, e.__context__,
                        *(a for a in e.args if isinstance(a, BaseException))])
    return False


def _http_failure(status: int, where: str) -> SourceError:
    """The error of an answer with status ``status`` (not 200, not 304)."""
    kind = {401: "auth", 403: "forbidden"}.get(status, "server" if 500 <= status <= 599 else "http")
    return SourceError(f"HTTP {status} from {where}", kind, status)


def _get(http: requests.Session, url: str, params: dict[str, Any] | None = None,
         validators: dict[str, str] | None = None, *, timeout: tuple[float, float] | None = None,
         deadline_s: float = BODY_DEADLINE_S) -> tuple[bytes | None, Any]:
    """GET an answer of at most :data:`MAX_RESPONSE_BYTES`, read with the platform's reader (size cap, the
    body within ``deadline_s``, response closed), conditionally when ``validators`` are given: ``(body,
    headers)``, or ``(None, headers)`` for a 304 answer to a conditional request; ``SourceError`` for anything
    else: a timeout (no answer in time) is told from a connection that could not be made."""
    where = redact(url)
    try:
        response = http.get(url, params=params, stream=True, headers=validators or None, timeout=timeout)
    except requests.RequestException as exc:
        if _timed_out(exc):
            raise SourceError(f"no answer from {where} in time (timed out)", "timeout") from exc
        raise SourceError(f"cannot connect to {where}: {type(exc).__name__}", "unreachable") from exc
    if response.history and urlsplit(response.url).netloc.lower() != urlsplit(url).netloc.lower():
        _note_redirect(urlsplit(url).netloc.lower(), urlsplit(response.url).netloc.lower(), response.url)
    if response.status_code == 304 and validators:
        response.close()
        return None, response.headers
    if response.status_code != 200:
        response.close()
        raise _http_failure(response.status_code, where)
    try:
        body = read_body(response, where, MAX_RESPONSE_BYTES, deadline_s=deadline_s)
    except MalformedAnswerError as exc:
        raise SourceError(f"{where}: {exc.problem}", "too_large") from None
    except BackendError as exc:  # reset, broken chunking, or the overall deadline passed
        raise SourceError(str(exc), "timeout" if "took longer" in str(exc) else "unreachable") from None
    return body, response.headers


_REDIRECTS_SAID: set[tuple[str, str]] = set()


def _note_redirect(asked: str, answered: str, url: str) -> None:
    """Say once per pair of hosts which host a layer source's answer came from when it is not the host asked (a
    redirect): the data on the map is that host's."""
    if (asked, answered) in _REDIRECTS_SAID or len(_REDIRECTS_SAID) >= 256:
        return
    _REDIRECTS_SAID.add((asked, answered))
    log.warning("layer source on %s redirected to another host: %s", asked, redact(url))


class _UnchangedError(Exception):
    """The source answers as it did at the previous read (304, or the same bytes): stop reading it."""


def usable_last_modified(last_modified: str | None, date: str | None) -> str | None:
    """``Last-Modified`` if it can tell a change (RFC 9110 §8.8.2.2: only when at least a second before the
    answer's ``Date``; a file changed again within the second of the last read would answer 304 with old
    data); None otherwise, or when either cannot be read."""
    if not last_modified or not date:
        return None
    try:
        changed, answered = parsedate_to_datetime(last_modified), parsedate_to_datetime(date)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    return last_modified if (answered - changed).total_seconds() >= 1 else None


#: An exponent of 300 or more (a float holds up to about 1.8e308): a number that may read as infinite.
_HUGE_EXPONENT = re.compile(rb"[0-9.][eE]\+?0*[3-9][0-9]{2,}")


#: Bytes searched for a huge exponent per call: the regular expression engine holds the interpreter lock for a
#: whole call (33 MB took ~300 ms: the window froze that long while a big layer loaded); a slice takes ~1 ms —
#: the GUI thread waits for the current one each time it takes the lock back after a system call (1 MB slices,
#: ~10 ms each, made 50 file reads on the GUI thread a 750 ms freeze).
EXPONENT_SLICE = 1 << 17


def _has_huge_exponent(body: bytes) -> bool:
    """Whether ``body`` holds a number with an exponent of 300 or more, searched a slice at a time (slices overlap
    so that a number across a boundary is found)."""
    for start in range(0, len(body), EXPONENT_SLICE):
        if _HUGE_EXPONENT.search(body, start, start + EXPONENT_SLICE + 64):
            return True
    return False


class _Reading:
    """One read of a source: every request (and the file) goes through it, so the bytes are digested, and the
    first request is conditional when the previous good read was one request that gave validators."""

    def __init__(self, http: requests.Session, previous: SourceResult | None, *, timeout_s: float = 15.0,
                 deadline_s: float = LAYER_DEADLINE_S) -> None:
        self.http = http
        self.previous = previous
        self.timeout_s = timeout_s
        #: the whole read (every request) ends by then (``time.monotonic``)
        self.deadline_s = deadline_s
        self.deadline = time.monotonic() + deadline_s
        self.requests = 0
        self.etag: str | None = None
        self.last_modified: str | None = None
        #: ``NaN`` / ``Infinity`` literals read so far, and whether a number too large for a float (``1e400``,
        #: read as infinite) may have been.
        self.non_finite = 0
        self.overflowed = False
        #: the read stopped with more to come (a page limit or the byte budget): the layer is cut short, and says so
        self.cut = False
        self.bytes_read = 0
        self._hash = hashlib.blake2b(digest_size=20)

    def get(self, url: str, params: dict[str, Any] | None = None) -> bytes:
        """One answer's bytes; :class:`_UnchangedError` when the server answers 304 to the conditional first request."""
        validators: dict[str, str] = {}
        before = self.previous
        if self.requests == 0 and before is not None and before.pages == 1:
            if before.etag:
                validators["If-None-Match"] = before.etag
            if before.last_modified:
                validators["If-Modified-Since"] = before.last_modified
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise SourceError(f"{redact(url)}: reading the layer took longer than {self.deadline_s:g} s in all "
                              f"({self.requests} request(s))", "deadline")
        self.requests += 1
        # each request within what is left (its headers may come up to ~10 s late: the headers' own deadline)
        timeout = (min(self.timeout_s, 5.0, left), min(self.timeout_s, left))
        try:
            body, headers = _get(self.http, url, params, validators, timeout=timeout,
                                 deadline_s=min(BODY_DEADLINE_S, left))
        except SourceError as exc:
            if exc.kind == "timeout" and time.monotonic() >= self.deadline:
                raise SourceError(f"{redact(url)}: reading the layer took longer than {self.deadline_s:g} s in all "
                                  f"({self.requests} request(s))", "deadline") from None
            raise
        if body is None:
            raise _UnchangedError
        if self.requests == 1:
            self.etag = headers.get("ETag")
            self.last_modified = usable_last_modified(headers.get("Last-Modified"), headers.get("Date"))
        self._hash.update(body)
        self.bytes_read += len(body)
        return body

    def read_file(self, path: Path) -> bytes:
        """A layer file's bytes (a regular file only: a pipe would hold the loader)."""
        try:
            body = paths.read_small_file(path, MAX_RESPONSE_BYTES)
        except (OSError, ValueError) as exc:
            raise SourceError(f"cannot read {path}: {exc}", "file") from exc
        self._hash.update(body)
        self.bytes_read += len(body)
        return body

    def parse(self, body: bytes, name: str) -> Any:
        """JSON of one answer or file. ``NaN`` / ``Infinity`` (which GDAL and others write for missing numbers)
        are read as such and counted in :attr:`non_finite`: the features holding them are dealt with when
        checked, instead of the whole layer being refused."""
        if not self.overflowed and _has_huge_exponent(body):
            self.overflowed = True  # such a number reads as infinite: checked like the literals
        with collector_paused() if len(body) >= PAUSE_COLLECTOR_BYTES else contextlib.nullcontext():
            value = parse_json_bytes(body, name, non_finite=self._non_finite)
            if len(body) >= FREEZE_AFTER_BYTES:
                freeze_big()  # the first collection after it would walk the whole document (100–150 ms)
            return value

    def _non_finite(self, literal: str) -> float:
        self.non_finite += 1
        return float(literal)  # "NaN", "Infinity", "-Infinity" are Python's spellings too

    @property
    def digest(self) -> str:
        """Digest of every byte read so far."""
        return self._hash.hexdigest()

    def stop_if_unchanged(self) -> None:
        """:class:`_UnchangedError` when the bytes read so far are the previous read's, all of them."""
        before = self.previous
        if before is not None and before.digest == self.digest:
            raise _UnchangedError


def _collection(data: Any, where: str) -> list[Any]:
    """The features of a FeatureCollection (or a lone Feature)."""
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise SourceError(f"{where}: FeatureCollection without a 'features' list", "not_geojson")
        return features
    if isinstance(data, dict) and data.get("type") == "Feature":
        return [data]
    kind = data.get("type") if isinstance(data, dict) else type(data).__name__
    raise SourceError(f"{where}: not a GeoJSON FeatureCollection ({short_repr(kind)})", "not_geojson")


def _declared_crs(data: Any) -> str | None:
    """The legacy GeoJSON ``crs`` member's name, if any."""
    crs = data.get("crs") if isinstance(data, dict) else None
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    return name if isinstance(name, str) else None


@lru_cache(maxsize=128)
def authority_axis_is_northing_first(crs_name: str) -> bool:
    """True when ``crs_name`` is written the OGC way (URN or http URI) for an EPSG CRS whose first axis points
    north (EPSG:4326, 4490, the CGCS2000 GK zones): positions then come as lat/lon or northing/easting."""
    lowered = crs_name.strip().lower()
    if not lowered.startswith(("urn:ogc:def:crs:epsg:", "http://www.opengis.net/def/crs/epsg/")):
        return False
    code = re.split(r"[:/]", lowered)[-1]
    if not code.isdigit():
        return False
    try:
        axes = CRS.from_epsg(int(code)).axis_info
    except Exception:  # pyproj.exceptions.CRSError and friends: unknown code, not our business to guess
        return False
    return bool(axes) and axes[0].direction.lower() in ("north", "south")


# --- the three kinds ------------------------------------------------------------------------------------------


def _fetch_geojson(spec: LayerSourceSpec, reading: _Reading) -> tuple[list[Any], str | None, int, int | None]:
    if spec.path is not None:
        body, name = reading.read_file(Path(spec.path)), Path(spec.path).name
    else:
        body, name = reading.get(spec.url or ""), redact(spec.url or "")
    reading.stop_if_unchanged()  # before parsing: a big live layer re-read as it was costs a digest, no more
    data = reading.parse(body, name)
    return _collection(data, spec.where()), _declared_crs(data), 1, None


def _next_link(data: dict[str, Any], base: str) -> str | None:
    for link in data.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "next" and isinstance(link.get("href"), str):
            kind = link.get("type")
            if kind in (None, "application/geo+json", "application/json"):
                return urljoin(base, link["href"])
    return None


def _fetch_ogcapi(spec: LayerSourceSpec, reading: _Reading) -> tuple[list[Any], str | None, int, int | None]:
    root = (spec.url or "").rstrip("/")
    url = f"{root}/collections/{spec.collection}/items"
    params: dict[str, Any] | None = {"f": "json", "limit": min(spec.page_size, spec.max_features)}
    if spec.bbox is not None:
        params["bbox"] = ",".join(repr(v) for v in spec.bbox)  # type: ignore[index]
    features: list[Any] = []
    matched: int | None = None
    seen: set[str] = set()
    pages = 0
    budget = MAX_LAYER_BYTES
    while url is not None and pages < MAX_PAGES and len(features) < spec.max_features:
        if budget <= 0:
            log.warning("layer %s: cut after %d page(s): %d MB read", spec.id, pages, MAX_LAYER_BYTES >> 20)
            break
        body = reading.get(url, params)
        budget -= len(body)
        data = reading.parse(body, redact(url))
        pages += 1
        seen.add(url)
        features.extend(_collection(data, f"{redact(url)} page {pages}"))
        if matched is None and isinstance(data.get("numberMatched"), int):
            matched = data["numberMatched"]
        nxt = _next_link(data, url)
        if nxt is not None and (not same_origin(nxt, url) or nxt in seen):
            log.warning("layer %s: next link %s not followed (other origin or a loop)", spec.id, redact(nxt))
            nxt = None
        url, params = nxt, None  # the next link carries its own query
    # a next link left unfollowed: more features than were read (OGC API Features need not say numberMatched)
    reading.cut = url is not None
    return features, None, pages, matched


def _fetch_wfs(spec: LayerSourceSpec, reading: _Reading) -> tuple[list[Any], str | None, int, int | None]:
    srs = spec.crs or "EPSG:4326"
    output = "application/gml+xml; version=3.2" if spec.wfs_format == "gml32" else "application/json"
    base = {"service": "WFS", "version": "2.0.0", "request": "GetFeature", "typeNames": spec.type_name,
            "outputFormat": output, "srsName": srs}
    if spec.bbox is not None:
        w, s, e, n = spec.bbox  # the URN form is lat/lon: say so explicitly
        base["bbox"] = f"{s!r},{w!r},{n!r},{e!r},urn:ogc:def:crs:EPSG::4326"
    features: list[Any] = []
    declared: str | None = None
    matched: int | None = None
    pages = 0
    budget = MAX_LAYER_BYTES  # JSON and GML pages alike
    full = False  # the last page read was full: the server may hold more
    while pages < MAX_PAGES and len(features) < spec.max_features:
        count = min(spec.page_size, spec.max_features - len(features))
        params = {**base, "count": count, "startIndex": len(features)}
        if budget <= 0:
            log.warning("%s: cut after %d page(s): %d MB read", spec.where(), pages, MAX_LAYER_BYTES >> 20)
            reading.cut = True
            break
        pages += 1
        body = reading.get(spec.url or "", params)
        budget -= len(body)
        if spec.wfs_format == "gml32":
            data, page = _gml_page(body, spec, pages)
        else:
            data = reading.parse(body, redact(spec.url or ""))
            page = _collection(data, f"{spec.where()} page {pages}")
        if len(page) > count:  # the server ignores count/startIndex: its first answer is the whole layer
            log.warning("%s does not page (asked for %d, got %d); taking its first answer", spec.where(), count,
                        len(page))
            if pages == 1:
                features.extend(page[: spec.max_features])
            break
        features.extend(page)
        declared = declared or _declared_crs(data)
        if matched is None and isinstance(data.get("numberMatched"), int):
            matched = data["numberMatched"]
        full = len(page) >= count
        if len(page) < count or (matched is not None and len(features) >= matched):
            break
    else:  # a page or feature limit reached with a full last page: more may be there
        reading.cut = reading.cut or full
    return features, declared or srs, pages, matched


def _gml_page(body: bytes, spec: LayerSourceSpec, page: int) -> tuple[dict[str, Any], list[Any]]:
    """One GML 3.2 page (its bytes) as the JSON path sees one: ``({numberMatched, crs}, features)``."""
    from commandwall.geo.gml import GmlError, read_feature_collection

    try:
        features, declared, matched = read_feature_collection(body)
    except GmlError as exc:
        raise SourceError(f"{spec.where()} page {page}: {exc}", "not_geojson") from None
    data: dict[str, Any] = {"numberMatched": matched}
    if declared:
        data["crs"] = {"type": "name", "properties": {"name": declared}}
    return data, features


_FETCHERS = {"geojson": _fetch_geojson, "ogcapi": _fetch_ogcapi, "wfs": _fetch_wfs}


#: A read of this many bytes or more is a big layer: once read, its objects are frozen out of the collector's sight.
FREEZE_AFTER_BYTES = 8 * 1024 * 1024
#: A body (or a read) of this many bytes or more is parsed (checked) with the collector paused — only then, and never
#: while waiting for the network: several live layers reading at once must not keep it off.
PAUSE_COLLECTOR_BYTES = 1024 * 1024


def _read_and_check(spec: LayerSourceSpec, reading: _Reading, result: SourceResult) -> None:
    """Read every page of ``spec`` and check its features into ``result`` (raises what :func:`load_source`
    turns into the result's error)."""
    raw, declared, result.pages, result.matched = _FETCHERS[spec.kind](spec, reading)
    reading.stop_if_unchanged()  # the paged kinds: every page read, none checked yet
    result.digest = reading.digest
    if reading.requests == 1:
        result.etag, result.last_modified = reading.etag, reading.last_modified
    crs_name = spec.crs or declared or "EPSG:4326"
    result.crs = canonical_crs(crs_name)
    if spec.axis_order == "auto":
        swap = spec.kind == "wfs" and authority_axis_is_northing_first(crs_name)
    else:
        swap = spec.axis_order == "yx"
    if len(raw) > spec.max_features:
        raw = raw[: spec.max_features]
        result.truncated = True
    elif (result.matched is not None and result.matched > len(raw)) or reading.cut:
        result.truncated = True
    result.bytes_read = reading.bytes_read
    big = reading.bytes_read >= PAUSE_COLLECTOR_BYTES
    with collector_paused() if big else contextlib.nullcontext():
        checked = check_features(raw, result.crs, swap_axes=swap,
                                 finite_check=reading.non_finite > 0 or reading.overflowed)
        if reading.bytes_read >= FREEZE_AFTER_BYTES and checked.features:
            # the millions of objects a big layer is made of would be walked by the next full collection and every
            # one after it (each a pause of the whole client: ~0.5 s for a 33 MB layer): before the collector runs
            # again they are moved out of its sight, as long-lived data (JSON holds no cycles; reference counting
            # frees them when the layer is replaced)
            freeze_big()
    result.features, result.bad, result.non_finite = checked.features, checked.bad, checked.non_finite
    if not raw:
        result.error = NO_FEATURES
    elif not result.features:
        result.error = f"none of {len(raw)} feature(s) is usable (first: {checked.bad[0][1]})"
        result.error_kind = "unusable"


def load_source(
    spec: LayerSourceSpec, http: requests.Session | None = None, *, timeout_s: float = 15.0,
    previous: SourceResult | None = None, deadline_s: float = LAYER_DEADLINE_S,
) -> SourceResult:
    """Fetch and check one source; never raises (a failure is :attr:`SourceResult.error`).

    ``previous`` is the last read of the same source: when the server says it has not changed (304 to a
    conditional request) or sends the very same bytes, the answer is ``previous`` read again now
    (:attr:`SourceResult.unchanged`, a new ``fetched_at``), without parsing or checking anything. Every request
    waits at most ``timeout_s`` for a connection or a packet, and the whole read ends within ``deadline_s``
    (:data:`LAYER_DEADLINE_S`): past it the layer fails, saying so."""
    result = SourceResult(spec=spec, fetched_at=time.time(), crs=canonical_crs(spec.crs or "EPSG:4326"))
    if previous is not None and (previous.spec != spec or previous.error is not None or previous.digest is None):
        previous = None  # only a good read of this very source can stand for the next one
    own = http is None
    session = make_http("http://127.0.0.1/", timeout=(min(timeout_s, 5.0), timeout_s), retries=1) if own else http
    reading = _Reading(session, previous, timeout_s=timeout_s, deadline_s=deadline_s)
    try:
        _read_and_check(spec, reading, result)
    except _UnchangedError:
        assert previous is not None
        # the same bytes may come with new validators (a server that rewrote the file): the next ask uses them
        return dataclasses.replace(previous, fetched_at=result.fetched_at, unchanged=True,
                                   etag=reading.etag or previous.etag,
                                   last_modified=reading.last_modified or previous.last_modified)
    except SourceError as exc:
        result.error, result.error_kind, result.error_status = str(exc), exc.kind, exc.status
    except (UnsupportedCRS, ValueError) as exc:
        result.error, result.error_kind = str(exc), "crs" if isinstance(exc, UnsupportedCRS) else "not_geojson"
    except Exception as exc:  # the last line of defence: one layer is lost, never the client
        log.exception("layer %s: unexpected failure", spec.id)
        result.error, result.error_kind = f"unexpected {type(exc).__name__}: {exc}", "unexpected"
    finally:
        if own:
            session.close()
    if result.error:
        log.warning("layer %s (%s): %s", spec.id, spec.where(), result.error)
    return result


def spec_for_target(target: str, crs: str | None = None) -> LayerSourceSpec:
    """A source for ``commandwall layers check``: a GeoJSON file, an OGC API ``…/collections/ID/items`` URL,
    a WFS URL (``service=WFS`` with ``typeNames``) or any other URL as GeoJSON. ``ValueError`` if unusable."""
    extra: dict[str, Any] = {"id": "check", "title": "check", "crs": crs}
    if not target.lower().startswith(("http://", "https://")):
        return LayerSourceSpec(kind="geojson", path=Path(target), **extra)
    parts = urlsplit(target)
    query = {k.lower(): v for k, v in parse_qsl(parts.query)}
    plain = parts._replace(query="", fragment="").geturl()
    match = OGC_ITEMS.match(plain)
    if match:
        return LayerSourceSpec(kind="ogcapi", url=match["root"] or plain, collection=match["collection"], **extra)
    if query.get("service", "").upper() == "WFS":
        type_name = query.get("typenames") or query.get("typename")
        if not type_name:
            raise ValueError("a WFS URL needs typeNames=…")
        gml = "gml" in query.get("outputformat", "").lower()  # a GML-only server's URL, as its capabilities say
        return LayerSourceSpec(kind="wfs", url=plain, type_name=type_name, wfs_format="gml32" if gml else "json",
                               **{**extra, "crs": crs or query.get("srsname")})
    return LayerSourceSpec(kind="geojson", url=target, **extra)
