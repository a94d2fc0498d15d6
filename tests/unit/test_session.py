"""The plain-Python session against the embedded exercise backend (no Qt)."""

from __future__ import annotations

import time

import pytest

from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientListener, ClientSession
from commandwall.backend.events import ConnectionState
from commandwall.cli import platform_factory
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from commandwall.domain.models import CameraStatus


def wait_until(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture(scope="module")
def exercise(tmp_path_factory):
    """One exercise backend for the module, its simulator off: nothing changes on it unless a test changes it."""
    backend = DemoBackend(db_path=tmp_path_factory.mktemp("exercise") / "exercise.sqlite3",
                          incident_rate_per_min=0, simulate=False).start()
    yield backend
    backend.stop()


@pytest.fixture(scope="module")
def session(tmp_path_factory, exercise):
    states: list[ConnectionState] = []
    failures: list[str] = []
    ready: list[bool] = []
    listener = ClientListener(on_connection=lambda s, d: states.append(s), on_failed=failures.append,
                               on_ready=lambda: ready.append(True))
    s = ClientSession(Settings(data_dir=tmp_path_factory.mktemp("data")),
                      PlatformFactory.at_url(exercise.base_url, exercise=True), listener)
    s.start()
    assert not failures, failures
    assert ready
    wait_until(lambda: ConnectionState.LIVE in states)
    yield s
    s.stop()


def test_start_loads_layers_in_wgs84_and_the_live_state(session):
    kinds = {layer.kind for layer in session.layers}
    assert {"boundary", "towns", "grids", "roads", "resources"} <= kinds
    towns = next(layer for layer in session.layers if layer.kind == "towns")
    lon, lat = towns.features[0]["geometry"]["coordinates"][0][0][:2]
    assert 117.1 < lon < 117.5 and 34.6 < lat < 35.0  # EPSG:4548 metres were normalised
    assert len(session.cameras) >= 1000 and len(session.units) > 0 and session.incidents.open()


def test_cameras_near_prefers_cameras_looking_at_the_point(session):
    index = session._camera_index
    camera = next(c for c in session.cameras.all() if c.status is CameraStatus.ONLINE)
    # a point inside this camera's view: 60 % of its range along its heading
    from pyproj import Geod

    lon, lat, _ = Geod(ellps="WGS84").fwd(camera.lon, camera.lat, camera.heading, camera.range_m * 0.6)
    covering = [c.id for c in index.covering(lon, lat)]
    assert camera.id in covering
    chosen = [c.id for c in session.cameras_near(lon, lat, 4)]
    assert len(chosen) == 4
    online_covering = [c for c in covering if session.cameras.get(c).status is CameraStatus.ONLINE][:4]
    assert chosen[: len(online_covering)] == online_covering


def test_offline_cameras_are_not_chosen(session, exercise):
    first = session.cameras_near(117.26, 34.80, 1)[0]
    exercise.set_camera_status(first.id, "offline")
    wait_until(lambda: session.cameras.get(first.id).status is CameraStatus.OFFLINE)
    assert first.id not in [c.id for c in session.cameras_near(117.26, 34.80, 4)]
    exercise.set_camera_status(first.id, "online")


def test_units_by_distance_is_sorted(session):
    pairs = session.units_by_distance(117.26, 34.80)
    distances = [d for _, d in pairs]
    assert distances == sorted(distances) and len(pairs) == len(session.units)


def test_an_unreachable_backend_is_reported_and_retried_until_stopped(tmp_path):
    import threading

    failures: list[str] = []
    s = ClientSession(Settings(data_dir=tmp_path, request_timeout_s=2), PlatformFactory.at_url("http://127.0.0.1:9/"),
                      ClientListener(on_failed=failures.append))
    worker = threading.Thread(target=s.start)
    worker.start()
    wait_until(lambda: len(failures) >= 2, timeout=30)
    s.stop()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert "127.0.0.1:9" in failures[0] and "重试" in failures[0]


def test_a_wrong_password_is_reported_once(tmp_path):
    failures: list[str] = []
    with DemoBackend(simulate=False) as demo:
        s = ClientSession(Settings(password="S3cret-pw!", data_dir=tmp_path), PlatformFactory.at_url(demo.base_url),
                          ClientListener(on_failed=failures.append))
        s.start()  # returns: no retry for refused credentials
        s.stop()
    assert len(failures) == 1
    assert "S3cret-pw!" not in failures[0] and "401" in failures[0]


def test_a_desk_started_later_sees_tasks_dispatched_before(session, tmp_path):
    incident = next(i for i in session.incidents.open() if i.status.value in ("new", "accepted"))
    task = session.client.create_task({"incident_id": incident.id, "department": "公安", "instructions": "核实",
                                       "priority": 2}, idempotency_key="later-desk-1")
    later = ClientSession(Settings(data_dir=tmp_path), PlatformFactory.at_url(session.user.base_url))
    later.start()
    try:
        assert [t.id for t in later.tasks.for_incident(incident.id)] == [task.id]
    finally:
        later.stop()


def test_stop_during_start_up_leaves_no_threads(tmp_path):
    import threading

    before = set(threading.enumerate())
    settings = Settings(data_dir=tmp_path, demo_incident_rate=0)
    s = ClientSession(settings, platform_factory(settings))  # the command line's: starts the exercise backend
    s.start_in_background()
    time.sleep(0.3)  # inside the exercise backend's start
    s.stop(join_timeout_s=30)
    wait_until(lambda: not [t for t in set(threading.enumerate()) - before if t.is_alive()], timeout=20)


def test_a_failing_catalogue_draws_the_local_folder_with_its_errors(exercise, tmp_path, monkeypatch):
    from tests.layer_folders import folder_with_a_broken_layer

    def broken() -> list:
        raise RuntimeError("catalogue store unavailable")

    monkeypatch.setattr(exercise.catalogue, "catalogue", broken)  # GET /api/v1/layers answers HTTP 500
    folder = folder_with_a_broken_layer(tmp_path)
    drawn: list[tuple[list, list[str]]] = []
    s = ClientSession(Settings(data_dir=tmp_path / "data", layers_dir=folder),
                      PlatformFactory.at_url(exercise.base_url, exercise=True),
                      ClientListener(on_layers=lambda layers, errors: drawn.append((layers, errors))))
    assert not s.layers_from_folder and s.local_layer_errors == []
    try:
        s.start()
        assert s.layers_from_folder and "500" in (s.catalogue_problem or "") and s.catalogue == []
        assert [layer_id for layer_id, _ in s.local_layer_errors] == ["wells"]
        assert "wells.geojson" in s.local_layer_errors[0][1]
        assert len(drawn) == 1 and drawn[0][0] is s.layers and drawn[0][1][0].startswith("wells: ")
        assert {layer.id for layer in s.layers} >= {"towns", "grids"}
        assert s.incidents.placement(s.incidents.all()[0].id) is not None  # placed in the folder's towns
    finally:
        s.stop()


def test_a_damaged_outbox_is_set_aside_the_officer_told_and_a_new_one_sends(tmp_path, exercise):
    """A power cut or a disk error left the outbox file no database: every login failed with 内部错误 for ever,
    the desk empty. It is set aside (kept: its unsent actions are to be checked by hand), a new outbox is begun,
    and the officer is told where the old one is."""
    import hashlib

    data = tmp_path / "data"
    data.mkdir()
    path = data / f"outbox-exercise-{hashlib.sha1(b'duty').hexdigest()[:8]}.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xde\xad" * 4000)
    notices: list[str] = []
    ready: list[bool] = []
    session = ClientSession(Settings(data_dir=data, username="duty"),
                            PlatformFactory.at_url(exercise.base_url, exercise=True),
                            ClientListener(on_ready=lambda: ready.append(True), on_notice=notices.append))
    session.start()
    try:
        assert ready and session.outbox is not None
        (aside,) = data.glob(path.name + ".broken-*")
        assert aside.read_bytes().startswith(b"SQLite format 3\x00\xde\xad")
        assert len(notices) == 1 and aside.name in notices[0] and "人工核对" in notices[0]
        incident = session.incidents.all()[0]
        row = session.outbox.enqueue_note(incident.id, "发件箱重建后的备注")
        assert session.outbox.wait_idle(15) and session.outbox.get(row).state.value == "sent"
    finally:
        session.stop()


