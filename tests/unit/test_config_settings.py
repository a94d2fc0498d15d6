"""Settings from arbitrary ``COMMANDWALL_*`` values and command-line options: valid, or one clear message.

Whatever a desk's environment or a user's options hold, ``commandwall`` either takes the settings or says
``invalid setting`` with exit status 2 — never a traceback, and never the password it was given.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import string
import subprocess
import sys
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr, ValidationError

from commandwall import cli
from commandwall.config import Settings, describe_invalid

FIELDS = sorted(Settings.model_fields)
ENV_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
TRICKY = st.sampled_from([
    "", " ", "0", "-1", "4", "5", "16", "1e309", "nan", "inf", "-inf", "true", "no", "null", "None", "[]", "{}",
    "DEBUG", "debug ", "http://", "https://", "https://platform.example", "http://127.0.0.1:8700/",
    "http://[::1]:8700", "ftp://host", "https://host:99999", "//host", "\u202e", "{{7*7}}", "x" * 3000,
])
#: a password distinctive enough that finding it in any output means it leaked
SECRET = st.text(string.ascii_letters + string.digits, min_size=8, max_size=16).map(lambda s: f"Pw{s}")


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """``os.environ`` without any ``COMMANDWALL_*`` but ``values`` for the block; the logging set-up kept."""
    saved_env = dict(os.environ)
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    for key in [k for k in os.environ if k.upper().startswith("COMMANDWALL_")]:
        del os.environ[key]
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        root.handlers[:], root.level = saved_handlers, saved_level


def run_main(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """``cli.main(argv)`` in this process; exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with environment(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


@st.composite
def desk(draw: st.DrawFn) -> tuple[dict[str, str], list[str], str]:
    """Environment variables, ``config`` command line and the password hidden somewhere in them."""
    secret = draw(SECRET)
    value = st.one_of(ENV_TEXT, TRICKY)
    env = {f"COMMANDWALL_{name.upper()}": draw(value)
           for name in draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=6))}
    env.pop("COMMANDWALL_PASSWORD", None)
    if draw(st.booleans()):
        env["COMMANDWALL_PASSWORD"] = secret
    argv = ["config"]
    for option in draw(st.lists(st.sampled_from(["--backend", "--user", "--data-dir"]), unique=True)):
        argv.append(f"{option}={draw(value)}")
    if draw(st.booleans()):
        argv += ["--tiles", draw(st.sampled_from(["1", "4", "9", "16"]))]
    where = draw(st.sampled_from(["nowhere", "env_url", "cli_url"]))
    url = f"https://{draw(st.sampled_from(['u', 'duty', '']))}:{secret}@{draw(TRICKY)}"
    if where == "env_url":
        env["COMMANDWALL_BACKEND_URL"] = url
    elif where == "cli_url":
        argv.append(f"--backend={url}")
    return env, argv, secret


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(desk())
def test_any_environment_and_options_give_settings_or_one_clear_error(case):
    env, argv, secret = case
    code, out, err = run_main(argv, env)
    assert "Traceback" not in out + err
    assert secret not in out + err, "the password was echoed"
    if code == 0:
        assert out.startswith("backend_url = ")
        assert ("password = (set)" in out) == ("COMMANDWALL_PASSWORD" in env)
    else:
        assert code == 2, (code, err)
        assert err.startswith("commandwall: invalid setting: "), err
        assert len(err.splitlines()) == 1


def test_a_backend_url_with_credentials_is_refused_without_echoing_them():
    with pytest.raises(ValidationError) as raised:
        Settings(backend_url="https://duty:S3cret-pw@platform.example/")
    message = describe_invalid(raised.value)
    assert message.startswith("backend_url: the URL must not carry a user name or password")
    assert "S3cret-pw" not in message


def test_an_invalid_url_with_credentials_is_not_echoed_by_the_command(tmp_path):
    # An invalid port: pydantic's own message would quote the whole input, password included.
    env = {**os.environ, "COMMANDWALL_BACKEND_URL": "https://duty:S3cret-pw@platform.example:99999",
           "COMMANDWALL_DATA_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "commandwall", "screenshot", "--out", str(tmp_path)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "invalid setting" in proc.stderr and "backend_url" in proc.stderr
    assert "S3cret-pw" not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr


def test_the_password_is_a_secret_everywhere_but_its_one_accessor():
    s = Settings(password="S3cret-pw")
    assert isinstance(s.password, SecretStr)
    for shown in (repr(s), str(s), s.model_dump_json(), str(s.model_dump()), f"{s}"):
        assert "S3cret-pw" not in shown
    assert s.password_value() == "S3cret-pw"
    assert Settings(username="commander").password_value() == "commander"


def test_wall_tiles_and_log_level_are_checked_as_fields():
    with pytest.raises(ValidationError) as raised:
        Settings(wall_tiles=5, log_level="LOUD")
    assert [e["loc"] for e in raised.value.errors()] == [("wall_tiles",), ("log_level",)]
    assert Settings(log_level=" debug").log_level == "DEBUG"
