"""Attachments in the incident detail against a real exercise backend: a file dropped on the detail goes through
the outbox and shows in the timeline and the attachment list (a hostile name as text), a double click opens a
local copy with the same bytes under a sanitised name, a viewer may not attach."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from commandwall.domain.models import IncidentStatus
from commandwall.textsafe import BIDI_CONTROLS
from tests.ui.test_incident_workflow_ui import SHOTS, IncidentDesk

HOSTILE_NAME = "..\u202egnp.exe<b>现场<i>照片.jpg"  # a local name: no "/" (that one comes from another desk)


@pytest.fixture
def desk_as(qtbot, exercise, tmp_path):
    desks: list[IncidentDesk] = []

    def make(username: str) -> IncidentDesk:
        desks.append(IncidentDesk(qtbot, exercise, tmp_path / username, username))
        return desks[-1]

    yield make
    for desk in desks:
        desk.close()


def _drop(widget, *paths: Path) -> tuple[bool, bool]:
    """Drag ``paths`` over ``widget`` and drop them: (drag accepted, drop accepted). The handlers are called
    directly: Qt delivers a drop only during a real drag, which a test cannot start."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    enter.setAccepted(False)
    widget.dragEnterEvent(enter)
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    drop.setAccepted(False)
    widget.dropEvent(drop)
    return enter.isAccepted(), drop.isAccepted()


def test_a_dropped_file_reaches_the_timeline_and_opens_as_a_local_copy(qtbot, desk_as, tmp_path) -> None:
    desk = desk_as("duty")
    incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
    assert desk.feature.panel.select(incident.id)
    assert desk.detail.attach_button.isEnabled()
    original = tmp_path / HOSTILE_NAME
    original.write_bytes(os.urandom(400_000))

    assert _drop(desk.detail, original) == (True, True)
    qtbot.waitUntil(lambda: desk.detail.attachments.count() == 1, timeout=20000)
    label = desk.detail.attachments.item(0).text()
    assert "<b>现场<i>照片.jpg" in label and "‹U+202E›" in label and "390.6 KB" in label  # as text
    qtbot.waitUntil(lambda: "附件 " in desk.detail.timeline.toPlainText(), timeout=10000)
    line = next(s for s in desk.detail.timeline.toPlainText().splitlines() if "附件 " in s)
    assert "duty@" in line and "\u202e" not in line

    opened: list[Path] = []
    desk.feature.open_local_file = opened.append
    desk.controller.attachments.download_dir = tmp_path / "downloads"
    desk.detail.attachments.itemActivated.emit(desk.detail.attachments.item(0))
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    copy = opened[0]
    assert copy.read_bytes() == original.read_bytes()
    assert copy.is_relative_to(tmp_path / "downloads") and copy.suffix == ".jpg"
    assert not set(copy.name) & (BIDI_CONTROLS | set("<>/\\")) and not copy.name.startswith(".")

    # Another desk attaches a file whose name is a path, markup and 239 characters long.
    from_elsewhere = "../../etc/" + "长" * 200 + "<script>alert(1)</script>.pdf"
    with original.open("rb") as data:
        desk.session.client.add_attachment(incident.id, from_elsewhere, data, "another-desk-1")
    desk.feature.refresh_timeline()
    qtbot.waitUntil(lambda: desk.detail.attachments.count() == 2, timeout=10000)
    assert len(desk.detail.attachments.item(1).text()) < 140  # bounded, the size still shown
    desk.detail.attachments.itemActivated.emit(desk.detail.attachments.item(1))
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=10000)
    second = opened[1]
    assert second.parent.parent == tmp_path / "downloads" and second.suffix == ".pdf" and len(second.name) <= 60
    assert "/" not in second.name and ".." not in second.name and second.read_bytes() == original.read_bytes()
    SHOTS.mkdir(parents=True, exist_ok=True)
    desk.window.grab().save(str(SHOTS / "incident-attachment.png"))


def test_a_page_or_program_is_saved_not_opened(qtbot, desk_as, tmp_path) -> None:
    desk = desk_as("duty")
    incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
    assert desk.feature.panel.select(incident.id)
    page = tmp_path / "通知.html"
    page.write_bytes(b"<script>alert(1)</script>")
    desk.feature.attach_file(incident.id, str(page))
    qtbot.waitUntil(lambda: desk.detail.attachments.count() == 1, timeout=20000)
    ref = desk.detail._attachment_refs[0]
    assert not ref.opens_directly
    target = tmp_path / "saved" / ref.file_name
    target.parent.mkdir()
    desk.feature.save_attachment(ref, target)
    qtbot.waitUntil(lambda: target.is_file() and "已保存" in desk.detail.feedback.text(), timeout=10000)
    assert target.read_bytes() == page.read_bytes()


def test_a_viewer_may_not_attach(qtbot, desk_as, tmp_path) -> None:
    desk = desk_as("viewer")
    incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
    assert desk.feature.panel.select(incident.id)
    assert not desk.detail.attach_button.isEnabled()
    assert "当前角色（观察员）无权执行「添加附件」" in desk.detail.attach_button.toolTip()
    file = tmp_path / "a.txt"
    file.write_text("x")
    assert _drop(desk.detail, file) == (False, False)
    assert desk.session.outbox is not None and desk.session.outbox.items() == []


def test_a_timeline_of_tens_of_thousands_of_files_lists_the_newest_and_opens_the_right_one(qtbot, desk_as) -> None:
    """A platform's timeline recording 20 000 attached files (a camera pushing a snapshot a minute for two weeks):
    listing them all took the window seconds at each refresh. The detail lists the newest few hundred after a line
    saying how many earlier ones it leaves out, and a file activated in the list is that file, not its neighbour."""
    from datetime import UTC, datetime, timedelta

    from commandwall.app.attachments import ATTACHMENTS_SHOWN
    from commandwall.domain.models import TimelineEntry, TimelineKind

    desk = desk_as("duty")
    incident = next(i for i in desk.session.incidents.open())
    assert desk.feature.panel.select(incident.id)
    start = datetime(2026, 11, 20, tzinfo=UTC)
    entries = [TimelineEntry(seq=n + 1, incident_id=incident.id, kind=TimelineKind.ATTACHMENT, text=f"抓拍{n:05d}.jpg",
                             ref=f"ATT-{n:05d}", actor="cam", at=start + timedelta(minutes=n), size=200_000)
               for n in range(20_000)]  # fmt: skip
    opened = []
    desk.detail.sig_open_attachment.connect(opened.append)
    desk.feature._timeline_fetched(incident.id, entries, "")  # as the fetch worker hands it over
    qtbot.waitUntil(lambda: desk.detail.attachments.count() == ATTACHMENTS_SHOWN + 1, timeout=5000)
    first = desk.detail.attachments.item(0)
    assert first.text() == f"较早的 {20_000 - ATTACHMENTS_SHOWN} 个附件未列出" and not first.flags()
    newest = desk.detail.attachments.item(ATTACHMENTS_SHOWN)
    assert newest.text().startswith("抓拍19999.jpg")
    desk.detail.attachments.itemActivated.emit(newest)
    desk.detail.attachments.itemActivated.emit(first)  # the note opens nothing
    assert [ref.id for ref in opened] == ["ATT-19999"]
