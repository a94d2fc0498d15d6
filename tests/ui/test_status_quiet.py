"""A platform that hangs with the event stream open: the stream stays connected, but its keepalives stop. The
status bar says so once a keepalive is overdue, and goes back to 实时推送 with the next byte."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from commandwall.backend.api import PlatformClient
from commandwall.backend.events import QUIET_AFTER_S, ConnectionState, EventStream
from commandwall.ui.status import PlatformStatus
from tests.unit.backend_support import LocalServer, fake_platform


def test_a_live_stream_that_goes_quiet_reads_as_a_hanging_platform_until_a_keepalive_comes(qtbot) -> None:
    app, state = fake_platform()
    state["events_status"] = 200  # ": connected", then silence until nudged
    server = LocalServer(app).start()
    client = PlatformClient(server.base_url, "duty", "duty", retries=0)
    stream = EventStream(client, lambda kind, model: None, read_timeout=60.0).start()
    window = QMainWindow()
    qtbot.addWidget(window)
    status = PlatformStatus(window.statusBar(), window)
    try:
        qtbot.waitUntil(lambda: stream.state is ConnectionState.LIVE, timeout=10000)
        status.set_connection(ConnectionState.LIVE, "")
        status.follow_quiet(stream.quiet_for)
        assert QUIET_AFTER_S > 15.0, "a keepalive every 15 s is not overdue"
        status.quiet_after_s = 1.5  # the test does not wait 20 s
        assert status.connection_label.text() == "● 实时推送"
        qtbot.waitUntil(lambda: "平台无响应" in status.connection_label.text(), timeout=6000)
        assert stream.state is ConnectionState.LIVE  # the connection itself is still open
        assert not status.banner.isHidden() and "心跳超时" in status.banner.text()
        assert stream.quiet_for() > 1.5
        state["nudge"].set()  # one keepalive
        qtbot.waitUntil(lambda: status.connection_label.text() == "● 实时推送", timeout=4000)
        assert status.banner.isHidden()
        assert stream.quiet_for() < 1.5
    finally:
        state["closing"].set()
        stream.stop()
        client.close()
        server.stop()


def test_the_counts_say_as_of_when_while_the_platform_is_not_heard(qtbot) -> None:
    """视频在线 1514/1515 while the platform is gone is the last known figure: it says as of when; live again,
    it is the figure alone."""
    from commandwall.ui.adapters import ClientSignals

    window = QMainWindow()
    qtbot.addWidget(window)
    status = PlatformStatus(window.statusBar(), window)
    status.follow(ClientSignals(), lambda: (7, 1514, 1515), lambda: 0)
    status.start_counting()
    status.set_connection(ConnectionState.LIVE, "")
    assert status.counts_label.text() == "未办结事件 7 起 · 视频在线 1514/1515"
    status.set_connection(ConnectionState.OFFLINE, "ConnectionError")
    status.update_counts()
    synced = status.last_sync  # live until this moment
    assert synced is not None
    assert status.counts_label.text() == f"未办结事件 7 起 · 视频在线 1514/1515（截至 {synced:%H:%M}）"
    status.set_connection(ConnectionState.LIVE, "")
    status.update_counts()
    assert status.counts_label.text() == "未办结事件 7 起 · 视频在线 1514/1515"
