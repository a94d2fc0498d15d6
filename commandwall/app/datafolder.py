"""Whether the desk's data folder can keep what the officer does: the outbox (actions waiting for the platform),
the kept attachments and the last known state live there. A cheap look at start-up (one small file written and
removed, the free space asked), so that a full or read-only disk is said before an action is refused for it; and
what the officer reads when an action is refused for it (:func:`not_stored`)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from commandwall.backend.outbox import OutboxWriteError
from commandwall.domain.models import MAX_ATTACHMENT_BYTES
from commandwall.i18n import translate

#: Less free space than this (room for two of the largest attachments) is "nearly full".
LEAST_FREE_BYTES = 2 * MAX_ATTACHMENT_BYTES


def data_folder_problem(folder: Path, least_free: int = LEAST_FREE_BYTES) -> str | None:
    """Why ``folder`` may not keep the officer's actions (it cannot be written, or has less than ``least_free``
    bytes free), as the desk says it; None when it can."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder, prefix=".write-check-") as probe:
            probe.write(b"x")
            probe.flush()
    except OSError as exc:
        return translate(
            "datafolder", "数据目录 {folder} 无法写入（{error}）：派遣、受理、备注将无法提交，请检查磁盘和目录权限"
        ).format(folder=folder, error=exc.strerror or exc)
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return None
    if free < least_free:
        return translate(
            "datafolder",
            "数据目录 {folder} 所在磁盘剩余空间不足（{free} MB）：磁盘写满后派遣、受理、备注将无法提交，请及时清理",
        ).format(folder=folder, free=free // (1 << 20))
    return None


class NotStored(str):
    """The feedback of an action the desk could not store (its outbox unwritable: the data folder's disk full or
    read-only): nothing was queued. The officer's text stays where he typed it, the buttons come back, and the
    message log records it (a ``str``: shown like any other feedback)."""

    __slots__ = ()


def outbox_failure_reason(error: OutboxWriteError) -> str:
    """Why the outbox could not be written, in a few words: 磁盘已满, 数据目录只读, 正被其他程序占用, or the
    error's class."""
    if error.full:
        return translate("incidents", "磁盘已满")
    if error.read_only:
        return translate("incidents", "数据目录只读")
    if error.held:
        return translate("incidents", "正被其他程序占用")
    return type(error.error).__name__


def not_stored(what: str, error: OutboxWriteError) -> NotStored:
    """What the officer reads when ``what`` (「受理」, 备注, 派遣任务 …) could not be written to the outbox."""
    reason = outbox_failure_reason(error)
    if error.held:  # nothing to clean: the other program has to let go of the file (the desk reopens it by itself)
        text = translate("incidents", "{what}未提交：本地发件箱文件{reason}，请关闭占用它的程序后重试")
    else:
        text = translate("incidents", "{what}未提交：本地发件箱无法写入（{reason}），请清理磁盘或检查数据目录后重试")
    return NotStored(text.format(what=what, reason=reason))
