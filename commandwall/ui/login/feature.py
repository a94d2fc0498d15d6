"""The login feature: the :class:`LoginDialog` bound to its :class:`LoginController`, with logins and logouts
run on a worker thread so the window stays live (a platform that does not answer holds up nothing)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from commandwall.app.login import LoginController, LoginOutcome
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.login.dialog import LoginDialog
from commandwall.ui.over import asking_window, put_over


class LoginFeature(QObject):
    """登录 / 切换用户 / 注销 for one window.

    Signals: ``sig_message(text, timeout_ms)`` for the status bar; ``sig_logged_out()`` once the old user's
    threads have stopped. A successful login reaches the window as the session's ``on_ready``.
    """

    sig_message = Signal(str, int)
    sig_logged_out = Signal()
    _sig_login_done = Signal(object)  # LoginOutcome, from the worker thread
    _sig_logout_done = Signal()

    def __init__(self, controller: LoginController, window: QWidget) -> None:
        super().__init__(window)
        self.controller = controller
        self._window = window
        self.dialog: LoginDialog | None = None
        self._worker: threading.Thread | None = None
        # The outcome's note (e.g. 密码已保存) waits for the session to be ready: the start-up progress messages
        # that follow a login would otherwise replace it at once. Either may come first.
        self._pending_message = ""
        self._ready_since_submit = False
        self._sig_login_done.connect(self._on_login_done, Qt.ConnectionType.QueuedConnection)
        self._sig_logout_done.connect(self._on_logout_done, Qt.ConnectionType.QueuedConnection)

    def ask(self, reason: str = "") -> LoginDialog:
        """Show the login dialog (window-modal, not blocking) with ``reason`` above the fields, over the window
        the officer works in (切换用户 pressed on the wall's screen opens it there)."""
        over = asking_window(self._window)
        if self.dialog is not None:
            put_over(self.dialog, over)
        else:
            session = self.controller.session
            place = (translate("LoginDialog", "演练模式（本机演练后台）") if session.user.exercise
                     else translate("LoginDialog", "平台：{url}").format(url=session.user.base_url or "—"))
            self.dialog = LoginDialog(place, self.controller.accounts, can_remember=self.controller.can_remember,
                                      parent=over)
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.sig_submit.connect(self._submit)
        self.dialog.ask(reason, self.controller.suggested_username())
        self.dialog.open()
        self.dialog.raise_()
        return self.dialog

    def switch_user(self) -> None:
        """切换用户: the dialog; the current user stays logged in until another login succeeds."""
        self.ask("")

    def log_out(self) -> None:
        """注销: stop the user's event stream and outbox (off the GUI thread), then offer the dialog."""
        self._run(lambda: (self.controller.log_out(), self._sig_logout_done.emit()))

    def _submit(self, username: str, password: str, remember: bool) -> None:
        assert self.dialog is not None
        self.dialog.set_busy(True)
        self._pending_message, self._ready_since_submit = "", False
        self._run(lambda: self._sig_login_done.emit(self.controller.log_in(username, password, remember)))

    def _run(self, work: Callable[[], object]) -> None:
        if self._worker is not None and self._worker.is_alive():
            return  # one login or logout at a time
        self._worker = threading.Thread(target=work, name="login", daemon=True)
        self._worker.start()

    def _on_login_done(self, outcome: LoginOutcome) -> None:
        if self.dialog is None:
            return
        if not outcome.ok:
            self.dialog.show_error(outcome.message)
            if not self.controller.session.user.signed_in:  # it failed after the last user was let go
                self.sig_logged_out.emit()
            return
        self.dialog.done_ok()
        if not outcome.message:
            return
        if self._ready_since_submit:
            self.sig_message.emit(display_text(outcome.message), 10000)
        else:
            self._pending_message = outcome.message

    def on_ready(self) -> None:
        """The session is ready (after start-up or another login): say what the login left to say."""
        if self._pending_message:
            self.sig_message.emit(display_text(self._pending_message), 10000)
            self._pending_message = ""
        else:
            self._ready_since_submit = True

    def _on_logout_done(self) -> None:
        self.sig_logged_out.emit()
        self.ask(translate("LoginDialog", "已注销。请登录。"))

    def is_busy(self) -> bool:
        """True while a login or logout runs."""
        return self._worker is not None and self._worker.is_alive()
