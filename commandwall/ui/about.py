"""The About dialog: product name, version, build date and revision, platform address, Qt versions, log file."""

from __future__ import annotations

import html

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from commandwall import buildinfo
from commandwall.backend.http import redact
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.logs import current_log_file
from commandwall.textsafe import display_text

TITLE = QT_TRANSLATE_NOOP("AboutBox", "关于")
PRODUCT = QT_TRANSLATE_NOOP("AboutBox", "薛城区一体化综合指挥平台 桌面客户端")


def about_text(base_url: str | None = None) -> str:
    """The dialog's rich text (every value marked by ``display_text`` and escaped; credentials in ``base_url``
    redacted)."""
    info = buildinfo.current()
    rows = [
        (translate("AboutBox", "版本"), info.version),
        (translate("AboutBox", "构建日期"),
         info.build_date() if info.built_at else translate("AboutBox", "开发版（源码运行）")),
    ]
    if info.revision:
        rows.append((translate("AboutBox", "源码版本"), info.revision))
    if base_url:
        rows.append((translate("AboutBox", "平台"), redact(str(base_url))))
    rows.append(("Qt", f"{qVersion()} (PySide6 {PySide6.__version__})"))
    log_file = current_log_file()
    if log_file is not None:
        rows.append((translate("AboutBox", "日志文件"), str(log_file)))
    cells = "".join(
        f"<tr><td style='padding-right:12px'>{html.escape(k)}</td><td>{html.escape(display_text(v))}</td></tr>"
        for k, v in rows
    )
    product = html.escape(translate("AboutBox", PRODUCT))
    return f"<p><b>commandwall</b><br>{product}</p><table>{cells}</table>"


def show_about(parent: QWidget | None, base_url: str | None = None) -> None:
    """Show the About box (modal) over ``parent``."""
    QMessageBox.about(parent, translate("AboutBox", TITLE), about_text(base_url))
