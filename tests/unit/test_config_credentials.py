"""Where the password comes from: never the command line; the environment, the OS keyring or a terminal prompt.

The commands run as a user runs them (``python -m commandwall``), against a real exercise backend on 127.0.0.1;
the prompt is answered through a real pseudo-terminal. The OS keyring is keyring's own ``fail`` backend (a desk
without Secret Service) or :class:`tests.unit.file_keyring.FileKeyring` (a desk with one).
"""

from __future__ import annotations

import json
import logging
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from pydantic import HttpUrl, SecretStr

from commandwall.config import Settings
from commandwall.credentials import keyring_service, resolve_password
from commandwall.demo import DemoBackend

CLI = [sys.executable, "-m", "commandwall"]
ROOT = Path(__file__).resolve().parents[2]
NO_KEYRING = "keyring.backends.fail.Keyring"
FILE_KEYRING = "tests.unit.file_keyring.FileKeyring"


def _env(tmp_path: Path, backend: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMANDWALL_")}
    env.update(PYTHON_KEYRING_BACKEND=backend, COMMANDWALL_TEST_KEYRING_FILE=str(tmp_path / "keyring.json"),
               COMMANDWALL_DATA_DIR=str(tmp_path / "data"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """The command with no terminal: standard input is /dev/null."""
    return subprocess.run([*CLI, *args], env=env, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=60)


def run_on_terminal(args: list[str], env: dict[str, str], typed: str) -> tuple[int, str]:
    """The command on a pseudo-terminal of its own; ``typed`` is entered once it asks for a password."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([*CLI, *args], env=env, cwd=ROOT, stdin=slave, stdout=slave, stderr=slave,
                            start_new_session=True)
    os.close(slave)
    screen = b""
    answered = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                screen += chunk
            if not answered and b"Password for" in screen:
                os.write(master, typed.encode() + b"\r")
                answered = True
            if proc.poll() is not None and not ready:
                break
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        os.close(master)
    return code, screen.decode(errors="replace")


def _stored(tmp_path: Path) -> dict:
    path = tmp_path / "keyring.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def test_login_remember_stores_the_typed_password_and_later_starts_need_none(tmp_path, demo: DemoBackend):
    env = _env(tmp_path, FILE_KEYRING)
    code, screen = run_on_terminal(["login", "--backend", demo.base_url, "--user", "commander", "--remember"],
                                   env, typed="commander")
    assert code == 0, screen
    assert "Password for commander at http://127.0.0.1" in screen
    assert f"logged in to {demo.base_url.rstrip('/')} as" in screen  # with its port
    assert "commander" not in screen.split("Password for commander at")[1].split("\n")[0]  # not echoed
    service = keyring_service(HttpUrl(demo.base_url))
    assert _stored(tmp_path) == {service: {"commander": "commander"}}

    later = run(["login", "--backend", demo.base_url, "--user", "commander"], env)  # no terminal, no variable
    assert later.returncode == 0, later.stderr
    assert "logged in" in later.stdout

    forgot = run(["login", "--backend", demo.base_url, "--user", "commander", "--forget"], env)
    assert forgot.returncode == 0 and "removed password for commander" in forgot.stdout
    assert _stored(tmp_path) == {service: {}}
    without = run(["login", "--backend", demo.base_url, "--user", "commander"], env)
    assert without.returncode == 2
    assert "COMMANDWALL_PASSWORD" in without.stderr and "keyring" in without.stderr


def test_a_refused_password_is_not_stored_nor_shown(tmp_path, demo: DemoBackend):
    env = _env(tmp_path, FILE_KEYRING)
    code, screen = run_on_terminal(["login", "--backend", demo.base_url, "--remember"], env, typed="Wr0ng-pw!")
    assert code == 1, screen
    assert "login refused" in screen
    assert "Wr0ng-pw!" not in screen
    assert _stored(tmp_path) == {}


def test_the_environment_gives_the_password_and_no_log_line_shows_it(tmp_path, demo: DemoBackend):
    env = _env(tmp_path, NO_KEYRING, COMMANDWALL_PASSWORD="admin", COMMANDWALL_USERNAME="admin")
    proc = run(["--log-level", "DEBUG", "login", "--backend", demo.base_url], env)
    assert proc.returncode == 0, proc.stderr
    assert "logged in" in proc.stdout
    config = run(["config", "--backend", demo.base_url], env)
    assert config.returncode == 0, config.stderr
    assert "password = (set)" in config.stdout
    # "admin" is also the user name: the password's own line is the only place it could appear
    assert [line for line in config.stdout.splitlines() if "admin" in line] == ["username = admin"]


def test_a_desk_without_a_keyring_is_told_so_and_the_password_is_not_kept(tmp_path, demo: DemoBackend):
    env = _env(tmp_path, NO_KEYRING, COMMANDWALL_PASSWORD="duty")
    proc = run(["login", "--backend", demo.base_url, "--remember"], env)
    assert proc.returncode == 1
    assert "logged in" in proc.stdout  # the password itself was right
    assert "no OS keyring on this desk" in proc.stderr and "fail.Keyring" in proc.stderr
    assert "Traceback" not in proc.stderr
    forget = run(["login", "--backend", demo.base_url, "--forget"], env)
    assert forget.returncode == 1 and "no OS keyring on this desk" in forget.stderr


@pytest.mark.parametrize("argv", [
    ["--password", "Top-Secret-1"],
    ["--password=Top-Secret-1"],
    ["run", "--backend", "https://platform.example", "--password", "Top-Secret-1"],
    ["screenshot", "--out", "x", "--password", "Top-Secret-1"],
    ["login", "--backend", "https://platform.example", "--pass", "Top-Secret-1"],
])
def test_a_password_on_the_command_line_is_refused_with_where_it_comes_from(tmp_path, argv):
    proc = run(argv, _env(tmp_path, NO_KEYRING))
    assert proc.returncode == 2
    assert "--password is not accepted" in proc.stderr
    assert "COMMANDWALL_PASSWORD" in proc.stderr and "keyring" in proc.stderr
    assert "Top-Secret-1" not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr


@pytest.fixture()
def keyring_backend():
    """Restores the process's keyring backend after a test chose one."""
    before = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(before)


def test_resolution_order_environment_then_keyring_then_prompt(tmp_path, monkeypatch, keyring_backend):
    from tests.unit.file_keyring import FileKeyring

    monkeypatch.setenv("COMMANDWALL_TEST_KEYRING_FILE", str(tmp_path / "keyring.json"))
    keyring_backend(FileKeyring())
    url = "https://platform.example:8443"
    asked: list[str] = []

    def prompt(backend_url: HttpUrl, username: str) -> str:
        asked.append(username)
        return "typed"

    given = Settings(backend_url=url, username="duty", password="from-env")
    assert resolve_password(given, interactive=True, prompt=prompt) is given
    FileKeyring().set_password(keyring_service(HttpUrl(url)), "duty", "from-keyring")
    found = resolve_password(Settings(backend_url=url, username="duty"), interactive=True, prompt=prompt)
    assert found.password == SecretStr("from-keyring") and found.password_value() == "from-keyring"
    assert asked == []
    typed = resolve_password(Settings(backend_url=url, username="other"), interactive=True, prompt=prompt)
    assert typed.password_value() == "typed" and asked == ["other"]
    silent = resolve_password(Settings(backend_url=url, username="other"), interactive=False, prompt=prompt)
    assert silent.password is None and asked == ["other"]
    assert "typed" not in repr(typed) and "from-keyring" not in repr(found) + str(found) + found.model_dump_json()


def test_the_exercise_backend_needs_no_password(keyring_backend, caplog):
    keyring_backend(fail.Keyring())
    embedded = Settings(username="commander")
    assert resolve_password(embedded, interactive=True, prompt=lambda *_: pytest.fail("asked")) is embedded
    assert embedded.password_value() == "commander"  # the demo users' convention
    with caplog.at_level(logging.INFO):
        remote = resolve_password(Settings(backend_url="http://127.0.0.1:8700"), interactive=False)
    assert remote.password_value() == "duty"
    assert "no OS keyring on this desk" in caplog.text
