"""The video wall's rules (视频墙), without Qt: what the wall shows at start, what 周边视频 puts up, which tour
轮巡 runs, which camera the PTZ pad steers, and what a saved wall means when it comes back.

``ui/wall`` owns the tiles and their streams; it asks this controller *which* cameras and plays them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from commandwall import paths
from commandwall.app.session import ClientSession
from commandwall.domain.models import Camera, Incident
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.localjson import JsonProblem, NotJsonError, parse_json
from commandwall.textsafe import display_text
from commandwall.video.layout import WallLayout
from commandwall.video.presets import PresetList, PresetStore, WallArrangement, WallPreset
from commandwall.video.tour import Tour, tour_around, tour_for_grid

log = logging.getLogger(__name__)

#: Where the wall looks at start when no incident is open: the centre of 临城街道 (lon, lat).
START_POINT = (117.263, 34.795)
#: Cameras a tour around an incident takes (the nearest that look at it first).
TOUR_AROUND_CAMERAS = 32
#: Hints (source text; shown as ``translate("wall", …)`` of it).
NO_INCIDENT_SELECTED = QT_TRANSLATE_NOOP("wall", "请先在事件中心选择一个事件")
NOTHING_TO_TOUR = QT_TRANSLATE_NOOP("wall", "请先在视频点位中选择摄像机，或在事件中心选择一个事件")


@dataclass(frozen=True)
class TourChoice:
    """The tour 轮巡 should run, or why none can (``message`` for the duty officer)."""

    tour: Tour | None
    message: str = ""


@dataclass(frozen=True)
class SavedWall:
    """A wall as a duty officer left it: the layout and the camera per tile (None: an empty tile)."""

    layout: str
    cameras: list[Camera | None]


@dataclass(frozen=True)
class WallRecall:
    """One wall's part of a recalled preset: its layout, the camera per tile as the platform knows them now
    (None: empty, also for ids the platform no longer lists), and its tour."""

    layout: str
    cameras: list[Camera | None]
    tour: Tour | None = None


@dataclass(frozen=True)
class PresetRecall:
    """What recalling a preset puts up: wall by wall (wall 1 first, as many as the desk has wall screens),
    the cameras the platform no longer lists, how many of the preset's walls found no wall screen here, and a
    note for the status bar."""

    preset: WallPreset
    walls: list[WallRecall]
    missing: list[str]
    left_out: int = field(default=0)

    @property
    def cameras(self) -> list[Camera | None]:
        """Wall 1's cameras."""
        return self.walls[0].cameras

    @property
    def message(self) -> str:
        """预案「…」已调取, with the cameras and the walls left out if any."""
        text = translate("wall", "预案「{name}」已调取（{layout}画面）").format(
            name=display_text(self.preset.name, 40, isolate=True), layout=self.preset.layout)
        if len(self.walls) > 1:
            text += translate("wall", "，共 {count} 面视频墙").format(count=len(self.walls))
        if self.missing:
            shown = translate("wall", "、").join(display_text(camera_id, 64, isolate=True)
                                                for camera_id in self.missing[:5])
            text += translate("wall", "；{count} 个摄像机不在平台点位中，已留空：{cameras}").format(
                count=len(self.missing), cameras=shown)
        if self.left_out:
            text += translate("wall", "；本机只有 {shown} 面视频墙屏，预案的后 {left} 面墙未调取").format(
                shown=len(self.walls), left=self.left_out)
        return text


def preset_folders(data_dir: Path, *, exercise: bool) -> tuple[Path, tuple[Path, ...]]:
    """Where a desk's wall presets are: its own folder in the data folder, and in exercise mode the exercise's
    shipped ones (read-only)."""
    return paths.wall_presets_dir(data_dir), (paths.shipped_wall_presets_dir(),) if exercise else ()


