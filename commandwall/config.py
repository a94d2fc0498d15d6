"""Settings: one validated model, defaults in one place, overridable by ``COMMANDWALL_*`` variables.

The password is a :class:`~pydantic.SecretStr`: ``repr()``, ``str()`` and ``model_dump()`` show ``**********``;
only :meth:`Settings.password_value` gives the plain text, to hand to the platform's login.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    Field,
    HttpUrl,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from commandwall import paths
from commandwall.app.screens import PROFILE_NAME
from commandwall.backend.http import has_secret_query
from commandwall.geo.basemaps import (
    BASE_MAP_CRSS,
    BD09,
    SUBDOMAIN_VARIABLE,
    TEMPLATE_VARIABLE_RE,
    TILE_ORIGIN_RE,
    WEB_MERCATOR,
    WEB_MERCATOR_SET,
    check_matrix_set_name,
    implied_crs,
    is_rest_template,
    uses_subdomains,
    wmts_rest_template,
)
from commandwall.geo.crs import UnsupportedCRS, canonical_crs
from commandwall.geo.sources import LayerSourceSpec

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: the window's languages: Simplified Chinese (the source text, the default) and English
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
#: in the settings folder: the language chosen in the window (one word)
LANGUAGE_FILE = "language"
_BASE_MAP_ID = r"^[a-z0-9][a-z0-9_-]{0,39}$"


class BaseMapSpec(BaseModel):
    """One configured base map (底图), an entry of ``COMMANDWALL_BASE_MAPS`` (a JSON list).

    ``kind``: ``mbtiles`` (``path`` to a file), ``folder`` (``path`` to ``{z}/{x}/{y}.png|jpg|webp``), ``xyz``
    (``url`` with ``{z}``, ``{x}``, ``{y}``, optional ``{s}`` for ``subdomains``), ``wmts`` (``url`` of the KVP
    endpoint or a RESTful template with ``{TileMatrixSet}``, ``{TileMatrix}``, ``{TileRow}``, ``{TileCol}`` and
    optionally ``{Style}``; ``layer`` (KVP), ``matrix_set`` — a Web Mercator set whose TileMatrix ids are the zoom
    levels, after ``matrix_prefix`` if they carry one (``EPSG:900913:`` for ``EPSG:900913:12``) —, ``style``,
    ``format``), ``tianditu`` (``layer`` ``vec`` or ``img`` (or ``ter``), drawn with its label layer; the key is
    ``tianditu_key``, never part of this entry). URLs carry no keys or passwords: those would reach logs.
    A latitude/longitude matrix set (``EPSG:4326``, ``EPSG:4490``, 天地图 ``c`` …) is refused: the map is Web
    Mercator. A relative ``path`` or ``capabilities`` is in the settings folder (``Settings.config_dir``).
    ``crs`` says what the tiles are drawn in when it is not Web Mercator on WGS84: ``GCJ-02`` (高德, 腾讯) or
    ``BD-09`` (百度); AMap, Tencent and Baidu tile hosts imply it. Overlays stay WGS84: on such a base map they
    lie ~0.5 km off, and the map says so when it is chosen.
    """

    model_config = {"extra": "forbid", "frozen": True}

    id: str = Field(pattern=_BASE_MAP_ID)
    title: str = Field(min_length=1, max_length=40)
    kind: Literal["mbtiles", "folder", "xyz", "wmts", "tianditu"]
    path: Path | None = None
    url: str | None = Field(default=None, max_length=2000)
    overlay_url: str | None = Field(default=None, max_length=2000)
    subdomains: str = Field(default="", pattern=r"^[a-z0-9]{0,16}$")
    layer: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{1,100}$")
    #: unset: ``GoogleMapsCompatible``, or with ``capabilities`` the first Web Mercator set the layer has
    matrix_set: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{1,100}$")
    matrix_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9_.:-]{0,100}$")
    #: unset: ``default``, or with ``capabilities`` the style the document marks as the layer's default
    style: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{1,100}$")
    #: unset: ``image/png``, or with ``capabilities`` PNG, else JPEG, else the layer's first format
    format: str | None = Field(default=None, pattern=r"^[a-z]+/[a-z0-9.+-]+$|^tiles$")
    #: a WMTS server's GetCapabilities document saved as a file (read at start, no network): it names the
    #: template, matrix set, TileMatrix ids, format and zoom levels of ``layer``
    capabilities: Path | None = None
    min_zoom: int = Field(default=0, ge=0, le=24)
    max_zoom: int = Field(default=18, ge=0, le=24)
    #: what the tiles are drawn in: ``EPSG:3857`` (Web Mercator on WGS84), ``GCJ-02`` (高德, 腾讯) or ``BD-09``
    #: (百度); unset: what the tile host implies (``basemaps.SHIFTED_TILE_HOSTS``), else ``EPSG:3857``
    crs: str | None = None

    @field_validator("path", "capabilities", mode="before")
    @classmethod
    def _empty_path_is_none(cls, path: object) -> object:
        """An empty ``path`` or ``capabilities`` is not given (``Path("")`` would be the settings folder)."""
        return empty_is_unset(path, None)

    @field_validator("path", "capabilities")
    @classmethod
    def _home_expanded(cls, path: Path | None) -> Path | None:
        """A leading ``~``/``~NAME`` expanded; a user this machine does not have is this entry's error."""
        return None if path is None else paths.expand_home(path)

    @field_validator("crs")
    @classmethod
    def _base_map_crs(cls, crs: str | None) -> str | None:
        """One of ``basemaps.BASE_MAP_CRSS`` in any spelling ``geo.crs.canonical_crs`` knows (``gcj02``,
        ``bd09ll``, ``epsg:3857``); Baidu Mercator (``BD09MC``) is BD-09's."""
        if crs is None:
            return None
        try:
            name = canonical_crs(crs)
        except UnsupportedCRS:
            name = ""
        name = BD09 if name == "BD09MC" else name
        if name not in BASE_MAP_CRSS:
            raise ValueError(f"a base map's crs is one of {', '.join(BASE_MAP_CRSS)}")
        return name

    def tile_crs(self) -> str:
        """What the tiles are drawn in: ``crs`` if given, else what the tile host implies, else EPSG:3857
        (天地图 is CGCS2000, within a metre of WGS84)."""
        if self.crs is not None:
            return self.crs
        if self.kind in ("xyz", "wmts"):
            return implied_crs(self.url, self.overlay_url) or WEB_MERCATOR
        return WEB_MERCATOR

    @field_validator("url", "overlay_url")
    @classmethod
    def _http_template(cls, url: str | None) -> str | None:
        """http(s), a host, no user:password@, no key in the query (say why without echoing the URL)."""
        return None if url is None else check_tile_url(url)

    @model_validator(mode="after")
    def _complete(self) -> BaseMapSpec:
        """Each kind has what it needs."""
        need = {"mbtiles": "path", "folder": "path", "xyz": "url", "wmts": "url", "tianditu": "layer"}[self.kind]
        if self.kind == "wmts" and self.capabilities is not None:
            need = "layer"
            if self.url is not None:
                raise ValueError("a wmts base map has either url or capabilities (the document names the url)")
        elif self.capabilities is not None:
            raise ValueError("capabilities is for a wmts base map")
        if getattr(self, need) is None:
            raise ValueError(f"a {self.kind} base map needs {need}")
        if self.kind == "xyz" and not all(p in (self.url or "") for p in ("{z}", "{x}", "{y}")):
            raise ValueError("an xyz url needs {z}, {x} and {y}")
        if (uses_subdomains(self.url or "") or uses_subdomains(self.overlay_url or "")) and not self.subdomains:
            raise ValueError("a url with {s} needs subdomains")
        if self.kind == "wmts":
            check_matrix_set_name(self.matrix_set or "")  # WmtsError is a ValueError: its reason is the message
            if self.capabilities is not None:  # the document names the template (read with the catalogue)
                return self._zooms_in_order()
            if is_rest_template(self.url or ""):
                wmts_rest_template(self.url or "", self.matrix_set or WEB_MERCATOR_SET, self.style or "default",
                                   self.matrix_prefix)
            elif self.layer is None:
                raise ValueError("a wmts KVP url needs layer (or give a RESTful template with {TileMatrix})")
            elif any(variable.group(0) != SUBDOMAIN_VARIABLE  # the KVP endpoint's path is fixed
                     for variable in TEMPLATE_VARIABLE_RE.finditer(urlsplit(self.url or "").path)):
                raise ValueError("a wmts url with variables must be a RESTful template with {TileMatrix}, "
                                 "{TileRow} and {TileCol}")
        if self.kind == "tianditu" and self.layer not in ("vec", "img", "ter"):
            raise ValueError("a tianditu layer is vec, img or ter")
        return self._zooms_in_order()

    def _zooms_in_order(self) -> BaseMapSpec:
        if self.min_zoom > self.max_zoom:
            raise ValueError("min_zoom is above max_zoom")
        return self


