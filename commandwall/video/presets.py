"""Wall presets (预案): named arrangements of the wall screens — per wall a layout, the camera per tile, and
optionally a tour (轮巡) — one JSON file each.

A preset of one wall (version 1, what every client reads) looks like::

    {"format": "commandwall-wall-preset", "version": 1, "name": "高速出入口", "layout": "2+8",
     "cameras": ["CAM-1171", "CAM-1362", null, …],
     "tour": {"name": "…", "camera_ids": ["CAM-0047", …], "dwell_s": 20}}

A preset saved on a desk with several wall screens (version 2) lists one such arrangement per wall, wall 1
first::

    {"format": "commandwall-wall-preset", "version": 2, "name": "…",
     "walls": [{"layout": "1+5", "cameras": […], "tour": …}, {"layout": "9", "cameras": […]}]}

``cameras`` holds one entry per tile (null: empty; fewer entries: the rest empty); ``tour`` may be absent or
null. A one-wall preset is written as version 1, so older clients sharing the data folder still read it.
A :class:`PresetStore` reads the user's presets from a folder of the data directory (and, in exercise
mode, the shipped ones from ``resources/wall-presets``; a user preset of the same name wins) and writes new
ones there. A file that cannot be read yields a :class:`PresetFileError` naming the file and what is wrong;
the other presets load as usual.

Plain Python: the wall feature in ``commandwall.ui.wall`` offers them in a menu.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commandwall.i18n import translate
from commandwall.localjson import JsonProblem, NotJsonError, parse_json
from commandwall.paths import read_small_file, write_whole
from commandwall.video.dragdrop import MAX_CAMERA_ID_LEN
from commandwall.video.layout import WallLayout
from commandwall.video.tour import Tour

FORMAT = "commandwall-wall-preset"
#: the file version of a one-wall preset; :data:`WALLS_VERSION` lists several walls
VERSION = 1
WALLS_VERSION = 2
#: walls one preset may arrange (a command centre's wall screens)
MAX_WALLS = 16
#: a preset file larger than this is not a preset
MAX_FILE_BYTES = 256 * 1024
#: longest preset name
MAX_NAME_LEN = 40
_UNSAFE_IN_FILE_NAMES = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
#: names Windows gives to devices, whatever the extension (``CON.json`` is the console)
_WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
                              *(f"{port}{n}" for port in ("COM", "LPT") for n in "0123456789¹²³")})


class PresetError(ValueError):
    """A preset that cannot be used; the message says why (for the duty officer)."""


@dataclass(frozen=True)
class WallArrangement:
    """One wall screen's part of a preset: ``layout`` key, camera id per tile (None: empty), optional ``tour``.

    Checked on creation (PresetError); ``preset`` names the preset in the messages.
    """

    layout: str
    cameras: tuple[str | None, ...] = ()
    tour: Tour | None = None
    preset: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        try:
            layout = WallLayout.named(self.layout)
        except ValueError as error:
            raise PresetError(str(error)) from None
        object.__setattr__(self, "layout", layout.key)
        cameras = tuple(self.cameras)
        if len(cameras) > layout.tiles:
            too_many = translate("presets",
                                 "预案「{name}」有 {count} 个画面的摄像机，布局 {layout} 只有 {tiles} 个画面")
            raise PresetError(too_many.format(name=self.preset, count=len(cameras), layout=layout.key,
                                              tiles=layout.tiles))
        for camera_id in cameras:
            if camera_id is not None and (not isinstance(camera_id, str) or not camera_id.strip()
                                          or len(camera_id) > MAX_CAMERA_ID_LEN):
                raise PresetError(translate("presets", "预案「{name}」含无效的摄像机编号 {id}").format(
                    name=self.preset, id=repr(str(camera_id)[:20])))
        object.__setattr__(self, "cameras", cameras)

    def to_doc(self) -> dict[str, Any]:
        """The arrangement as JSON data."""
        doc: dict[str, Any] = {"layout": self.layout, "cameras": list(self.cameras)}
        if self.tour is not None:
            doc["tour"] = {"name": self.tour.name, "camera_ids": list(self.tour.camera_ids),
                           "dwell_s": self.tour.dwell_s}  # fmt: skip
        return doc

    @classmethod
    def from_doc(cls, doc: object, preset: str) -> WallArrangement:
        """Read one wall's arrangement from JSON data; PresetError says what is wrong."""
        if not isinstance(doc, dict):
            raise PresetError(translate("presets", "预案「{name}」的 \"walls\" 应为对象列表").format(name=preset))
        cameras = doc.get("cameras", [])
        if not isinstance(cameras, list):
            raise PresetError(translate("presets", "\"cameras\" 应为摄像机编号列表"))
        return cls(str(doc.get("layout", "")), tuple(cameras), _tour(doc.get("tour"), preset), preset)


