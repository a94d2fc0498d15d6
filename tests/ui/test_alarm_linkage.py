"""告警联动 in the real main window against the real exercise backend: a severe incident arriving over SSE
switches the wall's linkage area to the cameras that cover its point (within 1 s of reaching the client),
flies the map there and sounds until acknowledged; 恢复画面 brings the previous wall back; a low-priority one
changes nothing; a viewer's desk gets the linkage too (display only)."""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from datetime import UTC, datetime

import numpy as np
import pytest
from pyproj import Geod
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from commandwall.app.alarm import TONE_FILE
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.domain.models import Camera, Incident
from commandwall.textsafe import display_text
from commandwall.ui.alarm import feature as alarm_feature
from commandwall.ui.alarm.feature import has_audio_output
from commandwall.ui.main_window import MainWindow
from commandwall.video.tour import Tour
from tests.ui.test_main_window import run_js
from tests.ui.windows import main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)
GEOD = Geod(ellps="WGS84")
PREPARE_MS = 300  # the alarm sound is made this long after connecting (PREPARE_SOUND_MS, 3 s, on the desk)


@pytest.fixture
def window_as(qtbot, tmp_path, exercise_platform):
    """Opens a window as a user (each with his own data folder), ready with its map and full wall; all closed
    after the test."""
    with ExitStack() as windows:
        def make(username: str) -> MainWindow:
            session = ClientSession(Settings(data_dir=tmp_path / username, username=username), exercise_platform)
            win = windows.enter_context(main_window(qtbot, session, map_ready=True))
            qtbot.waitUntil(lambda: all(c is not None for c in win.wall.cameras()), timeout=10000)
            return win

        yield make


