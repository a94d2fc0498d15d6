"""Plain-Python stores of what the client knows: incidents, cameras, units, tasks.

Backend threads write into them (``upsert``, ``replace_all``, ``apply_event``); the Qt adapters subscribe
and forward changes to the GUI thread. Every store is thread-safe: state changes under a lock, listeners
are called after the lock is released, on the writer's thread, with the changed object. A listener that
raises is logged and does not stop the others.

Ordering rules:
- incidents carry a ``version``: an update with a lower (or equal) version than the one held is ignored,
  so a replayed or late event never rolls an incident back — except what the platform says is current now
  (``authoritative``: a 409's current incident, a reload after the platform's data went back); once the
  district's areas are known (``IncidentStore.set_areas``) each incident is stored with the town and grid cell
  of its point, placed on the writer's thread;
- units carry ``updated_at``: an older position report is ignored;
- cameras change status through ``camera-status`` events;
- tasks are replaced by their latest copy.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Generic, TypeVar

from pydantic import BaseModel

from commandwall import localtime
from commandwall.domain.models import (
    OPEN_STATUSES,
    Camera,
    CameraStatus,
    Incident,
    IncidentStatus,
    Task,
    TimelineEntry,
    Unit,
)

if TYPE_CHECKING:
    from commandwall.app.areas import DistrictAreas, Placement

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)

#: Incident statuses that still need someone's attention.


class _KeyedStore(Generic[T]):
    """Objects keyed by ``id`` with change listeners (one object) and reset listeners (the whole list)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._items: dict[str, T] = {}
        self._listeners: list[Callable[[T], None]] = []
        self._reset_listeners: list[Callable[[list[T]], None]] = []

    # -- subscription -------------------------------------------------------------------------------------

    def add_listener(self, listener: Callable[[T], None]) -> Callable[[], None]:
        """Call ``listener(item)`` after each change; returns a function that unsubscribes it."""
        with self._lock:
            self._listeners.append(listener)
        return lambda: self._remove(self._listeners, listener)

    def add_reset_listener(self, listener: Callable[[list[T]], None]) -> Callable[[], None]:
        """Call ``listener(all_items)`` after ``replace_all``; returns a function that unsubscribes it."""
        with self._lock:
            self._reset_listeners.append(listener)
        return lambda: self._remove(self._reset_listeners, listener)

    def _remove(self, listeners: list, listener: Callable) -> None:
        with self._lock:
            if listener in listeners:
                listeners.remove(listener)

    # -- reading ------------------------------------------------------------------------------------------

    def get(self, item_id: str) -> T | None:
        """The object with this id, or ``None``."""
        with self._lock:
            return self._items.get(item_id)

    def all(self) -> list[T]:
        """All objects (order: see the subclass)."""
        with self._lock:
            items = list(self._items.values())
        return self._sorted(items)

    def values(self) -> list[T]:
        """All objects in no particular order: for counting, cheaper than ``all``, which sorts them."""
        with self._lock:
            return list(self._items.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, item_id: object) -> bool:
        with self._lock:
            return item_id in self._items

    def _sorted(self, items: list[T]) -> list[T]:
        return sorted(items, key=lambda item: getattr(item, "id", ""))

    # -- writing ------------------------------------------------------------------------------------------

    def _accepts(self, held: T | None, new: T) -> bool:
        """Whether ``new`` replaces ``held`` (subclasses add ordering rules)."""
        return held != new

    def upsert(self, item: T, *, authoritative: bool = False) -> bool:
        """Insert or update one object; returns True (and notifies) if it changed what the store holds.
        ``authoritative``: the platform's current copy, taken even where the ordering rules would keep the held one."""
        with self._lock:
            held = self._items.get(item.id)  # type: ignore[attr-defined]
            if not (held != item if authoritative else self._accepts(held, item)):
                return False
            self._items[item.id] = item  # type: ignore[attr-defined]
            self._stored(item)
            listeners = list(self._listeners)
        self._notify(listeners, item)
        return True

    def upsert_many(self, items: Iterable[T]) -> int:
        """``upsert`` each object; returns how many changed."""
        return sum(1 for item in items if self.upsert(item))

    def replace_all(self, items: Iterable[T], *, authoritative: bool = False) -> None:
        """Replace the contents with a fresh snapshot and notify the reset listeners.

        Where the store already holds a newer copy than the snapshot (an event that overtook it), the
        newer copy is kept — unless ``authoritative`` (the platform's data went back: its snapshot is the truth).
        """
        with self._lock:
            fresh: dict[str, T] = {}
            for item in items:
                held = self._items.get(item.id)  # type: ignore[attr-defined]
                keep_held = not authoritative and held is not None and not self._accepts(held, item)
                fresh[item.id] = held if keep_held else item  # type: ignore[attr-defined,assignment]
            self._items = fresh
            self._replaced()
            listeners = list(self._reset_listeners)
        self._tell_reset(listeners)

    def _tell_reset(self, listeners: list) -> None:
        """Hand ``listeners`` (taken under the lock) the contents now; one failing listener does not stop the
        others. Outside the lock."""
        snapshot = self.all()
        for listener in listeners:
            try:
                listener(snapshot)
            except Exception:
                log.exception("store reset listener %r failed", listener)

    def _stored(self, item: T) -> None:
        """Hook, under the lock: ``item`` replaced what the store held under its id."""

    def _replaced(self) -> None:
        """Hook, under the lock: the whole contents were replaced."""

    @staticmethod
    def _notify(listeners: list[Callable[[T], None]], item: T) -> None:
        for listener in listeners:
            try:
                listener(item)
            except Exception:
                log.exception("store listener %r failed", listener)


