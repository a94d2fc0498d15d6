"""``DemoBackend``: the embedded exercise backend (演练模式) as one object that starts and stops cleanly.

The Flask app is served by werkzeug's threaded server on a daemon thread. ``stop()`` ends the simulator,
wakes every SSE and MJPEG stream, shuts the open connections down and waits for their threads, so
nothing is left running.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import re
import shutil
import signal
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from commandwall import paths
from commandwall.demo.app import DemoContext, create_app
from commandwall.demo.db import Database, now, set_clock_skew
from commandwall.demo.events import EventHub
from commandwall.demo.geography import Geography
from commandwall.demo.layerdata import LayerCatalogue
from commandwall.demo.seed import seed_database
from commandwall.demo.sensors import SensorField
from commandwall.demo.simulator import Simulator
from commandwall.demo.store import Store
from commandwall.demo.streams import StreamHub
from commandwall.domain.models import CameraStatus
from commandwall.geo.routing import roads_of

log = logging.getLogger(__name__)


class _Connections:
    """Open client connections and their handler threads, so ``stop()`` can end them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[socket.socket, threading.Thread] = {}
        self._closing = False

    def add(self, conn: socket.socket) -> None:
        with self._lock:
            self._open[conn] = threading.current_thread()
            closing = self._closing
        if closing:
            _shutdown(conn)

    def remove(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.pop(conn, None)

    def close_all(self, timeout: float) -> int:
        """Shut every open connection down and wait for the handlers; returns how many were left."""
        with self._lock:
            self._closing = True
            items = list(self._open.items())
        for conn, _ in items:
            _shutdown(conn)
        deadline = time.monotonic() + timeout
        for _, thread in items:
            thread.join(max(0.0, deadline - time.monotonic()))
        return sum(1 for _, t in items if t.is_alive())


def _shutdown(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)


class _Handler(WSGIRequestHandler):
    """werkzeug's handler, registering its connection and logging requests at DEBUG."""

    timeout = 120  # an idle or stuck client connection is dropped after this

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` of every answer: the platform's clock (``db.now``, which a drill may set off)."""
        moment = now() if timestamp is None else datetime.fromtimestamp(timestamp, UTC)
        return format_datetime(moment.astimezone(UTC), usegmt=True)

    def setup(self) -> None:
        super().setup()
        connections: _Connections | None = getattr(self.server, "cw_connections", None)
        if connections is not None:
            connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            connections: _Connections | None = getattr(self.server, "cw_connections", None)
            if connections is not None:
                connections.remove(self.connection)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = getattr(self, "path", None) or ""  # unset when the request line itself was malformed
        log.debug('"%s %s" %s %s', self.command, path.split("?")[0], code, size)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found before the application runs (a malformed request line, an over-long URL or header
        line, too many headers) answered with the contract's JSON error body instead of an HTML page."""
        short = self.responses.get(code, ("error", ""))[0]
        error = re.sub(r"[^a-z0-9]+", "_", short.lower()).strip("_")
        body = json.dumps({"error": error, "message": message or short}).encode()
        log.info("refused a malformed request from %s: %d %s", self.client_address[0], code, message or short)
        self.send_response(code, short)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)


class DemoBackend:
    """The exercise backend: HTTP API + SSE + MJPEG on ``host:port`` (0 = a free port), SQLite at
    ``db_path`` (None = a temporary file removed on stop), seeded from ``layers_dir``.

    Usage: ``with DemoBackend(seed=1).start() as backend: requests.get(backend.base_url + ...)``.
    ``simulate=False`` leaves the simulator thread off (tests call ``backend.simulator.tick()``).
    """

    def __init__(
        self,
        db_path: Path | None = None,
        layers_dir: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        incident_rate_per_min: float = 1.0,
        seed: int | None = None,
        simulate: bool = True,
        *,
        keepalive_s: float = 15.0,
        tick_s: float = 1.0,
        clock_skew_s: float = 0.0,
    ) -> None:
        self.db_path = Path(db_path) if db_path is not None else None
        self.layers_dir = Path(layers_dir) if layers_dir is not None else paths.layers_dir()
        self.host = host
        self.port = port
        self.incident_rate_per_min = incident_rate_per_min
        self.seed = seed
        self.simulate = simulate
        self.keepalive_s = keepalive_s
        self.tick_s = tick_s
        #: The platform's clock runs this far ahead of the machine's (``db.set_clock_skew``: process-wide).
        self.clock_skew_s = clock_skew_s
        self.store: Store | None = None
        self.catalogue: LayerCatalogue | None = None
        self.streams: StreamHub | None = None
        self._simulator: Simulator | None = None
        self._db: Database | None = None
        self._hub: EventHub | None = None
        self._stop = threading.Event()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._connections = _Connections()
        self._tmpdir: Path | None = None

    # ---- lifecycle -----------------------------------------------------------------------------
    def start(self) -> DemoBackend:
        """Open/seed the database and serve; returns once the socket accepts connections."""
        if self._server is not None:
            return self
        self._stop.clear()
        self._connections = _Connections()
        if self.clock_skew_s:
            set_clock_skew(self.clock_skew_s)
        if self.db_path is None:
            self._tmpdir = Path(tempfile.mkdtemp(prefix="commandwall-demo-"))
            self.db_path = self._tmpdir / "exercise.sqlite3"
        try:
            self._build()
        except BaseException:
            self._release_storage()
            raise
        assert self._server is not None and self._simulator is not None
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name=f"demo-http-{self.port}",
            daemon=True,
        )
        self._thread.start()
        if self.simulate:
            self._simulator.start()
        log.info("exercise backend serving at %s (database %s)", self.base_url, self.db_path)
        return self

    def _build(self) -> None:
        """Database, layers, seed, simulator, app and a listening server (not yet serving)."""
        assert self.db_path is not None
        self._hub = hub = EventHub()
        self._db = db = Database(self.db_path, on_event=hub.publish)
        hub.publish(db.max_event_id())
        self.catalogue = LayerCatalogue(self.layers_dir)
        geo = Geography(list(self.catalogue.layers.values()))
        self.store = Store(db)
        seed_database(self.store, self.catalogue, geo, random.Random(self.seed))
        self._simulator = Simulator(
            self.store,
            geo,
            seed=None if self.seed is None else f"simulator-{self.seed}",
            incident_rate_per_min=self.incident_rate_per_min,
            tick_s=self.tick_s,
            roads=roads_of(self.catalogue.layers.values()),
        )
        self.streams = StreamHub(self.store.camera_status, self._stop)
        context = DemoContext(db, self.store, self.catalogue, self.streams, hub, self._stop, self.keepalive_s,
                              SensorField(geo, seed=None if self.seed is None else f"sensors-{self.seed}"),
                              epoch=db.data_epoch())
        # Bind here: werkzeug's make_server calls sys.exit(1) when the port is taken; this raises OSError.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.create_server((self.host, self.port), family=family, backlog=64)
        try:
            server = make_server(
                self.host,
                listener.getsockname()[1],
                create_app(context),
                threaded=True,
                request_handler=_Handler,
                fd=listener.fileno(),
            )
        finally:
            listener.close()  # werkzeug holds its own duplicate of the descriptor
        server.cw_connections = self._connections  # type: ignore[attr-defined]
        self._server = server
        self.port = int(server.server_address[1])

    def _release_storage(self) -> None:
        """Close the database and remove a temporary one."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self.db_path = None
            self._tmpdir = None

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the simulator, end all streams and connections, close the server and the database."""
        if self._server is None:
            return
        self._stop.set()
        if self.clock_skew_s:
            set_clock_skew(0.0)
        if self._hub is not None:
            self._hub.close()
        if self._simulator is not None:
            self._simulator.stop(timeout)
        self._server.shutdown()
        left = self._connections.close_all(timeout)
        if left:
            log.warning("%d connection thread(s) still running after stop", left)
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout)
        self._server = None
        self._release_storage()
        log.info("exercise backend stopped")

    def __enter__(self) -> DemoBackend:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ---- access --------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True between ``start()`` and ``stop()``."""
        return self._server is not None

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server (a wildcard host is given as 127.0.0.1)."""
        if self._server is None:
            raise RuntimeError("the exercise backend is not running; call start() first")
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def simulator(self) -> Simulator:
        """The simulator (``tick()`` runs one step)."""
        if self._simulator is None:
            raise RuntimeError("the exercise backend is not started")
        return self._simulator

    def set_camera_status(self, camera_id: str, status: CameraStatus | str) -> bool:
        """Force a camera online/offline now (writes a camera-status event); False if unchanged."""
        if self.store is None:
            raise RuntimeError("the exercise backend is not started")
        return self.store.set_camera_status(camera_id, CameraStatus(status))


def serve_forever(
    port: int,
    host: str = "127.0.0.1",
    db_path: Path | None = None,
    incident_rate_per_min: float = 1.0,
    *,
    stop_event: threading.Event | None = None,
    **options: Any,
) -> None:
    """Run the exercise backend in the foreground until Ctrl-C/SIGTERM (or ``stop_event`` is set).

    For ``commandwall demo-server --port N``; logs the URL and the demo accounts.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = stop_event or threading.Event()
    if threading.current_thread() is threading.main_thread():
        # Ctrl+C and SIGTERM end it, even when whoever started it ignored SIGINT (a script's background job: the
        # interpreter then keeps SIGINT ignored and no KeyboardInterrupt ever comes)
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: stop.set())
    backend = DemoBackend(
        db_path=db_path, host=host, port=port, incident_rate_per_min=incident_rate_per_min, **options
    ).start()
    log.info(
        "演练模式 exercise backend: %s  (users viewer/viewer duty/duty commander/commander admin/admin)",
        backend.base_url,
    )
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        log.info("interrupted")
    finally:
        backend.stop()
