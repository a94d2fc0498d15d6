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
    assert answers[0][0].startswith("不是文件") and f"超过附件上限 {MAX_ATTACHMENT_BYTES} B" in answers[1][0]
    assert "missing.jpg" in answers[2][0]


# ---- fetching: a failed download never costs the officer a file; nothing is written through a link ---------


@pytest.fixture
def attached(tmp_path: Path):
    """A real exercise backend with one attached photo, and a desk session logged in to it."""
    import io
    import threading

    from commandwall.app.attachments import AttachmentRef
    from commandwall.backend.api import PlatformClient
    from commandwall.demo import DemoBackend

    with DemoBackend(db_path=tmp_path / "exercise.sqlite3", simulate=False) as demo:
        client = PlatformClient(demo.base_url, "duty", "duty")
        incident = client.incidents()[0][0]
        photo = b"\xff\xd8" + bytes(range(256)) * 40
        added = client.add_attachment(incident.id, "现场照片.jpg", io.BytesIO(photo), "attach-1")
        session = ClientSession(Settings(data_dir=tmp_path / "d"), PlatformFactory.at_url(demo.base_url))
        session.start()
        ref = AttachmentRef(added.ref, incident.id, added.text, added.size, added)

        def fetch(centre: AttachmentCentre, attachment: AttachmentRef, target: Path | None = None):
            answered = threading.Event()
            answer: list = []
            centre.fetch(attachment, lambda path, error: (answer.extend([path, error]), answered.set()), target)
            assert answered.wait(20), "fetch never answered"
            return answer

        try:
            yield session, ref, photo, fetch
        finally:
            session.stop()
            client.close()


def test_a_failed_save_as_leaves_the_file_it_would_have_replaced(tmp_path: Path, attached) -> None:
    """另存为 onto an existing report: the platform no longer has the attachment (404), then the officer is logged
    out. Each time the existing file is as it was (it was emptied and deleted), the error is said, and no part
    file is left beside it."""
    from dataclasses import replace

    session, ref, _photo, fetch = attached
    folder = tmp_path / "save"
    folder.mkdir()
    report = folder / "shift_report.pdf"
    report.write_bytes(b"%PDF-1.7 the shift's report")
    centre = AttachmentCentre(session, tmp_path / "downloads")
    path, error = fetch(centre, replace(ref, id="ATT-GONE"), report)
    assert path is None and error.startswith("无法获取附件")
    assert report.read_bytes() == b"%PDF-1.7 the shift's report"
    session.log_out()
    path, error = fetch(centre, ref, report)
    assert path is None and "未登录" in error
    assert report.read_bytes() == b"%PDF-1.7 the shift's report"
    assert [p.name for p in folder.iterdir()] == ["shift_report.pdf"]
    centre.close()


def test_a_save_as_replaces_the_file_whole_and_keeps_its_permissions(tmp_path: Path, attached) -> None:
    session, ref, photo, fetch = attached
    target = tmp_path / "photo.jpg"
    target.write_bytes(b"old")
    target.chmod(0o640)
    centre = AttachmentCentre(session, tmp_path / "downloads")
    path, error = fetch(centre, ref, target)
    assert (path, error) == (target, "") and target.read_bytes() == photo
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    centre.close()


def test_a_link_planted_where_the_copy_goes_is_replaced_not_followed(tmp_path: Path, attached) -> None:
    """Another account plants a link at the path the local copy takes (a folder named by ids any platform user
    sees): the fetched file replaces the link; the file it pointed at is untouched."""
    session, ref, photo, fetch = attached
    shared = tmp_path / "shared"
    centre = AttachmentCentre(session, shared)
    planted = centre._local_copy_path(ref)
    planted.parent.mkdir(parents=True)
    victim = tmp_path / "bashrc"
    victim.write_text("echo the officer's own settings\n")
    planted.symlink_to(victim)
    path, error = fetch(centre, ref)
    assert error == "" and path == planted and not planted.is_symlink() and planted.read_bytes() == photo
    assert victim.read_text() == "echo the officer's own settings\n"
    assert planted.stat().st_mode & 0o777 == 0o644  # not the link's own 0777
    centre.close()


