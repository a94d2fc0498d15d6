"""The per-feature controllers of commandwall.app against a real session on the exercise backend (no Qt)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from commandwall.app.alarm import AlarmController
from commandwall.app.desk import Desk
from commandwall.app.dispatch import DispatchOrder
from commandwall.app.incidents import DISPATCH_SENT, TRANSITION_SENT, IncidentsController
from commandwall.app.map import UnitRedraw
from commandwall.app.platform import PlatformFactory
from commandwall.app.refusals import refusal_reason
from commandwall.app.session import ClientListener, ClientSession
from commandwall.app.wall import NOTHING_TO_TOUR, SavedWall, WallController
from commandwall.backend.api import PlatformClient
from commandwall.backend.outbox import OutboxItem, OutboxState
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from commandwall.domain.models import CATEGORY_DEPARTMENTS, CameraStatus, Incident, IncidentStatus
from commandwall.geo.routing import straight_metres
from commandwall.video.presets import WallArrangement, WallPreset
from commandwall.video.tour import Tour


def wait_until(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def exercise(tmp_path_factory) -> Iterator[DemoBackend]:
    backend = DemoBackend(db_path=tmp_path_factory.mktemp("exercise") / "exercise.sqlite3",
                          incident_rate_per_min=0, simulate=False).start()
    yield backend
    backend.stop()


def started(exercise: DemoBackend, data_dir, username: str = "duty") -> ClientSession:
    ready = threading.Event()
    platform = PlatformFactory.at_url(exercise.base_url, exercise=True)
    session = ClientSession(Settings(data_dir=data_dir, username=username), platform,
                            ClientListener(on_ready=ready.set))
    session.start()
    assert ready.is_set()
    return session


@pytest.fixture(scope="module")
def desk(exercise, tmp_path_factory) -> Iterator[Desk]:
    session = started(exercise, tmp_path_factory.mktemp("desk"))
    yield Desk.of(session)
    session.stop()


# --- wall -----------------------------------------------------------------------------------------------


def test_the_wall_starts_around_the_newest_open_incident(desk):
    newest = desk.session.incidents.open()[0]
    chosen = desk.wall.start_cameras(4)
    assert len(chosen) == 4 and all(c.status is CameraStatus.ONLINE for c in chosen)
    assert chosen == desk.session.cameras_near(newest.lon, newest.lat, 4)
    assert chosen == desk.wall.cameras_around(newest, 4)


def test_tour_takes_the_selected_cameras_grid_before_the_incident(desk):
    camera = next(c for c in desk.session.cameras.online() if c.town == "临城街道")
    incident = desk.session.incidents.open()[0]
    choice = desk.wall.tour_for(camera.id, incident.id)
    in_grid = {c.id for c in desk.session.cameras.all() if c.grid == camera.grid}
    assert choice.tour is not None and set(choice.tour.camera_ids) == in_grid
    assert choice.tour.name.startswith("临城街道第") and choice.tour.name == desk.map.grid_names()[camera.grid]

    around = desk.wall.tour_for(None, incident.id)
    assert around.tour is not None and around.tour.name == f"{incident.title} 周边"
    assert around.tour.camera_ids[:4] == tuple(c.id for c in desk.wall.cameras_around(incident, 4))

    for nothing in ((None, None), ("no-such-camera", "no-such-incident")):
        assert desk.wall.tour_for(*nothing).tour is None
        assert desk.wall.tour_for(*nothing).message == NOTHING_TO_TOUR


def test_a_saved_wall_comes_back_with_unknown_cameras_as_empty_tiles(desk):
    cameras = desk.session.cameras.all()[:2]
    layout, ids = WallController.wall_to_save("1+5", [cameras[0], None, cameras[1], None, None, None])
    assert (layout, json.loads(ids)) == ("1+5", [cameras[0].id, None, cameras[1].id, None, None, None])
    assert desk.wall.saved_wall(layout, ids) == SavedWall("1+5", [cameras[0], None, cameras[1], None, None, None])
    assert desk.wall.saved_wall("9", json.dumps(["gone", cameras[0].id])) == SavedWall("9", [None, cameras[0]])
    assert desk.wall.saved_wall(4, ids) == SavedWall("4", [cameras[0], None, cameras[1], None])  # an older file
    # an older client's comma-separated ids, and unquoted commas a settings file reads as a list
    older = f"{cameras[0].id},,{cameras[1].id}"
    assert desk.wall.saved_wall("4", older) == SavedWall("4", [cameras[0], None, cameras[1]])
    assert desk.wall.saved_wall("4", ["gone", cameras[1].id]) == SavedWall("4", [None, cameras[1]])
    for layout_value, ids_value in ((7, ids), ("x", ids), (None, None), (4, ",,,"), (4, ""), ("1+4", ids),
                                    (4, "[null, null]"), (4, "[]"), (4, []), (4, b"CAM"), (4, 5)):
        assert desk.wall.saved_wall(layout_value, ids_value) is None


def test_a_preset_of_several_walls_is_saved_and_recalled_onto_the_walls_there_are(desk):
    """Saving two walls writes one preset of two walls (their tours kept); recalling it on a desk with one wall
    screen puts up wall 1 and says the other was left out; on three it fills the first two; an unknown camera
    comes back as an empty tile."""
    one, two, three = desk.session.cameras.all()[:3]
    tour = Tour("二号墙轮巡", [two.id, three.id], 15)
    preset = desk.wall.save_preset("双屏预案", [("1+5", [one, None, two], None), ("4", [three, None, None, None],
                                                                                   tour)])
    again = desk.wall.presets().get("双屏预案")
    assert again == preset and len(again.walls) == 2 and again.walls[1].tour == tour
    assert again.cameras == (one.id, None, two.id), "trailing empty tiles are not stored"

    alone = desk.wall.recall(again, wall_count=1)
    assert [w.layout for w in alone.walls] == ["1+5"] and alone.cameras == [one, None, two]
    assert alone.left_out == 1 and "后 1 面墙未调取" in alone.message

    both = desk.wall.recall(again, wall_count=3)
    assert [(w.layout, w.cameras, w.tour) for w in both.walls] == [("1+5", [one, None, two], None),
                                                                  ("4", [three], tour)]
    assert both.left_out == 0 and "共 2 面视频墙" in both.message and "未调取" not in both.message

    gone = WallPreset.of_walls("缺失", [WallArrangement("4"), WallArrangement("4", ("CAM-GONE", one.id))])
    recalled = desk.wall.recall(gone, wall_count=2)
    assert recalled.walls[1].cameras == [None, one] and recalled.missing == ["CAM-GONE"]


def test_ptz_reaches_the_platform_and_waits_for_the_connection(desk, exercise, tmp_path):
    camera = next(c for c in desk.session.cameras.online() if c.kind == "ptz")
    done: list[str | None] = []
    assert desk.wall.can_steer
    assert desk.wall.send_ptz(camera.id, "left", 4, done.append)
    assert wait_until(lambda: done == [None], 10)
    never_started = ClientSession(Settings(data_dir=tmp_path), PlatformFactory.at_url(exercise.base_url))
    not_connected = WallController(never_started)
    assert not not_connected.send_ptz(camera.id, "left", 4, done.append)


def test_a_viewer_may_not_steer_or_act(exercise, tmp_path):
    session = started(exercise, tmp_path, username="viewer")
    try:
        viewer = Desk.of(session)
        assert not viewer.wall.can_steer and not viewer.incidents.can_act
    finally:
        session.stop()


# --- incidents --------------------------------------------------------------------------------------------


def incident_like(priority: int, title: str) -> Incident:
    return Incident(id="INC-T-1", title=title, category="safety", category_label="综治", priority=priority,
                    status=IncidentStatus.NEW, lon=117.26, lat=34.79, town="临城街道",
                    reported_at="2024-05-01T08:00:00+08:00", updated_at="2024-05-01T08:00:00+08:00", version=1)


def test_the_arrival_notice_says_level_and_place_and_only_pressing_ones_are_urgent():
    urgent = IncidentsController.arrival_notice(incident_like(1, "危化品泄漏"))
    assert urgent.urgent and urgent.text.startswith("新事件［特急·") and "危化品泄漏" in urgent.text
    routine = IncidentsController.arrival_notice(incident_like(3, "\u202egnp.exe"))
    assert not routine.urgent and "［一般·" in routine.text
    assert "\u202e" not in routine.text.replace("\u2068\u202e", "")  # the title is isolated, not obeyed


def outbox_items(desk: Desk) -> list[OutboxItem]:
    items: list[OutboxItem] = []
    assert desk.session.outbox is not None
    desk.session.outbox.add_listener(items.append)
    return items


def test_a_transition_answers_at_once_and_the_platforms_answer_follows(desk):
    items = outbox_items(desk)
    incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
    assert desk.incidents.transition(incident.id, "accept", incident.version) == TRANSITION_SENT
    assert wait_until(lambda: desk.incidents.incident(incident.id).status is IncidentStatus.ACCEPTED)
    assert wait_until(lambda: any(i.state is OutboxState.SENT for i in items))
    notice = desk.incidents.outbox_notice(next(i for i in items if i.state is OutboxState.SENT))
    assert notice.text == "「受理」已送达平台" and notice.settled and notice.incident_id == incident.id
    assert notice.pending == desk.incidents.pending_actions() == 0

    desk.incidents.transition(incident.id, "return", incident.version, "地址有误，需网格员复核")  # a stale version
    assert wait_until(lambda: any(i.state is OutboxState.CONFLICT for i in items))
    conflict = desk.incidents.outbox_notice(next(i for i in items if i.state is OutboxState.CONFLICT))
    assert conflict.text.startswith("「退回」未执行：事件已被他人更新") and conflict.settled, conflict.text
    assert "（现为已受理，v2）" in conflict.text  # what the incident is now
    assert conflict.text.endswith("。你的说明：地址有误，需网格员复核"), conflict.text  # not lost


def test_dispatch_offers_the_nearest_units_first_and_queues_one_task(desk):
    incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
    choices = desk.incidents.dispatch_choices(incident.id)
    assert choices is not None and choices[0] == incident
    available = [c for c in choices[1] if c.selectable]
    handles = CATEGORY_DEPARTMENTS[incident.category]  # the category's department first, each part nearest first
    matching = [c for c in available if c.unit.department == handles]
    assert available[:len(matching)] == matching
    for part in (matching, available[len(matching):]):
        assert [c.metres for c in part] == sorted(c.metres for c in part)
    assert len(choices[1]) == len(desk.session.units)
    for c in choices[1]:  # by road: never shorter than the straight line; else exactly the straight line
        straight = straight_metres((c.unit.lon, c.unit.lat), (incident.lon, incident.lat))
        assert c.metres >= 0.99 * straight if c.by_road else c.metres == pytest.approx(straight)
    assert desk.incidents.dispatch_choices("no-such-incident") is None
    unit = available[0].unit
    payload = {"incident_id": incident.id, "unit_id": unit.id, "department": unit.department,
               "instructions": "核实", "priority": 2}
    assert desk.incidents.dispatch(payload) == DISPATCH_SENT
    assert wait_until(lambda: len(desk.incidents.tasks_for(incident.id)) == 1)


# --- map and cameras ----------------------------------------------------------------------------------------


def test_the_map_reports_broken_layers_and_finds_resources_and_cameras(desk):
    assert desk.map.layer_report([]) is None
    assert desk.map.layer_report(["道路: 404", "网格: bad CRS"]) == "部分图层未加载：道路: 404；网格: bad CRS"
    assert desk.map.resources()
    camera = desk.session.cameras.all()[0]
    assert desk.map.camera_position(camera.id) == (camera.lon, camera.lat)
    assert desk.map.camera_position("no-such-camera") is None


def test_many_point_layers_are_redrawn_only_after_a_change(desk):
    desk.map.take_redraws()
    assert desk.map.take_redraws() == (None, None)
    desk.map.note_camera_change()
    desk.map.note_unit_change()  # any unit may have changed: all of them
    cameras, units = desk.map.take_redraws()
    assert cameras == desk.session.cameras.all() and units.units == desk.session.units.all() and units.whole
    assert desk.map.take_redraws() == (None, None)


def test_only_the_units_that_changed_are_taken_for_redrawing(desk):
    """A unit that moves is drawn again alone, as the store holds it now; one the store no longer holds is
    removed."""
    desk.map.take_redraws()
    first, second = desk.session.units.all()[:2]
    desk.map.note_unit_change(second)
    desk.map.note_unit_change(first)
    desk.map.note_unit_change(second)
    _cameras, units = desk.map.take_redraws()
    assert units == UnitRedraw([first, second], (), False)
    gone = first.model_copy(update={"id": "U-no-such-unit"})
    desk.map.note_unit_change(gone)
    assert desk.map.take_redraws() == (None, UnitRedraw([], ("U-no-such-unit",), False))
    assert desk.map.take_redraws() == (None, None)


def test_the_camera_count_follows_the_platform(desk, exercise):
    camera = next(c for c in desk.session.cameras.online())
    before = desk.cameras.count()
    assert before.total == len(desk.session.cameras)
    exercise.set_camera_status(camera.id, "offline")
    try:
        assert wait_until(lambda: desk.cameras.count().online == before.online - 1)
        assert desk.cameras.camera(camera.id).status is CameraStatus.OFFLINE
    finally:
        exercise.set_camera_status(camera.id, "online")
    assert desk.cameras.camera(None) is None and desk.cameras.camera("no-such-camera") is None


def test_the_map_draws_and_counts_the_stores_placed_incidents_looking_nothing_up(desk, monkeypatch):
    """The store places each incident as it arrives; the map (on the GUI thread) shows and counts what it
    holds and never asks the district's areas itself."""
    from collections import Counter

    from commandwall.app.areas import DistrictAreas

    asked: list[str] = []
    for name in ("look_up", "locate", "locate_many", "_areas_at"):
        real = getattr(DistrictAreas, name)
        monkeypatch.setattr(DistrictAreas, name, lambda self, *a, _real=real, _name=name, **k: (
            asked.append(_name), _real(self, *a, **k))[1])
    store = desk.session.incidents
    shown = desk.map.map_incidents()
    held = store.all()
    assert len(shown) == len(held) and all(a is b for a, b in zip(shown, held, strict=True))  # as the store holds them
    grids = {f["properties"]["id"]: f["properties"]["town"]
             for layer in desk.session.layers if layer.kind == "grids" for f in layer.features}
    inside = [i for i in held if (where := store.placement(i.id)) is not None and where.grid_from_point]
    assert inside and all(i.grid in grids and grids[i.grid] == i.town for i in inside)
    desk.map.note_incident_change()
    density = desk.map.take_density()
    assert density is not None and desk.map.take_density() is None  # only after a change
    assert density["counts"] == dict(Counter(i.grid for i in inside))
    cells = desk.map.density_cells()
    assert desk.map.density_cells() is cells  # the same shapes until the grid cells change
    assert set(density["counts"]) <= {c["id"] for c in cells["cells"]} and all("geometry" in c for c in cells["cells"])
    assert asked == []
    # a batch is counted into the previous counts by the store's placement: the same as counting all again
    first, cell = inside[0], inside[0].grid
    newcomers = [first.model_copy(update={"id": f"{first.id}-again-{n}", "version": 1}) for n in range(3)]
    moved = inside[1].model_copy(update={"lon": first.lon, "lat": first.lat, "version": inside[1].version + 1})
    for incident in [*newcomers, moved]:
        store.upsert(incident)  # placed here, on the thread that writes
    asked.clear()
    desk.map.note_incident_change([*newcomers, moved])
    counted = desk.map.take_density()["counts"]
    assert asked == []
    everything = Counter(where.grid for i in store.all()
                         if (where := store.placement(i.id)) is not None and where.grid_from_point)
    assert counted == dict(everything) and counted[cell] == density["counts"][cell] + 3 + (inside[1].grid != cell)


