"""The command line as a user runs it: README's command lines, layer check, coordinate conversion, the exercise
backend alone."""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import logging
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from commandwall import __version__, cli, paths
from commandwall.config import Settings

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


def test_layers_check_says_a_named_pipe_is_no_layer_instead_of_waiting_for_it(tmp_path):
    """A layer file that is a named pipe (a FIFO left in the folder): reading it waited for a writer for ever, and
    `layers check` — and the desk's layer loader — hung."""
    shutil.copytree(paths.layers_dir(), tmp_path / "layers")
    (tmp_path / "layers" / "towns.geojson").unlink()
    os.mkfifo(tmp_path / "layers" / "towns.geojson")
    proc = run("layers", "check", str(tmp_path / "layers"), timeout=30)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "towns" in proc.stdout and "not a regular file" in proc.stdout


def test_layers_check_lists_the_bad_features_of_a_folder_layer(tmp_path):
    shutil.copytree(paths.layers_dir(), tmp_path / "layers")
    path = tmp_path / "layers" / "roads.geojson"
    roads = json.loads(path.read_text("utf-8"))
    del roads["features"][5]["properties"]["name"]
    roads["features"][9]["geometry"] = None
    path.write_text(json.dumps(roads, ensure_ascii=False), "utf-8")
    good = len(roads["features"]) - 2
    layers = len(json.loads((tmp_path / "layers" / "manifest.json").read_text("utf-8"))["layers"])
    proc = run("layers", "check", str(tmp_path / "layers"))
    assert proc.returncode == 0, proc.stdout + proc.stderr  # the roads layer still draws, without those two
    assert f"usable features: {good} (LineString {good})" in proc.stdout and "bad features: 2" in proc.stdout
    assert "feature 5: missing properties name" in proc.stdout and "feature 9: no geometry" in proc.stdout
    assert proc.stdout.splitlines()[-2:] == [f"{layers} layer(s) loaded, 0 error(s), 2 bad feature(s) left out",
                                             "usable"]  # fmt: skip
    assert run("layers", "check", str(tmp_path / "layers"), "--crs", "EPSG:4548").returncode == 2


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
        capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1
    assert (tmp_path / "out" / "screen-0.png").exists()  # the picture of the failure is still written
    assert "before the client had connected" in proc.stderr


# -- README's command lines ------------------------------------------------------------------------------------

README = Path(cli.__file__).resolve().parents[1] / "README.md"  # the checkout the code under test is in
#: what README's placeholders stand for here
PLACEHOLDERS = {"HOST": "platform.example", "USER": "commander", "DIR": "out/screens", "S": "1", "N": "2",
                "FOLDER": str(paths.layers_dir()), "NAME": "wall-desk",
                "FILE": str(paths.layers_dir() / "roads.geojson"), "CODE": "EPSG:4326"}


def _variants(tokens: list[str]) -> list[list[str]]:
    """The command with every ``[optional part]`` left out, and with all of them given."""
    bare, full, depth = [], [], 0
    for token in tokens:
        opening = token.startswith("[")
        depth += opening
        word = token.strip("[]")
        full.append(word)
        if depth == 0:
            bare.append(word)
        depth -= token.endswith("]")
    return [bare] if bare == full else [bare, full]


def _fill(token: str) -> str:
    token = token.replace("https://HOST", f"https://{PLACEHOLDERS['HOST']}")
    if re.fullmatch(r"[A-Z]+", token):
        assert token in PLACEHOLDERS, f"README placeholder {token} has no value in this test"
        return PLACEHOLDERS[token]
    return token


def readme_command_lines() -> list[list[str]]:
    """Every ``.venv/bin/commandwall …`` line of README's code blocks, as the argument lists it stands for."""
    blocks = re.findall(r"^```(?:sh|bash|console)?\n(.*?)^```", README.read_text("utf-8"), re.M | re.S)
    found = []
    for block in blocks:
        for line in block.splitlines():
            if line.startswith(".venv/bin/commandwall"):
                tokens = shlex.split(line, comments=True)[1:]
                found += [[_fill(t) for t in variant] for variant in _variants(tokens)]
    return found


README_LINES = readme_command_lines()


