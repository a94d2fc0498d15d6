"""未送达的操作: the list of this desk's actions the platform refused or another desk overtook, with 重试, 忽略,
重新派遣… and 复制内容. The list is read from the outbox (kept across restarts), so a refusal told while the officer
looked elsewhere, or overwritten in the status bar by the next answer, is still there to be dealt with."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commandwall.app.incidents import UndeliveredAction
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.text import plain_label, plain_tooltip

#: The list's columns.
INCIDENT, ACTION, WHEN, WHY, CONTENT = range(5)


class UndeliveredDialog(QDialog):
    """The list of :class:`UndeliveredAction` (newest first): incident, action, when, why (the refusal in the
    officer's language; the platform's own words in its tooltip) and what the officer wrote. Not modal: the
    officer may look at the incident meanwhile; :meth:`reload` follows the outbox.

    ``actions`` lists them; ``retry(row_id)`` puts one back in the queue and returns the feedback;
    ``dismiss(row_id)`` sets one aside; ``redispatch(incident_id, instructions)`` opens a new dispatch dialog
    with the refused dispatch's instructions.
    """

    def __init__(
        self,
        actions: Callable[[], list[UndeliveredAction]],
        retry: Callable[[int], str],
        dismiss: Callable[[int], bool],
        redispatch: Callable[[str, str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("undeliveredDialog")
        self.setWindowTitle(translate("UndeliveredDialog", "未送达的操作"))
        self._actions, self._retry, self._dismiss, self._redispatch = actions, retry, dismiss, redispatch
        self._shown: list[UndeliveredAction] = []
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("undeliveredTable")
        self.table.setHorizontalHeaderLabels(
            [
                translate("UndeliveredDialog", "事件"),
                translate("UndeliveredDialog", "操作"),
                translate("UndeliveredDialog", "时间"),
                translate("UndeliveredDialog", "原因"),
                translate("UndeliveredDialog", "内容"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CONTENT, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.empty = plain_label(translate("UndeliveredDialog", "没有未送达的操作"))
        self.feedback = plain_label()
        self.feedback.setWordWrap(True)
        self.retry_button = QPushButton(translate("UndeliveredDialog", "重试"))
        self.dismiss_button = QPushButton(translate("UndeliveredDialog", "忽略"))
        self.dismiss_button.setToolTip(translate("UndeliveredDialog", "已知悉，不再列出（记录保留在本机）"))
        self.redispatch_button = QPushButton(translate("UndeliveredDialog", "重新派遣…"))
        self.redispatch_button.setToolTip(
            translate("UndeliveredDialog", "按原派遣说明打开派遣对话框；派遣后可将原操作忽略")
        )
        self.copy_button = QPushButton(translate("UndeliveredDialog", "复制内容"))
        self.retry_button.clicked.connect(self._on_retry)
        self.dismiss_button.clicked.connect(self._on_dismiss)
        self.redispatch_button.clicked.connect(self._on_redispatch)
        self.copy_button.clicked.connect(self._on_copy)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.retry_button, self.dismiss_button, self.redispatch_button, self.copy_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.feedback)
        layout.addLayout(buttons)
        self.resize(860, 360)
        self.reload()

    def reload(self) -> None:
        """List the actions again (one was refused, retried or set aside), keeping the selected one selected."""
        selected = self.selected()
        self._shown = self._actions()
        self.table.setRowCount(len(self._shown))
        for row, action in enumerate(self._shown):
            texts = {
                INCIDENT: action.incident,
                ACTION: action.what,
                WHEN: action.when,
                WHY: action.why,
                CONTENT: display_text(action.content, 200, isolate=True),
            }
            for column, text in texts.items():
                cell = QTableWidgetItem(text)
                if column == WHY and action.detail:
                    cell.setToolTip(plain_tooltip(action.detail))
                elif column == CONTENT and action.content:
                    cell.setToolTip(plain_tooltip(display_text(action.content, 2000)))
                self.table.setItem(row, column, cell)
        self.empty.setVisible(not self._shown)
        again = next(
            (
                row
                for row, action in enumerate(self._shown)
                if selected is not None and action.row_id == selected.row_id
            ),
            0 if self._shown else None,
        )
        if again is not None:
            self.table.selectRow(again)
        self._update_buttons()

    def selected(self) -> UndeliveredAction | None:
        """The action selected in the list, or None."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._shown):
            return None
        return self._shown[rows[0].row()]

    def _update_buttons(self) -> None:
        action = self.selected()
        self.retry_button.setEnabled(action is not None and action.can_retry)
        self.retry_button.setToolTip(plain_tooltip(action.retry_hint) if action is not None else "")
        self.dismiss_button.setEnabled(action is not None)
        self.redispatch_button.setEnabled(action is not None and action.redispatch)
        self.copy_button.setEnabled(action is not None and bool(action.content))

    def _on_retry(self) -> None:
        action = self.selected()
        if action is not None and action.can_retry:
            self.feedback.setText(display_text(self._retry(action.row_id)))
            self.reload()

    def _on_dismiss(self) -> None:
        action = self.selected()
        if action is not None and self._dismiss(action.row_id):
            self.feedback.setText(translate("UndeliveredDialog", "已忽略：{what}").format(what=action.what))
            self.reload()

    def _on_redispatch(self) -> None:
        action = self.selected()
        if action is not None and action.redispatch:
            self._redispatch(action.incident_id, action.content)

    def _on_copy(self) -> None:
        action = self.selected()
        if action is not None and action.content:
            QApplication.clipboard().setText(action.content)
            self.feedback.setText(translate("UndeliveredDialog", "已复制到剪贴板"))
