"""A platform that hangs after it has had an outage: the platform is a real ``commandwall demo-server`` process,
killed, started again, then stopped (SIGSTOP) with the desk's event stream open on it. From the moment a keepalive
is overdue until it answers again, the status bar and the banner say it does not answer, counting the seconds —
through the stream's read timeout, the reconnect and the poll that follow — then that the connection is down;
never 实时推送 while nothing comes."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from PySide6.QtWidgets import QMainWindow

from commandwall import localtime
from commandwall.backend.api import PlatformClient
from commandwall.backend.errors import BackendUnavailableError
from commandwall.backend.events import ConnectionState, EventStream
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.status import PlatformStatus

KEEPALIVE_S = 0.5  # the platform's keepalive interval (15 s on a real one)
READ_TIMEOUT_S = 4.0  # the stream's read timeout (45 s on the desk), above the keepalive interval
QUIET_AFTER_S = 1.5  # 平台无响应 after this long without a byte (20 s on the desk)
AMBER, RED = "#ad6800", "#a8071a"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _platform(port: int, db: Path, log: Path) -> Iterator[subprocess.Popen]:
    """A demo-server process on ``port``, answering its health check; ended by its PID (continued first, in case
    it is stopped)."""
    with log.open("ab") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "commandwall", "demo-server", "--port", str(port),
                                 "--db", str(db), "--rate", "0", "--keepalive", str(KEEPALIVE_S)],
                                stdout=log_file, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "the demo-server did not start"
            try:
                if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield proc
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGCONT)
            proc.kill()
        proc.wait(15)


def _seconds(text: str) -> int:
    found = re.search(r"(\d+) 秒", text)
    assert found, text
    return int(found.group(1))


def test_a_hang_after_an_outage_reads_as_a_hang_until_the_platform_answers(qtbot, tmp_path) -> None:
    port = _free_port()
    db, log = tmp_path / "platform.sqlite3", tmp_path / "platform.log"
    window = QMainWindow()
    qtbot.addWidget(window)
    status = PlatformStatus(window.statusBar(), window)
    status.quiet_after_s = QUIET_AFTER_S
    signals = ClientSignals()
    status.follow(signals, lambda: (7, 5, 6), lambda: 0)
    status.start_counting()
    with _platform(port, db, log) as first:
        client = PlatformClient(f"http://127.0.0.1:{port}", "duty", "duty", timeout=2.0, retries=1)
        client.login()
        stream = EventStream(client, lambda kind, model: None, lambda state, detail: signals.sig_connection.emit(
            state, detail), read_timeout=READ_TIMEOUT_S, keepalive_s=KEEPALIVE_S, backoff_initial=0.2,
            backoff_max=1.0, sse_retry_interval=1.0, poll_interval=0.5).start()
        status.follow_quiet(stream.quiet_for)
        try:
            qtbot.waitUntil(lambda: status.connection_label.text() == "● 实时推送", timeout=15000)
            first.kill()  # the outage: the desk falls back to polling, which fails too
            first.wait(15)
            qtbot.waitUntil(lambda: status.connection_label.text() == "● 与平台断开", timeout=15000)
            with _platform(port, db, log) as second:
                qtbot.waitUntil(lambda: status.connection_label.text() == "● 实时推送", timeout=20000)
                os.kill(second.pid, signal.SIGSTOP)  # the hang: connections are accepted, nothing is answered
                stopped, stopped_at = time.monotonic(), localtime.now()
                seen: list[tuple[float, ConnectionState, str, tuple[str, str], str]] = []
                offline_at = None
                while time.monotonic() - stopped < READ_TIMEOUT_S + 20:
                    qtbot.wait(250)
                    seen.append((time.monotonic() - stopped, stream.state, status.connection_label.text(),
                                 status.banner_now(), status.counts_label.text()))
                    if offline_at is None and stream.state is ConnectionState.OFFLINE:
                        offline_at = seen[-1][0]
                    if offline_at is not None and seen[-1][0] > offline_at + 1.5:
                        break
                assert offline_at is not None and offline_at > READ_TIMEOUT_S, seen[-1]
                quiet = [row for row in seen if row[0] > QUIET_AFTER_S + 1.2 and row[1] is not ConnectionState.OFFLINE]
                for at, state, label, (banner, colour), counts in quiet:
                    assert label.startswith("● 平台无响应（"), (at, state, label)
                    assert colour == AMBER and "秒无任何数据" in banner, (at, state, banner)
                    assert _seconds(banner) == _seconds(label), (at, label, banner)
                    assert _seconds(label) >= at - 2.5, (at, label)  # the clock ticks once a second
                    assert "截至" in counts, (at, counts)
                    if at > READ_TIMEOUT_S + 0.5:
                        assert state is not ConnectionState.LIVE, (at, label)
                # past the read timeout (the stream given up, the desk reconnecting and polling) it counts on
                late = [_seconds(row[3][0]) for row in quiet if row[0] > READ_TIMEOUT_S + 0.5]
                assert len(late) >= 4 and late[-1] > late[0] >= READ_TIMEOUT_S - 1, late
                # then the outage is said, with the time of the last live data: before the hang, not when given up
                at, _state, label, (banner, colour), counts = seen[-1]
                assert label == "● 与平台断开" and colour == RED and "与平台的连接已中断" in banner, (at, label, banner)
                assert status.last_sync is not None and status.last_sync <= stopped_at
                assert "截至" in counts, counts
                os.kill(second.pid, signal.SIGCONT)  # it answers: live again, no banner
                qtbot.waitUntil(lambda: status.connection_label.text() == "● 实时推送", timeout=20000)
                assert status.banner_now() == ("", "")
                qtbot.waitUntil(lambda: status.counts_label.text() == "未办结事件 7 起 · 视频在线 5/6", timeout=3000)
        finally:
            stream.stop()
            client.close()


def test_an_action_the_hung_platform_does_not_answer_is_said_at_once_not_at_the_heartbeats_timeout(qtbot, tmp_path):
    """The platform hangs between two keepalives (15 s on a real one): the officer's dispatch times out after the
    request timeout, yet the status bar went on reading 实时推送 until the stream's silence passed its limit, 15 s
    and more later. A request to the platform that got no answer after it last sent anything reads as a hang at
    once, with the true seconds since it was last heard; a keepalive later, it is live again."""
    from commandwall.app.platform import PlatformFactory
    from commandwall.app.session import ClientListener, ClientSession
    from commandwall.config import Settings

    port = _free_port()
    db, log = tmp_path / "platform.sqlite3", tmp_path / "platform.log"
    window = QMainWindow()
    qtbot.addWidget(window)
    status = PlatformStatus(window.statusBar(), window)
    status.quiet_after_s = 30.0  # the heartbeat's limit lies far beyond this test
    signals = ClientSignals()
    status.follow(signals, lambda: (7, 5, 6), lambda: 0)
    status.start_counting()
    with _platform(port, db, log) as platform:
        client = PlatformClient(f"http://127.0.0.1:{port}", "duty", "duty", timeout=1.0, retries=0)
        client.login()
        stream = EventStream(client, lambda kind, model: None, lambda state, detail: signals.sig_connection.emit(
            state, detail), read_timeout=40.0, keepalive_s=KEEPALIVE_S, backoff_initial=0.2,
            backoff_max=1.0, sse_retry_interval=1.0, poll_interval=0.5).start()
        session = ClientSession(Settings(data_dir=tmp_path / "data"),
                                PlatformFactory.at_url(f"http://127.0.0.1:{port}", exercise=False), ClientListener())
        session.client, session.events = client, stream  # the session's view of its platform, as when logged in
        status.follow_quiet(stream.quiet_for, session.unanswered_since_heard)
        try:
            qtbot.waitUntil(lambda: status.connection_label.text() == "● 实时推送", timeout=15000)
            qtbot.wait(1500)
            assert status.connection_label.text() == "● 实时推送"  # keepalives: no request unanswered
            os.kill(platform.pid, signal.SIGSTOP)
            stopped = time.monotonic()
            with pytest.raises(BackendUnavailableError):
                client.incident("INC-000001")  # the officer opens an incident's detail: no answer
            qtbot.waitUntil(lambda: status.connection_label.text().startswith("● 平台无响应（"), timeout=3000)
            said = time.monotonic() - stopped
            banner, _colour = status.banner_now()
            assert said < 4.0 and "平台未应答请求" in banner, (said, banner)
            assert 1 <= _seconds(status.connection_label.text()) <= said + 1.5
            os.kill(platform.pid, signal.SIGCONT)  # it answers: its keepalives come, live again
            qtbot.waitUntil(lambda: status.connection_label.text() == "● 实时推送", timeout=10000)
            assert status.banner_now() == ("", "")
        finally:
            os.kill(platform.pid, signal.SIGCONT)
            stream.stop()
            client.close()
