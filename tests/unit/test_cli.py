"""The command line as a user runs it: layer check, coordinate conversion, the exercise backend alone."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import requests

from commandwall import __version__, paths

CLI = [sys.executable, "-m", "commandwall"]


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def test_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert __version__ in proc.stdout


def test_layers_check_reports_the_district_layers():
    proc = run("layers", "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("towns", "cameras", "EPSG:4548", "GCJ-02"):
        assert name in proc.stdout


def test_layers_check_fails_on_a_broken_folder(tmp_path):
    shutil.copytree(paths.layers_dir(), tmp_path / "layers")
    (tmp_path / "layers" / "towns.geojson").write_text("{not json", "utf-8")
    proc = run("layers", "check", str(tmp_path / "layers"))
    assert proc.returncode == 1
    assert "towns" in proc.stdout


def test_geo_convert_gauss_kruger_central_meridian():
    # x = 500 000 m on CM 117°E is longitude 117° exactly
    proc = run("geo", "convert", "500000", "3850000", "--from", "EPSG:4548")
    assert proc.returncode == 0, proc.stderr
    lon, lat = map(float, proc.stdout.split())
    assert abs(lon - 117.0) < 1e-9
    assert 34.7 < lat < 34.8


def test_geo_convert_rejects_an_unknown_crs():
    proc = run("geo", "convert", "1", "2", "--from", "EPSG:99999999")
    assert proc.returncode == 2
    assert "commandwall:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_setting_is_a_clear_error():
    proc = subprocess.run([*CLI, "screenshot", "--out", "x"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COMMANDWALL_WALL_TILES": "5"})
    assert proc.returncode == 2
    assert "wall_tiles" in proc.stderr
    assert "Traceback" not in proc.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_server_serves_the_api_until_interrupted(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([*CLI, "demo-server", "--port", str(port), "--db", str(tmp_path / "x.sqlite3")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).json()
                break
            except requests.ConnectionError:
                time.sleep(0.3)
        assert health and health["status"] == "ok"
        token = requests.post(f"http://127.0.0.1:{port}/api/v1/auth/token",
                              json={"username": "viewer", "password": "viewer"}, timeout=5).json()
        cams = requests.get(f"http://127.0.0.1:{port}/api/v1/cameras", timeout=10,
                            headers={"Authorization": f"Bearer {token['access_token']}"}).json()["cameras"]
        assert len(cams) >= 1000
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out[-2000:]
    assert token["access_token"] not in out


def test_screenshot_of_a_client_that_cannot_connect_exits_non_zero(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1",
           "COMMANDWALL_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run(
        [*CLI, "screenshot", "--backend", "http://127.0.0.1:9", "--out", str(tmp_path / "out"), "--after", "1",
         "--timeout", "4"],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert proc.returncode == 1
    assert (tmp_path / "out" / "screen-0.png").exists()  # the picture of the failure is still written
    assert "before the client had connected" in proc.stderr