def test_a_first_start_during_an_outage_draws_the_map_from_the_local_layer_folder_once(tmp_path):
    """A desk that never reached the platform has no last known state, but its map is its own: the local layer
    folder is drawn at the first failed try (the towns, the roads), not a blank map until the platform answers,
    and it is not read again at every retry."""
    import threading

    drawn: list[list[str]] = []
    failures: list[str] = []
    s = ClientSession(Settings(data_dir=tmp_path, request_timeout_s=2), PlatformFactory.at_url("http://127.0.0.1:9/"),
                      ClientListener(on_failed=failures.append,
                                     on_layers=lambda layers, _errors: drawn.append([lay.id for lay in layers])))
    worker = threading.Thread(target=s.start)
    worker.start()
    try:
        wait_until(lambda: len(failures) >= 2, timeout=40)
    finally:
        s.stop()
        worker.join(timeout=10)
    assert len(drawn) == 1, drawn
    assert {"towns", "roads"} <= set(drawn[0]), drawn
    assert s.layers_from_folder and "127.0.0.1:9" in (s.catalogue_problem or "")
    assert len(s.incidents) == 0 and s.offline_data is None  # nothing else is made up


def test_a_file_name_planted_in_the_data_folder_opens_nothing_outside_it(tmp_path, exercise, caplog):
    """The desk reads its other outboxes (another user's, another platform's) to say what waits in them. A file
    named ``outbox-%2F..%2F..%2Fcreated#.sqlite3`` was opened as an SQLite URI as it was: ``%2F..`` led out of the
    folder and ``#`` dropped ``mode=ro``, so an empty database was made two folders up. Now nothing is made and
    a real other outbox in a folder named with ``#`` is still read."""
    import logging
    import sqlite3
    from contextlib import closing

    data = tmp_path / "desk#1" / "a" / "data"
    data.mkdir(parents=True)
    (data / "outbox-%2F..%2F..%2Fcreated#.sqlite3").write_bytes(b"")
    other = data / "outbox-other-platform-0000.sqlite3"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE outbox (state TEXT)")
        db.executemany("INSERT INTO outbox VALUES (?)", [("pending",), ("pending",), ("sent",)])
        db.commit()
    before = sorted(p for p in tmp_path.rglob("*"))
    session = ClientSession(Settings(data_dir=data, username="duty"),
                            PlatformFactory.at_url(exercise.base_url, exercise=True), ClientListener())
    with caplog.at_level(logging.WARNING, logger="commandwall.app.session"):
        session.start()
        session.stop()
    made = [p for p in tmp_path.rglob("*") if p not in before and p.parent != data]
    assert made == [], made
    assert not (tmp_path / "desk#1" / "created").exists() and not (tmp_path / "desk").exists()
    said = [r.getMessage() for r in caplog.records]
    assert any("2 action(s) wait in outbox-other-platform-0000.sqlite3" in line for line in said), said