@dataclass(frozen=True)
class WallPreset:
    """A named arrangement of the wall screens: wall 1's ``layout`` key, camera id per tile (None: empty) and
    optional ``tour``, and ``more_walls`` — the arrangements of walls 2, 3 … when it was saved on a desk with
    several wall screens."""

    name: str
    layout: str
    cameras: tuple[str | None, ...]
    tour: Tour | None = None
    more_walls: tuple[WallArrangement, ...] = ()

    def __post_init__(self) -> None:
        name = self.name.strip() if isinstance(self.name, str) else ""
        if not name or len(name) > MAX_NAME_LEN or _UNSAFE_IN_FILE_NAMES.search(name):
            raise PresetError(translate("presets", "预案名称须为 1–{max} 个字符，且不含 / \\ : * ? \" < > |").format(
                max=MAX_NAME_LEN))
        object.__setattr__(self, "name", name)
        first = WallArrangement(self.layout, self.cameras, self.tour, name)
        object.__setattr__(self, "layout", first.layout)
        object.__setattr__(self, "cameras", first.cameras)
        more = tuple(self.more_walls)
        if 1 + len(more) > MAX_WALLS:
            raise PresetError(_too_many_walls(name, 1 + len(more)))
        object.__setattr__(self, "more_walls", more)

    @classmethod
    def of_walls(cls, name: str, walls: Sequence[WallArrangement]) -> WallPreset:
        """A preset of ``walls`` (wall 1 first; at least one)."""
        if not walls:
            raise PresetError(translate("wall", "预案至少含一面视频墙"))
        first, *more = walls
        return cls(name, first.layout, first.cameras, first.tour, tuple(more))

    @property
    def walls(self) -> tuple[WallArrangement, ...]:
        """Every wall's arrangement, wall 1 first."""
        return (WallArrangement(self.layout, self.cameras, self.tour, self.name), *self.more_walls)

    def to_json(self) -> str:
        """The file's text (version 1 for one wall, version 2 for several)."""
        if not self.more_walls:
            doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "name": self.name,
                                   **self.walls[0].to_doc()}  # fmt: skip
        else:
            doc = {"format": FORMAT, "version": WALLS_VERSION, "name": self.name,
                   "walls": [wall.to_doc() for wall in self.walls]}  # fmt: skip
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> WallPreset:
        """Parse a preset file's text (version 1 or 2); PresetError says what is wrong."""
        try:
            doc = parse_json(text)
        except NotJsonError as error:
            if error.problem is JsonProblem.TOO_DEEP:
                raise PresetError(translate("presets", "JSON 嵌套过深")) from None
            if error.problem is JsonProblem.NUMBER_TOO_LONG:
                raise PresetError(translate("presets", "含位数过多、无法读取的数字")) from None
            not_json = translate("presets", "不是有效的 JSON（第 {line} 行）")
            raise PresetError(not_json.format(line=error.line)) from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            not_preset = translate("presets", "不是视频墙预案文件（缺少 \"format\": \"{format}\"）")
            raise PresetError(not_preset.format(format=FORMAT))
        if doc.get("version") not in (VERSION, WALLS_VERSION):
            raise PresetError(translate("presets", "预案文件版本 {version} 不受支持（应为 {one} 或 {several}）").format(
                version=repr(str(doc.get("version"))[:10]), one=VERSION, several=WALLS_VERSION))
        name = doc.get("name")
        if not isinstance(name, str):
            raise PresetError(translate("presets", "缺少预案名称 \"name\""))
        if doc["version"] == VERSION:
            return cls.of_walls(name, [WallArrangement.from_doc(doc, name)])
        walls = doc.get("walls")
        if not isinstance(walls, list) or not walls:
            no_walls = translate("presets", "预案「{name}」缺少 \"walls\" 列表")
            raise PresetError(no_walls.format(name=name[:MAX_NAME_LEN]))
        if len(walls) > MAX_WALLS:
            raise PresetError(_too_many_walls(name[:MAX_NAME_LEN], len(walls)))
        return cls.of_walls(name, [WallArrangement.from_doc(wall, name) for wall in walls])


