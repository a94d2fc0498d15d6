"""The cw:// scheme: what it serves, what it refuses, and the page staying offline."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from commandwall import paths
from commandwall.ui.map import scheme
from commandwall.ui.map.view import MapView
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES, run_js
from tests.unit.test_mapdoc_page import sample_layers

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)

# A failed job answers 404 (its body never ends: read it only when ok).
FETCH = """(async () => {
    try { const r = await fetch(%r); return {ok: r.ok, status: r.status, type: r.headers.get('content-type'),
                                               size: r.ok ? (await r.text()).length : 0}; }
    catch (e) { return {error: String(e)}; }
})()"""


@pytest.fixture
def view(qtbot) -> MapView:
    widget = MapView()
    qtbot.addWidget(widget)
    widget.resize(640, 480)
    widget.show()
    with qtbot.waitSignal(widget.sig_ready, timeout=20000):
        widget.load_page(sample_layers())
    return widget


def fetch(qtbot, view: MapView, url: str) -> dict:
    """Fetch ``url`` from inside the page; run_js waits for the promise through a global."""
    run_js(qtbot, view, f"(window.__fetched = null, ({FETCH % url}).then(v => window.__fetched = v), 0)")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "window.__fetched") is not None, timeout=5000)
    return run_js(qtbot, view, "window.__fetched")


def test_serves_web_files_and_qwebchannel(qtbot, view: MapView) -> None:
    css = fetch(qtbot, view, "cw://app/web/cw-map.css")
    assert css["ok"] and css["type"].startswith("text/css")
    assert css["size"] == len((paths.web_dir() / "cw-map.css").read_text(encoding="utf-8"))
    js = fetch(qtbot, view, "cw://app/qwebchannel.js")
    assert js["ok"] and js["type"].startswith("text/javascript") and js["size"] > 1000
    png = fetch(qtbot, view, "cw://app/web/node_modules/leaflet/dist/images/marker-icon.png")
    assert png["ok"] and png["type"] == "image/png"


def test_unknown_and_escaping_paths_are_not_found(
    qtbot, view: MapView, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    for url in (
        "cw://app/nope.html",
        "cw://app/web/missing.js",
        "cw://app/web/%2e%2e/%2e%2e/pyproject.toml",
        "cw://app/web/..%2f..%2fpyproject.toml",
        "cw://other/web/cw-map.js",
    ):
        assert fetch(qtbot, view, url) == {"ok": False, "status": 404, "type": None, "size": 0}, url
    assert caplog.text.count("cw scheme: not found") == 5
    assert (paths.web_dir() / ".." / ".." / "pyproject.toml").is_file()  # what the escaping URLs aim at
    caplog.clear()


def test_page_resources_all_come_from_the_scheme(qtbot, view: MapView) -> None:
    # (Resource Timing does not list custom-scheme loads, so look at the elements)
    urls = run_js(
        qtbot,
        view,
        """[...document.querySelectorAll('script[src], link[href], img[src]')]
        .map(e => e.src || e.href)""",
    )
    assert len(urls) >= 5  # leaflet.css, cw-map.css, leaflet.js, qwebchannel.js, cw-map.js
    assert all(url.startswith("cw://app/") for url in urls), urls
    assert run_js(qtbot, view, "location.href") == "cw://app/map.html"


def test_navigation_away_is_refused(qtbot, view: MapView, caplog: pytest.LogCaptureFixture) -> None:
    run_js(qtbot, view, "(location.href = 'https://example.invalid/', 1)")
    qtbot.waitUntil(lambda: "navigation to https://example.invalid/ refused" in caplog.text, timeout=5000)
    assert view.url().toString() == "cw://app/map.html"
    assert run_js(qtbot, view, "typeof CW") == "object"
    caplog.clear()


def test_resolve_web_path(tmp_path: Path) -> None:
    root = tmp_path / "web"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.js").write_text("x")
    (tmp_path / "secret.txt").write_text("s")
    assert scheme.resolve_web_path(root, "sub/a.js") == (root / "sub" / "a.js").resolve()
    assert scheme.resolve_web_path(root, "/sub/a.js") == (root / "sub" / "a.js").resolve()
    for bad in (
        "../secret.txt",
        "sub/../../secret.txt",
        str(tmp_path / "secret.txt"),
        "sub",
        "",
        "a\x00b",
        "sub\\a.js",
    ):
        assert scheme.resolve_web_path(root, bad) is None, bad
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert scheme.resolve_web_path(root, "link.txt") is None


def test_mime_types() -> None:
    assert scheme.mime_type("leaflet.js") == b"text/javascript"
    assert scheme.mime_type("x.CSS") == b"text/css"
    assert scheme.mime_type("marker-icon-2x.png") == b"image/png"
    assert scheme.mime_type("blob.unknownext") == b"application/octet-stream"


def test_register_scheme_is_idempotent(qapp) -> None:
    scheme.register_scheme()  # already registered by tests/ui/conftest.py: a no-op, even with an app
    from PySide6.QtWebEngineCore import QWebEngineUrlScheme

    registered = QWebEngineUrlScheme.schemeByName(b"cw")
    assert registered.syntax() == QWebEngineUrlScheme.Syntax.Host
    assert registered.flags() & QWebEngineUrlScheme.Flag.SecureScheme


def test_sandbox_is_off_only_as_root(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("QTWEBENGINE_DISABLE_SANDBOX", raising=False)
    monkeypatch.setenv("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert scheme.configure_webengine_environment() is True
    assert "QTWEBENGINE_DISABLE_SANDBOX" not in os.environ
    assert "sandbox" not in caplog.text
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert scheme.configure_webengine_environment() is False
    assert os.environ["QTWEBENGINE_DISABLE_SANDBOX"] == "1"
    assert "sandbox of the map view is OFF" in caplog.text


def test_the_map_view_is_composited_in_software_only_on_a_desktop_without_a_gpu() -> None:
    no_gpu: list[str] = []
    gpu = ["/dev/dri/renderD128"]
    desk = {"DISPLAY": ":0"}
    assert scheme.software_compositing_wanted(desk, "linux", no_gpu)
    assert scheme.software_compositing_wanted({**desk, "QT_QPA_PLATFORM": "xcb"}, "linux", no_gpu)
    assert not scheme.software_compositing_wanted(desk, "linux", gpu), "a GPU composites"
    assert not scheme.software_compositing_wanted({**desk, "QT_QPA_PLATFORM": "offscreen"}, "linux", no_gpu)
    assert not scheme.software_compositing_wanted({**desk, "QT_QUICK_BACKEND": "rhi"}, "linux", no_gpu), (
        "the user's choice stands"
    )
    assert not scheme.software_compositing_wanted(desk, "win32", no_gpu)