def test_a_note_queued_in_an_outage_goes_as_soon_as_the_platform_is_live_again(tmp_path, monkeypatch):
    """The outbox's backoff had grown to its maximum over the outage: the platform was back and live, and the
    officer's note still waited out the rest of it. Live again, the waiting rows are tried at once."""
    import functools

    from commandwall.app import session as session_module
    from commandwall.backend.events import EventStream
    from commandwall.backend.outbox import Outbox, OutboxState

    monkeypatch.setattr(session_module, "Outbox", functools.partial(Outbox, backoff_initial=300.0, backoff_max=300.0))
    # the event stream back on its live feed within seconds, not at its 20 s retry (the test's time, not the point)
    monkeypatch.setattr(session_module, "EventStream", functools.partial(EventStream, sse_retry_interval=2.0,
                                                                         poll_interval=1.0))  # fmt: skip
    db = tmp_path / "platform.sqlite3"
    backend = DemoBackend(db_path=db, seed=5, simulate=False).start()
    port = backend.port
    states: list[ConnectionState] = []
    s = ClientSession(Settings(data_dir=tmp_path / "data", username="duty"),
                      PlatformFactory.at_url(backend.base_url, exercise=True),
                      ClientListener(on_connection=lambda state, _detail: states.append(state)))
    try:
        s.start()
        wait_until(lambda: ConnectionState.LIVE in states)
        incident = s.incidents.all()[0]
        backend.stop()  # the platform goes away
        row = s.outbox.enqueue_note(incident.id, "停电期间的备注")
        # the first try failed (the next is 300 s away), or the queue waits as the desk no longer hears the platform
        wait_until(lambda: s.outbox.get(row).last_error is not None or not s.hears_platform(), timeout=30)
        failed_at = time.monotonic()
        states.clear()
        backend = DemoBackend(db_path=db, port=port, seed=5, simulate=False).start()
        wait_until(lambda: ConnectionState.LIVE in states, timeout=40)
        assert s.outbox.wait_idle(10), s.outbox.get(row)
        assert s.outbox.get(row).state is OutboxState.SENT
        assert time.monotonic() - failed_at < 200, "sent when the platform was live, not when the backoff ended"
    finally:
        s.stop()
        backend.stop()


