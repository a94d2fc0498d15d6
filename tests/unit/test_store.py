"""Stores: version rules, ordering, listeners outside the lock, thread safety."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from commandwall import localtime
from commandwall.app.store import CameraStore, IncidentStore, Stores, TaskStore, UnitStore
from commandwall.backend.events import CameraStatusChange
from commandwall.domain.models import (
    Camera,
    CameraStatus,
    Incident,
    IncidentStatus,
    Task,
    Unit,
    UnitStatus,
)

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def incident(ident: str = "INC-1", version: int = 1, minutes: int = 0, **kw: object) -> Incident:
    data: dict[str, object] = {
        "id": ident,
        "title": f"事件 {ident}",
        "category": "chengguan",
        "lon": 117.3,
        "lat": 34.8,
        "reported_at": T0 + timedelta(minutes=minutes),
        "updated_at": T0 + timedelta(minutes=minutes, seconds=version),
        "version": version,
    }
    data.update(kw)
    return Incident.model_validate(data)


def camera(ident: str, status: str = "online") -> Camera:
    return Camera.model_validate(
        {
            "id": ident,
            "name": ident,
            "lon": 117.3,
            "lat": 34.8,
            "status": status,
            "streams": {"main": f"http://x/{ident}/main.mjpg", "sub": f"http://x/{ident}/sub.mjpg"},
        }
    )


def unit(ident: str, seconds: int, status: str = "available") -> Unit:
    return Unit.model_validate(
        {
            "id": ident,
            "name": ident,
            "department": "公安",
            "lon": 117.3,
            "lat": 34.8,
            "status": status,
            "updated_at": T0 + timedelta(seconds=seconds),
        }
    )


def test_incident_lower_or_equal_version_is_ignored() -> None:
    store = IncidentStore()
    seen: list[Incident] = []
    store.add_listener(seen.append)

    assert store.upsert(incident(version=2, status="accepted"))
    assert not store.upsert(incident(version=1, status="new"))  # late event: ignored
    assert not store.upsert(incident(version=2, status="accepted"))  # replay: ignored
    assert store.get("INC-1").version == 2
    assert store.get("INC-1").status == IncidentStatus.ACCEPTED
    assert store.upsert(incident(version=3, status="dispatched"))
    assert [i.version for i in seen] == [2, 3]


def test_incidents_newest_first_and_open() -> None:
    store = IncidentStore()
    store.upsert_many(
        [
            incident("A", minutes=1),
            incident("B", minutes=3, status="closed"),
            incident("C", minutes=2, status="dispatched"),
            incident("D", minutes=0, status="resolved"),
        ]
    )
    assert [i.id for i in store.all()] == ["B", "C", "A", "D"]
    assert [i.id for i in store.open()] == ["C", "A"]
    counts = store.count_by_status()
    assert counts[IncidentStatus.CLOSED] == 1 and counts[IncidentStatus.NEW] == 1
    assert len(store) == 4 and "A" in store and "Z" not in store


def test_replace_all_keeps_a_newer_copy_and_notifies_reset_listeners() -> None:
    store = IncidentStore()
    store.upsert(incident("A", version=5))
    resets: list[list[Incident]] = []
    store.add_reset_listener(resets.append)

    store.replace_all([incident("A", version=4), incident("B", version=1)])

    assert store.get("A").version == 5  # the event that overtook the snapshot wins
    assert store.get("B") is not None
    assert len(resets) == 1 and {i.id for i in resets[0]} == {"A", "B"}


def test_the_platforms_own_copy_is_taken_even_older_when_its_data_went_back() -> None:
    """A platform restored from a backup (or reset) holds older versions, older unit reports and fewer incidents
    than the desk: a reload after that, and a 409's current incident, are the platform's truth. They used to be
    ignored as "late", so the desk showed incidents that no longer existed, old titles and statuses, and quoted
    versions the platform refused for ever."""
    incidents = IncidentStore()
    incidents.upsert_many([incident("A", version=3, status="accepted"), incident("GONE", version=2)])
    units = UnitStore()
    units.upsert(unit("U1", seconds=60))

    incidents.replace_all([incident("A", version=1, title="恢复后的标题")], authoritative=True)
    units.replace_all([unit("U1", seconds=0)], authoritative=True)

    assert [(i.id, i.version, i.title) for i in incidents.all()] == [("A", 1, "恢复后的标题")]
    assert incidents.open_count() == 1 and units.get("U1").updated_at == T0

    assert incidents.upsert(incident("A", version=5, status="dispatched"))
    assert incidents.upsert(incident("A", version=2, status="accepted"), authoritative=True)  # a 409's current
    assert incidents.get("A").version == 2 and incidents.get("A").status == IncidentStatus.ACCEPTED
    assert not incidents.upsert(incident("A", version=2, status="accepted"), authoritative=True)  # nothing new
    assert not incidents.upsert(incident("A", version=1))  # without it the ordering rule stands


def test_unsubscribe_and_failing_listener_does_not_stop_others(caplog) -> None:
    store = IncidentStore()
    calls: list[str] = []

    def broken(_: Incident) -> None:
        raise RuntimeError("boom")

    store.add_listener(broken)
    unsubscribe = store.add_listener(lambda i: calls.append(i.id))
    store.upsert(incident("A"))
    unsubscribe()
    store.upsert(incident("B"))
    assert calls == ["A"]
    assert "store listener" in caplog.text


def test_listeners_are_called_outside_the_lock() -> None:
    """A listener that reads the store from another thread must not deadlock."""
    store = IncidentStore()
    results: list[int] = []

    def listener(_: Incident) -> None:
        reader = threading.Thread(target=lambda: results.append(len(store.all())))
        reader.start()
        reader.join(5)
        assert not reader.is_alive(), "store lock held while calling listeners"

    store.add_listener(listener)
    store.upsert(incident("A"))
    assert results == [1]


def test_concurrent_writers_keep_the_highest_version() -> None:
    store = IncidentStore()
    versions = list(range(1, 201))

    def write(chunk: list[int]) -> None:
        for v in chunk:
            store.upsert(incident("A", version=v))

    threads = [threading.Thread(target=write, args=(versions[i::4][::-1],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert store.get("A").version == 200


def test_camera_status_updates() -> None:
    store = CameraStore()
    store.replace_all([camera("CAM-0002"), camera("CAM-0001")])
    changed: list[Camera] = []
    store.add_listener(changed.append)

    assert store.set_status("CAM-0001", "offline")
    assert not store.set_status("CAM-0001", CameraStatus.OFFLINE)  # no change, no notification
    assert not store.set_status("CAM-9999", "offline")  # unknown camera
    assert [c.id for c in changed] == ["CAM-0001"]
    assert store.get("CAM-0001").status == CameraStatus.OFFLINE
    assert [c.id for c in store.all()] == ["CAM-0001", "CAM-0002"]
    assert [c.id for c in store.online()] == ["CAM-0002"]


def test_unit_older_report_is_ignored() -> None:
    store = UnitStore()
    assert store.upsert(unit("U-001", 10, "busy"))
    assert not store.upsert(unit("U-001", 5, "available"))
    assert store.get("U-001").status == UnitStatus.BUSY
    assert store.upsert(unit("U-001", 20, "available"))


def test_a_unit_report_dated_far_ahead_is_refused_so_real_reports_still_move_it() -> None:
    """A terminal with a broken clock (year 9999) froze the unit for the session: every real report after it was
    "older". A report more than an hour ahead of this desk's clock never replaces a held one, and gives way to the
    next report when it is the only copy (a snapshot's)."""
    store = UnitStore()
    assert store.upsert(unit("U-001", 10, "busy"))
    future = unit("U-001", 0).model_copy(update={"updated_at": datetime(9999, 12, 31, tzinfo=UTC), "lon": 117.0})
    assert not store.upsert(future)
    assert store.upsert(unit("U-001", 20, "available")) and store.get("U-001").status == UnitStatus.AVAILABLE
    store.replace_all([future, unit("U-002", 5)])
    assert store.get("U-001").lon != 117.0 or store.get("U-001").updated_at.year != 9999
    soon = unit("U-003", 0).model_copy(update={"updated_at": datetime.now(UTC) + timedelta(minutes=5)})
    assert store.upsert(soon), "a clock a few minutes fast is a clock, not broken data"
    first = future.model_copy(update={"id": "U-004"})  # the only copy there is: shown, until a real report
    store.replace_all([*store.all(), first])
    assert store.get("U-004").updated_at.year == 9999
    assert store.upsert(unit("U-004", 30, "busy")) and store.get("U-004").status == UnitStatus.BUSY


def test_tasks_by_incident() -> None:
    store = TaskStore()
    for i, inc in enumerate(["INC-1", "INC-2", "INC-1"]):
        store.upsert(Task.model_validate({"id": f"T-{i}", "incident_id": inc, "created_at": T0 + timedelta(minutes=i)}))
    assert [t.id for t in store.for_incident("INC-1")] == ["T-0", "T-2"]


@given(st.lists(st.tuples(st.integers(0, 9), st.sampled_from(["INC-1", "INC-2", "INC-3"]), st.integers(0, 50)),
                max_size=40), st.booleans())
@settings(max_examples=150, deadline=None)
def test_an_incidents_tasks_are_those_the_store_holds_for_it_through_moves_and_snapshots(changes, snapshot) -> None:
    """The index by incident follows every change: a task reassigned to another incident leaves the first, and a
    snapshot replacing everything is indexed afresh; oldest first, as the whole list sorts them."""
    store = TaskStore()
    for n, incident_id, minute in changes:
        store.upsert(Task.model_validate({"id": f"T-{n}", "incident_id": incident_id,
                                          "created_at": T0 + timedelta(minutes=minute)}))
    if snapshot:
        store.replace_all([t.model_copy(update={"incident_id": "INC-1"}) for t in store.all()[::2]])
    for incident_id in ("INC-1", "INC-2", "INC-3", "INC-NONE"):
        assert store.for_incident(incident_id) == [t for t in store.all() if t.incident_id == incident_id]


def test_stores_apply_event_routes_by_kind() -> None:
    stores = Stores()
    stores.cameras.replace_all([camera("CAM-0001")])
    assert stores.apply_event("incident", incident("A"))
    assert stores.apply_event("unit", unit("U-1", 1))
    assert stores.apply_event("camera-status", CameraStatusChange(id="CAM-0001", status="offline"))
    assert stores.apply_event("task", Task.model_validate({"id": "T-1", "incident_id": "A", "created_at": T0}))
    assert not stores.apply_event("incident", unit("U-2", 1))  # wrong model for the kind
    assert stores.cameras.get("CAM-0001").status == CameraStatus.OFFLINE


def test_a_desk_whose_clock_is_hours_behind_the_platform_still_takes_unit_reports() -> None:
    """A desk eight hours behind (its zone taken for UTC) read every report dated by the platform's clock as "far
    ahead" and kept its units as they were: a busy unit offered as free in the dispatch dialog. Reports are measured
    against the platform's clock as this desk learnt it."""
    store = UnitStore()
    assert store.upsert(unit("U-001", 10, "available"))
    localtime.set_platform_offset(8 * 3600)
    try:
        report = unit("U-001", 0, "busy").model_copy(update={"updated_at": localtime.now()})
        assert store.upsert(report) and store.get("U-001").status == UnitStatus.BUSY
    finally:
        localtime.set_platform_offset(0)
