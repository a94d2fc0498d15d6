"""Whether the settings folder can keep this desk's settings (layer view, screen profiles, language, added
layers), said in words for the duty officer when it cannot (a file of that name, no rights)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from commandwall.i18n import translate


def unusable_folder_reason(folder: Path) -> str | None:
    """Make ``folder`` (and its parents) if missing; why it cannot hold files, in words (a file of that name on
    the way, no rights, the system's reason), or None when it can. The settings and the data folder both ask."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as exc:
        if any(part.exists() and not part.is_dir() for part in (folder, *folder.parents)):
            return translate("SettingsFolder", "同名的文件已存在，不是文件夹")
        return exc.strerror or type(exc).__name__
    return None


def settings_folder_problem(config_dir: Path) -> str | None:
    """Why the settings folder cannot keep this desk's settings (made when missing), in words for the duty
    officer: ``设置目录不可用：<folder>（<why>），本次的界面设置不会保存``; None when it can."""
    folder = Path(config_dir)
    reason = unusable_folder_reason(folder)
    if reason is None:
        return None
    return translate("SettingsFolder", "设置目录不可用：{folder}（{reason}），本次的界面设置不会保存").format(
        folder=folder, reason=reason)