def _too_many_walls(name: str, count: int) -> str:
    return translate("presets", "预案「{name}」有 {count} 面视频墙，最多 {most} 面").format(
        name=name, count=count, most=MAX_WALLS)


def _tour(value: object, preset: str) -> Tour | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("camera_ids"), list):
        no_ids = translate("presets", "预案「{name}」的 \"tour\" 应含 \"camera_ids\" 列表")
        raise PresetError(no_ids.format(name=preset))
    name = value.get("name")
    if name is not None and not isinstance(name, str):
        raise PresetError(translate("presets", "预案「{name}」的轮巡名称 \"name\" 应为文字").format(name=preset))
    try:
        return Tour((name or preset)[:MAX_NAME_LEN], value["camera_ids"], value.get("dwell_s", 15.0))
    except ValueError as error:
        raise PresetError(str(error)) from None


@dataclass(frozen=True)
class PresetFileError:
    """A preset file that could not be read: which and why."""

    path: Path
    message: str

    def __str__(self) -> str:
        template = translate("presets", "预案文件 {name} 无法使用：{problem}")
        return template.format(name=self.path.name, problem=self.message)


@dataclass(frozen=True)
class PresetList:
    """The presets found (sorted by name, user ones over shipped ones of the same name) and the bad files."""

    presets: list[WallPreset]
    errors: list[PresetFileError]

    def get(self, name: str) -> WallPreset | None:
        """The preset called ``name``, or None."""
        return next((p for p in self.presets if p.name == name), None)


class PresetStore:
    """Presets as ``<name>.json`` files in ``folder`` (created when the first is saved; a name that is no safe
    file name gets a file name of its own, see :func:`file_stem`), plus read-only ``shipped`` folders read first.

    A store remembers what it read: :meth:`load` parses only the files that are new or changed since (by
    modification time, size and inode), and when no file changed it returns the very list it returned before,
    so a caller can tell nothing changed by identity (``is``)."""

    def __init__(self, folder: Path, shipped: Sequence[Path] = ()) -> None:
        self.folder = folder
        self._shipped = list(shipped)
        #: per file read (folder, file name): the stamp it had then, its path, the preset or why it is unusable
        self._read: dict[tuple[Path, str], tuple[_Stamp, Path, WallPreset | PresetFileError]] = {}
        self._last: tuple[list[list[tuple[str, _Stamp]]], PresetList] | None = None

    def load(self) -> PresetList:
        """Read every preset file (the unchanged ones as remembered); a bad one is listed in ``errors`` and
        skipped."""
        folders = (*self._shipped, self.folder)
        listed = [_preset_files(folder) for folder in folders]
        if self._last is not None and self._last[0] == listed \
                and all(stamp is not None for files in listed for _, stamp in files):
            return self._last[1]
        found: dict[str, WallPreset] = {}
        errors: list[PresetFileError] = []
        read: dict[tuple[Path, str], tuple[_Stamp, Path, WallPreset | PresetFileError]] = {}
        for folder, files in zip(folders, listed, strict=True):
            presets: list[tuple[Path, WallPreset]] = []
            for name, stamp in files:
                known = self._read.get((folder, name))
                if known is not None and known[0] == stamp and stamp is not None:
                    _, path, outcome = known
                else:
                    path = folder / name
                    outcome = _read_file(path)
                read[folder, name] = (stamp, path, outcome)
                if isinstance(outcome, PresetFileError):
                    errors.append(outcome)
                else:
                    presets.append((path, outcome))
            found.update(self._one_per_name(presets, errors))
        self._read = read
        loaded = PresetList(sorted(found.values(), key=lambda p: p.name), errors)
        self._last = (listed, loaded)
        return loaded

    @staticmethod
    def _one_per_name(read: list[tuple[Path, WallPreset]], errors: list[PresetFileError]) -> dict[str, WallPreset]:
        """One preset per name from one folder: the file it is saved as (:func:`file_stem`), else the first by
        file name; every other file claiming the name is listed in ``errors`` (a copied or renamed file)."""
        kept: dict[str, tuple[Path, WallPreset]] = {}
        for path, preset in sorted(read, key=lambda item: (item[0].stem != file_stem(item[1].name), item[0].name)):
            if preset.name in kept:
                same = translate("presets", "与 {file} 中的预案同名（{name}），未使用")
                errors.append(PresetFileError(path, same.format(file=kept[preset.name][0].name, name=preset.name)))
            else:
                kept[preset.name] = (path, preset)
        return {name: preset for name, (_, preset) in kept.items()}

    def save(self, preset: WallPreset) -> Path:
        """Write ``preset`` as ``<file_stem(name)>.json`` (replacing one of the same name) in one step; returns
        the path."""
        return write_whole(self.folder / f"{file_stem(preset.name)}.json", preset.to_json())