def test_the_map_search_finds_the_platforms_cameras_incidents_towns_and_grids(desk):
    camera = desk.session.cameras.all()[3]
    assert desk.map.search(camera.id)[0]["id"] == camera.id
    incident = desk.session.incidents.all()[0]
    assert desk.map.search(incident.id)[0] == {**desk.map.search(incident.id)[0], "kind": "incident"}
    towns = [f["properties"]["name"] for layer in desk.session.layers if layer.kind == "towns"
             for f in layer.features]
    hit = next(h for h in desk.map.search(towns[0]) if h["kind"] == "town")
    assert hit["bounds"][0][0] < hit["lat"] < hit["bounds"][1][0]
    assert any(h["kind"] == "grid" for h in desk.map.search("网格"))


def test_a_timeline_asked_for_after_close_is_not_fetched_and_raises_nothing(desk) -> None:
    """An incident event can still arrive while the window closes: the closed centre ignores it."""
    from commandwall.app.incidents import IncidentsController

    controller = IncidentsController(desk.session)
    controller.close()
    answers: list = []
    controller.fetch_timeline("INC-0001", lambda *args: answers.append(args))
    assert answers == []


def test_a_burst_of_timeline_asks_for_one_incident_is_one_fetch_or_two_not_one_each(desk) -> None:
    """Every task report, note and change of the shown incident asks for its timeline: fifty asks while one
    fetch runs queue one more fetch, not fifty (each would download and lay out the whole timeline)."""
    from commandwall.app.incidents import IncidentsController

    controller = IncidentsController(desk.session)
    answers: list = []
    incident_id = desk.session.client.incidents()[0][0].id  # one the platform holds

    def done(*answer) -> None:
        answers.append(answer)

    try:
        for _ in range(50):
            controller.fetch_timeline(incident_id, done)
        assert wait_until(lambda: len(answers) >= 1)
        time.sleep(1.0)  # anything still queued has answered by now
        assert 1 <= len(answers) <= 2, len(answers)
        assert all(entries is not None for _id, entries, _error in answers), answers
        controller.fetch_timeline(incident_id, done)  # asked after the burst: fetched again
        assert wait_until(lambda: len(answers) >= 2)
    finally:
        controller.close()