def _spot(window: MainWindow) -> tuple[Camera, float, float]:
    """A point 40 m in front of an online camera that has online neighbours (so several cameras qualify)."""
    online = window.session.cameras.online()
    lons, lats = np.array([c.lon for c in online]), np.array([c.lat for c in online])
    for camera in online[len(online) // 3:]:
        _, _, dist = GEOD.inv(np.full(len(online), camera.lon), np.full(len(online), camera.lat), lons, lats)
        if camera.range_m >= 80 and int((np.asarray(dist) < 300).sum()) >= 4:
            lon, lat, _ = GEOD.fwd(camera.lon, camera.lat, camera.heading, 40.0)
            return camera, float(lon), float(lat)
    raise AssertionError("no camera with neighbours in the exercise data")


def _report(exercise, near: Camera, lon: float, lat: float, priority: int, title: str) -> str:
    """The platform reports an incident (the exercise backend's store writes it and its SSE event) in the town
    and grid cell of the camera ``near`` it."""
    incident = exercise.store.add_incident({
        "title": title, "description": "告警联动测试", "category": "jiaotong", "lon": lon, "lat": lat,
        "town": near.town, "grid": near.grid, "priority": priority, "source": "12345热线"})
    return incident.id


def _ids(cameras: list) -> list[str | None]:
    return [c.id if c is not None else None for c in cameras]


def test_a_severe_incident_turns_the_wall_area_and_map_and_restore_brings_the_wall_back(
    qtbot, window_as, exercise
) -> None:
    window = window_as("duty")
    alarm = window.alarm_feature
    model = window.wall.model
    before = _ids(window.wall.cameras())
    area = model.area()
    arrived: dict[str, float] = {}
    switched: list[float] = []
    window.session.incidents.add_listener(lambda i: arrived.setdefault(i.id, time.monotonic()))
    model.subscribe(lambda change: switched.append(time.monotonic()) if change.tiles & set(area) else None)
    looking, lon, lat = _spot(window)

    incident_id = _report(exercise, looking, lon, lat, 1, "薛城区测试路口车辆起火")
    qtbot.waitUntil(lambda: alarm.last_alarm is not None, timeout=15000)
    assert alarm.last_alarm.incident.id == incident_id
    shown = _ids(model.cameras())
    linked = [c.id for c in alarm.last_alarm.cameras]
    assert len(linked) == len(area) and shown == linked  # the 2×2 wall is the area: all four tiles
    assert looking.id in linked[:3]  # the camera looking at the spot is among the first
    for camera_id in linked:
        camera = window.session.cameras.get(camera_id)
        _, _, metres = GEOD.inv(camera.lon, camera.lat, lon, lat)
        assert metres <= max(500.0, camera.range_m)
    latency = switched[-1] - arrived[incident_id] if switched else float("inf")
    print(f"alarm linkage: wall area switched {latency * 1000:.0f} ms after the incident reached the client")
    assert latency < 1.0, "wall switched within 1 s of arrival"
    assert alarm.ringing == incident_id and alarm.toast.isVisible() and "特急告警" in alarm.toast.text()
    assert window.desk.map.grid_names()[looking.grid] in alarm.toast.text()  # the grid cell by its name
    assert "薛城区测试路口车辆起火" in window.statusBar().currentMessage()  # the 新事件 line names it
    qtbot.waitUntil(lambda: run_js(qtbot, window.map, "CW.stats().selectedIncident") == incident_id,
                    timeout=10000)

    def map_there() -> bool:
        centre_lon, centre_lat = run_js(qtbot, window.map, "CW.stats().center")
        return abs(centre_lon - lon) < 1e-3 and abs(centre_lat - lat) < 1e-3

    qtbot.waitUntil(map_there, timeout=10000)

    _report(exercise, looking, lon, lat, 1, "薛城区测试路口第二起车辆起火")  # a second severe incident: a second loan
    qtbot.waitUntil(lambda: alarm.last_alarm.incident.id != incident_id, timeout=15000)
    assert window.incidents.select(alarm.last_alarm.incident.id)  # acknowledged in the incident centre
    assert alarm.ringing is None and not alarm.toast.isVisible()

    assert alarm.restore_action.isEnabled()
    alarm.restore_action.trigger()
    assert _ids(window.wall.cameras()) == before
    assert not alarm.restore_action.isEnabled() and "已恢复" in window.statusBar().currentMessage()


def test_a_low_priority_incident_changes_nothing(qtbot, window_as, exercise) -> None:
    window = window_as("duty")
    before = _ids(window.wall.cameras())
    looking, lon, lat = _spot(window)
    incident_id = _report(exercise, looking, lon, lat, 3, "薛城区测试路段井盖缺失")
    qtbot.waitUntil(lambda: window.incidents.model.incident(incident_id) is not None, timeout=15000)
    assert window.alarm_feature.last_alarm is None and window.alarm_feature.ringing is None
    assert _ids(window.wall.cameras()) == before and not window.alarm_feature.restore_action.isEnabled()


def test_a_viewer_desk_gets_the_linkage_too(qtbot, window_as, exercise) -> None:
    window = window_as("viewer")
    assert not window.session.user.can_act
    window.alarm_feature.mute_action.trigger()  # 静音告警: the wall and the toast still follow, silently
    looking, lon, lat = _spot(window)
    hostile = "<b>小区火情</b>\u202egnp.exe"  # markup and a direction override, from outside
    incident_id = _report(exercise, looking, lon, lat, 2, hostile)
    qtbot.waitUntil(lambda: window.alarm_feature.last_alarm is not None, timeout=15000)
    assert window.alarm_feature.last_alarm.incident.id == incident_id
    assert looking.id in _ids(window.wall.cameras())
    toast = window.alarm_feature.toast
    assert window.alarm_feature.ringing is None and toast.isVisible()
    assert toast.textFormat() is Qt.TextFormat.PlainText and display_text(hostile) in toast.text()
    assert "\u202e" not in toast.text()


def test_a_second_alarm_with_fewer_cameras_leaves_the_walls_own_cameras_in_the_other_tiles(
    qtbot, window_as, exercise
) -> None:
    window = window_as("duty")
    before = _ids(window.wall.cameras())
    looking, lon, lat = _spot(window)
    first = _report(exercise, looking, lon, lat, 2, "薛城区测试第一起告警")
    qtbot.waitUntil(lambda: window.alarm_feature.last_alarm is not None, timeout=15000)
    now = datetime.now(UTC)
    few = next(c for c in window.session.cameras.online()
               if 0 < len(window.desk.alarm.cameras_for(
                   Incident(id="probe", title="probe", category="jiaotong", lon=c.lon, lat=c.lat,
                            reported_at=now, updated_at=now, version=1), 4)) < 3)
    _report(exercise, few, few.lon, few.lat, 1, "薛城区测试第二起告警")  # more urgent: at once
    qtbot.waitUntil(lambda: window.alarm_feature.last_alarm.incident.id != first, timeout=15000)
    linked = [c.id for c in window.alarm_feature.last_alarm.cameras]
    shown = _ids(window.wall.cameras())
    assert shown[: len(linked)] == linked and shown[len(linked):] == before[len(linked):]
    window.alarm_feature.restore_action.trigger()
    assert _ids(window.wall.cameras()) == before


def test_the_designated_wall_takes_the_alarm_and_wall_1_keeps_its_cameras(qtbot, tmp_path, exercise_platform,
                                                                        exercise) -> None:
    """COMMANDWALL_ALARM_WALL=2 on a desk with two wall screens: wall 2's area switches and its tour stops, wall 1
    plays on; 恢复画面 gives wall 2 back. With wall 2's screen gone, wall 1 takes the next alarm."""
    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path, alarm_wall=2), exercise_platform),
                     map_ready=True) as win:
        feature = win.wall_feature
        widgets = feature.walls_on_screens(2)
        widgets[1].resize(800, 450)
        widgets[1].show()
        one, two = (wall.view for wall in feature.walls)
        qtbot.waitUntil(lambda: all(c is not None for c in one.cameras()), timeout=10000)
        online = win.session.cameras.online()
        two.set_layout("4")
        feature.walls[1].tour_runner.start(Tour("测试轮巡", tuple(c.id for c in online[-8:]), dwell_s=600))
        qtbot.waitUntil(lambda: all(c is not None for c in two.cameras()), timeout=10000)
        assert feature.walls[1].tour_runner.is_running()
        wall_one, wall_two = _ids(one.cameras()), _ids(two.cameras())

        looking, lon, lat = _spot(win)
        incident_id = _report(exercise, looking, lon, lat, 1, "指定联动墙测试")
        qtbot.waitUntil(lambda: win.alarm_feature.last_alarm is not None, timeout=15000)
        assert win.alarm_feature.last_alarm.incident.id == incident_id
        linked = [c.id for c in win.alarm_feature.last_alarm.cameras]
        assert _ids(two.cameras())[:len(linked)] == linked and linked != wall_two[:len(linked)]
        assert _ids(one.cameras()) == wall_one, "wall 1 keeps its cameras"
        assert not feature.walls[1].tour_runner.is_running()
        win.alarm_feature.restore_action.trigger()
        assert _ids(two.cameras()) == wall_two and _ids(one.cameras()) == wall_one

        feature.walls_on_screens(1)  # wall 2's screen is unplugged: wall 1 is the linkage wall now
        second = _report(exercise, looking, lon, lat, 1, "指定联动墙测试二")
        qtbot.waitUntil(lambda: win.alarm_feature.last_alarm.incident.id == second, timeout=15000)
        linked = [c.id for c in win.alarm_feature.last_alarm.cameras]
        assert _ids(one.cameras())[:len(linked)] == linked


