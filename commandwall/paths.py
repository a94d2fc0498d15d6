"""Where resources, layers and user data live — in a checkout and in a frozen (PyInstaller) build.

This module is the one place that decides; everything else asks it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def is_frozen() -> bool:
    """True when running from a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def app_root() -> Path:
    """Folder that holds ``resources/`` and ``layers/`` (the checkout, or the bundle's data folder)."""
    if is_frozen():
        return Path(sys._MEIPASS)  # type: ignore[attr-defined]
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """``resources/``: web assets, icons, sounds, translations, the API contract."""
    return app_root() / "resources"


def web_dir() -> Path:
    """``resources/web``: the map page's JS/CSS and the npm-installed Leaflet assets."""
    return resources_dir() / "web"


def api_spec_path() -> Path:
    """The backend contract, ``resources/api/openapi.yaml``."""
    return resources_dir() / "api" / "openapi.yaml"


def exercise_clips_dir() -> Path:
    """The exercise cameras' pre-encoded H.264/H.265 loops, ``resources/clips`` (made at set-up by
    ``scripts/make_clips.py``; absent in a checkout that has not run ``make setup``)."""
    return resources_dir() / "clips"


def district_base_map() -> Path:
    """The exercise district's offline base map, ``resources/basemaps/xuecheng.mbtiles`` (made at set-up by
    ``scripts/make_basemap.py``; absent in a checkout that has not run ``make setup``)."""
    return resources_dir() / "basemaps" / "xuecheng.mbtiles"


def shipped_wall_presets_dir() -> Path:
    """``resources/wall-presets/exercise``: the wall presets (预案) the exercise mode offers (its cameras)."""
    return resources_dir() / "wall-presets" / "exercise"


def wall_presets_dir(data_dir: Path) -> Path:
    """``wall-presets/`` in the data folder: the duty officers' own wall presets, one JSON file each."""
    return data_dir / "wall-presets"


def snapshots_dir(data_dir: Path) -> Path:
    """``snapshots/`` in the data folder: the wall's snapshots (抓拍), PNG."""
    return data_dir / "snapshots"


def layers_dir() -> Path:
    """The district's demo layers and their ``manifest.json``."""
    return app_root() / "layers"


def _set(name: str) -> str | None:
    """The environment variable ``name`` when it names something: empty (or blank) is unset, as the XDG base
    directory rules say — never ``Path("")``, which is the folder the desk happened to be started in."""
    value = os.environ.get(name, "")
    return value if value.strip() else None


def user_data_dir() -> Path:
    """Per-user writable folder (outbox database, logs, exercise database).

    ``COMMANDWALL_DATA_DIR`` overrides it (empty is unset; ``Settings`` expands a leading ``~``); otherwise
    ``$XDG_DATA_HOME/commandwall`` (or the platform's equivalent on Windows).
    """
    override = _set("COMMANDWALL_DATA_DIR")
    if override is not None:
        return Path(override)
    if sys.platform == "win32":
        base = Path(_set("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(_set("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "commandwall"


def user_config_dir() -> Path:
    """Per-user settings folder (screen profiles in ``profiles/``).

    ``COMMANDWALL_CONFIG_DIR`` overrides it (empty is unset; ``Settings`` expands a leading ``~``); otherwise
    ``$XDG_CONFIG_HOME/commandwall`` (``%APPDATA%`` on Windows).
    """
    override = _set("COMMANDWALL_CONFIG_DIR")
    if override is not None:
        return Path(override)
    if sys.platform == "win32":
        base = Path(_set("APPDATA") or Path.home() / "AppData" / "Roaming")
    else:
        base = Path(_set("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "commandwall"


class UnknownHomeError(ValueError):
    """A path starting with ``~NAME`` (or ``~``) whose home folder this machine cannot name: no user ``NAME`` here
    (a settings file copied from another desk), or no home for the process. A ``ValueError``: a setting that names
    such a path is an invalid setting, an entry of a settings file that does is refused with this reason."""


def expand_home(path: Path | str) -> Path:
    """``path`` with a leading ``~`` or ``~NAME`` replaced by that home folder, as ``Path.expanduser`` does — but
    :class:`UnknownHomeError` (a ``ValueError``, saying which user) instead of the ``RuntimeError`` it raises when
    there is no such user: that stopped the whole start for one entry of a copied ``layers.json``."""
    path = Path(path)
    try:
        return path.expanduser()
    except RuntimeError:
        first = path.parts[0] if path.parts else "~"
        if first == "~":
            raise UnknownHomeError("a path starting with ~ names the home folder, and this process has none "
                                   "(HOME is not set)") from None
        raise UnknownHomeError(f"a path starting with ~NAME names the home folder of user NAME, and this machine "
                               f"has no user {first[1:65]!r} (copied from another desk?)") from None


def in_settings_folder(path: Path | str, config_dir: Path) -> Path:
    """A file or folder named in the settings, as an absolute path: ``~`` expanded, and a relative one taken in
    the settings folder ``config_dir`` — not in the folder the process was started from, so a desk started from
    a shortcut, a service or another shell finds the same files. :class:`UnknownHomeError` (a ``ValueError``) for
    ``~NAME`` of a user this machine does not have."""
    path = expand_home(path)
    return path if path.is_absolute() else (expand_home(config_dir) / path).absolute()


def write_whole(path: Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) as ``path`` in one step: a temporary file beside it, flushed to disk, then
    renamed over it, so a crash or a full disk leaves the old file whole and never half a new one. Creates the
    folder; ``OSError`` when it cannot be written (the temporary file is then removed). Returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def set_aside(path: Path, why: str = "broken") -> Path | None:
    """Rename a file that could not be read to ``<name>.broken-<time>`` beside it, before it is written over: what
    someone had there (a hand edit with one comma too many) is kept to mend, not lost. ``why`` names another
    reason (``refused``: a file not read on purpose). Returns the new path; None when there is no such file or it
    cannot be renamed (the caller writes over it then)."""
    from datetime import datetime

    aside = path.with_name(f"{path.name}.{why}-{datetime.now():%Y%m%d-%H%M%S}")
    try:
        path.rename(aside)
    except OSError:
        return None
    return aside


class NotARegularFileError(OSError):
    """A path the desk reads its own settings or data from names a folder, a named pipe or a device."""


def read_small_file(path: Path, limit: int, *, start_only: bool = False) -> bytes:
    """The whole of a settings or data file of at most ``limit`` bytes (``start_only``: its first ``limit``
    bytes, whatever its size). Only a regular file is read: a named pipe (whose read would wait for ever), a
    device (``/dev/zero``: endless) or a folder raises :class:`NotARegularFileError`; a larger file ``ValueError``;
    what cannot be opened ``OSError`` (missing: ``FileNotFoundError``). The size is what is read, not what the
    folder says."""
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFileError(f"{path} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as source:
            data = source.read(limit if start_only else limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ValueError(f"{path.name} is larger than {limit} bytes")
    return data



def read_only_sqlite_uri(path: Path) -> str:
    """The URI that opens the SQLite database at ``path`` read-only (``sqlite3.connect(uri, uri=True)``). The path
    is percent-encoded: written as it is, a ``#`` would end it and drop ``mode=ro`` (the file then made, read-write,
    where the rest of the name pointed) and ``%2F..%2F`` in a file name would lead out of its folder."""
    return Path(path).absolute().as_uri() + "?mode=ro"
