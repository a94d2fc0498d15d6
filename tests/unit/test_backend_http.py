"""The HTTP layer: redaction, urllib3 retries, timeouts, TLS verification, re-login, lenient parsing."""

from __future__ import annotations

import contextlib
import shutil
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

import pytest
from flask import Flask, jsonify
from werkzeug.serving import make_server

from commandwall.backend.api import PlatformClient
from commandwall.backend.errors import AuthError, BackendUnavailableError, MalformedAnswerError
from commandwall.backend.http import make_http, redact
from commandwall.backoff import Backoff, RetryPacer

from .backend_support import HeaderTrickler, LocalServer, fake_platform, incident_json


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rtsp://admin:12345@10.0.0.5:554/ch1?token=abc&channel=2", "rtsp://10.0.0.5:554/ch1?channel=2"),
        ("http://u:p@host/x?access_token=s&Password=x&a=1", "http://host/x?a=1"),
        (
            "https://t0.tianditu.gov.cn/img_w/wmts?tk=KEY&LAYER=img",
            "https://t0.tianditu.gov.cn/img_w/wmts?LAYER=img",
        ),
        ("http://127.0.0.1:8080/api/v1/cameras", "http://127.0.0.1:8080/api/v1/cameras"),
        ("http://h/p?x_token=1&sessionToken=2&q=中文", "http://h/p?q=%E4%B8%AD%E6%96%87"),
    ],
)
def test_redact(url: str, expected: str) -> None:
    assert redact(url) == expected


#: passwords holding the characters where a URL parser ends the host part ("/", "?", "#") or the user part ("@")
ODD_PASSWORDS = ["Se/cret2", "Se?cret2", "Se#cret2", "Se@cret2", "p@ss@w/o?r#d"]


@pytest.mark.parametrize("password", ODD_PASSWORDS)
def test_redact_drops_a_password_holding_url_delimiters(password: str) -> None:
    for url in (f"rtsp://admin:{password}@10.0.0.5:554/ch1", f"rtsp://admin:{password}@10.0.0.5/ch1?channel=2&pass=x"):
        out = redact(url)
        assert "cret" not in out and password not in out and "admin" not in out, out
        assert out.startswith("rtsp://10.0.0.5"), out


def test_redact_never_leaks_secrets() -> None:
    out = redact("rtsp://admin:S3cret!@cam.local/live?password=S3cret!&token=S3cret!")
    assert "S3cret" not in out and "admin" not in out


def test_backoff_is_bounded_and_grows() -> None:
    backoff = RetryPacer(Backoff(initial_s=0.5, maximum_s=4.0, jitter=0.25))
    delays = [backoff.next_delay() for _ in range(10)]
    assert 0.375 <= delays[0] <= 0.625
    assert delays[2] >= 1.5
    assert all(d <= 5.0 for d in delays)
    backoff.reset()
    assert backoff.next_delay() <= 0.625


@pytest.fixture()
def flaky_server():
    """GET /flaky answers 503 twice, then 200; POST /flaky always 503; GET /api/v1/health takes 2 s."""
    app = Flask("flaky")
    hits = {"get": 0, "post": 0}

    @app.get("/flaky")
    def flaky_get():
        hits["get"] += 1
        if hits["get"] <= 2:
            return jsonify(error="busy", message="try later"), 503
        return jsonify(ok=True)

    @app.post("/flaky")
    def flaky_post():
        hits["post"] += 1
        return jsonify(error="busy", message="try later"), 503

    @app.get("/api/v1/health")
    def slow():
        time.sleep(2)
        return jsonify(status="ok")

    with LocalServer(app) as server:
        yield server, hits


def test_get_is_retried_by_urllib3_post_is_not(flaky_server) -> None:
    server, hits = flaky_server
    with make_http(server.base_url, timeout=3, retries=3, backoff_factor=0.01) as http:
        assert http.get("/flaky").json() == {"ok": True}
        assert hits["get"] == 3
        resp = http.post("/flaky", json={})
        assert resp.status_code == 503
        assert hits["post"] == 1