class IncidentStore(_KeyedStore[Incident]):
    """Incidents by id; ``all()`` newest first (by ``reported_at``); stale versions are ignored. The ids of the
    open ones are kept as incidents are stored, so :meth:`open_count` costs nothing (the status bar asks every
    second; counting 15 000 incidents took ~15 ms of the GUI thread in a burst).

    With the district's areas (:meth:`set_areas`) every incident is stored placed: its ``town`` and ``grid`` are
    those of its point (the platform's where the point lies outside every town or cell), worked out on the
    thread that writes it, once per version; :meth:`placement` says which value came from where and what the
    platform reported. Every reader (list, detail, filters, overview, map, search) sees the same answer."""

    def __init__(self) -> None:
        super().__init__()
        self._open_ids: set[str] = set()
        self._areas: DistrictAreas | None = None
        self._placements: dict[str, Placement] = {}

    # -- where incidents are ------------------------------------------------------------------------------

    def set_areas(self, areas: DistrictAreas | None) -> None:
        """Place incidents with ``areas`` from now on (None: keep the platform's values), and the ones held
        again, from what the platform reported; the reset listeners hear of it when any were held."""
        with self._lock:
            before = dict(self._items)
            raw = [self._reported(item) for item in before.values()]
        # placed outside the lock (a desk holding thousands of incidents), then swapped in under it
        placed = {item.id: (item, where) for item, where in
                  (areas.locate_many(raw) if areas is not None else [(item, None) for item in raw])}
        with self._lock:
            self._areas = areas
            items: dict[str, Incident] = {}
            placements: dict[str, Placement] = {}
            for incident_id, held in self._items.items():
                if before.get(incident_id) is held:
                    item, where = placed[incident_id]
                else:  # written meanwhile (placed with the old areas)
                    item, where = self._locate_all([self._reported(held)])[0]
                items[incident_id] = item
                if where is not None:
                    placements[incident_id] = where
            self._items, self._placements = items, placements
            self._replaced()
            listeners = list(self._reset_listeners) if items else []
        if listeners:
            self._tell_reset(listeners)

    def placement(self, incident_id: str) -> Placement | None:
        """Where the held incident's town and grid cell came from (None: no areas known, the platform's)."""
        with self._lock:
            return self._placements.get(incident_id)

    def as_reported(self, item: Incident) -> Incident:
        """``item`` (held, so placed) with the town and grid cell the platform reported: what is kept as the last
        known state, so that a desk started offline places it again and still knows what the platform said."""
        with self._lock:
            return self._reported(item)

    def point_grids(self, incident_ids: Iterable[str] | None = None) -> dict[str, str | None]:
        """Incident id → the grid cell its point lies in (None: outside every cell, no areas known, or not
        held), for ``incident_ids`` or every held incident; read from the placements, looking nothing up."""
        with self._lock:
            ids = self._items.keys() if incident_ids is None else incident_ids
            placements = self._placements
            grids: dict[str, str | None] = {}
            for incident_id in ids:
                where = placements.get(incident_id)
                grids[incident_id] = where.grid if where is not None and where.grid_from_point else None
            return grids

    def _reported(self, item: Incident) -> Incident:
        """A held (placed) incident as the platform reported it. Under the lock."""
        where = self._placements.get(item.id)
        return item if where is None else where.reported(item)

    def _locate_all(self, items: list[Incident]) -> list[tuple[Incident, Placement | None]]:
        areas = self._areas
        if areas is None or not items:
            return [(item, None) for item in items]
        return list(areas.locate_many(items))

    # -- writing, placed --------------------------------------------------------------------------------

    def upsert(self, item: Incident, *, authoritative: bool = False) -> bool:
        """Insert or update one incident, placed (:meth:`set_areas`); True (and the listeners hear of the
        placed copy) if it changed what the store holds. ``authoritative``: the platform's current copy (a 409's),
        taken even with a lower version than the one held (the platform's data went back)."""
        areas = self._areas
        where: Placement | None = None
        if areas is not None:
            item, where = areas.locate(item)
        with self._lock:
            held = self._items.get(item.id)
            if not (held != item if authoritative else self._accepts(held, item)):
                return False
            if areas is not self._areas:  # the areas changed meanwhile: place it with the new ones
                item, where = self._locate_all([where.reported(item) if where is not None else item])[0]
            self._items[item.id] = item
            if where is None:
                self._placements.pop(item.id, None)
            else:
                self._placements[item.id] = where
            self._stored(item)
            listeners = list(self._listeners)
        self._notify(listeners, item)
        return True

    def upsert_many(self, items: Iterable[Incident]) -> int:
        """``upsert`` each incident (their new points looked up together); returns how many changed."""
        items = list(items)
        if self._areas is not None:
            self._areas.look_up(items)
        return sum(1 for item in items if self.upsert(item))

    def replace_all(self, items: Iterable[Incident], *, authoritative: bool = False) -> None:
        """Replace the contents with a fresh snapshot (placed; a newer copy held is kept, unless ``authoritative``:
        the platform's data went back) and notify the reset listeners."""
        items = list(items)
        areas = self._areas
        placed = self._locate_all(items)
        with self._lock:
            if areas is not self._areas:
                placed = self._locate_all(items)
            fresh: dict[str, Incident] = {}
            placements: dict[str, Placement] = {}
            for item, where in placed:
                held = self._items.get(item.id)
                if not authoritative and held is not None and not self._accepts(held, item):
                    fresh[item.id] = held
                    if (kept := self._placements.get(item.id)) is not None:
                        placements[item.id] = kept
                else:
                    fresh[item.id] = item
                    if where is not None:
                        placements[item.id] = where
            self._items, self._placements = fresh, placements
            self._replaced()
            listeners = list(self._reset_listeners)
        self._tell_reset(listeners)

    def _stored(self, item: Incident) -> None:
        if item.status in OPEN_STATUSES:
            self._open_ids.add(item.id)
        else:
            self._open_ids.discard(item.id)

    def _replaced(self) -> None:
        self._open_ids = {i.id for i in self._items.values() if i.status in OPEN_STATUSES}

    def _accepts(self, held: Incident | None, new: Incident) -> bool:
        return held is None or new.version > held.version

    def _sorted(self, items: list[Incident]) -> list[Incident]:
        return sorted(items, key=lambda i: (i.reported_at, i.id), reverse=True)

    def open(self) -> list[Incident]:
        """Incidents still being handled (new, accepted, dispatched), newest first."""
        return [i for i in self.all() if i.status in OPEN_STATUSES]

    def open_count(self) -> int:
        """How many incidents are still being handled (kept as they are stored)."""
        with self._lock:
            return len(self._open_ids)

    def count_by_status(self) -> dict[IncidentStatus, int]:
        """How many incidents are in each status (for the overview)."""
        counts = dict.fromkeys(IncidentStatus, 0)
        for incident in self.values():
            counts[incident.status] += 1
        return counts


