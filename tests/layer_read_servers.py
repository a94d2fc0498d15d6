"""A layer server on 127.0.0.1 that misbehaves on purpose, for the tests of how layer reads end: each path answers
its own way, and every request is counted by path.

``/ok.geojson`` a small FeatureCollection (any path not named below too; a path put in :attr:`hanging` hangs
like ``/hang.geojson``); ``/hang.geojson`` accepts and sends nothing until :meth:`release` (or
:meth:`stop`); ``/trickle.geojson`` sends its headers, then a byte a second; ``/401.geojson`` and ``/403.geojson``
and ``/500.geojson`` those statuses; ``/bad.geojson`` a body that is not JSON; ``/ogc/collections/c/items``
an OGC API Features collection whose pages never end (each links the next, a little slowly).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.geo_servers import point_features


def refused_url() -> str:
    """The URL of a port nothing listens on (bound then closed: connecting is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/ok.geojson"


class MisbehavingLayerServer:
    """The server (see the module); ``url(path)`` its address for a path, ``hits[path]`` requests received."""

    def __init__(self, port: int = 0, *, page_delay_s: float = 0.2) -> None:
        self.hits: Counter[str] = Counter()
        self.hanging: set[str] = {"/hang.geojson"}
        self._released = threading.Event()
        self.page_delay_s = page_delay_s
        server = self
        body = json.dumps({"type": "FeatureCollection", "features": point_features(3)}).encode()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                server.hits[parts.path] += 1
                if parts.path in server.hanging:
                    server._released.wait(120)
                    return self._send(200, body)
                if parts.path == "/trickle.geojson":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/geo+json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    for i in range(len(body)):
                        if server._released.wait(1.0):
                            break
                        self.wfile.write(body[i:i + 1])
                        self.wfile.flush()
                    return None
                if parts.path.startswith("/ogc/collections/c/items"):
                    time.sleep(server.page_delay_s)
                    page = int(dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("page", 0))
                    doc = {"type": "FeatureCollection", "features": point_features(2),
                           "links": [{"rel": "next", "type": "application/geo+json",
                                      "href": f"/ogc/collections/c/items?page={page + 1}"}]}
                    return self._send(200, json.dumps(doc).encode())
                status = {"/401.geojson": 401, "/403.geojson": 403, "/500.geojson": 500}.get(parts.path)
                if status is not None:
                    return self._send(status, b'{"error": "no"}')
                if parts.path == "/bad.geojson":
                    return self._send(200, b"<html>maintenance</html>")
                return self._send(200, body)

            def _send(self, status: int, data: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/geo+json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up meanwhile
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)  # its threads are daemons
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        """The address of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> MisbehavingLayerServer:
        """Serve on a background thread."""
        self.thread.start()
        return self

    def release(self) -> None:
        """Let hanging and trickling answers end."""
        self._released.set()

    def stop(self) -> None:
        """Release every answer and stop serving."""
        self.release()
        self.httpd.shutdown()
        self.httpd.server_close()
