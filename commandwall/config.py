"""Settings: one validated model, defaults in one place, overridable by ``COMMANDWALL_*`` variables.

The password is a :class:`~pydantic.SecretStr`: ``repr()``, ``str()`` and ``model_dump()`` show ``**********``;
only :meth:`Settings.password_value` gives the plain text, to hand to the platform's login.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, HttpUrl, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from commandwall import paths

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def log_level_name(level: str) -> str:
    """``level`` as one of :data:`LOG_LEVELS` (any case); ``ValueError`` names the choices otherwise."""
    name = level.strip().upper()
    if name not in LOG_LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LOG_LEVELS)}")
    return name


class Settings(BaseSettings):
    """Everything the client can be told. ``backend_url=None`` means the embedded exercise backend.

    ``password`` comes from ``COMMANDWALL_PASSWORD`` (or, through the command line, the OS keyring or a prompt
    on the terminal, see :mod:`commandwall.credentials`); never from a command-line argument. Unset, the
    exercise backend's convention applies: each demo user's password is its user name.
    """

    model_config = SettingsConfigDict(env_prefix="COMMANDWALL_", extra="ignore")

    backend_url: HttpUrl | None = None
    username: str = Field(default="duty", min_length=1, max_length=256)
    password: SecretStr | None = None
    verify_tls: bool = True
    request_timeout_s: float = Field(default=5.0, gt=0, le=120)
    data_dir: Path = Field(default_factory=paths.user_data_dir)
    layers_dir: Path = Field(default_factory=paths.layers_dir)
    #: exercise backend: new simulated incidents per minute (0 = none)
    demo_incident_rate: float = Field(default=1.0, ge=0, le=600)
    #: tiles on the wall at start: 1, 4, 9 or 16
    wall_tiles: int = Field(default=4)
    language: str = "zh_CN"
    #: times are shown at this UTC offset (China Standard Time), whatever the desk's OS zone is
    display_utc_offset_hours: float = Field(default=8.0, ge=-12, le=14)
    log_level: str = "INFO"

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, level: str) -> str:
        """One of Python's level names, any case."""
        return log_level_name(level)

    @field_validator("backend_url")
    @classmethod
    def _no_credentials_in_url(cls, url: HttpUrl | None) -> HttpUrl | None:
        """A ``user:password@`` in the URL would leak into logs and process lists: refuse it (without echoing it)."""
        if url is not None and (url.username or url.password):
            raise ValueError(
                "the URL must not carry a user name or password (user:password@host): give the user with --user "
                "or COMMANDWALL_USERNAME, the password with COMMANDWALL_PASSWORD, the OS keyring or the prompt"
            )
        return url

    @field_validator("wall_tiles")
    @classmethod
    def _known_wall_layout(cls, tiles: int) -> int:
        """The wall has layouts for 1, 4, 9 and 16 tiles only."""
        if tiles not in (1, 4, 9, 16):
            raise ValueError(f"wall_tiles must be 1, 4, 9 or 16, not {tiles}")
        return tiles

    def password_value(self) -> str:
        """The password in plain text, for the login request only; the user name when none is set (the
        exercise backend's demo users have their name as password)."""
        return self.password.get_secret_value() if self.password is not None else self.username


def describe_invalid(exc: ValidationError) -> str:
    """One line per invalid setting (``name: what is wrong``), never the rejected value: it may be a secret."""
    lines = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        where = ".".join(str(part) for part in error["loc"]) or "settings"
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}")
    return "; ".join(lines)
