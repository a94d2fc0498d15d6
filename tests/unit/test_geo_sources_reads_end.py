"""How a layer read ends against servers that misbehave: every read has an overall deadline (an OGC API whose
``next`` links never end, a body trickling a byte a second), and each failure says what kind it is — a timeout
is not called a refused connection — for the layer tree to say in the desk's language."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from commandwall.geo.sources import LayerSourceSpec, load_source
from tests.layer_read_servers import MisbehavingLayerServer, refused_url


@pytest.fixture
def server() -> Iterator[MisbehavingLayerServer]:
    srv = MisbehavingLayerServer().start()
    yield srv
    srv.stop()


def geojson(url: str) -> LayerSourceSpec:
    return LayerSourceSpec(id="l", title="图层", kind="geojson", url=url)


def test_an_ogc_api_with_endless_next_links_ends_at_the_layers_deadline(server: MisbehavingLayerServer) -> None:
    spec = LayerSourceSpec(id="l", title="图层", kind="ogcapi", url=server.url("/ogc"), collection="c")
    started = time.monotonic()
    result = load_source(spec, deadline_s=2.0)
    took = time.monotonic() - started
    assert result.failed and result.error_kind == "deadline"
    assert "longer than 2 s in all" in result.error
    assert took < 4.0  # not 200 pages at 0.2 s each (40 s)
    assert 3 <= server.hits["/ogc/collections/c/items"] < 200


def test_a_trickling_body_ends_at_the_layers_deadline(server: MisbehavingLayerServer) -> None:
    started = time.monotonic()
    result = load_source(geojson(server.url("/trickle.geojson")), deadline_s=2.0)
    assert time.monotonic() - started < 5.0
    assert result.failed and result.error_kind == "deadline"


def test_a_server_that_never_answers_is_a_timeout_not_a_refused_connection(server: MisbehavingLayerServer) -> None:
    result = load_source(geojson(server.url("/hang.geojson")), timeout_s=1.0)
    assert result.failed and result.error_kind == "timeout", result.error
    assert "ConnectionError" not in result.error and "cannot" not in result.error
    assert "timed out" in result.error


def test_a_refused_connection_is_said_as_such() -> None:
    result = load_source(geojson(refused_url()), timeout_s=1.0)
    assert result.failed and result.error_kind == "unreachable"
    assert "cannot connect" in result.error


@pytest.mark.parametrize(("path", "kind", "status"), [
    ("/401.geojson", "auth", 401), ("/403.geojson", "forbidden", 403), ("/500.geojson", "server", 500),
    ("/bad.geojson", "not_json", None)])
def test_each_failure_says_its_kind(server: MisbehavingLayerServer, path: str, kind: str, status: int | None) -> None:
    result = load_source(geojson(server.url(path)), timeout_s=2.0)
    assert result.failed and (result.error_kind, result.error_status) == (kind, status)
