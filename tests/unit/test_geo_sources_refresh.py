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


class _Server:
    """A GeoJSON document whose ``Last-Modified`` and ``ETag`` the test sets; records what each request asked."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.body = json.dumps(collection(3)).encode()
        self.headers: dict[str, str] = {}
        self.asked: list[dict[str, str | None]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def do_GET(self) -> None:
                asked = {"If-None-Match": self.headers.get("If-None-Match"),
                         "If-Modified-Since": self.headers.get("If-Modified-Since")}
                owner.asked.append(asked)
                if asked["If-Modified-Since"] and asked["If-Modified-Since"] == owner.headers.get("Last-Modified"):
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                for name, value in owner.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/geo+json")
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                self.wfile.write(owner.body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/live.geojson"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_last_modified_of_the_answers_own_second_is_not_used_to_ask_again() -> None:
    """A file written in the second it was read: asking If-Modified-Since that second would be answered 304 after
    it changed again within the second, and the layer would keep old data (RFC 9110: such a date is weak)."""
    import time
    from email.utils import formatdate

    server = _Server()
    spec = LayerSourceSpec(id="live", title="实时", kind="geojson", url=server.url, refresh_s=10)
    try:
        # not a second before the answer's Date (here a few seconds after it, so that no tick of the clock
        # between setting it and the answer can make it pass): weak
        server.headers = {"Last-Modified": formatdate(time.time() + 3, usegmt=True)}
        first = load_source(spec)
        assert first.last_modified is None
        server.body = json.dumps(collection(4)).encode()  # changed again within the second
        second = load_source(spec, previous=first)
        assert server.asked[1]["If-Modified-Since"] is None and len(second.features) == 4
        server.headers = {"Last-Modified": "Sat, 01 Jan 2022 00:00:00 GMT"}  # long before: a good validator
        third = load_source(spec, previous=second)
        assert third.last_modified == "Sat, 01 Jan 2022 00:00:00 GMT"
        fourth = load_source(spec, previous=third)
        assert server.asked[3]["If-Modified-Since"] == "Sat, 01 Jan 2022 00:00:00 GMT" and fourth.unchanged
    finally:
        server.close()


def test_the_same_bytes_with_a_new_etag_make_the_next_ask_with_it() -> None:
    """A server that rewrote the same bytes (an ETag made from the file's time) answers them in full once; the
    next read asks with the new ETag, not the old one it would never match again."""
    server = _Server()
    spec = LayerSourceSpec(id="live", title="实时", kind="geojson", url=server.url, refresh_s=10)
    try:
        server.headers = {"ETag": '"v1"'}
        first = load_source(spec)
        server.headers = {"ETag": '"v2"'}  # the same bytes, rewritten
        second = load_source(spec, previous=first)
        assert second.unchanged and second.etag == '"v2"'
        load_source(spec, previous=second)
        assert [a["If-None-Match"] for a in server.asked] == [None, '"v1"', '"v2"']
    finally:
        server.close()
