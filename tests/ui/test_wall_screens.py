"""Two walls (two wall screens) sharing one stream pool, counted where the streams are served: the exercise
backend counts every request for a camera's stream."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from commandwall import paths
from commandwall.app.desk import Desk
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.app.wall import SavedWall
from commandwall.backoff import Backoff
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from commandwall.domain.models import Camera
from commandwall.ui.wall import WallView
from commandwall.ui.wall.view_state import WallViewState
from commandwall.video.pool import ReaderPool
from commandwall.video.reader import StreamReader
from tests.ui.test_wall_demo import demo as demo_backend
from tests.ui.test_wall_demo import online_cameras as online
from tests.ui.test_wall_dragdrop import drop_on
from tests.ui.test_wall_layouts import counted, opens
from tests.ui.windows import open_main_window

demo = demo_backend  # the module-scoped exercise backend and its online cameras
online_cameras = online


@pytest.fixture
def pool() -> Iterator[ReaderPool]:
    """Readers with a short backoff, all stopped after the test."""
    p = ReaderPool(lambda url: StreamReader(url, backoff=Backoff(initial_s=0.2, maximum_s=1.0)))
    yield p
    p.stop_all(timeout_s=6.0)


@pytest.fixture
def walls(qtbot: QtBot, pool: ReaderPool) -> Iterator[tuple[WallView, WallView]]:
    """Wall 1 (2×2, small tiles: sub streams) and wall 2 (one tile), in one group on one pool."""
    group: list[WallView] = []
    one, two = WallView(pool, tile_count=4, group=group), WallView(pool, tile_count=1, group=group)
    for view, (x, width, height) in zip((one, two), ((0, 960, 540), (980, 600, 340)), strict=True):
        qtbot.addWidget(view)
        view.move(x, 0)
        view.resize(width, height)
        view.show()
        qtbot.waitExposed(view)
    yield one, two
    one.shutdown()
    two.shutdown()


def test_a_camera_on_two_walls_is_decoded_once_in_the_stream_the_widest_tile_needs(
    qtbot: QtBot, walls: tuple[WallView, WallView], pool: ReaderPool, demo: DemoBackend,
    online_cameras: list[Camera],
) -> None:
    """One camera on wall 1 (a small tile) and wall 2: one reader, one request to the backend; when wall 2's
    tile grows past ~800 px both walls move to the main stream together, still one reader."""
    one, two = walls
    camera = counted(online_cameras)[40]
    one.play(camera, 1)
    two.play(camera, 0)
    qtbot.waitUntil(lambda: one.tile(1).state_text() == "直播" and two.tile(0).state_text() == "直播",
                    timeout=20_000)  # fmt: skip
    assert one.tile(1).reader is two.tile(0).reader
    assert pool.refcount(camera.streams.sub) == 2 and len([u for u in pool.urls() if camera.id in u]) == 1
    assert opens(demo, [camera], "sub") == [1]

    two.resize(1400, 800)  # its one tile is now wider than 800 px: the main stream, on both walls
    qtbot.waitUntil(lambda: two.tile(0).stream_kind == "main" and one.tile(1).stream_kind == "main",
                    timeout=5000)  # fmt: skip
    assert one.tile(1).reader is two.tile(0).reader
    assert pool.refcount(camera.streams.main) == 2 and pool.refcount(camera.streams.sub) == 0
    qtbot.waitUntil(lambda: one.tile(1).state_text() == "直播", timeout=20_000)
    assert opens(demo, [camera], "main") == [1] and opens(demo, [camera], "sub") == [1]


def test_a_hidden_wall_releases_its_streams_and_plays_them_again(
    qtbot: QtBot, walls: tuple[WallView, WallView], pool: ReaderPool, demo: DemoBackend,
    online_cameras: list[Camera],
) -> None:
    """Wall 2's screen goes: its own camera's stream is closed, a camera wall 1 shows too keeps playing there,
    the arrangement stays; what is put on it meanwhile opens nothing; back on screen, it plays again."""
    one, two = walls
    shared, own, later = counted(online_cameras)[41:44]
    one.play(shared, 0)
    two.set_layout("4")
    two.play(shared, 0)
    two.play(own, 1)
    qtbot.waitUntil(lambda: all(two.tile(i).state_text() == "直播" for i in (0, 1)), timeout=20_000)

    two.suspend()
    assert two.suspended and pool.refcount(own.streams.sub) == 0 and pool.refcount(shared.streams.sub) == 1
    assert [c.id if c else None for c in two.cameras()] == [shared.id, own.id, None, None]
    assert all(t.reader is None for t in two.tiles())
    two.play(later, 2)  # a preset or a tour may arrange a hidden wall: nothing opens
    assert pool.refcount(later.streams.sub) == 0 and opens(demo, [later], "sub") == [0]
    assert one.tile(0).reader is not None and one.tile(0).state_text() == "直播"

    two.resume()
    qtbot.waitUntil(lambda: all(two.tile(i).state_text() == "直播" for i in (0, 1, 2)), timeout=20_000)
    assert two.tile(0).reader is one.tile(0).reader
    assert opens(demo, [own, later], "sub") == [2, 1] and opens(demo, [shared], "sub") == [1]


def test_a_tile_dragged_to_the_other_wall_plays_there_from_the_same_reader(
    qtbot: QtBot, walls: tuple[WallView, WallView], pool: ReaderPool, demo: DemoBackend,
    online_cameras: list[Camera],
) -> None:
    """Our drag data (camera ids) from a tile of wall 1 dropped on wall 2 plays the camera there too; no new
    request reaches the backend."""
    one, two = walls
    camera = counted(online_cameras)[45]
    lookup = {camera.id: camera}.get
    one.camera_lookup = two.camera_lookup = lookup
    one.play(camera, 3)
    qtbot.waitUntil(lambda: one.tile(3).state_text() == "直播", timeout=20_000)
    assert drop_on(two.tile(0), one.tile(3).drag_mime())
    assert two.tile(0).camera == camera and one.tile(3).camera == camera
    assert two.tile(0).reader is one.tile(3).reader
    qtbot.waitUntil(lambda: two.tile(0).state_text() == "直播", timeout=20_000)
    assert opens(demo, [camera], "sub") == [1]


def test_two_wall_screens_in_the_window_save_recall_and_come_back(qtbot: QtBot, tmp_path, exercise_platform) -> None:
    """The real window with two walls (what a profile with two wall screens asks of the feature): the menu acts
    on the wall last clicked; a preset saved from both walls is one file of two walls and puts both back; the
    walls come back at the next start, wall 2 also when its screen is missing that day."""
    settings = Settings(data_dir=tmp_path)
    win = open_main_window(qtbot, ClientSession(settings, exercise_platform), exposed=True)
    feature = win.wall_feature
    widgets = feature.walls_on_screens(2)
    assert widgets[0] is feature.widget and len(feature.walls) == 2
    one, two = (wall.view for wall in feature.walls)
    widgets[1].resize(800, 450)
    widgets[1].show()
    qtbot.waitExposed(widgets[1])
    assert feature.active.number == 1

    qtbot.mouseClick(two.tile(1), Qt.MouseButton.LeftButton)  # wall 2 is the one the menu acts on now
    assert feature.active.number == 2 and "视频墙 2" in win.statusBar().currentMessage()
    assert feature.ptz_pad.parent() is widgets[1] and feature.ptz_pad.isVisible(), "the pad under wall 2"
    feature.layout_actions["9"].trigger()
    assert (one.wall_layout.key, two.wall_layout.key) == ("4", "9")
    camera = win.desk.session.cameras.online()[5]
    feature.play_camera(camera.id)
    assert two.tile(1).camera == camera, "played into wall 2's selected tile"
    assert camera not in one.cameras()

    presets = feature.presets
    saved = presets.save_current_as("两屏")
    assert saved is not None and [w.layout for w in saved.walls] == ["4", "9"]
    doc = json.loads((paths.wall_presets_dir(tmp_path) / "两屏.json").read_text("utf-8"))
    assert doc["version"] == 2 and doc["walls"][1]["cameras"][1] == camera.id
    arranged = [one.cameras(), two.cameras()]
    one.set_layout("1")
    two.stop_all()
    assert presets.recall("两屏")
    assert [one.cameras(), two.cameras()] == arranged and one.wall_layout.key == "4"
    assert "共 2 面视频墙" in win.statusBar().currentMessage()

    feature.walls_on_screens(1)  # wall 2's screen is gone: its streams go, its wall stays
    assert not feature.walls[1].shown and feature.active.number == 1 and feature.ptz_pad.parent() is widgets[0]
    assert all(t.reader is None for t in two.tiles()) and two.cameras() == arranged[1]
    assert presets.recall("两屏") and "后 1 面墙未调取" in win.statusBar().currentMessage()
    win.close()  # saves every wall, the hidden one too

    again = open_main_window(qtbot, ClientSession(settings, exercise_platform), exposed=True)
    qtbot.waitUntil(lambda: [c.id if c else None for c in again.wall.cameras()] == _ids(arranged[0]),
                    timeout=10_000)  # fmt: skip
    assert len(again.wall_feature.walls) == 1
    again.wall_feature.walls_on_screens(2)  # the second wall screen is back
    assert _ids(again.wall_feature.walls[1].view.cameras()) == _ids(arranged[1])
    assert again.wall_feature.walls[1].view.wall_layout.key == "9"
    again.close()


def _ids(cameras: list[Camera | None]) -> list[str | None]:
    return [c.id if c else None for c in cameras]


def test_view_ini_of_a_one_wall_desk_reads_as_wall_1_and_missing_walls_are_kept(tmp_path) -> None:
    """An older client's ``[wall]`` section is wall 1; saving fewer walls than were saved keeps the others (a
    wall screen missing today gets its wall back when it returns)."""
    (tmp_path / "view.ini").write_text("[wall]\ntiles=1+5\ncameras=\"CAM-0001,,CAM-0003\"\n", "utf-8")
    state = WallViewState(tmp_path)
    assert state.load_walls() == [("1+5", "CAM-0001,,CAM-0003")]
    state.save_walls([("4", "CAM-0001"), ("9", ",CAM-0002")])
    assert state.load_walls() == [("4", "CAM-0001"), ("9", ",CAM-0002")]
    state.save_walls([("16", "CAM-0005")])
    assert state.load_walls() == [("16", "CAM-0005"), ("9", ",CAM-0002")]


def test_a_wall_comes_back_whatever_its_camera_ids_hold_and_an_older_desk_keeps_its_wall(tmp_path, exercise) -> None:
    """Camera ids with a comma, a quote, a backslash, blanks, Chinese or ``(`` and an empty tile: the wall saved
    in ``view.ini`` comes back tile for tile. A wall an older client saved (comma-separated ids; unquoted commas
    by hand) comes back too."""
    odd = ["A,B", "C", 'D"引号"', "E\\F\\", " 空 格 ", "中文摄像机", "G,", "@Variant(x)", "H;I=J"]
    exercise.store.add_cameras([{"id": camera_id, "name": camera_id, "lon": 117.26, "lat": 34.79, "town": "",
                                 "grid": "", "kind": "fixed", "heading": 0.0, "fov": 60.0, "range_m": 150.0}
                                for camera_id in odd])
    session = ClientSession(Settings(data_dir=tmp_path / "desk"), PlatformFactory.at_url(exercise.base_url,
                                                                                      exercise=True))
    session.start()
    try:
        controller = Desk.of(session).wall
        cameras = [session.cameras.get(camera_id) for camera_id in odd]
        assert None not in cameras, "the platform lists them all"
        walls = [[cameras[0], None, *cameras[1:8]], [*cameras[8:], None, cameras[0]]]
        WallViewState(tmp_path).save_walls([controller.wall_to_save("9", walls[0]),
                                            controller.wall_to_save("4", walls[1])])
        saved = [controller.saved_wall(*entry) for entry in WallViewState(tmp_path).load_walls()]
        assert saved == [SavedWall("9", walls[0]), SavedWall("4", walls[1])]
        assert not list(tmp_path.glob("view.ini.*")), "no id makes the desk's own file one it refuses"

        older = tmp_path / "older"
        older.mkdir()
        settings = QSettings(str(older / "view.ini"), QSettings.Format.IniFormat)  # as an older client saved
        settings.setValue("wall/tiles", "4")
        settings.setValue("wall/cameras", "C,,中文摄像机")
        settings.sync()
        del settings
        (older / "view.ini").write_text((older / "view.ini").read_text("utf-8") + "\n[wall2]\ntiles=4\n"
                                        "cameras=C, 中文摄像机\n", "utf-8")  # edited by hand: commas unquoted
        saved = [controller.saved_wall(*entry) for entry in WallViewState(older).load_walls()]
        assert saved == [SavedWall("4", [cameras[1], None, cameras[5]]), SavedWall("4", [cameras[1], cameras[5]])]
    finally:
        session.stop()


def test_the_wall_shortcuts_work_from_a_wall_screen_window(qtbot: QtBot, tmp_path, exercise_platform) -> None:
    """A wall on a screen of its own is a window of its own: Ctrl+1…4 (layout), Ctrl+Shift+S (抓拍) and Alt+n
    (预案) typed there act on that wall, not only while the main window has the focus."""
    win = open_main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform), exposed=True)
    feature = win.wall_feature
    widgets = feature.walls_on_screens(2)
    two = feature.walls[1].view
    widgets[1].resize(800, 450)
    widgets[1].show()
    qtbot.waitExposed(widgets[1])
    widgets[1].activateWindow()
    qtbot.waitUntil(lambda: widgets[1].isActiveWindow(), timeout=5000)
    assert not win.isActiveWindow()
    qtbot.mouseClick(two.tile(0), Qt.MouseButton.LeftButton)  # wall 2 is the active wall
    assert feature.active.number == 2
    qtbot.keyClick(two.tile(0), Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert two.wall_layout.key == "9" and feature.walls[0].view.wall_layout.key != "9"
    camera = win.desk.session.cameras.online()[3]
    feature.play_camera(camera.id)
    qtbot.waitUntil(lambda: two.tile(0).frame is not None, timeout=20_000)
    qtbot.mouseClick(two.tile(0), Qt.MouseButton.LeftButton)
    qtbot.keyClick(two.tile(0), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    snapshots = paths.snapshots_dir(tmp_path)
    qtbot.waitUntil(lambda: snapshots.is_dir() and any(snapshots.glob("*.png")), timeout=10_000)
    assert camera.id in next(snapshots.glob("*.png")).name


def test_a_saved_wall_nested_deeper_than_the_parser_follows_is_ignored_and_the_other_walls_come_back(
        qtbot: QtBot, tmp_path, exercise_platform, caplog, monkeypatch) -> None:
    """``view.ini`` whose wall 1 cameras are a list nested 100 000 deep: its RecursionError stopped the whole
    视频墙 feature at start (empty wall, walls added later not restored). Now that value is ignored, said once in
    the log, wall 1 shows the start cameras and wall 2 comes back as saved."""
    from commandwall.app import wall as wall_rules

    monkeypatch.setattr(wall_rules, "_said_unreadable", set(), raising=False)  # said once per process: afresh
    deep = "[" * 100_000 + "]" * 100_000
    WallViewState(tmp_path).save_walls([("4", deep), ("4", json.dumps(["CAM-0002", None, "CAM-0001"]))])
    caplog.set_level("WARNING")
    win = open_main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform), exposed=True)
    try:
        feature = win.wall_feature
        start = [c.id for c in feature.controller.start_cameras(feature.view.tile_count())]
        assert start and _ids(feature.view.cameras()) == start, "wall 1 shows the start cameras"
        feature.walls_on_screens(2)
        assert _ids(feature.walls[1].view.cameras()) == ["CAM-0002", None, "CAM-0001", None]
        said = [r for r in caplog.records if "saved wall's cameras in view.ini cannot be read" in r.getMessage()]
        assert len(said) == 1 and "nested too deeply" in said[0].getMessage()
        assert not any("could not start" in r.getMessage() for r in caplog.records)
    finally:
        win.close()
