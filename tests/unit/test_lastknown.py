"""The last known state file: batched writes that follow the stores, snapshots, and reading back (also a
damaged file)."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from commandwall.app import lastknown
from commandwall.app.lastknown import LastKnownWriter, last_known_path, load_last_known
from commandwall.app.store import Stores
from commandwall.domain.models import Camera, CameraStatus, Incident, Unit

T0 = datetime(2026, 7, 14, 3, 0, tzinfo=UTC)


def incident(n: int, version: int = 1) -> Incident:
    return Incident(id=f"INC-{n:05d}", title=f"事件 {n}", category="yingji", lon=117.3, lat=34.8,
                    reported_at=T0 + timedelta(seconds=n), updated_at=T0 + timedelta(seconds=n), version=version)


def unit(n: int, minutes: int = 0) -> Unit:
    return Unit.model_validate({"id": f"U-{n:03d}", "name": f"巡逻组{n}", "department": "公安", "lon": 117.3,
                                "lat": 34.8, "updated_at": T0 + timedelta(minutes=minutes)})


def test_paths_are_per_platform_and_user(tmp_path: Path) -> None:
    a = last_known_path(tmp_path, "https://a.example/", False, "duty")
    assert a == last_known_path(tmp_path, "https://a.example", False, "duty")
    assert a != last_known_path(tmp_path, "https://b.example", False, "duty")
    assert a != last_known_path(tmp_path, "https://a.example", False, "commander")
    assert a.parent == tmp_path and a.name.startswith("lastknown-")


def test_changes_from_another_thread_are_written_in_batches(tmp_path: Path) -> None:
    stores = Stores()
    stores.units.replace_all([unit(1), unit(2)])
    path = tmp_path / "lk.sqlite3"
    writer = LastKnownWriter(path, stores, interval_s=3600).start()  # only explicit flushes in this test
    try:
        worker = threading.Thread(target=lambda: [stores.incidents.upsert(incident(n)) for n in range(2000)])
        worker.start()
        worker.join()
        stores.incidents.upsert(incident(5, version=3))
        stores.units.upsert(unit(1, minutes=5))
        assert writer.flush() == 2000 + 2 + 1  # the snapshot of the units, then what changed (coalesced)
        assert writer.flush() == 0
        assert writer.writes == 1
    finally:
        writer.stop()
    found = load_last_known(path)
    assert found is not None
    assert len(found.incidents) == 2000 and len(found.units) == 2
    assert {i.id: i for i in found.incidents}["INC-00005"].version == 3
    assert abs((datetime.now(UTC) - found.saved_at).total_seconds()) < 60


def test_a_snapshot_replaces_what_was_written(tmp_path: Path) -> None:
    stores = Stores()
    path = tmp_path / "lk.sqlite3"
    writer = LastKnownWriter(path, stores, interval_s=0.05).start()
    stores.incidents.upsert(incident(1))
    stores.incidents.upsert(incident(2))
    writer.flush()
    stores.incidents.replace_all([incident(3)])  # e.g. a new login: INC-1 and INC-2 are gone
    writer.stop()  # writes what is left
    found = load_last_known(path)
    assert found is not None and [i.id for i in found.incidents] == ["INC-00003"]


def test_a_damaged_file_is_reported_not_fatal(tmp_path: Path, caplog) -> None:
    assert load_last_known(tmp_path / "missing.sqlite3") is None
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    assert load_last_known(garbage) is None
    path = tmp_path / "lk.sqlite3"
    stores = Stores()
    writer = LastKnownWriter(path, stores).start()
    stores.incidents.upsert(incident(1))
    stores.incidents.upsert(incident(2))
    writer.stop()
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE incidents SET doc = '{\"id\": \"INC-00002\", \"version\": 0}' WHERE id = 'INC-00002'")
    found = load_last_known(path)
    assert found is not None and [i.id for i in found.incidents] == ["INC-00001"]
    assert "INC-00002" in caplog.text


def test_a_damaged_cache_is_set_aside_and_begun_again_and_a_locked_one_written_once_free(tmp_path: Path, caplog,
                                                                                          monkeypatch) -> None:
    """The file is a cache: garbage (a power cut, a disk error) made every login fail with 内部错误:
    DatabaseError for ever. Now it is set aside as ``*.broken-<time>`` (kept, not deleted) and a new one begun;
    one another process holds locked is written once it is free, nothing of what came meanwhile lost."""
    path = tmp_path / "lk.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    stores = Stores()
    writer = LastKnownWriter(path, stores, interval_s=3600).start()
    stores.incidents.upsert(incident(1))
    assert writer.flush() == 1
    writer.stop()
    assert [i.id for i in load_last_known(path).incidents] == ["INC-00001"]
    (aside,) = tmp_path.glob("lk.sqlite3.broken-*")
    assert aside.read_bytes().startswith(b"this is not a database") and "set aside" in caplog.text

    monkeypatch.setattr(lastknown, "LOCK_WAIT_S", 0.3)  # 5 s on the desk
    locked = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        writer = LastKnownWriter(locked, stores, interval_s=3600).start()  # waits LOCK_WAIT_S, then goes on
        stores.incidents.upsert(incident(2))
        assert writer.flush() == 0  # still locked (another LOCK_WAIT_S): nothing taken from the queue
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert writer.flush() == 2  # the snapshot at start (INC-1) and INC-2, once the file is free
    writer.stop()
    assert sorted(i.id for i in load_last_known(locked).incidents) == ["INC-00001", "INC-00002"]


def test_the_saved_time_is_always_aware_and_a_wrong_one_makes_the_file_unreadable(tmp_path: Path, caplog) -> None:
    path = tmp_path / "lk.sqlite3"
    stores = Stores()
    writer = LastKnownWriter(path, stores).start()
    stores.incidents.upsert(incident(1))
    writer.stop()
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE meta SET value = '2026-07-01T03:00:00' WHERE key = 'saved_at'")  # no offset
    found = load_last_known(path)
    assert found is not None and found.saved_at == datetime(2026, 7, 1, 3, tzinfo=UTC)
    assert datetime.now(UTC) - found.saved_at > timedelta(0)  # comparable with the clock, no TypeError
    for wrong in (12345, b"\xff", "yesterday"):
        with closing(sqlite3.connect(path)) as db, db:
            db.execute("UPDATE meta SET value = ? WHERE key = 'saved_at'", (wrong,))
        assert load_last_known(path) is None
    assert "unreadable" in caplog.text


def camera(n: int, main: str = "rtsp://admin:s3cret@10.0.0.5:554/ch1?token=abc&channel=1") -> Camera:
    return Camera.model_validate({"id": f"CAM-{n:03d}", "name": f"路口{n}", "lon": 117.3, "lat": 34.8,
                                  "status": "online", "streams": {"main": main, "sub": main}})


def test_cameras_come_back_not_live_and_without_their_passwords(tmp_path: Path) -> None:
    stores = Stores()
    path = tmp_path / "lk.sqlite3"
    writer = LastKnownWriter(path, stores, interval_s=0.05).start()
    stores.cameras.replace_all([camera(1), camera(2)])
    stores.cameras.set_status("CAM-002", CameraStatus.OFFLINE)
    writer.stop()
    assert b"s3cret" not in path.read_bytes() and b"token=abc" not in path.read_bytes()
    found = load_last_known(path)
    assert found is not None and [c.id for c in found.cameras] == ["CAM-001", "CAM-002"]
    assert {c.status for c in found.cameras} == {CameraStatus.UNKNOWN}  # nobody knows whether they are online
    assert found.cameras[0].streams.main == "rtsp://10.0.0.5:554/ch1?channel=1"


def test_camera_passwords_holding_url_delimiters_are_not_written(tmp_path: Path) -> None:
    passwords = ["Se/cret1", "Se?cret2", "Se#cret3", "Se@cret4"]
    stores = Stores()
    path = tmp_path / "lk.sqlite3"
    writer = LastKnownWriter(path, stores, interval_s=3600).start()
    stores.cameras.replace_all([camera(n, f"rtsp://admin:{p}@10.0.0.5:554/ch{n}") for n, p in enumerate(passwords)])
    writer.stop()
    assert b"cret" not in path.read_bytes() and b"admin" not in path.read_bytes()
    found = load_last_known(path)
    assert found is not None
    assert [c.streams.main for c in found.cameras] == [f"rtsp://10.0.0.5:554/ch{n}" for n in range(len(passwords))]


def test_a_file_written_before_cameras_were_kept_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "lk.sqlite3"
    stores = Stores()
    writer = LastKnownWriter(path, stores).start()
    stores.incidents.upsert(incident(1))
    writer.stop()
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("DROP TABLE cameras")
    found = load_last_known(path)
    assert found is not None and [i.id for i in found.incidents] == ["INC-00001"] and found.cameras == []


def test_incidents_are_kept_as_the_platform_reported_them_and_placed_again_when_read(tmp_path: Path) -> None:
    """A desk places incidents by their point (town, grid cell). What it keeps is what the platform said, so that
    a desk started during an outage places them again and can still say the platform reported another town."""
    from shapely.geometry import shape

    from commandwall import paths
    from commandwall.app.areas import DistrictAreas
    from commandwall.geo.layers import load_layers

    layers = load_layers(paths.layers_dir()).layers
    areas = DistrictAreas(layers["towns"].features, layers["grids"].features)
    cell = next(f for f in layers["grids"].features if f["properties"]["town"] == "临城街道")
    point = shape(cell["geometry"]).representative_point()
    reported = incident(1).model_copy(update={"lon": point.x, "lat": point.y, "town": "陶庄镇", "grid": "G-999"})
    stores = Stores()
    stores.incidents.set_areas(areas)
    path = tmp_path / "lk.sqlite3"
    writer = LastKnownWriter(path, stores, interval_s=3600).start()
    try:
        stores.incidents.upsert(reported)
        assert stores.incidents.get(reported.id).town == "临城街道", "placed by its point"
        writer.flush()
    finally:
        writer.stop()
    found = load_last_known(path)
    assert found is not None
    assert [(i.town, i.grid) for i in found.incidents] == [("陶庄镇", "G-999")], "kept as reported"
    offline = Stores()
    offline.incidents.set_areas(areas)
    offline.incidents.replace_all(found.incidents)
    where = offline.incidents.placement(reported.id)
    assert offline.incidents.get(reported.id).town == "临城街道"
    assert where is not None and where.town_differs and where.reported_town == "陶庄镇"


def test_a_data_folder_named_with_a_hash_or_percent_reads_its_last_known_state(tmp_path: Path) -> None:
    """``C#/data`` (or ``100%/data``): the state was written but never read back (the URI ended at ``#``: "no such
    table", and an empty file ``C`` made beside the folder)."""
    for name in ("C#", "100%25", "a?b"):
        folder = tmp_path / name / "data"
        folder.mkdir(parents=True)
        stores = Stores()
        stores.incidents.replace_all([incident(7)])
        path = folder / "lk.sqlite3"
        writer = LastKnownWriter(path, stores, interval_s=3600).start()
        writer.flush()
        writer.stop()
        found = load_last_known(path)
        assert found is not None and [i.id for i in found.incidents] == ["INC-00007"], name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["100%25", "C#", "a?b"], "nothing made beside them"


