"""The ``cw://`` URL scheme that serves the map page and its assets to QtWebEngine — no files, no network.

* ``cw://app/web/<path>``    a file under :func:`commandwall.paths.web_dir` (Leaflet, jQuery, cw-map.js …)
* ``cw://app/qwebchannel.js`` Qt's own ``:/qtwebchannel/qwebchannel.js`` resource
* ``cw://app/<name>.html``   a page kept in memory (``map.html``: the map page skeleton)
* ``cw://app/tiles/<id>/<z>/<x>/<y>`` a tile of an offline base map (``geo.basemaps.BaseMapCatalogue``); the id and
  the numbers are checked before any file is touched, a missing tile is "not found". Tiles are read on worker
  threads (:data:`TILE_READERS`) and the job answered on the GUI thread when its tile is in: an MBTiles file without
  an index costs 23–33 ms a tile, which on the GUI thread froze the window up to 196 ms while panning
* ``cw://app/data/<name>``   JSON kept in memory by :meth:`SchemeHandler.set_data` (a big layer, fetched by the page
  rather than sent through the web channel, whose serialising of a multi-MB text held the GUI thread 270 ms)

:func:`register_scheme` and :func:`configure_webengine_environment` must run before the ``QApplication`` is
created; :func:`scheme_handler` installs the handler on a profile (once) and returns it.
"""

from __future__ import annotations

import glob
import itertools
import logging
import mimetypes
import os
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QFile, QIODevice, Qt, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from commandwall import paths
from commandwall.geo.basemaps import BaseMapCatalogue, TileRequestError, parse_tile_address

log = logging.getLogger(__name__)

SCHEME = b"cw"
HOST = "app"
BASE_URL = "cw://app/"
WEB_BASE_URL = BASE_URL + "web/"
QWEBCHANNEL_RESOURCE = ":/qtwebchannel/qwebchannel.js"
#: Threads reading base-map tiles (SQLite and file reads release the interpreter lock while they wait).
TILE_READERS = 3

_MIME_TYPES: dict[str, bytes] = {
    ".html": b"text/html",
    ".js": b"text/javascript",
    ".mjs": b"text/javascript",
    ".css": b"text/css",
    ".json": b"application/json",
    ".map": b"application/json",
    ".png": b"image/png",
    ".svg": b"image/svg+xml",
    ".jpg": b"image/jpeg",
    ".gif": b"image/gif",
    ".woff2": b"font/woff2",
    ".woff": b"font/woff",
    ".ttf": b"font/ttf",
}


def software_compositing_wanted(environ: Mapping[str, str], platform: str, render_nodes: Sequence[str]) -> bool:
    """Whether the map view should be composited by Qt Quick's software backend: on a Linux desktop (X11 or
    Wayland) with no GPU render node (``/dev/dri/renderD*``), unless ``QT_QUICK_BACKEND`` says otherwise.

    There GL is Mesa's llvmpipe, and Qt composites the whole window with it on the GUI thread for every frame the
    page makes: 80–100 ms of CPU a frame at 1920×1080, and the GUI thread blocked meanwhile (a desk under Xvfb,
    4 tiles playing, idle: 15 heartbeat gaps over 50 ms in 10 s, the longest 121 ms; in software none, the longest
    16 ms; the map with three fresh urgent incidents 9.4 % → 4.6 % of a core). With a GPU, or offscreen, Qt's
    default stays."""
    if not platform.startswith("linux") or environ.get("QT_QUICK_BACKEND") or environ.get("QMLSCENE_DEVICE"):
        return False
    if environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc"):
        return False
    return not render_nodes


def configure_webengine_environment() -> bool:
    """Prepare QtWebEngine's environment; call before the ``QApplication`` exists. Returns True if sandboxed.

    Chromium's sandbox stays on, except when running as root (where Chromium refuses to start with it):
    then ``QTWEBENGINE_DISABLE_SANDBOX=1`` is set and a warning says the sandbox is off. On a desk without a GPU
    the map view is composited in software (:func:`software_compositing_wanted`).
    """
    if software_compositing_wanted(os.environ, sys.platform, glob.glob("/dev/dri/renderD*")):
        os.environ["QT_QUICK_BACKEND"] = "software"
        log.info("no GPU render node: the map view is composited in software (QT_QUICK_BACKEND=rhi for GL)")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if os.environ.get("QTWEBENGINE_DISABLE_SANDBOX") == "1" or "--no-sandbox" in flags.split():
        log.warning(
            "Chromium sandbox of the map view is OFF (running as root or disabled by the environment); "
            "run commandwall as an ordinary user to keep it on"
        )
        return False
    return True