def test_timeout_applies_to_every_request(flaky_server) -> None:
    server, _ = flaky_server
    client = PlatformClient(server.base_url, "duty", "duty", timeout=0.3, retries=0)
    started = time.monotonic()
    with pytest.raises(BackendUnavailableError) as info:
        client.health()
    assert time.monotonic() - started < 1.5
    assert "ReadTimeout" in str(info.value)
    client.close()


def test_connection_refused_is_backend_unavailable() -> None:
    server = LocalServer(Flask("gone"))
    url = server.base_url
    server.stop()  # the port is closed now
    client = PlatformClient(url, "duty", "duty", timeout=1, retries=1)
    started = time.monotonic()
    with pytest.raises(BackendUnavailableError) as info:
        client.cameras()
    assert time.monotonic() - started < 5
    assert "ConnectionError" in str(info.value)
    client.close()


def test_relogin_once_after_token_revoked_and_auth_error_when_it_keeps_failing() -> None:
    app, state = fake_platform()
    state["incidents"].append(incident_json("INC-1"))
    with LocalServer(app) as server:
        client = PlatformClient(server.base_url, "duty", "duty", timeout=3)
        assert client.incidents()[0][0].id == "INC-1"
        assert state["logins"] == 1
        state["token"] = "revoked"  # the server forgets our token
        assert client.incidents()[0][0].id == "INC-1"
        assert state["logins"] == 2  # logged in again exactly once

        # A server that refuses every token: one re-login, then AuthError (no loop).
        app2, state2 = fake_platform(token_ok=lambda t: False)
        with LocalServer(app2) as server2:
            client2 = PlatformClient(server2.base_url, "duty", "duty", timeout=3)
            with pytest.raises(AuthError):
                client2.units()
            assert state2["logins"] == 2
            client2.close()
        client.close()


def test_bad_password_is_auth_error() -> None:
    app, _ = fake_platform()
    with LocalServer(app) as server:
        client = PlatformClient(server.base_url, "duty", "wrong", timeout=3)
        with pytest.raises(AuthError) as info:
            client.login()
        assert "用户名或密码错误" in str(info.value)
        client.close()