# -- the platform's data goes back while the desk runs ---------------------------------------------------------

RELOADED = "平台数据已重置或回退，已重新载入"


def _platform_incidents(backend) -> dict:
    from commandwall.backend.api import PlatformClient

    client = PlatformClient(backend.base_url, "duty", "duty")
    try:
        return {i.id: i for i in client.incidents()[0]}
    finally:
        client.close()


def test_a_platform_reset_to_a_fresh_database_is_shown_as_it_is_and_the_officer_told_once(tmp_path):
    """The platform came back with a fresh database while the desk ran: the desk kept incidents that no longer
    existed, old titles and statuses, while saying it heard the platform live. It now reloads everything and says
    so once."""
    first = DemoBackend(db_path=tmp_path / "a.sqlite3", seed=5, incident_rate_per_min=0, simulate=False).start()
    port = first.port
    notices: list[str] = []
    s = ClientSession(Settings(data_dir=tmp_path / "data"), PlatformFactory.at_url(first.base_url, exercise=True),
                      ClientListener(on_notice=notices.append))
    fresh = None
    try:
        s.start()
        wait_until(lambda: s.events is not None and s.events.state == ConnectionState.LIVE)
        time.sleep(0.3)
        for _ in range(5):  # the old platform's log grows beyond the fresh one's
            first.simulator.new_incident()
        first.simulator.tick(60.0)
        wait_until(lambda: len(s.incidents) >= 20 and int(s.events.last_event_id or 0) > 90)
        first.stop()
        fresh = DemoBackend(db_path=tmp_path / "b.sqlite3", port=port, seed=6, incident_rate_per_min=0,
                            simulate=False).start()
        truth = _platform_incidents(fresh)
        wait_until(lambda: {i.id: (i.title, i.status, i.version) for i in s.incidents.all()}
                   == {i.id: (i.title, i.status, i.version) for i in truth.values()})
        wait_until(lambda: s.hears_platform())
        time.sleep(1.0)
        assert notices == [RELOADED]
        later = fresh.simulator.new_incident()  # and the fresh platform's news arrives as usual
        wait_until(lambda: s.incidents.get(later.id) is not None and s.incidents.get(later.id).title == later.title)
        assert notices == [RELOADED]
    finally:
        s.stop()
        first.stop()
        if fresh is not None:
            fresh.stop()


