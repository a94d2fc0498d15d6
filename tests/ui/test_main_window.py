"""The main window against the embedded exercise backend: map, wall and incidents working together."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from commandwall.domain.models import IncidentStatus
from tests.ui.windows import main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)


def run_js(qtbot, view, code: str, timeout: int = 5000):
    box: list = []
    view.page().runJavaScript(f"JSON.stringify(({code}))", 0, box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=timeout)
    return json.loads(box[0]) if box[0] else None


@pytest.fixture
def window(qtbot, tmp_path, exercise_platform):
    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform), map_ready=True) as win:
        yield win


def test_start_fills_the_list_the_map_and_the_wall(qtbot, window):
    assert window.incidents.visible_count() > 0
    assert window.session.user.can_act
    qtbot.waitUntil(lambda: run_js(qtbot, window.map, "CW.stats().cameras") == len(window.session.cameras),
                    timeout=15000)
    assert len(window.session.cameras) >= 1000
    playing = [c for c in window.wall.cameras() if c is not None]
    assert len(playing) == 4
    qtbot.waitUntil(lambda: all(t.state_text() == "直播" for t in window.wall.tiles()), timeout=20000)
    qtbot.waitUntil(lambda: "实时推送" in window.connection_label.text(), timeout=15000)  # tiles may be first


def test_clicking_a_camera_on_the_map_plays_it(qtbot, window):
    camera = window.session.cameras.all()[-1]
    window.wall.select(2)
    window.map.sig_camera_clicked.emit(camera.id)
    assert window.wall.tile(2).camera.id == camera.id


def test_a_selection_drawn_on_the_map_goes_on_the_wall(qtbot, window):
    """上墙: a circle drawn around a camera on the real page lists it; the button fills the wall's tiles."""
    camera = window.session.cameras.all()[-1]
    run_js(qtbot, window.map, f"""(CW.map.setView([{camera.lat}, {camera.lon}], 17, {{animate: false}}),
        CW.selection.start('circle'), CW.selection.add([{camera.lat}, {camera.lon}]),
        CW.selection.add(CW.map.containerPointToLatLng(
            CW.map.latLngToContainerPoint([{camera.lat}, {camera.lon}]).add([60, 0]))), true)""")
    qtbot.waitUntil(lambda: camera.id in [c["id"] for c in run_js(qtbot, window.map, "CW.selection.items()")],
                    timeout=10000)
    listed = [c["id"] for c in run_js(qtbot, window.map, "CW.selection.items()")]
    run_js(qtbot, window.map, "(document.querySelector('.cw-selection-wall').click(), true)")
    shown = min(len(listed), window.wall.tile_count())
    qtbot.waitUntil(lambda: [c.id if c else None for c in window.wall.cameras()][:shown] == listed[:shown],
                    timeout=10000)


def test_selecting_an_incident_flies_the_map_to_it(qtbot, window):
    incident = window.session.incidents.open()[-1]
    assert window.incidents.select(incident.id)

    def arrived() -> bool:
        lon, lat = run_js(qtbot, window.map, "CW.stats().center")
        return abs(lon - incident.lon) < 1e-3 and abs(lat - incident.lat) < 1e-3

    qtbot.waitUntil(arrived, timeout=10000)
    assert run_js(qtbot, window.map, "CW.stats().selectedIncident") == incident.id


def test_accept_button_changes_the_incident_on_the_server(qtbot, window):
    new = next(i for i in window.session.incidents.open() if i.status is IncidentStatus.NEW)
    window.incidents.select(new.id)
    button = window.incidents.detail.findChild(QPushButton, "action_accept")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.session.incidents.get(new.id).status is IncidentStatus.ACCEPTED, timeout=15000)
    server_copy = window.session.client.incident(new.id)
    assert server_copy.status is IncidentStatus.ACCEPTED
    qtbot.waitUntil(lambda: window.incidents.model.incident(new.id).status is IncidentStatus.ACCEPTED,
                    timeout=5000)
    qtbot.waitUntil(lambda: "已送达" in window.incidents.detail.feedback.text(), timeout=10000)


def test_a_stale_transition_is_reported_not_applied(qtbot, window):
    incident = next(i for i in window.session.incidents.open() if i.status is IncidentStatus.NEW)
    window.incidents.select(incident.id)
    window.session.client.transition(incident.id, "accept", incident.version)  # someone else, first
    window.session.transition(incident.id, "accept", incident.version)  # this desk, with the old version
    qtbot.waitUntil(lambda: "已被他人更新" in window.incidents.detail.feedback.text(), timeout=15000)
    assert window.session.client.incident(incident.id).version == incident.version + 1