def test_a_timeline_of_thousands_of_entries_shows_the_newest_after_a_line_naming_the_rest(desk) -> None:
    from commandwall.app.incidents import TIMELINE_LINES_SHOWN, IncidentsController
    from commandwall.domain.models import TimelineEntry, TimelineKind

    at = datetime(2026, 7, 14, 8, 0, tzinfo=UTC)
    entries = [TimelineEntry(seq=n + 1, incident_id="INC-1", kind=TimelineKind.NOTE, text=f"备注 {n}", actor="duty",
                             at=at + timedelta(seconds=n)) for n in range(1200)]
    lines = IncidentsController(desk.session).timeline_lines(entries)
    assert len(lines) == TIMELINE_LINES_SHOWN + 1
    assert lines[0] == f"（较早的 {1200 - TIMELINE_LINES_SHOWN} 条记录未显示）"
    assert lines[1].endswith(f"备注 {1200 - TIMELINE_LINES_SHOWN}") and lines[-1].endswith("备注 1199")
    assert IncidentsController(desk.session).timeline_lines(entries[:3])[0].endswith("备注 0")


# --- alarm linkage in a storm --------------------------------------------------------------------------------


def test_an_alarm_storm_holds_the_wall_and_then_raises_the_most_urgent_still_open(exercise, tmp_path):
    session = started(exercise, tmp_path)
    try:
        alarms = AlarmController(session, dwell_s=10)
        alarms.prime()
        spot = session.cameras.online()[0]
        t0 = datetime.now(UTC)

        def severe(iid: str, priority: int, minute: int, status=IncidentStatus.NEW, version: int = 1) -> Incident:
            at = t0 + timedelta(minutes=minute)
            return Incident(id=iid, title=f"暴雨积水{iid}", category="yingji", lon=spot.lon, lat=spot.lat,
                            priority=priority, status=status, reported_at=at, updated_at=at, version=version)

        first = alarms.on_incidents([severe("S1", 2, 0)], 4, now=100.0)
        assert first is not None and first.incident.id == "S1" and first.cameras
        assert alarms.on_incidents([severe("S2", 2, 1)], 4, now=101.0) is None, "the first alarm holds the wall"
        assert alarms.on_incidents([severe("S3", 2, 2)], 4, now=102.0) is None and alarms.waiting == 2
        assert alarms.due(4, now=109.9) is None
        later = alarms.due(4, now=110.0)
        assert later is not None and (later.incident.id, later.others, alarms.waiting) == ("S3", 1, 0)
        assert alarms.due(4, now=200.0) is None, "nothing waits any more"

        urgent = alarms.on_incidents([severe("C1", 1, 3)], 4, now=111.0)
        assert urgent is not None and urgent.incident.id == "C1", "a more urgent one takes the wall at once"
        assert alarms.on_incidents([severe("S4", 2, 4)], 4, now=112.0) is None
        session.incidents.upsert(severe("S4", 2, 4, status=IncidentStatus.CLOSED, version=2))  # closed meanwhile
        assert alarms.due(4, now=130.0) is None and alarms.waiting == 0
    finally:
        session.stop()