def empty_is_unset(value: object, unset: object) -> object:
    """``unset`` for a path setting given as empty (or blank) text — ``COMMANDWALL_DATA_DIR=""``, ``--data-dir ""``,
    ``"path": ""`` —, else ``value``: read as a path, empty would be ``Path(".")``, the folder the desk happened to
    be started in, and the outbox and logs would land there."""
    return unset if isinstance(value, str) and not value.strip() else value


def check_tile_url(url: str) -> str:
    """``url`` if it may be a tile template: http(s), a host, no user:password@, no key in the query, nothing
    that could break out of the page's CSP; ``ValueError`` says why without echoing the URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("a tile URL must be http:// or https:// with a host")
    if "@" in parts.netloc:
        raise ValueError("a tile URL must not carry a user name or password")
    if has_secret_query(url):
        raise ValueError("a tile URL must not carry a key (tk=, key=, token= …): keys go in tianditu_key")
    if any(c in url for c in "\\\"'<> \n\r\t"):
        raise ValueError("a tile URL must not contain quotes, angle brackets, backslashes or spaces")
    if not TILE_ORIGIN_RE.match(f"{parts.scheme}://{parts.netloc.lower().replace(SUBDOMAIN_VARIABLE, 'a')}"):
        raise ValueError("a tile URL's host must be a host name or IPv4 address (not an IPv6 literal or a "
                         "wildcard), with at most a port")
    return url


def log_level_name(level: str) -> str:
    """``level`` as one of :data:`LOG_LEVELS` (any case); ``ValueError`` names the choices otherwise."""
    name = level.strip().upper()
    if name not in LOG_LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LOG_LEVELS)}")
    return name


def language_code(language: str) -> str:
    """``language`` as one of :data:`LANGUAGES`; ``ValueError`` names the choices otherwise."""
    code = language.strip().replace("-", "_").lower()
    if code in ("zh", "zh_cn", "zh_hans", "zh_hans_cn"):
        return "zh_CN"
    if code == "en" or code.startswith("en_"):
        return "en"
    raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")


def saved_language(config_dir: Path) -> str | None:
    """The language chosen in the window's 语言 menu (``<config>/language``), None when none was or it is unreadable."""
    try:
        return language_code(paths.read_small_file(config_dir / LANGUAGE_FILE, 40, start_only=True).decode("utf-8"))
    except (OSError, UnicodeError, ValueError):  # not a regular file (a named pipe would hold the start) too
        return None