def test_the_alarm_sound_is_ready_before_the_first_alarm(qtbot, window_as, monkeypatch) -> None:
    """Loading Qt Multimedia and writing the tone on the first alarm held up the GUI thread at the worst moment:
    the sound is made a few seconds after connecting instead, with no alarm yet."""
    monkeypatch.setattr(alarm_feature, "PREPARE_SOUND_MS", PREPARE_MS)
    window = window_as("duty")
    alarm = window.alarm_feature
    assert alarm.last_alarm is None
    qtbot.waitUntil(lambda: alarm._sound_made, timeout=PREPARE_MS + 10_000)
    assert (window.session.settings.data_dir / TONE_FILE).is_file()
    assert alarm.ringing is None  # prepared, not played


def test_a_desk_with_the_linkage_off_loads_no_sound(qtbot, tmp_path, exercise_platform, monkeypatch) -> None:
    monkeypatch.setattr(alarm_feature, "PREPARE_SOUND_MS", PREPARE_MS)
    session = ClientSession(Settings(data_dir=tmp_path, alarm_min_priority=0), exercise_platform)
    with main_window(qtbot, session, size=None) as win:
        qtbot.wait(PREPARE_MS + 1000)
        assert not win.alarm_feature._sound_made and not (tmp_path / TONE_FILE).exists()


