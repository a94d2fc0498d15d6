"""Drag and drop onto the wall through the real widgets: the camera list's drag data dropped on a tile, tile ↔
tile swaps, clearing a tile (menu and Delete), double click to maximise and back — on real MJPEG streams."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from commandwall.domain.models import Camera
from commandwall.ui.cameras import CameraTree
from commandwall.ui.wall import WallView
from commandwall.video.dragdrop import CAMERA_IDS_MIME, WALL_TILE_MIME, decode_camera_ids
from commandwall.video.pool import ReaderPool
from tests.ui.test_wall import camera
from tests.unit.test_video_mjpeg import MjpegServer

ACTIONS = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction


def drop_on(widget, mime: QMimeData) -> bool:
    """Drag ``mime`` into ``widget`` and drop it in the middle, as Qt delivers a drag; True if it was accepted."""
    pos = widget.rect().center()
    enter = QDragEnterEvent(pos, ACTIONS, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(pos), ACTIONS, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


@pytest.fixture
def cams(server: MjpegServer) -> dict[str, Camera]:
    """Four cameras on the MJPEG server."""
    names = ["临城街道·光明大道与华山路口", "临城街道·珠江路与永福街路口", "常庄街道·常庄路", "沙沟镇·沙沟路"]
    return {c.id: c for c in (camera(f"CAM-00{i + 41}", name, server) for i, name in enumerate(names))}


@pytest.fixture
def tree(qtbot: QtBot, cams: dict[str, Camera]) -> Iterator[CameraTree]:
    """The camera list with the four cameras, every town open."""
    widget = CameraTree()
    qtbot.addWidget(widget)
    widget.set_cameras(list(cams.values()))
    widget.resize(300, 400)
    widget.show()
    widget.view.expandAll()
    yield widget


def test_camera_list_row_dropped_on_a_tile_plays_there(
    qtbot: QtBot, wall: WallView, tree: CameraTree, cams: dict[str, Camera]
) -> None:
    """A camera row's drag data (our MIME type, camera ids as JSON) dropped on tile 2 plays it there; a town row
    carries nothing to drop."""
    wall.camera_lookup = cams.get
    assert tree.select_camera("CAM-0042")
    index = tree.view.currentIndex()
    assert tree.view.dragEnabled()
    mime = tree.model.mimeData([index])
    assert mime is not None and mime.formats() == [CAMERA_IDS_MIME, "text/plain"]
    assert decode_camera_ids(mime.data(CAMERA_IDS_MIME).data()) == ["CAM-0042"]
    assert tree.model.mimeData([index.parent()]) is None  # the town row

    assert drop_on(wall.tile(2), mime)
    assert [c.id if c else None for c in wall.cameras()] == [None, None, "CAM-0042", None]
    qtbot.waitUntil(lambda: wall.tile(2).state_text() == "直播", timeout=10_000)


def test_several_ids_fill_from_the_tile_on_and_bad_drops_change_nothing(
    qtbot: QtBot, wall: WallView, cams: dict[str, Camera]
) -> None:
    """Three ids dropped on tile 2 of a 2×2 wall fill 2 and 3 (the third does not fit); unknown ids, broken
    data and foreign MIME types change nothing, and the status bar says why."""
    wall.camera_lookup = cams.get
    mime = QMimeData()
    mime.setData(CAMERA_IDS_MIME, b'["CAM-0041", "CAM-9999", "CAM-0043", "CAM-0044"]')
    assert drop_on(wall.tile(2), mime)
    assert [c.id if c else None for c in wall.cameras()] == [None, None, "CAM-0041", "CAM-0043"]

    for payload, message in ((b'["CAM-9999"]', "不在本平台"), (b"{not json", "无法读取"), (b'[1, 2]', "无效")):
        bad = QMimeData()
        bad.setData(CAMERA_IDS_MIME, payload)
        with qtbot.waitSignal(wall.sig_message, check_params_cb=lambda text, _ms, m=message: m in text):
            drop_on(wall.tile(0), bad)
        assert wall.tile(0).is_empty
    text = QMimeData()
    text.setText("CAM-0041")
    assert not drop_on(wall.tile(0), text)  # plain text is not a camera
    assert wall.tile(0).is_empty


def test_tile_dragged_onto_another_swaps_them_with_their_streams(
    qtbot: QtBot, wall: WallView, pool: ReaderPool, cams: dict[str, Camera], server: MjpegServer
) -> None:
    """Tile 0 dropped on tile 3 swaps the two cameras; the readers move with them (no stream reopened); a tile
    of another wall dropped here plays its camera (a copy, no swap)."""
    wall.camera_lookup = cams.get
    first, second = cams["CAM-0041"], cams["CAM-0042"]
    wall.play(first, 0)
    wall.play(second, 3)
    qtbot.waitUntil(lambda: all(wall.tile(i).state_text() == "直播" for i in (0, 3)), timeout=10_000)
    readers = wall.tile(0).reader, wall.tile(3).reader
    connections = server.active_connections

    mime = wall.tile(0).drag_mime()
    assert set(mime.formats()) >= {CAMERA_IDS_MIME, WALL_TILE_MIME}
    assert drop_on(wall.tile(3), mime)
    assert wall.tile(0).camera == second and wall.tile(3).camera == first
    assert (wall.tile(3).reader, wall.tile(0).reader) == readers
    assert pool.refcount(first.streams.sub) == pool.refcount(second.streams.sub) == 1
    assert server.active_connections == connections

    other = WallView(pool, tile_count=1)
    qtbot.addWidget(other)
    other.play(cams["CAM-0044"], 0)
    assert drop_on(wall.tile(1), other.tile(0).drag_mime())
    assert wall.tile(1).camera == cams["CAM-0044"] and other.tile(0).camera == cams["CAM-0044"]
    other.shutdown()


def test_drag_highlight_comes_and_goes(qtbot: QtBot, wall: WallView) -> None:
    """A drag over a tile draws the drop border; leaving takes it away."""
    tile = wall.tile(1)
    mime = QMimeData()
    mime.setData(CAMERA_IDS_MIME, b'["CAM-0041"]')
    enter = QDragEnterEvent(QPoint(10, 10), ACTIONS, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tile, enter)
    assert enter.isAccepted() and tile._drop_hover
    QApplication.sendEvent(tile, QDragLeaveEvent())
    assert not tile._drop_hover


def test_clear_by_menu_and_by_delete(
    qtbot: QtBot, wall: WallView, pool: ReaderPool, cams: dict[str, Camera]
) -> None:
    """清除画面 in the tile's menu empties it and lets its stream go; so does Delete on the selected tile."""
    first, second = cams["CAM-0041"], cams["CAM-0042"]
    wall.play(first, 1)
    wall.play(second, 2)
    menu = wall.tile_menu(1)
    clear = next(a for a in menu.actions() if a.text() == "清除画面")
    assert clear.isEnabled()
    clear.trigger()
    assert wall.tile(1).is_empty and pool.refcount(first.streams.sub) == 0
    assert not next(a for a in wall.tile_menu(1).actions() if a.text() == "清除画面").isEnabled()

    qtbot.mouseClick(wall.tile(2), Qt.MouseButton.LeftButton)
    assert wall.selected_index == 2 and wall.hasFocus()
    qtbot.keyClick(wall, Qt.Key.Key_Delete)
    assert wall.tile(2).is_empty and pool.refcount(second.streams.sub) == 0


