"""Real GIS servers on 127.0.0.1 for the layer-source tests.

- :class:`PygeoapiServer`: pygeoapi (the OGC API Features reference implementation, from PyPI) started as a
  subprocess (``pygeoapi serve``) with a generated configuration that serves GeoJSON files as collections.
- :class:`WfsServer`: a small WFS 2.0 GetFeature endpoint (``outputFormat=application/json``) over
  ``http.server`` that answers in the axis order the requested ``srsName`` implies (lat/lon for
  ``urn:ogc:def:crs:EPSG::4326`` and the ``http://www.opengis.net/def/crs/EPSG/0/4326`` URI, as GeoServer
  does), pages with ``count``/``startIndex`` and records every request; it also serves plain GeoJSON files
  under ``/files/NAME``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

import requests
import yaml


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def point_features(count: int, *, lon0: float = 117.20, lat0: float = 34.70, step: float = 0.002) -> list[dict]:
    """``count`` WGS84 points on a grid inside Xuecheng District, named 点位0…, with ``id`` set."""
    return [
        {
            "type": "Feature",
            "id": i,
            "geometry": {"type": "Point", "coordinates": [round(lon0 + (i % 60) * step, 6),
                                                          round(lat0 + (i // 60) * step, 6)]},
            "properties": {"id": i, "name": f"点位{i}"},
        }
        for i in range(count)
    ]


class PygeoapiServer:
    """pygeoapi serving ``collections`` ({id: FeatureCollection}) on 127.0.0.1 with ``page_limit`` items a page."""

    def __init__(self, folder: Path, collections: dict[str, dict[str, Any]], *, page_limit: int = 100) -> None:
        self.folder = Path(folder)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder.mkdir(parents=True, exist_ok=True)
        resources = {}
        for cid, collection in collections.items():
            path = self.folder / f"{cid}.geojson"
            path.write_text(json.dumps(collection, ensure_ascii=False), "utf-8")
            resources[cid] = {
                "type": "collection", "title": cid, "description": cid, "keywords": [cid],
                "extents": {"spatial": {"bbox": [116.9, 34.4, 117.7, 35.1],
                                        "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
                "providers": [{"type": "feature", "name": "GeoJSON", "data": str(path), "id_field": "id"}],
            }
        config = {
            "server": {
                "bind": {"host": "127.0.0.1", "port": self.port}, "url": self.url,
                "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8", "language": "en-US",
                "limits": {"default_items": page_limit, "max_items": page_limit},
                "map": {"url": "http://127.0.0.1/{z}/{x}/{y}.png", "attribution": "none"},
            },
            "logging": {"level": "ERROR"},
            "metadata": {
                "identification": {"title": "test", "description": "test", "keywords": ["test"],
                                   "keywords_type": "theme", "terms_of_service": "none", "url": self.url},
                "license": {"name": "none", "url": self.url},
                "provider": {"name": "test", "url": self.url},
                "contact": {"name": "test"},
            },
            "resources": resources,
        }
        self.config_path = self.folder / "pygeoapi-config.yml"
        self.openapi_path = self.folder / "pygeoapi-openapi.yml"
        self.config_path.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
        self.env = {**os.environ, "PYGEOAPI_CONFIG": str(self.config_path), "PYGEOAPI_OPENAPI": str(self.openapi_path)}
        self.process: subprocess.Popen | None = None

    @staticmethod
    def _cli() -> list[str]:
        return [sys.executable, "-c", "import sys; from pygeoapi import cli; sys.exit(cli())", ]

    def start(self, timeout_s: float = 60.0) -> PygeoapiServer:
        """Generate the OpenAPI document, start ``pygeoapi serve`` and wait until it answers."""
        subprocess.run([*self._cli(), "openapi", "generate", str(self.config_path), "--output-file",
                        str(self.openapi_path)], env=self.env, check=True, capture_output=True, timeout=120)
        self.log = (self.folder / "pygeoapi.log").open("wb")
        self.process = subprocess.Popen([*self._cli(), "serve"], env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT, cwd=self.folder)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pygeoapi exited: {(self.folder / 'pygeoapi.log').read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/collections?f=json", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("pygeoapi did not answer in time")

    def stop(self) -> None:
        """End the server process this object started (by its PID)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        if hasattr(self, "log"):
            self.log.close()