def save_language(config_dir: Path, language: str) -> None:
    """Remember ``language`` for the next start (``OSError`` when the settings folder cannot be written).

    Written whole beside it and renamed over it: a symbolic link or a named pipe of that name is replaced, never
    followed (its target written over) or opened (the window would wait for a reader for ever)."""
    paths.write_whole(config_dir / LANGUAGE_FILE, language_code(language) + "\n")


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
    #: the local layer folder (``manifest.json`` and its files); a relative path is in the settings folder
    layers_dir: Path = Field(default_factory=paths.layers_dir)
    #: settings folder; screen profiles live in its ``profiles/``
    config_dir: Path = Field(default_factory=paths.user_config_dir)
    #: the screen profile to start with (``profiles/NAME.json``; made on first use)
    profile: str = Field(default="default", pattern=PROFILE_NAME.pattern)
    #: exercise backend: new simulated incidents per minute (0 = none)
    demo_incident_rate: float = Field(default=1.0, ge=0, le=600)
    #: tiles on the wall at start: 1, 4, 9 or 16
    wall_tiles: int = Field(default=4)
    #: decode the wall's video in a process of its own (see ``commandwall.video.decode_host``); false: on
    #: threads of the client's process
    video_decode_process: bool = True
    #: the window's language, ``zh_CN`` (Simplified Chinese) or ``en``; unset: the choice saved in the window's
    #: 语言 menu (``<config>/language``), else Simplified Chinese
    language: str | None = None
    #: times are shown at this UTC offset (China Standard Time), whatever the desk's OS zone is
    display_utc_offset_hours: float = Field(default=8.0, ge=-12, le=14)
    log_level: str = "INFO"
    #: base maps on offer besides the shipped district map (JSON list of :class:`BaseMapSpec`)
    base_maps: list[BaseMapSpec] = Field(default_factory=list, max_length=50)
    #: the base map a desk starts with until its officer picks one (an id, or "none"); unset: the first one
    base_map: str | None = Field(default=None, pattern=_BASE_MAP_ID)
    #: 天地图 key (tk) for ``tianditu`` base maps; a secret, shown as ``**********``
    tianditu_key: SecretStr | None = None
    #: layer sources added to the catalogue (JSON list of :class:`LayerSourceSpec`), besides ``<config>/layers.json``
    layer_sources: list[LayerSourceSpec] = Field(default_factory=list, max_length=100)
    #: early warnings (CAP 1.2): a feed URL polled every ``cap_poll_s`` (one CAP document or a JSON index of
    #: them), or a folder of ``*.xml``; unset: the exercise backend's feed in exercise mode, else none
    cap_url: HttpUrl | None = None
    cap_dir: Path | None = None
    cap_poll_s: float = Field(default=15.0, ge=1, le=3600)
    #: alarm linkage 告警联动: incidents of this priority or more urgent (1 特急, 2 紧急, 3 一般, 4 提示) sound the
    #: alarm and turn the map and the wall's linkage area to them; 0 turns the linkage off
    alarm_min_priority: int = Field(default=2, ge=0, le=4)
    #: how far the wall looks for cameras near an alarm, after those whose field of view covers it (metres)
    alarm_radius_m: float = Field(default=500.0, gt=0, le=5000)
    #: the wall (1 = the first wall screen, or the console's wall) whose linkage area the alarm takes; a desk with
    #: fewer walls on screen uses wall 1
    alarm_wall: int = Field(default=1, ge=1, le=16)
    #: the alarm sound (a WAV file); unset: a tone written into the data folder
    alarm_sound: Path | None = None

    @field_validator("data_dir", "config_dir", "layers_dir", "cap_dir", "alarm_sound", mode="before")
    @classmethod
    def _empty_path_is_unset(cls, value: object, info: ValidationInfo) -> object:
        """An empty path setting is unset: its default folder (or none), the same for every one of them."""
        if not (isinstance(value, str) and not value.strip()):
            return value
        default = {"data_dir": paths.user_data_dir, "config_dir": paths.user_config_dir,
                   "layers_dir": paths.layers_dir}.get(info.field_name or "")
        return default() if default is not None else None

    @field_validator("data_dir", "config_dir", "layers_dir", "cap_dir", "alarm_sound")
    @classmethod
    def _home_expanded(cls, path: Path | None) -> Path | None:
        """A leading ``~`` or ``~NAME`` is that home folder; ``~NAME`` of a user this machine does not have (a
        setting copied from another desk) is an invalid setting, named, not a crash at start."""
        return None if path is None else paths.expand_home(path)

    @field_validator("language")
    @classmethod
    def _known_language(cls, language: str | None) -> str | None:
        """``zh_CN`` or ``en`` (``zh``, ``zh-CN``, ``en_US``, ``en-GB`` … are read as one of them)."""
        return None if language is None else language_code(language)

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

    @model_validator(mode="after")
    def _base_maps_consistent(self) -> Settings:
        """Ids are unique; a 天地图 base map needs the key."""
        ids = [spec.id for spec in self.base_maps]
        if len(set(ids)) != len(ids):
            raise ValueError("base_maps: each id must be unique")
        if any(spec.kind == "tianditu" for spec in self.base_maps) and self.tianditu_key is None:
            raise ValueError("base_maps: a tianditu base map needs tianditu_key (COMMANDWALL_TIANDITU_KEY)")
        key = self.tianditu_key.get_secret_value() if self.tianditu_key is not None else None
        if key is not None and not re.fullmatch(r"[A-Za-z0-9]{8,64}", key):
            raise ValueError("tianditu_key must be 8 to 64 letters and digits")
        return self

    @model_validator(mode="after")
    def _paths_in_settings_folder(self) -> Settings:
        """Files and folders named by a relative path are in the settings folder (``config_dir``), whatever folder
        the desk was started from: the local layer folder, base maps' tiles and capabilities documents, layer
        sources' files, the early warnings' folder and the alarm sound (``paths.in_settings_folder``). The alarm
        sound must be there when the alarm goes off: an existing .wav file."""
        folder = self.config_dir
        self.layers_dir = paths.in_settings_folder(self.layers_dir, folder)
        if self.cap_dir is not None:
            self.cap_dir = paths.in_settings_folder(self.cap_dir, folder)
        if self.alarm_sound is not None:
            self.alarm_sound = paths.in_settings_folder(self.alarm_sound, folder)
            if self.alarm_sound.suffix.lower() != ".wav" or not self.alarm_sound.is_file():
                raise ValueError(f"alarm_sound must be an existing .wav file (tried {self.alarm_sound})")
        self.base_maps = [spec.model_copy(update={name: paths.in_settings_folder(named, folder)
                                                  for name in ("path", "capabilities")
                                                  if (named := getattr(spec, name)) is not None})
                          for spec in self.base_maps]
        self.layer_sources = [spec if spec.path is None else
                              spec.model_copy(update={"path": paths.in_settings_folder(spec.path, folder)})
                              for spec in self.layer_sources]
        return self

    def ui_language(self) -> str:
        """The language to start the window in: the setting, else the one saved from the window, else zh_CN."""
        return self.language or saved_language(self.config_dir) or DEFAULT_LANGUAGE

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