def test_in_a_storm_a_batch_that_cannot_take_the_wall_does_not_look_through_the_waiting_ones(exercise, tmp_path):
    """200 incidents a second, a quarter of them severe: while an alarm holds the wall, a batch of no more urgent
    incidents is only added to the waiting ones (looking each waiting one up in the store again for every batch
    was the alarm's share of the GUI thread in a storm); the dwell's end still raises the most urgent."""
    session = started(exercise, tmp_path)
    try:
        alarms = AlarmController(session, dwell_s=10)
        alarms.prime()
        spot = session.cameras.online()[0]
        t0 = datetime.now(UTC)

        def severe(iid: str, priority: int, minute: int) -> Incident:
            at = t0 + timedelta(minutes=minute)
            return Incident(id=iid, title=f"暴雨积水{iid}", category="yingji", lon=spot.lon, lat=spot.lat,
                            priority=priority, reported_at=at, updated_at=at, version=1)

        assert alarms.on_incidents([severe("S0", 1, 0)], 4, now=100.0) is not None
        looked_up: list[str] = []
        get = session.incidents.get
        session.incidents.get = lambda iid: (looked_up.append(iid), get(iid))[1]  # type: ignore[method-assign]
        for batch in range(50):  # five seconds of batches, ten severe incidents each, none more urgent
            found = alarms.on_incidents([severe(f"S{batch}-{n}", 2 - n % 2, batch) for n in range(10)], 4,
                                        now=100.0 + batch / 10)
            assert found is None
        assert alarms.waiting == 500 and looked_up == []
        later = alarms.due(4, now=110.0)
        assert later is not None and later.incident.id == "S49-1" and later.others == 499  # 特急, then newest
    finally:
        session.stop()