def main_in_process(argv: list[str]) -> tuple[int, str, str]:
    """``cli.main(argv)`` here, its exit status and output (the test run's logging set-up is kept)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        root.handlers[:], root.level = handlers, level
    return code, out.getvalue(), err.getvalue()


def test_readme_shows_the_commands_that_matter():
    shown = {" ".join(argv) for argv in README_LINES}
    for expected in ("", "--backend https://platform.example", "--profile wall-desk", "--version", "--help",
                     "layers check",
                     "geo convert 500000 3850000 --from EPSG:4548"):
        assert expected in shown, f"README no longer shows 'commandwall {expected}'"


@pytest.mark.parametrize("argv", README_LINES, ids=" ".join)
def test_every_readme_command_line_is_accepted(argv, monkeypatch, tmp_path):
    """Commands that finish by themselves run for real; the GUI, the server and logins are only parsed."""
    monkeypatch.setenv("COMMANDWALL_DATA_DIR", str(tmp_path))
    runs = argv[:1] in (["--help"], ["--version"], ["config"]) or argv[:2] in (["geo", "convert"],
                                                                            ["layers", "check"])
    if runs:
        code, out, err = main_in_process(argv)
        assert code == 0, err
        assert out.strip()
        assert "Traceback" not in err
        return
    args = cli.build_parser().parse_args(argv)
    command = args.command or "run"
    assert command in ("run", "screenshot", "demo-server", "login")
    if command != "demo-server":
        settings = cli._settings(args, with_password=False)
        if "--backend" in argv:
            assert str(settings.backend_url) == argv[argv.index("--backend") + 1] + "/"
        if "--user" in argv:
            assert settings.username == argv[argv.index("--user") + 1]
        if "--profile" in argv:
            assert settings.profile == argv[argv.index("--profile") + 1]


@pytest.mark.parametrize("argv", [
    ["--backend", "https://platform.example", "--user", "commander", "--tiles", "9", "--data-dir", "d"],
    ["run", "--backend", "https://platform.example", "--user", "commander", "--tiles", "9", "--data-dir", "d"],
    ["--log-level", "debug", "run", "--backend", "https://platform.example", "--user", "commander", "--tiles", "9",
     "--data-dir", "d"],
])
def test_client_options_work_with_and_without_run(argv):
    args = cli.build_parser().parse_args(argv)
    assert (args.command or "run") == "run"
    settings = cli._settings(args, with_password=False)
    assert (str(settings.backend_url), settings.username, settings.wall_tiles, settings.data_dir) == (
        "https://platform.example/", "commander", 9, Path("d"))


def test_screenshot_keeps_its_client_options():
    args = cli.build_parser().parse_args(["screenshot", "--backend", "http://127.0.0.1:8700", "--user", "viewer",
                                          "--out", "o", "--after", "2"])
    settings = cli._settings(args, with_password=False)
    assert (args.command, str(settings.backend_url), settings.username, args.out, args.after) == (
        "screenshot", "http://127.0.0.1:8700/", "viewer", Path("o"), 2.0)


def test_an_unknown_log_level_is_a_usage_error_not_a_traceback():
    proc = run("--log-level", "LOUD", "--version")
    assert proc.returncode == 2
    assert "log level must be one of" in proc.stderr and "Traceback" not in proc.stderr


def test_with_a_backend_url_the_platform_is_just_that_url(tmp_path):
    settings = Settings(backend_url="https://platform.example:8443/", data_dir=tmp_path)
    factory = cli.platform_factory(settings)
    assert not factory.exercise
    platform = factory.open()
    assert platform.base_url == "https://platform.example:8443"
    platform.close()  # nothing was started: nothing to stop, no error
    assert not (tmp_path / "exercise.sqlite3").exists()


def test_without_a_backend_the_platform_is_the_exercise_backend_started_on_open(tmp_path):
    settings = Settings(data_dir=tmp_path, demo_incident_rate=0)
    factory = cli.platform_factory(settings)
    assert factory.exercise
    assert not (tmp_path / "exercise.sqlite3").exists()  # nothing starts before the session opens it
    platform = factory.open()
    try:
        assert platform.base_url.startswith("http://127.0.0.1:")
        assert requests.get(platform.base_url + "/api/v1/health", timeout=5).json()["status"] == "ok"
        assert (tmp_path / "exercise.sqlite3").exists()
    finally:
        platform.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(platform.base_url + "/api/v1/health", timeout=5)


def test_a_profile_name_that_is_not_a_plain_file_name_is_an_invalid_setting(tmp_path):
    code, _out, err = main_in_process(["config", "--profile", "../../etc/x"])
    assert code == 2
    assert "invalid setting: profile" in err and "Traceback" not in err
    code, out, _err = main_in_process(["config", "--profile", "值班台"])
    assert code == 0 and "profile = 值班台" in out


# -- what the platform says reaches the terminal as characters, never as escapes --------------------------------

ESC = "\x1b"
#: a window title (OSC 0), clearing the screen, a colour, writing the clipboard (OSC 52)
ESCAPES = f"{ESC}]0;PWNED\x07{ESC}[2J{ESC}[31mRED{ESC}]52;c;ZWNobyBwd25lZA==\x07"


class _HostilePlatform(http.server.BaseHTTPRequestHandler):
    """Answers the login as ``mode`` says, with escape sequences in every text the CLI prints."""

    protocol_version = "HTTP/1.1"
    mode = "refused"

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.mode == "refused":
            code, reason, body = 401, None, {"error": "bad_credentials", "message": "bad " + ESCAPES}
        elif self.mode == "reason":
            code, reason, body = 404, "Gone " + ESCAPES, None
        elif self.mode == "unavailable":
            code, reason, body = 503, None, {"error": "down", "message": "down " + ESCAPES}
        else:
            code, reason, body = 200, None, {"access_token": "tok", "expires_in": 3600,
                                             "display_name": "Duty" + ESCAPES, "roles": ["duty", ESCAPES]}
        data = b"<html>nope</html>" if body is None else json.dumps(body).encode()
        self.send_response_only(code, reason)
        self.send_header("Content-Type", "text/html" if body is None else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.mark.parametrize("mode", ["refused", "reason", "unavailable", "accepted"])
def test_login_prints_the_platforms_text_without_its_escape_sequences(tmp_path, mode: str):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("P", (_HostilePlatform,), {"mode": mode}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        env = {**os.environ, "COMMANDWALL_PASSWORD": "pw", "COMMANDWALL_DATA_DIR": str(tmp_path)}
        proc = subprocess.run([*CLI, "login", "--backend", url], capture_output=True, text=True, timeout=60, env=env,
                              stdin=subprocess.DEVNULL)
    finally:
        server.shutdown()
        server.server_close()
    out = proc.stdout + proc.stderr
    assert proc.returncode == (0 if mode == "accepted" else 1), out
    assert ESC not in out and "\x07" not in out, repr(out)
    assert "PWNED" in out or mode == "reason", repr(out)  # said, as characters
    if mode == "accepted":
        assert f"logged in to {url} as Duty\\x1b]0;PWNED" in proc.stdout, proc.stdout


def test_config_prints_urls_without_their_passwords_or_tokens(tmp_path):
    env = {**os.environ, "COMMANDWALL_DATA_DIR": str(tmp_path),
           "COMMANDWALL_CAP_URL": "http://feed:Secret1@127.0.0.1:8080/cap?token=T0ken2&area=xc"}
    proc = subprocess.run([*CLI, "config"], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    line = next(line for line in proc.stdout.splitlines() if line.startswith("cap_url = "))
    assert "Secret1" not in proc.stdout and "T0ken2" not in proc.stdout, line
    assert "127.0.0.1:8080/cap" in line and "area=xc" in line, line


# -- screenshot's options, checked before the client starts ---------------------------------------------------

def _screenshot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1",
           "COMMANDWALL_DATA_DIR": str(tmp_path / "data"), "COMMANDWALL_CONFIG_DIR": str(tmp_path / "config")}
    return subprocess.run([*CLI, "screenshot", *args], capture_output=True, text=True, timeout=60, env=env,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("option", [["--after", "nan"], ["--after", "-1"], ["--interval", "nan"],
                                    ["--interval", "-2"], ["--timeout", "nan"], ["--timeout", "-5"],
                                    ["--timeout", "inf"], ["--count", "-1"], ["--count", "0"]])
def test_screenshot_refuses_waits_that_are_no_finite_number_of_seconds_and_counts_below_one(tmp_path, option):
    """``--after nan`` never compared as over (the capture waited for ever), ``--count -1`` took none; now each
    is a usage error before anything starts."""
    proc = _screenshot(tmp_path, "--out", str(tmp_path / "shots"), *option)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert f"argument {option[0]}" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert not (tmp_path / "data").exists(), "nothing started"


@pytest.mark.parametrize("below", [False, True])
def test_screenshot_into_a_file_is_refused_before_the_client_starts(tmp_path, below):
    """``--out`` naming an existing file: FileExistsError's traceback once the session had started."""
    taken = tmp_path / "afile"
    taken.write_text("kept")
    out = taken / "shots" if below else taken
    proc = _screenshot(tmp_path, "--out", str(out), "--after", "1")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert f"commandwall: --out {out} cannot be the folder for the pictures: {taken} is a file" in proc.stderr
    assert taken.read_text() == "kept" and not (tmp_path / "data").exists()