def preset_store(data_dir: Path, *, exercise: bool) -> PresetStore:
    """The wall presets (预案) a desk on ``data_dir`` offers (``exercise``: with the exercise's own), as the wall
    reads them — also before any window (``screenshot --preset`` checks the name first)."""
    return PresetStore(*preset_folders(data_dir, exercise=exercise))


class WallController:
    """Chooses cameras for the wall from the session's stores, and keeps the wall presets (预案)."""

    def __init__(self, session: ClientSession, grid_names: Callable[[], dict[str, str]] = dict) -> None:
        self.session = session
        self._grid_names = grid_names
        self._presets: tuple[tuple[Path, tuple[Path, ...]], PresetStore] | None = None

    # --- presets (预案) -----------------------------------------------------------------------------------
    def preset_store(self) -> PresetStore:
        """The presets in the data folder, and in exercise mode the exercise's own (its camera ids). The same
        store while the folders stay the same: it reads again only the files that changed."""
        folders = preset_folders(self.session.settings.data_dir, exercise=self.session.user.exercise)
        if self._presets is None or self._presets[0] != folders:
            self._presets = (folders, PresetStore(*folders))
        return self._presets[1]

    def presets(self) -> PresetList:
        """Every preset, and the files that could not be read."""
        return self.preset_store().load()

    def recall(self, preset: WallPreset, wall_count: int = 1) -> PresetRecall:
        """The cameras of ``preset`` as the platform knows them now, for the first ``wall_count`` of its walls
        (a desk with fewer wall screens than the preset leaves the preset's last walls out; a desk with more
        keeps its other walls as they are)."""
        walls: list[WallRecall] = []
        missing: list[str] = []
        arrangements = preset.walls
        for wall in arrangements[: max(1, wall_count)]:
            cameras = [self.camera(camera_id) if camera_id else None for camera_id in wall.cameras]
            missing += [cid for cid, cam in zip(wall.cameras, cameras, strict=True) if cid and cam is None]
            walls.append(WallRecall(wall.layout, cameras, wall.tour))
        return PresetRecall(preset, walls, missing, len(arrangements) - len(walls))

    def save_preset(self, name: str, walls: Sequence[tuple[str, list[Camera | None], Tour | None]]) -> WallPreset:
        """Save the walls (wall 1 first: layout key, camera per tile, running tour) as preset ``name``,
        replacing one of that name. PresetError for a bad name."""
        arrangements = []
        for layout, cameras, tour in walls:
            ids = [c.id if c is not None else None for c in cameras]
            while ids and ids[-1] is None:
                ids.pop()
            arrangements.append(WallArrangement(layout, tuple(ids), tour, name))
        preset = WallPreset.of_walls(name, arrangements)
        self.preset_store().save(preset)
        return preset

    def start_cameras(self, tile_count: int) -> list[Camera]:
        """First view on a new desk: the cameras around the newest open incident, else around 临城街道."""
        open_incidents = self.session.incidents.open()
        lon, lat = (open_incidents[0].lon, open_incidents[0].lat) if open_incidents else START_POINT
        return self.session.cameras_near(lon, lat, tile_count)

    def cameras_around(self, incident: Incident, tile_count: int) -> list[Camera]:
        """周边视频: the cameras whose field of view covers the incident, then the nearest, one per tile."""
        return self.session.cameras_near(incident.lon, incident.lat, tile_count)

    def tour_for(self, camera_id: str | None, incident_id: str | None) -> TourChoice:
        """轮巡 for what is selected: the selected camera's grid cell (网格: a few pages, not a whole town's),
        else the cameras around the selected incident, else nothing (with a hint what to select)."""
        camera = self.session.cameras.get(camera_id) if camera_id else None
        incident = self.session.incidents.get(incident_id) if incident_id else None
        try:
            if camera is not None:
                return TourChoice(tour_for_grid(self.session.cameras.all(), camera.grid,
                                                self._grid_names().get(camera.grid)))
            if incident is not None:
                around = self.session.cameras_near(incident.lon, incident.lat, TOUR_AROUND_CAMERAS)
                return TourChoice(tour_around(around, translate("wall", "{title} 周边").format(title=incident.title)))
        except ValueError as error:  # e.g. no camera online there
            return TourChoice(None, str(error))
        return TourChoice(None, translate("wall", NOTHING_TO_TOUR))

    def camera(self, camera_id: str | None) -> Camera | None:
        """The camera as the platform knows it now (for a tour page, a click, the PTZ pad)."""
        return self.session.cameras.get(camera_id) if camera_id else None

    @property
    def can_steer(self) -> bool:
        """Whether this desk's user may steer PTZ cameras (the same rights as acting on incidents)."""
        return self.session.user.can_act

    def send_ptz(self, camera_id: str, action: str, speed: int, on_done: Callable[[str | None], None]) -> bool:
        """Send a PTZ command (newest per camera wins); ``on_done(error)`` runs on the PTZ worker thread.

        Returns False (and sends nothing) before the session is connected or when the user may not steer.
        """
        ptz = self.session.ptz
        if ptz is None or not self.can_steer:
            return False
        ptz.send(camera_id, action, speed, on_done)
        return True

    def saved_wall(self, layout: object, camera_ids: object) -> SavedWall | None:
        """Read back a saved wall as a settings file holds it: the layout key (or an older file's tile count) and
        the camera ids as :meth:`wall_to_save` writes them, or as an older client wrote them (comma-separated;
        a list when a hand edit left the commas unquoted).

        None when nothing usable was saved: an unknown layout or no camera at all. Cameras the platform no
        longer lists come back as empty tiles.
        """
        try:
            wall_layout = WallLayout.named(layout)
        except ValueError:
            return None
        ids = _saved_camera_ids(camera_ids)
        if not any(ids):
            return None
        return SavedWall(wall_layout.key, [self.camera(camera_id) for camera_id in ids[: wall_layout.tiles]])

    @staticmethod
    def wall_to_save(layout: str, cameras: list[Camera | None]) -> tuple[str, str]:
        """What a settings file keeps of a wall: the layout key and the camera id per tile as a JSON array (null:
        an empty tile), so that any id comes back as it was — one with a comma, a quote or a backslash too.

        The array is ASCII (``\\uXXXX`` beyond, a parenthesis too): no id can make the file look like one that
        holds a serialised object (``view.ini`` is then not read)."""
        ids = json.dumps([c.id if c else None for c in cameras])
        return layout, ids.replace("(", "\\u0028")