def test_a_409_with_an_older_current_incident_is_taken_so_the_next_step_can_be_taken(tmp_path):
    """Restored from a backup, the platform's log had meanwhile grown past the desk's position (nothing to tell
    by): the desk held the accepted incident at v2, the platform had it new at v1. Every step was refused
    "未执行…（现为已上报，v1）" and the detail never changed. The 409's current incident is the platform's own: it is
    taken, all is reloaded, and the next step goes through."""
    import sqlite3

    db_path = tmp_path / "p.sqlite3"
    backup = tmp_path / "backup.sqlite3"
    first = DemoBackend(db_path=db_path, seed=5, incident_rate_per_min=0, simulate=False).start()
    port = first.port
    notices: list[str] = []
    s = ClientSession(Settings(data_dir=tmp_path / "data"), PlatformFactory.at_url(first.base_url, exercise=True),
                      ClientListener(on_notice=notices.append))
    backends = [first]
    try:
        s.start()
        wait_until(lambda: s.events is not None and s.events.state == ConnectionState.LIVE)
        with sqlite3.connect(db_path) as src, sqlite3.connect(backup) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        a = min((i for i in s.incidents.all() if i.status.value == "new"), key=lambda i: i.id)
        row = s.transition(a.id, "accept", a.version, "")
        assert s.outbox.wait_idle(15) and s.outbox.get(row).state.value == "sent"
        wait_until(lambda: s.incidents.get(a.id).version == a.version + 1)
        first.stop()
        for suffix in ("-wal", "-shm"):
            (tmp_path / f"p.sqlite3{suffix}").unlink(missing_ok=True)
        db_path.write_bytes(backup.read_bytes())
        meanwhile = DemoBackend(db_path=db_path, seed=5, incident_rate_per_min=0, simulate=False).start()
        for _ in range(5):  # elsewhere, the restored platform goes on: its log passes the desk's position
            meanwhile.simulator.new_incident()
        meanwhile.stop()
        again = DemoBackend(db_path=db_path, port=port, seed=5, incident_rate_per_min=0, simulate=False).start()
        backends.append(again)
        wait_until(lambda: s.hears_platform() and s.events.state == ConnectionState.LIVE, 30)
        assert s.incidents.get(a.id).version == a.version + 1  # nothing told the desk

        row = s.transition(a.id, "verify", a.version + 1, "")
        assert s.outbox.wait_idle(15) and s.outbox.get(row).state.value == "conflict"
        held = s.incidents.get(a.id)
        assert (held.status.value, held.version) == ("new", a.version)  # the platform's, older
        wait_until(lambda: notices == [RELOADED])
        wait_until(lambda: {i.id for i in s.incidents.all()} == set(_platform_incidents(again)))
        row = s.transition(a.id, "accept", held.version, "")
        assert s.outbox.wait_idle(15) and s.outbox.get(row).state.value == "sent"
        assert s.incidents.get(a.id).status.value == "accepted"
    finally:
        s.stop()
        for backend in backends:
            backend.stop()


# -- a desk started during an outage; another user's actions left on the desk -------------------------------------


def _start_offline(s: ClientSession) -> None:
    """Start ``s`` on its worker thread and wait until it holds the configured user's outbox while the platform
    cannot be reached (the last known state, when there is one, shown)."""
    s.retry_initial_s, s.retry_max_s = 0.2, 0.5
    s.start_in_background()
    wait_until(lambda: s.outbox is not None and s.user.offline, timeout=30)


def test_a_desk_restarted_in_an_outage_queues_as_its_configured_user_and_sends_after_the_login(tmp_path):
    """A desk restarted while the platform was down showed the last known state, but every action was refused
    (未登录): the outbox opened only at a login. Now the configured user's own outbox (the file his login picks) opens
    offline, his 受理, dispatch and note queue as in any outage, with the role the last known state kept, and
    they reach the platform under his name once the platform is back and he is logged in."""
    from commandwall.backend.api import PlatformClient
    from commandwall.domain.models import IncidentStatus

    db = tmp_path / "platform.sqlite3"
    backend = DemoBackend(db_path=db, seed=5, incident_rate_per_min=0, simulate=False).start()
    port, url = backend.port, backend.base_url
    settings = Settings(data_dir=tmp_path / "data", username="duty")
    first = ClientSession(settings, PlatformFactory.at_url(url, exercise=True))
    first.start()
    duty_outbox = first.outbox.db_path.name
    first.stop()  # its last known state is written
    backend.stop()  # the platform goes down; the desk is restarted

    offline: list = []
    ready: list[bool] = []
    s = ClientSession(settings, PlatformFactory.at_url(url, exercise=True),
                      ClientListener(on_offline_data=offline.append, on_ready=lambda: ready.append(True)))
    try:
        _start_offline(s)
        wait_until(lambda: offline)
        assert s.user.username == "duty" and s.user.roles == ["duty_officer"] and s.user.roles_known
        assert s.outbox.db_path.name == duty_outbox  # the file a login as duty opens
        incident = next(i for i in s.incidents.all() if i.status is IncidentStatus.NEW)
        s.transition(incident.id, "accept", incident.version)
        s.dispatch_task({"incident_id": incident.id, "unit_id": None, "department": "应急", "instructions": "抽排",
                         "priority": 1})
        s.add_note(incident.id, "断网期间重启后的备注")
        assert s.outbox.pending_count() == 3 and not ready

        backend = DemoBackend(db_path=db, port=port, seed=5, incident_rate_per_min=0, simulate=False).start()
        wait_until(lambda: ready, timeout=40)  # logged in as duty
        assert not s.user.offline and s.user.username == "duty"
        assert s.outbox.wait_idle(20), s.outbox.pending()
        assert [item.state.value for item in s.outbox.items()] == ["sent", "sent", "sent"]
        client = PlatformClient(url, "duty", "duty")
        try:
            timeline = client.timeline(incident.id)
            assert client.incident(incident.id).status is IncidentStatus.DISPATCHED  # accepted, then dispatched
        finally:
            client.close()
        assert any(e.text == "断网期间重启后的备注" and e.actor == "duty" for e in timeline)
    finally:
        s.stop()
        backend.stop()


