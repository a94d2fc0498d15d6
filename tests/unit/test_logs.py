"""The log's redaction: every log line loses the secrets the URL checks know of, by the same list."""

from __future__ import annotations

import io
import logging
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from commandwall.backend.http import has_secret_query
from commandwall.logs import (
    SECRET_PARAMS,
    RedactingFilter,
    RepeatLimiter,
    as_one_entry,
    current_log_file,
    log_to_file,
    redact_secrets,
    setup_logging,
)


@pytest.mark.parametrize("name", [*sorted(SECRET_PARAMS), "X_Auth_Token", "db_password", "app_secret"])
def test_every_secret_parameter_the_url_checks_know_is_redacted_in_log_lines(name: str) -> None:
    url = f"https://tiles.example/t/1/2/3.png?layer=vec&{name}=S3cr3tV4lue&x=1"
    assert has_secret_query(url), "the URL checks call it a secret"
    line = redact_secrets(f"tile failed: GET {url} (500)")
    assert "S3cr3tV4lue" not in line and f"{name}=***" in line and "layer=vec" in line and "x=1" in line


def test_passwords_in_urls_and_bearer_tokens_are_redacted_and_other_text_is_not() -> None:
    assert redact_secrets("rtsp://admin:hunter2@10.0.0.9/ch1") == "rtsp://***:***@10.0.0.9/ch1"
    assert redact_secrets("Authorization: Bearer abc.DEF-123") == "Authorization: Bearer ***"
    assert redact_secrets("monkey=banana&tkx=3&page=2") == "monkey=banana&tkx=3&page=2", "only secret names"


@pytest.mark.parametrize("password", ["Se/cret2", "Se?cret2", "Se#cret2", "p@ss", "p@ss@w/o?r#d"])
def test_a_password_holding_url_delimiters_is_redacted_in_log_lines(password: str) -> None:
    line = redact_secrets(f"camera CAM-1 at rtsp://admin:{password}@10.0.0.9/ch1 离线")
    assert line == "camera CAM-1 at rtsp://***:***@10.0.0.9/ch1 离线", line


def test_the_log_filter_redacts_the_final_message() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "opened %s", ("http://h/x?ak=BaiduKey1",), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "opened http://h/x?ak=***"


@pytest.fixture
def client_logging() -> Iterator[None]:
    """The client's own logging set up as ``commandwall run`` does; everything put back afterwards."""
    root = logging.getLogger()
    handlers, level, hooks = root.handlers[:], root.level, (sys.excepthook, threading.excepthook)
    setup_logging("INFO")
    try:
        yield
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
        sys.excepthook, threading.excepthook = hooks


def test_the_desk_writes_a_log_file_in_its_data_folder_without_secrets(client_logging: None, tmp_path: Path) -> None:
    path = log_to_file(tmp_path)
    assert path == tmp_path / "logs" / "commandwall.log" and current_log_file() == path
    assert log_to_file(tmp_path) == path, "a second call adds no second handler"
    logging.getLogger("commandwall.test").warning("camera at %s 离线", "rtsp://admin:hunter2@10.0.0.9/ch1")
    try:
        raise ConnectionError("cannot open http://h/live.flv?token=T0ken5ecret")
    except ConnectionError:
        logging.getLogger("commandwall.test").exception("stream failed")
    text = path.read_text("utf-8")
    assert "WARNING commandwall.test: camera at rtsp://***:***@10.0.0.9/ch1 离线" in text
    assert "ConnectionError: cannot open http://h/live.flv?token=***" in text, "the traceback is redacted too"
    assert "hunter2" not in text and "T0ken5ecret" not in text


def test_the_log_file_holds_no_password_with_url_delimiters(client_logging: None, tmp_path: Path) -> None:
    path = log_to_file(tmp_path)
    for password in ("Se/cret1", "Se?cret2", "Se#cret3", "p@ss@cret4"):
        logging.getLogger("commandwall.test").warning("camera at %s 离线", f"rtsp://admin:{password}@10.0.0.9/ch1")
    try:
        raise ConnectionError("cannot open rtsp://admin:Se/cret5@10.0.0.9/ch2")
    except ConnectionError:
        logging.getLogger("commandwall.test").exception("stream failed")
    text = path.read_text("utf-8")
    assert "cret" not in text and "admin" not in text, text
    assert text.count("camera at rtsp://***:***@10.0.0.9/ch1 离线") == 4


def test_the_log_file_rolls_over_and_keeps_five(client_logging: None, tmp_path: Path) -> None:
    path = log_to_file(tmp_path)
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler))
    assert handler.maxBytes == 10 * 1024 * 1024 and handler.backupCount == 5
    handler.maxBytes = 2000  # the same roll-over at a size a test can reach
    for k in range(200):
        logging.getLogger("commandwall.test").warning("line %d %s", k, "x" * 60)
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["commandwall.log", *(f"commandwall.log.{n}" for n in range(1, 6))], files
    assert all(p.stat().st_size <= 2000 for p in path.parent.iterdir())
    assert "line 199 " in path.read_text("utf-8")


def test_a_data_folder_that_takes_no_log_file_leaves_logging_to_stderr(client_logging: None, tmp_path: Path) -> None:
    stderr = io.StringIO()
    logging.getLogger().handlers[0].setStream(stderr)  # the stderr handler setup_logging made
    (tmp_path / "logs").write_text("a file where the folder should be")
    assert log_to_file(tmp_path) is None and current_log_file() is None
    logging.getLogger("commandwall.test").error("still said")
    assert "no log file in" in stderr.getvalue() and "still said" in stderr.getvalue()