def test_dispatch_creates_one_task_and_moves_the_incident(qtbot, window):
    incident = next(i for i in window.session.incidents.open()
                    if i.status in (IncidentStatus.NEW, IncidentStatus.ACCEPTED))
    window.incidents.select(incident.id)
    unit, _ = window.session.units_by_distance(incident.lon, incident.lat)[0]
    window.session.dispatch_task({"incident_id": incident.id, "unit_id": unit.id, "department": unit.department,
                                  "instructions": "立即赶赴现场核实", "priority": 2})
    qtbot.waitUntil(lambda: len(window.session.tasks.for_incident(incident.id)) == 1, timeout=15000)
    qtbot.waitUntil(lambda: window.session.incidents.get(incident.id).status is IncidentStatus.DISPATCHED,
                    timeout=15000)
    assert len(window.session.client.tasks(incident.id)) == 1
    qtbot.waitUntil(lambda: window.incidents.detail.tasks.count() == 1, timeout=10000)
    assert "立即赶赴现场核实" in window.incidents.detail.tasks.item(0).text()


def test_a_camera_going_offline_shows_on_its_tile(qtbot, window, exercise):
    tile = window.wall.tile(0)
    camera_id = tile.camera.id
    exercise.set_camera_status(camera_id, "offline")
    qtbot.waitUntil(lambda: tile.state_text() == "离线", timeout=15000)
    exercise.set_camera_status(camera_id, "online")
    qtbot.waitUntil(lambda: tile.state_text() == "直播", timeout=20000)


def test_backend_outage_shows_a_banner_keeps_the_last_state_and_recovers(qtbot, window, exercise, tmp_path):
    port = exercise.port
    listed = window.incidents.visible_count()
    exercise.stop()
    qtbot.waitUntil(lambda: "与平台断开" in window.connection_label.text(), timeout=60000)
    assert window.banner.isVisible()
    assert "连接已中断" in window.banner.text()
    assert window.incidents.visible_count() == listed  # the last known state stays on screen
    back = DemoBackend(db_path=tmp_path / "exercise.sqlite3", port=port, incident_rate_per_min=0).start()
    try:
        qtbot.waitUntil(lambda: "实时推送" in window.connection_label.text(), timeout=60000)
        assert not window.banner.isVisible()
    finally:
        window.close()  # before the platform goes
        back.stop()


def test_a_live_incident_is_highlighted_until_looked_at(qtbot, window, exercise):
    sim = exercise.simulator
    before = {i.id for i in window.session.incidents.all()}
    sim.new_incident()
    qtbot.waitUntil(lambda: window.incidents.model.unseen_count() == 1, timeout=15000)
    new_id = next(i.id for i in window.session.incidents.all() if i.id not in before)
    # said in the status bar, and kept in 消息 while later lines (the alarm's, a desk without sound) take its place
    said = window.messages.lines()
    assert any("新事件" in line or "告警联动" in line for line in said), said
    assert window.incidents.count_label.text().startswith("新 1")
    window.incidents.select(new_id)
    assert window.incidents.model.unseen_count() == 0


def test_the_wall_comes_back_as_it_was_left(qtbot, tmp_path, exercise_platform):
    settings = Settings(data_dir=tmp_path)
    with main_window(qtbot, ClientSession(settings, exercise_platform), size=None, show=False) as first:
        first.wall.set_tile_count(9)
        chosen = first.session.cameras.all()[100:103]
        for index, camera in enumerate(chosen):
            first.wall.play(camera, index + 2)
        first.wall.stop(0)
        expected = [c.id if c else None for c in first.wall.cameras()]

    with main_window(qtbot, ClientSession(settings, exercise_platform), size=None, show=False) as second:
        assert second.wall.tile_count() == 9
        ids = [c.id if c else None for c in second.wall.cameras()]
        assert ids == expected
        assert ids[2:5] == [c.id for c in chosen] and ids[0] is None