_said_unreadable: set[str] = set()


def _say_unreadable_once(error: NotJsonError) -> None:
    """Log once per process and kind that a saved wall's cameras could not be read."""
    if error.problem not in _said_unreadable:
        _said_unreadable.add(error.problem)
        log.warning("a saved wall's cameras in view.ini cannot be read (%s): that wall starts as on a new desk", error)


def _saved_camera_ids(saved: object) -> list[str]:
    """The camera id per tile ("" for an empty tile) of a saved wall: a JSON array of ids and nulls; else an older
    client's comma-separated ids, or those a settings file read as a list. An array nested deeper than the parser
    follows (or with a number too long to read) is no camera at all: logged once, the wall then starts as on a new
    desk."""
    if isinstance(saved, list):
        return [camera_id if isinstance(camera_id, str) else "" for camera_id in saved]
    if not isinstance(saved, str):
        return []
    if saved.startswith("["):
        try:
            ids = parse_json(saved)
        except NotJsonError as error:
            if error.problem is not JsonProblem.SYNTAX:  # too deep (its RecursionError stopped the wall), too long
                _say_unreadable_once(error)
                return []
            ids = None  # an older client's ids, the first of which starts with "["
        if isinstance(ids, list) and all(camera_id is None or isinstance(camera_id, str) for camera_id in ids):
            return [camera_id or "" for camera_id in ids]
    return saved.split(",")