#: what tells a file changed: modification time (ns), size, inode; None when it cannot be looked at
_Stamp = tuple[int, int, int] | None


def _preset_files(folder: Path) -> list[tuple[str, _Stamp]]:
    """The names of the ``*.json`` files of ``folder``, sorted, each with its stamp (none when there is no such
    folder). Plain names, not paths: building 10 000 paths costs more than looking at the files."""
    try:
        with os.scandir(folder) as entries:
            found = [(entry.name, _stamp(entry)) for entry in entries if os.path.normcase(entry.name).endswith(".json")]
    except OSError:
        return []
    return sorted(found, key=lambda item: item[0])


def _stamp(entry: os.DirEntry[str]) -> _Stamp:
    try:
        status = entry.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size, status.st_ino


def _read_file(path: Path) -> WallPreset | PresetFileError:
    """The preset in ``path``, or why it cannot be used."""
    try:
        try:
            data = read_small_file(path, MAX_FILE_BYTES)
        except ValueError:
            too_big = translate("presets", "文件过大（超过 {kb} KB）")
            raise PresetError(too_big.format(kb=MAX_FILE_BYTES // 1024)) from None
        return WallPreset.from_json(data.decode("utf-8"))
    except PresetError as error:
        return PresetFileError(path, str(error))
    except (OSError, UnicodeDecodeError) as error:
        problem = translate("presets", "读取失败（{error}）").format(error=error.__class__.__name__)
        return PresetFileError(path, problem)


def file_stem(name: str) -> str:
    """The file name (without ``.json``) a preset called ``name`` is saved as: the name itself when it is a
    plain file name on every system. It is not when it holds characters that hide, reorder or break a line
    (bidi controls, format characters, line separators …), starts or ends with a dot or a space (``..``), or is
    a Windows device name (``CON``, ``NUL``, ``COM1`` …: a device, not a file, even as ``CON.json``); then those
    characters and every dot become ``_``, followed by ``-`` and 8 hex digits of the name's hash, so that two
    such names do not share a file. The preset's own name is kept inside the file."""
    if _plain_file_name(name):
        return name
    cleaned = "".join("_" if _hides(c) or c == "." else c for c in name).strip(" ") or "_"
    return f"{cleaned}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def _hides(character: str) -> bool:
    """True for a character a file name must not hold: a control, format, separator (other than the space),
    private-use or unassigned character, or one Windows forbids."""
    category = unicodedata.category(character)
    return (category[0] == "C" or category in ("Zl", "Zp") or (category == "Zs" and character != " ")
            or bool(_UNSAFE_IN_FILE_NAMES.match(character)))


def _plain_file_name(name: str) -> bool:
    return (bool(name) and not any(_hides(c) for c in name) and name[0] not in ". " and name[-1] not in ". "
            and name.split(".")[0].rstrip(" ").upper() not in _WINDOWS_DEVICES)