class CameraStore(_KeyedStore[Camera]):
    """Cameras by id, sorted by id; status changes come from ``camera-status`` events.

    The ones online are kept as cameras are stored, so :meth:`online_count` costs nothing (the status bar asks
    every second; counting 20 000 cameras took ~4 ms of the GUI thread each time, changed or not)."""

    def __init__(self) -> None:
        super().__init__()
        self._online_ids: set[str] = set()

    def _stored(self, item: Camera) -> None:
        if item.status is CameraStatus.ONLINE:
            self._online_ids.add(item.id)
        else:
            self._online_ids.discard(item.id)

    def _replaced(self) -> None:
        self._online_ids = {c.id for c in self._items.values() if c.status is CameraStatus.ONLINE}

    def set_status(self, camera_id: str, status: CameraStatus | str) -> bool:
        """Mark a camera online/offline; returns True if it changed. Unknown cameras are ignored."""
        status = CameraStatus(status)
        with self._lock:
            held = self._items.get(camera_id)
            if held is None:
                log.debug("status for unknown camera %s ignored", camera_id)
                return False
            if held.status == status:
                return False
            changed = held.model_copy(update={"status": status})
            self._items[camera_id] = changed
            self._stored(changed)
            listeners = list(self._listeners)
        self._notify(listeners, changed)
        return True

    def online(self) -> list[Camera]:
        """Cameras currently online."""
        return [c for c in self.all() if c.status == CameraStatus.ONLINE]

    def online_count(self) -> int:
        """How many cameras are online now (kept as they are stored)."""
        with self._lock:
            return len(self._online_ids)


