"""The status bar's message history (消息记录): what the desk said, kept after the status bar moved on.

The status bar shows one message at a time and the next replaces it: at start-up several come within a second
(a base map that cannot load, the preset recalled, the layers), and an outage or a refusal said while the officer
looked at the wall is gone when he looks down. Every message shown is kept here with its time (the newest
:data:`MAX_MESSAGES`), and a button at the status bar's right lists them, newest first, as plain text.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QListWidget, QPushButton, QStatusBar, QVBoxLayout, QWidget

from commandwall import localtime
from commandwall.i18n import translate
from commandwall.textsafe import display_text

#: Messages kept (the oldest go first).
MAX_MESSAGES = 500


class MessageLog:
    """Keeps what ``status_bar`` shows (with the platform's time) and offers it from a button on the bar."""

    def __init__(self, status_bar: QStatusBar, parent: QWidget) -> None:
        self.entries: deque[tuple[datetime, str]] = deque(maxlen=MAX_MESSAGES)
        self._parent = parent
        self.button = QPushButton()
        self.button.setObjectName("messageLogButton")
        self.button.setFlat(True)
        self.button.setToolTip(translate("MessageLog", "本次运行中状态栏显示过的消息"))
        self.button.clicked.connect(self.show_dialog)
        self._update_button()
        status_bar.addPermanentWidget(self.button)
        status_bar.messageChanged.connect(self.note)

    def note(self, text: str) -> None:
        """Keep a message the status bar shows now (an empty one: the bar was cleared, nothing to keep; the same
        text again right after is one entry)."""
        if not text.strip():
            return
        if self.entries and self.entries[-1][1] == text:
            return
        self.entries.append((localtime.now(), text))
        self._update_button()

    def lines(self) -> list[str]:
        """The messages as listed, newest first: ``HH:MM:SS  text`` (made safe to show)."""
        return [f"{moment:%H:%M:%S}  {display_text(text)}" for moment, text in reversed(self.entries)]

    def show_dialog(self) -> QDialog:
        """Open the list (modeless: the desk goes on working under it); returns the dialog."""
        dialog = QDialog(self._parent)
        dialog.setObjectName("messageLogDialog")
        dialog.setWindowTitle(translate("MessageLog", "消息记录"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        listing = QListWidget(dialog)
        listing.setObjectName("messageLogList")
        listing.addItems(self.lines() or [translate("MessageLog", "（暂无消息）")])
        listing.setWordWrap(True)
        layout = QVBoxLayout(dialog)
        layout.addWidget(listing)
        dialog.resize(760, 420)
        dialog.show()
        return dialog

    def _update_button(self) -> None:
        self.button.setText(translate("MessageLog", "消息 {count}").format(count=len(self.entries)))
