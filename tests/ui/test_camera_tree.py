"""The 视频点位 camera tree: grouping and counts, search, status filter, in-place updates, play/locate, speed."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from commandwall import paths
from commandwall.domain.models import Camera, CameraStatus, StreamUrls
from commandwall.ui.cameras import CameraTree, StatusFilter
from commandwall.ui.cameras.model import NO_TOWN, ROLE_STATUS

EVIL = "<b>粗体</b><img src=x onerror=alert(1)>"


def cam(
    n: int, town: str, *, kind: str = "fixed", status: str = "online", grid: str = "G-001", name: str | None = None
) -> Camera:
    """A camera CAM-000n with streams nobody plays in these tests."""
    base = f"http://127.0.0.1:9/streams/CAM-{n:04d}"
    return Camera(
        id=f"CAM-{n:04d}",
        name=name or f"{town or '无镇街'}·测试路口{n}号",
        lon=117.26,
        lat=34.79,
        town=town,
        grid=grid,
        kind=kind,
        status=CameraStatus(status),
        streams=StreamUrls(main=f"{base}/main.mjpg", sub=f"{base}/sub.mjpg"),
    )


SAMPLE = [
    cam(1, "临城街道", kind="ptz", grid="G-001"),
    cam(2, "临城街道", kind="dome", status="offline", grid="G-002"),
    cam(3, "临城街道", grid="G-002", name=EVIL),
    cam(4, "沙沟镇", kind="ptz", grid="G-090"),
    cam(5, "沙沟镇", status="offline", grid="G-091"),
    cam(6, "", grid=""),
]


@pytest.fixture
def tree(qtbot: QtBot) -> CameraTree:
    """A shown tree with the sample cameras."""
    widget = CameraTree()
    qtbot.addWidget(widget)
    widget.resize(360, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_cameras(SAMPLE)
    return widget


def town_rows(tree: CameraTree) -> list[str]:
    """Town labels as the view shows them, top to bottom."""
    return [tree.model.index(r, 0).data() for r in range(tree.model.rowCount())]


def real_cameras() -> list[Camera]:
    """The district's 1515 cameras from the layer file (positions as stored; the tree does not use them)."""
    data = json.loads((paths.layers_dir() / "cameras.geojson").read_text(encoding="utf-8"))
    cameras = []
    for i, feature in enumerate(data["features"]):
        lon, lat = feature["geometry"]["coordinates"][:2]
        props = feature["properties"]
        base = f"http://127.0.0.1:9/streams/{props['id']}"
        cameras.append(
            Camera(
                **props,
                lon=lon,
                lat=lat,
                status="offline" if i % 11 == 0 else "online",
                streams=StreamUrls(main=f"{base}/main.mjpg", sub=f"{base}/sub.mjpg"),
            )
        )
    return cameras


def test_grouped_by_town_with_counts_and_kinds(tree: CameraTree) -> None:
    assert town_rows(tree) == ["临城街道 (2/3 在线)", "沙沟镇 (1/2 在线)", f"{NO_TOWN} (1/1 在线)"]
    linc = tree.model.index(0, 0)
    rows = [
        (tree.model.index(r, 0, linc).data(), tree.model.index(r, 1, linc).data())
        for r in range(tree.model.rowCount(linc))
    ]
    # the town prefix of a name is not repeated under the town (search and tooltip keep the full name)
    assert rows == [("测试路口1号", "云台"), ("测试路口2号", "球机"), (EVIL, "枪机")]
    assert tree.model.index(0, 0, tree.model.index(2, 0)).data() == "无镇街·测试路口6号"
    assert tree.town_counts("临城街道") == (2, 3)
    texts = {s: b.text() for s, b in tree.filter_buttons.items()}
    assert texts == {StatusFilter.ALL: "全部 6", StatusFilter.ONLINE: "在线 4", StatusFilter.OFFLINE: "离线 2"}


def test_backend_text_stays_plain(tree: CameraTree) -> None:
    index = tree.camera_index("CAM-0003")
    assert index.data() == EVIL  # a model's display text is drawn as text
    tip = tree.tooltip_for(index)
    assert "&lt;b&gt;粗体&lt;/b&gt;&lt;img src=x onerror=alert(1)&gt;" in tip and "<b>" not in tip
    assert tree.tooltip_for(tree.model.index(0, 0)) == ""  # a town row has none