def test_a_snapshot_a_locked_file_refused_is_written_at_a_later_try_not_lost(tmp_path: Path, monkeypatch) -> None:
    """Another program held the file for a moment while the platform's incidents were reloaded as a whole: the
    write took the new list out of the queue, failed, and dropped it — the file kept the old incidents for good,
    under a fresh 截至 time written with the next change. Now what a failed write took is written at the next try,
    behind anything newer that came meanwhile, and the time saved is never newer than what the file holds."""
    monkeypatch.setattr(lastknown, "LOCK_WAIT_S", 0.3)  # 5 s on the desk
    path = tmp_path / "lk.sqlite3"
    stores = Stores()
    stores.incidents.replace_all([incident(1), incident(2)])
    stores.units.replace_all([unit(1)])
    writer = LastKnownWriter(path, stores, interval_s=3600).start()
    try:
        assert writer.flush() == 3
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            stores.incidents.replace_all([incident(3), incident(4)])  # the platform reloaded: a new snapshot
            stores.units.upsert(unit(1, minutes=5))
            assert writer.flush() == 0 and writer.failures == 1
            stores.units.upsert(unit(1, minutes=9))  # newer than the one the failed write took
            assert writer.flush() == 0 and writer.failures == 2
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        before = load_last_known(path)
        assert sorted(i.id for i in before.incidents) == ["INC-00001", "INC-00002"]  # what was written, and when
        assert writer.flush() == 3 and writer.failures == 0
    finally:
        writer.stop()
    found = load_last_known(path)
    assert sorted(i.id for i in found.incidents) == ["INC-00003", "INC-00004"]
    assert [u.updated_at for u in found.units] == [T0 + timedelta(minutes=9)]
    assert found.saved_at > before.saved_at


