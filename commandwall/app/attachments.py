"""Attachments of an incident (附件), without Qt: attaching a file through the outbox, listing the attached files
from the timeline, and fetching one to a local copy to open or save.

Attaching copies the file into the outbox's folder and queues it (exactly once, see ``backend.outbox``): the
copy takes a moment for a 20 MB file, so :meth:`AttachmentCentre.attach` runs it on a worker thread and answers
through a callback. A file name comes from outside (another desk's upload, the platform): it is shown through
``display_text`` and made into a file name only by ``textsafe.safe_file_name``; fetched copies go to a folder
per attachment id under a folder of this client's own (made with ``tempfile.mkdtemp``: private to the user and
named by chance, so no other account can plant a link there), never to a path the name chose.

A fetched file is written to a new temporary file beside its target (created exclusively, never through a link)
and put in place with one rename once it is whole: a failed or cut download leaves the target as it was, an
earlier file of that name included, and a link planted at the target is replaced, not followed.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from commandwall.app.datafolder import not_stored
from commandwall.app.session import ClientSession
from commandwall.backend.errors import BackendError, BackendUnavailableError, PermissionDeniedError
from commandwall.backend.keptfiles import AttachmentTooLargeError
from commandwall.backend.outbox import OutboxWriteError
from commandwall.domain.models import MAX_ATTACHMENT_BYTES, TimelineEntry, TimelineKind
from commandwall.i18n import translate
from commandwall.textsafe import display_text, safe_file_name

log = logging.getLogger(__name__)

#: Extensions a double click hands to the system to open: pictures, recordings and documents of the kinds field
#: reports carry (WPS and OFD included), none that runs or renders as a page. Everything else is only saved
#: (另存为…): a list of what may open is complete where a list of what may not never is (``.pif``, ``.jse``,
#: ``.mhtml``… each opens, runs or renders on some desk).
OPENED_DIRECTLY = frozenset({
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".heic",
    ".mp4", ".mov", ".avi", ".mkv", ".3gp", ".mp3", ".wav", ".m4a", ".amr", ".aac",
    ".pdf", ".ofd", ".txt", ".csv", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp",
    ".wps", ".et", ".dps",
})


@dataclass(frozen=True)
class AttachmentRef:
    """One attached file as the timeline records it: its id, incident, name as sent, size and who attached it."""

    id: str
    incident_id: str
    name: str
    size: int | None
    entry: TimelineEntry

    @property
    def label(self) -> str:
        """A line for the attachment list: name (outside text, made safe) and size."""
        return translate("incidents", "{name}（{size}）").format(name=display_text(self.name, 120, isolate=True),
                                                                 size=describe_size(self.size))

    @property
    def file_name(self) -> str:
        """The name the local copy gets (sanitised; never a path)."""
        return safe_file_name(self.name, translate("incidents", "附件"))

    @property
    def opens_directly(self) -> bool:
        """Whether a double click may hand the local copy to the system (not scripts, programs, pages)."""
        return Path(self.file_name).suffix.lower() in OPENED_DIRECTLY


def describe_size(size: int | None) -> str:
    """A file size as people read it: 512 B, 3.4 KB, 12.0 MB, 1.5 GB (unknown, or beyond what any attachment can
    be: ?)."""
    if size is None or size < 0 or size >= 1 << 50:
        return "?"
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    if size < 1 << 30:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / (1 << 30):.1f} GB"


def readable_name(path: Path) -> str:
    """The file's name as text to send and show. A name that is not UTF-8 on disk (GBK from a Windows USB stick,
    which Python keeps as lone surrogates no JSON, SQLite or HTTP header can carry) is read as GB 18030, the
    national superset of GBK; bytes that are not that either become U+FFFD."""
    raw = os.fsencode(path.name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")


#: An incident's detail lists at most this many of its attached files, the newest; one line before them says how
#: many earlier ones it leaves out (a platform's timeline may record tens of thousands: listing 60 000 took the
#: window 1.5–1.8 s at each refresh of the timeline).
ATTACHMENTS_SHOWN = 200


def attachments_in(entries: list[TimelineEntry]) -> list[AttachmentRef]:
    """The attached files a timeline records, oldest first."""
    return [AttachmentRef(e.ref, e.incident_id, e.text, e.size, e) for e in entries
            if e.kind is TimelineKind.ATTACHMENT and e.ref]


def newest_attachments(entries: list[TimelineEntry], limit: int = ATTACHMENTS_SHOWN) -> tuple[list[AttachmentRef], int]:
    """The newest ``limit`` attached files a timeline records (oldest first) and how many earlier ones it leaves
    out."""
    refs = attachments_in(entries)
    earlier = max(0, len(refs) - limit)
    return refs[earlier:], earlier


class AttachmentCentre:
    """Attaching files to incidents and fetching attached ones, off the caller's thread (one worker: files are
    copied and fetched one after another)."""

    def __init__(self, session: ClientSession, download_dir: Path | None = None) -> None:
        self.session = session
        self._own_dir = download_dir is None  # made on the first fetch, removed at close
        self.download_dir = download_dir
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="commandwall-attachments")

    def refusal(self, path: Path) -> str | None:
        """Why ``path`` cannot be attached before anything is copied (not a file, too large), or None."""
        try:
            if not path.is_file():
                return translate("incidents", "不是文件：{name}").format(name=display_text(readable_name(path),
                                                                                             isolate=True))
            size = path.stat().st_size
        except OSError as exc:
            return translate("incidents", "无法读取文件：{error}").format(error=display_text(str(exc)))
        if size > MAX_ATTACHMENT_BYTES:
            shown, limit = describe_size(size), describe_size(MAX_ATTACHMENT_BYTES)
            if shown == limit:  # just over: 20.0 MB over 20.0 MB says nothing; the bytes do
                shown, limit = f"{size} B", f"{MAX_ATTACHMENT_BYTES} B"
            return translate("incidents", "文件 {name} 为 {size}，超过附件上限 {limit}").format(
                name=display_text(readable_name(path), 80, isolate=True), size=shown, limit=limit)
        return None

    def attach(self, incident_id: str, path: Path, done: Callable[[str, bool], None]) -> None:
        """Queue ``path`` for the incident; ``done(feedback, queued)`` is called on a worker thread (or at once
        for a refusal: role, not a file, too large)."""
        problem = self.refusal(path)
        if problem is not None:
            done(problem, False)
            return

        def copy_and_queue() -> None:
            try:
                self.session.add_attachment(incident_id, path, readable_name(path))
            except PermissionDeniedError as exc:
                done(exc.message, False)
            except OutboxWriteError as exc:  # the data folder's disk is full or read-only: said, not lost
                log.error("attachment %r not queued: %s", readable_name(path), exc)
                done(not_stored(translate("incidents", "附件"), exc), False)
            except AttachmentTooLargeError:
                done(translate("incidents", "文件超过附件上限 {limit}").format(
                    limit=describe_size(MAX_ATTACHMENT_BYTES)), False)
            except OSError as exc:
                done(translate("incidents", "无法读取文件：{error}").format(error=display_text(str(exc))), False)
            except Exception as exc:  # a bug must still answer: the detail says 正在准备附件… until it does
                log.exception("queueing attachment %r failed", readable_name(path))
                done(translate("incidents", "附件未能提交：{error}").format(error=type(exc).__name__), False)
            else:
                done(translate("incidents", "附件 {name} 已提交，等待平台确认…").format(
                    name=display_text(readable_name(path), 80, isolate=True)), True)

        self._submit(copy_and_queue)

    def fetch(self, attachment: AttachmentRef, done: Callable[[Path | None, str], None],
              target: Path | None = None) -> None:
        """Save the attached file to ``target`` (default: a fresh local copy under :attr:`download_dir`);
        ``done(path, "")`` or ``done(None, error)`` on a worker thread."""

        def download() -> None:
            try:
                path = target or self._local_copy_path(attachment)
                path.parent.mkdir(parents=True, exist_ok=True)
                self._download_into(attachment, path)
            except (BackendError, OSError) as exc:
                if isinstance(exc, BackendUnavailableError):
                    message = exc.summary  # what went wrong, not the request and the exception classes
                elif isinstance(exc, BackendError):
                    message = exc.message  # the platform's own words
                else:  # the place it was to be saved, not the part file beside it
                    message = translate("incidents", "{error}：{where}").format(
                        error=exc.strerror or type(exc).__name__, where=target or attachment.file_name)
                done(None, translate("incidents", "无法获取附件：{error}").format(error=display_text(message)))
                return
            except Exception as exc:  # a bug must still answer: the detail says 正在获取… until it does
                log.exception("fetching attachment %s failed", attachment.id)
                done(None, translate("incidents", "无法获取附件：{error}").format(error=type(exc).__name__))
                return
            done(path, "")

        self._submit(download)

    def _download_into(self, attachment: AttachmentRef, path: Path) -> None:
        """Fetch into a new file beside ``path`` and rename it over ``path`` once whole (see the module
        docstring); the new file goes away if anything fails. A file replaced keeps its permissions."""
        try:
            found = path.lstat()  # the entry itself: a link's target is none of this file's business
        except OSError:
            found = None
        mode = stat.S_IMODE(found.st_mode) & 0o777 if found and stat.S_ISREG(found.st_mode) else 0o644
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        handle, part = tempfile.mkstemp(prefix=".commandwall-", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                self.session.download_attachment(attachment.incident_id, attachment.id, out)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(part, mode)
            os.replace(part, path)
        except BaseException:
            Path(part).unlink(missing_ok=True)
            raise

    def _local_copy_path(self, attachment: AttachmentRef) -> Path:
        """A folder per attachment (its id, sanitised) holding the file under its sanitised name, in this
        client's own folder (made now if it has none yet)."""
        if self.download_dir is None:
            self.download_dir = Path(tempfile.mkdtemp(prefix="commandwall-attachments-"))
        folder = safe_file_name(f"{attachment.incident_id}-{attachment.id}", "attachment")
        return self.download_dir / folder / attachment.file_name

    def _submit(self, work: Callable[[], None]) -> None:
        try:
            self._executor.submit(work)
        except RuntimeError:  # closed: the window is going away
            log.debug("attachment work dropped: closed")

    def close(self) -> None:
        """Stop the worker (a copy or download in flight finishes on its own) and remove this client's own
        folder of fetched copies (what a viewer still holds open stays where the system allows)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._own_dir and self.download_dir is not None:
            shutil.rmtree(self.download_dir, ignore_errors=True)
