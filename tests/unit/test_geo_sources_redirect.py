"""A layer source whose server redirects to another host: the data is that host's, and the log says so once (not
at every refresh). Real HTTP servers on 127.0.0.1: the layer is asked of ``localhost`` (a host other than the
desk's own session's, whose redirects are followed), which redirects to the live layer at ``127.0.0.1``. A
redirect within one host (``/old`` to ``/layer.geojson`` on ``127.0.0.1``) is followed and not said."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from commandwall.geo import sources
from commandwall.geo.sources import LayerSourceSpec, load_source
from tests.geo_servers import LiveLayerServer, point_features


@pytest.fixture
def live() -> Iterator[LiveLayerServer]:
    server = LiveLayerServer({"type": "FeatureCollection", "features": point_features(5)}, validators="none").start()
    yield server
    server.stop()


@pytest.fixture
def redirector(live: LiveLayerServer) -> Iterator[str]:
    """A server, asked as ``localhost``, that sends every request on to the live layer at 127.0.0.1."""
    target = live.url

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", target + "?token=SeCrEt")
            self.send_header("Content-Length", "0")
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{httpd.server_address[1]}/layer.geojson"
    httpd.shutdown()
    httpd.server_close()


def test_a_redirect_to_another_host_is_followed_and_said_once(
    redirector: str, live: LiveLayerServer, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    monkeypatch.setattr(sources, "_REDIRECTS_SAID", set())
    spec = LayerSourceSpec(id="moved", title="搬走的图层", kind="geojson", url=redirector)
    with caplog.at_level(logging.INFO, logger="commandwall.geo"):
        first = load_source(spec)
        second = load_source(spec)
    assert first.error is None and len(first.features) == 5 and second.error is None
    said = [r.getMessage() for r in caplog.records if "redirected to another host" in r.getMessage()]
    assert len(said) == 1, said
    assert said[0].startswith("layer source on localhost:") and "127.0.0.1:" in said[0] and "SeCrEt" not in said[0]


@pytest.fixture
def moved_within_host() -> Iterator[tuple[str, list[str]]]:
    """A server at 127.0.0.1 whose ``/old`` answers 307 to its own ``/layer.geojson`` (3 points); the paths asked."""
    body = json.dumps({"type": "FeatureCollection", "features": point_features(3)}).encode()
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            pass

        def do_GET(self) -> None:
            asked.append(self.path)
            if self.path == "/old":
                self.send_response(307)
                self.send_header("Location", "/layer.geojson")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200 if self.path == "/layer.geojson" else 404)
            self.send_header("Content-Type", "application/geo+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/old", asked
    httpd.shutdown()
    httpd.server_close()


def test_a_redirect_within_the_host_is_followed_and_not_said(moved_within_host: tuple[str, list[str]],
                                                             caplog: pytest.LogCaptureFixture,
                                                             monkeypatch) -> None:  # fmt: skip
    url, asked = moved_within_host
    monkeypatch.setattr(sources, "_REDIRECTS_SAID", set())
    spec = LayerSourceSpec(id="here", title="本机图层", kind="geojson", url=url)
    with caplog.at_level(logging.INFO, logger="commandwall.geo"):
        loaded = load_source(spec)
    assert loaded.error is None and len(loaded.features) == 3, loaded.error
    assert asked == ["/old", "/layer.geojson"]
    assert not [r for r in caplog.records if "redirected" in r.getMessage()]