def test_roles_nested_too_deep_are_read_as_unknown(tmp_path: Path) -> None:
    """The last known state's roles as JSON nested 100 000 deep: reading raised RecursionError, which ended the
    start-up thread of a desk started in an outage. Now they read as not kept; the rest of the file is read."""
    path = tmp_path / "lk.sqlite3"
    stores = Stores()
    stores.incidents.replace_all([incident(1)])
    writer = LastKnownWriter(path, stores, interval_s=3600, roles=["duty_officer"], display_name="值班员").start()
    writer.stop()
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'roles'", ("[" * 100_000,))
    found = load_last_known(path)
    assert found is not None and found.roles is None and found.display_name == "值班员"
    assert [i.id for i in found.incidents] == ["INC-00001"]


def test_a_named_pipe_in_place_of_the_file_is_set_aside_never_waited_on(tmp_path: Path) -> None:
    """A named pipe under the file's name held the login (the writer starts there) in ``sqlite3.connect`` for
    ever. It is now no database: set aside like a damaged file, and the state written in a new one."""
    import os

    path = tmp_path / "lk.sqlite3"
    os.mkfifo(path)
    assert load_last_known(path) is None
    stores = Stores()
    stores.incidents.replace_all([incident(1)])
    started: list[LastKnownWriter] = []
    worker = threading.Thread(target=lambda: started.append(LastKnownWriter(path, stores, interval_s=3600).start()),
                              daemon=True)
    worker.start()
    worker.join(10)
    assert started, "the writer waits on the pipe"
    assert started[0].flush() == 1
    started[0].stop()
    assert [i.id for i in load_last_known(path).incidents] == ["INC-00001"]
    (aside,) = tmp_path.glob("lk.sqlite3.broken-*")
    assert not aside.is_file()