def register_scheme() -> None:
    """Register the ``cw`` scheme with QtWebEngine; idempotent; must run before the ``QApplication`` exists.

    Host syntax gives pages a real origin (``cw://app``), so they load their own sub-resources and
    qwebchannel; ``SecureScheme`` makes it a secure context, ``CorsEnabled``/``FetchApiAllowed`` let the page
    fetch its own files. Also sets ``AA_ShareOpenGLContexts``, which QtWebEngine needs set before the app.
    """
    if QWebEngineUrlScheme.schemeByName(SCHEME).name() == SCHEME:
        return
    if QCoreApplication.instance() is not None:
        raise RuntimeError("register_scheme() must be called before the QApplication is created")
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(
        QWebEngineUrlScheme.Flag.SecureScheme
        | QWebEngineUrlScheme.Flag.CorsEnabled
        | QWebEngineUrlScheme.Flag.FetchApiAllowed
    )
    QWebEngineUrlScheme.registerScheme(scheme)
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


def resolve_web_path(root: Path, relative: str) -> Path | None:
    """The file ``relative`` names under ``root``, or None if it is missing or would escape ``root``."""
    if not relative or "\x00" in relative or "\\" in relative:
        return None
    root = root.resolve()
    candidate = (root / relative.lstrip("/")).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def mime_type(path: str) -> bytes:
    """MIME type for a served file name."""
    suffix = Path(path).suffix.lower()
    if suffix in _MIME_TYPES:
        return _MIME_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path)
    return (guessed or "application/octet-stream").encode("ascii")


def _read_qt_resource(name: str) -> bytes | None:
    resource = QFile(name)
    if not resource.open(QIODevice.OpenModeFlag.ReadOnly):
        return None
    try:
        return bytes(resource.readAll().data())
    finally:
        resource.close()