class WfsServer:
    """A WFS 2.0 GetFeature endpoint at ``/wfs`` (JSON, or GML 3.2 only with ``gml_only``) and static GeoJSON
    under ``/files/NAME``; ``matched=False``: its pages do not say how many features match (``unknown``)."""

    def __init__(self, features: list[dict[str, Any]], *, type_name: str = "cw:points",
                 files: dict[str, bytes] | None = None, gml_only: bool = False, matched: bool = True) -> None:
        self.features = features  # WGS84 lon/lat
        self.matched = matched
        self.type_name = type_name
        self.files = files or {}
        self.gml_only = gml_only
        self.requests: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k.lower(): v for k, v in parse_qsl(parts.query)}
                server.requests.append({"path": parts.path, **query})
                if parts.path.startswith("/files/") and parts.path[7:] in server.files:
                    return self._send(200, server.files[parts.path[7:]])
                if parts.path != "/wfs" or query.get("request") != "GetFeature":
                    return self._send(404, b'{"error": "not found"}')
                output = query.get("outputformat", "")
                if query.get("typenames") != server.type_name:
                    return self._send(400, b'{"error": "bad request"}')
                if server.gml_only and output.startswith("application/gml+xml"):
                    return self._send(200, server.gml_answer(query))
                if server.gml_only or output != "application/json":
                    return self._send(400, b'<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1">'
                                           b'<ows:Exception exceptionCode="InvalidParameterValue"/>'
                                           b'</ows:ExceptionReport>')
                return self._send(200, json.dumps(server.answer(query)).encode())

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def answer(self, query: dict[str, str]) -> dict[str, Any]:
        """One page in the requested srsName's axis order, with the CRS named as asked."""
        srs = query.get("srsname", "EPSG:4326")
        lat_first = srs.lower().startswith(("urn:ogc:def:crs:epsg:", "http://www.opengis.net/def/crs/epsg/"))
        start, count = int(query.get("startindex", 0)), int(query.get("count", 1000))
        page = []
        for feature in self.features[start:start + count]:
            lon, lat = feature["geometry"]["coordinates"]
            coords = [lat, lon] if lat_first else [lon, lat]
            page.append({**feature, "geometry": {"type": "Point", "coordinates": coords}})
        answer = {"type": "FeatureCollection", "features": page, "numberMatched": len(self.features),
                  "numberReturned": len(page), "crs": {"type": "name", "properties": {"name": srs}}}
        if not self.matched:
            del answer["numberMatched"]
        return answer

    def gml_answer(self, query: dict[str, str]) -> bytes:
        """The page of :meth:`answer` as a WFS 2.0 FeatureCollection in GML 3.2, the CRS named on each point."""
        page = self.answer(query)
        srs = escape(query.get("srsname", "EPSG:4326"), {'"': "&quot;"})
        members = "".join(
            f'<wfs:member><cw:points gml:id="{escape(str(f.get("id", i)))}"><cw:name>'
            f'{escape(str(f["properties"].get("name", "")))}</cw:name><cw:geom><gml:Point gml:id="g{i}" '
            f'srsName="{srs}"><gml:pos>{f["geometry"]["coordinates"][0]!r} {f["geometry"]["coordinates"][1]!r}'
            f"</gml:pos></gml:Point></cw:geom></cw:points></wfs:member>"
            for i, f in enumerate(page["features"]))
        return (f'<?xml version="1.0" encoding="UTF-8"?><wfs:FeatureCollection xmlns:wfs='
                f'"http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:cw='
                f'"http://example.invalid/cw" numberMatched="{page.get("numberMatched", "unknown")}" numberReturned='
                f'"{page["numberReturned"]}">{members}</wfs:FeatureCollection>').encode()

    def start(self) -> WfsServer:
        """Serve on a background thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.httpd.shutdown()
        self.httpd.server_close()


class LiveLayerServer:
    """One GeoJSON document at ``/live.geojson`` that a test may change, answering like a real server: with
    ``validators`` ``"etag"`` or ``"last-modified"`` it sends that header and answers a matching conditional
    request with 304; with ``"none"`` it sends the whole body every time. ``status`` other than 200 makes every
    answer that error (a failing source). ``requests`` records each request's conditional headers."""

    def __init__(self, document: dict[str, Any], *, validators: str = "etag") -> None:
        self.validators = validators
        self.status = 200
        self.requests: list[dict[str, str | None]] = []
        self.set(document)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                asked = {"if-none-match": self.headers.get("If-None-Match"),
                         "if-modified-since": self.headers.get("If-Modified-Since")}
                server.requests.append(asked)
                if server.status != 200:
                    return self._send(server.status, b'{"error": "unavailable"}', {})
                headers: dict[str, str] = {}
                if server.validators == "etag":
                    headers["ETag"] = server.etag
                    if asked["if-none-match"] == server.etag:
                        return self._send(304, b"", headers)
                elif server.validators == "last-modified":
                    headers["Last-Modified"] = server.last_modified
                    if asked["if-modified-since"] == server.last_modified:
                        return self._send(304, b"", headers)
                return self._send(200, server.body, headers)

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/geo+json")
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/live.geojson"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def set(self, document: dict[str, Any]) -> None:
        """Serve ``document`` from now on (a new ETag and Last-Modified)."""
        self.body = json.dumps(document, ensure_ascii=False).encode()
        self.version = getattr(self, "version", 0) + 1
        self.etag = f'"v{self.version}"'
        self.last_modified = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(1_700_000_000 + self.version))

    def start(self) -> LiveLayerServer:
        """Serve on a background thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.httpd.shutdown()
        self.httpd.server_close()


class FailingTileServer:
    """A tile server on 127.0.0.1 that answers every request 500 (down, or behind a broken proxy); a context
    manager, ``origin`` its ``http://127.0.0.1:port``."""

    def __enter__(self) -> FailingTileServer:
        class Failing(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_error(500)

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
