"""The overview dashboard's controller against a real session on the exercise backend over HTTP (no Qt)."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from commandwall import localtime
from commandwall.app.dashboard import (
    RECOUNT_SHARE_INVERSE,
    STATUS_GROUPS,
    DashboardController,
    IncidentTally,
    Overview,
    count_overview,
    overview_of,
    start_of_day,
)
from commandwall.app.incident_filter import IncidentFilter
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientListener, ClientSession
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from commandwall.domain.models import ACTIVE_TASK_STATUSES, CATEGORIES, OPEN_STATUSES, Incident, IncidentStatus
from commandwall.domain.sensors import SensorKind
from tests.unit.test_app_controllers import wait_until


@pytest.fixture(scope="module")
def exercise(tmp_path_factory) -> Iterator[DemoBackend]:
    backend = DemoBackend(db_path=tmp_path_factory.mktemp("exercise") / "exercise.sqlite3", seed=11,
                          simulate=False).start()
    yield backend
    backend.stop()


@pytest.fixture(scope="module")
def session(exercise, tmp_path_factory) -> Iterator[ClientSession]:
    ready = threading.Event()
    platform = PlatformFactory.at_url(exercise.base_url, exercise=True)
    client_session = ClientSession(Settings(data_dir=tmp_path_factory.mktemp("desk"), username="duty"), platform,
                                   ClientListener(on_ready=ready.set))
    client_session.start()
    assert ready.is_set()
    yield client_session
    client_session.stop()


def platform_incidents(exercise: DemoBackend) -> list[Incident]:
    """What the platform says, read over HTTP without the client."""
    http = requests.Session()
    token = http.post(f"{exercise.base_url}/api/v1/auth/token", json={"username": "viewer", "password": "viewer"},
                      timeout=10).json()["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    answer = http.get(f"{exercise.base_url}/api/v1/incidents", params={"limit": 5000}, timeout=10).json()
    http.close()
    return [Incident.model_validate(i) for i in answer["incidents"]]


@pytest.fixture
def controller(session) -> Iterator[DashboardController]:
    dashboard = DashboardController(session, refresh_s=30, sensors_every_s=0.5, settle_s=0.05)
    yield dashboard
    dashboard.stop()


def test_the_figures_are_the_platforms(exercise, session, controller):
    overviews: list[Overview] = []
    controller.start(overviews.append)
    assert wait_until(lambda: overviews and overviews[-1].sensors)
    overview = overviews[-1]
    assert threading.main_thread().ident != controller_thread_ident(controller)
    incidents = platform_incidents(exercise)
    day_start = start_of_day(localtime.now())
    today = [i for i in incidents if i.reported_at >= day_start]
    assert overview.today == len(today) > 0
    assert overview.by_category == {code: sum(1 for i in today if i.category == code) for code in CATEGORIES}
    assert sum(overview.by_status.values()) == len(today)
    assert overview.open_now == sum(1 for i in incidents if i.status in OPEN_STATUSES)
    recent = [i for i in incidents if i.reported_at > localtime.now() - timedelta(hours=23)]
    assert sum(count for _, count in overview.trend) >= len(recent)
    assert len(overview.trend) == 24
    # towns: all nine in the layer's order, cameras per town as the platform lists them
    assert [t.town for t in overview.towns][:9] == controller.town_names() and len(controller.town_names()) == 9
    cameras = session.client.cameras()
    per_town = Counter(c.town for c in cameras)
    assert {t.town: t.cameras_total for t in overview.towns if t.cameras_total} == dict(per_town)
    assert overview.cameras_total == len(cameras) and overview.units_total == len(session.client.units())
    late = [t for t in session.client.tasks()
            if t.deadline is not None and t.deadline < overview.at and t.status in ACTIVE_TASK_STATUSES]
    assert overview.overdue == len(late)  # 督办: active tasks past their deadline, as the platform lists them
    assert {s.kind for s in overview.sensors} == {SensorKind.AIR, SensorKind.WATER}
    assert {s.town for s in overview.sensors} == set(controller.town_names())


def controller_thread_ident(controller: DashboardController) -> int | None:
    return controller._thread.ident if controller._thread is not None else None


def test_a_camera_going_offline_and_a_new_incident_reach_the_figures(exercise, session, controller):
    overviews: list[Overview] = []
    controller.start(overviews.append)
    assert wait_until(lambda: bool(overviews))
    before = overviews[-1]
    camera = next(c for c in session.cameras.all() if c.status.value == "online")
    town = next(t for t in before.towns if t.town == camera.town)
    exercise.set_camera_status(camera.id, "offline")
    try:
        assert wait_until(lambda: next(t for t in overviews[-1].towns if t.town == camera.town).cameras_online
                          == town.cameras_online - 1)
        assert overviews[-1].cameras_online == before.cameras_online - 1
    finally:
        exercise.set_camera_status(camera.id, "online")
    exercise.simulator.incident_rate_per_min = 600.0
    exercise.simulator.tick(1.0)
    exercise.simulator.incident_rate_per_min = 0.0
    assert wait_until(lambda: overviews[-1].today > before.today), "new incidents reach the figures via SSE"

    def reported_today() -> int:
        return sum(1 for i in platform_incidents(exercise) if i.reported_at >= overviews[-1].day_start)

    # the tick's incidents reach the client one event at a time: the count agrees once the last is in
    assert wait_until(lambda: overviews[-1].today == reported_today()), (overviews[-1].today, reported_today())


def test_a_clicked_figure_filters_exactly_the_counted_incidents(session, controller):
    overview = controller.recount()
    incidents = session.incidents.all()
    for code, count in overview.by_category.items():
        assert len(controller.category_filter(code).select(incidents)) == count
    for label, count in overview.by_status.items():
        assert len(controller.status_filter(label).select(incidents)) == count
    for row in overview.towns:
        assert len(controller.town_filter(row.town).select(incidents)) == row.today
    assert len(controller.open_filter().select(incidents)) == overview.open_now
    assert len(controller.today_filter().select(incidents)) == overview.today
    assert controller.status_filter("不存在").statuses == frozenset()


def test_after_a_logout_the_last_readings_stay_and_the_note_says_why(session, controller):
    overview = controller.recount()
    assert overview.sensors and not overview.sensors_note
    session.log_out()
    try:
        controller.refresh_now()
        overview = controller.recount()
        assert overview.sensors and overview.sensors_note == "未登录，传感器数据暂停更新"
    finally:
        session.log_in("duty", "duty")
    controller.refresh_now()
    assert controller.recount().sensors_note == ""


def test_counting_rules_on_known_incidents():
    now = localtime.now().replace(hour=10, minute=30)
    day = start_of_day(now)

    def incident(n: int, hours_ago: float, status=IncidentStatus.NEW, category="huanbao", town="临城街道"):
        at = now - timedelta(hours=hours_ago)
        return Incident(id=f"I{n}", title="t", category=category, lon=117.3, lat=34.8, town=town, status=status,
                        reported_at=at, updated_at=at, version=1, priority=1 if n == 1 else 3)

    incidents = [incident(1, 0.2), incident(2, 1.5, IncidentStatus.CLOSED, "jiaotong"),
                 incident(3, 11, IncidentStatus.IN_PROGRESS, town="沙沟镇"), incident(4, 30, IncidentStatus.NEW)]
    overview = count_overview(incidents, [], [], [], now, ["沙沟镇", "临城街道", "陶庄镇"])
    assert overview.day_start == day and overview.today == 2
    assert overview.by_category["huanbao"] == 1 and overview.by_category["jiaotong"] == 1
    assert dict(zip([g for g, _ in STATUS_GROUPS], overview.by_status.values(), strict=True))["已办结"] == 1
    assert overview.open_now == 3 and overview.urgent_open == 1
    assert [(t.town, t.today, t.open) for t in overview.towns] == [("沙沟镇", 0, 1), ("临城街道", 2, 2),
                                                                     ("陶庄镇", 0, 0)]
    assert [c for _, c in overview.trend][-3:] == [0, 1, 1] and sum(c for _, c in overview.trend) == 3
    assert overview.trend[-1][0] == now.replace(minute=0, second=0, microsecond=0)
    assert IncidentFilter(category="huanbao", since=day).describe() == "今日·环保"


def test_units_driving_about_do_not_redraw_the_dashboard_but_a_figure_change_does(exercise, session):
    controller = DashboardController(session, refresh_s=3600, sensors_every_s=3600, settle_s=0.05)
    overviews: list[Overview] = []
    try:
        controller.start(overviews.append)
        assert wait_until(lambda: bool(overviews))
        positions = {u.id: (u.lon, u.lat, u.updated_at) for u in session.units.all()}
        moved = [c.split(":", 1)[1] for _ in range(3) for c in exercise.simulator.tick(1.0) if c.startswith("unit:")]
        assert moved
        assert wait_until(lambda: all(positions[u] != (session.units.get(u).lon, session.units.get(u).lat,
                                                       session.units.get(u).updated_at) for u in set(moved)))
        time.sleep(0.5)  # ten settle periods: a recount would have happened by now
        assert len(overviews) == 1, "a unit's new position changes no figure"
        camera = next(c for c in session.cameras.all() if c.status.value == "online")
        exercise.set_camera_status(camera.id, "offline")
        assert wait_until(lambda: len(overviews) == 2)
        assert overviews[-1].cameras_online == overviews[0].cameras_online - 1
    finally:
        exercise.set_camera_status(camera.id, "online")
        controller.stop()


def test_in_a_long_burst_each_recount_waits_ten_times_as_long_as_it_took(exercise, tmp_path):
    """With 20 000 incidents a recount is tens of milliseconds of Python holding the interpreter lock (which the
    GUI thread waits for); changes that never stop must not make the dashboard count all the time. Each recount
    waits ten times as long as it took (its share of the time at most a tenth: benchmarks/bench_dashboard.py
    prints it), and the figures still catch up when the burst ends."""
    ready = threading.Event()
    platform = PlatformFactory.at_url(exercise.base_url, exercise=True)
    session = ClientSession(Settings(data_dir=tmp_path, username="duty"), platform, ClientListener(on_ready=ready.set))
    session.start()
    now = localtime.now()
    made = [Incident(id=f"BURST-{n:05d}", title=f"事件 {n}", category="yingji", lon=117.26, lat=34.8,
                     reported_at=now - timedelta(seconds=n), updated_at=now - timedelta(seconds=n), version=1)
            for n in range(20_000)]
    assert ready.wait(30)
    session.incidents.replace_all([*session.incidents.all(), *made[:19_000]])
    controller = DashboardController(session, refresh_s=3600, sensors_every_s=3600, settle_s=0.01)
    counts: list[tuple[float, float, float]] = []  # (began, ended: monotonic s, the count's own CPU s)
    plain_recount = controller.recount

    def recount() -> Overview:
        began = time.monotonic()
        overview = plain_recount()
        counts.append((began, time.monotonic(), controller.recount_s))
        return overview

    controller.recount = recount
    overviews: list[Overview] = []

    def today_now() -> int:
        return count_overview(session.incidents.all(), [], [], [], localtime.now()).today

    try:
        controller.start(overviews.append)
        assert wait_until(lambda: bool(overviews), timeout=30)
        counts.clear()
        for incident in made[19_000:19_600]:  # a change every 3 ms or so for 2 s
            session.incidents.upsert(incident)
            time.sleep(0.003)
        during = list(counts)
        assert len(during) >= 2, "it still counts during the burst"
        for (_began, ended, cpu), (began, _ended, _cpu) in itertools.pairwise(during):
            assert began - ended >= RECOUNT_SHARE_INVERSE * cpu - 0.005, f"waited {began - ended:.3f} s after " \
                f"a count of {cpu:.3f} s: {during}"  # fmt: skip
        assert sum(cpu for *_, cpu in during) > 0, during  # (a count measured as taking no time shows nothing)
        session.incidents.upsert_many(made[19_600:])
        assert wait_until(lambda: overviews[-1].today == today_now(), timeout=30)  # caught up
    finally:
        controller.stop()
        session.stop()


def test_nobody_looking_nothing_counted_and_looked_at_again_counted_at_once(exercise, session):
    controller = DashboardController(session, refresh_s=0.2, sensors_every_s=0.2, settle_s=2.0)
    overviews: list[Overview] = []
    sensor_reads = []
    fetch = controller._fetch_sensors
    controller._fetch_sensors = lambda: (sensor_reads.append(1), fetch())[1]
    try:
        controller.start(overviews.append)
        assert wait_until(lambda: bool(overviews))
        controller.set_wanted(False)
        time.sleep(0.3)  # a recount under way when it was said ends
        counted, fetched = len(overviews), len(sensor_reads)
        exercise.simulator.incident_rate_per_min = 600.0
        exercise.simulator.tick(1.0)
        exercise.simulator.incident_rate_per_min = 0.0
        time.sleep(1.5)  # several refresh periods and sensor periods, new incidents in the stores
        assert len(overviews) == counted and len(sensor_reads) == fetched, "nothing counted, nothing fetched"
        controller.set_wanted(True)
        assert wait_until(lambda: len(overviews) > counted, timeout=1.5), "counted without the 2 s settling"
        assert overviews[-1].today > overviews[counted - 1].today, "with what came meanwhile"
        assert len(sensor_reads) > fetched
    finally:
        controller.stop()


def counted_plainly(incidents: list[Incident], at, listed: list[str]) -> dict:
    """The incident figures counted the plain way, one incident at a time (what a tally must agree with);
    ``listed``: the towns with a row whatever happened in them."""
    at = localtime.to_display(at)
    day_start = start_of_day(at)
    today = [i for i in incidents if i.reported_at >= day_start]
    first_hour = at.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    hours = Counter(int((i.reported_at - first_hour).total_seconds() // 3600) for i in incidents
                    if i.reported_at >= first_hour)
    open_ones = [i for i in incidents if i.status in OPEN_STATUSES]
    return {
        "today": len(today),
        "by_category": {code: n for code, n in Counter(i.category for i in today).items()},
        "by_status": {label: sum(1 for i in today if i.status in statuses) for label, statuses in STATUS_GROUPS},
        "open": len(open_ones), "urgent": sum(1 for i in open_ones if i.priority <= 2),
        # a row for each listed town, then for each other town named today (none for incidents without one)
        "towns": {town: (sum(1 for i in today if i.town == town), sum(1 for i in open_ones if i.town == town))
                  for town in [*listed, *sorted({i.town for i in today} - set(listed) - {""})]},
        "trend": [hours[k] for k in range(24)],
    }


def figures(overview: Overview) -> dict:
    return {
        "today": overview.today, "by_category": {code: n for code, n in overview.by_category.items() if n},
        "by_status": overview.by_status, "open": overview.open_now, "urgent": overview.urgent_open,
        "towns": {t.town: (t.today, t.open) for t in overview.towns},
        "trend": [n for _, n in overview.trend],
    }


LISTED_TOWNS = ["临城街道", "沙沟镇"]  # the towns layer's, in its order
TALLY_TOWNS = [*LISTED_TOWNS, "陶庄镇", "张范街道", ""]
changes = st.lists(st.tuples(st.integers(0, 7), st.floats(-3, 50), st.sampled_from(list(IncidentStatus)),
                             st.sampled_from(["huanbao", "jiaotong", "未知类别"]), st.sampled_from(TALLY_TOWNS),
                             st.integers(1, 4)), max_size=40)


@pytest.mark.parametrize("offset_hours", [8, 5.5, -3])
@settings(max_examples=150, deadline=None)
@given(changes=changes, first=changes)
def test_a_tally_kept_change_by_change_counts_what_a_plain_count_does(offset_hours, first, changes):
    """Incidents reported, moved across midnight and hours, reopened, closed, renamed: the tally that followed
    every change has the figures of the final incidents counted one by one, in any display zone."""
    localtime.set_display_offset(offset_hours)
    try:
        now = localtime.now().replace(hour=0, minute=40)  # near midnight: "today" and the trend's hours differ
        held: dict[str, Incident] = {}
        tally = IncidentTally()
        for step, (n, hours_ago, status, category, town, priority) in enumerate([*first, *changes]):
            at = now - timedelta(hours=hours_ago)
            held[f"I{n}"] = incident = Incident(
                id=f"I{n}", title="t", category=category, lon=117.3, lat=34.8, town=town, status=status,
                priority=priority, reported_at=at, updated_at=at, version=step + 1)
            tally.put(incident)
            tally.put(incident)  # the same copy twice counts once
        assert len(tally) == len(held)
        expected = counted_plainly(list(held.values()), now, LISTED_TOWNS)
        assert figures(overview_of(tally, [], [], [], now, LISTED_TOWNS)) == expected
        assert figures(count_overview(held.values(), [], [], [], now, LISTED_TOWNS)) == expected
    finally:
        localtime.set_display_offset(8)


def test_the_controller_counts_the_changed_incidents_again_and_a_replaced_store_afresh(exercise, tmp_path):
    """Through a real session's store: new incidents, status changes, and a snapshot replacing everything each
    reach the figures, which always equal a plain count of what the store holds."""
    ready = threading.Event()
    platform = PlatformFactory.at_url(exercise.base_url, exercise=True)
    session = ClientSession(Settings(data_dir=tmp_path, username="duty"), platform, ClientListener(on_ready=ready.set))
    session.start()
    controller = DashboardController(session, refresh_s=3600, sensors_every_s=3600)
    controller.start(lambda overview: None)
    try:
        assert wait_until(lambda: controller.latest is not None)
        now = localtime.now()

        def made(n: int, status=IncidentStatus.NEW, version=1, hours_ago=0.1) -> Incident:
            at = now - timedelta(hours=hours_ago)
            return Incident(id=f"TALLY-{n}", title="t", category="yingji", lon=117.26, lat=34.8, status=status,
                            priority=1, reported_at=at, updated_at=at, version=version)

        def agrees(overview: Overview) -> bool:  # with a plain count of the store, in the overview's rows
            listed = [t.town for t in overview.towns]
            return figures(overview) == counted_plainly(session.incidents.values(), overview.at, listed)

        for n in range(30):
            session.incidents.upsert(made(n))
        assert agrees(controller.recount())
        for n in range(10):
            session.incidents.upsert(made(n, IncidentStatus.CLOSED, version=2, hours_ago=30))
        session.incidents.upsert(made(3, IncidentStatus.CLOSED, version=1))  # an older copy: ignored by the store
        overview = controller.recount()
        assert agrees(overview) and overview.urgent_open >= 20
        session.incidents.replace_all([made(n, IncidentStatus.IN_PROGRESS, version=5) for n in range(5)])
        overview = controller.recount()
        assert agrees(overview)
        assert overview.open_now == 5 and overview.today == 5
    finally:
        controller.stop()
        session.stop()
