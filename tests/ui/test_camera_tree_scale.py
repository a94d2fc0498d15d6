"""The camera tree at 20 000 cameras: no Qt item per camera, searches and filters that find exactly the matching
cameras, and status changes that keep what the officer selected and opened."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtGui import QStandardItem, QStandardItemModel
from pytestqt.qtbot import QtBot

from commandwall.domain.models import Camera, CameraStatus, StreamUrls
from commandwall.ui.cameras import CameraTree, StatusFilter
from commandwall.ui.cameras.model import ROLE_STATUS

TOWNS = [f"镇街{t:02d}" for t in range(21)]
STREAMS = StreamUrls(main="http://127.0.0.1:9/streams/main.mjpg", sub="http://127.0.0.1:9/streams/sub.mjpg")


def district(n: int = 20_000) -> list[Camera]:
    """``n`` cameras spread over 21 towns; every tenth offline."""
    return [
        Camera(id=f"CAM-{i:05d}", name=f"{TOWNS[i % 21]}·光明大道{i}号路口", lon=117.26, lat=34.79, town=TOWNS[i % 21],
               grid=f"G-{i % 300:03d}", kind="dome" if i % 2 else "fixed",
               status=CameraStatus.OFFLINE if i % 10 == 0 else CameraStatus.ONLINE, streams=STREAMS)
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def cameras() -> list[Camera]:
    """The district, made once for these tests."""
    return district()


@pytest.fixture
def tree(qtbot: QtBot, cameras: list[Camera]) -> CameraTree:
    """A shown tree with 20 000 cameras."""
    widget = CameraTree()
    qtbot.addWidget(widget)
    widget.resize(360, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_cameras(cameras)
    return widget


def search(qtbot: QtBot, tree: CameraTree, text: str) -> list[str]:
    """Type ``text`` and wait for the typing pause; the cameras then shown."""
    tree.search.setText(text)
    qtbot.waitUntil(lambda: tree.model.text == text.strip().lower(), timeout=2000)
    return tree.visible_camera_ids()


def expanded_towns(tree: CameraTree) -> list[str]:
    """The towns open in the view, top to bottom."""
    rows = [tree.model.index(r, 0) for r in range(tree.model.rowCount())]
    return [i.data().split(" (")[0] for i in rows if tree.view.isExpanded(i)]


def test_filling_makes_no_qt_item_per_camera(qtbot: QtBot, tree: CameraTree, cameras: list[Camera]) -> None:
    qtbot.wait(50)  # painted
    gc.collect()
    assert sum(isinstance(o, QStandardItem) for o in gc.get_objects()) == 0
    assert not isinstance(tree.model, QStandardItemModel)  # a model of its own, not one item per camera
    assert tree.model.rowCount() == len(TOWNS)
    assert tree.model.totals() == (sum(c.status is CameraStatus.ONLINE for c in cameras), len(cameras))
    town = [c for c in cameras if c.town == TOWNS[3]]
    online = sum(c.status is CameraStatus.ONLINE for c in town)
    assert tree.town_index(TOWNS[3]).data() == f"{TOWNS[3]} ({online}/{len(town)} 在线)"
    index = tree.camera_index("CAM-19998")  # a camera of 镇街06 (19998 % 21 == 6) deep in its town, read when asked
    assert (index.data(), index.siblingAtColumn(1).data()) == ("光明大道19998号路口", "枪机")
    assert index.parent().data().startswith(f"{TOWNS[19998 % 21]} (")
    assert tree.select_camera("CAM-19998") and tree.view.visualRect(tree.view.currentIndex()).isValid()


def test_search_and_filter_find_exactly_the_matching_cameras(
    qtbot: QtBot, tree: CameraTree, cameras: list[Camera]
) -> None:
    def expected(keep) -> list[str]:  # in tree order: town by town, cameras as given
        return [c.id for town in TOWNS for c in cameras if c.town == town and keep(c)]

    assert search(qtbot, tree, "cam-0123") == expected(lambda c: "CAM-0123" in c.id)
    assert search(qtbot, tree, "光明大道1234号") == expected(lambda c: "光明大道1234号" in c.name)
    assert search(qtbot, tree, "G-007") == expected(lambda c: c.grid == "G-007")
    town = search(qtbot, tree, TOWNS[5])
    assert town == expected(lambda c: c.town == TOWNS[5]) and len(town) == 953
    assert tree.model.rowCount() == 1 and expanded_towns(tree) == [TOWNS[5]]
    tree.search.clear()
    tree.filter_buttons[StatusFilter.OFFLINE].click()
    offline = expected(lambda c: c.status is CameraStatus.OFFLINE)
    assert tree.visible_camera_ids() == offline and len(offline) == 2000
    assert expanded_towns(tree) == TOWNS  # every town has offline cameras: all opened
    tree.search.setText("g-00")
    tree.apply_filters()
    assert tree.visible_camera_ids() == expected(lambda c: c.status is CameraStatus.OFFLINE and "G-00" in c.grid)
    assert search(qtbot, tree, "不存在") == [] and tree.empty_label.isVisibleTo(tree)
    tree.search.clear()
    tree.filter_buttons[StatusFilter.ALL].click()
    assert tree.visible_camera_ids() == expected(lambda c: True) and expanded_towns(tree) == []


def test_status_changes_keep_the_selection_and_the_open_towns(
    qtbot: QtBot, tree: CameraTree, cameras: list[Camera]
) -> None:
    tree.view.expand(tree.town_index(TOWNS[2]))
    tree.view.expand(tree.town_index(TOWNS[4]))
    assert tree.select_camera("CAM-00254")  # 镇街02, online
    with qtbot.assertNotEmitted(tree.model.modelReset):
        tree.update_camera(cameras[254].model_copy(update={"status": CameraStatus.OFFLINE}))
        tree.update_camera(cameras[23].model_copy(update={"status": CameraStatus.OFFLINE}))  # above it, same town
    assert tree.current_camera_id() == "CAM-00254"
    assert tree.camera_index("CAM-00254").data(ROLE_STATUS) == "offline"
    assert expanded_towns(tree) == [TOWNS[2], TOWNS[4]]
    online = sum(c.status is CameraStatus.ONLINE for c in cameras if c.town == TOWNS[2]) - 2
    assert tree.town_index(TOWNS[2]).data() == f"{TOWNS[2]} ({online}/953 在线)"

    tree.filter_buttons[StatusFilter.OFFLINE].click()  # the selected camera is offline: it stays selected
    assert tree.current_camera_id() == "CAM-00254"
    row = tree.view.currentIndex().row()
    with qtbot.assertNotEmitted(tree.model.modelReset):
        tree.update_camera(cameras[2].model_copy(update={"status": CameraStatus.OFFLINE}))  # shown above it
        assert tree.view.currentIndex().row() == row + 1 and tree.current_camera_id() == "CAM-00254"
        tree.update_camera(cameras[23])  # back online: hidden, above it
        tree.update_camera(cameras[2])
    assert tree.view.currentIndex().row() == row - 1 and tree.current_camera_id() == "CAM-00254"
    assert tree.visible_camera_ids() == [c.id for town in TOWNS for c in cameras if c.town == town and (
        c.status is CameraStatus.OFFLINE or c.id == "CAM-00254")]
    assert expanded_towns(tree) == TOWNS
    tree.filter_buttons[StatusFilter.ALL].click()  # the towns the officer had open, and the selection
    assert expanded_towns(tree) == [TOWNS[2], TOWNS[4]] and tree.current_camera_id() == "CAM-00254"
