"""The platform's data epoch (``X-Platform-Epoch``): a restore the event ids cannot show, and actions queued before
it, across a restart of the desk — against real exercise backends on 127.0.0.1."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
import requests

from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientListener, ClientSession
from commandwall.backend.api import PlatformClient
from commandwall.backend.epoch import EPOCH_HEADER, PlatformEpoch
from commandwall.backend.events import ConnectionState
from commandwall.backend.outbox import PLATFORM_WENT_BACK, Outbox, OutboxState
from commandwall.config import Settings
from commandwall.demo import DemoBackend

from .backend_support import wait_until


def _until(predicate, timeout: float = 30.0) -> None:
    assert wait_until(predicate, timeout), "timed out"


def test_the_exercise_platform_keeps_its_epoch_across_a_restart_and_a_fresh_database_has_another(tmp_path):
    first = DemoBackend(db_path=tmp_path / "a.sqlite3", seed=5, incident_rate_per_min=0, simulate=False).start()
    try:
        answer = requests.get(f"{first.base_url}/api/v1/health", timeout=5)
        refused = requests.post(f"{first.base_url}/api/v1/auth/token", json={"username": "duty", "password": "x"},
                                timeout=5)
        epoch = answer.headers[EPOCH_HEADER]
        assert answer.json()["epoch"] == epoch and len(epoch) >= 16
        assert refused.status_code == 401 and refused.headers[EPOCH_HEADER] == epoch  # errors carry it too
    finally:
        first.stop()
    again = DemoBackend(db_path=tmp_path / "a.sqlite3", seed=5, incident_rate_per_min=0, simulate=False).start()
    other = DemoBackend(db_path=tmp_path / "b.sqlite3", seed=5, incident_rate_per_min=0, simulate=False).start()
    try:
        assert requests.get(f"{again.base_url}/api/v1/health", timeout=5).headers[EPOCH_HEADER] == epoch
        assert requests.get(f"{other.base_url}/api/v1/health", timeout=5).headers[EPOCH_HEADER] != epoch
    finally:
        again.stop()
        other.stop()


def test_an_epoch_is_told_once_when_it_changes_and_junk_or_a_flapping_one_is_no_change(caplog):
    epoch = PlatformEpoch()
    changes: list[tuple[str, str]] = []
    epoch.add_listener(lambda old, new: changes.append((old, new)))
    epoch.note(None)  # an answer without the header: nothing learnt
    epoch.note("a" * 65)
    epoch.note("ab\x00cd")
    epoch.note("事件")
    assert epoch.current == "" and changes == []
    epoch.note(" 1f3a ")
    epoch.note("1f3a")
    assert epoch.current == "1f3a" and changes == [("", "1f3a")]
    epoch.note("77b0")
    assert changes == [("", "1f3a"), ("1f3a", "77b0")]
    with caplog.at_level(logging.WARNING, logger="commandwall.backend.epoch"):
        epoch.note("1f3a")  # two nodes answering apart: no reload storm
        epoch.note("77b0")
        epoch.note("1f3a")
    assert epoch.current == "77b0" and len(changes) == 2
    assert sum("in turn" in r.getMessage() for r in caplog.records) == 1


@pytest.mark.parametrize("restored", [True, False], ids=["restored", "restarted"])
def test_actions_queued_while_the_platform_was_down_are_held_if_it_came_back_with_other_data(
        tmp_path: Path, restored: bool) -> None:
    """The desk heard the platform, closed; started again during an outage (its client has heard nothing), the
    officer queued a note. The platform came back restored from a backup: the note is not sent to whatever
    incident now has that id, but held for the officer. Merely restarted (its data the same), it is sent."""
    first = DemoBackend(db_path=tmp_path / "a.sqlite3", seed=5, incident_rate_per_min=0, simulate=False).start()
    port, url, outbox_path = first.port, first.base_url, tmp_path / "outbox.sqlite3"
    heard = PlatformClient(url, "duty", "duty", timeout=2, retries=0)
    incident = heard.incidents()[0][0]
    Outbox(outbox_path, heard).stop()  # the desk ran against it: the outbox keeps the epoch it heard
    heard.close()
    first.stop()

    client = PlatformClient(url, "duty", "duty", timeout=2, retries=0)
    outbox = Outbox(outbox_path, client, backoff_initial=0.05, backoff_max=0.3)
    row = outbox.enqueue_note(incident.id, "现场积水已排除")
    assert outbox.get(row).platform_epoch  # queued under the epoch last heard, though none was heard in this run
    back = DemoBackend(db_path=tmp_path / ("b.sqlite3" if restored else "a.sqlite3"), port=port, seed=6,
                       incident_rate_per_min=0, simulate=False).start()
    try:
        outbox.start()
        _until(lambda: outbox.get(row).state is not OutboxState.PENDING)
        item = outbox.get(row)
        notes = [e.text for e in client.timeline(incident.id)]
        if not restored:
            assert item.state is OutboxState.SENT and "现场积水已排除" in notes
            return
        assert item.state is OutboxState.FAILED and item.error_code == PLATFORM_WENT_BACK, item
        assert "现场积水已排除" not in notes
        assert [i.id for i in outbox.undelivered()] == [row]
        assert outbox.retry(row)  # the officer looked and decided: sent to the platform as it is now
        _until(lambda: outbox.get(row).state is OutboxState.SENT)
        assert "现场积水已排除" in [e.text for e in client.timeline(incident.id)]
    finally:
        outbox.stop()
        client.close()
        back.stop()


def test_a_restore_already_past_the_desks_position_is_seen_by_its_epoch_and_queued_actions_held(tmp_path):
    """The platform was restored from a backup whose event log is longer than the one the desk followed: no event
    id and no cursor went back, the desk went on as if nothing happened — keeping incidents the platform no longer
    has, and sending a dispatch queued in the outage to the restored platform's incident of the same id. Its new
    data epoch shows it: everything is loaded again, the dispatch is held for the officer."""
    backup = DemoBackend(db_path=tmp_path / "backup.sqlite3", seed=6, incident_rate_per_min=0, simulate=False).start()
    for _ in range(40):  # the backup's log runs far past the position the desk will hold
        backup.simulator.new_incident()
    backup.simulator.tick(60.0)
    backup.stop()
    first = DemoBackend(db_path=tmp_path / "a.sqlite3", seed=5, incident_rate_per_min=0, simulate=False).start()
    port = first.port
    notices: list[str] = []
    s = ClientSession(Settings(data_dir=tmp_path / "data"), PlatformFactory.at_url(first.base_url, exercise=True),
                      ClientListener(on_notice=notices.append))
    restored = None
    try:
        s.start()
        _until(lambda: s.events is not None and s.events.state == ConnectionState.LIVE)
        position = int(s.events.last_event_id or s.events.cursor or 0)
        target = min((i for i in s.incidents.open() if i.status.value == "new"), key=lambda i: i.id)
        first.stop()
        _until(lambda: not s.hears_platform())
        row = s.dispatch_task({"incident_id": target.id, "unit_id": None, "department": "应急",
                               "instructions": "到现场抽排积水", "priority": 1})
        time.sleep(0.5)
        restored = DemoBackend(db_path=tmp_path / "backup.sqlite3", port=port, seed=6, incident_rate_per_min=0,
                               simulate=False).start()
        assert restored.store.db.max_event_id() > position + 40  # nothing the desk holds goes back
        truth = {i.id: (i.title, i.status, i.version) for i in PlatformClient(restored.base_url, "duty", "duty")
                 .incidents(limit=500)[0]}
        _until(lambda: {i.id: (i.title, i.status, i.version) for i in s.incidents.all()} == truth)
        _until(lambda: s.outbox.get(row).state is not OutboxState.PENDING)
        item = s.outbox.get(row)
        assert item.state is OutboxState.FAILED and item.error_code == PLATFORM_WENT_BACK, item
        assert not [t for t in restored.store.tasks() if t.instructions == "到现场抽排积水"], "sent to another incident"
        _until(lambda: any("平台数据已重置或回退" in n for n in notices))
    finally:
        s.stop()
        first.stop()
        if restored is not None:
            restored.stop()