def test_offline_the_last_known_role_is_respected_and_without_one_the_platform_decides(tmp_path):
    """With no login the desk does not know the role: a viewer's last known state says he may not act, and he is
    refused as when logged in. A last known state that kept no role (written by an earlier version) lets the action
    queue: the platform refuses it when he is logged in (403), and the row is failed, not lost in silence."""
    import sqlite3
    from contextlib import closing

    from commandwall.app.lastknown import last_known_path
    from commandwall.backend.errors import PermissionDeniedError
    from commandwall.backend.outbox import OutboxState

    db = tmp_path / "platform.sqlite3"
    backend = DemoBackend(db_path=db, seed=5, incident_rate_per_min=0, simulate=False).start()
    port, url = backend.port, backend.base_url
    viewer = Settings(data_dir=tmp_path / "viewer", username="viewer", request_timeout_s=1)
    first = ClientSession(viewer, PlatformFactory.at_url(url))
    first.start()
    incident_id = first.incidents.all()[0].id
    first.stop()  # the viewer's last known state, with his role
    backend.stop()
    s = ClientSession(viewer, PlatformFactory.at_url(url))
    try:
        _start_offline(s)
        assert s.user.roles == ["viewer"] and s.user.can_act is False
        with pytest.raises(PermissionDeniedError):
            s.add_note(incident_id, "x")
        assert s.outbox.pending_count() == 0
    finally:
        s.stop()

    with closing(sqlite3.connect(last_known_path(viewer.data_dir, url, False, "viewer"))) as kept, kept:
        kept.execute("DELETE FROM meta WHERE key IN ('roles', 'display_name')")  # as an earlier version wrote it
    ready: list[bool] = []
    s = ClientSession(viewer, PlatformFactory.at_url(url), ClientListener(on_ready=lambda: ready.append(True)))
    try:
        _start_offline(s)
        assert not s.user.roles_known and s.user.can_act
        row = s.add_note(incident_id, "角色未知时暂存")
        backend = DemoBackend(db_path=db, port=port, seed=5, incident_rate_per_min=0, simulate=False).start()
        wait_until(lambda: ready, timeout=40)
        assert s.user.roles == ["viewer"] and s.user.roles_known
        wait_until(lambda: s.outbox.get(row).state is not OutboxState.PENDING)
        assert s.outbox.get(row).state is OutboxState.FAILED and s.outbox.get(row).last_error
    finally:
        s.stop()
        backend.stop()


def test_a_refused_password_after_an_offline_start_keeps_the_queued_actions_and_says_so(tmp_path):
    """The platform comes back and refuses the configured password: the actions queued offline stay in the
    user's outbox, the desk says so, and they are sent when he logs in with the right one."""
    from commandwall.backend.outbox import OutboxState

    db = tmp_path / "platform.sqlite3"
    backend = DemoBackend(db_path=db, seed=5, incident_rate_per_min=0, simulate=False).start()
    port, url = backend.port, backend.base_url
    incident = _platform_incidents(backend)
    incident_id = sorted(incident)[0]
    backend.stop()
    notices: list[str] = []
    needed: list[str] = []
    s = ClientSession(Settings(data_dir=tmp_path / "data", username="duty", password="changed-pw"),
                      PlatformFactory.at_url(url, exercise=True),
                      ClientListener(on_notice=notices.append, on_login_needed=needed.append))
    try:
        _start_offline(s)
        row = s.add_note(incident_id, "等待发送")
        backend = DemoBackend(db_path=db, port=port, seed=5, incident_rate_per_min=0, simulate=False).start()
        wait_until(lambda: needed, timeout=40)
        assert s.outbox.get(row).state is OutboxState.PENDING
        assert any("duty" in text and "1" in text and "重新登录" in text for text in notices), notices
        s.log_in("duty", "duty")
        assert s.outbox.wait_idle(20) and s.outbox.get(row).state is OutboxState.SENT
    finally:
        s.stop()
        backend.stop()


