"""Where a platform password comes from: ``COMMANDWALL_PASSWORD``, the OS keyring, or a prompt on the terminal.

Never from the command line: other local users can read every process's arguments (``/proc/PID/cmdline``).
The OS keyring is reached through the ``keyring`` package (Secret Service on Linux desktops, Keychain on macOS,
Credential Locker on Windows); a desk without one (``keyring``'s ``fail``/``null`` backends) is told so, and the
other sources still work. The embedded exercise backend needs no password at all.
"""

from __future__ import annotations

import getpass
import logging
import sys
from collections.abc import Callable
from typing import TextIO

from pydantic import HttpUrl, SecretStr

from commandwall.config import Settings

log = logging.getLogger(__name__)

#: what a user is told when asking where the password goes
PASSWORD_SOURCES = (
    "the password is read from COMMANDWALL_PASSWORD, from the OS keyring "
    "('commandwall login --remember' stores it there) or, on a terminal, typed when asked"
)


class KeyringUnavailableError(RuntimeError):
    """No usable OS keyring on this desk (no Secret Service running, or keyring switched off)."""


def keyring_service(backend_url: HttpUrl) -> str:
    """The keyring entry's service name for one platform: ``commandwall:https://host:port``."""
    return f"commandwall:{backend_url.scheme}://{backend_url.host}:{backend_url.port}"


def _keyring_backend():
    """The ``keyring`` backend in use; :class:`KeyringUnavailableError` if it is keyring's fail or null one."""
    import keyring
    from keyring.backends import fail, null

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        raise KeyringUnavailableError(
            f"no OS keyring on this desk (keyring backend {type(backend).__module__}.{type(backend).__name__}; "
            "on Linux a Secret Service such as GNOME Keyring or KWallet must be running)"
        )
    return backend


def stored_password(backend_url: HttpUrl, username: str) -> str | None:
    """The password stored in the OS keyring for this platform and user, or ``None``.

    Never raises: a missing or failing keyring is logged (without any secret) and counts as no password.
    """
    try:
        return _keyring_backend().get_password(keyring_service(backend_url), username)
    except KeyringUnavailableError as exc:
        log.info("%s: not looking there for the password", exc)
    except Exception as exc:  # third-party keyring backends raise their own (D-Bus, locked collection …)
        log.warning("the OS keyring could not be read (%s): not looking there for the password", type(exc).__name__)
    return None


def remember_password(backend_url: HttpUrl, username: str, password: str) -> None:
    """Store the password in the OS keyring; :class:`KeyringUnavailableError` if that cannot be done."""
    backend = _keyring_backend()
    try:
        backend.set_password(keyring_service(backend_url), username, password)
    except Exception as exc:
        raise KeyringUnavailableError(f"the OS keyring refused to store the password ({type(exc).__name__})") from exc


def forget_password(backend_url: HttpUrl, username: str) -> bool:
    """Remove the stored password; ``False`` if there was none. :class:`KeyringUnavailableError` without keyring."""
    import keyring.errors

    backend = _keyring_backend()
    try:
        backend.delete_password(keyring_service(backend_url), username)
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as exc:
        raise KeyringUnavailableError(f"the OS keyring refused to delete the password ({type(exc).__name__})") from exc
    return True


def prompt_password(backend_url: HttpUrl, username: str, stream: TextIO | None = None) -> str:
    """Ask on the terminal, without echo."""
    return getpass.getpass(f"Password for {username} at {backend_url.scheme}://{backend_url.host}: ", stream)


def resolve_password(
    settings: Settings,
    *,
    interactive: bool | None = None,
    prompt: Callable[[HttpUrl, str], str] = prompt_password,
) -> Settings:
    """Settings with the password filled in from the first source that has one.

    Order: ``settings.password`` as given (``COMMANDWALL_PASSWORD``), the OS keyring, then — only when
    ``interactive`` (default: standard input and error are a terminal, so someone sees the question) — a
    prompt. The embedded exercise backend
    (``backend_url`` unset) needs none. Without any, the settings come back unchanged: the login then uses the
    exercise backend's convention (password = user name), which a real platform refuses with a clear 401.
    """
    if settings.password is not None or settings.backend_url is None:
        return settings
    found = stored_password(settings.backend_url, settings.username)
    if found is None:
        if interactive is None:
            interactive = all(stream is not None and stream.isatty() for stream in (sys.stdin, sys.stderr))
        if interactive:
            found = prompt(settings.backend_url, settings.username)
    if found is None:
        return settings
    return settings.model_copy(update={"password": SecretStr(found)})