def test_status_update_changes_row_and_count_in_place(qtbot: QtBot, tree: CameraTree) -> None:
    item = tree.camera_index("CAM-0001")
    rows_before = tree.model.rowCount()
    with (
        qtbot.assertNotEmitted(tree.model.modelReset),
        qtbot.assertNotEmitted(tree.model.rowsRemoved),
        qtbot.assertNotEmitted(tree.model.rowsInserted),
    ):
        tree.update_camera(SAMPLE[0].model_copy(update={"status": CameraStatus.OFFLINE}))
    assert tree.camera_index("CAM-0001") == item and tree.model.rowCount() == rows_before
    assert item.data(ROLE_STATUS) == "offline"
    assert tree.town_index("临城街道").data() == "临城街道 (1/3 在线)"
    assert tree.filter_buttons[StatusFilter.OFFLINE].text() == "离线 3"
    tree.update_camera(SAMPLE[0])  # back online
    assert tree.town_index("临城街道").data() == "临城街道 (2/3 在线)"
    tree.update_camera(SAMPLE[0])  # unchanged: the count must not move
    assert tree.town_counts("临城街道") == (2, 3)


def test_unknown_camera_is_added_and_a_town_change_moves_it(tree: CameraTree) -> None:
    tree.update_camera(cam(7, "陶庄镇", status="offline"))
    assert town_rows(tree)[-1] == "陶庄镇 (0/1 在线)"
    tree.update_camera(cam(7, "沙沟镇"))
    assert not tree.town_index("陶庄镇").isValid()
    assert tree.town_index("沙沟镇").data() == "沙沟镇 (2/3 在线)"


def test_search_matches_name_id_town_grid_case_insensitively(qtbot: QtBot, tree: CameraTree) -> None:
    def search(text: str) -> list[str]:
        tree.search.setText(text)
        qtbot.waitUntil(lambda: tree.model.text == text.strip().lower(), timeout=2000)  # after the typing pause
        return tree.visible_camera_ids()

    assert search("测试路口2") == ["CAM-0002"]
    assert search("cam-0004") == ["CAM-0004"]
    assert search("沙沟") == ["CAM-0004", "CAM-0005"]
    assert search("g-002") == ["CAM-0002", "CAM-0003"]
    assert search("  G-09 ") == ["CAM-0004", "CAM-0005"]
    assert town_rows(tree) == ["沙沟镇 (1/2 在线)"]  # counts stay the town's totals
    assert tree.view.isExpanded(tree.model.index(0, 0))  # matches are opened
    assert search("不存在") == [] and tree.empty_label.isVisibleTo(tree)
    assert len(search("")) == 6 and not tree.empty_label.isVisibleTo(tree)


def test_clearing_the_search_restores_the_open_towns(tree: CameraTree) -> None:
    tree.view.expand(tree.model.index(1, 0))  # the user opened 沙沟镇 only
    tree.search.setText("CAM")
    tree.apply_filters()
    assert all(tree.view.isExpanded(tree.model.index(r, 0)) for r in range(3))
    tree.search.clear()
    tree.apply_filters()
    assert [tree.view.isExpanded(tree.model.index(r, 0)) for r in range(3)] == [False, True, False]


def test_filter_online_offline_follows_status_changes(qtbot: QtBot, tree: CameraTree) -> None:
    tree.filter_buttons[StatusFilter.OFFLINE].click()
    assert tree.visible_camera_ids() == ["CAM-0002", "CAM-0005"]
    tree.update_camera(SAMPLE[3].model_copy(update={"status": CameraStatus.OFFLINE}))
    assert tree.visible_camera_ids() == ["CAM-0002", "CAM-0004", "CAM-0005"]
    tree.update_camera(SAMPLE[1].model_copy(update={"status": CameraStatus.ONLINE}))
    assert tree.visible_camera_ids() == ["CAM-0004", "CAM-0005"]
    assert town_rows(tree) == ["沙沟镇 (0/2 在线)"]  # 临城街道 has no offline camera left: hidden
    tree.update_camera(SAMPLE[0].model_copy(update={"status": CameraStatus.OFFLINE}))
    assert town_rows(tree) == ["临城街道 (2/3 在线)", "沙沟镇 (0/2 在线)"]  # back, and opened
    qtbot.waitUntil(lambda: tree.view.isExpanded(tree.model.index(0, 0)), timeout=2000)  # once per burst
    assert tree.visible_camera_ids() == ["CAM-0001", "CAM-0004", "CAM-0005"]
    tree.update_camera(SAMPLE[0])
    tree.filter_buttons[StatusFilter.ONLINE].click()
    assert tree.visible_camera_ids() == ["CAM-0001", "CAM-0002", "CAM-0003", "CAM-0006"]
    tree.filter_buttons[StatusFilter.ALL].click()
    assert len(tree.visible_camera_ids()) == 6