def test_the_local_copies_go_to_a_folder_of_this_clients_own_gone_at_close(tmp_path: Path, attached) -> None:
    """Not a fixed folder under /tmp that anyone can make first: a private one named by chance, removed when
    the client closes."""
    session, ref, photo, fetch = attached
    first, second = AttachmentCentre(session), AttachmentCentre(session)
    path, error = fetch(first, ref)
    other, _ = fetch(second, ref)
    assert error == "" and path.read_bytes() == photo and other.read_bytes() == photo
    own = first.download_dir
    assert own is not None and path.is_relative_to(own) and not other.is_relative_to(own)
    assert own.stat().st_mode & 0o777 == 0o700
    first.close()
    second.close()
    assert not own.exists() and not second.download_dir.exists()


@pytest.mark.parametrize("where", ["folder", "proc"])
def test_a_save_as_onto_a_folder_or_an_unwritable_place_says_why(tmp_path: Path, attached, where: str) -> None:
    """The detail waits for an answer (正在获取…): a target that cannot be written must give one."""
    session, ref, _photo, fetch = attached
    target = tmp_path / "a folder" if where == "folder" else Path("/proc/version")
    if where == "folder":
        target.mkdir()
    centre = AttachmentCentre(session, tmp_path / "downloads")
    path, error = fetch(centre, ref, target)
    assert path is None and error.startswith("无法获取附件："), error
    assert str(target) in error or target.name in error, error
    if where == "folder":
        assert target.is_dir() and list(target.iterdir()) == []
    centre.close()


def test_a_file_named_in_gbk_is_attached_under_its_chinese_name(tmp_path: Path, attached) -> None:
    """A photo from a Windows USB stick: its name is GBK bytes, not UTF-8 (Python holds it as lone surrogates,
    which the outbox's JSON and SQLite cannot carry: the attach hung on 正在准备附件…). It is queued and sent under
    its Chinese name."""
    import os
    import threading

    from commandwall.backend.outbox import OutboxState

    session, ref, _photo, _fetch = attached
    folder = tmp_path / "usb"
    folder.mkdir()
    raw = os.path.join(os.fsencode(folder), "现场照片.jpg".encode("gbk"))
    with open(raw, "wb") as out:
        out.write(b"\xff\xd8 a photo")
    [path] = folder.iterdir()
    assert any(0xDC80 <= ord(c) <= 0xDCFF for c in path.name)  # as Python reads a name that is not UTF-8
    centre = AttachmentCentre(session, tmp_path / "downloads")
    answered, answers = threading.Event(), []
    centre.attach(ref.incident_id, path, lambda text, queued: (answers.append((text, queued)), answered.set()))
    assert answered.wait(20), "attach never answered"
    assert answers[0][1] and "现场照片.jpg" in answers[0][0], answers
    assert session.outbox.wait_idle(20)
    [sent] = [i for i in session.outbox.items(OutboxState.SENT) if i.kind == "attachment"]
    assert sent.payload["name"] == "现场照片.jpg"
    centre.close()


def test_a_file_just_over_the_limit_says_by_how_many_bytes(tmp_path: Path) -> None:
    session = ClientSession(Settings(data_dir=tmp_path / "d"), PlatformFactory.at_url("http://127.0.0.1:9"))
    centre = AttachmentCentre(session, tmp_path / "downloads")
    just_over = tmp_path / "over.bin"
    with just_over.open("wb") as out:
        out.truncate(MAX_ATTACHMENT_BYTES + 1)
    problem = centre.refusal(just_over)
    centre.close()
    assert problem is not None and f"{MAX_ATTACHMENT_BYTES + 1} B" in problem and f"{MAX_ATTACHMENT_BYTES} B" in problem
