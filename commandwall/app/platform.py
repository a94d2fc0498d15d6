"""Which platform the client works against, as the command line chose it.

The session does not know how a platform comes to be: ``cli.py`` hands it a :class:`PlatformFactory` — one
that starts the embedded exercise backend (演练模式), or one that merely names a URL — and the session calls
``open()`` once, on its worker thread, so a slow start (the exercise backend seeds its database) never holds
up the window.

In exercise mode the factory also carries the exercise's well-known accounts (:class:`ExerciseAccount`), so the
login dialog can offer them; ``cli.py`` reads them from the exercise backend, nothing else here knows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def _nothing_to_close() -> None:
    """A platform the client did not start: nothing to stop."""


@dataclass(frozen=True)
class ExerciseAccount:
    """One of the exercise's well-known accounts (演练账号), offered by the login dialog in exercise mode.

    The password is public by design (each demo user's password is its name); a real platform has none.
    """

    username: str
    password: str
    display_name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Platform:
    """A platform ready to be talked to: its base URL, and how to let it go when the client stops."""

    base_url: str
    close: Callable[[], None] = _nothing_to_close
    #: what the duty officer is told once it is open ("" nothing): e.g. the exercise's database was set aside
    notice: str = ""


@dataclass(frozen=True)
class PlatformFactory:
    """How the session gets its platform.

    ``exercise`` says whether it is the exercise backend (known before it starts: the window title says
    演练模式 at once); ``open()`` makes the platform and may block for seconds.
    """

    exercise: bool
    open: Callable[[], Platform]
    #: the accounts the login dialog lists (exercise mode only; empty for a real platform)
    accounts: tuple[ExerciseAccount, ...] = ()

    @classmethod
    def at_url(cls, base_url: str, *, exercise: bool = False,
               accounts: tuple[ExerciseAccount, ...] = ()) -> PlatformFactory:
        """A platform that is already running at ``base_url`` (nothing to start, nothing to stop)."""
        url = base_url.rstrip("/")
        return cls(exercise=exercise, open=lambda: Platform(url), accounts=accounts)