def test_double_click_and_enter_request_play(qtbot: QtBot, tree: CameraTree) -> None:
    assert tree.select_camera("CAM-0004")
    index = tree.view.currentIndex()
    rect = tree.view.visualRect(index)
    assert rect.isValid()
    with qtbot.waitSignal(tree.sig_play_requested, timeout=2000) as blocker:
        # a real double-click is press, release, double-click, release; QTest sends only the last two
        qtbot.mouseClick(tree.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(tree.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["CAM-0004"]
    with qtbot.waitSignal(tree.sig_play_requested, timeout=2000) as blocker:
        qtbot.keyClick(tree.view, Qt.Key.Key_Return)
    assert blocker.args == ["CAM-0004"]
    town = tree.model.index(0, 0)  # a town row plays nothing; Enter opens or closes it
    tree.view.setCurrentIndex(town)
    was_open = tree.view.isExpanded(town)
    with qtbot.assertNotEmitted(tree.sig_play_requested):
        qtbot.keyClick(tree.view, Qt.Key.Key_Return)
    assert tree.view.isExpanded(town) is not was_open


def test_enter_in_search_selects_the_first_match(qtbot: QtBot, tree: CameraTree) -> None:
    tree.search.setText("沙沟")
    qtbot.keyClick(tree.search, Qt.Key.Key_Return)
    assert tree.current_camera_id() == "CAM-0004"


def test_context_menu_plays_and_locates(qtbot: QtBot, tree: CameraTree) -> None:
    menu = tree.context_menu("CAM-0005")
    actions = {a.text(): a for a in menu.actions()}
    assert list(actions) == ["在视频墙播放", "地图定位"]
    with qtbot.waitSignal(tree.sig_play_requested, timeout=2000) as blocker:
        actions["在视频墙播放"].trigger()
    assert blocker.args == ["CAM-0005"]
    with qtbot.waitSignal(tree.sig_locate_requested, timeout=2000) as blocker:
        actions["地图定位"].trigger()
    assert blocker.args == ["CAM-0005"]


def test_select_camera_clears_a_filter_that_hides_it(tree: CameraTree) -> None:
    tree.filter_buttons[StatusFilter.OFFLINE].click()
    assert tree.select_camera("CAM-0001")
    assert tree.status_filter() is StatusFilter.ALL and tree.current_camera_id() == "CAM-0001"
    assert not tree.select_camera("CAM-9999")


def test_the_districts_1500_cameras_fill_the_tree_again_and_again_and_a_status_change_is_counted(qtbot: QtBot) -> None:
    """The whole district, filled three times over (as each reload does): every camera listed once, one row a town,
    the online count right; one camera going offline moves the count. (How fast: benchmarks/bench_camera_tree.py.)"""
    cameras = real_cameras()
    assert len(cameras) >= 1500
    widget = CameraTree()
    qtbot.addWidget(widget)
    widget.resize(360, 900)
    widget.show()
    qtbot.waitExposed(widget)
    online = sum(c.status is CameraStatus.ONLINE for c in cameras)
    for _ in range(3):
        widget.set_cameras(cameras)
        assert widget.model.totals() == (online, len(cameras))
        assert sorted(widget.visible_camera_ids()) == sorted(c.id for c in cameras)
        assert widget.model.rowCount() == len({c.town for c in cameras})
    widget.update_camera(cameras[1].model_copy(update={"status": CameraStatus.OFFLINE}))
    assert widget.model.totals() == (online - 1, len(cameras))


def test_the_model_keeps_qts_item_model_rules_through_filters_and_updates(tree: CameraTree) -> None:
    """Qt's own model checker (fatal on a broken rule) watches inserts, removals and resets of rows."""
    tester = QAbstractItemModelTester(tree.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    tree.filter_buttons[StatusFilter.OFFLINE].click()
    tree.update_camera(SAMPLE[0].model_copy(update={"status": CameraStatus.OFFLINE}))  # shown
    tree.update_camera(SAMPLE[1].model_copy(update={"status": CameraStatus.ONLINE}))  # hidden
    tree.update_camera(cam(7, "陶庄镇", status="offline"))  # a new town, shown
    tree.update_camera(cam(7, "沙沟镇", status="offline"))  # moved: its town goes
    tree.search.setText("沙沟")
    tree.apply_filters()
    assert tree.visible_camera_ids() == ["CAM-0005", "CAM-0007"]
    tree.set_cameras(SAMPLE)
    assert tree.visible_camera_ids() == ["CAM-0005"]
    del tester