def test_double_click_maximises_and_back_esc_too(qtbot: QtBot, wall: WallView, cams: dict[str, Camera]) -> None:
    """Double click: the tile fills the wall; again: the layout is back; Esc restores as well."""
    wall.play(cams["CAM-0041"], 3)
    tile = wall.tile(3)
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    assert wall.maximized_index == 3 and not wall.tile(0).isVisible()
    qtbot.waitUntil(lambda: tile.width() > 900)
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    assert wall.maximized_index is None and wall.tile(0).isVisible()
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    assert wall.maximized_index == 3
    qtbot.keyClick(wall, Qt.Key.Key_Escape)
    assert wall.maximized_index is None
    assert next(a.text() for a in wall.tile_menu(3).actions() if "最大化" in a.text() or "还原" in a.text()) == "最大化"


def wheel(widget, notches: int, at: QPointF) -> None:
    """Turn the mouse wheel ``notches`` over ``widget`` at ``at``."""
    event = QWheelEvent(at, widget.mapToGlobal(at), QPoint(), QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    QApplication.sendEvent(widget, event)


def test_digital_zoom_by_wheel_and_pan_by_drag(qtbot: QtBot, wall: WallView, cams: dict[str, Camera]) -> None:
    """The wheel magnifies around the cursor; a drag then pans (no tile drag, no swap); 还原缩放 shows it all;
    another camera in the tile starts unzoomed."""
    wall.play(cams["CAM-0041"], 0)
    wall.play(cams["CAM-0042"], 1)
    tile = wall.tile(0)
    qtbot.waitUntil(lambda: tile.frames_painted > 2, timeout=10_000)
    centre = QPointF(tile.rect().center())
    wheel(tile, 3, centre)
    assert tile.zoom.zoom == pytest.approx(1.25**3)
    qtbot.waitUntil(lambda: tile.frames_painted > 5)
    before = tile.zoom.cx, tile.zoom.cy
    qtbot.mousePress(tile, Qt.MouseButton.LeftButton, pos=centre.toPoint())
    qtbot.mouseMove(tile, (centre + QPointF(80, 40)).toPoint())
    qtbot.mouseRelease(tile, Qt.MouseButton.LeftButton, pos=(centre + QPointF(80, 40)).toPoint())
    assert tile.zoom.cx < before[0] and tile.zoom.cy < before[1]  # dragged right and down: shows more left/top
    assert wall.tile(0).camera == cams["CAM-0041"] and wall.tile(1).camera == cams["CAM-0042"]
    wheel(tile, -10, centre)
    assert not tile.zoom.active
    wheel(tile, 2, centre)
    unzoom = next(a for a in wall.tile_menu(0).actions() if a.text() == "还原缩放")
    assert unzoom.isEnabled()
    unzoom.trigger()
    assert not tile.zoom.active
    wheel(tile, 2, centre)
    wall.play(cams["CAM-0043"], 0)
    assert not tile.zoom.active