def test_malformed_records_are_skipped(caplog) -> None:
    app, state = fake_platform()
    state["incidents"].extend(
        [
            incident_json("INC-1"),
            incident_json("INC-BAD", lat=999),  # out of range
            {"id": "INC-NOVERSION", "title": "x"},
            "not even an object",
            incident_json("INC-2", version=3),
        ]
    )
    with LocalServer(app) as server:
        client = PlatformClient(server.base_url, "duty", "duty", timeout=3)
        incidents, cursor = client.incidents()
        assert [i.id for i in incidents] == ["INC-1", "INC-2"]
        assert cursor == "5"
        client.close()
    assert "INC-BAD" in caplog.text and "dropping malformed incident" in caplog.text


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_tls_verification_is_configurable(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    app = Flask("tls")
    app.get("/api/v1/health")(lambda: jsonify(status="ok", server_time="now"))
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=(str(cert), str(key)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    base = f"https://127.0.0.1:{server.server_port}"
    try:
        strict = PlatformClient(base, "duty", "duty", timeout=3, retries=0)
        with pytest.raises(BackendUnavailableError) as info:
            strict.health()
        assert "SSLError" in str(info.value)
        pinned = PlatformClient(base, "duty", "duty", timeout=3, verify=str(cert))
        assert pinned.health()["status"] == "ok"
        lax = PlatformClient(base, "duty", "duty", timeout=3, verify=False)
        assert lax.health()["status"] == "ok"
        for client in (strict, pinned, lax):
            client.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_malformed_feature_is_skipped_and_the_layer_still_loads(caplog) -> None:
    app, _ = fake_platform()
    good = {"type": "Feature", "properties": {"id": "A"}, "geometry": {"type": "Point", "coordinates": [117.3, 34.8]}}
    broken = {"type": "Feature", "properties": {"id": "B"}, "geometry": {"type": "Point", "coordinates": ["x"]}}
    far = {"type": "Feature", "properties": {"id": "C"}, "geometry": {"type": "Point", "coordinates": [-70.0, 40.0]}}

    @app.get("/api/v1/layers")
    def catalogue():
        entry = {"id": "pts", "title": "点", "kind": "resources", "crs": "EPSG:4326", "style": {}}
        return jsonify(layers=[entry, {"title": "no id or crs"}])

    @app.get("/api/v1/collections/pts/items")
    def items():
        return jsonify(type="FeatureCollection", features=[good, broken, far, "junk"], links=[])

    with LocalServer(app) as server:
        client = PlatformClient(server.base_url, "duty", "duty", timeout=3)
        assert [entry.id for entry in client.layers()] == ["pts"]
        features = client.layer_features("pts")
        assert [f["properties"]["id"] for f in features] == ["A"]
        assert features[0]["geometry"]["coordinates"] == pytest.approx([117.3, 34.8])
        client.close()
    assert "dropping feature B" in caplog.text and "dropping feature C" in caplog.text
    assert "malformed layer entry" in caplog.text


def test_the_token_only_goes_to_the_platforms_own_origin() -> None:
    """A catalogue whose items_url names another host gets its features without our bearer token."""
    seen: dict[str, str | None] = {}
    other = Flask("other")

    @other.get("/items")
    def items():
        from flask import request

        seen["authorization"] = request.headers.get("Authorization")
        return jsonify({"type": "FeatureCollection", "features": [], "links": []})

    app, _state = fake_platform()
    with LocalServer(other) as elsewhere, LocalServer(app) as server:
        client = PlatformClient(server.base_url, "duty", "duty", timeout=3)
        client.login()
        resp = client.request("GET", f"{elsewhere.base_url.rstrip('/')}/items")
        assert resp.status_code == 200
        assert seen["authorization"] is None
        client.close()


@pytest.mark.parametrize(
    ("url", "base", "same"),
    [
        ("http://127.0.0.1:8000/api/v1/x", "http://127.0.0.1:8000/", True),
        ("http://127.0.0.1:8001/api/v1/x", "http://127.0.0.1:8000/", False),
        ("https://platform.local/x", "https://PLATFORM.local:443/", True),
        ("http://platform.local/x", "https://platform.local/", False),
        ("http://evil.example@127.0.0.1:8000/x", "http://127.0.0.1:8000/", True),
        ("http://127.0.0.1:8000@evil.example/x", "http://127.0.0.1:8000/", False),
    ],
)
def test_same_origin(url: str, base: str, same: bool) -> None:
    from commandwall.backend.http import same_origin

    assert same_origin(url, base) is same


def test_a_trickling_body_is_cut_off_at_its_deadline() -> None:
    """A server that keeps every packet inside the read timeout but never finishes cannot hold a reader."""
    from flask import Response

    from commandwall.backend.answers import read_body

    app = Flask("trickle")
    sent = {"bytes": 0}

    @app.get("/api/v1/cameras")
    def trickle():
        def drip():
            for _ in range(600):  # 60 s at most, far beyond the deadline
                sent["bytes"] += 1
                yield b" "
                time.sleep(0.1)

        return Response(drip(), headers={"Content-Length": "600"}, mimetype="application/json")

    with LocalServer(app) as server, make_http(server.base_url, timeout=1.0, retries=0) as http:
        resp = http.get("/api/v1/cameras", stream=True)
        started = time.monotonic()
        with pytest.raises(BackendUnavailableError) as info:
            read_body(resp, "cameras", 1 << 20, deadline_s=1.0)
        elapsed = time.monotonic() - started
    assert "longer than 1 s" in str(info.value)
    assert elapsed < 10.0, f"the deadline did not stop the read ({elapsed:.1f} s; the drip lasts 60 s)"
    assert sent["bytes"] < 300


def test_a_prompt_body_is_read_whole_well_within_its_deadline() -> None:
    from commandwall.backend.answers import read_body

    app = Flask("prompt")

    @app.get("/api/v1/cameras")
    def cameras():
        return jsonify(cameras=[{"id": f"CAM-{i}"} for i in range(2000)])

    with LocalServer(app) as server, make_http(server.base_url, timeout=3.0, retries=0) as http:
        body = read_body(http.get("/api/v1/cameras", stream=True), "cameras", 1 << 20, deadline_s=5.0)
    assert body.count(b"CAM-") == 2000


def test_a_redirect_to_another_origin_is_not_followed_with_the_password_or_the_token() -> None:
    """A 307 repeats the login's body where it leads, and a 302 would take the token's answers from there: the
    desk follows redirects only within the platform's origin."""
    from flask import redirect, request

    seen: list[tuple[str, str, str | None]] = []
    other = Flask("elsewhere")

    @other.route("/<path:path>", methods=["GET", "POST"])
    def anything(path: str):
        seen.append((request.method, path, request.get_data(as_text=True) or request.headers.get("Authorization")))
        return jsonify(access_token="evil", token_type="bearer", roles=["admin"], expires_in=3600, cameras=[])

    with LocalServer(other) as elsewhere:
        platform = Flask("platform")

        @platform.route("/api/v1/<path:path>", methods=["GET", "POST"])
        def moved(path: str):
            return redirect(f"{elsewhere.base_url}/api/v1/{path}", code=307)

        with LocalServer(platform) as server:
            client = PlatformClient(server.base_url, "duty", "S3cret-pw", timeout=3, retries=0)
            with pytest.raises((AuthError, BackendUnavailableError, MalformedAnswerError)):
                client.login()
            client.close()
    assert seen == [], f"the other origin got {seen}"


def test_a_platform_asking_to_retry_after_hours_is_asked_again_within_seconds(monkeypatch) -> None:
    from commandwall.backend import http as http_module

    wait_max_s = 2.0  # RETRY_AFTER_MAX_S on the desk is longer; make_http reads it when called
    monkeypatch.setattr(http_module, "RETRY_AFTER_MAX_S", wait_max_s)
    app = Flask("busy")

    @app.get("/api/v1/ping")
    def busy():
        return jsonify(error="busy"), 503, {"Retry-After": "21600"}

    with LocalServer(app) as server:
        http = make_http(server.base_url, timeout=3, retries=1)
        answered: list[int] = []
        call = threading.Thread(target=lambda: answered.append(http.get("/api/v1/ping").status_code), daemon=True)
        started = time.monotonic()
        call.start()
        call.join(wait_max_s + 10)
        assert answered == [503], "the retry came within seconds, not hours"
        assert time.monotonic() - started >= wait_max_s - 0.2, "it did wait (the server asked)"
        http.close()


def test_answer_headers_trickled_a_byte_at_a_time_end_the_request_at_their_deadline(monkeypatch) -> None:
    """Each byte inside the read timeout, the headers never complete: the request fails as a timeout at the
    headers' deadline instead of holding its caller (a poll, a login, the event stream) for ever."""
    import requests

    from commandwall.backend import http as http_module

    monkeypatch.setattr(http_module, "ANSWER_HEADERS_DEADLINE_S", 1.5)
    with HeaderTrickler() as server, make_http(server.base_url, timeout=(1.0, 0.5), retries=0) as http:
        started = time.monotonic()
        with pytest.raises(requests.RequestException) as info:
            http.get("/api/v1/cameras")
        elapsed = time.monotonic() - started
    assert 1.4 <= elapsed < 4.0, f"{elapsed:.1f} s; the trickle lasts a minute"
    assert "headers did not all come within 1.5 s" in str(info.value)


def test_a_login_to_a_platform_trickling_its_headers_fails_in_bounded_time(monkeypatch) -> None:
    from commandwall.backend import http as http_module

    monkeypatch.setattr(http_module, "ANSWER_HEADERS_DEADLINE_S", 1.0)
    with HeaderTrickler() as server:
        client = PlatformClient(server.base_url, "duty", "duty", timeout=0.5, retries=1)
        started = time.monotonic()
        with pytest.raises(BackendUnavailableError):
            client.cameras()  # logs in first: a POST, not retried on a read error
        elapsed = time.monotonic() - started
        client.close()
    assert elapsed < 6.0, f"{elapsed:.1f} s"
    assert server.connections >= 1


def test_a_slow_but_whole_answer_and_a_long_body_are_not_cut_by_the_headers_deadline(monkeypatch) -> None:
    """The deadline covers the headers only: an answer that takes its time to start (within the read timeout)
    and a body streamed for longer than the deadline (the event stream) are read whole."""
    from flask import Response

    from commandwall.backend import http as http_module

    monkeypatch.setattr(http_module, "ANSWER_HEADERS_DEADLINE_S", 1.0)
    with HeaderTrickler(delay_s=0.8) as server, make_http(server.base_url, timeout=(1.0, 2.0), retries=0) as http:
        assert http.get("/api/v1/cameras").json() == {"cameras": []}  # deadline: twice the read timeout

    app = Flask("long-body")

    @app.get("/stream")
    def stream():
        def drip():
            for n in range(8):  # 2.4 s of body against a 1 s headers' deadline
                yield f"part {n}\n".encode()
                time.sleep(0.3)

        return Response(drip(), mimetype="text/plain")

    with (LocalServer(app) as server, make_http(server.base_url, timeout=(1.0, 1.0), retries=0) as http,
          http.get("/stream", stream=True) as answer):
        lines = [line for line in answer.iter_lines() if line]
    assert lines == [f"part {n}".encode() for n in range(8)]


LOCAL_STREAMS = ["/etc/passwd", "file:///etc/hostname", "concat:/etc/hostname|/etc/passwd", "pipe:0", "fd:3",
                 "data:video/mp2t;base64,R0lG", "subfile,,start,0,end,64,,:/etc/passwd", "C:\\clips\\cam.ts",
                 "gopher://127.0.0.1/x"]


def test_cameras_whose_streams_are_local_files_or_ffmpegs_local_protocols_are_dropped(caplog) -> None:
    """A platform's camera record must not have the desk read its own files (a path, ``file:``) or use FFmpeg's
    local protocols (``pipe:``, ``concat:``, ``subfile``, ``data:``): such a record is dropped as malformed,
    logged without its URL, and the good cameras are kept."""
    def camera(ident: str, main: str, sub: str = "") -> dict:
        return {"id": ident, "name": ident, "lon": 117.3, "lat": 34.8, "streams": {"main": main, "sub": sub}}

    app, state = fake_platform()
    state["cameras"].extend([
        camera("CAM-GOOD", "rtsp://admin:S3cret@127.0.0.1:8554/main", "http://127.0.0.1/sub.ts"),
        *(camera(f"CAM-LOCAL-{n}", url) for n, url in enumerate(LOCAL_STREAMS)),
        camera("CAM-SUB-LOCAL", "http://127.0.0.1/main.ts", "file:///etc/passwd?pw=S3cret"),
        camera("CAM-NO-SUB", "https://127.0.0.1/main.flv"),
    ])
    with LocalServer(app) as server:
        client = PlatformClient(server.base_url, "duty", "duty", timeout=3)
        cameras = client.cameras()
        client.close()
    assert [c.id for c in cameras] == ["CAM-GOOD", "CAM-NO-SUB"]
    assert "CAM-LOCAL-0" in caplog.text and "not a network stream URL" in caplog.text
    assert "S3cret" not in caplog.text and "/etc/passwd" not in caplog.text


def test_a_layer_whose_pages_never_end_is_read_up_to_its_feature_cap(caplog) -> None:
    """A server whose ``rel=next`` always names a new page: paging stops at the layer's feature cap (the map's
    layers hold no more), not after 10 000 pages of 1 000 features (gigabytes)."""
    from flask import request

    from commandwall.backend.parsing import LayerInfo

    app, _state = fake_platform()
    asked: list[int] = []

    @app.get("/api/v1/collections/endless/items")
    def endless():
        page = int(request.args.get("p", "0"))
        asked.append(page)
        features = [{"type": "Feature", "id": f"{page}-{k}", "properties": {"name": f"点 {page}-{k}"},
                     "geometry": {"type": "Point", "coordinates": [117.3, 34.8]}} for k in range(100)]
        return jsonify(type="FeatureCollection", features=features,
                       links=[{"rel": "next", "href": f"/api/v1/collections/endless/items?p={page + 1}"}])

    with LocalServer(app) as server:
        client = PlatformClient(server.base_url, "duty", "duty", timeout=3)
        info = LayerInfo(id="endless", title="无尽", kind="points", crs="EPSG:4326", style={},
                         items_url="/api/v1/collections/endless/items")
        features = client.layer_features(info, max_features=1250)
        client.close()
    assert len(features) == 1250 and len(asked) == 13
    assert "cut at 1250 features" in caplog.text


def _silent_listener() -> socket.socket:
    """A socket the kernel accepts connections on and nobody answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    return listener


def _resetting_server() -> tuple[socket.socket, threading.Thread]:
    """Accepts one connection, reads the request and resets it (RST, no answer)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def serve() -> None:
        listener.settimeout(10)
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            conn.recv(65536)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


def test_a_failed_request_says_what_went_wrong_as_the_officer_reads_it() -> None:
    """The summary names the failure's kind and the host; the message keeps the request and the classes for the
    log. Real failures on 127.0.0.1: a closed port, a server that never answers, one that resets."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    silent = _silent_listener()
    resetting, thread = _resetting_server()
    try:
        cases = [(closed, "平台拒绝连接"), (silent.getsockname()[1], "平台响应超时"),
                 (resetting.getsockname()[1], "与平台的连接被中断")]
        for port, expected in cases:
            client = PlatformClient(f"http://127.0.0.1:{port}", "duty", "duty", timeout=0.5, retries=0)
            with pytest.raises(BackendUnavailableError) as info:
                client.health()
            client.close()
            summary = info.value.summary
            assert summary.startswith(expected) and summary.endswith(f" · 127.0.0.1:{port}"), summary
            assert "Error" not in summary and "GET" not in summary
            assert "GET" in str(info.value) and "failed" in str(info.value)  # the log keeps the technical line
    finally:
        silent.close()
        resetting.close()
        thread.join(5)


def test_a_layer_of_large_features_page_after_page_is_cut_at_its_byte_budget(monkeypatch, caplog) -> None:
    """Each page one feature with a 1 MB property (a photo) and a next page for ever: the layer stops at its
    byte budget with the features read so far (it grew the desk ~110 MB a second until memory ran out)."""
    from flask import request

    from commandwall.backend import api
    from commandwall.backend.parsing import LayerInfo

    monkeypatch.setattr(api, "MAX_LAYER_BYTES", 5 * 2**20)
    app, _state = fake_platform()
    asked: list[int] = []

    @app.get("/api/v1/collections/photos/items")
    def photos():
        page = int(request.args.get("p", "0"))
        asked.append(page)
        feature = {"type": "Feature", "id": f"P{page}", "properties": {"photo": "A" * 2**20},
                   "geometry": {"type": "Point", "coordinates": [117.3, 34.8]}}
        return jsonify(type="FeatureCollection", features=[feature],
                       links=[{"rel": "next", "href": f"/api/v1/collections/photos/items?p={page + 1}"}])

    with LocalServer(app) as server:
        client = PlatformClient(server.base_url, "duty", "duty", timeout=3)
        info = LayerInfo(id="photos", title="照片", kind="points", crs="EPSG:4326", style={},
                         items_url="/api/v1/collections/photos/items")
        features = client.layer_features(info)
        client.close()
    assert len(asked) == 5 and len(features) == 5, (len(asked), len(features))
    assert "layer photos: cut after 5 page(s)" in caplog.text
