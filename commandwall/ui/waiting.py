"""Actions waiting in the desk's other outboxes (他人待发送): a status bar button and a read-only list.

When another user has logged in on the desk, or the desk uses another platform address, the actions the first
user queued stay in his own outbox until he logs in there again (they are never sent under another user's name).
The session tells the officer once (a notice); this button keeps it in sight while they wait and lists them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QPushButton, QStatusBar, QVBoxLayout, QWidget

from commandwall.app.outboxes import WaitingOutbox
from commandwall.i18n import translate


class WaitingElsewhere:
    """A status bar button saying how many actions wait in the desk's other outboxes (hidden when none); it opens
    the list. ``waiting()`` gives them as the session last read them (no file is read on the GUI thread)."""

    def __init__(self, status_bar: QStatusBar, parent: QWidget, waiting: Callable[[], list[WaitingOutbox]]) -> None:
        self._parent = parent
        self._waiting = waiting
        self.button = QPushButton()
        self.button.setObjectName("waitingElsewhereButton")
        self.button.setFlat(True)
        self.button.setStyleSheet("color: #faad14;")
        tip = translate("WaitingElsewhere", "其他用户（或其他平台地址）尚未送达的操作：需以该用户登录发送")
        self.button.setToolTip(tip)
        self.button.clicked.connect(self.show_dialog)
        self.button.hide()
        status_bar.addPermanentWidget(self.button)

    def refresh(self, *_args: object) -> None:
        """Show the count as the session last read it (hidden when nothing waits), and how many of the other
        outbox files could not be read (what waits in them is not known)."""
        waiting = self._waiting()
        count = sum(len(outbox.actions) for outbox in waiting)
        unreadable = sum(1 for outbox in waiting if outbox.problem)
        text = translate("WaitingElsewhere", "他人待发送 {count} 条").format(count=count)
        if unreadable:
            text += translate("WaitingElsewhere", "（{files} 个文件无法读取）").format(files=unreadable)
        self.button.setText(text)
        self.button.setVisible(count > 0 or unreadable > 0)

    def lines(self) -> list[str]:
        """The list as shown: for each other outbox its user, platform and actions."""
        return [line for outbox in self._waiting() for line in outbox.lines()]

    def show_dialog(self) -> QDialog:
        """Open the read-only list (modeless); returns the dialog."""
        dialog = QDialog(self._parent)
        dialog.setObjectName("waitingElsewhereDialog")
        dialog.setWindowTitle(translate("WaitingElsewhere", "其他用户待发送的操作"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        text = translate("WaitingElsewhere",
                         "这些操作保存在本机，只会以各自用户的身份发送：该用户登录（对应平台）后自动发出。")
        note = QLabel(text, dialog)
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.setWordWrap(True)
        listing = QListWidget(dialog)
        listing.setObjectName("waitingElsewhereList")
        listing.addItems(self.lines() or [translate("WaitingElsewhere", "（没有其他用户待发送的操作）")])
        layout = QVBoxLayout(dialog)
        layout.addWidget(note)
        layout.addWidget(listing)
        dialog.resize(640, 360)
        dialog.show()
        return dialog
