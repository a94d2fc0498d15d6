"""What the window says when the desk's own files are in the way: an outbox another program holds never keeps the
platform from the desk nor is said as a failure to connect to it — the status bar and the banner say that no action
can be queued, and that they can again once the file is free —, and another outbox that cannot be read is shown
with the others."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QMainWindow

from commandwall.app.outboxes import WaitingAction, WaitingOutbox, outbox_path
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.backend import outbox as outbox_module
from commandwall.backend.api import PlatformClient
from commandwall.backend.events import ConnectionState
from commandwall.backend.outbox import Outbox
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.status import PlatformStatus
from commandwall.ui.waiting import WaitingElsewhere
from tests.holders import held_by_another_program


def test_a_held_outbox_leaves_the_desk_live_and_the_status_says_actions_cannot_be_queued_until_it_is_free(
        qtbot, tmp_path: Path, monkeypatch, caplog) -> None:
    """Another program held the officer's outbox: start-up was tried again and again, the banner said so, and the
    desk showed nothing of the platform (0 incidents, 0/0 cameras) although the platform answered. Now the desk is
    live: the outbox field says in red that no action can be queued, the amber banner names the held file (not
    the platform), and once the file is free both go and the status bar says actions queue again."""
    monkeypatch.setattr(outbox_module, "LOCK_WAIT_S", 0.3)  # 10 s on the desk
    backend = DemoBackend(db_path=tmp_path / "platform.sqlite3", incident_rate_per_min=0, simulate=False).start()
    data = tmp_path / "data"
    path = outbox_path(data, backend.base_url, True, "duty")
    Outbox(path, PlatformClient(backend.base_url, "duty", "duty")).stop()
    window = QMainWindow()
    qtbot.addWidget(window)
    status = PlatformStatus(window.statusBar(), window)
    signals = ClientSignals()
    session = ClientSession(Settings(data_dir=data, username="duty"), PlatformFactory.at_url(backend.base_url,
                                                                                             exercise=True),
                            signals.listener())
    session.retry_initial_s, session.retry_max_s = 0.2, 0.5
    session.outbox_retry_initial_s, session.outbox_retry_max_s = 0.2, 0.5
    signals.watch(session)
    signals.sig_notice.connect(window.statusBar().showMessage)
    status.follow(signals, lambda: (len(session.incidents), 0, len(session.cameras)),
                  lambda: session.outbox.pending_count() if session.outbox is not None else 0)
    status.start_counting()
    try:
        with held_by_another_program(path) as let_go:
            session.start_in_background()
            qtbot.waitUntil(lambda: "实时推送" in status.connection_label.text(), timeout=60000)
            status.update_counts()
            assert not status.counts_label.text().startswith("未办结事件 0 起"), status.counts_label.text()
            assert "发件箱不可用" in status.outbox_label.text(), status.outbox_label.text()
            assert path.name in status.outbox_label.toolTip()
            shown, colour = status.banner_now()
            assert path.name in shown and "占用" in shown and "无法暂存" in shown, shown
            assert "无法连接平台" not in shown and colour == "#ad6800", (shown, colour)
            status.set_connection(ConnectionState.LIVE, "")  # the stream live again: the banner still says it
            assert "占用" in status.banner_now()[0]
            caplog.set_level(logging.INFO, logger="commandwall.app.session")
            qtbot.waitUntil(lambda: sum("still cannot be used" in r.getMessage() for r in caplog.records) >= 2,
                            timeout=20000)  # tried again in the background while held, and again
            let_go()
            qtbot.waitUntil(lambda: "发件箱不可用" not in status.outbox_label.text(), timeout=30000)
        assert status.banner_now() == ("", ""), status.banner_now()
        qtbot.waitUntil(lambda: "已恢复" in window.statusBar().currentMessage(), timeout=5000)
        assert session.outbox is not None
    finally:
        session.stop()
        signals.detach()
        backend.stop()


def test_another_outbox_that_cannot_be_read_is_shown_beside_the_actions_waiting_elsewhere(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    waiting = [WaitingOutbox(Path("outbox-exercise-0a.sqlite3"), "commander", "", True,
                             [WaitingAction("note", "INC-000001", "", None)]),
               WaitingOutbox(Path("outbox-exercise-0b.sqlite3"), "", "", False, problem="not_a_file")]
    button = WaitingElsewhere(window.statusBar(), window, lambda: waiting)
    button.refresh()
    text = button.button.text()
    assert not button.button.isHidden() and "1 条" in text and "1 个文件无法读取" in text, text
    lines = button.lines()
    assert lines[-1].startswith("outbox-exercise-0b.sqlite3") and "不是普通文件" in lines[-1], lines
    waiting.pop(0)
    button.refresh()
    assert not button.button.isHidden(), "an unreadable file alone is shown too"