def test_the_open_count_follows_every_change_from_any_thread_and_a_snapshot(tmp_path) -> None:
    session = ClientSession(Settings(data_dir=tmp_path / "d"), PlatformFactory.at_url("http://127.0.0.1:9"))
    controller = IncidentsController(session)
    at = datetime(2026, 7, 14, 3, 0, tzinfo=UTC)

    def incident(n: int, status: IncidentStatus, version: int = 1) -> Incident:
        return Incident(id=f"INC-{n}", title="积水", category="yingji", lon=117.3, lat=34.8, status=status,
                        reported_at=at, updated_at=at, version=version)

    session.incidents.replace_all([incident(n, IncidentStatus.NEW) for n in range(10)])
    assert controller.open_count() == 10 == session.incidents.open_count()

    def steps(first: int) -> None:  # each incident closed, reopened, closed again, on two threads at once
        for n in range(first, 10, 2):
            for version, status in enumerate((IncidentStatus.CLOSED, IncidentStatus.NEW, IncidentStatus.RESOLVED)):
                session.incidents.upsert(incident(n, status, version + 2))

    workers = [threading.Thread(target=steps, args=(first,)) for first in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    session.incidents.upsert(incident(3, IncidentStatus.ACCEPTED, 9))
    session.incidents.upsert(incident(11, IncidentStatus.NEW))
    assert controller.open_count() == 2 == session.incidents.open_count()
    session.incidents.replace_all([incident(20 + n, IncidentStatus.DISPATCHED) for n in range(4)])
    assert controller.open_count() == 4 == session.incidents.open_count()
    assert controller.open_count() == len(session.incidents.open())  # the same as counted one by one
    controller.close()


def test_the_camera_count_follows_every_change_and_a_new_list_without_counting_when_asked(tmp_path, monkeypatch):
    """The status bar asks for the camera count every second: asking walks no camera (20 000 cameras took ~4 ms
    each second, changed or not), yet the count follows a camera going offline and online, a changed copy of
    a camera, and a new list."""
    from commandwall.app.cameras import CamerasController
    from commandwall.app.store import CameraStore
    from commandwall.domain.models import Camera

    session = ClientSession(Settings(data_dir=tmp_path / "d"), PlatformFactory.at_url("http://127.0.0.1:9"))
    controller = CamerasController(session)
    walked: list[str] = []
    for name in ("values", "all", "online"):
        real = getattr(CameraStore, name)
        monkeypatch.setattr(CameraStore, name, lambda self, _real=real, _name=name: (walked.append(_name),
                                                                                     _real(self))[1])

    def camera(n: int, status: str = "online") -> Camera:
        return Camera.model_validate({"id": f"CAM-{n:05d}", "name": f"点位 {n}", "lon": 117.3, "lat": 34.8,
                                      "status": status, "streams": {"main": "http://127.0.0.1:9/main.mjpg",
                                                                    "sub": "http://127.0.0.1:9/sub.mjpg"}})

    session.cameras.replace_all([camera(n, "online" if n % 4 else "offline") for n in range(2000)])
    walked.clear()
    for _second in range(5):  # nothing changed: asked again and again, nothing walked
        assert (controller.count().online, controller.count().total) == (1500, 2000)
    assert walked == []
    session.cameras.set_status("CAM-00001", "offline")
    assert controller.count().online == 1499
    session.cameras.set_status("CAM-00000", "online")
    session.cameras.set_status("CAM-00000", "online")  # no change
    assert controller.count().online == 1500
    session.cameras.upsert(camera(2, "offline"))  # a new copy of a camera, another state
    session.cameras.upsert(camera(9000))  # a camera added
    assert (controller.count().online, controller.count().total) == (1500, 2001)
    assert walked == []
    session.cameras.replace_all([camera(n, "offline" if n < 3 else "online") for n in range(10)])
    assert (controller.count().online, controller.count().total) == (7, 10)
    assert controller.count().online == len(session.cameras.online())  # the same as counted one by one
    session.stop()


# --- a card's nearest open incidents ------------------------------------------------------------------------


def test_a_cards_nearest_incidents_are_the_geodesic_nearest_measuring_only_a_few(exercise, tmp_path, monkeypatch):
    """Thousands of incidents in the store: the offer equals measuring every open one geodesically, but only
    a handful are measured (the card opens on the GUI thread)."""
    import random

    from commandwall.app import incidents as incidents_module
    from commandwall.app.incidents import NEARBY_CANDIDATES, TASKABLE, is_local_warning

    session = started(exercise, tmp_path)
    controller = IncidentsController(session)
    try:
        rng = random.Random(7)
        model = session.incidents.all()[0]
        statuses = list(IncidentStatus)
        session.incidents.upsert_many(
            model.model_copy(update={"id": f"NEAR-{n}", "version": 1, "status": rng.choice(statuses),
                                     "lon": rng.uniform(117.15, 117.45), "lat": rng.uniform(34.70, 34.90)})
            for n in range(4000))
        measured: list = []
        real = incidents_module.straight_metres
        monkeypatch.setattr(incidents_module, "straight_metres", lambda a, b: (measured.append(b), real(a, b))[1])
        offered = [i for i in session.incidents.values() if i.status in TASKABLE and not is_local_warning(i)]
        assert len(offered) > 1000
        for _ in range(20):
            lon, lat = rng.uniform(117.1, 117.5), rng.uniform(34.65, 34.95)
            measured.clear()
            found = controller.nearby_incidents(lon, lat)
            assert len(measured) <= NEARBY_CANDIDATES
            every = sorted(((i, real((lon, lat), (i.lon, i.lat))) for i in offered), key=lambda p: (p[1], p[0].id))
            assert [(i.id, round(m, 6)) for i, m in found] == [(i.id, round(m, 6)) for i, m in every[:3]]
    finally:
        controller.close()
        session.stop()


def test_all_units_are_looked_at_every_stale_check_with_no_change_reaching_the_desk(desk, monkeypatch):
    """A unit that stops reporting sends nothing: the map learns it is stale from the clock. Every
    ``STALE_CHECK_S`` all units are handed over (``whole``), and the view sends only those whose stale state or
    age text changed (tests/ui/test_map_units.py); between checks, nothing."""
    from commandwall.app import map as map_module

    desk.map.take_redraws()
    assert desk.map.take_redraws() == (None, None)
    monkeypatch.setattr(map_module, "STALE_CHECK_S", 0.0)  # look at every call, not every 15 s
    _cameras, units = desk.map.take_redraws()
    assert units == UnitRedraw(desk.session.units.all(), (), True)


def test_a_merged_incident_takes_no_note_and_names_where_the_work_goes_on(desk):
    """A note on the duplicate is read by no one (the work goes on in the incident it was merged into): the
    note button is off with the survivor named, and a note typed just as another desk merged it is not queued."""
    duplicate, survivor = [i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW][:2]
    assert desk.incidents.rights.note_choice(duplicate).enabled
    from commandwall.backend.api import PlatformClient

    commander = PlatformClient(desk.session.user.base_url, "commander", "commander")  # another desk
    try:
        commander.transition(duplicate.id, "merge", duplicate.version, "同一事件", into=survivor.id)
    finally:
        commander.close()
    assert wait_until(lambda: desk.session.incidents.get(duplicate.id).status is IncidentStatus.MERGED, 15)
    merged = desk.session.incidents.get(duplicate.id)
    choice = desk.incidents.rights.note_choice(merged)
    assert not choice.enabled and f"已合并到 {survivor.id}" in choice.tooltip, choice
    pending = desk.incidents.pending_actions()
    said = desk.incidents.add_note(duplicate.id, "现场有人员被困")
    assert f"已合并到 {survivor.id}" in said and desk.incidents.pending_actions() == pending


def test_a_refused_task_dated_in_year_one_does_not_break_the_refusal_check(desk):
    """A platform's task refused and dated 0001-01-01 (broken data): working out which incidents wait for a new
    dispatch subtracted the batch window from its date and overflowed — the 督办 refresh raised every second,
    and every refusal marker and line after it went undrawn for the whole desk."""
    from commandwall.domain.models import Task, TaskStatus

    incident = next(i for i in desk.session.incidents.open() if not desk.session.tasks.for_incident(i.id))
    broken = Task(id="T-YEAR-ONE", incident_id=incident.id, department="城管", status=TaskStatus.REJECTED,
                  created_at=datetime(1, 1, 1, tzinfo=UTC))
    desk.session.tasks.upsert(broken)
    try:
        assert incident.id in desk.incidents.refused_incident_ids(fresh=True)
        assert desk.incidents.refusal_line(incident.id)
    finally:
        desk.session.tasks.replace_all([t for t in desk.session.tasks.values() if t.id != broken.id])


def test_after_the_platform_went_back_an_incident_reusing_an_id_that_raised_the_alarm_raises_it_again(desk):
    """The platform's database was reset: its new incidents take ids the old ones had. The alarm linkage still
    remembered them as raised, and a new 特急 incident under such an id raised nothing."""
    from commandwall.app.alarm import AlarmController

    alarm = AlarmController(desk.session)
    alarm.prime()
    template = desk.session.incidents.open()[0]
    severe = template.model_copy(update={"id": "INC-RESET-1", "priority": 1, "status": IncidentStatus.NEW,
                                         "title": "旧库：化工厂泄漏"})  # fmt: skip
    assert alarm.on_incidents([severe], tiles=4) is not None
    # the platform went back; its reloaded incidents do not hold INC-RESET-1 (the store had it only as a test's)
    alarm.reloaded()
    again = severe.model_copy(update={"title": "新库：学校火情", "version": 1})
    assert [i.id for i in alarm.linkage.select([again])] == ["INC-RESET-1"]


# --- actions the platform did not take (未送达的操作) ----------------------------------------------------------

@pytest.fixture()
def own_exercise(tmp_path) -> Iterator[DemoBackend]:
    """An exercise backend of the test's own: its NEW incidents are not used up by the module's other tests."""
    backend = DemoBackend(db_path=tmp_path / "own-exercise.sqlite3", incident_rate_per_min=0, simulate=False).start()
    yield backend
    backend.stop()


def test_a_refused_dispatch_is_said_in_chinese_by_its_code_and_listed_until_dismissed_across_a_restart(
        own_exercise, tmp_path):
    """Another desk closes an incident while this desk's dispatch for it waits: the refusal reads in the officer's
    language by the platform's code (its English sentence only a detail), is marked on the incident and listed
    in 未送达的操作 with its instructions, and the list outlives a restart until the officer dismisses it."""
    session = started(own_exercise, tmp_path)
    commander = PlatformClient(own_exercise.base_url, "commander", "commander", timeout=5, retries=0)
    try:
        controller = IncidentsController(session)
        items = outbox_items(Desk.of(session))
        incident = next(i for i in session.incidents.open() if i.status is IncidentStatus.NEW)
        version = incident.version
        for action in ("accept", "resolve", "close"):  # the other desk finishes it
            version = commander.transition(incident.id, action, version, "另一席位办结").version
        order = DispatchOrder(incident.id, (), "应急", 1, "抽排积水，\u202e完成后回报")
        assert controller.dispatch_order(order) == DISPATCH_SENT
        assert wait_until(lambda: any(i.state is OutboxState.FAILED for i in items))
        refused = next(i for i in items if i.state is OutboxState.FAILED)
        notice = controller.outbox_notice(refused)
        assert notice.text == "派遣任务被平台拒绝：事件当前的状态不允许该操作", notice.text
        assert "closed" in notice.detail and "invalid_transition" in notice.detail  # the platform's words: a detail
        assert wait_until(lambda: session.incidents.get(incident.id).status is IncidentStatus.CLOSED)
        [listed] = controller.undelivered_actions()
        assert (listed.incident_id, listed.row_id) == (incident.id, refused.id) and controller.undelivered_count() == 1
        assert listed.why == "事件当前的状态不允许该操作（事件现为已结案）"
        assert listed.what == "派遣任务（应急）" and listed.content == "抽排积水，\u202e完成后回报"  # to copy, raw
        assert not listed.redispatch  # a closed incident takes no dispatch: copied, not dispatched again
        assert not re.search("[A-Za-z]", listed.why + notice.text)  # no English sentence of the platform's
        [line] = controller.pending_steps(incident.id).undelivered
        assert line.startswith("未送达：派遣任务（应急） · 事件当前的状态不允许该操作") and "抽排积水" in line
    finally:
        session.stop()
        commander.close()

    session = started(own_exercise, tmp_path)  # a restart: the refusal is listed still
    try:
        controller = IncidentsController(session)
        [listed] = controller.undelivered_actions()
        assert listed.incident_id == incident.id and listed.content == "抽排积水，\u202e完成后回报"
        assert controller.pending_steps(incident.id).undelivered
        assert controller.dismiss_undelivered(listed.row_id)
        assert controller.undelivered_actions() == [] and controller.pending_steps(incident.id).undelivered == ()
    finally:
        session.stop()
    session = started(own_exercise, tmp_path)
    try:
        assert IncidentsController(session).undelivered_count() == 0  # dismissed for good
    finally:
        session.stop()


def test_a_refusal_with_a_code_this_version_does_not_know_names_the_http_status():
    assert refusal_reason("invalid_transition", 422) == "事件当前的状态不允许该操作"
    assert refusal_reason("quota_exceeded", 429) == "平台拒绝了该操作（HTTP 429）"
    assert refusal_reason("", None) == "平台拒绝了该操作"


def test_retry_of_a_refused_step_puts_it_back_and_an_overtaken_one_is_not_retried(own_exercise, tmp_path):
    """重试 sends a refused action again as it was (Outbox.retry); an overtaken step would only be overtaken again,
    so it is not offered."""
    session = started(own_exercise, tmp_path)
    try:
        controller = IncidentsController(session)
        items = outbox_items(Desk.of(session))
        incident = next(i for i in session.incidents.open() if i.status is IncidentStatus.NEW)
        assert controller.transition(incident.id, "accept", incident.version) == TRANSITION_SENT
        assert wait_until(lambda: any(i.state is OutboxState.SENT for i in items))
        controller.transition(incident.id, "return", incident.version, "地址有误")  # the old version: overtaken
        assert wait_until(lambda: controller.undelivered_count() == 1)
        [overtaken] = controller.undelivered_actions()
        assert not overtaken.can_retry and "重新操作" in overtaken.retry_hint and overtaken.content == "地址有误"
        assert controller.retry_undelivered(overtaken.row_id) == overtaken.retry_hint
        assert session.outbox.get(overtaken.row_id).state is OutboxState.CONFLICT  # not sent again

        bad = session.outbox.enqueue_task({"incident_id": incident.id, "unit_id": None, "department": "应急",
                                           "instructions": "x", "priority": 9})  # the platform refuses it
        assert wait_until(lambda: controller.undelivered_count() == 2)
        refused = next(a for a in controller.undelivered_actions() if a.row_id == bad)
        assert refused.can_retry and refused.why == "内容不符合平台要求"
        assert controller.retry_undelivered(bad) == "派遣任务（应急）已重新排队，连上平台后发出"
        assert wait_until(lambda: session.outbox.get(bad).attempts == 2 and controller.undelivered_count() == 2)
    finally:
        session.stop()


def test_a_second_identical_dispatch_queued_in_an_outage_is_listed_as_waiting(tmp_path):
    """The same template to the same department again while the platform is down: its own 待发送 line, not taken
    for the first dispatch's task."""
    db = tmp_path / "exercise.sqlite3"
    backend = DemoBackend(db_path=db, incident_rate_per_min=0, simulate=False).start()
    session = started(backend, tmp_path / "desk")
    try:
        controller = IncidentsController(session)
        incident = next(i for i in session.incidents.open() if i.status is IncidentStatus.NEW)
        order = DispatchOrder(incident.id, (), "应急", 1, "请尽快到场核实处置并反馈。")
        assert controller.dispatch_order(order) == DISPATCH_SENT
        assert session.outbox.wait_idle(10)
        assert wait_until(lambda: len(session.tasks.for_incident(incident.id)) == 1)
        assert len(controller.describe_tasks(incident.id)) == 1
        backend.stop()
        assert controller.dispatch_order(order) == DISPATCH_SENT  # the second wave, the platform down
        lines = [line for line, _late in controller.describe_tasks(incident.id)]
        assert len(lines) == 2 and "待发送" in lines[1] and "待发送" not in lines[0], lines
    finally:
        session.stop()
        backend.stop()