def test_a_message_quoting_the_platform_cannot_forge_log_entries(client_logging: None, tmp_path: Path) -> None:
    path = log_to_file(tmp_path)
    hostile = "CAM-1\n2026-12-05 03:00:00,000 CRITICAL commandwall: 已派遣全部警力\r\x1b[2J\u2028end"
    logging.getLogger("commandwall.test").warning("camera name %s", hostile)
    try:
        raise ValueError("broken\nvalue")
    except ValueError:
        logging.getLogger("commandwall.test").exception("with its traceback")
    lines = path.read_text("utf-8").splitlines()
    entries = [line for line in lines if line[:1].isdigit()]  # an entry starts with its time
    assert [entry.split(" ")[2] for entry in entries] == ["WARNING", "ERROR"], lines
    at = lines.index(entries[0])
    assert lines[at].endswith(" camera name CAM-1"), lines
    forged = "    2026-12-05 03:00:00,000 CRITICAL commandwall: 已派遣全部警力\\r\\x1b[2J\\u2028end"
    assert lines[at + 1] == forged, lines
    assert "Traceback (most recent call last):" in lines, "a traceback keeps its own lines"
    assert as_one_entry("tab\tstays") == "tab\tstays"


def test_an_exception_nobody_caught_in_a_worker_thread_is_in_the_log_file(client_logging: None,
                                                                          tmp_path: Path) -> None:  # fmt: skip
    path = log_to_file(tmp_path)
    worker = threading.Thread(target=lambda: 1 / 0, name="layer-reader-7")
    worker.start()
    worker.join(5)
    sys.excepthook(*_raised(KeyError("on the GUI thread")))
    text = path.read_text("utf-8")
    assert "CRITICAL commandwall.logs: uncaught exception in thread layer-reader-7" in text
    assert "ZeroDivisionError" in text and "KeyError: 'on the GUI thread'" in text


def _raised(exc: BaseException) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise exc
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__


def test_a_flood_of_one_kind_of_line_is_cut_to_a_few_a_minute_and_says_how_many_were_left_out() -> None:
    limiter = RepeatLimiter(burst=3, window_s=60.0)
    refused = "Refused to load the image '{}' because it violates the Content Security Policy"
    admitted = [limiter.admit(refused.format(f"http://evil.example/{k}.png"), 100.0 + k * 0.1) for k in range(50)]
    assert admitted[:3] == [0, 0, 0] and admitted[3:] == [None] * 47
    assert limiter.admit("another message", 101.0) == 0, "other kinds are not held back"
    assert limiter.admit(refused.format("http://evil.example/late.png"), 161.0) == 47, "says how many it left out"
    assert limiter.admit(refused.format("http://evil.example/next.png"), 161.5) == 0
    many = RepeatLimiter(burst=1, window_s=60.0, kinds=10)
    for k in range(1000):  # a page making a new kind of line each time keeps no more than ``kinds`` of them
        assert many.admit(f"kind {k}", 1.0) == 0
    assert len(many._seen) <= 10


@pytest.mark.parametrize("name", ["pass", "PASS", "sk", "access_key", "accessKey", "passcode", "loginPas"])
def test_camera_and_cloud_logins_in_a_query_are_secrets(name: str) -> None:
    url = f"rtsp://127.0.0.1:554/ch1?username=admin&{name}=S3cr3tV4lue&channel=1"
    assert has_secret_query(url), "a layer or base map URL carrying it is refused"
    line = redact_secrets(f"stream failed: {url}")
    assert "S3cr3tV4lue" not in line and "channel=1" in line and "username=admin" in line, line


@pytest.mark.parametrize("name", ["task", "passage", "skin", "bypass", "desk"])
def test_names_that_merely_contain_a_secret_name_are_kept(name: str) -> None:
    assert not has_secret_query(f"https://tiles.example/t?{name}=1")
    assert redact_secrets(f"GET https://tiles.example/t?{name}=v4lue") == f"GET https://tiles.example/t?{name}=v4lue"


@pytest.mark.parametrize("char", ["\u061c", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b",
                                  "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_bidirectional_and_invisible_characters_are_escaped_in_a_log_entry(char: str) -> None:
    entry = as_one_entry(f"camera admin{char}gnp.exe offline")
    assert char not in entry
    assert f"admin\\u{ord(char):04x}gnp.exe" in entry, entry


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_log_file_that_is_no_regular_file_is_refused_at_once_and_the_desk_logs_to_stderr(tmp_path: Path,
                                                                                           kind: str) -> None:
    """``logs/commandwall.log`` a named pipe (or a folder): opening it to write waited for a reader for ever, and
    the desk never showed its window, holding its data folder's lock. Now it is said on stderr and left alone, in
    a process of its own so that a wait cannot hold up the tests."""
    logs = tmp_path / "logs"
    logs.mkdir()
    if kind == "fifo":
        os.mkfifo(logs / "commandwall.log")
    else:
        (logs / "commandwall.log").mkdir()
    code = ("import logging, sys; from pathlib import Path\n"
            "from commandwall.logs import setup_logging, log_to_file, current_log_file\n"
            "setup_logging()\n"
            "print(log_to_file(Path(sys.argv[1])), current_log_file())\n"
            "logging.getLogger('commandwall.test').error('still said')\n")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["None", "None"]
    assert f"no log file in {logs}" in proc.stderr, proc.stderr
    assert ("named pipe" if kind == "fifo" else "Is a directory") in proc.stderr, proc.stderr
    assert "still said" in proc.stderr
    kept = os.stat(logs / "commandwall.log").st_mode
    assert stat.S_ISFIFO(kept) if kind == "fifo" else stat.S_ISDIR(kept), "left as it was"
