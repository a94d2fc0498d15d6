"""The running client against a real platform whose every outside field carries hostile text.

Layer titles, town, grid and road names, road classes, camera names, unit names and departments come from a
layer folder the exercise backend is seeded from; incident titles, descriptions, addresses and sources, task
instructions and departments, and the user's display name are put into the backend's own store and API. The
client (a separate process under Xvfb) must start, connect, draw and exit 0; nothing in the corpus may run
(no canary file appears, the local listener is never called), and the incident list shows each title as the
characters it is.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import cycle
from pathlib import Path

import pytest
import requests

from commandwall import paths
from commandwall.app.login import USER_NAME_MAX
from commandwall.demo import DemoBackend
from commandwall.textsafe import display_text
from tests.e2e.xvfb import xvfb_display
from tests.hostile import corpus

pytestmark = pytest.mark.e2e


class _Listener(ThreadingHTTPServer):
    """A local HTTP server that records every request: a payload that ran would call it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def _hostile_layers(folder: Path, texts: list[str]) -> None:
    """Copy the district's layers into ``folder`` with hostile text in every name, title and class."""
    shutil.copytree(paths.layers_dir(), folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    words = cycle(texts)
    for layer in manifest["layers"]:
        layer["title"] = next(words)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    fields = {
        "towns.geojson": ("name",),
        "grids.geojson": ("name",),
        "roads.geojson": ("name", "class"),
        "cameras.geojson": ("name",),
        "units.geojson": ("name", "department"),
        "resources.geojson": ("name",),
    }
    for name, keys in fields.items():
        data = json.loads((folder / name).read_text("utf-8"))
        words = cycle(texts)
        for feature in data["features"][: 3 * len(texts)]:
            for key in keys:
                feature["properties"][key] = next(words)
        (folder / name).write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def _seed_hostile_records(backend: DemoBackend, texts: list[str]) -> list[str]:
    """Incidents, tasks and the duty officer's display name carrying the corpus; returns the titles."""
    assert backend.store is not None
    titles = []
    for i, text in enumerate(texts):
        incident = backend.store.add_incident({
            "title": text, "category": "zongzhi", "description": text, "source": text,
            "town": text, "grid": text, "lon": 117.30 + i * 0.002, "lat": 34.80, "priority": 1 + i % 4,
        })
        titles.append(incident.title)
    with backend.store.db.transaction() as tx:
        tx.execute("UPDATE users SET display_name = ? WHERE username = 'duty'", (texts[2],))
    token = requests.post(f"{backend.base_url}/api/v1/auth/token",
                          json={"username": "duty", "password": "duty"}, timeout=10).json()["access_token"]
    incidents = requests.get(f"{backend.base_url}/api/v1/incidents", timeout=10,
                             headers={"Authorization": f"Bearer {token}"}).json()["incidents"]
    hostile_ids = [inc["id"] for inc in incidents if inc["title"] in texts]
    accepted = 0
    for incident_id, text in zip(hostile_ids, texts, strict=False):
        resp = requests.post(
            f"{backend.base_url}/api/v1/tasks", timeout=10,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"hostile-{incident_id}"},
            json={"incident_id": incident_id, "unit_id": None, "department": text, "instructions": text,
                  "priority": 2},
        )
        assert resp.status_code < 500, resp.text[:500]
        accepted += resp.ok
    assert accepted >= len(texts) // 2, "the backend refused most hostile tasks"
    return titles


def test_hostile_text_everywhere_is_shown_literally_and_runs_nothing(tmp_path):
    listener = _Listener()
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    canary = tmp_path / "canary"
    texts = corpus(canary=str(canary), listener=listener.url)
    layers = tmp_path / "layers"
    _hostile_layers(layers, texts)
    backend = DemoBackend(db_path=tmp_path / "platform.sqlite3", layers_dir=layers, incident_rate_per_min=6).start()
    try:
        titles = _seed_hostile_records(backend, texts)
        out = tmp_path / "shots"
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "xcb",
            "COMMANDWALL_DATA_DIR": str(tmp_path / "desk"),
            "COMMANDWALL_USERNAME": "duty",
            "COMMANDWALL_PASSWORD": "duty",
        }
        with xvfb_display(1920, 1080) as display:
            env["DISPLAY"] = display
            proc = subprocess.run(
                [sys.executable, "-m", "commandwall", "screenshot", "--backend", backend.base_url,
                 "--out", str(out), "--after", "6", "--timeout", "120"],
                env=env, capture_output=True, text=True, timeout=240,
            )
    finally:
        backend.stop()
        listener.shutdown()
        listener.server_close()
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
    assert not list(tmp_path.glob("canary*")), "a template payload created its canary file"
    assert listener.hits == [], f"a payload called the local listener: {listener.hits}"
    state = json.loads((out / "state.json").read_text("utf-8"))[0]["state"]
    assert state["map_ready"], "the map never drew its layers"
    shown = set(state["incident_titles"])
    missing = [t for t in titles if display_text(t) not in shown]
    assert not missing, f"{len(missing)} hostile titles not shown literally, e.g. {missing[0][:80]!r}"
    # the display name as the status bar shows it: made safe, cut to its bound (a template is not run either way)
    assert display_text(texts[2], USER_NAME_MAX, isolate=True) in state["user"], state["user"]
