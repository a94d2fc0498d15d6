"""The login dialog: user name, password, "remember", and in exercise mode the exercise accounts to pick.

It only collects and shows: ``sig_submit(username, password, remember)`` asks for a login, and the feature
answers with ``set_busy`` / ``show_error``. Every text in it is plain text (the platform's error may be quoted).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commandwall.app.login import role_labels
from commandwall.app.platform import ExerciseAccount
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.text import WrappingLabel


def _plain_label(text: str = "", name: str = "") -> QLabel:
    label = WrappingLabel(text)  # the platform's 401 message may be one unbroken run
    if name:
        label.setObjectName(name)
    return label


class LoginDialog(QDialog):
    """登录: Enter submits; a failed login shows why in the dialog and clears the password field."""

    sig_submit = Signal(str, str, bool)  # username, password, remember

    def __init__(self, place: str, accounts: tuple[ExerciseAccount, ...], *, can_remember: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle(translate("LoginDialog", "登录 · 薛城区一体化综合指挥平台"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.addWidget(_plain_label(place, "loginPlace"))
        self.reason = _plain_label("", "loginReason")
        self.reason.hide()
        layout.addWidget(self.reason)
        self.accounts = QListWidget()
        self.accounts.setObjectName("loginAccounts")
        for account in accounts:
            item = QListWidgetItem(f"{display_text(account.display_name)}　{account.username} · "
                                   f"{role_labels(account.roles)}")
            item.setData(Qt.ItemDataRole.UserRole, (account.username, account.password))
            self.accounts.addItem(item)
        self.accounts.itemClicked.connect(self._fill_from)
        if accounts:
            layout.addWidget(_plain_label(translate("LoginDialog", "演练账号（单击填入）：")))
            self.accounts.setMaximumHeight(self.accounts.sizeHintForRow(0) * len(accounts) + 8)
            layout.addWidget(self.accounts)
        else:
            self.accounts.hide()
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setObjectName("loginUsername")
        self.password = QLineEdit()
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(translate("LoginDialog", "用户名"), self.username)
        form.addRow(translate("LoginDialog", "密码"), self.password)
        layout.addLayout(form)
        self.remember = QCheckBox(translate("LoginDialog", "记住密码（保存在系统密钥环）"))
        self.remember.setObjectName("loginRemember")
        self._remember_allowed = can_remember
        self.remember.setEnabled(can_remember)
        if not can_remember:
            self.remember.setToolTip(translate("LoginDialog", "演练账号无需保存密码"))
        layout.addWidget(self.remember)
        self.error = _plain_label("", "loginError")
        self.error.setStyleSheet("color: #ff7875;")
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.login_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.login_button.setText(translate("LoginDialog", "登录"))
        self.login_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(translate("LoginDialog", "取消"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def ask(self, reason: str, username: str) -> None:
        """Show why a login is asked for (plain text; may be empty) and start with ``username`` filled in."""
        self.reason.setText(display_text(reason))
        self.reason.setVisible(bool(reason))
        self.error.setText("")
        if not self.username.text() or not self.isVisible():
            self.username.setText(username)
        self.password.clear()
        (self.password if self.username.text() else self.username).setFocus()

    def _fill_from(self, item: QListWidgetItem) -> None:
        username, password = item.data(Qt.ItemDataRole.UserRole)
        self.username.setText(username)
        self.password.setText(password)
        self.login_button.setFocus()

    def submit(self) -> None:
        """Ask for a login with what is typed (Enter or 登录); nothing happens while one is under way."""
        if not self.login_button.isEnabled():
            return
        self.error.setText("")
        self.sig_submit.emit(self.username.text(), self.password.text(), self.remember.isChecked())

    def set_busy(self, busy: bool) -> None:
        """While a login runs: inputs and 登录 disabled, 正在登录… shown."""
        for widget in (self.username, self.password, self.remember, self.accounts, self.login_button):
            widget.setEnabled(not busy and (widget is not self.remember or self._remember_allowed))
        if busy:
            self.error.setText(translate("LoginDialog", "正在登录…"))

    def show_error(self, message: str) -> None:
        """A failed login: the reason in the dialog, the password field cleared and focused."""
        self.set_busy(False)
        self.error.setText(display_text(message))
        self.password.clear()
        self.password.setFocus()

    def done_ok(self) -> None:
        """A successful login: forget the typed password and close."""
        self.set_busy(False)
        self.password.clear()
        self.accept()
