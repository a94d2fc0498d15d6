"""What the window says when the desk's own files are in the way: a start-up held by a local file is never said as
a failure to connect to the platform, and another outbox that cannot be read is shown with the others."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtWidgets import QMainWindow

from commandwall.app.outboxes import WaitingAction, WaitingOutbox, outbox_path
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.backend import outbox as outbox_module
from commandwall.backend.api import PlatformClient
from commandwall.backend.outbox import Outbox
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.status import PlatformStatus
from commandwall.ui.waiting import WaitingElsewhere


def test_a_start_up_held_by_a_locked_outbox_says_so_and_not_that_the_platform_cannot_be_reached(
        qtbot, tmp_path: Path, monkeypatch) -> None:
    """Another program held the officer's outbox: the red banner read 无法连接平台：内部错误: OperationalError —
    the platform blamed, for ever. It now names the file and says it is held."""
    monkeypatch.setattr(outbox_module, "LOCK_WAIT_S", 0.3, raising=False)  # 10 s on the desk
    backend = DemoBackend(db_path=tmp_path / "platform.sqlite3", incident_rate_per_min=0, simulate=False).start()
    data = tmp_path / "data"
    path = outbox_path(data, backend.base_url, True, "duty")
    Outbox(path, PlatformClient(backend.base_url, "duty", "duty")).stop()
    holder = sqlite3.connect(path, isolation_level=None, timeout=5)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    window = QMainWindow()
    qtbot.addWidget(window)
    status = PlatformStatus(window.statusBar(), window)
    signals = ClientSignals()
    status.follow(signals, lambda: (0, 0, 0), lambda: 0)
    session = ClientSession(Settings(data_dir=data, username="duty"), PlatformFactory.at_url(backend.base_url,
                                                                                             exercise=True),
                            signals.listener())
    session.retry_initial_s, session.retry_max_s = 0.2, 0.5
    try:
        session.start_in_background()
        qtbot.waitUntil(lambda: "占用" in status.banner.text(), timeout=60000)
        shown = status.banner.text()
        assert path.name in shown and "重试" in shown and "无法连接平台" not in shown, shown
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        session.stop()
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