def test_another_users_queued_actions_are_told_listed_and_never_sent_under_the_new_login(tmp_path):
    """duty's 受理 and dispatch wait in his outbox when the commander logs in on the desk: the desk said nothing
    (a log line only). Now the officer is told whose actions wait, they are listed, and they are not sent with
    the commander's token — they go when duty logs in again. An outbox of another platform address (a failover)
    is named with that address."""
    import sqlite3
    from contextlib import closing

    from commandwall.app.outboxes import outbox_path, record_owner
    from commandwall.backend.api import PlatformClient
    from commandwall.backend.outbox import Outbox
    from commandwall.domain.models import IncidentStatus

    db = tmp_path / "platform.sqlite3"
    backend = DemoBackend(db_path=db, seed=5, incident_rate_per_min=0, simulate=False).start()
    port, url = backend.port, backend.base_url
    data = tmp_path / "data"
    elsewhere = outbox_path(data, "http://10.0.0.9:8080", False, "duty")  # written while the desk used that address
    other = Outbox(elsewhere, PlatformClient("http://10.0.0.9:8080", "duty", "duty"))
    other.enqueue_note("INC-X", "在备用平台上排队的备注")
    other.stop()
    record_owner(elsewhere, "duty", "http://10.0.0.9:8080", False)
    notices: list[str] = []
    s = ClientSession(Settings(data_dir=data, username="duty"), PlatformFactory.at_url(url, exercise=True),
                      ClientListener(on_notice=notices.append))
    try:
        s.start()
        incident = next(i for i in s.incidents.all() if i.status is IncidentStatus.NEW)
        backend.stop()
        s.transition(incident.id, "accept", incident.version)
        s.dispatch_task({"incident_id": incident.id, "unit_id": None, "department": "应急", "instructions": "抽排",
                         "priority": 1})
        with closing(sqlite3.connect(db)) as platform, platform:  # duty's token and password no longer work
            (duty_hash,) = platform.execute("SELECT pw_hash FROM users WHERE username = 'duty'").fetchone()
            platform.execute("UPDATE tokens SET expires_at = 0")
            platform.execute("UPDATE users SET pw_hash = x'00' WHERE username = 'duty'")
        backend = DemoBackend(db_path=db, port=port, seed=5, incident_rate_per_min=0, simulate=False).start()
        notices.clear()
        s.log_in("commander", "commander")  # the commander takes the desk over
        told = " ".join(notices)
        assert "duty 有 2 项操作尚未送达平台" in told, notices
        assert "http://10.0.0.9:8080" in told and "1 项" in told, notices
        listed = {(w.username, w.platform): [a.kind for a in w.actions] for w in s.waiting_elsewhere()}
        assert listed[("duty", url)] == ["transition", "task"]
        # the incident's task lines show duty's dispatch as his, waiting: the commander does not dispatch it again
        from commandwall.app.incidents import IncidentsController

        lines = [line for line, _late in IncidentsController(s).describe_tasks(incident.id)]
        assert [line for line in lines if "duty 的派遣待发送" in line and "应急" in line and "抽排" in line], lines
        assert listed[("duty", "http://10.0.0.9:8080")] == ["note"]
        assert s.outbox.pending_count() == 0
        time.sleep(1.5)
        client = PlatformClient(url, "commander", "commander")
        try:
            assert client.incident(incident.id).status is IncidentStatus.NEW  # not sent with the commander's token
        finally:
            client.close()
        with closing(sqlite3.connect(db)) as platform, platform:
            platform.execute("UPDATE users SET pw_hash = ? WHERE username = 'duty'", (duty_hash,))
        s.log_in("duty", "duty")
        assert s.outbox.wait_idle(20)
        assert {item.state.value for item in s.outbox.items()} == {"sent"}
        assert [w.platform for w in s.waiting_elsewhere()] == ["http://10.0.0.9:8080"]
        lines = [line for line, _late in IncidentsController(s).describe_tasks(incident.id)]
        assert not [line for line in lines if "的派遣待发送" in line], lines  # his own now, and sent
    finally:
        s.stop()
        backend.stop()


