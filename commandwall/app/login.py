"""Logging in and out at the desk (登录), without Qt: what the login dialog offers, what it answers, and the
"remember" choice that keeps the password in the OS keyring.

``log_in`` and ``log_out`` block (they talk to the platform and stop the old user's threads): the UI runs
them on a worker thread. Messages are plain text for the dialog; no message ever holds the password.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pydantic import HttpUrl

from commandwall.app.platform import ExerciseAccount
from commandwall.app.session import ClientSession, DeskUser
from commandwall.backend.errors import (
    AuthError,
    BackendError,
    BackendUnavailableError,
    MalformedAnswerError,
)
from commandwall.credentials import KeyringUnavailableError, remember_password
from commandwall.domain.workflow import ROLE_LABELS
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.textsafe import ELLIPSIS, display_text

log = logging.getLogger(__name__)

NOT_SIGNED_IN = QT_TRANSLATE_NOOP("login", "未登录")
#: The most characters the status bar's user text has (about): the platform chooses the display name and the
#: roles (up to 64 of 200 characters each), and the status bar has the connection state and the clock to show.
USER_TEXT_MAX = 80
#: The most characters of a display name, a user name or one unknown role in that text.
USER_NAME_MAX = 32
ROLE_NAME_MAX = 24


def role_labels(roles: list[str] | tuple[str, ...], max_len: int | None = None) -> str:
    """``值班员、指挥长`` for ``["duty_officer", "commander"]`` (in the chosen language; the domain's role table);
    an unknown role is shown as the platform names it (at most ROLE_NAME_MAX characters), after the known ones.
    With ``max_len``, the roles that do not fit in about that many characters are left out, said by ``…``."""
    known = [translate("domain", ROLE_LABELS[role]) for role in roles if role in ROLE_LABELS]
    names = known + [display_text(role, ROLE_NAME_MAX, isolate=True) for role in roles if role not in ROLE_LABELS]
    separator = translate("login", "、")
    if max_len is not None:
        length = 0
        for i, name in enumerate(names):
            length += len(name) + (len(separator) if i else 0)
            if i and length > max_len:  # the first role is always named
                return separator.join([*names[:i], ELLIPSIS])
    return separator.join(names)


def describe_user(user: DeskUser) -> str:
    """The status bar's ``display name (user) · roles`` (for the configured user queuing offline: that he is not
    logged in), or 未登录 (platform text made safe to show, and bounded to about USER_TEXT_MAX characters: a long
    name and many roles do not fill the status bar)."""
    if not user.signed_in:
        return translate("login", NOT_SIGNED_IN)
    name = display_text(user.display_name or user.username, USER_NAME_MAX, isolate=True)
    if user.display_name and user.display_name != user.username:
        name = translate("login", "{name}（{user}）").format(
            name=name, user=display_text(user.username, USER_NAME_MAX, isolate=True))
    if user.offline:  # the platform could not be reached: his actions queue, sent once he is logged in
        roles = (role_labels(user.roles, max(USER_TEXT_MAX - len(name) - 16, ROLE_NAME_MAX)) if user.roles_known
                 else translate("login", "角色待确认"))
        text = translate("login", "{name} · {roles} · 未登录（操作暂存本机，登录后发送）")
        return text.format(name=name, roles=roles)
    roles = role_labels(user.roles, max(USER_TEXT_MAX - len(name) - 3, ROLE_NAME_MAX))
    return translate("login", "{name} · {roles}").format(name=name, roles=roles)


@dataclass(frozen=True)
class LoginOutcome:
    """What a login attempt came to: ``ok``, and a line to show (the error, or a note such as the keyring's)."""

    ok: bool
    message: str = ""


def _refused(template: str, error: str) -> LoginOutcome:
    """A failed login: the translated ``template`` with the outside ``error`` made safe to show."""
    return LoginOutcome(False, template.format(error=display_text(error)))


class LoginController:
    """Logs the desk's users in and out of the session's platform."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session

    @property
    def accounts(self) -> tuple[ExerciseAccount, ...]:
        """The exercise's accounts to offer (empty for a real platform)."""
        return self.session.platform_factory.accounts

    @property
    def can_remember(self) -> bool:
        """Whether "remember" makes sense: a real platform (the exercise accounts need no keyring)."""
        return not self.session.user.exercise

    def suggested_username(self) -> str:
        """Who is logged in now, else who the settings name."""
        return self.session.user.username or self.session.settings.username

    def log_in(self, username: str, password: str, remember: bool = False) -> LoginOutcome:
        """Log in (blocking); on success with ``remember`` the password goes to the OS keyring, and a desk
        without one is told so (the login itself still succeeds)."""
        username = username.strip()
        if not username:
            return LoginOutcome(False, translate("login", "请输入用户名"))
        if not password:
            return LoginOutcome(False, translate("login", "请输入密码"))
        try:
            self.session.log_in(username, password)
        except AuthError as exc:
            return _refused(translate("login", "用户名或密码错误：{error}"), exc.message)
        except MalformedAnswerError as exc:
            return _refused(translate("login", "平台的应答无法识别：{error}"), str(exc))
        except BackendUnavailableError as exc:
            return _refused(translate("login", "无法连接平台：{error}"), exc.summary)
        except BackendError as exc:
            return _refused(translate("login", "平台拒绝了登录：{error}"), str(exc))
        except Exception as exc:
            log.exception("login failed unexpectedly")
            return LoginOutcome(False, translate("login", "内部错误：{error}").format(error=type(exc).__name__))
        if not (remember and self.can_remember):
            return LoginOutcome(True)
        try:
            remember_password(HttpUrl(self.session.user.base_url), username, password)
        except KeyringUnavailableError as exc:
            log.warning("password not remembered: %s", exc)
            return LoginOutcome(True, translate("login", "已登录，但密码未保存：{error}").format(error=exc))
        return LoginOutcome(True, translate("login", "已登录，密码已保存到系统密钥环"))

    def log_out(self) -> None:
        """Log the user out (blocking: his event stream and outbox stop; queued actions stay queued)."""
        self.session.log_out()
