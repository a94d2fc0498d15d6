"""Attachment names and sizes as the desk shows and saves them: hostile names (path separators, .., bidi
controls, markup, 300 characters, device names) are text on screen and a plain, bounded file name on disk."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from commandwall.app.attachments import AttachmentCentre, attachments_in, describe_size
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.domain.models import MAX_ATTACHMENT_BYTES, TimelineEntry
from commandwall.textsafe import BIDI_CONTROLS, FILE_NAME_MAX_BYTES, FILE_NAME_MAX_CHARS, safe_file_name

AT = datetime(2026, 7, 14, 8, 0, tzinfo=UTC)


def entry(name: str, size: int | None = 1234, kind: str = "attachment", seq: int = 1) -> TimelineEntry:
    return TimelineEntry.model_validate({"seq": seq, "incident_id": "INC-1", "kind": kind, "text": name,
                                         "ref": f"ATT-{seq}", "actor": "duty", "at": AT, "size": size})


@pytest.mark.parametrize(("name", "expected"), [
    ("现场照片.jpg", "现场照片.jpg"),
    ("../../etc/passwd", "etc_passwd"),
    ("..", "附件"),
    ("", "附件"),
    ("C:\\Windows\\system32\\cmd.exe", "C_Windows_system32_cmd.exe"),
    ("\u202egnp.exe", "gnp.exe"),
    ("<img src=x onerror=alert(1)>.html", "img src=x onerror=alert(1).html"),
    ("CON.txt", "_CON.txt"),
    ("nul", "_nul"),
    (" .hidden. ", "hidden"),
])
def test_a_file_name_from_outside_becomes_one_plain_name(name: str, expected: str) -> None:
    assert safe_file_name(name, "附件") == expected


def test_a_long_name_is_bounded_and_keeps_its_extension() -> None:
    for stem in ("a" * 300, "长" * 300, "😀" * 300):
        name = safe_file_name(stem + ".pdf", "附件")
        assert name.endswith(".pdf") and len(name) <= FILE_NAME_MAX_CHARS
        assert len(name.encode()) <= FILE_NAME_MAX_BYTES


def test_the_timeline_lists_its_attachments_as_text_and_safe_local_names() -> None:
    hostile = "../../" + "\u202e" + "长" * 300 + "<b>x</b>.exe"
    entries = [entry("现场照片.jpg", 150_000, seq=1), entry("备注", kind="note", seq=2), entry(hostile, 5, seq=3)]
    photo, program = attachments_in(entries)
    assert photo.label == "现场照片.jpg（146.5 KB）" and photo.opens_directly
    assert "‹U+202E›" in program.label and len(program.label) < 140 and program.label.endswith("（5 B）")
    assert not set(program.file_name) & (BIDI_CONTROLS | set("/\\")) and program.file_name.endswith(".exe")
    assert not program.opens_directly  # a program is only saved, never handed to the system to open


def test_sizes_read_as_people_say_them() -> None:
    assert [describe_size(n) for n in (None, 0, 1023, 1024, 20 * 1024 * 1024, 3 << 29, -1, 2**62)] == [
        "?", "0 B", "1023 B", "1.0 KB", "20.0 MB", "1.5 GB", "?", "?"]


@pytest.mark.parametrize("name", ["invoice.pif", "a.jse", "a.wsh", "a.msc", "a.scf", "a.pyz", "a.jnlp", "a.ps1xml",
                                  "page.mhtml", "page.xht", "page.shtml", "a.docm", "a.xlsm", "noextension",
                                  "a.pdf.exe", "a.PIF"])
def test_only_pictures_recordings_and_documents_open_with_a_double_click(name: str) -> None:
    """What may open is listed (a list of what may not never ends: .pif, .jse, .mhtml… each runs or renders
    somewhere); everything else is only saved."""
    (ref,) = attachments_in([entry(name, 5)])
    assert not ref.opens_directly, ref.file_name


@pytest.mark.parametrize("name", ["现场照片.JPG", "录音.amr", "视频.mp4", "通报.pdf", "报告.docx", "表.et", "公文.ofd"])
def test_field_report_files_open_with_a_double_click(name: str) -> None:
    (ref,) = attachments_in([entry(name, 5)])
    assert ref.opens_directly


def test_a_folder_or_an_oversized_file_is_refused_before_anything_is_copied(tmp_path: Path) -> None:
    session = ClientSession(Settings(data_dir=tmp_path / "d"), PlatformFactory.at_url("http://127.0.0.1:9"))
    centre = AttachmentCentre(session, tmp_path / "downloads")
    big = tmp_path / "big.bin"
    with big.open("wb") as out:
        out.truncate(MAX_ATTACHMENT_BYTES + 1)
    answers: list[tuple[str, bool]] = []
    centre.attach("INC-1", tmp_path, lambda text, queued: answers.append((text, queued)))
    centre.attach("INC-1", big, lambda text, queued: answers.append((text, queued)))
    centre.attach("INC-1", tmp_path / "missing.jpg", lambda text, queued: answers.append((text, queued)))
    centre.close()
    assert [queued for _, queued in answers] == [False, False, False]
    assert answers[0][0].startswith("不是文件") and "超过附件上限 20.0 MB" in answers[1][0]
    assert "missing.jpg" in answers[2][0]