def test_actions_queued_before_the_platform_went_back_are_held_for_the_officer_not_sent_unseen(tmp_path):
    """The platform went down while a dispatch for INC-000002 waited in the outbox and came back with a fresh
    database: the dispatch was sent as soon as it answered — to the new INC-000002, another incident. The queue now
    waits until the desk hears the platform again (its stream caught up, which is where it sees the data went back),
    and what was queued before is held, listed as not delivered, for the officer to check."""
    from commandwall.backend.outbox import PLATFORM_WENT_BACK, OutboxState

    first = DemoBackend(db_path=tmp_path / "a.sqlite3", seed=5, incident_rate_per_min=0, simulate=False).start()
    port = first.port
    notices: list[str] = []
    s = ClientSession(Settings(data_dir=tmp_path / "data"), PlatformFactory.at_url(first.base_url, exercise=True),
                      ClientListener(on_notice=notices.append))
    fresh = None
    try:
        s.start()
        wait_until(lambda: s.events is not None and s.events.state == ConnectionState.LIVE)
        for _ in range(5):  # the old platform's log grows beyond the fresh one's
            first.simulator.new_incident()
        first.simulator.tick(60.0)
        wait_until(lambda: int(s.events.last_event_id or 0) > 90)
        # an id the fresh platform has too (it numbers from INC-000001 again): there it is another incident
        target = min((i for i in s.incidents.open() if i.status.value == "new"), key=lambda i: i.id)
        first.stop()
        wait_until(lambda: not s.hears_platform())
        row = s.dispatch_task({"incident_id": target.id, "unit_id": None, "department": "应急",
                               "instructions": "到现场抽排积水", "priority": 1})
        time.sleep(1.0)
        fresh = DemoBackend(db_path=tmp_path / "b.sqlite3", port=port, seed=6, incident_rate_per_min=0,
                            simulate=False).start()
        wait_until(lambda: s.outbox.get(row).state is not OutboxState.PENDING)
        item = s.outbox.get(row)
        assert item.state is OutboxState.FAILED and item.error_code == PLATFORM_WENT_BACK, item
        assert not [t for t in fresh.store.tasks() if t.instructions == "到现场抽排积水"], "sent to another incident"
        assert [i.id for i in s.outbox.undelivered()] == [row]
        wait_until(lambda: any("项未发送的操作已暂停" in n for n in notices))
        assert s.outbox.retry(row)  # the officer checked and decided: sent as he made it
        wait_until(lambda: s.outbox.get(row).state is OutboxState.SENT)
    finally:
        s.stop()
        first.stop()
        if fresh is not None:
            fresh.stop()


def test_a_login_that_fails_after_the_last_user_was_let_go_leaves_no_one_logged_in(tmp_path):
    """The commander's login is accepted, the duty officer's stream and outbox stop, then loading the commander's
    picture of the platform fails (its camera list answers 500). The desk kept the commander's name over a closed
    connection, with no stream and no outbox — it looked logged in and could do nothing. Now no one is logged in
    until a login goes through."""
    from commandwall.backend.errors import BackendUnavailableError

    from .backend_support import LocalServer, gated_proxy

    backend = DemoBackend(db_path=tmp_path / "platform.sqlite3", seed=5, incident_rate_per_min=0,
                          simulate=False).start()
    app, state = gated_proxy(backend.base_url)
    try:
        with LocalServer(app) as proxy:
            s = ClientSession(Settings(data_dir=tmp_path / "data", username="duty"),
                              PlatformFactory.at_url(proxy.base_url, exercise=True), ClientListener())
            try:
                s.start()
                assert s.user.username == "duty" and s.outbox is not None
                state["broken"].add("/api/v1/cameras")
                with pytest.raises(BackendUnavailableError):
                    s.log_in("commander", "commander")
                assert not s.user.signed_in and s.user.roles == [], s.user
                assert s.client is None and s.events is None and s.outbox is None
                state["broken"].clear()
                s.log_in("commander", "commander")
                assert s.user.username == "commander" and s.outbox is not None and s.client is not None
            finally:
                s.stop()
    finally:
        backend.stop()