#: How far ahead of the platform's clock (as this desk reads it) a unit's report may be dated: one dated later (year
#: 9999 from a broken terminal) never replaces a held report, and is replaced by the next one (no real report would
#: be newer).
UNIT_CLOCK_AHEAD_MAX = timedelta(hours=1)


class UnitStore(_KeyedStore[Unit]):
    """Field units by id, sorted by id; a report older than the one held is ignored."""

    def _accepts(self, held: Unit | None, new: Unit) -> bool:
        # A report dated far ahead (a broken clock or data) would stand for ever, every real report after it
        # "older": it is taken only as a unit's first copy, and gives way to any report that comes after it.
        latest = localtime.now() + UNIT_CLOCK_AHEAD_MAX  # the platform's clock: a desk's may be hours off
        if new.updated_at > latest:
            return held is None
        if held is not None and held.updated_at > latest:
            return True
        return held is None or (new.updated_at >= held.updated_at and new != held)


class TaskStore(_KeyedStore[Task]):
    """Dispatched tasks by id, sorted by creation time, and indexed by incident (the incident centre asks for one
    incident's tasks every second: with tens of thousands held, sorting them all each time held the window)."""

    def __init__(self) -> None:
        super().__init__()
        self._by_incident: dict[str, set[str]] = {}  # incident id → its tasks' ids (under the lock)
        self._incident_of: dict[str, str] = {}  # task id → the incident it is indexed under

    def _sorted(self, items: list[Task]) -> list[Task]:
        return sorted(items, key=lambda t: (t.created_at, t.id))

    def for_incident(self, incident_id: str) -> list[Task]:
        """Tasks of one incident, oldest first."""
        with self._lock:
            tasks = [self._items[task_id] for task_id in self._by_incident.get(incident_id, ())]
        return self._sorted(tasks)

    def _stored(self, item: Task) -> None:
        before = self._incident_of.get(item.id)
        if before is not None and before != item.incident_id:  # a task moved to another incident: rare
            ids = self._by_incident[before]
            ids.discard(item.id)
            if not ids:
                del self._by_incident[before]
        self._incident_of[item.id] = item.incident_id
        self._by_incident.setdefault(item.incident_id, set()).add(item.id)

    def _replaced(self) -> None:
        self._by_incident, self._incident_of = {}, {}
        for item in self._items.values():
            self._incident_of[item.id] = item.incident_id
            self._by_incident.setdefault(item.incident_id, set()).add(item.id)