class SchemeHandler(QWebEngineUrlSchemeHandler):
    """Serves ``cw://app/…``: files from ``web_root``, qwebchannel.js and in-memory pages (see module doc)."""

    _sig_tile = Signal(int, object)  # (job number, (bytes, mime) or None) from a tile reader: queued to the GUI thread

    def __init__(self, web_root: Path | None = None, parent=None) -> None:
        super().__init__(parent)
        self._tile_jobs: dict[int, QWebEngineUrlRequestJob] = {}  # jobs waiting for their tile, by number
        self._job_numbers = itertools.count(1)
        self._tile_pool = ThreadPoolExecutor(max_workers=TILE_READERS, thread_name_prefix="cw-tiles")
        self._sig_tile.connect(self._on_tile, Qt.ConnectionType.QueuedConnection)
        self._web_root = Path(web_root) if web_root is not None else paths.web_dir()
        self._documents: dict[str, bytes] = {}
        self._qwebchannel: bytes | None = None
        self._base_maps = BaseMapCatalogue()
        self._data: dict[str, QByteArray] = {}
        self.tiles_served = 0

    def set_base_maps(self, catalogue: BaseMapCatalogue) -> None:
        """Serve the offline base maps of ``catalogue`` under ``cw://app/tiles/``."""
        self._base_maps = catalogue

    def set_document(self, name: str, html: str) -> QUrl:
        """Keep a page in memory as ``cw://app/<name>`` and return its URL."""
        self._documents[name.strip("/")] = html.encode("utf-8")
        return QUrl(BASE_URL + name.strip("/"))

    def set_data(self, name: str, data: QByteArray) -> QUrl:
        """Serve ``data`` (JSON, made off the GUI thread) as ``cw://app/data/<name>`` until :meth:`drop_data`;
        returns its URL. The bytes are shared with each reply, never copied."""
        self._data[name] = data
        return QUrl(BASE_URL + "data/" + name)

    def drop_data(self, name: str) -> None:
        """Stop serving ``cw://app/data/<name>`` (a reply under way keeps its bytes)."""
        self._data.pop(name, None)

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 (Qt override)
        """Answer one request with a buffer, or fail it (404 for anything unknown)."""
        url = job.requestUrl()
        if job.requestMethod() != b"GET":
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        path = url.path(QUrl.ComponentFormattingOption.FullyDecoded)
        if url.host() == HOST and path.startswith("/tiles/"):
            self._start_tile(job, path.lstrip("/"))
            return
        data = self._data.get(path[len("/data/") :]) if url.host() == HOST and path.startswith("/data/") else None
        if data is not None:  # shared, not copied: the page reads it in pieces as it fetches
            self._reply(job, b"application/json", data)
            return
        body, mime = self._lookup(url.host(), path)
        if body is None:
            log.warning("cw scheme: not found: %s", url.toDisplayString())
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        self._reply(job, mime, QByteArray(body))

    def _start_tile(self, job: QWebEngineUrlRequestJob, name: str) -> None:
        """Read the tile on a worker; the job waits (kept here until answered, or dropped if QtWebEngine
        destroys it first: the page moved on)."""
        number = next(self._job_numbers)
        self._tile_jobs[number] = job
        job.destroyed.connect(lambda *_: self._tile_jobs.pop(number, None))
        self._tile_pool.submit(self._read_tile, number, name)

    def _read_tile(self, number: int, name: str) -> None:
        try:
            tile = self._tile(name)
        except Exception:  # a reader's bug must not leave the job waiting forever
            log.exception("cw scheme: reading %s failed", name[:80])
            tile = None
        self._sig_tile.emit(number, tile)

    def _on_tile(self, number: int, tile: tuple[bytes, str] | None) -> None:
        job = self._tile_jobs.pop(number, None)
        if job is None or not shiboken6.isValid(job):  # cancelled meanwhile
            return
        try:
            if tile is None:
                job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            else:
                self._reply(job, tile[1].encode("ascii"), QByteArray(tile[0]))
                self.tiles_served += 1
        except RuntimeError:  # destroyed between the check and the call
            log.debug("cw scheme: tile job %d went away", number)

    @property
    def tiles_waiting(self) -> int:
        """Tile requests being read now (for tests and diagnostics)."""
        return len(self._tile_jobs)

    @staticmethod
    def _reply(job: QWebEngineUrlRequestJob, mime: bytes, body: QByteArray) -> None:
        buffer = QBuffer(parent=job)  # lives exactly as long as the job
        buffer.setData(body)
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(mime, buffer)

    def _lookup(self, host: str, path: str) -> tuple[bytes | None, bytes]:
        if host != HOST:
            return None, b""
        name = path.lstrip("/")
        if name in self._documents:
            return self._documents[name], b"text/html"
        if name == "qwebchannel.js":
            if self._qwebchannel is None:
                self._qwebchannel = _read_qt_resource(QWEBCHANNEL_RESOURCE)
            return self._qwebchannel, b"text/javascript"
        if name.startswith("web/"):
            file = resolve_web_path(self._web_root, name[len("web/") :])
            if file is not None:
                try:
                    return file.read_bytes(), mime_type(file.name)
                except OSError as exc:
                    log.warning("cw scheme: cannot read %s: %s", file, exc)
        return None, b""

    def _tile(self, name: str) -> tuple[bytes, str] | None:
        """``tiles/<id>/<z>/<x>/<y>`` from the offline base maps; None for anything else or a missing tile."""
        parts = name.split("/")
        if len(parts) != 5:
            return None
        try:
            z, x, y = parse_tile_address(*parts[2:])
            tile = self._base_maps.tile(parts[1], z, x, y)
        except TileRequestError:
            return None
        except (OSError, ValueError) as exc:  # a file that went away or a broken database
            log.warning("cw scheme: base map %s unreadable: %s", parts[1][:40], exc)
            return None
        return tile


def scheme_handler(profile: QWebEngineProfile | None = None) -> SchemeHandler:
    """The ``cw`` handler of ``profile`` (default profile if None), installed on first use."""
    profile = profile or QWebEngineProfile.defaultProfile()
    existing = profile.urlSchemeHandler(SCHEME)
    if isinstance(existing, SchemeHandler):
        return existing
    if QWebEngineUrlScheme.schemeByName(SCHEME).name() != SCHEME:
        log.error("the cw scheme was not registered before the QApplication: call register_scheme() early")
    handler = SchemeHandler(parent=profile)
    profile.installUrlSchemeHandler(SCHEME, handler)
    return handler
