"""Settings: one validated model, defaults in one place, overridable by ``COMMANDWALL_*`` variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, HttpUrl
from pydantic_settings import BaseSettings, SettingsConfigDict

from commandwall import paths


class Settings(BaseSettings):
    """Everything the client can be told. ``backend_url=None`` means the embedded exercise backend."""

    model_config = SettingsConfigDict(env_prefix="COMMANDWALL_", extra="ignore")

    backend_url: HttpUrl | None = None
    username: str = "duty"
    password: str = "duty"
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

    def model_post_init(self, __context: object) -> None:
        """Check values that need more than a type."""
        if self.wall_tiles not in (1, 4, 9, 16):
            raise ValueError(f"wall_tiles must be 1, 4, 9 or 16, not {self.wall_tiles}")