class Coalescer(Generic[T]):
    """Changes gathered from any thread and taken in one batch (e.g. by a GUI timer a few times a second).

    Keyed by ``id``: an object changed five times between two takes is taken once, in its latest copy (for
    incidents the highest ``version``). ``add`` is what a store listener calls; ``take`` empties the batch.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, T] = {}

    def add(self, item: T) -> None:
        """Remember ``item`` for the next batch (replacing an older copy of the same object)."""
        key = item.id  # type: ignore[attr-defined]
        with self._lock:
            held = self._pending.get(key)
            if held is None or getattr(item, "version", 0) >= getattr(held, "version", 0):
                self._pending[key] = item

    def put_back(self, items: list[T]) -> None:
        """Return ``items`` taken earlier and not used (a write that failed) to the batch, each unless a copy of
        the same object came since (that one is newer)."""
        with self._lock:
            for item in items:
                self._pending.setdefault(item.id, item)  # type: ignore[attr-defined]

    def take(self) -> list[T]:
        """Everything gathered since the last take, in arrival order of first change; empties the batch."""
        with self._lock:
            if not self._pending:
                return []
            batch, self._pending = list(self._pending.values()), {}
        return batch

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)


class TimelineFeed:
    """Timeline entries as they arrive on the event stream (not kept: the detail view asks the platform for
    the whole timeline of the incident it shows)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Callable[[TimelineEntry], None]] = []

    def add_listener(self, listener: Callable[[TimelineEntry], None]) -> Callable[[], None]:
        """Call ``listener(entry)`` for each new entry; returns a function that unsubscribes it."""
        with self._lock:
            self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def publish(self, entry: TimelineEntry) -> bool:
        """Tell the listeners about a new entry."""
        with self._lock:
            listeners = list(self._listeners)
        _KeyedStore._notify(listeners, entry)
        return True


@dataclass
class Stores:
    """All the stores together, with one entry point for events from the ``EventStream``."""

    incidents: IncidentStore = field(default_factory=IncidentStore)
    cameras: CameraStore = field(default_factory=CameraStore)
    units: UnitStore = field(default_factory=UnitStore)
    tasks: TaskStore = field(default_factory=TaskStore)
    timeline: TimelineFeed = field(default_factory=TimelineFeed)

    def apply_event(self, kind: str, model: BaseModel) -> bool:
        """Route one event (``incident``, ``task``, ``unit``, ``camera-status``, ``timeline``) to its store.

        Usable directly as ``EventStream(on_event=stores.apply_event)``. Returns True if something changed.
        """
        if kind == "incident" and isinstance(model, Incident):
            return self.incidents.upsert(model)
        if kind == "task" and isinstance(model, Task):
            return self.tasks.upsert(model)
        if kind == "unit" and isinstance(model, Unit):
            return self.units.upsert(model)
        if kind == "timeline" and isinstance(model, TimelineEntry):
            return self.timeline.publish(model)
        if kind == "camera-status":
            camera_id, status = getattr(model, "id", None), getattr(model, "status", None)
            if isinstance(camera_id, str) and status is not None:
                return self.cameras.set_status(camera_id, status)
        log.warning("event %r with %s not applied", kind, type(model).__name__)
        return False