def test_camera_tree_plays_and_the_ptz_pad_steers_the_selected_tile(qtbot, window):
    tree = window.camera_tree
    ptz_camera = next(c for c in window.session.cameras.online() if c.kind == "ptz")
    window.wall.select(1)
    tree.sig_play_requested.emit(ptz_camera.id)
    assert window.wall.tile(1).camera.id == ptz_camera.id
    qtbot.waitUntil(lambda: window.ptz_pad.isVisible() and window.ptz_pad.camera is not None, timeout=5000)
    assert window.ptz_pad.camera.id == ptz_camera.id
    errors: list = []
    done: list = []
    window.session.ptz.send(ptz_camera.id, "left", 4, lambda err: (done.append(True), errors.append(err)))
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    assert errors == [None]


def test_tour_steps_through_a_grid_cell_or_the_cameras_around_an_incident(qtbot, window):
    camera = next(c for c in window.session.cameras.all() if c.town == "临城街道")
    assert window.camera_tree.select_camera(camera.id)
    window.tour_action.trigger()
    assert window.tour_action.isChecked() and window.tour_runner.is_running()
    message = window.statusBar().currentMessage()
    assert message.startswith("轮巡：临城街道第") and "网格 第 1/" in message  # the camera's grid cell, by name
    in_grid = [c for c in window.session.cameras.all() if c.grid == camera.grid]
    assert len(window.tour_runner.current_tour.camera_ids) == len(in_grid)
    assert all(c is not None and c.grid == camera.grid for c in window.wall.cameras()[: min(4, len(in_grid))])
    window.tour_action.trigger()
    assert not window.tour_runner.is_running()
    window.tour_action.trigger()
    window.tour_runner.stop()  # stopped from elsewhere: the action follows
    assert not window.tour_action.isChecked()
    window.camera_tree.view.setCurrentIndex(window.camera_tree.model.index(0, 0))  # a town row, no camera
    incident = window.session.incidents.open()[0]
    window.incidents.select(incident.id)
    window.tour_action.trigger()
    assert window.tour_action.isChecked() and "周边 第 1/" in window.statusBar().currentMessage()
    assert window.tour_runner.current_tour.camera_ids[:4] == tuple(c.id for c in window.wall.cameras())


def test_a_status_message_never_hides_the_connection_state(qtbot, window):
    window.statusBar().showMessage("新事件［特急·应急］临城街道 测试", 20000)
    qtbot.wait(50)
    assert window.connection_label.isVisible()
    assert "实时推送" in window.connection_label.text()


def test_a_feature_that_fails_to_start_does_not_keep_the_others_from_starting(qtbot, tmp_path, exercise_platform,
                                                                             monkeypatch, caplog):
    """The wall's start raises (what a preset file of a 5000-digit number once did): the log keeps the traceback,
    the status bar says the wall could not start, and the dashboard, the alarm linkage and the login note start
    all the same. (The failure is put in by hand: no file makes a feature fail any more.)"""

    def fails() -> None:
        raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")

    session = ClientSession(Settings(data_dir=tmp_path), exercise_platform)
    with main_window(qtbot, session, start=False) as win:
        monkeypatch.setattr(win.wall_feature, "on_ready", fails)
        with qtbot.waitSignal(win.signals.sig_ready, timeout=60_000):
            win.start_session()
        assert win.dashboard_feature._started and win.alarm_feature._ready and win._ready
        said = [line for line in win.messages.lines() if "视频墙未能启动" in line]
        assert said and "4300 digits" in said[0] and "其余功能照常" in said[0]
        failed = [r for r in caplog.records if r.levelname == "ERROR" and "could not start" in r.getMessage()]
        assert failed and failed[0].exc_info is not None and "WallFeature" in failed[0].getMessage()


def test_a_screen_profile_with_a_number_python_cannot_read_is_named_and_the_defaults_used(qtbot, tmp_path,
                                                                                         exercise_platform):
    """``profiles/default.json`` holding a 5000-digit number (a plain ValueError, not a JSONDecodeError) no longer
    stops the window: the status bar names the file and the default roles are used, as for any unusable
    profile."""
    profiles = tmp_path / "config" / "profiles"
    profiles.mkdir(parents=True)
    (profiles / "default.json").write_bytes(b'{"screens": [{"role": "map", "index": ' + b"9" * 5000 + b"}]}")
    session = ClientSession(Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config"), exercise_platform)
    with main_window(qtbot, session, size=None, show=False, start=False) as win:
        message = win.statusBar().currentMessage()
        assert "屏幕方案无法使用" in message and str(profiles / "default.json") in message and "JSON" in message
        assert win.screens.profile is not None and win.screens.profile.slots
