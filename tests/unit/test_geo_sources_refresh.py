"""A live layer re-read when it has not changed costs a request, not a parse: validators (ETag, Last-Modified)
are sent back and a 304 ends the read; a server without validators that sends the same bytes is not parsed
again. A changed body is read in full. Against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from commandwall.geo import sources
from commandwall.geo.sources import LayerSourceSpec, load_source
from tests.geo_servers import LiveLayerServer, WfsServer, point_features


def collection(count: int) -> dict:
    return {"type": "FeatureCollection", "features": point_features(count)}


@pytest.fixture(params=["etag", "last-modified", "none"])
def live(request) -> Iterator[LiveLayerServer]:
    server = LiveLayerServer(collection(30), validators=request.param).start()
    yield server
    server.stop()


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The names of the JSON documents parsed (the real parser still runs)."""
    seen: list[str] = []
    real = sources.parse_json_bytes

    def counted(body: bytes, name: str, **kw):
        seen.append(name)
        return real(body, name, **kw)

    monkeypatch.setattr(sources, "parse_json_bytes", counted)
    return seen


def test_an_unchanged_live_layer_is_not_parsed_again(live: LiveLayerServer, parses: list[str]) -> None:
    spec = LayerSourceSpec(id="live", title="实时", kind="geojson", url=live.url, refresh_s=10)
    first = load_source(spec)
    assert first.usable and len(first.features) == 30 and not first.unchanged and len(parses) == 1
    again = load_source(spec, previous=first)
    assert len(live.requests) == 2
    if live.validators == "etag":
        assert live.requests[1]["if-none-match"] == live.etag
    elif live.validators == "last-modified":
        assert live.requests[1]["if-modified-since"] == live.last_modified
    else:
        assert live.requests[1] == {"if-none-match": None, "if-modified-since": None}
    assert again.unchanged and again.features is first.features and len(parses) == 1  # not parsed, not checked
    assert again.fetched_at >= first.fetched_at and again.error is None
    # the server's layer changes: read in full
    live.set(collection(31))
    changed = load_source(spec, previous=again)
    assert not changed.unchanged and len(changed.features) == 31 and len(parses) == 2
    # and a read without a previous one is never taken for unchanged
    assert not load_source(spec).unchanged


def test_an_unchanged_file_is_not_parsed_again(tmp_path: Path, parses: list[str]) -> None:
    path = tmp_path / "live.geojson"
    path.write_text(json.dumps(collection(5)), "utf-8")
    spec = LayerSourceSpec(id="file", title="文件", kind="geojson", path=path, refresh_s=10)
    first = load_source(spec)
    again = load_source(spec, previous=first)
    assert again.unchanged and again.features is first.features and len(parses) == 1
    path.write_text(json.dumps(collection(6)), "utf-8")
    assert len(load_source(spec, previous=again).features) == 6 and len(parses) == 2


def test_a_failed_read_is_not_a_previous_one(live: LiveLayerServer) -> None:
    spec = LayerSourceSpec(id="live", title="实时", kind="geojson", url=live.url, refresh_s=10)
    live.status = 503
    failed = load_source(spec)
    assert failed.error and "HTTP 503" in failed.error
    live.status = 200
    good = load_source(spec, previous=failed)
    assert good.usable and not good.unchanged
    assert live.requests[-1] == {"if-none-match": None, "if-modified-since": None}  # nothing to validate against


def test_an_unchanged_paged_wfs_layer_is_read_but_not_checked_again(parses: list[str]) -> None:
    """A paged source cannot be asked conditionally (the pages are read one after the other): its pages are read,
    but when every byte is as before the features are not checked nor converted again."""
    server = WfsServer(point_features(45, lon0=117.35, lat0=34.75)).start()
    try:
        spec = LayerSourceSpec(id="wfs", title="WFS", kind="wfs", url=f"{server.url}/wfs", type_name="cw:points",
                               page_size=20, refresh_s=10)
        first = load_source(spec)
        assert first.pages == 3 and len(first.features) == 45
        again = load_source(spec, previous=first)
        assert again.unchanged and again.features is first.features and len(server.requests) == 6
        server.features = point_features(46, lon0=117.35, lat0=34.75)
        changed = load_source(spec, previous=again)
        assert not changed.unchanged and len(changed.features) == 46
    finally:
        server.stop()