def test_screenshot_of_a_preset_the_desk_does_not_have_is_refused_with_the_ones_it_has(tmp_path):
    """An unknown ``--preset``: the pictures were taken without it and the exit status was 0."""
    proc = _screenshot(tmp_path, "--out", str(tmp_path / "shots"), "--after", "1", "--preset", "不存在的预案")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "commandwall: --preset: no wall preset named '不存在的预案'" in proc.stderr, proc.stderr[-2000:]
    shipped = sorted(p.stem for p in paths.shipped_wall_presets_dir().glob("*.json"))
    assert shipped and shipped[0] in proc.stderr, "the exercise's own presets are named"
    assert not (tmp_path / "shots" / "screen-0.png").exists()


def test_layers_check_of_an_empty_target_is_an_error_not_the_shipped_folder():
    """``layers check ""`` quietly checked the shipped layers folder and said it was fine."""
    proc = run("layers", "check", "")
    assert proc.returncode == 2, proc.stdout
    assert "empty" in proc.stderr and "layer(s) loaded" not in proc.stdout


def test_layers_check_refuses_a_line_whose_positions_are_all_one_point(tmp_path):
    """A LineString of two identical positions has no length: it draws nothing, yet ``layers check`` counted it
    usable. It is a bad feature with its reason now, as the map leaves it out."""
    point = [117.26, 34.8]
    layer = tmp_path / "lines.geojson"
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": [point, point]}},
        {"type": "Feature", "properties": {},
         "geometry": {"type": "MultiLineString", "coordinates": [[point, [117.27, 34.81]], [point, point, point]]}},
    ]}), "utf-8")
    proc = run("layers", "check", str(layer))
    assert proc.returncode == 1, proc.stdout
    assert "feature 0: a line of fewer than 2 distinct positions" in proc.stdout
    assert "feature 1: a line of fewer than 2 distinct positions" in proc.stdout
    assert "usable features: 0" in proc.stdout


def test_an_exercise_database_that_is_no_database_is_set_aside_and_a_new_exercise_begun(tmp_path, caplog):
    """``exercise.sqlite3`` overwritten with other bytes: every start failed with 内部错误 (DatabaseError), for
    ever. Now it is kept beside as ``*.broken-<time>``, said in the log, and the exercise starts afresh."""
    data = tmp_path / "data"
    data.mkdir()
    garbage = os.urandom(20_000)
    (data / "exercise.sqlite3").write_bytes(garbage)
    platform = cli.platform_factory(Settings(data_dir=data, config_dir=tmp_path / "config"))
    caplog.set_level(logging.ERROR)
    opened = platform.open()
    try:
        assert requests.get(opened.base_url + "/api/v1/health", timeout=10).json()["status"] == "ok"
    finally:
        opened.close()
    [aside] = data.glob("exercise.sqlite3.broken-*")
    assert aside.read_bytes() == garbage
    assert any("exercise database" in r.getMessage() and aside.name in r.getMessage() for r in caplog.records)
    assert opened.notice == f"演练数据库文件无法使用，已另存为 {aside.name}，已开始新的演练"  # the window says it too