# --- the officer at work: the alarm is announced, his wall and map are left to him --------------------------------


def _map_centre(qtbot, window: MainWindow) -> list[float]:
    return run_js(qtbot, window.map, "CW.stats().center")


def _use_the_map(qtbot, window: MainWindow) -> None:
    """The officer scrolls the map (a real wheel event on the widget that draws the page)."""
    target = window.map.focusProxy() or window.map
    point = QPoint(target.width() // 2, target.height() // 2)
    event = QWheelEvent(QPointF(point), QPointF(target.mapToGlobal(point)), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(target, event)


def test_an_alarm_leaves_a_wall_the_officer_just_filled_and_a_running_tour_and_offers_the_cameras(
    qtbot, window_as, exercise
) -> None:
    """紧急 while the officer has just put cameras on the wall and started a tour: the alarm is announced (toast,
    sound) but the wall keeps his cameras and the tour runs on; 上墙 on the toast then puts the alarm's cameras
    up, stops the tour and the status bar says how many tiles it replaced."""
    window = window_as("duty")
    alarm = window.alarm_feature
    online = window.session.cameras.online()
    mine = [c.id for c in online[-4:]]
    window.map_feature.sig_cameras_to_wall.emit(mine)  # 上墙 on a box selection: the officer's wall
    assert _ids(window.wall.cameras()) == mine
    window.tour_runner.start(Tour("值班轮巡", tuple(mine), dwell_s=600))
    looking, lon, lat = _spot(window)
    incident_id = _report(exercise, looking, lon, lat, 2, "薛城区测试值班时的紧急告警")
    qtbot.waitUntil(lambda: alarm.last_alarm is not None, timeout=15000)
    assert alarm.last_alarm.incident.id == incident_id and alarm.last_alarm.cameras
    assert _ids(window.wall.cameras()) == mine, "the wall keeps the officer's cameras"
    assert window.tour_runner.is_running(), "the officer's tour runs on"
    assert alarm.ringing == incident_id and alarm.toast.isVisible() and "可上墙" in alarm.toast.text()
    button = alarm.toast.action_button
    assert button.isVisible() and button.text() == "上墙" and not alarm.restore_action.isEnabled()

    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    linked = [c.id for c in alarm.last_alarm.cameras]
    assert _ids(window.wall.cameras())[: len(linked)] == linked
    assert not window.tour_runner.is_running() and alarm.ringing is None and not alarm.toast.isVisible()
    status = window.statusBar().currentMessage()
    replaced = sum(1 for a, b in zip(mine, _ids(window.wall.cameras()), strict=True) if a != b)
    assert "轮巡已停止" in status and f"已替换 {replaced} 个画面" in status and "恢复画面" in status
    alarm.restore_action.trigger()
    assert _ids(window.wall.cameras()) == mine


def test_an_alarm_takes_an_idle_wall_saying_why_but_not_a_map_in_use(qtbot, window_as, exercise) -> None:
    """紧急 with the wall untouched but the map just scrolled: the wall switches (the status bar says what and
    how to undo it), the map stays where the officer has it and 查看 on the toast flies it there."""
    window = window_as("duty")
    alarm = window.alarm_feature
    before = _ids(window.wall.cameras())
    looking, lon, lat = _spot(window)
    _use_the_map(qtbot, window)
    qtbot.wait(500)
    centre = _map_centre(qtbot, window)
    _report(exercise, looking, lon, lat, 2, "薛城区测试看地图时的紧急告警")
    qtbot.waitUntil(lambda: alarm.last_alarm is not None, timeout=15000)
    linked = [c.id for c in alarm.last_alarm.cameras]
    assert _ids(window.wall.cameras())[: len(linked)] == linked != before[: len(linked)]
    status = window.statusBar().currentMessage()
    assert "告警联动（紧急）" in status and "已替换" in status and "恢复画面可还原" in status
    qtbot.wait(1500)  # time for a flight, were one asked
    now_lon, now_lat = _map_centre(qtbot, window)
    assert abs(now_lon - centre[0]) < 1e-3 and abs(now_lat - centre[1]) < 1e-3, "the map stays where he has it"
    assert abs(now_lon - lon) > 2e-3 or abs(now_lat - lat) > 2e-3
    assert alarm.toast.action_button.text() == "查看"

    QTest.mouseClick(alarm.toast.action_button, Qt.MouseButton.LeftButton)

    def map_there() -> bool:
        centre_lon, centre_lat = _map_centre(qtbot, window)
        return abs(centre_lon - lon) < 1e-3 and abs(centre_lat - lat) < 1e-3

    qtbot.waitUntil(map_there, timeout=10000)


def test_a_most_urgent_alarm_takes_the_officers_wall_and_says_so(qtbot, window_as, exercise) -> None:
    """特急 takes the wall even from an officer at work (restorable), and says how many of his tiles it replaced."""
    window = window_as("duty")
    alarm = window.alarm_feature
    mine = [c.id for c in window.session.cameras.online()[-4:]]
    window.map_feature.sig_cameras_to_wall.emit(mine)
    looking, lon, lat = _spot(window)
    _report(exercise, looking, lon, lat, 1, "薛城区测试特急告警")
    qtbot.waitUntil(lambda: alarm.last_alarm is not None, timeout=15000)
    linked = [c.id for c in alarm.last_alarm.cameras]
    assert _ids(window.wall.cameras())[: len(linked)] == linked
    assert "已替换" in window.statusBar().currentMessage() and alarm.restore_action.isEnabled()
    assert not alarm.toast.action_button.isVisible()
    alarm.restore_action.trigger()
    assert _ids(window.wall.cameras()) == mine


def test_the_toast_covers_no_map_control_and_closes(qtbot, window_as, exercise) -> None:
    """The red toast sits clear of the base-map switch, the layer box and the left tools (so a click on them
    works while it shows); × and a click on its text close it and silence the alarm."""
    window = window_as("duty")
    alarm = window.alarm_feature
    looking, lon, lat = _spot(window)
    _report(exercise, looking, lon, lat, 1, "薛城区测试横幅位置" * 6)
    qtbot.waitUntil(lambda: alarm.last_alarm is not None and alarm.toast.isVisible(), timeout=15000)
    controls = run_js(qtbot, window.map, """Array.from(document.querySelectorAll('.leaflet-top .leaflet-control'))
        .map(function (e) { var b = e.getBoundingClientRect(); return [b.left, b.top, b.width, b.height]; })""")
    assert len(controls) >= 3
    zoom = window.map.zoomFactor()

    def clear() -> bool:
        toast = alarm.toast.geometry()
        return not any(toast.intersects(QRect(int(x * zoom), int(y * zoom), int(w * zoom), int(h * zoom)))
                       for x, y, w, h in controls if w and h)

    qtbot.waitUntil(clear, timeout=5000)
    base = run_js(qtbot, window.map, """(function () {
        var e = document.querySelector('.leaflet-control-layers-base label:last-child');
        var b = e.getBoundingClientRect(); return [b.left + b.width / 2, b.top + b.height / 2]; })()""")
    point = QPoint(int(base[0] * zoom), int(base[1] * zoom))
    assert window.map.childAt(point) is not alarm.toast and not alarm.toast.geometry().contains(point)

    QTest.mouseClick(alarm.toast.close_button, Qt.MouseButton.LeftButton)
    assert not alarm.toast.isVisible() and alarm.ringing is None
    alarm.toast.show_text("测试", "")
    QTest.mouseClick(alarm.toast.label, Qt.MouseButton.LeftButton)
    assert not alarm.toast.isVisible()


@pytest.mark.skipif(has_audio_output(), reason="AUDIO_PRESENT: this desk has an audio output, the alarm can sound")
def test_a_desk_that_cannot_sound_the_alarm_says_so_once(qtbot, window_as, exercise, caplog) -> None:
    """No audio device: QSoundEffect fails and the system beep it fell back to is silent on X — the officer
    would learn of it only by missing an alarm. It is said once, in the log and the status bar's history."""
    caplog.set_level(logging.WARNING, logger="commandwall.ui.alarm.feature")
    window = window_as("duty")
    alarm = window.alarm_feature
    qtbot.waitUntil(lambda: alarm._sound_made, timeout=alarm_feature.PREPARE_SOUND_MS + 10_000)
    qtbot.wait(500)  # the tone's load fails a moment later, as it does with no device
    said = "告警声音无法播放：无音频设备"
    qtbot.waitUntil(lambda: any(said in line for line in window.messages.lines()), timeout=5000)
    looking, lon, lat = _spot(window)
    _report(exercise, looking, lon, lat, 1, "薛城区测试无声告警")
    qtbot.waitUntil(lambda: alarm.last_alarm is not None, timeout=15000)
    qtbot.wait(500)
    assert sum(said in line for line in window.messages.lines()) == 1
    warnings = [r for r in caplog.records if "alarm sound cannot play" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING


def test_a_second_alarm_counts_the_officers_tiles_it_covers_not_the_first_alarms(qtbot, window_as, exercise) -> None:
    """紧急, then 特急 at the same place: the second alarm gives the first's tiles back before it lends them again,
    and its status line counts the officer's own tiles its cameras cover (as many as the first said), not the
    tiles that changed from the first alarm's pictures (none: the same cameras)."""
    window = window_as("duty")
    alarm = window.alarm_feature
    own = _ids(window.wall.cameras())
    looking, lon, lat = _spot(window)
    _report(exercise, looking, lon, lat, 2, "薛城区测试第一次告警")
    qtbot.waitUntil(lambda: alarm.last_alarm is not None, timeout=15000)
    first = alarm.last_alarm
    covered = sum(1 for a, b in zip(own, _ids(window.wall.cameras()), strict=True) if a != b)
    assert covered > 0 and f"已替换 {covered} 个画面" in window.statusBar().currentMessage()
    _report(exercise, looking, lon, lat, 1, "薛城区测试第二次告警")
    qtbot.waitUntil(lambda: alarm.last_alarm is not first, timeout=15000)
    assert [c.id for c in alarm.last_alarm.cameras] == [c.id for c in first.cameras]  # the same place's cameras
    status = window.statusBar().currentMessage()
    assert "告警联动（特急）" in status and f"已替换 {covered} 个画面" in status, status
    alarm.restore_action.trigger()
    assert _ids(window.wall.cameras()) == own
