"""Attachments through the outbox against the real exercise backend over HTTP: the file's bytes wait in the
outbox's folder (not in SQLite) and reach the platform exactly once through outages, restarts and kill -9."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from commandwall.backend.api import PlatformClient
from commandwall.backend.keptfiles import AttachmentTooLargeError
from commandwall.backend.outbox import Outbox, OutboxState
from commandwall.demo import DemoBackend
from commandwall.domain.models import MAX_ATTACHMENT_BYTES, Incident, IncidentStatus, TimelineEntry, TimelineKind

from .backend_support import wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def client(demo: DemoBackend) -> Iterator[PlatformClient]:
    c = PlatformClient(demo.base_url, "duty", "duty", timeout=5, retries=0)
    yield c
    c.close()


def _incident(client: PlatformClient) -> Incident:
    return next(i for i in client.incidents()[0] if i.status == IncidentStatus.NEW)


def _attachments(client: PlatformClient, incident_id: str) -> list[TimelineEntry]:
    return [e for e in client.timeline(incident_id) if e.kind is TimelineKind.ATTACHMENT]


def _photo(tmp_path: Path, size: int = 2_000_000, name: str = "现场照片.jpg") -> Path:
    path = tmp_path / "originals" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(os.urandom(size))
    return path


def _download(client: PlatformClient, entry: TimelineEntry) -> bytes:
    out = io.BytesIO()
    client.download_attachment(entry.incident_id, entry.ref, out)
    return out.getvalue()


def test_an_attachment_goes_through_the_outbox_once_and_comes_back_byte_for_byte(
        tmp_path: Path, client: PlatformClient) -> None:
    incident, photo = _incident(client), _photo(tmp_path)
    original = photo.read_bytes()
    outbox = Outbox(tmp_path / "outbox.sqlite3", client, backoff_initial=0.05).start()
    try:
        row = outbox.enqueue_attachment(incident.id, photo)
        photo.unlink()  # the user may move the original at once: the outbox keeps its own copy
        assert outbox.wait_idle(20)
        item = outbox.get(row)
        assert item.state == OutboxState.SENT, item.last_error
        entry = item.result_model()
        assert isinstance(entry, TimelineEntry) and entry.kind is TimelineKind.ATTACHMENT
        assert entry.text == "现场照片.jpg" and entry.size == len(original) and entry.desk == client.desk_id
        assert [e.ref for e in _attachments(client, incident.id)] == [entry.ref]
        assert _download(client, entry) == original
        assert list(outbox.files_dir.iterdir()) == []  # the kept copy is gone once the platform has it
        assert (tmp_path / "outbox.sqlite3").stat().st_size < len(original) // 4  # the bytes never went in
    finally:
        outbox.stop()


def test_an_outage_during_the_upload_then_recovery_sends_it_once(tmp_path: Path) -> None:
    db_path = tmp_path / "demo.sqlite3"
    backend = DemoBackend(db_path=db_path, seed=11, simulate=False).start()
    port = backend.port
    client = PlatformClient(backend.base_url, "duty", "duty", timeout=2, retries=0)
    incident = _incident(client)
    backend.stop()  # the platform goes away before the file is sent
    photo = _photo(tmp_path, 5_000_000)
    outbox = Outbox(tmp_path / "outbox.sqlite3", client, backoff_initial=0.05, backoff_max=0.3).start()
    try:
        row = outbox.enqueue_attachment(incident.id, photo)
        assert wait_until(lambda: outbox.get(row).attempts >= 2, 10)
        assert outbox.get(row).state == OutboxState.PENDING
        assert len(list(outbox.files_dir.iterdir())) == 1  # kept while it waits
        backend = DemoBackend(db_path=db_path, port=port, seed=11, simulate=False).start()
        try:
            assert outbox.wait_idle(20)
            entry = outbox.get(row).result_model()
            assert [e.ref for e in _attachments(client, incident.id)] == [entry.ref]
            assert _download(client, entry) == photo.read_bytes()
        finally:
            backend.stop()
    finally:
        outbox.stop()
        client.close()


def test_kill_9_after_queueing_sends_it_once_on_the_next_start(
        tmp_path: Path, demo: DemoBackend, client: PlatformClient) -> None:
    incident, photo = _incident(client), _photo(tmp_path, 3_000_000)
    db = tmp_path / "outbox.sqlite3"
    script = textwrap.dedent(f"""
        import os, signal
        from commandwall.backend.api import PlatformClient
        from commandwall.backend.outbox import Outbox
        outbox = Outbox({str(db)!r}, PlatformClient({demo.base_url!r}, "duty", "duty"))
        row = outbox.enqueue_attachment({incident.id!r}, {str(photo)!r})
        print(row, outbox.get(row).idempotency_key, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    row_text, key = done.stdout.split()
    # The killed run's POST had reached the platform, its answer lost: the restart must not make a second one.
    with photo.open("rb") as data:
        already = client.add_attachment(incident.id, photo.name, data, key)
    stray = tmp_path / "outbox-files" / "0123abcd.part"  # a copy a kill cut short: no row names it
    stray.write_bytes(b"half a file")

    outbox = Outbox(db, client, backoff_initial=0.05).start()
    try:
        assert outbox.wait_idle(20)
        item = outbox.get(int(row_text))
        assert item.state == OutboxState.SENT and item.result_model() == already
        assert [e.ref for e in _attachments(client, incident.id)] == [already.ref]
        assert list(outbox.files_dir.iterdir()) == []  # the sent row's copy and the stray one are gone
    finally:
        outbox.stop()


def test_a_file_over_the_limit_is_not_queued_and_leaves_nothing(tmp_path: Path, client: PlatformClient) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as out:
        out.truncate(MAX_ATTACHMENT_BYTES + 1)
    outbox = Outbox(tmp_path / "outbox.sqlite3", client)
    try:
        with pytest.raises(AttachmentTooLargeError):
            outbox.enqueue_attachment(_incident(client).id, big)
        assert outbox.items() == [] and list(outbox.files_dir.iterdir()) == []
    finally:
        outbox.stop()


def test_a_viewers_attachment_is_refused_and_its_copy_let_go(tmp_path: Path, demo: DemoBackend) -> None:
    viewer = PlatformClient(demo.base_url, "viewer", "viewer", timeout=5, retries=0)
    outbox = Outbox(tmp_path / "outbox.sqlite3", viewer, backoff_initial=0.05).start()
    try:
        row = outbox.enqueue_attachment(_incident(viewer).id, _photo(tmp_path, 1000, "a.txt"))
        assert outbox.wait_idle(10)
        item = outbox.get(row)
        assert item.state == OutboxState.FAILED and "添加附件" in (item.last_error or "")
        assert list(outbox.files_dir.iterdir()) == []  # refused: sending it again would change nothing
        assert outbox.retry(row) and outbox.wait_idle(10)  # a retry says so instead of sending nothing
        assert "附件文件已丢失" in (outbox.get(row).last_error or "")
    finally:
        outbox.stop()
        viewer.close()


def test_a_row_naming_a_path_instead_of_a_kept_file_is_failed_not_followed(
        tmp_path: Path, client: PlatformClient) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the platform")
    outbox = Outbox(tmp_path / "outbox.sqlite3", client, backoff_initial=0.05).start()
    try:
        incident = _incident(client)
        row = outbox.enqueue("attachment", {"incident_id": incident.id, "name": "a.txt", "size": 20,
                                            "sha256": "0" * 64, "file": "../secret.txt"})
        assert outbox.wait_idle(10)
        assert outbox.get(row).state == OutboxState.FAILED and "附件文件已丢失" in outbox.get(row).last_error
        assert _attachments(client, incident.id) == [] and secret.exists()
    finally:
        outbox.stop()


def test_a_token_refused_mid_shift_sends_the_whole_file_after_logging_in_again(
        tmp_path: Path, demo: DemoBackend, client: PlatformClient) -> None:
    incident, photo = _incident(client), _photo(tmp_path, 1_500_000)
    with demo._db.transaction() as tx:  # type: ignore[union-attr]  # the platform forgets every token
        tx.execute("DELETE FROM tokens")
    with photo.open("rb") as data:
        entry = client.add_attachment(incident.id, photo.name, data, "after-401")  # 401, login, repeat
    assert entry.size == photo.stat().st_size and _download(client, entry) == photo.read_bytes()
